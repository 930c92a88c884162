"""The boxes the double's model_runner "detects": a scene encoded into YOLO head tensors.

The double has no network. Its head outputs are built so that the Ultralytics decode (DFL
softmax expectation per side, sigmoid class scores, anchors at cell centres, strides 8/16/32)
gives back exactly the boxes of a scene, and nothing else above any sensible score threshold.
The INT8 side (a .cvimodel, or a lowered tpu .mlir) shows the same scene with controlled
differences, so a test of a float-vs-INT8 detection check knows the exact matched, missed and
extra counts. Format and defaults: ../README.md ("model_runner and the scene").
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
import sys
from array import array
from dataclasses import dataclass, field
from pathlib import Path

SCENE_ENV = "TOOLCHAIN_DOUBLE_SCENE"
SCENE_FILE = "toolchain_double_scene.json"
STRIDES = (8, 16, 32)
BINS = 16  # DFL bins per side: distances up to 15 strides
OFF_BIN_LOGIT = -20.0  # the bins a distance does not use: softmax weight ~2e-9
BACKGROUND_CLASS_LOGIT = -12.0  # sigmoid ~6e-6: no background cell passes any threshold
HEAD_NAME = re.compile(r"/cv([23])\.(\d+)/")

# Normalised x1, y1, x2, y2 of the model input (letterboxed S x S); classes are taken modulo the
# model's class count. No two boxes overlap, so no NMS setting suppresses one.
DEFAULT_SCENE = {
    "boxes": [
        {"class": 0, "score": 0.92, "xyxy": [0.10, 0.15, 0.35, 0.60]},
        {"class": 1, "score": 0.85, "xyxy": [0.55, 0.10, 0.80, 0.30]},
        {"class": 2, "score": 0.78, "xyxy": [0.40, 0.55, 0.70, 0.90]},
        {"class": 0, "score": 0.66, "xyxy": [0.75, 0.55, 0.95, 0.80]},
        {"class": 1, "score": 0.88, "xyxy": [0.05, 0.70, 0.25, 0.95]},
    ],
    # INT8: box 4 lost, box 1 moved by (0.02, 0.01) of the input size (IoU with the float box
    # 0.78), box 2's score down to 0.40 (kept at 0.25, dropped at 0.45), one box only INT8 has.
    "int8": {
        "lose": [4],
        "shift": {"1": [0.02, 0.01]},
        "score": {"2": 0.40},
        "extra": [{"class": 0, "score": 0.60, "xyxy": [0.40, 0.20, 0.52, 0.40]}],
    },
}


class SceneError(ValueError):
    """A scene that cannot be turned into head tensors (the message says why)."""


@dataclass
class SparseTensor:
    """A float32 NCHW tensor that is one background value except at a few flat indices."""

    shape: tuple[int, ...]
    background: float
    values: dict[int, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def abs_max(self) -> float:
        return max([abs(self.background), *(abs(v) for v in self.values.values())])

    def mapped(self, fn) -> "SparseTensor":
        return SparseTensor(self.shape, fn(self.background), {i: fn(v) for i, v in self.values.items()})

    def to_bytes(self) -> bytes:
        data = array("f", [self.background]) * self.size
        for index, value in self.values.items():
            data[index] = value
        if data.itemsize != 4:
            raise RuntimeError("array('f') is not float32 here")
        if sys.byteorder == "big":
            data.byteswap()
        return data.tobytes()


def load_scene(model_path: str | None) -> dict:
    """$TOOLCHAIN_DOUBLE_SCENE (JSON text or a path), else toolchain_double_scene.json next to the
    model, else DEFAULT_SCENE."""
    raw = os.environ.get(SCENE_ENV, "").strip()
    try:
        if raw:
            return json.loads(raw) if raw.startswith("{") else json.loads(Path(raw).read_text(encoding="utf-8"))
        if model_path:
            beside = Path(model_path).resolve().parent / SCENE_FILE
            if beside.is_file():
                return json.loads(beside.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SceneError(f"cannot read the scene: {exc}") from exc
    return DEFAULT_SCENE


def _box(entry: dict, num_classes: int, default: bool) -> dict:
    try:
        cls, score = int(entry["class"]), float(entry["score"])
        x1, y1, x2, y2 = (float(v) for v in entry["xyxy"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SceneError(f"a scene box needs class, score and xyxy: {entry!r}") from exc
    if default:
        cls %= num_classes
    if not 0 <= cls < num_classes:
        raise SceneError(f"class {cls} is outside the model's {num_classes} classes")
    if not 0.0 < score < 1.0:
        raise SceneError(f"score {score} must be between 0 and 1")
    if not (0.0 <= x1 < x2 <= 1.0 and 0.0 <= y1 < y2 <= 1.0):
        raise SceneError(f"xyxy {entry['xyxy']} must be normalised x1 < x2, y1 < y2 in [0, 1]")
    return {"class": cls, "score": score, "xyxy": [x1, y1, x2, y2]}


def scene_boxes(scene: dict, num_classes: int, side: str) -> list[dict]:
    """The boxes one side shows: side "float" (top MLIR) or "int8" (cvimodel, tpu MLIR)."""
    default = scene is DEFAULT_SCENE
    boxes = [_box(b, num_classes, default) for b in scene.get("boxes", [])]
    if side == "float":
        return boxes
    changes = scene.get("int8") or {}
    for key, (dx, dy) in (changes.get("shift") or {}).items():
        box = boxes[int(key)]
        box["xyxy"] = [box["xyxy"][0] + dx, box["xyxy"][1] + dy, box["xyxy"][2] + dx, box["xyxy"][3] + dy]
    for key, score in (changes.get("score") or {}).items():
        boxes[int(key)]["score"] = float(score)
    lost = {int(i) for i in changes.get("lose") or []}
    kept = [b for i, b in enumerate(boxes) if i not in lost]
    return kept + [_box(b, num_classes, default) for b in changes.get("extra") or []]


def head_layout(name: str) -> tuple[str, int] | None:
    """("box" | "class", scale index) for a YOLO head tensor name, None for any other tensor."""
    match = HEAD_NAME.search(name)
    if not match or int(match.group(2)) >= len(STRIDES):
        return None
    return ("box" if match.group(1) == "2" else "class"), int(match.group(2))


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def encode(boxes: list[dict], heads: list[str], size: int, num_classes: int) -> dict[str, SparseTensor]:
    """Head tensors (by name) whose decode is exactly `boxes`; each box gets the finest stride
    whose cell holding the box centre can reach all four sides within 15 bins."""
    tensors: dict[str, SparseTensor] = {}
    by_layout: dict[tuple[str, int], str] = {}
    for name in heads:
        layout = head_layout(name)
        if layout is None:
            continue
        kind, index = layout
        grid = max(1, size // STRIDES[index])
        channels = 4 * BINS if kind == "box" else num_classes
        background = 0.0 if kind == "box" else BACKGROUND_CLASS_LOGIT
        tensors[name] = SparseTensor((1, channels, grid, grid), background)
        by_layout[layout] = name
    taken: set[tuple[int, int, int]] = set()
    for number, box in enumerate(boxes):
        x1, y1, x2, y2 = (v * size for v in box["xyxy"])
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        for index, stride in enumerate(STRIDES):
            if ("box", index) not in by_layout or ("class", index) not in by_layout:
                continue
            grid = max(1, size // stride)
            col, row = min(grid - 1, int(cx // stride)), min(grid - 1, int(cy // stride))
            ax, ay = (col + 0.5) * stride, (row + 0.5) * stride
            sides = [(ax - x1) / stride, (ay - y1) / stride, (x2 - ax) / stride, (y2 - ay) / stride]
            if (index, row, col) in taken or not all(0.0 <= d <= BINS - 1 for d in sides):
                continue
            taken.add((index, row, col))
            cell = row * grid + col
            box_tensor = tensors[by_layout[("box", index)]]
            for side, distance in enumerate(sides):
                low = min(int(distance), BINS - 1)
                frac = distance - low
                for bin_ in range(BINS):
                    box_tensor.values[(side * BINS + bin_) * grid * grid + cell] = OFF_BIN_LOGIT
                # Two-hot bins: the softmax expectation is (1 - frac) * low + frac * (low + 1).
                if frac < 1e-9 or low == BINS - 1:
                    box_tensor.values[(side * BINS + low) * grid * grid + cell] = 0.0
                else:
                    box_tensor.values[(side * BINS + low) * grid * grid + cell] = math.log(1.0 - frac)
                    box_tensor.values[(side * BINS + low + 1) * grid * grid + cell] = math.log(frac)
            class_tensor = tensors[by_layout[("class", index)]]
            class_tensor.values[box["class"] * grid * grid + cell] = _logit(box["score"])
            break
        else:
            raise SceneError(f"scene box {number} {box['xyxy']} fits no free anchor cell of a {size} px input")
    return tensors


def quantize_int8(tensor: SparseTensor) -> SparseTensor:
    """Symmetric per-tensor INT8 as the calibration gives it (threshold = |max|), dequantized the
    way model_runner reports int8 outputs: (q - 0) * qscale, in float32."""
    scale = (tensor.abs_max() or 1.0) / 127.0
    return tensor.mapped(lambda v: max(-128, min(127, round(v / scale))) * scale)


def bf16(value: float) -> float:
    """Round a float32 to BF16 (nearest, ties to even), as the cvimodel's fp32 outputs are."""
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0]
