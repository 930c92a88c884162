"""The real Docker engine for the integration tests, and the toolchain-double image they run.

``docker_client`` connects to the engine or skips (locally) / fails (CI=true) with the reason.
``toolchain_double_image`` builds ``recamera-wizard-test/toolchain-double:latest`` with
tests/images/build_toolchain_double_image.sh when it is missing or stale: the first build
debootstraps a minimal Debian (a few minutes, printed as it goes), later ones take seconds.
There is no registry here: nothing is ever pulled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, require_component

TEST_IMAGE = "recamera-wizard-test/toolchain-double:latest"
BUILD_SCRIPT = REPO_ROOT / "tests" / "images" / "build_toolchain_double_image.sh"
LABEL_ROLE = "org.recamera-wizard.role"
LABEL_RUN_ID = "org.recamera-wizard.run-id"


def engine_reachable() -> tuple[bool, str]:
    try:
        import docker

        client = docker.from_env(timeout=20)
        client.ping()
        client.close()
        return True, ""
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable here"
        return False, f"{type(exc).__name__}: {str(exc)[:200]}"


LEFTOVER_SECONDS = 600


def _stopped_for(container) -> float:
    """Seconds since the container ended (its State.FinishedAt), infinity when unknown."""
    from datetime import datetime, timezone

    finished = ((container.attrs.get("State") or {}).get("FinishedAt") or "")[:26].rstrip("Z")
    try:
        when = datetime.fromisoformat(finished).replace(tzinfo=timezone.utc)
    except ValueError:
        return float("inf")
    if when.year < 2000:  # "0001-01-01T00:00:00Z": created, never started
        return float("inf")
    return (datetime.now(timezone.utc) - when).total_seconds()


@pytest.fixture(scope="session")
def docker_client():
    ok, why = engine_reachable()
    require_component(ok, f"A Docker engine ({why})",
                      "install docker.io (Debian) and start dockerd, as .ci/run does")
    import docker

    client = docker.from_env(timeout=60)
    yield client
    # A test that failed half-way must not leave containers for the next run (or CI) to trip on.
    # Only ours (conversion/reproduce containers of the TEST image) and only ones stopped for a
    # while: a running one, or one that just ended and is about to be downloaded from, may belong
    # to a concurrent test session on this machine (removing that one mid-download made Docker
    # answer "RWLayer of container ... is unexpectedly nil" there).
    try:
        ids = {TEST_IMAGE, client.images.get(TEST_IMAGE).id}
    except Exception:  # noqa: BLE001 - no test image, so no such containers
        ids = set()
    for role in ("conversion", "reproduce"):
        for container in client.containers.list(all=True, filters={"label": f"{LABEL_ROLE}={role}"}):
            if container.status != "running" and (container.attrs.get("Config") or {}).get("Image") in ids \
                    and _stopped_for(container) > LEFTOVER_SECONDS:
                try:
                    container.remove(force=True, v=True)
                except Exception:  # noqa: BLE001 - already gone
                    pass
    client.close()


@pytest.fixture(scope="session")
def toolchain_double_image(docker_client) -> str:
    """The test image's tag, built (or found up to date) once per session."""
    require_component(shutil.which("debootstrap") is not None or _image_present(docker_client),
                      "debootstrap (to build the test image)", "apt-get install debootstrap")
    require_component(os.geteuid() == 0 or _image_present(docker_client),
                      "root (debootstrap/chroot build the test image)", "run the tests as root, as CI does")
    print(f"\n[docker_support] making sure {TEST_IMAGE} is built (first time: a few minutes)...",
          file=sys.stderr, flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(["bash", str(BUILD_SCRIPT)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    assert proc.stdout is not None
    tail = []
    for line in proc.stdout:
        tail = (tail + [line])[-40:]
        # Progress for the person waiting; debootstrap's own lines are many, show its stages only.
        if not any(noisy in line for noisy in ("I: Retrieving", "I: Validating", "I: Extracting")):
            print(line.rstrip(), file=sys.stderr, flush=True)
    rc = proc.wait()
    assert rc == 0, "building the test image failed:\n" + "".join(tail)
    print(f"[docker_support] {TEST_IMAGE} ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return TEST_IMAGE


def _image_present(client) -> bool:
    import docker.errors

    try:
        client.images.get(TEST_IMAGE)
        return True
    except docker.errors.ImageNotFound:
        return False


def run_containers(client, run_id: str | None = None) -> list:
    """Our conversion containers (all states), optionally only one run's."""
    label = f"{LABEL_RUN_ID}={run_id}" if run_id else f"{LABEL_ROLE}=conversion"
    return client.containers.list(all=True, filters={"label": label})


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def make_inputs(folder: Path, count: int = 12) -> tuple[Path, Path]:
    """A small YOLO11-shaped model (320x320) and ``count`` synthetic photos: fast to stage."""
    from wizard.core.images.samples import generate_sample_images
    from wizard.core.model.samples import write_sample_model

    folder.mkdir(parents=True, exist_ok=True)
    model = folder / "yolo11n.onnx"
    if not model.exists():
        write_sample_model(model, imgsz=(320, 320))
    images = folder / "images"
    if not images.exists():
        generate_sample_images(images, count, size=(320, 240))
    return model, images


def cli(args: list[str], env: dict[str, str] | None = None, timeout: float = 300,
        cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``recamera-wizard <args>`` in a child process, as a user runs it."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=cwd or REPO_ROOT)
