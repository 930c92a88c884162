"""The camera page deploys a converted model to the loopback reCamera simulator (tests/recamera_sim)."""

from __future__ import annotations

import json
import shutil

import pytest

from recamera_sim.fixtures import cvimodel, loopback_only, sim, state_dir  # noqa: F401 - fixtures
from test_gui_support import gui_home, loop, make_window, run, sample_model, services, wait_for  # noqa: F401
from wizard.core.app import wizard_flow as rules

pytestmark = pytest.mark.gui


def _open_device_page(make_window, tmp_path, cvimodel):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    shutil.copy(cvimodel, run_dir / "helmet_cv181x_int8_sym.cvimodel")
    (run_dir / "results.json").write_text(json.dumps({"ok": True, "paths": {"model": "helmet_cv181x_int8_sym.cvimodel"}}))
    window = make_window()
    window.welcome_page.open_run(str(run_dir))
    window.ctx.state.model_path = str(sample_model(tmp_path))  # class names come from the ONNX
    assert window.ctx.state.result_ok and window.next_button.isEnabled()
    window.go_next()
    return window, window.pages["device"]


def test_cancel_on_the_camera_page_says_what_runs_and_what_was_kept(make_window, loop, tmp_path, sim, cvimodel,
                                                                     state_dir):
    before = sim.active_model.read_bytes()
    sim.misbehave("/api/deviceMgr/uploadModel", delay=1.0, pass_through=True)  # a slow link
    window, page = _open_device_page(make_window, tmp_path, cvimodel)
    page.address_edit.setText(sim.device)
    page.live_check.setChecked(False)
    page.request_options = {"node_red_port": sim.nodered_port, "state_dir": str(state_dir)}
    page.deploy_button.click()
    run(loop, wait_for(lambda: "kept in" in page.log.visible_text(), what="the previous model kept"), timeout=60)
    page.cancel_button.click()
    run(loop, window.ctx.idle(), timeout=60)
    said = " ".join(page.problems.texts())
    assert "stopped during upload" in said and "still runs the model it ran before" in said, said
    assert page.status.text() == "Not deployed."
    assert sim.active_model.read_bytes() == before


def test_deploy_from_the_camera_page(make_window, loop, tmp_path, services, sim, cvimodel, state_dir):
    window, page = _open_device_page(make_window, tmp_path, cvimodel)
    assert window.ctx.flow.current == "device"
    assert page.form_box.isVisibleTo(page) and page.deploy_button.isEnabled()
    page.address_edit.setText(sim.device)
    page.live_check.setChecked(False)
    page.request_options = {"node_red_port": sim.nodered_port, "state_dir": str(state_dir)}
    page.deploy_button.click()
    run(loop, window.ctx.idle(), timeout=120)
    assert "now runs your model" in page.status.text(), page.problems.texts() + page.log.visible_text().splitlines()
    assert sim.active_model.read_bytes() == cvimodel.read_bytes()
    assert json.loads(sim.active_info.read_text())["classes"] == ["person", "car", "dog"]
    assert window.ctx.settings.device_host == sim.device
    assert window.ctx.state.job_status == rules.JOB_IDLE


def test_the_camera_page_shows_what_the_camera_will_read(make_window, loop, tmp_path, cvimodel):
    """The model's own report (toolchain/cvimodel.py) before deploying; a damaged one cannot be sent."""
    window, page = _open_device_page(make_window, tmp_path, cvimodel)
    run(loop, window.ctx.idle(), timeout=60)
    assert "cv181x" in page.model_summary.text() and page.deploy_button.isEnabled()
    model = next((tmp_path / "run").glob("*.cvimodel"))
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: the checksum no longer matches
    model.write_bytes(bytes(data))
    page.on_enter()
    run(loop, window.ctx.idle(), timeout=60)
    assert not page.deploy_button.isEnabled()
    assert page.problems.texts(), "a damaged model says why it cannot be deployed"
