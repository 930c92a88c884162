"""A whole room: 6 attendees (separate processes) convert at once through a kit that allows 2.

Real components: an OpenSSH server on 127.0.0.1, the Docker engine, and the TPU-MLIR TEST DOUBLE
image with no faults (tiny conversions: 2 cores). The instructor's commands and every attendee
run as child processes (tests/workshop_support.py), each attendee with its own app folder.

To know that everyone really waits, the test first holds both slots itself, exactly as two long
conversions would (an flock on the queue's slot files, on the "server", which is this machine).
While the line stands still: one attendee is killed and restarted (keeps its ticket), a seventh
is cancelled (leaves the line), and `workshop status` is compared with what the attendees saw.
Then the slots are let go and the Docker engine's own events show at most 2 containers at once,
and the queue's receipts that it let them in in ticket order.
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from docker_support import docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from sshd_support import sshd_server  # noqa: F401 (fixture)
from workshop_support import (Attendee, Room, attendee_inputs, container_spans, hold_slots, new_workshop_id,
                              peak_overlap)
from workshop_support import workshop_image  # noqa: F401 (fixture)
from wizard.core.workshop import server_layout as layout
from wizard.core.workshop.queue_shell import parse_queue_state

pytestmark = pytest.mark.ssh

PEOPLE = ["aiko", "bruno", "chen", "dana", "emeka", "fumi", "gita"]  # 6 convert, 1 cancels
CANCELLING_TICKET = 3  # cancels while waiting: those behind it move up
KILLED_TICKET = 5  # killed while waiting and restarted: keeps its place


def waits(events: list[dict]) -> list[int]:
    return [e["ahead"] for e in events if e["type"] == "QueueWaiting"]


def last_wait(attendee: Attendee) -> dict | None:
    found = attendee.of_type("QueueWaiting")
    return found[-1] if found else None


def test_six_attendees_two_slots_a_fair_queue_that_survives_a_kill(sshd_server, workshop_image, docker_client,
                                                                    tmp_path):
    room = Room(server=sshd_server, root=tmp_path, workshop_id=new_workshop_id(), image=workshop_image)
    assert room.prepare(slots=2).returncode == 0
    made = room.make_kit()
    assert made.returncode == 0, made.stderr
    started_at = time.time() - 1
    held = hold_slots(room.workshop_dir, 2)

    people: dict[str, Attendee] = {}
    for name in PEOPLE:
        model, images = attendee_inputs(tmp_path / "inputs" / name, f"model_{name}")
        people[name] = Attendee(room, name, model, images)
    for name, person in people.items():
        assert person.wait_for(lambda a: last_wait(a) is not None, timeout=240), (name, person.stderr[-2000:])

    # Everyone waits in one line: tickets 1..7, each with the number of tickets before it ahead.
    tickets = {name: last_wait(p)["ticket"] for name, p in people.items()}
    assert sorted(tickets.values()) == list(range(1, 8))
    by_ticket = {ticket: name for name, ticket in tickets.items()}
    cancel_name, kill_name = by_ticket[CANCELLING_TICKET], by_ticket[KILLED_TICKET]
    converting = [name for name in PEOPLE if name != cancel_name]
    for name, person in people.items():
        assert person.wait_for(lambda a, n=name: last_wait(a)["ahead"] == tickets[n] - 1, timeout=30), name

    # Killed while waiting (the laptop's lid closed), then opened again: same ticket, same place.
    victim = people[kill_name]
    before = victim.of_type("QueueWaiting")
    victim.proc.kill()
    victim.finish(30)
    restarted = Attendee(room, kill_name, None, None, resume=True, run_dir=victim.run_dir)
    assert restarted.wait_for(lambda a: last_wait(a) is not None, timeout=120), restarted.stderr[-2000:]
    assert last_wait(restarted)["ticket"] == tickets[kill_name]
    assert last_wait(restarted)["ahead"] == before[-1]["ahead"] == KILLED_TICKET - 1
    people[kill_name] = restarted

    # Cancelled while waiting: leaves the line, and everyone behind moves up.
    canceller = people.pop(cancel_name)
    canceller.proc.send_signal(signal.SIGINT)
    assert canceller.finish(60) == 130, canceller.stderr[-2000:]
    assert canceller.result["details"]["verdict"] == "cancelled"
    assert any(e["type"] == "QueueLeft" for e in canceller.events)
    behind = [n for n in converting if tickets[n] > tickets[cancel_name]]
    assert kill_name in behind and len(behind) == 7 - CANCELLING_TICKET
    for name in behind:
        assert people[name].wait_for(lambda a, n=name: last_wait(a)["ahead"] == tickets[n] - 2, timeout=30), name
    waiting_files = sorted(p.name for p in (room.workshop_dir / "queue" / "waiting").iterdir())
    assert len(waiting_files) == 6 and not any(f.endswith(json.loads(
        (canceller.run_dir / "job.json").read_text())["run_id"]) for f in waiting_files)

    # The instructor's view of the standing line matches what each attendee sees.
    standing = {job["attendee"]: job for job in room.status()["jobs"]}
    assert standing[cancel_name]["state"] == "cancelled"
    for name in converting:
        assert standing[name]["state"] == "waiting", standing[name]
        assert standing[name]["ticket"] == tickets[name]
        assert standing[name]["ahead"] == last_wait(people[name])["ahead"]

    for handle in held:  # the two long conversions end
        handle.close()
    codes = {name: person.finish(600) for name, person in people.items()}
    assert codes == {name: 0 for name in converting}, {n: people[n].stderr[-1500:] for n in converting}

    # Everyone got their own model back, and only theirs.
    run_ids = {}
    for name, person in people.items():
        assert person.result["ok"] and person.result["details"]["verdict"] == "success"
        models = sorted(p.name for p in person.run_dir.glob("*.cvimodel"))
        assert models == [f"model_{name}_sym_int8.cvimodel"], (name, models)
        log = (person.run_dir / "convert.log").read_text()
        assert f"--model_name model_{name}" in log
        assert not any(f"model_{other}" in log for other in PEOPLE if other != name)
        run_ids[name] = json.loads((person.run_dir / "job.json").read_text())["run_id"]
        assert json.loads((person.run_dir / "results.json").read_text())["run_id"] == run_ids[name]

    # The queue only ever moved forward for each attendee (the victim: before and after its restart).
    for name in converting:
        seen = waits(before + restarted.events) if name == kill_name else waits(people[name].events)
        assert seen == sorted(seen, reverse=True), (name, seen)
        assert seen[-1] == 0 or any(e["type"] == "QueueAdmitted" for e in people[name].events), name

    # The engine's own events: never more than 2 toolchain containers at once.
    spans = container_spans(docker_client, layout.container_prefix(room.workshop_id), started_at)
    assert sorted(spans) == sorted(f"recamera-wizard-{run_ids[n]}" for n in converting)
    assert all(len(span) == 2 for span in spans.values())
    assert peak_overlap(spans) <= 2
    # First come, first served: the queue let them in in ticket order (its receipts, the server's
    # clock in seconds), and no container started before the queue let it in. (Two let in together
    # may reach the engine in either order: `docker run` takes its own time to start a container.)
    admitted = {n: parse_queue_state((room.workshop_dir / "records" / run_ids[n] / layout.QUEUE_STATE_FILE)
                                     .read_text()).admitted for n in converting}
    in_line = sorted(converting, key=lambda n: tickets[n])
    assert [admitted[n] for n in in_line] == sorted(admitted[n] for n in in_line)
    assert all(spans[f"recamera-wizard-{run_ids[n]}"][0] / 1e9 >= admitted[n] - 1 for n in converting)

    # `workshop status` tells the same story, after every attendee's app has collected and cleaned up.
    final = {job["attendee"]: job for job in room.status()["jobs"]}
    assert sorted(final) == sorted(PEOPLE)
    assert final[cancel_name]["state"] == "cancelled" and final[cancel_name]["verdict"] == "cancelled"
    for name in converting:
        job = final[name]
        assert (job["state"], job["verdict"], job["exit_code"]) == ("done", "success", 0), job
        assert job["run_id"] == run_ids[name] and job["ticket"] == tickets[name] and job["collected"]
        assert job["waited"] >= 1 and job["elapsed"] >= job["waited"]
    assert list((room.workshop_dir / "runs").iterdir()) == []  # every run folder was cleaned up
    assert list((room.workshop_dir / "queue" / "waiting").iterdir()) == []
