"""Prepare calibration images (and the test image) so the toolchain accepts every one of them.

What plan.py, the CLI and the GUI rely on:

    scan_sources(src_dir) -> list[SourceFile]             # cheap walk, for the GUI's live counts
    prepare_calibration_set(src_dir, out_dir, count=None, *, seed=0,
                            max_side=..., on_progress=None,
                            should_stop=None) -> CalibrationReport  # raises PreparationCancelled
    prepare_image(src, dst, *, max_side=...) -> list[str]  # notes; raises WizardError when unusable
    make_thumbnail(path, size) -> PIL.Image.Image           # fast, for the GUI (call off its thread)
    pick_representative_image(report) -> AcceptedImage | None  # default test image
    detect_kind(first_bytes) -> str                          # "jpeg", "heic", "text"... by content

The source folder is never modified. Outputs are RGB JPEGs with safe ASCII names.

Why all this: TPU-MLIR's run_calibration only picks up jpg/bmp/png/jpeg/jfif/npy/npz files
(".img" or ".heic" give "RuntimeError: There is no inputs"), model_transform's --test_input
asserts on ".JPG" and ".bmp", and every calibration image is held in memory. Users bring
folders of phone photos, screenshots and video frames; we turn whatever is usable into plain
RGB JPEGs and explain the rest.

How a set is prepared, in two passes so that a folder of thousands of photos stays fast:
1. check every file cheaply (magic bytes, Pillow header, bomb limit, exact-duplicate hash);
2. decode and convert only as many as needed, in a seeded random order; a file that fails to
   decode there is rejected and the next one in the order takes its place.
Files that pass 1 but are never drawn in pass 2 were checked by header only.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import random
import re
import shutil
import statistics
import tempfile
import unicodedata
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError

from wizard.core.checksums import sha256_file
from wizard.core.messages import Problem, WizardError, problem
from wizard.core.user_paths import check_input_file, check_input_folder

# Below MIN_USABLE images calibration is refused; below RECOMMENDED_MIN it only warns.
MIN_USABLE = 10
RECOMMENDED_MIN = 50
DEFAULT_COUNT = 100
DEFAULT_MAX_SIDE = 1280
# Below 32 px nothing is left to calibrate on; above 8192 px no model input comes near.
MIN_MAX_SIDE = 32
MAX_MAX_SIDE = 8192

# run_calibration holds every preprocessed input in memory (~4.9 MB per 640x640 image);
# reports of silent OOM kills start around 500 images, so we warn well before that.
MEGABYTES_PER_CALIBRATION_IMAGE = 4.9
MEMORY_WARNING_MEGABYTES = 1500

# Refuse to decode anything bigger: 100 MP covers every phone and most DSLRs, while a crafted
# "decompression bomb" (a tiny file that expands to gigabytes) is stopped before decoding.
MAX_SOURCE_PIXELS = 100_000_000

JPEG_QUALITY = 95
# YOLO letterboxes with (114, 114, 114): transparent areas become the colour the model already
# treats as "nothing here".
TRANSPARENCY_FILL = (114, 114, 114)

OUTPUT_PREFIX = "calib_"
_OUTPUT_NAME_RE = re.compile(r"^calib_\d{4,}(_[a-z0-9-]+)?\.jpg$")
# Written into every output's JPEG comment: proof that a file in the output folder is ours and
# may be replaced. (A manifest file would sit among the images and be counted as one by the
# workspace, and its paths would change the set's hash from run to run.)
OUTPUT_COMMENT = b"recamera-wizard prepared image"

# Extensions the toolchain accepts for --test_input (model_transform asserts on .JPG and .bmp).
TEST_INPUT_SUFFIXES = (".jpg", ".jpeg", ".png")
# Extensions run_calibration searches for (case-insensitive); our outputs are always ".jpg".
CALIBRATION_SUFFIXES = (".jpg", ".bmp", ".png", ".jpeg", ".jfif", ".npy", ".npz")

# File and folder names that operating systems and archivers leave behind.
_SYSTEM_FILE_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"}
_SYSTEM_DIR_NAMES = {"__macosx", "$recycle.bin", "system volume information"}

# Pillow plugins we let open user files. Restricting the list keeps out formats that are
# risky (EPS runs Ghostscript) or guessed from weak signatures (TGA has no magic number).
_WANTED_PILLOW_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "BMP", "DIB", "TIFF", "WEBP", "PPM",
                          "JPEG2000", "AVIF", "HEIF", "QOI")


def _pillow_formats() -> tuple[str, ...]:
    Image.init()
    return tuple(name for name in _WANTED_PILLOW_FORMATS if name in Image.OPEN)


PILLOW_FORMATS = _pillow_formats()

# We enforce MAX_SOURCE_PIXELS ourselves and explain it per file; Pillow's own warning for
# 89-179 MP images would only print noise. (A filter here rather than catch_warnings() around
# each open, because that is not thread-safe and files are checked on worker threads.)
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedImage:
    source: str
    output: str
    notes: tuple[str, ...] = ()
    sha256: str = ""  # of the source file bytes, used for duplicates and cache keys
    note_problems: tuple[Problem, ...] = ()  # the notes, translatable (severity "info")
    width: int = 0  # of the output
    height: int = 0
    mean_rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)  # of the output, for picking a test image


@dataclass(frozen=True)
class RejectedImage:
    source: str
    reason: str  # plain-language, English; ``problem`` carries the translatable form
    problem: Problem | None = None


@dataclass(frozen=True)
class DuplicateImage:
    source: str
    same_as: str


@dataclass(frozen=True)
class SourceFile:
    """One entry of a source folder, found by :func:`scan_sources` without decoding anything."""

    path: str
    relative: str  # POSIX-style, relative to the scanned folder
    size: int  # bytes; 0 for ignored folders
    kind: str  # from magic bytes: "jpeg", "png", ..., "heic", "empty", "text", "unknown"
    ignored: bool = False  # system file or hidden folder: never looked at

    @property
    def looks_like_image(self) -> bool:
        """An image format by its content (whatever the name), decodable here or not."""
        return self.kind in _IMAGE_KINDS

    @property
    def decodable(self) -> bool:
        """An image this installation can convert (HEIC without a plugin is not)."""
        return not self.ignored and _PILLOW_FORMAT_OF_KIND.get(self.kind) in PILLOW_FORMATS


@dataclass(frozen=True)
class CalibrationReport:
    accepted: tuple[AcceptedImage, ...] = ()
    rejected: tuple[RejectedImage, ...] = ()
    duplicates: tuple[DuplicateImage, ...] = ()
    ignored: tuple[str, ...] = ()
    usable_total: int = 0  # usable images found before sampling down to ``count``
    problems: tuple[Problem, ...] = ()
    source_dir: str = ""
    output_dir: str = ""

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        def rejected_entry(item: RejectedImage) -> dict[str, Any]:
            entry: dict[str, Any] = {"source": item.source, "reason": item.reason}
            if item.problem is not None:
                message, fix = item.problem.text(lang)
                entry.update(reason=message, fix=fix, code=item.problem.code)
            return entry

        return {
            "ok": self.ok,
            "source_dir": self.source_dir,
            "output_dir": self.output_dir,
            "accepted": [
                {
                    "source": item.source,
                    "output": item.output,
                    "notes": [p.text(lang)[0] for p in item.note_problems] or list(item.notes),
                }
                for item in self.accepted
            ],
            "rejected": [rejected_entry(item) for item in self.rejected],
            "duplicates": [{"source": d.source, "same_as": d.same_as} for d in self.duplicates],
            "ignored": list(self.ignored),
            "usable_total": self.usable_total,
            "problems": [p.to_dict(lang) for p in self.problems],
        }


class PreparationCancelled(WizardError):
    """Raised when ``should_stop`` asked to stop; nothing in the output folder was changed."""


# ---------------------------------------------------------------------------------------------
# Scanning: names, sizes and magic bytes only
# ---------------------------------------------------------------------------------------------

_IMAGE_KINDS = {"jpeg", "png", "gif", "bmp", "tiff", "webp", "ppm", "jpeg2000", "avif", "heic",
                "jxl", "qoi", "psd", "ico"}
_MAGIC_BYTES_NEEDED = 64


def detect_kind(head: bytes) -> str:
    """What a file is, from its first bytes (never from its name)."""
    if not head:
        return "empty"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"BM") and len(head) >= 18:
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:2] in (b"P1", b"P2", b"P3", b"P4", b"P5", b"P6") and head[2:3] in (b"\n", b" ", b"\r", b"\t"):
        return "ppm"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(b"\xff\x4f\xff\x51"):
        return "jpeg2000"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL \r\n\x87\n"):
        return "jxl"
    if head.startswith(b"qoif"):
        return "qoi"
    if head.startswith(b"8BPS"):
        return "psd"
    if head[:4] == b"\x00\x00\x01\x00":
        return "ico"
    if head[4:8] == b"ftyp":
        return _iso_media_kind(head)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head[:4] == b"RIFF":
        return "riff"
    if _looks_like_text(head):
        return "text"
    return "unknown"


def _iso_media_kind(head: bytes) -> str:
    """HEIC, AVIF and MP4/MOV share the ISO box layout; the ftyp brands tell them apart."""
    box_size = int.from_bytes(head[0:4], "big")
    brands = {head[8:12]}
    end = min(box_size, len(head)) if box_size >= 16 else len(head)
    brands.update(head[i:i + 4] for i in range(16, end - 3, 4))
    if brands & {b"avif", b"avis"}:
        return "avif"
    if brands & {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}:
        return "heic"
    return "video"


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)


# Human label for a kind in messages (kept in English: they are format names).
_KIND_LABELS = {
    "text": "text", "pdf": "a PDF document", "zip": "a ZIP archive", "video": "a video",
    "riff": "audio or video (RIFF)", "unknown": "unknown data", "heic": "HEIC", "avif": "AVIF",
    "jxl": "JPEG XL", "psd": "Photoshop (PSD)", "ico": "an icon (ICO)",
}


def is_system_file(name: str) -> bool:
    """Files that operating systems leave behind (also AppleDouble "._x.jpg" and dotfiles)."""
    return name.startswith(".") or name.casefold() in _SYSTEM_FILE_NAMES


def is_ignored_dir(name: str) -> bool:
    return name.startswith(".") or name.casefold() in _SYSTEM_DIR_NAMES


def _walk(src: Path, exclude: Path | None = None) -> Iterator[tuple[Path, str, bool]]:
    """(path, relative POSIX path, ignored) for every file (and ignored folder), sorted.

    Linked folders are followed (photos are often organised with links), but a folder already
    visited (a link loop) or ``exclude`` (our own output, reachable through a link) is listed
    as ignored instead of being entered.
    """
    entries: list[tuple[str, Path, bool]] = []
    visited = {os.path.realpath(src)}
    excluded = os.path.realpath(exclude) if exclude is not None else None
    for root, dirnames, filenames in os.walk(src, followlinks=True):
        root_path = Path(root)
        kept = []
        for name in dirnames:
            path = root_path / name
            real = os.path.realpath(path)
            if is_ignored_dir(name) or real in visited or real == excluded:
                entries.append((path.relative_to(src).as_posix(), path, True))
            else:
                visited.add(real)
                kept.append(name)
        dirnames[:] = sorted(kept)
        for name in filenames:
            path = root_path / name
            entries.append((path.relative_to(src).as_posix(), path, is_system_file(name)))
    entries.sort(key=lambda entry: entry[0])
    for relative, path, ignored in entries:
        yield path, relative, ignored


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(_MAGIC_BYTES_NEEDED)


def _check_source_dir(src_dir: str | Path) -> Path:
    return check_input_folder(src_dir).absolute()


def scan_sources(src_dir: str | Path) -> list[SourceFile]:
    """Every file under ``src_dir`` with its size and content kind; decodes nothing."""
    src = _check_source_dir(src_dir)
    found: list[SourceFile] = []
    for path, relative, ignored in _walk(src):
        if ignored:
            size = path.stat().st_size if path.is_file() else 0
            found.append(SourceFile(str(path), relative, size, "system", ignored=True))
            continue
        try:
            size = path.stat().st_size
            kind = detect_kind(_read_head(path)) if size else "empty"
        except OSError:
            size, kind = 0, "unreadable"
        found.append(SourceFile(str(path), relative, size, kind))
    return found


# ---------------------------------------------------------------------------------------------
# Opening and converting one image
# ---------------------------------------------------------------------------------------------


class _Unusable(Exception):
    """Carries the Problem that explains why one file cannot be used."""

    def __init__(self, problem_: Problem):
        super().__init__(problem_.message)
        self.problem = problem_


def _unusable(code: str, path: Path | str, **params: Any) -> _Unusable:
    return _Unusable(problem(code, "error", path=str(path), **params))


def _open_checked(path: Path) -> Image.Image:
    """Open lazily (header only) and refuse what cannot or must not be decoded."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _unusable("image_not_a_file", path)
        if size == 0:
            raise _unusable("image_empty", path)
        kind = detect_kind(_read_head(path))
    except OSError as exc:
        raise _unusable("image_unreadable", path, detail=exc.strerror or str(exc)) from None
    try:
        image = Image.open(path, formats=PILLOW_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _too_large(path, None, _short(exc)) from None
    except UnidentifiedImageError:
        raise _unidentified(path, kind) from None
    except (OSError, ValueError, SyntaxError) as exc:
        # The header parsed far enough to look like an image, then broke.
        if _PILLOW_FORMAT_OF_KIND.get(kind) in PILLOW_FORMATS:
            raise _unusable("image_damaged", path, detail=_short(exc)) from None
        raise _unidentified(path, kind) from None
    width, height = image.size
    if width * height > MAX_SOURCE_PIXELS or width <= 0 or height <= 0:
        image.close()
        raise _too_large(path, image.size)
    return image


def _too_large(path: Path, size: tuple[int, int] | None, pillow_message: str = "") -> _Unusable:
    if size:
        described = f"{size[0]}×{size[1]} px"
    else:
        # Pillow refuses the worst bombs inside open(), telling only the pixel count.
        found = re.search(r"\((\d+) pixels\)", pillow_message)
        described = f"{int(found.group(1)) // 1_000_000} MP" if found else "?"
    return _unusable("image_too_large", path, size=described, limit=MAX_SOURCE_PIXELS // 1_000_000)


# Kinds whose decoder is part of every Pillow we support: failing to open one means damage.
_PILLOW_FORMAT_OF_KIND = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "bmp": "BMP", "tiff": "TIFF",
                          "webp": "WEBP", "ppm": "PPM", "jpeg2000": "JPEG2000", "qoi": "QOI",
                          "avif": "AVIF", "heic": "HEIF"}


def _unidentified(path: Path, kind: str) -> _Unusable:
    if _PILLOW_FORMAT_OF_KIND.get(kind) in PILLOW_FORMATS:
        return _unusable("image_damaged", path, detail=f"not a valid {kind.upper()} file")
    if kind in ("heic", "avif", "jxl"):
        return _unusable("image_needs_conversion", path, format=_KIND_LABELS[kind])
    if kind in _IMAGE_KINDS:
        return _unusable("image_unsupported_format", path, format=_KIND_LABELS.get(kind, kind.upper()))
    return _unusable("image_not_an_image", path, kind=_KIND_LABELS.get(kind, kind))


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _verify(path: Path) -> None:
    """Pillow's structural check (PNG chunk CRCs...) and, for JPEG, a cheap end-marker test.

    A JPEG cut short lacks its end marker (FFD9). Some phones append data after it (motion
    photos carry a whole video), so a missing marker only makes us decode the file to be sure.
    """
    try:
        with Image.open(path, formats=PILLOW_FORMATS) as image:
            image.verify()
        if detect_kind(_read_head(path)) == "jpeg" and not _has_jpeg_end_marker(path):
            with Image.open(path, formats=PILLOW_FORMATS) as image:
                image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
    except _Unusable:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure means "damaged"
        raise _unusable("image_damaged", path, detail=_short(exc)) from None


def _has_jpeg_end_marker(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        return b"\xff\xd9" in handle.read()


@dataclass
class _Converted:
    notes: list[Problem]
    width: int
    height: int
    pixel_sha256: str
    look_key: tuple  # equal for images that look almost identical
    mean_rgb: tuple[float, float, float]


_ROTATING_ORIENTATIONS = {5, 6, 7, 8}


class _WriteFailed(Exception):
    """Writing a converted image failed (a full or read-only disk): the output's fault, not the file's."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


def _convert(path: Path, dst: Path, max_side: int, *, display_name: str | None = None) -> _Converted:
    """Decode ``path`` fully and write an upright RGB JPEG at ``dst``; raise _Unusable if not possible."""
    try:
        return _convert_unchecked(path, dst, max_side, display_name)
    except (_Unusable, _WriteFailed, WizardError):
        raise
    except MemoryError:
        raise _too_large(path, None) from None
    except Exception as exc:  # noqa: BLE001 - a decoder bug on odd data is still "this file is damaged"
        raise _unusable("image_damaged", path, detail=_short(exc)) from None


def _convert_unchecked(path: Path, dst: Path, max_side: int, display_name: str | None) -> _Converted:
    name = display_name or str(path)
    notes: list[Problem] = []

    def note(code: str, **params: Any) -> None:
        notes.append(problem(code, "info", path=name, **params))

    image = _open_checked(path)
    try:
        frames = getattr(image, "n_frames", 1)
        # An MPO (many phones and cameras) carries a preview or depth image after the photo:
        # not worth a note.
        if frames > 1 and image.format != "MPO":
            note("image_note_first_frame", frames=frames)
        original_size = image.size
        if image.format in ("JPEG", "MPO") and max(image.size) > 2 * max_side:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: several times faster on big photos.
            scale = max_side / max(image.size)
            image.draft(None, (max(1, int(image.width * scale) + 1), max(1, int(image.height * scale) + 1)))
        try:
            image.load()
        except Image.DecompressionBombError:
            raise _too_large(path, image.size) from None
        except Exception as exc:  # noqa: BLE001 - truncated/corrupt data, whatever the decoder
            raise _unusable("image_damaged", path, detail=_short(exc)) from None
        # Only after load(): reading EXIF from a PNG loads it, and a failed load there would
        # leave an all-black image behind instead of an error.
        orientation = _exif_orientation(image)
        if orientation in _ROTATING_ORIENTATIONS:
            original_size = original_size[::-1]
        working = image
        if orientation not in (None, 1):
            working = ImageOps.exif_transpose(working)
            note("image_note_rotated")
        working = _to_rgb(working, path, note)
        if max(working.size) > max_side:
            working.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if working.size != original_size:
            note("image_note_downsized", width=original_size[0], height=original_size[1],
                 new_width=working.width, new_height=working.height)
        try:
            working.save(dst, "JPEG", quality=JPEG_QUALITY, comment=OUTPUT_COMMENT)
        except OSError as exc:
            raise _WriteFailed(exc) from None
        small = working.resize((32, 32), Image.Resampling.BOX)
        mean = tuple(round(v, 2) for v in ImageStat.Stat(small).mean)
        grey = np.asarray(small.convert("L").resize((8, 8), Image.Resampling.BOX), dtype=np.float32)
        average_hash = np.packbits(grey > grey.mean()).tobytes()
        look_key = (average_hash, tuple(int(v) // 16 for v in mean))
        return _Converted(notes, working.width, working.height,
                          hashlib.sha256(working.tobytes()).hexdigest(), look_key, mean)
    finally:
        image.close()


def _exif_orientation(image: Image.Image) -> int | None:
    try:
        return image.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - broken EXIF must not make a good photo unusable
        return None


def _to_rgb(image: Image.Image, path: Path, note: Callable[..., None]) -> Image.Image:
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
        raise _unusable("image_unsupported_colours", path, mode=mode) from None


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


def prepare_image(src: str | Path, dst: str | Path, *, max_side: int = DEFAULT_MAX_SIDE) -> list[str]:
    """Convert one image (the toolchain's --test_input) to an upright RGB JPEG at ``dst``.

    Returns the notes (plain English) about what was changed. Raises WizardError naming the
    file and the fix when it cannot be used. ``dst`` must end in lower-case ".jpg"/".jpeg":
    model_transform rejects ".JPG".
    """
    src_path = Path(src).expanduser()
    dst_path = Path(dst)
    if dst_path.suffix not in (".jpg", ".jpeg"):
        raise ValueError(f"the test image must be written as .jpg or .jpeg, not {dst_path.name!r}")
    check_input_file(src_path)
    dst_path.parent.mkdir(parents=True, exist_ok=True)
    if src_path.resolve() == dst_path.resolve():
        raise ValueError("prepare_image never overwrites its source")
    try:
        converted = _convert(src_path, dst_path, max_side)
    except _Unusable as exc:
        raise WizardError(exc.problem) from None
    except _WriteFailed as exc:
        raise WizardError.of("output_not_writable", path=str(dst_path), detail=_short(exc.error)) from None
    return [p.text("en")[0] for p in converted.notes]


def make_thumbnail(path: str | Path, size: int | tuple[int, int] = 160) -> Image.Image:
    """A small upright RGB preview; cheap (JPEGs are decoded at reduced scale).

    Blocking: the GUI calls it from a worker thread. Raises WizardError for unusable files.
    """
    box = (size, size) if isinstance(size, int) else tuple(size)
    source = Path(path)
    try:
        image = _open_checked(source)
    except _Unusable as exc:
        raise WizardError(exc.problem) from None
    try:
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", box)
        image.load()
        orientation = _exif_orientation(image)
        working = ImageOps.exif_transpose(image) if orientation not in (None, 1) else image
        working = _to_rgb(working, source, lambda *args, **kwargs: None)
        working.thumbnail(box, Image.Resampling.BILINEAR, reducing_gap=2.0)
        return working
    except _Unusable as exc:
        raise WizardError(exc.problem) from None
    except Exception as exc:  # noqa: BLE001 - a preview must never crash the GUI
        raise WizardError.of("image_damaged", path=str(source), detail=_short(exc)) from None
    finally:
        image.close()


# ---------------------------------------------------------------------------------------------
# The calibration set
# ---------------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    index: int  # position in sorted order: earlier wins duplicates
    path: Path
    relative: str
    sha256: str


@dataclass
class _Prepared:
    candidate: _Candidate
    converted: _Converted
    staged: Path


class _Progress:
    """Monotonic (done, total) for ``on_progress``: checking every file, then converting."""

    def __init__(self, callback: Callable[[int, int], None] | None):
        self.callback = callback
        self.done = 0
        self.total = 0

    def set_total(self, total: int) -> None:
        self.total = max(total, self.done)
        self._emit()

    def advance(self) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        self._emit()

    def finish(self) -> None:
        self.total = self.done = max(self.total, self.done)
        self._emit()

    def _emit(self) -> None:
        if self.callback is not None:
            self.callback(self.done, self.total)


def _slug(stem: str) -> str:
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:32].strip("-")
    return slug or "image"


def output_name(position: int, source: str | Path) -> str:
    """Safe ASCII file name for the ``position``-th (1-based) prepared image."""
    return f"{OUTPUT_PREFIX}{position:04d}_{_slug(Path(source).stem)}.jpg"


def _is_inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def _check_output_dir(src: Path, out: Path) -> list[Path]:
    """Refuse unsafe output folders; return our own previous outputs there (to replace)."""
    if _is_inside(out.resolve(), src.resolve()):
        raise WizardError.of("calib_output_inside_source", out=str(out), path=str(src))
    if not out.exists():
        return []
    if not out.is_dir():
        raise WizardError.of("not_a_directory", path=str(out))
    ours: list[Path] = []
    for entry in sorted(out.iterdir()):
        if entry.is_dir() and not entry.is_symlink() and entry.name.startswith(_OUR_FOLDER_PREFIXES):
            continue  # our own staging left by a killed run: removed after the next swap
        if entry.is_symlink() or not entry.is_file():
            raise WizardError.of("output_not_empty", path=str(out))
        if _OUTPUT_NAME_RE.match(entry.name) and is_our_output(entry):
            ours.append(entry)
        elif not is_system_file(entry.name):  # .DS_Store from browsing the folder is harmless
            raise WizardError.of("output_not_empty", path=str(out))
    return ours


def is_our_output(path: str | Path) -> bool:
    """Whether ``path`` is an image this module wrote (its JPEG comment says so)."""
    try:
        with Image.open(path, formats=("JPEG",)) as image:
            return image.info.get("comment") == OUTPUT_COMMENT
    except (OSError, ValueError, SyntaxError):
        return False


def _rejected(path: Path, problem_: Problem) -> RejectedImage:
    return RejectedImage(source=str(path), reason=problem_.text("en")[0], problem=problem_)


# A zip of photos is how many users carry a data set around (users.md). Limits keep a hostile
# or mistaken archive (a zip bomb, a whole disk backup) from filling the disk: 2 GB holds
# thousands of phone photos, far more than calibration uses; photos hardly compress (JPEG, PNG
# and HEIC are compressed already), so a member that claims to expand over 100x is not a photo.
MAX_ZIP_MEMBERS = 20_000
MAX_ZIP_BYTES = 2 * 1024**3
MAX_ZIP_RATIO = 100
_RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny members (text, a flat test image) may compress well


def is_zip_source(path: str | Path) -> bool:
    path = Path(path)
    return path.is_file() and zipfile.is_zipfile(path)


@dataclass
class _ExtractedZip:
    root: Path
    skipped: list[str]  # member names never written: escaping the folder, absolute, or links


def _check_zip_directory(archive: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse from the zip's directory alone, before a byte is written."""
    total = sum(m.file_size for m in members)
    gib = round(MAX_ZIP_BYTES / 1024**3, 1)
    if len(members) > MAX_ZIP_MEMBERS:
        raise WizardError.of("calib_zip_too_many_files", path=str(archive), members=len(members),
                             limit=MAX_ZIP_MEMBERS)
    if total > MAX_ZIP_BYTES:
        raise WizardError.of("calib_zip_too_big", path=str(archive), size=_gigabytes(total), limit=gib)
    for member in members:
        if member.file_size >= _RATIO_CHECK_FROM_BYTES and member.file_size > MAX_ZIP_RATIO * max(1, member.compress_size):
            raise WizardError.of("calib_zip_ratio", path=str(archive), member=member.filename,
                                 ratio=member.file_size // max(1, member.compress_size), limit=MAX_ZIP_RATIO)


def _gigabytes(size: int) -> str:
    return f"{size / 1024**3:.1f}"


@contextlib.contextmanager
def extracted_zip(archive: Path) -> Iterator[_ExtractedZip]:
    """Extract a zip of images into a temporary folder, refusing paths that escape it.

    Sizes and ratios are checked from the directory first; while writing, a member that
    expands past what the directory declared (a lying header) stops the extraction at once.
    """
    with tempfile.TemporaryDirectory(prefix="recamera-wizard-zip-") as temp:
        root = Path(temp)
        skipped: list[str] = []
        try:
            with zipfile.ZipFile(archive) as bundle:
                members = [m for m in bundle.infolist() if not m.is_dir()]
                _check_zip_directory(archive, members)
                for member in members:
                    name = member.filename.replace("\\", "/")
                    parts = [part for part in name.split("/") if part not in ("", ".")]
                    mode = (member.external_attr >> 16) & 0o170000
                    if not parts or ".." in parts or name.startswith("/") or mode == 0o120000:
                        skipped.append(member.filename)  # never written: said in a note instead
                        continue
                    target = root.joinpath(*parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _extract_member(bundle, member, target, archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
            raise WizardError.of("calib_zip_unreadable", path=str(archive), detail=_short(exc)) from None
        except OSError as exc:
            raise WizardError.of("calib_zip_temp_full" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
                                 else "calib_zip_temp_unwritable", path=str(archive), temp=tempfile.gettempdir(),
                                 detail=_short(exc)) from None
        yield _ExtractedZip(root, skipped)


def _extract_member(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, archive: Path) -> None:
    budget = member.file_size
    with bundle.open(member) as source, open(target, "wb") as sink:
        while True:
            chunk = source.read(min(1 << 20, budget + 1))
            if not chunk:
                return
            budget -= len(chunk)
            if budget < 0:
                raise WizardError.of("calib_zip_lies", path=str(archive), member=member.filename,
                                     declared=member.file_size)
            sink.write(chunk)


def _report_with_archive_paths(report: CalibrationReport, folder: Path, archive: Path) -> CalibrationReport:
    """Name files as <archive>/<member> instead of the temporary folder they were read from."""
    prefix, shown = str(folder), str(archive)

    def swap(value: Any) -> Any:
        return shown + value[len(prefix):] if isinstance(value, str) and value.startswith(prefix) else value

    def swap_problem(item: Problem | None) -> Problem | None:
        if item is None:
            return None
        return replace(item, params={k: swap(v) for k, v in item.params.items()})

    def swap_text(text: str) -> str:
        return text.replace(prefix, shown)

    return replace(
        report,
        accepted=tuple(replace(a, source=swap(a.source), notes=tuple(swap_text(n) for n in a.notes),
                               note_problems=tuple(swap_problem(p) for p in a.note_problems))
                       for a in report.accepted),
        rejected=tuple(replace(r, source=swap(r.source), reason=r.reason.replace(prefix, shown),
                               problem=swap_problem(r.problem)) for r in report.rejected),
        duplicates=tuple(replace(d, source=swap(d.source), same_as=swap(d.same_as))
                         for d in report.duplicates),
        ignored=tuple(swap(i) for i in report.ignored),
        problems=tuple(swap_problem(p) for p in report.problems),
        source_dir=shown,
    )


def prepare_calibration_set(
    src_dir: str | Path,
    out_dir: str | Path,
    count: int | None = DEFAULT_COUNT,
    *,
    seed: int = 0,
    max_side: int = DEFAULT_MAX_SIDE,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    workers: int | None = None,
) -> CalibrationReport:
    """Turn the usable images under ``src_dir`` into RGB JPEGs in ``out_dir``.

    ``count`` None or 0 keeps every usable image; otherwise a seeded random sample (same seed,
    same folder -> same images), listed in sorted order. ``on_progress(done, total)`` and
    ``should_stop()`` are called from the calling thread. ``out_dir`` may not be inside
    ``src_dir``; it must be new, empty, or hold only a previous output of this function, which
    is replaced only once the new set is complete. Raises WizardError for an unusable source
    or output folder (and PreparationCancelled when stopped).
    """
    if not isinstance(max_side, int) or not MIN_MAX_SIDE <= max_side <= MAX_MAX_SIDE:
        raise WizardError.of("calib_bad_max_side", value=max_side, minimum=MIN_MAX_SIDE, maximum=MAX_MAX_SIDE)
    if count is not None and (not isinstance(count, int) or count < 0):
        raise WizardError.of("calib_bad_count", value=count)
    if is_zip_source(src_dir):
        archive = Path(src_dir).expanduser().absolute()
        with extracted_zip(archive) as extracted:
            report = prepare_calibration_set(extracted.root, out_dir, count, seed=seed, max_side=max_side,
                                             on_progress=on_progress, should_stop=should_stop,
                                             workers=workers)
            report = _report_with_archive_paths(report, extracted.root, archive)
            if extracted.skipped:
                report = replace(report, problems=report.problems + (problem(
                    "calib_zip_skipped_entries", "warning", path=str(archive), count=len(extracted.skipped),
                    example=extracted.skipped[0]),))
            return report
    src = _check_source_dir(src_dir)
    out = Path(out_dir).expanduser().absolute()
    previous_outputs = _check_output_dir(src, out)
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    progress = _Progress(on_progress)

    def stop_requested() -> None:
        if should_stop is not None and should_stop():
            raise PreparationCancelled(problem("calib_cancelled", "error", path=str(src)))

    ignored: list[str] = []
    files: list[tuple[Path, str]] = []
    for path, relative, is_ignored in _walk(src, exclude=out):
        if is_ignored:
            ignored.append(str(path))
        else:
            files.append((path, relative))
    progress.set_total(len(files))

    rejected: dict[int, RejectedImage] = {}
    duplicates: list[tuple[int, DuplicateImage]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        candidates = _check_all(files, pool, rejected, duplicates, stop_requested, progress)
        wanted = len(candidates) if not count or count <= 0 else min(count, len(candidates))
        progress.set_total(len(files) + wanted)
        # A full seeded permutation: the first ``wanted`` that convert cleanly are kept, and a
        # file that turns out broken is replaced by the next one, still deterministically.
        order = random.Random(seed).sample(candidates, len(candidates))

        # Through a link to another drive, the files go where the link points: stage there.
        real_out = Path(os.path.realpath(out))
        staging = _make_staging(real_out, out)
        try:
            prepared, unusable_late = _convert_sample(
                order, wanted, staging, max_side, pool, rejected, duplicates, stop_requested, progress
            )
            accepted = _move_into_place(prepared, real_out, out, previous_outputs)
        except _WriteFailed as exc:
            raise _output_failure(out, exc.error, bool(previous_outputs)) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    progress.finish()

    accepted = _add_near_duplicate_notes(accepted)
    usable_total = len(candidates) - unusable_late
    report = CalibrationReport(
        accepted=tuple(accepted),
        rejected=tuple(rejected[i] for i in sorted(rejected)),
        duplicates=tuple(d for _, d in sorted(duplicates, key=lambda pair: pair[0])),
        ignored=tuple(ignored),
        usable_total=usable_total,
        source_dir=str(src),
        output_dir=str(out),
    )
    return replace(report, problems=tuple(_set_problems(report, src, count, seed)))


def _check_all(
    files: list[tuple[Path, str]],
    pool: ThreadPoolExecutor,
    rejected: dict[int, RejectedImage],
    duplicates: list[tuple[int, DuplicateImage]],
    stop_requested: Callable[[], None],
    progress: _Progress,
) -> list[_Candidate]:
    """Pass 1: cheap checks on every file, handled in sorted order (first copy wins)."""

    def check(item: tuple[Path, str]) -> str | _Unusable:
        path = item[0]
        try:
            _open_checked(path).close()
            _verify(path)
            return sha256_file(path)
        except _Unusable as exc:
            return exc
        except OSError as exc:
            return _unusable("image_unreadable", path, detail=exc.strerror or str(exc))
        except Exception as exc:  # noqa: BLE001 - odd data must give a reason, not a traceback
            return _unusable("image_damaged", path, detail=_short(exc))

    candidates: list[_Candidate] = []
    first_with_hash: dict[str, _Candidate] = {}
    for index, ((path, relative), outcome) in enumerate(zip(files, pool.map(check, files))):
        stop_requested()
        progress.advance()
        if isinstance(outcome, _Unusable):
            rejected[index] = _rejected(path, outcome.problem)
            continue
        earlier = first_with_hash.get(outcome)
        if earlier is not None:
            duplicates.append((index, DuplicateImage(str(path), str(earlier.path))))
            continue
        candidate = _Candidate(index, path, relative, outcome)
        first_with_hash[outcome] = candidate
        candidates.append(candidate)
    return candidates


def _convert_sample(
    order: list[_Candidate],
    wanted: int,
    staging: Path,
    max_side: int,
    pool: ThreadPoolExecutor,
    rejected: dict[int, RejectedImage],
    duplicates: list[tuple[int, DuplicateImage]],
    stop_requested: Callable[[], None],
    progress: _Progress,
) -> tuple[list[_Prepared], int]:
    """Pass 2: convert candidates in ``order`` until ``wanted`` are good.

    Returns the prepared images and how many drawn candidates turned out unusable (broken
    data, or the same pixels as another file in a different container).
    """

    def convert(candidate: _Candidate) -> _Prepared | _Unusable:
        staged = staging / f"tmp_{candidate.index:06d}.jpg"
        try:
            return _Prepared(candidate, _convert(candidate.path, staged, max_side), staged)
        except _Unusable as exc:
            staged.unlink(missing_ok=True)
            return exc

    kept: dict[int, _Prepared] = {}
    by_pixels: dict[str, _Prepared] = {}
    unusable_late = 0
    position = 0
    while len(kept) < wanted and position < len(order):
        batch = order[position:position + wanted - len(kept)]
        position += len(batch)
        for candidate, outcome in zip(batch, pool.map(convert, batch)):
            stop_requested()
            if isinstance(outcome, _Unusable):
                rejected[candidate.index] = _rejected(candidate.path, outcome.problem)
                unusable_late += 1
                continue
            twin = by_pixels.get(outcome.converted.pixel_sha256)
            if twin is None:
                kept[candidate.index] = outcome
                by_pixels[outcome.converted.pixel_sha256] = outcome
                progress.advance()
                continue
            # Same pixels in another file (e.g. PNG and BMP of one photo): keep the one that
            # sorts first, as for byte-identical copies.
            first, second = sorted((twin, outcome), key=lambda p: p.candidate.index)
            duplicates.append((second.candidate.index,
                               DuplicateImage(str(second.candidate.path), str(first.candidate.path))))
            second.staged.unlink(missing_ok=True)
            kept.pop(second.candidate.index, None)
            kept[first.candidate.index] = first
            by_pixels[outcome.converted.pixel_sha256] = first
            unusable_late += 1
    return [kept[i] for i in sorted(kept)], unusable_late


# Hidden folders of ours inside the output folder: the new set while it is written (when the
# output folder is a drive of its own) and the previous set while it is swapped out.
_STAGING_PREFIX = ".recamera-wizard-staging."
_PREVIOUS_PREFIX = ".recamera-wizard-previous."
_OUR_FOLDER_PREFIXES = (_STAGING_PREFIX, _PREVIOUS_PREFIX)


def _make_staging(real_out: Path, out: Path) -> Path:
    """A new folder on the file system that will hold the output, so that the swap at the end
    is renames only: the previous set is never touched before the new one is complete, and a
    full disk shows while staging, not halfway through replacing."""
    try:
        real_out.parent.mkdir(parents=True, exist_ok=True)
        if real_out.is_dir() and os.stat(real_out).st_dev != os.stat(real_out.parent).st_dev:
            # The output folder is a mount point (a drive of its own): its parent is elsewhere.
            return Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=real_out))
        return Path(tempfile.mkdtemp(prefix=f".{real_out.name}.", suffix=".partial", dir=real_out.parent))
    except OSError as exc:
        raise _output_failure(out, exc, False) from None


def _output_failure(out: Path, error: OSError, kept_previous: bool) -> WizardError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        code = "calib_output_full_previous_kept" if kept_previous else "calib_output_full"
        return WizardError.of(code, path=str(out), detail=_short(error))
    return WizardError.of("output_not_writable", path=str(out), detail=_short(error))


def _move_into_place(prepared: list[_Prepared], real_out: Path, out: Path,
                     previous_outputs: list[Path]) -> list[tuple[AcceptedImage, tuple]]:
    """Name the staged files in sorted order and only now swap them for the previous output.

    Staging and output share a file system (:func:`_make_staging`), so every step is a rename;
    should one still fail, the previous set is put back as it was.
    """
    named: list[tuple[_Prepared, str]] = [
        (item, output_name(position, item.candidate.path)) for position, item in enumerate(prepared, 1)
    ]
    moved_aside: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    previous_dir: Path | None = None
    try:
        real_out.mkdir(parents=True, exist_ok=True)
        if previous_outputs:
            previous_dir = Path(tempfile.mkdtemp(prefix=_PREVIOUS_PREFIX, dir=real_out))
            for old in previous_outputs:
                aside = previous_dir / old.name
                os.replace(real_out / old.name, aside)
                moved_aside.append((aside, real_out / old.name))
        for item, name in named:
            os.replace(item.staged, real_out / name)
            placed.append(real_out / name)
    except OSError as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        for aside, original in moved_aside:
            with contextlib.suppress(OSError):
                os.replace(aside, original)
        if previous_dir is not None:
            with contextlib.suppress(OSError):
                previous_dir.rmdir()
        raise _output_failure(out, exc, bool(previous_outputs)) from None
    if previous_dir is not None:
        shutil.rmtree(previous_dir, ignore_errors=True)
    for leftover in real_out.iterdir():  # from a run that was killed before it could tidy up
        if leftover.is_dir() and not leftover.is_symlink() and leftover.name.startswith(_OUR_FOLDER_PREFIXES):
            shutil.rmtree(leftover, ignore_errors=True)
    accepted = []
    for item, name in named:
        notes = tuple(item.converted.notes)
        accepted.append((AcceptedImage(
            source=str(item.candidate.path),
            output=str(out / name),
            notes=tuple(p.text("en")[0] for p in notes),
            sha256=item.candidate.sha256,
            note_problems=notes,
            width=item.converted.width,
            height=item.converted.height,
            mean_rgb=item.converted.mean_rgb,
        ), item.converted.look_key))
    return accepted


def _add_near_duplicate_notes(accepted: list[tuple[AcceptedImage, tuple]]) -> list[AcceptedImage]:
    """Flag images that look almost the same as an earlier one (a warning, not a rejection)."""
    first_by_look: dict[tuple, AcceptedImage] = {}
    result = []
    for item, look_key in accepted:
        earlier = first_by_look.setdefault(look_key, item)
        if earlier is not item:
            warning = problem("image_note_near_duplicate", "warning", path=item.source, other=earlier.source)
            item = replace(item, notes=item.notes + (warning.text("en")[0],),
                           note_problems=item.note_problems + (warning,))
        result.append(item)
    return result


def is_near_duplicate(item: AcceptedImage) -> bool:
    return any(p.code == "image_note_near_duplicate" for p in item.note_problems)


def _example(paths: Iterable[str], src: Path) -> str:
    for path in paths:
        try:
            return Path(path).relative_to(src).as_posix()
        except ValueError:
            return path
    return ""


def _set_problems(report: CalibrationReport, src: Path, count: int | None, seed: int) -> list[Problem]:
    problems: list[Problem] = []
    usable = report.usable_total
    prepared = len(report.accepted)
    limits = dict(minimum=MIN_USABLE, recommended=RECOMMENDED_MIN)
    if usable < MIN_USABLE:
        problems.append(problem("calib_too_few_images", "error", usable=usable, path=str(src), **limits))
    elif prepared < MIN_USABLE:
        problems.append(problem("calib_count_too_small", "error", count=prepared, **limits))
    elif usable < RECOMMENDED_MIN:
        problems.append(problem("calib_few_images", "warning", usable=usable, path=str(src), **limits))
    elif prepared < RECOMMENDED_MIN:
        problems.append(problem("calib_count_small", "warning", count=prepared, **limits))
    if report.rejected:
        problems.append(problem("calib_rejected_files", "warning", count=len(report.rejected), path=str(src),
                                example=_example((r.source for r in report.rejected), src)))
    if report.duplicates:
        problems.append(problem("calib_duplicates", "info", count=len(report.duplicates), path=str(src),
                                example=_example((d.source for d in report.duplicates), src)))
    near = [item for item in report.accepted if is_near_duplicate(item)]
    if near:
        problems.append(problem("calib_near_duplicates", "warning", count=len(near),
                                example=_example((n.source for n in near), src)))
    if prepared < usable:
        problems.append(problem("calib_sampled", "info", count=prepared, usable=usable, path=str(src), seed=seed))
    megabytes = round(prepared * MEGABYTES_PER_CALIBRATION_IMAGE)
    if megabytes > MEMORY_WARNING_MEGABYTES:
        problems.append(problem("calib_memory_heavy", "warning", count=prepared, megabytes=megabytes))
    return problems


def pick_representative_image(report: CalibrationReport) -> AcceptedImage | None:
    """The prepared image whose mean colour is closest to the set's median: a typical scene.

    The GUI offers it as the default test image. Images with transparency filled in or flagged
    as near-duplicates are passed over when others exist.
    """
    if not report.accepted:
        return None
    plain = [item for item in report.accepted
             if not any(p.code in ("image_note_transparency", "image_note_near_duplicate") for p in item.note_problems)]
    pool = plain or list(report.accepted)
    median = [statistics.median(item.mean_rgb[channel] for item in pool) for channel in range(3)]

    def distance(item: AcceptedImage) -> float:
        return sum((item.mean_rgb[c] - median[c]) ** 2 for c in range(3))

    return min(pool, key=distance)  # min keeps the first (sorted) on ties
