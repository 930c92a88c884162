"""``recamera-wizard deploy`` as a user runs it: a subprocess talking to the loopback simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from recamera_sim import FACTORY_MODEL_URI, closed_loopback_port, make_cvimodel
from recamera_sim.fixtures import cvimodel, sim, state_dir, loopback_only  # noqa: F401  (pytest fixtures; loopback_only is autouse)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cli(*args, env_extra=None, timeout=60):
    env = dict(os.environ, PYTHONPATH=REPO, RECAMERA_WIZARD_LANG="en")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=REPO)


def test_cli_deploy_switch_and_restore(sim, cvimodel, state_dir):
    proc = _cli("deploy", str(cvimodel), "--device", sim.device, "--classes", "cat,dog",
                "--node-red-port", str(sim.nodered_port), "--state-dir", str(state_dir))
    assert proc.returncode == 0, proc.stderr
    assert "is now the active model" in proc.stdout and "100%" in proc.stdout
    assert sim.active_model.read_bytes() == cvimodel.read_bytes()
    assert sim.model_node()["uri"] == "/userdata/Models/model.cvimodel"

    proc = _cli("deploy", "--restore", "--device", sim.device, "--node-red-port", str(sim.nodered_port),
                "--state-dir", str(state_dir))
    assert proc.returncode == 0, proc.stderr
    assert sim.model_node()["uri"] == FACTORY_MODEL_URI


def test_cli_json_output(sim, cvimodel, state_dir):
    proc = _cli("deploy", str(cvimodel), "--device", sim.device, "--classes", "a,b,c", "--json",
                "--node-red-port", str(sim.nodered_port), "--state-dir", str(state_dir), "--check",
                "--live-port", str(sim.ws_port))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["ok"] and doc["plan"]["classes"] == ["a", "b", "c"] and doc["plan"]["chunks"] == 3
    assert doc["result"]["details"]["live"]["frames"] == 3
    assert [e["step"] for e in doc["events"] if e["type"] == "StepStarted"] == [
        "discover", "upload", "verify", "switch", "check"]


def test_cli_unreachable_device_exit_4_with_hint(cvimodel, state_dir):
    port = closed_loopback_port()
    proc = _cli("deploy", str(cvimodel), "--device", f"127.0.0.1:{port}", "--classes", "a",
                "--state-dir", str(state_dir))
    assert proc.returncode == 4
    assert "does not answer" in proc.stderr and "UsbNcm Host Device" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_wrong_file_exit_2_and_nothing_sent(sim, tmp_path, state_dir):
    onnx = tmp_path / "best.onnx"
    onnx.write_bytes(b"\x08\x08" + b"\0" * 500)
    proc = _cli("deploy", str(onnx), "--device", sim.device, "--classes", "a", "--state-dir", str(state_dir))
    assert proc.returncode == 2
    assert str(onnx) in proc.stderr and "not a .cvimodel" in proc.stderr and "Traceback" not in proc.stderr
    assert sim.requests == []


def test_cli_japanese_messages(cvimodel, state_dir):
    port = closed_loopback_port()
    proc = _cli("--lang", "ja", "deploy", str(cvimodel), "--device", f"127.0.0.1:{port}", "--classes", "a",
                "--state-dir", str(state_dir))
    assert proc.returncode == 4 and "応答がありません" in proc.stderr


def test_cli_password_from_env_only(sim, cvimodel, state_dir):
    sim.password = "Sw0rdfish!"
    sim.faults.require_auth = True
    proc = _cli("deploy", str(cvimodel), "--device", sim.device, "--classes", "a", "--password-env", "CAM_PW",
                "--node-red-port", str(sim.nodered_port), "--state-dir", str(state_dir))
    assert proc.returncode == 2 and "CAM_PW" in proc.stderr  # variable not set: blocked, clear message
    proc = _cli("deploy", str(cvimodel), "--device", sim.device, "--classes", "a", "--password-env", "CAM_PW",
                "--node-red-port", str(sim.nodered_port), "--state-dir", str(state_dir),
                env_extra={"CAM_PW": sim.password})
    assert proc.returncode == 0, proc.stderr
    assert sim.password not in proc.stdout + proc.stderr
    for path in state_dir.rglob("*"):
        if path.is_file():
            assert sim.password.encode() not in path.read_bytes()


def test_cli_bad_address_is_blocked(cvimodel, state_dir):
    # A URL is refused while parsing; loopback even so, so that no parser change could ever send a packet out.
    proc = _cli("deploy", str(cvimodel), "--device", "http://127.0.0.1:9", "--classes", "a",
                "--state-dir", str(state_dir))
    assert proc.returncode == 2 and "not a usable device address" in proc.stderr


def test_cli_restore_without_backup(sim, state_dir):
    proc = _cli("deploy", "--restore", "--device", sim.device, "--node-red-port", str(sim.nodered_port),
                "--state-dir", str(state_dir))
    assert proc.returncode == 2 and "nothing saved" in proc.stderr
    assert sim.nodered_requests == []


def test_cli_small_model_other_chip(sim, tmp_path, state_dir):
    model = make_cvimodel(tmp_path / "x.cvimodel", chip="bm1684x", size=3000)
    proc = _cli("deploy", str(model), "--device", sim.device, "--classes", "a", "--state-dir", str(state_dir))
    assert proc.returncode == 2 and "bm1684x" in proc.stderr and "cv181x" in proc.stderr
    assert sim.requests == []


def test_cli_check_only_reads_live_frames(sim, state_dir):
    proc = _cli("deploy", "--check", "--device", sim.device, "--live-port", str(sim.ws_port),
                "--state-dir", str(state_dir))
    assert proc.returncode == 0, proc.stderr
    assert "3 live frames" in proc.stdout and "frame with boxes" in proc.stdout
    assert list((state_dir / "live").glob("*.jpg"))
    assert sim.upload_requests() == [] and sim.nodered_requests == []
