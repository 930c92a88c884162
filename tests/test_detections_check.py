"""The detection check's orchestration: pictures, inputs, runner, cache, report, drawings, events.

No toolchain runs here. The runner is an in-test stand-in for ``ModelRunnerBackend`` (the real
ones run the toolchain's model_runner.py in Docker, over SSH or natively; the toolchain double's
model_runner for the fast end-to-end test is being written separately). It reads the inputs the
check wrote, tells the pictures apart by their letterboxed pixels, and writes head tensors built
by tests/detections_encoder.py from a known scene: the float side the scene itself, the INT8 side
with one box lost, one shifted, one lowered and one extra, named as a real cvimodel run names
them (``_Conv_f32`` outputs beside internal ``_Conv`` tensors, the ``_ui8`` input).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from detections_encoder import Box, encode
from wizard.core.detections.check import (
    MODEL_RUNNER_STEP,
    CheckOptions,
    CheckTarget,
    DetectionCheck,
    ModelRunnerJob,
    choose_pictures,
    thresholds_from_flows,
    varied_sample,
)
from wizard.core.detections.decode import Thresholds
from wizard.core.detections.letterbox import Preprocess, load_npz, save_npz
from wizard.core.detections.report import REPORT_FILE, DetectionReport
from wizard.core.events import LogLine, ProblemRaised, Progress, Result
from wizard.core.messages import WizardError

SIZE = 320
SCENE = [
    Box(16, 56, 64, 88, 0, 0.90, 8),  # kept exactly
    Box(160, 96, 208, 128, 1, 0.80, 8),  # lost by INT8
    Box(64, 160, 144, 208, 2, 0.85, 16),  # shifted by INT8
    Box(192, 192, 288, 256, 3, 0.75, 32),  # lowered by INT8
]
INT8_SCENE = [
    SCENE[0],
    Box(72, 160, 152, 208, 2, 0.84, 16),
    Box(192, 192, 288, 256, 3, 0.50, 32),
    Box(256, 32, 304, 64, 4, 0.60, 8),  # extra
]
COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]
NAMES = ("person", "car", "dog", "cat", "bus")


class SceneRunner:
    """Stands in for a runner: writes head tensors for each input, in order, with progress."""

    def __init__(self, *, int8_outputs: bool = False, classify: bool = False, write: bool = True):
        self.jobs: list[ModelRunnerJob] = []
        self.int8_outputs = int8_outputs
        self.classify = classify
        self.write = write
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def _picture_index(self, inputs: dict[str, np.ndarray]) -> int:
        if "images_raw" in inputs:
            raw = inputs["images_raw"][0, 0, :, : 3 * SIZE].reshape(SIZE, SIZE, 3)
            centre = raw[SIZE // 2, SIZE // 2]
        else:
            centre = np.rint(inputs["images"][0, :, SIZE // 2, SIZE // 2] / np.float32(0.0039216))
        return min(range(len(COLOURS)), key=lambda i: np.abs(np.array(COLOURS[i]) - centre).sum())

    def run_model_runner(self, job: ModelRunnerJob):
        self.jobs.append(job)
        for done, (source, out) in enumerate(zip(job.inputs, job.outputs), start=1):
            inputs = load_npz(source)
            index = self._picture_index(inputs)
            yield LogLine(f"model_runner.py --input {source.name}", MODEL_RUNNER_STEP)
            if self.classify:
                outputs = {"output0_Gemm": np.zeros((1, 5), dtype=np.float32)}
            elif job.side == "float":
                assert list(inputs) == ["images"] and inputs["images"].shape == (1, 3, SIZE, SIZE)
                outputs = encode(SCENE if index < 2 else [], size=SIZE, num_classes=5, suffix="_Conv")
            else:
                assert list(inputs) == ["images_raw"] and inputs["images_raw"].shape == (1, 1, SIZE, 960)
                scene = INT8_SCENE if index == 0 else SCENE if index == 1 else []
                heads = encode(scene, size=SIZE, num_classes=5, suffix="_Conv")
                if self.int8_outputs:
                    outputs = {k: _int8(v, n) for n, (k, v) in enumerate(heads.items())}
                else:
                    outputs = {**{k + "_f32": v for k, v in heads.items()},
                               **{k: np.zeros_like(v) for k, v in heads.items()},
                               "_ui8": np.zeros((1, 1, 1, 3 * SIZE * SIZE), dtype=np.float32),
                               "/model.4/Split_output_0_Split": np.zeros((1, 8, 40, 40), dtype=np.float32)}
            if self.write:
                save_npz(out, outputs)
            yield Progress(MODEL_RUNNER_STEP, done / len(job.inputs), done=done, total=len(job.inputs))


def _int8(tensor: np.ndarray, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).uniform(-2, 2, tensor.shape).astype(np.float32)
    tensor = np.where((tensor == 0) | (tensor == np.float32(-20)), tensor + noise, tensor)
    scale = np.float32(np.abs(tensor).max() / 127)
    return (np.clip(np.rint(tensor / scale), -128, 127).astype(np.float32) * scale).astype(np.float32)


def _pictures(folder: Path) -> list[Path]:
    """Landscape, portrait and square pictures, each one flat colour (how the runner tells them)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for (w, h), colour, name in zip([(640, 480), (480, 640), (500, 500)], COLOURS, ["wide", "tall", "square"]):
        path = folder / f"{name}.png"
        Image.new("RGB", (w, h), colour).save(path)
        paths.append(path)
    return paths


