"""Work-arounds for bugs of the Qt binding that the wizard's users would otherwise meet.

PySide6 6.12 on Python < 3.12: ``SignalInstance.emit()`` returns ``True``/``False`` without
taking a reference. Every ``emit()`` made from Python then takes one reference away from the
interpreter's shared True/False objects, and after a few hundred emits (a thumbnail grid, a
busy page) the interpreter aborts with "bool_dealloc: deallocating True or False". On Python 3.12+
True and False are immortal and nothing happens. ``emit()`` below gives the reference back when
(and only when) the running binding has the bug, found by measuring it once at import.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal()


def _emit_steals_bool_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True) + sys.getrefcount(False)
    result = probe.ping.emit()
    after = sys.getrefcount(True) + sys.getrefcount(False)
    if not isinstance(result, bool):
        return False
    # Holding ``result`` should count one reference more; with the bug it counts none.
    leaks = after == before and sys.version_info < (3, 12)
    if leaks:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))  # give back the probe's own
    return leaks


EMIT_LEAKS = _emit_steals_bool_reference()


def emit(signal, *args) -> None:
    """``signal.emit(*args)``, safe from the binding's reference bug."""
    result = signal.emit(*args)
    if EMIT_LEAKS and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
