"""The one runner protocol every place the toolchain runs implements (style rule 3).

A runner takes a workspace staged by ``wizard.core.plan.workspace.stage_workspace`` (recipe.json,
convert.sh, model/, calibration/, image/) and runs ``bash convert.sh`` inside the toolchain image,
somewhere: the local Docker engine, or a Linux VM over SSH. Backends differ only inside.

Every method is BLOCKING (docker and paramiko are blocking SDKs) and yields typed events
(wizard.core.events); the GUI calls them in an executor thread, the CLI in its main thread.
``cancel`` is the only method that may be called from another thread while one is running.

Errors a user can meet are raised as ``wizard.core.messages.WizardError`` carrying a Problem with
a plain-language cause and a next step (engine not running, permission denied, out of memory...).
"""

from __future__ import annotations

import secrets
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from wizard.core.events import Event

# convert.sh's exit code is the job's; 137 means the kernel's OOM killer ended it.
EXIT_OOM_KILLED = 137


def new_run_id() -> str:
    """Sortable and unique: also the container's name suffix and the VM's run folder name."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


@dataclass
class RunFacts:
    """What a runner learned about its run that the log cannot say."""

    oom_killed: bool = False  # the engine or the kernel reported an out-of-memory kill
    image: dict[str, Any] = field(default_factory=dict)  # the toolchain image used: tag, id, ...


@dataclass(frozen=True)
class RunHandle:
    """Enough to find a running job again after the app was closed (re-attach)."""

    backend: str  # "docker" | "ssh"
    run_id: str  # also the container name / remote directory name
    where: str = ""  # e.g. "local" or "user@host:port"


class Runner(ABC):
    backend: str = ""

    @abstractmethod
    def prepare(self) -> Iterator[Event]:
        """Check the engine or host, the toolchain image, free disk and memory."""

    @abstractmethod
    def upload(self, workspace: Path) -> Iterator[Event]:
        """Send the staged workspace to where the job runs."""

    @abstractmethod
    def run(self) -> Iterator[Event]:
        """Run convert.sh, streaming events; ends with a StepFinished(step="convert")."""

    @abstractmethod
    def download(self, run_dir: Path) -> Iterator[Event]:
        """Bring the results (what wizard.core.plan.kept_files names of work/) back into run_dir,
        checksums verified; the rest stays where the run ran until ``cleanup``."""

    @abstractmethod
    def cancel(self) -> None:
        """Stop the job: graceful first, forced after a few seconds; safe from any thread."""

    @abstractmethod
    def cleanup(self, keep_remote: bool = False) -> Iterator[Event]:
        """Remove containers, volumes and remote files of this run (unless kept)."""

    @abstractmethod
    def detach(self) -> None:
        """Stop following the run and leave it going (any thread): the app is closing."""

    @property
    @abstractmethod
    def handle(self) -> RunHandle:
        """What to store to re-attach to this run later."""

    @property
    @abstractmethod
    def log_offset(self) -> int:
        """Bytes of the run's log already handed on as events: a re-attach resumes there."""

    @property
    @abstractmethod
    def facts(self) -> RunFacts:
        """Out-of-memory kills and the image used, as far as known so far."""


class LogFollowingRunner(Runner):
    """What the runners of a detached run share (the SSH backends, the native one): the run goes
    on without the app, its log is followed by byte offset, and after an app restart ``attach``
    makes a runner that streams the same run again."""

    def __init__(self) -> None:
        self._started = False  # the run was started (here, or before an app restart)
        self._log_offset = 0  # bytes of the log handed on as events; a re-attach may set it
        self.skip_lines = 0  # on a re-attach from offset 0: lines already shown, parsed but not shown
        self._facts = RunFacts()
        self._cancel_requested = threading.Event()
        self._detached = threading.Event()

    @property
    def log_offset(self) -> int:
        return self._log_offset

    @property
    def facts(self) -> RunFacts:
        return self._facts

    def _follow_earlier_run(self, handle: RunHandle, offset: int, skip_lines: int) -> None:
        """For ``attach``: this runner (just made for ``handle``'s run) follows a run started
        earlier. ``run()`` streams its log from byte ``offset`` (0 = all of it again;
        ``skip_lines`` of those are parsed but not shown) and waits for its end; then
        download/cleanup. Another backend's handle is a ValueError."""
        if handle.backend != self.backend:
            raise ValueError(f"not a {self.backend} run: {handle}")
        self._started = True
        self._log_offset = offset
        self.skip_lines = skip_lines
