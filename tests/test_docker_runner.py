"""DockerRunner and the conversion job against the REAL Docker engine, through the TPU-MLIR double.

Every test checks a real outcome: files in the run folder, containers as the engine lists them,
exit codes of the real CLI process. Inputs are small (a 320x320 YOLO11-shaped model, 12 photos)
so each conversion takes a few seconds on 2 cores.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from docker_support import cli, docker_client, make_inputs, run_containers, toolchain_double_image, wait_until  # noqa: F401 (fixtures)

pytestmark = pytest.mark.docker

FAULTS_FILE = "toolchain_double_faults.json"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return make_inputs(tmp_path_factory.mktemp("inputs"))


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """The app's own folders (calibration cache, job history) inside tmp for this test."""
    folder = tmp_path / "home"
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(folder))
    return folder


def _convert(inputs, run_dir: Path, image: str, *extra: str, env: dict | None = None):
    model, images = inputs
    return cli(["convert", "--model", str(model), "--images", str(images), "--calibration-count", "12",
                "--out", str(run_dir), "--image", image, *extra], env=env)


def _stage(inputs, workspace: Path, image: str, faults: dict | None = None, **choices):
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace

    model, images = inputs
    staged = stage_workspace(ConversionChoices(model=str(model), images=str(images), out=str(workspace),
                                               calibration_count=12, toolchain_image=image, **choices))
    if faults:
        (workspace / FAULTS_FILE).write_text(json.dumps(faults), encoding="utf-8")
    return staged


def _job(run_dir: Path, image: str, recipe, cache=False):
    from wizard.core.runners.docker.runner import DockerRunner
    from wizard.core.runners.job import ConversionJob

    runner = DockerRunner(image, recipe=recipe)
    return ConversionJob(runner, run_dir, cache=cache), runner


def _follow_in_background(job):
    """Consume the job's events in a thread; ``calibrating`` is set once calibration starts."""
    from wizard.core.events import StepStarted

    seen: list = []
    calibrating = threading.Event()

    def consume():
        for event in job.events():
            seen.append(event)
            if isinstance(event, StepStarted) and event.step == "calibrate":
                calibrating.set()

    thread = threading.Thread(target=consume)
    thread.start()
    return seen, calibrating, thread


def _cvimodel_header(path: Path) -> tuple[bytes, int, str]:
    data = path.read_bytes()
    magic, body_size = data[:8], struct.unpack("<I", data[8:12])[0]
    chip = data[30:46].split(b"\0")[0].decode()
    return magic, body_size, chip


# --- a whole conversion --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_run(inputs, toolchain_double_image, tmp_path_factory):
    """One full conversion by the CLI into a folder whose path has a space and Japanese."""
    base = tmp_path_factory.mktemp("runs")
    home = base / "home"
    run_dir = base / "変換 結果" / "run 1"
    result = _convert(inputs, run_dir, toolchain_double_image, env={"RECAMERA_WIZARD_HOME": str(home)})
    return result, run_dir, home


def test_full_conversion_leaves_the_bundle(first_run, docker_client):
    result, run_dir, _ = first_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    model = run_dir / "yolo11n_sym_int8.cvimodel"
    magic, body_size, chip = _cvimodel_header(model)
    assert (magic, chip) == (b"CviModel", "cv181x") and body_size > 0
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert results["verdict"] == "success" and results["exit_code"] == 0
    assert results["paths"]["model"] == model.name
    assert [s["name"] for s in results["steps"]] == ["transform", "calibrate", "deploy"]
    tpu_vs_top = next(c for c in results["compare"] if c["step"] == "deploy" and c["kind"] == "tpu_vs_top")
    assert tpu_vs_top["passed"] is True and 0.8 < tpu_vs_top["min_similarity"]["cosine"] <= 1.0
    assert results["model_check"]["ok"] is True and results["model_check"]["chip"] == "cv181x"
    assert results["toolchain_image"]["id"].startswith("sha256:")
    log = (run_dir / "convert.log").read_text(encoding="utf-8")
    assert "[wizard] step deploy finished rc=0" in log and "min_similiarity" in log
    assert json.loads((run_dir / "recipe.json").read_text(encoding="utf-8"))["name"] == "yolo11n"
    record = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    assert record["state"] == "finished" and record["verdict"] == "success"
    assert run_containers(docker_client, record["run_id"]) == []


