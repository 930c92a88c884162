"""A room with one account per attendee: no attendee reaches another's files, results or
container, from the wizard or from a terminal.

Real components: an OpenSSH server on 127.0.0.1 (the instructor logs in as root with the test's
key; every attendee account logs in with its own ~/.ssh/authorized_keys and home, which
prepare-server wrote), sudo with the sudoers rule prepare-server installed, the root-owned
gatekeeper it installed, the Docker engine and the TPU-MLIR TEST DOUBLE image (tiny conversions).
Nothing is mocked. The test creates real Unix accounts and a group (as root, as CI runs), and
removes them, the sudoers rule and the workshop folder afterwards.

While attendee A's job waits in the queue (the test holds both slots, as two long conversions
would), attendee B, logged in over SSH as their own account as a curious person with a terminal
would, tries to list the runs, read A's files, use Docker, stop or remove A's run through the
gatekeeper, run anything else as root, and slip a command into a run id. All refused. A second job
of A's is cancelled while waiting (it leaves root's queue), and B's app is killed while waiting and
re-attaches as B's account. Then both conversions finish with their own results, the engine's events show each container ran as its
attendee's uid, and `workshop status` (as root) shows both jobs done under their names.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import require_component
from docker_support import cli, docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from sshd_support import sshd_factory  # noqa: F401 (fixture)
from workshop_support import Attendee, Room, attendee_inputs, hold_slots, new_workshop_id
from workshop_support import workshop_image  # noqa: F401 (fixture)
from wizard.core.workshop import gatekeeper
from wizard.core.workshop import server_layout as layout
from wizard.core.workshop.kit import read_kit

pytestmark = [pytest.mark.ssh, pytest.mark.docker]


def _cleanup_room(workshop_id: str, names: list[str]) -> None:
    for name in names:
        listed = subprocess.run(["ps", "-o", "pid=", "-u", name], capture_output=True, text=True).stdout
        for pid in listed.split():
            subprocess.run(["kill", "-9", pid], capture_output=True)
        home = subprocess.run(["getent", "passwd", name], capture_output=True, text=True).stdout.split(":")
        subprocess.run(["userdel", "-f", "-r", name], capture_output=True)
        if len(home) > 5 and home[5].startswith("/home/"):
            shutil.rmtree(home[5], ignore_errors=True)
    subprocess.run(["groupdel", layout.attendees_group(workshop_id)], capture_output=True)
    Path(layout.sudoers_file(workshop_id)).unlink(missing_ok=True)
    shutil.rmtree(layout.isolated_workshop_dir(workshop_id), ignore_errors=True)


@contextlib.contextmanager
def isolated_room_for(sshd_factory, image: str, tmp_path: Path, accounts: int = 2):
    """A Room on an sshd that lets every account log in with its own home and keys, with fresh
    account names; the accounts, group, sudoers rule and root-owned workshop are removed after."""
    require_component(os.geteuid() == 0, "root (to create attendee accounts)", "run the workshop tests as root")
    for tool in ("sudo", "setpriv", "visudo", "useradd"):
        require_component(shutil.which(tool) is not None or Path(f"/usr/sbin/{tool}").exists(), tool,
                          "apt-get install sudo util-linux passwd")
    admin = sshd_factory(per_user_logins=True)
    room = Room(server=admin, root=tmp_path, workshop_id=new_workshop_id(), image=image)
    prefix = "wa" + secrets.token_hex(3)
    names = layout.account_names(prefix, accounts)
    try:
        yield room, prefix, names
    finally:
        _cleanup_room(room.workshop_id, names)


@pytest.fixture
def isolated_room(sshd_factory, workshop_image, tmp_path):
    with isolated_room_for(sshd_factory, workshop_image, tmp_path) as room:
        yield room


def _as(user: str, command: str, server) -> subprocess.CompletedProcess:
    """``command`` run over SSH as ``user`` with the test's key (OpenSSH's own client)."""
    return subprocess.run(
        ["ssh", "-i", str(server.client_key), "-p", str(server.port), "-o", "BatchMode=yes",
         "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={server.root / 'ssh_known_hosts'}",
         "-o", "IdentitiesOnly=yes", f"{user}@127.0.0.1", command],
        capture_output=True, text=True, timeout=60)


def test_attendees_with_their_own_accounts_cannot_reach_each_other(isolated_room, docker_client, tmp_path):
    room, prefix, (name_a, name_b) = isolated_room
    sheet = tmp_path / "seats.txt"
    key = str(room.server.client_key.with_suffix(".pub"))
    extra = ["--attendee-accounts", "2", "--account-prefix", prefix, "--attendee-key", key,
             "--accounts-sheet", str(sheet)]

    # --- the instructor: prepare-server, twice, then make-kit ---------------------------------------
    first = room.prepare(*extra)
    assert first.returncode == 0, first.stderr + first.stdout
    for name in (name_a, name_b):
        assert f"account {name}: created" in first.stdout and f"account {name}: key authorized" in first.stdout
        groups = subprocess.run(["id", "-nG", name], capture_output=True, text=True).stdout.split()
        assert "docker" not in groups and layout.attendees_group(room.workshop_id) in groups
        home = Path(subprocess.run(["getent", "passwd", name], capture_output=True, text=True).stdout.split(":")[5])
        assert oct(home.stat().st_mode & 0o777) == "0o700"
    assert "gatekeeper: installed" in first.stdout or "gatekeeper: already there" in first.stdout
    assert "sudoers rule: installed" in first.stdout
    lines = [line.split("\t") for line in sheet.read_text().splitlines() if not line.startswith("#")]
    assert [n for n, _ in lines] == [name_a, name_b] and all(len(p) == 12 for _, p in lines)
    assert oct(sheet.stat().st_mode & 0o777) == "0o600"
    shadow = {line.split(":")[0]: line.split(":")[1] for line in Path("/etc/shadow").read_text().splitlines()}
    assert shadow[name_a].startswith("$") and shadow[name_b].startswith("$")
    for _, password in lines:  # never on the server's side of the log
        assert password not in room.server.log_path.read_text(errors="replace")

    again = room.prepare(*extra)
    assert again.returncode == 0, again.stderr
    assert f"account {name_a}: already there" in again.stdout and "key already authorized" in again.stdout
    assert "gatekeeper: already there" in again.stdout and "sudoers rule: already there" in again.stdout
    assert "queue: already set up" in again.stdout
    assert len(sheet.read_text().splitlines()) == 3  # no new account, no new password

    made = room.make_kit()
    assert made.returncode == 0, made.stderr + made.stdout
    kit = read_kit(room.kit)
    assert kit.server.per_attendee and kit.content.schema_version == 2
    assert kit.server.account_hint == f"{name_a} … {name_b}" and kit.server.target.startswith(name_a + "@")

    # Converting as an account that is not one of the room's (the instructor's own) is refused by
    # the gatekeeper, in words, before anything is made on the server.
    model_x, images_x = attendee_inputs(tmp_path / "in_x", "model_of_x")
    stranger = Attendee(room, "Instructor", model_x, images_x, extra=("--account", "root"),
                        run_dir=tmp_path / "stranger" / "run")
    assert stranger.finish(120) != 0
    [refusal] = [e["problem"] for e in stranger.of_type("ProblemRaised") if e["problem"]["severity"] == "error"]
    assert refusal["code"] == "workshop_gatekeeper_refused" and "only an attendee" in refusal["message"]
    assert list((Path(layout.isolated_workshop_dir(room.workshop_id)) / layout.JOBS_DIR).iterdir()) == []

    # --- A's job waits in line (both slots held); B with a terminal tries everything -----------------
    ws = Path(layout.isolated_workshop_dir(room.workshop_id))
    held = hold_slots(ws, 2)
    started_at = time.time() - 1
    model_a, images_a = attendee_inputs(tmp_path / "in_a", "model_of_a")
    model_b, images_b = attendee_inputs(tmp_path / "in_b", "model_of_b")
    a = Attendee(room, "Aiko", model_a, images_a, extra=("--account", name_a))
    try:
        assert a.wait_for(lambda p: p.of_type("QueueWaiting"), 120), a.stderr
        run_a = json.loads((a.run_dir / ".workshop.json").read_text())["run_id"]
        jobs = ws / layout.JOBS_DIR
        run_dir_a = jobs / run_a / layout.JOB_RUN_DIR
        assert (run_dir_a / "attendee.json").is_file()
        uid_a = int(subprocess.run(["id", "-u", name_a], capture_output=True, text=True).stdout)
        assert run_dir_a.stat().st_uid == uid_a and oct(run_dir_a.stat().st_mode & 0o777) == "0o700"

        gk = layout.GATEKEEPER
        tries = {
            "list the runs": f"ls {jobs}",
            "read A's files": f"cat {run_dir_a}/attendee.json",
            "list A's folder": f"ls {run_dir_a}",
            "read the queue": f"ls {ws}/queue/waiting",
            "read the receipts": f"ls {ws}/records",
            "use Docker": "docker ps",
            "stop A's run": f"sudo -n {gk} stop {room.workshop_id} {run_a}",
            "remove A's run": f"sudo -n {gk} remove {room.workshop_id} {run_a}",
            "open A's run": f"sudo -n {gk} open {room.workshop_id} {run_a}",
            "run A's run": f"sudo -n {gk} run {room.workshop_id} {run_a}",
            "anything else as root": "sudo -n /bin/sh -c id",
            "a command in a run id": f"sudo -n {gk} open {room.workshop_id} '{room.workshop_id}-x;touch /tmp/pwned-$$'",
        }
        for what, command in tries.items():
            result = _as(name_b, command, room.server)
            assert result.returncode != 0, f"B could {what}: {result.stdout}"
        assert _as(name_b, "id -un", room.server).stdout.strip() == name_b  # B's login itself works
        assert (run_dir_a / "attendee.json").is_file() and a.proc.poll() is None  # A's job untouched
        assert not list(Path("/tmp").glob("pwned-*"))
        refused = _as(name_b, f"sudo -n {gk} stop {room.workshop_id} {run_a}", room.server)
        assert refused.returncode == gatekeeper.EXIT_REFUSED and "not yours" in refused.stderr

        b = Attendee(room, "Bruno", model_b, images_b, extra=("--account", name_b))
        assert b.wait_for(lambda p: p.of_type("QueueWaiting"), 120), b.stderr
        assert [e["ahead"] for e in b.of_type("QueueWaiting")][0] == 1  # behind A, in root's queue

        # A second job of A's, third in line, cancelled while waiting: it leaves root's queue.
        again = Attendee(room, "Aiko", model_a, images_a, extra=("--account", name_a),
                         run_dir=tmp_path / "aiko-again" / "run")
        assert again.wait_for(lambda p: p.of_type("QueueWaiting"), 120), again.stderr
        run_again = json.loads((again.run_dir / ".workshop.json").read_text())["run_id"]
        assert any(f.name.endswith(run_again) for f in (ws / "queue" / "waiting").iterdir())
        again.proc.send_signal(signal.SIGINT)
        assert again.finish(60) == 130, again.stderr[-2000:]
        assert any(e["type"] == "QueueLeft" for e in again.events)
        assert not any(f.name.endswith(run_again) for f in (ws / "queue" / "waiting").iterdir())
        assert not (jobs / run_again).exists()  # removed through the gatekeeper

        # B's app is killed while waiting and started again: it re-attaches as B's account.
        b.proc.kill()
        b.finish(30)
        b = Attendee(room, "Bruno", None, None, resume=True, run_dir=b.run_dir)
        assert b.wait_for(lambda p: p.of_type("QueueWaiting"), 120), b.stderr
        assert b.of_type("QueueWaiting")[0]["ahead"] == 1
    finally:
        for handle in held:
            handle.close()

    # --- both finish with their own results; each container ran as its attendee ---------------------
    assert a.finish(300) == 0, a.stderr
    assert b.finish(300) == 0, b.stderr
    assert (a.run_dir / "model_of_a_sym_int8.cvimodel").is_file()
    assert (b.run_dir / "model_of_b_sym_int8.cvimodel").is_file()
    assert not (a.run_dir / "model_of_b_sym_int8.cvimodel").exists()
    assert not run_dir_a.parent.exists()  # cleaned up through the gatekeeper; the receipt stays
    assert (ws / layout.RECORDS_DIR / run_a / "exit_code").read_text().strip() == "0"

    owners = {}
    for event in docker_client.events(since=int(started_at), until=int(time.time()) + 1, decode=True,
                                      filters={"type": "container", "event": "create"}):
        attributes = event.get("Actor", {}).get("Attributes", {}) or {}
        if attributes.get("name", "").startswith(layout.container_prefix(room.workshop_id)):
            owners[attributes["name"]] = attributes.get(gatekeeper.OWNER_LABEL)
    uid_b = subprocess.run(["id", "-u", name_b], capture_output=True, text=True).stdout.strip()
    assert sorted(owners.values()) == sorted([str(uid_a), uid_b]), owners
    inspected = [c for c in docker_client.containers.list(all=True)
                 if c.name.startswith(layout.container_prefix(room.workshop_id))]
    assert inspected == []  # --rm: nothing left behind

    status = cli(["workshop", "status", "--kit", str(room.kit), "--login", "root", "--key", str(room.server.client_key),
                  "--json"], env=room.instructor_env, timeout=120)
    assert status.returncode == 0, status.stderr
    jobs_seen = {j["run_id"]: j for j in json.loads(status.stdout)["jobs"]}
    assert jobs_seen[run_a]["attendee"] == "Aiko" and jobs_seen[run_a]["state"] == "done"
    assert jobs_seen[run_again]["attendee"] == "Aiko" and jobs_seen[run_again]["state"] == "cancelled"
    bruno = next(j for j in jobs_seen.values() if j["attendee"] == "Bruno")
    assert len(jobs_seen) == 3 and bruno["state"] == "done"
    assert bruno["waited"] is not None and jobs_seen[run_a]["ticket"] < bruno["ticket"] < jobs_seen[run_again]["ticket"]

    # An attendee account asking for the room's status is refused: it is the instructor's.
    as_b = cli(["workshop", "status", "--kit", str(room.kit), "--login", name_b, "--key", str(room.server.client_key)],
               env=room.instructor_env, timeout=120)
    assert as_b.returncode != 0 and "Traceback" not in as_b.stderr
    assert "sudo" in (as_b.stdout + as_b.stderr)

