"""A damaged model, or one the camera's YOLO decoder cannot read, is never sent to the camera.

Through the deploy path (plan_deploy / run_deploy, and ``recamera-wizard deploy`` as a subprocess)
against the loopback reCamera simulator (tests/recamera_sim): nothing reaches the device and the
model it had stays. Toolchain: the double's cvimodel writer for the fast tests; the REAL tpu_mlir
1.7 wheel (tpuc-opt via tests/cvimodel_factory.py) for the ones marked real_toolchain.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cvimodel_factory import YoloSpec, build_cvimodel, cut, double_cvimodel, filler_body, flip_byte, yolo11_heads
from recamera_sim.fixtures import loopback_only, sim, state_dir  # noqa: F401  (pytest fixtures; loopback_only is autouse)
from toolchain_double.tpu_mlir_double.cvimodel_file import YOLO11_HEAD_NAMES
from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy
from wizard.core.events import Result
from wizard.core.messages import WizardError

REPO = Path(__file__).resolve().parent.parent
DAMAGE = {"cut_to_a_third": cut, "flipped_byte": flip_byte, "filler_body": filler_body}
CLASSES = ("cat", "dog")


def _request(sim, model: Path, state_dir: Path) -> DeployRequest:
    return DeployRequest(str(model), device=sim.device, classes=CLASSES, node_red_port=sim.nodered_port,
                         state_dir=str(state_dir))


def _device_state(sim) -> tuple:
    return sim.active_model.read_bytes(), sim.active_info.read_text(), dict(sim.loaded_model), json.dumps(sim.flows)


def _cli_deploy(sim, model: Path, state_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), RECAMERA_WIZARD_LANG="en")
    return subprocess.run([sys.executable, "-m", "wizard", "deploy", str(model), "--device", sim.device,
                           "--classes", ",".join(CLASSES), "--node-red-port", str(sim.nodered_port),
                           "--state-dir", str(state_dir)], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=60)


def assert_refused_and_nothing_sent(sim, model: Path, state_dir: Path, code: str) -> str:
    before = _device_state(sim)
    with pytest.raises(WizardError) as exc:
        plan_deploy(_request(sim, model, state_dir))
    assert exc.value.problem.code == code
    message = exc.value.problem.message
    assert "Nothing was sent" in message or "nothing was sent" in message
    proc = _cli_deploy(sim, model, state_dir)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert sim.requests == [] and sim.nodered_requests == []  # not even a discovery request
    assert _device_state(sim) == before
    return message


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_model_is_never_sent(sim, state_dir, tmp_path, damage):
    sound = double_cvimodel(tmp_path / "helmet_cv181x_int8_sym.cvimodel", num_classes=2, file_size=1_300_000)
    bad = DAMAGE[damage](sound, tmp_path / f"{damage}.cvimodel")
    message = assert_refused_and_nothing_sent(sim, bad, state_dir, "deploy_model_damaged")
    assert str(bad) in message and "its current model stays" in message


def test_model_the_decoder_cannot_read_is_never_sent(sim, state_dir, tmp_path):
    three = double_cvimodel(tmp_path / "three.cvimodel", num_classes=2, output_names=YOLO11_HEAD_NAMES[:3])
    message = assert_refused_and_nothing_sent(sim, three, state_dir, "deploy_model_not_for_decoder")
    assert "has 3 outputs" in message
    with pytest.raises(WizardError) as exc:
        plan_deploy(_request(sim, three, state_dir))
    assert "/model.N/cv2.i/cv2.i.2/Conv_output_0" in exc.value.problem.fix


def _deploy_ok(sim, model: Path, state_dir: Path) -> None:
    events = list(run_deploy(plan_deploy(_request(sim, model, state_dir))))
    result = events[-1]
    assert isinstance(result, Result) and result.ok, [getattr(e, "problem", None) for e in events]
    assert sim.active_model.read_bytes() == model.read_bytes()
    assert sim.loaded_model["md5"] == hashlib.md5(model.read_bytes()).hexdigest()


def test_sound_model_of_the_double_deploys(sim, state_dir, tmp_path):
    _deploy_ok(sim, double_cvimodel(tmp_path / "ok.cvimodel", num_classes=2, file_size=1_300_000), state_dir)


@pytest.mark.real_toolchain
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_real_model_is_never_sent(sim, state_dir, tmp_path, damage):
    """REAL wheel: the model is built by tpuc-opt (cvimodel_factory), then damaged."""
    bad = DAMAGE[damage](build_cvimodel(YoloSpec()), tmp_path / f"{damage}.cvimodel")
    assert_refused_and_nothing_sent(sim, bad, state_dir, "deploy_model_damaged")


@pytest.mark.real_toolchain
def test_real_models_deploy_or_are_refused_by_the_decoder_check(sim, state_dir):
    """REAL wheel: a guide-built model deploys; one with three head outputs is refused before upload."""
    refused = build_cvimodel(YoloSpec(heads=yolo11_heads(2)[:3]))
    assert_refused_and_nothing_sent(sim, refused, state_dir, "deploy_model_not_for_decoder")
    _deploy_ok(sim, build_cvimodel(YoloSpec()), state_dir)
