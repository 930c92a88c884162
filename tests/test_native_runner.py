"""The native runner on this computer, driven as the CLI and the GUI drive it (ConversionJob).

Toolchain: the TEST DOUBLE (tests/toolchain_double/bin, run natively on the host), given to the
runner as an existing TPU-MLIR's bin folder, so these run in the fast tier and can inject faults
(slow steps, an out-of-memory exit, a killed run). The real toolchain's runs are in
test_native_real.py. Processes, files, signals and the detached wrapper are all real.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from native_support import (DOUBLE_BIN, copy_workspace, drain, finished, isolated_app_home,  # noqa: F401 (fixture)
                            processes_in, stage_tiny)
from wizard.core.events import LogLine, ProblemRaised, Result, StepStarted
from wizard.core.messages import WizardError
from wizard.core.ssh import remote_shell as rs
from wizard.core.runners.calibration_cache import CalibrationCache
from wizard.core.runners.job import ConversionJob
from wizard.core.runners.record import JobRecord
from wizard.core.runners.native.local import RUNS_DIR, NativeRunner
from wizard.core.runners.native.shell import group_alive


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    return stage_tiny(tmp_path_factory.mktemp("native-staged"))


def double_runner(**options) -> NativeRunner:
    options.setdefault("toolchain_bin", DOUBLE_BIN)
    return NativeRunner(poll_interval=0.1, liveness_seconds=0.5, **options)


def faults(workspace: Path, spec: dict) -> None:
    (workspace / "toolchain_double_faults.json").write_text(json.dumps(spec))


def starts(step: str):
    return lambda e: isinstance(e, LogLine) and e.text.startswith(f"[wizard] step {step} started")


def test_a_native_job_converts_in_place_and_leaves_the_bundle(template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    runner = double_runner()
    job = ConversionJob(runner, run_dir, cache=CalibrationCache(tmp_path / "cache"))
    events = list(job.events())
    result = events[-1]
    assert isinstance(result, Result) and result.ok, [e.problem for e in events if isinstance(e, ProblemRaised)]
    convert = next(e for e in events if isinstance(e, StepStarted) and e.step == "convert")
    assert convert.command.startswith(f"PATH={DOUBLE_BIN}:") and convert.command.endswith("convert.sh")
    model = run_dir / "yolo11n_sym_int8.cvimodel"
    assert model.read_bytes()[:8] == b"CviModel"
    assert model.read_bytes() == (workspace / "work" / "yolo11n_sym_int8.cvimodel").read_bytes()
    results = json.loads((run_dir / "results.json").read_text())
    assert results["verdict"] == "success" and results["backend"] == "native"
    assert results["toolchain_image"]["native"] == {"kind": "existing", "path": str(DOUBLE_BIN), "where": runner.setup.where}
    assert [s["name"] for s in results["steps"]] == ["transform", "calibrate", "deploy"]
    assert results["model_check"]["ok"] and results["calibration_cache"]["stored"]
    for name in ("recipe.json", "reproduce.sh", "convert.log", "job.json"):
        assert (run_dir / name).is_file(), name
    assert json.loads((run_dir / "job.json").read_text())["state"] == "finished"
    log = (run_dir / "convert.log").read_text()
    shown = [e.text for e in events if isinstance(e, LogLine) and e.stream != "runner"]
    assert log.splitlines() == shown and "[wizard] step deploy finished rc=0" in log
    assert runner.log_offset > 0 and not (workspace / RUNS_DIR).exists()  # the run's own files are gone

    # Again from a new run folder: the calibration cache skips transform and calibration.
    again_dir = tmp_path / "again"
    copy_workspace(template, again_dir)
    again = list(ConversionJob(double_runner(), again_dir, cache=CalibrationCache(tmp_path / "cache")).events())
    assert again[-1].ok and any(isinstance(e, ProblemRaised) and e.problem.code == "calibration_reused" for e in again)
    assert "[wizard] step calibrate skipped (cached)" in (again_dir / "convert.log").read_text()


def test_an_out_of_memory_exit_is_reported_as_such(template, tmp_path):
    run_dir = tmp_path / "run"
    faults(copy_workspace(template, run_dir), {"launcher": "direct", "calibrate": {"exit": 137}})
    job = ConversionJob(double_runner(), run_dir, cache=False)
    events = list(job.events())
    assert job.verdict == "conversion_failed" and job.exit_code == 137
    assert [e.problem.code for e in events if isinstance(e, ProblemRaised)].count("toolchain_out_of_memory") == 1


def test_cancel_mid_calibration_stops_every_process_within_seconds(template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    faults(workspace, {"calibrate": {"slow_seconds": 120}})
    runner = double_runner()
    job = ConversionJob(runner, run_dir, cache=False)
    asked: list[float] = []
    wrapper: list[int] = []
    cancellers: list[threading.Thread] = []

    def cancel_in_calibration(event):
        if not asked and starts("calibrate")(event):
            wrapper.append(runner._process.pid)
            assert group_alive(wrapper[0]) and processes_in(workspace)  # it really runs
            asked.append(time.monotonic())
            cancellers.append(threading.Thread(target=job.cancel))
            cancellers[0].start()

    events = drain(job.events(), [], cancel_in_calibration)
    assert asked and time.monotonic() - asked[0] < 10
    assert job.verdict == "cancelled" and events[-1].details["verdict"] == "cancelled"
    assert not group_alive(wrapper[0])  # the wrapper, bash, the launcher and the tool: all gone
    # The cancel's own shell works in the run folder too and may still be finishing on a loaded
    # machine (the run ends as soon as its processes are gone): wait for it, as a caller would.
    cancellers[0].join(30)
    assert processes_in(workspace) == []
    assert not (workspace / RUNS_DIR).exists()


def test_a_detached_run_goes_on_and_is_reattached_to_the_end(template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    faults(workspace, {"calibrate": {"slow_seconds": 3}})
    runner = double_runner()
    job = ConversionJob(runner, run_dir, cache=False)
    first = drain(job.events(), [], lambda e: starts("calibrate")(e) and job.detach())
    assert not any(isinstance(e, Result) for e in first)  # the view closed: no verdict yet
    record = JobRecord.load(run_dir)
    assert record.state == "running" and record.backend == "native" and record.log_lines > 0
    pid = int((workspace / RUNS_DIR / runner.run_id / rs.WRAPPER_PID_FILE).read_text())
    assert group_alive(pid)  # the conversion goes on without the app

    later = NativeRunner.attach(record.handle, workspace, skip_lines=record.log_lines, toolchain_bin=DOUBLE_BIN,
                                poll_interval=0.1)
    resumed = ConversionJob(later, run_dir, workspace=workspace, cache=False, record=record)
    rest = list(resumed.resume())
    assert isinstance(rest[-1], Result) and rest[-1].ok
    log = (run_dir / "convert.log").read_text().splitlines()
    assert log.count("[wizard] step transform started: " + log[0].split(": ", 1)[1]) == 1  # nothing twice
    assert sum(1 for line in log if line.startswith("[wizard] step ") and " finished rc=0" in line) == 3
    assert JobRecord.load(run_dir).state == "finished"
    assert not group_alive(pid) and not (workspace / RUNS_DIR).exists()


def test_a_run_killed_from_outside_is_reported_and_not_waited_for(template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    faults(workspace, {"calibrate": {"slow_seconds": 120}})
    runner = double_runner()
    killed: list[float] = []

    def kill_it(event):  # what an OOM kill of the whole session or a reboot looks like
        if not killed and starts("calibrate")(event):
            os.killpg(runner._process.pid, signal.SIGKILL)
            killed.append(time.monotonic())

    job = ConversionJob(runner, run_dir, cache=False)
    events = drain(job.events(), [], kill_it)
    assert killed and time.monotonic() - killed[0] < 10
    assert any(isinstance(e, ProblemRaised) and e.problem.code == "native_job_vanished" for e in events)
    assert job.verdict == "conversion_failed"


def test_hostile_folder_names_stay_inert(template, tmp_path):
    run_dir = tmp_path / "a b;touch pwned" / "$(touch pwned)'x"
    copy_workspace(template, run_dir)
    job = ConversionJob(double_runner(toolchain_bin=DOUBLE_BIN), run_dir, cache=False)
    assert list(job.events())[-1].ok
    assert not list(tmp_path.rglob("pwned")) and not (Path.cwd() / "pwned").exists()


def test_a_folder_without_the_tools_is_refused_before_anything_runs(template, tmp_path):
    empty = tmp_path / "bin"
    (empty).mkdir()
    (empty / "model_transform").write_text("#!/bin/sh\n")
    (empty / "model_transform").chmod(0o755)
    with pytest.raises(WizardError) as refused:
        list(double_runner(toolchain_bin=empty).prepare())
    assert refused.value.problem.code == "native_toolchain_bin_invalid"
    assert refused.value.problem.params["missing"] == "run_calibration, model_deploy"
    report = double_runner(toolchain_bin=empty).check()
    assert not report.ready and report.environment_state == "own"


def test_cancel_before_the_start_runs_nothing(template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    runner = double_runner()
    job = ConversionJob(runner, run_dir, cache=False)
    events = drain(job.events(), [], lambda e: isinstance(e, StepStarted) and e.step == "upload" and job.cancel())
    assert job.verdict == "cancelled"
    assert not (workspace / "work").exists() and not any(isinstance(e, StepStarted) and e.step == "convert" for e in events)
    assert finished(events, "cleanup").ok


def test_the_wrapper_survives_the_app_and_its_process_group_is_its_own(template, tmp_path):
    # What closing the app from a terminal does: SIGHUP/SIGINT to the app's group must not reach it.
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    faults(workspace, {"calibrate": {"slow_seconds": 2}})
    runner = double_runner()
    for step in (runner.prepare(), runner.upload(workspace)):
        drain(step, [])
    stream = runner.run()
    for event in stream:
        if starts("calibrate")(event):
            break
    pid = runner._process.pid
    assert os.getpgid(pid) == pid != os.getpgid(0) and os.getsid(pid) == pid
    stream.close()
    runner.detach()
    deadline = time.monotonic() + 30
    code_file = workspace / RUNS_DIR / runner.run_id / rs.EXIT_CODE_FILE
    while not code_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert code_file.read_text().strip() == "0"
    drain(runner.cleanup(), [])
    assert not (workspace / RUNS_DIR).exists()


def test_memory_is_checked_against_the_recipe(template, tmp_path):
    run_dir = tmp_path / "run"
    workspace = copy_workspace(template, run_dir)
    runner = double_runner()
    drain(runner.prepare(), [])
    total = runner.setup.facts.mem_total_kb
    assert total and total > 0
    # The same host with a tenth of a gigabyte: calibration would not fit.
    from dataclasses import replace

    runner.setup.facts = replace(runner.setup.facts, mem_total_kb=100_000)
    events = drain(runner.upload(workspace), [])
    warnings = [e.problem for e in events if isinstance(e, ProblemRaised)]
    assert [w.code for w in warnings] == ["native_low_memory"] and warnings[0].severity == "warning"
    drain(runner.cleanup(), [])
    # The check before a run says the same when given the recipe; this host has enough.
    from wizard.core.plan.recipe import ConversionRecipe

    report = double_runner().check(ConversionRecipe.load(workspace / "recipe.json"))
    assert report.ready and "native_low_memory" not in [p.code for p in report.problems]


def test_subprocess_helpers_see_a_finished_group_as_gone():
    process = subprocess.Popen(["sleep", "0.1"], start_new_session=True)
    process.wait()
    assert not group_alive(process.pid)
