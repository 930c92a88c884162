"""Pure edits of a Node-RED flow: find the sscma model node and point it at a new model.

Facts: node-red-contrib-sscma (Seeed-Studio/node-red-contrib-sscma, nodes/model.js and
nodes/model.html) registers type "model" with fields ``uri`` (the .cvimodel path; "" means the
default /userdata/Models/model.cvimodel), ``model`` (display name), ``tscore``, ``tiou``,
``debug``, ``trace``, ``counting``, ``splitter``, ``classes`` (comma-separated labels) and
``client``; the editor refuses a second model node ("This node can only be instantiated once").
When its Upload button is used the editor clears ``uri`` and sets ``model`` to the file name
(model.html ``uploadFile`` change handler).

Nothing here touches the network; tests compare values.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Sequence

MODEL_NODE_TYPE = "model"
# Fields that belong to the user's tuning of the flow: never changed by a deploy.
USER_TUNED_FIELDS = ("tscore", "tiou", "debug", "trace", "counting", "splitter", "client", "wires", "name")


@dataclass(frozen=True)
class FlowSwitch:
    flows: list[dict[str, Any]]
    node_id: str
    old_uri: str
    new_uri: str
    old_model: str
    new_model: str


class FlowEditError(Exception):
    """The flow cannot be edited safely; ``code`` is a catalogue code, ``params`` its values."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def model_nodes(flows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Enabled model nodes (a node with ``d: true`` is disabled in Node-RED and does not run)."""
    return [n for n in flows if isinstance(n, dict) and n.get("type") == MODEL_NODE_TYPE and not n.get("d")]


def switch_model(
    flows: Sequence[dict[str, Any]],
    uri: str,
    model_name: str,
    classes: Sequence[str] | None = None,
    thresholds: tuple[float, float] | None = None,
) -> FlowSwitch:
    """A copy of ``flows`` whose single model node uses ``uri``; wiring untouched.

    ``classes`` also go into the node's ``classes`` field so the editor shows the same labels
    as model.json (sscma-node takes model.json's classes first; the field is the fallback).
    ``thresholds`` (score, IoU), when given, become the node's ``tscore``/``tiou`` (the values
    the detection check used); otherwise the node keeps its own.
    """
    nodes = model_nodes(flows)
    if not nodes:
        raise FlowEditError("flow_no_model_node")
    if len(nodes) > 1:
        raise FlowEditError("flow_many_model_nodes", count=len(nodes))
    new_flows = copy.deepcopy(list(flows))
    target_id = nodes[0].get("id", "")
    for node in new_flows:
        if isinstance(node, dict) and node.get("id") == target_id and node.get("type") == MODEL_NODE_TYPE:
            old_uri, old_model = str(node.get("uri", "")), str(node.get("model", ""))
            node["uri"] = uri
            node["model"] = model_name
            if classes is not None:
                node["classes"] = ",".join(c.replace(",", " ") for c in classes)
            if thresholds is not None:
                node["tscore"], node["tiou"] = thresholds
            return FlowSwitch(new_flows, target_id, old_uri, uri, old_model, model_name)
    raise FlowEditError("flow_no_model_node")  # unreachable: the node was found above


def model_node_summary(flows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    nodes = model_nodes(flows)
    if len(nodes) != 1:
        return None
    node = nodes[0]
    return {k: node.get(k) for k in ("id", "uri", "model", "tscore", "tiou", "classes")}
