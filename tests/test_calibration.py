"""Calibration-set preparation: every kind of file users bring, and what the toolchain accepts.

The image sets are built here, in tmp_path, so each case is visible next to its assertion.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from wizard.core import messages
from wizard.core.images.convert import (
    CALIBRATION_SUFFIXES,
    DEFAULT_MAX_SIDE,
    TEST_INPUT_SUFFIXES,
    is_our_output,
    prepare_image,
)
from wizard.core.images.preview import make_thumbnail
from wizard.core.images.report import MIN_USABLE, CalibrationReport
from wizard.core.images.select import pick_representative_image
from wizard.core.images.sniff import detect_kind
from wizard.core.images.sources import scan_sources
from wizard.core.images.stage import PreparationCancelled, prepare_calibration_set
from wizard.core.messages import WizardError
from wizard.core.images.samples import draw_scene, generate_sample_images

OUTPUT_NAME = re.compile(r"^calib_\d{4}_[a-z0-9-]+\.jpg$")


# --- building test images ------------------------------------------------------------------


def scene(seed: int, size=(160, 120)) -> Image.Image:
    """A distinct photo-like RGB image per seed (never a near-duplicate of another seed)."""
    return draw_scene(size, 1000 + seed)


def save_jpeg(path: Path, seed: int, size=(160, 120), **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    scene(seed, size).save(path, "JPEG", quality=90, **options)
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width: int, height: int, idat: bytes = b"") -> bytes:
    """A PNG that claims ``width`` x ``height``: what a decompression bomb looks like to open()."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def fake_heic() -> bytes:
    ftyp = b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    return struct.pack(">I", 8 + len(ftyp) - 4) + ftyp + b"\x00" * 200


