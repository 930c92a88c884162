"""A POSIX shell on the host where a native conversion runs: this computer, or the VM over SSH.

The environment set-up (probe, apt-get, the venv build) is written once as sh command lines
(host.py, environment.py) and runs through either shell. ``LocalShell`` is this computer's;
the VM's is a thin adapter over the SSH runner's connection (vm.py).
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Generator, Protocol

from wizard.core.messages import WizardError

STOP_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class ShellResult:
    exit_code: int
    out: str
    err: str


class Shell(Protocol):
    where: str  # names the host in messages: this computer's name, or user@host:port

    def run(self, command: str, *, stdin: bytes | None = None, timeout: float | None = 120.0) -> ShellResult:
        """Run one sh command line and wait for it."""

    def stream(self, command: str, cancel_requested: threading.Event) -> Generator[bytes, None, int | None]:
        """Run a long command, yielding its output (stderr folded in) as it comes; returns its
        exit code. Setting ``cancel_requested`` stops it (None is returned then)."""


def local_name() -> str:
    """This computer as messages name it (a host name reads the same in every language)."""
    return socket.gethostname() or "localhost"


class LocalShell:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.where = local_name()
        self.env = env  # None: this process's environment

    def run(self, command: str, *, stdin: bytes | None = None, timeout: float | None = 120.0) -> ShellResult:
        try:
            done = subprocess.run(["/bin/sh", "-c", command], input=stdin, capture_output=True,
                                  timeout=timeout, env=self.env, stdin=None if stdin is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise WizardError.of("native_command_timeout", where=self.where, seconds=int(timeout or 0)) from None
        return ShellResult(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))

    def stream(self, command: str, cancel_requested: threading.Event) -> Generator[bytes, None, int | None]:
        # Its own session, so a cancel (or the caller closing the generator) stops the whole
        # tree: sh, python -m pip, and the compiler pip started.
        process = subprocess.Popen(["/bin/sh", "-c", command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True, env=self.env)
        assert process.stdout is not None
        fd = process.stdout.fileno()
        try:
            while True:
                if cancel_requested.is_set():
                    stop_process_group(process)
                    return None
                readable, _, _ = select.select([fd], [], [], 0.5)
                if not readable:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                yield chunk
            return process.wait()
        finally:
            if process.poll() is None:
                stop_process_group(process)
            process.stdout.close()


def stop_process_group(process: subprocess.Popen, grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM to the process's whole group, SIGKILL after ``grace`` seconds; reaps it."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if process.poll() is not None and not group_alive(process.pid):
                return
            time.sleep(0.05)
    process.poll()


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies do not count: on a host whose
    init does not reap orphans they linger, but they hold no memory and do no work)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return _kill0(-pgid)
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def process_alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().decode("ascii", "replace").rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return _kill0(pid)
    return state != "Z"


def _kill0(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
