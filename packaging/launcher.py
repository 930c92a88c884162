"""Entry point of the frozen app (PyInstaller runs this file as ``__main__``).

It is the same ``wizard.cli.main`` as the ``recamera-wizard`` console script; what is here only
papers over what differs once frozen, so the checkout and the bundle behave the same.
"""

from __future__ import annotations

import multiprocessing
import os
import sys


def _give_windowed_app_somewhere_to_print() -> None:
    # A windowed (console=False) Windows build starts with sys.stdout/sys.stderr set to None:
    # the first print() or logging handler would raise. Send them to a file the user can find
    # and attach to a report; os.devnull only if even that cannot be opened.
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream = None
    try:
        log_dir = _log_dir()
        os.makedirs(log_dir, exist_ok=True)
        stream = open(os.path.join(log_dir, "app-console.log"), "a", encoding="utf-8", buffering=1)
    except OSError:
        stream = open(os.devnull, "w", encoding="utf-8")
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


def _log_dir() -> str:
    # The app's own per-OS folders; the fallback repeats their convention so a broken import
    # never costs the user the log of a start-up failure.
    try:
        from wizard.core.app_dirs import log_dir

        return os.fspath(log_dir())
    except Exception:
        pass
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser(r"~\AppData\Local")
        return os.path.join(base, "reCameraWizard", "Logs")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Logs/reCameraWizard")
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return os.path.join(state, "recamera-wizard", "logs")


def _drop_finder_process_serial_number() -> None:
    # Old macOS Finder launches pass "-psn_0_12345"; argparse would reject it as unknown.
    sys.argv[1:] = [arg for arg in sys.argv[1:] if not arg.startswith("-psn_")]


def main() -> int:
    # Only PySide6 is bundled; tell qasync so it does not probe for other Qt bindings.
    os.environ.setdefault("QT_API", "pyside6")
    _give_windowed_app_somewhere_to_print()
    _drop_finder_process_serial_number()
    from wizard.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    # A frozen child process started by multiprocessing must not open a second wizard.
    multiprocessing.freeze_support()
    raise SystemExit(main())
