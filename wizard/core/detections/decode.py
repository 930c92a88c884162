"""Boxes from the six head tensors: the camera's decoder, and Ultralytics' as a reference.

The camera (SSCMA-Micro ``ma_model_yolo11.cpp``, float outputs, ``postProcessF32``):
- per cell, the largest class logit (on a tie the LAST class wins: ``if (score < max) continue``)
  must exceed ``inverseSigmoid(tscore)``; score = sigmoid(logit);
- each of the 4 sides (l, t, r, b) is the expectation of a softmax over 16 DFL bins, channel =
  side*16 + bin; anchors at (col + 0.5, row + 0.5), stride = input height / grid height;
  x1 = (col + 0.5 - l) * stride, x2 = (col + 0.5 + r) * stride (the Ultralytics math);
- results are pushed to the FRONT of a list, stably sorted by score, then NMS (``ma_nms.cpp``):
  hard, class-agnostic, a box is dropped when its IoU with a kept one is > tiou, and the IoU
  reads the box's centre (x, y) as if it were the top-left corner; no limit on the count;
  finally sorted by centre x.
- int8 outputs (``postProcessI8``): the class maximum is taken on the int8 values, then
  dequantized with the BOX tensor's scale, and the DFL bins with the CLASS tensor's scale:
  swapped. :func:`decode_camera` reproduces that when given ``quant`` (detections.md).

Ultralytics (``predict`` defaults, ``utils/nms.py``): score = sigmoid of the largest logit (the
first class on a tie) > conf 0.25, the 30000 best kept, class-aware NMS with true IoU > 0.7
dropped, at most 300 boxes.

Boxes are x1, y1, x2, y2 in model-input pixels (the letterboxed picture).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from wizard.core.detections.heads import HeadLayout, HeadTensors
from wizard.core.messages import WizardError

FLOAT_EPSILON = float(np.finfo(np.float32).eps)
ULTRALYTICS_MAX_WH = 7680  # class offset of the class-aware NMS (utils/nms.py)
ULTRALYTICS_MAX_NMS = 30000


@dataclass(frozen=True)
class Thresholds:
    """Score and NMS IoU thresholds as the camera's flow sets them."""

    score: float = 0.45
    iou: float = 0.25
    source: str = "model_node_default"  # model_node_default | factory_flow | camera_flow | user

    def to_dict(self) -> dict[str, object]:
        return {"score": self.score, "iou": self.iou, "source": self.source}


# The Node-RED model node's defaults (nodes/model.html) and the factory flow's (sg200x flows.json).
MODEL_NODE_DEFAULT = Thresholds(0.45, 0.25, "model_node_default")
FACTORY_FLOW = Thresholds(0.5, 0.4, "factory_flow")


@dataclass(frozen=True)
class UltralyticsSettings:
    conf: float = 0.25
    iou: float = 0.7
    max_det: int = 300

    def to_dict(self) -> dict[str, object]:
        return {"conf": self.conf, "iou": self.iou, "max_det": self.max_det}


@dataclass(frozen=True)
class QuantParam:
    """An int8 tensor's dequantization: value = (q - zero_point) * scale."""

    scale: float
    zero_point: int = 0


@dataclass(frozen=True)
class Detections:
    boxes: np.ndarray  # (N, 4) float64 x1, y1, x2, y2
    scores: np.ndarray  # (N,) float64
    classes: np.ndarray  # (N,) int64

    def __len__(self) -> int:
        return int(self.scores.shape[0])

    @classmethod
    def empty(cls) -> "Detections":
        return cls(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64))

    def take(self, index: np.ndarray | Sequence[int]) -> "Detections":
        index = np.asarray(index, dtype=np.int64)
        return Detections(self.boxes[index], self.scores[index], self.classes[index])


HeadArrays = list[tuple[np.ndarray, np.ndarray]]  # per scale: box (64, G, G), class (nc, G, G)


