"""Restore points: what a deploy replaces on the camera, kept on this computer so that
``deploy --restore`` makes the previous model active again, byte for byte.

Every deploy writes the same /userdata/Models/model.cvimodel, so the Node-RED flow alone cannot
bring an older model back: after two deploys the "previous" flow points at a file that no longer
holds the previous model. So before a deploy changes anything, the wizard keeps, per device and
per deploy, in ``<state_dir>/restore-points/<device>/<stamp>/``:

    model.cvimodel   the camera's active model file as it was
    model.json       the camera's active model.json, the exact text ("" kept as an empty file)
    flows.json       the Node-RED flow before the switch (only when the deploy switched it)
    point.json       what is where: size and md5, the copy on the camera (if one was made), whether
                     it was restored

``--restore`` takes the newest point not yet restored, so repeating it walks further back.
Points are plain files (flows hold no passwords the wizard knows of; Node-RED keeps credentials
out of GET /flows). The newest :data:`KEEP_POINTS` per device are kept; older ones are removed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

KEEP_POINTS = 10
POINTS_DIR = "restore-points"


def default_state_dir() -> Path:
    """The wizard's data folder (wizard.core.app_dirs); RECAMERA_WIZARD_STATE_DIR overrides it."""
    override = os.environ.get("RECAMERA_WIZARD_STATE_DIR")
    if override:
        return Path(override)
    from wizard.core.app_dirs import data_dir

    return data_dir() / "device"


def _device_key(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", address) or "device"


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # never leave a half-written file behind


@dataclass
class RestorePoint:
    """One deploy's "before". ``folder`` is not saved in point.json (it is where point.json is)."""

    folder: Path
    address: str
    created: float
    method: str = "http"
    model_md5: str | None = None  # None: the model file could not be kept
    model_size: int = 0
    model_name: str = ""
    info_kept: bool = False
    not_kept_reason: str = ""
    device_copy: str | None = None  # path on the camera of the copy of model.cvimodel
    device_info_copy: str | None = None
    flow_rev: str | None = None
    restored: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def model_file(self) -> Path:
        return self.folder / "model.cvimodel"

    @property
    def info_file(self) -> Path:
        return self.folder / "model.json"

    @property
    def flow_file(self) -> Path:
        return self.folder / "flows.json"

    @property
    def has_flow(self) -> bool:
        return self.flow_file.is_file()

    @property
    def saved_at(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.created))

    def save(self) -> None:
        record = {k: v for k, v in asdict(self).items() if k != "folder"}
        _write_atomically(self.folder / "point.json", json.dumps(record, indent=1, ensure_ascii=False).encode())

    def keep_model(self, data: bytes, info_text: str, md5: str, model_name: str = "") -> None:
        _write_atomically(self.model_file, data)
        _write_atomically(self.info_file, info_text.encode("utf-8"))
        self.model_md5, self.model_size, self.model_name, self.info_kept = md5, len(data), model_name, True
        self.save()

    def not_kept(self, reason: str) -> None:
        self.not_kept_reason = reason
        self.save()

    def keep_flow(self, rev: str, flows: list[dict[str, Any]]) -> Path:
        document = {"address": self.address, "rev": rev, "saved_at": time.time(), "flows": flows}
        _write_atomically(self.flow_file, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
        self.flow_rev = rev
        self.save()
        return self.flow_file

    def drop_flow(self) -> None:
        self.flow_file.unlink(missing_ok=True)
        self.flow_rev = None
        self.save()

    def load_flow(self) -> list[dict[str, Any]]:
        data = json.loads(self.flow_file.read_text(encoding="utf-8"))
        flows = data["flows"]
        if not isinstance(flows, list) or not all(isinstance(n, dict) for n in flows):
            raise ValueError("flows.json holds no list of nodes")
        return flows

    def mark_restored(self) -> None:
        self.restored = time.time()
        self.save()

    def discard(self) -> None:
        """The deploy changed nothing on the camera: there is nothing to restore."""
        shutil.rmtree(self.folder, ignore_errors=True)


def new_point(state_dir: str | Path, address: str, method: str) -> RestorePoint:
    folder = Path(state_dir) / POINTS_DIR / _device_key(address)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{time.time_ns() % 1_000_000_000:09d}"
    point = RestorePoint(folder / stamp, address, time.time(), method)
    point.folder.mkdir()
    point.save()
    _prune(folder)
    return point


def load_point(folder: Path) -> RestorePoint:
    """Raises ValueError (or OSError) for a point.json that cannot be read."""
    record = json.loads((folder / "point.json").read_text(encoding="utf-8"))
    if not isinstance(record, dict):
        raise ValueError("point.json holds no object")
    known = {k: record[k] for k in RestorePoint.__dataclass_fields__ if k in record and k != "folder"}
    return RestorePoint(folder=folder, **known)


def list_points(state_dir: str | Path, address: str) -> list[Path]:
    folder = Path(state_dir) / POINTS_DIR / _device_key(address)
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def latest_point(state_dir: str | Path, address: str) -> Path | None:
    """The newest point not restored yet that holds something (its folder; load it with
    load_point). An unreadable point is returned too: the caller says so rather than skip it."""
    for folder in reversed(list_points(state_dir, address)):
        try:
            point = load_point(folder)
        except (OSError, ValueError, TypeError):
            return folder
        if point.restored is None and (point.model_md5 or point.has_flow):
            return folder
    return None


def _prune(device_folder: Path) -> None:
    for old in sorted(p for p in device_folder.iterdir() if p.is_dir())[:-KEEP_POINTS]:
        shutil.rmtree(old, ignore_errors=True)
