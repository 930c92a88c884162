"""Paths the user gives: one check, with the precise reason, before anything reads them.

A folder where a file is expected, a link that loops or points nowhere, a named pipe (reading it
would block forever), a device, an empty file and a file we may not read are each said as what
they are, never as "does not exist". Every place that reads a user's file or folder calls
:func:`check_input_file` or :func:`check_input_folder` first.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from wizard.core.messages import Problem, WizardError, problem


def input_file_problem(path: str | Path, *, allow_empty: bool = False, empty_code: str = "path_empty",
                       folder_code: str = "path_is_folder") -> Problem | None:
    """Why ``path`` cannot be read as a file (an error Problem), or None when it can.

    ``empty_code`` / ``folder_code`` let a caller use its own, more specific message (same
    ``path`` parameter), e.g. "model_empty"."""
    shown = str(path)
    found, reason = _stat(Path(path).expanduser(), shown)
    if reason is not None:
        return reason
    mode = found.st_mode
    if stat.S_ISDIR(mode):
        return problem(folder_code, path=shown)
    if stat.S_ISFIFO(mode):
        return problem("path_is_fifo", path=shown)
    if not stat.S_ISREG(mode):
        return problem("path_is_special", path=shown)
    if not os.access(Path(path).expanduser(), os.R_OK):
        return problem("path_no_permission", path=shown)
    if found.st_size == 0 and not allow_empty:
        return problem(empty_code, path=shown)
    return None


def check_input_file(path: str | Path, **options) -> Path:
    """``path`` (with ~ expanded) when it is a readable file; WizardError with the reason otherwise."""
    found = input_file_problem(path, **options)
    if found is not None:
        raise WizardError(found)
    return Path(path).expanduser()


def input_folder_problem(path: str | Path) -> Problem | None:
    shown = str(path)
    found, reason = _stat(Path(path).expanduser(), shown)
    if reason is not None:
        return reason
    if not stat.S_ISDIR(found.st_mode):
        return problem("not_a_directory", path=shown)
    if not os.access(Path(path).expanduser(), os.R_OK | os.X_OK):
        return problem("path_no_permission", path=shown)
    return None


def check_input_folder(path: str | Path) -> Path:
    """``path`` (with ~ expanded) when it is a folder we may read; WizardError otherwise."""
    found = input_folder_problem(path)
    if found is not None:
        raise WizardError(found)
    return Path(path).expanduser()


def _stat(path: Path, shown: str) -> tuple[os.stat_result, None] | tuple[None, Problem]:
    try:
        return os.stat(path), None
    except FileNotFoundError:
        if os.path.islink(path):
            return None, problem("path_broken_link", path=shown, target=os.readlink(path))
        return None, problem("file_not_found", path=shown)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, problem("path_link_loop", path=shown)
        if exc.errno in (errno.EACCES, errno.EPERM):
            return None, problem("path_no_permission", path=shown)
        if exc.errno == errno.ENOTDIR:
            return None, problem("file_not_found", path=shown)
        return None, problem("path_unreadable", path=shown, detail=exc.strerror or str(exc))
