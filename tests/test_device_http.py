"""Deploy over HTTP against the loopback reCamera simulator (tests/recamera_sim).

No mocks: the real client, the real HTTP exchanges, the simulator's files on disk.
"""

from __future__ import annotations

import hashlib
import shutil
import json
import threading

import pytest

from recamera_sim import FACTORY_MODEL_URI, closed_loopback_port, make_cvimodel
from recamera_sim.fixtures import cvimodel, sim, state_dir, loopback_only  # noqa: F401  (pytest fixtures; loopback_only is autouse)
from wizard.core.device.client import ReCameraClient
from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy
from wizard.core.device.errors import DeviceError
from wizard.core.device.restore import RestoreRequest, restore_previous
from wizard.core.events import Progress, ProblemRaised, Result, StepFinished
from wizard.core.messages import WizardError


def _deploy(sim, model, state_dir, **kw):
    request = DeployRequest(str(model), device=sim.device, classes=kw.pop("classes", ("cat", "dog")),
                            node_red_port=sim.nodered_port, state_dir=str(state_dir), **kw)
    password = kw.pop("password", None)
    events = list(run_deploy(plan_deploy(request), password=password))
    return events, events[-1]


def _problems(events):
    """Errors and warnings; the closing notes (what the camera runs, what was kept) are info."""
    return [e.problem for e in events if isinstance(e, ProblemRaised) and e.problem.severity != "info"]


def _notes(events):
    return [e.problem for e in events if isinstance(e, ProblemRaised) and e.problem.severity == "info"]


def test_clean_deploy_and_switch(sim, cvimodel, state_dir):
    flow_before = json.loads(json.dumps(sim.flows))
    events, result = _deploy(sim, cvimodel, state_dir)
    assert isinstance(result, Result) and result.ok, _problems(events)
    # Bytes on the "camera" equal the local file; model.json carries the classes.
    assert sim.active_model.read_bytes() == cvimodel.read_bytes()
    info = json.loads(sim.active_info.read_text())
    assert info["classes"] == ["cat", "dog"] and info["model_name"] == cvimodel.name
    assert info["checksum"] == hashlib.md5(cvimodel.read_bytes()).hexdigest()
    assert not list(sim.models_dir.glob("*.tmp"))
    # Uploaded the way the web UI does: 512 KB chunks, contiguous, model_info only on the last.
    uploads = [r.info for r in sim.upload_requests()]
    assert [u["offset"] for u in uploads] == ["0", str(512 * 1024), str(1024 * 1024)]
    assert {u["size"] for u in uploads} == {str(cvimodel.stat().st_size)}
    assert [u["has_info"] for u in uploads] == [False, False, True]
    # One Progress event per chunk, ending at 100 %.
    progress = [e for e in events if isinstance(e, Progress) and e.step == "upload"]
    assert [p.done for p in progress] == [512 * 1024, 1024 * 1024, cvimodel.stat().st_size]
    # The flow now points at the upload; thresholds and wiring are the user's.
    node = sim.model_node()
    old = next(n for n in flow_before if n["type"] == "model")
    assert node["uri"] == "/userdata/Models/model.cvimodel" and old["uri"] == FACTORY_MODEL_URI
    assert (node["tscore"], node["tiou"], node["wires"]) == (old["tscore"], old["tiou"], old["wires"])
    assert sim.deploys[-1]["type"] == "full"
    # What sscma-node would run now.
    assert sim.loaded_model["md5"] == hashlib.md5(cvimodel.read_bytes()).hexdigest()
    assert sim.loaded_model["classes"] == ["cat", "dog"]
    # getModelInfo was read back and confirmed; the flow before the change was saved.
    assert result.details["model_info"]["classes"] == ["cat", "dog"]
    backup = json.loads(open(result.details["flow_backup"]).read())
    assert backup["flows"] == flow_before


def test_small_model_goes_in_one_request(sim, tmp_path, state_dir):
    small = make_cvimodel(tmp_path / "tiny.cvimodel", size=4000)
    events, result = _deploy(sim, small, state_dir)
    assert result.ok, _problems(events)
    uploads = [r.info for r in sim.upload_requests()]
    assert len(uploads) == 1 and uploads[0]["offset"] is None and uploads[0]["has_info"]
    assert sim.active_model.read_bytes() == small.read_bytes()


