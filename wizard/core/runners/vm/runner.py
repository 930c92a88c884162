"""The SSH backend: run convert.sh in the toolchain image on the user's own Linux VM.

    prepare   connect (host key checked), probe the VM (Docker present, usable, disk), run the
              guide's set-up only with consent, check the toolchain image is there
    upload    the staged workspace as ONE tar.gz stream into ~/.recamera-wizard/runs/<run_id>/,
              its checksums verified on the VM
    run       a small wrapper started with setsid+nohup runs `docker run ... bash convert.sh`,
              appending to convert.log and writing exit_code when done; the runner reads
              convert.log by byte offset over SFTP and feeds each line to LogInterpreter.
              A dropped connection does not stop the job: the runner reconnects with backoff
              and resumes at the same offset, so no line is lost or repeated. After an app
              restart ``SshRunner.attach(handle, ...)`` streams the same run again.
    download  what the user needs of work/ (wizard.core.plan.kept_files) as one tar.gz, SHA-256
              computed on the VM, checked here, extracted with safe_tar (nothing outside the run
              folder can be written); the rest stays on the VM until cleanup
    cancel    docker stop, docker rm -f, end the wrapper (any thread, ~10 s)
    cleanup   remove the container and the run folder unless keep_remote

Every remote command comes from remote_shell (quoted); nothing secret is logged or put in argv.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from wizard.core.checksums import sha256_file
from wizard.core.events import Event, LogLine, ProblemRaised, Progress, StepFinished, StepStarted
from wizard.core.messages import Problem, WizardError, problem, say
from wizard.core.plan.kept_files import brought_back
from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE, RECIPE_FILE, WORK_DIR, ConversionRecipe
from wizard.core.runners.vm import setup as remote_setup
from wizard.core.ssh import remote_shell as rs
from wizard.core.toolchain.build_log import build_events
from wizard.core.toolchain.lines import LineSplitter
from wizard.core.toolchain.output_events import OutputEvents
from wizard.core.runners.protocol import LogFollowingRunner, RunFacts, RunHandle, new_run_id
from wizard.core.runners.safe_tar import extract_tar_stream, tar_directory, write_tar
from wizard.core.ssh.connection import CONNECTION_ERRORS, ConnectionLost, SshConnection, SshTarget
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings
from wizard.core.ssh.host_keys import HostKeyChanged, HostKeyUnknown

BACKEND = "ssh"
READ_CHUNK = 256 * 1024
LIVENESS_SECONDS = 10.0  # how often a quiet run checks that its wrapper is still alive


@dataclass(frozen=True)
class VmConsents:
    """What the user let the wizard do to their VM: ``setup_consent``, install and start Docker and
    add them to the docker group (the guide's set-up) when the VM needs it; ``build_image``, build
    a missing toolchain image there (``docker build``: the VM downloads the base image and
    tpu_mlir, 10-20 minutes)."""

    setup_consent: bool = False
    build_image: bool = False


@dataclass(frozen=True)
class VmReport:
    """What ``SshRunner.check()`` found: show the problems, and with ``setup.commands`` the exact
    set-up the user is asked to consent to; ``image_present`` is None when Docker is not usable."""

    target: str
    facts: remote_setup.RemoteFacts
    problems: tuple[Problem, ...]
    setup: remote_setup.SetupPlan
    image: str
    image_present: bool | None

    @property
    def ready(self) -> bool:
        return not any(p.is_error for p in self.problems) and bool(self.image_present)


class SshRunner(LogFollowingRunner):
    backend = BACKEND

    def __init__(
        self,
        target: str | SshTarget,
        *,
        credentials: SshCredentials = SshCredentials(),
        host_keys: HostKeyPolicy = HostKeyPolicy(),
        consents: VmConsents = VmConsents(),
        timings: SshTimings = SshTimings(),
        image: str | None = None,
        run_id: str | None = None,
        remote_root: str = rs.DEFAULT_REMOTE_ROOT,
        dockerfile_for: Callable[[str], str] | None = None,
        live_log: str | Path | None = None,
    ):
        """``target``: "user@host[:port]". ``credentials``: a key file, the SSH agent and/or a
        password (kept in memory only; also given to ``sudo -S`` on stdin during set-up).

        ``host_keys``: the known_hosts files to check against. An unknown key raises
        ``HostKeyUnknown`` (with ``.fingerprint``); pass that fingerprint as the policy's
        ``accept_fingerprint`` once the user accepted it. A changed key raises ``HostKeyChanged``,
        always.

        ``consents``: what the user let the wizard do to the VM (VmConsents).
        ``timings``: connect, keepalive, reconnect and log-polling times (SshTimings).
        ``image``: the toolchain image (None: the recipe's); ``run_id`` (None: a new one) names the
        run folder under ``remote_root`` on the VM.
        ``dockerfile_for(tag)``: the Dockerfile of an image (default: toolchain_image's).
        ``live_log``: a local file that receives convert.log's bytes as they stream.
        """
        super().__init__()
        self.target = target if isinstance(target, SshTarget) else SshTarget.parse(target)
        self.credentials = credentials
        self.host_keys = host_keys.store()
        self.accept_fingerprint = host_keys.accept_fingerprint
        self.consents = consents
        self.timings = timings
        self.image = image
        self.run_id = rs.check_run_id(run_id or new_run_id())
        self.remote_root = remote_root
        self.dockerfile_for = dockerfile_for or _toolchain_dockerfile
        self.live_log = Path(live_log) if live_log else None
        self.liveness_seconds = LIVENESS_SECONDS

        self._conn: SshConnection | None = None
        self._home: str | None = None
        self._remote_created = False  # the run folder may exist on the VM (upload began, or attach)
        self._facts = RunFacts(image={"tag": image} if image else {})
        self.output: OutputEvents | None = None
        self.exit_code: int | None = None
        self.uploaded_bytes = 0
        self.downloaded_bytes = 0
        self._recipe: ConversionRecipe | None = None  # the uploaded one: it names the results
        self.vm_facts: remote_setup.RemoteFacts | None = None
        self._lock = threading.Lock()

    # --- re-attach ---------------------------------------------------------------------------

    @classmethod
    def attach(cls, handle: RunHandle, offset: int = 0, skip_lines: int = 0, **options) -> "SshRunner":
        """A runner for a run started earlier on the VM (Runner._follow_earlier_run); ``options``
        as the constructor's."""
        runner = cls(handle.where, run_id=handle.run_id, **options)
        runner._follow_earlier_run(handle, offset, skip_lines)
        runner._remote_created = True
        return runner

    @property
    def handle(self) -> RunHandle:
        return RunHandle(backend=self.backend, run_id=self.run_id, where=str(self.target))

    def detach(self) -> None:
        """The job stops reading at its next line, or ``run()`` ends (without a StepFinished) at its
        next poll when no line comes (a job waiting in a workshop queue); the wrapper on the VM goes
        on without this app."""
        self._detached.set()

    @property
    def remote_dir(self) -> str:
        return rs.remote_run_dir(self._ensure_home(), self.run_id, self.remote_root)

    # --- connection --------------------------------------------------------------------------

    def _new_connection(self) -> SshConnection:
        return SshConnection(
            self.target,
            self.credentials,
            self.host_keys,
            accept_fingerprint=self.accept_fingerprint,
            timings=self.timings,
        ).connect()

    def _connection(self) -> SshConnection:
        with self._lock:
            if self._conn is None:
                self._conn = self._new_connection()
            elif not self._conn.alive:
                self._conn.connect()
            return self._conn

    def _ensure_home(self) -> str:
        if self._home is None:
            result = self._connection().run(rs.home_command(), timeout=30)
            home = result.out.strip()
            if result.exit_code != 0 or not home.startswith("/"):
                raise WizardError.of("vm_command_failed", what="echo $HOME", target=str(self.target),
                                     detail=result.err.strip() or "no home folder")
            self._home = home
        return self._home

    def _checked(self, command: str, what: str, *, stdin: bytes | None = None, timeout: float | None = 120.0) -> str:
        result = self._connection().run(command, stdin=stdin, timeout=timeout)
        if result.exit_code != 0:
            detail = (result.err.strip() or result.out.strip() or f"exit code {result.exit_code}").splitlines()[-1]
            raise WizardError.of("vm_command_failed", what=what, target=str(self.target), detail=detail[:300])
        return result.out

    def _reconnect(self, step: str) -> Iterator[Event]:
        """Reconnect with backoff (1, 2, 4, 8, 15, 15... s) until reconnect_timeout.

        A changed or unknown host key is never retried through: that is not a network blip.
        """
        start = time.monotonic()
        delay = 1.0
        attempt = 0
        while True:
            attempt += 1
            lost = problem("vm_connection_lost", "warning", target=str(self.target), attempt=attempt)
            if attempt == 1:  # one problem per drop; the retries are progress, not new problems
                yield ProblemRaised(lost, step=step)
            else:
                yield LogLine(lost.message, step=step, stream="runner")
            if self._cancel_requested.wait(min(delay, max(0.0, self.timings.reconnect_timeout - (time.monotonic() - start)))):
                pass  # cancelled: still try once, so the cancel command can reach the VM
            try:
                with self._lock:
                    if self._conn is None:
                        self._conn = self._new_connection()
                    else:
                        self._conn.connect()
                yield LogLine(say("line_vm_reconnected", target=self.target), step=step, stream="runner")
                return
            except (HostKeyChanged, HostKeyUnknown):
                raise
            except WizardError:
                pass  # unreachable for now: keep trying within the time limit
            if self._cancel_requested.is_set() or time.monotonic() - start >= self.timings.reconnect_timeout:
                # Cancelled while the VM is out of reach: stop waiting; the job stays re-attachable.
                raise WizardError.of("vm_reconnect_failed", target=str(self.target),
                                     seconds=int(self.timings.reconnect_timeout), run_id=self.run_id)
            delay = min(delay * 2, 15.0)

    # --- a look at the VM without changing it (the GUI's "Test connection") -------------------

    def check(self) -> "VmReport":
        """Connect (host key checked: may raise HostKeyUnknown/HostKeyChanged), probe the VM and
        say what a conversion there would need, without changing anything on it."""
        self._connection()
        facts = self._probe()
        problems = tuple(remote_setup.problems_for(facts, str(self.target)))
        image = self.image or DEFAULT_TOOLCHAIN_IMAGE
        image_present = self._image_present(image) if facts.docker_usable else None
        return VmReport(str(self.target), facts, problems, remote_setup.setup_plan(facts, str(self.target)),
                        image, image_present)

    # --- prepare -----------------------------------------------------------------------------

    def prepare(self) -> Iterator[Event]:
        started = time.monotonic()
        yield StepStarted("prepare", command=f"ssh {self.target}")
        self._connection()
        yield LogLine(say("line_vm_connected", target=self.target), step="prepare", stream="runner")
        yield from self._prepare_host()
        yield StepFinished("prepare", ok=True, elapsed=time.monotonic() - started)

    # Hooks: what differs between running in the toolchain image (here) and elsewhere on the VM
    # (wizard.core.runners.native.vm): getting the VM ready, the command the wrapper runs, and
    # how that command is stopped and its leftovers removed.

    def _prepare_host(self) -> Iterator[Event]:
        """Docker on the VM (the guide's set-up only with consent), and the image when known."""
        facts = self._probe()
        problems = remote_setup.problems_for(facts, str(self.target))
        if any(p.is_error for p in problems):
            plan = remote_setup.setup_plan(facts, str(self.target))
            if not plan.needed or plan.unsupported is not None or not self.consents.setup_consent:
                if plan.unsupported is not None and self.consents.setup_consent:
                    raise WizardError(plan.unsupported)
                raise WizardError(next(p for p in problems if p.is_error))
            yield from self._run_setup(plan, facts)
            facts = self._probe()
            problems = remote_setup.problems_for(facts, str(self.target))
            errors = [p for p in problems if p.is_error]
            if errors:
                raise WizardError(errors[0])
        for p in problems:
            yield ProblemRaised(p, step="prepare")
        if self.image:  # the image is known now (else upload reads it from the recipe)
            yield from self._ensure_image(self.image)

    def _toolchain_for(self, workspace: Path, recipe_image: str) -> Iterator[Event]:
        """Called by upload once the recipe is read: the image it names, unless one was given."""
        if self.image is None:
            self.image = recipe_image
            self._facts.image = {"tag": recipe_image}
            yield from self._ensure_image(self.image)

    def _convert_command(self) -> str:
        """The command line the detached wrapper runs in the run folder."""
        return rs.join(rs.docker_run_argv(self.remote_dir, self.run_id, self.image or DEFAULT_TOOLCHAIN_IMAGE))

    def _cancel_command(self) -> str:
        return rs.cancel_command(self.remote_dir, self.run_id)

    def _cleanup_command(self) -> str:
        image = self.image or self._remote_recipe_image() or DEFAULT_TOOLCHAIN_IMAGE
        return rs.cleanup_command(self.remote_dir, self.run_id, image)

    def _probe(self) -> remote_setup.RemoteFacts:
        result = self._connection().run(remote_setup.probe_command(), timeout=60)
        self.vm_facts = remote_setup.parse_probe(result.out)
        return self.vm_facts

    def _run_setup(self, plan: remote_setup.SetupPlan, facts: remote_setup.RemoteFacts) -> Iterator[Event]:
        steps: list[str] = []

        def run(line: str, stdin: bytes | None) -> tuple[int, str]:
            result = self._connection().run(line, stdin=stdin, timeout=1800)
            return result.exit_code, result.err + result.out

        outcome = remote_setup.run_setup(
            plan, facts, run, target=str(self.target), password=self.credentials.password,
            consent=self.consents.setup_consent, on_step=steps.append,
        )
        for label in outcome.ran:
            yield LogLine(say("line_setup_step", target=self.target, step=label), step="prepare", stream="runner")
        if outcome.relogin:  # the new docker group counts only in a new login
            with self._lock:
                if self._conn is not None:
                    self._conn.connect()

    def _image_present(self, image: str) -> bool:
        result = self._connection().run(rs.join(["docker", "image", "inspect", "--format", "{{.Id}}", image]), timeout=60)
        return result.exit_code == 0

    def _ensure_image(self, image: str) -> Iterator[Event]:
        if self._image_present(image):
            return
        if not self.consents.build_image:
            raise WizardError.of("vm_image_missing", image=image, target=str(self.target))
        yield from self._build_image(image)

    def _build_image(self, image: str) -> Iterator[Event]:
        """``docker build -t <image> -`` on the VM, the Dockerfile on stdin (no build context is
        needed: the toolchain image is a base image plus pip), its output streamed as events."""
        dockerfile = self.dockerfile_for(image)
        yield StepStarted(IMAGE_STEP, command=f"docker build -t {image} - (on {self.target})")
        started = time.monotonic()
        tail: list[str] = []
        progress = _build_progress(image, dockerfile)
        build = self._connection().stream(rs.build_image_command(image), stdin=dockerfile.encode("utf-8"))
        try:
            code = yield from build_events(build, IMAGE_STEP, tail, keep=20, progress=progress.feed)
        except ConnectionLost:
            raise WizardError.of("vm_reconnect_failed", target=str(self.target), seconds=0, run_id=self.run_id) from None
        if code != 0:
            detail = next((t for t in reversed(tail) if t.strip()), f"exit code {code}")
            raise progress.failure(image, detail) or WizardError.of(
                "vm_image_build_failed", image=image, target=str(self.target), detail=detail[:300])
        yield StepFinished(IMAGE_STEP, ok=True, elapsed=time.monotonic() - started)

    # --- upload ------------------------------------------------------------------------------

    def upload(self, workspace: Path) -> Iterator[Event]:
        started = time.monotonic()
        workspace = Path(workspace)
        yield StepStarted("upload", command=f"tar.gz -> {self.target}:{self.remote_dir}")
        recipe_image = _recipe_image(workspace)
        if (workspace / RECIPE_FILE).is_file():
            self._recipe = ConversionRecipe.load(workspace / RECIPE_FILE)
        yield from self._toolchain_for(workspace, recipe_image)
        entries = list(tar_directory(workspace, exclude=not_uploaded))
        files = [(name, path) for name, path in entries if path.is_file()]
        total = sum(path.stat().st_size for _name, path in files)
        self._remote_created = True
        with tempfile.TemporaryDirectory(prefix="wizard-upload-") as tmp:
            sums = Path(tmp) / rs.UPLOAD_SUMS
            sums.write_text("".join(sums_line(sha256_file(path), f"./{name}") for name, path in files), encoding="utf-8")
            all_entries = [*entries, (rs.UPLOAD_SUMS, sums)]
            sent = [0]

            packed = [0]  # bytes of tar fed to gzip: against `total`, a fraction for the progress bar

            def send() -> None:
                sent[0] = packed[0] = 0

                def write_stream(channel_file: BinaryIO) -> None:
                    counting = _Counting(channel_file, sent)
                    with gzip.GzipFile(fileobj=counting, mode="wb", compresslevel=6, mtime=0) as gz:  # type: ignore[arg-type]
                        write_tar(all_entries, _Counting(gz, packed))  # type: ignore[arg-type]

                result = self._connection().run(rs.upload_command(self.remote_dir), stdin=write_stream, timeout=600)
                if result.exit_code != 0:
                    detail = (result.err.strip() or result.out.strip() or f"exit code {result.exit_code}").splitlines()[-1]
                    raise WizardError.of("vm_upload_failed", target=str(self.target), detail=detail[:300])

            def progress() -> Progress:
                done = min(packed[0], total)
                return Progress("upload", done / total if total else None, done=done, total=total,
                                text=f"{done / 1e6:.1f} of {total / 1e6:.1f} MB ({sent[0] / 1e6:.1f} MB sent compressed)")

            yield from self._in_background("upload", send, progress)
            yield progress()
        self.uploaded_bytes = sent[0]  # the compressed stream, for the upload benchmark
        yield LogLine(say("line_vm_uploaded", files=len(files), bytes=total, compressed=sent[0], folder=self.remote_dir),
                      step="upload", stream="runner")
        yield StepFinished("upload", ok=True, elapsed=time.monotonic() - started)

    def _in_background(self, step: str, action: Callable[[], None], progress: Callable[[], Event]) -> Iterator[Event]:
        """Run a transfer in a thread (retried on a dropped connection) while yielding progress,
        because a generator cannot yield from inside paramiko's blocking write."""
        for attempt in range(1, 4):
            error: list[BaseException] = []

            def target() -> None:
                try:
                    action()
                except BaseException as exc:  # handed to the generator's thread
                    error.append(exc)

            worker = threading.Thread(target=target, name=f"ssh-{step}", daemon=True)
            worker.start()
            while worker.is_alive():
                worker.join(0.5)
                if worker.is_alive():
                    yield progress()
            if not error:
                return
            exc = error[0]
            if isinstance(exc, ConnectionLost) and attempt < 3:
                yield from self._reconnect(step)
                continue
            if isinstance(exc, ConnectionLost):
                raise WizardError.of("vm_reconnect_failed", target=str(self.target),
                                     seconds=int(self.timings.reconnect_timeout), run_id=self.run_id) from None
            raise exc

    # --- run ---------------------------------------------------------------------------------

    def run(self) -> Iterator[Event]:
        started = time.monotonic()
        if not self._started:
            command = self._convert_command()
            script = rs.detached_wrapper_script(self.remote_dir, command,
                                                before_container=self.before_container_script(),
                                                after_container=self.after_container_script())
            self._checked(rs.write_file_command(self.remote_dir, rs.WRAPPER_FILE), "write the run script", stdin=script.encode())
            yield StepStarted("convert", command=command)
            self._checked(rs.start_command(self.remote_dir), "start the conversion", timeout=60)
            self._started = True
            self._wait_for_wrapper()
        else:
            yield StepStarted("convert", command=f"re-attach {self.run_id} on {self.target}")
        yield from self._stream(started)

    def before_container_script(self) -> str:
        """Hook for subclasses (the workshop queue): sh run by the wrapper before the container;
        see remote_shell.wrapper_script."""
        return ""

    def after_container_script(self) -> str:
        """Hook for subclasses: sh run by the wrapper after the container, before exit_code."""
        return ""

    def _wrapper_state(self) -> str:
        return self._connection().run(rs.wrapper_state_command(self.remote_dir), timeout=30).out.strip()

    def _wait_for_wrapper(self, seconds: float = 15.0) -> None:
        """The start command backgrounds the wrapper, so its own exit code says nothing: wait for
        the wrapper's pid file (or its end) to know the job really started."""
        deadline = time.monotonic() + seconds
        while True:
            state = self._wrapper_state()
            if state in ("running", "ended"):
                return
            if state == "vanished" or time.monotonic() > deadline:
                raise WizardError.of("vm_job_not_started", target=str(self.target),
                                     detail=f"wrapper {state} after {int(seconds)} s")
            time.sleep(0.2)

    def _stream(self, started: float) -> Iterator[Event]:
        # One stream: the wrapper appends the container's stdout and stderr to one convert.log.
        output = OutputEvents(skip_lines=self.skip_lines)
        self.output = output
        log_path = f"{self.remote_dir}/{rs.REMOTE_LOG}"
        code_path = f"{self.remote_dir}/{rs.EXIT_CODE_FILE}"
        sink = open(self.live_log, "ab") if self.live_log else None
        code: int | None = None
        read_offset = self._log_offset  # bytes received; self.offset = bytes of whole lines handed on
        next_liveness = time.monotonic() + self.liveness_seconds
        vanished = False
        splitter = LineSplitter()  # holds an unfinished last line across reconnects
        try:
            while True:
                if self._conn is not None and not self._conn.alive:
                    # Noticed by paramiko's reader thread between two polls: same as a failed read.
                    yield from self._reconnect("convert")
                try:
                    sftp = self._connection().sftp()
                    code = _read_exit_code(sftp, code_path)
                    # exit_code is written after convert.log is closed, so reading the log to its
                    # end AFTER seeing exit_code gets every byte.
                    try:
                        handle = sftp.open(log_path, "rb")
                    except FileNotFoundError:
                        if self._remote_gone(sftp):
                            raise WizardError.of("vm_run_not_found", run_id=self.run_id, target=str(self.target),
                                                 path=self.remote_dir) from None
                        handle = None
                    if handle is not None:
                        with handle:
                            while True:
                                handle.seek(read_offset)
                                data = handle.read(READ_CHUNK)
                                if not data:
                                    break
                                # read_offset moves only with bytes actually received, so a
                                # reconnect resumes exactly here: nothing lost, nothing repeated.
                                read_offset += len(data)
                                if sink:
                                    sink.write(data)
                                    sink.flush()
                                for line in splitter.feed(data):
                                    # Advanced BEFORE the line's events go out: whoever records
                                    # `offset` while handling a line has that line included, so a
                                    # re-attach from a recorded offset neither repeats nor skips it.
                                    self._log_offset += line.size
                                    yield from output.feed_line(line, "stdout")
                    if code is not None:
                        break
                    if time.monotonic() >= next_liveness:
                        # A VM reboot kills the wrapper before it writes exit_code: without this
                        # check the runner would wait forever.
                        next_liveness = time.monotonic() + self.liveness_seconds
                        if self._wrapper_state() == "vanished":
                            vanished = True
                            break
                    self._cancel_requested.wait(self.timings.poll_interval)
                    if self._detached.is_set() and not self._cancel_requested.is_set():
                        return  # nobody follows any more; a re-attach resumes at the offset
                except (ConnectionLost, *CONNECTION_ERRORS) as exc:
                    if isinstance(exc, (FileNotFoundError, PermissionError)):
                        raise WizardError.of("vm_run_not_found", run_id=self.run_id, target=str(self.target),
                                             path=self.remote_dir) from None
                    yield from self._reconnect("convert")
        finally:
            if sink:
                sink.close()
        for line in splitter.flush():
            self._log_offset += line.size
            yield from output.feed_line(line, "stdout")
        self.exit_code = code
        yield from output.end_of_run(code, time.monotonic() - started, cancelled=self._cancel_requested.is_set(),
                                     vanished=problem("vm_job_vanished", target=str(self.target)) if vanished else None)

    def _remote_gone(self, sftp) -> bool:
        try:
            sftp.stat(self.remote_dir)
            return False
        except FileNotFoundError:
            return True

    # --- download ----------------------------------------------------------------------------

    def download(self, run_dir: Path) -> Iterator[Event]:
        started = time.monotonic()
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        yield StepStarted("download", command=f"tar.gz <- {self.target}:{self.remote_dir}/{WORK_DIR} (the results)")
        partial = run_dir / ".download.tar.gz.partial"
        received = [0]
        # What the user and the later steps need (kept_files); the rest stays on the VM until
        # cleanup. convert.log is not fetched: the job wrote every line of it as it streamed.
        wanted = tuple(f"{WORK_DIR}/{rel}" for rel in brought_back(self._results_recipe(run_dir)))

        def fetch() -> None:
            with open(partial, "wb") as out:
                counting = _Counting(out, received)
                result = self._connection().run(rs.results_command(self.remote_dir, wanted, ()),
                                                stdout_to=counting, timeout=3600)  # type: ignore[arg-type]
            if result.exit_code != 0:
                detail = (result.err.strip() or f"exit code {result.exit_code}").splitlines()[-1]
                raise WizardError.of("vm_command_failed", what="pack the results", target=str(self.target), detail=detail[:300])

        try:
            yield from self._in_background("download", fetch, lambda: Progress("download", None, text=f"{received[0]} bytes received", done=received[0]))
            with open(partial, "rb") as f:
                report = extract_tar_stream(f, run_dir)
        finally:
            partial.unlink(missing_ok=True)
        self.downloaded_bytes = received[0]  # the compressed stream, for the benchmark
        checked = _verify_sums(run_dir, str(self.target))
        (run_dir / rs.RESULT_SUMS).unlink(missing_ok=True)  # verified; the workspace layout stays as the plan made it
        yield LogLine(say("line_vm_downloaded", files=len(report.files), checked=checked), step="download", stream="runner")
        yield StepFinished("download", ok=True, elapsed=time.monotonic() - started)

    # --- cancel / cleanup --------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the remote job (docker stop, docker rm -f, end the wrapper). Any thread.

        Uses its own connection: the streaming one may be mid-read or broken.
        """
        self._cancel_requested.set()
        if not self._started:
            return
        try:
            conn = self._new_connection()
        except WizardError:
            return  # unreachable: the streaming side reports it; the job ends at the VM's pace
        try:
            conn.run(self._cancel_command(), timeout=30)
        except (ConnectionLost, WizardError):
            pass
        finally:
            conn.close()

    def cleanup(self, keep_remote: bool = False) -> Iterator[Event]:
        started = time.monotonic()
        yield StepStarted("cleanup")
        ok = True
        try:
            if not self._remote_created:
                pass  # nothing was sent (e.g. the host key was not accepted yet): nothing to remove
            elif keep_remote:
                yield LogLine(say("line_vm_kept", target=self.target, folder=self.remote_dir), step="cleanup", stream="runner")
            else:
                result = self._connection().run(self._cleanup_command(), timeout=300)
                if result.exit_code != 0:
                    ok = False
                    yield ProblemRaised(problem("vm_cleanup_failed", "warning", target=str(self.target), path=self.remote_dir,
                                                detail=(result.err.strip() or f"exit code {result.exit_code}")[:300]), step="cleanup")
        except (ConnectionLost, WizardError) as exc:
            ok = False
            detail = exc.problem.message if isinstance(exc, WizardError) else str(exc)
            yield ProblemRaised(problem("vm_cleanup_failed", "warning", target=str(self.target),
                                        path=self._home and self.remote_dir or self.run_id, detail=detail), step="cleanup")
        finally:
            self.close()
        yield StepFinished("cleanup", ok=ok, elapsed=time.monotonic() - started)

    def _results_recipe(self, run_dir: Path) -> ConversionRecipe:
        """The recipe that names the results: the uploaded one, else the local or remote copy."""
        if self._recipe is not None:
            return self._recipe
        if (run_dir / RECIPE_FILE).is_file():
            return ConversionRecipe.load(run_dir / RECIPE_FILE)
        try:
            with self._connection().sftp().open(f"{self.remote_dir}/{RECIPE_FILE}", "rb") as f:
                return ConversionRecipe.from_dict(json.loads(f.read(1 << 20).decode("utf-8")))
        except (ConnectionLost, ValueError, KeyError, TypeError, *CONNECTION_ERRORS):
            raise WizardError.of("vm_run_not_found", run_id=self.run_id, target=str(self.target),
                                 path=f"{self.remote_dir}/{RECIPE_FILE}") from None

    def _remote_recipe_image(self) -> str | None:
        """After a re-attach the image is only in the run folder's recipe (the sweeper needs it)."""
        try:
            with self._connection().sftp().open(f"{self.remote_dir}/{RECIPE_FILE}", "rb") as f:
                data = json.loads(f.read(1 << 20).decode("utf-8"))
            return str(data["toolchain_image"]) if isinstance(data, dict) and data.get("toolchain_image") else None
        except (ConnectionLost, WizardError, ValueError, KeyError, *CONNECTION_ERRORS):
            return None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


# --- helpers -----------------------------------------------------------------------------------


# Files of an earlier run in the same workspace that must not go up: the wrapper APPENDS to
# convert.log, so an old log would be streamed again; an old exit_code would end the new run at once.
_RUN_FILES = {rs.REMOTE_LOG, rs.EXIT_CODE_FILE, rs.EXIT_CODE_FILE + ".tmp", rs.CANCELLED_FILE, rs.WRAPPER_FILE,
              rs.WRAPPER_PID_FILE, rs.UPLOAD_SUMS, rs.RESULT_SUMS, ".download.tar.gz.partial"}


def not_uploaded(rel: str) -> bool:
    return rel in _RUN_FILES


IMAGE_STEP = "image"


def _toolchain_dockerfile(tag: str) -> str:
    from wizard.core.runners.docker.image import dockerfile_text, spec_for_tag

    return dockerfile_text(spec_for_tag(tag))


def _build_progress(image: str, dockerfile: str):
    """Named build steps when the Dockerfile is the wizard's own for ``image``."""
    from wizard.core.runners.docker.image import BuildProgress, dockerfile_text, spec_for_tag

    try:
        spec = spec_for_tag(image)
    except WizardError:
        return BuildProgress(None)
    return BuildProgress(spec if dockerfile_text(spec) == dockerfile else None)


class _Counting:
    def __init__(self, inner: BinaryIO, counter: list[int]):
        self.inner = inner
        self.counter = counter

    def write(self, data: bytes) -> int:
        self.inner.write(data)
        self.counter[0] += len(data)
        return len(data)

    def flush(self) -> None:
        flush = getattr(self.inner, "flush", None)
        if flush:
            flush()


def _recipe_image(workspace: Path) -> str:
    """The toolchain image the staged recipe asks for."""
    try:
        data = json.loads((workspace / RECIPE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        return DEFAULT_TOOLCHAIN_IMAGE
    return str(data.get("toolchain_image") or DEFAULT_TOOLCHAIN_IMAGE)


def sums_line(digest: str, name: str) -> str:
    """A line of sha256sum's format; names with a backslash or newline are escaped as GNU
    sha256sum does (a leading backslash marks the line), so any file name round-trips."""
    if "\\" in name or "\n" in name:  # coreutils 8.32 (Ubuntu 22.04) unescapes only these two
        escaped = name.replace("\\", "\\\\").replace("\n", "\\n")
        return f"\\{digest}  {escaped}\n"
    return f"{digest}  {name}\n"


def parse_sums_line(line: str) -> tuple[str, str] | None:
    """(digest, name) from a sha256sum line, undoing its escaping."""
    escaped = line.startswith("\\")
    if escaped:
        line = line[1:]
    digest, sep, name = line.partition("  ")
    if not sep or len(digest) != 64:
        return None
    if escaped:
        out, i = [], 0
        while i < len(name):
            if name[i] == "\\" and i + 1 < len(name):
                out.append({"n": "\n", "r": "\r", "\\": "\\"}.get(name[i + 1], name[i + 1]))
                i += 2
            else:
                out.append(name[i])
                i += 1
        name = "".join(out)
    return digest.lower(), name


def _read_exit_code(sftp, path: str) -> int | None:
    try:
        with sftp.open(path, "rb") as f:
            text = f.read(64).decode("ascii", "replace").strip()
    except FileNotFoundError:
        return None
    try:
        return int(text)
    except ValueError:
        return None  # being replaced (rename is atomic, so this is only a damaged file): poll again


def _verify_sums(run_dir: Path, target: str) -> int:
    """Check every file SHA256SUMS (made on the VM) lists against what arrived here."""
    sums = run_dir / rs.RESULT_SUMS
    if not sums.is_file():
        raise WizardError.of("vm_checksum_mismatch", path=rs.RESULT_SUMS, target=target)
    count = 0
    for line in sums.read_text(encoding="utf-8", errors="replace").splitlines():
        parsed = parse_sums_line(line)
        if parsed is None:
            continue
        expected, name = parsed
        local = run_dir / name
        if not local.is_file() or sha256_file(local) != expected:
            raise WizardError.of("vm_checksum_mismatch", path=name, target=target)
        count += 1
    return count


__all__ = ["SshRunner", "VmConsents", "VmReport"]
