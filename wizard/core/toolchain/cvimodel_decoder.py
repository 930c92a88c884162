"""Does a .cvimodel's program fit the reCamera's YOLO detection decoder?

What the camera checks, from Seeed-Studio/SSCMA-Micro (sscma/core/model/ma_model_factory.cpp,
ma_model_yolo11.cpp; docs/detections.md "Camera side"): one input, 4-D, batch 1, 1 or 3 channels
(NHWC or NCHW), square, a side S that is a multiple of 32 and at least 32; then six outputs taken
by position, shape-checked only: a box tensor 1x64xGxG and a class tensor 1xncxGxG for each
G = S/8, S/16, S/32. Its auto-pick tries the YOLOv8 decoder (box tensors first: 0-2 box, 3-5 class)
and then YOLO11 (box and class interleaved per stride). Both read float32 or int8 outputs only.

The decoder takes the class count from the class tensor, so every scale must agree on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from wizard.core.messages import Problem, problem
from wizard.core.toolchain.cvimodel_schema import TensorInfo

BOX_CHANNELS = 64  # 4 sides x 16 DFL bins
STRIDES = (8, 16, 32)
DECODER_DTYPES = ("fp32", "int8")
INTERLEAVED, BOX_FIRST = "interleaved", "box_first"


@dataclass(frozen=True)
class DecoderFit:
    """The verdict. ``problems`` holds the reasons it does not fit (errors) and notes (warnings)."""

    fits: bool
    layout: str | None = None  # INTERLEAVED (YOLO11 decoder) or BOX_FIRST (YOLOv8 decoder)
    input_size: int | None = None
    num_classes: int | None = None
    output_dtype: str | None = None
    problems: tuple[Problem, ...] = ()

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {"fits": self.fits, "layout": self.layout, "input_size": self.input_size,
                "num_classes": self.num_classes, "output_dtype": self.output_dtype,
                "problems": [p.to_dict(lang) for p in self.problems]}


def shape_text(shape: Sequence[int]) -> str:
    return "x".join(str(d) for d in shape) if shape else "(no shape)"


def _square_side(tensor: TensorInfo) -> int | None:
    """S for a 1xSxSxC or 1xCxSxS picture input, as the decoder reads it; None if it is not one."""
    dims = tensor.shape
    if len(dims) != 4 or dims[0] != 1:
        return None
    if dims[3] in (1, 3):
        height, width = dims[1], dims[2]
    elif dims[1] in (1, 3):
        height, width = dims[2], dims[3]
    else:
        return None
    if height != width or height < 32 or height % 32:
        return None
    return height


def _head(tensor: TensorInfo) -> tuple[int, int] | None:
    """(channels, grid) of a 1xCxGxG tensor, else None."""
    dims = tensor.shape
    if len(dims) != 4 or dims[0] != 1 or dims[2] != dims[3] or dims[1] < 1:
        return None
    return dims[1], dims[2]


def _expected(side: int, layout: str) -> list[str]:
    grids = [side // s for s in STRIDES]
    boxes = [f"1x{BOX_CHANNELS}x{g}x{g}" for g in grids]
    classes = [f"1xNCx{g}x{g}" for g in grids]
    if layout == BOX_FIRST:
        return boxes + classes
    return [t for pair in zip(boxes, classes) for t in pair]


def _matches(outputs: Sequence[TensorInfo], side: int, layout: str) -> int | None:
    """The class count if the six outputs have this layout, else None."""
    grids = [side // s for s in STRIDES]
    if layout == INTERLEAVED:
        pairs = [(outputs[2 * i], outputs[2 * i + 1]) for i in range(3)]
    else:
        pairs = [(outputs[i], outputs[3 + i]) for i in range(3)]
    counts = set()
    for (box, cls), grid in zip(pairs, grids):
        box_head, cls_head = _head(box), _head(cls)
        if box_head != (BOX_CHANNELS, grid) or cls_head is None or cls_head[1] != grid:
            return None
        counts.add(cls_head[0])
    return counts.pop() if len(counts) == 1 else None


def decoder_fit(inputs: Sequence[TensorInfo], outputs: Sequence[TensorInfo], path: str) -> DecoderFit:
    """Judge one program's inputs and outputs against the camera's YOLO decoders."""
    if len(inputs) != 1:
        return DecoderFit(False, problems=(problem("cvimodel_decoder_inputs", path=path, count=len(inputs)),))
    side = _square_side(inputs[0])
    if side is None:
        return DecoderFit(False, problems=(problem("cvimodel_decoder_input_shape", path=path,
                                                   shape=shape_text(inputs[0].shape)),))
    if len(outputs) != 6:
        return DecoderFit(False, input_size=side, problems=(
            problem("cvimodel_decoder_output_count", path=path, count=len(outputs)),))
    layout, num_classes = None, None
    for candidate in (INTERLEAVED, BOX_FIRST):
        num_classes = _matches(outputs, side, candidate)
        if num_classes is not None:
            layout = candidate
            break
    if layout is None:
        found = ", ".join(shape_text(t.shape) for t in outputs)
        return DecoderFit(False, input_size=side, problems=(problem(
            "cvimodel_decoder_output_shapes", path=path, size=side, found=found,
            expected=", ".join(_expected(side, INTERLEAVED)), expected_box_first=", ".join(_expected(side, BOX_FIRST))),))
    dtypes = sorted({t.dtype for t in outputs})
    dtype = dtypes[0] if len(dtypes) == 1 else "/".join(dtypes)
    if len(dtypes) != 1 or dtype not in DECODER_DTYPES:
        return DecoderFit(False, layout=layout, input_size=side, num_classes=num_classes, output_dtype=dtype,
                          problems=(problem("cvimodel_decoder_output_dtype", path=path, dtype=dtype),))
    notes: list[Problem] = []
    if layout == BOX_FIRST:
        notes.append(problem("cvimodel_decoder_box_first", "warning", path=path))
    if dtype == "int8":
        notes.append(problem("cvimodel_decoder_int8_outputs", "warning", path=path))
    return DecoderFit(True, layout=layout, input_size=side, num_classes=num_classes, output_dtype=dtype,
                      problems=tuple(notes))
