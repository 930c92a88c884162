"""The detection check on the Results page, through the real window over qasync.

The check is the core's own DetectionCheck (pictures chosen by choose_pictures, letterboxed inputs,
the raw-output cache, the camera's decoder, matching, detections.json and the drawings), with one
stand-in: ``SceneRunner`` plays ModelRunnerBackend (no toolchain, neither real nor the double: the
GUI is what is tested here). It tells the flat-colour pictures apart by their letterboxed pixels and
writes head tensors built by tests/detections_encoder.py: the float side four boxes, the INT8 side
the same minus ``k % 3`` of them for picture k, so the pictures' agreements and order are known.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from detections_encoder import Box, encode
from test_gui_support import (  # noqa: F401 - fixtures
    gui_home,
    loop,
    make_window,
    run,
    services,
    wait_for,
)
from wizard.core.detections.check import CheckOptions, CheckTarget, DetectionCheck, choose_pictures
from wizard.core.detections.letterbox import Preprocess, load_npz, save_npz
from wizard.core.detections.report import REPORT_FILE, DetectionReport
from wizard.core.events import LogLine, Progress
from wizard.gui.services import GuiDetectionCheck

pytestmark = pytest.mark.gui

SIZE = 320
NAMES = ("person", "car", "dog", "cat", "bus")
SCENE = [
    Box(16, 56, 64, 88, 0, 0.90, 8),
    Box(160, 96, 208, 128, 1, 0.80, 8),
    Box(64, 160, 144, 208, 2, 0.85, 16),
    Box(192, 192, 288, 256, 3, 0.75, 32),
]


def colour(k: int) -> tuple[int, int, int]:
    return (10 + 12 * k, 250 - 12 * k, 128)


def lost(k: int) -> int:
    return k % 3


class SceneRunner:
    """ModelRunnerBackend stand-in: head tensors of a known scene per picture, with pacing."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.gate = threading.Event()  # cleared: wait before each INT8 picture after the first
        self.gate.set()
        self.cancelled = threading.Event()
        self.int8_done = 0
        self.sides: list[str] = []

    def cancel(self) -> None:
        self.cancelled.set()

    def _picture(self, inputs) -> int:
        if "images_raw" in inputs:
            centre = inputs["images_raw"][0, 0, :, : 3 * SIZE].reshape(SIZE, SIZE, 3)[SIZE // 2, SIZE // 2]
        else:
            centre = np.rint(inputs["images"][0, :, SIZE // 2, SIZE // 2] / np.float32(0.0039216))
        return min(range(20), key=lambda k: np.abs(np.array(colour(k)) - centre).sum())

    def run_model_runner(self, job):
        self.sides.append(job.side)
        for done, (source, out) in enumerate(zip(job.inputs, job.outputs), start=1):
            if job.side == "int8" and done > 1:
                while not self.gate.wait(0.02):
                    if self.cancelled.is_set():
                        return
            if self.cancelled.is_set():
                return
            k = self._picture(load_npz(source))
            yield LogLine(f"model_runner.py --input {source.name} --model {job.model.name}", "model_runner")
            time.sleep(self.delay)
            if job.side == "float":
                save_npz(out, encode(SCENE, size=SIZE, num_classes=len(NAMES), suffix="_Conv"))
            else:
                heads = encode(SCENE[: len(SCENE) - lost(k)], size=SIZE, num_classes=len(NAMES), suffix="_Conv")
                save_npz(out, {**{name + "_f32": v for name, v in heads.items()},
                               **{name: np.zeros_like(v) for name, v in heads.items()}})
                self.int8_done = done
            yield Progress("model_runner", done / len(job.inputs), done=done, total=len(job.inputs))


def make_run(folder: Path, pictures: int = 6) -> Path:
    """A finished run folder: results.json (ok), the two models, the test picture (k = 0) and
    calibration pictures (k = 1 ...)."""
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"ok": True, "verdict": "success"}), encoding="utf-8")
    work = folder / "work"
    work.mkdir()
    (work / "helmet_sym_int8.cvimodel").write_bytes(b"CviModel" + bytes(64))
    (work / "helmet.mlir").write_text('module @m attributes {module.weight_file = "w.npz"} {}\n')
    (work / "w.npz").write_bytes(b"weights")
    make_pictures(folder, [0])  # the test picture
    make_pictures(folder / "calibration", range(1, pictures))
    return folder


