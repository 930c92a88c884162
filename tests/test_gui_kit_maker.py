"""File > Make a workshop kit… in the window: the form as the core's KitDraft, the first-connection
fingerprint question and the retry, a server that is not ready, a kit made and opened.

A DOUBLE of the services' ``make_kit`` (KitServices below) stands for the server: it records what
the dialog asks, raises a HostKeyUnknown-shaped error or the core's own KitNotMade with catalogue
problems, or writes a REAL kit with the core's kit writer from the draft it got (a made-up host
key). The window and the dialog are the real ones. The real make_kit against a real OpenSSH
server is tested in tests/test_gui_kit_maker_ssh.py.
"""

from __future__ import annotations

import base64
import os
import threading
from pathlib import Path

import pytest

from test_gui_support import (FakeServices, HostKeyUnknownDouble, gui_home, loop, make_window, run,  # noqa: F401
                              sample_images, sample_model, services, to_page, wait_for)
from wizard.core.messages import problem
from wizard.core.workshop.kit import (OPTION_NAMES, KitContent, KitSamples, KitServer, KitToolchain, key_fingerprint,
                                      new_kit_id, read_kit, resolve_options, sample_members, write_kit)
from wizard.core.workshop.kit_maker import KitNotMade

pytestmark = pytest.mark.gui

FINGERPRINT = "SHA256:testfingerprintAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def kit_from_draft(out, target: str, draft):
    """What the core's make_kit writes for ``draft`` once the server is ready (the locks as it
    computes them), pinned to a made-up ed25519 key."""
    model_member, files = sample_members(draft.sample_model, draft.sample_images)
    locked = {n for n in OPTION_NAMES if n not in draft.unlocked}
    locked |= {"camera"} if draft.lock_camera else set()
    locked |= {"language"} if draft.lock_language else set()
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + os.urandom(32)
    content = KitContent(
        kit_id=new_kit_id(), title=draft.title, language=draft.language, preset=draft.preset,
        options=resolve_options(draft.preset, draft.options), locked=tuple(sorted(locked)),
        server=KitServer(target=target, host_key_type="ssh-ed25519", host_key=base64.b64encode(blob).decode(),
                         host_key_fingerprint=key_fingerprint(blob), workshop_id=draft.workshop_id,
                         slots=draft.slots or 2),
        toolchain=KitToolchain(image=draft.image), camera=draft.camera,
        samples=KitSamples(model=model_member, images=tuple(m for m, _ in files if m != model_member)))
    return write_kit(Path(out), content, files)


class KitServices(FakeServices):
    """The FakeServices plus a double of make_kit. ``host_key_unknown``: the first call without the
    accepted fingerprint raises as a new server does; ``not_ready``: the problems KitNotMade
    carries; else a real kit is written from the draft, with ``warnings``."""

    def __init__(self, *, host_key_unknown: bool = False, not_ready=None, warnings=()):
        super().__init__()
        self.host_key_unknown = host_key_unknown
        self.not_ready = not_ready
        self.kit_warnings = list(warnings)
        self.kit_calls: list[tuple] = []
        self.gate: threading.Event | None = None  # set by a test to hold the call (the busy state)

    def make_kit(self, out, target, draft, credentials, accept_fingerprint=None):
        self.kit_calls.append((out, target, draft, credentials, accept_fingerprint))
        if self.gate is not None:
            assert self.gate.wait(30), "the test never let make_kit finish"
        if self.host_key_unknown and accept_fingerprint != FINGERPRINT:
            raise HostKeyUnknownDouble("[127.0.0.1]:2222", FINGERPRINT)
        if self.not_ready is not None:
            raise KitNotMade(list(self.not_ready), target)
        return kit_from_draft(out, target, draft), list(self.kit_warnings)


def open_dialog(window, loop):
    window.make_kit_action.trigger()
    run(loop, window.ctx.idle())
    return window.kit_maker_dialog


def fill(dialog, tmp_path: Path, **fields):
    dialog.title_edit.setText(fields.get("title", "Room 3 workshop"))
    dialog.out_edit.setText(str(fields.get("out", tmp_path / "room3")))
    dialog.server_edit.setText(fields.get("server", "workshop@127.0.0.1:2222"))
    dialog.key_edit.setText(fields.get("key", ""))
    dialog.password_edit.setText(fields.get("password", ""))


