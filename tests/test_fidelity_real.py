"""Where the REAL TPU-MLIR 1.7 differs from what the wizard assumed (issue 12), proved with it.

Toolchain: REAL in every test here (recamera-wizard-test/toolchain-real:1.7-<digest>, built from a
CPython 3.10 on this machine by tests/real_toolchain.py), never the double; the real Docker engine.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from conftest import require_component
from docker_support import docker_client  # noqa: F401 (fixtures)
from real_toolchain import toolchain_real_image  # noqa: F401 (fixtures)
from wizard.core.messages import WizardError

pytestmark = [pytest.mark.real_toolchain, pytest.mark.docker, pytest.mark.slow]

WHEEL_CACHE = Path(os.environ.get("RECAMERA_WIZARD_TEST_CACHE", Path.home() / ".cache" / "recamera-wizard-test")) / "wheels"


def _build_from(client, context: dict[str, bytes], tag: str) -> None:
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for name, data in context.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive.seek(0)
    client.images.build(fileobj=archive, custom_context=True, tag=tag, rm=True, forcerm=True)


# --- 12.8: pycocotools 2.0.6 compiles from source in the image build ---------------------------------


def test_a_base_image_without_a_compiler_is_told_that_pycocotools_needs_one(docker_client, toolchain_real_image):
    """The wizard's own Dockerfile for tpu_mlir 1.7, built FROM the real image with gcc removed and
    pycocotools uninstalled (pip offline, from the pycocotools 2.0.6 sdist the real image was made
    from): the real pip fails to compile it, and the build says a compiler is needed, by name."""
    from wizard.core.runners.docker.image import ToolchainImageSpec, build_image

    sdist = WHEEL_CACHE / "pycocotools-2.0.6.tar.gz"
    require_component(sdist.is_file(), "the pycocotools 2.0.6 sdist of the real image's build",
                      "build the real toolchain image once (tests/images/build_toolchain_real_image.sh)")
    base = "recamera-wizard-test/no-compiler:1"
    _build_from(docker_client, {
        "Dockerfile": (f"FROM {toolchain_real_image}\n"
                       "COPY pycocotools-2.0.6.tar.gz /offline/\n"
                       "RUN python3 -m pip uninstall -y pycocotools"
                       " && rm -f /usr/bin/*gcc* /usr/bin/cc /usr/bin/c89 /usr/bin/c99\n"
                       # Offline: the sdist from /offline, built with the venv's own Cython/numpy.
                       "ENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/offline PIP_NO_BUILD_ISOLATION=0\n").encode(),
        "pycocotools-2.0.6.tar.gz": sdist.read_bytes(),
    }, base)
    spec = ToolchainImageSpec(base_image=base)
    shown = []
    try:
        with pytest.raises(WizardError) as failed:
            for event in build_image(docker_client, spec):
                shown.append(event)
    finally:
        docker_client.images.remove(base, force=True)
    problem = failed.value.problem
    assert problem.code == "image_build_needs_compiler", problem
    assert "pycocotools==2.0.6" in problem.message and "gcc" in problem.fix and "sophgo/tpuc_dev" in problem.fix
    steps = [e.text for e in shown if type(e).__name__ == "Progress" and e.text.startswith("step ")]
    assert steps == ["step 1/6: base image recamera-wizard-test/no-compiler:1",
                     "step 2/6: compiling pycocotools==2.0.6 from source (it has no Python 3.10 wheel)"]
    lines = [e.text for e in shown if type(e).__name__ == "LogLine"]
    assert any("gcc" in line and "failed" in line for line in lines), lines[-20:]
    assert spec.tag not in {tag for image in docker_client.images.list() for tag in image.tags}  # no half image