def test_interrupted_upload_keeps_previous_model_then_retry_succeeds(sim, cvimodel, state_dir):
    previous_model = sim.active_model.read_bytes()
    previous_info = sim.active_info.read_text()
    previous_flow = json.loads(json.dumps(sim.flows))
    sim.faults.drop_upload_skip = 1  # first chunk arrives, then every request dies mid-body
    sim.faults.drop_upload_count = 100
    events, result = _deploy(sim, cvimodel, state_dir)
    assert not result.ok and result.details["failure"] == "device"
    problem = [p for p in _problems(events) if p.is_error][-1]
    assert problem.code == "deploy_upload_interrupted"
    assert "still in place" in problem.message and str(512 * 1024) in problem.message
    assert [e for e in events if isinstance(e, StepFinished) and not e.ok][0].step == "upload"
    # The active model, its model.json and the flow are untouched.
    assert sim.active_model.read_bytes() == previous_model
    assert sim.active_info.read_text() == previous_info
    assert sim.flows == previous_flow and sim.deploys == []
    assert any(r.info.get("dropped") for r in sim.upload_requests())

    sim.faults.drop_upload_count = 0
    events, result = _deploy(sim, cvimodel, state_dir)
    assert result.ok, _problems(events)
    assert sim.active_model.read_bytes() == cvimodel.read_bytes()


def test_one_dropped_chunk_is_resent(sim, cvimodel, state_dir):
    sim.faults.drop_upload_skip = 1
    sim.faults.drop_upload_count = 1
    events, result = _deploy(sim, cvimodel, state_dir)
    assert result.ok, _problems(events)
    assert sim.active_model.read_bytes() == cvimodel.read_bytes()
    offsets = [r.info.get("offset") for r in sim.upload_requests() if not r.info.get("dropped")]
    assert offsets == ["0", str(512 * 1024), str(1024 * 1024)]


def test_wrong_file_is_refused_before_any_request(sim, tmp_path, state_dir):
    onnx = tmp_path / "best.onnx"
    onnx.write_bytes(b"\x08\x08\x12\x07pytorch" + b"\0" * 4000)
    with pytest.raises(WizardError) as exc:
        plan_deploy(DeployRequest(str(onnx), device=sim.device, classes=("a",), state_dir=str(state_dir)))
    assert exc.value.problem.code == "deploy_not_cvimodel"
    other_chip = make_cvimodel(tmp_path / "m_cv186x.cvimodel", chip="cv186x", size=4000)
    with pytest.raises(WizardError) as exc:
        plan_deploy(DeployRequest(str(other_chip), device=sim.device, classes=("a",), state_dir=str(state_dir)))
    assert exc.value.problem.code == "deploy_wrong_chip"
    assert sim.requests == [] and sim.nodered_requests == []


def test_device_not_reachable_gives_cable_and_driver_hint(cvimodel, state_dir):
    port = closed_loopback_port()
    request = DeployRequest(str(cvimodel), device=f"127.0.0.1:{port}", classes=("a",), state_dir=str(state_dir))
    events = list(run_deploy(plan_deploy(request)))
    result = events[-1]
    assert not result.ok and result.details["failure"] == "device"
    problem = _problems(events)[-1]
    assert problem.code == "device_unreachable"
    assert "USB" in problem.fix and "UsbNcm Host Device" in problem.fix and "recamera.local" in problem.fix
    assert "ja" and "ドライバー" in problem.text("ja")[1]


def test_restore_puts_previous_flow_back(sim, cvimodel, state_dir):
    original = json.loads(json.dumps(sim.flows))
    _events, result = _deploy(sim, cvimodel, state_dir)
    assert result.ok and sim.model_node()["uri"] != FACTORY_MODEL_URI
    request = RestoreRequest(sim.device, node_red_port=sim.nodered_port, state_dir=str(state_dir))
    events = list(restore_previous(request))
    assert events[-1].ok, _problems(events)
    assert sim.flows == original
    assert sim.loaded_model["path"].endswith("yolo11n_cv181x_int8.cvimodel")
    # Nothing more to restore: a clear message, not a traceback.
    events = list(restore_previous(request))
    assert not events[-1].ok and _problems(events)[-1].code == "restore_nothing_saved"


