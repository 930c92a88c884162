"""Ctrl-C while `plan` or `images` prepares photos: a message, exit 130, and nothing half-done
left (no staging folder, no empty output folder, an earlier output untouched). No toolchain."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO_ROOT
from fs_support import model_and_photos


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return model_and_photos(tmp_path_factory.mktemp("ctrlc"), 300, (1024, 768))


def _start(args):
    return subprocess.Popen([sys.executable, "-m", "wizard", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))


def _interrupt_when(proc, ready, timeout=120):
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=60)


def test_ctrl_c_during_plan_leaves_no_folder_and_says_so(inputs, tmp_path):
    model, photos = inputs
    out = tmp_path / "new" / "ws"
    proc = _start(["plan", "--model", str(model), "--images", str(photos), "--out", str(out),
                   "--calibration-count", "200"])
    # Interrupted while photos are being converted into the workspace's staging.
    _, stderr = _interrupt_when(proc, lambda: any(out.glob(".staging-*/.calibration.*.partial/*")))
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert f"Staging the workspace {out} was cancelled" in stderr
    assert not (tmp_path / "new").exists()


def test_ctrl_c_during_images_keeps_the_earlier_set(inputs, tmp_path):
    _, photos = inputs
    out = tmp_path / "calib"
    first = subprocess.run([sys.executable, "-m", "wizard", "images", str(photos), "--out", str(out), "--count", "12"],
                           capture_output=True, text=True, timeout=300, cwd=REPO_ROOT,
                           env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = _start(["images", str(photos), "--out", str(out), "--count", "200", "--seed", "3"])
    _, stderr = _interrupt_when(proc, lambda: any(tmp_path.glob(".calib.*.partial/*")))
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "was cancelled" in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calib"]  # no staging left
