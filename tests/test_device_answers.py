"""A camera that answers wrongly: one clear message, never a traceback, whatever comes back.

The loopback simulator (tests/recamera_sim) misbehaves on demand (``sim.misbehave``); the wizard
runs for real: the CLI in a subprocess, or the deploy generator in-process. No toolchain is used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from recamera_sim import FACTORY_MODEL_URI
from recamera_sim.fixtures import cvimodel, sim, state_dir, loopback_only  # noqa: F401  (pytest fixtures; loopback_only is autouse)
from wizard.core.device.client import ReCameraClient
from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy
from wizard.core.device.errors import DeviceError
from wizard.core.events import ProblemRaised

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OK = {"code": 0, "msg": "OK"}


def _cli(*args, env_extra=None, lang="en"):
    env = dict(os.environ, PYTHONPATH=REPO, RECAMERA_WIZARD_LANG=lang, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, env=env,
                          timeout=60, cwd=REPO)


def _deploy_cli(sim, model, state_dir, *extra, env_extra=None, lang="en"):
    return _cli("deploy", str(model), "--device", sim.device, "--classes", "cat,dog", "--node-red-port",
                str(sim.nodered_port), "--state-dir", str(state_dir), *extra, env_extra=env_extra, lang=lang)


CASES = {
    "non-JSON": ("/api/version", {"body": b"<html><body>router login</body></html>"},
                 ["answered something unexpected to version", "body should be JSON", "router login"]),
    "missing field": ("/api/version", {"json": {"msg": "OK", "data": "0.2.2"}},
                      ["code should be integer, but it was nothing"]),
    "header with CR": ("/api/version", {"raw": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\rX-Note: y\r\n"
                                               b"Content-Length: 2\r\n\r\n{}"},
                       ["HTTP head should be HTTP/1.1 status and header lines", "\\rX-Note"]),
    "truncated body": ("/api/version", {"json": {**OK, "data": "0.2.2"}, "declared_length": 4000},
                       ["body should be 4000 bytes (Content-Length), but it was"]),
    "number for text": ("/api/deviceMgr/getModelInfo", {"json": {**OK, "data": {"model_info": 42}}},
                        ["data.model_info should be string (the text of model.json), but it was 42"]),
    "text for number": ("/api/deviceMgr/uploadModel", {"json": {**OK, "data": {"received": "524288"}}},
                        ['data.received should be integer >= 0, but it was "524288"']),
    "Node-RED uri a number": ("/flows", {"json": "flows-with-numeric-uri"},
                              ["GET /flows", "flows.3.uri should be string, but it was 7"]),
    "Node-RED not JSON": ("/flows", {"body": b"Cannot GET /flows"}, ["GET /flows", "body should be JSON"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_wrong_answer_is_one_message_without_traceback(sim, cvimodel, state_dir, case):
    path, how, said = CASES[case]
    if how.get("json") == "flows-with-numeric-uri":
        flows = json.loads(json.dumps(sim.flows))
        flows[3]["uri"] = 7
        how = {"json": {"rev": sim.rev, "flows": flows}}
    sim.misbehave(path, **how)
    previous_flow = json.loads(json.dumps(sim.flows))
    proc = _deploy_cli(sim, cvimodel, state_dir)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr  # one message, not a cascade
    for text in said:
        assert text in errors[0], errors[0]
    assert sim.flows == previous_flow  # nothing switched on a wrong answer
    assert sim.model_node()["uri"] == FACTORY_MODEL_URI


def test_wrong_answer_in_japanese(sim, cvimodel, state_dir):
    sim.misbehave("/api/version", body=b"not json")
    proc = _deploy_cli(sim, cvimodel, state_dir, lang="ja")
    assert proc.returncode == 4 and "想定外の応答" in proc.stderr and "Traceback" not in proc.stderr


def test_login_token_with_a_line_break_is_refused_before_it_becomes_a_header(sim, cvimodel, state_dir):
    sim.password = "Sw0rdfish!"
    sim.faults.require_auth = True
    sim.misbehave("/api/userMgr/login", json={**OK, "data": {"token": "abc\r\nX-Injected: 1"}})
    proc = _deploy_cli(sim, cvimodel, state_dir, "--password-env", "CAM_PW", env_extra={"CAM_PW": sim.password})
    assert proc.returncode == 4 and "Traceback" not in proc.stderr
    assert 'data.token should be one line of visible ASCII, but it was "abc\\r\\nX-Injected: 1"' in proc.stderr
    assert not any("X-Injected" in r.headers.get("Authorization", "") for r in sim.requests)


def test_a_slow_answer_past_the_timeout_is_a_timeout_message(sim, cvimodel, state_dir):
    sim.misbehave("/api/version", json={**OK, "data": "0.2.2"}, delay=1.5)
    request = DeployRequest(str(cvimodel), device=sim.device, classes=("a",), node_red_port=sim.nodered_port,
                            state_dir=str(state_dir))
    client = ReCameraClient(sim.device, timeout=0.3)
    events = list(run_deploy(plan_deploy(request), client=client))
    problems = [e.problem for e in events if isinstance(e, ProblemRaised) and e.problem.is_error]
    assert not events[-1].ok and [p.code for p in problems] == ["device_timeout"]
    assert "stopped answering during version" in problems[0].message


def test_an_unreadable_active_model_json_is_a_warning_before_deploy_not_a_stop(sim, cvimodel, state_dir):
    """The model.json about to be replaced may be anything; the one read back must be right."""
    sim.active_info.write_text('{"model_name": "hand made", "classes": "person"}')
    request = DeployRequest(str(cvimodel), device=sim.device, classes=("a",), node_red_port=sim.nodered_port,
                            state_dir=str(state_dir))
    events = list(run_deploy(plan_deploy(request)))
    assert events[-1].ok
    warnings = [e.problem for e in events if isinstance(e, ProblemRaised) and e.problem.severity == "warning"]
    assert any("data.model_info.classes should be list" in p.message for p in warnings)


def test_every_field_of_model_json_read_back_is_checked(sim):
    client = ReCameraClient(sim.device)
    sim.active_info.write_text('{"model_name": "x", "classes": ["a", 3]}')
    with pytest.raises(DeviceError) as exc:
        client.model_info()
    assert "data.model_info.classes.1 should be string, but it was 3" in exc.value.problem.message
    sim.misbehave("/api/userMgr/queryUserInfo", json={**OK, "data": {"firstLogin": "maybe"}})
    with pytest.raises(DeviceError) as exc:
        client.user_info()
    assert "data.firstLogin should be true or false" in exc.value.problem.message
