"""Services' detection-check calls, without a window: what the Results page asks of the core.

The first test runs the real core service (wizard.core.detections.service.run_check) on a folder
that holds no run: it needs no toolchain and ends with the core's own "blocked" outcome. The
others replace run_check by a recorder, to check the arguments and the cancel the GUI passes at
that boundary (the check itself runs for real in test_detections_service.py, with the double
and the real toolchain, and through the window in test_gui_detections.py).
"""

from __future__ import annotations

import threading

import pytest

import wizard.core.detections.service as core_service
from wizard.core.events import Progress, Result
from wizard.core.messages import WizardError
from wizard.core.runners.factory import RunnerSpec
from wizard.gui.services import Services, SshDetails


class RecordedCheckRun:
    """Stands in for the core's CheckRun: records its call, yields events until cancelled."""

    def __init__(self, calls: list, run_dir, spec, pictures_dir, count, thresholds, events: int = 3):
        calls.append((run_dir, spec, pictures_dir, count, thresholds))
        self.run_dir, self.events, self.cancelled = run_dir, events, threading.Event()

    def __iter__(self):
        for done in range(1, self.events + 1):
            if self.cancelled.is_set():
                yield Result(ok=False, run_dir=str(self.run_dir), details={"outcome": "cancelled"})
                return
            yield Progress("detections", done / self.events, f"picture {done}", done=done, total=self.events)
        yield Result(ok=True, run_dir=str(self.run_dir), details={"report": str(self.run_dir / "detections.json")})

    def cancel(self) -> None:
        self.cancelled.set()


@pytest.fixture
def recorded(monkeypatch):
    calls: list = []
    runs: list = []

    def run_check(run_dir, *, spec, pictures_dir=None, count=12, thresholds=None):
        runs.append(RecordedCheckRun(calls, run_dir, spec, pictures_dir, count, thresholds))
        return runs[-1]

    monkeypatch.setattr(core_service, "run_check", run_check)
    return calls, runs


def test_the_real_service_says_a_folder_without_a_run_cannot_be_checked(tmp_path):
    events = list(Services().run_detection_check(str(tmp_path), None, 7, None, None).events())
    result = events[-1]
    assert isinstance(result, Result) and not result.ok
    assert result.details["outcome"] == "blocked" and result.details["report"] is None


def test_a_local_run_is_checked_as_its_record_says(tmp_path, recorded):
    calls, _ = recorded
    events = list(Services().run_detection_check(str(tmp_path), None, 7, None, None).events())
    assert [type(e).__name__ for e in events] == ["Progress", "Progress", "Progress", "Result"]
    assert calls == [(tmp_path, None, None, 7, None)]


def test_a_run_on_the_vm_is_checked_there_with_a_folder_of_pictures(tmp_path, recorded):
    calls, _ = recorded
    ssh = SshDetails(host="127.0.0.1", user="ubuntu", port=2222, key_path="/keys/id", password="secret")
    check = Services().run_detection_check(str(tmp_path), ssh, 3, str(tmp_path / "check"), None)
    list(check.events())
    run_dir, spec, pictures_dir, count, _ = calls[0]
    assert isinstance(spec, RunnerSpec) and spec.backend == "ssh"
    # No image named: the runner takes the run's recipe's (RunnerSpec.image "").
    assert (spec.host, spec.image, spec.key_file, spec.password) == ("ubuntu@127.0.0.1:2222", "", "/keys/id", "secret")
    assert pictures_dir == tmp_path / "check" and count == 3


def test_cancel_reaches_the_core_check_at_once(tmp_path, recorded):
    _, runs = recorded
    check = Services().run_detection_check(str(tmp_path), None, 12, None, None)
    events = check.events()
    assert next(events).done == 1
    check.cancel()  # from the GUI thread, while the worker waits for the next event
    assert runs[0].cancelled.is_set()  # the core's own cancel: its runner stops now, not after a picture
    assert next(events).details["outcome"] == "cancelled"


def test_saved_reports_are_read_from_a_run_folder_or_its_json(tmp_path):
    services = Services()
    assert services.read_detections(str(tmp_path)) is None
    (tmp_path / "detections.json").write_text("{ not json")
    with pytest.raises(WizardError) as error:
        services.read_detections(str(tmp_path / "detections.json"))
    assert error.value.problem.code == "detections_report_unreadable"
