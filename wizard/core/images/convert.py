"""One picture in, one upright RGB JPEG out: the file the toolchain accepts.

:func:`convert_image` decodes fully (after decode.py's checks), writes the JPEG and measures what
selecting the set needs (pixel hash, a look-alike key, the mean colour); :func:`prepare_image`
is the same for the single test image (model_transform's --test_input).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, ImageStat

from wizard.core.images.decode import (
    Unusable,
    exif_orientation,
    open_checked,
    short_detail,
    to_rgb,
    too_large,
    unusable,
)
from wizard.core.messages import Problem, WizardError, problem
from wizard.core.user_paths import check_input_file

DEFAULT_MAX_SIDE = 1280
# Below 32 px nothing is left to calibrate on; above 8192 px no model input comes near.
MIN_MAX_SIDE = 32
MAX_MAX_SIDE = 8192

JPEG_QUALITY = 95

# Written into every output's JPEG comment: proof that a file in the output folder is ours and
# may be replaced. (A manifest file would sit among the images and be counted as one by the
# workspace, and its paths would change the set's hash from run to run.)
OUTPUT_COMMENT = b"recamera-wizard prepared image"

# Extensions the toolchain accepts for --test_input (model_transform asserts on .JPG and .bmp).
TEST_INPUT_SUFFIXES = (".jpg", ".jpeg", ".png")
# Extensions run_calibration searches for (case-insensitive); our outputs are always ".jpg".
CALIBRATION_SUFFIXES = (".jpg", ".bmp", ".png", ".jpeg", ".jfif", ".npy", ".npz")


@dataclass
class Converted:
    notes: list[Problem]
    width: int
    height: int
    pixel_sha256: str
    look_key: tuple  # equal for images that look almost identical
    mean_rgb: tuple[float, float, float]


_ROTATING_ORIENTATIONS = {5, 6, 7, 8}


class WriteFailed(Exception):
    """Writing a converted image failed (a full or read-only disk): the output's fault, not the file's."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


def convert_image(path: Path, dst: Path, max_side: int, *, display_name: str | None = None) -> Converted:
    """Decode ``path`` fully and write an upright RGB JPEG at ``dst``; raise Unusable if not possible."""
    try:
        return _convert_unchecked(path, dst, max_side, display_name)
    except (Unusable, WriteFailed, WizardError):
        raise
    except MemoryError:
        raise too_large(path, None) from None
    except Exception as exc:  # noqa: BLE001 - a decoder bug on odd data is still "this file is damaged"
        raise unusable("image_damaged", path, detail=short_detail(exc)) from None


def _convert_unchecked(path: Path, dst: Path, max_side: int, display_name: str | None) -> Converted:
    name = display_name or str(path)
    notes: list[Problem] = []

    def note(code: str, **params: Any) -> None:
        notes.append(problem(code, "info", path=name, **params))

    image = open_checked(path)
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
            raise too_large(path, image.size) from None
        except Exception as exc:  # noqa: BLE001 - truncated/corrupt data, whatever the decoder
            raise unusable("image_damaged", path, detail=short_detail(exc)) from None
        # Only after load(): reading EXIF from a PNG loads it, and a failed load there would
        # leave an all-black image behind instead of an error.
        orientation = exif_orientation(image)
        if orientation in _ROTATING_ORIENTATIONS:
            original_size = original_size[::-1]
        working = image
        if orientation not in (None, 1):
            working = ImageOps.exif_transpose(working)
            note("image_note_rotated")
        working = to_rgb(working, path, note)
        if max(working.size) > max_side:
            working.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if working.size != original_size:
            note("image_note_downsized", width=original_size[0], height=original_size[1],
                 new_width=working.width, new_height=working.height)
        try:
            working.save(dst, "JPEG", quality=JPEG_QUALITY, comment=OUTPUT_COMMENT)
        except OSError as exc:
            raise WriteFailed(exc) from None
        small = working.resize((32, 32), Image.Resampling.BOX)
        mean = tuple(round(v, 2) for v in ImageStat.Stat(small).mean)
        grey = np.asarray(small.convert("L").resize((8, 8), Image.Resampling.BOX), dtype=np.float32)
        average_hash = np.packbits(grey > grey.mean()).tobytes()
        look_key = (average_hash, tuple(int(v) // 16 for v in mean))
        return Converted(notes, working.width, working.height,
                          hashlib.sha256(working.tobytes()).hexdigest(), look_key, mean)
    finally:
        image.close()


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
        converted = convert_image(src_path, dst_path, max_side)
    except Unusable as exc:
        raise WizardError(exc.problem) from None
    except WriteFailed as exc:
        raise WizardError.of("output_not_writable", path=str(dst_path), detail=short_detail(exc.error)) from None
    return [p.text("en")[0] for p in converted.notes]

def is_our_output(path: str | Path) -> bool:
    """Whether ``path`` is an image :func:`convert_image` wrote (its JPEG comment says so)."""
    try:
        with Image.open(path, formats=("JPEG",)) as image:
            return image.info.get("comment") == OUTPUT_COMMENT
    except (OSError, ValueError, SyntaxError):
        return False