def test_the_form_becomes_the_drafts_options_locks_and_samples(make_window, loop, tmp_path, gui_home):
    services = KitServices()
    window = make_window(svc=services)
    run(loop, to_page(window, "target", tmp_path))  # a conversion set up: the window's options are the default
    window.ctx.state.calibration_count = 40
    window.ctx.state.pixel_format = "bgr"
    window.ctx.settings.device_host = "10.0.0.7"
    dialog = open_dialog(window, loop)
    assert dialog.isVisible() and window.make_kit_action.text() == "Make a workshop kit…"
    # Defaults from the window: its preset and changes, the camera settings, the toolchain image.
    assert dialog.preset_id() == "recamera-default" and dialog.window_options_check.isChecked()
    assert dialog.explicit_options() == {"calibration_count": 40, "pixel_format": "bgr"}
    assert dialog.value_labels["calibration_count"].text() == "40"
    assert dialog.camera_host_edit.text() == "10.0.0.7" and dialog.image_edit.text() == "recamera-wizard/toolchain:1.7"

    key = tmp_path / "id_ed25519"
    key.write_text("a key")
    model = sample_model(tmp_path)
    pictures = sample_images(tmp_path / "samples", 3)
    fill(dialog, tmp_path, key=str(key), password="s3cret", server=" workshop@127.0.0.1:2222 ")
    dialog.workshop_edit.setText("room-3")
    dialog.slots_spin.setValue(3)
    dialog.unlock_checks["tolerance"].setChecked(True)
    dialog.unlock_checks["calibration_count"].setChecked(True)
    dialog.lock_camera.setChecked(True)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("ja"))
    dialog.lock_language.setChecked(True)
    dialog.model_edit.setText(str(model))
    dialog.images_edit.setText(str(pictures))
    dialog.make_button.click()
    run(loop, window.ctx.idle())

    out, target, draft, credentials, accept = services.kit_calls[0]
    assert (out, target, accept) == (tmp_path / "room3.rcwkit", "workshop@127.0.0.1:2222", None)
    assert draft.title == "Room 3 workshop" and draft.preset == "recamera-default"
    assert draft.unlocked == frozenset({"tolerance", "calibration_count"})
    assert draft.options == {"calibration_count": 40, "pixel_format": "bgr"}
    assert (draft.lock_camera, draft.lock_language, draft.language) == (True, True, "ja")
    assert (draft.workshop_id, draft.slots, draft.camera.host) == ("room-3", 3, "10.0.0.7")
    assert (draft.sample_model, draft.sample_images, draft.image_tarball) == (model, pictures, None)
    assert credentials.key_file == key and credentials.key_passphrase == "s3cret"
    # The kit as the core reads it back: everything else locked, the samples in it.
    kit = read_kit(tmp_path / "room3.rcwkit")
    assert not kit.is_locked("tolerance") and kit.is_locked("processor") and kit.is_locked("camera")
    assert kit.options["pixel_format"] == "bgr" and kit.content.samples.model == "samples/model/yolo11n.onnx"
    assert len(kit.content.samples.images) == 3
    # The password: memory only (no settings file, no keychain).
    window.ctx.save_settings()
    home, keychain = gui_home
    assert not [p for p in home.rglob("*") if p.is_file() and b"s3cret" in p.read_bytes()]
    assert "s3cret" not in keychain.items.values()

    # Unticked "the window's changes": the preset's options alone; slots blank = the server's.
    dialog.window_options_check.setChecked(False)
    dialog.slots_spin.setValue(0)
    dialog.make_button.click()
    run(loop, window.ctx.idle())
    draft = services.kit_calls[-1][2]
    assert draft.options == {} and draft.slots is None


def test_bad_input_names_the_field_and_calls_nothing(make_window, loop, tmp_path):
    services = KitServices()
    window = make_window(svc=services)
    dialog = open_dialog(window, loop)
    cases = [
        ({"title": "  "}, "Title: type the kit's title"),
        ({"server": "not a server"}, "Server: 'not a server' is not an SSH address."),
        ({"key": str(tmp_path / "nokey")}, f"Key file: there is no file {tmp_path / 'nokey'}."),
        ({"out": str(tmp_path / "missing" / "k.rcwkit")}, f"Save as: the folder {tmp_path / 'missing'} does not"),
    ]
    for fields, expected in cases:
        fill(dialog, tmp_path, **fields)
        assert dialog.make() is None
        assert dialog.input_error.isVisible() and dialog.input_error.text().startswith(expected), \
            dialog.input_error.text()
        assert "Traceback" not in dialog.input_error.text()
    fill(dialog, tmp_path)
    dialog.workshop_edit.setText("Room 3!")
    assert dialog.make() is None and dialog.input_error.text().startswith("Workshop name: ")
    dialog.workshop_edit.setText("room-3")
    dialog.images_edit.setText(str(tmp_path / "nopictures"))
    assert dialog.make() is None and dialog.input_error.text().startswith("Sample pictures: there is no folder")
    assert services.kit_calls == []
    # In Japanese, the field's Japanese label.
    dialog.images_edit.setText("")
    dialog.title_edit.setText("")
    window.set_language("ja")
    run(loop, window.ctx.idle())
    assert dialog.make() is None
    assert dialog.input_error.text().startswith(dialog.title_label.text().rstrip(":：")) and "Title" not in \
        dialog.input_error.text()


