"""The user-facing toolchain image: Dockerfile text by value, tags, pull progress, disk check."""

from __future__ import annotations

import pytest

from wizard.core.messages import WizardError
from wizard.core.runners.docker.image import (
    BuildProgress,
    compiler_complaint,
    PullProgress,
    ToolchainImageSpec,
    build_steps,
    check_disk_for_image,
    dockerfile_text,
    spec_for_tag,
)


def test_default_dockerfile_by_value():
    text = dockerfile_text(ToolchainImageSpec())
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == [
        "FROM sophgo/tpuc_dev:v3.1",
        # Its own step: the progress names it, and a failure there asks for a compiler.
        'RUN python3 -m pip install --no-cache-dir --disable-pip-version-check --no-deps "pycocotools==2.0.6"',
        "RUN python3 -m pip install --no-cache-dir --disable-pip-version-check \\",
        '      "tpu_mlir[onnx]==1.7" \\',
        " && model_transform --help > /dev/null \\",
        " && run_calibration --help > /dev/null \\",
        " && model_deploy --help > /dev/null",
        'LABEL org.recamera-wizard.base-image="sophgo/tpuc_dev:v3.1" \\',
        '      org.recamera-wizard.tpu-mlir="1.7" \\',
        body[9],  # wizard version label
        "WORKDIR /workspace",
        'CMD ["bash"]',
    ]
    assert body[9].startswith('      org.recamera-wizard.wizard-version="')
    assert "[all]" not in text and "build.sh" not in text and "git clone" not in text
    assert [step.instruction.split()[0] for step in build_steps(ToolchainImageSpec())] == [
        line.split()[0] for line in body if not line.startswith((" ", "\t"))]


# The classic builder's "Step N/M" lines for the default Dockerfile, then the REAL pip 23.0.1
# output of pycocotools 2.0.6 built without gcc (the real image of tests/real_toolchain.py with gcc
# removed, pip offline from the sdist: see test_fidelity_real.py), its middle cut.
BUILD_OUTPUT = """Step 1/6 : FROM sophgo/tpuc_dev:v3.1
 ---> 2cf3d1e3c7a6
Step 2/6 : RUN python3 -m pip install --no-cache-dir --disable-pip-version-check --no-deps "pycocotools==2.0.6"
 ---> Running in 5b1e0c3f6a20
Building wheels for collected packages: pycocotools
  Building wheel for pycocotools (pyproject.toml): started
  Building wheel for pycocotools (pyproject.toml): finished with status 'error'
  error: subprocess-exited-with-error
      building 'pycocotools._mask' extension
      error: command 'gcc' failed: No such file or directory
      [end of output]
  note: This error originates from a subprocess, and is likely not a problem with pip.
  ERROR: Failed building wheel for pycocotools
Failed to build pycocotools
ERROR: Could not build wheels for pycocotools, which is required to install pyproject.toml-based projects""".splitlines()


def test_the_build_progress_names_each_step_and_the_compiler_it_needs():
    progress = BuildProgress(ToolchainImageSpec())
    shown = [p for p in (progress.feed(line) for line in BUILD_OUTPUT) if p is not None]
    assert [(p.done, p.total, p.text) for p in shown] == [
        (1, 6, "step 1/6: base image sophgo/tpuc_dev:v3.1"),
        (2, 6, "step 2/6: compiling pycocotools==2.0.6 from source (it has no Python 3.10 wheel)")]
    error = progress.failure("recamera-wizard/toolchain:1.7", compiler_complaint(BUILD_OUTPUT))
    assert error is not None and error.problem.code == "image_build_needs_compiler"
    assert "error: command 'gcc' failed: No such file or directory" in error.problem.message
    assert "pycocotools==2.0.6" in error.problem.message and "tpu_mlir 1.7" in error.problem.message
    assert "gcc" in error.problem.fix and "sophgo/tpuc_dev" in error.problem.fix
    ja = error.problem.to_dict("ja")
    assert "コンパイラ" in ja["fix"]


def test_a_failure_in_another_step_is_not_blamed_on_a_compiler():
    progress = BuildProgress(ToolchainImageSpec())
    for line in ("Step 1/6 : FROM sophgo/tpuc_dev:v3.1", "Step 3/7 : RUN python3 -m pip install ..."):
        progress.feed(line)
    assert progress.failure("recamera-wizard/toolchain:1.7", "pip: no matching distribution") is None
    other = BuildProgress(None)  # a Dockerfile the wizard did not make: lines as they are
    assert other.feed("Step 2/2 : RUN false").text == "Step 2/2 : RUN false"
    assert other.failure("x", "RUN false failed") is None


def test_versions_without_a_source_build_have_no_such_step():
    newer = ToolchainImageSpec(base_image="sophgo/tpuc_dev:v3.4", tpu_mlir_version="1.30")
    assert not any(step.compiles for step in build_steps(newer)) and "pycocotools" not in dockerfile_text(newer)


