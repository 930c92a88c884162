"""Image names Docker would reject are refused up front with the rule, never an APIError.

No engine is needed: the refusal comes before Docker is asked (the API-error mapping itself is
exercised against the real engine in test_docker_image.py).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from wizard.core.messages import WizardError
from wizard.core.runners.docker.image import check_image_reference


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, timeout=120,
                          cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("reference", ["UPPER/Case:1", "bad;tag", "a b", "repo:", "repo:-tag", "/repo",
                                       "repo//x", "repo:" + "t" * 129, "$(reboot)", "repo@sha256:xyz", ""])
def test_references_docker_rejects_are_refused_with_the_rule(reference):
    with pytest.raises(WizardError) as caught:
        check_image_reference(reference)
    assert caught.value.problem.code == "invalid_image_reference"
    assert "lower-case" in caught.value.problem.fix


@pytest.mark.parametrize("reference", ["recamera-wizard/toolchain:1.7", "sophgo/tpuc_dev:v3.1", "ubuntu",
                                       "localhost:5000/team/tool:1.7-rc_1", "registry.example.com/a/b",
                                       "repo@sha256:" + "a" * 64])
def test_references_docker_accepts_pass(reference):
    assert check_image_reference(reference) == reference


@pytest.mark.parametrize("args", [
    ("toolchain-image", "status", "--image", "bad;tag"),
    ("toolchain-image", "remove", "--image", "UPPER/Case:1"),
    ("convert", "--model", "m.onnx", "--images", "photos", "--out", "RUN", "--image", "UPPER/Case:1"),
])
def test_the_cli_says_so_instead_of_a_traceback(args, tmp_path):
    args = tuple(str(tmp_path / "run") if a == "RUN" else a for a in args)
    result = _cli(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "APIError" not in result.stderr
    assert "is not an image name Docker accepts" in result.stderr
    assert not (tmp_path / "run").exists()


def test_a_docker_error_no_layer_caught_is_still_a_message(monkeypatch, capsys):
    """The real SDK exception class, raised where a handler would meet it (no engine needed)."""
    import docker.errors

    from wizard.cli import image_cmd, main

    def failing(args):
        raise docker.errors.APIError("400 Client Error", explanation="invalid reference format: repository name must be lowercase")

    monkeypatch.setattr(image_cmd, "run", failing)
    assert main(["toolchain-image", "status"]) == 4
    err = capsys.readouterr().err
    assert "Docker reported an error: invalid reference format" in err
    assert "Traceback" not in err and "full log is in" not in err
