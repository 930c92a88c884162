"""Which output tensors are the detection heads, told by name and shape, never by position alone.

An Ultralytics YOLOv8/YOLO11 Detect head ends in six convolutions, one box and one class conv per
scale: ``/model.<N>/cv2.<i>/cv2.<i>.2/Conv_output_0`` (4 sides x 16 DFL bins = 64 channels) and
``/model.<N>/cv3.<i>/cv3.<i>.2/Conv_output_0`` (one logit per class), on grids of S/8, S/16 and
S/32 cells. Segment and Pose heads add ``cv4.<i>`` (mask coefficients, keypoints) and OBB adds a
1-channel angle conv; YOLOv10/YOLO26 end-to-end heads are ``one2one_cv2/3``.

The toolchain appends the op type to every tensor name: ``…_Conv`` in the top MLIR's outputs and
in a cvimodel built with ``--quant_output`` (int8), ``…_Conv_f32`` for a cvimodel's float outputs
(detections.md). A cvimodel run dumps every tensor, internal 64-channel convs at the same grids
included, so the layout is found once on the float (top MLIR) outputs, and the INT8 side looks up
the same base names.

The camera (SSCMA-Micro ``ma_model_factory.cpp``) takes outputs by index and checks only shapes:
YoloV8 wants boxes at 0-2 and classes at 3-5, Yolo11 wants box, class interleaved per scale,
box 1x64xGxG and class 1xncxGxG with G = W/8, W/16, W/32 (``ma_model_yolo11.cpp`` isValid).
:func:`camera_decoder` predicts which one the camera will pick for an output order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from wizard.core.messages import Problem, WizardError, problem

BOX_CHANNELS = 64  # 4 sides x 16 DFL bins: the only box head the camera decodes
STRIDES = (8, 16, 32)
_SUFFIXES = ("_f32", "_Conv")
_HEAD_NAME = re.compile(
    r"^/model\.(?P<layer>\d+)/(?P<branch>one2one_cv[234]|cv[234])\.(?P<scale>\d+)/"
    r"(?P=branch)\.(?P=scale)\.2/Conv_output_0$"
)
Shape = tuple[int, ...]


def base_name(key: str) -> str:
    """``…/Conv_output_0_Conv_f32`` -> ``…/Conv_output_0`` (the ONNX tensor name)."""
    for suffix in _SUFFIXES:
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return key


@dataclass(frozen=True)
class ScaleHeads:
    stride: int
    grid_h: int
    grid_w: int
    box: str  # base (ONNX) tensor names
    cls: str
    classes: int


@dataclass(frozen=True)
class HeadTensors:
    """Where one side's npz holds the six heads."""

    keys: Mapping[str, str]  # base name -> npz key
    int8: bool  # dequantized int8 outputs (a cvimodel built with --quant_output)


@dataclass(frozen=True)
class HeadLayout:
    scales: tuple[ScaleHeads, ...]  # by stride: 8, 16, 32
    num_classes: int
    input_height: int
    input_width: int
    reg_max: int = BOX_CHANNELS // 4
    task: str = "detect"  # detect | segment | pose
    ignored: tuple[str, ...] = ()  # mask coefficients / keypoints: not compared
    camera_decoder: str | None = "yolo11"  # what the camera picks for the output order
    identified_by: str = "name"  # "name" or "shape"
    order: tuple[str, ...] = field(default=(), compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for s in self.scales for name in (s.box, s.cls))

    def notes(self) -> list[Problem]:
        """What the user should know about these heads before reading the comparison."""
        notes: list[Problem] = []
        if self.task in ("segment", "pose"):
            notes.append(problem("detections_note_boxes_only", "info", task=self.task))
        if self.camera_decoder is None:
            notes.append(problem("detections_camera_no_decoder", "warning"))
        elif self.camera_decoder == "yolov8":
            notes.append(problem("detections_camera_yolov8_order", "warning"))
        if self.identified_by == "shape":
            notes.append(problem("detections_note_heads_by_shape", "info"))
        return notes

    def tensors(self, available: Iterable[str], side: str) -> HeadTensors:
        """The npz keys of the six heads on one side ("float" = top MLIR, "int8" = cvimodel).

        On the INT8 side a ``_f32`` output is preferred: its presence means the cvimodel has
        float outputs and the ``_Conv`` tensor of the same name is an internal int8 one.
        """
        by_base: dict[str, list[str]] = defaultdict(list)
        for key in available:
            by_base[base_name(key)].append(key)
        keys: dict[str, str] = {}
        f32 = []
        for name in self.names:
            found = by_base.get(name, [])
            if not found:
                raise WizardError.of("detections_outputs_missing", side=side, name=name)
            with_f32 = [k for k in found if k.endswith("_f32")]
            keys[name] = with_f32[0] if with_f32 else sorted(found, key=len)[-1]
            f32.append(bool(with_f32))
        return HeadTensors(keys=keys, int8=side == "int8" and not any(f32))


