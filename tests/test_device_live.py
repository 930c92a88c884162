"""--check: live result frames from the model node's WebSocket (the simulator's, on loopback)."""

from __future__ import annotations

import base64
import io
import json
import time

import pytest
from PIL import Image

from recamera_sim import closed_loopback_port
from recamera_sim.fixtures import cvimodel, sim, state_dir, loopback_only  # noqa: F401  (pytest fixtures; loopback_only is autouse)
from wizard.core.device.errors import DeviceError
from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy
from wizard.core.device.live_check import parse_frame, read_live_results
from wizard.core.events import ProblemRaised


def test_deploy_with_check_reads_frames_and_draws_boxes(sim, cvimodel, state_dir):
    request = DeployRequest(str(cvimodel), device=sim.device, classes=("forklift", "pallet"),
                            node_red_port=sim.nodered_port, state_dir=str(state_dir), check_live=True,
                            live_port=sim.ws_port, live_frames=3)
    events = list(run_deploy(plan_deploy(request)))
    result = events[-1]
    assert result.ok, [e.problem for e in events if isinstance(e, ProblemRaised)]
    live = result.details["live"]
    assert live["frames"] == 3 and live["infer_ms_median"] == 46
    assert live["labels_seen"] == ["forklift"]  # the new model.json's classes, as sscma-node would label them
    assert live["detections_per_frame"] == [1, 1, 1]
    # The saved frame has the box drawn: green outline where the simulator put its object.
    image = Image.open(live["annotated_frame"]).convert("RGB")
    assert image.size == (640, 360)
    r, g, b = image.getpixel((200, 180))  # left edge of the box [200..320] x [100..260]
    assert g > 180 and r < 90 and b < 90


def test_parse_frame_reads_boxes_perf_and_image():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 20, 30)).save(buffer, "JPEG")
    message = json.dumps({"data": {"image": base64.b64encode(buffer.getvalue()).decode(),
                                   "boxes": [[16, 12, 8, 6, 91, 1]], "labels": ["b"], "resolution": [32, 24],
                                   "perf": [[3, 40, 2]]}})
    frame = parse_frame(message, labels=["a", "b"])
    assert frame.perf_ms == (3.0, 40.0, 2.0) and frame.resolution == (32, 24)
    det = frame.detections[0]
    assert (det.label, det.class_id, round(det.score, 2)) == ("b", 1, 0.91)
    assert frame.annotated().size == (32, 24)
    assert parse_frame("not json") is None and parse_frame(json.dumps({"code": 0})) is None


def test_no_live_server_is_a_clear_problem():
    port = closed_loopback_port()
    start = time.monotonic()
    with pytest.raises(DeviceError) as exc:
        read_live_results(f"ws://127.0.0.1:{port}", frames=1, timeout=2)
    assert time.monotonic() - start >= 1.4  # kept trying while the node could be restarting
    assert exc.value.problem.code == "live_unreachable"
    assert "wait a few seconds" in exc.value.problem.fix


def test_live_server_that_starts_late_is_waited_for(sim):
    """The model node's WebSocket comes back a moment after a redeploy."""
    import threading

    from websockets.sync.server import serve

    port = closed_loopback_port()
    servers = []

    def start_later():
        time.sleep(1.0)
        server = serve(lambda ws: [ws.send(json.dumps(sim.make_frame(i))) for i in range(2)], "127.0.0.1", port)
        servers.append(server)
        server.serve_forever()

    thread = threading.Thread(target=start_later, daemon=True)
    thread.start()
    try:
        check = read_live_results(f"ws://127.0.0.1:{port}", frames=2, timeout=6)
        assert len(check.frames) == 2
    finally:
        while not servers and thread.is_alive():
            time.sleep(0.05)
        for server in servers:
            server.shutdown()
        thread.join(timeout=5)
