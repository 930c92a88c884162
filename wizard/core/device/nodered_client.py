"""Blocking client of Node-RED's admin API on the camera (port 1880, no auth by default).

Facts (Node-RED admin HTTP API, documented at nodered.org/docs/api/admin/methods/): with header
``Node-RED-API-Version: v2``, ``GET /flows`` returns ``{"rev": ..., "flows": [...]}`` and
``POST /flows`` takes the same shape; a ``rev`` that no longer matches gives HTTP 409
``version_mismatch``. ``Node-RED-Deployment-Type: full`` restarts every node, which makes
sscma-node reload the model file even when ``uri`` did not change. ``/flows/state`` with
``{"state": "start"|"stop"}`` (recamera.md). The supervisor's web client talks to the same API
(sscma-example-sg200x www/src/api/nodered/index.ts).
"""

from __future__ import annotations

import json
from typing import Any

from wizard.core.device._http import Dropped, Unreachable, exchange
from wizard.core.device.client import DeviceError
from wizard.core.messages import problem

API_HEADERS = {"Node-RED-API-Version": "v2", "Accept": "application/json"}


class FlowConflict(DeviceError):
    """409: someone deployed in between; the caller may re-read and retry once."""


class NodeRedClient:
    def __init__(self, host: str, port: int = 1880, *, connect_timeout: float = 3.0, timeout: float = 20.0):
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.timeout = timeout

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _call(self, method: str, path: str, body: Any = None, extra: dict[str, str] | None = None):
        headers = dict(API_HEADERS)
        headers.update(extra or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            return exchange(self.host, self.port, method, path, data, headers,
                            connect_timeout=self.connect_timeout, timeout=self.timeout)
        except (Unreachable, Dropped) as exc:
            raise DeviceError(problem("flow_unreachable", address=self.address, detail=str(exc))) from None

    def get_flows(self) -> tuple[str, list[dict[str, Any]]]:
        reply = self._call("GET", "/flows")
        if reply.status != 200:
            raise DeviceError(problem("flow_unreachable", address=self.address, detail=f"HTTP {reply.status}"))
        try:
            payload = json.loads(reply.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DeviceError(problem("flow_unreachable", address=self.address, detail="not a JSON reply")) from None
        if isinstance(payload, list):  # a v1-only server: no rev
            return "", payload
        if not isinstance(payload, dict) or not isinstance(payload.get("flows"), list):
            raise DeviceError(problem("flow_unreachable", address=self.address, detail="unexpected reply"))
        return str(payload.get("rev", "")), payload["flows"]

    def deploy_flows(self, flows: list[dict[str, Any]], rev: str, *, backup: str = "") -> str:
        """POST the whole flow set (full deploy); returns the new rev."""
        body: dict[str, Any] = {"flows": flows}
        if rev:
            body["rev"] = rev
        reply = self._call("POST", "/flows", body, {"Node-RED-Deployment-Type": "full"})
        if reply.status == 409:
            raise FlowConflict(problem("flow_changed_meanwhile"))
        if reply.status not in (200, 204):
            detail = reply.body.decode("utf-8", "replace")[:200] or f"HTTP {reply.status}"
            raise DeviceError(problem("flow_rejected", detail=detail, backup=backup or "-"))
        try:
            return str(json.loads(reply.body.decode("utf-8")).get("rev", ""))
        except (ValueError, AttributeError, UnicodeDecodeError):
            return ""

    def get_state(self) -> str:
        reply = self._call("GET", "/flows/state")
        try:
            return str(json.loads(reply.body.decode("utf-8")).get("state", ""))
        except (ValueError, AttributeError, UnicodeDecodeError):
            return ""
