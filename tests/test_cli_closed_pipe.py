"""Every subcommand, its output piped to a program that stops reading at once (``| head -1``):
the command ends quietly, never with BrokenPipeError.

The reader is simulated exactly: the child's stdout (and, in the second test, stderr) is a pipe
whose read end is closed before the child starts, so its first write fails with EPIPE. No
toolchain or device is reached (deploy is run for its help only: it talks to a camera).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from wizard.cli.output import EXIT_PIPE_CLOSED
from wizard.cli.parser import build_parser


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def _run_into_closed_pipe(args: list[str], *, stderr_too: bool = False, cwd: Path | None = None):
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write gets EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "wizard", *args], stdout=write_end,
                              stderr=write_end if stderr_too else subprocess.PIPE, timeout=180,
                              cwd=cwd or REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    finally:
        os.close(write_end)
    return proc.returncode, (proc.stderr or b"").decode("utf-8", "replace")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    from fs_support import model_and_photos

    folder = tmp_path_factory.mktemp("pipe")
    model, images = model_and_photos(folder, 12, (320, 240))
    log = folder / "convert.log"
    log.write_text("[wizard] step transform started: model_transform\n" * 2000, encoding="utf-8")
    return {"model": str(model), "images": str(images), "log": str(log), "folder": folder}


def _real_runs(inputs) -> list[list[str]]:
    """Runs that print a lot on stdout (more than a pipe's buffer when it matters)."""
    folder = inputs["folder"]
    return [
        ["inspect", inputs["model"]],
        ["inspect", inputs["model"], "--json"],
        ["images", inputs["images"], "--out", str(folder / "calib"), "--json"],
        ["plan", "--model", inputs["model"], "--images", inputs["images"], "--out", str(folder / "ws"),
         "--calibration-count", "12"],
        ["parse-log", inputs["log"]],
        ["check-model", inputs["model"]],
        ["toolchain-image", "dockerfile"],
        ["--version"],
        ["--help"],
    ]


def test_every_subcommand_ends_quietly_when_the_reader_leaves(inputs):
    runs = [[name, "--help"] for name in _subcommands()] + _real_runs(inputs)
    assert len(runs) >= len(_subcommands()) + 5
    for args in runs:
        code, stderr = _run_into_closed_pipe(args)
        assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, (args, stderr)
        assert "Exception ignored" not in stderr, (args, stderr)
        assert code in (0, 2, EXIT_PIPE_CLOSED), (args, code, stderr)


def test_with_stderr_in_the_same_closed_pipe_the_exit_code_is_no_crash(inputs):
    """``2>&1 | head``: nothing can be seen, so the exit code is the proof (1 = uncaught exception,
    120 = Python failed to flush at exit)."""
    for args in [[name, "--help"] for name in _subcommands()] + _real_runs(inputs):
        code, _ = _run_into_closed_pipe(args, stderr_too=True)
        assert code not in (1, 120), (args, code)