def test_reproduce_script_reruns_from_the_bundle(first_run, docker_client):
    _, run_dir, _ = first_run
    proc = subprocess.run(["bash", "reproduce.sh"], cwd=run_dir, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    produced = list(run_dir.glob("reproduced-*/work/yolo11n_sym_int8.cvimodel"))
    assert len(produced) == 1 and _cvimodel_header(produced[0])[0] == b"CviModel"
    assert "skipped (cached)" not in proc.stdout  # a reproduction runs every step
    leftovers = docker_client.containers.list(all=True, filters={"label": "org.recamera-wizard.role=reproduce"})
    assert leftovers == []


def test_second_run_reuses_the_calibration(first_run, inputs, toolchain_double_image):
    _, first_dir, home = first_run
    run_dir = first_dir.parent / "run 2"
    # Only a deploy option changes: the calibration comes from the cache. model_transform runs
    # again (seconds) to remake its float reference, which runs do not bring back (kept_files).
    result = _convert(inputs, run_dir, toolchain_double_image, "--tolerance", "0.85,0.45",
                      env={"RECAMERA_WIZARD_HOME": str(home)})
    assert result.returncode == 0, result.stdout + result.stderr
    log = (run_dir / "convert.log").read_text(encoding="utf-8")
    assert "[wizard] step transform started" in log
    assert "[wizard] step calibrate skipped (cached)" in log
    assert "[wizard] step deploy started" in log and "run_calibration" not in log
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert results["calibration_cache"]["restored"] is True
    assert results["verdict"] == "success"


def test_hostile_model_name_is_harmless(inputs, toolchain_double_image, tmp_path, home):
    run_dir = tmp_path / "run"
    hostile = '$(touch /workspace/work/PWNED); `touch /tmp/x`"; rm -rf / #\n'
    result = _convert(inputs, run_dir, toolchain_double_image, "--name", hostile, "--json-events")
    assert result.returncode == 0, result.stdout + result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]  # every line is one event
    assert events[-1]["type"] == "Result" and events[-1]["ok"] is True
    assert {"StepStarted", "StepFinished", "LogLine", "Progress"} <= {e["type"] for e in events}
    models = list(run_dir.glob("*.cvimodel"))
    assert len(models) == 1 and all(c.isalnum() or c in "_-." for c in models[0].name)
    assert not (run_dir / "workspace" / "work" / "PWNED").exists()
    assert not list(run_dir.rglob("PWNED"))


# --- failures and cancel -------------------------------------------------------------------------


def test_exit_137_gives_the_memory_message(inputs, toolchain_double_image, tmp_path, docker_client):
    staged = _stage(inputs, tmp_path / "run" / "workspace", toolchain_double_image,
                    faults={"launcher": "direct", "calibrate": {"exit": 137}})
    job, runner = _job(tmp_path / "run", toolchain_double_image, staged.recipe)
    events = list(job.events())
    from wizard.core.events import ProblemRaised, Result
    from wizard.cli.output import verdict_exit_code

    assert job.verdict == "conversion_failed" and verdict_exit_code(job.verdict) == 3
    assert job.exit_code == 137
    codes = [e.problem.code for e in events if isinstance(e, ProblemRaised)]
    assert "toolchain_out_of_memory" in codes
    memory = next(e.problem for e in events if isinstance(e, ProblemRaised) and e.problem.code == "toolchain_out_of_memory")
    assert "out of memory during calibrate" in memory.message and "fewer calibration images" in memory.fix
    assert isinstance(events[-1], Result) and not events[-1].ok
    results = json.loads((tmp_path / "run" / "results.json").read_text(encoding="utf-8"))
    assert results["verdict"] == "conversion_failed"
    assert run_containers(docker_client, runner.run_id) == []


def test_cancel_in_calibration_removes_the_container_within_10s(inputs, toolchain_double_image, tmp_path,
                                                                 docker_client):
    from wizard.core.events import Result

    staged = _stage(inputs, tmp_path / "run" / "workspace", toolchain_double_image,
                    faults={"calibrate": {"slow_seconds": 120}})
    job, runner = _job(tmp_path / "run", toolchain_double_image, staged.recipe)
    volumes_before = {v.name for v in docker_client.volumes.list()}
    seen, calibrating, thread = _follow_in_background(job)
    assert calibrating.wait(60), [type(e).__name__ for e in seen]
    assert len(run_containers(docker_client, runner.run_id)) == 1  # it really is running
    started = time.monotonic()
    job.cancel()
    gone = wait_until(lambda: run_containers(docker_client, runner.run_id) == [], timeout=10)
    elapsed = time.monotonic() - started
    thread.join(30)
    assert gone, f"container still there after {elapsed:.1f} s"
    assert elapsed < 10
    assert not thread.is_alive()
    assert job.verdict == "cancelled"
    assert isinstance(seen[-1], Result) and seen[-1].details["verdict"] == "cancelled"
    assert {v.name for v in docker_client.volumes.list()} - volumes_before == set()


