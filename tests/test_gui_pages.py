"""Each page's validation through the real widgets: what the user sees, and whether Next allows."""

from __future__ import annotations

import json
import shutil

import pytest

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from test_gui_support import (  # noqa: F401 - fixtures
    FakeJob,
    answer_host_key,
    gui_home,
    loop,
    make_window,
    run,
    sample_images,
    sample_model,
    services,
    to_page,
    wait_for,
)
from wizard.core.app import wizard_flow as rules
from wizard.core.messages import problem
from wizard.gui.services import ToolchainStatus

pytestmark = pytest.mark.gui


def problem_codes(window):
    return [p.code for p in window.problems.problems()]


def test_welcome_new_conversion_goes_to_model(make_window):
    window = make_window()
    assert window.ctx.flow.current == "welcome"
    assert not window.back_button.isEnabled()
    window.welcome_page.new_button.click()
    assert window.ctx.flow.current == "model"
    assert window.stack.currentIndex() == 1
    assert problem_codes(window) == ["flow_pick_model"]
    assert not window.next_button.isEnabled()
    assert "Choose model" in " ".join(window.problems.texts())  # the fix, inline


def test_model_page_shows_what_inspect_found(make_window, loop, tmp_path):
    window = make_window()
    window.welcome_page.start_new()
    page = window.pages["model"]
    page.load_model(str(sample_model(tmp_path)))
    assert problem_codes(window) == ["flow_model_inspecting"] and not window.next_button.isEnabled()
    run(loop, window.ctx.idle())
    assert page.values["family"].text() == "YOLO11"
    assert page.values["task"].text() == "object detection"
    assert page.values["input"].text() == "320 × 320 pixels"
    assert "/model.23/cv2.0/cv2.0.2/Conv_output_0" in page.values["outputs"].text()
    assert window.next_button.isEnabled()
    # Expert edit of the output names reaches the state the plan is built from.
    page.expert_box.setChecked(True)
    page.outputs_edit.setPlainText("a\nb")
    assert window.ctx.state.output_names == ("a", "b")
    page.expert_box.setChecked(False)
    assert window.ctx.state.output_names == ()


def test_model_page_refuses_a_file_that_is_not_onnx_with_a_fix(make_window, loop, tmp_path):
    window = make_window()
    window.welcome_page.start_new()
    bad = tmp_path / "notes.onnx"
    bad.write_text("this is not a model", encoding="utf-8")
    window.pages["model"].load_model(str(bad))
    run(loop, window.ctx.idle())
    problems = window.problems.problems()
    assert problems and problems[0].is_error
    assert all(" → " in text for text in window.problems.texts() if text)  # cause → next step
    assert not window.next_button.isEnabled()
    assert not window.pages["model"].found_box.isHidden() or True


def test_images_page_counts_and_reasons(make_window, loop, tmp_path):
    window = make_window()
    run(loop, to_page(window, "images", tmp_path))
    folder = sample_images(tmp_path / "pics", 12)
    shutil.copy(folder / sorted(p.name for p in folder.iterdir())[0], folder / "zz_copy.jpg")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    page = window.pages["images"]
    page.load_source(str(folder))
    run(loop, window.ctx.idle())
    state = window.ctx.state
    assert (state.images_usable, state.images_rejected, state.images_duplicates) == (12, 1, 1)
    text = page.counts.text()
    assert "12 usable" in text and "1 rejected" in text and "1 duplicate" in text
    reasons = {page.rejected_tree.topLevelItem(i).text(0): page.rejected_tree.topLevelItem(i).text(1)
               for i in range(page.rejected_tree.topLevelItemCount())}
    assert set(reasons) == {"broken.jpg", "zz_copy.jpg"}
    assert all(reasons.values())
    assert state.test_image and state.test_image.startswith(str(folder))  # representative by default
    assert window.next_button.isEnabled()
    # The grid holds every file; thumbnails arrive from the worker pool.
    assert page.model.rowCount() == 14
    run(loop, wait_for(lambda: page.model.loaded >= 1, what="a thumbnail"))
    # Picking another test image from the grid.
    index = page.model.index(3)
    page.grid.setCurrentIndex(index)
    page.test_button.click()
    assert state.test_image == page.model.paths()[3]


def test_images_page_blocks_with_too_few_pictures(make_window, loop, tmp_path):
    window = make_window()
    run(loop, to_page(window, "images", tmp_path))
    window.pages["images"].load_source(str(sample_images(tmp_path / "few", 3)))
    run(loop, window.ctx.idle())
    assert "flow_too_few_images" in problem_codes(window)
    assert not window.next_button.isEnabled()


