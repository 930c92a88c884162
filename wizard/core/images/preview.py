"""A small upright preview of a user's picture, for the GUI's grid (called off its thread)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

from wizard.core.images.decode import Unusable, exif_orientation, open_checked, short_detail, to_rgb
from wizard.core.messages import WizardError


def make_thumbnail(path: str | Path, size: int | tuple[int, int] = 160) -> Image.Image:
    """A small upright RGB preview; cheap (JPEGs are decoded at reduced scale).

    Blocking: the GUI calls it from a worker thread. Raises WizardError for unusable files.
    """
    box = (size, size) if isinstance(size, int) else tuple(size)
    source = Path(path)
    try:
        image = open_checked(source)
    except Unusable as exc:
        raise WizardError(exc.problem) from None
    try:
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", box)
        image.load()
        orientation = exif_orientation(image)
        working = ImageOps.exif_transpose(image) if orientation not in (None, 1) else image
        working = to_rgb(working, source, lambda *args, **kwargs: None)
        working.thumbnail(box, Image.Resampling.BILINEAR, reducing_gap=2.0)
        return working
    except Unusable as exc:
        raise WizardError(exc.problem) from None
    except Exception as exc:  # noqa: BLE001 - a preview must never crash the GUI
        raise WizardError.of("image_damaged", path=str(source), detail=short_detail(exc)) from None
    finally:
        image.close()