def test_ctrl_c_in_the_cli_cancels_cleanly(inputs, toolchain_double_image, tmp_path, docker_client):
    """The CLI's own Ctrl-C path (signal handler → cancel in a thread → exit 130)."""
    _stage(inputs, tmp_path / "run" / "workspace", toolchain_double_image,
           faults={"calibrate": {"slow_seconds": 120}})
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import sys\n"
        "from wizard.cli.convert import EventPrinter, _drive\n"
        "from wizard.core.runners.docker.runner import DockerRunner\n"
        "from wizard.core.runners.job import ConversionJob\n"
        f"runner = DockerRunner({toolchain_double_image!r}, sys.argv[1])\n"
        f"job = ConversionJob(runner, {str(tmp_path / 'run')!r}, cache=False)\n"
        "sys.exit(_drive(job, job.events(), EventPrinter(False, verbose=True)))\n",
        encoding="utf-8",
    )
    run_id = "ctrlc-" + os.urandom(3).hex()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, str(driver), run_id], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if "==> calibrate" in line:
            break
    assert run_containers(docker_client, run_id), "".join(lines)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130, "".join(lines) + rest
    assert time.monotonic() - started < 10
    assert run_containers(docker_client, run_id) == []
    assert "Traceback" not in rest
    assert json.loads((tmp_path / "run" / "results.json").read_text())["verdict"] == "cancelled"


def test_reattach_after_the_app_was_killed(inputs, toolchain_double_image, tmp_path, docker_client, home):
    """The app dies mid-calibration; `convert --resume` finds the container and finishes the run
    with a complete log (no line lost, none repeated)."""
    _stage(inputs, tmp_path / "run" / "workspace", toolchain_double_image,
           faults={"calibrate": {"slow_seconds": 4}})
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import sys\n"
        "from wizard.core.runners.docker.runner import DockerRunner\n"
        "from wizard.core.runners.job import ConversionJob\n"
        f"job = ConversionJob(DockerRunner({toolchain_double_image!r}, sys.argv[1]), {str(tmp_path / 'run')!r}, cache=False)\n"
        "for e in job.events():\n"
        "    if type(e).__name__ == 'StepStarted' and e.step == 'calibrate':\n"
        "        print('CALIBRATING', flush=True)\n",
        encoding="utf-8",
    )
    run_id = "reattach-" + os.urandom(3).hex()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.Popen([sys.executable, str(driver), run_id], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "CALIBRATING"
    time.sleep(1.0)  # the record saves the log position every 2 s: let some lines be counted
    proc.kill()  # like closing the app abruptly: no cleanup runs
    proc.wait(10)
    assert run_containers(docker_client, run_id), "the conversion must go on without the app"

    result = cli(["convert", "--resume", "--out", str(tmp_path / "run")])
    assert result.returncode == 0, result.stdout + result.stderr
    log = (tmp_path / "run" / "convert.log").read_text(encoding="utf-8")
    for step in ("transform", "calibrate", "deploy"):
        assert log.count(f"[wizard] step {step} started") == 1, step
        assert log.count(f"[wizard] step {step} finished rc=0") == 1, step
    assert log.count("[Running]: tpuc-opt") == len(set(
        line for line in log.splitlines() if line.startswith("[Running]: tpuc-opt")))
    assert (tmp_path / "run" / "yolo11n_sym_int8.cvimodel").is_file()
    assert "IMAGE_ID=sha256:" in (tmp_path / "run" / "reproduce.sh").read_text(encoding="utf-8")
    assert run_containers(docker_client, run_id) == []


def test_resume_of_a_vanished_run_says_so(inputs, toolchain_double_image, tmp_path, home):
    from wizard.core.runners.record import JobRecord

    _stage(inputs, tmp_path / "run" / "workspace", toolchain_double_image)
    JobRecord(run_id="gone-000000", backend="docker", where="local", run_dir=str(tmp_path / "run"),
              image=toolchain_double_image, state="running").save()
    result = cli(["convert", "--resume", "--out", str(tmp_path / "run")])
    assert result.returncode == 4
    assert "no longer running" in result.stderr and "Traceback" not in result.stderr
    record = json.loads((tmp_path / "run" / "job.json").read_text(encoding="utf-8"))
    assert (record["state"], record["verdict"]) == ("finished", "infrastructure_failed")  # never "running" again


# --- the engine itself ---------------------------------------------------------------------------


def test_engine_not_reachable_is_a_clear_message(inputs, tmp_path):
    closed = tmp_path / "closed.sock"
    import socket

    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(closed))  # a socket file nobody listens on: "connection refused"
    sock.close()
    result = _convert(inputs, tmp_path / "run", "recamera-wizard/toolchain:1.7",
                      env={"DOCKER_HOST": f"unix://{closed}"})
    assert result.returncode == 4, result.stdout + result.stderr
    assert "engine is not running" in result.stderr
    assert f"unix://{closed}" in result.stderr
    assert "Start Docker Desktop" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()  # nothing staged for a run that cannot start


