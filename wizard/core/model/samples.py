"""Small, real, runnable ONNX graphs shaped like Ultralytics YOLO exports.

Tests, the GUI tour and benchmarks need YOLO-like models without shipping weights or running
Ultralytics. These graphs use the same node and tensor naming as a real export, so the head
search, family and task detection meet what they meet in the field, and they run in onnxruntime
(static shapes) so a conversion can be checked numerically.

Layout of a detect model (``family="yolo11"``; yolov8 shifts the neck and head by one index):

    images (N,3,H,W)
      model.0  Conv s2 -> model.1 Conv s4 -> model.3 Conv s8 -> model.4 Split/Conv/Concat (C3k2-like)
      -> model.5 Conv s16 -> model.7 Conv s32
      model.10 C2PSA-like attention (MatMul + Softmax; yolo11 and yolov10 only)
      model.16 / model.19 / model.22   1x1 neck convs on P3 / P4 / P5
      model.23 Detect: per scale i, cv2.i (64 box channels) and cv3.i (nc class channels),
               ending in ``/model.23/cv2.<i>/cv2.<i>.2/Conv`` and ``/model.23/cv3.<i>/cv3.<i>.2/Conv``,
               then a DFL-style decode and Concat into ``output0`` (N, 4+nc, anchors).

Options of :func:`build_sample_model` (all keyword arguments):

    family        "yolo11" (Detect at 23, attention block), "yolov8" (Detect at 22, no attention),
                  "yolov10" (Detect at 23 named one2one_cv2/one2one_cv3, as YOLOv10 exports are, plus
                  an end2end TopK / Mod / GatherElements tail, output0 (N, K, 6): the Mod is what the
                  cv181x toolchain refuses), or "plain" (same computation,
                  every node and tensor renamed generically, output "output", no metadata).
    task          "detect", "segment" (cv4 mask coefficients + proto -> output1),
                  "pose" (cv4 keypoints, kpt_shape [17, 3]) or "classify" (Classify head at
                  model.10 ending in Gemm + Softmax, output0 (N, nc)).
    imgsz         (height, width); multiples of 32 give a convertible model, others are allowed so
                  tests can build bad inputs.
    class_names   list of names; default ("person", "car", "dog").
    metadata      True writes Ultralytics-style metadata_props (description, version, task, names,
                  imgsz, stride, batch, kpt_shape...); False writes none.
    ir_version    ModelProto.ir_version to record (default 8).
    opset         default-domain opset (11..onnx's newest; default 17). The graph only uses ops
                  whose semantics match across that range, so onnx's version converter can move it.
    dynamic       False, True (batch, height and width symbolic), or an iterable naming which of
                  "batch", "height", "width" are symbolic (dim_param).
    channels      input channels (default 3; others build a model the toolchain should refuse).
    base_channels base channel count of the backbone (default 8; bigger = heavier).
    pad_to_bytes  if set, add an initializer of random float32 so the serialized model is about
                  this many bytes (used by bench/inspect_speed.py to make a ~40 MB model). The pad
                  feeds the graph through a zero-cost path so no runtime prunes or warns about it.
    seed          numpy seed for the random weights (default 0): same options give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FAMILIES = ("yolo11", "yolov8", "yolov10", "plain")
TASKS = ("detect", "segment", "pose", "classify")
DEFAULT_CLASS_NAMES = ("person", "car", "dog")
REG_MAX = 16  # DFL bins per box side: 4 * 16 = the 64 box channels of cv2
MASK_COEFFICIENTS = 32
KEYPOINT_SHAPE = (17, 3)
STRIDES = (8, 16, 32)
MIN_OPSET = 11  # TopK's k as an input and Reshape's 0/-1 rules hold from here on

_DESCRIPTIONS = {"yolo11": "Ultralytics YOLO11n{suffix} model ", "yolov8": "Ultralytics YOLOv8n{suffix} model ",
                 "yolov10": "Ultralytics YOLOv10n{suffix} model "}
_TASK_SUFFIX = {"detect": "", "segment": "-seg", "pose": "-pose", "classify": "-cls"}


class _GraphBuilder:
    """Accumulates nodes and initializers with Ultralytics-style names."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._const_count: dict[str, int] = {}

    def node(self, op: str, name: str, inputs: Sequence[str], n_outputs: int = 1, **attrs) -> list[str]:
        outputs = [f"{name}_output_{k}" for k in range(n_outputs)]
        self.nodes.append(helper.make_node(op, list(inputs), outputs, name=name, **attrs))
        return outputs

    def one(self, op: str, name: str, inputs: Sequence[str], **attrs) -> str:
        return self.node(op, name, inputs, **attrs)[0]

    def initializer(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def constant(self, scope: str, array: np.ndarray) -> str:
        """A Constant node named like the exporter's: <scope>/Constant, <scope>/Constant_1, ..."""
        count = self._const_count.get(scope, 0)
        self._const_count[scope] = count + 1
        name = f"{scope}/Constant" if count == 0 else f"{scope}/Constant_{count}"
        return self.one("Constant", name, [], value=numpy_helper.from_array(array))

    def conv(self, scope: str, weight_prefix: str, x: str, c_in: int, c_out: int, k: int = 1,
             stride: int = 1, activation: bool = True, bias: bool = True) -> str:
        """Conv (+ SiLU as Sigmoid*Mul, as exported). scope '/model.0' gives '/model.0/conv/Conv'."""
        # He-style scaling keeps activations in a sane range through many random layers.
        scale = np.sqrt(2.0 / (c_in * k * k))
        weight = (self.rng.standard_normal((c_out, c_in, k, k)) * scale).astype(np.float32)
        inputs = [x, self.initializer(f"{weight_prefix}.weight", weight)]
        if bias:
            inputs.append(self.initializer(f"{weight_prefix}.bias",
                                           (self.rng.standard_normal(c_out) * 0.1).astype(np.float32)))
        conv_name = f"{scope}/conv/Conv" if activation else f"{scope}/Conv"
        y = self.one("Conv", conv_name, inputs, kernel_shape=[k, k], strides=[stride, stride],
                     pads=[k // 2] * 4)
        if not activation:
            return y
        sig = self.one("Sigmoid", f"{scope}/act/Sigmoid", [y])
        return self.one("Mul", f"{scope}/act/Mul", [y, sig])


def _int64(values: Iterable[int]) -> np.ndarray:
    return np.array(list(values), dtype=np.int64)


def _dynamic_axes(dynamic: bool | Iterable[str]) -> set[str]:
    if dynamic is True:
        return {"batch", "height", "width"}
    if not dynamic:
        return set()
    axes = set(dynamic)
    unknown = axes - {"batch", "height", "width"}
    if unknown:
        raise ValueError(f"dynamic axes must be among batch/height/width, not {sorted(unknown)}")
    return axes


def _attention_block(b: _GraphBuilder, x: str, c: int) -> str:
    """model.10, a C2PSA-like self-attention: the MatMul+Softmax that marks YOLO11 structurally."""
    scope = "/model.10/m/m.0/attn"
    shape_x = b.one("Shape", "/model.10/Shape", [x])
    flat_shape = b.constant(scope, _int64([0, c, -1]))
    q, k, v = (b.one("Reshape", f"{scope}/Reshape_{i}" if i else f"{scope}/Reshape",
                     [b.conv(f"{scope}/{part}", f"model.10.m.0.attn.{part}.conv", x, c, c, activation=False),
                      flat_shape])
               for i, part in enumerate(("q", "k", "v")))
    q_t = b.one("Transpose", f"{scope}/Transpose", [q], perm=[0, 2, 1])
    scores = b.one("MatMul", f"{scope}/MatMul", [q_t, k])
    scaled = b.one("Mul", f"{scope}/Mul", [scores, b.constant(scope, np.array(c ** -0.5, dtype=np.float32))])
    attn = b.one("Softmax", f"{scope}/Softmax", [scaled], axis=-1)
    attn_t = b.one("Transpose", f"{scope}/Transpose_1", [attn], perm=[0, 2, 1])
    mixed = b.one("MatMul", f"{scope}/MatMul_1", [v, attn_t])
    restored = b.one("Reshape", f"{scope}/Reshape_3", [mixed, shape_x])
    return b.one("Add", "/model.10/m/m.0/Add", [x, restored])


def _split_block(b: _GraphBuilder, scope: str, x: str, c: int, opset: int) -> str:
    """A C2f/C3k2-like block: Split the channels in half, refine one half, Concat them back.

    Every real YOLOv8/YOLO11 export has these Splits, and Split is an op onnx's version converter
    cannot move down from opset 18, so the samples must have one too. Its form follows the opset,
    as the exporter's does: an attribute before 13, an input after."""
    half = c // 2
    index = scope.rsplit(".", 1)[1]
    if opset < 13:
        first, second = b.node("Split", f"{scope}/Split", [x], n_outputs=2, axis=1, split=[half, c - half])
    else:
        sizes = b.constant(scope, _int64([half, c - half]))
        first, second = b.node("Split", f"{scope}/Split", [x, sizes], n_outputs=2, axis=1)
    refined = b.conv(f"{scope}/m/m.0/cv1", f"model.{index}.m.0.cv1.conv", second, c - half, c - half, k=3)
    return b.one("Concat", f"{scope}/Concat", [first, refined], axis=1)


def _dfl_decode(b: _GraphBuilder, head: str, box: str) -> str:
    """(N, 64, A) -> (N, 4, A): softmax over 16 bins, expectation via a fixed 1x1 Conv (as exported)."""
    scope = f"{head}/dfl"
    bins = b.one("Reshape", f"{scope}/Reshape", [box, b.constant(scope, _int64([0, 4, REG_MAX, -1]))])
    last = b.one("Transpose", f"{scope}/Transpose", [bins], perm=[0, 1, 3, 2])  # (N,4,A,16)
    # Softmax on the last axis means the same before and after opset 13, so conversion is exact.
    probs = b.one("Softmax", f"{scope}/Softmax", [last], axis=-1)
    channels_first = b.one("Transpose", f"{scope}/Transpose_1", [probs], perm=[0, 3, 1, 2])  # (N,16,4,A)
    weight = np.arange(REG_MAX, dtype=np.float32).reshape(1, REG_MAX, 1, 1)
    expected = b.one("Conv", f"{scope}/conv/Conv",
                     [channels_first, b.initializer(f"{head[1:].replace('/', '.')}.dfl.conv.weight", weight)],
                     kernel_shape=[1, 1])
    return b.one("Reshape", f"{scope}/Reshape_1", [expected, b.constant(scope, _int64([0, 4, -1]))])


def _branch(b: _GraphBuilder, head: str, prefix: str, i: int, x: str, c_in: int, c_mid: int, c_out: int,
            nested: bool) -> str:
    """One head branch, e.g. /model.23/cv2.0/cv2.0.0/conv/Conv ... /model.23/cv2.0/cv2.0.2/Conv."""
    index = head.rsplit(".", 1)[1]
    scope = f"{head}/{prefix}.{i}"
    if nested:  # YOLO11's cv3 nests a depthwise pair: /model.23/cv3.0/cv3.0.0/cv3.0.0.0/conv/Conv
        first = f"{scope}/{prefix}.{i}.0/{prefix}.{i}.0.0"
        weight_first = f"model.{index}.{prefix}.{i}.0.0.conv"
    else:
        first = f"{scope}/{prefix}.{i}.0"
        weight_first = f"model.{index}.{prefix}.{i}.0.conv"
    y = b.conv(first, weight_first, x, c_in, c_mid, k=3)
    return b.conv(f"{scope}/{prefix}.{i}.2", f"model.{index}.{prefix}.{i}.2", y, c_mid, c_out,
                  activation=False)


def _concat_levels(b: _GraphBuilder, head: str, tensors: Sequence[str], channels: int, tag: str) -> str:
    flat = b.constant(head, _int64([0, channels, -1]))
    reshaped = [b.one("Reshape", f"{head}/Reshape_{tag}{i}", [t, flat]) for i, t in enumerate(tensors)]
    return b.one("Concat", f"{head}/Concat_{tag}", reshaped, axis=2)


def _proto(b: _GraphBuilder, head: str, p3: str, c_in: int) -> str:
    """Segment prototype masks: (N, 32, H/4, W/4) as output1."""
    index = head.rsplit(".", 1)[1]
    y = b.conv(f"{head}/proto/cv1", f"model.{index}.proto.cv1.conv", p3, c_in, 16, k=3)
    up_weight = (b.rng.standard_normal((16, 16, 2, 2)) * 0.25).astype(np.float32)
    y = b.one("ConvTranspose", f"{head}/proto/upsample/ConvTranspose",
              [y, b.initializer(f"model.{index}.proto.upsample.weight", up_weight)],
              kernel_shape=[2, 2], strides=[2, 2])
    y = b.conv(f"{head}/proto/cv2", f"model.{index}.proto.cv2.conv", y, 16, 16, k=3)
    return b.conv(f"{head}/proto/cv3", f"model.{index}.proto.cv3.conv", y, 16, MASK_COEFFICIENTS)


def _end2end_tail(b: _GraphBuilder, head: str, boxes: str, scores: str, nc: int, anchors: int | None) -> str:
    """YOLOv10-style NMS-free tail: TopK over all (anchor, class) scores, Mod/Div to split the index."""
    max_det = 300 if anchors is None else min(300, anchors * nc)
    # Anchor-major flattening makes a TopK index mean anchor * nc + class, so (as in the real
    # export) Mod recovers the class and Div the anchor; that Mod is what cv181x refuses.
    anchor_major = b.one("Transpose", f"{head}/Transpose_e2e", [scores], perm=[0, 2, 1])
    flat_scores = b.one("Reshape", f"{head}/Reshape_e2e_1", [anchor_major, b.constant(head, _int64([0, -1]))])
    top_scores, top_index = b.node("TopK", f"{head}/TopK", [flat_scores, b.constant(head, _int64([max_det]))],
                                   n_outputs=2, axis=-1, largest=1, sorted=1)
    n_classes = b.constant(head, np.array(nc, dtype=np.int64))
    class_id = b.one("Mod", f"{head}/Mod", [top_index, n_classes], fmod=0)
    anchor_id = b.one("Div", f"{head}/Div", [top_index, n_classes])
    gather_index = b.one("Tile", f"{head}/Tile",
                         [b.one("Reshape", f"{head}/Reshape_idx", [anchor_id, b.constant(head, _int64([0, -1, 1]))]),
                          b.constant(head, _int64([1, 1, 4]))])
    boxes_last = b.one("Transpose", f"{head}/Transpose_box", [boxes], perm=[0, 2, 1])  # (N, A, 4)
    picked = b.one("GatherElements", f"{head}/GatherElements", [boxes_last, gather_index], axis=1)
    column = b.constant(head, _int64([0, -1, 1]))
    score_col = b.one("Reshape", f"{head}/Reshape_score", [top_scores, column])
    class_col = b.one("Reshape", f"{head}/Reshape_cls",
                      [b.one("Cast", f"{head}/Cast", [class_id], to=TensorProto.FLOAT), column])
    return b.one("Concat", f"{head}/Concat_e2e", [picked, score_col, class_col], axis=2)


def build_sample_model(
    *,
    family: str = "yolo11",
    task: str = "detect",
    imgsz: tuple[int, int] | int = (640, 640),
    class_names: Sequence[str] | None = None,
    metadata: bool = True,
    ir_version: int = 8,
    opset: int = 17,
    dynamic: bool | Iterable[str] = False,
    channels: int = 3,
    base_channels: int = 8,
    pad_to_bytes: int | None = None,
    seed: int = 0,
) -> onnx.ModelProto:
    """Build a YOLO-like ONNX model in memory (see the module docstring for every option)."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, not {family!r}")
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, not {task!r}")
    if not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(f"opset must be in {MIN_OPSET}..{onnx.defs.onnx_opset_version()}, not {opset}")
    height, width_px = (imgsz, imgsz) if isinstance(imgsz, int) else (int(imgsz[0]), int(imgsz[1]))
    names = list(DEFAULT_CLASS_NAMES if class_names is None else class_names)
    nc = max(len(names), 1)
    dynamic_axes = _dynamic_axes(dynamic)
    b = _GraphBuilder(np.random.default_rng(seed))

    # Backbone down to strides 8/16/32, named after the layers of a real YOLO11 backbone.
    c = base_channels
    x = b.conv("/model.0", "model.0.conv", "images", channels, c, k=3, stride=2)
    x = b.conv("/model.1", "model.1.conv", x, c, 2 * c, k=3, stride=2)
    p3 = b.conv("/model.3", "model.3.conv", x, 2 * c, 2 * c, k=3, stride=2)
    p3 = _split_block(b, "/model.4", p3, 2 * c, opset)
    p4 = b.conv("/model.5", "model.5.conv", p3, 2 * c, 4 * c, k=3, stride=2)
    p5 = b.conv("/model.7", "model.7.conv", p4, 4 * c, 4 * c, k=3, stride=2)
    levels = [(p3, 2 * c), (p4, 4 * c), (p5, 4 * c)]
    has_attention = family in ("yolo11", "yolov10")
    if has_attention:
        p5 = _attention_block(b, p5, 4 * c)
        levels[2] = (p5, 4 * c)

    graph_outputs: list[tuple[str, list]] = []
    batch_dim = "batch" if "batch" in dynamic_axes else 1
    spatial_static = not ({"height", "width"} & dynamic_axes)
    anchors = (sum((height // s) * (width_px // s) for s in STRIDES) if spatial_static else None)

    if task == "classify":
        head = "/model.10"
        y = b.conv(f"{head}/conv", "model.10.conv.conv", p5, 4 * c, 32)
        y = b.one("GlobalAveragePool", f"{head}/pool/GlobalAveragePool", [y])
        y = b.one("Flatten", f"{head}/Flatten", [y], axis=1)
        weight = (b.rng.standard_normal((nc, 32)) * 0.2).astype(np.float32)
        y = b.one("Gemm", f"{head}/linear/Gemm",
                  [y, b.initializer("model.10.linear.weight", weight),
                   b.initializer("model.10.linear.bias", np.zeros(nc, np.float32))], transB=1)
        b.nodes.append(helper.make_node("Softmax", [y], ["output0"], name=f"{head}/Softmax", axis=-1))
        graph_outputs.append(("output0", [batch_dim, nc]))
    else:
        head_index = 22 if family == "yolov8" else 23
        head = f"/model.{head_index}"
        neck_indices = (15, 18, 21) if family == "yolov8" else (16, 19, 22)
        features = [b.conv(f"/model.{n}", f"model.{n}.conv", feat, ch, ch)
                    for n, (feat, ch) in zip(neck_indices, levels)]
        box_convs, cls_convs, extra_convs = [], [], []
        extra_channels = {"segment": MASK_COEFFICIENTS, "pose": KEYPOINT_SHAPE[0] * KEYPOINT_SHAPE[1]}.get(task)
        # A YOLOv10 export keeps only its NMS-free one-to-one head: /model.23/one2one_cv2.0/...
        box_prefix, cls_prefix = ("one2one_cv2", "one2one_cv3") if family == "yolov10" else ("cv2", "cv3")
        for i, (feat, (_, ch)) in enumerate(zip(features, levels)):
            box_convs.append(_branch(b, head, box_prefix, i, feat, ch, 16, 4 * REG_MAX, nested=False))
            cls_convs.append(_branch(b, head, cls_prefix, i, feat, ch, 16, nc, nested=family != "yolov8"))
            if extra_channels:
                extra_convs.append(_branch(b, head, "cv4", i, feat, ch, 16, extra_channels, nested=False))
        boxes = _dfl_decode(b, head, _concat_levels(b, head, box_convs, 4 * REG_MAX, "box"))
        boxes = b.one("Mul", f"{head}/Mul", [boxes, b.constant(head, np.array(8.0, dtype=np.float32))])
        scores = b.one("Sigmoid", f"{head}/Sigmoid", [_concat_levels(b, head, cls_convs, nc, "cls")])
        anchors_dim = anchors if anchors is not None else "anchors"
        if family == "yolov10":
            decoded = _end2end_tail(b, head, boxes, scores, nc, anchors)
            max_det = 300 if anchors is None else min(300, anchors * nc)
            graph_outputs.append(("output0", [batch_dim, max_det, 6]))
        else:
            parts = [boxes, scores]
            if extra_channels:
                parts.append(_concat_levels(b, head, extra_convs, extra_channels, "extra"))
            decoded = b.one("Concat", f"{head}/Concat_out", parts, axis=1)
            graph_outputs.append(("output0", [batch_dim, 4 + nc + (extra_channels or 0), anchors_dim]))
        b.nodes.append(helper.make_node("Identity", [decoded], ["output0"], name=f"{head}/Identity_out"))
        if task == "segment":
            proto = _proto(b, head, features[0], levels[0][1])
            b.nodes.append(helper.make_node("Identity", [proto], ["output1"], name=f"{head}/proto/Identity_out"))
            proto_h = height // 4 if "height" not in dynamic_axes else "proto_height"
            proto_w = width_px // 4 if "width" not in dynamic_axes else "proto_width"
            graph_outputs.append(("output1", [batch_dim, MASK_COEFFICIENTS, proto_h, proto_w]))

    if pad_to_bytes:
        _add_padding(b, pad_to_bytes)

    input_dims = [batch_dim, channels, "height" if "height" in dynamic_axes else height,
                  "width" if "width" in dynamic_axes else width_px]
    graph = helper.make_graph(
        b.nodes,
        "main_graph",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, input_dims)],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, dims) for name, dims in graph_outputs],
        initializer=b.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="pytorch", producer_version="2.5.0")
    model.ir_version = ir_version
    if metadata and family != "plain":
        _write_metadata(model, family, task, (height, width_px), names)
    if family == "plain":
        _rename_generically(model)
    return model


def _add_padding(b: _GraphBuilder, pad_to_bytes: int) -> None:
    """Inflate the model with one big weight that reaches output0 as `+ 0 * sum(weight[:1])`.

    Wiring it in (instead of leaving it dangling) keeps onnxruntime from pruning it with a warning,
    and slicing one element keeps the runtime cost at zero."""
    current = sum(len(t.raw_data) for t in b.initializers)
    count = max((pad_to_bytes - current) // 4, 1)
    pad = b.initializer("model.pad.weight", b.rng.standard_normal(count).astype(np.float32))
    first = b.one("Slice", "/model.pad/Slice", [pad, b.constant("/model.pad", _int64([0])),
                                               b.constant("/model.pad", _int64([1]))])
    zero = b.one("Mul", "/model.pad/Mul", [first, b.constant("/model.pad", np.zeros(1, np.float32))])
    # Re-route: the old producer of output0 now writes a raw tensor, and output0 = raw + zero.
    producer = next(n for n in b.nodes if "output0" in n.output)
    producer.output[list(producer.output).index("output0")] = "/model.pad/raw_output_0"
    b.nodes.append(helper.make_node("Add", ["/model.pad/raw_output_0", zero], ["output0"], name="/model.pad/Add"))


def _write_metadata(model: onnx.ModelProto, family: str, task: str, imgsz: tuple[int, int],
                    names: Sequence[str]) -> None:
    props = {
        "description": _DESCRIPTIONS[family].format(suffix=_TASK_SUFFIX[task]),
        "author": "Ultralytics",
        "version": "8.3.40",
        "license": "AGPL-3.0 License (https://ultralytics.com/license)",
        "docs": "https://docs.ultralytics.com",
        "stride": "32",
        "task": task,
        "batch": "1",
        "imgsz": str([imgsz[0], imgsz[1]]),
        "names": str({i: name for i, name in enumerate(names)}),
        "channels": "3",
    }
    if task == "pose":
        props["kpt_shape"] = str(list(KEYPOINT_SHAPE))
    if family == "yolov10":
        props["end2end"] = "True"
    helper.set_model_props(model, props)


def _rename_generically(model: onnx.ModelProto) -> None:
    """Strip every YOLO hint from names, as a model exported by another tool would look."""
    graph = model.graph
    mapping: dict[str, str] = {"images": "input", "output0": "output", "output1": "output_1"}
    for index, node in enumerate(graph.node):
        node.name = f"{node.op_type.lower()}_{index}"
        for k, out in enumerate(node.output):
            mapping.setdefault(out, f"t{index}_{k}")
    for index, init in enumerate(graph.initializer):
        mapping.setdefault(init.name, f"w{index}")
        init.name = mapping[init.name]
    for node in graph.node:
        node.input[:] = [mapping.get(name, name) for name in node.input]
        node.output[:] = [mapping.get(name, name) for name in node.output]
    for value in list(graph.input) + list(graph.output):
        value.name = mapping.get(value.name, value.name)


def write_sample_model(path: str | Path, **options) -> Path:
    """Build a sample model (same options as :func:`build_sample_model`) and save it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build_sample_model(**options), str(path))
    return path
