"""Shared set-up of the workshop integration tests.

The shared "server" is this machine seen through a REAL OpenSSH server on 127.0.0.1
(tests/sshd_support.py: own host key, own client key, HOME in tmp), running `docker` on this
machine's engine with the TPU-MLIR TEST DOUBLE image (tests/docker_support.py). The instructor's
and the attendees' commands run as people run them: ``python -m wizard workshop ...`` in child
processes, each with its own app folder (RECAMERA_WIZARD_HOME), as on separate laptops.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from docker_support import cli
from sshd_support import SshServer


@pytest.fixture
def workshop_image(toolchain_double_image):
    """The double image under this test's own tag: the engine is shared, and another session
    rebuilding the double's :latest mid-test must not change the image a kit pinned."""
    tag = f"recamera-wizard-test/workshop:{secrets.token_hex(4)}"
    subprocess.run(["docker", "tag", toolchain_double_image, tag], check=True)
    yield tag
    subprocess.run(["docker", "rmi", tag], capture_output=True)  # the tag; the image stays if tagged


def new_workshop_id() -> str:
    return "t" + secrets.token_hex(4)


def app_env(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    return {"RECAMERA_WIZARD_HOME": str(folder), "RECAMERA_WIZARD_LANG": "en"}


def login_args(server: SshServer, accept: bool = False) -> list[str]:
    args = ["--key", str(server.client_key)]
    return args + (["--accept-host-key", server.fingerprint()] if accept else [])


@dataclass
class Room:
    """A prepared workshop on the test server and its kit."""

    server: SshServer
    root: Path
    workshop_id: str
    image: str
    kit: Path = field(default=Path())
    login: list[str] | None = None  # the login's arguments when not the server's client key

    def login_args(self, accept: bool = False) -> list[str]:
        if self.login is None:
            return login_args(self.server, accept)
        return self.login + (["--accept-host-key", self.server.fingerprint()] if accept else [])

    @property
    def instructor_env(self) -> dict[str, str]:
        return app_env(self.root / "instructor")

    @property
    def workshop_dir(self) -> Path:
        return self.server.home / ".recamera-wizard" / "workshops" / self.workshop_id

    def prepare(self, *extra: str, slots: int = 2) -> subprocess.CompletedProcess:
        return cli(["workshop", "prepare-server", "--host", self.server.target, *self.login_args(accept=True),
                    "--workshop", self.workshop_id, "--slots", str(slots), "--image", self.image, *extra],
                   env=self.instructor_env, timeout=600)

    def make_kit(self, *extra: str, out: Path | None = None) -> subprocess.CompletedProcess:
        out = out or self.root / f"{self.workshop_id}.rcwkit"
        result = cli(["workshop", "make-kit", "--out", str(out), "--title", "Test room", "--host", self.server.target,
                      *self.login_args(accept=True), "--workshop", self.workshop_id, "--image", self.image,
                      "--calibration-count", "10", *extra], env=self.instructor_env, timeout=300)
        if result.returncode == 0 and out.name == f"{self.workshop_id}.rcwkit":
            self.kit = out
        return result

    def status(self) -> dict:
        result = cli(["workshop", "status", "--kit", str(self.kit), *self.login_args(), "--json"],
                     env=self.instructor_env, timeout=120)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


def attendee_inputs(folder: Path, model_name: str, images: int = 10) -> tuple[Path, Path]:
    """A tiny YOLO-shaped ONNX named ``model_name`` and a few small photos (fast to stage)."""
    import numpy as np
    from PIL import Image

    from toolchain_double.helpers import tiny_yolo_onnx

    folder.mkdir(parents=True, exist_ok=True)
    model = tiny_yolo_onnx(folder / f"{model_name}.onnx")
    pictures = folder / "images"
    pictures.mkdir(exist_ok=True)
    for i in range(images):
        pixels = (np.random.default_rng(i).random((48, 64, 3)) * 255).astype("uint8")
        Image.fromarray(pixels).save(pictures / f"img{i}.jpg")
    return model, pictures


class Attendee:
    """One attendee's ``workshop convert`` process, its JSON events collected as they come."""

    def __init__(self, room: Room, name: str, model: Path | None, images: Path | None, *, resume: bool = False,
                 run_dir: Path | None = None, extra: tuple[str, ...] = ()):
        self.room = room
        self.name = name
        self.run_dir = run_dir or room.root / "attendees" / name / "run"
        self.env = {**os.environ, **app_env(room.root / "attendees" / name / "app"),
                    "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        argv = [sys.executable, "-m", "wizard", "workshop", "convert", "--kit", str(room.kit), "--out", str(self.run_dir),
                "--key", str(room.server.client_key), "--json-events", "--no-cache"]
        if resume:
            argv.append("--resume")
        else:
            argv += ["--attendee", name, "--model", str(model), "--images", str(images)]
        argv += list(extra)
        self.events: list[dict] = []
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
                                     cwd=REPO_ROOT)
        self.stderr = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._read_err, daemon=True)
        self._err_reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.events.append(json.loads(line))
            except ValueError:
                pass

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def of_type(self, kind: str) -> list[dict]:
        return [e for e in list(self.events) if e.get("type") == kind]

    def wait_for(self, predicate, timeout: float = 120) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            if self.proc.poll() is not None:
                self._reader.join(5)
                return predicate(self)
            time.sleep(0.1)
        return predicate(self)

    def finish(self, timeout: float = 300) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(10)
        self._err_reader.join(10)
        return code

    @property
    def result(self) -> dict | None:
        results = self.of_type("Result")
        return results[-1] if results else None


def hold_slots(workshop_dir: Path, count: int) -> list:
    """Hold the queue's first ``count`` slots from here, as running conversions would (the same
    flock the wrappers take); close the returned files to let go."""
    slots = workshop_dir / "queue" / "slots"
    slots.mkdir(parents=True, exist_ok=True)
    held = []
    for n in range(1, count + 1):
        handle = open(slots / f"{n}.lock", "a")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.append(handle)
    return held


def container_spans(client, prefix: str, since: float) -> dict[str, list[int]]:
    """Container name -> [start, die] in ns, from the Docker engine's own event log."""
    spans: dict[str, list[int]] = {}
    for event in client.events(since=int(since), until=int(time.time()) + 1, decode=True,
                               filters={"type": "container", "event": ["start", "die"]}):
        name = (event.get("Actor", {}).get("Attributes", {}) or {}).get("name", "")
        if name.startswith(prefix):
            spans.setdefault(name, []).append(int(event["timeNano"]))
    return spans


def peak_overlap(spans: dict[str, list[float]]) -> int:
    """The most spans [start, end] open at once (an end sorts before a start at the same time)."""
    edges = sorted([(s[0], 1) for s in spans.values()] + [(s[1], -1) for s in spans.values() if len(s) > 1])
    running = peak = 0
    for _when, delta in edges:
        running += delta
        peak = max(peak, running)
    return peak
