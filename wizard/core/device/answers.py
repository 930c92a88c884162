"""What the camera may answer, as pydantic models: every field the wizard reads from the device
is checked here, so a malformed answer becomes ONE message ("the camera answered something
unexpected", naming the field, what was expected and what came) instead of a KeyError or a
TypeError deep in the deploy.

Shapes and where they come from: see client.py (supervisor) and nodered_client.py (Node-RED).
Unknown extra fields are allowed everywhere: newer firmware adds fields, and that is no error.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from wizard.core.device.errors import DeviceError
from wizard.core.messages import Problem, problem

M = TypeVar("M", bound=BaseModel)

# A token goes back raw in the Authorization header: a CR or LF in it would split the header
# (and httpx would refuse to send it), so only visible ASCII is accepted.
Token = Annotated[StrictStr, Field(pattern=r"^[\x21-\x7e]{1,2048}$",
                                   json_schema_extra={"expected": "one line of visible ASCII"})]
Count = Annotated[StrictInt, Field(ge=0)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


# -- supervisor (port 80) ---------------------------------------------------------------------


class Envelope(_Answer):
    """Every supervisor reply: ``{"code": 0, "msg": "OK", "data": ...}``; code != 0 is a refusal."""

    code: StrictInt
    msg: StrictStr = ""
    data: Any = None


class VersionObject(_Answer):
    version: StrictStr


class VersionData(BaseModel):
    """C++ supervisor: data is the version text; Go supervisor: ``{"version": ...}``."""

    value: Union[StrictStr, VersionObject]

    @property
    def text(self) -> str:
        return self.value if isinstance(self.value, str) else self.value.version


class UserInfo(_Answer):
    # Lax booleans on purpose: firmware versions send true/false, 0/1 or "true"/"false".
    userName: StrictStr = ""
    firstLogin: bool | None = None
    sshEnabled: bool | None = None


class LoginData(_Answer):
    token: Token


class ModelInfoData(_Answer):
    model_info: StrictStr = Field(json_schema_extra={"expected": "string (the text of model.json)"})


class ModelJson(_Answer):
    """model.json as read back from the camera. sscma-node reads ``classes``; the Node-RED editor
    needs ``model_name`` and ``classes`` (model_json.py)."""

    model_name: StrictStr
    classes: list[StrictStr]
    checksum: StrictStr | None = None
    model_id: StrictStr | StrictInt | None = None


class UploadedFile(_Answer):
    model_file: StrictStr | None = None
    model_info: StrictStr | None = None


class UploadData(_Answer):
    """uploadModel: chunked uploads answer ``received`` (bytes so far); a single request lists the
    files written. Old firmware lists plain file names (strings) and activates nothing."""

    received: Count | None = None
    written: list[StrictStr | UploadedFile] = Field(default=[], alias="list")

    @property
    def legacy(self) -> bool:
        return any(isinstance(item, str) for item in self.written)


class FileEntry(_Answer):
    name: StrictStr
    size: Count = 0


class FileListData(_Answer):
    """fileMgr/list; only the root of /userdata reports total/used/free (Go supervisor)."""

    directories: list[FileEntry] = []
    files: list[FileEntry] = []
    total: Count | None = None
    used: Count | None = None
    free: Count | None = None


class FolderData(_Answer):
    path: StrictStr = ""


class FileUpload(_Answer):
    filename: StrictStr
    status: Literal["success", "failed"]
    size: Count | None = None


class FileUploadData(_Answer):
    uploads: list[FileUpload]
    count: Count


# -- Node-RED (port 1880) ---------------------------------------------------------------------


class FlowNode(_Answer):
    id: StrictStr
    type: StrictStr
    d: StrictBool | None = None  # disabled


class ModelNode(FlowNode):
    """The sscma model node: the fields the wizard reads and writes must be text."""

    uri: StrictStr = ""
    model: StrictStr = ""
    classes: StrictStr = ""


class FlowsV2(_Answer):
    rev: StrictStr
    flows: list[FlowNode]


class FlowsV1(BaseModel):
    value: list[FlowNode]


class DeployedRev(_Answer):
    rev: StrictStr = ""


class FlowState(_Answer):
    state: StrictStr = ""


# -- the model node's WebSocket (port 8090) ----------------------------------------------------

Number = Union[StrictInt, StrictFloat]
Triple = Annotated[list[Number], Field(min_length=3)]


class LiveData(_Answer):
    """One result frame: boxes ``[cx, cy, w, h, score, class]``, perf ``[[pre, infer, post]]``
    (or flat), a base64 JPEG (live_check.py)."""

    boxes: list[Annotated[list[Number], Field(min_length=6)]] = []
    labels: list[StrictStr] = []
    resolution: Annotated[list[StrictInt], Field(min_length=2)] | None = None
    perf: Union[list[Triple], Triple, None] = None
    image: StrictStr = ""


# -- checking -----------------------------------------------------------------------------------


def check(model: type[M], value: Any, *, address: str, step: str, prefix: str = "") -> M:
    """``model`` validated from ``value``, or DeviceError(device_unexpected_answer)."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise DeviceError(unexpected(exc, model, address=address, step=step, prefix=prefix)) from None


