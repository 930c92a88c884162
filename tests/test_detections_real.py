"""The detection check against the REAL TPU-MLIR 1.7 (model_transform, run_calibration,
model_deploy, model_runner.py on the top MLIR and on the cvimodel's CV18xx simulator).

Needs TPU_MLIR_PYTHON: the python of a CPython 3.10 venv with ``tpu_mlir[onnx]==1.7`` (its bin/
holds the tools). The project's 64 px sample model is converted once (~30 s here, plus ~15 s for
the ``--quant_output`` variant). The runner is a minimal native one written here: it runs the real
model_runner.py once per input from the model's folder, as ModelRunnerBackend asks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO_ROOT, require_component
from wizard.core.detections.check import (
    MODEL_RUNNER_STEP,
    CheckOptions,
    CheckTarget,
    DetectionCheck,
    ModelRunnerJob,
    RawOutputCache,
    choose_pictures,
    model_key,
    picture_key,
)
from wizard.core.detections.decode import Thresholds
from wizard.core.detections.letterbox import Preprocess, float_side_input, int8_side_input, letterbox, load_npz, load_rgb
from wizard.core.detections.report import REPORT_FILE
from wizard.core.events import LogLine, Progress

pytestmark = [pytest.mark.real_toolchain, pytest.mark.slow]

SIZE = 64
HEADS = ",".join(f"/model.23/cv{b}.{i}/cv{b}.{i}.2/Conv_output_0" for i in range(3) for b in (2, 3))


def _toolchain_bin() -> Path:
    python = os.environ.get("TPU_MLIR_PYTHON", "")
    require_component(bool(python) and Path(python).is_file(), "TPU-MLIR 1.7 (TPU_MLIR_PYTHON)",
                      "set TPU_MLIR_PYTHON to a CPython 3.10 with tpu_mlir[onnx]==1.7 installed")
    return Path(python).parent


def _tool(bin_dir: Path, *args: str, cwd: Path) -> None:
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """A real conversion of the sample model: work/ holds the MLIR, weights, cvimodels, inputs."""
    from wizard.core.model.samples import write_sample_model

    bin_dir = _toolchain_bin()
    root = tmp_path_factory.mktemp("real")
    work, pictures = root / "work", root / "calibration"
    work.mkdir()
    pictures.mkdir()
    for path in sorted((REPO_ROOT / "resources" / "samples" / "images").glob("*.jpg")):
        shutil.copy(path, pictures / path.name)
    shutil.copy(pictures / "sample_03.jpg", root / "test.jpg")
    write_sample_model(work / "m.onnx", imgsz=(SIZE, SIZE))
    _tool(bin_dir, "model_transform", "--model_name", "m", "--model_def", "m.onnx",
          "--input_shapes", f"[[1,3,{SIZE},{SIZE}]]", "--mean", "0.0,0.0,0.0",
          "--scale", "0.0039216,0.0039216,0.0039216", "--keep_aspect_ratio", "--pixel_format", "rgb",
          "--output_names", HEADS, "--test_input", str(root / "test.jpg"), "--test_result", "m_top_outputs.npz",
          "--mlir", "m.mlir", cwd=work)
    _tool(bin_dir, "run_calibration", "m.mlir", "--dataset", str(pictures), "--input_num", "12",
          "-o", "m_calib_table", cwd=work)
    common = ["--mlir", "m.mlir", "--quantize", "INT8", "--quant_input", "--processor", "cv181x",
              "--calibration_table", "m_calib_table", "--test_input", str(root / "test.jpg"),
              "--test_reference", "m_top_outputs.npz", "--customization_format", "RGB_PACKED",
              "--fuse_preprocess", "--aligned_input"]
    _tool(bin_dir, "model_deploy", *common, "--model", "m_sym_int8.cvimodel", cwd=work)
    shutil.copy(work / "m_in_ori.npz", root / "deploy_in_ori.npz")
    shutil.copy(work / "m_in_f32.npz", root / "deploy_in_f32.npz")
    _tool(bin_dir, "model_deploy", *common, "--quant_output", "--model", "m_int8_out.cvimodel", cwd=work)
    return {"bin": bin_dir, "root": root, "work": work, "calibration": pictures, "test": root / "test.jpg"}


class RealModelRunner:
    """model_runner.py of the real toolchain, one process per input, from the model's folder."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.jobs: list[ModelRunnerJob] = []

    def cancel(self) -> None:
        pass

    def run_model_runner(self, job: ModelRunnerJob):
        self.jobs.append(job)
        env = {**os.environ, "PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
        for done, (source, out) in enumerate(zip(job.inputs, job.outputs), start=1):
            out.parent.mkdir(parents=True, exist_ok=True)
            result = subprocess.run(
                [str(self.bin_dir / "python"), str(self.bin_dir / "model_runner.py"), "--input", str(source),
                 "--model", str(job.model), "--output", str(out)],
                cwd=job.work_dir, env=env, capture_output=True, text=True, timeout=600)
            yield LogLine(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "", MODEL_RUNNER_STEP)
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
            yield Progress(MODEL_RUNNER_STEP, done / len(job.inputs), done=done, total=len(job.inputs))


def _target(converted, cvimodel: str, out: Path) -> CheckTarget:
    work = converted["work"]
    return CheckTarget(name="m", cvimodel=work / cvimodel, top_mlir=work / "m.mlir",
                       preprocess=Preprocess(SIZE, SIZE), out_dir=out, cache_dir=out / "cache",
                       class_names=("person", "car", "dog"))


def test_inputs_are_exactly_what_model_deploy_fed_the_models(converted):
    pre = Preprocess(SIZE, SIZE)
    canvas, _ = letterbox(load_rgb(converted["test"]), pre)
    deploy_raw = load_npz(converted["root"] / "deploy_in_ori.npz")
    deploy_f32 = load_npz(converted["root"] / "deploy_in_f32.npz")
    assert list(deploy_raw) == ["images_raw"] and list(deploy_f32) == ["images"]
    assert np.array_equal(int8_side_input(canvas, pre)["images_raw"], deploy_raw["images_raw"])
    assert np.array_equal(float_side_input(canvas, pre)["images"], deploy_f32["images"])


def test_the_check_runs_on_the_real_toolchain(converted, tmp_path):
    pictures, skipped = choose_pictures(converted["test"], converted["calibration"], count=4)
    runner = RealModelRunner(converted["bin"])
    # A low threshold: the sample model's random weights give low scores, and boxes are wanted.
    options = CheckOptions(thresholds=Thresholds(0.05, 0.25, "user"))
    check = DetectionCheck(_target(converted, "m_sym_int8.cvimodel", tmp_path), pictures, runner, options)
    events = list(check.run())
    report = check.report
    assert (tmp_path / REPORT_FILE).is_file() and skipped == []
    assert report.model.camera_decoder == "yolo11" and not report.model.int8_outputs
    assert report.model.num_classes == 3 and len(report.pictures) == 4
    assert all((tmp_path / p.image).is_file() for p in report.pictures)
    assert report.summary.original > 0  # the float model found something to compare
    assert [j.side for j in runner.jobs] == ["float", "int8"]
    assert sum(1 for e in events if isinstance(e, Progress) and (e.text or "").startswith("INT8")) == 4

    # The float side of the test picture is the toolchain's own reference, bit for bit.
    cache = RawOutputCache(tmp_path / "cache")
    test_key = picture_key(pictures[0].sha256, Preprocess(SIZE, SIZE))
    float_cached = cache.get(model_key(converted["work"] / "m.mlir"), test_key)
    reference = load_npz(converted["work"] / "m_top_outputs.npz")
    # (model_transform's reference holds every tensor; model_runner without --dump_all_tensors
    # gives the six outputs.)
    assert len(float_cached) == 6 and all("/model.23/cv" in k for k in float_cached)
    assert all(np.array_equal(float_cached[k], reference[k]) for k in float_cached)
    # The cvimodel's dump is trimmed to its six float outputs.
    int8_cached = cache.get(model_key(converted["work"] / "m_sym_int8.cvimodel"), test_key)
    assert len(int8_cached) == 6 and all(k.endswith("_Conv_f32") for k in int8_cached)


def test_int8_outputs_of_a_quant_output_model(converted, tmp_path):
    pictures, _ = choose_pictures(converted["test"], converted["calibration"], count=2)
    check = DetectionCheck(_target(converted, "m_int8_out.cvimodel", tmp_path), pictures,
                           RealModelRunner(converted["bin"]), CheckOptions(thresholds=Thresholds(0.05, 0.25)))
    list(check.run())
    report = check.report
    assert report.model.int8_outputs
    codes = [n.code for n in report.notes]
    assert "detections_note_int8_outputs" in codes and "detections_note_int8_scales_unknown" not in codes
    assert all(p.int8_correct_scales is not None for p in report.pictures)
