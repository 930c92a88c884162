"""model.json as the camera expects it next to model.cvimodel.

Facts (recamera.md, from sscma-example-sg200x and node-red-contrib-sscma):
- sscma-node reads only ``classes``; without it every label shows as ``N/A-<id>``.
- The Node-RED model editor sends ``{model_id: "0", model_name: <file>, classes: [...]}`` and its
  dialog breaks when model_name or classes is missing (node-red-contrib-sscma nodes/model.html,
  ``oneditsave`` / ``fetchModelInfo``).
- Factory files carry model_id, version, model_name, model_format, ai_framwork (sic), description,
  author, classes, checksum (md5 of the .cvimodel). The factory YOLO11n entry reads
  ``"ai_framwork": "6"`` (as reported by the device's getModelInfo, quoted in a Home Assistant
  integration's README found with the search tool); we copy that value since the device does not
  interpret it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from wizard.core.messages import WizardError

FACTORY_AI_FRAMEWORK = "6"


def default_model_name(model_path: str | Path) -> str:
    return Path(model_path).name


def build_model_info(
    model_path: str | Path,
    classes: Sequence[str],
    *,
    md5: str,
    model_name: str | None = None,
    version: str = "1.0.0",
    author: str = "",
    description: str = "",
) -> dict[str, Any]:
    """The dict written as model.json; key order follows the factory files."""
    name = model_name or default_model_name(model_path)
    return {
        "model_id": "0",  # what the Node-RED editor uses for an uploaded (non-factory) model
        "version": version,
        "model_name": name,
        "model_format": "cvimodel",
        "ai_framwork": FACTORY_AI_FRAMEWORK,  # sic: the device's own spelling
        "description": description or f"{name} deployed by reCamera Model Wizard",
        "author": author,
        "classes": [str(c) for c in classes],
        "checksum": md5,
    }


def dumps(info: Mapping[str, Any]) -> str:
    return json.dumps(dict(info), ensure_ascii=False)


def check_classes(names: Sequence[str]) -> tuple[str, ...]:
    """The class names, surrounding spaces trimmed; an empty one is refused, because the camera
    numbers classes by position: dropping it would give every later class the wrong id."""
    cleaned = tuple(str(name).strip() for name in names)
    for position, name in enumerate(cleaned, start=1):
        if not name:
            raise WizardError.of("deploy_empty_class", position=position, classes=",".join(map(str, names)))
    return cleaned


def parse_classes_option(text: str) -> list[str]:
    """``--classes a,b,c`` -> ["a", "b", "c"], surrounding spaces trimmed; ``a,,b`` is refused."""
    return list(check_classes(text.split(",")))


def first_mismatch(expected: Mapping[str, Any], found: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The first field of model.json that differs after the upload (None = confirmed), as the
    params of the deploy_verify_json message."""
    if not found:
        return {"field": "model.json", "expected": "model.json", "found": "nothing"}
    for key in ("model_name", "classes", "checksum"):
        if key in expected and found.get(key) != expected[key]:
            return {"field": key, "expected": json.dumps(expected[key], ensure_ascii=False),
                    "found": json.dumps(found.get(key), ensure_ascii=False)}
    return None
