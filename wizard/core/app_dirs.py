"""Where the wizard keeps its own files, per OS, without Qt (QStandardPaths would pull Qt into core).

    data   job records, settings          Windows %LOCALAPPDATA%\\reCameraWizard
                                          macOS   ~/Library/Application Support/reCameraWizard
                                          Linux   $XDG_DATA_HOME/recamera-wizard (~/.local/share)
    cache  calibration cache, test image  Windows %LOCALAPPDATA%\\reCameraWizard\\Cache
                                          macOS   ~/Library/Caches/reCameraWizard
                                          Linux   $XDG_CACHE_HOME/recamera-wizard (~/.cache)
    logs   the app's own log              Windows %LOCALAPPDATA%\\reCameraWizard\\Logs
                                          macOS   ~/Library/Logs/reCameraWizard
                                          Linux   $XDG_STATE_HOME/recamera-wizard/logs

RECAMERA_WIZARD_HOME=<dir> puts all three under one folder (data/, cache/, logs/): tests use it
so they never touch the real user's folders. Local (not roaming) on Windows because the cache holds
hundreds of MB that must not be synced with a domain profile.

The functions only compute paths; ``ensure(path)`` creates one when a caller is about to write.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping

APP_DIR_NAME = "reCameraWizard"  # Windows and macOS: the product's name, as users see it
XDG_DIR_NAME = "recamera-wizard"  # Linux: lower case, like every other XDG folder
HOME_ENV = "RECAMERA_WIZARD_HOME"


def os_kind(platform: str | None = None) -> str:
    """"windows", "macos" or "linux" (for any other Unix, whose folders follow XDG)."""
    p = platform or sys.platform
    if p.startswith("win"):
        return "windows"
    if p == "darwin":
        return "macos"
    return "linux"


def home_dir(env: Mapping[str, str] | None = None) -> Path:
    # Path.home() ignores a passed env; honour HOME/USERPROFILE from it so tests can redirect.
    env = os.environ if env is None else env
    for var in ("HOME", "USERPROFILE"):
        if env.get(var):
            return Path(env[var])
    return Path.home()


def _dirs(platform: str | None, env: Mapping[str, str] | None) -> dict[str, Path]:
    env = os.environ if env is None else env
    override = env.get(HOME_ENV)
    if override:
        root = Path(override)
        return {"data": root / "data", "cache": root / "cache", "logs": root / "logs"}
    kind = os_kind(platform)
    home = home_dir(env)
    if kind == "windows":
        local = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
        root = local / APP_DIR_NAME
        return {"data": root, "cache": root / "Cache", "logs": root / "Logs"}
    if kind == "macos":
        lib = home / "Library"
        return {
            "data": lib / "Application Support" / APP_DIR_NAME,
            "cache": lib / "Caches" / APP_DIR_NAME,
            "logs": lib / "Logs" / APP_DIR_NAME,
        }

    def xdg(var: str, default: Path) -> Path:
        value = env.get(var, "")
        # The XDG spec says relative values are invalid and must be ignored.
        return Path(value) if value and os.path.isabs(value) else default

    return {
        "data": xdg("XDG_DATA_HOME", home / ".local" / "share") / XDG_DIR_NAME,
        "cache": xdg("XDG_CACHE_HOME", home / ".cache") / XDG_DIR_NAME,
        "logs": xdg("XDG_STATE_HOME", home / ".local" / "state") / XDG_DIR_NAME / "logs",
    }


def data_dir(platform: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    return _dirs(platform, env)["data"]


def cache_dir(platform: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    return _dirs(platform, env)["cache"]


def log_dir(platform: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    return _dirs(platform, env)["logs"]


def app_home(platform: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The wizard's own top folder (settings.json lives here): the override itself, else data."""
    env = os.environ if env is None else env
    override = env.get(HOME_ENV)
    return Path(override) if override else data_dir(platform, env)


def jobs_dir() -> Path:
    """Records of conversions started by this user (for the job history and re-attach)."""
    return data_dir() / "jobs"


def ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