def _target(tmp_path: Path) -> CheckTarget:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "m_sym_int8.cvimodel").write_bytes(b"CviModel" + b"\0" * 64)
    (work / "m.mlir").write_text('module @m attributes {module.weight_file = "m_top_f32_all_weight.npz"} {}\n')
    (work / "m_top_f32_all_weight.npz").write_bytes(b"weights")
    return CheckTarget(name="m", cvimodel=work / "m_sym_int8.cvimodel", top_mlir=work / "m.mlir",
                       preprocess=Preprocess(SIZE, SIZE, pad_value=114), out_dir=tmp_path,
                       cache_dir=work / "detections_cache", class_names=NAMES)


def _run(check: DetectionCheck) -> list:
    return list(check.run())


def _check(tmp_path, runner, options=CheckOptions(), pictures=None):
    pictures = pictures or choose_pictures(check_dir=tmp_path / "pictures")[0]
    return DetectionCheck(_target(tmp_path), pictures, runner, options)


def test_a_full_check_writes_the_report_and_the_drawings(tmp_path):
    _pictures(tmp_path / "pictures")
    runner = SceneRunner()
    check = _check(tmp_path, runner)
    events = _run(check)

    assert [j.side for j in runner.jobs] == ["float", "int8"]
    assert runner.jobs[0].model.name == "m.mlir" and runner.jobs[1].model.name == "m_sym_int8.cvimodel"
    assert runner.jobs[0].work_dir == tmp_path / "work"
    assert set(runner.jobs[1].keep) == {f"/model.23/cv{b}.{i}/cv{b}.{i}.2/Conv_output_0" for b in (2, 3) for i in range(3)}
    report = DetectionReport.load(tmp_path / REPORT_FILE)
    assert report == check.report
    by_name = {p.name: p for p in report.pictures}
    assert [p.name for p in report.pictures][0] == "wide.png"  # the changed picture first
    wide = by_name["wide.png"]
    assert (len(wide.matched), len(wide.missed), len(wide.extra)) == (3, 1, 1)
    assert wide.original[wide.missed[0]].label == "car" and wide.int8[wide.extra[0]].label == "bus"
    # 640x480 into 320: scale 0.5, offset y 40 -> input (16, 56, 64, 88) is (32, 32, 128, 96).
    kept = next(b for b in wide.original if b.label == "person")
    assert (kept.x1, kept.y1, kept.x2, kept.y2) == (32, 32, 128, 96)
    assert by_name["tall.png"].agreement == 1.0 and by_name["square.png"].original == []
    s = report.summary
    assert (s.original, s.int8, s.matched, s.missed, s.extra) == (8, 8, 7, 1, 1)
    assert report.verdict.code == "detections_verdict_fair"
    assert report.thresholds == {"score": 0.45, "iou": 0.25, "source": "model_node_default"}
    assert report.model.camera_decoder == "yolo11" and not report.model.int8_outputs
    for picture in report.pictures:
        with Image.open(tmp_path / picture.image) as drawing:
            assert drawing.width > 2 * 320 and drawing.format == "PNG"
    # Equal agreement keeps the pictures' order (square.png before tall.png by name).
    assert sorted(p.name for p in (tmp_path / "detections").iterdir()) == [
        "01_wide.png", "02_square.png", "03_tall.png"]
    assert not (tmp_path / "work" / "detections_cache" / "inputs").exists()  # inputs removed
    assert isinstance(events[-1], Result) and events[-1].details["verdict"] == "detections_verdict_fair"
    assert json.loads((tmp_path / REPORT_FILE).read_text())["schema_version"] == 1


