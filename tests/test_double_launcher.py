"""The double's commands behave like the tpu_mlir 1.7 wheel's console-script wrapper.

Toolchain: the double (tests/toolchain_double), run as real processes under bash. The real wrapper
(tpu_mlir/__init__.py, read in the wheel) runs `python3 <tool>.py` as a child, forces
OMP_NUM_THREADS=4 and exits 1 on any failure, so an out-of-memory kill of the tool reaches the
caller as exit 1 with no "Killed" line; run without the wrapper (a source build), the same kill
gives 137 and bash's "Killed".
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from toolchain_double.helpers import (
    BIN_DIR, DOUBLE_ROOT, TOOLS_DIR, calibrate_cmd, double_env, make_workspace, transform_cmd,
)

pytest.importorskip("onnx")  # the workspace's tiny model is written with onnx on the host


@pytest.fixture
def work(tmp_path):
    ws = make_workspace(tmp_path)
    result = subprocess.run(transform_cmd(), cwd=ws / "Workspace", env=double_env(), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return ws / "Workspace"


def bash(script: str, cwd, env) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def _quoted(cmd: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(c) for c in cmd)


@pytest.mark.parametrize("fault", [{"exit": 137}, {"signal": "KILL"}])
def test_out_of_memory_through_the_wrapper_is_exit_1_without_killed(work, fault):
    result = bash(f"{_quoted(calibrate_cmd())}; echo rc=$?", work, double_env(fault={"calibrate": fault}))
    assert result.stdout.rstrip().endswith("rc=1")
    assert "Killed" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr  # the tool died silently, the wrapper only exits 1
    assert not (work / "yolo11n_calib_table").exists()


def test_out_of_memory_without_the_wrapper_is_137_and_bash_says_killed(work):
    direct = [str(TOOLS_DIR / "run_calibration.py")] + calibrate_cmd()[1:]
    killed = bash(f"{_quoted(direct)}; echo rc=$?", work, double_env(fault={"calibrate": {"signal": "KILL"}}))
    assert killed.stdout.rstrip().endswith("rc=137")
    assert "Killed" in killed.stderr
    exited = bash(f"{_quoted(direct)}; echo rc=$?", work, double_env(fault={"calibrate": {"exit": 137}}))
    assert exited.stdout.rstrip().endswith("rc=137") and "Killed" not in exited.stderr


def test_launcher_direct_in_the_fault_spec_passes_137_through_the_commands(work):
    """For runner tests that need the 137 a source build gives: {"launcher": "direct", ...}."""
    (work / "toolchain_double_faults.json").write_text(json.dumps({"launcher": "direct", "calibrate": {"exit": 137}}))
    result = bash(f"{_quoted(calibrate_cmd())}; echo rc=$?", work, double_env())
    assert result.stdout.rstrip().endswith("rc=137")
    killed = bash(f"{_quoted(calibrate_cmd())}; echo rc=$?", work,
                  double_env(fault={"launcher": "direct", "calibrate": {"signal": "KILL"}}))
    assert killed.stdout.rstrip().endswith("rc=137") and "Killed" in killed.stderr


def test_any_failure_is_exit_1_and_success_is_0(work):
    env = double_env()
    assert subprocess.run(calibrate_cmd(), cwd=work, env=env, capture_output=True).returncode == 0
    usage = subprocess.run(calibrate_cmd() + ["--search"], cwd=work, env=env, capture_output=True, text=True)
    assert usage.returncode == 1 and "error: unrecognized arguments: --search" in usage.stderr
    direct = subprocess.run([str(TOOLS_DIR / "run_calibration.py"), "x.mlir", "--search"], cwd=work, env=env,
                            capture_output=True, text=True)
    assert direct.returncode == 2  # argparse's own code, seen only without the wrapper


FAKE_TOOL = '''import json, os, sys
json.dump({"argv": sys.argv[1:], "env": dict(os.environ), "python": sys.executable},
          open(os.environ["FAKE_TOOL_REPORT"], "w"))
sys.exit(int(sys.argv[1]))
'''


def test_wrapper_environment_and_arguments(tmp_path):
    """A copy of the wrapper runs a fake tool that reports what it was given."""
    root = tmp_path / "pkg"
    (root / "bin").mkdir(parents=True)
    shutil.copy(BIN_DIR / "tpu_mlir_wrapper", root / "bin" / "tpu_mlir_wrapper")
    (root / "bin" / "model_transform.py").symlink_to("tpu_mlir_wrapper")
    shutil.copytree(DOUBLE_ROOT / "tpu_mlir_double", root / "tpu_mlir_double")
    (root / "tools").mkdir()
    (root / "tools" / "model_transform.py").write_text(FAKE_TOOL)
    report = tmp_path / "report.json"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": "/somewhere/else", "OMP_NUM_THREADS": "1",
           "FAKE_TOOL_REPORT": str(report), "HOME": str(tmp_path)}
    for code, expected in ((0, 0), (3, 1), (2, 1)):
        result = subprocess.run([sys.executable, str(root / "bin" / "model_transform.py"), str(code), "a b", "--x=-1"],
                                env=env, capture_output=True, text=True, timeout=30)
        assert result.returncode == expected, result.stderr
        seen = json.loads(report.read_text())
        assert seen["argv"] == [str(code), "a b", "--x=-1"]
    assert seen["env"]["OMP_NUM_THREADS"] == "4"
    assert seen["env"]["TPUC_ROOT"] == str(root)
    assert seen["env"]["PYTHONPATH"] == f"{root}/:"  # replaced, as tpu_mlir/__init__.py does
    # appended without a separator before the first new entry (the wheel's own quirk)
    assert seen["env"]["PATH"] == f"/usr/bin:/bin{root}/bin:{root}/tools:"
    assert seen["python"] == sys.executable
