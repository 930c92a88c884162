"""Saved copies of the camera's Node-RED flow, so one action puts the previous flow back.

A backup is written before every flow change, per device, as plain JSON (flows hold no
passwords the wizard knows of; Node-RED keeps credentials out of GET /flows).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any


def default_state_dir() -> Path:
    """The wizard's data folder (wizard.core.app_dirs); RECAMERA_WIZARD_STATE_DIR overrides it."""
    override = os.environ.get("RECAMERA_WIZARD_STATE_DIR")
    if override:
        return Path(override)
    from wizard.core.app_dirs import data_dir

    return data_dir() / "device"


def _device_key(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", address) or "device"


def save_flow_backup(state_dir: str | Path, address: str, rev: str, flows: list[dict[str, Any]]) -> Path:
    """Write the flow as it was before our change; returns the file's path."""
    folder = Path(state_dir) / "flow-backups" / _device_key(address)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{time.time_ns() % 1_000_000_000:09d}"
    path = folder / f"flows-{stamp}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"address": address, "rev": rev, "saved_at": time.time(), "flows": flows},
                              ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)  # never leave a half-written backup behind
    return path


def list_flow_backups(state_dir: str | Path, address: str) -> list[Path]:
    folder = Path(state_dir) / "flow-backups" / _device_key(address)
    return sorted(folder.glob("flows-*.json")) if folder.is_dir() else []


def latest_flow_backup(state_dir: str | Path, address: str) -> Path | None:
    backups = list_flow_backups(state_dir, address)
    return backups[-1] if backups else None


def load_flow_backup(path: str | Path) -> list[dict[str, Any]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return list(data["flows"])