def test_tags_and_round_trip():
    assert ToolchainImageSpec().tag == "recamera-wizard/toolchain:1.7"
    newer = ToolchainImageSpec(base_image="sophgo/tpuc_dev:v3.4", tpu_mlir_version="1.30")
    assert newer.tag == "recamera-wizard/toolchain:1.30-v3.4"
    assert "FROM sophgo/tpuc_dev:v3.4\n" in dockerfile_text(newer)
    assert '"tpu_mlir[onnx]==1.30"' in dockerfile_text(newer)
    assert spec_for_tag(newer.tag) == newer
    assert spec_for_tag("recamera-wizard/toolchain:1.7") == ToolchainImageSpec()


@pytest.mark.parametrize("version", ["1.7; rm -rf /", "1.7\nRUN evil", "", "latest", "1.7 "])
def test_bad_versions_refused(version):
    with pytest.raises(WizardError) as err:
        ToolchainImageSpec(tpu_mlir_version=version)
    assert err.value.problem.code == "invalid_image_setting"


@pytest.mark.parametrize("base", ["sophgo/tpuc_dev", "sophgo/tpuc_dev:v3.1\nRUN x", "Bad/Upper:1", "a b:1"])
def test_bad_or_unpinned_base_refused(base):
    with pytest.raises(WizardError):
        ToolchainImageSpec(base_image=base)


def test_digest_pinned_base_accepted():
    spec = ToolchainImageSpec(base_image="sophgo/tpuc_dev:v3.1@sha256:" + "a" * 64)
    assert dockerfile_text(spec).splitlines()[1] == "FROM sophgo/tpuc_dev:v3.1@sha256:" + "a" * 64


def test_other_images_are_not_buildable():
    with pytest.raises(WizardError):
        spec_for_tag("someone/else:1")


# Messages in the shape the engine streams for `docker pull` (recorded from a pull).
PULL = [
    {"status": "Pulling from sophgo/tpuc_dev", "id": "v3.1"},
    {"status": "Pulling fs layer", "progressDetail": {}, "id": "aaa"},
    {"status": "Pulling fs layer", "progressDetail": {}, "id": "bbb"},
    {"status": "Already exists", "progressDetail": {}, "id": "ccc"},
    {"status": "Downloading", "progressDetail": {"current": 50_000_000, "total": 100_000_000}, "progress": "[==>  ]", "id": "aaa"},
    {"status": "Downloading", "progressDetail": {"current": 100_000_000, "total": 300_000_000}, "id": "bbb"},
    {"status": "Download complete", "progressDetail": {}, "id": "aaa"},
    {"status": "Extracting", "progressDetail": {"current": 100_000_000, "total": 100_000_000}, "id": "aaa"},
    {"status": "Pull complete", "progressDetail": {}, "id": "aaa"},
    {"status": "Downloading", "progressDetail": {"current": 300_000_000, "total": 300_000_000}, "id": "bbb"},
    {"status": "Pull complete", "progressDetail": {}, "id": "bbb"},
    {"status": "Digest: sha256:" + "f" * 64},
    {"status": "Status: Downloaded newer image for sophgo/tpuc_dev:v3.1"},
]


def test_pull_progress_folds_layers_into_one_bar():
    folder = PullProgress("sophgo/tpuc_dev:v3.1")
    seen = [p for p in (folder.feed(m) for m in PULL) if p is not None]
    fractions = [p.fraction for p in seen if p.fraction is not None]
    assert fractions == sorted(fractions)  # never goes backwards
    assert seen[-1].fraction == 1.0
    assert [p.fraction for p in seen[:3]] == [None, None, None]  # no sizes known yet
    assert seen[3].fraction == pytest.approx(0.8 * 50 / 100)
    after_two_downloads = seen[4]  # bbb's size turns up: 0.8*150/400 = 0.3, held at 0.4
    assert after_two_downloads.fraction == pytest.approx(0.4)
    assert after_two_downloads.text == "sophgo/tpuc_dev:v3.1: 1/3 layers, 0.15 GB of 0.40 GB"
    assert seen[-1].text.startswith("sophgo/tpuc_dev:v3.1: 3/3 layers")
    assert seen[-1].total == 400_000_000


def test_pull_error_message_becomes_clear_problem():
    folder = PullProgress("sophgo/tpuc_dev:v3.1")
    with pytest.raises(WizardError) as err:
        folder.feed({"error": "Get https://registry-1.docker.io/v2/: dial tcp: lookup failed"})
    assert err.value.problem.code == "image_pull_failed"
    assert "lookup failed" in err.value.problem.message


def test_disk_check_says_how_much():
    check_disk_for_image(None)  # unknown (Docker Desktop VM): not guessed
    check_disk_for_image(20 * 1024**3, needed_gb=15)
    with pytest.raises(WizardError) as err:
        check_disk_for_image(3 * 1024**3, needed_gb=15)
    assert err.value.problem.code == "image_needs_disk"
    assert "needs about 15 GB" in err.value.problem.message and "3.0 GB" in err.value.problem.message
