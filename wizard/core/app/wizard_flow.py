"""The wizard's flow as plain Python: which page comes next, and what blocks each page.

Like Electrum's wizard, the Qt pages only attach widgets to this map: they write what the user
chose into a :class:`WizardState` and ask :class:`WizardFlow` whether Next is allowed, where it
leads and what Back undoes. Nothing here imports Qt, so whole flows are tested without a display,
and the CLI can reuse the same rules.

Validation of the conversion options is not done here: it is ``wizard.core.plan.choices.validate_choices``
(the same check the CLI's ``plan`` step runs). This module only turns the state into
``ConversionChoices`` and asks, so the GUI never has rules of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Sequence

from wizard.core.app_dirs import os_kind as this_os_kind
from wizard.core.messages import Problem, problem
from wizard.core.runners.status import Verdict
from wizard.core.toolchain.processors import PROCESSORS, RECAMERA_PROCESSOR, get_processor
from wizard.core.plan.recipe import YOLO_MEAN, YOLO_SCALE, ConversionRecipe

PAGES = ("welcome", "model", "images", "target", "where", "convert", "results", "device")

START_NEW = "new"
START_RECIPE = "recipe"
START_RUN = "run"  # open the results of an earlier run

WHERE_LOCAL = "local"  # this computer, the toolchain in Docker
WHERE_NATIVE = "native"  # this computer without Docker: a Python 3.10 environment (Linux, WSL2)
WHERE_SSH = "ssh"  # the user's cloud machine over SSH (its toolchain: one of TOOLCHAINS)
WHERES = (WHERE_LOCAL, WHERE_NATIVE, WHERE_SSH)

TOOLCHAIN_DOCKER = "docker"  # on the cloud machine: Docker there
TOOLCHAIN_NATIVE = "native"  # on the cloud machine: a Python 3.10 environment there, no Docker
TOOLCHAINS = (TOOLCHAIN_DOCKER, TOOLCHAIN_NATIVE)

SIGN_IN_KEY = "key"  # in a workshop: the attendee signs in to the room's server with a key file
SIGN_IN_PASSWORD = "password"  # ... or with the password the instructor gave
SIGN_INS = (SIGN_IN_KEY, SIGN_IN_PASSWORD)

# The window's view of its conversion: not started, under way, or ended (job_status_after).
JOB_IDLE = "idle"
JOB_RUNNING = "running"
JOB_SUCCEEDED = "succeeded"
JOB_FAILED = "failed"
JOB_CANCELLED = "cancelled"


def job_status_after(verdict: str) -> str:
    """The window's job status once a run ended with ``verdict`` (wizard.core.runners.status):
    a conversion or infrastructure failure, or no verdict at all, is a failed job."""
    if verdict == Verdict.SUCCESS:
        return JOB_SUCCEEDED
    if verdict == Verdict.CANCELLED:
        return JOB_CANCELLED
    return JOB_FAILED

from wizard.core.images.report import DEFAULT_COUNT, MIN_USABLE


@dataclass
class WizardState:
    """Everything the user chose so far; plain data, saved and restored by the settings store."""

    start: str = START_NEW
    recipe_path: str = ""
    run_dir: str = ""  # an earlier run opened from the welcome page, or the current run's folder

    # Model page.
    model_path: str = ""
    model_report: Any = None  # wizard.core.model.inspect.ModelReport, once inspected
    inspecting: bool = False
    output_names: tuple[str, ...] = ()  # the expert's edit; empty = what inspect found

    # Images page.
    images_source: str = ""
    images_scanning: bool = False
    images_usable: int = 0
    images_rejected: int = 0
    images_duplicates: int = 0
    test_image: str = ""

    # Target & options page (the names of plan.ConversionChoices).
    processor: str = RECAMERA_PROCESSOR
    quantize: str = "INT8"
    calibration_count: int = DEFAULT_COUNT
    tolerance: tuple[float, float] | None = None
    mean: tuple[float, ...] = YOLO_MEAN
    scale: tuple[float, ...] = YOLO_SCALE
    pixel_format: str = "rgb"
    keep_aspect_ratio: bool = True
    # None = "the wizard decides" (plan resolves them from the processor and fuse_preprocess), so
    # switching to a bm16xx processor does not trip over a reCamera-only default.
    customization_format: str | None = None
    fuse_preprocess: bool = True
    aligned_input: bool | None = None
    quant_input: bool = True
    name: str = ""
    out_dir: str = ""
    toolchain_image: str = ""  # empty = the recipe's default (the guide's pinned versions)

    # Where page.
    where: str = WHERE_LOCAL
    docker_ready: bool | None = None  # None = not checked yet / checking
    toolchain_ready: bool | None = None
    ssh_host: str = ""
    ssh_port: int = 22
    ssh_user: str = ""
    ssh_key_path: str = ""
    ssh_has_password: bool = False  # the password itself lives in the keychain or in memory only
    ssh_tested_for: str = ""  # "user@host:port" the last successful test was for
    ssh_tested_toolchain: str = TOOLCHAIN_DOCKER  # ... and the toolchain it looked at there

    # Without Docker, on this computer (WHERE_NATIVE) or on the cloud machine (TOOLCHAIN_NATIVE):
    # the check's report (runners.native.setup.NativeReport) and the consents it asked for.
    os_kind: str = field(default_factory=this_os_kind)  # "linux" (WSL2 too), "windows", "macos"
    native_checking: bool = False
    native_report: Any = None
    native_setup_consent: bool = False  # sudo apt-get install what the report names
    native_env_consent: bool = False  # create the TPU-MLIR environment (~1.4 GB, once)
    ssh_toolchain: str = TOOLCHAIN_DOCKER
    ssh_native_report: Any = None
    ssh_native_setup_consent: bool = False
    ssh_native_env_consent: bool = False

    # In a workshop (an instructor's kit is open): the conversion runs on the room's server, the
    # kit's (the Where page shows it instead of the places above), as the attendee named here.
    workshop: bool = False
    workshop_server: str = ""  # the kit's "user@host:port", shown; set by the instructor
    workshop_attendee: str = ""
    # A room with one account per attendee: each signs in as their own (from their seat card).
    workshop_per_attendee: bool = False
    workshop_account_hint: str = ""  # e.g. "attendee01 … attendee20", from the kit
    workshop_account: str = ""
    workshop_sign_in: str = SIGN_IN_KEY
    workshop_key_path: str = ""
    workshop_has_password: bool = False  # the password itself lives in memory only

    # Convert / results / device.
    job_status: str = JOB_IDLE
    result_ok: bool | None = None

    @property
    def ssh_target(self) -> str:
        return f"{self.ssh_user}@{self.ssh_host}:{self.ssh_port}"

    def effective_output_names(self) -> tuple[str, ...]:
        if self.output_names:
            return self.output_names
        report = self.model_report
        return tuple(getattr(report, "output_names", ()) or ())


# The option fields that map one-to-one onto plan.ConversionChoices.
OPTION_FIELDS = (
    "processor",
    "quantize",
    "calibration_count",
    "tolerance",
    "mean",
    "scale",
    "pixel_format",
    "keep_aspect_ratio",
    "customization_format",
    "fuse_preprocess",
    "aligned_input",
    "quant_input",
)


def options_of(state: WizardState) -> dict[str, Any]:
    """The option values worth remembering for the next conversion (settings.last_options)."""
    return {name: getattr(state, name) for name in OPTION_FIELDS}


def apply_options(state: WizardState, options: dict[str, Any]) -> None:
    """Restore remembered options; values of the wrong type (an old or edited file) are skipped."""
    defaults = WizardState()
    for name in OPTION_FIELDS:
        if name not in options:
            continue
        value, default = options[name], getattr(defaults, name)
        if isinstance(value, list):
            value = tuple(value)
        if value is None and name in ("tolerance", "customization_format", "aligned_input"):
            setattr(state, name, None)
        elif default is None or isinstance(value, type(default)) or (
                isinstance(default, float) and isinstance(value, int)):
            setattr(state, name, value)


def choices_from_state(state: WizardState):
    """The user's choices as ``plan.ConversionChoices``."""
    from wizard.core.plan.choices import ConversionChoices  # onnx-heavy: imported when a page first asks

    wanted: dict[str, Any] = {
        "model": state.model_path,
        "images": state.images_source,
        "test_image": state.test_image or None,
        "out": state.out_dir,
        "name": state.name or None,
        "output_names": state.output_names or None,
        "toolchain_image": state.toolchain_image or None,
    }
    for name in OPTION_FIELDS:
        wanted[name] = getattr(state, name)
    return ConversionChoices(**wanted)


