"""The toolchain's letterbox, reproduced exactly, and the two model inputs made from its pixels.

What TPU-MLIR 1.7 does to a picture (``python/utils/preprocess.py``, ``ImageResizeTool``):
``cv2.imread`` (BGR, EXIF orientation applied), ``scale = min(S_w/w, S_h/h)``, the new size
``int(w*scale), int(h*scale)`` (truncated, not rounded as Ultralytics does), ``cv2.resize`` with
its default INTER_LINEAR, pasted centred at ``((S_w-new_w)//2, (S_h-new_h)//2)`` on a canvas of
``pad_value`` (0 unless model_transform was given ``--pad_value``; the camera's VPSS pads 114).
Without ``--keep_aspect_ratio`` the picture is stretched to S_w x S_h instead.

``resize_bilinear`` is OpenCV 4.8's INTER_LINEAR for 8-bit pictures in numpy, bit for bit: 11-bit
fixed-point weights, the horizontal pass in int32, and the vertical pass the way OpenCV's SIMD
code rounds it (not the way its scalar code would). PIL's BILINEAR is NOT a substitute: on downscaling it filters over the whole
footprint (antialiasing), OpenCV only blends the two nearest pixels, so edges differ by tens of
levels. OpenCV itself is not a dependency of the app; tests compare with the real one.

From the same letterboxed pixels come both inputs (``tools/model_deploy.py``):
- the INT8 model with ``--fuse_preprocess --customization_format RGB_PACKED --aligned_input``
  takes ``images_raw``: uint8 RGB in HWC order, each row padded to a multiple of 64 bytes, shape
  (1, 1, S_h, align64(3*S_w)) (without ``--aligned_input``: (1, S_h, S_w, 3));
- the float (top) MLIR takes ``images``: float32 (1, 3, S_h, S_w), ``(x - mean) * scale`` per
  channel in float32, RGB order for ``--pixel_format rgb``.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from wizard.core.messages import WizardError

# OpenCV's INTER_RESIZE_COEF_BITS for 8-bit pictures.
_COEF_BITS = 11
_COEF_SCALE = 1 << _COEF_BITS
# cv18xx aligns every packed row to 64 bytes (VPSS_W_ALIGN for everything but cv183x).
ROW_ALIGN = 64

RAW_INPUT_SUFFIX = "_raw"  # model_deploy names the fused input "<input>_raw"
PACKED_FORMATS = {"RGB_PACKED": "rgb", "BGR_PACKED": "bgr"}


@dataclass(frozen=True)
class Preprocess:
    """How the toolchain turns a picture into the model's input (from the recipe)."""

    height: int = 640
    width: int = 640
    keep_aspect_ratio: bool = True
    pad_value: int = 0
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scale: tuple[float, float, float] = (0.0039216, 0.0039216, 0.0039216)
    pixel_format: str = "rgb"  # of the float input: "rgb" or "bgr"
    input_name: str = "images"
    fused: bool = True  # the INT8 model takes raw uint8 pixels (--fuse_preprocess)
    customization_format: str = "RGB_PACKED"
    aligned: bool = True

    def __post_init__(self) -> None:
        if self.pixel_format not in ("rgb", "bgr"):
            raise WizardError.of("detections_unsupported_input", detail=f"pixel format {self.pixel_format}")
        if self.fused and self.customization_format not in PACKED_FORMATS:
            raise WizardError.of("detections_unsupported_input",
                                 detail=f"customization format {self.customization_format}")
        if not 0 <= self.pad_value <= 255:
            raise WizardError.of("detections_unsupported_input", detail=f"pad value {self.pad_value}")

    @property
    def raw_input_name(self) -> str:
        return self.input_name + RAW_INPUT_SUFFIX

    def to_dict(self) -> dict[str, Any]:
        return {
            "height": self.height, "width": self.width, "keep_aspect_ratio": self.keep_aspect_ratio,
            "pad_value": self.pad_value, "mean": list(self.mean), "scale": list(self.scale),
            "pixel_format": self.pixel_format, "input_name": self.input_name, "fused": self.fused,
            "customization_format": self.customization_format, "aligned": self.aligned,
        }

    @classmethod
    def from_recipe(cls, recipe: Any, input_name: str = "images") -> "Preprocess":
        """From a ConversionRecipe (duck-typed: only the fields below are read)."""
        shape = tuple(recipe.input_shape)
        if len(shape) != 4 or shape[1] != 3:
            raise WizardError.of("detections_unsupported_input", detail=f"input shape {list(shape)}")
        return cls(
            height=int(shape[2]), width=int(shape[3]),
            keep_aspect_ratio=bool(recipe.keep_aspect_ratio),
            pad_value=int(getattr(recipe, "pad_value", 0) or 0),
            mean=_three(recipe.mean), scale=_three(recipe.scale),
            pixel_format=str(recipe.pixel_format), input_name=input_name,
            fused=bool(recipe.fuse_preprocess),
            customization_format=str(recipe.customization_format or "RGB_PACKED"),
            aligned=bool(recipe.aligned_input),
        )


