"""Opening a user's picture safely and decoding it to upright 8-bit RGB.

Only the Pillow plugins we trust open user files; a decompression bomb is refused from the
header; damage is told apart from an unsupported format. Every refusal is an :class:`Unusable`
carrying the Problem that names the file and the fix.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PIL import Image, UnidentifiedImageError

from wizard.core.images.sniff import IMAGE_KINDS, KIND_LABELS, detect_kind, read_head
from wizard.core.messages import Problem, problem

# Refuse to decode anything bigger: 100 MP covers every phone and most DSLRs, while a crafted
# "decompression bomb" (a tiny file that expands to gigabytes) is stopped before decoding.
MAX_SOURCE_PIXELS = 100_000_000

# YOLO letterboxes with (114, 114, 114): transparent areas become the colour the model already
# treats as "nothing here".
TRANSPARENCY_FILL = (114, 114, 114)

# Pillow plugins we let open user files. Restricting the list keeps out formats that are
# risky (EPS runs Ghostscript) or guessed from weak signatures (TGA has no magic number).
_WANTED_PILLOW_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "BMP", "DIB", "TIFF", "WEBP", "PPM",
                          "JPEG2000", "AVIF", "HEIF", "QOI")


def _pillow_formats() -> tuple[str, ...]:
    Image.init()
    return tuple(name for name in _WANTED_PILLOW_FORMATS if name in Image.OPEN)


PILLOW_FORMATS = _pillow_formats()

# Kinds whose decoder is part of every Pillow we support: failing to open one means damage.
_PILLOW_FORMAT_OF_KIND = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "bmp": "BMP", "tiff": "TIFF",
                          "webp": "WEBP", "ppm": "PPM", "jpeg2000": "JPEG2000", "qoi": "QOI",
                          "avif": "AVIF", "heic": "HEIF"}


def can_decode(kind: str) -> bool:
    """Whether this installation decodes files of ``kind`` (see sniff.detect_kind); HEIC needs a plugin."""
    return _PILLOW_FORMAT_OF_KIND.get(kind) in PILLOW_FORMATS


# We enforce MAX_SOURCE_PIXELS ourselves and explain it per file; Pillow's own warning for
# 89-179 MP images would only print noise. (A filter here rather than catch_warnings() around
# each open, because that is not thread-safe and files are checked on worker threads.)
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


class Unusable(Exception):
    """Carries the Problem that explains why one file cannot be used."""

    def __init__(self, problem_: Problem):
        super().__init__(problem_.message)
        self.problem = problem_


def unusable(code: str, path: Path | str, **params: Any) -> Unusable:
    return Unusable(problem(code, "error", path=str(path), **params))


def open_checked(path: Path) -> Image.Image:
    """Open lazily (header only) and refuse what cannot or must not be decoded."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise unusable("image_not_a_file", path)
        if size == 0:
            raise unusable("image_empty", path)
        kind = detect_kind(read_head(path))
    except OSError as exc:
        raise unusable("image_unreadable", path, detail=exc.strerror or str(exc)) from None
    try:
        image = Image.open(path, formats=PILLOW_FORMATS)
    except Image.DecompressionBombError as exc:
        raise too_large(path, None, short_detail(exc)) from None
    except UnidentifiedImageError:
        raise _unidentified(path, kind) from None
    except (OSError, ValueError, SyntaxError) as exc:
        # The header parsed far enough to look like an image, then broke.
        if can_decode(kind):
            raise unusable("image_damaged", path, detail=short_detail(exc)) from None
        raise _unidentified(path, kind) from None
    width, height = image.size
    if width * height > MAX_SOURCE_PIXELS or width <= 0 or height <= 0:
        image.close()
        raise too_large(path, image.size)
    return image


