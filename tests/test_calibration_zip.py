"""Calibration images from a zip archive: extracted safely, named by their place in the archive."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO_ROOT

from wizard.core.plan.choices import ConversionChoices, choices_from_recipe
from wizard.core.plan.commands import cache_keys
from wizard.core.plan.workspace import stage_workspace
from wizard.core.images.stage import prepare_calibration_set
from wizard.core.messages import WizardError
from wizard.core.images.samples import generate_sample_images
from wizard.core.model.samples import write_sample_model


def _zip_folder(folder: Path, archive: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, f"holiday/{path.relative_to(folder)}")
        for name, data in (extra or {}).items():
            bundle.writestr(name, data)
    return archive


def test_zip_of_photos_prepares_like_a_folder_and_names_members(tmp_path):
    photos = tmp_path / "photos"
    generate_sample_images(photos, 14, size=(320, 240), seed=5)
    archive = _zip_folder(photos, tmp_path / "photos.zip", {"holiday/notes.txt": b"not an image"})
    report = prepare_calibration_set(archive, tmp_path / "out", count=10)
    assert report.ok
    assert len(report.accepted) == 10
    assert all(a.source.startswith(f"{archive}/holiday/") for a in report.accepted)
    assert all(Path(a.output).is_file() for a in report.accepted)
    assert [r.source for r in report.rejected] == [f"{archive}/holiday/notes.txt"]
    assert str(archive) in report.rejected[0].problem.message
    assert report.source_dir == str(archive)


def test_hostile_zip_entries_never_land_outside(tmp_path):
    photos = tmp_path / "photos"
    generate_sample_images(photos, 12, size=(320, 240), seed=6)
    archive = tmp_path / "evil.zip"
    _zip_folder(photos, archive)
    with zipfile.ZipFile(archive, "a") as bundle:
        bundle.writestr("../../escaped.jpg", (photos / sorted(p.name for p in photos.iterdir())[0]).read_bytes())
        bundle.writestr("/abs/escaped2.jpg", b"x")
        link = zipfile.ZipInfo("holiday/link.jpg")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(link, "/etc/passwd")
    report = prepare_calibration_set(archive, tmp_path / "out", count=0)
    assert report.ok and len(report.accepted) == 12
    assert not list(tmp_path.parent.rglob("escaped*.jpg"))
    assert not any("link.jpg" in a.source for a in report.accepted)
    skipped = [p for p in report.problems if p.code == "calib_zip_skipped_entries"]
    assert len(skipped) == 1 and skipped[0].params["count"] == 3  # said, not skipped silently
    assert str(archive) in skipped[0].message and "../../escaped.jpg" in skipped[0].message


def test_notes_name_the_photo_inside_the_zip_never_the_temporary_folder(tmp_path):
    photos = tmp_path / "photos"
    generate_sample_images(photos, 12, size=(1600, 1200), seed=9)  # every one is downsized: a note each
    archive = _zip_folder(photos, tmp_path / "photos.zip")
    report = prepare_calibration_set(archive, tmp_path / "out", count=10, max_side=640)
    notes = [p.text()[0] for a in report.accepted for p in a.note_problems] + [n for a in report.accepted for n in a.notes]
    assert notes and all(f"{archive}/holiday/" in note for note in notes)
    assert not any("recamera-wizard-zip-" in note for note in notes)
    assert "recamera-wizard-zip-" not in json.dumps(report.to_dict())


def _bomb(archive: Path, megabytes: int) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open("holiday/huge.bmp", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(b"\0" * (1 << 20))
    return archive


@pytest.fixture
def small_temp(tmp_path):
    """TMPDIR on a real 2 MB tmpfs (needs root, as CI runs the suite): 'No space left' is the kernel's."""
    from fs_support import small_tmpfs

    with small_tmpfs(tmp_path / "small-tmp", "2m") as mount_point:
        yield mount_point


