"""The detection check against the REAL TPU-MLIR 1.7, through the real Docker engine and the real sshd.

Toolchain: REAL (recamera-wizard-test/toolchain-real:1.7-<digest>, built from a CPython 3.10 on
this machine by tests/real_toolchain.py, as every real test finds it; never the double).
The model is tests/detecting_model.py's YOLO11-shaped detector with designed weights (320 px):
planted coloured squares give float detections exactly where they were planted. It is converted
by `recamera-wizard convert` (real model_transform, run_calibration, model_deploy), which then runs
the check by default: the top MLIR through the real model_runner.py, the cvimodel on the CV18xx
simulator, on held-out pictures whose planted squares are known.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from detecting_model import CLASS_NAMES, Detection, make_pictures, match_detections, write_detecting_model
from docker_support import cli, docker_client  # noqa: F401 (fixtures)
from real_toolchain import run_in_image, toolchain_real_image  # noqa: F401 (fixtures)
from sshd_support import make_server
from wizard.core.detections.backends.local_docker import DockerModelRunner
from wizard.core.detections.backends.vm_docker import VmModelRunner
from wizard.core.detections.check import (
    CheckOptions,
    CheckTarget,
    DetectionCheck,
    RawOutputCache,
    choose_pictures,
    model_key,
    picture_key,
)
from wizard.core.detections.decode import Thresholds
from wizard.core.detections.letterbox import Preprocess, float_side_input, int8_side_input, letterbox, load_npz, load_rgb
from wizard.core.detections.report import DetectionReport
from wizard.core.detections.service import CACHE_DIR, RunFolder, run_check
from wizard.core.runners.factory import RunnerSpec

pytestmark = [pytest.mark.real_toolchain, pytest.mark.docker, pytest.mark.slow]

SIZE = 320
CHECKED = 4


@pytest.fixture(scope="module")
def real_run(toolchain_real_image, tmp_path_factory):
    """A real conversion of the detecting model, with the check on 4 held-out pictures."""
    root = tmp_path_factory.mktemp("real-detections")
    model = write_detecting_model(root / "yolo11.onnx", SIZE, "yolo11")
    make_pictures(root / "calibration", 12, SIZE, seed=0)
    truth = make_pictures(root / "held_out", CHECKED, SIZE, seed=1)
    run_dir = root / "run"
    result = cli(["convert", "--model", str(model), "--images", str(root / "calibration"), "--calibration-count",
                  "12", "--out", str(run_dir), "--image", toolchain_real_image,
                  "--check-pictures", str(root / "held_out"), "--check-count", str(CHECKED)],
                 env={"RECAMERA_WIZARD_HOME": str(root / "home")}, timeout=1200)
    return {"result": result, "run": run_dir, "root": root, "truth": truth}


def _detections(boxes) -> list[Detection]:
    return [Detection(b.class_id, b.score, (b.x1, b.y1, b.x2, b.y2)) for b in boxes]


def _counts_add_up(report: DetectionReport) -> None:
    for p in report.pictures:
        assert len(p.matched) + len(p.missed) == len(p.original), p.name
        assert len(p.matched) + len(p.extra) == len(p.int8), p.name
    s = report.summary
    assert s.matched + s.missed == s.original and s.matched + s.extra == s.int8
    assert s.original == sum(len(p.original) for p in report.pictures)


def test_convert_then_the_check_with_the_real_model_runner(real_run):
    result, run_dir, truth = real_run["result"], real_run["run"], real_run["truth"]
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    assert "==> detections" in result.stdout and "agreement (recall" in result.stdout
    assert "Traceback" not in result.stderr
    report = DetectionReport.load(run_dir / "detections.json")
    assert report.model.camera_decoder == "yolo11" and not report.model.int8_outputs
    assert report.model.class_names == list(CLASS_NAMES)
    assert sorted(p.name for p in report.pictures) == sorted(truth)
    _counts_add_up(report)
    planted = sum(len(v) for v in truth.values())
    for picture in report.pictures:
        # The float side's boxes are where the squares were planted (same class, IoU >= 0.5).
        pairs, missed, extra = match_detections(truth[picture.name], _detections(picture.original))
        assert (missed, extra) == ([], []), picture.name
        assert (run_dir / picture.image).is_file()
    assert report.summary.original == planted
    # Designed weights quantize cleanly: the INT8 side finds (nearly) every planted square too.
    assert report.summary.matched >= 0.9 * planted and report.summary.agreement >= 0.9
    # The simulator's ~3 s a picture was reported as progress with an estimate after the first.
    assert "INT8 model on the simulator: picture 1 of 4" in result.stderr


def test_the_inputs_are_exactly_what_model_deploy_fed_the_models(real_run):
    run_dir = real_run["run"]
    work = run_dir / "workspace" / "work"
    pre = Preprocess.from_recipe(RunFolder(run_dir).recipe)
    canvas, _ = letterbox(load_rgb(run_dir / "workspace" / "image" / "test.jpg"), pre)
    # model_deploy's own fused input comes back with the run (kept_files); its float twin
    # (_in_f32.npz) is the same pixels as float and stays where the run ran.
    deploy_raw = load_npz(work / "yolo11_in_ori.npz")
    assert list(deploy_raw) == ["images_raw"]
    assert np.array_equal(int8_side_input(canvas, pre)["images_raw"], deploy_raw["images_raw"])
    assert np.array_equal(float_side_input(canvas, pre)["images"], _float_from_fused(deploy_raw["images_raw"], pre))


def _float_from_fused(raw: np.ndarray, pre: Preprocess) -> np.ndarray:
    """model_deploy's uint8 RGB input (1, 1, S, align64(3S)) as the float model's (1, 3, S, S)."""
    size = raw.shape[2]
    pixels = raw.reshape(size, -1)[:, : 3 * size].reshape(size, size, 3).astype(np.float32)
    mean, scale = (np.asarray(v, dtype=np.float32).reshape(1, 1, 3) for v in (pre.mean, pre.scale))
    return ((pixels - mean) * scale).transpose(2, 0, 1)[None].astype(np.float32)


def test_the_float_side_is_the_toolchains_own_reference_bit_for_bit(real_run, tmp_path, toolchain_real_image,
                                                                    docker_client):
    """The test picture through the check: its float outputs equal what the real model_runner
    gives for model_deploy's own input on the top MLIR (the float reference model_deploy uses)."""
    run_dir = shutil.copytree(real_run["run"], tmp_path / "run")
    work = run_dir / "workspace" / "work"
    pre = Preprocess.from_recipe(RunFolder(run_dir).recipe)
    np.savez(work / "reference_in.npz", images=_float_from_fused(load_npz(work / "yolo11_in_ori.npz")["images_raw"], pre))
    code, output = run_in_image(docker_client, toolchain_real_image, work,
                                "model_runner.py --input reference_in.npz --model yolo11.mlir --output reference_out.npz")
    assert code == 0, output[-2000:]
    events = list(run_check(run_dir, count=2, backend=DockerModelRunner(toolchain_real_image)))
    assert events[-1].details["outcome"] == "checked", events[-3:]
    folder = RunFolder(run_dir)
    target = folder.target()
    test_picture = run_dir / "workspace" / "image" / "test.jpg"
    from wizard.core.checksums import sha256_file

    cache = RawOutputCache(run_dir / CACHE_DIR)
    key = picture_key(sha256_file(test_picture), target.preprocess)
    cached = cache.get(model_key(target.top_mlir), key)
    reference = load_npz(work / "reference_out.npz")
    assert cached is not None and len(cached) == 6 and all("/model.23/cv" in k for k in cached)
    assert all(np.array_equal(cached[k], reference[k]) for k in cached)
    # The cvimodel's 20-odd dumped tensors came back trimmed to its six float outputs.
    int8 = cache.get(model_key(target.cvimodel), key)
    assert int8 is not None and len(int8) == 6 and all(k.endswith("_Conv_f32") for k in int8)


