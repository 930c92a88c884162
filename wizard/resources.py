"""Find the ``resources/`` folder wherever the wizard runs.

Three layouts: a source checkout (``<repo>/resources``), an installed package
(``wizard/resources`` shipped as package data) and a PyInstaller bundle (``sys._MEIPASS/resources``).
``RECAMERA_WIZARD_RESOURCES`` overrides all of them (tests, packagers).
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    found: list[Path] = []
    override = os.environ.get("RECAMERA_WIZARD_RESOURCES")
    if override:
        found.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        found.append(Path(bundle) / "resources")
    found.append(_PACKAGE_DIR / "resources")  # installed: package data inside wizard/
    found.append(_PACKAGE_DIR.parent / "resources")  # source checkout
    return found


@lru_cache(maxsize=1)
def resources_dir() -> Path:
    for candidate in _candidates():
        if candidate.is_dir():
            return candidate
    # Nothing found: return the checkout path so the error names a real expectation.
    return _PACKAGE_DIR.parent / "resources"


def resource_path(*parts: str) -> Path:
    """A path inside resources/ (it may not exist; callers decide whether that matters)."""
    return resources_dir().joinpath(*parts)