def make_pictures(folder: Path, indices, size=(640, 480)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k in indices:
        Image.new("RGB", size, colour(k)).save(folder / f"picture_{k:02d}.png")
    return folder


class SceneCheck(GuiDetectionCheck):
    """What Services.run_detection_check returns, made of the core's DetectionCheck."""

    def __init__(self, run_dir: str, count: int, pictures_dir: str | None, runner: SceneRunner, thresholds=None):
        self.run_dir = run_dir
        self.thresholds = thresholds
        self.count = count
        self.pictures_dir = pictures_dir
        self.runner = runner
        self.check: DetectionCheck | None = None
        self.cancel_called = threading.Event()

    def events(self):
        run = Path(self.run_dir)
        target = CheckTarget(name="helmet", cvimodel=run / "work" / "helmet_sym_int8.cvimodel",
                             top_mlir=run / "work" / "helmet.mlir", preprocess=Preprocess(SIZE, SIZE, pad_value=114),
                             out_dir=run, cache_dir=run / "work" / "detections_cache", class_names=NAMES)
        if self.pictures_dir:
            pictures, skipped = choose_pictures(check_dir=Path(self.pictures_dir), count=self.count)
        else:
            calibration = run / "calibration"
            pictures, skipped = choose_pictures(test_picture=run / "picture_00.png",
                                                calibration_dir=calibration, count=self.count)
        options = CheckOptions(count=self.count, **({"thresholds": self.thresholds} if self.thresholds else {}))
        self.check = DetectionCheck(target, pictures, self.runner, options, skipped)
        yield from self.check.run()

    def cancel(self) -> None:
        self.cancel_called.set()
        if self.check is not None:
            self.check.cancel()


def checks_with(services, runner: SceneRunner) -> list[SceneCheck]:
    made: list[SceneCheck] = []

    def factory(run_dir, ssh, count, pictures_dir, thresholds):
        made.append(SceneCheck(run_dir, count, pictures_dir, runner, thresholds))
        return made[-1]

    services.detection_factory = factory
    return made


def saved_check(run_dir: Path, count: int = 6) -> DetectionReport:
    """A check made before the window opened (as `recamera-wizard compare` would)."""
    list(SceneCheck(str(run_dir), count, None, SceneRunner()).events())
    return DetectionReport.load(run_dir / REPORT_FILE)


def open_results(window, loop, run_dir: Path):
    window.welcome_page.open_run(str(run_dir))
    assert window.ctx.flow.current == "results"
    run(loop, window.ctx.idle())
    return window.pages["results"]


def test_a_saved_check_shows_the_figure_and_the_gallery_worst_first_without_running_again(
        make_window, loop, tmp_path, services):
    run_dir = make_run(tmp_path / "run")
    saved = saved_check(run_dir)
    made = checks_with(services, SceneRunner())
    window = make_window()
    page = open_results(window, loop, run_dir)
    panel = page.detections
    run(loop, wait_for(lambda: panel.gallery.loaded, what="drawings decoded"))

    assert made == [] and services.detection_calls == []  # re-opening never runs the check
    assert page.agreement_box.isVisibleTo(page) and page.metrics_box.parentWidget() is page.agreement_box.parentWidget()
    # 6 pictures, 4 boxes each on the float side; INT8 lost 0, 1, 2, 0, 1, 2: 18 of 24 kept.
    s = saved.summary
    assert (s.original, s.int8, s.matched) == (24, 18, 18)
    figure = panel.figure.label.text()
    assert f"{s.agreement * 100:.0f}%" in figure
    assert "INT8 still finds 18 of the original's 24 boxes (recall 75%)" in figure
    assert "18 of INT8's 18 boxes are also the original's (precision 100%)" in figure
    assert "some detections change" in figure  # 86%: fair
    assert any("On 6 pictures" in t for t in panel.verdict.texts())
    assert panel.suggestions.texts() and panel.suggest_box.isVisibleTo(page)

    tiles = panel.gallery.tiles
    assert [t.record.rank for t in tiles] == [1, 2, 3, 4, 5, 6]
    agreements = [t.record.agreement for t in tiles]
    assert agreements == sorted(agreements) and agreements[0] < 1.0 == agreements[-1]
    assert all(t.has_image() for t in tiles)
    assert "4 kept · 0 missed · 0 extra" in tiles[-1].caption.text()
    assert "2 kept · 2 missed · 0 extra" in tiles[0].caption.text()
    # The classes the INT8 model lost most come first in the table.
    assert panel.class_table.labels()[0] in ("cat", "dog") and panel.class_table.rowCount() == 4
    assert panel.check_button.text() == "Check again"

    tiles[0].clicked.emit(0)
    dialog = panel.gallery.dialog
    assert dialog is not None and dialog.isVisible()
    run(loop, wait_for(dialog.has_image, what="the enlarged drawing"))
    assert dialog.image.pixmap().width() > tiles[0].image.pixmap().width()
    assert dialog.windowTitle() == f"1. {tiles[0].record.name}"
    assert "2 kept · 2 missed" in dialog.caption.text()
    assert not dialog.previous_button.isEnabled()
    dialog.next_button.click()
    assert dialog.index == 1 and dialog.windowTitle().startswith("2. ")
    run(loop, wait_for(dialog.has_image, what="the next drawing"))
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_the_check_runs_with_progress_per_picture_and_shows_its_result(make_window, loop, tmp_path, services):
    run_dir = make_run(tmp_path / "run")
    runner = SceneRunner(delay=0.05)
    runner.gate.clear()
    made = checks_with(services, runner)
    window = make_window()
    page = open_results(window, loop, run_dir)
    panel = page.detections
    assert panel.report is None and panel.check_button.isVisibleTo(page)
    assert panel.check_button.text() == "Check detections"
    assert "Not checked yet" in panel.figure.label.text()
    panel.count_spin.setValue(4)
    panel.check_button.click()
    assert services.detection_calls[-1][2] == 4 and services.detection_calls[-1][3] is None
    run(loop, wait_for(lambda: runner.int8_done == 1, what="the first INT8 picture"))
    run(loop, wait_for(lambda: "INT8" in panel.progress_text.text(), what="progress text"))
    # One picture of four done: the bar says so, the text names it and gives an estimate.
    assert (panel.progress.value(), panel.progress.maximum()) == (1, 4)
    assert "picture 1 of 4" in panel.progress_text.text() and "left" in panel.progress_text.text()
    assert panel.cancel_button.isVisibleTo(page) and not panel.check_button.isEnabled()
    assert "Checking" in panel.figure.label.text()
    assert panel.log.line_count() >= 5  # the runner's lines, behind "Show the toolchain's messages"
    runner.gate.set()
    run(loop, panel.wait())
    assert not panel.running() and not panel.cancel_button.isVisibleTo(page)
    assert panel.report is not None and len(panel.report.pictures) == 4
    assert (run_dir / REPORT_FILE).is_file()
    run(loop, wait_for(lambda: panel.gallery.loaded, what="drawings decoded"))
    assert len(panel.gallery.tiles) == 4 and panel.gallery_box.isVisibleTo(page)
    assert panel.check_button.text() == "Check again" and panel.check_button.isEnabled()
    assert made[0].cancel_called.is_set() is False


def test_the_cameras_own_thresholds_are_read_before_the_check_and_shown(make_window, loop, tmp_path, services):
    """The real Services.camera_thresholds against the loopback camera simulator's Node-RED
    (tests/recamera_sim; its model node has 0.62 / 0.33); the check itself is the scene double."""
    from recamera_sim import ReCameraSimulator, closed_loopback_port
    from wizard.core.detections.decode import Thresholds

    run_dir = make_run(tmp_path / "run")
    checks_with(services, SceneRunner())
    window = make_window()
    window.ctx.settings.device_host = "127.0.0.1"
    page = open_results(window, loop, run_dir)
    panel = page.detections
    assert "127.0.0.1" in panel.camera_thresholds_box.text() and panel.camera_thresholds_box.isVisibleTo(page)
    with ReCameraSimulator(tmp_path / "camera") as camera:
        services.node_red_port = camera.nodered_port
        panel.camera_thresholds_box.setChecked(True)
        panel.check_button.click()
        run(loop, wait_for(lambda: services.detection_calls, what="the check started"))
        run(loop, panel.wait())
    assert services.detection_calls[-1][4] == Thresholds(0.62, 0.33, "camera_flow")
    assert panel.report is not None and panel.report.thresholds == {"score": 0.62, "iou": 0.33, "source": "camera_flow"}
    assert "0.62" in panel.thresholds_label.text() and "your camera's flow" in panel.thresholds_label.text()
    assert camera.deploys == []  # read only

    # The camera unplugged: its message, and no check runs.
    services.node_red_port = closed_loopback_port()
    panel.check_button.click()
    run(loop, wait_for(lambda: not panel.running(), what="the camera read given up"))
    assert [p.code for p in panel.problems.problems()] == ["detections_camera_unreachable"]
    assert len(services.detection_calls) == 1 and panel.check_button.isEnabled()


def test_cancel_really_stops_the_check_and_keeps_nothing_half_done(make_window, loop, tmp_path, services):
    run_dir = make_run(tmp_path / "run")
    runner = SceneRunner()
    runner.gate.clear()  # stays after the first INT8 picture until cancelled
    made = checks_with(services, runner)
    window = make_window()
    page = open_results(window, loop, run_dir)
    panel = page.detections
    panel.check_button.click()
    run(loop, wait_for(lambda: runner.int8_done == 1, what="the first INT8 picture"))
    panel.cancel_button.click()
    run(loop, panel.wait())
    assert made[0].cancel_called.is_set() and runner.cancelled.is_set()
    assert not panel.running()
    assert not (run_dir / REPORT_FILE).exists() and panel.report is None
    assert any(p.code == "detections_cancelled" for p in panel.problems.problems())
    assert panel.check_button.isVisibleTo(page) and panel.check_button.isEnabled()
    assert panel.check_button.text() == "Check detections"
    # The next run continues from the outputs already saved: no float pass, five INT8 pictures.
    runner.cancelled.clear()
    runner.gate.set()
    panel.check_button.click()
    run(loop, panel.wait())
    assert panel.report is not None and len(panel.report.pictures) == 6
    assert runner.sides == ["float", "int8", "int8"]


def test_check_again_with_another_count_or_a_folder_of_check_pictures(make_window, loop, tmp_path, services):
    run_dir = make_run(tmp_path / "run")
    saved_check(run_dir)
    checks_with(services, SceneRunner())
    window = make_window()
    page = open_results(window, loop, run_dir)
    panel = page.detections
    assert len(panel.report.pictures) == 6

    panel.count_spin.setValue(3)
    panel.check_button.click()
    run(loop, panel.wait())
    assert len(panel.report.pictures) == 3
    assert len(DetectionReport.load(run_dir / REPORT_FILE).pictures) == 3

    folder = make_pictures(tmp_path / "check pictures", [10, 11], size=(480, 640))
    (folder / "notes.txt").write_text("not a picture")
    Image.new("RGB", (64, 64), (9, 9, 9)).save(folder / "broken.jpg")
    (folder / "broken.jpg").write_bytes((folder / "broken.jpg").read_bytes()[:200])  # cut short
    panel.set_pictures_dir(str(folder))
    assert panel.clear_folder_button.isVisibleTo(page) and str(folder) in panel.folder_label.text()
    panel.check_button.click()
    run(loop, panel.wait())
    assert services.detection_calls[-1][3] == str(folder)
    assert sorted(p.name for p in panel.report.pictures) == ["picture_10.png", "picture_11.png"]
    assert all(p.source.startswith(str(folder)) for p in panel.report.pictures)
    assert any("broken.jpg" in t for t in panel.notes.texts())  # skipped, with its reason
    panel.clear_folder_button.click()
    assert panel.pictures_dir == "" and not panel.clear_folder_button.isVisibleTo(page)


def test_japanese_texts_and_a_live_language_switch(make_window, loop, tmp_path, services):
    run_dir = make_run(tmp_path / "run")
    saved_check(run_dir)
    checks_with(services, SceneRunner())
    window = make_window("ja")
    page = open_results(window, loop, run_dir)
    panel = page.detections
    run(loop, wait_for(lambda: panel.gallery.loaded, what="drawings decoded"))
    assert "一致度" in panel.figure.label.text() and "再現率" in panel.figure.label.text()
    assert panel.check_button.text() == "もう一度チェック"
    assert any("6 枚の画像で" in t for t in panel.verdict.texts())  # the saved message, rendered in Japanese
    assert "一致 2 · 見逃し 2 · 余分 0" in panel.gallery.tiles[0].caption.text()
    assert panel.gallery_box.title().startswith("画像")
    assert page.agreement_box.title() == "あなたの画像での検出"

    window.language.setCurrentIndex(window.language.findData("en"))
    assert "agreement" in panel.figure.label.text()
    assert any("On 6 pictures" in t for t in panel.verdict.texts())
    assert "2 kept · 2 missed" in panel.gallery.tiles[0].caption.text()
    assert panel.check_button.text() == "Check again"


def test_without_a_detection_check_in_the_core_nothing_is_offered(make_window, loop, tmp_path, services):
    run_dir = make_run(tmp_path / "run")
    services.detection_factory = None
    window = make_window()
    page = open_results(window, loop, run_dir)
    assert not page.detections.isVisibleTo(page) and not page.agreement_box.isVisibleTo(page)
    # A saved check is still shown: reading detections.json needs no runner.
    saved_check(run_dir)
    window.restart()
    page = open_results(window, loop, run_dir)
    run(loop, wait_for(lambda: page.detections.report is not None, what="saved report"))
    assert page.detections.isVisibleTo(page) and not page.detections.check_button.isVisibleTo(page)


class ClassifierRunner(SceneRunner):
    """A classification model's one output: the check cannot decode boxes from it."""

    def run_model_runner(self, job):
        for done, out in enumerate(job.outputs, start=1):
            save_npz(out, {"output0_Gemm": np.zeros((1, 5), dtype=np.float32)})
            yield Progress("model_runner", done / len(job.outputs), done=done, total=len(job.outputs))


def test_a_model_the_check_cannot_decode_gets_a_clear_message_and_the_similarity_stays(
        make_window, loop, tmp_path, services):
    run_dir = make_run(tmp_path / "run", pictures=3)
    results = json.loads((run_dir / "results.json").read_text())
    results["compare"] = [{"kind": "tpu_vs_top", "min_similarity": {"cosine": 0.97, "euclidean": 0.81, "sqnr": 20.5},
                           "tensors": []}]
    (run_dir / "results.json").write_text(json.dumps(results))
    checks_with(services, ClassifierRunner())
    window = make_window()
    page = open_results(window, loop, run_dir)
    panel = page.detections
    panel.check_button.click()
    run(loop, panel.wait())
    assert [p.code for p in panel.problems.problems()] == ["detections_heads_classify"]
    assert "classification model" in panel.problems.texts()[0]
    assert panel.report is None and not (run_dir / REPORT_FILE).exists()
    assert page.metrics_box.isVisibleTo(page) and "0.9700" in page.metric_labels["cosine"].text()
    assert panel.check_button.isEnabled() and not panel.running()


def test_a_damaged_saved_check_is_named_and_can_be_run_again(make_window, loop, tmp_path, services):
    run_dir = make_run(tmp_path / "run", pictures=3)
    (run_dir / REPORT_FILE).write_text("{ half a report")
    checks_with(services, SceneRunner())
    window = make_window()
    page = open_results(window, loop, run_dir)
    panel = page.detections
    assert [p.code for p in panel.problems.problems()] == ["detections_report_unreadable"]
    assert panel.report is None and panel.check_button.isVisibleTo(page)
    panel.check_button.click()
    run(loop, panel.wait())
    assert panel.report is not None and panel.problems.problems() == []


def test_the_drawings_words_follow_the_windows_language(make_window, loop, tmp_path, services):
    """A check drawn in English, shown in a window switched to Japanese: the gallery shows drawings
    made anew with Japanese words (real core drawing into the app's cache), and the check's own
    English drawings come back with English. The check itself is the scene double."""
    from wizard.core.detections.draw import drawings_in_language

    run_dir = make_run(tmp_path / "run")
    saved = saved_check(run_dir)
    assert saved.drawings_lang == "en"
    window = make_window()
    page = open_results(window, loop, run_dir)
    gallery = page.detections.gallery
    run(loop, wait_for(lambda: gallery.loaded, what="drawings decoded"))
    own = [str(run_dir / r.image) for r in saved.pictures]
    assert gallery.drawings_lang == "en" and [gallery.drawing_path(i) for i in range(6)] == own

    window.set_language("ja")
    run(loop, wait_for(lambda: gallery.loaded and gallery.drawings_lang == "ja", what="drawings in Japanese"))
    redrawn = [gallery.drawing_path(i) for i in range(6)]
    assert all(p and Path(p).is_file() and not p.startswith(str(run_dir)) for p in redrawn)
    assert all(Path(a).read_bytes() != Path(b).read_bytes() for a, b in zip(own, redrawn))  # other words
    assert all(t.has_image() for t in gallery.tiles)
    gallery.enlarge(0)
    assert gallery.dialog._paths[0] == redrawn[0]
    gallery.dialog.close_button.click()
    # Drawn once per report and language: asked again, the same files, untouched.
    stamps = [Path(p).stat().st_mtime_ns for p in redrawn]
    assert drawings_in_language(saved, run_dir, "ja", Path(redrawn[0]).parent.parent) == redrawn
    assert [Path(p).stat().st_mtime_ns for p in redrawn] == stamps

    window.set_language("en")
    run(loop, wait_for(lambda: gallery.loaded and gallery.drawings_lang == "en", what="drawings in English"))
    assert [gallery.drawing_path(i) for i in range(6)] == own


def test_a_picture_that_is_gone_keeps_the_checks_own_drawing(tmp_path):
    from wizard.core.detections.draw import drawings_in_language

    run_dir = make_run(tmp_path / "run")
    saved = saved_check(run_dir)
    Path(saved.pictures[0].source).unlink()
    paths = drawings_in_language(saved, run_dir, "ja", tmp_path / "cache")
    assert paths[0] == str(run_dir / saved.pictures[0].image)
    assert all(p.startswith(str(tmp_path / "cache")) for p in paths[1:])
    assert drawings_in_language(saved, run_dir, "en", tmp_path / "cache") == [str(run_dir / r.image) for r in saved.pictures]
    assert drawings_in_language(saved.model_copy(update={"drawings_lang": None}), run_dir, "ja", tmp_path / "c2") == [
        str(run_dir / r.image) for r in saved.pictures]  # a report that does not say: as it is
