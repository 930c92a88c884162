"""A tiny YOLO-shaped detect ONNX with CHOSEN weights that really finds planted objects.

The random-weight sample models (wizard/core/sample_model.py) prove a conversion runs; they
cannot prove the converted model still detects anything. This one can: its weights are
designed, not trained, so planted coloured squares give float detections at known places and
the INT8 cvimodel (after a real calibration) must find them too.

What it computes (``build_detecting_model``), per class c of ``CLASS_NAMES`` (red, green, blue):

    mask_c   = clip(4 * (x_c - (x_other1 + x_other2) / 2) - 2, 0, 1)   1x1 Conv + Clip: 1 on a
               saturated colour, 0 on anything greyish (the pictures' backgrounds)
    cells    = 2x2 average pools of the mask down to strides 8, 16, 32 (fraction of each cell)
    P3, P5   = 3x3 and 5x5 average pools on each stride's grid (count_include_pad)
    cv3.i.1  = 1x1 Conv on [P3, P5] + Clip: on = clip(4 * (centre-surround - 0.6), 0, 1), where
               centre-surround = P3 - mean of the 16-cell ring = 25/16 * (P3 - P5)
    cv3.i.2  = 1x1 Conv: logit = 8 * on - 4

A square of exactly 3x3 cells of stride s, aligned to that stride's grid, has centre-surround
1.0 at the cell under its centre (logit +4, sigmoid 0.98) and <= 0.48 one cell off (logit -4);
a bigger square (or one of another stride's size) about 0 everywhere. So each stride sees only
its own size: ``OBJECT_CELLS * stride`` = 24, 48, 96 px. The logits are only ever -4 or +4 (a
little between): a symmetric INT8 range the calibration cannot get wrong, so the guide's
similarity check passes.
    cv2.i.2  = 1x1 Conv whose bias puts the DFL logits of every side on bins 1 and 2 (a tiny
               weight on the inputs keeps it a real conv): distance 1.5 stride units each side,
               so every box is 3 cells = the planted square.
The graph then continues with an Ultralytics-like decode (DFL softmax-expectation, anchors,
dist2bbox in pixels, sigmoid) into ``output0`` (1, 4+nc, anchors), and carries Ultralytics
metadata (description, names, imgsz, task, stride), so wizard/core/model_inspect.py reports
YOLO11 (layer 23) or YOLOv8 (layer 22) detect with the six head convs.

``make_pictures`` draws S x S JPEGs (greyish noisy backgrounds, 1-4 squares each, never touching)
and returns where the squares are; ``decode_heads`` is the Ultralytics/reCamera decode of the
six heads (numpy), ``match_detections`` pairs detections with the planted truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

CLASS_NAMES = ("red", "green", "blue")
COLOURS = {0: (235, 20, 25), 1: (20, 225, 30), 2: (25, 30, 235)}
STRIDES = (8, 16, 32)
OBJECT_CELLS = 3  # a planted square is this many cells of its stride wide
REG_MAX = 16
# The DFL logits of every box side: bins 1 and 2 equally likely -> expected distance 1.5 cells.
_DFL_LOGITS = np.array([0.0, 10.0, 10.0] + [0.0] * (REG_MAX - 3), dtype=np.float32)
_ON_GAIN, _ON_FROM = 4.0, 0.6  # on = clip(_ON_GAIN * (centre-surround - _ON_FROM), 0, 1)
_LOGIT = 4.0  # logit = _LOGIT * (2 * on - 1)


def head_names(head_index: int) -> list[str]:
    """The six head outputs in the decoder's order: cv2.0, cv3.0, cv2.1, cv3.1, cv2.2, cv3.2."""
    return [f"/model.{head_index}/{branch}.{i}/{branch}.{i}.2/Conv_output_0"
            for i in range(3) for branch in ("cv2", "cv3")]


def object_size(stride: int) -> int:
    return OBJECT_CELLS * stride


# --- the model -------------------------------------------------------------------------------------