def _images_cli(source: Path, out: Path, temp: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TMPDIR=str(temp))
    return subprocess.run([sys.executable, "-m", "wizard", "images", str(source), "--out", str(out)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=REPO_ROOT)


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(tmp_path, small_temp):
    archive = _bomb(tmp_path / "bomb.zip", 64)  # 64 MB of zeros in about 64 KB
    assert archive.stat().st_size < 1024 * 1024
    result = _images_cli(archive, tmp_path / "out", small_temp)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "huge.bmp" in result.stderr and "photos expand at most 100 times" in result.stderr
    assert list(small_temp.iterdir()) == []  # nothing was unpacked, not even for a moment past 2 MB
    assert not (tmp_path / "out").exists()


def test_the_limits_are_checked_from_the_directory(tmp_path, monkeypatch):
    from wizard.core.images import sources

    photos = tmp_path / "photos"
    generate_sample_images(photos, 12, size=(320, 240), seed=10)
    archive = _zip_folder(photos, tmp_path / "photos.zip")
    written: list[str] = []
    monkeypatch.setattr(sources, "_extract_member", lambda *args: written.append(args[1].filename))
    monkeypatch.setattr(sources, "MAX_ZIP_BYTES", 100_000)
    with pytest.raises(WizardError) as caught:
        prepare_calibration_set(archive, tmp_path / "out")
    assert caught.value.problem.code == "calib_zip_too_big"
    assert "GB the wizard unpacks" in caught.value.problem.message
    monkeypatch.setattr(sources, "MAX_ZIP_MEMBERS", 5)
    with pytest.raises(WizardError) as caught:
        prepare_calibration_set(archive, tmp_path / "out")
    assert caught.value.problem.code == "calib_zip_too_many_files"
    assert "more than the 5 the wizard unpacks" in caught.value.problem.message
    assert written == []


def test_the_temp_folder_filling_while_unzipping_is_a_message(tmp_path, small_temp):
    photos = tmp_path / "photos"
    generate_sample_images(photos, 30, size=(1600, 1200), seed=11)
    archive = _zip_folder(photos, tmp_path / "photos.zip")
    assert archive.stat().st_size > 3 * 1024 * 1024  # more than the 2 MB temp folder holds
    result = _images_cli(archive, tmp_path / "out", small_temp)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"The temporary folder {small_temp} ran out of space while unpacking {archive}" in result.stderr
    assert list(small_temp.iterdir()) == []  # what was unpacked is gone


def test_a_broken_zip_is_a_clear_message(tmp_path):
    archive = tmp_path / "photos.zip"
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as bundle:
        bundle.writestr("a.jpg", b"x" * 1000)
    archive.write_bytes(good.getvalue()[:-30])  # the central directory is cut off
    with pytest.raises(WizardError) as caught:
        prepare_calibration_set(archive, tmp_path / "out")
    assert caught.value.problem.code in ("calib_zip_unreadable", "not_a_directory")
    assert str(archive) in caught.value.problem.message


def test_plan_stages_a_workspace_from_a_zip(tmp_path):
    photos = tmp_path / "photos"
    generate_sample_images(photos, 16, size=(320, 240), seed=7)
    archive = _zip_folder(photos, tmp_path / "photos.zip")
    model = write_sample_model(tmp_path / "m.onnx", imgsz=(320, 320))
    staged = stage_workspace(ConversionChoices(model=str(model), images=str(archive),
                                                         out=str(tmp_path / "ws"), calibration_count=12))
    assert staged.recipe.calibration_images == 12
    assert (staged.workdir / "image" / "test.jpg").is_file()
    assert staged.recipe.source_test_image.startswith(f"{archive}/holiday/")


def test_recipe_from_a_zip_reloads_to_the_same_plan(tmp_path):
    photos = tmp_path / "photos"
    generate_sample_images(photos, 16, size=(320, 240), seed=8)
    archive = _zip_folder(photos, tmp_path / "photos.zip")
    model = write_sample_model(tmp_path / "m.onnx", imgsz=(320, 320))
    first = stage_workspace(ConversionChoices(model=str(model), images=str(archive),
                                                        out=str(tmp_path / "a"), calibration_count=12))
    again = stage_workspace(choices_from_recipe(first.recipe, str(tmp_path / "b")))
    assert cache_keys(again.recipe) == cache_keys(first.recipe)
