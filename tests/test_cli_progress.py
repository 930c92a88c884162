"""`plan` with many photos: a bar in place on a terminal, a few lines into a pipe or a log file.

No toolchain: plan only stages. The terminal is a real pseudo-terminal (pty).
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from fs_support import model_and_photos


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return model_and_photos(tmp_path_factory.mktemp("progress"), 400, (64, 48))


def _plan_args(inputs, out):
    model, photos = inputs
    return [sys.executable, "-m", "wizard", "plan", "--model", str(model), "--images", str(photos),
            "--out", str(out), "--calibration-count", "12"]


def test_into_a_pipe_progress_is_a_few_lines_ending_complete(inputs, tmp_path):
    result = subprocess.run(_plan_args(inputs, tmp_path / "ws"), capture_output=True, text=True, timeout=300,
                            cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip().startswith("images ")]
    assert 3 <= len(lines) <= 25, lines  # not one per image (412 steps here)
    assert lines[-1].strip() == "images 412/412"
    assert "\r" not in result.stderr


def test_on_a_terminal_progress_is_one_bar_redrawn(inputs, tmp_path):
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(_plan_args(inputs, tmp_path / "ws"), stdout=subprocess.DEVNULL, stderr=follower,
                                cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(300) == 0
    finally:
        os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "\r  images [" in shown and "] 412/412" in shown
    assert shown.count("\n  images") <= 2  # redrawn in place, not printed line after line


def test_images_into_a_pipe_shows_the_same_sparse_lines(inputs, tmp_path):
    _, photos = inputs
    result = subprocess.run([sys.executable, "-m", "wizard", "images", str(photos), "--out", str(tmp_path / "calib"),
                             "--count", "12"], capture_output=True, text=True, timeout=300, cwd=REPO_ROOT,
                            env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip().startswith("images ")]
    assert 3 <= len(lines) <= 25 and lines[-1].strip() == "images 412/412", lines
    assert "\r" not in result.stderr
