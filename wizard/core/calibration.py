"""Prepare calibration images (and the test image) so the toolchain accepts every one of them.

CONTRACT (implemented by the calibration work; plan.py, the CLI and the GUI rely on it):

    scan_sources(src_dir) -> list[SourceFile]             # cheap walk, for the GUI's live counts
    prepare_calibration_set(src_dir, out_dir, count=None, *, seed=0,
                            max_side=..., on_progress=None) -> CalibrationReport
    prepare_image(src, dst, *, max_side=...) -> list[str]  # notes; raises WizardError when unusable

The source folder is never modified. Outputs are RGB JPEGs with safe ASCII names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from wizard.core.messages import Problem

# Below MIN_USABLE images calibration is refused; below RECOMMENDED_MIN it only warns.
MIN_USABLE = 10
RECOMMENDED_MIN = 50
DEFAULT_COUNT = 100
DEFAULT_MAX_SIDE = 1280


@dataclass(frozen=True)
class AcceptedImage:
    source: str
    output: str
    notes: tuple[str, ...] = ()
    sha256: str = ""  # of the decoded source file bytes, used for duplicates and cache keys


@dataclass(frozen=True)
class RejectedImage:
    source: str
    reason: str  # plain-language, English; ``problem`` carries the translatable form
    problem: Problem | None = None


@dataclass(frozen=True)
class DuplicateImage:
    source: str
    same_as: str


@dataclass(frozen=True)
class CalibrationReport:
    accepted: tuple[AcceptedImage, ...] = ()
    rejected: tuple[RejectedImage, ...] = ()
    duplicates: tuple[DuplicateImage, ...] = ()
    ignored: tuple[str, ...] = ()
    usable_total: int = 0  # usable images found before sampling down to ``count``
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        raise NotImplementedError


def prepare_calibration_set(
    src_dir: str | Path,
    out_dir: str | Path,
    count: int | None = DEFAULT_COUNT,
    *,
    seed: int = 0,
    max_side: int = DEFAULT_MAX_SIDE,
    on_progress: Callable[[int, int], None] | None = None,
) -> CalibrationReport:
    raise NotImplementedError("implemented by the calibration work")


def prepare_image(src: str | Path, dst: str | Path, *, max_side: int = DEFAULT_MAX_SIDE) -> list[str]:
    raise NotImplementedError("implemented by the calibration work")