def option_problems(state: WizardState) -> list[Problem]:
    """What the core's validation says about the options (errors and warnings)."""
    from wizard.core.plan.choices import validate_choices

    choices = choices_from_state(state)
    try:
        found = list(validate_choices(choices, state.model_report))
    except Exception as exc:  # a validation bug must not hide the page; show it as a problem
        return [problem("unexpected_error", detail=str(exc), log="-")]
    # The model's own problems are shown (and block) on the model page; not twice.
    own = list(getattr(state.model_report, "problems", ()) or ())
    return [p for p in found if p not in own]


def _error_codes(problems: Iterable[Problem]) -> set[str]:
    return {p.code for p in problems if p.is_error}


def allowed_values(state: WizardState, option: str, candidates: Sequence[Any]) -> dict[Any, bool]:
    """For each candidate value of one option: can the user pick it without a new error?

    This is how the GUI makes invalid combinations impossible to choose: a value that would add
    an error the core's validation does not report now is disabled. The processor's own quantize
    modes come from processors.py (a fact table), everything else from plan.validate_choices.
    """
    now = _error_codes(option_problems(state))
    result: dict[Any, bool] = {}
    for value in candidates:
        if option == "quantize":
            proc = get_processor(state.processor)
            if proc is not None and value not in proc.quantize_modes:
                result[value] = False
                continue
        if getattr(state, option) == value:
            result[value] = True
            continue
        trial = replace(state, **{option: value})
        if option == "processor":
            proc = get_processor(value)
            if proc is not None and trial.quantize not in proc.quantize_modes:
                trial = replace(trial, quantize=proc.quantize_modes[0])
        result[value] = not (_error_codes(option_problems(trial)) - now)
    return result