def test_progress_per_picture_with_an_estimate_after_the_first(tmp_path):
    _pictures(tmp_path / "pictures")
    events = _run(_check(tmp_path, SceneRunner()))
    int8 = [e for e in events if isinstance(e, Progress) and e.text.startswith("INT8")]
    assert [(e.done, e.total) for e in int8] == [(1, 3), (2, 3), (3, 3)]
    assert [e.fraction for e in int8] == pytest.approx([1 / 3, 2 / 3, 1])
    assert all("left" in e.text for e in int8[:2]) and "left" not in int8[-1].text
    assert any(isinstance(e, LogLine) and e.step == MODEL_RUNNER_STEP for e in events)  # passed through


def test_new_thresholds_re_decode_without_the_runner_and_same_ones_reuse_the_report(tmp_path):
    _pictures(tmp_path / "pictures")
    first = SceneRunner()
    _run(_check(tmp_path, first))
    assert len(first.jobs) == 2

    again = SceneRunner()
    events = _run(_check(tmp_path, again, CheckOptions(thresholds=Thresholds(0.55, 0.25, "user"))))
    assert again.jobs == []  # every output came from the cache
    assert any(isinstance(e, Progress) and "Reusing the saved outputs of 3" in e.text for e in events)
    report = DetectionReport.load(tmp_path / REPORT_FILE)
    wide = next(p for p in report.pictures if p.name == "wide.png")
    assert sorted(b.score for b in wide.int8) == pytest.approx([0.6, 0.84, 0.9])  # the 0.50 box is below 0.55
    assert report.thresholds["source"] == "user"

    same = SceneRunner()
    events = _run(_check(tmp_path, same, CheckOptions(thresholds=Thresholds(0.55, 0.25, "user"))))
    assert same.jobs == []
    assert [e.problem.code for e in events if isinstance(e, ProblemRaised)] == ["detections_report_reused"]
    assert isinstance(events[-1], Result)


def test_int8_output_models_show_the_cameras_swapped_scales(tmp_path):
    _pictures(tmp_path / "pictures")
    check = _check(tmp_path, SceneRunner(int8_outputs=True))
    _run(check)
    report = check.report
    assert report.model.int8_outputs
    assert "detections_note_int8_outputs" in [n.code for n in report.notes]
    assert all(p.int8_correct_scales is not None for p in report.pictures)


def test_unreadable_pictures_are_skipped_with_the_reason(tmp_path):
    paths = _pictures(tmp_path / "pictures")
    broken = tmp_path / "pictures" / "broken.png"
    broken.write_bytes(paths[0].read_bytes()[:60])  # a PNG cut short
    (tmp_path / "pictures" / "notes.txt").write_text("not a picture")
    pictures, skipped = choose_pictures(check_dir=tmp_path / "pictures")
    check = DetectionCheck(_target(tmp_path), pictures, SceneRunner(), skipped=skipped)
    events = _run(check)
    assert [s.source for s in check.report.skipped] == [str(broken)]
    assert check.report.skipped[0].message.code == "detections_picture_unreadable"
    assert "broken.png" in check.report.skipped[0].message.text()[0]
    assert any(isinstance(e, ProblemRaised) and e.problem.code == "detections_picture_unreadable" for e in events)
    assert len(check.report.pictures) == 3


