"""Inspect an ONNX model: YOLO family and task, input, IR/opset, head outputs, class names, problems.

What plan.py and the GUI rely on:
    inspect_model(path) -> ModelReport
Never raises for bad input: an unreadable or truncated file gives a report whose ``problems``
contains an error (code ``model_not_onnx`` / ``model_truncated`` ...).

How the facts are found (see docs/toolchain.md, "Head outputs for YOLO on reCamera"):
- family: Ultralytics metadata (``description`` "Ultralytics YOLO11n model") first; without it the
  structure: the Detect layer index (23 for YOLO11, 22 for YOLOv8) and YOLO11's attention block
  (a MatMul feeding a Softmax); Mod or TopK+GatherElements mark the NMS-free YOLOv10/YOLO26 heads.
- head outputs: every node output matching ``/model.<N>/cv{2,3}.<i>/cv{2,3}.<i>.2/Conv_output_0``,
  grouped by N; the highest N with all six wins, in the decoder's order cv2.0, cv3.0, cv2.1, ...
- The file is parsed once from bytes (~40 ms for 40 MB): no external data and no tensor is
  converted to numpy, so a big model stays cheap.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from wizard.core.model.heads import (
    DETECT_LAYER,
    FAMILY_DISPLAY,
    KNOWN_TASKS,
    SUPPORTED_FAMILIES,
    UNSUPPORTED_FAMILIES,
    family_from_text,
    find_head,
    head_conv_name,
)
from wizard.core.messages import Problem, problem
from wizard.core.user_paths import input_file_problem

# The onnxruntime in sophgo/tpuc_dev v3.1 (1.15.1) accepts IR <= 9; the guide relabels to IR 8 /
# opset 17, which every supported image accepts. Above these, plan stages a converted copy.
MAX_TOOLCHAIN_IR = 8
MAX_TOOLCHAIN_OPSET = 17


@dataclass(frozen=True)
class ModelReport:
    path: str
    # "yolo11" | "yolov8" | "unknown"; "yolov10" | "yolo26" are recognised only to be refused.
    family: str = "unknown"
    task: str = "unknown"  # "detect" | "segment" | "pose" | "classify" | "obb" | "unknown"
    input_name: str = ""
    input_shape: tuple[Any, ...] = ()  # [N, C, H, W]; a dynamic dim is its symbolic name (str)
    ir_version: int = 0
    opset: int = 0
    output_names: tuple[str, ...] = ()  # head convs in the decoder's order, or the graph outputs
    graph_outputs: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    head_index: int | None = None  # N of /model.<N>/ for the Detect/Segment/Pose head, when found
    num_classes: int = 0  # classes the head predicts (from the cv3 weights), 0 when unknown

    @property
    def convertible(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def needs_downgrade(self) -> bool:
        return self.ir_version > MAX_TOOLCHAIN_IR or self.opset > MAX_TOOLCHAIN_OPSET

    @property
    def height(self) -> int:
        """Input height in pixels; 0 when unknown or dynamic (so callers never meet a ValueError)."""
        return _static_dim(self.input_shape, 2)

    @property
    def width(self) -> int:
        return _static_dim(self.input_shape, 3)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "path": self.path,
            "family": self.family,
            "task": self.task,
            "input": {"name": self.input_name, "shape": list(self.input_shape)},
            "ir_version": self.ir_version,
            "opset": self.opset,
            "output_names": list(self.output_names),
            "graph_outputs": list(self.graph_outputs),
            "class_names": list(self.class_names),
            "head_index": self.head_index,
            "num_classes": self.num_classes,
            "convertible": self.convertible,
            "problems": [p.to_dict(lang) for p in self.problems],
        }


def _static_dim(shape: tuple[Any, ...], axis: int) -> int:
    if len(shape) != 4 or not isinstance(shape[axis], int):
        return 0
    return shape[axis]


_DEFAULT_DOMAINS = ("", "ai.onnx")
# Operators the cv181x toolchain stops on ("Op not support:{'Mod'}"), from docs/toolchain.md.
_REFUSED_OPS = frozenset({"Mod"})
# Longest `names` metadata we evaluate: ast.literal_eval on megabytes of text is slow for nothing.
_MAX_NAMES_TEXT = 1_000_000

# ModelProto fields and their protobuf wire types, to tell a cut-off file from a foreign one.
_MODEL_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}


def inspect_model(path: str | Path, output_names: Sequence[str] | None = None) -> ModelReport:
    """Read ``path`` and report what the wizard needs to convert it. Never raises for bad input.

    ``output_names``, when given, are the tensors the user chose to cut at: they are checked to exist
    and reported instead of the detected head (an expert override, e.g. for a non-YOLO model).
    """
    path_text = str(path)
    model, read_problem = _read_model(Path(path))
    if model is None:
        return ModelReport(path=path_text, problems=(read_problem,))
    return _ModelFacts(path_text, model).report(output_names)


def _read_model(path: Path):
    """(ModelProto, None) or (None, the problem that explains why not)."""
    import onnx  # deferred: the CLI's --help and the GUI start without paying for it

    path_text = str(path)
    unusable = input_file_problem(path, empty_code="model_empty", folder_code="model_is_folder")
    if unusable is not None:
        return None, unusable
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, problem("model_unreadable", path=path_text, detail=exc.strerror or str(exc))
    if not data:
        return None, problem("model_empty", path=path_text)
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception:  # google.protobuf DecodeError, or RuntimeError from some backends
        return None, problem(_diagnose_unparsable(data), path=path_text, size=len(data))
    if not model.HasField("graph") or not model.graph.node:
        # Protobuf happily parses some foreign bytes as an empty message; a model needs a graph.
        foreign = _foreign_file_code(data)
        code = "model_truncated" if foreign == "model_not_onnx" and _looks_like_model_start(data) else foreign
        return None, problem(code, path=path_text, size=len(data))
    return model, None


def _read_varint(data: bytes, pos: int) -> tuple[int | None, int]:
    value, shift = 0, 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    return None, pos


def _diagnose_unparsable(data: bytes) -> str:
    """Walk the top-level protobuf fields: an ONNX start that runs past the end is a cut-off file."""
    foreign = _foreign_file_code(data)
    if foreign != "model_not_onnx":
        return foreign  # ONNX starts with byte 0x08, never text; so text or a zip is certain
    pos, fields_seen = 0, 0
    while pos < len(data):
        tag, pos = _read_varint(data, pos)
        if tag is None:
            return "model_truncated" if fields_seen else "model_not_onnx"
        field_number, wire_type = tag >> 3, tag & 7
        if _MODEL_FIELDS.get(field_number) != wire_type:
            return "model_not_onnx"
        value, pos = _read_varint(data, pos)
        if value is None:
            return "model_truncated"
        if wire_type == 2:
            if pos + value > len(data):
                return "model_truncated" if fields_seen or field_number == 7 else "model_not_onnx"
            pos += value
        fields_seen += 1
    # The outline is intact, so the bytes inside were damaged (e.g. a bad download or disk).
    return "model_damaged" if _looks_like_model_start(data) else "model_not_onnx"


def _looks_like_model_start(data: bytes) -> bool:
    tag, _ = _read_varint(data, 0)
    return tag == (1 << 3)  # every exporter writes ir_version (field 1, varint) first


def _foreign_file_code(data: bytes) -> str:
    head = data[:4096]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\x80\x02") or head.startswith(b"\x80\x04"):
        return "model_is_pytorch"  # torch.save: a zip archive (or a bare pickle in old versions)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(data) <= len(head) or exc.start < len(head) - 4:
            return "model_not_onnx"
        text = head[: exc.start].decode("utf-8")  # a character cut at the 4096-byte boundary is still text
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return "model_is_text"
    return "model_not_onnx"


class _ModelFacts:
    """Everything inspect_model learns from one parsed model; each step adds its problems."""

    def __init__(self, path: str, model):
        self.path = path
        self.model = model
        self.graph = model.graph
        self.problems: list[Problem] = []
        self.metadata = {p.key: p.value for p in model.metadata_props}
        self.node_outputs = [o for node in self.graph.node for o in node.output if o]
        self.op_types = {node.op_type for node in self.graph.node if node.domain in _DEFAULT_DOMAINS}
        self.initializer_dims = {t.name: tuple(t.dims) for t in self.graph.initializer}

    def report(self, user_output_names: Sequence[str] | None) -> ModelReport:
        ir_version = int(self.model.ir_version)
        opset = _default_opset(self.model)
        self._check_versions(ir_version, opset)
        self._check_external_data()
        input_name, input_shape = self._check_input()
        head_index, head_names, extra_channels = self._find_head()
        family = self._family(head_index)
        task = self._task(head_index, extra_channels)
        num_classes = self._num_classes(head_index)
        class_names = parse_class_names(self.metadata.get("names", ""))
        graph_outputs = tuple(o.name for o in self.graph.output)

        unsupported_family = self._check_family(family)
        if user_output_names:
            output_names = tuple(user_output_names)
            self._check_user_outputs(output_names, graph_outputs)
        elif task == "classify":
            output_names = graph_outputs
            self.problems.append(problem("model_classify", "warning", path=self.path, outputs=list(graph_outputs)))
        elif head_names:
            output_names = head_names
            if task in ("segment", "pose", "obb"):
                extra = {"segment": "masks", "pose": "keypoints", "obb": "rotation angles"}[task]
                self.problems.append(problem("model_task_partial", "warning", path=self.path, task=task, extra=extra))
            if family == "unknown":
                self.problems.append(problem("model_family_unknown", "warning", path=self.path))
        else:
            output_names = graph_outputs
            if unsupported_family:
                pass  # already an error; guessing outputs would only add noise
            elif "ultralytics" in self.metadata.get("description", "").lower() or family != "unknown":
                self.problems.append(problem("model_head_not_found", "warning", path=self.path,
                                             outputs=list(graph_outputs)))
            else:
                self.problems.append(problem("model_not_yolo", "warning", path=self.path,
                                             outputs=list(graph_outputs)))
        if not unsupported_family:
            self._check_ops_kept_by_the_cut(output_names)
        if head_names or task == "classify":
            if not class_names:
                self.problems.append(problem("model_no_class_names", "warning", path=self.path))
            elif num_classes and len(class_names) != num_classes:
                self.problems.append(problem("model_class_count_mismatch", "warning", path=self.path,
                                             names_count=len(class_names), head_count=num_classes))
        return ModelReport(
            path=self.path,
            family=family,
            task=task,
            input_name=input_name,
            input_shape=input_shape,
            ir_version=ir_version,
            opset=opset,
            output_names=output_names,
            graph_outputs=graph_outputs,
            class_names=class_names,
            metadata=dict(self.metadata),
            problems=tuple(sorted(self.problems, key=lambda p: not p.is_error)),
            head_index=head_index,
            num_classes=num_classes or (len(class_names) if task == "classify" else 0),
        )

    # --- version --------------------------------------------------------------------------------
    def _check_versions(self, ir_version: int, opset: int) -> None:
        import onnx

        known_ir, known_opset = onnx.IR_VERSION, onnx.defs.onnx_opset_version()
        if ir_version > known_ir or opset > known_opset:
            self.problems.append(problem(
                "model_version_too_new", path=self.path, ir_version=ir_version, opset=opset,
                onnx_version=onnx.__version__, known_ir=known_ir, known_opset=known_opset,
                max_opset=MAX_TOOLCHAIN_OPSET))
        elif ir_version > MAX_TOOLCHAIN_IR or opset > MAX_TOOLCHAIN_OPSET:
            self.problems.append(problem(
                "model_needs_downgrade", "warning", path=self.path, ir_version=ir_version, opset=opset,
                max_ir=MAX_TOOLCHAIN_IR, max_opset=MAX_TOOLCHAIN_OPSET))

    def _check_external_data(self) -> None:
        from onnx import TensorProto

        locations = sorted({
            entry.value
            for tensor in self.graph.initializer
            if tensor.data_location == TensorProto.EXTERNAL
            for entry in tensor.external_data
            if entry.key == "location"
        })
        if locations:
            self.problems.append(problem("model_external_data", path=self.path, files=locations))

    # --- input ----------------------------------------------------------------------------------
    def _check_input(self) -> tuple[str, tuple[Any, ...]]:
        initializer_names = set(self.initializer_dims)
        # IR < 4 lists weights among the inputs too; only the rest are fed by the camera.
        inputs = [value for value in self.graph.input if value.name not in initializer_names]
        if not inputs:
            self.problems.append(problem("model_no_input", path=self.path))
            return "", ()
        if len(inputs) > 1:
            self.problems.append(problem("model_multiple_inputs", path=self.path, count=len(inputs),
                                         inputs=[v.name for v in inputs]))
        value = inputs[0]
        shape = _shape_of(value)
        if len(shape) != 4:
            self.problems.append(problem("model_input_rank", path=self.path, input=value.name, shape=list(shape)))
            return value.name, shape
        if any(not isinstance(dim, int) for dim in shape):
            self.problems.append(problem("model_dynamic_input", path=self.path, input=value.name, shape=list(shape)))
        channels, height, width = shape[1], shape[2], shape[3]
        if isinstance(channels, int) and channels != 3:
            self.problems.append(problem("model_input_channels", path=self.path, input=value.name,
                                         channels=channels))
        if isinstance(height, int) and isinstance(width, int) and (height % 32 or width % 32):
            self.problems.append(problem("model_input_size", path=self.path, height=height, width=width,
                                         suggest_height=_nearest_multiple_of_32(height),
                                         suggest_width=_nearest_multiple_of_32(width)))
        return value.name, shape

    # --- head -----------------------------------------------------------------------------------
    def _find_head(self) -> tuple[int | None, tuple[str, ...], int]:
        """(Detect layer index, six head outputs in decoder order, channels of its cv4 branch or 0)."""
        index, head_names, found = find_head(self.node_outputs)
        if index is None:
            return None, (), 0
        extra_channels = 0
        if ("cv4", 0) in found:
            extra_channels = self._conv_out_channels(found[("cv4", 0)]) or -1  # -1: present, size unknown
        return index, head_names, extra_channels

    def _conv_out_channels(self, output_name: str) -> int:
        for node in self.graph.node:
            if output_name in node.output and node.op_type == "Conv" and len(node.input) > 1:
                dims = self.initializer_dims.get(node.input[1])
                return int(dims[0]) if dims else 0
        return 0

    def _num_classes(self, head_index: int | None) -> int:
        if head_index is None:
            return 0
        return self._conv_out_channels(head_conv_name(head_index, "cv3", 0))

    # --- family and task ------------------------------------------------------------------------
    def _family(self, head_index: int | None) -> str:
        described = family_from_text(self.metadata.get("description", ""))
        if described:
            return described if described in SUPPORTED_FAMILIES + UNSUPPORTED_FAMILIES else "unknown"
        if {"Mod", "TopK"} <= self.op_types:
            return "yolov10"  # the NMS-free tail: TopK over anchor*class scores, Mod for the class id
        if head_index is not None and DETECT_LAYER.get(head_index) == "yolo11" and self._has_attention():
            return "yolo11"
        if head_index is not None and DETECT_LAYER.get(head_index) == "yolov8" and not self._has_attention():
            return "yolov8"
        return "unknown"

    def _has_attention(self) -> bool:
        """A MatMul whose result reaches a Softmax through at most one scaling op (YOLO11's C2PSA)."""
        producers = {o: node for node in self.graph.node for o in node.output}
        for node in self.graph.node:
            if node.op_type != "Softmax" or not node.input:
                continue
            source = producers.get(node.input[0])
            if source is not None and source.op_type in ("Mul", "Div") and source.input:
                source = producers.get(source.input[0])
            if source is not None and source.op_type == "MatMul":
                return True
        return False

    def _end2end_ops(self) -> list[str]:
        ops = sorted(self.op_types & {"Mod"})
        if {"TopK", "GatherElements"} <= self.op_types:
            ops += ["TopK", "GatherElements"]
        return ops

    def _task(self, head_index: int | None, extra_channels: int) -> str:
        declared = self.metadata.get("task", "").strip().lower()
        if declared in KNOWN_TASKS:
            return declared
        if head_index is not None:
            if extra_channels:
                if any(name.startswith(f"/model.{head_index}/proto/") for name in self.node_outputs):
                    return "segment"
                return "obb" if extra_channels == 1 else "pose"
            return "detect"
        if any(re.match(r"^/model\.\d+/linear/", node.name) for node in self.graph.node):
            return "classify"
        return "unknown"

    def _check_family(self, family: str) -> bool:
        """Add the error for a family the reCamera cannot run (YOLOv10/YOLO26); True when so."""
        if family not in UNSUPPORTED_FAMILIES:
            return False
        self.problems.append(problem("model_unsupported_family", path=self.path,
                                     family=FAMILY_DISPLAY[family], ops=self._end2end_ops() or ["end2end head"]))
        return True

    def _check_ops_kept_by_the_cut(self, output_names: Sequence[str]) -> None:
        """Refuse operators the toolchain cannot convert, among the nodes the cut keeps.

        model_transform keeps only what the output names need (OnnxConverter.select_output), so a
        Mod or custom op in a tail after the head convs is dropped and does no harm."""
        kept = _nodes_feeding(self.graph, output_names)
        refused = sorted({node.op_type for node in kept
                          if node.domain in _DEFAULT_DOMAINS and node.op_type in _REFUSED_OPS})
        refused += sorted({f"{node.domain}:{node.op_type}" for node in kept if node.domain not in _DEFAULT_DOMAINS})
        if refused:
            self.problems.append(problem("model_unsupported_ops", path=self.path, ops=refused))

    def _check_user_outputs(self, names: Sequence[str], graph_outputs: Sequence[str]) -> None:
        known = set(self.node_outputs) | set(graph_outputs)
        missing = [name for name in names if name not in known]
        if missing:
            self.problems.append(problem("model_output_not_found", path=self.path, names=missing,
                                         outputs=list(graph_outputs) or self.node_outputs[-3:]))


def _nodes_feeding(graph, outputs: Iterable[str]) -> list:
    """The nodes a set of tensors depends on (walking producers back to the inputs)."""
    producers = {name: node for node in graph.node for name in node.output if name}
    seen: set[int] = set()
    kept = []
    pending = list(outputs)
    while pending:
        node = producers.get(pending.pop())
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        kept.append(node)
        pending.extend(node.input)
    return kept




def _default_opset(model) -> int:
    versions = [int(o.version) for o in model.opset_import if o.domain in _DEFAULT_DOMAINS]
    return max(versions) if versions else 0


def _shape_of(value) -> tuple[Any, ...]:
    tensor_type = value.type.tensor_type
    if not tensor_type.HasField("shape"):
        return ()
    dims: list[Any] = []
    for dim in tensor_type.shape.dim:
        if dim.HasField("dim_value") and dim.dim_value > 0:
            dims.append(int(dim.dim_value))
        elif dim.HasField("dim_param") and dim.dim_param:
            dims.append(dim.dim_param)
        else:
            dims.append("?")
    return tuple(dims)


def _nearest_multiple_of_32(value: int) -> int:
    return max(32, int(round(value / 32)) * 32)


def parse_class_names(text: str) -> tuple[str, ...]:
    """Class names from Ultralytics ``names`` metadata, ordered by class id.

    Accepts the exporter's Python dict literal ("{0: 'person', 1: 'car'}"), a JSON or Python list,
    and YAML-ish lines ("0: person" or "- person"). Anything else gives ().
    """
    text = (text or "").strip()
    if not text or len(text) > _MAX_NAMES_TEXT:
        return ()
    value: Any = None
    try:
        value = ast.literal_eval(text)  # safe: literals only, never code
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            value = _parse_yamlish(text.splitlines())
    return _names_from_value(value)


def _names_from_value(value: Any) -> tuple[str, ...]:
    if isinstance(value, dict):
        try:
            items = sorted(((int(k), v) for k, v in value.items()), key=lambda item: item[0])
        except (TypeError, ValueError):
            return ()
        return tuple(str(v) for _, v in items)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v) for v in value)
    return ()


def _parse_yamlish(lines: Iterable[str]) -> Any:
    by_id: dict[int, str] = {}
    listed: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#") or line.rstrip(":") == "names":
            continue
        if line.startswith("- "):
            listed.append(line[2:].strip().strip("'\""))
            continue
        key, sep, name = line.partition(":")
        if not sep or not key.strip().isdigit():
            return None
        by_id[int(key)] = name.strip().strip("'\"")
    if by_id and listed:
        return None
    return by_id or listed or None