def find_heads(shapes: Mapping[str, Shape], input_hw: tuple[int, int], task: str | None = None) -> HeadLayout:
    """Find the six detection heads among named outputs (in output order).

    ``shapes`` is the float side's outputs (or the ONNX output list), name -> shape; ``task``
    the model's own claim (Ultralytics metadata) when known. Raises WizardError with a plain
    cause when these outputs are not a YOLOv8/YOLO11-style detect head.
    """
    height, width = input_hw
    ordered = [(base_name(k), tuple(int(d) for d in v)) for k, v in shapes.items()]
    _refuse_other_tasks(ordered, height, width, task)
    grids = {(height // s, width // s): s for s in STRIDES if height % s == 0 and width % s == 0}
    named = [(n, s, _HEAD_NAME.match(n)) for n, s in ordered]
    if any(m for _, _, m in named):
        layout = _by_name(named, grids, height, width, task)
    else:
        layout = _by_shape(ordered, grids, height, width, task)
    order = tuple(n for n, _ in ordered)
    decoder = camera_decoder([s for _, s in ordered], height, width)
    return HeadLayout(**{**layout.__dict__, "camera_decoder": decoder, "order": order})


def _refuse_other_tasks(ordered: Sequence[tuple[str, Shape]], height: int, width: int, task: str | None) -> None:
    if task == "classify" or (ordered and all(len(s) == 2 for _, s in ordered)):
        raise WizardError.of("detections_heads_classify")
    if task == "obb":
        raise WizardError.of("detections_heads_obb")
    cells = sum((height // s) * (width // s) for s in STRIDES)
    if all(len(s) == 3 and cells in s for _, s in ordered) and ordered:
        raise WizardError.of("detections_heads_output0", names=[n for n, _ in ordered])


def _describe(ordered: Iterable[tuple[str, Shape]]) -> str:
    return "; ".join(f"{name} {list(shape)}" for name, shape in ordered)


def _grid_of(shape: Shape, grids: Mapping[tuple[int, int], int]) -> int | None:
    if len(shape) != 4 or shape[0] != 1:
        return None
    return grids.get((shape[2], shape[3]))


def _by_name(named, grids, height: int, width: int, task: str | None) -> HeadLayout:
    heads: dict[int, dict[tuple[str, int], tuple[str, Shape]]] = defaultdict(dict)
    for name, shape, match in named:
        if match:
            heads[int(match["layer"])][(match["branch"], int(match["scale"]))] = (name, shape)
    layer = max(heads, key=lambda n: (sum(1 for b, _ in heads[n] if b in ("cv2", "cv3")), n))
    branches = heads[layer]
    if not any(b in ("cv2", "cv3") for b, _ in branches) and any(b.startswith("one2one") for b, _ in branches):
        raise WizardError.of("detections_heads_end_to_end")
    scales = []
    for index in range(len(STRIDES)):
        box, cls = branches.get(("cv2", index)), branches.get(("cv3", index))
        if not box or not cls:
            raise WizardError.of("detections_heads_not_found", found=_describe(n_s for n_s in branches.values()))
        scales.append(_scale(box, cls, grids))
    if ("cv2", len(STRIDES)) in branches:
        raise WizardError.of("detections_heads_not_found", found=_describe(branches.values()))
    extra = [(name, shape) for (branch, _), (name, shape) in branches.items() if branch == "cv4"]
    return _layout(scales, height, width, _task_of(extra, task), tuple(n for n, _ in extra), "name")


def _scale(box: tuple[str, Shape], cls: tuple[str, Shape], grids) -> ScaleHeads:
    (box_name, box_shape), (cls_name, cls_shape) = box, cls
    stride = _grid_of(box_shape, grids)
    if stride is None or _grid_of(cls_shape, grids) != stride or box_shape[2:] != cls_shape[2:]:
        raise WizardError.of("detections_heads_not_found", found=_describe([box, cls]))
    if box_shape[1] != BOX_CHANNELS:
        raise WizardError.of("detections_heads_box_channels", name=box_name, channels=box_shape[1])
    return ScaleHeads(stride, box_shape[2], box_shape[3], box_name, cls_name, cls_shape[1])


def _layout(scales: list[ScaleHeads], height, width, task, ignored, how) -> HeadLayout:
    scales.sort(key=lambda s: s.stride)
    if [s.stride for s in scales] != list(STRIDES):
        raise WizardError.of("detections_heads_not_found", found=", ".join(f"stride {s.stride}" for s in scales))
    classes = {s.classes for s in scales}
    if len(classes) != 1:
        raise WizardError.of("detections_heads_not_found",
                             found=", ".join(f"{s.cls} {s.classes} channels" for s in scales))
    return HeadLayout(tuple(scales), num_classes=classes.pop(), input_height=height, input_width=width,
                      task=task, ignored=ignored, identified_by=how)


def _task_of(extra: list[tuple[str, Shape]], claimed: str | None) -> str:
    if not extra:
        return claimed if claimed in ("segment", "pose") else "detect"
    channels = {shape[1] for _, shape in extra if len(shape) == 4}
    if claimed == "obb" or channels == {1}:
        raise WizardError.of("detections_heads_obb")
    if claimed in ("segment", "pose"):
        return claimed
    # Ultralytics Segment has 32 mask coefficients; Pose has keypoints x (2 or 3) channels.
    return "segment" if channels == {32} else "pose"


def _by_shape(ordered: Sequence[tuple[str, Shape]], grids, height: int, width: int, task: str | None) -> HeadLayout:
    per_stride: dict[int, list[tuple[str, Shape]]] = defaultdict(list)
    for name, shape in ordered:
        stride = _grid_of(shape, grids)
        if stride is not None:
            per_stride[stride].append((name, shape))
    scales = []
    for stride in STRIDES:
        found = per_stride.get(stride, [])
        boxes = [t for t in found if t[1][1] == BOX_CHANNELS]
        if len(found) != 2 or not boxes:
            raise WizardError.of("detections_heads_not_found", found=_describe(ordered))
        # Two 64-channel tensors (a 64-class model): the box conv comes first in ONNX order.
        box = boxes[0]
        cls = found[1] if found[0] is box else found[0]
        scales.append(_scale(box, cls, grids))
    return _layout(scales, height, width, task if task in ("segment", "pose") else "detect", (), "shape")


def camera_decoder(shapes: Sequence[Shape], height: int, width: int) -> str | None:
    """Which SSCMA-Micro detector the camera picks for outputs in this order (or None)."""
    if height != width or height % 32:
        return None
    grids = [width >> 3, width >> 4, width >> 5]

    def is_box(shape: Shape, grid: int) -> bool:
        return tuple(shape) == (1, BOX_CHANNELS, grid, grid)

    def is_cls(shape: Shape, grid: int) -> bool:
        return len(shape) == 4 and shape[0] == 1 and tuple(shape[2:]) == (grid, grid)

    if len(shapes) < 6:
        return None
    if all(is_box(shapes[i], grids[i]) and is_cls(shapes[i + 3], grids[i]) for i in range(3)):
        return "yolov8"  # the factory tries YoloV8 (boxes first) before Yolo11
    if all(is_box(shapes[2 * i], grids[i]) and is_cls(shapes[2 * i + 1], grids[i]) for i in range(3)):
        return "yolo11"
    return None
