"""The binding's emit() reference bug cannot take the interpreter down (see wizard/gui/qt_compat.py)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal

import test_gui_support  # noqa: F401 - Qt platform
from wizard.gui.qt_compat import emit

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
        emit(source.plain)
        emit(source.flag, i % 2 == 0)
    after = sys.getrefcount(True) + sys.getrefcount(False)
    assert len(received) == 40_000
    assert abs(after - before) < 50  # unrelated references come and go; a leak would be 40,000
