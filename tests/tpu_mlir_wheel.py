"""The real tpu_mlir 1.7 wheel for tests that read or run parts of it, without a CPython 3.10.

    from tpu_mlir_wheel import extract, wheel_path
    root = extract(["tpu_mlir/python/tools/model_deploy.py", "tpu_mlir/bin/"])   # exact names or prefixes
    source = (root / "tpu_mlir/python/tools/model_deploy.py").read_text()

`wheel_path()` runs `pip download --no-deps --python-version 3.10 --only-binary=:all:
tpu_mlir==1.7` once (the wheel is py3-none-any, ~150 MB) into ~/.cache/recamera-wizard-tests/
(or $RECAMERA_WIZARD_WHEEL_CACHE) and reuses it afterwards. The wheel's SHA-256 is checked
against the one PyPI serves for 1.7 and recorded next to it; a damaged or different file is an
error, never silently used. `extract()` unpacks only the members asked for, keeping the exec
bit of the binaries (bin/tpuc-opt, bin/model_tool).

Tests call `require_wheel()`: when the download fails it skips locally and fails under CI=true
(through conftest.require_component).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable

VERSION = "1.7"
WHEEL_NAME = f"tpu_mlir-{VERSION}-py3-none-any.whl"
# sha256 of PyPI's tpu_mlir-1.7-py3-none-any.whl (as pip downloaded it, 150022110 bytes)
WHEEL_SHA256 = "b2f5269c972aac97cb2976e1d3ecb9f1e1f38e2dda748a1770951af0f49b6bbf"
CACHE_ENV = "RECAMERA_WIZARD_WHEEL_CACHE"
DOWNLOAD_TIMEOUT_S = 1800


class WheelUnavailable(RuntimeError):
    """The wheel could not be downloaded (no network, no pip...): the message says why."""


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "recamera-wizard-tests"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(path: Path) -> None:
    actual = _sha256(path)
    if actual != WHEEL_SHA256:
        raise RuntimeError(f"{path} has sha256 {actual}, not the {WHEEL_SHA256} of PyPI's {WHEEL_NAME}: "
                           "delete it to download it again")
    path.with_name(path.name + ".sha256").write_text(f"{actual}  {path.name}\n", encoding="utf-8")


def wheel_path() -> Path:
    """The cached wheel, downloaded first if missing. Raises WheelUnavailable if pip fails."""
    target = cache_dir() / WHEEL_NAME
    if target.is_file():
        _check(target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".download-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--python-version", "3.10",
                   "--only-binary=:all:", "--disable-pip-version-check", "--dest", tmp, f"tpu_mlir=={VERSION}"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise WheelUnavailable(f"pip download of tpu_mlir=={VERSION} did not finish: {exc}") from exc
        downloaded = Path(tmp) / WHEEL_NAME
        if result.returncode != 0 or not downloaded.is_file():
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise WheelUnavailable(f"pip download of tpu_mlir=={VERSION} failed: {' / '.join(tail)}")
        _check(downloaded)
        os.replace(downloaded, target)  # atomic: a concurrent or interrupted run never sees half a wheel
        shutil.move(str(downloaded.with_name(downloaded.name + ".sha256")), target.with_name(target.name + ".sha256"))
    return target


def extract(members_or_prefixes: Iterable[str]) -> Path:
    """Unpack the wheel members named exactly, or starting with one of the prefixes, into the cache;
    returns the folder that holds them at their wheel paths (e.g. root / "tpu_mlir/bin/model_tool")."""
    wanted = list(members_or_prefixes)
    wheel = wheel_path()
    root = cache_dir() / f"tpu_mlir-{VERSION}-files"
    with zipfile.ZipFile(wheel) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and any(
            i.filename == w or (w.endswith("/") and i.filename.startswith(w)) for w in wanted)]
        missing = [w for w in wanted if not any(i.filename == w or i.filename.startswith(w) for i in infos)]
        if missing:
            raise KeyError(f"not in {WHEEL_NAME}: {missing}")
        for info in infos:
            dest = root / info.filename
            if dest.is_file() and dest.stat().st_size == info.file_size:
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            partial = dest.with_name(dest.name + ".partial")
            with zf.open(info) as src, open(partial, "wb") as out:
                shutil.copyfileobj(src, out)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(partial, mode)
            os.replace(partial, dest)
    return root


def require_wheel(members_or_prefixes: Iterable[str]) -> Path:
    """extract(), or a skip (locally) / failure (CI=true) when the wheel cannot be had."""
    from conftest import require_component

    try:
        return extract(members_or_prefixes)
    except WheelUnavailable as exc:
        require_component(False, f"the tpu_mlir {VERSION} wheel", f"{exc} (needs PyPI through pip)")
        raise  # not reached: require_component skipped or failed


REQUIREMENT = f"tpu_mlir=={VERSION}"
# The wheel bundles Ubuntu 22.04's glibc and puts it on LD_LIBRARY_PATH: on a newer host every
# tool would fail with "GLIBC_2.36 not found" (docs/toolchain.md), so these are never unpacked.
NOT_EXTRACTED = ("tpu_mlir/lib/third_party/libc.so.6", "tpu_mlir/lib/third_party/libm.so.6")


def package_root() -> Path:
    """The whole ``tpu_mlir`` package (bin/, lib/, python/) unpacked, less the bundled glibc: the
    native tools and python/utils run from it under this machine's Python (tool_env)."""
    with zipfile.ZipFile(wheel_path()) as zf:
        members = [i.filename for i in zf.infolist()
                   if not i.is_dir() and i.filename.startswith("tpu_mlir/") and i.filename not in NOT_EXTRACTED]
    root = extract(members) / "tpu_mlir"
    for tool in (root / "bin").iterdir():
        tool.chmod(tool.stat().st_mode | 0o755)
    return root


def tool_env(root: Path, base: dict | None = None) -> dict:
    """Environment in which the wheel's native tools and python/utils run (as its launcher sets it)."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = f"{root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["LD_LIBRARY_PATH"] = os.pathsep.join(str(root / p) for p in ("lib", "lib/third_party"))
    env["PYTHONPATH"] = os.pathsep.join(str(root / p) for p in ("", "python"))
    env["TPUC_ROOT"] = str(root)
    return env