def jpeg_with_orientation(path: Path, seed: int, orientation: int, size=(200, 100)) -> Path:
    image = scene(seed, size)
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def build_mixed_folder(src: Path) -> dict[str, Path]:
    """Every case the brief lists, named so each assertion can find its file."""
    src.mkdir(parents=True, exist_ok=True)
    (src / "nested" / "deeper").mkdir(parents=True)
    files: dict[str, Path] = {}

    cmyk = scene(1).convert("CMYK")
    files["cmyk"] = src / "cmyk.jpg"
    cmyk.save(files["cmyk"], "JPEG", quality=90)

    rgba = scene(2).convert("RGBA")
    alpha = Image.new("L", rgba.size, 255)
    alpha.paste(0, (0, 0, 40, 40))  # a fully transparent corner
    rgba.putalpha(alpha)
    files["rgba"] = src / "logo.png"
    rgba.save(files["rgba"])

    files["16bit"] = src / "depth16.png"
    Image.fromarray(np.full((60, 80), 32768, dtype=np.uint16)).save(files["16bit"])
    assert Image.open(files["16bit"]).mode == "I;16"

    files["gif"] = src / "anim.gif"
    first = Image.new("RGB", (64, 48), (200, 30, 30)).convert("P")
    second = Image.new("RGB", (64, 48), (30, 30, 200)).convert("P")
    first.save(files["gif"], save_all=True, append_images=[second], duration=100, loop=0)
    assert Image.open(files["gif"]).n_frames == 2

    files["bmp"] = src / "nested" / "scan.bmp"
    scene(3).save(files["bmp"], "BMP")
    files["webp"] = src / "nested" / "web.webp"
    scene(4).save(files["webp"], "WEBP", quality=90)
    files["tiff"] = src / "nested" / "deeper" / "print.tif"
    scene(5).save(files["tiff"], "TIFF")

    files["exif6"] = jpeg_with_orientation(src / "rotated.jpg", 6, orientation=6)
    files["upper"] = save_jpeg(src / "PHOTO.JPG", 7)
    files["japanese"] = save_jpeg(src / "写真.jpeg", 8)
    files["img"] = save_jpeg(src / "frame.img", 9)
    files["huge"] = src / "huge.jpg"
    # A gradient with stripes: cheap to draw at 15 MP, and not flat (so not a near-duplicate).
    huge = Image.merge("RGB", [Image.linear_gradient("L").resize((5000, 3000)),
                               Image.radial_gradient("L").resize((5000, 3000)),
                               Image.linear_gradient("L").rotate(90).resize((5000, 3000))])
    huge.save(files["huge"], "JPEG", quality=80)
    files["original"] = save_jpeg(src / "a_original.jpg", 11)
    files["copy"] = src / "nested" / "z_copy.jpg"
    files["copy"].write_bytes(files["original"].read_bytes())

    files["empty"] = src / "empty.jpg"
    files["empty"].write_bytes(b"")
    whole = io.BytesIO()
    scene(12, size=(320, 240)).save(whole, "JPEG", quality=95)
    files["truncated"] = src / "truncated.jpg"
    files["truncated"].write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    files["text"] = src / "notes.jpg"
    files["text"].write_text("these are not pixels\n", encoding="utf-8")
    files["heic"] = src / "IMG_0001.HEIC"
    files["heic"].write_bytes(fake_heic())
    files["bomb"] = src / "bomb.png"
    files["bomb"].write_bytes(png_header_only(20000, 20000, zlib.compress(b"\x00" * 1000)))

    (src / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (src / "._rotated.jpg").write_bytes(b"\x00\x05\x16\x07AppleDouble")
    (src / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (src / "__MACOSX").mkdir()
    save_jpeg(src / "__MACOSX" / "._PHOTO.JPG", 13)
    (src / ".hidden").mkdir()
    save_jpeg(src / ".hidden" / "secret.jpg", 14)
    return files


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file: proof that nothing in the source was touched."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def by_source(items, path: Path):
    matches = [item for item in items if Path(item.source) == path]
    assert len(matches) == 1, f"{path} not found once in {items}"
    return matches[0]


def note_codes(item) -> set[str]:
    return {p.code for p in item.note_problems}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Built and prepared once: the tests below only read the folder and the report."""
    root = tmp_path_factory.mktemp("mixed")
    src = root / "photos"
    files = build_mixed_folder(src)
    before = snapshot(src)
    report = prepare_calibration_set(src, root / "calib", count=None)
    return src, files, report, before, root / "calib"


# --- the mixed folder ----------------------------------------------------------------------


def test_every_usable_format_is_accepted_and_source_is_untouched(mixed):
    src, files, report, before, out = mixed
    usable = ["cmyk", "rgba", "16bit", "gif", "bmp", "webp", "tiff", "exif6", "upper", "japanese",
              "img", "huge", "original"]
    accepted_sources = {Path(a.source) for a in report.accepted}
    assert accepted_sources == {files[name] for name in usable}
    assert report.usable_total == len(usable)
    assert snapshot(src) == before


def test_every_output_is_an_rgb_jpeg_with_a_safe_name_the_toolchain_accepts(mixed):
    _, _, report, _, out = mixed
    for item in report.accepted:
        output = Path(item.output)
        assert output.parent == out
        assert output.name.isascii() and OUTPUT_NAME.match(output.name), output.name
        assert output.suffix in CALIBRATION_SUFFIXES and output.suffix in TEST_INPUT_SUFFIXES
        with Image.open(output) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
            assert (image.width, image.height) == (item.width, item.height)
    # Nothing else in the output folder: the workspace counts and hashes every file there.
    names = {p.name for p in out.iterdir()}
    assert names == {Path(a.output).name for a in report.accepted}


def test_outputs_are_numbered_in_sorted_source_order(mixed):
    _, _, report, _, _ = mixed
    sources = [a.source for a in report.accepted]
    assert sources == sorted(sources)
    assert [Path(a.output).name[:10] for a in report.accepted] == [
        f"calib_{i:04d}" for i in range(1, len(sources) + 1)
    ]


def test_conversions_are_correct_and_noted(mixed):
    _, files, report, _, _ = mixed
    accepted = report.accepted

    assert "image_note_cmyk" in note_codes(by_source(accepted, files["cmyk"]))

    rgba = by_source(accepted, files["rgba"])
    assert "image_note_transparency" in note_codes(rgba)
    with Image.open(rgba.output) as image:
        corner = image.getpixel((5, 5))
    assert all(abs(c - 114) <= 6 for c in corner), corner  # neutral grey, not black or random

    sixteen = by_source(accepted, files["16bit"])
    assert "image_note_high_bit_depth" in note_codes(sixteen)
    with Image.open(sixteen.output) as image:
        value = image.getpixel((10, 10))
    assert all(abs(c - 128) <= 3 for c in value), value  # scaled (32768 -> 128), not clipped to 255

    gif = by_source(accepted, files["gif"])
    assert {"image_note_first_frame", "image_note_palette"} <= note_codes(gif)
    assert any("2 frames" in note for note in gif.notes)
    with Image.open(gif.output) as image:
        red, green, blue = image.getpixel((30, 20))
    assert red > 150 and blue < 80  # the first (red) frame

    rotated = by_source(accepted, files["exif6"])
    assert "image_note_rotated" in note_codes(rotated)
    with Image.open(rotated.output) as image:
        assert image.size == (100, 200)  # 200x100 stored, orientation 6 = turned upright
        assert image.getexif().get(0x0112) in (None, 1)  # never rotated twice by a viewer

    huge = by_source(accepted, files["huge"])
    assert (huge.width, huge.height) == (DEFAULT_MAX_SIDE, 768)
    assert "image_note_downsized" in note_codes(huge)
    assert any("5000×3000" in note for note in huge.notes)

    for name in ("bmp", "webp", "tiff", "upper", "japanese", "img", "original"):
        item = by_source(accepted, files[name])
        assert item.notes == (), (name, item.notes)


def test_unusable_files_are_rejected_with_a_reason_naming_the_file(mixed):
    _, files, report, _, _ = mixed
    expected = {
        "empty": "image_empty",
        "truncated": "image_damaged",
        "text": "image_not_an_image",
        "heic": "image_needs_conversion",
        "bomb": "image_too_large",
    }
    assert {Path(r.source) for r in report.rejected} == {files[name] for name in expected}
    for name, code in expected.items():
        rejected = by_source(report.rejected, files[name])
        assert rejected.problem is not None and rejected.problem.code == code
        assert str(files[name]) in rejected.reason
        assert str(files[name]) in rejected.problem.fix or str(files[name]) in rejected.problem.message
        assert rejected.problem.fix
    assert "HEIC needs converting to JPEG" in by_source(report.rejected, files["heic"]).reason
    assert "400 MP" in by_source(report.rejected, files["bomb"]).reason


def test_a_file_with_an_image_signature_but_garbage_is_damaged_not_unsupported(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage")
    report = prepare_calibration_set(src, tmp_path / "out", count=None)
    assert report.rejected[0].problem.code == "image_damaged"


def test_exact_duplicates_keep_the_first_in_sorted_order(mixed):
    _, files, report, _, _ = mixed
    assert [(Path(d.source), Path(d.same_as)) for d in report.duplicates] == [(files["copy"], files["original"])]
    assert any(p.code == "calib_duplicates" for p in report.problems)


def test_system_files_and_hidden_folders_are_ignored(mixed):
    src, _, report, _, _ = mixed
    ignored = {Path(p).relative_to(src).as_posix() for p in report.ignored}
    assert ignored == {".DS_Store", "._rotated.jpg", "Thumbs.db", "__MACOSX", ".hidden"}
    looked_at = {Path(a.source).name for a in report.accepted} | {Path(r.source).name for r in report.rejected}
    assert "secret.jpg" not in looked_at and "._PHOTO.JPG" not in looked_at


def test_report_json_shape(mixed):
    _, _, report, _, out = mixed
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) >= {"accepted", "rejected", "duplicates", "ignored", "usable_total", "problems"}
    assert set(data["accepted"][0]) == {"source", "output", "notes"}
    assert {"source", "reason"} <= set(data["rejected"][0])
    assert set(data["duplicates"][0]) == {"source", "same_as"}
    assert all(isinstance(p, str) for p in data["ignored"])
    assert {"code", "severity", "params", "message", "fix"} == set(data["problems"][0])


def test_report_renders_in_japanese(mixed):
    _, files, report, _, _ = mixed
    data = report.to_dict("ja")
    heic = next(r for r in data["rejected"] if r["source"] == str(files["heic"]))
    assert "JPEG への変換が必要" in heic["reason"]
    assert "書き出して" in heic["fix"]
    duplicates = next(p for p in data["problems"] if p["code"] == "calib_duplicates")
    assert "まったく同じ" in duplicates["message"]
    gif = next(a for a in data["accepted"] if a["source"] == str(files["gif"]))
    assert any("最初のフレーム" in note for note in gif["notes"])


# --- detection by content ------------------------------------------------------------------


def test_scan_sources_detects_kind_from_content(mixed):
    src, files, _, _, _ = mixed
    found = {Path(f.path): f for f in scan_sources(src)}
    assert found[files["img"]].kind == "jpeg"
    assert found[files["upper"]].kind == "jpeg"
    assert found[files["text"]].kind == "text"
    assert found[files["heic"]].kind == "heic"
    assert found[files["heic"]].looks_like_image and not found[files["heic"]].decodable
    assert found[files["img"]].decodable and not found[files["text"]].decodable
    assert found[files["empty"]].kind == "empty"
    assert found[files["webp"]].kind == "webp"
    assert found[files["16bit"]].kind == "png"
    assert found[src / ".DS_Store"].ignored
    assert found[src / "__MACOSX"].ignored
    assert not any(Path(f.path).name == "secret.jpg" for f in found.values())
    assert [f.relative for f in scan_sources(src)] == sorted(f.relative for f in scan_sources(src))


def test_detect_kind_tells_heic_avif_and_video_apart():
    def ftyp(major: bytes, *compatible: bytes) -> bytes:
        body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
        return struct.pack(">I", len(body) + 4) + body

    assert detect_kind(ftyp(b"heic", b"mif1", b"heic")) == "heic"
    assert detect_kind(ftyp(b"mif1", b"mif1", b"avif")) == "avif"
    assert detect_kind(ftyp(b"isom", b"isom", b"mp41")) == "video"
    assert detect_kind(b"%PDF-1.7\n") == "pdf"
    assert detect_kind(b"") == "empty"


def test_pixel_identical_files_in_different_formats_are_duplicates(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    image = scene(1)
    image.save(src / "a.png")
    image.save(src / "b.bmp")
    report = prepare_calibration_set(src, tmp_path / "out", count=None)
    assert [Path(a.source).name for a in report.accepted] == ["a.png"]
    assert [(Path(d.source).name, Path(d.same_as).name) for d in report.duplicates] == [("b.bmp", "a.png")]
    assert report.usable_total == 1


def test_near_duplicates_are_a_warning_not_a_rejection(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    base = scene(1, size=(320, 240))
    base.save(src / "frame_001.jpg", quality=95)
    base.save(src / "frame_002.jpg", quality=70)  # the same scene, re-encoded
    for i in range(3, 13):
        save_jpeg(src / f"other_{i:02d}.jpg", 100 + i)
    report = prepare_calibration_set(src, tmp_path / "out", count=None)
    second = by_source(report.accepted, src / "frame_002.jpg")
    assert "image_note_near_duplicate" in note_codes(second)
    assert "image_note_near_duplicate" not in note_codes(by_source(report.accepted, src / "frame_001.jpg"))
    near = [p for p in report.problems if p.code == "calib_near_duplicates"]
    assert near and near[0].severity == "warning" and near[0].params["count"] == 1
    assert report.ok


def test_a_file_broken_only_in_its_pixel_data_is_rejected_and_replaced(tmp_path):
    """Passes the cheap check (valid PNG chunks) but fails to decode: the next file takes its place."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(12):
        save_jpeg(src / f"p{i:02d}.jpg", i)
    broken = src / "broken.png"
    broken.write_bytes(png_header_only(64, 64, b"this is not zlib data" * 4))
    report = prepare_calibration_set(src, tmp_path / "out", count=12, seed=3)
    assert len(report.accepted) == 12
    assert [Path(r.source) for r in report.rejected] == [broken]
    assert report.rejected[0].problem.code == "image_damaged"
    assert report.usable_total == 12


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # pytest resets our filter
def test_image_over_the_pixel_limit_is_refused_before_decoding(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "claims_108mp.png").write_bytes(png_header_only(12000, 9000, zlib.compress(b"\x00" * 100)))
    started = time.monotonic()
    report = prepare_calibration_set(src, tmp_path / "out", count=None)
    assert time.monotonic() - started < 5
    assert report.rejected[0].problem.code == "image_too_large"
    assert "12000×9000" in report.rejected[0].reason


# --- sampling --------------------------------------------------------------------------------


@pytest.fixture
def thirty(tmp_path):
    src = tmp_path / "thirty"
    for i in range(30):
        save_jpeg(src / f"img_{i:02d}.jpg", i, size=(96, 72))
    return src


def test_sampling_is_deterministic_and_respects_count(thirty, tmp_path):
    first = prepare_calibration_set(thirty, tmp_path / "a", count=12, seed=7)
    again = prepare_calibration_set(thirty, tmp_path / "b", count=12, seed=7)
    other = prepare_calibration_set(thirty, tmp_path / "c", count=12, seed=8)
    chosen = [a.source for a in first.accepted]
    assert len(chosen) == 12
    assert chosen == sorted(chosen)
    assert chosen == [a.source for a in again.accepted]
    assert chosen != [a.source for a in other.accepted]
    assert first.usable_total == 30
    sampled = [p for p in first.problems if p.code == "calib_sampled"]
    assert sampled and sampled[0].params["count"] == 12 and sampled[0].params["usable"] == 30
    assert len(list((tmp_path / "a").glob("*.jpg"))) == 12


def test_count_zero_or_none_keeps_everything(thirty, tmp_path):
    assert len(prepare_calibration_set(thirty, tmp_path / "a", count=0).accepted) == 30
    assert len(prepare_calibration_set(thirty, tmp_path / "b", count=None).accepted) == 30


def test_below_minimum_fails_and_below_recommended_warns(tmp_path):
    few = tmp_path / "few"
    for i in range(MIN_USABLE - 1):
        save_jpeg(few / f"{i}.jpg", i, size=(64, 48))
    report = prepare_calibration_set(few, tmp_path / "out_few", count=None)
    assert not report.ok
    assert [p.code for p in report.problems if p.is_error] == ["calib_too_few_images"]

    some = tmp_path / "some"
    for i in range(20):
        save_jpeg(some / f"{i}.jpg", i, size=(64, 48))
    report = prepare_calibration_set(some, tmp_path / "out_some", count=None)
    assert report.ok
    warning = [p for p in report.problems if p.code == "calib_few_images"]
    assert warning and warning[0].severity == "warning" and warning[0].params["usable"] == 20


def test_a_count_below_the_minimum_is_an_error_even_with_enough_images(thirty, tmp_path):
    report = prepare_calibration_set(thirty, tmp_path / "out", count=5)
    assert not report.ok
    assert any(p.code == "calib_count_too_small" for p in report.problems)


def test_progress_is_monotonic_and_ends_complete(thirty, tmp_path):
    calls: list[tuple[int, int]] = []
    prepare_calibration_set(thirty, tmp_path / "out", count=10, on_progress=lambda d, t: calls.append((d, t)))
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)
    assert all(d <= t for d, t in calls)
    assert calls[-1] == (40, 40)  # 30 checked + 10 converted


def test_cancelling_changes_nothing(thirty, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(PreparationCancelled):
        prepare_calibration_set(thirty, out, count=10, should_stop=lambda: True)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["thirty"]  # no staging folder left behind


# --- the output folder -------------------------------------------------------------------------


def test_output_inside_or_equal_to_source_is_refused(thirty):
    before = snapshot(thirty)
    for out in (thirty / "calib", thirty, thirty / "sub" / ".." / "x"):
        with pytest.raises(WizardError) as caught:
            prepare_calibration_set(thirty, out)
        assert caught.value.problem.code == "calib_output_inside_source"
    assert snapshot(thirty) == before
    assert not (thirty / "calib").exists()


def test_output_with_unrelated_files_is_refused_and_left_alone(thirty, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"precious")
    with pytest.raises(WizardError) as caught:
        prepare_calibration_set(thirty, out)
    assert caught.value.problem.code == "output_not_empty"
    assert [p.name for p in out.iterdir()] == ["holiday.jpg"]
    assert (out / "holiday.jpg").read_bytes() == b"precious"


def test_our_own_previous_output_is_replaced(thirty, tmp_path):
    out = tmp_path / "out"
    prepare_calibration_set(thirty, out, count=20)
    (out / ".DS_Store").write_bytes(b"finder")  # browsing the folder must not block a re-run
    second = prepare_calibration_set(thirty, out, count=12, seed=1)
    jpegs = sorted(p.name for p in out.glob("*.jpg"))
    assert jpegs == sorted(Path(a.output).name for a in second.accepted)
    assert len(jpegs) == 12


@pytest.mark.parametrize("stranger", ["calib_9999_mine.jpg", "calib_0001_img-00.jpg"])
def test_a_previous_output_with_a_stranger_file_is_refused(thirty, tmp_path, stranger):
    """A user's own photo is never deleted, even when its name looks like one of ours."""
    out = tmp_path / "out"
    prepare_calibration_set(thirty, out, count=12)
    save_jpeg(out / stranger, 99)  # a real JPEG, but not written by us
    precious = (out / stranger).read_bytes()
    with pytest.raises(WizardError) as caught:
        prepare_calibration_set(thirty, out, count=12)
    assert caught.value.problem.code == "output_not_empty"
    assert (out / stranger).read_bytes() == precious


def test_outputs_are_deterministic(thirty, tmp_path):
    """Same folder, seed and settings: byte-identical files (the workspace hashes them)."""
    first = prepare_calibration_set(thirty, tmp_path / "a", count=12, seed=4)
    second = prepare_calibration_set(thirty, tmp_path / "b", count=12, seed=4)
    assert [Path(a.output).read_bytes() for a in first.accepted] == [
        Path(b.output).read_bytes() for b in second.accepted
    ]
    assert all(is_our_output(a.output) for a in first.accepted)


def test_missing_source_folder_is_a_clear_error(tmp_path):
    with pytest.raises(WizardError) as caught:
        prepare_calibration_set(tmp_path / "nope", tmp_path / "out")
    assert caught.value.problem.code == "file_not_found"
    assert str(tmp_path / "nope") in caught.value.problem.message


# --- one test image -----------------------------------------------------------------------------


def test_prepare_image_converts_one_test_image(tmp_path):
    src = jpeg_with_orientation(tmp_path / "IMG_0042.JPG", 1, orientation=6)
    dst = tmp_path / "work" / "test.jpg"
    notes = prepare_image(src, dst)
    with Image.open(dst) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (100, 200)
    assert any("EXIF" in note for note in notes)


def test_prepare_image_refuses_unusable_files_with_the_fix(tmp_path):
    heic = tmp_path / "IMG_0001.HEIC"
    heic.write_bytes(fake_heic())
    with pytest.raises(WizardError) as caught:
        prepare_image(heic, tmp_path / "test.jpg")
    assert caught.value.problem.code == "image_needs_conversion"
    assert str(heic) in caught.value.problem.message and caught.value.problem.fix
    assert not (tmp_path / "test.jpg").exists()

    text = tmp_path / "readme.png"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(WizardError) as caught:
        prepare_image(text, tmp_path / "test.jpg")
    assert caught.value.problem.code == "image_not_an_image"

    with pytest.raises(WizardError) as caught:
        prepare_image(tmp_path / "missing.jpg", tmp_path / "test.jpg")
    assert caught.value.problem.code == "file_not_found"


def test_prepare_image_only_writes_names_the_toolchain_accepts(tmp_path):
    src = save_jpeg(tmp_path / "a.jpg", 1)
    for bad in ("test.JPG", "test.bmp", "test.png"):
        with pytest.raises(ValueError):
            prepare_image(src, tmp_path / bad)


# --- GUI helpers -------------------------------------------------------------------------------


def test_make_thumbnail_is_small_upright_and_fast(tmp_path):
    big = tmp_path / "big.jpg"
    scene(1, size=(400, 300)).resize((4000, 3000)).save(big, "JPEG", quality=85)
    started = time.monotonic()
    thumb = make_thumbnail(big, 160)
    elapsed = time.monotonic() - started
    assert thumb.mode == "RGB" and max(thumb.size) == 160 and thumb.size == (160, 120)
    assert elapsed < 1.0, elapsed  # decoded at 1/8 scale: ~20 ms; a full decode is far slower
    upright = make_thumbnail(jpeg_with_orientation(tmp_path / "r.jpg", 2, 6), (64, 64))
    assert upright.size == (32, 64)
    (tmp_path / "x.jpg").write_text("no", encoding="utf-8")
    with pytest.raises(WizardError):
        make_thumbnail(tmp_path / "x.jpg", 64)


def test_pick_representative_image_prefers_the_typical_scene(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name, grey in (("a_dark", 20), ("b_mid", 120), ("c_bright", 240), ("d_mid2", 110), ("e_dim", 60)):
        noise = np.random.default_rng(grey).integers(-10, 10, (48, 64, 3))
        Image.fromarray(np.clip(grey + noise, 0, 255).astype(np.uint8)).save(src / f"{name}.png")
    report = prepare_calibration_set(src, tmp_path / "out", count=None)
    chosen = pick_representative_image(report)
    assert chosen is not None and Path(chosen.source).name == "d_mid2.png"
    assert Path(chosen.output).suffix in TEST_INPUT_SUFFIXES
    assert pick_representative_image(CalibrationReport()) is None


def test_generated_samples_are_deterministic_and_usable(tmp_path):
    first = generate_sample_images(tmp_path / "a", 3, size=(160, 120), seed=5)
    second = generate_sample_images(tmp_path / "b", 3, size=(160, 120), seed=5)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert len({p.read_bytes() for p in first}) == 3


def test_committed_samples_are_what_the_generator_makes(tmp_path):
    """The tour's pictures are ours: regenerating them gives the same scenes."""
    committed = Path(__file__).resolve().parent.parent / "resources" / "samples" / "images"
    paths = sorted(committed.glob("sample_*.jpg"))
    assert 10 <= len(paths) <= 16
    assert sum(p.stat().st_size for p in paths) < 1_000_000
    regenerated = generate_sample_images(tmp_path, len(paths), seed=0)
    for path, fresh in zip(paths, regenerated):
        assert path.name == fresh.name
        with Image.open(path) as image, Image.open(fresh) as again:
            assert image.format == "JPEG" and image.mode == "RGB" and image.size == (640, 480)
            difference = np.abs(np.asarray(image, np.int16) - np.asarray(again, np.int16)).mean()
        assert difference < 1.0, (path.name, difference)  # JPEG encoders may differ by a hair


def test_avif_is_converted_when_pillow_decodes_it_else_explained(tmp_path):
    from PIL import features

    src = tmp_path / "src"
    src.mkdir()
    for i in range(10):
        save_jpeg(src / f"p{i}.jpg", i)
    avif = src / "phone.avif"
    if features.check("avif"):
        scene(42).save(avif, "AVIF", quality=80)
        report = prepare_calibration_set(src, tmp_path / "out", count=None)
        with Image.open(by_source(report.accepted, avif).output) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
    else:
        ftyp = b"ftypavif\x00\x00\x00\x00mif1avif"
        avif.write_bytes(struct.pack(">I", len(ftyp) + 4) + ftyp + b"\x00" * 100)
        report = prepare_calibration_set(src, tmp_path / "out", count=None)
        rejected = by_source(report.rejected, avif)
        assert rejected.problem.code == "image_needs_conversion"
        assert "AVIF needs converting to JPEG" in rejected.reason


def test_high_bit_depth_is_scaled_not_clipped_or_stretched(tmp_path):
    dark16 = tmp_path / "dark16.png"
    Image.fromarray(np.full((40, 50), 4096, dtype=np.uint16)).save(dark16)
    prepare_image(dark16, tmp_path / "dark.jpg")
    with Image.open(tmp_path / "dark.jpg") as image:
        assert abs(image.getpixel((5, 5))[0] - 16) <= 2  # still dark: 4096/65536 of full scale

    wide32 = tmp_path / "wide32.tif"
    ramp = np.tile(np.linspace(0, 1_000_000, 64, dtype=np.int32), (32, 1))
    Image.fromarray(ramp, "I").save(wide32)
    notes = prepare_image(wide32, tmp_path / "wide.jpg")
    with Image.open(tmp_path / "wide.jpg") as image:
        left, right = image.getpixel((0, 10))[0], image.getpixel((63, 10))[0]
    assert left <= 5 and right >= 245  # beyond 16 bits: the range is mapped onto 0..255
    assert any("32-bit" in note for note in notes)


def test_linked_folders_are_followed_but_loops_and_our_output_are_not(tmp_path):
    src = tmp_path / "src"
    elsewhere = tmp_path / "elsewhere"
    for i in range(10):
        save_jpeg(src / f"p{i}.jpg", i)
    save_jpeg(elsewhere / "linked.jpg", 50)
    (src / "more").symlink_to(elsewhere, target_is_directory=True)
    (src / "loop").symlink_to(src, target_is_directory=True)
    out = tmp_path / "out"
    out.mkdir()
    (src / "to_output").symlink_to(out, target_is_directory=True)
    report = prepare_calibration_set(src, out, count=None)
    assert str(src / "more" / "linked.jpg") in {a.source for a in report.accepted}
    assert len(report.accepted) == 11
    assert {Path(p).name for p in report.ignored} == {"loop", "to_output"}
    again = prepare_calibration_set(src, out, count=None)  # our outputs are not read back as sources
    assert len(again.accepted) == 11 and not again.duplicates
