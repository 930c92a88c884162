"""`recamera-wizard convert --backend ssh` end to end against the real sshd on 127.0.0.1: the
first contact stops with the fingerprint to confirm; confirmed, the conversion completes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from sshd_support import sshd_server  # noqa: F401 (fixture)
from docker_support import docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from test_ssh_runner import double_image  # noqa: F401 (fixture)

pytestmark = pytest.mark.ssh


def _sources(tmp: Path) -> tuple[Path, Path]:
    import numpy as np
    from PIL import Image

    from toolchain_double.helpers import tiny_yolo_onnx

    model = tiny_yolo_onnx(tmp / "src" / "yolo11n.onnx")
    images = tmp / "images"
    images.mkdir()
    for i in range(10):
        Image.fromarray((np.random.default_rng(i).random((48, 64, 3)) * 255).astype("uint8")).save(images / f"{i}.jpg")
    return model, images


def _convert(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    # HOME and the app's home in tmp: the user's ~/.ssh/known_hosts and the app's own file are ours.
    env = {**os.environ, "HOME": str(tmp / "user-home"), "RECAMERA_WIZARD_HOME": str(tmp / "app-home")}
    env.pop("SSH_AUTH_SOCK", None)
    return subprocess.run([sys.executable, "-m", "wizard", "convert", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_convert_over_ssh_asks_for_the_host_key_then_converts(sshd_server, double_image, tmp_path):
    model, images = _sources(tmp_path)
    common = ["--model", str(model), "--images", str(images), "--calibration-count", "10", "--no-cache",
              "--toolchain-image", double_image, "--backend", "ssh", "--host", sshd_server.target,
              "--key", str(sshd_server.client_key)]
    first = _convert([*common, "--out", str(tmp_path / "run1")], tmp_path)
    assert first.returncode != 0
    said = first.stdout + first.stderr
    assert f"--accept-host-key {sshd_server.fingerprint()}" in said
    assert "Traceback" not in said and "Could not remove" not in said  # nothing was sent, nothing to clean

    second = _convert([*common, "--out", str(tmp_path / "run2"), "--accept-host-key", sshd_server.fingerprint()], tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (tmp_path / "run2" / "yolo11n_sym_int8.cvimodel").read_bytes()[:8] == b"CviModel"
    assert (tmp_path / "app-home" / "data" / "known_hosts").is_file()
    runs = sshd_server.home / ".recamera-wizard" / "runs"
    assert not runs.exists() or not any(runs.iterdir())
