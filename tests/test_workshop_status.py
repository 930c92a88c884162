"""The room's status and the server checks, by value (no server: snapshots and facts are built
here), and prepare-server's queue script run for real by /bin/sh in a temporary home."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile

import pytest

from wizard.core.workshop import server_check
from wizard.core.workshop import server_layout as layout
from wizard.core.workshop import server_setup
from wizard.core.workshop.status import parse_status

WAITING = "ws1-20260101-000002-aaaaaa"
RUNNING = "ws1-20260101-000003-bbbbbb"
DONE = "ws1-20260101-000004-cccccc"
FAILED = "ws1-20260101-000005-dddddd"
VANISHED = "ws1-20260101-000006-eeeeee"
CANCELLED = "ws1-20260101-000007-ffffff"
DEAD = "ws1-20260101-000001-999999"


def snapshot(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            raw = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo("./" + name)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return buffer.getvalue()


def who(name: str) -> str:
    return json.dumps({"attendee": name, "model": f"model_{name}"})


def test_every_state_is_read_from_the_snapshot():
    data = snapshot({
        f"runs/{WAITING}/attendee.json": who("wai\nting $(x)"),
        f"runs/{WAITING}/queue.state": "ticket 2 1000\nwaiting 1 1000\n",
        f"runs/{WAITING}/started": "", f"runs/{WAITING}/alive": "",
        f"runs/{RUNNING}/attendee.json": who("runner"),
        f"runs/{RUNNING}/queue.state": "ticket 3 1000\nwaiting 1 1000\nadmitted 2 1010\n",
        f"runs/{RUNNING}/convert.log.tail": "[wizard] step transform started: x\n[wizard] step transform finished rc=0 "
                                            "elapsed=1\n[wizard] step calibrate started: run_calibration x\n",
        f"runs/{RUNNING}/started": "", f"runs/{RUNNING}/alive": "",
        f"records/{DONE}/attendee.json": who("done"),
        f"records/{DONE}/queue.state": "ticket 4 1000\nadmitted 1 1005\nended 0 1030\n",
        f"records/{DONE}/exit_code": "0\n",
        f"records/{FAILED}/attendee.json": who("failed"),
        f"records/{FAILED}/queue.state": "ticket 5 1000\nadmitted 1 1001\nended 1 1020\n",
        f"records/{FAILED}/exit_code": "1\n",
        f"records/{FAILED}/convert.log.tail": "[wizard] step transform started: model_transform\n"
                                              "RuntimeError: Op not support:{'Mod'}\n[wizard] step transform finished rc=1\n",
        f"runs/{VANISHED}/attendee.json": who("gone"),
        f"runs/{VANISHED}/queue.state": "ticket 6 1000\nadmitted 1 1002\n",
        f"runs/{VANISHED}/started": "",
        f"records/{CANCELLED}/attendee.json": who("changed mind"),
        f"records/{CANCELLED}/queue.state": "ticket 7 1000\nleft cancelled 1004\nended 130 1004\n",
        f"records/{CANCELLED}/exit_code": "130\n", f"records/{CANCELLED}/cancelled": "",
        "runs/$(touch pwned)/attendee.json": who("not ours"),
        f"queue/waiting": f"0000000001-{DEAD} dead\n0000000002-{WAITING} alive\nbogus line\n",
        "queue/running": f"0000000003-{RUNNING} alive\n",
        "server/now": "1040\n", "server/slots": "2\n", "server/loadavg": "0.50 0.40 0.30 1/200 999\n",
        "server/meminfo": "MemTotal:       8000000 kB\nMemAvailable:   6000000 kB\n",
        "server/df": "Filesystem 1024-blocks Used Available Capacity Mounted\n/dev/x 100 50 4000000 50% /\n",
        "server/containers": f"recamera-wizard-{RUNNING}\n",
    })
    room = parse_status(data, target="w@h:22", workshop_id="ws1")
    jobs = {job.run_id: job for job in room.jobs}
    assert [job.ticket for job in room.jobs] == [2, 3, 4, 5, 6, 7]  # in line order; not-ours is never shown
    waiting = jobs[WAITING]
    assert (waiting.state, waiting.ahead, waiting.position) == ("waiting", 0, 1)  # the dead ticket is not ahead
    assert waiting.attendee == "wai ting $(x)" and waiting.waited == 40 and waiting.label() == "waiting: 0 ahead"
    running = jobs[RUNNING]
    assert (running.state, running.step, running.waited, running.elapsed) == ("running", "calibrate", 10, 40)
    assert running.label() == "running: calibrate" and not running.collected
    done = jobs[DONE]
    assert (done.state, done.verdict, done.elapsed, done.waited, done.collected) == ("done", "success", 30, 5, True)
    failed = jobs[FAILED]
    assert (failed.state, failed.verdict, failed.step, failed.exit_code) == ("failed", "conversion_failed", "transform", 1)
    assert "Mod" in failed.cause
    assert jobs[VANISHED].state == "vanished"
    assert (jobs[CANCELLED].state, jobs[CANCELLED].verdict) == ("cancelled", "cancelled")
    server = room.server
    assert (server.slots, server.running, server.waiting) == (2, 1, 1)
    assert server.load == (0.5, 0.4, 0.3) and server.mem_total == 8000000 * 1024 and server.disk_free == 4000000 * 1024
    assert json.loads(json.dumps(room.to_dict()))["jobs"][0]["label"] == "waiting: 0 ahead"
    assert jobs[FAILED].label("ja").startswith("失敗")


def test_memory_and_disk_are_checked_with_the_numbers():
    facts = server_check.WorkshopFacts(slots=4, queue=True, flock=True, image_id="sha256:x",
                                       mem_total=8 * server_check.GB, free_disk=3 * server_check.GB)
    found = server_check.problems_for(facts, target="w@h:22", workshop_id="ws", image="img", slots=4,
                                      image_id="sha256:x", options={"calibration_count": 100, "quantize": "INT8"})
    assert [p.code for p in found] == ["workshop_memory_low", "workshop_disk_low"]
    memory = found[0]
    assert memory.params["fits"] == 3 and memory.params["have_gb"] == "8.0"
    assert "enough for 3" in memory.message and "--slots 3" in memory.fix
    # BF16 needs no calibration: the same server fits more at once.
    assert server_check.memory_per_conversion({"quantize": "BF16", "calibration_count": 100}) == server_check.GB
    bare = server_check.WorkshopFacts()
    assert [p.code for p in server_check.problems_for(bare, target="t", workshop_id="ws", image="img")] == [
        "workshop_not_prepared", "workshop_flock_missing", "workshop_image_missing"]
    other = server_check.WorkshopFacts(slots=3, queue=True, flock=True, image_id="sha256:b")
    assert [p.code for p in server_check.problems_for(other, target="t", workshop_id="ws", image="img", slots=2,
                                                      image_id="sha256:a")] == ["workshop_slots_differ",
                                                                                "kit_image_differs"]


def test_the_probe_reads_the_real_machine(tmp_path):
    ws = tmp_path / "ws"
    (ws / "queue").mkdir(parents=True)
    (ws / "slots").write_text("3\n")
    out = subprocess.run(["sh", "-c", server_check.probe_command(str(ws), "no-such/image:0")], capture_output=True,
                         text=True, env={**os.environ, "HOME": str(tmp_path)}).stdout
    facts = server_check.parse_probe(out)
    assert facts.prepared and facts.slots == 3 and facts.flock and facts.image_id == ""
    assert facts.mem_total and facts.mem_total > 0 and facts.free_disk and facts.cpus


def test_the_queue_set_up_runs_twice_and_keeps_the_line(tmp_path):
    plan = server_setup.ServerPlan(workshop_id="room-1", slots=3, image="img:1")
    argv = server_setup.queue_argv(plan, "sha256:abc", owner=None)
    env = {**os.environ, "HOME": str(tmp_path)}
    first = subprocess.run(argv, capture_output=True, text=True, env=env, check=True).stdout
    assert first.strip() == "queue: created, 3 at once"
    ws = tmp_path / layout.workshop_root("room-1")
    assert (ws / "slots").read_text() == "3\n"
    assert json.loads((ws / "workshop.json").read_text())["image_id"] == "sha256:abc"
    (ws / "queue" / "counter").write_text("12\n")
    again = subprocess.run(argv, capture_output=True, text=True, env=env, check=True).stdout
    assert again.strip() == "queue: already set up, 3 at once, 12 tickets given out so far"
    changed = server_setup.queue_argv(server_setup.ServerPlan(workshop_id="room-1", slots=1), "sha256:abc", None)
    assert subprocess.run(changed, capture_output=True, text=True, env=env, check=True).stdout.strip() == (
        "queue: changed from 3 to 1 at once")
    assert (ws / "queue" / "counter").read_text() == "12\n"


def test_bad_plans_are_refused_with_a_message():
    from wizard.core.messages import WizardError

    for bad in ({"workshop_id": "Room 1"}, {"slots": 0}, {"slots": 65}, {"account": "root;rm"}):
        with pytest.raises(WizardError):
            server_setup.ServerPlan(**bad)
    commands = server_setup.account_commands(server_setup.ServerPlan(account="workshop", account_keys=("ssh-ed25519 AAAA x",)),
                                             secret_file="/home/admin/.secret")
    assert [label for label, _ in commands] == ["create the account workshop", "add workshop to the docker group",
                                                "authorize a key for workshop", "set the password of workshop"]
    assert all(argv[:2] == ("sh", "-c") for _, argv in commands)
    assert not any("password" in arg for _, argv in commands for arg in argv[3:])  # only the file's name


def test_the_status_command_reads_a_live_runs_log_by_sh(tmp_path):
    """The snapshot command itself, run by /bin/sh on a planted workshop folder (the server is this
    machine): a running job's step and a failed one's cause come from their own convert.log (a shell
    variable glued to the log's name once read nothing, and every running step showed as '?')."""
    from wizard.core.workshop.status import status_command

    ws = tmp_path / "ws"
    for sub in ("queue/waiting", "queue/running", "queue/slots", "runs", "records"):
        (ws / sub).mkdir(parents=True)
    (ws / "slots").write_text("2\n")
    wrapper = subprocess.Popen(["sleep", "60"])
    try:
        (ws / "runs" / RUNNING).mkdir()
        (ws / "runs" / RUNNING / "attendee.json").write_text(who("runner"))
        (ws / "runs" / RUNNING / "queue.state").write_text("ticket 3 1000\nadmitted 1 1010\n")
        (ws / "runs" / RUNNING / ".wizard-run.pid").write_text(f"{wrapper.pid}\n")
        (ws / "runs" / RUNNING / "convert.log").write_text(
            "[wizard] step transform started: x\n[wizard] step transform finished rc=0 elapsed=1\n"
            "[wizard] step calibrate started: run_calibration x\n")
        (ws / "runs" / FAILED).mkdir()
        (ws / "runs" / FAILED / "attendee.json").write_text(who("failed"))
        (ws / "runs" / FAILED / "queue.state").write_text("ticket 5 1000\nadmitted 1 1001\nended 1 1020\n")
        (ws / "runs" / FAILED / "exit_code").write_text("1\n")
        (ws / "runs" / FAILED / "convert.log").write_text(
            "[wizard] step transform started: model_transform\nRuntimeError: Op not support:{'Mod'}\n"
            "[wizard] step transform finished rc=1\n")
        out = subprocess.run(["sh", "-c", status_command(str(ws), "ws1")], capture_output=True, check=True).stdout
    finally:
        wrapper.kill()
        wrapper.wait(10)
    jobs = {job.run_id: job for job in parse_status(out, target="w@h:22", workshop_id="ws1").jobs}
    assert (jobs[RUNNING].state, jobs[RUNNING].step, jobs[RUNNING].label()) == ("running", "calibrate",
                                                                                "running: calibrate")
    assert jobs[FAILED].state == "failed" and "Mod" in jobs[FAILED].cause