def too_large(path: Path, size: tuple[int, int] | None, pillow_message: str = "") -> Unusable:
    if size:
        described = f"{size[0]}×{size[1]} px"
    else:
        # Pillow refuses the worst bombs inside open(), telling only the pixel count.
        found = re.search(r"\((\d+) pixels\)", pillow_message)
        described = f"{int(found.group(1)) // 1_000_000} MP" if found else "?"
    return unusable("image_too_large", path, size=described, limit=MAX_SOURCE_PIXELS // 1_000_000)


def _unidentified(path: Path, kind: str) -> Unusable:
    if can_decode(kind):
        return unusable("image_damaged", path, detail=f"not a valid {kind.upper()} file")
    if kind in ("heic", "avif", "jxl"):
        return unusable("image_needs_conversion", path, format=KIND_LABELS[kind])
    if kind in IMAGE_KINDS:
        return unusable("image_unsupported_format", path, format=KIND_LABELS.get(kind, kind.upper()))
    return unusable("image_not_an_image", path, kind=KIND_LABELS.get(kind, kind))


def short_detail(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def verify_image(path: Path) -> None:
    """Pillow's structural check (PNG chunk CRCs...) and, for JPEG, a cheap end-marker test.

    A JPEG cut short lacks its end marker (FFD9). Some phones append data after it (motion
    photos carry a whole video), so a missing marker only makes us decode the file to be sure.
    """
    try:
        with Image.open(path, formats=PILLOW_FORMATS) as image:
            image.verify()
        if detect_kind(read_head(path)) == "jpeg" and not _has_jpeg_end_marker(path):
            with Image.open(path, formats=PILLOW_FORMATS) as image:
                image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
    except Unusable:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure means "damaged"
        raise unusable("image_damaged", path, detail=short_detail(exc)) from None


def _has_jpeg_end_marker(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        return b"\xff\xd9" in handle.read()


def exif_orientation(image: Image.Image) -> int | None:
    try:
        return image.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - broken EXIF must not make a good photo unusable
        return None


def to_rgb(image: Image.Image, path: Path, note: Callable[..., None]) -> Image.Image:
    mode = image.mode
    if mode.startswith("I;16") or mode == "I":
        image, bits = _high_bit_depth_to_l(image)
        if bits > 8:
            note("image_note_high_bit_depth", bits=bits)
        mode = image.mode
    elif mode == "F":
        image = _float_to_l(image)
        note("image_note_high_bit_depth", bits=32)
        mode = image.mode
    if mode in ("P", "PA"):
        note("image_note_palette")
    if mode == "CMYK":
        note("image_note_cmyk")
    has_alpha = mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info
    try:
        if has_alpha:
            rgba = image.convert("RGBA")
            alpha_low, _ = rgba.getchannel("A").getextrema()
            if alpha_low < 255:
                note("image_note_transparency")
                background = Image.new("RGBA", rgba.size, TRANSPARENCY_FILL + (255,))
                rgba = Image.alpha_composite(background, rgba)
            return rgba.convert("RGB")
        return image.convert("RGB")
    except ValueError:
        raise unusable("image_unsupported_colours", path, mode=mode) from None


def _high_bit_depth_to_l(image: Image.Image) -> tuple[Image.Image, int]:
    """16-bit (or 32-bit integer) grey to 8 bits by scaling, never by clipping.

    Integer shifts rather than floats: a 100 MP 16-bit scan stays within a few hundred MB.
    """
    pixels = np.asarray(image)
    top = int(pixels.max()) if pixels.size else 0
    if image.mode == "I" and 0 <= int(pixels.min()) and top <= 255:
        return Image.fromarray(pixels.astype(np.uint8), "L"), 8  # 8-bit data in a 32-bit container
    if top <= 65535 and int(pixels.min()) >= 0:
        # 16-bit data spans 0..65535 whatever the scene: a dark photo must stay dark.
        return Image.fromarray((pixels >> 8).astype(np.uint8), "L"), 16
    low = int(pixels.min())
    scaled = (pixels.astype(np.float32) - low) * (255.0 / max(top - low, 1))
    return Image.fromarray(scaled.clip(0, 255).astype(np.uint8), "L"), 32


def _float_to_l(image: Image.Image) -> Image.Image:
    pixels = np.asarray(image).astype(np.float64)
    low, high = float(np.nanmin(pixels)), float(np.nanmax(pixels))
    span = (high - low) or 1.0
    scaled = np.nan_to_num((pixels - low) * (255.0 / span)).clip(0, 255).round().astype(np.uint8)
    return Image.fromarray(scaled, "L")