def test_a_new_server_asks_for_its_fingerprint_then_tries_again(make_window, loop, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    services = KitServices(host_key_unknown=True)
    window = make_window(svc=services)
    dialog = open_dialog(window, loop)
    fill(dialog, tmp_path)
    services.gate = threading.Event()
    task = dialog.make()
    run(loop, wait_for(lambda: len(services.kit_calls) == 1, what="make_kit called"))
    assert dialog.busy.isVisible() and not dialog.make_button.isEnabled()
    assert "Checking workshop@127.0.0.1:2222" in dialog.status_label.text()
    services.gate.set()
    run(loop, wait_for(lambda: dialog.host_key_dialog is not None and dialog.host_key_dialog.isVisible(),
                       what="fingerprint question"))
    box = dialog.host_key_dialog
    assert FINGERPRINT in box.informativeText() and "workshop@127.0.0.1:2222" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    run(loop, task)
    assert [call[4] for call in services.kit_calls] == [None, FINGERPRINT]
    assert dialog.kit is not None and dialog.success_label.isVisible() and not dialog.busy.isVisible()

    # "No": nothing is accepted, the refusal is the catalogue's message.
    services.kit_calls.clear()
    task = dialog.make()
    run(loop, wait_for(lambda: dialog.host_key_dialog is not None and dialog.host_key_dialog.isVisible(),
                       what="fingerprint question again"))
    dialog.host_key_dialog.button(QMessageBox.StandardButton.No).click()
    run(loop, task)
    assert [call[4] for call in services.kit_calls] == [None]
    assert dialog.kit is None and not dialog.success_label.isVisible()
    assert any(FINGERPRINT in text for text in dialog.problems.texts())


def test_a_server_not_ready_shows_every_problem_errors_first_with_the_fix(make_window, loop, tmp_path):
    target = "workshop@127.0.0.1:2222"
    found = [
        problem("workshop_disk_low", "warning", target=target, slots=2, need_gb="12.0", free_gb="9.0"),
        problem("workshop_not_prepared", target=target, workshop="room-3"),
        problem("workshop_image_missing", image="recamera-wizard/toolchain:1.7", target=target),
    ]
    services = KitServices(not_ready=found)
    window = make_window(svc=services)
    dialog = open_dialog(window, loop)
    fill(dialog, tmp_path)
    run(loop, dialog.make())
    codes = [p.code for p in dialog.problems.problems()]
    assert codes == ["workshop_not_prepared", "workshop_image_missing", "workshop_disk_low", "workshop_check_failed"]
    texts = dialog.problems.texts()
    assert "prepare-server" in texts[0] and "→" in texts[0]  # the catalogue's fix
    assert "(2 problem(s) above)" in texts[-1]
    assert dialog.status_label.text() == "The kit was not made."
    assert dialog.kit is None and not dialog.open_button.isVisible()
    assert not (tmp_path / "room3.rcwkit").exists()


def test_a_kit_made_says_where_with_its_warnings_and_opens(make_window, loop, tmp_path):
    warning = problem("workshop_memory_low", "warning", target="workshop@127.0.0.1:2222", slots=2, need_gb="5.0",
                      have_gb="4.0", fits=1)
    services = KitServices(warnings=[warning])
    window = make_window(svc=services)
    dialog = open_dialog(window, loop)
    fill(dialog, tmp_path, title="Room 3 workshop")
    run(loop, dialog.make())
    path = tmp_path / "room3.rcwkit"
    assert path.is_file() and dialog.kit.path == path
    assert str(path) in dialog.success_label.text() and "Room 3 workshop" in dialog.success_label.text()
    assert dialog.kit.server.host_key_fingerprint in dialog.success_label.text()
    assert [p.code for p in dialog.problems.problems()] == ["workshop_memory_low"]
    assert dialog.open_button.isVisible() and dialog.status_label.text() == "Kit made."

    task = dialog.open_made_kit()
    run(loop, task)
    run(loop, window.ctx.idle())
    assert window.ctx.kit is not None and window.ctx.kit.path == path and window.ctx.kit.title == "Room 3 workshop"
    assert not dialog.isVisible() and window.ctx.flow.current == "model"
