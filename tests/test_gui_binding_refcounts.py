"""The Qt binding keeps None, True and False alive: the reason pyproject.toml keeps PySide6 < 6.12
on Python < 3.12.

PySide6 6.12.0 on CPython 3.11 takes one reference from None on every void call (setText,
processEvents, a Python slot run by Qt...) and one from True/False on every emit() and
disconnect(); the interpreter aborts after a few thousand ("none_dealloc"/"bool_dealloc").
qasync makes such calls for every executor result, so the window dies in normal use.
"""

from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtCore import QObject, Signal

import test_gui_support  # noqa: F401 - Qt platform
from test_gui_support import loop  # noqa: F401 - fixture: a qasync loop, cleaned up

pytestmark = pytest.mark.gui


class Source(QObject):
    plain = Signal()
    flag = Signal(bool)


def test_many_emits_leave_true_and_false_alone(qapp):
    source = Source()
    received = []
    source.plain.connect(lambda: received.append(1))
    source.flag.connect(lambda value: received.append(int(value)))  # ints: no bool kept here
    before = sys.getrefcount(True) + sys.getrefcount(False)
    for i in range(20_000):  # far more than True's own reference count on Python 3.11
        source.plain.emit()
        source.flag.emit(i % 2 == 0)
    after = sys.getrefcount(True) + sys.getrefcount(False)
    assert len(received) == 40_000
    assert abs(after - before) < 50  # unrelated references come and go; a leak would be 40,000


def _bool_references() -> int:
    return sys.getrefcount(True) + sys.getrefcount(False)


def test_many_disconnects_leave_true_and_false_alone(qapp):
    source = Source()

    def slot():
        pass

    before = _bool_references()
    for _ in range(20_000):
        source.plain.connect(slot)
        source.plain.disconnect(slot)
        source.plain.connect(slot)
        source.plain.disconnect()
    assert abs(_bool_references() - before) < 50


def test_qasync_thread_callbacks_leave_none_true_and_false_alone(loop):
    """qasync emits a signal for each call_soon_threadsafe: every executor result in the app."""
    import asyncio

    calls = []

    async def round_of(count):
        await asyncio.gather(*[loop.run_in_executor(None, calls.append, 1) for _ in range(count)])

    loop.run_until_complete(round_of(500))  # first full round grows the thread pool and the loop
    gc.collect()  # what earlier tests left for the collector is not counted as a change
    before = _bool_references(), sys.getrefcount(None)
    for _ in range(20):
        loop.run_until_complete(round_of(500))
    gc.collect()
    assert len(calls) == 10_500
    assert abs(_bool_references() - before[0]) < 50
    assert abs(sys.getrefcount(None) - before[1]) < 50


def test_void_calls_and_python_slots_leave_none_alone(qapp):
    from PySide6.QtWidgets import QCheckBox, QLabel

    box, label = QCheckBox(), QLabel()
    toggles = []
    box.toggled.connect(lambda on: toggles.append(1))
    before = sys.getrefcount(None)
    for _ in range(20_000):  # on the broken binding: 60,000 references taken
        label.setText("x")
        box.toggle()
        qapp.processEvents()
    assert len(toggles) == 20_000
    assert abs(sys.getrefcount(None) - before) < 50
