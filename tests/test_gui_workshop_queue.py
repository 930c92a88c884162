"""The Convert page while a workshop job waits for a place on the shared server: "Waiting: N
ahead of you", a place that only ever goes down, then the usual live progress once admitted;
cancelling while waiting says the place was given up.

No toolchain (neither real nor double): the job is a test double (tests/test_gui_support.py
FakeJob) that first emits the core's real queue events (wizard.core.events.QueueWaiting /
QueueAdmitted / QueueLeft), each held until the test lets it go on.
"""

from __future__ import annotations

import threading
from typing import Iterator

import pytest

from test_gui_support import FakeJob, gui_home, loop, make_window, run, services, to_page, wait_for  # noqa: F401
from wizard.core.app import wizard_flow as rules
from wizard.core.events import Event, QueueAdmitted, QueueLeft, QueueWaiting

pytestmark = pytest.mark.gui


class QueuedJob(FakeJob):
    """Waits in the queue (each report held until ``go`` is set), then converts as FakeJob does."""

    def __init__(self, run_dir: str, reports: list[int], **kwargs):
        super().__init__(run_dir, **kwargs)
        self.reports = reports  # "ahead" of each QueueWaiting, in the order the server sent them
        self.go = threading.Event()
        self.sent = 0  # reports taken by the page's reader (counted when it asks for the next event)

    def events(self) -> Iterator[Event]:
        admitted = False
        try:
            for ahead in self.reports:
                yield QueueWaiting(ticket=7, position=ahead + 1, ahead=ahead, slots=2)
                self.sent += 1
                while not self.go.wait(0.05):
                    if self.cancel_called.is_set():
                        yield QueueLeft(ticket=7)
                        return
                self.go.clear()
            admitted = True
        finally:
            if not admitted:
                self.stopped.set()  # left the queue: the work really ended
        yield QueueAdmitted(ticket=7, slot=1, slots=2, waited=3.0)
        yield from super().events()


def test_waiting_shows_the_place_which_only_goes_down_then_live_progress(make_window, loop, tmp_path, services):
    jobs = []
    services.job_factory = lambda choices: jobs.append(QueuedJob(str(choices.out), [3, 1, 2, 0])) or jobs[-1]
    window = make_window()
    run(loop, to_page(window, "convert", tmp_path))
    page = window.convert_page
    job = jobs[0]

    def shown(text: str):
        return lambda: text in page.phase_label.text()

    run(loop, wait_for(shown("Waiting: 3 ahead of you."), what="3 ahead"))
    assert "runs 2 conversions at once" in page.phase_label.text()
    assert page.step_states["transform"].property("state") == "waiting"
    job.go.set()
    run(loop, wait_for(shown("Waiting: 1 ahead of you."), what="1 ahead"))
    job.go.set()  # a late report of 2 ahead: the place shown stays 1
    run(loop, wait_for(lambda: job.sent == 3 and page.events_seen >= 3, what="the stale report shown"))
    assert page.queue_ahead == 1 and "Waiting: 1 ahead of you." in page.phase_label.text()
    job.go.set()
    run(loop, wait_for(shown("Waiting: you are next."), what="next"))
    job.go.set()
    run(loop, page.wait(), timeout=60)
    assert window.ctx.state.job_status == rules.JOB_SUCCEEDED
    assert page.queue_ahead is None and page.step_states["deploy"].property("state") == "done"
    assert "Waiting" not in page.phase_label.text()


def test_the_place_never_goes_up_within_one_batch(make_window):
    window = make_window()
    page = window.convert_page
    page.handle_events([QueueWaiting(ticket=1, position=5, ahead=4, slots=3),
                        QueueWaiting(ticket=1, position=3, ahead=2, slots=3),
                        QueueWaiting(ticket=1, position=4, ahead=3, slots=3)])
    assert page.queue_ahead == 2


def test_cancelling_while_waiting_gives_up_the_place(make_window, loop, tmp_path, services):
    jobs = []
    services.job_factory = lambda choices: jobs.append(QueuedJob(str(choices.out), [2])) or jobs[-1]
    window = make_window("ja")
    run(loop, to_page(window, "convert", tmp_path))
    page = window.convert_page
    run(loop, wait_for(lambda: "あなたの前に 2 件" in page.phase_label.text(), what="2 ahead, in Japanese"))
    page.cancel()
    run(loop, page.wait(), timeout=60)
    assert jobs[0].cancel_called.is_set() and jobs[0].stopped.is_set()
    assert window.ctx.state.job_status == rules.JOB_CANCELLED
    assert "キューでの順番は取り消されました" in page.phase_label.text()