def test_node_red_down_reports_model_uploaded_but_not_active(sim, cvimodel, state_dir):
    sim.faults.nodered_down = True
    events, result = _deploy(sim, cvimodel, state_dir)
    assert not result.ok and result.details["uploaded"] and not result.details["switched"]
    assert _problems(events)[-1].code == "flow_unreachable"
    assert sim.model_node()["uri"] == FACTORY_MODEL_URI


def test_flow_edited_meanwhile_is_reread_once(sim, cvimodel, state_dir):
    """A 409 from Node-RED (someone deployed in between) makes the wizard read the flow again,
    and the other person's change is kept."""
    sim.faults.nodered_conflicts = 1
    events, result = _deploy(sim, cvimodel, state_dir)
    assert result.ok, _problems(events)
    posts = [r for r in sim.nodered_requests if r.method == "POST"]
    gets = [r for r in sim.nodered_requests if r.method == "GET"]
    assert len(posts) == 2 and len(gets) == 2
    assert any(n["type"] == "comment" for n in sim.flows)
    assert sim.model_node()["uri"] == "/userdata/Models/model.cvimodel"
    # Only the backup of the flow that was really replaced is kept.
    assert len(list((state_dir / "restore-points").rglob("flows.json"))) == 1


def test_flow_conflict_twice_gives_up_with_a_clear_message(sim, cvimodel, state_dir):
    sim.faults.nodered_conflicts = 2
    events, result = _deploy(sim, cvimodel, state_dir)
    assert not result.ok and _problems(events)[-1].code == "flow_changed_meanwhile"


def test_old_firmware_without_chunking_is_detected_before_harm(sim, cvimodel, state_dir):
    previous = sim.active_model.read_bytes()
    sim.faults.legacy_upload = True
    events, result = _deploy(sim, cvimodel, state_dir)
    assert not result.ok and _problems(events)[-1].code == "deploy_chunked_unsupported"
    assert "--method ssh" in _problems(events)[-1].fix
    assert sim.active_model.read_bytes() == previous
    assert len(sim.upload_requests()) == 1  # stopped after the first chunk


def test_login_when_the_firmware_requires_a_token(sim, cvimodel, state_dir):
    sim.password = "Sw0rdfish!"  # distinct from the user name so the leak check below means something
    sim.faults.require_auth = True
    events, result = _deploy(sim, cvimodel, state_dir)
    assert not result.ok and _problems(events)[-1].code == "device_login_required"
    assert "--password-env" in _problems(events)[-1].fix
    assert sim.active_model.read_bytes() != cvimodel.read_bytes()

    request = DeployRequest(str(cvimodel), device=sim.device, classes=("cat",), node_red_port=sim.nodered_port,
                            state_dir=str(state_dir))
    events = list(run_deploy(plan_deploy(request), password=sim.password))
    assert events[-1].ok, _problems(events)
    logins = [r for r in sim.requests if r.path == "/api/userMgr/login"]
    assert len(logins) == 1
    assert sim.active_model.read_bytes() == cvimodel.read_bytes()
    # The password never appears in any event.
    assert all(sim.password not in repr(e) for e in events)


def test_wrong_password_is_a_clear_login_failure(sim):
    sim.faults.require_auth = True
    client = ReCameraClient(sim.device, password="not-it")
    with pytest.raises(DeviceError) as exc:
        client.model_info()
    assert exc.value.problem.code == "device_login_failed" and "5 wrong tries" in exc.value.problem.fix
    assert "not-it" not in repr(client)


