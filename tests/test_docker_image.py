"""The toolchain image commands against the real engine. No registry is reachable here, so pulls
are only tried against a closed port on 127.0.0.1 (the error path); load/status/remove are real."""

from __future__ import annotations

import json

import pytest

from docker_support import cli, docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from wizard.core.messages import WizardError

pytestmark = pytest.mark.docker

LOAD_TAG = "recamera-wizard-test/loadme:1"


def test_status_reports_the_image(toolchain_double_image):
    result = cli(["toolchain-image", "status", "--image", toolchain_double_image, "--json"])
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["present"] is True and status["id"].startswith("sha256:")
    assert status["labels"]["org.recamera-wizard.test-double"] == "true"


def test_status_of_a_missing_image_says_how_to_get_it(docker_client):
    result = cli(["toolchain-image", "status", "--image", "recamera-wizard/toolchain:0.0-missing"])
    assert result.returncode == 1
    assert "toolchain-image build" in result.stdout and "toolchain-image load" in result.stdout


def test_save_then_load_offline(toolchain_double_image, docker_client, tmp_path):
    """The offline-workshop path: a `docker save` file loaded by the CLI with progress."""
    image = docker_client.images.get(toolchain_double_image)
    image.tag(LOAD_TAG)
    tarball = tmp_path / "toolchain image.tar"
    try:
        with open(tarball, "wb") as f:
            for chunk in docker_client.images.get(LOAD_TAG).save(named=LOAD_TAG):
                f.write(chunk)
        docker_client.images.remove(LOAD_TAG)
        result = cli(["toolchain-image", "load", str(tarball), "--image", LOAD_TAG])
        assert result.returncode == 0, result.stdout + result.stderr
        assert docker_client.images.get(LOAD_TAG).id == image.id
        assert "[image 100%]" in result.stderr  # byte progress was reported
        removed = cli(["toolchain-image", "remove", "--image", LOAD_TAG, "--json"])
        assert json.loads(removed.stdout) == {"tag": LOAD_TAG, "removed": True}
    finally:
        try:
            docker_client.images.remove(LOAD_TAG)
        except Exception:  # noqa: BLE001 - already removed by the test
            pass


def test_load_of_a_file_that_is_not_an_image(docker_client, tmp_path):
    bogus = tmp_path / "not an image.tar"
    bogus.write_bytes(b"hello" * 100)
    result = cli(["toolchain-image", "load", str(bogus)])
    assert result.returncode == 2
    assert "Could not load a toolchain image" in result.stderr and "Traceback" not in result.stderr


def test_pull_from_an_unreachable_registry_is_a_clear_error(docker_client):
    from wizard.core.runners.docker.image import ToolchainImageSpec, build_image, pull_image

    with pytest.raises(WizardError) as err:
        list(pull_image(docker_client, "127.0.0.1:9/nothing/here:1", check_disk=False))
    assert err.value.problem.code == "image_pull_failed"
    assert "127.0.0.1:9/nothing/here:1" in err.value.problem.message
    # build pulls its (missing) base first: the same clear error, no half-built image.
    spec = ToolchainImageSpec(base_image="127.0.0.1:9/sophgo/tpuc_dev:v3.1")
    with pytest.raises(WizardError) as err:
        list(build_image(docker_client, spec))
    assert err.value.problem.code == "image_pull_failed"
    from docker.errors import ImageNotFound

    with pytest.raises(ImageNotFound):
        docker_client.images.get(spec.tag)


def test_build_command_with_an_unreachable_base_exits_4(docker_client):
    result = cli(["toolchain-image", "build", "--base", "127.0.0.1:9/sophgo/tpuc_dev:v3.1"])
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Could not download 127.0.0.1:9/sophgo/tpuc_dev:v3.1" in result.stderr
    assert "Traceback" not in result.stderr


def test_dockerfile_command_prints_the_pinned_recipe():
    result = cli(["toolchain-image", "dockerfile", "--tpu-mlir", "1.30", "--base", "sophgo/tpuc_dev:v3.4"])
    assert result.returncode == 0
    assert "FROM sophgo/tpuc_dev:v3.4\n" in result.stdout and '"tpu_mlir[onnx]==1.30"' in result.stdout
