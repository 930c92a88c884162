"""detections.json round trips, the drawings, and the exact packing of cached outputs (no toolchain)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from wizard.core.detections import draw
from wizard.core.detections.check import pack_outputs, unpack_outputs
from wizard.core.detections.decode import Detections
from wizard.core.detections.letterbox import Preprocess, letterbox
from wizard.core.detections.match import compare_picture
from wizard.core.detections.report import DetectionReport, Message, picture_record
from wizard.core.messages import WizardError, problem


def _dets(*rows) -> Detections:
    data = np.asarray(rows, dtype=np.float64)
    return Detections(data[:, :4], data[:, 4], data[:, 5].astype(np.int64))


def _record(width=1600, height=1200, names=("person", "猫")):
    _, placement = letterbox(np.zeros((height, width, 3), dtype=np.uint8), Preprocess())
    original = _dets((40, 100, 200, 300, 0.9, 0), (300, 120, 400, 220, 0.8, 1))
    int8 = _dets((42, 100, 200, 300, 0.85, 0), (500, 300, 600, 400, 0.5, 1))
    return picture_record(rank=1, name="shop 猫.jpg", source="/x/shop.jpg", sha256="0" * 64, placement=placement,
                          original=original, int8=int8, comparison=compare_picture(original, int8),
                          class_names=names, image="detections/01_shop.png")


def test_boxes_are_stored_in_original_picture_pixels():
    record = _record()
    # 1600x1200 into 640: scale 0.4, offset y 80; input (40, 100, 200, 300) -> (100, 50, 500, 550).
    first = record.original[0]
    assert (first.x1, first.y1, first.x2, first.y2, first.label) == (100, 50, 500, 550, "person")
    assert record.original[1].label == "猫"
    assert (record.width, record.height) == (1600, 1200)
    assert record.missed == [1] and record.extra == [1] and len(record.matched) == 1


def test_message_records_render_again_in_japanese():
    message = Message.of(problem("detections_verdict_poor", "warning", pictures=3, agreement="40%", recall="50%",
                                 precision="30%", missed=4, extra=6))
    assert "3 pictures" in message.text("en")[0]
    assert "3 枚" in message.text("ja")[0]
    assert message.severity == "warning"


def test_a_damaged_or_newer_report_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "detections.json"
    path.write_text("{ not json")
    with pytest.raises(WizardError) as error:
        DetectionReport.load(path)
    assert error.value.problem.code == "detections_report_unreadable"
    path.write_text(json.dumps({"schema_version": 2}))
    with pytest.raises(WizardError) as error:
        DetectionReport.load(path)
    assert error.value.problem.code == "detections_report_unreadable"
    with pytest.raises(WizardError) as error:
        DetectionReport.load(tmp_path / "missing.json")
    assert error.value.problem.code == "file_not_found"


def test_drawing_is_side_by_side_and_bounded(tmp_path):
    picture = tmp_path / "big.jpg"
    Image.new("RGB", (1600, 1200), (90, 120, 150)).save(picture)
    out = draw.draw_picture(_record(), picture, tmp_path / "out.png", lang="ja")
    with Image.open(out) as image:
        assert image.size == (2 * 960 + draw.GAP, draw.HEADER + 720)
        pixels = np.asarray(image.convert("RGB"))
    # The kept box is drawn in its class colour on both panels, at the same place.
    x = round(100 * 0.6)
    y = draw.HEADER + round(300 * 0.6)
    colour = list(draw.class_colour(0))
    assert pixels[y, x].tolist() == colour
    assert pixels[y, 960 + draw.GAP + round(105 * 0.6)].tolist() == colour
    assert draw.drawing_name(3, "shop 猫.jpg") == "03_shop__.png"


def test_drawing_without_a_cjk_font_falls_back_to_english(tmp_path, monkeypatch):
    monkeypatch.setattr(draw, "_CJK_FONTS", ())
    monkeypatch.setattr(draw, "_bundled_fonts", lambda: [])
    draw._font.cache_clear()
    try:
        assert not draw.cjk_font_available()
        picture = tmp_path / "p.png"
        Image.new("RGB", (640, 640)).save(picture)
        drawn = []

        class Recorder(draw._Writer):
            def text(self, xy, text, fallback, fill, background=None, right=None):
                drawn.append(text if not draw._needs_cjk(text) else fallback)
                super().text(xy, text, fallback, fill, background, right)

        monkeypatch.setattr(draw, "_Writer", Recorder)
        draw.draw_picture(_record(640, 640), picture, tmp_path / "out.png", lang="ja")
        assert "original" in drawn and "INT8" in drawn
        assert not any(draw._needs_cjk(t) for t in drawn)
        assert any(t.startswith("missed: class 1") for t in drawn)
    finally:
        draw._font.cache_clear()


def test_cached_outputs_are_packed_exactly():
    rng = np.random.default_rng(0)
    floats = rng.normal(0, 3, (1, 64, 8, 8)).astype(np.float32)
    bf16 = (floats.view(np.uint32) & 0xFFFF0000).view(np.float32)
    scale = np.float32(0.0123)
    int8 = (rng.integers(-128, 128, (1, 5, 8, 8)).astype(np.float32) * scale).astype(np.float32)
    packed = pack_outputs({"f": floats, "b_f32": bf16, "q": int8, "u": np.arange(3, dtype=np.uint8)})
    assert packed["b_f32@bf16"].dtype == np.uint16 and packed["q@int8"].dtype == np.int8
    assert packed["f"].dtype == np.float32
    restored = unpack_outputs(packed)
    assert sorted(restored) == ["b_f32", "f", "q", "u"]
    for key, value in (("f", floats), ("b_f32", bf16), ("q", int8)):
        assert restored[key].dtype == np.float32 and np.array_equal(restored[key].view(np.uint32), value.view(np.uint32))