def test_missing_image_offers_to_get_it(inputs, tmp_path, docker_client, home):
    result = _convert(inputs, tmp_path / "run", "recamera-wizard/toolchain:0.0-missing")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "is not on this computer yet" in result.stderr
    assert "recamera-wizard toolchain-image build" in result.stderr
    assert "Traceback" not in result.stderr


def test_ssh_backend_usage_is_checked_before_staging(inputs, tmp_path):
    model, images = inputs
    result = cli(["convert", "--model", str(model), "--images", str(images), "--out", str(tmp_path / "run"),
                  "--backend", "ssh"])
    assert result.returncode == 2
    assert "--host USER@HOST" in result.stderr and not (tmp_path / "run").exists()


def test_resume_of_a_finished_run_points_to_its_results(first_run):
    _, run_dir, _ = first_run
    result = cli(["convert", "--resume", "--out", str(run_dir)])
    assert result.returncode == 0
    assert "already finished (success)" in result.stderr and str(run_dir) in result.stderr


def test_reattach_refuses_a_run_whose_upload_never_finished(toolchain_double_image, docker_client):
    from wizard.core.messages import WizardError
    from wizard.core.runners.docker.runner import DockerRunner

    run_id = "halfupload-" + os.urandom(3).hex()
    docker_client.containers.create(toolchain_double_image, ["bash", "convert.sh"],
                                    name=f"recamera-wizard-{run_id}",
                                    labels={"org.recamera-wizard.role": "conversion",
                                            "org.recamera-wizard.run-id": run_id})
    with pytest.raises(WizardError) as err:
        DockerRunner.reattach(run_id, image=toolchain_double_image, client=docker_client)
    assert err.value.problem.code == "run_not_found"
    assert run_containers(docker_client, run_id) == []  # removed, not started


def test_a_dropped_log_stream_is_followed_again_without_loss(inputs, toolchain_double_image, tmp_path,
                                                             docker_client):
    """The log connection ends early once (as when a remote engine's connection drops): the
    runner follows again and the log comes out complete, no line twice."""
    from wizard.core.runners.docker.runner import DockerRunner
    from wizard.core.runners.job import ConversionJob

    class DroppingRunner(DockerRunner):
        calls = 0

        def _log_frames(self):
            DroppingRunner.calls += 1
            frames = super()._log_frames()
            if DroppingRunner.calls == 1:
                for _ in range(5):
                    yield next(frames)
                frames.close()  # the connection "drops" here
                return
            yield from frames

    staged = _stage(inputs, tmp_path / "run" / "workspace", toolchain_double_image)
    runner = DroppingRunner(toolchain_double_image, recipe=staged.recipe)
    job = ConversionJob(runner, tmp_path / "run", cache=False)
    list(job.events())
    assert job.verdict == "success" and DroppingRunner.calls >= 2
    log = (tmp_path / "run" / "convert.log").read_text(encoding="utf-8")
    for step in ("transform", "calibrate", "deploy"):
        assert log.count(f"[wizard] step {step} started") == 1
    assert log.count("npz compare PASSED.") == 3
    assert run_containers(docker_client, runner.run_id) == []


