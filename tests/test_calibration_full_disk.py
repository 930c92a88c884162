"""The previous calibration set survives a full disk, also when the output folder is on another
file system than its parent (a drive of its own, or a link to another drive).

The other file system is a real, tiny tmpfs mounted for the test (needs root, as CI runs the
suite); "No space left on device" is the kernel's, not simulated.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fs_support import small_tmpfs
from wizard.core.images.stage import prepare_calibration_set
from wizard.core.images.samples import draw_scene
from wizard.core.messages import WizardError


def _photos(folder: Path, count: int, size: tuple[int, int], first_seed: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        draw_scene(size, first_seed + i).save(folder / f"photo_{i:02d}.jpg", "JPEG", quality=95)
    return folder


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def small_drive(tmp_path):
    """A 400 KB file system of its own at tmp_path/drive."""
    with small_tmpfs(tmp_path / "drive", "400k") as mount_point:
        yield mount_point


@pytest.mark.parametrize("layout", ["link_to_other_drive", "folder_is_a_drive"])
def test_a_full_other_drive_leaves_the_previous_set_intact(tmp_path, small_drive, layout):
    if layout == "link_to_other_drive":
        (small_drive / "calib").mkdir()
        out = tmp_path / "calib"
        out.symlink_to(small_drive / "calib", target_is_directory=True)
    else:
        out = small_drive
    small = _photos(tmp_path / "small", 12, (96, 72), 100)
    big = _photos(tmp_path / "big", 12, (1200, 900), 200)

    first = prepare_calibration_set(small, out, count=12)
    assert first.ok and len(first.accepted) == 12
    before = _contents(out)

    with pytest.raises(WizardError) as caught:
        prepare_calibration_set(big, out, count=12)

    assert _contents(out) == before  # every earlier image, byte for byte, and nothing else
    assert caught.value.problem.code == "calib_output_full_previous_kept"
    assert str(out) in caught.value.problem.message
    assert "previous set" in caught.value.problem.message
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no staging left