def _three(values: Any) -> tuple[float, float, float]:
    values = [float(v) for v in values]
    if len(values) == 1:
        values = values * 3
    return (values[0], values[1], values[2])


@dataclass(frozen=True)
class Placement:
    """Where the picture landed inside the model input: undoes the letterbox for boxes."""

    source_width: int
    source_height: int
    scaled_width: int
    scaled_height: int
    offset_x: int
    offset_y: int
    input_width: int
    input_height: int

    def to_source(self, boxes: np.ndarray) -> np.ndarray:
        """Boxes (N, 4) x1, y1, x2, y2 in model-input pixels -> original-picture pixels, clipped.

        The resize maps the picture's edges onto the scaled area's edges, so the exact factor
        is scaled/source (not the ``scale`` before truncation).
        """
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        fx = self.source_width / self.scaled_width
        fy = self.source_height / self.scaled_height
        out = np.empty_like(boxes)
        out[:, 0::2] = (boxes[:, 0::2] - self.offset_x) * fx
        out[:, 1::2] = (boxes[:, 1::2] - self.offset_y) * fy
        out[:, 0::2] = out[:, 0::2].clip(0, self.source_width)
        out[:, 1::2] = out[:, 1::2].clip(0, self.source_height)
        return out

    def to_input(self, boxes: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`to_source` (without clipping)."""
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        out = np.empty_like(boxes)
        out[:, 0::2] = boxes[:, 0::2] * (self.scaled_width / self.source_width) + self.offset_x
        out[:, 1::2] = boxes[:, 1::2] * (self.scaled_height / self.source_height) + self.offset_y
        return out

    def to_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


# ---------------------------------------------------------------------------------------------
# Pixels
# ---------------------------------------------------------------------------------------------


def load_rgb(path: str | os.PathLike) -> np.ndarray:
    """The picture as uint8 RGB (H, W, 3), upright, the way cv2.imread(IMREAD_COLOR) reads it.

    cv2.imread applies the EXIF orientation and drops alpha; Pillow and OpenCV wheels both use
    libjpeg-turbo, so the decoded JPEG pixels are the same. Raises WizardError when unreadable.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError  # slow import: only when a picture is read

    try:
        with Image.open(path) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            return np.asarray(upright.convert("RGB"), dtype=np.uint8).copy()
    except FileNotFoundError:
        raise WizardError.of("file_not_found", path=str(path)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise WizardError.of("detections_picture_unreadable", path=str(path), detail=str(exc)[:160]) from None


def _weights(src_len: int, dst_len: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OpenCV's source index and fixed-point weights per destination pixel (resize.cpp)."""
    scale = 1.0 / (dst_len / src_len)  # cv2: scale_x = 1./inv_scale_x, inv = dst/src, in double
    position = ((np.arange(dst_len, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    index = np.floor(position).astype(np.int64)
    frac = (position - index.astype(np.float32)).astype(np.float32)
    # saturate_cast<short>(float) rounds half to even, as np.rint does.
    w0 = np.rint((np.float32(1.0) - frac) * np.float32(_COEF_SCALE)).astype(np.int32)
    w1 = np.rint(frac * np.float32(_COEF_SCALE)).astype(np.int32)
    return index, w0, w1


def resize_bilinear(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """cv2.resize(image, (width, height)) for uint8 (H, W, C): INTER_LINEAR, bit-exact to 4.8."""
    src_h, src_w = image.shape[:2]
    if (src_w, src_h) == (width, height):
        return image.copy()
    pixels = image.reshape(src_h, src_w, -1)
    channels = pixels.shape[2]

    # Horizontal: out-of-range source columns clamp to the edge with weights (2048, 0).
    sx, a0, a1 = _weights(src_w, width)
    edge = (sx < 0) | (sx >= src_w - 1)
    sx = sx.clip(0, src_w - 1)
    a0 = np.where(edge, _COEF_SCALE, a0)
    a1 = np.where(edge, 0, a1)
    sx1 = np.minimum(sx + 1, src_w - 1)

    # Vertical: rows clamp, the weights stay as computed.
    sy, b0, b1 = _weights(src_h, height)
    y0 = sy.clip(0, src_h - 1)
    y1 = (sy + 1).clip(0, src_h - 1)

    rows = np.unique(np.concatenate([y0, y1]))
    lookup = np.zeros(src_h, dtype=np.int64)
    lookup[rows] = np.arange(rows.size)
    src = pixels[rows].astype(np.int32)
    horizontal = src[:, sx, :] * a0[None, :, None] + src[:, sx1, :] * a1[None, :, None]
    horizontal = horizontal.reshape(rows.size, width * channels)
    s0 = horizontal[lookup[y0]]
    s1 = horizontal[lookup[y1]]
    beta0 = b0[:, None]
    beta1 = b1[:, None]

    # VResizeLinearVec_32s8u, which OpenCV 4.8 applies to the whole row (checked against cv2 for
    # every row width from 1 to 177 bytes): (((S0>>4)*b0)>>16) + (((S1>>4)*b1)>>16), then (x+2)>>2.
    # Its scalar fallback, (S0*b0 + S1*b1 + 2^21) >> 22, differs by one level on ~10% of pixels.
    out = (((s0 >> 4) * beta0 >> 16) + ((s1 >> 4) * beta1 >> 16) + 2) >> 2
    return out.clip(0, 255).astype(np.uint8).reshape(height, width, channels)


def letterbox(rgb: np.ndarray, pre: Preprocess) -> tuple[np.ndarray, Placement]:
    """The model-input picture (S_h, S_w, 3) uint8 RGB and where the original sits in it."""
    src_h, src_w = rgb.shape[:2]
    if src_h < 1 or src_w < 1:
        raise WizardError.of("detections_unsupported_input", detail=f"empty picture {src_w}x{src_h}")
    if not pre.keep_aspect_ratio:
        resized = resize_bilinear(rgb, pre.width, pre.height)
        return resized, Placement(src_w, src_h, pre.width, pre.height, 0, 0, pre.width, pre.height)
    scale = min(float(pre.width) / src_w, float(pre.height) / src_h)
    new_w = max(1, int(src_w * scale))
    new_h = max(1, int(src_h * scale))
    resized = resize_bilinear(rgb, new_w, new_h)
    off_x = (pre.width - new_w) // 2
    off_y = (pre.height - new_h) // 2
    canvas = np.full((pre.height, pre.width, 3), pre.pad_value, dtype=np.uint8)
    canvas[off_y:off_y + new_h, off_x:off_x + new_w] = resized
    return canvas, Placement(src_w, src_h, new_w, new_h, off_x, off_y, pre.width, pre.height)


def _align(value: int, to: int) -> int:
    return (value + to - 1) // to * to


def fused_input(letterboxed: np.ndarray, pre: Preprocess) -> np.ndarray:
    """``images_raw`` for a --fuse_preprocess cvimodel: packed uint8, rows aligned if asked."""
    pixels = letterboxed if PACKED_FORMATS[pre.customization_format] == "rgb" else letterboxed[:, :, ::-1]
    h, w, c = pixels.shape
    if not pre.aligned:
        return np.ascontiguousarray(pixels, dtype=np.uint8)[None]
    packed = np.zeros((1, 1, h, _align(w * c, ROW_ALIGN)), dtype=np.uint8)
    packed[0, 0, :, : w * c] = pixels.reshape(h, w * c)
    return packed


def float_input(letterboxed: np.ndarray, pre: Preprocess) -> np.ndarray:
    """``images`` for the top MLIR (and an unfused cvimodel): (x - mean) * scale, NCHW float32."""
    pixels = letterboxed if pre.pixel_format == "rgb" else letterboxed[:, :, ::-1]
    chw = np.transpose(pixels, (2, 0, 1))[None].astype(np.float32)
    mean = np.asarray(pre.mean, dtype=np.float32)[None, :, None, None]
    scale = np.asarray(pre.scale, dtype=np.float32)[None, :, None, None]
    return (chw - mean) * scale


def int8_side_input(letterboxed: np.ndarray, pre: Preprocess) -> dict[str, np.ndarray]:
    """What model_deploy would feed the cvimodel for this picture, keyed as it names it."""
    if pre.fused:
        return {pre.raw_input_name: fused_input(letterboxed, pre)}
    return {pre.input_name: float_input(letterboxed, pre)}


def float_side_input(letterboxed: np.ndarray, pre: Preprocess) -> dict[str, np.ndarray]:
    return {pre.input_name: float_input(letterboxed, pre)}


# ---------------------------------------------------------------------------------------------
# npz files
# ---------------------------------------------------------------------------------------------


def save_npz(path: str | os.PathLike, arrays: Mapping[str, np.ndarray], *, compress: bool = False) -> Path:
    """Write atomically: a cut-short write never leaves a half npz where a cache would find it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            (np.savez_compressed if compress else np.savez)(stream, **dict(arrays))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def load_npz(path: str | os.PathLike, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """All arrays (or only ``names``) of an npz; WizardError for a missing or damaged file."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            wanted = data.files if names is None else [n for n in names if n in data.files]
            return {name: np.asarray(data[name]) for name in wanted}
    except FileNotFoundError:
        raise WizardError.of("file_not_found", path=str(path)) from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise WizardError.of("detections_outputs_unreadable", path=str(path), detail=str(exc)[:160]) from None

