"""A run folder used by one conversion at a time, whose earlier result survives a failed re-run.

Converting again into a run folder moves the earlier run's result (model, log, results, recipe,
reproduce.sh, job record, the detection check's report and pictures) into RUN_DIR/previous-run/
before the new run writes anything. When the new run succeeds, previous-run/ is removed (the new
result replaces it, as asked); when it fails or is cancelled, previous-run/ stays and the user is
told where it is. A top-level result that is itself a failed attempt never pushes an older
previous-run/ out: what is kept is always the most recent successful result, if there was one.

The workspace/ is not moved: the new run's inputs are staged there (and its work/ keeps the
toolchain's step stamps, which is what lets convert.sh skip steps whose inputs did not change).

A lock file (RUN_DIR/.recamera-wizard.lock, a cross-platform file lock) is held for the whole
conversion, staging included: a second conversion into the same folder is refused at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from wizard.core.messages import WizardError
from wizard.core.plan.recipe import LOG_FILE, RECIPE_FILE
from wizard.core.runners.bundle import (
    DETECTIONS_DIR,
    DETECTIONS_REPORT,
    PREVIOUS_RUN_DIR,
    REPRODUCE_FILE,
    RESULTS_FILE,
    WORKSPACE_DIR,
)
from wizard.core.runners.record import JOB_FILE
from wizard.core.runners.status import RecordState, Verdict

LOCK_FILE = ".recamera-wizard.lock"
_RESULT_FILES = (LOG_FILE, RESULTS_FILE, RECIPE_FILE, REPRODUCE_FILE, JOB_FILE, DETECTIONS_REPORT)
_MODEL_SUFFIXES = (".cvimodel", ".bmodel")


@contextlib.contextmanager
def claimed_run_dir(run_dir: str | Path) -> Iterator[Path]:
    """Hold the run folder's lock while the block runs; WizardError "run_dir_busy" when another
    conversion holds it (the lock is released by the system if that process dies)."""
    from filelock import FileLock, Timeout

    folder = Path(run_dir)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder / LOCK_FILE), timeout=0)
        lock.acquire()
    except Timeout:
        raise WizardError.of("run_dir_busy", path=str(folder)) from None
    except OSError as exc:
        raise WizardError.of("output_not_writable", path=str(folder), detail=exc.strerror or str(exc)) from None
    try:
        yield folder
    finally:
        lock.release()
        if created and [p.name for p in folder.iterdir()] == [LOCK_FILE]:
            # Refused before anything was made (a blocked plan): leave no empty folder behind.
            with contextlib.suppress(OSError):
                (folder / LOCK_FILE).unlink()
                folder.rmdir()


def refuse_if_a_run_is_going(run_dir: Path) -> None:
    """A run whose record says "running" (the window was closed and the run went on, or the app
    died) still owns the folder: a new conversion there would mix with it."""
    from wizard.core.runners.record import JobRecord

    if not (run_dir / JOB_FILE).is_file():
        return
    try:
        record = JobRecord.load(run_dir)
    except WizardError:
        return  # an unreadable record guards nothing; the new run writes its own
    if record.state == RecordState.RUNNING:
        raise WizardError.of("run_dir_has_running_run", path=str(run_dir), run_id=record.run_id)


def _result_files(run_dir: Path) -> list[Path]:
    found = [run_dir / name for name in _RESULT_FILES if (run_dir / name).is_file()]
    found += sorted(p for p in run_dir.iterdir() if p.suffix in _MODEL_SUFFIXES and p.is_file())
    if (run_dir / DETECTIONS_DIR).is_dir():  # the detection check's pictures go with its model
        found.append(run_dir / DETECTIONS_DIR)
    return found


def _succeeded(folder: Path) -> bool:
    try:
        return json.loads((folder / RESULTS_FILE).read_text(encoding="utf-8")).get("verdict") == Verdict.SUCCESS
    except (OSError, ValueError, AttributeError):
        return False


def set_aside_earlier_run(run_dir: Path) -> Path | None:
    """Move an earlier run's result out of the way of a new run; the folder it is kept in, or
    None when there was nothing to keep. Raises WizardError when the folder cannot be written."""
    try:
        found = _result_files(run_dir)
        previous = run_dir / PREVIOUS_RUN_DIR
        if not any(p.name in (LOG_FILE, RESULTS_FILE) or p.suffix in _MODEL_SUFFIXES for p in found):
            # Nothing worth keeping (e.g. only the record of a run cancelled before it began):
            # the new run's files replace it.
            return previous if previous.is_dir() else None
        if previous.is_dir() and not _succeeded(run_dir):
            # The top level is a failed attempt; previous-run/ holds the older result: keep that.
            for path in found:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            return previous
        staging = Path(tempfile.mkdtemp(prefix=f".{PREVIOUS_RUN_DIR}.", dir=run_dir))
        for path in found:
            os.replace(path, staging / path.name)
        if previous.exists():
            shutil.rmtree(previous)
        os.replace(staging, previous)
        return previous
    except OSError as exc:
        raise WizardError.of("output_not_writable", path=str(run_dir), detail=exc.strerror or str(exc)) from None


def drop_earlier_run(run_dir: Path) -> None:
    """After a successful run: the earlier result it replaces goes."""
    shutil.rmtree(run_dir / PREVIOUS_RUN_DIR, ignore_errors=True)


def record_cancelled_before_run(run_dir: Path, *, backend: str, where: str, image: str) -> None:
    """A conversion stopped before its run began (checks, image preparation): the history
    says so, and so does RUN_DIR/job.json unless an earlier run's record is there (that one
    still describes the earlier result, which nothing touched)."""
    import time

    from wizard.core.runners.protocol import new_run_id
    from wizard.core.runners.record import JobRecord

    workspace = run_dir / WORKSPACE_DIR
    with contextlib.suppress(OSError):
        workspace.rmdir()  # left empty by a staging that never finished
    if not run_dir.is_dir() or (run_dir / JOB_FILE).exists():
        return
    record = JobRecord(run_id=new_run_id(), backend=backend, where=where, run_dir=str(run_dir), image=image,
                       state=RecordState.FINISHED, verdict=Verdict.CANCELLED, finished=time.time())
    with contextlib.suppress(OSError):
        record.save()
