"""Calibration images from a zip archive: extracted safely, named by their place in the archive."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from wizard.core.plan.choices import ConversionChoices, choices_from_recipe
from wizard.core.plan.commands import cache_keys
from wizard.core.plan.workspace import stage_workspace
from wizard.core.images.calibration import prepare_calibration_set
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
