"""Workshop > Room status… in the window: every attendee's job in words, the server's load, a
failure as the catalogue's message, refreshing by itself.

A DOUBLE of the services' ``room_status`` (RoomServices below) answers with a RoomStatus made
of the core's own types (no server, no SSH); the kit is a real file written by the core's kit
writer and opened by the real window. The real fetch over SSH is tested in
tests/test_workshop_room_status_ssh.py.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from test_gui_support import FakeServices, gui_home, loop, make_window, run, services, wait_for  # noqa: F401
from test_gui_workshop import make_kit
from wizard.core.workshop.kit import read_kit
from wizard.core.messages import WizardError, render
from wizard.core.ssh.options import SshCredentials
from wizard.core.workshop.status import JobStatus, RoomStatus, ServerLoad

pytestmark = pytest.mark.gui

GB = 1024**3


def a_room(target: str = "attendee@127.0.0.1:2222") -> RoomStatus:
    """One job in each state an instructor sees, and a server with 2 of 2 slots busy."""
    cause = render("workshop_cause_exit", {"step": "calibrate", "code": 137}, "en")[0]
    jobs = (
        JobStatus(run_id="r1", attendee="Aiko", state="done", ticket=1, verdict="success", exit_code=0,
                  elapsed=95, waited=3, model="helmet"),
        JobStatus(run_id="r2", attendee="Bruno", state="failed", ticket=2, verdict="conversion_failed", step="calibrate",
                  cause=cause, exit_code=137, elapsed=3720, waited=4, model="cars"),
        JobStatus(run_id="r3", attendee="Chen", state="running", ticket=3, step="calibrate", elapsed=40, waited=10,
                  model="dogs"),
        JobStatus(run_id="r4", attendee="Dana", state="waiting", ticket=4, ahead=0, elapsed=30, waited=30, model="x"),
        JobStatus(run_id="r5", attendee="<b>Emeka</b>", state="waiting", ticket=5, ahead=1, elapsed=12, waited=12),
        JobStatus(run_id="r6", attendee="Fumi", state="cancelled", ticket=6, verdict="cancelled", elapsed=2),
    )
    server = ServerLoad(slots=2, running=2, waiting=2, load=(1.5, 1.2, 0.9), mem_total=8 * GB,
                        mem_available=5 * GB, disk_free=40 * GB)
    return RoomStatus(target=target, workshop_id="room-3", server_time=1000.0, server=server, jobs=jobs)


class RoomServices(FakeServices):
    """The FakeServices plus a double of room_status: answers ``answers`` in turn (a RoomStatus
    or a WizardError to raise), the last one again and again; records every call."""

    def __init__(self, *answers):
        super().__init__()
        self.answers = list(answers)
        self.room_calls: list[tuple] = []
        self.calls_made = threading.Event()

    def room_status(self, kit, credentials, **login):
        self.room_calls.append((kit, credentials, *login.values()))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def open_dialog(window, loop):
    window.room_status_action.trigger()
    dialog = window.room_status_dialog
    run(loop, window.ctx.idle())
    return dialog


def test_the_table_shows_every_state_in_words_and_the_servers_load(make_window, loop, tmp_path):
    services = RoomServices(a_room())
    window = make_window(svc=services)
    run(loop, window.open_kit(str(make_kit(tmp_path / "room3.rcwkit"))))
    dialog = open_dialog(window, loop)
    assert dialog.isVisible() and dialog.fetches == 1
    assert services.room_calls[0][0] is window.ctx.kit  # the opened kit: its server, its pinned key
    assert "Room 3 workshop" in dialog.kit_label.text() and "room-3" in dialog.kit_label.text()
    rows = dialog.table_rows()
    assert [row[:2] for row in rows] == [["#1", "Aiko"], ["#2", "Bruno"], ["#3", "Chen"], ["#4", "Dana"],
                                         ["#5", "<b>Emeka</b>"], ["#6", "Fumi"]]  # a name is text, never markup
    states = [row[3] for row in rows]
    assert states == ["done: converted", "failed: calibrate ended with exit code 137", "running: calibrate",
                      "waiting: 0 ahead (place 1 in line)", "waiting: 1 ahead (place 2 in line)", "cancelled"]
    assert [row[4] for row in rows] == ["1 min 35 s", "1 h 02 min", "40 s", "30 s", "12 s", "2 s"]
    assert rows[0][2] == "helmet" and rows[3][5] == "30 s"
    assert dialog.server_label.text() == (
        "Server attendee@127.0.0.1:2222: 2 of 2 slots busy, 2 waiting; load 1.50 1.20 0.90; "
        "memory 3.0 of 8.0 GB used; 40.0 GB disk free.")
    assert not dialog.error_label.isVisible() and not dialog.empty_label.isVisible()
    assert "Updated at" in dialog.updated_label.text()

    # The same room in Japanese: the states in words from the catalogue, the columns from the .ts.
    window.set_language("ja")
    run(loop, asyncio.sleep(0.2))  # Qt posts LanguageChange to every widget
    rows = dialog.table_rows()
    assert [row[3] for row in rows][0] == "完了: 変換成功" and rows[2][3] == "実行中: calibrate"
    assert rows[3][3].startswith("待機中: 前に 0 人")
    assert dialog.table.horizontalHeaderItem(1).text() != "Attendee"
    assert dialog.windowTitle() != "Workshop room status"
    assert dialog.server_label.text().startswith("サーバー attendee@127.0.0.1:2222")


def test_a_failure_is_the_catalogues_message_and_refresh_tries_again(make_window, loop, tmp_path, gui_home):
    refused = WizardError.of("kit_host_key_mismatch", host="[127.0.0.1]:2222", fingerprint="SHA256:other",
                             expected="SHA256:pinned")
    services = RoomServices(refused, RoomStatus(target="t", workshop_id="room-3", server_time=1.0,
                                                server=ServerLoad(slots=2)))
    window = make_window(svc=services)
    run(loop, window.open_kit(str(make_kit(tmp_path / "room3.rcwkit"))))
    dialog = open_dialog(window, loop)
    dialog.key_edit.setText("/keys/instructor")
    dialog.password_edit.setText("s3cret")
    text = dialog.error_label.text()
    assert dialog.error_label.isVisible() and "SHA256:other" in text and "Tell the instructor" in text
    assert "Traceback" not in text and "paused" in text
    assert dialog.table.rowCount() == 0
    # Paused after a failure: the timer does not ask again by itself.
    dialog._auto_refresh()
    run(loop, window.ctx.idle())
    assert len(services.room_calls) == 1
    dialog.refresh_button.click()
    run(loop, window.ctx.idle())
    assert services.room_calls[-1][1] == SshCredentials(key_file="/keys/instructor", password="s3cret",
                                                        key_passphrase="s3cret")
    assert not dialog.error_label.isVisible() and dialog.empty_label.isVisible()
    assert dialog.empty_label.text() == "No attendee has started a conversion yet."
    window.ctx.save_settings()
    home, keychain = gui_home
    assert not [p for p in home.rglob("*") if p.is_file() and b"s3cret" in p.read_bytes()]  # memory only
    assert "s3cret" not in keychain.items.values()


def test_it_refreshes_by_itself_while_open_and_stops_when_closed(make_window, loop, tmp_path):
    services = RoomServices(a_room())
    window = make_window(svc=services)
    run(loop, window.open_kit(str(make_kit(tmp_path / "room3.rcwkit"))))
    dialog = open_dialog(window, loop)
    dialog.timer.setInterval(50)
    dialog.timer.start()
    run(loop, wait_for(lambda: dialog.fetches >= 3, 10, "three refreshes"))
    dialog.close()
    run(loop, window.ctx.idle())
    assert not dialog.timer.isActive()
    seen = dialog.fetches
    run(loop, asyncio.sleep(0.4))
    assert dialog.fetches == seen


def test_without_an_open_kit_the_instructor_picks_the_kit_file(make_window, loop, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    services = RoomServices(a_room())
    window = make_window(svc=services)
    dialog = open_dialog(window, loop)
    assert services.room_calls == [] and not dialog.refresh_button.isEnabled()
    assert "choose the kit" in dialog.kit_label.text()
    # A changed kit is refused with its reason, in the dialog.
    bad = tmp_path / "bad.rcwkit"
    bad.write_bytes(b"not a zip")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), "")))
    dialog.choose_kit_button.click()
    run(loop, window.ctx.idle())
    assert dialog.error_label.isVisible() and "bad.rcwkit" in dialog.error_label.text()
    kit_path = make_kit(tmp_path / "room3.rcwkit")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(kit_path), "")))
    dialog.choose_kit_button.click()
    run(loop, window.ctx.idle())
    assert services.room_calls and services.room_calls[-1][0].title == "Room 3 workshop"
    assert len(dialog.table_rows()) == 6 and window.ctx.kit is None  # the window's own conversion is untouched


def test_a_room_with_one_account_per_attendee_asks_for_the_instructors_login(make_window, loop, tmp_path):
    """The workshop is root's there: the dialog shows a Login field (root by default) and fetches
    as that account; a shared-login kit has no such field and passes none."""
    services = RoomServices(a_room())
    window = make_window(svc=services)
    run(loop, window.open_kit(str(make_kit(tmp_path / "room3.rcwkit", per_attendee=True))))
    dialog = open_dialog(window, loop)
    assert dialog.login_edit.isVisibleTo(dialog) and dialog.login_edit.text() == "root"
    assert services.room_calls[0][2] == "root"
    dialog.login_edit.setText("teacher")
    run(loop, dialog.refresh())
    assert services.room_calls[-1][2] == "teacher"

    dialog.set_kit(read_kit(make_kit(tmp_path / "shared.rcwkit")))
    assert not dialog.login_edit.isVisibleTo(dialog)
    run(loop, dialog.refresh())
    assert len(services.room_calls[-1]) == 2  # the kit's own login
