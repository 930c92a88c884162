"""What the pages ask of the core, in one injectable object.

Every method is BLOCKING and is called by the pages through ``async_tools`` in a worker thread.
The real implementation only forwards to wizard.core (the same functions the CLI calls); the tour
and the tests swap in :class:`RecordedServices` or their own doubles, so pages never branch on
where data comes from.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from wizard.core.device.address import DEFAULT_NODE_RED_PORT
from wizard.core.events import Event
from wizard.core.messages import Problem, WizardError, problem

log = logging.getLogger(__name__)


@dataclass
class ToolchainStatus:
    docker_ok: bool
    image_ok: bool
    problems: list[Problem] = field(default_factory=list)
    detail: str = ""  # e.g. the engine version and the image id, shown as a small print


@dataclass
class SshDetails:
    host: str
    user: str
    port: int = 22
    key_path: str = ""
    password: str | None = field(default=None, repr=False)  # never logged, never saved to disk
    accept_fingerprint: str | None = None
    setup_consent: bool = False  # the user let the wizard install Docker on the VM when missing
    key_passphrase: str | None = field(default=None, repr=False)
    build_image: bool = False  # the user let the VM build a missing toolchain image
    # The toolchain in a Python environment on the VM instead of Docker (then setup_consent is
    # for the apt-get set-up that environment needs, and the password also goes to sudo):
    native: bool = False
    create_environment: bool = False  # the user let the wizard make the environment there

    def runner_spec(self, backend: str | None = None, image: str = ""):
        from wizard.core.runners.factory import VM_DOCKER, VM_NATIVE, RunnerSpec

        return RunnerSpec(backend=backend or (VM_NATIVE if self.native else VM_DOCKER), image=image,
                          host=f"{self.user}@{self.host}:{self.port}",
                          key_file=self.key_path or None, password=self.password or None,
                          key_passphrase=self.key_passphrase or None, accept_fingerprint=self.accept_fingerprint,
                          setup_consent=self.setup_consent, build_image=self.build_image,
                          create_environment=self.create_environment)


@dataclass
class NativeDetails:
    """This computer without Docker: the consents the user gave to the check's questions."""

    setup_consent: bool = False  # sudo apt-get install what the check named
    create_environment: bool = False  # make the TPU-MLIR environment (~1.4 GB, once)
    password: str | None = field(default=None, repr=False)  # for sudo only; memory only
    toolchain_bin: str | None = None  # an existing TPU-MLIR's bin/ (experts; the tests: the double's)

    def runner_spec(self):
        from wizard.core.runners.factory import NATIVE, RunnerSpec

        # python=None: the runner finds the CPython 3.10 the same way the check did.
        return RunnerSpec(backend=NATIVE, toolchain_bin=self.toolchain_bin, create_environment=self.create_environment,
                          setup_consent=self.setup_consent, password=self.password or None)


@dataclass
class WorkshopCredentials:
    """How the attendee signs in to the workshop's server (the kit's; its host key is pinned, so
    there is no fingerprint to accept): a key file (and its passphrase, if any) or a password."""

    key_path: str = ""
    password: str | None = field(default=None, repr=False)  # memory only, never saved
    key_passphrase: str | None = field(default=None, repr=False)
    allow_agent: bool = True  # also the SSH agent's keys (tests: off, only the given key)
    account: str = ""  # a room with one account per attendee: whose it is ("" in a shared-login room)

    def ssh_credentials(self):
        """The login the WorkshopRunner takes (``credentials=``)."""
        from wizard.core.ssh.options import SshCredentials

        return SshCredentials(key_file=self.key_path or None, password=self.password or None,
                              key_passphrase=self.key_passphrase or None, allow_agent=self.allow_agent)


def workshop_credentials(state, password: str | None) -> WorkshopCredentials:
    """The sign-in chosen on the Where page: with a key file, the password field is the key's
    passphrase (if it has one); with a password, no key file is offered."""
    from wizard.core.app.wizard_flow import SIGN_IN_PASSWORD

    account = state.workshop_account.strip() if state.workshop_per_attendee else ""
    if state.workshop_sign_in == SIGN_IN_PASSWORD:
        return WorkshopCredentials(password=password or None, account=account)
    return WorkshopCredentials(key_path=state.workshop_key_path, key_passphrase=password or None, account=account)


