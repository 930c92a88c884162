"""First-run checks: Docker found per OS, engine state, toolchain image, and the advice given.

The engine is a test double (``FakeEngine``) except in the last test, which asks the real local
Docker engine (marked ``docker``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import require_component
from wizard.core.app import first_run
from wizard.core.app.first_run import DOCKER_DOWNLOAD_URLS, check_first_run
from wizard.core.runners.docker.engines import docker_host_candidates
from wizard.core.plan.recipe import DEFAULT_BASE_IMAGE, DEFAULT_TOOLCHAIN_IMAGE


class FakeEngine:
    def __init__(self, images=(), ping=True, error=None):
        self.images = set(images)
        self._ping = ping
        self._error = error
        self.closed = False

    def ping(self):
        if self._error:
            raise self._error
        return self._ping

    def has_image(self, name):
        return name in self.images

    def close(self):
        self.closed = True


class Connector:
    """Records every engine address tried; answers per address."""

    def __init__(self, answers):
        self.answers = answers  # address -> FakeEngine or exception
        self.tried = []

    def __call__(self, base_url, timeout):
        self.tried.append((base_url, timeout))
        answer = self.answers.get(base_url, FileNotFoundError(2, "No such file or directory"))
        if isinstance(answer, BaseException):
            raise answer
        return answer


def no_which(name, path=None):
    return None


def exists_in(*paths):
    wanted = {str(p) for p in paths}
    return lambda p: str(p) in wanted


def codes(report):
    return [p.code for p in report.problems]


def test_windows_without_docker_points_to_docker_desktop_and_tries_no_engine():
    connect = Connector({})
    report = check_first_run(platform="win32", env={"ProgramFiles": r"C:\Program Files", "PATH": ""},
                             which=no_which, exists=exists_in(), connect=connect)
    assert codes(report) == ["first_run_docker_missing_windows"]
    assert not report.ok and not report.engine_running and report.docker_found is None
    assert connect.tried == []  # nothing to ping: no waiting on a pipe that cannot exist
    message, fix = report.problems[0].text("en")
    assert "Docker Desktop" in message and DOCKER_DOWNLOAD_URLS["windows"] in fix
    ja_message, ja_fix = report.problems[0].text("ja")
    assert "インストールされていません" in ja_message and DOCKER_DOWNLOAD_URLS["windows"] in ja_fix


def test_windows_docker_desktop_installed_but_stopped():
    desktop = Path(r"C:\Program Files") / "Docker" / "Docker" / "Docker Desktop.exe"
    connect = Connector({})  # both named pipes refuse
    report = check_first_run(platform="win32", env={"ProgramFiles": r"C:\Program Files"},
                             which=no_which, exists=exists_in(desktop), connect=connect)
    assert codes(report) == ["first_run_engine_stopped_desktop"]
    assert report.docker_found == str(desktop)
    assert [url for url, _ in connect.tried] == ["npipe:////./pipe/docker_engine",
                                                 "npipe:////./pipe/dockerDesktopLinuxEngine"]
    assert str(desktop) in report.problems[0].text("ja")[0]


def test_macos_app_found_although_docker_is_not_on_a_double_clicked_apps_path(tmp_path):
    # Finder gives apps PATH=/usr/bin:/bin:/usr/sbin:/sbin: the CLI in /usr/local/bin is unseen.
    home = tmp_path
    sock = home / ".docker" / "run" / "docker.sock"
    engine = FakeEngine(images={DEFAULT_TOOLCHAIN_IMAGE})
    connect = Connector({f"unix://{sock}": engine})
    report = check_first_run(platform="darwin", machine="x86_64",
                             env={"HOME": str(home), "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
                             which=no_which, exists=exists_in("/Applications/Docker.app", sock),
                             connect=connect)
    assert report.ok and report.problems == ()
    assert report.docker_found == "/Applications/Docker.app"
    assert report.engine_host == f"unix://{sock}"
    assert report.toolchain_image_present is True
    # /var/run/docker.sock does not exist here, so it was not waited on.
    assert [url for url, _ in connect.tried] == [f"unix://{sock}"]
    assert engine.closed


def test_macos_socket_alone_counts_as_installed(tmp_path):
    sock = tmp_path / ".orbstack" / "run" / "docker.sock"
    connect = Connector({f"unix://{sock}": FakeEngine(images={DEFAULT_BASE_IMAGE})})
    report = check_first_run(platform="darwin", machine="x86_64", env={"HOME": str(tmp_path)},
                             which=no_which, exists=exists_in(sock), connect=connect)
    assert report.docker_found == f"unix://{sock}"
    assert codes(report) == ["first_run_toolchain_needs_build"]
    assert report.ok  # info only: the first conversion prepares the image


def test_apple_silicon_gets_the_emulation_note_in_both_languages():
    report = check_first_run(platform="darwin", machine="arm64", env={"HOME": "/nonexistent"},
                             which=no_which, exists=exists_in(), connect=Connector({}))
    assert codes(report) == ["first_run_apple_silicon", "first_run_docker_missing_macos"]
    note = report.problems[0]
    assert note.severity == "info"
    assert "Rosetta" in note.text("en")[1] and "Rosetta" in note.text("ja")[1]


def test_linux_stopped_engine_says_systemctl():
    connect = Connector({"unix:///var/run/docker.sock": ConnectionRefusedError(111, "Connection refused")})
    report = check_first_run(platform="linux", env={"HOME": "/nonexistent"},
                             which=lambda name, path=None: "/usr/bin/docker",
                             exists=exists_in("/var/run/docker.sock"), connect=connect)
    assert codes(report) == ["first_run_engine_stopped_linux"]
    assert "systemctl start docker" in report.problems[0].text("en")[1]
    assert "systemctl start docker" in report.problems[0].text("ja")[1]


def test_linux_missing_docker_suggests_docker_io():
    report = check_first_run(platform="linux", env={"HOME": "/nonexistent"}, which=no_which,
                             exists=exists_in(), connect=Connector({}))
    assert codes(report) == ["first_run_docker_missing_linux"]
    assert "docker.io" in report.problems[0].text("en")[1]
    assert "docker.io" in report.problems[0].text("ja")[1]


def test_linux_permission_denied_is_told_apart_from_a_stopped_engine():
    import requests

    denied = requests.exceptions.ConnectionError("Connection aborted.")
    denied.__context__ = PermissionError(13, "Permission denied")
    connect = Connector({"unix:///var/run/docker.sock": denied})
    report = check_first_run(platform="linux", env={"HOME": "/nonexistent"},
                             which=lambda name, path=None: "/usr/bin/docker",
                             exists=exists_in("/var/run/docker.sock"), connect=connect)
    assert codes(report) == ["first_run_docker_permission"]
    assert "usermod -aG docker" in report.problems[0].fix


def test_toolchain_and_base_missing_means_a_big_first_download():
    engine = FakeEngine(images=())
    report = check_first_run(platform="linux", env={"HOME": "/nonexistent"},
                             which=lambda name, path=None: "/usr/bin/docker",
                             exists=exists_in("/var/run/docker.sock"),
                             connect=Connector({"unix:///var/run/docker.sock": engine}))
    assert codes(report) == ["first_run_toolchain_missing"]
    assert report.ok and report.engine_running
    assert report.toolchain_image_present is False and report.base_image_present is False
    assert DEFAULT_BASE_IMAGE in report.problems[0].fix
    assert "not present yet" in report.summary()


def test_image_query_failure_is_an_engine_error_not_a_crash():
    class Broken(FakeEngine):
        def has_image(self, name):
            raise RuntimeError("500 Server Error: storage driver failed")

    engine = Broken()
    report = check_first_run(platform="linux", env={"HOME": "/nonexistent"},
                             which=lambda name, path=None: "/usr/bin/docker",
                             exists=exists_in("/var/run/docker.sock"),
                             connect=Connector({"unix:///var/run/docker.sock": engine}))
    assert codes(report) == ["first_run_engine_error"]
    assert "storage driver" in report.problems[0].message
    assert engine.closed


def test_docker_host_is_the_only_address_tried():
    connect = Connector({})
    report = check_first_run(platform="linux", env={"HOME": "/nonexistent", "DOCKER_HOST": "tcp://127.0.0.1:2375"},
                             which=no_which, exists=exists_in(), connect=connect, timeout=0.5)
    assert [c for c in connect.tried] == [("tcp://127.0.0.1:2375", 0.5)]
    assert codes(report) == ["first_run_engine_stopped_linux"]


def test_current_docker_context_is_followed(tmp_path):
    config = tmp_path / ".docker"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"currentContext": "colima"}))
    meta = config / "contexts" / "meta" / hashlib.sha256(b"colima").hexdigest()
    meta.mkdir(parents=True)
    host = f"unix://{tmp_path}/.colima/default/docker.sock"
    (meta / "meta.json").write_text(json.dumps({"Name": "colima", "Endpoints": {"docker": {"Host": host}}}))
    assert docker_host_candidates("darwin", {"HOME": str(tmp_path)}) == [host]
    # DOCKER_HOST wins over the context, as with the docker CLI.
    assert docker_host_candidates("darwin", {"HOME": str(tmp_path), "DOCKER_HOST": "unix:///x.sock"}) == ["unix:///x.sock"]


def test_default_candidates_per_os(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": "/run/user/1000"}
    linux = docker_host_candidates("linux", env)
    assert linux[0] == "unix:///var/run/docker.sock" and "unix:///run/user/1000/docker.sock" in linux
    mac = docker_host_candidates("darwin", env)
    assert f"unix://{tmp_path}/.docker/run/docker.sock" in mac
    assert docker_host_candidates("win32", env)[0] == "npipe:////./pipe/docker_engine"


def test_download_addresses_are_documentation_pages_shown_as_text():
    for kind, url in DOCKER_DOWNLOAD_URLS.items():
        assert url.startswith("https://docs.docker.com/"), kind
    # The module has no way to fetch anything: it never imports an HTTP client of its own.
    source = Path(first_run.__file__).read_text(encoding="utf-8")
    for forbidden in ("urllib.request", "webbrowser", "import requests", "http.client"):
        assert forbidden not in source


@pytest.mark.docker
def test_real_local_engine_answers():
    docker_cli = shutil.which("docker")
    report = check_first_run(timeout=5.0)
    require_component(report.engine_running, "a running Docker engine",
                      f"start it (sudo service docker start); check said: {report.summary()}")
    assert docker_cli is None or report.docker_found
    assert report.engine_host and report.toolchain_image_present in (True, False)
    assert all(p.severity == "info" for p in report.problems), [p.code for p in report.problems]
