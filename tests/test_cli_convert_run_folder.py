"""`convert` into a run folder another conversion is using: refused at once, nothing touched.

No toolchain is reached (the refusal comes before Docker is asked anything); the other
conversion is stood in for by this test process holding the folder's real file lock.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO_ROOT
from wizard.core.runners.run_folder import LOCK_FILE, claimed_run_dir


def _convert(run_dir, *extra):
    return subprocess.run([sys.executable, "-m", "wizard", "convert", "--model", "m.onnx", "--images", "imgs",
                           "--out", str(run_dir), *extra], capture_output=True, text=True, timeout=120,
                          cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"})


def test_a_second_conversion_into_a_busy_run_folder_is_refused(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "convert.log").write_text("the running conversion's log\n", encoding="utf-8")
    with claimed_run_dir(run_dir):
        for extra in ((), ("--resume",)):
            result = _convert(run_dir, *extra)
            assert result.returncode == 2, result.stderr
            assert "Another conversion is using the run folder" in result.stderr
            assert "Traceback" not in result.stderr
        ja = subprocess.run([sys.executable, "-m", "wizard", "--lang", "ja", "convert", "--model", "m.onnx",
                             "--images", "i", "--out", str(run_dir)], capture_output=True, text=True,
                            timeout=120, cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT)})
        assert "別の変換が使用中" in ja.stderr
    assert sorted(p.name for p in run_dir.iterdir()) == [LOCK_FILE, "convert.log"]
    assert (run_dir / "convert.log").read_text(encoding="utf-8") == "the running conversion's log\n"


def test_a_refused_plan_leaves_no_empty_run_folder(tmp_path):
    result = _convert(tmp_path / "new-run")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert not (tmp_path / "new-run").exists()


def test_a_folder_whose_run_is_still_going_is_refused(tmp_path, monkeypatch):
    """The window was closed and the run went on: its record says "running"."""
    from wizard.core.runners.record import JobRecord

    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    JobRecord(run_id="20261201-000000-abcdef", backend="docker", where="local", run_dir=str(run_dir),
              image="img:1", state="running").save()
    before = (run_dir / "job.json").read_bytes()
    result = _convert(run_dir)
    assert result.returncode == 2, result.stderr
    assert "which is recorded as still running" in result.stderr and "--resume" in result.stderr
    assert "Traceback" not in result.stderr
    assert (run_dir / "job.json").read_bytes() == before
