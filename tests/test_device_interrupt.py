"""Ctrl-C (and Cancel) during a deploy: every way out says what was done and what was kept.

Against the loopback reCamera simulator (tests/recamera_sim), slowed down on demand so a real
SIGINT can land in the middle of a step of the real CLI. No toolchain is used.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from recamera_sim import FACTORY_MODEL_URI
from recamera_sim.fixtures import cvimodel, sim, state_dir, loopback_only  # noqa: F401  (pytest fixtures; loopback_only is autouse)
from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy
from wizard.core.events import LogLine, ProblemRaised, Progress, Result, StepStarted

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _start(sim, model, state_dir, lang="en"):
    env = dict(os.environ, PYTHONPATH=REPO, RECAMERA_WIZARD_LANG=lang, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "wizard", "deploy", str(model), "--device", sim.device, "--classes", "cat,dog",
         "--node-red-port", str(sim.nodered_port), "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)


def _interrupt_when(proc, marker: str, pause: float = 0.2) -> tuple[str, str]:
    """Read stdout until ``marker`` shows, then Ctrl-C (SIGINT to this child only)."""
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = proc.stdout.readline()
        if not text:
            break
        seen.append(text)
        if marker in text:
            time.sleep(pause)
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=60)
    return "".join(seen) + out, err


def test_ctrl_c_during_the_upload_says_the_camera_still_runs_its_model(sim, cvimodel, state_dir):
    before = sim.active_model.read_bytes()
    sim.misbehave("/api/deviceMgr/uploadModel", delay=1.5, pass_through=True, skip=1)  # chunk 2 takes long
    proc = _start(sim, cvimodel, state_dir)
    out, err = _interrupt_when(proc, "upload  40%")
    assert proc.returncode == 130
    assert "Traceback" not in out + err
    assert "The deploy was stopped during upload (Ctrl-C or Cancel)." in err
    assert "The upload stopped at 524288 of 1300000 bytes" in out and "temporary file first" in out
    assert "still runs the model it ran before" in out
    assert sim.active_model.read_bytes() == before and sim.model_node()["uri"] == FACTORY_MODEL_URI
    assert list((state_dir / "restore-points").glob("*/*")) == []  # nothing changed: nothing to restore


def test_ctrl_c_during_the_upload_in_japanese(sim, cvimodel, state_dir):
    sim.misbehave("/api/deviceMgr/uploadModel", delay=1.5, pass_through=True, skip=1)
    proc = _start(sim, cvimodel, state_dir, lang="ja")
    out, err = _interrupt_when(proc, "upload  40%")
    assert proc.returncode == 130 and "Traceback" not in err
    assert "デプロイを中止しました" in err and "一時ファイル" in out and "以前と同じモデルのまま" in out


def test_ctrl_c_while_node_red_switches_says_it_may_run_either_and_where_the_old_one_is(sim, cvimodel, state_dir):
    sim.misbehave("/flows", delay=2.0, pass_through=True, method="POST")
    proc = _start(sim, cvimodel, state_dir)
    out, err = _interrupt_when(proc, "previous flow saved", pause=0.5)
    assert proc.returncode == 130 and "Traceback" not in out + err
    assert "The deploy was stopped during switch" in err
    assert "may already run it, or still the previous one" in out
    point = next((state_dir / "restore-points").glob("*/*"))
    assert f"kept in {point}" in out and "deploy --restore" in out
    assert (point / "model.cvimodel").is_file() and (point / "flows.json").is_file()


def _run_until(sim, model, state_dir, stop):
    """The deploy generator, with Ctrl-C delivered at the first event ``stop`` accepts (the way
    the CLI hands a Ctrl-C that lands between two events to the paused generator)."""
    request = DeployRequest(str(model), device=sim.device, classes=("a",), node_red_port=sim.nodered_port,
                            state_dir=str(state_dir))
    stream = run_deploy(plan_deploy(request))
    events = []
    for event in stream:
        events.append(event)
        if stop(event):
            events.extend([stream.throw(KeyboardInterrupt()), *stream])
            break
    return events


def _notes(events):
    return [e.problem for e in events if isinstance(e, ProblemRaised) and e.problem.severity == "info"]


@pytest.mark.parametrize("where, stop, state, kept", [
    ("before the upload", lambda e: isinstance(e, StepStarted) and e.step == "upload",
     "deploy_state_unchanged", False),
    ("after the first chunk", lambda e: isinstance(e, Progress), "deploy_state_upload_partial", False),
    ("after the upload", lambda e: isinstance(e, StepStarted) and e.step == "verify",
     "deploy_state_stored_not_active", True),
    ("before Node-RED is asked", lambda e: isinstance(e, LogLine) and "previous flow saved" in e.text,
     "deploy_state_stored_not_active", True),
])
def test_every_stop_ends_with_what_runs_and_what_was_kept(sim, cvimodel, state_dir, where, stop, state, kept):
    events = _run_until(sim, cvimodel, state_dir, stop)
    result = events[-1]
    assert isinstance(result, Result) and not result.ok and result.details["failure"] == "cancelled", where
    codes = [p.code for p in _notes(events)]
    assert state in codes, (where, codes)
    assert ("deploy_kept" in codes) == kept, (where, codes)
    assert sim.model_node()["uri"] == FACTORY_MODEL_URI  # never switched