def decode_json(body: bytes, status: int, *, address: str, step: str) -> Any:
    """The JSON document of a reply body, or DeviceError(device_unexpected_answer)."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise DeviceError(problem("device_unexpected_answer", address=address, step=step, field="body",
                                  expected="JSON", found=f"HTTP {status}, {short(body)}")) from None


def check_json_text(model: type[M], text: str, *, address: str, step: str, what: str) -> M:
    """``model`` validated from a JSON document inside a string (model.json inside getModelInfo)."""
    try:
        value = json.loads(text)
    except ValueError:
        raise DeviceError(problem("device_unexpected_answer", address=address, step=step, field=what,
                                  expected="JSON", found=short(text))) from None
    return check(model, value, address=address, step=step, prefix=what)


def unexpected(exc: ValidationError, model: type[BaseModel], *, address: str, step: str, prefix: str = "") -> Problem:
    error = exc.errors()[0]
    loc = [part for part in error["loc"]]
    field = ".".join(str(p) for p in ([prefix] if prefix else []) + _visible(model, loc)) or prefix or "answer"
    found = "nothing" if error["type"] == "missing" else short(error.get("input"))
    return problem("device_unexpected_answer", address=address, step=step, field=field,
                   expected=_expected(model, loc, error), found=found)


def short(value: Any, limit: int = 60) -> str:
    """What came, as JSON (so a CR or LF shows as \\r, \\n), cut to one short line."""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value[:limit]).decode("utf-8", "replace")
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _walk(model: type[BaseModel], loc: list) -> tuple[dict | None, list]:
    """The JSON schema of the field at ``loc`` and the loc parts that are real field names (union
    member tags that pydantic puts into ``loc`` are skipped)."""
    schema = model.model_json_schema()
    node: dict | None = schema
    visible: list = []
    for part in loc:
        node = _resolve(schema, node)
        options = [_resolve(schema, o) for o in node.get("anyOf", [])] or [node]
        for option in options:
            if isinstance(part, int) and "items" in option:
                node = option["items"]
                visible.append(part)
                break
            if isinstance(part, str) and part in option.get("properties", {}):
                node = option["properties"][part]
                visible.append(part)
                break
        # no option has it: a union tag such as "str" or "VersionObject"; stay on this node
    return (_resolve(schema, node) if node is not None else None), visible


def _visible(model: type[BaseModel], loc: list) -> list:
    visible = _walk(model, loc)[1]
    if visible and visible[0] == "value" and "value" in model.model_fields and len(model.model_fields) == 1:
        visible = visible[1:]  # the wrapper of a bare value (VersionData, FlowsV1) is no field
    return visible


def _expected(model: type[BaseModel], loc: list, error: dict) -> str:
    node, _visible_parts = _walk(model, loc)
    if node is None:
        return "JSON object"
    if "expected" in node:
        return str(node["expected"])
    return _type_name(model.model_json_schema(), node)


def _type_name(schema: dict, node: dict) -> str:
    node = _resolve(schema, node)
    if "anyOf" in node:
        names = [_type_name(schema, option) for option in node["anyOf"] if option.get("type") != "null"]
        return " or ".join(dict.fromkeys(names))
    kind = node.get("type")
    if kind == "integer" and node.get("minimum") == 0:
        return "integer >= 0"
    if "enum" in node or "const" in node:
        return " or ".join(json.dumps(v) for v in node.get("enum", [node.get("const")]))
    return {"string": "string", "integer": "integer", "boolean": "true or false", "array": "list",
            "object": "JSON object", "number": "number"}.get(kind, "JSON object" if "properties" in node else str(kind))
