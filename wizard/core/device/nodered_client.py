"""Blocking client of Node-RED's admin API on the camera (port 1880, no auth by default).

Facts (Node-RED admin HTTP API, documented at nodered.org/docs/api/admin/methods/): with header
``Node-RED-API-Version: v2``, ``GET /flows`` returns ``{"rev": ..., "flows": [...]}`` and
``POST /flows`` takes the same shape; a ``rev`` that no longer matches gives HTTP 409
``version_mismatch``. ``Node-RED-Deployment-Type: full`` restarts every node, which makes
sscma-node reload the model file even when ``uri`` did not change. ``/flows/state`` with
``{"state": "start"|"stop"}`` (recamera.md). The supervisor's web client talks to the same API
(sscma-example-sg200x www/src/api/nodered/index.ts).

Every answer is checked against wizard.core.device.answers before a field is used.
"""

from __future__ import annotations

from typing import Any

from wizard.core.device import answers
from wizard.core.device.errors import DeviceError
from wizard.core.device.http_link import Dropped, Garbled, HttpLink, Reply, Unreachable
from wizard.core.messages import problem

API_HEADERS = {"Node-RED-API-Version": "v2", "Accept": "application/json"}


class FlowConflict(DeviceError):
    """409: someone deployed in between; the caller may re-read and retry once."""


class NodeRedClient:
    def __init__(self, host: str, port: int = 1880, *, connect_timeout: float = 3.0, timeout: float = 20.0):
        self.host = host
        self.port = port
        self._link = HttpLink(host, port, connect_timeout=connect_timeout, timeout=timeout)

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def close(self) -> None:
        self._link.close()

    def _call(self, method: str, path: str, body: Any = None, extra: dict[str, str] | None = None) -> Reply:
        headers = dict(API_HEADERS)
        headers.update(extra or {})
        step = f"{method} {path}"
        try:
            return self._link.exchange(method, path, json=body, headers=headers)
        except (Unreachable, Dropped) as exc:
            raise DeviceError(problem("flow_unreachable", address=self.address, detail=str(exc))) from None
        except Garbled as exc:
            raise DeviceError(problem("device_unexpected_answer", address=self.address, step=step, field=exc.part,
                                      expected=exc.expected, found=exc.found)) from None

    def _json(self, reply: Reply, step: str) -> Any:
        return answers.decode_json(reply.body, reply.status, address=self.address, step=step)

    def get_flows(self) -> tuple[str, list[dict[str, Any]]]:
        reply = self._call("GET", "/flows")
        if reply.status != 200:
            raise DeviceError(problem("flow_unreachable", address=self.address, detail=f"HTTP {reply.status}"))
        payload = self._json(reply, "GET /flows")
        if isinstance(payload, list):  # a v1-only server: no rev
            answers.check(answers.FlowsV1, {"value": payload}, address=self.address, step="GET /flows", prefix="flows")
            rev, flows = "", payload
        else:
            checked = answers.check(answers.FlowsV2, payload, address=self.address, step="GET /flows")
            rev, flows = checked.rev, payload["flows"]
        for index, node in enumerate(flows):
            if node.get("type") == "model":
                answers.check(answers.ModelNode, node, address=self.address, step="GET /flows",
                              prefix=f"flows.{index}")
        return rev, flows  # the checked documents themselves: sent back unchanged but for our edit

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
        if reply.status == 204 or not reply.body:
            return ""
        return answers.check(answers.DeployedRev, self._json(reply, "POST /flows"), address=self.address,
                             step="POST /flows").rev

    def get_state(self) -> str:
        reply = self._call("GET", "/flows/state")
        return answers.check(answers.FlowState, self._json(reply, "GET /flows/state"), address=self.address,
                             step="GET /flows/state").state