def test_discover_reports_version_first_login_and_ssh(sim):
    sim.first_login = True
    sim.ssh_enabled = False
    status = ReCameraClient(sim.device).discover()
    assert status.reachable and status.version == "0.2.2"
    assert status.first_login is True and status.ssh_enabled is False
    assert status.model_info["model_name"] == "previous.cvimodel"
    assert [p.code for p in status.notes("ssh")] == ["device_first_login", "ssh_disabled"]
    assert [p.code for p in status.notes("http")] == ["device_first_login"]
    sim.faults.userinfo_needs_auth = True
    status = ReCameraClient(sim.device).discover()
    assert status.login_required and status.first_login is None


def test_refused_upload_keeps_previous_model(sim, cvimodel, state_dir):
    previous = sim.active_model.read_bytes()
    sim.faults.refuse_uploads = True
    events, result = _deploy(sim, cvimodel, state_dir)
    assert not result.ok and _problems(events)[-1].code == "device_api_error"
    assert "Failed to open model file" in _problems(events)[-1].message
    assert sim.active_model.read_bytes() == previous


def test_slow_device_times_out_with_a_clear_message(sim):
    sim.faults.delay = 1.0
    client = ReCameraClient(sim.device, timeout=0.3)
    with pytest.raises(DeviceError) as exc:
        client.version()
    assert exc.value.problem.code == "device_timeout"


def test_cancel_between_chunks_leaves_previous_model(sim, cvimodel, state_dir):
    previous = sim.active_model.read_bytes()
    cancel = threading.Event()
    request = DeployRequest(str(cvimodel), device=sim.device, classes=("a",), node_red_port=sim.nodered_port,
                            state_dir=str(state_dir))
    events = []
    for event in run_deploy(plan_deploy(request), cancel=cancel):
        events.append(event)
        if isinstance(event, Progress):
            cancel.set()
    assert not events[-1].ok and events[-1].details["failure"] == "cancelled"
    assert sim.active_model.read_bytes() == previous
    assert _notes(events)[-1].code == "deploy_state_upload_partial"  # says the camera runs what it ran


def test_read_back_catches_a_corrupted_model(sim, cvimodel, state_dir):
    sim.faults.corrupt_upload = True
    events, result = _deploy(sim, cvimodel, state_dir)
    assert not result.ok and _problems(events)[-1].code == "deploy_verify_md5"
    assert "md5" in _problems(events)[-1].message
    assert not result.details["switched"] and sim.model_node()["uri"] == FACTORY_MODEL_URI


def test_firmware_without_get_model_file_still_deploys(sim, cvimodel, state_dir):
    sim.faults.no_model_file_api = True
    events, result = _deploy(sim, cvimodel, state_dir)
    assert result.ok, _problems(events)
    assert any("cannot send the model back" in getattr(e, "text", "") for e in events)


def test_the_thresholds_the_detection_check_used_are_the_ones_the_camera_runs_with(sim, cvimodel, state_dir, tmp_path):
    """A run folder with a detection check: the deploy writes its score/IoU thresholds into the
    model node, so the camera runs the model as it was checked; restore brings the old ones back."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    model = run_dir / cvimodel.name
    shutil.copy(cvimodel, model)
    (run_dir / "detections.json").write_text(json.dumps({"thresholds": {"score": 0.35, "iou": 0.3,
                                                                         "source": "user"}}))
    before = sim.model_node()
    events, result = _deploy(sim, model, state_dir)
    assert result.ok, _problems(events)
    assert (sim.model_node()["tscore"], sim.model_node()["tiou"]) == (0.35, 0.3)
    assert (sim.loaded_model["tscore"], sim.loaded_model["tiou"]) == (0.35, 0.3)
    restored = list(restore_previous(RestoreRequest(device=sim.device, node_red_port=sim.nodered_port,
                                                    state_dir=str(state_dir))))
    assert restored[-1].ok, restored
    assert (sim.model_node()["tscore"], sim.model_node()["tiou"]) == (before["tscore"], before["tiou"])


def test_without_a_check_the_flow_keeps_its_own_thresholds(sim, cvimodel, state_dir, tmp_path):
    from wizard.core.device.deploy import checked_thresholds

    assert checked_thresholds(cvimodel) is None  # no detections.json beside it
    (tmp_path / "detections.json").write_text("{ not json")
    assert checked_thresholds(tmp_path / "m.cvimodel") is None  # unreadable: the flow's own stay