def one_field_login(key_path: str | None, password: str | None):
    """The login of a form with one password field (Room status, the kit maker): with a key file
    the field is also the key's passphrase (a user has one or the other). An SshCredentials."""
    from wizard.core.ssh.options import SshCredentials

    key = (key_path or "").strip() or None
    password = password or None
    return SshCredentials(key_file=key, password=password, key_passphrase=password if key else None)


def ssh_details(state, password: str | None, **options) -> SshDetails:
    """The SSH details of the wizard's state; with a key file, the password field is also the
    key's passphrase (one field: a user has one or the other)."""
    return SshDetails(host=state.ssh_host, user=state.ssh_user, port=state.ssh_port, key_path=state.ssh_key_path,
                      password=password, key_passphrase=password if state.ssh_key_path else None, **options)


def native_details(state, password: str | None) -> NativeDetails:
    """This computer's native consents in the wizard's state (``password``: for sudo)."""
    return NativeDetails(setup_consent=state.native_setup_consent, create_environment=state.native_env_consent,
                         password=password)


def vm_details(state, password: str | None, *, docker_setup_consent: bool, build_image: bool,
               accept_fingerprint: str | None = None) -> SshDetails:
    """The cloud machine with the toolchain the user chose there: Docker (its consents from the
    Docker panel) or a Python environment (the native check's consents, in the state)."""
    from wizard.core.app.wizard_flow import TOOLCHAIN_NATIVE

    if state.ssh_toolchain == TOOLCHAIN_NATIVE:
        return ssh_details(state, password, accept_fingerprint=accept_fingerprint, native=True,
                           setup_consent=state.ssh_native_setup_consent,
                           create_environment=state.ssh_native_env_consent)
    return ssh_details(state, password, accept_fingerprint=accept_fingerprint, setup_consent=docker_setup_consent,
                       build_image=build_image)


