"""The REAL TPU-MLIR 1.7 for the tests: a CPython 3.10 found on this machine, the image built
from it, and helpers that run the image's own tools (model_tool, model_runner).

``toolchain_real_image`` (session fixture) builds ``recamera-wizard-test/toolchain-real:1.7-<digest>``
with tests/images/build_toolchain_real_image.sh when it is missing (about 3.5 minutes the first
time, 1.7 GB), and reuses it after. The wheel needs exactly CPython 3.10, which Debian bookworm
does not have; ``find_python310`` looks, in order, at $RECAMERA_TEST_PYTHON310 (an interpreter
or an installation prefix), ``python3.10`` on PATH, ``pyenv prefix 3.10.13`` and any 3.10.x under
~/.pyenv/versions. None found: the tests skip with the reason (CI=true: they fail, naming what
to install), through conftest.require_component.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO_ROOT, require_component

BUILD_SCRIPT = REPO_ROOT / "tests" / "images" / "build_toolchain_real_image.sh"
ENV_PYTHON = "RECAMERA_TEST_PYTHON310"
INSTALL_HINT = ("install a CPython 3.10 with its headers and venv module: `pyenv install 3.10.13` "
                "(or python3.10, python3.10-dev and python3.10-venv on Ubuntu 22.04), or point "
                f"{ENV_PYTHON} at one (an interpreter or its prefix)")


@dataclass(frozen=True)
class FoundPython:
    prefix: str | None  # the installation prefix (PREFIX/bin/python3.10), None when none fits
    how: str  # where it came from, or why nothing fitted


_PROBE = ("import sys, sysconfig, os, ensurepip; "
          "print(sys.version_info[:2] == (3, 10), sys.base_prefix, "
          "os.path.isfile(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))")


def _probe(interpreter: str) -> tuple[str | None, str]:
    """(prefix, '') when ``interpreter`` is a usable CPython 3.10, else (None, why not)."""
    try:
        out = subprocess.run([interpreter, "-c", _PROBE], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{interpreter}: {exc}"
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["did not run"])[-1]
        return None, f"{interpreter}: {last}"  # e.g. no ensurepip: python3.10-venv is missing
    is_310, prefix, has_headers = out.stdout.split()
    if is_310 != "True":
        return None, f"{interpreter} is not Python 3.10"
    if has_headers != "True":
        return None, f"{interpreter} has no Python.h (python3.10-dev is missing)"
    if not os.access(os.path.join(prefix, "bin", "python3.10"), os.X_OK):
        return None, f"{prefix}/bin/python3.10 is missing"
    return prefix, ""


def find_python310() -> FoundPython:
    candidates: list[tuple[str, str]] = []
    given = os.environ.get(ENV_PYTHON, "").strip()
    if given:
        path = Path(given)
        interpreter = path / "bin" / "python3.10" if path.is_dir() else path
        candidates.append((str(interpreter), f"${ENV_PYTHON}"))
    on_path = shutil.which("python3.10")
    if on_path:
        candidates.append((on_path, "python3.10 on PATH"))
    pyenv = shutil.which("pyenv")
    if pyenv:
        out = subprocess.run([pyenv, "prefix", "3.10.13"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append((str(Path(out.stdout.strip()) / "bin" / "python3.10"), "pyenv prefix 3.10.13"))
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if versions.is_dir():
        for folder in sorted(versions.glob("3.10.*"), reverse=True):
            candidates.append((str(folder / "bin" / "python3.10"), f"pyenv version {folder.name}"))
    reasons = []
    for interpreter, how in candidates:
        prefix, why = _probe(interpreter)
        if prefix:
            return FoundPython(prefix, f"{how} ({prefix})")
        reasons.append(why)
    return FoundPython(None, "; ".join(reasons) or "no python3.10 on PATH, no pyenv 3.10.x")


def image_tag(prefix: str) -> str:
    out = subprocess.run(["bash", str(BUILD_SCRIPT), "--python", prefix, "--print-tag"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def build_image(prefix: str, *, force: bool = False, echo=sys.stderr) -> str:
    """Build (or find up to date) the real image; progress lines go to ``echo``. Returns the tag."""
    argv = ["bash", str(BUILD_SCRIPT), "--python", prefix] + (["--force"] if force else [])
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    tail: list[str] = []
    for line in proc.stdout:
        tail = (tail + [line])[-40:]
        if not any(noisy in line for noisy in ("I: Retrieving", "I: Validating", "I: Extracting")):
            print(line.rstrip(), file=echo, flush=True)
    if proc.wait() != 0:
        raise RuntimeError("building the real toolchain image failed:\n" + "".join(tail))
    return image_tag(prefix)


@pytest.fixture(scope="session")
def toolchain_real_image(docker_client) -> str:
    """The real image's tag, built (or found) once per session."""
    found = find_python310()
    require_component(found.prefix is not None, "A CPython 3.10 (the real TPU-MLIR 1.7 wheel needs it)",
                      f"{INSTALL_HINT} [{found.how}]")
    assert found.prefix is not None
    from wizard.core.runners.docker.image import image_status

    tag = image_tag(found.prefix)
    if image_status(docker_client, tag).present:
        return tag
    require_component(os.geteuid() == 0, "root (chroot builds the real toolchain image)",
                      "run the tests as root, as CI does")
    print(f"\n[real_toolchain] building {tag} from {found.how} (first time: about 4 minutes, 1.7 GB)...",
          file=sys.stderr, flush=True)
    started = time.monotonic()
    built = build_image(found.prefix)
    print(f"[real_toolchain] {built} ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return built


# --- the image's own tools ------------------------------------------------------------------------


def run_in_image(client, image: str, folder: Path, script: str, timeout: float = 600,
                 mem_limit: str | None = None) -> tuple[int, str]:
    """``bash -c script`` in a throw-away container of ``image`` with ``folder`` at /data.
    Returns (exit code, output)."""
    options = {"mem_limit": mem_limit, "memswap_limit": mem_limit} if mem_limit else {}
    container = client.containers.run(image, ["bash", "-c", script], working_dir="/data", detach=True,
                                      volumes={str(folder): {"bind": "/data", "mode": "rw"}},
                                      labels={"org.recamera-wizard.role": "test-tool"}, **options)
    try:
        result = container.wait(timeout=timeout)
        return int(result.get("StatusCode", -1)), container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)


