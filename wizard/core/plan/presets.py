"""Presets: named sets of conversion choices shipped in resources/presets/*.json.

A preset only sets choices (processor, quantize, fusion, tolerance, count...); what it sets goes
through the same validation as a user's own choices, so a preset can never produce an invalid
plan. Explicit choices given on top of a preset win.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from wizard.core.messages import WizardError

DEFAULT_PRESET = "recamera-default"
# Choices a preset may set: conversion options, never the user's files.
_SETTABLE = {
    "processor", "quantize", "tolerance", "mean", "scale", "pixel_format", "keep_aspect_ratio",
    "customization_format", "fuse_preprocess", "aligned_input", "quant_input", "calibration_count",
}


@dataclass(frozen=True)
class Preset:
    id: str
    label: Mapping[str, str]
    description: Mapping[str, str]
    choices: Mapping[str, Any]

    def text(self, lang: str = "en") -> tuple[str, str]:
        return self.label.get(lang) or self.label["en"], self.description.get(lang) or self.description["en"]


def _presets_dir() -> Path:
    from wizard.resources import resource_path  # Qt-free locator (checkout, install, frozen app)

    return resource_path("presets")


def load_preset(path: Path) -> Preset:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data["choices"]) - _SETTABLE
        if unknown:
            raise ValueError(f"unknown choices {sorted(unknown)}")
        choices = {k: tuple(v) if isinstance(v, list) else v for k, v in data["choices"].items()}
        return Preset(id=data["id"], label=data["label"], description=data["description"], choices=choices)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WizardError.of("preset_unreadable", path=str(path), detail=str(exc)) from None


def available_presets(folder: Path | None = None) -> dict[str, Preset]:
    """Every preset, by id, in file-name order."""
    folder = folder or _presets_dir()
    presets = [load_preset(p) for p in sorted(folder.glob("*.json"))]
    return {p.id: p for p in presets}


def get_preset(preset_id: str, folder: Path | None = None) -> Preset:
    presets = available_presets(folder)
    if preset_id not in presets:
        raise WizardError.of("preset_unknown", preset=preset_id, known=", ".join(presets))
    return presets[preset_id]


def apply_preset(choices, preset: Preset, explicit: set[str] | frozenset[str] = frozenset()):
    """``choices`` with the preset's settings, except for fields the user set explicitly."""
    names = {f.name for f in fields(choices)}
    changes = {k: v for k, v in preset.choices.items() if k in names and k not in explicit}
    return replace(choices, **changes)
