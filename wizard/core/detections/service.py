"""The detection check of a finished run: what the CLI (``compare``, ``convert``) and the GUI start.

    run_check(run_dir, *, spec=None, pictures_dir=None, count=12, thresholds=None,
              backend=None, lang=None) -> CheckRun        (an Iterator[Event] with cancel())

It reads the run folder a conversion left (recipe.json, results.json, the model, and
workspace/ with work/ and the pictures), runs the check where the conversion ran, and writes
RUN_DIR/detections.json and RUN_DIR/detections/NN_<name>.png. Raw outputs are cached in
RUN_DIR/.detections-cache/ (outside the workspace, so a later conversion does not upload them).

Events, in order (all typed, wizard.core.events):
    StepStarted("detections")
    Progress("detections", ...)     preparing; "reusing N saved outputs"; then one per picture
                                    and side: ``done``/``total`` set, ``fraction`` on the INT8
                                    side (the slow one), the text with an estimate after the first
    LogLine(step="model_runner")    the toolchain's own lines (stream "stdout") and the
                                    backend's (stream "runner")
    ProblemRaised("detections")     a picture skipped (warning, with the reason), a report reused
    StepFinished("detections", ok)
    Result(ok, run_dir, model_path, details)   always last; details:
        outcome     "checked" | "blocked" | "toolchain" | "infrastructure" | "cancelled"
        report      path of detections.json (None unless checked)
        drawings    the folder of the side-by-side pictures
        verdict     the verdict's message code;  agreement  the F1 figure (None: nothing found)
        pictures    how many were compared;      thresholds {"score", "iou", "source"}
        problem     the problem's code when not checked (it came as a ProblemRaised before)

Problems a user can meet never raise: they come as a ProblemRaised (error, or warning for a
cancel) and the Result says the outcome. ``cancel()`` may be called from any thread; closing the
iterator early (``close()``) also stops and cleans up (containers, processes).
Thresholds default to the camera's: the Node-RED model node's 0.45 / 0.25 (detections.md), or
what the camera's flow says (``thresholds_from_flows``) when the caller read it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from wizard.core.detections.check import (
    CHECK_STEP,
    DEFAULT_PICTURES,
    CheckOptions,
    CheckTarget,
    DetectionCheck,
    ModelRunnerBackend,
    choose_pictures,
)
from wizard.core.detections.decode import MODEL_NODE_DEFAULT, Thresholds
from wizard.core.detections.report import PICTURES_DIR, REPORT_FILE, DetectionReport
from wizard.core.events import Event, ProblemRaised, Result, StepFinished, StepStarted
from wizard.core.messages import Problem, WizardError
from wizard.core.plan.recipe import CALIBRATION_DIR, RECIPE_FILE, TEST_IMAGE, ConversionRecipe
from wizard.core.runners.bundle import RESULTS_FILE, WORKSPACE_DIR
from wizard.core.runners.factory import RunnerSpec
from wizard.core.runners.status import Verdict

CACHE_DIR = ".detections-cache"

OUTCOME_CHECKED = "checked"
OUTCOME_BLOCKED = "blocked"  # the run or the pictures cannot be checked (no model, classify...)
OUTCOME_TOOLCHAIN = "toolchain"  # model_runner failed (crash, out of memory)
OUTCOME_INFRASTRUCTURE = "infrastructure"  # Docker, the VM or the environment could not be used
OUTCOME_CANCELLED = "cancelled"

_TOOLCHAIN_CODES = {"detections_runner_failed", "detections_runner_out_of_memory", "detections_runner_no_output",
                    "detections_outputs_unreadable"}
_INFRASTRUCTURE_CODES = {"toolchain_image_missing", "backend_unavailable", "detections_backend_unknown",
                         "detections_runner_lost", "detections_runner_not_started", "detections_toolchain_missing",
                         "detections_driver_missing", "output_not_writable", "run_dir_busy", "ssh_host_required",
                         "password_env_missing", "detections_write_failed"}
_TASKS_WITHOUT_BOXES = {"classify": "detections_heads_classify", "obb": "detections_heads_obb"}


def outcome_of(problem: Problem) -> str:
    """Which kind of failure a problem is (the CLI's exit code follows it)."""
    code = problem.code
    if code == "detections_cancelled":
        return OUTCOME_CANCELLED
    if code in _TOOLCHAIN_CODES:
        return OUTCOME_TOOLCHAIN
    if code in _INFRASTRUCTURE_CODES or code.startswith(("docker_", "vm_", "native_")):
        return OUTCOME_INFRASTRUCTURE
    return OUTCOME_BLOCKED


class RunFolder:
    """What the check needs of a run folder, checked before anything runs."""

    def __init__(self, run_dir: str | Path):
        self.path = Path(run_dir)
        self.workspace = self.path / WORKSPACE_DIR
        recipe_file = next((p for p in (self.path / RECIPE_FILE, self.workspace / RECIPE_FILE) if p.is_file()), None)
        if not self.path.is_dir() or recipe_file is None:
            raise WizardError.of("detections_not_a_run", path=str(self.path))
        self.recipe = ConversionRecipe.load(recipe_file)
        try:
            self.results: dict[str, Any] = json.loads((self.path / RESULTS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.results = {}
        model_name = (self.results.get("paths") or {}).get("model")
        if self.results.get("verdict") != Verdict.SUCCESS or not model_name or not (self.path / model_name).is_file():
            raise WizardError.of("detections_run_no_model", path=str(self.path),
                                 verdict=self.results.get("verdict") or "-")
        self.model = self.path / model_name
        if self.model.suffix != ".cvimodel":
            raise WizardError.of("detections_unsupported_model", name=self.model.name)
        task = str(self.recipe.task or "")
        if task in _TASKS_WITHOUT_BOXES:
            raise WizardError.of(_TASKS_WITHOUT_BOXES[task])

    @property
    def toolchain_image(self) -> str:
        """The image the conversion ran in (as recorded), else the recipe's."""
        return str((self.results.get("toolchain_image") or {}).get("tag") or self.recipe.toolchain_image)

    def target(self) -> CheckTarget:
        target = replace(CheckTarget.from_workspace(self.workspace, self.recipe), out_dir=self.path,
                         cache_dir=self.path / CACHE_DIR)
        # The workspace copy of the model has what the toolchain keeps beside it; it must be the
        # model of this run (a later conversion into the folder may have changed work/).
        from wizard.core.checksums import sha256_file

        work_model = target.cvimodel
        if not work_model.is_file() or sha256_file(work_model) != sha256_file(self.model):
            target = replace(target, cvimodel=self.model)
        if not target.top_mlir.is_file():
            raise WizardError.of("detections_model_files_missing", path=str(target.top_mlir))
        return target

    def pictures(self, pictures_dir: str | Path | None, count: int):
        if pictures_dir is not None:
            folder = Path(pictures_dir)
            if not folder.is_dir():
                raise WizardError.of("not_a_directory", path=str(folder))
            return choose_pictures(check_dir=folder, count=count)
        return choose_pictures(self.workspace / TEST_IMAGE, self.workspace / CALIBRATION_DIR, count=count)


class CheckRun:
    """One check of a run folder: iterate it for the events (blocking: the GUI does so in a
    worker thread); ``cancel()`` from any thread; ``report`` once it has checked."""

    def __init__(self, run_dir: str | Path, *, spec: RunnerSpec | None = None, pictures_dir: str | Path | None = None,
                 count: int = DEFAULT_PICTURES, thresholds: Thresholds | None = None,
                 backend: ModelRunnerBackend | None = None, lang: str | None = None, claim: bool = True):
        self.run_dir = Path(run_dir)
        self.spec = spec
        self.pictures_dir = pictures_dir
        self.count = max(1, int(count))
        self.thresholds = thresholds or MODEL_NODE_DEFAULT
        self.backend = backend
        self.lang = lang
        self.claim = claim
        self.report: DetectionReport | None = None
        self.outcome = ""
        self._check: DetectionCheck | None = None
        self._cancel_requested = threading.Event()
        self._lock = threading.Lock()
        self._events = self._run()

    def __iter__(self) -> "CheckRun":
        return self

    def __next__(self) -> Event:
        return next(self._events)

    def close(self) -> None:
        self._events.close()

    def cancel(self) -> None:
        self._cancel_requested.set()
        with self._lock:
            check = self._check
        if check is not None:
            check.cancel()

    def _run(self) -> Iterator[Event]:
        started = time.monotonic()
        yield StepStarted(CHECK_STEP, command=f"detection check of {self.run_dir}")
        model_path = None
        try:
            run = RunFolder(self.run_dir)  # before the lock: a wrong folder is not touched
            model_path = str(run.model)
            if self.claim:
                from wizard.core.runners.run_folder import claimed_run_dir

                # A conversion into this folder while it is checked would mix two models' results.
                with claimed_run_dir(self.run_dir):
                    yield from self._checked(run)
            else:
                yield from self._checked(run)
        except (WizardError, OSError) as exc:
            if isinstance(exc, OSError):  # the run folder's drive is full or read-only: a message
                exc = WizardError.of("detections_write_failed", path=str(self.run_dir),
                                     detail=exc.strerror or str(exc))
            cancelled = exc.problem.code == "detections_cancelled" or self._cancel_requested.is_set()
            problem = Problem("detections_cancelled", "warning") if cancelled else exc.problem
            self.outcome = outcome_of(problem)
            yield ProblemRaised(problem, CHECK_STEP)
            yield StepFinished(CHECK_STEP, ok=False, elapsed=time.monotonic() - started)
            yield Result(ok=False, run_dir=str(self.run_dir), model_path=model_path,
                         details={"outcome": self.outcome, "problem": problem.code, "report": None,
                                  "drawings": None, "thresholds": self.thresholds.to_dict()})
            return
        report = self.report
        assert report is not None
        self.outcome = OUTCOME_CHECKED
        yield StepFinished(CHECK_STEP, ok=True, elapsed=time.monotonic() - started)
        yield Result(ok=True, run_dir=str(self.run_dir), model_path=model_path, details={
            "outcome": OUTCOME_CHECKED, "report": str(self.run_dir / REPORT_FILE),
            "drawings": str(self.run_dir / PICTURES_DIR), "verdict": report.verdict.code,
            "agreement": report.summary.agreement, "pictures": len(report.pictures),
            "thresholds": report.thresholds})

    def _checked(self, run: RunFolder) -> Iterator[Event]:
        target = run.target()
        pictures, skipped = run.pictures(self.pictures_dir, self.count)
        if self._cancel_requested.is_set():
            raise WizardError.of("detections_cancelled")
        if self.backend is None:
            from wizard.core.detections.backends import backend_for

            self.backend = backend_for(self.spec, run.toolchain_image, run.results)
        options = CheckOptions(thresholds=self.thresholds, count=self.count, lang=self.lang)
        check = DetectionCheck(target, pictures, self.backend, options, skipped=skipped)
        with self._lock:
            self._check = check
        if self._cancel_requested.is_set():
            check.cancel()
        for event in check.run():
            if not isinstance(event, Result):
                yield event
        self.report = check.report


def run_check(run_dir: str | Path, *, spec: RunnerSpec | None = None, pictures_dir: str | Path | None = None,
              count: int = DEFAULT_PICTURES, thresholds: Thresholds | None = None,
              backend: ModelRunnerBackend | None = None, lang: str | None = None) -> CheckRun:
    """The detection check of the finished run in ``run_dir`` (see the module docstring).

    ``spec``: where to run model_runner, the conversion's RunnerSpec (None: where results.json
    says the conversion ran). ``pictures_dir``: a folder of check pictures instead of the test
    picture and a varied sample of the calibration pictures. ``count``: how many pictures.
    ``thresholds``: the camera's score and NMS IoU (None: the model node's defaults).
    ``backend``: a ModelRunnerBackend to use instead (tests, or a GUI that keeps one).
    ``lang``: the drawings' language (None: the current one).
    """
    return CheckRun(run_dir, spec=spec, pictures_dir=pictures_dir, count=count, thresholds=thresholds,
                    backend=backend, lang=lang)


def user_thresholds(score: float | None, iou: float | None, default: Thresholds = MODEL_NODE_DEFAULT) -> Thresholds:
    """Thresholds the user typed; one left out keeps the default's value. WizardError when a
    value is no fraction (the camera's node takes 0 < score < 1, 0 < IoU <= 1)."""
    if score is None and iou is None:
        return default
    chosen = Thresholds(default.score if score is None else float(score), default.iou if iou is None else float(iou),
                        "user")
    if not (0 < chosen.score < 1 and 0 < chosen.iou <= 1):
        raise WizardError.of("detections_bad_thresholds", score=chosen.score, iou=chosen.iou)
    return chosen


__all__ = ["CheckRun", "RunFolder", "run_check", "outcome_of", "user_thresholds", "CACHE_DIR"]
