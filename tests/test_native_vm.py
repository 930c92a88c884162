"""The native backend over SSH, against a REAL OpenSSH server on 127.0.0.1 (tests/sshd_support.py).

The "VM" is this machine seen through sshd (its login's HOME is a tmp folder). Toolchain: the
TEST DOUBLE (tests/toolchain_double/bin) given as the VM's existing TPU-MLIR, so no Docker and
no environment are needed; the real toolchain over SSH is in test_native_real.py. The VM's PATH
without a C compiler is sshd's SetEnv PATH to a folder of symlinks, with the compiler's removed.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from native_support import (DOUBLE_BIN, copy_workspace, drain, isolated_app_home, processes_in,  # noqa: F401
                            python310, stage_tiny, vm_options)
from sshd_support import SshServer, sshd_factory, sshd_server  # noqa: F401 (fixtures)
from wizard.core.events import LogLine, ProblemRaised, Result, StepStarted
from wizard.core.messages import WizardError
from wizard.core.ssh import remote_shell as rs
from wizard.core.runners.job import ConversionJob
from wizard.core.runners.record import JobRecord
from wizard.core.runners.native.shell import group_alive
from wizard.core.runners.native.vm import NativeSshRunner

pytestmark = pytest.mark.ssh


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    return stage_tiny(tmp_path_factory.mktemp("native-vm-staged"))


def vm_runner(server: SshServer, tmp: Path, **options) -> NativeSshRunner:
    return NativeSshRunner(server.target, **vm_options(server, tmp, **{"toolchain_bin": str(DOUBLE_BIN), **options}))


def remote_runs(server: SshServer) -> Path:
    return server.home / ".recamera-wizard" / "runs"


def starts(step: str):
    return lambda e: isinstance(e, LogLine) and e.text.startswith(f"[wizard] step {step} started")


def test_a_native_job_over_ssh_converts_on_the_vm_and_brings_the_bundle_back(sshd_server, template, tmp_path):
    run_dir = tmp_path / "run"
    copy_workspace(template, run_dir)
    runner = vm_runner(sshd_server, tmp_path)
    events = list(ConversionJob(runner, run_dir, cache=False).events())
    result = events[-1]
    assert isinstance(result, Result) and result.ok, [e.problem for e in events if isinstance(e, ProblemRaised)]
    convert = next(e for e in events if isinstance(e, StepStarted) and e.step == "convert")
    assert convert.command == f"PATH={DOUBLE_BIN}:\"$PATH\" bash convert.sh"  # no docker run
    assert (run_dir / "yolo11n_sym_int8.cvimodel").read_bytes()[:8] == b"CviModel"
    results = json.loads((run_dir / "results.json").read_text())
    assert results["backend"] == "ssh-native" and results["where"] == str(runner.target)
    assert results["toolchain_image"]["native"]["path"] == str(DOUBLE_BIN)
    assert [s["name"] for s in results["steps"]] == ["transform", "calibrate", "deploy"]
    assert (run_dir / "workspace" / "work" / "yolo11n_sym_int8.cvimodel").is_file()
    assert not (remote_runs(sshd_server) / runner.run_id).exists()  # cleaned up on the VM


def test_cancel_over_ssh_ends_the_run_s_whole_process_group(sshd_server, template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    (workspace / "toolchain_double_faults.json").write_text('{"calibrate": {"slow_seconds": 120}}')
    runner = vm_runner(sshd_server, tmp_path)
    job = ConversionJob(runner, run_dir, cache=False)
    asked: list[float] = []
    group: list[int] = []

    def cancel_in_calibration(event):
        if not asked and starts("calibrate")(event):
            remote = remote_runs(sshd_server) / runner.run_id
            group.append(int((remote / rs.WRAPPER_PID_FILE).read_text()))
            assert group_alive(group[0]) and processes_in(remote)
            asked.append(time.monotonic())
            threading.Thread(target=job.cancel).start()

    drain(job.events(), [], cancel_in_calibration)
    assert asked and time.monotonic() - asked[0] < 15
    assert job.verdict == "cancelled"
    assert not group_alive(group[0])
    assert not (remote_runs(sshd_server) / runner.run_id).exists()


def test_a_detached_run_on_the_vm_is_reattached_to_the_end(sshd_server, template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    (workspace / "toolchain_double_faults.json").write_text('{"calibrate": {"slow_seconds": 3}}')
    runner = vm_runner(sshd_server, tmp_path)
    job = ConversionJob(runner, run_dir, cache=False)
    first = drain(job.events(), [], lambda e: starts("calibrate")(e) and job.detach())
    assert not any(isinstance(e, Result) for e in first)
    runner.close()
    record = JobRecord.load(run_dir)
    assert record.state == "running" and record.backend == "ssh-native"

    later = NativeSshRunner.attach(record.handle, offset=0, skip_lines=record.log_lines,
                                   **vm_options(sshd_server, tmp_path))
    rest = list(ConversionJob(later, run_dir, workspace=workspace, cache=False, record=record).resume())
    assert isinstance(rest[-1], Result) and rest[-1].ok
    log = (run_dir / "convert.log").read_text().splitlines()
    assert sum(1 for line in log if line.startswith("[wizard] step transform started")) == 1
    assert sum(1 for line in log if line.startswith("[wizard] step ") and " finished rc=0" in line) == 3
    assert not (remote_runs(sshd_server) / runner.run_id).exists()


def test_check_on_a_vm_without_a_compiler_says_what_to_install_and_changes_nothing(sshd_factory, python310, tmp_path):
    server = sshd_factory(without_docker=True)
    folder = server.root / "bin-without-docker"  # the VM's PATH (sshd SetEnv): drop the compiler too
    for link in list(folder.iterdir()):
        if link.name in ("cc", "c89", "c99") or link.name.startswith("gcc") or "-gcc" in link.name:
            link.unlink()
    assert not shutil.which("gcc", path=str(folder))
    runner = vm_runner(server, tmp_path, toolchain_bin=None, python=python310, env_root="envs")
    report = runner.check()
    assert [p.code for p in report.problems] == ["native_compiler_missing"]
    assert report.where == str(runner.target) and report.environment_state == "absent"
    assert report.environment is not None and report.environment.root == f"{server.home}/envs"  # relative to the VM's home
    assert [c.argv for c in report.setup.commands][-1] == ("apt-get", "install", "-y", "gcc")
    assert report.environment_question is not None
    with pytest.raises(WizardError) as refused:
        list(vm_runner(server, tmp_path, toolchain_bin=None, python=python310, env_root="envs",
                       create_environment=True).prepare())
    assert refused.value.problem.code == "native_compiler_missing"
    assert list(server.home.iterdir()) == []  # nothing was written on the "VM"
    runner.close()


def test_a_vm_without_python_310_is_told_what_to_install(sshd_server, tmp_path):
    # The login's PATH and HOME (a tmp folder) have no 3.10: only this machine's 3.11 and older.
    runner = vm_runner(sshd_server, tmp_path, toolchain_bin=None)
    report = runner.check()
    found = [p for p in report.facts.pythons if p.series == "3.10"]
    if found:
        pytest.skip(f"this machine has a CPython 3.10 on the default PATH ({found[0].path})")
    assert [p.code for p in report.problems] == ["native_python_missing"]
    assert report.environment is None and not report.ready
    assert report.setup.unsupported is not None  # Debian 12 has no python3.10 package
    runner.close()
