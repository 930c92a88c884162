"""The native backend's pure parts, by value, and its sh commands run for real on this machine.

No toolchain runs here (neither the real one nor the double): these are the environment's key and
state probe, the host probe and the problems and set-up it leads to, and the run's cancel command
against a real process tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wizard.core.runners.vm import setup as remote_setup
from wizard.core.ssh import remote_shell as rs
from wizard.core.runners.native import commands, host
from wizard.core.runners.native import environment as envs
from wizard.core.runners.native.environment import EnvironmentSpec
from wizard.core.runners.native.shell import LocalShell, group_alive

PY310 = "/usr/bin/python3.10"


def sh(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=60)


# --- the environment --------------------------------------------------------------------------


def test_environment_key_follows_its_inputs_and_nothing_else(tmp_path):
    spec = EnvironmentSpec(python=PY310, root=str(tmp_path))
    assert spec.key == EnvironmentSpec(python=PY310, root="/elsewhere").key  # where it lives is not an input
    assert spec.key != EnvironmentSpec(python="/opt/py/bin/python3.10", root=str(tmp_path)).key
    assert spec.key != EnvironmentSpec(python=PY310, root=str(tmp_path), tpu_mlir_version="1.8").key
    assert spec.name == f"tpu_mlir-1.7-py310-{spec.key}" and len(spec.key) == 16
    assert spec.path == f"{tmp_path}/{spec.name}" and spec.bin_dir == spec.path + "/bin"
    assert spec.requirements == ("setuptools<70", "tpu_mlir[onnx]==1.7")


def test_environment_state_is_complete_only_with_its_marker_and_a_working_python(tmp_path):
    spec = EnvironmentSpec(python=sys.executable, root=str(tmp_path / "envs"))
    state = lambda: sh(envs.state_command(spec)).stdout.strip()  # noqa: E731
    assert state() == "absent"
    env = Path(spec.path)
    (env / "bin").mkdir(parents=True)
    assert state() == "partial"  # an interrupted set-up: a folder, no marker
    (env / "bin" / "python").symlink_to(sys.executable)
    (env / envs.MARKER_FILE).write_text("0" * 16)
    assert state() == "partial"  # a marker of other inputs
    (env / envs.MARKER_FILE).write_text(spec.key)
    assert state() == "complete"
    (env / "bin" / "python").unlink()
    (env / "bin" / "python").symlink_to(tmp_path / "removed-python")
    assert state() == "partial"  # its Python was uninstalled: unusable


def test_build_script_writes_the_marker_last_and_a_failed_build_leaves_no_marker(tmp_path):
    spec = EnvironmentSpec(python=str(tmp_path / "no-such-python3.10"), root=str(tmp_path / "envs"))
    script = envs.build_script(spec)
    order = [script.index(part) for part in ("flock", "rm -rf", "-m venv", "pip install", "CS_GNU_LIBC_VERSION",
                                             "tpuc-opt --version", envs.MARKER_FILE + ".tmp")]
    assert order == sorted(order)
    assert "'setuptools<70' 'tpu_mlir[onnx]==1.7'" in script
    # A half-made folder from an earlier attempt is removed, and this attempt fails at venv.
    Path(spec.path, "lib").mkdir(parents=True)
    Path(spec.path, "lib", "leftover").write_text("x")
    done = sh(script)
    assert done.returncode != 0 and "venv failed" in done.stderr
    assert "removing an incomplete environment" in done.stdout
    assert not Path(spec.path, "lib", "leftover").exists()
    assert sh(envs.state_command(spec)).stdout.strip() != "complete"


def test_build_progress_only_moves_forward():
    progress = envs.BuildProgress()
    lines = ["[environment] step venv: x", "[environment] step install: pip", *[f"Collecting p{i}" for i in range(70)],
             "Building wheels for collected packages: pycocotools", "Installing collected packages: a, b",
             "Successfully installed a b", "[environment] step fix", "[environment] step check", "[environment] ready: /e"]
    seen = [f for f in (progress.feed(line) for line in lines) if f is not None]
    assert seen == sorted(seen) and seen[0] == 0.02 and seen[-1] == 1.0
    assert progress.collected == 70 and 0.05 + envs.COLLECTING_SHARE in seen  # capped at the known count


def test_failure_detail_prefers_pips_error_line():
    tail = ["Collecting x", "ERROR: Could not find a version that satisfies the requirement tpu_mlir==9",
            "[environment] error: pip install failed"]
    assert envs.failure_detail(tail).startswith("ERROR: Could not find a version")
    assert envs.failure_detail(["a", "last words", ""]) == "last words"


# --- the host probe ----------------------------------------------------------------------------


def _probe_text(pythons: list[str], *, distro="ubuntu", version="22.04", apt="/usr/bin/apt-get", uid=1000,
                candidates=None, free_kb=50_000_000, arch="x86_64") -> str:
    base = [
        "__wizard_probe__", "os=Linux", f"arch={arch}", "user=ubuntu", f"uid={uid}", "groups=ubuntu sudo",
        f"distro={distro}", "distro_like=debian", f"distro_version={version}", f"apt={apt}", "sudo=/usr/bin/sudo",
        f"free_kb={free_kb}",
    ]
    native = ["__wizard_native_probe__", "glibc=glibc 2.35", "mem_total_kb=8000000", "mem_available_kb=6000000",
              f"root_free_kb={free_kb}"]
    native += [f"python={p}" for p in pythons]
    for package, candidate in (candidates or {}).items():
        native.append(f"apt_candidate={package} {candidate}")
    return "\n".join(base + native) + "\n"


UBUNTU_BARE = "python3|/usr/bin/python3.10|3.10.12|0|0|x86_64-linux-gnu-gcc|"  # a fresh cloud image


def test_parse_probe_reads_every_python_and_the_apt_candidates():
    facts = host.parse_probe("motd noise\n" + _probe_text(
        [UBUNTU_BARE, "python3.10|/usr/bin/python3.10|3.10.12|0|0|x86_64-linux-gnu-gcc|",
         "/home/u/.pyenv/versions/3.10.13/bin/python3.10|/home/u/.pyenv/versions/3.10.13/bin/python3.10|3.10.13|1|1|gcc|/usr/bin/gcc"],
        candidates={"gcc": "4:11.2.0-1ubuntu1", "python3.10-venv": "(none)"}))
    assert [p.path for p in facts.pythons] == ["/usr/bin/python3.10", "/home/u/.pyenv/versions/3.10.13/bin/python3.10"]
    bare = facts.python()
    assert bare is not None and bare.from_apt and not bare.has_venv and not bare.has_headers and not bare.compiler_path
    assert facts.python("/home/u/.pyenv/versions/3.10.13/bin/python3.10").has_headers
    assert facts.apt_candidate("gcc") == "4:11.2.0-1ubuntu1" and facts.apt_candidate("python3.10-venv") == ""
    assert facts.glibc == "2.35" and facts.mem_total_kb == 8_000_000 and facts.base.user == "ubuntu"


def test_a_fresh_ubuntu_cloud_image_needs_three_packages_and_apt_get_update_first():
    facts = host.parse_probe(_probe_text([UBUNTU_BARE]))  # empty apt lists: no candidates known
    problems = host.problems_for(facts, where="vm", python_hint=None, needs_build=True, env_root="/home/ubuntu/x")
    assert [p.code for p in problems] == ["native_venv_missing", "native_python_headers_missing", "native_compiler_missing"]
    assert "sudo apt-get install python3.10-venv" in problems[0].fix
    plan = host.setup_plan(facts, problems, where="vm", python_hint=None)
    assert [c.argv for c in plan.commands] == [
        ("apt-get", "update"), ("apt-get", "install", "-y", "python3.10-venv", "python3.10-dev", "gcc")]
    assert [host.shown_command(c, as_root=False) for c in plan.commands][1] == \
        "sudo apt-get install -y python3.10-venv python3.10-dev gcc"
    line = remote_setup.setup_command_line(plan.commands[1], as_root=False, with_password=True)
    assert line == "sudo -S -p '' env DEBIAN_FRONTEND=noninteractive apt-get install -y python3.10-venv python3.10-dev gcc"
    # Once the environment exists, none of that matters any more.
    assert host.problems_for(facts, where="vm", python_hint=None, needs_build=False, env_root="/x") == []


def test_known_candidates_skip_the_update_and_a_pyenv_python_gets_only_a_compiler():
    pyenv = "/home/u/.pyenv/versions/3.10.13/bin/python3.10|/home/u/.pyenv/versions/3.10.13/bin/python3.10|3.10.13|1|1|gcc|"
    facts = host.parse_probe(_probe_text([pyenv], distro="debian", version="12", candidates={"gcc": "4:12.2.0-3"}))
    problems = host.problems_for(facts, where="box", python_hint=None, needs_build=True, env_root="/x")
    assert [p.code for p in problems] == ["native_compiler_missing"]
    plan = host.setup_plan(facts, problems, where="box", python_hint=None)
    assert [c.argv for c in plan.commands] == [("apt-get", "install", "-y", "gcc")]

    no_headers = pyenv.replace("|1|1|", "|1|0|")  # apt cannot add headers to a pyenv build
    facts = host.parse_probe(_probe_text([no_headers], distro="debian", version="12"))
    problems = host.problems_for(facts, where="box", python_hint=None, needs_build=True, env_root="/x")
    plan = host.setup_plan(facts, problems, where="box", python_hint=None)
    assert not plan.needed and plan.unsupported is not None and plan.unsupported.code == "native_setup_unsupported"


def test_no_python_310_where_apt_has_none_is_for_the_user_to_install():
    py312 = "python3|/usr/bin/python3.12|3.12.3|1|1|x86_64-linux-gnu-gcc|/usr/bin/x86_64-linux-gnu-gcc"
    facts = host.parse_probe(_probe_text([py312], version="24.04", candidates={"python3.10": "(none)"}))
    problems = host.problems_for(facts, where="vm", python_hint=None, needs_build=True, env_root="/x")
    assert [p.code for p in problems] == ["native_python_missing"]
    assert "3.12.3 (/usr/bin/python3.12)" in problems[0].message and "pyenv install 3.10.13" in problems[0].fix
    plan = host.setup_plan(facts, problems, where="vm", python_hint=None)
    assert plan.unsupported is not None
    # Ubuntu 22.04 without python3.10 (a minimal image): apt installs it.
    facts = host.parse_probe(_probe_text([]))
    problems = host.problems_for(facts, where="vm", python_hint=None, needs_build=True, env_root="/x")
    plan = host.setup_plan(facts, problems, where="vm", python_hint=None)
    assert plan.commands[-1].argv[-3:] == ("python3.10", "python3.10-venv", "python3.10-dev")


def test_a_chosen_python_that_is_not_310_and_other_blockers():
    py311 = "/opt/py/bin/python3|/opt/py/bin/python3.11|3.11.7|1|1|gcc|/usr/bin/gcc"
    facts = host.parse_probe(_probe_text([py311, UBUNTU_BARE]))
    problems = host.problems_for(facts, where="vm", python_hint="/opt/py/bin/python3", needs_build=True, env_root="/x")
    assert [(p.code, p.params["version"]) for p in problems] == [("native_python_not_310", "3.11.7")]
    missing = host.problems_for(facts, where="vm", python_hint="/nope/python3.10", needs_build=True, env_root="/x")
    assert missing[0].params["version"] == "not runnable"
    arm = host.parse_probe(_probe_text([UBUNTU_BARE.replace("|0|0|", "|1|1|").rstrip("|") + "|/usr/bin/gcc"],
                                       arch="aarch64", free_kb=1_000_000))
    codes = [p.code for p in host.problems_for(arm, where="pi", python_hint=None, needs_build=True, env_root="/x")]
    assert codes == ["native_arch_unsupported", "native_disk_low"]
    mac = host.parse_probe(_probe_text([]).replace("os=Linux", "os=Darwin"))
    assert [p.code for p in host.problems_for(mac, where="mac", python_hint=None, needs_build=True, env_root="/x")] \
        == ["native_not_linux"]
    fedora = host.parse_probe(_probe_text([UBUNTU_BARE], distro="fedora", apt="").replace("distro_like=debian", "distro_like="))
    problems = host.problems_for(fedora, where="f", python_hint=None, needs_build=True, env_root="/x")
    assert host.setup_plan(fedora, problems, where="f", python_hint=None).unsupported is not None


def test_the_real_probe_on_this_machine_finds_what_is_installed(tmp_path):
    facts = host.parse_probe(LocalShell().run(host.probe_command(None, str(tmp_path / "not" / "yet")), timeout=120).out)
    assert facts.base.os == "Linux" and facts.base.user and facts.glibc
    assert facts.mem_total_kb and facts.root_free_kb  # measured on the nearest folder that exists
    assert any(p.path == os.path.realpath(sys.executable) for p in facts.pythons)  # python3 on PATH, at least
    hinted = host.parse_probe(LocalShell().run(host.probe_command(sys.executable, "/tmp"), timeout=120).out)
    assert hinted.pythons[0].given == sys.executable


# --- the run's commands ----------------------------------------------------------------------


def test_convert_command_puts_the_environment_first_on_path(tmp_path):
    assert commands.convert_command("/e nv/bin") == "PATH='/e nv/bin':\"$PATH\" bash convert.sh"
    script = tmp_path / "convert.sh"
    script.write_text('printf %s "$PATH"')
    seen = sh(commands.convert_command("/e nv/bin", str(script))).stdout
    assert seen.split(":")[0] == "/e nv/bin" and seen.split(":")[1:] == os.environ["PATH"].split(":")


def test_cancel_command_ends_the_whole_process_group_and_records_an_exit_code(tmp_path):
    run_dir = tmp_path / "run dir; $(touch pwned)"
    run_dir.mkdir()
    # A wrapper whose child tree ignores SIGTERM: only the forced kill after the grace ends it.
    command = "sh -c 'trap \"\" TERM; sleep 300 & sleep 300; wait'"
    (run_dir / rs.WRAPPER_FILE).write_text(rs.detached_wrapper_script(str(run_dir), command))
    process = subprocess.Popen(["/bin/sh", rs.WRAPPER_FILE], cwd=run_dir, start_new_session=True)
    deadline = time.monotonic() + 10
    while not (run_dir / rs.WRAPPER_PID_FILE).is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert group_alive(process.pid)
    started = time.monotonic()
    done = sh(commands.cancel_command(str(run_dir), grace_seconds=1))
    assert done.returncode == 0
    process.wait(10)
    assert time.monotonic() - started < 6
    # The ignoring children too: SIGKILL is sent, but on a loaded machine the kernel may take a
    # moment to reap them.
    reaped_by = time.monotonic() + 5
    while group_alive(process.pid) and time.monotonic() < reaped_by:
        time.sleep(0.1)
    assert not group_alive(process.pid)
    assert (run_dir / rs.CANCELLED_FILE).is_file()
    assert (run_dir / rs.EXIT_CODE_FILE).read_text().strip() == "143"
    assert not list(tmp_path.rglob("pwned"))
    # Cleanup removes the folder (the run is over: nothing to stop).
    assert sh(commands.cleanup_command(str(run_dir))).returncode == 0 and not run_dir.exists()


def test_cleanup_of_a_missing_folder_succeeds_and_cancel_of_one_does_nothing(tmp_path):
    assert sh(commands.cleanup_command(str(tmp_path / "gone"))).returncode == 0
    assert sh(commands.cancel_command(str(tmp_path / "gone"))).returncode == 0
    assert not (tmp_path / "gone").exists()


@pytest.mark.parametrize("code", ["native_env_consent", "native_setup_consent", "native_python_missing"])
def test_the_questions_read_in_both_languages(code):
    from wizard.core.messages import problem

    p = problem(code, "info", where="vm", path="/p", version="1.7", download_mb=400, size_gb=1.4,
                commands="sudo apt-get install -y gcc", found="none")
    en, ja = p.text("en"), p.text("ja")
    assert "{" not in en[0] + en[1] + ja[0] + ja[1]