def build_detecting_model(imgsz: int = 320, family: str = "yolo11", opset: int = 17):
    """The ONNX ModelProto (IR 8). ``family`` "yolo11" puts Detect at layer 23, "yolov8" at 22."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if family not in ("yolo11", "yolov8") or imgsz % 32:
        raise ValueError("family must be yolo11 or yolov8 and imgsz a multiple of 32")
    head_index = 23 if family == "yolo11" else 22
    head = f"/model.{head_index}"
    nc = len(CLASS_NAMES)
    nodes: list = []
    inits: list = []

    def init(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op: str, name: str, inputs: Sequence[str], **attrs) -> str:
        out = f"{name}_output_0"
        nodes.append(helper.make_node(op, list(inputs), [out], name=name, **attrs))
        return out

    def const(name: str, array: np.ndarray) -> str:
        return node("Constant", name, [], value=numpy_helper.from_array(np.asarray(array)))

    # model.0: colour masks. Weight row c: +1 on channel c, -1/2 on the two others, times 4.
    colour = np.full((nc, 3), -0.5, dtype=np.float32)
    np.fill_diagonal(colour, 1.0)
    x = node("Conv", "/model.0/conv/Conv",
             ["images", init("model.0.conv.weight", (4.0 * colour).reshape(nc, 3, 1, 1)),
              init("model.0.conv.bias", np.full(nc, -2.0, np.float32))], kernel_shape=[1, 1])
    mask = node("Clip", "/model.0/act/Clip", [x, const("/model.0/act/Constant", np.float32(0.0)),
                                              const("/model.0/act/Constant_1", np.float32(1.0))])
    # model.1-5: 2x2 average pools, strides 2..32 (cell fractions).
    levels = {}
    y = mask
    for k, stride in enumerate((2, 4, 8, 16, 32), start=1):
        y = node("AveragePool", f"/model.{k}/pool/AveragePool", [y], kernel_shape=[2, 2], strides=[2, 2])
        levels[stride] = y
    box_outs, cls_outs = [], []
    weight_dfl = np.zeros((4 * REG_MAX, 2 * nc, 1, 1), dtype=np.float32)
    weight_dfl[:, :, 0, 0] = 1e-3  # a real (if negligible) dependence on the features
    bias_dfl = np.tile(_DFL_LOGITS, 4)
    # centre-surround = (9 + 16) / 16 * (P3 - P5): the 3x3 mean minus the mean of the ring around it
    gain = _ON_GAIN * (OBJECT_CELLS ** 2 + 16) / 16.0
    weight_on = np.zeros((nc, 2 * nc, 1, 1), dtype=np.float32)
    for c in range(nc):
        weight_on[c, c, 0, 0] = gain
        weight_on[c, nc + c, 0, 0] = -gain
    bias_on = np.full(nc, -_ON_GAIN * _ON_FROM, dtype=np.float32)
    weight_cls = (2 * _LOGIT * np.eye(nc, dtype=np.float32)).reshape(nc, nc, 1, 1)
    bias_cls = np.full(nc, -_LOGIT, dtype=np.float32)
    zero, one = const("/model.0/act/Constant_2", np.float32(0.0)), const("/model.0/act/Constant_3", np.float32(1.0))
    for i, stride in enumerate(STRIDES):
        neck = f"/model.{16 + 3 * i - (1 if family == 'yolov8' else 0)}"
        p3 = node("AveragePool", f"{neck}/p3/AveragePool", [levels[stride]], kernel_shape=[3, 3],
                  strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1)
        p5 = node("AveragePool", f"{neck}/p5/AveragePool", [levels[stride]], kernel_shape=[5, 5],
                  strides=[1, 1], pads=[2, 2, 2, 2], count_include_pad=1)
        feats = node("Concat", f"{neck}/Concat", [p3, p5], axis=1)
        box_outs.append(node("Conv", f"{head}/cv2.{i}/cv2.{i}.2/Conv",
                             [feats, init(f"model.{head_index}.cv2.{i}.2.weight", weight_dfl),
                              init(f"model.{head_index}.cv2.{i}.2.bias", bias_dfl)], kernel_shape=[1, 1]))
        on = node("Conv", f"{head}/cv3.{i}/cv3.{i}.1/conv/Conv",
                  [feats, init(f"model.{head_index}.cv3.{i}.1.conv.weight", weight_on),
                   init(f"model.{head_index}.cv3.{i}.1.conv.bias", bias_on)], kernel_shape=[1, 1])
        on = node("Clip", f"{head}/cv3.{i}/cv3.{i}.1/act/Clip", [on, zero, one])
        cls_outs.append(node("Conv", f"{head}/cv3.{i}/cv3.{i}.2/Conv",
                             [on, init(f"model.{head_index}.cv3.{i}.2.weight", weight_cls),
                              init(f"model.{head_index}.cv3.{i}.2.bias", bias_cls)], kernel_shape=[1, 1]))

    # The Ultralytics decode tail: (1, 4+nc, A) with cx, cy, w, h in input pixels.
    flat_box = const(f"{head}/Constant", np.array([0, 4 * REG_MAX, -1], np.int64))
    flat_cls = const(f"{head}/Constant_1", np.array([0, nc, -1], np.int64))
    boxes = node("Concat", f"{head}/Concat_box",
                 [node("Reshape", f"{head}/Reshape_box{i}", [b, flat_box]) for i, b in enumerate(box_outs)], axis=2)
    scores = node("Concat", f"{head}/Concat_cls",
                  [node("Reshape", f"{head}/Reshape_cls{i}", [c, flat_cls]) for i, c in enumerate(cls_outs)], axis=2)
    bins = node("Reshape", f"{head}/dfl/Reshape",
                [boxes, const(f"{head}/dfl/Constant", np.array([0, 4, REG_MAX, -1], np.int64))])
    probs = node("Softmax", f"{head}/dfl/Softmax", [bins], axis=2)
    expected = node("ReduceSum", f"{head}/dfl/ReduceSum",
                    [node("Mul", f"{head}/dfl/Mul",
                          [probs, init(f"model.{head_index}.dfl.bins",
                                       np.arange(REG_MAX, dtype=np.float32).reshape(1, 1, REG_MAX, 1))]),
                     const(f"{head}/dfl/Constant_1", np.array([2], np.int64))], keepdims=0)  # (1, 4, A)
    anchors, stride_row = _anchor_grid(imgsz)
    lt = node("Slice", f"{head}/Slice", [expected, const(f"{head}/Constant_2", np.array([0], np.int64)),
                                         const(f"{head}/Constant_3", np.array([2], np.int64)),
                                         const(f"{head}/Constant_4", np.array([1], np.int64))])
    rb = node("Slice", f"{head}/Slice_1", [expected, const(f"{head}/Constant_5", np.array([2], np.int64)),
                                           const(f"{head}/Constant_6", np.array([4], np.int64)),
                                           const(f"{head}/Constant_7", np.array([1], np.int64))])
    anchor_name = init(f"model.{head_index}.anchors", anchors[None])
    x1y1 = node("Sub", f"{head}/Sub", [anchor_name, lt])
    x2y2 = node("Add", f"{head}/Add", [anchor_name, rb])
    centre = node("Div", f"{head}/Div", [node("Add", f"{head}/Add_1", [x1y1, x2y2]),
                                         const(f"{head}/Constant_8", np.float32(2.0))])
    size = node("Sub", f"{head}/Sub_1", [x2y2, x1y1])
    xywh = node("Mul", f"{head}/Mul", [node("Concat", f"{head}/Concat", [centre, size], axis=1),
                                       init(f"model.{head_index}.strides", stride_row[None, None])])
    decoded = node("Concat", f"{head}/Concat_1", [xywh, node("Sigmoid", f"{head}/Sigmoid", [scores])], axis=1)
    nodes.append(helper.make_node("Identity", [decoded], ["output0"], name=f"{head}/Identity"))

    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, imgsz, imgsz])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 4 + nc, anchors.shape[1]])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="pytorch", producer_version="2.5.0")
    model.ir_version = 8
    helper.set_model_props(model, {
        "description": f"Ultralytics {'YOLO11n' if family == 'yolo11' else 'YOLOv8n'} model (designed weights)",
        "author": "Ultralytics", "version": "8.3.40", "task": "detect", "stride": "32", "batch": "1",
        "imgsz": str([imgsz, imgsz]), "names": str(dict(enumerate(CLASS_NAMES))), "channels": "3",
    })
    onnx.checker.check_model(model)
    return model


def write_detecting_model(path: str | Path, imgsz: int = 320, family: str = "yolo11") -> Path:
    import onnx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(build_detecting_model(imgsz, family), str(path))
    return path


def _anchor_grid(imgsz: int) -> tuple[np.ndarray, np.ndarray]:
    """Anchor centres (2, A) in stride units (col+0.5, row+0.5) and each anchor's stride (A,)."""
    points, strides = [], []
    for stride in STRIDES:
        grid = imgsz // stride
        rows, cols = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
        points.append(np.stack([cols.ravel() + 0.5, rows.ravel() + 0.5]))
        strides.append(np.full(grid * grid, stride))
    return np.concatenate(points, axis=1).astype(np.float32), np.concatenate(strides).astype(np.float32)


