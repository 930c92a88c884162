"""The score and IoU thresholds the camera itself uses: read from its Node-RED flow.

The detection check decodes as the camera does, so by default it uses the model node's own
defaults (0.45 / 0.25). A user whose camera runs with other values (the factory flow has
0.5 / 0.4; many raise the score) can check with exactly those: ``compare --thresholds-from-camera``
and the Results page's "my camera's thresholds" read them here, over the camera's Node-RED
admin API (GET /flows, port 1880; recamera.md), nothing on the camera changed.
"""

from __future__ import annotations

from wizard.core.detections.check import thresholds_from_flows
from wizard.core.detections.decode import Thresholds
from wizard.core.device.address import DEFAULT_NODE_RED_PORT, DeviceAddress
from wizard.core.device.errors import DeviceError
from wizard.core.device.nodered_client import NodeRedClient
from wizard.core.messages import WizardError


def read_camera_thresholds(device: str | None = None, node_red_port: int = DEFAULT_NODE_RED_PORT, *,
                           connect_timeout: float = 3.0, timeout: float = 10.0) -> Thresholds:
    """The thresholds of the camera's enabled model node (source "camera_flow").

    ``device``: the camera's address as the Device page and ``deploy --device`` take it (host or
    host:port; the port there is the web UI's, Node-RED's is ``node_red_port``). WizardError when
    the camera does not answer or its flow has no usable model node: both name the next step."""
    address = DeviceAddress.parse(device)
    client = NodeRedClient(address.host, node_red_port, connect_timeout=connect_timeout, timeout=timeout)
    try:
        _rev, flows = client.get_flows()
    except DeviceError as exc:
        if exc.problem.code != "flow_unreachable":
            raise  # an answer that is not Node-RED's: its own message says what was found
        raise WizardError.of("detections_camera_unreachable", address=client.address,
                             detail=str(exc.problem.params.get("detail", ""))[:200]) from None
    finally:
        client.close()
    thresholds = thresholds_from_flows(flows)
    if thresholds is None:
        raise WizardError.of("detections_camera_no_model_node", address=client.address)
    return thresholds


__all__ = ["read_camera_thresholds"]