def model_tool_info(client, image: str, cvimodel: Path) -> tuple[int, str]:
    return run_in_image(client, image, cvimodel.parent, f"model_tool --info '{cvimodel.name}'")


def fused_input(picture, size: int) -> np.ndarray:
    """What a cvimodel with --fuse_preprocess --aligned_input takes for an S x S picture:
    uint8 RGB HWC as (1, 1, S, align64(3S)) (detections.md), the tensor named ``images_raw``."""
    pixels = np.asarray(picture.convert("RGB").resize((size, size)), dtype=np.uint8)
    width = -(-3 * size // 64) * 64
    row = np.zeros((size, width), dtype=np.uint8)
    row[:, : 3 * size] = pixels.reshape(size, 3 * size)
    return row.reshape(1, 1, size, width)


def run_cvimodel(client, image: str, cvimodel: Path, pictures: dict[str, object], size: int,
                 scratch: Path) -> tuple[dict[str, dict[str, np.ndarray]], float]:
    """model_runner (the CV18xx simulator) on each picture, in one container: {name: {tensor:
    array}} and the seconds per picture as the container timed them."""
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copy2(cvimodel, scratch / "model.cvimodel")
    for index, picture in enumerate(pictures.values()):
        np.savez(scratch / f"in_{index:03d}.npz", images_raw=fused_input(picture, size))
    code, log = run_in_image(client, image, scratch,
                             'TIMEFORMAT="SECONDS=%R"; time (set -e; for f in in_*.npz; do '
                             'model_runner --input "$f" --model model.cvimodel --output "out_${f#in_}" '
                             '> runner.log 2>&1 || { cat runner.log; exit 1; }; done)')
    seconds = float(next(line for line in log.splitlines() if line.startswith("SECONDS=")).split("=")[1])
    outputs = {}
    for index, name in enumerate(pictures):
        with np.load(scratch / f"out_{index:03d}.npz") as data:
            outputs[name] = {key: data[key] for key in data.files}
    return outputs, seconds / max(1, len(pictures))


def cvimodel_heads(outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The six head tensors of a model_runner output: fp32 ``…_Conv_f32`` (the guide's default,
    no --quant_output), else the int8 ``…_Conv`` ones."""
    f32 = {k: v for k, v in outputs.items() if k.endswith("/Conv_output_0_Conv_f32")}
    return f32 or {k: v for k, v in outputs.items() if k.endswith("/Conv_output_0_Conv")}
