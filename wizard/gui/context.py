"""What every page shares: the flow, the core services, settings, and a place to start tasks."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Coroutine

from wizard.core.app.wizard_flow import WizardFlow
from wizard.core.messages import Problem, WizardError, problem
from wizard.core.app.settings import SecretStore, Settings, SettingsStore
from wizard.gui.services import Services

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    flow: WizardFlow
    services: Services
    store: SettingsStore
    settings: Settings
    secrets: SecretStore = field(default_factory=SecretStore)
    # Set by the main window: shows a problem that has no better place (a dialog with the fix).
    report_problem: Callable[[Problem], None] = lambda p: None
    tasks: set[asyncio.Task] = field(default_factory=set)
    ssh_password: str | None = field(default=None, repr=False)  # memory only, never saved
    ssh_setup_consent: bool = False
    ssh_build_image: bool = False
    native_sudo_password: str | None = field(default=None, repr=False)  # this computer's, for sudo; memory only
    workshop_password: str | None = field(default=None, repr=False)  # the room's server's; memory only
    kit: Any = None  # the workshop kit opened (wizard.core.workshop.kit.Kit), None outside a workshop

    @property
    def state(self):
        return self.flow.state

    def save_settings(self) -> None:
        try:
            self.store.save(self.settings)
        except OSError as exc:  # a full disk must not stop the wizard; the next save retries
            log.warning("settings not saved: %s", exc)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str = "") -> asyncio.Task | None:
        """Start a coroutine as our own Task (so it can be cancelled) and surface its errors."""
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:  # no event loop (the app is shutting down): the work is simply dropped
            coro.close()
            log.info("no event loop for %s; not started", name or coro)
            return None
        if name:
            task.set_name(name)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if isinstance(exc, WizardError):
            self.report_problem(exc.problem)
        else:
            log.error("task %s failed", task.get_name(), exc_info=exc)
            from wizard.gui.errors import log_file

            self.report_problem(problem("unexpected_error", detail=type(exc).__name__, log=str(log_file())))

    async def idle(self) -> None:
        """Wait until every task started so far is done (tests and the tour use it)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