# --- pictures with planted objects ---------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    """One planted square: class id and its box in picture pixels (x1, y1, x2, y2)."""

    cls: int
    box: tuple[int, int, int, int]

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


def plant_objects(size: int, seed: int, max_objects: int = 4) -> list[Planted]:
    """1..max_objects squares of the three strides' sizes, aligned to their grids, never closer
    than one of their cells to another one (the centre-surround would see its neighbour)."""
    chooser = random.Random(seed)
    planted: list[Planted] = []
    wanted = chooser.randint(1, max_objects)
    for _ in range(200):  # tries: a crowded picture simply gets fewer squares
        if len(planted) >= wanted:
            break
        stride = chooser.choice([s for s in STRIDES if object_size(s) + 2 * s <= size])
        side = object_size(stride)
        cells = size // stride
        col, row = chooser.randint(1, cells - OBJECT_CELLS - 1), chooser.randint(1, cells - OBJECT_CELLS - 1)
        box = (col * stride, row * stride, col * stride + side, row * stride + side)
        margin = 32  # the largest cell: clears every stride's ring
        if all(box[0] >= p.box[2] + margin or p.box[0] >= box[2] + margin
               or box[1] >= p.box[3] + margin or p.box[1] >= box[3] + margin for p in planted):
            planted.append(Planted(chooser.randrange(len(CLASS_NAMES)), box))
    return planted


