"""model_runner natively on this computer: the TPU-MLIR Python environment a native conversion used.

Nothing to copy: the driver runs model_runner.py from the workspace's work folder itself (a top
MLIR names its weight file relative to it), reads the check's inputs where they are and writes
each output straight to where the check reads it. The environment's bin folder goes first on
PATH (the tools' launchers start ``python3``: it must be the environment's).

The driver runs in its own session, so a cancel (any thread) ends it and every process it
started (the launcher, the tool) as one group: SIGTERM, then SIGKILL after a short grace.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator, Mapping

from wizard.core.detections.backends.batch import CANCEL_FILE, DRIVER_FILE, JOB_FILE, BatchReader, driver_source, job_document
from wizard.core.detections.check import MODEL_RUNNER_STEP, ModelRunnerJob
from wizard.core.events import Event, LogLine
from wizard.core.messages import WizardError
from wizard.core.toolchain.lines import LineSplitter

STOP_GRACE_SECONDS = 3.0
READ_CHUNK = 64 * 1024


class NativeModelRunner:
    """``ModelRunnerBackend`` with the model_runner.py of a TPU-MLIR installed on this computer."""

    def __init__(self, bin_dir: str | Path) -> None:
        self.bin_dir = Path(bin_dir)
        self.where = f"this computer ({self.bin_dir})"
        self._cancel_requested = threading.Event()
        self._process: subprocess.Popen | None = None
        self._cancel_file: Path | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_record(cls, native: Mapping[str, Any]) -> "NativeModelRunner":
        """From what a native conversion recorded in results.json (toolchain_image.native)."""
        path = str(native.get("path") or "")
        if not path:
            raise WizardError.of("detections_backend_unknown", backend="native")
        return cls(Path(path) / "bin" if native.get("kind") == "python-venv" else Path(path))

    def _python(self) -> str:
        """Any Python 3 runs the driver (standard library only); the environment's is nearest."""
        own = self.bin_dir / "python3"
        return str(own) if own.exists() else shutil.which("python3") or sys.executable

    def cancel(self) -> None:
        self._cancel_requested.set()
        with self._lock:
            process, cancel_file = self._process, self._cancel_file
        if cancel_file is not None:
            cancel_file.touch()  # a driver between two pictures starts no other
        if process is None or process.poll() is not None:
            return
        _signal_group(process, signal.SIGTERM)
        threading.Timer(STOP_GRACE_SECONDS, _signal_group, (process, signal.SIGKILL)).start()

    def run_model_runner(self, job: ModelRunnerJob) -> Iterator[Event]:
        if self._cancel_requested.is_set():
            return
        if not self.bin_dir.is_dir():
            raise WizardError.of("detections_toolchain_missing", tool="model_runner.py", where=self.where)
        folder = Path(tempfile.mkdtemp(prefix="wizard-detections-"))
        try:
            (folder / DRIVER_FILE).write_bytes(driver_source())
            (folder / JOB_FILE).write_bytes(job_document(
                job, model=str(Path(job.model).resolve()), work_dir=str(Path(job.work_dir).resolve()),
                inputs=[str(Path(p).resolve()) for p in job.inputs],
                outputs=[str(Path(p).resolve()) for p in job.outputs], cancel_file=str(folder / CANCEL_FILE)))
            env = {**os.environ, "PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
            yield LogLine(f"model_runner on {self.where}: {len(job.inputs)} pictures, {job.model.name}",
                          step=MODEL_RUNNER_STEP, stream="runner")
            try:
                process = subprocess.Popen([self._python(), DRIVER_FILE, JOB_FILE], cwd=folder, env=env,
                                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as exc:
                raise WizardError.of("detections_runner_not_started", where=self.where, exit_code="?",
                                     detail=str(exc)) from None
            with self._lock:
                self._process, self._cancel_file = process, folder / CANCEL_FILE
            if self._cancel_requested.is_set():
                self.cancel()
            reader = BatchReader(job, self.where)
            splitter = LineSplitter()
            assert process.stdout is not None
            while chunk := process.stdout.read1(READ_CHUNK):  # type: ignore[attr-defined]
                for line in splitter.feed(chunk):
                    yield from reader.feed(line.text)
            for line in splitter.flush():
                yield from reader.feed(line.text)
            exit_code = process.wait()
            if self._cancel_requested.is_set():
                return
            reader.check_finished(exit_code)
        finally:
            with self._lock:
                process, self._process, self._cancel_file = self._process, None, None
            if process is not None and process.poll() is None:
                _signal_group(process, signal.SIGKILL)  # the caller stopped early: leave nothing running
                process.wait()
            if process is not None and process.stdout is not None:
                process.stdout.close()
            shutil.rmtree(folder, ignore_errors=True)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)  # its own session: its pid is the group of everything it started
    except (ProcessLookupError, PermissionError):
        pass
