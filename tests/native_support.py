"""Helpers for the native backend's tests: a CPython 3.10, the cached real environment, workspaces.

The real TPU-MLIR environment takes ~2.5 minutes and 1.4 GB to make, so the tests keep one in
~/.cache/recamera-wizard-tests/native-envs (its folder name is keyed by the TPU-MLIR version and
the Python, as the product keys it) and make it there with the product's own code when it is
missing. Tests never use an environment made by hand elsewhere.

A CPython 3.10 is found the way the product finds one (host probe: python3.10 / python3 on PATH,
pyenv's versions). Locally a missing 3.10 skips the tests that need it; under CI=true it fails,
naming what to install.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import require_component

REPO_ROOT = Path(__file__).resolve().parent.parent
DOUBLE_BIN = REPO_ROOT / "tests" / "toolchain_double" / "bin"
TEST_ENV_ROOT = Path.home() / ".cache" / "recamera-wizard-tests" / "native-envs"
PYTHON_HINT = "install a CPython 3.10: pyenv install 3.10.13 (or on Ubuntu 22.04: apt-get install python3.10 python3.10-venv python3.10-dev)"


def find_python310() -> str | None:
    from wizard.core.runners.native import host
    from wizard.core.runners.native.shell import LocalShell

    facts = host.parse_probe(LocalShell().run(host.probe_command(None, str(TEST_ENV_ROOT)), timeout=120).out)
    found = facts.python()
    return found.path if found else None


def require_python310() -> str:
    python = find_python310()
    require_component(python is not None, "CPython 3.10", PYTHON_HINT)
    assert python is not None
    return python


@pytest.fixture(autouse=True)
def isolated_app_home(tmp_path, monkeypatch):
    """The app's folders (job history, the default environment root) in the test's tmp folder;
    autouse in every module that imports it."""
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "app"))


@pytest.fixture(scope="session")
def python310() -> str:
    return require_python310()


@pytest.fixture(scope="session")
def real_environment(python310):
    """The real TPU-MLIR 1.7 environment (made by NativeRunner with consent when missing)."""
    from wizard.core.events import StepFinished
    from wizard.core.runners.native.local import NativeRunner

    runner = NativeRunner(python=python310, env_root=TEST_ENV_ROOT, create_environment=True)
    events = list(runner.prepare())
    assert any(isinstance(e, StepFinished) and e.step == "prepare" and e.ok for e in events)
    assert runner.setup.environment is not None
    return runner.setup.environment


def tiny_sources(root: Path, images: int = 10) -> tuple[Path, Path]:
    """The double's tiny YOLO-like ONNX and ``images`` random pictures, as a user would pick them."""
    import numpy as np
    from PIL import Image

    from toolchain_double.helpers import tiny_yolo_onnx

    model = tiny_yolo_onnx(root / "src" / "yolo11n.onnx")
    folder = root / "images"
    folder.mkdir(parents=True)
    for i in range(images):
        pixels = (np.random.default_rng(i).random((48, 64, 3)) * 255).astype("uint8")
        Image.fromarray(pixels).save(folder / f"img{i}.jpg")
    return model, folder


def stage_tiny(root: Path, *, images: int = 10, toolchain_image: str | None = None) -> Path:
    """A staged workspace of ``tiny_sources``."""
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace

    model, folder = tiny_sources(root, images)
    staged = stage_workspace(ConversionChoices(
        model=str(model), images=str(folder), out=str(root / "ws"), calibration_count=images,
        toolchain_image=toolchain_image))
    return staged.workdir


def vm_options(server, tmp: Path, **options) -> dict:
    """NativeSshRunner's login, host keys and timings for a test sshd (tests/sshd_support.py), its
    host key accepted; ``options`` by field name override those, others are passed on."""
    from sshd_support import login_options

    return login_options(server, tmp, **{"reconnect_timeout": 30, **options})


def stage_sample(root: Path, *, size: int = 320, images: int = 10) -> Path:
    """A staged workspace the REAL toolchain converts: the project's YOLO11-shaped sample model at
    ``size`` px and ``images`` generated scenes (10: the fewest calibration accepts)."""
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace
    from wizard.core.images.samples import generate_sample_images
    from wizard.core.model.samples import write_sample_model

    model = write_sample_model(root / "src" / "yolo11n.onnx", imgsz=(size, size))
    generate_sample_images(root / "images", images, size=(size, size * 3 // 4))
    staged = stage_workspace(ConversionChoices(
        model=str(model), images=str(root / "images"), out=str(root / "ws"), calibration_count=images))
    return staged.workdir


def copy_workspace(template: Path, run_dir: Path) -> Path:
    workspace = run_dir / "workspace"
    shutil.copytree(template, workspace)
    return workspace


def drain(events, into: list, on_event=None) -> list:
    for event in events:
        into.append(event)
        if on_event:
            on_event(event)
    return into


def finished(events, step: str):
    from wizard.core.events import StepFinished

    return next(e for e in events if isinstance(e, StepFinished) and e.step == step)


def processes_in(folder: Path) -> list[int]:
    """Live (not zombie) processes whose working folder is inside ``folder``: what a cancelled or
    finished run must not leave behind."""
    found = []
    prefix = str(folder.resolve())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
            with open(f"/proc/{entry}/stat", "rb") as f:
                state = f.read().decode("ascii", "replace").rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if state != "Z" and (cwd == prefix or cwd.startswith(prefix + "/")):
            found.append(int(entry))
    return found