def test_images_grid_with_a_thousand_files_stays_responsive(make_window, loop, tmp_path):
    """1,000 pictures: the grid fills at once and thumbnails are made only for what is shown."""
    window = make_window()
    run(loop, to_page(window, "images", tmp_path))
    folder = tmp_path / "many"
    folder.mkdir()
    base = Image.new("RGB", (64, 48), (90, 120, 150))
    for i in range(1000):
        base.putpixel((i % 64, (i // 64) % 48), (i % 255, 0, 0))
        base.save(folder / f"img_{i:04d}.jpg", quality=70)
    page = window.pages["images"]
    page.load_source(str(folder))
    run(loop, window.ctx.idle(), timeout=240)
    assert page.model.rowCount() == 1000
    run(loop, wait_for(lambda: page.model.loaded > 0, what="thumbnails"))
    assert page.model.loaded < 1000  # only what is on screen (and near it) was decoded


def test_target_page_offers_only_valid_combinations(make_window, loop, tmp_path):
    window = make_window()
    run(loop, to_page(window, "target", tmp_path))
    page = window.pages["target"]
    assert page.processor.itemData(0) == "cv181x"
    assert "every reCamera" in page.processor.itemText(0)
    model = page.quantize.model()
    enabled = {page.quantize.itemData(i): model.item(i).isEnabled() for i in range(page.quantize.count())}
    assert enabled == {"INT8": True, "BF16": True, "F16": False, "F32": False}
    page.processor.setCurrentIndex(page.processor.findData("bm1684x"))
    enabled = {page.quantize.itemData(i): model.item(i).isEnabled() for i in range(page.quantize.count())}
    assert enabled["F16"] and enabled["F32"]
    page.processor.setCurrentIndex(page.processor.findData("cv181x"))
    # Aligned input asked for explicitly: fused preprocessing can no longer be switched off.
    page.expert_toggle.setChecked(True)
    page.aligned.setChecked(False)
    page.aligned.setChecked(True)
    assert window.ctx.state.aligned_input is True
    assert not page.fuse.isEnabled()
    assert page.fuse.toolTip()
    # An out-of-range value from the core's validation shows with its fix and blocks Next.
    window.ctx.state.out_dir = str(tmp_path / "run")
    page.refresh()
    window.refresh()
    assert window.next_button.isEnabled()
    page.own_tolerance.setChecked(True)
    assert window.ctx.state.tolerance == (0.8, 0.5)


def test_target_page_presets_fill_in_options_and_follow_manual_changes(make_window, loop, tmp_path):
    window = make_window()
    run(loop, to_page(window, "target", tmp_path))
    page = window.pages["target"]
    state = window.ctx.state
    ids = [page.preset.itemData(i) for i in range(page.preset.count())]
    assert ids[0] == "" and {"recamera-default", "recamera-strict-check", "recamera-bf16"} <= set(ids)
    assert page.preset.itemText(ids.index("recamera-bf16")) == "reCamera BF16 (no calibration)"
    # Untouched options are the guide's: the default preset is shown as chosen.
    assert page.preset.currentData() == "recamera-default"
    page.preset.activated.emit(ids.index("recamera-strict-check"))  # as when the user picks it
    assert state.tolerance == (0.85, 0.45) and state.calibration_count == 200
    assert page.own_tolerance.isChecked() and page.tol_cos.value() == pytest.approx(0.85)
    assert page.preset.currentData() == "recamera-strict-check"
    # Changing one option by hand: the options are no longer the preset's, and the combo says so.
    page.expert_toggle.setChecked(True)
    page.own_tolerance.setChecked(False)
    assert state.tolerance is None and page.preset.currentData() == ""
    page.preset.activated.emit(ids.index("recamera-bf16"))
    assert state.quantize == "BF16" and page.quantize.currentData() == "BF16"


def test_target_page_help_texts_exist_for_every_option(make_window, loop, tmp_path):
    window = make_window()
    run(loop, to_page(window, "target", tmp_path))
    page = window.pages["target"]
    assert set(page.helps) >= {"processor", "quantize", "fuse_preprocess", "aligned_input", "tolerance",
                               "customization_format", "pixel_format", "mean", "scale"}
    assert all(label.text().strip() for label in page.helps.values())


def test_where_page_local_docker_missing_then_fixed(make_window, loop, tmp_path, services):
    services.status = ToolchainStatus(False, False, [problem("docker_not_running", where="Docker Desktop")])
    window = make_window()
    run(loop, to_page(window, "where", tmp_path))
    assert "flow_docker_not_ready" in problem_codes(window)
    assert not window.next_button.isEnabled()
    where = window.pages["where"]
    assert [p.code for p in where.local_problems.problems()] == ["docker_not_running"]
    services.status = ToolchainStatus(True, False, [])
    where.check_local()
    run(loop, window.ctx.idle())
    assert "flow_toolchain_missing" in problem_codes(window)
    assert where.get_button.isVisibleTo(where)
    where.get_toolchain()
    run(loop, window.ctx.idle())
    assert window.ctx.state.toolchain_ready is True
    assert window.next_button.isEnabled()


def test_where_page_ssh_fingerprint_confirmation_and_keychain(make_window, loop, tmp_path, services, gui_home):
    home, keychain = gui_home
    window = make_window()
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    where.ssh_radio.setChecked(True)
    assert "flow_ssh_incomplete" in problem_codes(window)
    assert "uploaded" in where.upload_note.text()
    where.host_edit.setText("127.0.0.1")
    where.user_edit.setText("me")
    where.password_edit.setText("s3cret-pw")
    where.remember.setChecked(True)
    where._ssh_edited()
    assert "flow_ssh_not_tested" in problem_codes(window)

    run(loop, answer_host_key(window, QMessageBox.StandardButton.No, services.fingerprint))
    assert window.ctx.state.ssh_tested_for == ""
    assert not window.next_button.isEnabled()
    run(loop, answer_host_key(window, QMessageBox.StandardButton.Yes, services.fingerprint))
    assert services.ssh_calls[-1].accept_fingerprint == services.fingerprint
    assert window.ctx.state.ssh_tested_for == "me@127.0.0.1:22"
    assert window.next_button.isEnabled()
    assert keychain.items == {("recamera-wizard", "me@127.0.0.1:22"): "s3cret-pw"}
    settings_text = (home / "settings.json").read_text(encoding="utf-8")
    assert "s3cret-pw" not in settings_text and "127.0.0.1" in settings_text


def test_convert_cancel_really_stops_the_job(make_window, loop, tmp_path, services):
    services.job_factory = lambda choices: FakeJob(str(choices.out), forever=True, lines_per_second=2000)
    window = make_window()
    run(loop, to_page(window, "convert", tmp_path))
    page = window.convert_page
    job = services.jobs[-1]
    run(loop, wait_for(lambda: page.log.line_count() > 100, what="log lines"))
    assert window.ctx.state.job_status == rules.JOB_RUNNING
    assert not window.back_button.isEnabled() and not window.next_button.isEnabled()
    assert window.ctx.settings.active_job is not None  # the record for re-attach
    page.cancel_button.click()
    run(loop, page.wait())
    assert job.cancel_called.is_set() and job.stopped.is_set()
    assert window.ctx.state.job_status == rules.JOB_CANCELLED
    assert window.ctx.settings.active_job is None
    assert window.back_button.isEnabled()
    assert "flow_job_cancelled" in problem_codes(window)


def test_convert_success_then_results(make_window, loop, tmp_path, services):
    window = make_window()
    run(loop, to_page(window, "convert", tmp_path))
    page = window.convert_page
    run(loop, page.wait())
    assert window.ctx.state.job_status == rules.JOB_SUCCEEDED
    assert [page.step_states[s].property("state") for s in ("transform", "calibrate", "deploy")] == ["done"] * 3
    assert page.progress.value() == 1000
    assert page.log.line_count() >= 290
    assert window.next_button.isEnabled()
    # The options are remembered for the next conversion (and come back with "New conversion").
    assert window.ctx.settings.last_options["calibration_count"] == window.ctx.state.calibration_count
    window.ctx.settings.last_options["calibration_count"] = 42
    window.restart()
    window.welcome_page.start_new()
    assert window.ctx.state.calibration_count == 42


def test_results_page_from_a_recorded_failed_log(make_window, loop, tmp_path):
    from wizard.gui.tour import FAILED_LOG, recorded_log

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    text = recorded_log(FAILED_LOG)
    (run_dir / "convert.log").write_text(text, encoding="utf-8")
    from wizard.core.toolchain.log import parse_log

    results = parse_log(text).to_dict()
    results.update({"verdict": "conversion_failed", "ok": False})
    (run_dir / "results.json").write_text(json.dumps(results), encoding="utf-8")
    window = make_window()
    window.welcome_page.open_run(str(run_dir))
    assert window.ctx.flow.current == "results"
    run(loop, window.ctx.idle())
    page = window.pages["results"]
    assert "differs too much" in page.verdict.text()
    assert "0.7345" in page.metric_labels["cosine"].text()
    first = float(page.table.item(0, 2).text())
    assert first == pytest.approx(0.734510)  # worst first
    column = [page.table.item(r, 2).text() for r in range(page.table.rowCount())]
    numbers = [float(v) for v in column if v != "—"]
    assert numbers == sorted(numbers)
    assert page.fix_problems and page.fixes.texts()[0]
    assert not window.next_button.isVisible() or not window.next_button.isEnabled()


def test_language_switch_retranslates_live(make_window, loop, tmp_path):
    window = make_window("en")
    window.welcome_page.start_new()
    assert window.pages["model"].title.text() == "Your model"
    english = window.problems.texts()
    window.language.setCurrentIndex(window.language.findData("ja"))
    assert window.pages["model"].title.text() == "モデル"
    assert window.next_button.text() == "次へ"
    assert window.problems.texts() != english and "モデル" in window.problems.texts()[0]
    assert window.ctx.settings.language == "ja"
    window.language.setCurrentIndex(window.language.findData("en"))
    assert window.pages["model"].title.text() == "Your model"


def test_unexpected_errors_show_a_plain_message_not_a_traceback(make_window, qtbot, gui_home):
    import sys

    from PySide6.QtWidgets import QApplication

    from wizard.gui import errors

    import logging

    make_window()
    errors._LOG_FILE = None  # this test's app home
    errors.setup_logging()
    errors.install_excepthook()
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "unexpectedErrorBox" and w.isVisible()]
    assert boxes
    assert "Traceback" not in boxes[-1].text() and "boom in a slot" in boxes[-1].text()
    assert "wizard.log" in boxes[-1].informativeText()
    assert "Traceback" in errors.log_file().read_text(encoding="utf-8")
    for box in boxes:
        box.done(0)
        box.deleteLater()
    errors._OPEN_BOXES.clear()
    QApplication.processEvents()
    sys.excepthook = sys.__excepthook__
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_wizard", False)]:
        root.removeHandler(handler)
        handler.close()
    errors._LOG_FILE = None


def test_closing_during_a_run_keeps_the_job_and_next_start_reconnects(make_window, loop, tmp_path, services):
    services.job_factory = lambda choices: FakeJob(str(choices.out), forever=True, lines_per_second=500)
    window = make_window()
    run(loop, to_page(window, "convert", tmp_path))
    run(loop, wait_for(lambda: window.ctx.settings.active_job is not None, what="job record"))

    async def close_and_confirm():
        window.close()  # refused until the user confirms
        await wait_for(lambda: getattr(window, "close_dialog", None) is not None and window.close_dialog.isVisible())
        assert window.isVisible()
        window.close_dialog.button(QMessageBox.StandardButton.Close).click()
        await wait_for(lambda: not window.isVisible(), what="window closed")

    run(loop, close_and_confirm())
    record = window.ctx.settings.active_job
    assert record is not None and record.run_dir == str(tmp_path / "run")
    # The job itself is not cancelled by closing: it goes on (here: until the test stops it).
    assert not services.jobs[-1].cancel_called.is_set()
    services.jobs[-1].cancel()

    # Next start: the welcome page offers to reconnect; reconnecting follows the run on the convert page.
    reattached = FakeJob(record.run_dir, total_lines=90)
    services.reattach = lambda run_dir, ssh_options=None, workshop=None: reattached
    again = make_window()
    assert again.ctx.settings.active_job is not None
    assert again.welcome_page.reattach_box.isVisibleTo(again.welcome_page)
    again.welcome_page.reattach_button.click()
    assert again.ctx.flow.current == "convert"
    run(loop, again.convert_page.wait())
    assert again.ctx.state.job_status == rules.JOB_SUCCEEDED
    assert again.ctx.settings.active_job is None
    again.go_next()
    assert again.ctx.flow.current == "results"


def test_run_app_starts_and_quits(qapp, qtbot, gui_home, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from wizard.gui import app as app_module

    shown = []

    def quit_soon():
        shown.extend(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow" and w.isVisible())
        QApplication.quit()

    monkeypatch.setattr(app_module, "make_application", lambda argv=None: qapp)
    QTimer.singleShot(500, quit_soon)
    assert app_module.run_app(lang="ja") == 0
    assert shown and shown[0].windowTitle() == "reCamera モデルウィザード"
    for window in shown:
        qtbot.addWidget(window)  # closed and deleted with the test, not at interpreter exit
    from wizard.gui.i18n import TRANSLATIONS

    TRANSLATIONS.set_language("en")
    import sys

    sys.excepthook = sys.__excepthook__


def test_images_page_accepts_a_zip(make_window, loop, tmp_path):
    import zipfile

    window = make_window()
    run(loop, to_page(window, "images", tmp_path))
    folder = sample_images(tmp_path / "zipped", 12)
    archive = tmp_path / "pictures.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for picture in sorted(folder.iterdir()):
            bundle.write(picture, f"shoot/{picture.name}")
    page = window.pages["images"]
    page.load_source(str(archive))
    run(loop, window.ctx.idle())
    state = window.ctx.state
    assert state.images_usable == 12
    assert page.model.rowCount() == 12
    assert state.test_image and __import__("pathlib").Path(state.test_image).is_file()
    assert window.next_button.isEnabled()
