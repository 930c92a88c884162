"""Just enough of the ONNX protobuf to act like the converter: a wire-format reader (no onnx).

Fields used (onnx.proto): ModelProto ir_version=1, graph=7, opset_import=8 (domain=1,
version=2), metadata_props=14 (key=1, value=2); GraphProto node=1, initializer=5 (name=8),
input=11, output=12; NodeProto input=1, output=2, name=3, op_type=4; ValueInfoProto name=1,
type=2 -> TypeProto tensor_type=1 -> shape=2 -> dim=1 (dim_value=1, dim_param=2).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DecodeError(ValueError):
    pass


def _varint(buf: memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise DecodeError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 70:
            raise DecodeError("varint too long")


def fields(buf: memoryview):
    """Yield (field_number, wire_type, value) where value is an int or a memoryview."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise DecodeError("field number 0")
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > end:
                raise DecodeError("truncated length-delimited field")
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise DecodeError(f"unsupported wire type {wire}")
        if pos > end:
            raise DecodeError("truncated field")
        yield number, wire, value


def _text(value) -> str:
    return bytes(value).decode("utf-8", errors="replace")


@dataclass
class Node:
    op_type: str
    name: str
    inputs: list[str]
    outputs: list[str]


@dataclass
class OnnxModel:
    ir_version: int = 0
    opsets: dict[str, int] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)
    inputs: list[tuple[str, list]] = field(default_factory=list)
    outputs: list[tuple[str, list]] = field(default_factory=list)
    size: int = 0

    @property
    def op_types(self) -> set[str]:
        return {n.op_type for n in self.nodes}


def _value_info(buf) -> tuple[str, list]:
    name, dims = "", []
    for number, wire, value in fields(buf):
        if number == 1 and wire == 2:
            name = _text(value)
        elif number == 2 and wire == 2:
            for tn, tw, tv in fields(value):
                if tn == 1 and tw == 2:  # tensor_type
                    for sn, sw, sv in fields(tv):
                        if sn == 2 and sw == 2:  # shape
                            for dn, dw, dv in fields(sv):
                                if dn == 1 and dw == 2:
                                    dim = None
                                    for xn, xw, xv in fields(dv):
                                        if xn == 1 and xw == 0:
                                            dim = xv
                                        elif xn == 2 and xw == 2:
                                            dim = _text(xv)
                                    dims.append(dim)
    return name, dims


def read_model(path: str) -> OnnxModel:
    with open(path, "rb") as fh:
        data = fh.read()
    model = OnnxModel(size=len(data))
    buf = memoryview(data)
    graph = None
    saw_any = False
    for number, wire, value in fields(buf):
        saw_any = True
        if number == 1 and wire == 0:
            model.ir_version = value
        elif number == 7 and wire == 2:
            graph = value
        elif number == 8 and wire == 2:
            domain, version = "", 0
            for on, ow, ov in fields(value):
                if on == 1 and ow == 2:
                    domain = _text(ov)
                elif on == 2 and ow == 0:
                    version = ov
            model.opsets[domain] = version
        elif number == 14 and wire == 2:
            key = val = ""
            for mn, mw, mv in fields(value):
                if mn == 1 and mw == 2:
                    key = _text(mv)
                elif mn == 2 and mw == 2:
                    val = _text(mv)
            model.metadata[key] = val
    if not saw_any or graph is None or model.ir_version == 0:
        raise DecodeError("Error parsing message: not an ONNX ModelProto")
    initializers: set[str] = set()
    raw_inputs = []
    for number, wire, value in fields(graph):
        if number == 1 and wire == 2:
            node = Node("", "", [], [])
            for nn, nw, nv in fields(value):
                if nw != 2:
                    continue
                if nn == 1:
                    node.inputs.append(_text(nv))
                elif nn == 2:
                    node.outputs.append(_text(nv))
                elif nn == 3:
                    node.name = _text(nv)
                elif nn == 4:
                    node.op_type = _text(nv)
            model.nodes.append(node)
        elif number == 5 and wire == 2:
            for tn, tw, tv in fields(value):
                if tn == 8 and tw == 2:
                    initializers.add(_text(tv))
        elif number == 11 and wire == 2:
            raw_inputs.append(_value_info(value))
        elif number == 12 and wire == 2:
            model.outputs.append(_value_info(value))
    # Before IR 4 initializers were listed as graph inputs too; the converter skips them.
    model.inputs = [vi for vi in raw_inputs if vi[0] not in initializers]
    return model
