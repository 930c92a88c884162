"""One conversion run, whatever the backend: prepare → upload → run → download → cleanup.

``ConversionJob`` drives a Runner (DockerRunner or SshRunner) over a staged workspace and leaves
a self-contained run folder (the reproducibility bundle users ask for):

    RUN_DIR/<name>_sym_int8.cvimodel   the model, when the conversion succeeded
    RUN_DIR/convert.log                everything the toolchain printed, as it printed it
    RUN_DIR/results.json               parse_log()'s steps/compare/errors + verdict, paths, image
    RUN_DIR/recipe.json                the recipe (a copy of workspace/recipe.json)
    RUN_DIR/reproduce.sh               re-runs the conversion with Docker and the exact image
    RUN_DIR/job.json                   the job record: enough to re-attach after the app closed
    RUN_DIR/workspace/                 the staged inputs, and work/ with the toolchain's results
                                       (wizard.core.plan.kept_files; results.json "work_files"
                                       lists what stayed where the run ran, and its size)
    RUN_DIR/previous-run/              an earlier result in this folder, until this run succeeds

It never raises for problems a user can meet: they come out as ``ProblemRaised`` events and a
final ``Result`` whose ``details["verdict"]`` is a ``Verdict`` (runners/status.py) (the CLI maps it to an exit
code). Cleanup runs however the run ended, including when the caller stops iterating.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from wizard import __version__
from wizard.core.events import Event, LogLine, ProblemRaised, Result, StepFinished
from wizard.core.messages import Problem, WizardError, problem
from wizard.core.plan.kept_files import LISTING_FILE, parse_listing, split_listing
from wizard.core.plan.recipe import LOG_FILE, RECIPE_FILE, WORK_DIR, ConversionRecipe
from wizard.core.runners.bundle import (
    PREVIOUS_RUN_DIR,
    REPRODUCE_FILE,
    RESULTS_FILE,
    RESULTS_FORMAT,
    WORKSPACE_DIR,
    reproduce_script,
)
from wizard.core.runners.factory import RunnerSpec, attach_runner
from wizard.core.runners.protocol import EXIT_OOM_KILLED, Runner
from wizard.core.toolchain.known_failures import MEMORY_CODES, out_of_memory
from wizard.core.runners.run_folder import drop_earlier_run, set_aside_earlier_run
from wizard.core.runners.record import JOB_FILE, JobRecord, atomic_write
from wizard.core.runners.status import RecordState, Verdict


# How often the record's log position is saved while lines stream (a crash loses at most this).
RECORD_EVERY_SECONDS = 2.0

# --- The job ----------------------------------------------------------------------------------


class ConversionJob:
    """Runs one staged workspace through a runner and writes the run folder.

    ``workspace`` defaults to RUN_DIR/workspace. ``cache``: a CalibrationCache, None for the
    default one in the app cache folder, or False for none.
    """

    def __init__(
        self,
        runner: Runner,
        run_dir: str | Path,
        *,
        workspace: str | Path | None = None,
        cache: Any = None,
        keep_remote: bool = False,
        record: JobRecord | None = None,
    ) -> None:
        self.runner = runner
        self.run_dir = Path(run_dir)
        self.workspace = Path(workspace) if workspace else self.run_dir / WORKSPACE_DIR
        if cache is None:
            from wizard.core.runners.calibration_cache import CalibrationCache

            cache = CalibrationCache()
        self.cache = cache or None
        self.keep_remote = keep_remote
        self.recipe = ConversionRecipe.load(self.workspace / RECIPE_FILE)
        handle = runner.handle
        self.record = record or JobRecord(
            run_id=handle.run_id, backend=handle.backend, where=handle.where,
            run_dir=str(self.run_dir), image=self.recipe.toolchain_image, keep_remote=keep_remote,
        )
        self._cancel_requested = threading.Event()
        self._detached = threading.Event()
        self.problems: list[Problem] = []
        self.verdict = ""
        self.exit_code: int | None = None
        self.model_path: Path | None = None
        self.cache_restored = False
        self.cache_stored = False
        self._log = None
        self._last_save = 0.0
        self._convert_seen_problem = False
        self.earlier_run: Path | None = None  # where an earlier result in run_dir is kept
        self.work_files: dict[str, Any] | None = None  # what came back from work/, what did not
        self._work_before: set[str] | None = None  # work/'s files before the upload (None: unknown)

    @property
    def cancel_requested(self) -> bool:
        """``cancel()`` was called (any thread): the run is being stopped."""
        return self._cancel_requested.is_set()

    def cancel(self) -> None:
        """Stop the run (any thread): the runner stops its job; events then end with the verdict
        "cancelled" after cleanup."""
        self._cancel_requested.set()
        self.runner.cancel()

    @property
    def detached(self) -> bool:
        return self._detached.is_set()

    def detach(self) -> None:
        """Stop following the run but leave it running (any thread): the window closes, the
        conversion goes on, and job.json keeps what ``reattach`` needs. The events then end
        (without a Result) as soon as the run has started; nothing is cleaned up."""
        self._detached.set()
        self.runner.detach()

    # -- the whole run --

    def events(self) -> Iterator[Event]:
        """Run from the start: prepare, restore the calibration cache, upload, run, download."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # An earlier run's result must neither pass for this run's nor be lost if this one fails:
        # it waits in previous-run/ until this run succeeds.
        try:
            self.earlier_run = set_aside_earlier_run(self.run_dir)
        except WizardError as exc:
            self.problems.append(exc.problem)
            self.verdict = Verdict.INFRASTRUCTURE_FAILED
            yield ProblemRaised(problem=exc.problem)
            yield self._result()
            return
        self._open_log(resume=False)
        self.record.state = RecordState.CREATED
        self.record.save()
        yield from self._drive(resume=False)

    def resume(self) -> Iterator[Event]:
        """Carry on with a run started earlier (the runner was made with reattach/attach)."""
        previous = self.run_dir / PREVIOUS_RUN_DIR  # set aside when that run started
        self.earlier_run = previous if previous.is_dir() else None
        self._open_log(resume=True)
        yield from self._drive(resume=True)

    def _drive(self, resume: bool) -> Iterator[Event]:
        runner = self.runner
        finished_cleanly = False
        try:
            try:
                if not resume:
                    yield from self._guarded(runner.prepare())
                    if self.cache and not self.cancel_requested and self.cache.restore(self.workspace, self.recipe):
                        self.cache_restored = True
                        yield ProblemRaised(problem=problem("calibration_reused", "info"), step="upload")
                    if not self.cancel_requested:
                        self._work_before = _files_in(self.workspace / WORK_DIR)
                        yield from self._guarded(runner.upload(self.workspace))
                self.record.state = RecordState.RUNNING
                self.record.save()
                if not self.cancel_requested:
                    yield from self._guarded(self._stream(runner.run()))
                if self.detached and not self.cancel_requested:
                    self._log.flush()  # type: ignore[union-attr]
                    self.record.save()  # state "running", with the log position re-attach needs
                    finished_cleanly = True  # nothing to clean: the run goes on without us
                    return
                if not self.cancel_requested:
                    yield from self._guarded(runner.download(self.workspace))
            except WizardError as exc:
                if not self.cancel_requested:
                    self.problems.append(exc.problem)
                    self.verdict = Verdict.INFRASTRUCTURE_FAILED
                    yield ProblemRaised(problem=exc.problem)
            except OSError as exc:
                # The run folder's disk filled (or went away) while the log or the results came in.
                yield self._write_failed(exc)
                self.verdict = Verdict.INFRASTRUCTURE_FAILED
            yield from self._finish()
            yield from self._cleanup_events()
            finished_cleanly = True
            yield self._result()
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None
            if not finished_cleanly:
                # The caller stopped iterating (GUI closed the view, Ctrl-C twice): still leave
                # no container behind unless asked to keep it.
                try:
                    for _ in self._cleanup_events():
                        pass
                except Exception:  # noqa: BLE001 - best effort on the way out
                    pass
                self._record_stopped()

    def _record_stopped(self) -> None:
        """The run is over without reaching the end (Ctrl-C twice, the view closed, a bug): the
        record and results still say so, and the earlier result stays in previous-run/."""
        if self.record.state == RecordState.FINISHED:
            return
        self.verdict = self.verdict or Verdict.CANCELLED
        try:
            log_text = (self.run_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
            self._write_bundle(log_text)
        except Exception:  # noqa: BLE001 - the record below matters more than the results file
            pass
        self.record.state = RecordState.FINISHED
        self.record.verdict = self.verdict
        self.record.exit_code = self.exit_code
        self.record.finished = time.time()
        try:
            self.record.save()
        except OSError:
            pass

    def _write_failed(self, exc: OSError) -> ProblemRaised:
        p = problem("run_dir_write_failed", path=str(self.run_dir), detail=exc.strerror or str(exc))
        if not any(x.code == p.code for x in self.problems):
            self.problems.append(p)
        return ProblemRaised(problem=p, step="download")

    def _guarded(self, events: Iterator[Event]) -> Iterator[Event]:
        """Pass events on; once cancelled, a failing API call is the cancel, not a new problem."""
        try:
            for event in events:
                if isinstance(event, ProblemRaised):
                    self.problems.append(event.problem)
                yield event
        except WizardError:
            if self.cancel_requested:
                return
            raise

    def _open_log(self, resume: bool) -> None:
        path = self.run_dir / LOG_FILE
        if resume and path.is_file():
            # Keep exactly the lines the record counted; the runner re-sends the rest.
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
            atomic_write(path, "".join(lines[: self.record.log_lines]))
        elif not resume:
            path.write_text("", encoding="utf-8")
            self.record.log_lines = 0
        self._log = open(path, "a", encoding="utf-8", newline="\n")

    def _stream(self, events: Iterator[Event]) -> Iterator[Event]:
        for event in events:
            if isinstance(event, LogLine) and event.stream in ("stdout", "stderr"):
                self._log.write(event.text + "\n")  # type: ignore[union-attr]
                self.record.log_lines += 1
                now = time.monotonic()
                if now - self._last_save >= RECORD_EVERY_SECONDS:
                    self._log.flush()  # type: ignore[union-attr]
                    self.record.log_offset = self.runner.log_offset
                    self.record.save()
                    self._last_save = now
            elif isinstance(event, ProblemRaised) and event.problem.is_error:
                self._convert_seen_problem = True
            elif isinstance(event, StepFinished) and event.step == "convert":
                self.exit_code = event.exit_code
            yield event
            if self.detached and isinstance(event, LogLine):
                # A line means the run has started: it can go on alone (the runner may not be
                # able to unblock itself, e.g. SSH polling); stop following here.
                close = getattr(events, "close", None)
                if close is not None:
                    close()
                break
        self._log.flush()  # type: ignore[union-attr]

    # -- after the run --

    def _finish(self) -> Iterator[Event]:
        from wizard.core.plan.commands import expected_outputs

        log_text = (self.run_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
        if self.cancel_requested:
            self.verdict = Verdict.CANCELLED
            kept = self._steps_kept_for_next_run()
            # Say what is true: a cancelled run brings nothing back, so only steps whose results
            # were here before it (stamps in work/, or the calibration cache) are skipped next time.
            p = (problem("conversion_cancelled_reusing", "warning", steps=", ".join(kept)) if kept
                 else problem("conversion_cancelled", "warning"))
            if not any(x.code == p.code for x in self.problems):
                self.problems.append(p)
                yield ProblemRaised(problem=p, step="convert")
        elif not self.verdict:
            model_rel = expected_outputs(self.recipe)["model"]
            model = self.workspace / model_rel
            oom = self.exit_code == EXIT_OOM_KILLED or self.runner.facts.oom_killed
            if self.exit_code == 0 and model.is_file():
                try:
                    _atomic_copy(model, self.run_dir / model.name, link=True)
                    self.verdict = Verdict.SUCCESS
                    self.model_path = self.run_dir / model.name
                except OSError as exc:
                    self.verdict = Verdict.INFRASTRUCTURE_FAILED
                    yield self._write_failed(exc)
            else:
                self.verdict = Verdict.CONVERSION_FAILED
                step = _last_step(log_text)
                if oom:
                    # The engine saw it (Docker's OOMKilled) or the exit status says so; the log
                    # usually said it first (convert.sh's OOM-kill count): then once is enough.
                    memory_told = any(x.code in MEMORY_CODES for x in self.problems)
                    p = None if memory_told else out_of_memory(step or "calibrate", self.recipe.calibration_count)
                elif self.exit_code == 0:
                    p = problem("model_missing_after_run", path=model_rel, log=str(self.run_dir / LOG_FILE))
                elif not self._convert_seen_problem:
                    p = problem("toolchain_failed", step=step or "convert", exit_code=self.exit_code,
                                log=str(self.run_dir / LOG_FILE))
                else:
                    p = None
                if p is not None and not any(x.code == p.code for x in self.problems):
                    self.problems.append(p)
                    yield ProblemRaised(problem=p, step=step)
        self.work_files = self._settle_work()
        if self.cache and self.verdict != Verdict.CANCELLED:
            self.cache_stored = self.cache.store(self.workspace, self.recipe)
        if self.earlier_run is not None:
            if self.verdict == Verdict.SUCCESS:
                drop_earlier_run(self.run_dir)
                p = problem("earlier_run_replaced", "info", path=str(self.run_dir))
            else:
                p = problem("earlier_run_kept", "info", path=str(self.earlier_run))
            self.problems.append(p)
            yield ProblemRaised(problem=p, step="download")
        try:
            self._write_bundle(log_text)
        except OSError as exc:
            if self.verdict == Verdict.SUCCESS:
                self.verdict = Verdict.INFRASTRUCTURE_FAILED
            yield self._write_failed(exc)
        self.record.state = RecordState.FINISHED
        self.record.verdict = self.verdict
        self.record.exit_code = self.exit_code
        self.record.finished = time.time()
        self.record.log_offset = self.runner.log_offset
        self.record.save()

    def _steps_kept_for_next_run(self) -> list[str]:
        """The steps convert.sh will skip when this workspace is run again: a prefix of its
        steps whose work/.done stamp holds the current key, or that the cache will restore."""
        from wizard.core.plan.commands import cache_keys
        from wizard.core.runners.calibration_cache import CACHED_STEPS, DONE_DIR

        cached = set(CACHED_STEPS) if self.cache and self.cache.has(self.recipe) else set()
        done = self.workspace / WORK_DIR / DONE_DIR
        kept: list[str] = []
        for step, key in cache_keys(self.recipe).items():  # in convert.sh's order
            stamp = done / step
            try:
                current = stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == key
            except OSError:
                current = False
            if not (step in cached or current):
                break  # once a step runs, every later one runs too
            kept.append(step)
        return kept

    def _write_bundle(self, log_text: str) -> None:
        # Each file whole or not at all: a full disk never leaves a 0-byte recipe.json.
        _atomic_copy(self.workspace / RECIPE_FILE, self.run_dir / RECIPE_FILE)
        image = dict(self.runner.facts.image or {"tag": self.recipe.toolchain_image})
        script = self.run_dir / REPRODUCE_FILE
        atomic_write(script, reproduce_script(self.recipe, image))
        script.chmod(0o755)
        results: dict[str, Any] = _parse_log(log_text)
        model_check = _check_model(self.model_path) if self.model_path else None
        results.update({
            "format": RESULTS_FORMAT,
            "verdict": self.verdict,
            "ok": self.verdict == Verdict.SUCCESS,
            "exit_code": self.exit_code,
            "run_id": self.record.run_id,
            "backend": self.record.backend,
            "where": self.record.where,
            "started": self.record.started,
            "finished": time.time(),
            "toolchain_image": image,
            "paths": {
                "model": self.model_path.name if self.model_path else None,
                "log": LOG_FILE,
                "recipe": RECIPE_FILE,
                "reproduce": REPRODUCE_FILE,
                "workspace": os.path.relpath(self.workspace, self.run_dir),
            },
            "model_check": model_check,
            "calibration_cache": {"restored": self.cache_restored, "stored": self.cache_stored},
            "work_files": self.work_files,
            "problems": [p.to_dict() for p in self.problems],
            "wizard_version": __version__,
        })
        atomic_write(self.run_dir / RESULTS_FILE, json.dumps(results, ensure_ascii=False, indent=2) + "\n")

    def _settle_work(self) -> dict[str, Any] | None:
        """What work/ held where the run ran (convert.sh's listing) and what of it came back
        (wizard.core.plan.kept_files), for results.json. A run that worked in place (the native
        runner) drops here what the others leave behind, unless the run is kept; files that were
        here before the run are never touched."""
        work = self.workspace / WORK_DIR
        try:
            listing = parse_listing((work / LISTING_FILE).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None  # convert.sh never ended (cancelled, never started)
        files = split_listing(listing, self.recipe)
        if not self.keep_remote and self._work_before is not None:
            for rel in files.left_out:
                path = work / rel
                if rel not in self._work_before and path.is_file() and not path.is_symlink():
                    path.unlink()
            for folder in sorted((p for p in work.rglob("*") if p.is_dir()), reverse=True):
                if not any(folder.iterdir()):
                    folder.rmdir()  # e.g. model_deploy's <model> folder, emptied above
        return files.to_dict("kept where the run ran" if self.keep_remote else "removed with the run's container or folder")

    def _cleanup_events(self) -> Iterator[Event]:
        try:
            for event in self.runner.cleanup(keep_remote=self.keep_remote):
                yield event
        except WizardError as exc:
            yield ProblemRaised(problem=Problem(exc.problem.code, "warning", exc.problem.params), step="cleanup")

    def _result(self) -> Result:
        return Result(
            ok=self.verdict == Verdict.SUCCESS,
            run_dir=str(self.run_dir),
            model_path=str(self.model_path) if self.model_path else None,
            details={"verdict": self.verdict, "exit_code": self.exit_code, "run_id": self.record.run_id,
                     "results": str(self.run_dir / RESULTS_FILE)},
        )


def _files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()


def _linked(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:  # another file system, or one without links (FAT on a USB stick)
        return False


def _atomic_copy(source: Path, target: Path, *, link: bool = False) -> None:
    """Copy under a temporary name and rename: ``target`` is the whole file or is left as it was.
    ``link``: a second name for ``source`` where the file system allows it (the model at the top
    of the run folder is the one in work/, not a second copy of its megabytes)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if not (link and _linked(source, partial)):
            shutil.copy2(source, partial)
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def _last_step(log_text: str) -> str:
    """The step whose start marker is the last one in the log (for "failed in step X")."""
    from wizard.core.toolchain.interpreter import STEP_MARKER_PREFIX

    step = ""
    for line in log_text.splitlines():
        if line.startswith(STEP_MARKER_PREFIX) and " started" in line:
            step = line[len(STEP_MARKER_PREFIX):].split(" ", 1)[0]
    return step


def _parse_log(text: str) -> dict[str, Any]:
    from wizard.core.toolchain.log import parse_log

    return dict(parse_log(text).to_dict())


def _check_model(path: Path) -> dict[str, Any]:
    from wizard.core.toolchain.cvimodel import check_cvimodel

    return dict(check_cvimodel(path).to_dict())


# --- Re-attach --------------------------------------------------------------------------------


def reattach(run_dir: str | Path, *, cache: Any = None, spec: RunnerSpec | None = None) -> ConversionJob:
    """A job for a run started earlier, its runner reconnected; call ``.resume()`` to go on.

    The job record says which backend and where; ``spec`` brings what it does not keep (SSH
    key, password, consents). Docker replays the container's log and SSH re-reads the remote
    log, both skipping the lines convert.log already has.
    """
    record = JobRecord.load(run_dir)
    workspace = Path(run_dir) / WORKSPACE_DIR
    if record.state == RecordState.FINISHED:
        raise WizardError.of("run_already_finished", run_id=record.run_id, path=str(run_dir),
                             verdict=record.verdict or "?")
    recipe = ConversionRecipe.load(workspace / RECIPE_FILE)
    spec = spec or RunnerSpec(backend=record.backend)
    try:
        runner = attach_runner(replace(spec, image=record.image), record.handle, recipe, workspace=workspace,
                               skip_lines=record.log_lines)
    except WizardError as exc:
        if exc.problem.code == "run_not_found":
            # The run is over, whatever ended it: the record must not go on saying "running".
            record.state, record.verdict, record.finished = RecordState.FINISHED, Verdict.INFRASTRUCTURE_FAILED, time.time()
            try:
                record.save()
            except OSError:
                pass
            raise WizardError.of("run_not_found", run_id=record.run_id, path=str(workspace)) from None
        if exc.problem.code == "backend_unavailable":
            raise WizardError.of("job_record_unreadable", path=str(Path(run_dir) / JOB_FILE),
                                 detail=f"unknown backend {record.backend!r}") from None
        raise
    return ConversionJob(runner, run_dir, workspace=workspace, cache=cache,
                         keep_remote=record.keep_remote, record=record)
