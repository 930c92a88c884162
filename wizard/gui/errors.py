"""No traceback dialogs: unexpected errors are logged to a file and shown as a plain message."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from wizard.core.messages import problem

log = logging.getLogger("wizard")

_LOG_FILE: Path | None = None
_OPEN_BOXES: list = []  # a dialog with no parent must be kept alive by someone until it closes


def log_file() -> Path:
    global _LOG_FILE
    if _LOG_FILE is None:
        from wizard.core import app_dirs

        try:
            _LOG_FILE = app_dirs.ensure(app_dirs.log_dir()) / "wizard.log"
        except OSError:
            import tempfile

            _LOG_FILE = Path(tempfile.gettempdir()) / "recamera-wizard.log"
    return _LOG_FILE


def setup_logging() -> None:
    root = logging.getLogger()
    if any(getattr(h, "_wizard", False) for h in root.handlers):
        return
    try:
        handler = logging.FileHandler(log_file(), encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
    handler._wizard = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def show_unexpected(detail: str) -> None:
    """A friendly dialog: what happened in one line, where the details are, what to do."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is None:
        return
    message, fix = problem("unexpected_error", detail=detail, log=str(log_file())).text()
    box = QMessageBox(QMessageBox.Icon.Warning, "reCamera Model Wizard", message)
    box.setInformativeText(fix)
    box.setObjectName("unexpectedErrorBox")
    _OPEN_BOXES.append(box)
    box.finished.connect(lambda _result: _OPEN_BOXES.remove(box) if box in _OPEN_BOXES else None)
    box.open()  # not exec(): a nested loop inside an exception hook is asking for trouble


def install_excepthook() -> None:
    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unexpected error\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        try:
            show_unexpected(f"{exc_type.__name__}: {exc}"[:300])
        except Exception:  # noqa: BLE001 - the hook itself must never raise
            pass

    sys.excepthook = hook


def asyncio_exception_handler(loop, context) -> None:
    exc = context.get("exception")
    if exc is not None:
        log.error("unexpected error in a task: %s", context.get("message"), exc_info=exc)
        try:
            show_unexpected(f"{type(exc).__name__}: {exc}"[:300])
        except Exception:  # noqa: BLE001
            pass
    else:
        log.warning("asyncio: %s", context.get("message"))