def head_arrays(outputs: Mapping[str, np.ndarray], layout: HeadLayout, tensors: HeadTensors) -> HeadArrays:
    """The six heads of one side as float32 (C, G, G), checked against the layout."""
    arrays: HeadArrays = []
    for scale in layout.scales:
        pair = []
        for name, channels in ((scale.box, 4 * layout.reg_max), (scale.cls, layout.num_classes)):
            key = tensors.keys[name]
            value = np.asarray(outputs[key], dtype=np.float32)
            if value.shape != (1, channels, scale.grid_h, scale.grid_w):
                raise WizardError.of("detections_outputs_shape", name=key, shape=list(value.shape),
                                     expected=[1, channels, scale.grid_h, scale.grid_w])
            pair.append(value[0])
        arrays.append((pair[0], pair[1]))
    return arrays


def infer_quant(values: np.ndarray) -> QuantParam | None:
    """The scale of dequantized symmetric int8 values (cv181x INT8 has zero point 0).

    model_runner writes int8 outputs as float32(q) * float32(scale), so every value divides back
    to an integer in [-128, 127]. Tried in turn: the largest magnitude as q = 127 (saturated
    outputs), then the smallest as q = 1, 2, ... 8. A fallback: the runner's own qscale, when it
    reports one, is exact.
    """
    values = np.asarray(values, dtype=np.float32)
    magnitudes = np.abs(values.ravel())
    nonzero = magnitudes[magnitudes > 0]
    if nonzero.size == 0:
        return None
    smallest = float(nonzero.min())
    candidates = [float(nonzero.max()) / 127] + [smallest / k for k in range(1, 9)]
    sample = values.ravel()[:: max(1, values.size // 2048)]  # float tensors fail here, fast

    def fits(data: np.ndarray, scale: np.float32) -> bool:
        ratio = data / scale
        rounded = np.rint(ratio)
        return bool(np.all(np.abs(ratio - rounded) < 1e-3) and np.all(np.abs(rounded) <= 128))

    for candidate in candidates:
        scale = np.float32(candidate)
        if fits(sample, scale) and fits(values, scale):
            return QuantParam(float(scale), 0)
    return None


def requantize(values: np.ndarray, quant: QuantParam) -> np.ndarray:
    return (np.rint(np.asarray(values, dtype=np.float32) / np.float32(quant.scale)) + quant.zero_point).astype(np.int32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return (np.float32(1.0) / (np.float32(1.0) + np.exp(-x))).astype(np.float32)


def inverse_sigmoid(score: float) -> np.float32:
    """ma::math::inverseSigmoid in float32."""
    x = np.float32(score)
    denominator = np.float32(1.0) - x
    if abs(denominator) < np.finfo(np.float32).eps:
        denominator = np.finfo(np.float32).eps
    return np.float32(np.log(np.float32(x / denominator)))


def _dfl(bins: np.ndarray, reg_max: int) -> np.ndarray:
    """(4*reg_max, N) logits -> (4, N) side lengths in cells: softmax expectation per side."""
    logits = bins.reshape(4, reg_max, -1).astype(np.float32)
    logits = logits - logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("sbn,b->sn", weights, np.arange(reg_max, dtype=np.float32))


def _boxes(sides: np.ndarray, cells: np.ndarray, grid_w: int, stride: int) -> np.ndarray:
    col = (cells % grid_w).astype(np.float64) + 0.5
    row = (cells // grid_w).astype(np.float64) + 0.5
    l, t, r, b = (sides[i].astype(np.float64) for i in range(4))
    return np.stack([(col - l) * stride, (row - t) * stride, (col + r) * stride, (row + b) * stride], axis=1)


def _last_argmax(values: np.ndarray) -> np.ndarray:
    """Index of the maximum along axis 0, the LAST one on a tie (the camera's ``score < max``)."""
    return values.shape[0] - 1 - np.argmax(values[::-1], axis=0)


def camera_candidates(
    arrays: HeadArrays,
    layout: HeadLayout,
    score_threshold: float,
    quant: Sequence[tuple[QuantParam, QuantParam]] | None = None,
) -> Detections:
    """Boxes above the score threshold before NMS, in the camera's list order.

    ``quant`` (per scale: box, class) switches to the int8 path with the camera's swapped scales.
    """
    threshold = inverse_sigmoid(score_threshold)
    parts: list[Detections] = []
    for index, (scale, (box, cls)) in enumerate(zip(layout.scales, arrays)):
        stride = layout.input_height // scale.grid_h  # int division, as the camera does
        cls_flat = cls.reshape(cls.shape[0], -1)
        box_flat = box.reshape(box.shape[0], -1)
        # The class maximum first (a fast reduction); the arg-max only for the few cells kept.
        best = cls_flat.max(axis=0)
        if quant is None:
            keep = np.nonzero(best > threshold)[0]
            logits = best[keep]
            target = _last_argmax(cls_flat[:, keep])
            bins = box_flat[:, keep]
        else:
            box_q, cls_q = quant[index]
            # rint is monotonic: the int8 maximum is the float maximum requantized.
            best_q = requantize(best, cls_q)
            # The class maximum dequantized with the box tensor's parameters.
            logits_all = (best_q - box_q.zero_point).astype(np.float32) * np.float32(box_q.scale)
            keep = np.nonzero(logits_all > threshold)[0]
            logits = logits_all[keep]
            target = _last_argmax(requantize(cls_flat[:, keep], cls_q))  # ties among int8 levels
            q_box = requantize(box_flat[:, keep], box_q)
            bins = (q_box - cls_q.zero_point).astype(np.float32) * np.float32(cls_q.scale)
        if keep.size == 0:
            continue
        sides = _dfl(bins, layout.reg_max)
        parts.append(Detections(_boxes(sides, keep, scale.grid_w, stride),
                                _sigmoid(logits).astype(np.float64), target.astype(np.int64)))
    if not parts:
        return Detections.empty()
    merged = Detections(np.concatenate([p.boxes for p in parts]), np.concatenate([p.scores for p in parts]),
                        np.concatenate([p.classes for p in parts]))
    # emplace_front: the list holds the last decoded cell first.
    return merged.take(np.arange(len(merged))[::-1])


def camera_iou(first: np.ndarray, others: np.ndarray, width: int, height: int) -> np.ndarray:
    """ma::utils::compute_iou on the camera's normalized (cx, cy, w, h), centre read as corner."""
    def normalized(boxes: np.ndarray) -> tuple[np.ndarray, ...]:
        boxes = boxes.astype(np.float32)
        w = boxes[:, 2] - boxes[:, 0]
        h = boxes[:, 3] - boxes[:, 1]
        cx = (boxes[:, 0] + w / np.float32(2)) / np.float32(width)
        cy = (boxes[:, 1] + h / np.float32(2)) / np.float32(height)
        return cx, cy, w / np.float32(width), h / np.float32(height)

    ax, ay, aw, ah = normalized(first.reshape(1, 4))
    bx, by, bw, bh = normalized(others)
    x1 = np.maximum(ax, bx)
    y1 = np.maximum(ay, by)
    x2 = np.minimum(ax + aw, bx + bw)
    y2 = np.minimum(ay + ah, by + bh)
    inter = np.maximum(np.float32(0), x2 - x1) * np.maximum(np.float32(0), y2 - y1)
    union = aw * ah + bw * bh - inter
    tiny = np.abs(union) < FLOAT_EPSILON
    iou = inter / np.where(tiny, np.float32(1), union)
    return np.where(tiny, np.float32(0), iou)


def box_iou(first: np.ndarray, others: np.ndarray) -> np.ndarray:
    """True IoU of one x1y1x2y2 box against many (torchvision's box_iou)."""
    first = np.asarray(first, dtype=np.float64).reshape(4)
    others = np.asarray(others, dtype=np.float64).reshape(-1, 4)
    w = np.clip(np.minimum(first[2], others[:, 2]) - np.maximum(first[0], others[:, 0]), 0, None)
    h = np.clip(np.minimum(first[3], others[:, 3]) - np.maximum(first[1], others[:, 1]), 0, None)
    inter = w * h
    area = (first[2] - first[0]) * (first[3] - first[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True IoU of every box in ``a`` (N, 4) with every box in ``b`` (M, 4)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(1, -1, 4)
    w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = w * h
    union = ((a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
             + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter)
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def greedy_nms(boxes: np.ndarray, order: np.ndarray, iou_threshold: float,
               iou: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """Hard NMS over ``order`` (best first): drop every later box whose IoU with a kept one is >."""
    order = np.asarray(order, dtype=np.int64)
    alive = np.ones(order.size, dtype=bool)
    keep = []
    for position in range(order.size):
        if not alive[position]:
            continue
        keep.append(order[position])
        rest = position + 1 + np.nonzero(alive[position + 1:])[0]
        if rest.size:
            overlap = iou(boxes[order[position]], boxes[order[rest]])
            alive[rest[overlap > iou_threshold]] = False
    return np.asarray(keep, dtype=np.int64)


def camera_nms(candidates: Detections, iou_threshold: float, width: int, height: int) -> Detections:
    if not len(candidates):
        return candidates
    # forward_list::sort is stable: equal scores keep the list order.
    order = np.argsort(-candidates.scores, kind="stable")
    keep = greedy_nms(candidates.boxes, order, iou_threshold,
                      lambda one, many: camera_iou(one, many, width, height))
    kept = candidates.take(keep)
    centre_x = (kept.boxes[:, 0] + kept.boxes[:, 2]) / 2
    return kept.take(np.argsort(centre_x, kind="stable"))


def decode_camera(arrays: HeadArrays, layout: HeadLayout, thresholds: Thresholds,
                  quant: Sequence[tuple[QuantParam, QuantParam]] | None = None) -> Detections:
    """What the camera reports for these head tensors (model-input pixels)."""
    candidates = camera_candidates(arrays, layout, thresholds.score, quant)
    return camera_nms(candidates, thresholds.iou, layout.input_width, layout.input_height)


def decode_ultralytics(arrays: HeadArrays, layout: HeadLayout,
                       settings: UltralyticsSettings = UltralyticsSettings()) -> Detections:
    """Ultralytics' predict() post-processing on the same tensors, for reference."""
    parts: list[Detections] = []
    for scale, (box, cls) in zip(layout.scales, arrays):
        stride = layout.input_height // scale.grid_h
        cls_flat = cls.reshape(cls.shape[0], -1)
        scores = _sigmoid(cls_flat.max(axis=0))
        keep = np.nonzero(scores > np.float32(settings.conf))[0]
        if keep.size == 0:
            continue
        target = np.argmax(cls_flat[:, keep], axis=0)
        sides = _dfl(box.reshape(box.shape[0], -1)[:, keep], layout.reg_max)
        parts.append(Detections(_boxes(sides, keep, scale.grid_w, stride),
                                scores[keep].astype(np.float64), target.astype(np.int64)))
    if not parts:
        return Detections.empty()
    found = Detections(np.concatenate([p.boxes for p in parts]), np.concatenate([p.scores for p in parts]),
                       np.concatenate([p.classes for p in parts]))
    order = np.argsort(-found.scores, kind="stable")[:ULTRALYTICS_MAX_NMS]
    shifted = found.boxes + (found.classes * ULTRALYTICS_MAX_WH)[:, None]
    keep = greedy_nms(shifted, order, settings.iou, box_iou)[: settings.max_det]
    return found.take(keep)
