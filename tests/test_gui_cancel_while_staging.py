"""A window conversion cancelled while its pictures are staged: the run folder records the cancel
(job.json, as the CLI's Ctrl-C does) and keeps what was staged.

Real components: the GUI's real Services conversion (core_conversion: the plan's real staging of a
sample model and real JPEG pictures). No runner is built, so no Docker is needed: the cancel comes
during staging, before the runner would be made.
"""

from __future__ import annotations

import json

from fs_support import model_and_photos
from wizard.core.events import ProblemRaised, Result
from wizard.core.plan.choices import ConversionChoices
from wizard.gui.services import core_conversion


def test_cancel_during_staging_writes_a_cancelled_job_record_and_keeps_the_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    model, images = model_and_photos(tmp_path / "in", 12, (320, 240))
    run_dir = tmp_path / "run"
    choices = ConversionChoices(model=str(model), images=str(images), out=str(run_dir), calibration_count=12,
                                toolchain_image="recamera-wizard-test/never-started:0")
    job = core_conversion(choices, "local", None)
    stage = job._stage

    def stage_then_cancel(on_progress):
        staged = stage(on_progress)
        job.cancel()  # the user pressed Cancel while the pictures were being prepared
        return staged

    job._stage = stage_then_cancel
    events = list(job.events())

    assert not any(isinstance(e, Result) for e in events)
    assert [e.problem.code for e in events if isinstance(e, ProblemRaised)][-1] == "conversion_cancelled_before_run"
    record = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    assert (record["state"], record["verdict"], record["backend"], record["where"]) == (
        "finished", "cancelled", "docker", "local")
    assert record["image"] == "recamera-wizard-test/never-started:0"
    staged = run_dir / "workspace"
    assert (staged / "recipe.json").is_file() and len(list((staged / "calibration").glob("*.jpg"))) == 12
    assert job.record() is None  # nothing to re-attach to


def test_a_second_cancelled_start_keeps_the_first_runs_record(tmp_path, monkeypatch):
    """An earlier run's job.json still describes that run: a later cancel does not overwrite it."""
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    model, images = model_and_photos(tmp_path / "in", 12, (320, 240))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    earlier = {"run_id": "earlier", "backend": "docker", "state": "finished", "verdict": "success"}
    (run_dir / "job.json").write_text(json.dumps(earlier), encoding="utf-8")
    choices = ConversionChoices(model=str(model), images=str(images), out=str(run_dir), calibration_count=12)
    job = core_conversion(choices, "local", None)
    job.cancel()  # before staging even began: staging runs, then the cancel is seen
    list(job.events())
    assert json.loads((run_dir / "job.json").read_text(encoding="utf-8")) == earlier


def test_the_windows_event_pump_cancelling_mid_staging_still_records_it(tmp_path, monkeypatch):
    """As the Convert page's Cancel does: the EventPump stops taking events and closes the
    generator at its next event (the staging then finished in the worker thread)."""
    import asyncio
    import threading

    from wizard.gui.async_tools import EventPump

    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    model, images = model_and_photos(tmp_path / "in", 12, (320, 240))
    run_dir = tmp_path / "run"
    job = core_conversion(ConversionChoices(model=str(model), images=str(images), out=str(run_dir),
                                            calibration_count=12), "local", None)
    staging, go_on = threading.Event(), threading.Event()
    stage = job._stage

    def slow_stage(on_progress):
        staging.set()
        go_on.wait(30)  # the user presses Cancel now
        return stage(on_progress)

    job._stage = slow_stage

    async def drive():
        task = asyncio.ensure_future(EventPump(job.events, lambda batch: None, cancel=job.cancel).run())
        while not staging.is_set():
            await asyncio.sleep(0.02)
        task.cancel()
        await asyncio.sleep(0.1)
        go_on.set()
        try:
            await task
        except asyncio.CancelledError:
            pass

    asyncio.run(drive())
    record = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    assert (record["state"], record["verdict"]) == ("finished", "cancelled")
    assert (run_dir / "workspace" / "recipe.json").is_file()
