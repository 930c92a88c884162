"""Workshop mode in the window: opening an instructor's kit (menu, drop, ``--kit``) fills the
pages and keeps the locked choices as set; a changed kit is refused with its reason.

No server and no toolchain (neither the real one nor the double: nothing converts here); the kits
are real files written by the core's kit writer at test time and read by the real read_kit.
"""

from __future__ import annotations

import base64
import json
import os
import zipfile
from pathlib import Path

import pytest

from test_gui_support import gui_home, loop, make_window, run, services, to_page  # noqa: F401
from wizard.core.workshop import kit as kits
from wizard.core.workshop.kit import (KitCamera, KitContent, KitSamples, KitServer, KitToolchain, resolve_options,
                                      sample_members, write_kit)

pytestmark = pytest.mark.gui


def make_kit(path: Path, *, language: str | None = None, locked=("processor", "quantize", "pixel_format"),
             sample_model: Path | None = None, sample_images: Path | None = None, per_attendee: bool = False) -> Path:
    """A real kit: a fresh ed25519-shaped host key, options from the default preset with bgr
    pixels, three options locked, and the camera at a non-default (never contacted) address;
    optionally a sample model and sample pictures packed in it, and one account per attendee
    (seat01 … seat12)."""
    accounts = {"accounts": kits.PER_ATTENDEE, "account_hint": "seat01 … seat12"} if per_attendee else {}
    model_member, files = sample_members(sample_model, sample_images)
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + os.urandom(32)
    content = KitContent(
        kit_id="kit-guitest", title="Room 3 workshop", preset="recamera-default",
        options=resolve_options("recamera-default", {"pixel_format": "bgr", "calibration_count": 20}),
        locked=tuple(locked),
        server=KitServer(target="attendee@127.0.0.1:2222", host_key_type="ssh-ed25519",
                         host_key=base64.b64encode(blob).decode(), host_key_fingerprint=kits.key_fingerprint(blob),
                         workshop_id="room-3", slots=2, **accounts),
        schema_version=2 if per_attendee else 1,
        toolchain=KitToolchain(image="recamera-wizard/toolchain:room3"),
        camera=KitCamera(host="10.9.8.7", user="room3"), language=language,
        samples=KitSamples(model=model_member, images=tuple(m for m, _ in files if m != model_member)))
    return write_kit(path, content, files).path


def test_an_opened_kit_fills_the_pages_and_locks_its_choices(make_window, loop, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    kit_path = make_kit(tmp_path / "room3.rcwkit")
    window = make_window()
    # File > Open workshop kit… (the file dialog answers with the kit).
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(kit_path), "")))
    window.open_kit_action.trigger()
    run(loop, window.ctx.idle())
    state = window.ctx.state
    assert window.ctx.kit is not None and window.ctx.kit.title == "Room 3 workshop"
    assert window.ctx.flow.current == "model"  # the attendee picks their model next
    assert (state.pixel_format, state.calibration_count, state.toolchain_image) == (
        "bgr", 20, "recamera-wizard/toolchain:room3")
    assert (window.ctx.settings.device_host, window.ctx.settings.device_user) == ("10.9.8.7", "room3")
    assert window.pages["device"].address_edit.text() == "10.9.8.7"
    assert "Room 3 workshop" in window.windowTitle()

    run(loop, to_page(window, "target", tmp_path))
    target = window.pages["target"]
    assert target.pixel_format.currentData() == "bgr"
    for locked in (target.processor, target.quantize, target.pixel_format, target.preset):
        assert not locked.isEnabled()
    assert target.keep_aspect.isEnabled() and target.mean_edit.isEnabled()  # not locked: the attendee's
    assert target.helps["pixel_format"].text().startswith("Set by your instructor.")
    assert not target.helps["mean"].text().startswith("Set by your instructor.")
    assert target.kit_note.isVisibleTo(target) and "Room 3 workshop" in target.kit_note.text()
    target._set("pixel_format", "rgb")  # a locked value cannot be changed even from code
    assert state.pixel_format == "bgr" and target.pixel_format.currentData() == "bgr"
    target._set("keep_aspect_ratio", False)  # an unlocked one can
    assert state.keep_aspect_ratio is False
    # Start over: the next conversion of the workshop starts from the kit again.
    window.restart()
    assert window.ctx.state.pixel_format == "bgr" and window.ctx.state.keep_aspect_ratio is True


def test_a_kit_dropped_on_the_window_opens_in_its_language(make_window, loop, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from wizard.gui.i18n import TRANSLATIONS

    kit_path = make_kit(tmp_path / "room3.rcwkit", language="ja", locked=("quantize",))
    window = make_window("en")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(kit_path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    run(loop, window.ctx.idle())
    assert event.isAccepted()
    assert window.ctx.kit is not None and TRANSLATIONS.language == "ja"
    assert window.ctx.settings.language == "ja"
    run(loop, to_page(window, "target", tmp_path))
    target = window.pages["target"]
    assert not target.quantize.isEnabled() and target.pixel_format.isEnabled()
    assert target.helps["quantize"].text().startswith("講師が設定しました。")

    # Anything else dropped is not taken.
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(tmp_path / "model.onnx"))])
    refused = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, other, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
    refused.setAccepted(False)
    window.dropEvent(refused)
    assert not refused.isAccepted()


def test_a_changed_kit_is_refused_with_its_reason_and_nothing_changes(make_window, loop, tmp_path):
    from wizard.core.messages import problem

    kit_path = make_kit(tmp_path / "room3.rcwkit")
    changed = tmp_path / "unlocked.rcwkit"
    with zipfile.ZipFile(kit_path) as src, zipfile.ZipFile(changed, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == kits.CONTENT_FILE:  # "just unlocking" the options by hand
                doc = json.loads(data)
                doc["locked"] = []
                data = json.dumps(doc).encode()
            dst.writestr(info, data)
    window = make_window()
    window.open_kit(str(changed))
    run(loop, window.ctx.idle())
    assert window.ctx.kit is None and window.ctx.flow.current == "welcome"
    assert window.ctx.state.pixel_format == "rgb"
    dialog = window.last_problem_dialog
    message, fix = problem("kit_changed", path=str(changed)).text("en")
    assert dialog.text() == message and dialog.informativeText() == fix


def test_the_kit_option_of_the_command_line_reaches_the_window(tmp_path, monkeypatch):
    """``recamera-wizard --kit KIT``: the checked kit's path is handed to the window (run_app is
    replaced by a recorder: starting a real event loop here would never return)."""
    import wizard.gui.app as gui_app
    from wizard.cli import main

    kit_path = make_kit(tmp_path / "room3.rcwkit")
    seen = {}
    monkeypatch.setattr(gui_app, "run_app", lambda **kwargs: seen.update(kwargs) or 0)
    assert main(["--kit", str(kit_path)]) == 0
    assert seen["kit"] == str(kit_path)
