"""``deploy --restore`` brings back the previous MODEL, not only the flow, against the loopback
reCamera simulator (tests/recamera_sim). No toolchain: the .cvimodel files are made by the
simulator's make_cvimodel (a valid header and a body).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from recamera_sim import FACTORY_MODEL_URI, make_cvimodel
from recamera_sim.fixtures import cvimodel, sim, state_dir, loopback_only  # noqa: F401  (pytest fixtures; loopback_only is autouse)
from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy
from wizard.core.device.restore import RestoreRequest, restore_previous
from wizard.core.events import ProblemRaised

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cli(*args, env_extra=None, lang="en"):
    env = dict(os.environ, PYTHONPATH=REPO, RECAMERA_WIZARD_LANG=lang, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, env=env,
                          timeout=60, cwd=REPO)


def _deploy(sim, model, state_dir, classes, password=None):
    request = DeployRequest(str(model), device=sim.device, classes=classes, node_red_port=sim.nodered_port,
                            state_dir=str(state_dir))
    events = list(run_deploy(plan_deploy(request), password=password))
    assert events[-1].ok, [e.problem.message for e in events if isinstance(e, ProblemRaised)]
    return events


def _restore(sim, state_dir, password=None):
    return list(restore_previous(RestoreRequest(sim.device, node_red_port=sim.nodered_port,
                                                state_dir=str(state_dir)), password=password))


def _said(events, severity=None):
    return [e.problem for e in events if isinstance(e, ProblemRaised) and (severity is None or e.problem.severity == severity)]


def _camera(sim):
    return sim.active_model.read_bytes(), sim.active_info.read_text()


def test_restore_after_two_deploys_makes_the_previous_model_active_byte_for_byte(sim, tmp_path, state_dir):
    original_model, original_info = _camera(sim)
    original_flows = json.loads(json.dumps(sim.flows))
    first = make_cvimodel(tmp_path / "first_cv181x.cvimodel", body=b"first model " * 60_000)  # chunked
    second = make_cvimodel(tmp_path / "second_cv181x.cvimodel", size=5000)

    common = ("--device", sim.device, "--node-red-port", str(sim.nodered_port), "--state-dir", str(state_dir))
    assert _cli("deploy", str(first), "--classes", "cat,dog", *common).returncode == 0
    after_first, flows_after_first = _camera(sim), json.loads(json.dumps(sim.flows))
    proc = _cli("deploy", str(second), "--classes", "person", *common)
    assert proc.returncode == 0, proc.stderr
    assert sim.active_model.read_bytes() == second.read_bytes()  # every deploy writes the same file
    assert "kept in" in proc.stdout and "deploy --restore" in proc.stdout

    proc = _cli("deploy", "--restore", *common)
    assert proc.returncode == 0, proc.stderr
    assert _camera(sim) == after_first  # model.cvimodel AND model.json, byte for byte
    assert sim.active_model.read_bytes() == first.read_bytes()
    assert sim.flows == flows_after_first
    # What sscma-node runs after the redeploy: the first model with its classes.
    assert sim.loaded_model["md5"] == hashlib.md5(first.read_bytes()).hexdigest()
    assert sim.loaded_model["classes"] == ["cat", "dog"]
    assert "model file is the previous one again" in proc.stdout and "runs the model and Node-RED flow" in proc.stdout

    proc = _cli("deploy", "--restore", *common)  # one step further back: the camera as it came
    assert proc.returncode == 0, proc.stderr
    assert _camera(sim) == (original_model, original_info)
    assert sim.flows == original_flows and sim.model_node()["uri"] == FACTORY_MODEL_URI

    proc = _cli("deploy", "--restore", *common)
    assert proc.returncode == 2 and "nothing saved" in proc.stderr


def test_restore_in_japanese(sim, cvimodel, state_dir):
    _deploy(sim, cvimodel, state_dir, ("a",))
    proc = _cli("--lang", "ja", "deploy", "--restore", "--device", sim.device, "--node-red-port",
                str(sim.nodered_port), "--state-dir", str(state_dir))
    assert proc.returncode == 0 and "以前のもの" in proc.stdout and "戻りました" in proc.stdout


def test_a_copy_is_kept_on_the_camera_when_logged_in_and_space_allows(sim, cvimodel, state_dir):
    sim.password = "Sw0rdfish!"
    before, before_info = _camera(sim)
    events = _deploy(sim, cvimodel, state_dir, ("a",), password=sim.password)
    copy = sim.userdata / "wizard-backup"
    assert (copy / "previous.cvimodel").read_bytes() == before
    assert (copy / "previous.json").read_text() == before_info
    kept = [p for p in _said(events, "info") if p.code == "deploy_kept_both"]
    assert kept and "/userdata/wizard-backup/previous.cvimodel" in kept[0].message
    # The space was checked before copying (fileMgr/list on the root).
    calls = [r.info["call"] for r in sim.file_requests]
    assert calls.index("list") < calls.index("upload")


def test_no_copy_on_the_camera_when_space_is_short(sim, cvimodel, state_dir):
    sim.password = "Sw0rdfish!"
    sim.free_bytes = 1_000_000
    events = _deploy(sim, cvimodel, state_dir, ("a",), password=sim.password)
    assert not (sim.userdata / "wizard-backup").exists()
    notes = [p.message for p in _said(events, "info")]
    assert any("only 1000000 bytes are free" in n for n in notes)
    assert any(p.code == "deploy_kept" for p in _said(events, "info"))  # still kept on this computer
    assert not any(r.info["call"] == "upload" for r in sim.file_requests)


def test_no_copy_on_the_camera_without_the_password(sim, cvimodel, state_dir):
    events = _deploy(sim, cvimodel, state_dir, ("a",))
    assert any(p.code == "deploy_no_copy_needs_login" for p in _said(events))
    assert sim.file_requests == []  # not even asked


def test_restore_uses_the_camera_copy_when_the_local_one_is_damaged(sim, cvimodel, state_dir):
    sim.password = "Sw0rdfish!"
    before = _camera(sim)
    _deploy(sim, cvimodel, state_dir, ("a",), password=sim.password)
    point = next((state_dir / "restore-points").glob("*/*"))
    (point / "model.cvimodel").write_bytes(b"damaged on this computer")
    events = _restore(sim, state_dir, password=sim.password)
    assert events[-1].ok, [p.message for p in _said(events)]
    assert any(p.code == "restore_copy_damaged" for p in _said(events, "warning"))
    assert _camera(sim) == before


def test_failed_restore_says_what_is_where(sim, cvimodel, tmp_path, state_dir):
    _deploy(sim, cvimodel, state_dir, ("a",))
    second = make_cvimodel(tmp_path / "second.cvimodel", size=3000)
    _deploy(sim, second, state_dir, ("b",))
    point = sorted((state_dir / "restore-points").glob("*/*"))[-1]

    sim.faults.refuse_uploads = True  # the camera refuses the model: nothing changes
    events = _restore(sim, state_dir)
    assert not events[-1].ok
    assert [p.code for p in _said(events, "error")] == ["device_api_error"]
    notes = {p.code: p for p in _said(events, "info")}
    assert "restore_failed_unchanged" in notes and str(point) in notes["restore_where"].message
    assert sim.active_model.read_bytes() == second.read_bytes()

    sim.faults.refuse_uploads = False
    sim.faults.nodered_down = True  # the model goes back, the flow cannot
    events = _restore(sim, state_dir)
    assert not events[-1].ok and [p.code for p in _said(events, "error")] == ["flow_unreachable"]
    notes = {p.code: p for p in _said(events, "info")}
    assert "restore_failed_model_back_flow_not" in notes and "restore_where" in notes
    assert sim.active_model.read_bytes() == cvimodel.read_bytes()

    sim.faults.nodered_down = False  # the point was not used up: the same restore again works
    events = _restore(sim, state_dir)
    assert events[-1].ok
    assert sim.model_node()["uri"] == "/userdata/Models/model.cvimodel"
    assert sim.loaded_model["md5"] == hashlib.md5(cvimodel.read_bytes()).hexdigest()


def test_restore_with_no_intact_copy_names_both_places(sim, cvimodel, state_dir):
    _deploy(sim, cvimodel, state_dir, ("a",))
    point = next((state_dir / "restore-points").glob("*/*"))
    (point / "model.cvimodel").unlink()
    events = _restore(sim, state_dir)
    errors = _said(events, "error")
    assert not events[-1].ok and [p.code for p in errors] == ["restore_nothing_left"]
    assert str(point) in errors[0].message and sim.active_model.read_bytes() == cvimodel.read_bytes()


def test_a_deploy_that_changed_nothing_leaves_nothing_to_restore(sim, cvimodel, state_dir):
    sim.faults.refuse_uploads = True
    request = DeployRequest(str(cvimodel), device=sim.device, classes=("a",), node_red_port=sim.nodered_port,
                            state_dir=str(state_dir))
    events = list(run_deploy(plan_deploy(request)))
    assert not events[-1].ok
    assert _said(events, "info")[-1].code == "deploy_state_upload_partial"  # the closing note
    assert list((state_dir / "restore-points").glob("*/*")) == []
    assert not _restore(sim, state_dir)[-1].ok


def test_restore_of_a_deploy_without_switch_reloads_the_flow(sim, cvimodel, state_dir):
    before = _camera(sim)
    request = DeployRequest(str(cvimodel), device=sim.device, classes=("a",), node_red_port=sim.nodered_port,
                            state_dir=str(state_dir), switch_flow=False)
    events = list(run_deploy(plan_deploy(request)))
    assert events[-1].ok and "deploy_state_stored_not_active" in [p.code for p in _said(events, "info")]
    deploys = len(sim.deploys)
    events = _restore(sim, state_dir)
    assert events[-1].ok and _camera(sim) == before
    assert len(sim.deploys) == deploys + 1  # the current flow deployed again: the camera reloads the file
