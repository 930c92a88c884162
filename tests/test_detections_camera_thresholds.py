"""The detection check with the camera's own thresholds, read from its Node-RED flow.

Real component: the loopback reCamera simulator (tests/recamera_sim, following recamera.md's
Node-RED admin API); nothing leaves 127.0.0.1 (the loopback_only fixture fails any other connect).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from recamera_sim import closed_loopback_port
from recamera_sim.fixtures import loopback_only, sim  # noqa: F401 (fixtures)
from wizard.core.detections.camera_thresholds import read_camera_thresholds
from wizard.core.detections.decode import Thresholds
from wizard.core.messages import WizardError


def test_the_cameras_model_node_gives_the_thresholds(sim):
    # The simulator's flow is the factory shape with tscore 0.62 / tiou 0.33 (not the defaults).
    assert read_camera_thresholds("127.0.0.1", sim.nodered_port) == Thresholds(0.62, 0.33, "camera_flow")
    sim.model_node()["tscore"], sim.model_node()["tiou"] = "0.3", "0.5"  # Node-RED keeps typed text too
    assert read_camera_thresholds(f"127.0.0.1:{sim.http_port}", sim.nodered_port) == Thresholds(0.3, 0.5, "camera_flow")
    assert [r.path for r in sim.nodered_requests] == ["/flows", "/flows"]  # read only: nothing deployed
    assert sim.deploys == []


def test_a_flow_without_a_usable_model_node_says_so(sim):
    sim.flows = [n for n in sim.flows if n.get("type") != "model"]
    with pytest.raises(WizardError) as caught:
        read_camera_thresholds("127.0.0.1", sim.nodered_port)
    assert caught.value.problem.code == "detections_camera_no_model_node"
    assert f"127.0.0.1:{sim.nodered_port}" in caught.value.problem.message


def test_a_camera_that_does_not_answer_is_a_message_not_a_traceback():
    port = closed_loopback_port()
    with pytest.raises(WizardError) as caught:
        read_camera_thresholds("127.0.0.1", port, connect_timeout=1.0)
    assert caught.value.problem.code == "detections_camera_unreachable"
    assert f"127.0.0.1:{port}" in caught.value.problem.message and "--thresholds-from-camera" in caught.value.problem.fix


def test_compare_refuses_before_checking_when_the_camera_is_away(tmp_path):
    """The CLI reads the camera first: an unreachable camera ends the command with its message
    (en and ja) before any run folder is read or any toolchain started."""
    port = closed_loopback_port()
    for lang, words in (("en", "does not answer"), ("ja", "応答しない")):
        result = subprocess.run([sys.executable, "-m", "wizard", "--lang", lang, "compare", str(tmp_path / "no-run"),
                                 "--thresholds-from-camera", "127.0.0.1", "--node-red-port", str(port)],
                                capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
        assert result.returncode == 2 and words in result.stderr + result.stdout, result.stderr
        assert "Traceback" not in result.stderr
