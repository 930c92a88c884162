"""The YOLO head rules per family: which six convs the camera's decoder reads, in which order.

From toolchain.md "Head outputs for YOLO on reCamera" and SSCMA-Micro ma_model_yolo11.cpp: the
Detect layer is model.23 in YOLO11 and model.22 in YOLOv8; its pre-head convs are
``/model.<N>/cv2.<i>/cv2.<i>.2/Conv_output_0`` (box, 64 channels) and
``/model.<N>/cv3.<i>/cv3.<i>.2/Conv_output_0`` (classes), interleaved per stride:
cv2.0, cv3.0, cv2.1, cv3.1, cv2.2, cv3.2. A cv4 branch means segment, pose or OBB.
"""

from __future__ import annotations

import re
from typing import Iterable

SUPPORTED_FAMILIES = ("yolo11", "yolov8")
UNSUPPORTED_FAMILIES = ("yolov10", "yolo26")  # NMS-free heads: Mod / TopK the cv181x cannot run
DETECT_LAYER = {23: "yolo11", 22: "yolov8"}  # the Detect layer's index in each family's graph
KNOWN_TASKS = ("detect", "segment", "pose", "classify", "obb")
HEAD_CONV = re.compile(r"^/model\.(\d+)/(cv[234])\.([0-2])/\2\.\3\.2/Conv_output_0$")
HEAD_ORDER = tuple((branch, i) for i in range(3) for branch in ("cv2", "cv3"))  # the decoder's order
FAMILY_DISPLAY = {"yolov10": "YOLOv10", "yolo26": "YOLO26", "yolo11": "YOLO11", "yolov8": "YOLOv8"}
_FAMILY_IN_TEXT = re.compile(r"YOLO\s*v?(\d+)", re.IGNORECASE)


def head_conv_name(layer: int, branch: str, scale: int) -> str:
    return f"/model.{layer}/{branch}.{scale}/{branch}.{scale}.2/Conv_output_0"


def find_head(node_outputs: Iterable[str]) -> tuple[int | None, tuple[str, ...], dict[tuple[str, int], str]]:
    """(Detect layer, six head outputs in decoder order, every head conv found by (branch, scale)):
    the highest layer index that has all six, as the guide's cut needs."""
    by_index: dict[int, dict[tuple[str, int], str]] = {}
    for name in node_outputs:
        match = HEAD_CONV.match(name)
        if match:
            by_index.setdefault(int(match.group(1)), {})[(match.group(2), int(match.group(3)))] = name
    complete = [index for index, found in by_index.items() if all(key in found for key in HEAD_ORDER)]
    if not complete:
        return None, (), {}
    index = max(complete)
    found = by_index[index]
    return index, tuple(found[key] for key in HEAD_ORDER), found


def family_from_text(text: str) -> str:
    """'Ultralytics YOLO11n model' -> 'yolo11'; 'YOLOv8n' -> 'yolov8'; '' when no YOLO is named."""
    match = _FAMILY_IN_TEXT.search(text)
    if not match:
        return ""
    number = int(match.group(1))
    # Ultralytics spells versions up to 10 with a 'v' (YOLOv8) and later ones without (YOLO11).
    return f"yolov{number}" if number <= 10 else f"yolo{number}"