class GuiConversion:
    """A conversion as the window follows it (staging included): ``events()`` blocks and yields;
    ``cancel()`` may be called from any thread. It wraps wizard.core.runners.job.ConversionJob."""

    run_dir: str = ""

    def events(self) -> Iterator[Event]:  # pragma: no cover - interface
        raise NotImplementedError

    def cancel(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def record(self) -> dict[str, Any] | None:
        """What to store to re-attach after the window was closed (None: cannot re-attach)."""
        return None


class GuiDetectionCheck:
    """A detection check as the Results page follows it: ``events()`` blocks and yields the
    check's typed events (ending with a Result naming detections.json); ``cancel()`` may be
    called from any thread."""

    run_dir: str = ""

    def events(self) -> Iterator[Event]:  # pragma: no cover - interface
        raise NotImplementedError

    def cancel(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class _CoreDetectionCheck(GuiDetectionCheck):
    """Wraps wizard.core.detections.service's ``CheckRun``: its own cancel stops the runner at
    once (a simulator picture takes ~20 s); the check then ends with its cancelled outcome.
    """

    def __init__(self, make_run: Callable[[], Any], run_dir: str):
        self._make_run = make_run
        self.run_dir = run_dir
        self._cancelled = threading.Event()
        self._run: Any = None

    def events(self) -> Iterator[Event]:
        if self._cancelled.is_set():
            return
        self._run = self._make_run()
        if self._cancelled.is_set():  # cancelled while it was being made
            self._run.cancel()
        yield from self._run

    def cancel(self) -> None:
        self._cancelled.set()
        if self._run is not None:
            self._run.cancel()


def _cache_dir() -> Path:
    from wizard.core import app_dirs

    return app_dirs.ensure(app_dirs.cache_dir() / "gui")


class Services:
    """The real thing: forwards to wizard.core."""

    # -- model ---------------------------------------------------------------------------------
    def inspect_model(self, path: str):
        from wizard.core.model.inspect import inspect_model

        return inspect_model(path)

    # -- images --------------------------------------------------------------------------------
    def scan_images(self, source: str) -> list[Any]:
        """Cheap listing (names, sizes, kinds) for the grid; decodes nothing."""
        from wizard.core.images.sources import scan_sources

        return [s for s in scan_sources(source) if not s.ignored]

    def check_images(
        self,
        source: str,
        count: int,
        on_progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ):
        """The real check (decode, duplicates, sample) into a preview folder in the cache."""
        from wizard.core.images.stage import prepare_calibration_set

        # A fresh folder per check (the previous check's is removed): a folder left by another
        # version or a crashed check must never make the check refuse to write.
        base = _cache_dir()
        for old in base.glob("calibration-preview-*"):
            shutil.rmtree(old, ignore_errors=True)
        out = Path(tempfile.mkdtemp(prefix="calibration-preview-", dir=base)) / "images"
        return prepare_calibration_set(source, out, count, on_progress=on_progress, should_stop=should_stop)

    def thumbnail(self, path: str, size: int) -> tuple[int, int, bytes]:
        """(width, height, RGB bytes): plain data, so a worker thread can make it."""
        from wizard.core.images.preview import make_thumbnail

        image = make_thumbnail(path, size)
        return image.width, image.height, image.tobytes("raw", "RGB")

    def representative_image(self, report) -> str:
        from wizard.core.images.select import pick_representative_image

        picked = pick_representative_image(report)
        return picked.source if picked is not None else ""

    # -- where ---------------------------------------------------------------------------------
    def toolchain_status(self, tag: str = "") -> ToolchainStatus:
        from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
        from wizard.core.runners.docker import runner as docker_runner
        from wizard.core.runners.docker import image as toolchain_image

        tag = tag or DEFAULT_TOOLCHAIN_IMAGE
        try:
            client = docker_runner.connect(timeout=10)
        except WizardError as exc:
            return ToolchainStatus(False, False, [exc.problem])
        try:
            status = toolchain_image.image_status(client, tag)
            version = client.version().get("Version", "")
        except Exception as exc:  # noqa: BLE001 - the engine went away between two calls
            return ToolchainStatus(False, False, [problem("docker_error", detail=str(exc)[:200])])
        finally:
            client.close()
        detail = f"Docker {version}; {tag}" + (f" ({status.image_id[:19]})" if status.present else "")
        return ToolchainStatus(True, status.present, [], detail)

    def get_toolchain(self, tag: str = "") -> Iterator[Event]:
        from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
        from wizard.core.runners.docker import runner as docker_runner
        from wizard.core.runners.docker import image as toolchain_image

        client = docker_runner.connect()
        try:
            yield from toolchain_image.build_image(client, toolchain_image.spec_for_tag(tag or DEFAULT_TOOLCHAIN_IMAGE))
        finally:
            client.close()

    def test_ssh(self, details: SshDetails):
        """Connect and look at the VM as a conversion there would (the runner's own check,
        nothing changed on it): returns its VmReport (machine, Docker, disk, problems).

        Raises HostKeyUnknown (with ``.fingerprint``) for a host seen for the first time: the page
        asks the user and calls again with ``accept_fingerprint`` set.
        """
        from wizard.core.runners.factory import check_vm

        return check_vm(details.runner_spec())

    # -- without Docker --------------------------------------------------------------------------
    native_toolchain_bin: str | None = None  # this computer's own TPU-MLIR bin/ (experts; tests: the double)

    def _native(self, details: NativeDetails | None) -> NativeDetails:
        from dataclasses import replace

        details = details or NativeDetails()
        return replace(details, toolchain_bin=details.toolchain_bin or self.native_toolchain_bin)

    def check_native(self, ssh: SshDetails | None = None, recipe=None):
        """This computer (``ssh`` None) or the VM as a native conversion would find it, nothing
        changed: returns the runner's NativeReport (problems, the set-up and environment
        questions). ``recipe``: the run to come, for the memory estimate. Over SSH it raises
        HostKeyUnknown (with ``.fingerprint``) like ``test_ssh``."""
        from dataclasses import replace

        from wizard.core.plan.recipe import ConversionRecipe
        from wizard.core.runners.factory import build_runner

        spec = self._native(None).runner_spec() if ssh is None else replace(ssh, native=True).runner_spec()
        runner = build_runner(spec, recipe or ConversionRecipe(name="check"))
        try:
            return runner.check(recipe)
        finally:
            close = getattr(runner, "close", None)  # the VM's connection
            if close is not None:
                close()

    # -- convert -------------------------------------------------------------------------------
    def start_conversion(self, choices, where: str, ssh: SshDetails | None,
                         native: NativeDetails | None = None) -> GuiConversion:
        return core_conversion(choices, where, ssh, self._native(native) if where == "native" else None)

    def start_workshop_conversion(self, kit, choices, attendee: str,
                                  credentials: WorkshopCredentials) -> GuiConversion:
        """In a workshop: stage the attendee's workspace with the kit's options and convert on the
        kit's server, in its queue (wizard.core.workshop.attendee, as ``workshop convert``)."""
        return workshop_conversion(kit, choices, attendee, credentials)

    def reattach(self, run_dir: str, ssh: SshDetails | None = None,
                 workshop: WorkshopCredentials | None = None) -> GuiConversion:
        """Follow a run started before the window was closed (its job.json tells how: a workshop
        run goes back to its place in the room's queue, with ``workshop``'s sign-in)."""
        spec = ssh.runner_spec() if ssh is not None else None

        def make_job():
            from wizard.core.runners.job import reattach
            from wizard.core.runners.record import JobRecord
            from wizard.core.workshop.attendee import resume_conversion
            from wizard.core.workshop.runner import BACKEND as WORKSHOP

            if (Path(run_dir) / "job.json").is_file() and JobRecord.load(Path(run_dir)).backend == WORKSHOP:
                return resume_conversion(run_dir, credentials=(workshop or WorkshopCredentials()).ssh_credentials())
            return reattach(run_dir, spec=spec)

        return _CoreJob(make_job, run_dir, resume=True)

    def extract_kit_samples(self, kit) -> tuple[str, str]:
        """The kit's sample model and pictures unpacked on this computer ("" for what it has
        none of): (model file, pictures folder)."""
        from wizard.core.workshop.attendee import samples_folder

        model, images = kit.extract_samples(samples_folder(kit))
        return (str(model) if model else "", str(images) if images else "")

    def read_results(self, run_dir: str) -> dict[str, Any]:
        """results.json of a run (written by the job), else a parse of its log."""
        import json

        run = Path(run_dir)
        results = run / "results.json"
        if results.is_file():
            return json.loads(results.read_text(encoding="utf-8"))
        for candidate in (run / "convert.log", run / "work" / "convert.log"):
            if candidate.is_file():
                from wizard.core.toolchain.log import parse_log

                return {"log": parse_log(candidate.read_text(encoding="utf-8", errors="replace")).to_dict()}
        return {}

    # -- detection check -------------------------------------------------------------------------
    def detection_check_available(self) -> bool:
        return True  # test doubles of the services may offer none

    def read_detections(self, where: str):
        """A saved detection check (wizard.core.detections.report.DetectionReport): ``where`` is a
        run folder or its detections.json. None when there is none; WizardError when unreadable."""
        from wizard.core.detections.report import REPORT_FILE, DetectionReport

        path = Path(where)
        if path.suffix != ".json":
            path = path / REPORT_FILE
        return DetectionReport.load(path) if path.is_file() else None

    node_red_port: int = DEFAULT_NODE_RED_PORT  # the camera's Node-RED (recamera.md); the tests: their simulator's

    def drawings_in_language(self, report, folder, lang: str) -> list[str | None]:
        """The check's drawings with their words in ``lang`` (drawn anew into the cache when the
        check drew them in the other language)."""
        from wizard.core.detections.draw import drawings_in_language

        return drawings_in_language(report, folder, lang, _cache_dir() / "drawings")

    def camera_thresholds(self, device: str):
        """The score/IoU thresholds of the camera's model node, read from its Node-RED flow
        (nothing changed on the camera). WizardError when it does not answer or has none."""
        from wizard.core.detections.camera_thresholds import read_camera_thresholds

        return read_camera_thresholds(device or None, self.node_red_port)

    def run_detection_check(self, run_dir: str, ssh: SshDetails | None, count: int,
                            pictures_dir: str | None = None, thresholds=None) -> GuiDetectionCheck:
        """The check of a finished run, where its conversion ran: over SSH when ``ssh`` is given,
        else as the run's own record says (local Docker). ``pictures_dir``: a folder of check
        pictures instead of the test picture and a sample of the calibration pictures."""
        def make_run():
            from wizard.core.detections.service import run_check

            spec = ssh.runner_spec() if ssh is not None else None  # image "": the run's recipe's
            return run_check(Path(run_dir), spec=spec, pictures_dir=Path(pictures_dir) if pictures_dir else None,
                             count=count, thresholds=thresholds)

        return _CoreDetectionCheck(make_run, run_dir)

    # -- workshop ----------------------------------------------------------------------------------
    def kit_of_run(self, run_dir: str):
        """The kit a workshop run was started with (RUN_DIR/.workshop.json), or None when that
        file or the kit is gone, unreadable or not the same kit any more."""
        from wizard.core.messages import WizardError
        from wizard.core.workshop.attendee import WorkshopRunInfo
        from wizard.core.workshop.kit import read_kit

        try:
            info = WorkshopRunInfo.load(Path(run_dir))
            kit = read_kit(info.kit_path) if info.kit_path else None
        except (WizardError, OSError):
            return None
        return kit if kit is not None and kit.content.kit_id == info.kit_id else None

    def room_status(self, kit, credentials, login: str | None = None):
        """The room at a glance (wizard.core.workshop.status.RoomStatus): what ``recamera-wizard
        workshop status --kit KIT`` fetches, through the kit's pinned host key. ``credentials``:
        the login (an SshCredentials, memory only); ``login``: in a room with one account per
        attendee, the instructor's account on the server. Raises WizardError."""
        from wizard.core.messages import current_language
        from wizard.core.workshop.status import fetch_status

        return fetch_status(kit, lang=current_language(), credentials=credentials, login=login)

    def make_kit(self, out, target: str, draft, credentials, accept_fingerprint: str | None = None):
        """What ``recamera-wizard workshop make-kit`` does: connect to ``target`` (user@host:port)
        with ``credentials`` (an SshCredentials, memory only), check the server for the kit
        (``draft``: a wizard.core.workshop.kit_maker.KitDraft), pin its host key and write the kit
        to ``out``. Returns (Kit, warnings). Raises KitNotMade (every problem found), HostKeyUnknown
        (with ``.fingerprint``: the dialog asks, then calls again with ``accept_fingerprint``) or
        another WizardError."""
        from wizard.core.ssh.options import HostKeyPolicy
        from wizard.core.workshop.kit_maker import make_kit

        return make_kit(out, target, draft, credentials=credentials,
                        host_keys=HostKeyPolicy(accept_fingerprint=accept_fingerprint))



class _CoreJob(GuiConversion):
    """Wraps wizard.core.runners.job.ConversionJob: stage (for a new run), then drive the runner."""

    def __init__(self, make_job: Callable[[], Any], run_dir: str, *, resume: bool = False,
                 stage: Callable[[Callable[[str, int, int], None]], Any] | None = None,
                 record_cancelled: Callable[[], None] | None = None):
        self._make_job = make_job
        self._stage = stage
        self._record_cancelled = record_cancelled  # job.json for a run cancelled before it began
        self._resume = resume
        self.run_dir = run_dir
        self._job = None
        self._cancelled = threading.Event()

    def events(self) -> Iterator[Event]:
        from wizard.core.runners.bundle import check_run_dir
        from wizard.core.runners.run_folder import claimed_run_dir, refuse_if_a_run_is_going

        if self._stage is not None:
            check_run_dir(Path(self.run_dir))  # before the lock file is made in it
        if self._stage is None and not Path(self.run_dir).is_dir():
            yield from self._events()  # nothing to lock: reattach says what is wrong
            return
        # One conversion per run folder (the CLI's lock too), staging included.
        with claimed_run_dir(self.run_dir):
            if self._stage is not None:
                refuse_if_a_run_is_going(Path(self.run_dir))
            try:
                yield from self._events()
            finally:
                # Cancelled before the run began (while the pictures were staged; the window's pump
                # then closes this generator at its next event): the run folder says so, as the
                # CLI's Ctrl-C does, and what was staged stays.
                if self._job is None and self._cancelled.is_set() and self._record_cancelled is not None:
                    self._record_cancelled()

    def _events(self) -> Iterator[Event]:
        from wizard.core.events import ProblemRaised, Progress, StepFinished, StepStarted

        if self._stage is not None:
            yield StepStarted("prepare", command="")
            progress: list[Event] = []

            def on_progress(phase: str, done: int, total: int) -> None:
                progress.append(Progress("prepare", done / total if total else None, phase, done, total))

            # Staging is quick and blocking; its progress is replayed once it is done.
            staged = self._stage(on_progress)
            yield from progress[-20:]
            for warning in getattr(staged, "problems", ()) or ():
                yield ProblemRaised(warning, step="prepare")
            yield StepFinished("prepare", ok=True)
        if self._cancelled.is_set():
            yield ProblemRaised(problem("conversion_cancelled_before_run", "warning", path=str(self.run_dir)))
            return
        self._job = self._make_job()
        yield from (self._job.resume() if self._resume else self._job.events())

    def cancel(self) -> None:
        self._cancelled.set()
        if self._job is not None:
            self._job.cancel()

    def record(self) -> dict[str, Any] | None:
        if self._job is None:
            return None
        handle = self._job.runner.handle
        return {"backend": handle.backend, "run_id": handle.run_id, "where": handle.where,
                "run_dir": str(self.run_dir)}


def core_conversion(choices, where: str, ssh: SshDetails | None, native: NativeDetails | None = None) -> GuiConversion:
    """What ``recamera-wizard convert`` does: stage RUN_DIR/workspace, then run it there."""
    from dataclasses import replace as dc_replace

    from wizard.core.plan.workspace import stage_workspace
    from wizard.core.runners.bundle import WORKSPACE_DIR
    from wizard.core.runners.job import ConversionJob as CoreJob

    run_dir = Path(choices.out)
    staged_choices = dc_replace(choices, out=str(run_dir / WORKSPACE_DIR))
    staged: dict[str, Any] = {}

    def stage(on_progress) -> None:
        # The same refusal as `recamera-wizard convert`: never mix a run into someone's files.
        from wizard.core.runners.bundle import check_run_dir

        check_run_dir(run_dir)
        staged["workspace"] = stage_workspace(staged_choices, on_progress=on_progress)
        return staged["workspace"]

    def runner_spec(image: str):
        from wizard.core.runners.factory import RunnerSpec

        if where == "ssh":
            assert ssh is not None
            return ssh.runner_spec(image=image)
        if where == "native":
            return (native or NativeDetails()).runner_spec()
        return RunnerSpec(backend="docker", image=image)

    def make_job():
        from wizard.core.runners.factory import build_runner

        recipe = staged["workspace"].recipe
        return CoreJob(build_runner(runner_spec(recipe.toolchain_image), recipe), run_dir)

    def record_cancelled() -> None:
        from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
        from wizard.core.runners.run_folder import record_cancelled_before_run

        recipe = staged["workspace"].recipe if "workspace" in staged else None  # None: cancelled before staging
        image = recipe.toolchain_image if recipe else (choices.toolchain_image or DEFAULT_TOOLCHAIN_IMAGE)
        spec = runner_spec(image)
        record_cancelled_before_run(run_dir, backend=spec.backend, where=spec.host or "local", image=image)

    return _CoreJob(make_job, str(run_dir), stage=stage, record_cancelled=record_cancelled)


def workshop_overrides(kit, choices) -> dict[str, Any]:
    """The options the attendee changed from the kit's. Where the kit locks an option as "the
    wizard decides" (None: e.g. mean), the state's concrete default is not a change (the pages
    cannot change a locked option); any other change of a locked one is the core's to refuse."""
    from wizard.core.app.wizard_flow import OPTION_FIELDS

    def plain(value):
        return tuple(value) if isinstance(value, list) else value

    kit_options = kit.options
    changed = {}
    for name in OPTION_FIELDS:
        if kit.is_locked(name) and kit_options.get(name) is None:
            continue
        value = plain(getattr(choices, name))
        if value is not None and value != plain(kit_options.get(name)):
            changed[name] = value
    return changed


def workshop_conversion(kit, choices, attendee: str, credentials: WorkshopCredentials) -> GuiConversion:
    """What ``recamera-wizard workshop convert`` does: stage RUN_DIR/workspace with the kit's
    options, then convert on the kit's server (waiting in its queue when every place is busy)."""
    run_dir = Path(choices.out)
    made: dict[str, Any] = {}

    def stage(on_progress):
        from wizard.core.workshop.attendee import start_conversion

        made["job"] = start_conversion(
            kit, run_dir=run_dir, attendee=attendee, model=choices.model, images=choices.images,
            name=choices.name, test_image=choices.test_image, output_names=choices.output_names,
            overrides=workshop_overrides(kit, choices), on_progress=on_progress, credentials=credentials.ssh_credentials(),
            account=credentials.account or None)
        return made["job"]

    def record_cancelled() -> None:
        from wizard.core.runners.run_folder import record_cancelled_before_run
        from wizard.core.workshop.runner import BACKEND

        where = str(kit.server.login_target(credentials.account)) if kit.server.per_attendee else kit.server.target
        record_cancelled_before_run(run_dir, backend=BACKEND, where=where, image=kit.content.toolchain.image)

    return _CoreJob(lambda: made["job"], str(run_dir), stage=stage, record_cancelled=record_cancelled)


def temporary_copy(path: str) -> str:
    """A copy of a file in a fresh temp folder (the tour must not touch packaged resources)."""
    folder = Path(tempfile.mkdtemp(prefix="recamera-wizard-"))
    target = folder / Path(path).name
    shutil.copy2(path, target)
    return str(target)