def draw_picture(size: int, planted: Sequence[Planted], seed: int):
    """A PIL RGB picture: a greyish gradient with noise (no saturated colour) and the squares."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    base = rng.uniform(60, 200)
    ramp = np.linspace(-40, 40, size)[None, :, None] * rng.choice([-1, 1])
    tint = rng.uniform(-12, 12, size=3)[None, None, :]
    pixels = base + ramp + tint + rng.normal(0, 6, size=(size, size, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for p in planted:
        draw.rectangle((p.box[0], p.box[1], p.box[2] - 1, p.box[3] - 1), fill=COLOURS[p.cls])
    return image


def make_pictures(folder: str | Path, count: int, size: int = 320, seed: int = 0) -> dict[str, list[Planted]]:
    """``count`` JPEGs ``planted_NN.jpg`` in ``folder``; returns {file name: planted squares}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    truth: dict[str, list[Planted]] = {}
    for index in range(count):
        planted = plant_objects(size, seed * 10_007 + index)
        name = f"planted_{index:02d}.jpg"
        draw_picture(size, planted, seed * 10_007 + index).save(folder / name, "JPEG", quality=95)
        truth[name] = planted
    return truth


# --- decoding and matching -----------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    cls: int
    score: float
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in input pixels


def decode_heads(heads: Mapping[str, np.ndarray] | Sequence[np.ndarray], conf: float = 0.25,
                 iou: float = 0.7) -> list[Detection]:
    """The Ultralytics decode of the six heads (box 64 ch and class nc ch per stride): softmax-
    expectation DFL, centres (col+0.5, row+0.5)*stride, sigmoid, score > conf, class-aware NMS.
    Heads are told apart by channels (64 = box) and grid size (-> stride), never by position."""
    arrays = list(heads.values()) if isinstance(heads, Mapping) else list(heads)
    grids = sorted({a.shape[-1] for a in arrays}, reverse=True)
    imgsz = grids[0] * STRIDES[0]
    found: list[Detection] = []
    for grid in grids:
        box = next(a for a in arrays if a.shape[-1] == grid and a.shape[1] == 4 * REG_MAX)
        cls = next(a for a in arrays if a.shape[-1] == grid and a.shape[1] != 4 * REG_MAX)
        stride = imgsz // grid
        logits = box.reshape(4, REG_MAX, grid, grid).astype(np.float64)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        dist = (probs * np.arange(REG_MAX)[None, :, None, None]).sum(axis=1)  # l, t, r, b
        scores = 1.0 / (1.0 + np.exp(-cls.reshape(-1, grid, grid).astype(np.float64)))
        for c, row, col in zip(*np.nonzero(scores > conf)):
            ax, ay = col + 0.5, row + 0.5
            l, t, r, b = dist[:, row, col]
            found.append(Detection(int(c), float(scores[c, row, col]),
                                   (float((ax - l) * stride), float((ay - t) * stride),
                                    float((ax + r) * stride), float((ay + b) * stride))))
    return _nms(found, iou)


