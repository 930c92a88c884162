"""`recamera-wizard convert --backend native` end to end, as a user types it.

Toolchain: the TEST DOUBLE, given as an existing TPU-MLIR (--toolchain-bin), so it runs in the
fast tier. Without it and without --create-environment, the command stops before anything is
made and says how to make the environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT
from native_support import DOUBLE_BIN, python310, tiny_sources  # noqa: F401 (fixture)


def _convert(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "RECAMERA_WIZARD_HOME": str(tmp / "app-home")}
    return subprocess.run([sys.executable, "-m", "wizard", "convert", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_convert_natively_with_an_existing_toolchain(tmp_path):
    model, images = tiny_sources(tmp_path)
    done = _convert(["--model", str(model), "--images", str(images), "--calibration-count", "10", "--no-cache",
                     "--backend", "native", "--toolchain-bin", str(DOUBLE_BIN), "--out", str(tmp_path / "run")], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "run" / "yolo11n_sym_int8.cvimodel").read_bytes()[:8] == b"CviModel"
    assert json.loads((tmp_path / "run" / "results.json").read_text())["backend"] == "native"


def test_without_consent_the_missing_environment_is_explained_and_nothing_is_made(python310, tmp_path):
    model, images = tiny_sources(tmp_path)
    done = _convert(["--model", str(model), "--images", str(images), "--calibration-count", "10", "--no-cache",
                     "--backend", "native", "--python", python310, "--out", str(tmp_path / "run")], tmp_path)
    said = done.stdout + done.stderr
    assert done.returncode == 4, said
    assert "--create-environment" in said and "Traceback" not in said
    assert not (tmp_path / "app-home" / "data" / "toolchains").exists()
