"""A double-clicked kit on macOS: the OS sends the app a QFileOpenEvent (not argv), and the window
opens the kit as File > Open workshop kit… does, also when the event came before the window.

Real components: the application's file-open handler (wizard/gui/app.py, installed here as
make_application installs it on macOS), a real QFileOpenEvent posted to the QApplication, the
real window and the real read_kit over a kit written by the core's kit writer. No server.
"""

from __future__ import annotations

import asyncio

import pytest

from test_gui_support import gui_home, loop, make_window, run, services, wait_for  # noqa: F401
from test_gui_workshop import make_kit

pytestmark = pytest.mark.gui


@pytest.fixture
def file_opens(qapp):
    from wizard.gui import app as gui_app

    handler = gui_app.install_kit_file_opens(qapp)
    yield handler
    handler.remove()
    gui_app.kit_file_opens = None


def post_file_open(path) -> None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QFileOpenEvent

    QCoreApplication.postEvent(QCoreApplication.instance(), QFileOpenEvent(str(path)))


def test_a_file_open_event_with_a_kit_opens_it_in_the_window(file_opens, make_window, loop, tmp_path):
    window = make_window()
    kit_path = make_kit(tmp_path / "room3.rcwkit")
    post_file_open(kit_path)
    run(loop, wait_for(lambda: window.ctx.kit is not None, 20, "the kit opened"))
    run(loop, window.ctx.idle())
    assert window.ctx.kit.title == "Room 3 workshop" and str(window.ctx.kit.path) == str(kit_path)
    assert window.ctx.flow.current == "model" and window.ctx.state.pixel_format == "bgr"

    # Another file (a model dropped on the Dock icon) is not taken for a kit.
    assert file_opens.offer(str(tmp_path / "yolo11n.onnx")) is False


def test_a_kit_that_launched_the_app_waits_for_the_window(file_opens, make_window, loop, tmp_path):
    kit_path = make_kit(tmp_path / "room3.rcwkit")
    file_opens._window = None  # the app has just started: no window yet
    post_file_open(kit_path)
    run(loop, asyncio.sleep(0.2))
    assert file_opens.pending == [str(kit_path)]
    window = make_window()  # build_window hands it the waiting kit
    run(loop, wait_for(lambda: window.ctx.kit is not None, 20, "the kit opened"))
    assert file_opens.pending == [] and window.ctx.kit.title == "Room 3 workshop"


def test_a_changed_kit_from_the_os_is_refused_with_its_reason(file_opens, make_window, loop, tmp_path):
    window = make_window()
    bad = tmp_path / "changed.rcwkit"
    bad.write_bytes(b"PK not really a zip")
    post_file_open(bad)
    run(loop, wait_for(lambda: getattr(window, "last_problem_dialog", None) is not None, 20, "the refusal"))
    assert window.ctx.kit is None and "changed.rcwkit" in window.last_problem_dialog.text()
