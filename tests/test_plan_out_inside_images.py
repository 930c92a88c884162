"""`plan --out` (and `convert --out`) inside the photos folder: refused before anything is made,
so the photos folder is exactly as it was. No toolchain is reached."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT


def _listing(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_mtime_ns) for p in folder.rglob("*")) + [
        ("<folder>", folder.stat().st_mtime_ns)]


@pytest.mark.parametrize("command, out", [("plan", "workspace"), ("plan", "."), ("plan", "deep/er/ws"),
                                          ("convert", "run"), ("plan", "via-link")])
def test_an_output_inside_the_photos_folder_is_refused_and_nothing_is_made(tmp_path, command, out):
    from fs_support import model_and_photos

    model, photos = model_and_photos(tmp_path, 12, (160, 120))
    target = photos / out
    if out == "via-link":  # a link outside that points back inside
        (tmp_path / "link").symlink_to(photos, target_is_directory=True)
        target = tmp_path / "link" / "ws"
    before = _listing(photos)
    result = subprocess.run([sys.executable, "-m", "wizard", command, "--model", str(model), "--images", str(photos),
                             "--out", str(target), "--calibration-count", "12"], capture_output=True, text=True,
                            timeout=120, cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"The output folder {target} is inside the image folder {photos}" in result.stderr
    assert ".staging" not in result.stderr and "Traceback" not in result.stderr
    assert _listing(photos) == before
