"""How the runner finds the engine: DOCKER_HOST when set, else the per-OS candidate addresses."""

from __future__ import annotations

import socket

import pytest

from docker_support import docker_client  # noqa: F401  (fixture: the real engine or skip/fail)
from wizard.core.app import first_run
from wizard.core.runners.docker import engines
from wizard.core.messages import WizardError
from wizard.core.runners.docker import runner as docker_runner


def _closed_unix_socket(tmp_path) -> str:
    path = tmp_path / "engine.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.close()  # the file stays, nothing listens: "connection refused"
    return f"unix://{path}"


@pytest.mark.docker
def test_without_docker_host_the_first_answering_candidate_is_used(docker_client, tmp_path, monkeypatch):
    """A dead address first (say an old Desktop socket), then the real engine's default socket."""
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    dead = _closed_unix_socket(tmp_path)
    monkeypatch.setattr(engines, "docker_host_candidates", lambda *a, **k: [dead, "unix:///var/run/docker.sock"])
    client = docker_runner.connect(timeout=10)
    assert client.ping()
    assert client.api.base_url != dead
    client.close()


def test_when_no_candidate_answers_the_message_says_the_engine_is_not_running(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    dead = [_closed_unix_socket(tmp_path)]
    monkeypatch.setattr(engines, "docker_host_candidates", lambda *a, **k: dead)
    with pytest.raises(WizardError) as caught:
        docker_runner.connect(timeout=5)
    assert caught.value.problem.code.startswith("docker_")
    assert caught.value.problem.fix


def test_docker_host_is_the_only_address_tried(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", _closed_unix_socket(tmp_path))
    monkeypatch.setattr(engines, "docker_host_candidates",
                        lambda *a, **k: pytest.fail("candidates must not be tried when DOCKER_HOST is set"))
    with pytest.raises(WizardError):
        docker_runner.connect(timeout=5)