def processor_names() -> list[str]:
    """Processors in display order: the reCamera's first."""
    names = list(PROCESSORS)
    names.remove(RECAMERA_PROCESSOR)
    return [RECAMERA_PROCESSOR, *names]


# --------------------------------------------------------------------------------------------
# Per-page blocking problems.


def _welcome_problems(state: WizardState) -> list[Problem]:
    if state.start == START_RECIPE and not state.recipe_path:
        return [problem("flow_pick_recipe")]
    if state.start == START_RUN and not state.run_dir:
        return [problem("flow_pick_run")]
    return []


def _model_problems(state: WizardState) -> list[Problem]:
    if not state.model_path:
        return [problem("flow_pick_model")]
    if state.inspecting or state.model_report is None:
        return [problem("flow_model_inspecting", "info")]
    return [p for p in state.model_report.problems]


def _images_problems(state: WizardState) -> list[Problem]:
    if not state.images_source:
        return [problem("flow_pick_images")]
    if state.images_scanning:
        return [problem("flow_images_scanning", "info")]
    found: list[Problem] = []
    if state.images_usable < MIN_USABLE:
        found.append(problem("flow_too_few_images", usable=state.images_usable, minimum=MIN_USABLE))
    if not state.test_image:
        found.append(problem("flow_pick_test_image"))
    return found


def _target_problems(state: WizardState) -> list[Problem]:
    found = option_problems(state)
    if not state.out_dir:
        found.append(problem("flow_pick_output"))
    return found


def native_not_offered(os_kind: str) -> Problem | None:
    """Why the toolchain cannot run without Docker on this computer (None: it can). TPU-MLIR's
    wheel is Linux-only; inside WSL2 the wizard runs on Linux, so WSL2 Ubuntu counts."""
    if os_kind == "windows":
        return problem("flow_native_needs_linux_windows")
    if os_kind == "macos":
        return problem("flow_native_needs_linux_macos")
    return None


def remembered_where(value: str, os_kind: str) -> str:
    """The place to run remembered in the settings, if it can still be chosen here."""
    if value not in WHERES or (value == WHERE_NATIVE and native_not_offered(os_kind) is not None):
        return WHERE_LOCAL
    return value


def fixed_by_setup(report: Any, found: Problem) -> bool:
    """Whether the consented set-up (apt-get) of the report's host fixes ``found``."""
    if report.setup_question is None or report.facts is None or not found.is_error:
        return False
    from wizard.core.runners.native import host

    return host.setup_plan(report.facts, [found], where=report.where, python_hint=None).needed


def native_blockers(report: Any) -> list[Problem]:
    """The report's errors that no consent fixes (what the user has to fix first), and the
    set-up the wizard cannot do by itself."""
    found = [p for p in report.problems if p.is_error and not fixed_by_setup(report, p)]
    if report.setup.unsupported is not None:
        found.append(report.setup.unsupported)
    return found


def native_needs_environment(report: Any) -> bool:
    """Whether a run must first create the TPU-MLIR environment: the report asks, or the
    set-up installs the Python it will be made with."""
    if report.environment_question is not None:
        return True
    return report.setup_question is not None and report.environment_state not in ("complete", "own")


