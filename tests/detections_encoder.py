"""Builds YOLOv8/YOLO11 head tensors from known boxes: the inverse of the camera's decoder.

Each box is written at the cell holding its centre on the scale given, as one-hot DFL bins
(whole-cell distances) or two equal bins (half-cell distances, e.g. a box touching the border,
whose anchor sits half a cell inside). The softmax expectation of such bins is exact in float32,
so decoding must give the boxes back exactly. Class logits: logit(score) for the box's class,
-20 everywhere else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

REG_MAX = 16
BACKGROUND_LOGIT = -20.0
HOT = 30.0  # a bin logit whose softmax weight is 1 to float32 precision


@dataclass(frozen=True)
class Box:
    x1: float
    y1: float
    x2: float
    y2: float
    cls: int
    score: float
    stride: int


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def head_names(layer: int = 23) -> list[tuple[str, str]]:
    return [(f"/model.{layer}/cv2.{i}/cv2.{i}.2/Conv_output_0", f"/model.{layer}/cv3.{i}/cv3.{i}.2/Conv_output_0")
            for i in range(3)]


def _bins(distance: float) -> np.ndarray:
    bins = np.full(REG_MAX, -HOT, dtype=np.float32)
    low = math.floor(distance)
    if distance == low:
        bins[low] = HOT
    elif distance - low == 0.5:
        bins[low] = HOT
        bins[low + 1] = HOT
    else:
        raise ValueError(f"distance {distance} is not a multiple of half a cell")
    return bins


def encode(boxes: list[Box], size: int = 640, num_classes: int = 80, suffix: str = "",
           layer: int = 23, height: int | None = None) -> dict[str, np.ndarray]:
    """Head tensors (ONNX order: cv2.0, cv3.0, cv2.1, ...) named with ``suffix`` (e.g. "_Conv")."""
    height = height or size
    out: dict[str, np.ndarray] = {}
    grids = {}
    for index, stride in enumerate((8, 16, 32)):
        gh, gw = height // stride, size // stride
        box = np.zeros((1, 4 * REG_MAX, gh, gw), dtype=np.float32)
        box[:, ::REG_MAX] = 0.0
        cls = np.full((1, num_classes, gh, gw), BACKGROUND_LOGIT, dtype=np.float32)
        grids[stride] = (box, cls)
        names = head_names(layer)[index]
        out[names[0] + suffix] = box
        out[names[1] + suffix] = cls
    for b in boxes:
        box, cls = grids[b.stride]
        s = b.stride
        col = min(int((b.x1 + b.x2) / 2 // s), box.shape[3] - 1)
        row = min(int((b.y1 + b.y2) / 2 // s), box.shape[2] - 1)
        ax, ay = col + 0.5, row + 0.5
        sides = (ax - b.x1 / s, ay - b.y1 / s, b.x2 / s - ax, b.y2 / s - ay)
        for side, distance in enumerate(sides):
            if not 0 <= distance <= REG_MAX - 1:
                raise ValueError(f"{b} does not fit the DFL range at stride {s}")
            box[0, side * REG_MAX:(side + 1) * REG_MAX, row, col] = _bins(distance)
        cls[0, b.cls, row, col] = logit(b.score)
    return out