@pytest.mark.ssh
def test_the_check_over_the_real_sshd_gives_the_same_detections(real_run, tmp_path):
    """The same pictures on the "VM" (this machine behind sshd, its Docker): the simulator is
    deterministic, so the report's boxes equal the local Docker ones."""
    run_dir = shutil.copytree(real_run["run"], tmp_path / "run")
    shutil.rmtree(run_dir / CACHE_DIR)  # model_runner must run again, over there
    local = DetectionReport.load(run_dir / "detections.json")
    (run_dir / "detections.json").unlink()
    server = make_server(tmp_path / "sshd")
    try:
        spec = RunnerSpec(backend="ssh", host=server.target, key_file=str(server.client_key),
                          accept_fingerprint=server.fingerprint())
        # The conversion's spec; the test's own known_hosts file and no SSH agent of the machine.
        backend = VmModelRunner.from_spec(spec, RunFolder(run_dir).toolchain_image,
                                          credentials=replace(spec.ssh_credentials(), allow_agent=False),
                                          host_keys=replace(spec.host_key_policy(), app_known_hosts=tmp_path / "known_hosts"))
        check = run_check(run_dir, backend=backend, pictures_dir=real_run["root"] / "held_out", count=CHECKED)
        events = list(check)
    finally:
        server.stop()
    assert events[-1].details["outcome"] == "checked", events[-3:]
    remote = DetectionReport.load(run_dir / "detections.json")
    _counts_add_up(remote)
    assert [(p.name, p.original, p.int8) for p in remote.pictures] == [(p.name, p.original, p.int8) for p in local.pictures]
    assert remote.summary == local.summary
    assert backend.bytes_received > 0
    runs = server.home / ".recamera-wizard" / "runs"
    assert not runs.exists() or list(runs.iterdir()) == []


