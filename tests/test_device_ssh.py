"""Deploy over SSH against a REAL OpenSSH server started on 127.0.0.1 by the test.

Keys are generated in tmp_path with ssh-keygen; sshd runs with its own config (-f) in the
foreground (-D, -e logs to stderr) as the current user, with internal-sftp. The deploy's remote
base (/userdata on the camera) is a temporary folder, so the real /userdata is never touched.
The simulator still provides the web API (discovery) and Node-RED (flow switch).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import require_component
from recamera_sim import closed_loopback_port
from recamera_sim.fixtures import cvimodel, sim, state_dir, loopback_only  # noqa: F401  (pytest fixtures; loopback_only is autouse)
from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy
from wizard.core.device.errors import DeviceError
from wizard.core.device.ssh_deploy import SshDeployer
from wizard.core.ssh.host_keys import fingerprint
from wizard.core.events import Progress, ProblemRaised

pytestmark = pytest.mark.ssh

SSHD = "/usr/sbin/sshd"


def _free_port() -> int:
    return closed_loopback_port()


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited: {proc.stderr.read().decode(errors='replace')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("sshd did not start listening")


@pytest.fixture
def sshd(tmp_path):
    require_component(os.path.exists(SSHD) and shutil.which("ssh-keygen") is not None,
                      "OpenSSH server (/usr/sbin/sshd) and ssh-keygen", "apt-get install openssh-server")
    folder = tmp_path / "sshd"
    folder.mkdir()
    host_key = folder / "ssh_host_ed25519_key"
    user_key = folder / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(user_key)], check=True)
    authorized = folder / "authorized_keys"
    authorized.write_text((folder / "id_ed25519.pub").read_text())
    os.chmod(authorized, 0o600)
    port = _free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {folder / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {authorized}\nPermitRootLogin yes\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nStrictModes no\nUsePAM no\n"
        "Subsystem sftp internal-sftp\n"
    )
    # Debian's sshd refuses to start without its privilege-separation directory.
    Path("/run/sshd").mkdir(exist_ok=True)
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_port(port, proc)
        import paramiko

        host_fp = fingerprint(paramiko.Ed25519Key.from_private_key_file(str(host_key)))
        user = os.environ.get("USER") or __import__("getpass").getuser()
        remote_base = tmp_path / "userdata"
        (remote_base / "Models").mkdir(parents=True)
        (remote_base / "Models" / "model.cvimodel").write_bytes(b"previous model")
        (remote_base / "Models" / "model.json").write_text('{"model_name": "previous", "classes": ["x"]}')
        yield {"port": port, "key": str(user_key), "fingerprint": host_fp, "user": user,
               "remote_base": remote_base, "known_hosts": tmp_path / "known_hosts", "host_key": host_key}
    finally:
        proc.terminate()  # only the sshd this fixture started, by its own handle
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def _request(sim, sshd, model, state_dir, **kw):
    return DeployRequest(
        str(model), device=sim.device, method="ssh", classes=("cat", "dog"), node_red_port=sim.nodered_port,
        state_dir=str(state_dir), user=sshd["user"], ssh_port=sshd["port"], ssh_key=sshd["key"],
        known_hosts=str(sshd["known_hosts"]), system_known_hosts=False, remote_base=str(sshd["remote_base"]), **kw)


def _problems(events):
    """Errors and warnings; the closing notes (what the camera runs, what was kept) are info."""
    return [e.problem for e in events if isinstance(e, ProblemRaised) and e.problem.severity != "info"]


def _notes(events):
    return [e.problem for e in events if isinstance(e, ProblemRaised) and e.problem.severity == "info"]


def test_unknown_host_key_is_refused_with_its_fingerprint(sim, sshd, cvimodel, state_dir):
    events = list(run_deploy(plan_deploy(_request(sim, sshd, cvimodel, state_dir))))
    assert not events[-1].ok
    problem = _problems(events)[-1]
    assert problem.code == "ssh_host_unknown" and sshd["fingerprint"] in problem.message
    assert f"--accept-host-key {sshd['fingerprint']}" in problem.fix
    assert (sshd["remote_base"] / "Models" / "model.cvimodel").read_bytes() == b"previous model"


def test_ssh_deploy_with_confirmed_fingerprint(sim, sshd, cvimodel, state_dir):
    request = _request(sim, sshd, cvimodel, state_dir, accept_host_key=sshd["fingerprint"])
    events = list(run_deploy(plan_deploy(request)))
    assert events[-1].ok, _problems(events)
    models = sshd["remote_base"] / "Models"
    assert (models / "model.cvimodel").read_bytes() == cvimodel.read_bytes()
    info = json.loads((models / "model.json").read_text())
    assert info["classes"] == ["cat", "dog"] and info["checksum"] == hashlib.md5(cvimodel.read_bytes()).hexdigest()
    assert sorted(p.name for p in models.iterdir()) == ["model.cvimodel", "model.json"]  # no temp files left
    assert any(isinstance(e, Progress) and e.step == "upload" for e in events)
    # The flow points at where SSH wrote; thresholds kept.
    node = sim.model_node()
    assert node["uri"] == f"{models}/model.cvimodel" and node["tscore"] == 0.62
    # The key is now remembered (host name hashed, as OpenSSH's HashKnownHosts): a second deploy
    # needs no confirmation.
    host_pub = (sshd["host_key"].parent / "ssh_host_ed25519_key.pub").read_text().split()[1]
    line = sshd["known_hosts"].read_text().strip()
    assert line.startswith("|1|") and line.endswith(f"ssh-ed25519 {host_pub}")
    events = list(run_deploy(plan_deploy(_request(sim, sshd, cvimodel, state_dir))))
    assert events[-1].ok, _problems(events)


def test_changed_host_key_is_refused(sim, sshd, cvimodel, state_dir):
    import paramiko

    other = paramiko.Ed25519Key.from_private_key_file(sshd["key"])  # any other key of the same type
    sshd["known_hosts"].write_text(f"[127.0.0.1]:{sshd['port']} {other.get_name()} {other.get_base64()}\n")
    events = list(run_deploy(plan_deploy(_request(sim, sshd, cvimodel, state_dir,
                                                  accept_host_key=sshd["fingerprint"]))))
    problem = _problems(events)[-1]
    assert not events[-1].ok and problem.code == "ssh_host_changed"
    assert sshd["fingerprint"] in problem.message
    assert (sshd["remote_base"] / "Models" / "model.cvimodel").read_bytes() == b"previous model"


def test_old_firmware_model_folder_is_used_when_models_is_absent(sshd, cvimodel, tmp_path):
    base = tmp_path / "old_userdata"
    (base / "MODEL").mkdir(parents=True)
    deployer = SshDeployer("127.0.0.1", port=sshd["port"], user=sshd["user"], key_filename=sshd["key"],
                           known_hosts=str(sshd["known_hosts"]), use_system_known_hosts=False,
                           accept_fingerprint=sshd["fingerprint"], remote_base=str(base))
    try:
        md5 = hashlib.md5(cvimodel.read_bytes()).hexdigest()
        list(deployer.deploy(cvimodel, '{"classes": ["a"]}', md5))
    finally:
        deployer.close()
    assert deployer.remote_dir == f"{base}/MODEL"
    assert (base / "MODEL" / "model.cvimodel").read_bytes() == cvimodel.read_bytes()
    assert not (base / "Models").exists()


def test_ssh_disabled_on_the_camera_stops_before_connecting(sim, sshd, cvimodel, state_dir):
    sim.ssh_enabled = False
    events = list(run_deploy(plan_deploy(_request(sim, sshd, cvimodel, state_dir,
                                                  accept_host_key=sshd["fingerprint"]))))
    assert _problems(events)[-1].code == "ssh_disabled"
    assert not sshd["known_hosts"].exists()


def test_wrong_key_is_an_auth_failure(sim, sshd, cvimodel, state_dir, tmp_path):
    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    request = _request(sim, sshd, cvimodel, state_dir, accept_host_key=sshd["fingerprint"])
    request = DeployRequest(**{**request.__dict__, "ssh_key": str(stranger)})
    events = list(run_deploy(plan_deploy(request)))
    assert _problems(events)[-1].code == "ssh_auth_failed"


def _fake_sudo(tmp_path: Path, password: str) -> tuple[Path, Path]:
    """A stand-in for sudo: sudo is not installed here, and as root it would never ask for the
    password anyway. It behaves like sudo -S / -n for the part the deployer relies on: with -S it
    reads the password from stdin and refuses a wrong one; with -n it fails as when a password is
    needed. It logs its argv so the test can check the password never appears on a command line."""
    log = tmp_path / "sudo-argv.log"
    script = tmp_path / "fakebin" / "sudo"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {log}\n'
        'if [ "$1" = "-n" ]; then echo "sudo: a password is required" >&2; exit 1; fi\n'
        '[ "$1" = "-S" ] || exit 2\n'
        'shift; if [ "$1" = "-p" ]; then shift 2; fi\n'
        "IFS= read -r pw\n"
        f'[ "$pw" = "{password}" ] || {{ echo "Sorry, try again." >&2; exit 1; }}\n'
        'exec "$@"\n'
    )
    script.chmod(0o755)
    return script, log


def _deployer(sshd, **kw) -> SshDeployer:
    return SshDeployer("127.0.0.1", port=sshd["port"], user=sshd["user"], key_filename=sshd["key"],
                       known_hosts=str(sshd["known_hosts"]), use_system_known_hosts=False,
                       accept_fingerprint=sshd["fingerprint"], remote_base=str(sshd["remote_base"]), **kw)


def test_sudo_path_stages_in_home_then_moves_into_place(sshd, cvimodel, tmp_path):
    sudo, log = _fake_sudo(tmp_path, "Sw0rdfish!")
    deployer = _deployer(sshd, password="Sw0rdfish!", sudo="always", sudo_command=str(sudo))
    md5 = hashlib.md5(cvimodel.read_bytes()).hexdigest()
    try:
        events = list(deployer.deploy(cvimodel, '{"classes": ["a"]}', md5))
        staging = deployer._staging_dir()
        leftovers = deployer._sftp.listdir(staging)
    finally:
        deployer.close()
    models = sshd["remote_base"] / "Models"
    assert (models / "model.cvimodel").read_bytes() == cvimodel.read_bytes()
    assert json.loads((models / "model.json").read_text()) == {"classes": ["a"]}
    assert sorted(p.name for p in models.iterdir()) == ["model.cvimodel", "model.json"]
    assert leftovers == []  # staged copies removed
    assert any("moved into" in getattr(e, "text", "") for e in events)
    assert "Sw0rdfish!" not in log.read_text() and log.read_text().startswith("-S -p  sh -c ")


def test_sudo_wrong_password_keeps_previous_model(sshd, cvimodel, tmp_path):
    sudo, _log = _fake_sudo(tmp_path, "right")
    deployer = _deployer(sshd, password="wrong", sudo="always", sudo_command=str(sudo))
    md5 = hashlib.md5(cvimodel.read_bytes()).hexdigest()
    try:
        with pytest.raises(DeviceError) as exc:
            list(deployer.deploy(cvimodel, "{}", md5))
        leftovers = deployer._sftp.listdir(deployer._staging_dir())
    finally:
        deployer.close()
    assert exc.value.problem.code == "ssh_sudo_failed" and "Sorry" in exc.value.problem.message
    assert (sshd["remote_base"] / "Models" / "model.cvimodel").read_bytes() == b"previous model"
    assert leftovers == []


def test_sudo_without_password_says_how_to_give_it(sshd, cvimodel, tmp_path):
    sudo, _log = _fake_sudo(tmp_path, "x")
    deployer = _deployer(sshd, sudo="always", sudo_command=str(sudo))
    try:
        with pytest.raises(DeviceError) as exc:
            list(deployer.deploy(cvimodel, "{}", hashlib.md5(cvimodel.read_bytes()).hexdigest()))
    finally:
        deployer.close()
    assert exc.value.problem.code == "ssh_sudo_failed" and "--password-env" in exc.value.problem.fix


def test_ssh_deploy_goes_on_when_the_web_service_is_down(sim, sshd, cvimodel, state_dir):
    request = _request(sim, sshd, cvimodel, state_dir, accept_host_key=sshd["fingerprint"])
    request = DeployRequest(**{**request.__dict__, "device": f"127.0.0.1:{closed_loopback_port()}",
                               "switch_flow": False})
    events = list(run_deploy(plan_deploy(request)))
    assert events[-1].ok, _problems(events)
    warning = _problems(events)[0]
    assert warning.code == "device_unreachable" and warning.severity == "warning"
    assert (sshd["remote_base"] / "Models" / "model.cvimodel").read_bytes() == cvimodel.read_bytes()


def test_ssh_restore_after_two_deploys_brings_the_previous_model_back(sim, sshd, cvimodel, tmp_path, state_dir):
    """The restore point is filled over SFTP, a copy is made on the camera after a df check, and
    --restore over SSH puts the previous model back byte for byte."""
    from recamera_sim import make_cvimodel
    from wizard.core.device.restore import RestoreRequest, restore_previous

    models = sshd["remote_base"] / "Models"
    events = list(run_deploy(plan_deploy(_request(sim, sshd, cvimodel, state_dir, accept_host_key=sshd["fingerprint"]))))
    assert events[-1].ok, _problems(events)
    after_first = (models / "model.cvimodel").read_bytes(), (models / "model.json").read_text()
    second = make_cvimodel(tmp_path / "second.cvimodel", size=3000)
    events = list(run_deploy(plan_deploy(_request(sim, sshd, second, state_dir))))
    assert events[-1].ok, _problems(events)
    copy = sshd["remote_base"] / "wizard-backup"
    assert (copy / "previous.cvimodel").read_bytes() == after_first[0]  # kept on the camera too
    assert any(n.code == "deploy_kept_both" for n in _notes(events))

    request = RestoreRequest(sim.device, method="ssh", user=sshd["user"], ssh_port=sshd["port"], ssh_key=sshd["key"],
                             known_hosts=str(sshd["known_hosts"]), system_known_hosts=False,
                             remote_base=str(sshd["remote_base"]), node_red_port=sim.nodered_port,
                             state_dir=str(state_dir))
    events = list(restore_previous(request))
    assert events[-1].ok, _problems(events)
    assert ((models / "model.cvimodel").read_bytes(), (models / "model.json").read_text()) == after_first
    assert sorted(p.name for p in models.iterdir()) == ["model.cvimodel", "model.json"]
    events = list(restore_previous(request))  # and once more: the model the camera had at first
    assert events[-1].ok, _problems(events)
    assert (models / "model.cvimodel").read_bytes() == b"previous model"