def native_problems(report: Any, *, setup_consent: bool, env_consent: bool) -> list[Problem]:
    """What keeps a native conversion from starting, given a check's report and the consents."""
    found: list[Problem] = []
    if native_blockers(report):
        found.append(problem("flow_native_not_ready", where=report.where))
    if report.setup_question is not None and not setup_consent:
        found.append(problem("flow_native_setup_consent", where=report.where))
    if native_needs_environment(report) and not env_consent:
        found.append(problem("flow_native_env_consent", where=report.where))
    return found


def kept_consents(old: Any, new: Any, setup_consent: bool, env_consent: bool) -> tuple[bool, bool]:
    """A consent is for what the user read: kept after a new check only when it asks the same
    (the same commands; the same environment)."""
    if old is None or new is None:
        return False, False
    same_setup = old.setup_commands == new.setup_commands
    same_env = (getattr(old.environment, "path", None) == getattr(new.environment, "path", None)
                and native_needs_environment(old) == native_needs_environment(new))
    return setup_consent and same_setup, env_consent and same_env


def check_recipe(state: WizardState) -> ConversionRecipe:
    """What a native check needs of the run to come (its memory estimate): the model's input
    size and the calibration count."""
    shape = tuple(getattr(state.model_report, "input_shape", ()) or ()) or ConversionRecipe.input_shape
    return ConversionRecipe(name="check", input_shape=shape, calibration_count=state.calibration_count)


def _native_where_problems(state: WizardState) -> list[Problem]:
    refused = native_not_offered(state.os_kind)
    if refused is not None:
        return [refused]
    if state.native_checking:
        return [problem("flow_checking", "info")]
    if state.native_report is None:
        return [problem("flow_native_not_checked")]
    return native_problems(state.native_report, setup_consent=state.native_setup_consent,
                           env_consent=state.native_env_consent)


def _workshop_where_problems(state: WizardState) -> list[Problem]:
    """In a workshop: a name the instructor can show (the core's check), and a way to sign in."""
    from wizard.core.messages import WizardError
    from wizard.core.workshop.attendee import check_attendee_name

    found: list[Problem] = []
    try:
        check_attendee_name(state.workshop_attendee)
    except WizardError as exc:
        found.append(exc.problem)
    if state.workshop_per_attendee:
        from wizard.core.workshop.server_layout import check_account_name

        if not state.workshop_account.strip():
            found.append(problem("workshop_account_needed", hint=state.workshop_account_hint or "?"))
        else:
            try:
                check_account_name(state.workshop_account.strip())
            except WizardError as exc:
                found.append(exc.problem)
    if state.workshop_sign_in == SIGN_IN_PASSWORD:
        if not state.workshop_has_password:
            found.append(problem("flow_workshop_password_missing", server=state.workshop_server))
    elif not state.workshop_key_path:
        found.append(problem("flow_workshop_key_missing", server=state.workshop_server))
    return found


def _where_problems(state: WizardState) -> list[Problem]:
    if state.workshop:
        return _workshop_where_problems(state)
    if state.where == WHERE_NATIVE:
        return _native_where_problems(state)
    if state.where == WHERE_LOCAL:
        if state.docker_ready is None:
            return [problem("flow_checking", "info")]
        if not state.docker_ready:
            return [problem("flow_docker_not_ready")]
        if state.toolchain_ready is None:
            return [problem("flow_checking", "info")]
        if not state.toolchain_ready:
            return [problem("flow_toolchain_missing")]
        return []
    if not (state.ssh_host and state.ssh_user and (state.ssh_key_path or state.ssh_has_password)):
        return [problem("flow_ssh_incomplete")]
    if state.ssh_tested_for != state.ssh_target or state.ssh_tested_toolchain != state.ssh_toolchain:
        return [problem("flow_ssh_not_tested", host=state.ssh_host)]
    if state.ssh_toolchain == TOOLCHAIN_NATIVE:
        if state.ssh_native_report is None:
            return [problem("flow_ssh_not_tested", host=state.ssh_host)]
        return native_problems(state.ssh_native_report, setup_consent=state.ssh_native_setup_consent,
                               env_consent=state.ssh_native_env_consent)
    return []


def _convert_problems(state: WizardState) -> list[Problem]:
    if state.job_status == JOB_RUNNING:
        return [problem("flow_job_running", "info")]
    if state.job_status == JOB_IDLE:
        return [problem("flow_job_not_started", "info")]
    if state.job_status == JOB_CANCELLED:
        return [problem("flow_job_cancelled", "info")]
    return []  # succeeded or failed: the results page explains either