def decode_output0(output0: np.ndarray, conf: float = 0.25, iou: float = 0.7) -> list[Detection]:
    """The same from the graph's own decoded ``output0`` (1, 4+nc, A): cx, cy, w, h, scores."""
    table = output0[0]
    found = []
    for c, a in zip(*np.nonzero(table[4:] > conf)):
        cx, cy, w, h = table[:4, a]
        found.append(Detection(int(c), float(table[4 + c, a]),
                               (float(cx - w / 2), float(cy - h / 2), float(cx + w / 2), float(cy + h / 2))))
    return _nms(found, iou)


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _nms(found: list[Detection], iou: float) -> list[Detection]:
    kept: list[Detection] = []
    for det in sorted(found, key=lambda d: -d.score):
        if all(k.cls != det.cls or box_iou(k.box, det.box) <= iou for k in kept):
            kept.append(det)
    return kept


def match_detections(truth: Sequence[Planted], found: Sequence[Detection], min_iou: float = 0.5):
    """(matched pairs, missed planted, extra detections): same class and IoU >= min_iou."""
    pairs, missed = [], []
    left = list(found)
    for planted in truth:
        best = max((d for d in left if d.cls == planted.cls), key=lambda d: box_iou(d.box, planted.box), default=None)
        if best is not None and box_iou(best.box, planted.box) >= min_iou:
            pairs.append((planted, best))
            left.remove(best)
        else:
            missed.append(planted)
    return pairs, missed, left


def run_onnx(model_path: str | Path, picture) -> dict[str, np.ndarray]:
    """Run the float ONNX (onnxruntime) on a PIL picture of the model's size, as RGB/255 NCHW:
    {tensor name: array} for output0 and the six heads."""
    import onnx
    import onnxruntime

    model = onnx.load(str(model_path))
    wanted = [o for n in model.graph.node for o in n.output if o.endswith(".2/Conv_output_0")]
    model.graph.output.extend([onnx.helper.make_empty_tensor_value_info(name) for name in wanted])
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    pixels = np.asarray(picture.convert("RGB"), dtype=np.float32).transpose(2, 0, 1)[None] / 255.0
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, {"images": pixels})))
