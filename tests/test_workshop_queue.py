"""The workshop queue's sh, run for real by /bin/sh and flock(1) on this machine (no SSH, no Docker).

The wrappers are the real ``remote_shell.wrapper_script`` with the queue hooks; ``docker`` is a
small script first on PATH that records when each "container" starts and ends and sleeps a
little (no toolchain at all: this is about the queue, which runs before the container). Slots are
held from the test with fcntl.flock on the same lock files, like a long conversion would hold them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from workshop_support import hold_slots, peak_overlap
from wizard.core.events import QueueAdmitted, QueueLeft, QueueWaiting
from wizard.core.ssh import remote_shell as rs
from wizard.core.workshop import queue_shell as qs
from wizard.core.workshop import server_layout as layout

FAKE_DOCKER = """#!/bin/sh
# a stand-in for `docker run ... --name NAME ...`: records start and end, then "runs" briefly
name=
while [ $# -gt 0 ]; do [ "$1" = "--name" ] && name=$2; shift; done
echo "start $name $(date +%s.%N)" >> "$QUEUE_TEST_EVENTS"
sleep "${QUEUE_TEST_SECONDS:-0.4}"
echo "end $name $(date +%s.%N)" >> "$QUEUE_TEST_EVENTS"
echo "converted by $name"
"""


class Room:
    """A workshop folder on this machine and wrappers started in it as the SSH runner does."""

    def __init__(self, root: Path, slots: int, seconds: float = 0.4):
        self.workshop = root / "ws dir;$(touch pwned)" / "workshop"
        (self.workshop / layout.RUNS_DIR).mkdir(parents=True)
        (self.workshop / layout.SLOTS_FILE).write_text(f"{slots}\n")
        self.events = root / "events.log"
        self.events.touch()
        bin_dir = root / "bin"
        bin_dir.mkdir()
        (bin_dir / "docker").write_text(FAKE_DOCKER)
        (bin_dir / "docker").chmod(0o755)
        self.env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                        QUEUE_TEST_EVENTS=str(self.events), QUEUE_TEST_SECONDS=str(seconds))
        self.procs: dict[str, subprocess.Popen] = {}

    def run_dir(self, run_id: str) -> Path:
        return self.workshop / layout.RUNS_DIR / run_id

    def start(self, run_id: str) -> None:
        run_dir = self.run_dir(run_id)
        run_dir.mkdir()
        (run_dir / layout.ATTENDEE_FILE).write_text('{"attendee": "$(touch pwned)"}')
        script = rs.wrapper_script(str(run_dir), run_id, "img:1",
                                   before_container=qs.before_container(str(self.workshop), run_id),
                                   after_container=qs.after_container())
        (run_dir / rs.WRAPPER_FILE).write_text(script)
        (run_dir / rs.REMOTE_LOG).touch()
        self.procs[run_id] = subprocess.Popen(["sh", rs.WRAPPER_FILE], cwd=run_dir, env=self.env,
                                              start_new_session=True, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)

    def wait_all(self, timeout: float = 30) -> None:
        for proc in self.procs.values():
            proc.wait(timeout)

    def log(self, run_id: str) -> list[str]:
        return self.run_dir(run_id).joinpath(rs.REMOTE_LOG).read_text().splitlines()

    def queue_events(self, run_id: str) -> list:
        return [e for e in map(qs.queue_event, self.log(run_id)) if e is not None]

    def exit_code(self, run_id: str) -> int | None:
        path = self.run_dir(run_id) / rs.EXIT_CODE_FILE
        return int(path.read_text()) if path.is_file() else None

    def waiting(self) -> list[str]:
        folder = self.workshop / layout.QUEUE_DIR / "waiting"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    def container_spans(self) -> dict[str, list[float]]:
        spans: dict[str, list[float]] = {}
        for line in self.events.read_text().splitlines():
            kind, name, stamp = line.split()
            spans.setdefault(name, []).append(float(stamp))
        return spans

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


@pytest.fixture
def room(tmp_path):
    rooms: list[Room] = []

    def make(slots: int, seconds: float = 0.4) -> Room:
        made = Room(tmp_path / f"room{len(rooms)}", slots, seconds)
        rooms.append(made)
        return made

    yield make
    for made in rooms:
        made.stop()


def until(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# --- the log lines and queue.state -----------------------------------------------------------


def test_queue_log_lines_become_typed_events():
    waiting = qs.queue_event("[workshop] ticket 7: waiting, 3 ahead of you (2 at once)")
    assert isinstance(waiting, QueueWaiting)
    assert (waiting.ticket, waiting.position, waiting.ahead, waiting.slots) == (7, 4, 3, 2)
    admitted = qs.queue_event("[workshop] ticket 7: starting in slot 2 of 2 after 14 s")
    assert isinstance(admitted, QueueAdmitted) and (admitted.slot, admitted.slots, admitted.waited) == (2, 2, 14.0)
    left = qs.queue_event("[workshop] ticket 7: left the queue (cancelled)")
    assert isinstance(left, QueueLeft) and left.ticket == 7 and left.reason == "cancelled"
    assert qs.queue_event("[wizard] step transform started: x") is None
    assert qs.queue_event("[workshop] error: cannot join the queue in /x") is None


def test_queue_state_is_read_leniently():
    state = qs.parse_queue_state("ticket 3 100\nwaiting 2 100\nwaiting 1 105\nbroken line\nadmitted 1 110\n"
                                 "ended 0 130\nwaiting x 1\n")
    assert (state.ticket, state.joined, state.slot, state.admitted, state.exit_code, state.ended) == (
        3, 100.0, 1, 110.0, 0, 130.0)
    assert state.waited == 10.0
    assert qs.parse_queue_state("").ticket is None
    assert qs.ticket_name_parts("0000000007-workshop-20260101-000000-abcdef") == (7, "workshop-20260101-000000-abcdef")
    assert qs.ticket_name_parts("7-x") is None and qs.ticket_name_parts("0000000007-$(x)") is None


# --- the queue, run for real ------------------------------------------------------------------


def test_six_jobs_two_slots_first_come_first_served(room, tmp_path):
    r = room(slots=2)
    ids = [f"workshop-job{i}" for i in range(6)]
    for run_id in ids:
        r.start(run_id)
    r.wait_all()
    assert [r.exit_code(i) for i in ids] == [0] * 6
    spans = r.container_spans()
    assert sorted(spans) == sorted(rs.container_name(i) for i in ids)
    assert peak_overlap(spans) <= 2
    # Fair: let in in ticket order (the order the wrappers joined, whatever the scheduler did). Two
    # let in together may start their "containers" in either order, so the queue's record decides.
    states = {i: qs.parse_queue_state((r.run_dir(i) / layout.QUEUE_STATE_FILE).read_text()) for i in ids}
    assert sorted(state.ticket for state in states.values()) == [1, 2, 3, 4, 5, 6]
    in_line = sorted(ids, key=lambda i: states[i].ticket)
    assert [states[i].admitted for i in in_line] == sorted(states[i].admitted for i in in_line)
    for run_id in ids:
        events = r.queue_events(run_id)
        waits = [e.ahead for e in events if isinstance(e, QueueWaiting)]
        assert waits == sorted(waits, reverse=True), run_id  # the count only ever goes down
        assert isinstance(events[-1], QueueAdmitted)
        assert "converted by " + rs.container_name(run_id) in r.log(run_id)  # the container's own output
        record = r.workshop / layout.RECORDS_DIR / run_id
        assert (record / "exit_code").read_text().strip() == "0"
        assert (record / layout.ATTENDEE_FILE).is_file()
        assert qs.parse_queue_state((record / layout.QUEUE_STATE_FILE).read_text()).exit_code == 0
    assert r.waiting() == [] and not list((r.workshop / "queue" / "running").iterdir())
    assert not list(tmp_path.rglob("pwned"))


def test_cancel_while_waiting_leaves_the_queue_and_the_others_move_up(room):
    r = room(slots=1)
    held = hold_slots(r.workshop, 1)
    for run_id in ("workshop-a", "workshop-b", "workshop-c"):
        r.start(run_id)
        assert until(lambda: any(isinstance(e, QueueWaiting) for e in r.queue_events(run_id)))
    assert [e.ahead for e in r.queue_events("workshop-c") if isinstance(e, QueueWaiting)] == [2]
    (r.run_dir("workshop-b") / rs.CANCELLED_FILE).touch()  # what cancel_command does first
    assert until(lambda: r.exit_code("workshop-b") == 130, timeout=5)
    assert isinstance(r.queue_events("workshop-b")[-1], QueueLeft)
    assert [name.split("-", 1)[1] for name in r.waiting()] == ["workshop-a", "workshop-c"]
    assert until(lambda: [e.ahead for e in r.queue_events("workshop-c") if isinstance(e, QueueWaiting)] == [2, 1])
    for f in held:
        f.close()
    r.wait_all()
    assert r.exit_code("workshop-a") == 0 and r.exit_code("workshop-c") == 0
    assert rs.container_name("workshop-b") not in r.container_spans()
    assert (r.workshop / layout.RECORDS_DIR / "workshop-b" / "cancelled").is_file()


def test_a_waiter_that_died_does_not_block_the_line(room):
    r = room(slots=1)
    held = hold_slots(r.workshop, 1)
    r.start("workshop-dead")
    assert until(lambda: len(r.waiting()) == 1)
    r.start("workshop-alive")
    assert until(lambda: [e.ahead for e in r.queue_events("workshop-alive") if isinstance(e, QueueWaiting)] == [1])
    os.killpg(r.procs["workshop-dead"].pid, signal.SIGKILL)  # a VM reboot: no trap runs
    r.procs["workshop-dead"].wait(5)
    assert until(lambda: [e.ahead for e in r.queue_events("workshop-alive") if isinstance(e, QueueWaiting)] == [1, 0])
    assert [name.split("-", 1)[1] for name in r.waiting()] == ["workshop-alive"]  # the dead ticket was swept
    for f in held:
        f.close()
    r.procs["workshop-alive"].wait(15)
    assert r.exit_code("workshop-alive") == 0


def test_a_broken_queue_folder_starts_no_container(room):
    r = room(slots=1)
    (r.workshop / layout.QUEUE_DIR).write_text("not a folder")
    r.start("workshop-x")
    r.wait_all()
    assert r.exit_code("workshop-x") == qs.EXIT_QUEUE_BROKEN
    assert r.container_spans() == {}
    assert any("cannot join the queue" in line for line in r.log("workshop-x"))
