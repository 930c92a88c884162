"""Services' detection-check calls, without a window: what the Results page asks of the core.

The core's ``run_check`` (wizard.core.detections) is replaced by a recorder where a test checks
the arguments it receives: it is the boundary this module owns (no toolchain, real or double,
runs here; the check itself is tested in test_detections_check.py and, through the window, in
test_gui_detections.py).
"""

from __future__ import annotations

import threading

import pytest

import wizard.core.detections.check as core_check
from wizard.core.events import Progress, Result
from wizard.core.messages import WizardError
from wizard.core.runners.factory import RunnerSpec
from wizard.gui import services as gui_services
from wizard.gui.services import Services, SshDetails


class RecordedRunCheck:
    """Stands in for wizard.core.detections' run_check: records its call, yields a few events."""

    def __init__(self, events: int = 3):
        self.calls: list[tuple] = []
        self.events = events
        self.closed = threading.Event()

    def __call__(self, run_dir, *, spec, pictures_dir=None, count=12, thresholds=None):
        self.calls.append((run_dir, spec, pictures_dir, count, thresholds))
        try:
            for done in range(1, self.events + 1):
                yield Progress("model_runner", done / self.events, f"picture {done}", done=done, total=self.events)
            yield Result(ok=True, run_dir=str(run_dir), details={"report": str(run_dir / "detections.json")})
        finally:
            self.closed.set()


@pytest.fixture
def recorded(monkeypatch):
    recorder = RecordedRunCheck()
    monkeypatch.setattr(gui_services, "_core_run_check", lambda: recorder)
    return recorder


def test_a_local_run_is_checked_as_its_record_says(tmp_path, recorded):
    events = list(Services().run_detection_check(str(tmp_path), None, 7, None, None).events())
    assert [type(e).__name__ for e in events] == ["Progress", "Progress", "Progress", "Result"]
    assert recorded.calls == [(tmp_path, None, None, 7, None)]


def test_a_run_on_the_vm_is_checked_there_with_a_folder_of_pictures(tmp_path, recorded):
    ssh = SshDetails(host="127.0.0.1", user="ubuntu", port=2222, key_path="/keys/id", password="secret")
    check = Services().run_detection_check(str(tmp_path), ssh, 3, str(tmp_path / "check"), None)
    list(check.events())
    run_dir, spec, pictures_dir, count, _ = recorded.calls[0]
    assert isinstance(spec, RunnerSpec) and spec.backend == "ssh"
    # No image named: the runner takes the run's recipe's (RunnerSpec.image "").
    assert (spec.host, spec.image, spec.key_file, spec.password) == ("ubuntu@127.0.0.1:2222", "", "/keys/id", "secret")
    assert pictures_dir == tmp_path / "check" and count == 3


def test_cancel_stops_at_the_next_event_and_unwinds_the_core_check(tmp_path, recorded):
    check = Services().run_detection_check(str(tmp_path), None, 12, None, None)
    events = check.events()
    assert next(events).done == 1
    check.cancel()  # from the GUI thread, while the worker waits for the next event
    with pytest.raises(WizardError) as error:
        next(events)
    assert error.value.problem.code == "detections_cancelled"
    assert recorded.closed.is_set()  # run_check's finally ran: its runner was told to stop


def test_the_check_is_offered_only_when_the_core_has_it():
    assert Services().detection_check_available() == hasattr(core_check, "run_check")


def test_saved_reports_are_read_from_a_run_folder_or_its_json(tmp_path):
    services = Services()
    assert services.read_detections(str(tmp_path)) is None
    (tmp_path / "detections.json").write_text("{ not json")
    with pytest.raises(WizardError) as error:
        services.read_detections(str(tmp_path / "detections.json"))
    assert error.value.problem.code == "detections_report_unreadable"