def test_int8_outputs_of_a_quant_output_model(real_run, tmp_path, toolchain_real_image, docker_client):
    """model_deploy --quant_output by hand in the run's work/: int8 outputs, which the camera
    reads with swapped scales; the check shows that and the correct reading."""
    workspace = Path(shutil.copytree(real_run["run"] / "workspace", tmp_path / "workspace"))
    # The run brought back the top MLIR and model_deploy's fused input, not the float reference
    # (kept_files): remake the reference from that input with the real model_runner first.
    remake_reference = (
        "python3 -c \"import numpy as np; r = np.load('yolo11_in_ori.npz')['images_raw']; s = r.shape[2]; "
        "p = r.reshape(s, -1)[:, :3 * s].reshape(s, s, 3).astype(np.float32); "
        "np.savez('yolo11_in_f32.npz', images=(p * np.float32(0.0039216)).transpose(2, 0, 1)[None])\" && "
        "model_runner.py --input yolo11_in_f32.npz --model yolo11.mlir --output yolo11_top_outputs.npz && ")
    code, log = run_in_image(docker_client, toolchain_real_image, workspace, (
        "cd work && " + remake_reference + "model_deploy --mlir yolo11.mlir --quantize INT8 --quant_input --quant_output --processor cv181x "
        "--calibration_table yolo11_calib_table --test_input ../image/test.jpg --test_reference yolo11_top_outputs.npz "
        "--customization_format RGB_PACKED --fuse_preprocess --aligned_input --model yolo11_int8_out.cvimodel"))
    assert code == 0, log[-3000:]
    recipe = RunFolder(real_run["run"]).recipe
    target = replace(CheckTarget.from_workspace(workspace, recipe), cvimodel=workspace / "work" / "yolo11_int8_out.cvimodel",
                     out_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    pictures, _ = choose_pictures(check_dir=real_run["root"] / "held_out", count=2)
    check = DetectionCheck(target, pictures, DockerModelRunner(toolchain_real_image),
                           CheckOptions(thresholds=Thresholds(0.45, 0.25, "user")))
    list(check.run())
    report = check.report
    assert report.model.int8_outputs
    codes = [n.code for n in report.notes]
    assert "detections_note_int8_outputs" in codes and "detections_note_int8_scales_unknown" not in codes
    assert all(p.int8_correct_scales is not None for p in report.pictures)
    _counts_add_up(report)