def _results_problems(state: WizardState) -> list[Problem]:
    if state.result_ok:
        return []
    return [problem("flow_conversion_failed")]


PAGE_RULES: dict[str, Callable[[WizardState], list[Problem]]] = {
    "welcome": _welcome_problems,
    "model": _model_problems,
    "images": _images_problems,
    "target": _target_problems,
    "where": _where_problems,
    "convert": _convert_problems,
    "results": _results_problems,
    "device": lambda state: [],
}


def page_problems(page: str, state: WizardState) -> list[Problem]:
    """Everything to show on a page about why it is not done (errors block Next)."""
    return PAGE_RULES[page](state)


def blocking(problems: Iterable[Problem]) -> list[Problem]:
    """Problems that keep Next disabled: errors, and 'wait' notes (info) that the flow raised."""
    return [p for p in problems if p.is_error or p.code.startswith("flow_")]


# --------------------------------------------------------------------------------------------


class FlowError(RuntimeError):
    """A programming error: next/back asked where the flow does not allow it."""


@dataclass
class WizardFlow:
    """The current page and the back stack, over one :class:`WizardState`."""

    state: WizardState = field(default_factory=WizardState)
    current: str = "welcome"
    stack: list[str] = field(default_factory=list)
    listeners: list[Callable[[str], None]] = field(default_factory=list, repr=False)

    # -- queries ------------------------------------------------------------------------------
    def problems(self, page: str | None = None) -> list[Problem]:
        return page_problems(page or self.current, self.state)

    def can_next(self) -> bool:
        return self.next_page() is not None and not blocking(self.problems())

    def next_page(self) -> str | None:
        """Where Next leads from the current page (None on the last page)."""
        page, state = self.current, self.state
        if page == "welcome":
            return "results" if state.start == START_RUN else "model"
        if page == "results":
            return "device" if state.result_ok else None
        if page == "device":
            return None
        return PAGES[PAGES.index(page) + 1]

    def can_back(self) -> bool:
        if not self.stack:
            return False
        # A running job keeps the user on the convert page: leaving would orphan its view.
        return not (self.current == "convert" and self.state.job_status == JOB_RUNNING)

    def visited(self) -> list[str]:
        return [*self.stack, self.current]

    # -- moves --------------------------------------------------------------------------------
    def next(self) -> str:
        if not self.can_next():
            raise FlowError(f"next is not allowed from {self.current}: {self.problems()}")
        target = self.next_page()
        assert target is not None
        if target == "convert" and self.state.job_status != JOB_RUNNING:
            # Arriving again after a finished or cancelled run means: run with the new options.
            self.state.job_status = JOB_IDLE
            self.state.result_ok = None
        self.stack.append(self.current)
        self.current = target
        self._notify()
        return target

    def back(self) -> str:
        if not self.can_back():
            raise FlowError(f"back is not allowed from {self.current}")
        self.current = self.stack.pop()
        self._notify()
        return self.current

    def reattach(self, run_dir: str) -> None:
        """Jump to the convert page to follow a run started before the window was closed.

        Back from there leads to the welcome page: the earlier pages' choices are in the run's
        recipe, not in this session's state.
        """
        self.state.run_dir = str(run_dir)
        self.state.job_status = JOB_RUNNING
        self.stack = ["welcome"]
        self.current = "convert"
        self._notify()

    def restart(self) -> None:
        """Back to the welcome page with a fresh state (Start over)."""
        self.state = WizardState()
        self.current = "welcome"
        self.stack.clear()
        self._notify()

    def _notify(self) -> None:
        for listener in list(self.listeners):
            listener(self.current)

    # -- recipes ------------------------------------------------------------------------------
    def apply_recipe(self, recipe, path: str = "") -> None:
        """Fill the state from a saved ``ConversionRecipe`` so every page shows its values."""
        s = self.state
        s.start = START_RECIPE
        s.recipe_path = str(path) or s.recipe_path or recipe.name
        s.model_path = recipe.source_model or s.model_path
        s.images_source = recipe.source_images or s.images_source
        s.test_image = recipe.source_test_image or s.test_image
        s.name = recipe.display_name or recipe.name
        s.output_names = tuple(recipe.output_names)
        for name in OPTION_FIELDS:
            if name == "calibration_count":
                s.calibration_count = int(recipe.calibration_count)
            elif hasattr(recipe, name):
                value = getattr(recipe, name)
                setattr(s, name, tuple(value) if isinstance(value, list) else value)
