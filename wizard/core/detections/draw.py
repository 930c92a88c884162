"""One picture, side by side: the original model's boxes | the INT8 model's boxes.

Both panels show the user's picture (not the letterboxed one), boxes in its own pixels. Kept
boxes take their class colour (Ultralytics' palette) on both sides. A box the INT8 model lost is
dashed white on both sides, labelled "missed" on the INT8 side; a box only the INT8 model found has
a doubled magenta outline, labelled "extra", or "class changed: a -> b" when the original found
the same place with another class.

Fonts: Japanese text (labels in Japanese, class names of the user's model) needs a CJK font.
``resources/`` bundles none (a usable CJK font is larger than the repository's 1 MB file limit),
so the first CJK font of the system is used (Yu Gothic / Meiryo on Windows, Hiragino on macOS,
Noto CJK / IPA / Droid on Linux); without one, text falls back to English words and "class N".
Latin text uses the same font or Pillow's built-in one.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from wizard.core.detections.report import Box, PictureRecord
from wizard.core.messages import render

MAX_PANEL_SIDE = 960  # drawings stay a few hundred KB whatever the camera resolution
GAP = 12
HEADER = 54
BACKGROUND = (32, 32, 32)
TEXT = (240, 240, 240)
MISSED = (255, 255, 255)  # dashed: a box the INT8 model lost
MISSED_LABEL = (200, 30, 30)
EXTRA = (230, 0, 230)  # doubled outline: a box only the INT8 model has
# Ultralytics' colour palette: users recognise their classes by it.
PALETTE = ["FF3838", "FF9D97", "FF701F", "FFB21D", "CFD231", "48F90A", "92CC17", "3DDB86", "1A9334", "00D4BB",
           "2C99A8", "00C2FF", "344593", "6473FF", "0018EC", "8438FF", "520085", "CB38FF", "FF95C8", "FF37C7"]

_CJK_FONTS = (
    # Windows
    "C:/Windows/Fonts/YuGothM.ttc", "C:/Windows/Fonts/meiryo.ttc", "C:/Windows/Fonts/msgothic.ttc",
    # macOS
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc", "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    # Linux
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def class_colour(class_id: int) -> tuple[int, int, int]:
    value = PALETTE[class_id % len(PALETTE)]
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _needs_cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def _bundled_fonts() -> list[str]:
    from wizard.resources import resource_path

    folder = resource_path("fonts")
    if not folder.is_dir():
        return []
    return sorted(str(p) for p in folder.iterdir() if p.suffix.lower() in (".ttf", ".otf", ".ttc"))


@lru_cache(maxsize=8)
def _font(size: int, cjk: bool):
    from PIL import ImageFont  # slow import: only when drawing

    candidates = _bundled_fonts() + (list(_CJK_FONTS) if cjk else [])
    for path in candidates:
        if os.path.isfile(path):
            try:
                return ImageFont.truetype(path, size), True
            except OSError:
                continue
    try:
        return ImageFont.load_default(size=size), False
    except TypeError:  # Pillow < 10.1: a fixed-size bitmap font
        return ImageFont.load_default(), False


def cjk_font_available() -> bool:
    return _font(16, True)[1]


class _Writer:
    """Draws text, falling back to an ASCII alternative when no font can show it."""

    def __init__(self, draw, size: int):
        self.draw = draw
        self.font, self.cjk = _font(size, True)

    def text(self, xy, text: str, fallback: str, fill, background=None, right: float | None = None) -> None:
        """Draw at ``xy``; moved left when it would run past ``right``."""
        shown = text if (self.cjk or not _needs_cjk(text)) else fallback
        if right is not None:
            width = self.draw.textlength(shown, font=self.font)
            xy = (max(0.0, min(xy[0], right - width - 2)), xy[1])
        if background is not None:
            left, top, right, bottom = self.draw.textbbox(xy, shown, font=self.font)
            self.draw.rectangle((left - 2, top - 1, right + 2, bottom + 1), fill=background)
        self.draw.text(xy, shown, font=self.font, fill=fill)

    def height(self, text: str = "Ag") -> int:
        left, top, right, bottom = self.draw.textbbox((0, 0), text, font=self.font)
        return bottom - top


def _word(code: str, lang: str) -> tuple[str, str]:
    return render(code, {}, lang)[0], render(code, {}, "en")[0]


def _dashed_rectangle(draw, box, colour, width: int, dash: int = 10) -> None:
    x1, y1, x2, y2 = box
    for start, end, fixed, horizontal in ((x1, x2, y1, True), (x1, x2, y2, True), (y1, y2, x1, False), (y1, y2, x2, False)):
        position = start
        while position < end:
            stop = min(position + dash, end)
            if horizontal:
                draw.line((position, fixed, stop, fixed), fill=colour, width=width)
            else:
                draw.line((fixed, position, fixed, stop), fill=colour, width=width)
            position += 2 * dash


def _scaled(box: Box, factor: float, dx: int, dy: int) -> tuple[float, float, float, float]:
    return box.x1 * factor + dx, box.y1 * factor + dy, box.x2 * factor + dx, box.y2 * factor + dy


def _label(box: Box) -> tuple[str, str]:
    """Shown label, and the fallback when the class name needs a CJK font that is missing."""
    return f"{box.label} {box.score:.2f}", f"class {box.class_id} {box.score:.2f}"


def draw_picture(record: PictureRecord, picture: str | os.PathLike, out: str | os.PathLike,
                 *, lang: str = "en") -> Path:
    """Write the side-by-side PNG for one picture; returns its path."""
    from PIL import Image, ImageDraw, ImageOps  # slow import: only when drawing

    with Image.open(picture) as image:
        image.load()
        source = ImageOps.exif_transpose(image).convert("RGB")
    factor = min(1.0, MAX_PANEL_SIDE / max(source.size))
    panel = source.resize((max(1, round(source.width * factor)), max(1, round(source.height * factor))),
                          Image.Resampling.BILINEAR) if factor < 1 else source
    width, height = panel.size
    canvas = Image.new("RGB", (2 * width + GAP, HEADER + height), BACKGROUND)
    left_x, right_x, top = 0, width + GAP, HEADER
    canvas.paste(panel, (left_x, top))
    canvas.paste(panel, (right_x, top))
    draw = ImageDraw.Draw(canvas)
    line = max(2, round(max(width, height) / 320))
    writer = _Writer(draw, max(12, round(max(width, height) / 45)))
    title = _Writer(draw, 16)

    # A class change is one event, not a miss plus an extra.
    counts = {"matched": len(record.matched), "missed": len(record.missed) - len(record.class_changes),
              "extra": len(record.extra) - len(record.class_changes), "changed": len(record.class_changes)}
    summary = render("detections_picture_summary", counts, lang)[0]
    summary_en = render("detections_picture_summary", counts, "en")[0]
    first = 6
    second = first + title.height() + 12
    title.text((8, first), f"{record.rank}. {record.name} - {summary}", f"{record.rank}. {summary_en}", TEXT)
    original_word, original_en = _word("detections_label_original", lang)
    int8_word, int8_en = _word("detections_label_int8", lang)
    title.text((left_x + 8, second), original_word, original_en, TEXT)
    title.text((right_x + 8, second), int8_word, int8_en, TEXT)

    missed_word, missed_en = _word("detections_label_missed", lang)
    extra_word, extra_en = _word("detections_label_extra", lang)
    changed_word, changed_en = _word("detections_label_class_changed", lang)
    changes = {p.int8: p.original for p in record.class_changes}
    lost = set(record.missed) - set(changes.values())  # a class change is drawn once, as a change
    edge = left_x + width
    for index, box in enumerate(record.original):
        rect = _scaled(box, factor, left_x, top)
        shown, fallback = _label(box)
        if index in lost:
            _dashed_rectangle(draw, rect, MISSED, line)
            writer.text((rect[0] + line, rect[1] + line), shown, fallback, (255, 255, 255),
                        background=MISSED_LABEL, right=edge)
            continue
        colour = class_colour(box.class_id)
        draw.rectangle(rect, outline=colour, width=line)
        writer.text((rect[0] + line, rect[1] + line), shown, fallback, (255, 255, 255), background=colour,
                        right=edge)

    extra = set(record.extra)
    edge = right_x + width
    for index, box in enumerate(record.int8):
        rect = _scaled(box, factor, right_x, top)
        shown, fallback = _label(box)
        if index not in extra:
            colour = class_colour(box.class_id)
            draw.rectangle(rect, outline=colour, width=line)
            writer.text((rect[0] + line, rect[1] + line), shown, fallback, (255, 255, 255), background=colour,
                        right=edge)
            continue
        draw.rectangle(rect, outline=EXTRA, width=line)
        inner = (rect[0] + 2 * line, rect[1] + 2 * line, rect[2] - 2 * line, rect[3] - 2 * line)
        if inner[2] > inner[0] and inner[3] > inner[1]:
            draw.rectangle(inner, outline=EXTRA, width=max(1, line // 2))
        if index in changes:
            was = record.original[changes[index]]
            shown = f"{changed_word}: {was.label} -> {shown}"
            fallback = f"{changed_en}: class {was.class_id} -> {fallback}"
        else:
            shown, fallback = f"{extra_word}: {shown}", f"{extra_en}: {fallback}"
        writer.text((rect[0] + line, rect[1] + line), shown, fallback, (255, 255, 255), background=EXTRA,
                    right=edge)
    for index in sorted(lost):
        box = record.original[index]
        rect = _scaled(box, factor, right_x, top)
        _dashed_rectangle(draw, rect, MISSED, line)
        shown, fallback = f"{missed_word}: {box.label}", f"{missed_en}: class {box.class_id}"
        writer.text((rect[0] + line, rect[3] - line - writer.height() - 4), shown, fallback,
                    (255, 255, 255),
                        background=MISSED_LABEL, right=edge)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out, "PNG", optimize=False)
    return out


def drawing_name(rank: int, name: str) -> str:
    """``NN_<name>.png``: rank first so a file browser lists the worst pictures first."""
    stem = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "_" for ch in Path(name).stem)[:60] or "picture"
    return f"{rank:02d}_{stem}.png"


def drawings_in_language(report, folder: str | os.PathLike, lang: str,
                         cache_root: str | os.PathLike) -> list[str | None]:
    """The report's drawings with their words in ``lang``, one path (or None) per picture.

    The check's own drawings when they are in that language (or their language is not known);
    else drawn anew from the checked pictures into ``cache_root`` (once per report and language:
    the report's key names the folder), so a window switched to the other language shows
    its own words without checking again. A picture that is gone keeps the check's drawing."""
    folder = Path(folder)
    own = [str(folder / r.image) if r.image else None for r in report.pictures]
    if report.drawings_lang in (None, lang):
        return own
    target = Path(cache_root) / f"{report.key[:24]}-{lang}"
    paths: list[str | None] = []
    for record, fallback in zip(report.pictures, own):
        if fallback is None:
            paths.append(None)
            continue
        drawn = target / Path(record.image).name
        if not drawn.is_file():
            if not Path(record.source).is_file():
                paths.append(fallback)
                continue
            partial = drawn.with_name(drawn.name + ".partial")
            draw_picture(record, record.source, partial, lang=lang)
            os.replace(partial, drawn)  # a drawing interrupted half-way is never taken for a whole one
        paths.append(str(drawn))
    return paths


def draw_all(records: Sequence[PictureRecord], pictures: Sequence[str | os.PathLike], folder: str | os.PathLike,
             *, lang: str = "en") -> list[Path]:
    return [draw_picture(r, p, Path(folder) / drawing_name(r.rank, r.name), lang=lang)
            for r, p in zip(records, pictures)]
