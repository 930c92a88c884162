"""Where model_runner runs for the detection check: over SSH (the VM's Docker) and natively.

Toolchain: the DOUBLE. Over SSH: a real OpenSSH server on 127.0.0.1 (tests/sshd_support.py) whose
"VM" is this machine, so the remote `docker run` reaches this machine's Docker engine and the
double's image; `recamera-wizard compare --backend ssh` as a user runs it. Natively: the double's
commands (tests/toolchain_double/bin) stand for a TPU-MLIR environment's bin folder, run by the
driver on this computer's Python.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from conftest import REPO_ROOT
from detections_runs import copy_run, double_image, double_inputs, double_run  # noqa: F401 (fixtures)
from docker_support import cli, docker_client  # noqa: F401 (fixtures)
from sshd_support import make_server
from wizard.core.detections.backends.native import NativeModelRunner
from wizard.core.detections.decode import Thresholds
from wizard.core.detections.report import DetectionReport
from wizard.core.detections.service import RunFolder, run_check
from wizard.core.events import ProblemRaised, Progress

DOUBLE_BIN = REPO_ROOT / "tests" / "toolchain_double" / "bin"
LOW = Thresholds(0.25, 0.25, "user")


def _counts(run_dir) -> list[tuple[int, int, int]]:
    report = DetectionReport.load(run_dir / "detections.json")
    return [(len(p.matched), len(p.missed), len(p.extra)) for p in report.pictures]


@pytest.mark.ssh
@pytest.mark.docker
def test_the_check_over_ssh_in_the_vms_docker(double_run, tmp_path, docker_client):
    server = make_server(tmp_path / "sshd")
    try:
        run_dir = copy_run(double_run, tmp_path / "run")
        home = tmp_path / "wizard-home"  # the app's known_hosts goes there
        result = cli(["compare", str(run_dir), "--count", "3", "--score", "0.25", "--backend", "ssh",
                      "--host", server.target, "--key", str(server.client_key),
                      "--accept-host-key", server.fingerprint(), "-v"], env={"RECAMERA_WIZARD_HOME": str(home)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"model_runner on {server.target}" in result.stderr  # it ran there, not locally
        assert "Start TPU Simulator for cv181x" in result.stderr  # the double's simulator lines came back
        assert _counts(run_dir) == [(4, 1, 1)] * 3
        runs = server.home / ".recamera-wizard" / "runs"
        assert not runs.exists() or list(runs.iterdir()) == []  # every batch folder removed on the VM
        leftovers = [c.name for c in docker_client.containers.list(all=True)
                     if c.name.startswith("recamera-wizard-") and c.name.endswith(("-float", "-int8"))]
        assert leftovers == []  # `docker run --rm`, or removed by the clean-up
        assert (home / "data" / "known_hosts").is_file()  # the accepted host key, in the app's file

        fresh = copy_run(double_run, tmp_path / "fresh")  # no cached outputs: model_runner must run
        wrong = cli(["compare", str(fresh), "--count", "3", "--backend", "ssh",
                     "--host", server.target, "--key", str(server.client_key)],
                    env={"RECAMERA_WIZARD_HOME": str(tmp_path / "other-home")})
        # An unknown host key is never accepted silently: exit 4 with the fingerprint to compare.
        assert wrong.returncode == 4 and server.fingerprint() in wrong.stderr, wrong.stderr
    finally:
        server.stop()


@pytest.mark.ssh
@pytest.mark.docker
def test_a_cancel_over_ssh_removes_the_container_and_the_vms_folder(double_run, tmp_path, docker_client):
    from wizard.core.detections.backends.vm_docker import VmModelRunner
    from wizard.core.ssh.options import HostKeyPolicy, SshCredentials

    server = make_server(tmp_path / "sshd")
    try:
        run_dir = copy_run(double_run, tmp_path / "run")
        backend = VmModelRunner(server.target, image=RunFolder(run_dir).toolchain_image,
                                credentials=SshCredentials(key_file=server.client_key, allow_agent=False),
                                host_keys=HostKeyPolicy(app_known_hosts=tmp_path / "known_hosts",
                                                        accept_fingerprint=server.fingerprint()))
        check = run_check(run_dir, count=8, thresholds=LOW, backend=backend)
        for event in check:
            if isinstance(event, Progress) and event.done == 1 and event.text.startswith("Original"):
                started = time.monotonic()
                canceller = threading.Thread(target=check.cancel)  # as the GUI does
                canceller.start()
                canceller.join(30)
                assert time.monotonic() - started < 30
        assert check.outcome == "cancelled"
        assert [c.name for c in docker_client.containers.list(all=True)
                if c.name.startswith(f"recamera-wizard-{backend.run_id}")] == []
        runs = server.home / ".recamera-wizard" / "runs"
        assert not runs.exists() or list(runs.iterdir()) == []
    finally:
        server.stop()


@pytest.mark.docker
def test_the_check_natively_with_the_toolchains_own_model_runner(double_run, tmp_path):
    run_dir = copy_run(double_run, tmp_path / "run")
    backend = NativeModelRunner(DOUBLE_BIN)
    events = list(run_check(run_dir, count=3, thresholds=LOW, backend=backend))
    assert events[-1].details["outcome"] == "checked", [e for e in events if isinstance(e, ProblemRaised)]
    assert _counts(run_dir) == [(4, 1, 1)] * 3
    # model_runner ran in work/ itself: nothing was copied next to the models.
    work = run_dir / "workspace" / "work"
    assert not list(work.glob("*.raw.npz")) and not list(work.glob("in")) and not list(work.glob("job.json"))


@pytest.mark.docker
def test_a_native_cancel_ends_the_whole_process_group(double_run, tmp_path):
    run_dir = copy_run(double_run, tmp_path / "run")
    backend = NativeModelRunner(DOUBLE_BIN)
    check = run_check(run_dir, count=6, thresholds=LOW, backend=backend)
    group = []
    for event in check:
        if isinstance(event, Progress) and event.done == 1 and not group:
            process = backend._process
            assert process is not None
            group.append(process.pid)
            threading.Thread(target=check.cancel).start()
    assert check.outcome == "cancelled"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _group_alive(group[0]):
        time.sleep(0.1)
    assert not _group_alive(group[0])  # the driver, the launcher and the tool: all gone


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
