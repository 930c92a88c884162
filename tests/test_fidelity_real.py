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


# --- 12.1: the thread count the wheel's launcher forces -------------------------------------------


def test_the_tools_get_the_cores_of_the_run_not_the_launchers_four(docker_client, toolchain_real_image, tmp_path):
    """The wheel's launcher sets OMP_NUM_THREADS=4 for every tool whatever the machine; convert.sh
    starts the tools through the launcher's own entry point with the cores the run may use. A
    python3 shim on PATH shows what the launcher's child (the real model_transform.py) gets, in
    a container limited to one core."""
    from wizard.core.plan.commands import render_convert_script
    from wizard.core.plan.recipe import ConversionRecipe

    script = render_convert_script(ConversionRecipe(name="x"))
    launch = script[script.index("threads="):script.index("# run_step STEP")]
    (tmp_path / "probe.sh").write_text(
        "real=\"$(command -v python3)\"\nmkdir -p /tmp/shim\n"
        "printf '#!/bin/sh\\n[ \"$1\" = -c ] || echo \"child OMP_NUM_THREADS=$OMP_NUM_THREADS $1\" >&2\\n"
        "exec %s \"$@\"\\n' \"$real\" > /tmp/shim/python3 && chmod +x /tmp/shim/python3\n"
        "export PATH=/tmp/shim:$PATH\n" + launch +
        "echo through-convert-sh >&2; run_tool model_transform --help > /dev/null\n"
        "echo the-launcher-alone >&2; model_transform --help > /dev/null\n", encoding="utf-8")
    container = docker_client.containers.run(
        toolchain_real_image, ["bash", "/t/probe.sh"], detach=True, cpuset_cpus="0",
        volumes={str(tmp_path): {"bind": "/t", "mode": "ro"}}, labels={"org.recamera-wizard.role": "test-tool"})
    try:
        code = int(container.wait(timeout=120).get("StatusCode", -1))
        out = container.logs(stdout=False, stderr=True).decode("utf-8", "replace")
    finally:
        container.remove(force=True)
    assert code == 0, out
    seen = [line for line in out.splitlines() if line.startswith(("child ", "through", "the-launcher"))]
    assert seen[0] == "through-convert-sh" and seen[2] == "the-launcher-alone", seen
    assert seen[1].startswith("child OMP_NUM_THREADS=1 ") and seen[1].endswith("/python/tools/model_transform.py")
    assert seen[3].startswith("child OMP_NUM_THREADS=4 ")  # what the wheel alone would do


# --- 12.2: a negative mean, end to end -------------------------------------------------------------


def test_a_negative_mean_converts_end_to_end(docker_client, toolchain_real_image, tmp_path):
    """--mean=-0.5,-0.5,-0.5 as the plan writes it: the real model_transform reads it as the mean
    (its own config print and the top MLIR say so), and the conversion succeeds through Docker."""
    from detecting_model import make_pictures, write_detecting_model
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace
    from wizard.core.runners.docker.runner import DockerRunner
    from wizard.core.runners.job import ConversionJob

    model = write_detecting_model(tmp_path / "in" / "yolo11.onnx", 320)
    make_pictures(tmp_path / "in" / "pictures", 12, 320, seed=3)
    run_dir = tmp_path / "run"
    staged = stage_workspace(ConversionChoices(model=str(model), images=str(tmp_path / "in" / "pictures"),
                                               out=str(run_dir / "workspace"), calibration_count=12,
                                               mean=(-0.5, -0.5, -0.5), toolchain_image=toolchain_real_image))
    job = ConversionJob(DockerRunner(toolchain_real_image, recipe=staged.recipe, client=docker_client), run_dir,
                        cache=False)
    list(job.events())
    log = (run_dir / "convert.log").read_text(encoding="utf-8")
    assert job.verdict == "success", log[-3000:]
    assert "model_transform --model_name yolo11 " in log and " --mean=-0.5,-0.5,-0.5 " in log
    assert "mean                  : [-0.5, -0.5, -0.5]" in log  # the tool's own preprocess config
    assert "-5.000000e-01, -5.000000e-01, -5.000000e-01" in (run_dir / "workspace" / "work" / "yolo11.mlir").read_text()
