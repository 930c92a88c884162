"""Workshop mode in the window, after the kit is opened: the Where page shows the room's server
(the kit's, with its pinned host key), the attendee's name and sign-in; Start converts through the
workshop path of the services; the kit's samples load from the Model and Images pages; a
workshop run re-attaches with the sign-in the attendee used.

No server and no toolchain: the kits are real files (the core's kit writer, read by the real
read_kit), the sample files are really unpacked by the real services' extract_kit_samples, and
the conversion is the test double of the services (tests/test_gui_support.py FakeServices,
which records what Start asked for).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_gui_support import (gui_home, loop, make_window, run, sample_images, sample_model, services,  # noqa: F401
                              to_page, wait_for)
from test_gui_workshop import make_kit
from wizard.core.app import wizard_flow as rules
from wizard.core.app.settings import ActiveJob
from wizard.core.messages import problem
from wizard.core.workshop.kit import read_kit
from wizard.gui.services import WorkshopCredentials

pytestmark = pytest.mark.gui


def open_kit(window, loop, kit_path: Path) -> None:
    window.open_kit(str(kit_path))
    run(loop, window.ctx.idle())
    assert window.ctx.kit is not None


def test_with_a_kit_the_where_page_is_the_rooms_server_and_start_converts_there(make_window, loop, tmp_path,
                                                                                  services, monkeypatch, gui_home):
    monkeypatch.setenv("LOGNAME", "aiko")  # the login name: the default attendee's name
    kit_path = make_kit(tmp_path / "room3.rcwkit")
    window = make_window()
    open_kit(window, loop, kit_path)
    kit = window.ctx.kit
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    assert window.ctx.flow.current == "where"
    assert where.workshop_box.isVisibleTo(where)
    for hidden in (where.local_radio, where.native_radio, where.ssh_radio, where.local_box, where.ssh_box,
                   where.native_box):
        assert not hidden.isVisibleTo(where)
    assert where.workshop_server_value.text() == "attendee@127.0.0.1:2222\nSet by your instructor."
    assert where.workshop_key_value.text() == f"{kit.server.host_key_fingerprint}\nSet by your instructor."
    assert where.workshop_name_edit.text() == "aiko"
    # No key file yet: Next waits, with the catalogue's words.
    assert not window.next_button.isEnabled()
    message, fix = problem("flow_workshop_key_missing", server="attendee@127.0.0.1:2222").text("en")
    assert window.problems.texts() == [f"{message} → {fix}"]

    # A name the instructor could not show is refused with the core's message.
    where.workshop_name_edit.setText("x" * 81)
    where._workshop_edited()
    window.refresh()
    refused, fix = problem("workshop_bad_attendee", value="x" * 81).text("en")
    assert f"{refused} → {fix}" in window.problems.texts() and not window.next_button.isEnabled()

    where.workshop_name_edit.setText("Aiko Tanaka")
    key = tmp_path / "room3_key"
    key.write_text("not read here")
    where.workshop_key_edit.setText(str(key))
    where.workshop_password_edit.setText("key-passphrase")
    where._workshop_edited()
    window.refresh()
    assert window.next_button.isEnabled()
    window.go_next()  # Next: convert
    run(loop, window.convert_page.wait(), timeout=60)

    assert services.started == []  # never the Docker, SSH or native path
    [(used_kit, choices, attendee, credentials)] = services.workshop_started
    assert used_kit is kit and attendee == "Aiko Tanaka"
    assert credentials == WorkshopCredentials(key_path=str(key), key_passphrase="key-passphrase")
    assert (choices.pixel_format, choices.calibration_count, choices.toolchain_image) == (
        "bgr", 20, "recamera-wizard/toolchain:room3")
    assert choices.out == str(tmp_path / "run")
    assert window.ctx.state.job_status == rules.JOB_SUCCEEDED
    # The name and key file are remembered for the next conversion; the passphrase never.
    saved = json.loads(next(gui_home[0].rglob("settings.json")).read_text())
    assert (saved["workshop_attendee"], saved["workshop_key_path"], saved["workshop_sign_in"]) == (
        "Aiko Tanaka", str(key), "key")
    assert "key-passphrase" not in json.dumps(saved)


def test_signing_in_with_a_password_keeps_it_in_memory_only(make_window, loop, tmp_path, services, gui_home):
    kit_path = make_kit(tmp_path / "room3.rcwkit", language="ja")
    window = make_window("en")
    open_kit(window, loop, kit_path)
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    where.workshop_name_edit.setText("健")
    where.workshop_password_radio.setChecked(True)
    where._workshop_edited()
    window.refresh()
    assert not where.workshop_key_widget.isVisibleTo(where)  # no key file row for a password
    assert where.workshop_labels[6].text() == "パスワード"
    message, fix = problem("flow_workshop_password_missing", server="attendee@127.0.0.1:2222").text("ja")
    assert f"{message} → {fix}" in window.problems.texts() and not window.next_button.isEnabled()
    where.workshop_password_edit.setText("room-3-secret")
    where._workshop_edited()
    window.refresh()
    window.go_next()
    run(loop, window.convert_page.wait(), timeout=60)
    [(_kit, _choices, attendee, credentials)] = services.workshop_started
    assert attendee == "健" and credentials == WorkshopCredentials(password="room-3-secret")
    assert window.ctx.workshop_password == "room-3-secret"
    for path in gui_home[0].rglob("*"):
        if path.is_file():
            assert b"room-3-secret" not in path.read_bytes(), path


def test_the_kits_samples_load_from_the_model_and_images_pages(make_window, loop, tmp_path, gui_home):
    model = sample_model(tmp_path / "sample")
    pictures = sample_images(tmp_path / "sample" / "pictures")
    kit_path = make_kit(tmp_path / "room3.rcwkit", sample_model=model, sample_images=pictures)
    plain = make_kit(tmp_path / "plain.rcwkit")
    window = make_window()
    assert not window.pages["model"].sample_button.isVisibleTo(window.pages["model"])  # no kit: no samples
    open_kit(window, loop, plain)
    assert not window.pages["model"].sample_button.isVisibleTo(window.pages["model"])  # a kit without samples
    open_kit(window, loop, kit_path)
    page = window.pages["model"]
    assert window.ctx.flow.current == "model" and page.sample_button.isVisibleTo(page)
    assert page.sample_button.text() == "Use the workshop's sample model"
    page.sample_button.click()
    run(loop, window.ctx.idle())
    state = window.ctx.state
    unpacked = Path(state.model_path)
    assert unpacked.name == "yolo11n.onnx" and unpacked.read_bytes() == model.read_bytes()
    assert str(unpacked).startswith(str(gui_home[0]))  # the app's own cache folder, not the kit's
    assert state.model_report is not None and window.ctx.flow.can_next()
    window.go_next()
    images = window.pages["images"]
    assert images.sample_button.isVisibleTo(images)
    images.sample_button.click()
    run(loop, window.ctx.idle())
    run(loop, wait_for(lambda: window.ctx.flow.can_next(), what="the sample pictures checked"))
    assert Path(state.images_source) == unpacked.parent.parent / "images"  # samples/model, samples/images
    assert sorted(p.name for p in Path(state.images_source).iterdir()) == sorted(p.name for p in pictures.iterdir())
    assert state.images_usable == 12 and state.test_image


def test_a_workshop_run_reattaches_with_the_sign_in_used(make_window, loop, tmp_path, services, gui_home,
                                                         monkeypatch):
    """The active job's backend is "workshop": the window hands the services the attendee's sign-in
    (the key file from the settings; a password is asked for again, it was never saved)."""
    seen = []

    def reattach(run_dir, ssh=None, workshop=None):
        from test_gui_support import FakeJob

        seen.append((run_dir, ssh, workshop))
        return FakeJob(run_dir)

    monkeypatch.setattr(services, "reattach", reattach, raising=False)
    window = make_window()
    settings = window.ctx.settings
    settings.active_job = ActiveJob(backend="workshop", run_id="room-3-abc", where="attendee@127.0.0.1:2222",
                                    run_dir=str(tmp_path / "run"))
    settings.workshop_sign_in, settings.workshop_key_path = "key", "/keys/room3"
    window.reattach()
    assert seen == [(str(tmp_path / "run"), None, WorkshopCredentials(key_path="/keys/room3"))]
    run(loop, window.convert_page.wait(), timeout=60)

    settings.active_job = ActiveJob(backend="workshop", run_id="room-3-def", where="attendee@127.0.0.1:2222",
                                    run_dir=str(tmp_path / "run2"))
    settings.workshop_sign_in = "password"
    window.ctx.workshop_password = None
    window.reattach()
    run(loop, wait_for(lambda: getattr(window, "workshop_password_dialog", None) is not None
                       and window.workshop_password_dialog.isVisible(), what="the password asked"))
    assert len(seen) == 1  # nothing connects before the password is given
    window.workshop_password_dialog.setTextValue("room-3-secret")
    window.workshop_password_dialog.accept()
    run(loop, wait_for(lambda: len(seen) == 2, what="the re-attach"))
    assert seen[1] == (str(tmp_path / "run2"), None, WorkshopCredentials(password="room-3-secret"))
    run(loop, window.convert_page.wait(), timeout=60)


def test_real_services_stage_the_kits_options_and_refuse_a_locked_change(tmp_path, monkeypatch):
    """Services.start_workshop_conversion stages through the core (attendee.start_conversion):
    the kit's options in the recipe, an unlocked change kept, a locked change refused with the
    kit's message before anything connects (the kit's server is never reached: the job is only
    staged here)."""
    from dataclasses import replace

    from wizard.core.events import ProblemRaised, StepFinished, StepStarted
    from wizard.core.messages import WizardError
    from wizard.gui.services import Services

    from wizard.core.app.settings import Settings
    from wizard.gui.workshop_kit import apply_kit

    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    # "mean" locked as the preset leaves it (None: the wizard decides), while the window's state
    # holds a concrete default there: that is not a change of a locked option.
    kit = read_kit(make_kit(tmp_path / "room3.rcwkit", locked=("processor", "quantize", "pixel_format", "mean")))
    assert kit.options["mean"] is None
    model, pictures = sample_model(tmp_path / "in"), sample_images(tmp_path / "in" / "pictures")
    state = rules.WizardState()
    apply_kit(kit, state, Settings())
    state.model_path, state.images_source, state.out_dir = str(model), str(pictures), str(tmp_path / "run")
    choices = rules.choices_from_state(state)
    changed = replace(choices, keep_aspect_ratio=False)
    job = Services().start_workshop_conversion(kit, changed, "Aiko", WorkshopCredentials(key_path="/nowhere"))
    events = job.events()
    seen = []
    for event in events:  # staging, then the runner's first step: stop before it connects
        seen.append(event)
        if isinstance(event, StepFinished) and event.step == "prepare":
            break
    events.close()
    assert isinstance(seen[0], StepStarted) and seen[-1].ok, [e for e in seen if isinstance(e, ProblemRaised)]
    recipe = json.loads((tmp_path / "run" / "workspace" / "recipe.json").read_text())
    assert recipe["keep_aspect_ratio"] is False and recipe["pixel_format"] == "bgr"
    info = json.loads((tmp_path / "run" / ".workshop.json").read_text())
    assert info["attendee"] == "Aiko" and info["kit_id"] == "kit-guitest"

    locked = replace(choices, out=str(tmp_path / "run2"), quantize="BF16")  # a change the page never allows
    job = Services().start_workshop_conversion(kit, locked, "Aiko", WorkshopCredentials(key_path="/nowhere"))
    with pytest.raises(WizardError) as refused:
        list(job.events())
    assert refused.value.problem.code == "kit_choice_locked"


def test_a_workshop_start_cancelled_while_staging_records_it(tmp_path, monkeypatch):
    """As every window conversion: cancelled while the pictures are staged, the run folder's
    job.json says so (backend workshop, the kit's server) and nothing connects to the server."""
    from wizard.core.app.settings import Settings
    from wizard.gui.services import Services
    from wizard.gui.workshop_kit import apply_kit

    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    kit = read_kit(make_kit(tmp_path / "room3.rcwkit", locked=("processor", "quantize")))
    model, pictures = sample_model(tmp_path / "in"), sample_images(tmp_path / "in" / "pictures")
    state = rules.WizardState()
    apply_kit(kit, state, Settings())
    state.model_path, state.images_source, state.out_dir = str(model), str(pictures), str(tmp_path / "run")
    job = Services().start_workshop_conversion(kit, rules.choices_from_state(state), "Aiko",
                                               WorkshopCredentials(key_path="/nowhere"))
    job.cancel()
    list(job.events())
    record = json.loads((tmp_path / "run" / "job.json").read_text())
    assert (record["state"], record["verdict"], record["backend"], record["where"]) == (
        "finished", "cancelled", "workshop", kit.server.target)
    assert (tmp_path / "run" / "workspace" / "recipe.json").is_file()


def test_in_a_room_with_one_account_per_attendee_the_attendee_gives_theirs(make_window, loop, tmp_path, services,
                                                                            gui_home):
    """The kit says every attendee has their own account: the Where page shows the server as host
    and port, asks for the account (from the seat card, the kit's hint as the example), refuses
    Next without one with the core's words, and Start signs in as it."""
    kit_path = make_kit(tmp_path / "room3.rcwkit", per_attendee=True)
    window = make_window()
    open_kit(window, loop, kit_path)
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    assert where.workshop_server_value.text() == "127.0.0.1:2222\nSet by your instructor."
    assert where.workshop_account_edit.isVisibleTo(where)
    assert where.workshop_account_edit.placeholderText() == "on your seat card, e.g. seat01"
    assert "nobody else can see your files" in where.workshop_note.text()
    key = tmp_path / "seat_key"
    key.write_text("not read here")
    where.workshop_name_edit.setText("Aiko")
    where.workshop_key_edit.setText(str(key))
    where._workshop_edited()
    window.refresh()
    message, fix = problem("workshop_account_needed", hint="seat01 … seat12").text("en")
    assert f"{message} → {fix}" in window.problems.texts() and not window.next_button.isEnabled()
    where.workshop_account_edit.setText("Seat 07")  # not an account name: the core's words
    where._workshop_edited()
    window.refresh()
    refused, fix = problem("workshop_bad_account", value="Seat 07").text("en")
    assert f"{refused} → {fix}" in window.problems.texts()
    where.workshop_account_edit.setText("seat07")
    where._workshop_edited()
    window.refresh()
    assert window.next_button.isEnabled()
    window.go_next()
    run(loop, window.convert_page.wait(), timeout=60)
    [(_kit, _choices, attendee, credentials)] = services.workshop_started
    assert attendee == "Aiko" and credentials == WorkshopCredentials(key_path=str(key), account="seat07")
    saved = json.loads(next(gui_home[0].rglob("settings.json")).read_text())
    assert saved["workshop_account"] == "seat07"  # offered again next time


def test_a_shared_login_kit_asks_for_no_account(make_window, loop, tmp_path, services):
    window = make_window()
    open_kit(window, loop, make_kit(tmp_path / "room3.rcwkit"))
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    assert not where.workshop_account_edit.isVisibleTo(where)
    assert "nobody else can see" not in where.workshop_note.text()
