"""How the real-toolchain tests find their CPython 3.10, and what happens without one.

Toolchain: none runs here (these check tests/real_toolchain.py's set-up, in seconds). The
"machine without a 3.10" is this one with PATH, HOME and $RECAMERA_TEST_PYTHON310 pointed away
from every 3.10, in a child pytest, so nothing on the machine changes.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, require_component
from docker_support import engine_reachable
from real_toolchain import ENV_PYTHON, INSTALL_HINT, find_python310

pytestmark = pytest.mark.docker  # the child run reaches the toolchain fixture through the engine's


def _require_engine() -> None:
    ok, why = engine_reachable()  # the child's docker_client fixture comes before the 3.10 check
    require_component(ok, f"A Docker engine ({why})", "install docker.io (Debian) and start dockerd")


def _without_python310(tmp_path, ci: bool) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYENV", "CI"))}
    env.update(PATH="/usr/sbin:/usr/bin:/sbin:/bin", HOME=str(tmp_path), PYTHONPATH=str(REPO_ROOT),
               **{ENV_PYTHON: "/usr/bin/python3"})  # a Python, but not 3.10
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           str(REPO_ROOT / "tests" / "test_real_ssh.py"), "-k", "model_tool"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_without_a_python310_ci_fails_and_names_what_to_install(tmp_path):
    _require_engine()
    proc = _without_python310(tmp_path, ci=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "CI=true and A CPython 3.10 (the real TPU-MLIR 1.7 wheel needs it) is not available here" in out
    assert "pyenv install 3.10.13" in out and "/usr/bin/python3 is not Python 3.10" in out
    assert "skipped" not in out.splitlines()[-1]


def test_without_a_python310_a_local_run_skips_with_the_reason(tmp_path):
    _require_engine()
    proc = _without_python310(tmp_path, ci=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "1 skipped" in out.splitlines()[-1]
    assert "A CPython 3.10 (the real TPU-MLIR 1.7 wheel needs it) is not available here" in out


def test_the_environment_variable_may_name_a_prefix_or_an_interpreter(monkeypatch):
    found = find_python310()
    require_component(found.prefix is not None, "A CPython 3.10", f"{INSTALL_HINT} [{found.how}]")
    assert found.prefix is not None
    for given in (found.prefix, os.path.join(found.prefix, "bin", "python3.10")):
        monkeypatch.setenv(ENV_PYTHON, given)
        again = find_python310()
        assert again.prefix == found.prefix and again.how.startswith(f"${ENV_PYTHON}")
