"""The SSH backend against a REAL OpenSSH server on 127.0.0.1 (tests/sshd_support.py).

The "VM" is this machine seen through sshd: remote commands run `docker ...` on this machine's
Docker engine with the local test image (a Debian with the TPU-MLIR test double). HOME of the
login is a tmp folder, so the run folders land there and can be inspected directly.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from docker_support import docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from sshd_support import SshServer, login_options, password_user, sshd_factory, sshd_server  # noqa: F401 (fixtures)
from wizard.core.events import LogLine, ProblemRaised, Progress, StepFinished
from wizard.core.messages import WizardError
from wizard.core.toolchain.interpreter import is_log_line
from wizard.core.toolchain.lines import LineSplitter
from wizard.core.runners.protocol import RunHandle
from wizard.core.ssh.host_keys import HostKeyChanged, HostKeyUnknown
from wizard.core.runners.vm.runner import SshRunner, VmConsents
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings

pytestmark = pytest.mark.ssh

@pytest.fixture(scope="session")
def double_image(toolchain_double_image) -> str:
    """The TPU-MLIR test double image (built by docker_support when missing). The "VM" behind
    sshd is this machine, so its Docker engine has the image the remote commands run."""
    return toolchain_double_image


@pytest.fixture(scope="session")
def staged_template(tmp_path_factory, double_image) -> Path:
    """One staged workspace (tiny YOLO-like ONNX, 10 calibration images), copied per test."""
    import numpy as np
    from PIL import Image

    from toolchain_double.helpers import tiny_yolo_onnx
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace

    root = tmp_path_factory.mktemp("ssh-staged")
    model = tiny_yolo_onnx(root / "src" / "yolo11n.onnx")
    images = root / "images"
    images.mkdir()
    for i in range(10):
        pixels = (np.random.default_rng(i).random((48, 64, 3)) * 255).astype("uint8")
        Image.fromarray(pixels).save(images / f"img{i}.jpg")
    staged = stage_workspace(
        ConversionChoices(model=str(model), images=str(images), out=str(root / "ws"),
                               calibration_count=10, toolchain_image=double_image)
    )
    return staged.workdir


@pytest.fixture
def workspace(staged_template, tmp_path) -> Path:
    ws = tmp_path / "workspace"
    shutil.copytree(staged_template, ws)
    return ws


def runner_for(server: SshServer, tmp: Path, *, setup_consent: bool = False, build_image: bool = False,
               **options) -> SshRunner:
    """An SshRunner on the test sshd (sshd_support.login_options: its key, its host key accepted,
    the test's known_hosts files); ``options`` by field name override those."""
    consents = VmConsents(setup_consent=setup_consent, build_image=build_image)
    return SshRunner(server.target, consents=consents, **login_options(server, tmp, **options))


def drain(events, into: list, on_event=None):
    for event in events:
        into.append(event)
        if on_event:
            on_event(event)
    return into


def remote_runs(server: SshServer) -> Path:
    return server.home / ".recamera-wizard" / "runs"


def output_lines(events) -> list[str]:
    return [e.text.rstrip() for e in events if isinstance(e, LogLine) and e.stream != "runner"]


def expected_lines(log: bytes) -> list[str]:
    """The remote log's log lines (the interpreter shows them without trailing blanks; a bar's
    redraws are progress, not log lines)."""
    splitter = LineSplitter()
    return [line.text.rstrip() for line in splitter.feed(log) + splitter.flush() if is_log_line(line.text, line.redraw)]


def kill(pids: list[int]) -> list[int]:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # it ended with its parent already
            pass
    return pids


def finished(events, step) -> StepFinished:
    return next(e for e in events if isinstance(e, StepFinished) and e.step == step)


# --- a whole conversion ------------------------------------------------------------------------


def test_full_conversion_over_ssh_streams_everything_and_cleans_up(sshd_server, workspace, tmp_path):
    runner = runner_for(sshd_server, tmp_path, live_log=tmp_path / "live.log")
    events: list = []
    drain(runner.prepare(), events)
    drain(runner.upload(workspace), events)
    run_dir = remote_runs(sshd_server) / runner.run_id
    assert (run_dir / "convert.sh").is_file() and (run_dir / "model" / "yolo11n.onnx").is_file()
    upload_progress = [e for e in events if isinstance(e, Progress) and e.step == "upload"]
    assert upload_progress and upload_progress[-1].fraction == 1.0
    # What a job record would save while handling each line: (offset, lines shown so far).
    recorded: list[tuple[int, int]] = []
    shown = [0]

    def record(event):
        if isinstance(event, LogLine) and event.stream != "runner":
            shown[0] += 1
            recorded.append((runner.log_offset, shown[0]))

    drain(runner.run(), events, record)
    assert finished(events, "convert").ok and finished(events, "convert").exit_code == 0
    remote_log = (run_dir / "convert.log").read_bytes()
    assert b"[wizard] step deploy finished rc=0" in remote_log
    assert (tmp_path / "live.log").read_bytes() == remote_log
    lines = output_lines(events)
    assert lines == expected_lines(remote_log)
    # Every recorded offset is the end of exactly the lines shown by then: a re-attach from it
    # would neither repeat nor skip a line.
    for offset, count in recorded[:: max(1, len(recorded) // 25)]:
        assert expected_lines(remote_log[:offset]) == lines[:count]

    results = workspace  # as the job does: the results come back into the workspace
    drain(runner.download(results), events)
    cvimodel = results / "work" / "yolo11n_sym_int8.cvimodel"
    assert cvimodel.read_bytes()[:8] == b"CviModel"
    assert cvimodel.read_bytes() == (run_dir / "work" / "yolo11n_sym_int8.cvimodel").read_bytes()
    # Only what the user and the later steps need comes back (kept_files); convert.log is not
    # fetched again (the lines streamed), the float reference stays on the VM until cleanup.
    assert not (results / "convert.log").exists()
    assert not (results / "work" / "yolo11n_top_outputs.npz").exists()
    assert (run_dir / "work" / "yolo11n_top_outputs.npz").is_file()
    assert (results / "work" / "yolo11n_calib_table").is_file() and (results / "work" / ".listing").is_file()

    drain(runner.cleanup(), events)
    assert finished(events, "cleanup").ok
    assert not run_dir.exists()
    assert subprocess.run(["docker", "inspect", f"recamera-wizard-{runner.run_id}"], capture_output=True).returncode != 0
    assert runner.handle == RunHandle("ssh", runner.run_id, f"{sshd_server.user}@127.0.0.1:{sshd_server.port}")

    # Run again from the same workspace (now holding the results and their stamps): model_transform
    # remakes the float reference that did not come back, the calibration is skipped by its stamp.
    again = runner_for(sshd_server, tmp_path)
    second: list = []
    for step in (again.prepare(), again.upload(workspace), again.run()):
        drain(step, second)
    second_log = (remote_runs(sshd_server) / again.run_id / "convert.log").read_bytes()
    assert second_log.startswith(b"[wizard] step transform started")
    assert b"[wizard] step calibrate skipped (cached)" in second_log
    assert output_lines(second) == expected_lines(second_log)
    drain(again.cleanup(), second)


def test_keep_remote_leaves_the_run_folder(sshd_server, workspace, tmp_path):
    runner = runner_for(sshd_server, tmp_path)
    events: list = []
    for step in (runner.prepare(), runner.upload(workspace), runner.cleanup(keep_remote=True)):
        drain(step, events)
    assert (remote_runs(sshd_server) / runner.run_id / "convert.sh").is_file()


# --- a dropped connection ----------------------------------------------------------------------


def test_connection_killed_mid_calibration_resumes_with_nothing_lost(sshd_server, workspace, tmp_path):
    (workspace / "toolchain_double_faults.json").write_text('{"calibrate": {"slow_seconds": 4}}')
    runner = runner_for(sshd_server, tmp_path, live_log=tmp_path / "live.log")
    events: list = []
    drain(runner.prepare(), events)
    drain(runner.upload(workspace), events)
    killed: list[int] = []

    def kill_sessions_once(event):
        # Kill every sshd process serving a session (not the listener): the TCP connection dies
        # as it would on a network drop, while the detached job keeps going on the "VM".
        if not killed and isinstance(event, LogLine) and event.text.startswith("[wizard] step calibrate started"):
            killed.extend(kill(sshd_server.session_pids()))

    drain(runner.run(), events, kill_sessions_once)
    assert killed, "the sessions were never killed"
    assert any(isinstance(e, ProblemRaised) and e.problem.code == "vm_connection_lost" for e in events)
    assert finished(events, "convert").ok
    remote_log = (remote_runs(sshd_server) / runner.run_id / "convert.log").read_bytes()
    assert b"[wizard] step calibrate finished rc=0" in remote_log
    assert (tmp_path / "live.log").read_bytes() == remote_log  # byte for byte: no gap, no repeat
    assert output_lines(events) == expected_lines(remote_log)
    drain(runner.download(tmp_path / "results"), events)
    assert (tmp_path / "results" / "work" / "yolo11n_sym_int8.cvimodel").is_file()
    drain(runner.cleanup(), events)


def test_reattach_from_a_run_handle_after_an_app_restart(sshd_server, workspace, tmp_path):
    (workspace / "toolchain_double_faults.json").write_text('{"calibrate": {"slow_seconds": 2}}')
    first = runner_for(sshd_server, tmp_path)
    events: list = []
    drain(first.prepare(), events)
    drain(first.upload(workspace), events)
    stream = first.run()
    for event in stream:  # the app dies once the conversion is under way
        if isinstance(event, LogLine) and event.text.startswith("[wizard] step transform finished"):
            break
    stream.close()
    first.close()
    handle = first.handle

    again = SshRunner.attach(handle, **login_options(sshd_server, tmp_path, accept_fingerprint=None))
    later: list = []
    drain(again.run(), later)
    assert finished(later, "convert").ok
    remote_log = (remote_runs(sshd_server) / handle.run_id / "convert.log").read_bytes()
    assert output_lines(later) == expected_lines(remote_log)  # offset 0: the whole log again
    drain(again.cleanup(), later)
    assert not (remote_runs(sshd_server) / handle.run_id).exists()


def test_cancel_stops_the_remote_container_within_seconds(sshd_server, workspace, tmp_path):
    (workspace / "toolchain_double_faults.json").write_text('{"calibrate": {"slow_seconds": 60}}')
    runner = runner_for(sshd_server, tmp_path)
    events: list = []
    drain(runner.prepare(), events)
    drain(runner.upload(workspace), events)
    asked: list[float] = []

    def cancel_in_calibration(event):
        if not asked and isinstance(event, LogLine) and event.text.startswith("[wizard] step calibrate started"):
            asked.append(time.monotonic())
            threading.Thread(target=runner.cancel).start()

    drain(runner.run(), events, cancel_in_calibration)
    assert asked and time.monotonic() - asked[0] < 12
    result = finished(events, "convert")
    assert not result.ok and result.exit_code is None
    name = f"recamera-wizard-{runner.run_id}"
    assert subprocess.run(["docker", "inspect", name], capture_output=True).returncode != 0
    drain(runner.cleanup(), events)
    assert not (remote_runs(sshd_server) / runner.run_id).exists()


# --- host keys ---------------------------------------------------------------------------------


def test_unknown_host_key_reports_the_fingerprint_and_connects_after_acceptance(sshd_server, tmp_path):
    runner = runner_for(sshd_server, tmp_path, accept_fingerprint=None)
    with pytest.raises(HostKeyUnknown) as unknown:
        list(runner.prepare())
    assert unknown.value.fingerprint == sshd_server.fingerprint()  # exactly as ssh-keygen -l prints it
    assert unknown.value.problem.code == "vm_host_key_unknown"
    assert sshd_server.fingerprint() in unknown.value.problem.message
    assert not (tmp_path / "app_known_hosts").exists()

    accepted = runner_for(sshd_server, tmp_path, accept_fingerprint=unknown.value.fingerprint)
    assert finished(list(accepted.prepare()), "prepare").ok
    accepted.close()
    assert (tmp_path / "app_known_hosts").is_file()
    # From now on no acceptance is needed: the key is on record.
    assert finished(list(runner_for(sshd_server, tmp_path, accept_fingerprint=None).prepare()), "prepare").ok


def test_the_users_own_known_hosts_is_trusted_and_never_written(sshd_server, tmp_path):
    user_file = tmp_path / "user_known_hosts"
    user_file.write_text(f"[127.0.0.1]:{sshd_server.port} {sshd_server.host_public_key_line()}\n")
    before = user_file.read_bytes()
    runner = runner_for(sshd_server, tmp_path, accept_fingerprint=None)
    assert finished(list(runner.prepare()), "prepare").ok
    runner.close()
    assert user_file.read_bytes() == before and not (tmp_path / "app_known_hosts").exists()


def test_changed_host_key_is_refused_even_when_a_fingerprint_is_offered(sshd_server, tmp_path):
    first = runner_for(sshd_server, tmp_path)
    assert finished(list(first.prepare()), "prepare").ok
    first.close()
    sshd_server.restart(new_host_key=True)  # same port, new key: what an attacker in the middle shows
    for offered in (None, sshd_server.fingerprint()):
        with pytest.raises(HostKeyChanged) as changed:
            list(runner_for(sshd_server, tmp_path, accept_fingerprint=offered).prepare())
        assert changed.value.problem.code == "vm_host_key_changed"
        assert changed.value.fingerprint == sshd_server.fingerprint()
    assert len((tmp_path / "app_known_hosts").read_text().splitlines()) == 1  # the new key was not stored


# --- hostile names -----------------------------------------------------------------------------


def test_hostile_names_stay_inert_on_the_remote(sshd_server, workspace, tmp_path):
    hostile_root = ".recamera-wizard/a b;touch pwned/$(touch pwned)/`touch pwned`"
    (workspace / "model" / "a b;rm -rf ~.txt").write_text("x")
    (workspace / "model" / "$(touch pwned).txt").write_text("y")
    runner = runner_for(sshd_server, tmp_path, remote_root=hostile_root)
    events: list = []
    drain(runner.prepare(), events)
    drain(runner.upload(workspace), events)
    run_dir = Path(runner.remote_dir)
    assert str(run_dir).startswith(str(sshd_server.home / ".recamera-wizard" / "a b;touch pwned" / "$(touch pwned)"))
    assert (run_dir / "model" / "a b;rm -rf ~.txt").read_text() == "x"
    assert (run_dir / "model" / "$(touch pwned).txt").read_text() == "y"
    drain(runner.run(), events)
    assert finished(events, "convert").ok
    drain(runner.download(tmp_path / "results"), events)
    drain(runner.cleanup(), events)
    assert not run_dir.exists()
    everywhere = [sshd_server.home, sshd_server.root, tmp_path]  # the login's home, the server's files, ours
    assert not [p for root in everywhere for p in root.rglob("pwned")]
    assert not (Path.cwd() / "pwned").exists() and not (Path("/") / "pwned").exists()
    assert sshd_server.home.exists() and (sshd_server.home / ".recamera-wizard").exists()  # `rm -rf ~` did not run


# --- authentication and the VM's state -----------------------------------------------------------


def test_password_login_and_a_user_without_docker_access(sshd_factory, password_user, tmp_path):
    server = sshd_factory(password_auth=True, home=password_user.home)
    server.user = password_user.name
    runner = runner_for(server, tmp_path, key_file=None, password=password_user.password)
    with pytest.raises(WizardError) as denied:
        list(runner.prepare())  # logged in by password; this account is not in the docker group
    assert denied.value.problem.code == "vm_docker_permission"
    assert "usermod -aG docker " + password_user.name in denied.value.problem.fix
    assert runner.vm_facts is not None and runner.vm_facts.user == password_user.name

    wrong = runner_for(server, tmp_path, key_file=None, password="not the password")
    with pytest.raises(WizardError) as refused:
        list(wrong.prepare())
    assert refused.value.problem.code == "vm_auth_failed"
    sshd_log = server.log_path.read_text(errors="replace")
    assert password_user.password not in sshd_log


def test_a_vm_without_docker_gets_a_clear_message(sshd_factory, tmp_path):
    # sshd's SetEnv gives the session a PATH of symlinks to every command except docker.
    server = sshd_factory(without_docker=True)
    runner = runner_for(server, tmp_path)
    with pytest.raises(WizardError) as missing:
        list(runner.prepare())
    assert missing.value.problem.code == "vm_docker_missing"
    assert "apt-get install docker.io" in missing.value.problem.fix
    assert runner.vm_facts is not None and runner.vm_facts.docker_path == ""


def test_unreachable_vm_and_wrong_key_are_clear_errors(sshd_server, tmp_path):
    from sshd_support import free_port, keygen

    closed = SshRunner(f"root@127.0.0.1:{free_port()}", credentials=SshCredentials(allow_agent=False),
                       host_keys=HostKeyPolicy(app_known_hosts=tmp_path / "kh", user_known_hosts=tmp_path / "ukh"),
                       timings=SshTimings(connect_timeout=3))
    with pytest.raises(WizardError) as unreachable:
        list(closed.prepare())
    assert unreachable.value.problem.code == "vm_unreachable"
    other_key = keygen(tmp_path / "other_key")
    with pytest.raises(WizardError) as refused:
        list(runner_for(sshd_server, tmp_path, key_file=other_key).prepare())
    assert refused.value.problem.code == "vm_auth_failed"


# --- the toolchain image on the VM ----------------------------------------------------------------


def test_missing_image_is_reported_or_built_on_the_vm_with_consent(sshd_server, double_image, tmp_path):
    import secrets

    image = f"recamera-wizard-test/ssh-built:{secrets.token_hex(4)}"
    refused = runner_for(sshd_server, tmp_path, image=image)
    with pytest.raises(WizardError) as missing:
        list(refused.prepare())
    assert missing.value.problem.code == "vm_image_missing"
    refused.close()

    # With consent the VM builds it (a one-line Dockerfile on the test image: no network needed).
    builder = runner_for(sshd_server, tmp_path, image=image, build_image=True,
                         dockerfile_for=lambda tag: f"FROM {double_image}\nLABEL org.recamera-wizard.test=ssh\n")
    try:
        events = list(builder.prepare())
        assert finished(events, "image").ok and finished(events, "prepare").ok
        assert any(isinstance(e, LogLine) and e.step == "image" and e.text.startswith("Step 2/2") for e in events)
        assert _image_present_named(image)
    finally:
        builder.close()
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True)


def _image_present_named(image: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode == 0


def _all_container_ids() -> set[str]:
    listed = subprocess.run(["docker", "ps", "-aq", "--no-trunc"], capture_output=True, text=True, check=True)
    return set(listed.stdout.split())


def test_a_failing_image_build_on_the_vm_says_why_and_leaves_nothing(sshd_server, tmp_path):
    before = _all_container_ids()
    builder = runner_for(sshd_server, tmp_path, image="recamera-wizard-test/ssh-broken:x", build_image=True,
                         dockerfile_for=lambda tag: "FROM scratch\nRUN false\n")
    with pytest.raises(WizardError) as failed:
        list(builder.prepare())
    assert failed.value.problem.code == "vm_image_build_failed"
    assert failed.value.problem.params["detail"]
    # The failed step's container is removed (--force-rm), not left on the user's VM.
    leftovers = [cid for cid in _all_container_ids() - before
                 if "false" in subprocess.run(["docker", "inspect", "-f", "{{json .Config.Cmd}}", cid],
                                              capture_output=True, text=True).stdout]
    assert leftovers == []


def test_a_non_root_login_in_the_docker_group_converts_and_cleans_up(sshd_factory, password_user, workspace, tmp_path):
    # The usual VM: user "ubuntu" in the docker group. The container writes work/ as root, so the
    # login cannot delete it with rm: cleanup must sweep it with a throw-away container.
    subprocess.run(["usermod", "-aG", "docker", password_user.name], check=True)
    server = sshd_factory(password_auth=True, home=password_user.home)
    server.user = password_user.name
    runner = runner_for(server, tmp_path, key_file=None, password=password_user.password)
    events: list = []
    for step in (runner.prepare(), runner.upload(workspace), runner.run(), runner.download(tmp_path / "results")):
        drain(step, events)
    assert finished(events, "convert").ok
    assert runner.vm_facts is not None and runner.vm_facts.uid != 0 and runner.vm_facts.in_docker_group
    run_dir = password_user.home / ".recamera-wizard" / "runs" / runner.run_id
    assert (run_dir / "work" / "yolo11n_sym_int8.cvimodel").stat().st_uid == 0  # written by the container
    drain(runner.cleanup(), events)
    assert finished(events, "cleanup").ok
    assert not run_dir.exists()


def test_check_reports_the_vm_without_changing_it(sshd_factory, double_image, tmp_path):
    ready = sshd_factory()
    report = runner_for(ready, tmp_path, image=double_image).check()
    assert report.facts.docker_usable and report.image_present and not report.setup.needed
    assert not any(p.is_error for p in report.problems) and report.ready

    bare = sshd_factory(without_docker=True)
    report = runner_for(bare, tmp_path, image=double_image).check()
    assert [p.code for p in report.problems if p.is_error] == ["vm_docker_missing"]
    assert report.image_present is None and not report.ready
    # Root on a Debian box: the guide's install and start, no group change.
    labels = [c.label for c in report.setup.commands]
    assert labels[:2] == ["apt-get update", "apt-get install docker.io"]
    assert not any(label.startswith("usermod") for label in labels)
    assert list(bare.home.iterdir()) == []  # nothing was written on the "VM"


def test_consented_setup_adds_the_login_to_the_docker_group_through_sudo(sshd_factory, password_user, tmp_path):
    """The guide's `sudo usermod -aG docker $USER`, run by the wizard with the user's consent:
    the password reaches sudo on stdin (-S), never a command line; the runner logs in again so
    the new group counts, and Docker then works for that login."""
    if not shutil.which("sudo"):
        pytest.skip("sudo is not installed here (apt-get install sudo): the consented set-up is not run")
    rule = Path("/etc/sudoers.d") / f"wizard-test-{password_user.name}"
    # Only the one command the plan needs, so the throw-away login gains nothing else.
    rule.write_text(f"{password_user.name} ALL=(root) /usr/sbin/usermod -aG docker {password_user.name}\n")
    rule.chmod(0o440)
    try:
        server = sshd_factory(password_auth=True, home=password_user.home)
        server.user = password_user.name
        with pytest.raises(WizardError) as no_consent:
            list(runner_for(server, tmp_path, key_file=None, password=password_user.password).prepare())
        assert no_consent.value.problem.code == "vm_docker_permission"

        runner = runner_for(server, tmp_path, key_file=None, password=password_user.password, setup_consent=True)
        events = list(runner.prepare())
        assert finished(events, "prepare").ok
        assert any(isinstance(e, LogLine) and e.text.endswith(f"usermod -aG docker {password_user.name}") for e in events)
        assert runner.vm_facts is not None and runner.vm_facts.docker_usable  # probed again after the new login
        groups = subprocess.run(["id", "-nG", password_user.name], capture_output=True, text=True).stdout.split()
        assert "docker" in groups
        runner.close()
        assert password_user.password not in server.log_path.read_text(errors="replace")
    finally:
        rule.unlink(missing_ok=True)


def test_a_job_that_vanishes_without_an_exit_code_ends_the_stream(sshd_server, workspace, tmp_path):
    # What a VM reboot does: the wrapper and the container die and nobody writes exit_code.
    (workspace / "toolchain_double_faults.json").write_text('{"calibrate": {"slow_seconds": 60}}')
    runner = runner_for(sshd_server, tmp_path)
    runner.liveness_seconds = 1
    events: list = []
    drain(runner.prepare(), events)
    drain(runner.upload(workspace), events)
    run_dir = remote_runs(sshd_server) / runner.run_id
    killed: list[int] = []

    def reboot(event):
        if not killed and isinstance(event, LogLine) and event.text.startswith("[wizard] step calibrate started"):
            pid = int((run_dir / ".wizard-run.pid").read_text())
            os.killpg(pid, signal.SIGKILL)
            killed.append(pid)
            subprocess.run(["docker", "rm", "-f", f"recamera-wizard-{runner.run_id}"], capture_output=True)

    started = time.monotonic()
    drain(runner.run(), events, reboot)
    assert killed and time.monotonic() - started < 30
    assert any(isinstance(e, ProblemRaised) and e.problem.code == "vm_job_vanished" for e in events)
    assert not finished(events, "convert").ok
    drain(runner.cleanup(), events)


def test_a_remote_command_that_stops_reading_its_input_reports_its_own_error(sshd_server, tmp_path):
    from wizard.core.ssh.connection import SshConnection, SshTarget
    from wizard.core.ssh.host_keys import HostKeyStore

    store = HostKeyStore(tmp_path / "kh", tmp_path / "ukh")
    conn = SshConnection(SshTarget.parse(sshd_server.target), SshCredentials(key_file=sshd_server.client_key,
                         allow_agent=False), store, accept_fingerprint=sshd_server.fingerprint()).connect()
    try:
        big = b"x" * (8 * 1024 * 1024)  # far more than the channel window: the writer must notice
        result = conn.run("echo 'no space left on device' >&2; exit 3", stdin=big, timeout=30)
        assert result.exit_code == 3 and "no space left" in result.err
    finally:
        conn.close()


def test_a_long_outage_gives_up_clearly_and_the_run_is_reattached_later(sshd_server, workspace, tmp_path):
    (workspace / "toolchain_double_faults.json").write_text('{"calibrate": {"slow_seconds": 3}}')
    runner = runner_for(sshd_server, tmp_path, reconnect_timeout=2)
    events: list = []
    drain(runner.prepare(), events)
    drain(runner.upload(workspace), events)

    def outage(event):
        if sshd_server.process and isinstance(event, LogLine) and event.text.startswith("[wizard] step calibrate started"):
            sessions = sshd_server.session_pids()
            sshd_server.stop()  # the whole server: nothing answers for a while
            kill(sessions)

    with pytest.raises(WizardError) as gave_up:
        drain(runner.run(), events, outage)
    assert gave_up.value.problem.code == "vm_reconnect_failed"
    assert runner.run_id in gave_up.value.problem.message  # the user can find the run again
    seen = output_lines(events)

    sshd_server.start()  # the network is back
    later = SshRunner.attach(runner.handle, offset=runner.log_offset,
                             **login_options(sshd_server, tmp_path, accept_fingerprint=None))
    rest: list = []
    drain(later.run(), rest)
    assert finished(rest, "convert").ok
    remote_log = (remote_runs(sshd_server) / runner.run_id / "convert.log").read_bytes()
    assert seen + output_lines(rest) == expected_lines(remote_log)  # resumed at the offset: exact
    drain(later.cleanup(), rest)


# --- through the job, as the CLI and the GUI drive it ----------------------------------------------


def test_a_conversion_job_over_ssh_ends_in_success_with_the_bundle(sshd_server, workspace, tmp_path):
    from wizard.core.events import Result
    from wizard.core.runners.job import ConversionJob

    run_dir = tmp_path / "run"
    shutil.copytree(workspace, run_dir / "workspace")
    runner = runner_for(sshd_server, tmp_path)
    job = ConversionJob(runner, run_dir, cache=False)
    events = list(job.events())
    result = events[-1]
    assert isinstance(result, Result) and result.ok, [e for e in events if isinstance(e, ProblemRaised)]
    assert result.details["verdict"] == "success"
    assert (run_dir / "yolo11n_sym_int8.cvimodel").read_bytes()[:8] == b"CviModel"
    assert (run_dir / "results.json").is_file() and (run_dir / "job.json").is_file()
    assert not (remote_runs(sshd_server) / runner.run_id).exists()
    # What came back over SSH (issue 10.6): the results, not the float reference; results.json
    # says what stayed on the VM (removed at cleanup), with its size, and the bytes match.
    work = run_dir / "workspace" / "work"
    record = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))["work_files"]
    left = {entry["path"]: entry["bytes"] for entry in record["left_out"]}
    assert "yolo11n_top_outputs.npz" in left and not (work / "yolo11n_top_outputs.npz").exists()
    assert "yolo11n_in_f32.npz" in left and "yolo11n_origin.mlir" in left
    for name in record["brought_back"]:
        assert (work / name).is_file(), name
    assert {"yolo11n_sym_int8.cvimodel", "yolo11n.mlir", "yolo11n_top_f32_all_weight.npz",
            "yolo11n_calib_table"} <= set(record["brought_back"])
    assert record["left_where"].startswith("removed")
    assert 0 < runner.downloaded_bytes < sum(left.values()) + record["brought_back_bytes"]


def test_cancel_during_an_outage_stops_waiting_for_the_vm(sshd_server, workspace, tmp_path):
    (workspace / "toolchain_double_faults.json").write_text('{"calibrate": {"slow_seconds": 3}}')
    runner = runner_for(sshd_server, tmp_path, reconnect_timeout=120)
    events: list = []
    drain(runner.prepare(), events)
    drain(runner.upload(workspace), events)
    asked: list[float] = []

    def outage_then_cancel(event):
        if not asked and isinstance(event, LogLine) and event.text.startswith("[wizard] step calibrate started"):
            sessions = sshd_server.session_pids()
            sshd_server.stop()
            kill(sessions)
            asked.append(time.monotonic())
            threading.Thread(target=runner.cancel).start()

    with pytest.raises(WizardError) as stopped:
        drain(runner.run(), events, outage_then_cancel)
    assert stopped.value.problem.code == "vm_reconnect_failed"
    assert time.monotonic() - asked[0] < 10  # not the 120 s a plain outage would wait
    sshd_server.start()
    runner.accept_fingerprint = sshd_server.fingerprint()
    drain(runner.cleanup(), events)  # the job finished on its own meanwhile; the folder goes
    assert not (remote_runs(sshd_server) / runner.run_id).exists()


def test_a_passphrase_protected_key_asks_for_its_passphrase(sshd_server, tmp_path):
    from sshd_support import SSH_KEYGEN

    key = tmp_path / "locked_ed25519"
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "open sesame", "-f", str(key)], check=True)
    (sshd_server.root / "authorized_keys").write_text(key.with_suffix(".pub").read_text())
    with pytest.raises(WizardError) as locked:
        list(runner_for(sshd_server, tmp_path, key_file=key).prepare())
    assert locked.value.problem.code == "vm_key_passphrase"
    unlocked = runner_for(sshd_server, tmp_path, key_file=key, key_passphrase="open sesame")
    assert finished(list(unlocked.prepare()), "prepare").ok
    unlocked.close()
