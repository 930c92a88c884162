"""The SSH backend's remote commands, built by pure functions: compared by value, and the quoted
ones also run through a real /bin/sh with hostile names to prove nothing is executed."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from wizard.core.messages import WizardError
from wizard.core.runners.vm import setup
from wizard.core.ssh import remote_shell as rs
from wizard.core.ssh.connection import SshTarget
from wizard.core.runners.vm.runner import parse_sums_line, sums_line

HOSTILE = ["a b;rm -rf ~", "$(touch pwned)", "`touch pwned`", "x'y\"z", "-rf", "semi;colon&&amp|pipe", "new\nline"]


# --- quoting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE)
def test_quoted_values_reach_the_shell_as_one_literal_word(tmp_path, name):
    out = subprocess.run(
        ["sh", "-c", "printf '%s|' " + rs.q(name)], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert out == name + "|"
    assert not (tmp_path / "pwned").exists()


def test_join_quotes_every_argument():
    assert rs.join(["docker", "run", "a b;rm -rf ~"]) == "docker run 'a b;rm -rf ~'"
    assert rs.join(["echo", "$(touch pwned)"]) == "echo '$(touch pwned)'"


@pytest.mark.parametrize("run_id", ["", "..", "../x", "a/b", "a b", "$(x)", "-x", ".hidden", "x" * 101])
def test_run_ids_that_are_not_folder_and_container_names_are_refused(run_id):
    with pytest.raises(ValueError):
        rs.check_run_id(run_id)


def test_run_dir_is_absolute_under_home_or_root():
    assert rs.remote_run_dir("/home/ubuntu", "r1") == "/home/ubuntu/.recamera-wizard/runs/r1"
    assert rs.remote_run_dir("/home/u/", "r1", "/srv/x/") == "/srv/x/r1"
    assert rs.remote_run_dir("/home/u", "r1", "a b;c") == "/home/u/a b;c/r1"
    with pytest.raises(ValueError):
        rs.remote_run_dir("/home/u", "r1", "x:/etc")  # docker -v would mount something else


# --- commands by value --------------------------------------------------------------------------


def test_docker_run_argv_by_value():
    assert rs.docker_run_argv("/home/u/.recamera-wizard/runs/r1", "r1", "recamera-wizard/toolchain:1.7") == [
        "docker", "run", "--rm", "--name", "recamera-wizard-r1",
        "-v", "/home/u/.recamera-wizard/runs/r1:/workspace", "-w", "/workspace",
        "recamera-wizard/toolchain:1.7", "bash", "convert.sh",
    ]  # fmt: skip


def test_wrapper_script_by_value():
    script = rs.wrapper_script("/h/runs/r1", "r1", "img:1")
    assert script.splitlines() == [
        "#!/bin/sh",
        "# Written by reCamera Model Wizard: runs one conversion, detached from the SSH session.",
        "cd /h/runs/r1 || exit 1",
        "echo $$ > .wizard-run.pid",
        "if [ -e cancelled ]; then rc=130; else",
        "  docker run --rm --name recamera-wizard-r1 -v /h/runs/r1:/workspace -w /workspace img:1 bash convert.sh"
        " >> convert.log 2>&1 < /dev/null",
        "  rc=$?",
        "fi",
        'echo "$rc" > exit_code.tmp && mv -f exit_code.tmp exit_code',
    ]


def test_start_and_upload_commands_by_value():
    assert rs.start_command("/h/r 1") == (
        "cd '/h/r 1' && touch convert.log && setsid nohup sh .wizard-run.sh > /dev/null 2>&1 < /dev/null &"
    )
    assert rs.upload_command("/h/r") == (
        "mkdir -p -- /h/r && tar -xzf - --no-same-owner -C /h/r && cd /h/r && "
        "sha256sum -c --quiet --strict -- .wizard-upload.sha256"
    )
    assert rs.write_file_command("/h/r", rs.WRAPPER_FILE) == "cd /h/r && cat > .wizard-run.sh"


def test_cancel_stops_then_removes_the_container_then_the_wrapper():
    command = rs.cancel_command("/h/r", "r1")
    order = [command.index(s) for s in ("touch cancelled", "docker stop -t 5 recamera-wizard-r1",
                                        "docker rm -f recamera-wizard-r1", 'kill -TERM "-$pg"')]
    assert order == sorted(order)


# --- the commands run for real in sh, against hostile folder and file names ----------------------


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("hostile", ["a b;touch pwned", "$(touch pwned)", "`touch pwned`"])
def test_upload_results_and_cleanup_in_a_hostile_folder_touch_nothing_else(tmp_path, hostile):
    import hashlib

    base = tmp_path / "base"
    base.mkdir()
    run_dir = str(base / hostile / "r1")
    payload = b"model bytes"
    name = f"model/{hostile}.onnx"
    sums = sums_line(hashlib.sha256(payload).hexdigest(), "./" + name).encode()
    upload = subprocess.run(["sh", "-c", rs.upload_command(run_dir)], cwd=base,
                            input=_tar_gz({name: payload, rs.UPLOAD_SUMS: sums}), capture_output=True)
    assert upload.returncode == 0, upload.stderr
    assert (Path(run_dir) / name).read_bytes() == payload
    Path(run_dir, "work").mkdir()
    Path(run_dir, "work", "out.cvimodel").write_bytes(b"CviModel")
    results = subprocess.run(["sh", "-c", rs.results_command(run_dir, ("work",), ("convert.log",))],
                             cwd=base, capture_output=True)
    assert results.returncode == 0, results.stderr
    with tarfile.open(fileobj=io.BytesIO(results.stdout), mode="r:gz") as tar:
        assert sorted(tar.getnames()) == ["SHA256SUMS", "work", "work/out.cvimodel"]
    # cleanup without docker on PATH here: rm -rf still removes the folder
    cleanup = subprocess.run(["sh", "-c", rs.cleanup_command(run_dir, "r1", "img:1")], cwd=base, capture_output=True,
                             env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert cleanup.returncode == 0
    assert not Path(run_dir).exists()
    assert not list(tmp_path.rglob("pwned")) and not Path("pwned").exists()


def test_a_damaged_upload_is_caught_on_the_remote(tmp_path):
    sums = sums_line("0" * 64, "./model/m.onnx").encode()
    upload = subprocess.run(["sh", "-c", rs.upload_command(str(tmp_path / "r"))],
                            input=_tar_gz({"model/m.onnx": b"x", rs.UPLOAD_SUMS: sums}), capture_output=True)
    assert upload.returncode != 0


def test_sums_lines_round_trip_through_gnu_sha256sum(tmp_path):
    name = "we\\ird\nname.txt"
    (tmp_path / name).write_bytes(b"abc")
    out = subprocess.run(["sha256sum", "--", name], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert parse_sums_line(out.rstrip("\n")) == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", name)
    (tmp_path / "SUMS").write_text(sums_line(parse_sums_line(out.rstrip("\n"))[0], name))
    subprocess.run(["sha256sum", "-c", "--strict", "SUMS"], cwd=tmp_path, check=True, capture_output=True)


# --- targets ------------------------------------------------------------------------------------


def test_target_parsing():
    assert SshTarget.parse("ubuntu@203.0.113.7") == SshTarget("ubuntu", "203.0.113.7", 22)
    assert SshTarget.parse("root@127.0.0.1:2222") == SshTarget("root", "127.0.0.1", 2222)
    assert SshTarget.parse("me@[::1]:2200") == SshTarget("me", "::1", 2200)
    assert SshTarget.parse("root@127.0.0.1:2222").known_hosts_name == "[127.0.0.1]:2222"
    assert SshTarget.parse("u@h").known_hosts_name == "h"
    for bad in ("host", "u@", "@h", "u@h:0", "u@h:99999", "u@h;rm", "u@h:22:1"):
        with pytest.raises(WizardError) as err:
            SshTarget.parse(bad)
        assert err.value.problem.code == "vm_bad_target"


# --- probe and set-up plan ------------------------------------------------------------------------

FRESH_UBUNTU = """Welcome banner from .bashrc
__wizard_probe__
os=Linux
arch=x86_64
user=ubuntu
uid=1000
groups=ubuntu adm sudo
docker_group=
distro=ubuntu
distro_like=debian
distro_version=22.04
docker_path=
apt=/usr/bin/apt-get
systemctl=/usr/bin/systemctl
sudo=/usr/bin/sudo
free_kb=52428800
"""


def test_probe_of_a_fresh_ubuntu_vm():
    facts = setup.parse_probe(FRESH_UBUNTU)
    assert (facts.user, facts.uid, facts.distro, facts.distro_version) == ("ubuntu", 1000, "ubuntu", "22.04")
    assert not facts.docker_installed and not facts.in_docker_group and facts.debian_like
    assert [p.code for p in setup.problems_for(facts, "ubuntu@vm")] == ["vm_docker_missing"]


def test_setup_plan_for_a_fresh_ubuntu_vm_is_the_guides():
    facts = setup.parse_probe(FRESH_UBUNTU)
    plan = setup.setup_plan(facts, "ubuntu@vm")
    lines = [setup.setup_command_line(c, as_root=False, with_password=True) for c in plan.commands]
    assert lines == [
        "sudo -S -p '' env DEBIAN_FRONTEND=noninteractive apt-get update",
        "sudo -S -p '' env DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io",
        "sudo -S -p '' systemctl enable --now docker",
        "sudo -S -p '' usermod -aG docker ubuntu",
    ]
    assert [c.relogin_after for c in plan.commands] == [False, False, False, True]
    assert setup.setup_command_line(plan.commands[3], as_root=False, with_password=False) == "sudo -n usermod -aG docker ubuntu"
    assert setup.setup_command_line(plan.commands[2], as_root=True, with_password=True) == "systemctl enable --now docker"


def test_setup_plan_only_adds_the_group_when_docker_runs_but_is_denied():
    facts = setup.parse_probe(FRESH_UBUNTU.replace("docker_path=", "docker_path=/usr/bin/docker")
                              + "docker_rc=1\ndocker_out=permission denied while trying to connect to the Docker daemon socket\n")
    assert [p.code for p in setup.problems_for(facts, "t")] == ["vm_docker_permission"]
    assert [c.argv for c in setup.setup_plan(facts).commands] == [("usermod", "-aG", "docker", "ubuntu")]


def test_setup_plan_is_empty_when_docker_works_and_root_needs_no_group():
    facts = setup.parse_probe(FRESH_UBUNTU.replace("uid=1000", "uid=0").replace("docker_path=", "docker_path=/usr/bin/docker")
                              + "docker_rc=0\ndocker_out=24.0.7\n")
    assert setup.problems_for(facts, "t") == [] and not setup.setup_plan(facts).needed


def test_setup_refused_on_other_distributions_and_without_consent():
    facts = setup.parse_probe(FRESH_UBUNTU.replace("distro=ubuntu", "distro=fedora").replace("distro_like=debian", "distro_like=")
                              .replace("apt=/usr/bin/apt-get", "apt="))
    plan = setup.setup_plan(facts, "t")
    assert plan.unsupported is not None and plan.unsupported.code == "vm_setup_unsupported"
    ubuntu = setup.parse_probe(FRESH_UBUNTU)
    calls = []
    with pytest.raises(WizardError) as err:
        setup.run_setup(setup.setup_plan(ubuntu), ubuntu, lambda line, stdin: calls.append(line) or (0, ""),
                        target="t", password="pw", consent=False)
    assert err.value.problem.code == "vm_docker_missing" and calls == []


def test_setup_sends_the_password_on_stdin_only():
    facts = setup.parse_probe(FRESH_UBUNTU)
    seen: list[tuple[str, bytes | None]] = []
    outcome = setup.run_setup(setup.setup_plan(facts), facts, lambda line, stdin: seen.append((line, stdin)) or (0, ""),
                              target="t", password="s3cret pw", consent=True)
    assert outcome.relogin and len(outcome.ran) == 4
    assert all("s3cret" not in line for line, _ in seen)
    assert all(stdin == b"s3cret pw\n" for _, stdin in seen)


def test_setup_reports_a_needed_sudo_password():
    facts = setup.parse_probe(FRESH_UBUNTU)
    with pytest.raises(WizardError) as err:
        setup.run_setup(setup.setup_plan(facts), facts, lambda line, stdin: (1, "sudo: a password is required\n"),
                        target="t", password=None, consent=True)
    assert err.value.problem.code == "vm_sudo_password"


def test_every_ssh_message_has_both_languages():
    from wizard.core.messages import catalogue_ssh

    for code, entry in catalogue_ssh.ENTRIES.items():
        assert code.startswith("vm_")
        assert entry.en and entry.en_fix and entry.ja and entry.ja_fix, code


def test_log_is_handed_on_in_whole_lines_so_a_recorded_offset_is_a_line_boundary():
    from wizard.core.toolchain.lines import complete_lines

    assert complete_lines(b"a\nb\r\nc\rd\re") == ([b"a\n", b"b\r\n", b"c\r", b"d\r"], b"e")
    assert complete_lines(b"50%\r") == ([], b"50%\r")  # its \n may be in the next read
    assert complete_lines(b"\n\n") == ([b"\n", b"\n"], b"")
    data = b"one\ntwo\r\nbar 10%\rbar 20%\rthree\n"
    lines, rest = complete_lines(data)
    assert b"".join(lines) + rest == data and rest == b""


def test_files_of_an_earlier_run_are_not_uploaded_again():
    from wizard.core.runners.vm.runner import not_uploaded

    for name in ("convert.log", "exit_code", "cancelled", ".wizard-run.sh", "SHA256SUMS"):
        assert not_uploaded(name)
    for name in ("convert.sh", "recipe.json", "model", "work", "work/convert.log", "calibration/a.jpg"):
        assert not not_uploaded(name)


def test_wrapper_state_tells_running_ended_vanished_and_gone(tmp_path):
    def state(run_dir) -> str:
        return subprocess.run(["sh", "-c", rs.wrapper_state_command(str(run_dir))], capture_output=True, text=True).stdout.strip()

    run = tmp_path / "r1"
    assert state(run) == "gone"
    run.mkdir()
    assert state(run) == "starting"
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        (run / rs.WRAPPER_PID_FILE).write_text(f"{sleeper.pid}\n")
        assert state(run) == "running"
    finally:
        sleeper.kill()
        sleeper.wait()
    assert state(run) == "vanished"
    (run / rs.EXIT_CODE_FILE).write_text("0\n")
    assert state(run) == "ended"


def test_results_of_a_run_that_wrote_nothing_are_an_empty_list_not_the_whole_folder(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "m.onnx").write_bytes(b"not a result")
    out = subprocess.run(["sh", "-c", rs.results_command(str(tmp_path), ("work",), ("convert.log",))],
                         capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(out), mode="r:gz") as tar:
        assert tar.getnames() == ["SHA256SUMS"]
        assert tar.extractfile("SHA256SUMS").read() == b""


def test_remote_commands_run_under_posix_sh_whatever_the_login_shell():
    from wizard.core.ssh.connection import as_posix_sh

    command = rs.upload_command("/h/a b;$(x)")
    wrapped = as_posix_sh(command)
    assert wrapped.startswith("sh -c '")
    # bash (a login shell) hands sh exactly the command line built and tested here
    out = subprocess.run(["bash", "-c", wrapped.replace("sh -c", "printf %s", 1)], capture_output=True, text=True).stdout
    assert out == command


def test_cancel_ends_the_wrapper_process_group_under_dash(tmp_path):
    """The cancel command, run by dash (Ubuntu's /bin/sh), really signals the wrapper's group:
    `kill -TERM -- "-$pg"` is refused by dash ("Illegal number: -") and left the job running."""
    import os
    import shutil
    import signal
    import subprocess
    import time

    dash = shutil.which("dash")
    if dash is None:
        import pytest

        pytest.skip("dash is not installed here (Debian's dash package)")
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    job = subprocess.Popen(["sleep", "300"], start_new_session=True)  # its own group, like the wrapper
    (run_dir / rs.WRAPPER_PID_FILE).write_text(str(job.pid))
    try:
        subprocess.run([dash, "-c", rs.cancel_command(str(run_dir), "nosuchrun", grace_seconds=0)],
                       check=True, timeout=60, env={**os.environ, "PATH": "/nonexistent:" + os.environ["PATH"]})
        deadline = time.monotonic() + 10
        while job.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert job.returncode == -signal.SIGTERM
        assert (run_dir / rs.EXIT_CODE_FILE).read_text().strip() == "143"
    finally:
        if job.poll() is None:
            job.kill()
