"""Checks and set-up of the native backend on this computer, on a PATH that lacks what it needs.

No toolchain runs here (neither real nor double). What is real: the host probe, this machine's
CPython 3.10 (pyenv), apt-get (run as root for a package that is already installed, so the
machine does not change), and ``python -m venv`` + pip for the interrupted set-up, which is
stopped while pip works. A PATH without the C compiler is a folder of symlinks to every command
but gcc: a host that lacks it, without touching this one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import require_component
from native_support import drain, python310  # noqa: F401 (fixture)
from sshd_support import _path_without_docker
from wizard.core.events import LogLine, StepFinished
from wizard.core.messages import WizardError
from wizard.core.runners.native import environment as envs
from wizard.core.runners.native.environment import EnvironmentSpec
from wizard.core.runners.native.local import NativeRunner
from wizard.core.runners.native.shell import LocalShell


def without_compiler(dest: Path) -> str:
    folder = Path(_path_without_docker(dest))
    for link in folder.iterdir():
        name = link.name
        if name in ("cc", "c89", "c99", "c89-gcc", "c99-gcc") or name.startswith("gcc") or "-gcc" in name:
            link.unlink()
    assert not shutil.which("gcc", path=str(folder))
    return str(folder)


@pytest.fixture
def no_compiler_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", without_compiler(tmp_path / "bin"))


def test_a_missing_compiler_is_reported_with_its_fix_and_nothing_is_made(python310, no_compiler_path, tmp_path):
    env_root = tmp_path / "envs"
    runner = NativeRunner(python=python310, env_root=env_root)
    report = runner.check()
    assert [p.code for p in report.problems] == ["native_compiler_missing"]
    assert "sudo apt-get install gcc" in report.problems[0].fix
    assert report.environment_state == "absent" and not report.ready
    assert [c.argv for c in report.setup.commands][-1] == ("apt-get", "install", "-y", "gcc")
    assert report.setup_question is not None and "apt-get install -y gcc" in report.setup_question.message
    assert report.environment_question is not None and report.environment_question.params["path"] == report.environment.path
    with pytest.raises(WizardError) as refused:
        list(NativeRunner(python=python310, env_root=env_root, create_environment=True).prepare())
    assert refused.value.problem.code == "native_compiler_missing"
    assert not env_root.exists()  # no consent to the set-up: nothing was made or installed


def test_consented_setup_runs_apt_get_and_says_what_is_still_missing(python310, no_compiler_path, tmp_path):
    """As root, apt-get install runs for real; gcc is already installed here (the test requires
    it, so the machine does not change) but not on this PATH, so the check after the set-up still
    finds it missing and says so instead of going on."""
    require_component(os.geteuid() == 0, "root (apt-get without sudo)", "run the tests as root")
    installed = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "gcc"], capture_output=True, text=True)
    if "install ok installed" not in installed.stdout:
        pytest.skip("gcc is not installed from apt here: the consented install would change the machine")
    runner = NativeRunner(python=python310, env_root=tmp_path / "envs", setup_consent=True, create_environment=True)
    events: list = []
    with pytest.raises(WizardError) as still:
        drain(runner.prepare(), events)
    assert any(isinstance(e, LogLine) and e.text.endswith(": apt-get install gcc") for e in events)
    assert still.value.problem.code == "native_compiler_missing"
    assert not (tmp_path / "envs").exists()


def test_an_interrupted_set_up_is_never_used_and_is_made_again(python310, tmp_path):
    """A half-made environment (a venv folder without its marker, as a closed laptop leaves it) is
    reported and refused; with consent it is removed and made again. The new set-up is stopped
    while pip works, which leaves, again, an environment that is not used."""
    spec = EnvironmentSpec(python=python310, root=str(tmp_path / "envs"))
    half = Path(spec.path)
    (half / "bin").mkdir(parents=True)
    (half / "leftover.txt").write_text("from the interrupted set-up")
    report = NativeRunner(python=python310, env_root=spec.root).check()
    assert report.environment_state == "partial" and report.environment == spec
    assert "native_env_incomplete" in [p.code for p in report.problems] and report.environment_question
    with pytest.raises(WizardError) as refused:
        list(NativeRunner(python=python310, env_root=spec.root).prepare())
    assert refused.value.problem.code == "native_env_incomplete"

    runner = NativeRunner(python=python310, env_root=spec.root, create_environment=True)
    stopped: list = []

    def stop_in_pip(event):
        if not stopped and isinstance(event, LogLine) and event.text.startswith("[environment] step install"):
            stopped.append(event)
            threading.Timer(1.0, runner.cancel).start()  # pip is running by then

    events = drain(runner.prepare(), [], stop_in_pip)
    texts = [e.text for e in events if isinstance(e, LogLine)]
    assert "[environment] removing an incomplete environment" in texts
    assert not (half / "leftover.txt").exists() and (half / "bin" / "python").exists()  # a new venv was begun
    assert stopped and any(isinstance(e, StepFinished) and e.step == "environment" and not e.ok for e in events)
    assert runner.setup.bin_dir is None  # not handed on to a conversion
    state = LocalShell().run(envs.state_command(spec)).out.strip()
    assert state == "partial"
    pip_left = subprocess.run(["pgrep", "-f", f"{spec.path}/bin/python -m pip"], capture_output=True, text=True)
    assert pip_left.stdout.strip() == ""