def test_a_model_without_detection_heads_gets_a_clear_message(tmp_path):
    _pictures(tmp_path / "pictures")
    with pytest.raises(WizardError) as error:
        _run(_check(tmp_path, SceneRunner(classify=True)))
    assert error.value.problem.code == "detections_heads_classify"
    assert "classification" in error.value.problem.message
    assert not (tmp_path / REPORT_FILE).exists()


def test_a_runner_that_writes_nothing_is_reported(tmp_path):
    _pictures(tmp_path / "pictures")
    with pytest.raises(WizardError) as error:
        _run(_check(tmp_path, SceneRunner(write=False)))
    assert error.value.problem.code == "detections_runner_no_output"


def test_cancel_stops_the_check_and_keeps_finished_outputs(tmp_path):
    _pictures(tmp_path / "pictures")
    check = _check(tmp_path, SceneRunner())
    with pytest.raises(WizardError) as error:
        for event in check.run():
            if isinstance(event, Progress) and event.text.startswith("INT8") and event.done == 1:
                check.cancel()
    assert error.value.problem.code == "detections_cancelled"
    assert check.backend.cancelled
    resumed = SceneRunner()
    _run(_check(tmp_path, resumed))
    assert [len(j.inputs) for j in resumed.jobs] == [2]  # float all cached, INT8 only the two left


def test_thresholds_from_the_cameras_flow():
    node = {"id": "n1", "type": "model", "tscore": "0.5", "tiou": 0.4, "uri": ""}
    assert thresholds_from_flows([{"type": "tab"}, node]) == Thresholds(0.5, 0.4, "camera_flow")
    assert thresholds_from_flows([{**node, "d": True}]) is None  # disabled
    assert thresholds_from_flows([{**node, "tscore": "high"}]) is None
    assert thresholds_from_flows([{**node, "tscore": 45}]) is None  # not a fraction
    assert thresholds_from_flows([]) is None


def test_pictures_test_picture_first_then_a_varied_calibration_sample(tmp_path):
    calibration = tmp_path / "calibration"
    calibration.mkdir()
    for i in range(16):
        Image.new("RGB", (64, 48), (128, 128, 128)).save(calibration / f"grey_{i:02d}.jpg")
    distinct = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    for i, colour in enumerate(distinct):
        Image.new("RGB", (64, 48), colour).save(calibration / f"colour_{i}.jpg")
    test = tmp_path / "test.jpg"
    Image.new("RGB", (64, 48), (10, 10, 10)).save(test)
    pictures, skipped = choose_pictures(test, calibration, count=6)
    assert pictures[0].path == test and pictures[0].role == "test" and skipped == []
    names = sorted(p.name for p in pictures[1:])
    assert [n for n in names if n.startswith("colour")] == [f"colour_{i}.jpg" for i in range(4)]
    assert len(names) == 5
    assert varied_sample([calibration / "grey_00.jpg"], 3) == [calibration / "grey_00.jpg"]


def test_target_from_a_conversion_workspace(tmp_path):
    from wizard.core.plan.recipe import ConversionRecipe

    recipe = ConversionRecipe(name="shop", input_shape=(1, 3, 320, 320), class_names=("person", "bag"), task="detect")
    target = CheckTarget.from_workspace(tmp_path, recipe)
    assert target.cvimodel == tmp_path / "work" / "shop_sym_int8.cvimodel"
    assert target.top_mlir == tmp_path / "work" / "shop.mlir"
    assert (target.preprocess.height, target.preprocess.width, target.preprocess.fused) == (320, 320, True)
    assert target.class_names == ("person", "bag") and target.task == "detect"
    assert target.out_dir == tmp_path
    unknown = CheckTarget.from_workspace(tmp_path, ConversionRecipe(name="x"))
    assert unknown.task is None and unknown.class_names == ()