def test_detach_leaves_the_run_going_and_reattach_finishes_it(inputs, toolchain_double_image, tmp_path,
                                                              docker_client, home):
    """The window closes mid-calibration: the job lets go (no cleanup), the container keeps
    running, and a later re-attach brings the results home."""
    from wizard.core.events import Result
    from wizard.core.runners.job import reattach

    staged = _stage(inputs, tmp_path / "run" / "workspace", toolchain_double_image,
                    faults={"calibrate": {"slow_seconds": 5}})
    job, runner = _job(tmp_path / "run", toolchain_double_image, staged.recipe)
    seen, calibrating, thread = _follow_in_background(job)
    assert calibrating.wait(60)
    job.detach()
    thread.join(3)
    assert not thread.is_alive(), "events must end promptly after detach"
    assert not any(isinstance(e, Result) for e in seen)
    assert [c.status for c in run_containers(docker_client, runner.run_id)] == ["running"]
    assert json.loads((tmp_path / "run" / "job.json").read_text())["state"] == "running"

    resumed = reattach(tmp_path / "run", cache=False)
    events = list(resumed.resume())
    assert resumed.verdict == "success" and isinstance(events[-1], Result)
    log = (tmp_path / "run" / "convert.log").read_text(encoding="utf-8")
    for step in ("transform", "calibrate", "deploy"):
        assert log.count(f"[wizard] step {step} started") == 1, step
    assert run_containers(docker_client, runner.run_id) == []


# --- converting again into a run folder ------------------------------------------------------


def test_a_failed_rerun_keeps_the_earlier_result_and_a_good_one_replaces_it(inputs, toolchain_double_image,
                                                                           tmp_path, home):
    """Toolchain double in the real engine: a good run, a re-run whose deploy fails, a good re-run."""
    run_dir = tmp_path / "run"
    first = _convert(inputs, run_dir, toolchain_double_image)
    assert first.returncode == 0, first.stdout + first.stderr
    model = run_dir / "yolo11n_sym_int8.cvimodel"
    earlier = {name: (run_dir / name).read_bytes()
               for name in (model.name, "convert.log", "results.json", "recipe.json", "job.json")}

    # work/ is kept by staging and uploaded: the double finds its faults there.
    faults = run_dir / "workspace" / "work" / FAULTS_FILE
    faults.write_text(json.dumps({"deploy": {"exit": 1}}), encoding="utf-8")
    failed = _convert(inputs, run_dir, toolchain_double_image)
    assert failed.returncode == 3, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stderr
    kept = run_dir / "previous-run"
    assert {name: (kept / name).read_bytes() for name in earlier} == earlier  # byte for byte
    assert f"kept in {kept}" in failed.stderr
    assert not model.exists()  # the failed run's folder does not pass the old model off as its own
    assert json.loads((run_dir / "results.json").read_text(encoding="utf-8"))["verdict"] == "conversion_failed"
    assert json.loads((run_dir / "job.json").read_text(encoding="utf-8"))["state"] == "finished"

    # A second failure must not push the good result out for the failed one.
    failed_again = _convert(inputs, run_dir, toolchain_double_image)
    assert failed_again.returncode == 3
    assert {name: (kept / name).read_bytes() for name in earlier} == earlier

    faults.unlink()
    good = _convert(inputs, run_dir, toolchain_double_image)
    assert good.returncode == 0, good.stdout + good.stderr
    assert not kept.exists() and model.is_file()
    assert "was replaced by this run's" in good.stderr


# --- every exit path leaves a final record --------------------------------------------------------


def _read_until(proc: subprocess.Popen, marker: str) -> list[str]:
    """The child's lines up to the first one holding ``marker``."""
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if marker in line:
            break
    return lines


def _start_cli(args: list[str], home: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONUNBUFFERED="1", RECAMERA_WIZARD_HOME=str(home))
    return subprocess.Popen([sys.executable, "-m", "wizard", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO_ROOT)


def test_ctrl_c_twice_records_the_run_as_cancelled_and_says_what_was_kept(inputs, toolchain_double_image,
                                                                         tmp_path, docker_client, home):
    """Toolchain double: calibration made slow; the CLI gets two SIGINTs, as from a hurried user."""
    run_dir = tmp_path / "run"
    _stage(inputs, run_dir / "workspace", toolchain_double_image)
    faults = run_dir / "workspace" / "work" / FAULTS_FILE  # work/ survives the CLI's staging
    faults.parent.mkdir(parents=True, exist_ok=True)
    faults.write_text(json.dumps({"calibrate": {"slow_seconds": 120}}), encoding="utf-8")
    model, images = inputs
    proc = _start_cli(["convert", "--model", str(model), "--images", str(images), "--calibration-count", "12",
                       "--out", str(run_dir), "--image", toolchain_double_image, "--no-cache"], home)
    lines = _read_until(proc, "==> calibrate")
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)  # a hurried second press, while the first cancel is still under way
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    output = "".join(lines) + rest
    assert proc.returncode == 130, output
    assert "Traceback" not in output
    record = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    assert (record["state"], record["verdict"]) == ("finished", "cancelled")
    assert json.loads((run_dir / "results.json").read_text(encoding="utf-8"))["verdict"] == "cancelled"
    assert f"Stopped at once: the run in {run_dir} is recorded as cancelled" in output
    assert run_containers(docker_client, record["run_id"]) == []


