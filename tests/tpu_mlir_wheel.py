"""The real tpu_mlir 1.7 wheel for tests, downloaded once with pip into a per-user cache.

    wheel = wheel_path()        # ~/.cache/recamera-wizard-tests/wheels/tpu_mlir-1.7-py3-none-any.whl
    root = extract()            # .../tpu_mlir-1.7/tpu_mlir (bin/, lib/, python/), ready to run

MINIMAL STAND-IN written by the cvimodel helper until the toolchain-double helper's module of the
same name and functions lands; the lead reconciles the two.

The wheel is tagged py3-none-any and holds native tools (bin/tpuc-opt, bin/model_tool) that run on
any x86-64 Linux, but it bundles Ubuntu 22.04's libc.so.6/libm.so.6 in lib/third_party, which the
tools would pick up from LD_LIBRARY_PATH and fail with "GLIBC_2.36 not found" on a newer host
(docs/toolchain.md "The real wheel here"): those two files are never extracted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from filelock import FileLock

REQUIREMENT = "tpu_mlir==1.7"
WHEEL_NAME = "tpu_mlir-1.7-py3-none-any.whl"
CACHE_DIR = Path(os.environ.get("RECAMERA_WIZARD_TEST_CACHE") or Path.home() / ".cache" / "recamera-wizard-tests")
NOT_EXTRACTED = ("tpu_mlir/lib/third_party/libc.so.6", "tpu_mlir/lib/third_party/libm.so.6")
_EXTRACTED_MARK = ".extracted"


class WheelUnavailable(RuntimeError):
    """pip could not fetch the wheel (no network, no index)."""


def wheel_path(download: bool = True) -> Path:
    """The cached wheel; fetched with ``pip download`` the first time. Raises WheelUnavailable."""
    wheels = CACHE_DIR / "wheels"
    wheel = wheels / WHEEL_NAME
    if wheel.is_file():
        return wheel
    if not download:
        raise WheelUnavailable(f"{wheel} is not there and downloading was not allowed")
    wheels.mkdir(parents=True, exist_ok=True)
    with FileLock(str(wheels / ".download.lock")):
        if wheel.is_file():
            return wheel
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--python-version", "3.10",
               "--only-binary=:all:", REQUIREMENT, "-d", str(wheels)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise WheelUnavailable(f"{' '.join(cmd)} could not run: {exc}") from None
        if done.returncode != 0 or not wheel.is_file():
            raise WheelUnavailable(f"{' '.join(cmd)} failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return wheel


def extract(dest: Path | None = None, download: bool = True) -> Path:
    """Unpack the wheel once (minus the bundled glibc) and return its ``tpu_mlir`` package folder."""
    wheel = wheel_path(download=download)
    dest = Path(dest) if dest is not None else CACHE_DIR / "tpu_mlir-1.7"
    root = dest / "tpu_mlir"
    if (dest / _EXTRACTED_MARK).is_file():
        return root
    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest) + ".lock"):
        if (dest / _EXTRACTED_MARK).is_file():
            return root
        partial = dest.with_name(dest.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                if member.filename in NOT_EXTRACTED:
                    continue
                target = archive.extract(member, partial)
                if member.filename.startswith("tpu_mlir/bin/"):
                    os.chmod(target, 0o755)
        shutil.rmtree(dest, ignore_errors=True)
        partial.rename(dest)
        (dest / _EXTRACTED_MARK).write_text(wheel.name + "\n", encoding="utf-8")
    return root


def tool_env(root: Path, base: dict | None = None) -> dict:
    """Environment in which the wheel's native tools and python/utils run (as its launcher sets it)."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = f"{root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["LD_LIBRARY_PATH"] = os.pathsep.join(str(root / p) for p in ("lib", "lib/third_party"))
    env["PYTHONPATH"] = os.pathsep.join(str(root / p) for p in ("", "python"))
    env["TPUC_ROOT"] = str(root)
    return env
