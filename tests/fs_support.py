"""Test helpers for file-system conditions: a real tiny file system, and small inputs.

``small_tmpfs(folder, size)`` mounts a real tmpfs of ``size`` (e.g. "2m") at ``folder`` for the
block, so "No space left on device" comes from the kernel. Mounting needs root (CI runs the suite
through sudo); elsewhere the test is skipped through require_component.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from typing import Iterator

from conftest import require_component


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True).returncode == 0
    require_component(mounted, "mounting a tmpfs", "run the tests as root (CI does, through sudo)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def model_and_photos(folder: Path, count: int, size: tuple[int, int]) -> tuple[Path, Path]:
    """A small YOLO11-shaped ONNX (320x320) and ``count`` synthetic photos of ``size``."""
    from wizard.core.images.samples import generate_sample_images
    from wizard.core.model.samples import write_sample_model

    folder.mkdir(parents=True, exist_ok=True)
    model = folder / "m.onnx"
    write_sample_model(model, imgsz=(320, 320))
    generate_sample_images(folder / "photos", count, size=size)
    return model, folder / "photos"
