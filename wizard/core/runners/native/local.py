"""The native backend on this computer: convert.sh in a TPU-MLIR Python environment, no Docker.

    prepare   checks (Python 3.10, venv, headers, compiler, disk), the apt-get set-up with consent,
              the environment reused or made with consent (NativeSetup)
    upload    nothing to send: the conversion runs in place, in the staged workspace; each run
              gets a folder <workspace>/.wizard-runs/<run_id>/ for the wrapper's files
    run       remote_shell's detached wrapper, in its own session (setsid): it records its pid,
              appends convert.sh's output to convert.log and writes exit_code. The runner reads
              convert.log by byte offset, as the SSH runner does on a VM, so closing the app
              leaves the conversion running and ``NativeRunner.attach`` follows it again.
    download  nothing to fetch: work/ is already in the workspace
    cancel    SIGTERM to the wrapper's whole process group, SIGKILL after a grace (any thread)
    cleanup   the run's folder (a still running job is stopped first), unless kept
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator

from wizard.core.events import Event, LogLine, ProblemRaised, StepFinished, StepStarted
from wizard.core.messages import WizardError, problem, say
from wizard.core.plan.recipe import DEFAULT_TPU_MLIR_VERSION, RECIPE_FILE, SCRIPT_FILE, WORK_DIR, ConversionRecipe
from wizard.core.ssh import remote_shell as rs
from wizard.core.runners.native import commands
from wizard.core.runners.native.setup import NativeReport, NativeSetup
from wizard.core.runners.native.shell import LocalShell, process_alive
from wizard.core.toolchain.lines import LineSplitter
from wizard.core.toolchain.output_events import OutputEvents
from wizard.core.runners.protocol import LogFollowingRunner, RunHandle, new_run_id

BACKEND = "native"
RUNS_DIR = ".wizard-runs"
READ_CHUNK = 256 * 1024
START_TIMEOUT = 15.0


def default_env_root() -> Path:
    from wizard.core import app_dirs

    return app_dirs.data_dir() / "toolchains"


class NativeRunner(LogFollowingRunner):
    backend = BACKEND

    def __init__(
        self,
        run_id: str | None = None,
        *,
        python: str | None = None,
        tpu_mlir_version: str = DEFAULT_TPU_MLIR_VERSION,
        env_root: str | Path | None = None,
        toolchain_bin: str | Path | None = None,
        create_environment: bool = False,
        setup_consent: bool = False,
        sudo_password: str | None = None,
        poll_interval: float = 0.5,
        liveness_seconds: float = 2.0,
    ) -> None:
        """``python``: a CPython 3.10 to make the environment with (None: the wizard finds one).
        ``env_root``: where environments go (default <app data>/toolchains); the environment's
        folder name is keyed by the TPU-MLIR version and the Python, and reused.
        ``toolchain_bin``: the bin folder of a TPU-MLIR installed some other way; then no
        environment is made and nothing is installed.
        ``create_environment``: the user agreed to make the environment when it is missing
        (about 400 MB from PyPI, 1.4 GB on disk). ``setup_consent``: the user agreed to
        ``sudo apt-get install`` the packages a missing venv module, Python.h or C compiler need;
        ``sudo_password`` is given to sudo on stdin only (kept in memory).
        """
        super().__init__()
        self.run_id = rs.check_run_id(run_id or new_run_id())
        self._wake = threading.Event()  # cancel or detach: stop waiting for the next poll
        self.setup = NativeSetup(
            LocalShell(),
            env_root=os.path.abspath(env_root or default_env_root()),
            python=python,
            tpu_mlir_version=tpu_mlir_version,
            toolchain_bin=os.path.abspath(toolchain_bin) if toolchain_bin else None,
            create_environment=create_environment,
            setup_consent=setup_consent,
            password=sudo_password,
            cancel_requested=self._cancel_requested,
        )
        self.poll_interval = poll_interval
        self.liveness_seconds = liveness_seconds
        self.workspace: Path | None = None
        self.exit_code: int | None = None
        self.output: OutputEvents | None = None
        self._process: subprocess.Popen | None = None

    # --- identity, re-attach -------------------------------------------------------------------

    @classmethod
    def attach(cls, handle: RunHandle, workspace: str | Path, offset: int = 0, skip_lines: int = 0,
               **options) -> "NativeRunner":
        """A runner for a run started earlier (e.g. before the app was closed), in ``workspace``
        (the job's RUN_DIR/workspace): ``run()`` streams its log from byte ``offset`` (0 = all
        of it again, ``skip_lines`` of those parsed but not shown) and waits for its end."""
        runner = cls(handle.run_id, **options)
        runner._follow_earlier_run(handle, offset, skip_lines)
        runner.workspace = Path(workspace).resolve()
        return runner

    @property
    def handle(self) -> RunHandle:
        return RunHandle(backend=BACKEND, run_id=self.run_id, where="local")

    @property
    def run_dir(self) -> Path:
        if self.workspace is None:
            raise WizardError.of("native_run_not_found", run_id=self.run_id, path="-")
        return self.workspace / RUNS_DIR / self.run_id

    def check(self, recipe: ConversionRecipe | None = None) -> NativeReport:
        """What a conversion here would need (the GUI's check), changing nothing."""
        return self.setup.check(recipe)

    # --- protocol --------------------------------------------------------------------------------

    def prepare(self) -> Iterator[Event]:
        started = time.monotonic()
        yield StepStarted("prepare", command="check Python 3.10 and the TPU-MLIR environment")
        yield from self.setup.prepare()
        yield StepFinished("prepare", ok=not self._cancel_requested.is_set(), elapsed=time.monotonic() - started)

    def upload(self, workspace: Path) -> Iterator[Event]:
        started = time.monotonic()
        self.workspace = Path(workspace).resolve()
        yield StepStarted("upload", command=f"run in place in {self.workspace}")
        if not (self.workspace / SCRIPT_FILE).is_file():
            raise WizardError.of("native_run_not_found", run_id=self.run_id, path=str(self.workspace / SCRIPT_FILE))
        recipe = ConversionRecipe.load(self.workspace / RECIPE_FILE)
        for warning in self.setup.recipe_problems(recipe):
            yield ProblemRaised(warning, step="upload")
        self._facts.image = self.setup.toolchain_record(recipe)
        try:
            self.run_dir.mkdir(parents=True)
            (self.run_dir / commands.TOOLCHAIN_RECORD).write_text(json.dumps(self._facts.image), encoding="utf-8")
        except OSError as exc:
            raise WizardError.of("native_command_failed", what="create the run folder", where=self.setup.where,
                                 detail=f"{self.run_dir}: {exc.strerror or exc}") from None
        yield LogLine(say("line_native_in_place", folder=self.workspace), step="upload", stream="runner")
        yield StepFinished("upload", ok=True, elapsed=time.monotonic() - started)

    def run(self) -> Iterator[Event]:
        started = time.monotonic()
        if not self._started:
            if self._cancel_requested.is_set():
                yield StepFinished("convert", ok=False, elapsed=0.0)
                return
            command = commands.convert_command(self.setup.bin_dir or "", str(self.run_dir.parents[1] / SCRIPT_FILE))
            self._start(command)
            yield StepStarted("convert", command=command)
        else:
            if not self.run_dir.is_dir():
                raise WizardError.of("native_run_not_found", run_id=self.run_id, path=str(self.run_dir))
            try:
                self._facts.image = json.loads((self.run_dir / commands.TOOLCHAIN_RECORD).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass  # started by an older wizard: the bundle then names the recipe's image only
            yield StepStarted("convert", command=f"re-attach {self.run_id} in {self.workspace}")
        yield from self._stream(started)

    def _start(self, command: str) -> None:
        run_dir = self.run_dir
        try:
            (run_dir / rs.WRAPPER_FILE).write_text(rs.detached_wrapper_script(str(run_dir), command), encoding="utf-8")
            (run_dir / rs.REMOTE_LOG).touch()
            # Its own session: the app's Ctrl-C or a closed terminal does not reach it, and its pid
            # is the process group a cancel ends as a whole.
            self._process = subprocess.Popen(["/bin/sh", rs.WRAPPER_FILE], cwd=run_dir, stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                             start_new_session=True)
        except OSError as exc:
            raise WizardError.of("native_job_not_started", where=self.setup.where, detail=str(exc)) from None
        self._started = True
        deadline = time.monotonic() + START_TIMEOUT
        while not (run_dir / rs.WRAPPER_PID_FILE).is_file() and not (run_dir / rs.EXIT_CODE_FILE).is_file():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise WizardError.of("native_job_not_started", where=self.setup.where,
                                     detail=f"the wrapper ended with {self._process.returncode}"
                                     if self._process.returncode is not None else f"no pid after {int(START_TIMEOUT)} s")
            time.sleep(0.02)

    def _wrapper_alive(self) -> bool:
        if self._process is not None:
            return self._process.poll() is None  # ours: poll() also reaps it
        try:
            pid = int((self.run_dir / rs.WRAPPER_PID_FILE).read_text().strip())
        except (OSError, ValueError):
            return False
        return process_alive(pid)

    def _stream(self, started: float) -> Iterator[Event]:
        output = OutputEvents(skip_lines=self.skip_lines)
        self.output = output
        code_path = self.run_dir / rs.EXIT_CODE_FILE
        read_offset = self._log_offset  # bytes read; _log_offset = bytes of whole lines handed on
        splitter = LineSplitter()
        code: int | None = None
        vanished = False
        next_liveness = time.monotonic() + self.liveness_seconds
        with open(self.run_dir / rs.REMOTE_LOG, "rb") as log:
            while True:
                # exit_code is written after convert.log is closed: reading the log to its end
                # AFTER seeing it gets every byte.
                code = _read_exit_code(code_path)
                log.seek(read_offset)
                while data := log.read(READ_CHUNK):
                    read_offset += len(data)
                    for line in splitter.feed(data):
                        self._log_offset += line.size  # before the line goes out (see vm/runner.py)
                        yield from output.feed_line(line, "stdout")
                if code is not None or self._detached.is_set():
                    break
                if time.monotonic() >= next_liveness:
                    next_liveness = time.monotonic() + self.liveness_seconds
                    if not self._wrapper_alive() and _read_exit_code(code_path) is None:
                        vanished = True  # killed (or the computer restarted) before it wrote exit_code
                        break
                self._wake.wait(self.poll_interval)
        if self._detached.is_set() and code is None:
            return  # the conversion goes on; a re-attach streams the rest
        for line in splitter.flush():
            self._log_offset += line.size
            yield from output.feed_line(line, "stdout")
        if self._process is not None:
            self._process.wait()
        self.exit_code = code
        yield from output.end_of_run(code, time.monotonic() - started, cancelled=self._cancel_requested.is_set(),
                                     vanished=problem("native_job_vanished", where=self.setup.where) if vanished else None)

    def download(self, run_dir: Path) -> Iterator[Event]:
        started = time.monotonic()
        work = (self.workspace or Path(run_dir)) / WORK_DIR
        yield StepStarted("download", command=f"{work} (already here)")
        yield LogLine(say("line_native_results_in_place", folder=work), step="download", stream="runner")
        yield StepFinished("download", ok=work.is_dir(), elapsed=time.monotonic() - started)

    def cancel(self) -> None:
        """Stop the run: SIGTERM to its whole process group, SIGKILL after a grace. Any thread."""
        self._cancel_requested.set()
        self._wake.set()
        if not self._started or self.workspace is None:
            return  # before the start: the environment build (if any) stops on the flag
        LocalShell().run(commands.cancel_command(str(self.run_dir)), timeout=commands.STOP_GRACE_SECONDS + 30)
        if self._process is not None:
            self._process.poll()

    def detach(self) -> None:
        """Stop following the run and leave it going (any thread): the app is closing."""
        self._detached.set()
        self._wake.set()

    def cleanup(self, keep_remote: bool = False) -> Iterator[Event]:
        started = time.monotonic()
        yield StepStarted("cleanup")
        ok = True
        if self.workspace is not None and self.run_dir.exists():
            if keep_remote:
                yield LogLine(say("line_kept", folder=self.run_dir), step="cleanup", stream="runner")
            else:
                result = LocalShell().run(commands.cleanup_command(str(self.run_dir)), timeout=120)
                if result.exit_code != 0:
                    ok = False
                    yield ProblemRaised(problem("native_cleanup_failed", "warning", path=str(self.run_dir),
                                                detail=(result.err.strip() or f"exit code {result.exit_code}")[:300]),
                                        step="cleanup")
                try:
                    self.run_dir.parent.rmdir()  # the runs folder, when this was its last run
                except OSError:
                    pass
        if self._process is not None:
            self._process.poll()
        yield StepFinished("cleanup", ok=ok, elapsed=time.monotonic() - started)


def _read_exit_code(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii", errors="replace").strip())
    except (OSError, ValueError):
        return None  # not yet (it is written by a rename, so never half)


__all__ = ["NativeRunner", "NativeReport"]