def test_ctrl_c_while_preparing_images_is_recorded_and_leaves_no_empty_workspace(toolchain_double_image,
                                                                                tmp_path, home):
    """No toolchain is reached: the Ctrl-C lands while the 300 photos are checked."""
    from fs_support import model_and_photos

    model, images = model_and_photos(tmp_path / "inputs", 300, (1024, 768))
    run_dir = tmp_path / "run"
    proc = _start_cli(["convert", "--model", str(model), "--images", str(images), "--calibration-count", "12",
                       "--out", str(run_dir), "--image", toolchain_double_image], home)
    lines = _read_until(proc, "images ")
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    output = "".join(lines) + rest
    assert proc.returncode == 130, output
    assert "Traceback" not in output
    assert "Cancelled before the conversion started" in output
    assert not (run_dir / "workspace").exists()
    record = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    assert (record["state"], record["verdict"]) == ("finished", "cancelled")


def test_a_cancel_says_which_steps_the_next_run_really_skips(inputs, toolchain_double_image, tmp_path, home):
    """Toolchain double: with the calibration cached, a cancel during deploy names transform and
    calibrate; with no cache and a fresh folder, it says the next run starts from the beginning."""
    from wizard.core.events import ProblemRaised, StepStarted
    from wizard.core.runners.calibration_cache import CalibrationCache

    cache = CalibrationCache(home / "cache")
    staged = _stage(inputs, tmp_path / "warm" / "workspace", toolchain_double_image)
    job, _ = _job(tmp_path / "warm", toolchain_double_image, staged.recipe, cache=cache)
    list(job.events())
    assert job.verdict == "success" and cache.has(staged.recipe)

    for run, step, job_cache, expected in (("cached", "deploy", cache, "conversion_cancelled_reusing"),
                                           ("fresh", "calibrate", False, "conversion_cancelled")):
        staged = _stage(inputs, tmp_path / run / "workspace", toolchain_double_image,
                        faults={step: {"slow_seconds": 120}})
        job, _ = _job(tmp_path / run, toolchain_double_image, staged.recipe, cache=job_cache)
        seen = []
        for event in job.events():
            seen.append(event)
            if isinstance(event, StepStarted) and event.step == step:
                threading.Thread(target=job.cancel).start()
        cancelled = [e.problem for e in seen if isinstance(e, ProblemRaised) and e.problem.code.startswith("conversion_cancelled")]
        assert [p.code for p in cancelled] == [expected], run
        if run == "cached":
            assert "will be skipped: transform, calibrate;" in cancelled[0].fix
        else:
            assert "It starts from the beginning" in cancelled[0].fix


@pytest.fixture
def small_run_drive(tmp_path):
    """A 1.5 MB file system of its own: room for the staged inputs, not for the results."""
    from fs_support import small_tmpfs

    with small_tmpfs(tmp_path / "drive", "1500k") as mount_point:
        yield mount_point


def test_the_run_folder_filling_after_the_conversion_is_a_message_and_a_final_record(inputs, toolchain_double_image,
                                                                                     small_run_drive, home):
    """Toolchain double; the kernel's own "No space left on device" from a real tiny tmpfs, while
    the results come back or while the detection check writes its pictures: a message either way."""
    run_dir = small_run_drive / "run"
    result = _convert(inputs, run_dir, toolchain_double_image, "--no-cache", env={"RECAMERA_WIZARD_HOME": str(home)})
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode == 0:
        # The lean download fitted; the detection check then filled the drive: said, model kept.
        assert "The detection check could not write its results into" in result.stderr, result.stderr
        assert json.loads((run_dir / "job.json").read_text(encoding="utf-8"))["verdict"] == "success"
        assert list(run_dir.glob("*.cvimodel"))
        return
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"The results could not be written into the run folder {run_dir}" in result.stderr
    record = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    assert (record["state"], record["verdict"]) == ("finished", "infrastructure_failed")
    recipe = run_dir / "recipe.json"
    assert not recipe.exists() or json.loads(recipe.read_text(encoding="utf-8"))  # whole, never 0 bytes
