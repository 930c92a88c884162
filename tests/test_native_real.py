"""The native backend with the REAL TPU-MLIR 1.7, on this computer and over a real sshd.

Toolchain: REAL (tpu_mlir[onnx]==1.7 in a CPython 3.10 venv that the product makes, kept in
~/.cache/recamera-wizard-tests/native-envs and made there by the session fixture when missing:
~2.5 minutes, 1.4 GB). Model: the project's YOLO11-shaped sample model at 320 px, 10 generated
calibration pictures. The SSH login is root on this machine (HOME a tmp folder), so it reuses the
same environment by its absolute path and the Python by its path.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from native_support import (TEST_ENV_ROOT, copy_workspace, drain, isolated_app_home, processes_in,  # noqa: F401
                            python310, real_environment, stage_sample, vm_options)
from sshd_support import SshServer, sshd_server  # noqa: F401 (fixtures)
from wizard.core.toolchain.cvimodel import check_cvimodel
from wizard.core.events import LogLine, ProblemRaised, Result, StepStarted
from wizard.core.ssh import remote_shell as rs
from wizard.core.runners.calibration_cache import CalibrationCache
from wizard.core.runners.job import ConversionJob
from wizard.core.runners.record import JobRecord
from wizard.core.runners.native.local import RUNS_DIR, NativeRunner
from wizard.core.runners.native.shell import group_alive
from wizard.core.runners.native.vm import NativeSshRunner

pytestmark = pytest.mark.real_toolchain

MODEL = "yolo11n_sym_int8.cvimodel"


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    return stage_sample(tmp_path_factory.mktemp("native-real-staged"))


def local_runner(python: str, **options) -> NativeRunner:
    return NativeRunner(python=python, env_root=TEST_ENV_ROOT, poll_interval=0.2, **options)


def vm_runner(server: SshServer, tmp: Path, python: str, **options) -> NativeSshRunner:
    return NativeSshRunner(server.target, python=python, env_root=str(TEST_ENV_ROOT),
                           **vm_options(server, tmp, poll_interval=0.3, **options))


def starts(step: str):
    return lambda e: isinstance(e, LogLine) and e.text.startswith(f"[wizard] step {step} started")


def assert_real_bundle(run_dir: Path, environment_path: str, backend: str) -> dict:
    model = run_dir / MODEL
    assert model.read_bytes()[:8] == b"CviModel"
    check = check_cvimodel(model)
    assert check.ok, check
    results = json.loads((run_dir / "results.json").read_text())
    assert results["verdict"] == "success" and results["backend"] == backend
    assert [s["name"] for s in results["steps"]] == ["transform", "calibrate", "deploy"]
    assert all(s["status"] == "success" and s["exit_code"] == 0 for s in results["steps"]), results["steps"]
    assert results["compare"] and all(c["passed"] for c in results["compare"])  # the real npz_tool lines, parsed
    assert results["toolchain_image"]["native"]["path"] == environment_path
    assert json.loads((run_dir / "job.json").read_text())["state"] == "finished"
    for name in ("recipe.json", "reproduce.sh", "convert.log"):
        assert (run_dir / name).is_file(), name
    log = (run_dir / "convert.log").read_text()
    assert "[Running]:" in log and "npz compare PASSED." in log  # the real tools' own output
    return results


def test_real_toolchain_converts_natively_and_leaves_the_bundle(real_environment, python310, template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    runner = local_runner(python310)
    job = ConversionJob(runner, run_dir, cache=CalibrationCache(tmp_path / "cache"))
    events = list(job.events())
    assert isinstance(events[-1], Result) and events[-1].ok, [e.problem for e in events if isinstance(e, ProblemRaised)]
    convert = next(e for e in events if isinstance(e, StepStarted) and e.step == "convert")
    assert convert.command.startswith(f"PATH={real_environment.bin_dir}:")
    results = assert_real_bundle(run_dir, real_environment.path, "native")
    assert results["calibration_cache"]["stored"]
    assert processes_in(workspace) == [] and not (workspace / RUNS_DIR).exists()


def test_real_toolchain_cancel_leaves_no_process(real_environment, python310, template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    runner = local_runner(python310)
    job = ConversionJob(runner, run_dir, cache=False)
    asked: list[float] = []
    group: list[int] = []

    def cancel_once_the_tool_runs(event):
        # "[Running]:" lines come from model_transform itself: the real tool is running.
        if not asked and isinstance(event, LogLine) and event.text.startswith("[Running]:"):
            group.append(runner._process.pid)
            assert processes_in(workspace)
            asked.append(time.monotonic())
            threading.Thread(target=job.cancel).start()

    drain(job.events(), [], cancel_once_the_tool_runs)
    assert asked and time.monotonic() - asked[0] < 15
    assert job.verdict == "cancelled"
    assert not group_alive(group[0]) and processes_in(workspace) == []
    assert not (run_dir / MODEL).exists()


def test_real_toolchain_run_detached_then_reattached_completes(real_environment, python310, template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    runner = local_runner(python310)
    job = ConversionJob(runner, run_dir, cache=False)
    first = drain(job.events(), [], lambda e: starts("transform")(e) and job.detach())
    assert not any(isinstance(e, Result) for e in first)
    record = JobRecord.load(run_dir)
    pid = int((workspace / RUNS_DIR / runner.run_id / rs.WRAPPER_PID_FILE).read_text())
    assert record.state == "running" and group_alive(pid)

    later = NativeRunner.attach(record.handle, workspace, skip_lines=record.log_lines, python=python310,
                                env_root=TEST_ENV_ROOT, poll_interval=0.2)
    rest = list(ConversionJob(later, run_dir, workspace=workspace, cache=False, record=record).resume())
    assert isinstance(rest[-1], Result) and rest[-1].ok, [e.problem for e in rest if isinstance(e, ProblemRaised)]
    assert_real_bundle(run_dir, real_environment.path, "native")
    log = (run_dir / "convert.log").read_text().splitlines()
    assert sum(1 for line in log if line.startswith("[wizard] step transform started")) == 1
    assert not group_alive(pid)


@pytest.mark.ssh
def test_real_toolchain_over_ssh_detached_then_reattached(sshd_server, real_environment, python310, template, tmp_path):
    """The same environment on the "VM" (found by its key: same Python, same version), the run
    detached once the real transform started, then re-attached from the job record to the end."""
    run_dir = tmp_path / "run"
    copy_workspace(template, run_dir)
    runner = vm_runner(sshd_server, tmp_path, python310)
    job = ConversionJob(runner, run_dir, cache=False)
    first = drain(job.events(), [], lambda e: starts("transform")(e) and job.detach())
    assert not any(isinstance(e, Result) for e in first)
    assert any(isinstance(e, LogLine) and e.text == f"TPU-MLIR 1.7 environment: {real_environment.path}" for e in first)
    runner.close()
    record = JobRecord.load(run_dir)
    later = NativeSshRunner.attach(record.handle, offset=0, skip_lines=record.log_lines,
                                   **vm_options(sshd_server, tmp_path, poll_interval=0.3))
    rest = list(ConversionJob(later, run_dir, workspace=run_dir / "workspace", cache=False, record=record).resume())
    assert isinstance(rest[-1], Result) and rest[-1].ok, [e.problem for e in rest if isinstance(e, ProblemRaised)]
    assert_real_bundle(run_dir, real_environment.path, "ssh-native")
    assert not (sshd_server.home / ".recamera-wizard" / "runs" / runner.run_id).exists()


@pytest.mark.ssh
def test_real_toolchain_cancel_over_ssh_leaves_no_process(sshd_server, real_environment, python310, template, tmp_path):
    run_dir = tmp_path / "run"
    copy_workspace(template, run_dir)
    runner = vm_runner(sshd_server, tmp_path, python310)
    job = ConversionJob(runner, run_dir, cache=False)
    remote = sshd_server.home / ".recamera-wizard" / "runs" / runner.run_id
    asked: list[float] = []
    group: list[int] = []

    def cancel_once_the_tool_runs(event):
        if not asked and isinstance(event, LogLine) and event.text.startswith("[Running]:"):
            group.append(int((remote / rs.WRAPPER_PID_FILE).read_text()))
            asked.append(time.monotonic())
            threading.Thread(target=job.cancel).start()

    drain(job.events(), [], cancel_once_the_tool_runs)
    assert asked and time.monotonic() - asked[0] < 20
    assert job.verdict == "cancelled" and not group_alive(group[0])
    assert not remote.exists()
