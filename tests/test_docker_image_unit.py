"""The user-facing toolchain image: Dockerfile text by value, tags, pull progress, disk check."""

from __future__ import annotations

import pytest

from wizard.core.messages import WizardError
from wizard.core.runners.docker.image import (
    PullProgress,
    ToolchainImageSpec,
    check_disk_for_image,
    dockerfile_text,
    spec_for_tag,
)


def test_default_dockerfile_by_value():
    text = dockerfile_text(ToolchainImageSpec())
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == [
        "FROM sophgo/tpuc_dev:v3.1",
        "RUN python3 -m pip install --no-cache-dir --disable-pip-version-check \\",
        '      "tpu_mlir[onnx]==1.7" \\',
        " && model_transform --help > /dev/null \\",
        " && run_calibration --help > /dev/null \\",
        " && model_deploy --help > /dev/null",
        'LABEL org.recamera-wizard.base-image="sophgo/tpuc_dev:v3.1" \\',
        '      org.recamera-wizard.tpu-mlir="1.7" \\',
        body[8],  # wizard version label
        "WORKDIR /workspace",
        'CMD ["bash"]',
    ]
    assert body[8].startswith('      org.recamera-wizard.wizard-version="')
    assert "[all]" not in text and "build.sh" not in text and "git clone" not in text


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
