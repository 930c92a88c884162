"""Page 6: the conversion. Three toolchain steps with state and time, progress, live log, Cancel.

Without Docker, the first run on a computer also sets up the toolchain (the "environment" step:
a Python environment with TPU-MLIR, made once): its own row, shown only when it happens, with
pip's progress on the bar."""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from wizard.core.app import wizard_flow as rules
from wizard.core.events import (
    TOOLCHAIN_STEPS,
    LogLine,
    ProblemRaised,
    Progress,
    QueueAdmitted,
    QueueLeft,
    QueueWaiting,
    Result,
    StepFinished,
    StepStarted,
)
from wizard.core.messages import WizardError
from wizard.core.app.settings import ActiveJob
from wizard.core.runners.native.setup import ENVIRONMENT_STEP
from wizard.gui.async_tools import EventPump, settled
from wizard.gui.pages.base import Page
from wizard.gui.services import GuiConversion, native_details, vm_details, workshop_credentials
from wizard.gui.widgets import LogView, ProblemList, wrapped_label

WAITING, RUNNING, DONE, FAILED, SKIPPED = "waiting", "running", "done", "failed", "skipped"
SHOWN_STEPS = (ENVIRONMENT_STEP, *TOOLCHAIN_STEPS)  # rows of the steps box


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class ConvertPage(Page):
    page_id = "convert"
    finished = Signal(bool)  # the job ended (True = a model was made and passed)

    def __init__(self, ctx):
        super().__init__(ctx)
        self._task: asyncio.Task | None = None
        self.job: GuiConversion | None = None
        self.result: Result | None = None
        self._step_state = {step: WAITING for step in SHOWN_STEPS}
        self._step_started: dict[str, float] = {}
        self._step_elapsed: dict[str, float] = {}
        self._fraction: dict[str, float] = {}
        self._phase = ""
        self.events_seen = 0
        self._detached = False
        # A workshop server's queue: how many jobs are ahead of ours (None: not waiting), its slots.
        self.queue_ahead: int | None = None
        self._queue_slots = 0
        self._queue_left = False

        self.steps_box = QGroupBox()
        grid = QGridLayout(self.steps_box)
        self.step_names: dict[str, QLabel] = {}
        self.step_states: dict[str, QLabel] = {}
        self.step_times: dict[str, QLabel] = {}
        for row, step in enumerate(SHOWN_STEPS):
            self.step_names[step] = wrapped_label()
            self.step_states[step] = QLabel()
            self.step_states[step].setObjectName(f"stepState_{step}")
            self.step_times[step] = QLabel()
            self.step_times[step].setObjectName("stepTime")
            grid.addWidget(self.step_names[step], row, 0)
            grid.addWidget(self.step_states[step], row, 1)
            grid.addWidget(self.step_times[step], row, 2)
        grid.setColumnStretch(0, 1)
        self.body.addWidget(self.steps_box)

        self.phase_label = wrapped_label(object_name="phaseLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("convertProgress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress_text = wrapped_label()
        self.body.addWidget(self.phase_label)
        self.body.addWidget(self.progress)
        self.body.addWidget(self.progress_text)

        buttons = QHBoxLayout()
        self.start_button = QPushButton()
        self.start_button.setObjectName("startButton")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.problems = ProblemList()
        self.body.addWidget(self.problems)

        self.log_box = QGroupBox()
        log_layout = QVBoxLayout(self.log_box)
        self.log = LogView()
        log_layout.addWidget(self.log)
        self.body.addWidget(self.log_box, 1)

        self._ticker = QTimer(self)
        self._ticker.setInterval(500)
        self._ticker.timeout.connect(self._show_times)
        self.retranslate()
        self._show_buttons()

    # -- texts -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Converting"))
        self.intro.setText(self.tr(
            "Three steps turn your model into a reCamera model. You can close the window: the "
            "conversion goes on, and the wizard reconnects to it when you open it again."))
        names = {
            ENVIRONMENT_STEP: self.tr("Set up the toolchain (first time only)"),
            "transform": self.tr("1. Read the model (model_transform)"),
            "calibrate": self.tr("2. Measure it on your pictures (run_calibration)"),
            "deploy": self.tr("3. Build and check the reCamera model (model_deploy)"),
        }
        for step in SHOWN_STEPS:
            self.step_names[step].setText(names[step])
        self.steps_box.setTitle(self.tr("Steps"))
        self.log_box.setTitle(self.tr("Log"))
        self.start_button.setText(self.tr("Start conversion"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._show_steps()
        self._show_phase()

    def _state_text(self, value: str) -> str:
        return {
            WAITING: self.tr("waiting"),
            RUNNING: self.tr("running…"),
            DONE: self.tr("✔ done"),
            FAILED: self.tr("✖ failed"),
            SKIPPED: self.tr("✔ reused from the last run"),
        }[value]

    def _show_steps(self) -> None:
        # The environment's row only when this run makes one (a first run without Docker).
        shown = self._step_state[ENVIRONMENT_STEP] != WAITING
        for widget in (self.step_names, self.step_states, self.step_times):
            widget[ENVIRONMENT_STEP].setVisible(shown)
        for step in SHOWN_STEPS:
            value = self._step_state[step]
            label = self.step_states[step]
            label.setText(self._state_text(value))
            if label.property("state") != value:  # re-polishing costs a style pass: only on change
                label.setProperty("state", value)
                label.style().polish(label)
        self._show_times()

    def _show_times(self) -> None:
        now = time.time()
        for step in SHOWN_STEPS:
            if self._step_state[step] == RUNNING and step in self._step_started:
                elapsed = now - self._step_started[step]
                text = _clock(elapsed)
                fraction = self._fraction.get(step)
                if fraction and 0.02 < fraction < 1.0:
                    # The estimate comes only from the tool's own progress, never from a guess.
                    left = elapsed / fraction - elapsed
                    text += "  " + self.tr("(about %1 left)").replace("%1", _clock(left))
                self.step_times[step].setText(text)
            elif step in self._step_elapsed:
                self.step_times[step].setText(_clock(self._step_elapsed[step]))
            else:
                self.step_times[step].setText("")

    def _show_phase(self) -> None:
        status = self.state.job_status
        if status == rules.JOB_RUNNING and self.queue_ahead is not None:
            self.phase_label.setText(self._waiting_text())
            return
        phases = {
            "prepare": self.tr("Preparing the workspace…"),
            ENVIRONMENT_STEP: self.tr("Setting up the toolchain (first time only)…"),
            "image": self.tr("Checking the toolchain…"),
            "upload": self.tr("Uploading to the cloud machine…"),
            "download": self.tr("Bringing the results back…"),
            "cleanup": self.tr("Cleaning up…"),
            "transform": self.tr("Step 1 of 3 is running…"),
            "calibrate": self.tr("Step 2 of 3 is running…"),
            "deploy": self.tr("Step 3 of 3 is running…"),
        }
        if status == rules.JOB_RUNNING:
            text = phases.get(self._phase, self.tr("Running…"))
        elif status == rules.JOB_SUCCEEDED:
            text = self.tr("Finished. Click Next to see the results.")
        elif status == rules.JOB_FAILED:
            text = self.tr("The conversion did not succeed. Click Next to see what to try.")
        elif status == rules.JOB_CANCELLED and self._queue_left:
            text = self.tr("Cancelled while waiting: your place in the queue was given up.")
        elif status == rules.JOB_CANCELLED:
            text = self.tr("Cancelled. Nothing is running any more.")
        else:
            text = self.tr("Ready to start.")
        self.phase_label.setText(text)

    def _waiting_text(self) -> str:
        if self.queue_ahead == 0:
            text = self.tr("Waiting: you are next. The conversion starts as soon as the server has a free place.")
        else:
            text = self.tr("Waiting: %1 ahead of you.").replace("%1", str(self.queue_ahead))
        if self._queue_slots:
            text += ("" if text.endswith("。") else " ") + self.tr(
                "The workshop's server runs %1 conversions at once.").replace(
                "%1", str(self._queue_slots))
        return text

    def _show_buttons(self) -> None:
        running = self.state.job_status == rules.JOB_RUNNING
        # Start again only makes sense before a run or after one that did not succeed.
        self.start_button.setVisible(self.state.job_status in (rules.JOB_IDLE, rules.JOB_CANCELLED,
                                                                 rules.JOB_FAILED))
        self.cancel_button.setVisible(running)

    def on_enter(self) -> None:
        self._show_phase()
        self._show_buttons()

    # -- running ---------------------------------------------------------------------------------
    def _reset_view(self) -> None:
        self._step_state = {step: WAITING for step in SHOWN_STEPS}
        self._step_started.clear()
        self._step_elapsed.clear()
        self._fraction.clear()
        self._phase = ""
        self.result = None
        self.events_seen = 0
        self.queue_ahead = None
        self._queue_slots = 0
        self._queue_left = False
        self.progress.setValue(0)
        self.progress_text.setText("")
        self.problems.set_problems([])
        self.log.clear()
        self._show_steps()

    def start(self) -> None:
        """Start a conversion with the choices on the earlier pages."""
        if self.state.job_status == rules.JOB_RUNNING:
            return
        from wizard.core.app.wizard_flow import choices_from_state

        state = self.state
        if state.workshop and self.ctx.kit is not None:
            # A workshop: on the room's server (the kit's), in its queue, as the attendee named.
            self.ctx.save_settings()  # the name and key file, for the next conversion and a re-attach
            job = self.ctx.services.start_workshop_conversion(
                self.ctx.kit, choices_from_state(state), state.workshop_attendee.strip(),
                workshop_credentials(state, self.ctx.workshop_password))
            self.attach(job)
            return
        ssh = native = None
        if state.where == rules.WHERE_SSH:
            ssh = vm_details(state, self.ctx.ssh_password, docker_setup_consent=self.ctx.ssh_setup_consent,
                             build_image=self.ctx.ssh_build_image)
        elif state.where == rules.WHERE_NATIVE:
            native = native_details(state, self.ctx.native_sudo_password)
        self.ctx.settings.remember_options(rules.options_of(state))
        self.ctx.save_settings()
        job = self.ctx.services.start_conversion(choices_from_state(state), state.where, ssh, native)
        self.attach(job)

    def attach(self, job: GuiConversion) -> None:
        """Follow a job: a new one, or one re-attached after the window was closed."""
        self._reset_view()
        self.job = job
        self.state.job_status = rules.JOB_RUNNING
        self.state.result_ok = None
        self._ticker.start()
        self._show_phase()
        self._show_buttons()
        self.changed.emit()
        self._task = self.ctx.spawn(self._run(job), name="conversion")

    async def _run(self, job: GuiConversion) -> None:
        status = rules.JOB_FAILED
        recorded = False

        def on_batch(events) -> None:
            nonlocal recorded
            self.handle_events(events)
            if not recorded:
                record = job.record()
                if record is not None:
                    recorded = True
                    self.ctx.settings.active_job = ActiveJob(
                        backend=record.get("backend", ""), run_id=record.get("run_id", ""),
                        where=record.get("where", ""), run_dir=record.get("run_dir", ""), started=time.time())
                    self.ctx.save_settings()

        try:
            await EventPump(job.events, on_batch, cancel=job.cancel).run()
            status = rules.job_status_after(self.result.details.get("verdict", "") if self.result is not None else "")
        except asyncio.CancelledError:
            status = rules.JOB_CANCELLED
            # Swallowed on purpose: cancelling is a normal end of this task, not an error.
        except WizardError as exc:
            if exc.problem.code == "run_already_finished":
                # Reconnecting to a run that ended while the window was closed: its results are
                # already in the run folder, so this is not a failure.
                results = self.ctx.services.read_results(job.run_dir)
                status = rules.job_status_after(results.get("verdict", ""))
                self.problems.set_problems([exc.problem.__class__(exc.problem.code, "info", exc.problem.params)])
                return
            # A blocked plan carries every blocking problem (and its warnings): show them all.
            found = list(getattr(exc, "errors", ()) or [exc.problem]) + list(getattr(exc, "warnings", ()) or [])
            self.problems.set_problems([*self.problems.problems(), *found])
        finally:
            if not self._detached:
                self._finish(status)

    def detach(self) -> None:
        """The window closes while the job runs: leave the job and its record alone (the next start
        reconnects to it); whatever this view still receives is no longer shown or recorded."""
        self._detached = True

    def _finish(self, status: str) -> None:
        state = self.state
        state.job_status = status
        state.result_ok = status == rules.JOB_SUCCEEDED
        if self.queue_ahead is not None:  # ended while still waiting for a place
            self._queue_left = self._queue_left or status == rules.JOB_CANCELLED
            self.queue_ahead = None
        if self.result is not None and self.result.run_dir:
            state.run_dir = self.result.run_dir
        elif self.job is not None and self.job.run_dir:
            state.run_dir = self.job.run_dir
        for step in SHOWN_STEPS:
            if self._step_state[step] == RUNNING:
                self._step_state[step] = FAILED
        if status != rules.JOB_CANCELLED and state.run_dir:
            self.ctx.settings.add_recent_run(state.run_dir)
        self.ctx.settings.active_job = None
        self.ctx.save_settings()
        self._ticker.stop()
        self._show_steps()
        self._show_phase()
        self._show_buttons()
        self.changed.emit()
        self.finished.emit(state.result_ok)

    def cancel(self) -> None:
        """Really stop: cancels our Task, whose pump asks the runner to stop and waits for it."""
        if self._task is not None and not self._task.done():
            self.phase_label.setText(self.tr("Stopping…"))
            self.cancel_button.setEnabled(False)
            self._task.cancel()

    async def wait(self) -> None:
        await settled(self._task)
        self.cancel_button.setEnabled(True)

    # -- events ----------------------------------------------------------------------------------
    def handle_events(self, events) -> None:
        """Render one batch of typed events (called on the GUI thread by the pump)."""
        lines: list[str] = []
        new_problems = []
        for event in events:
            self.events_seen += 1
            if isinstance(event, LogLine):
                lines.append(event.text)
            elif isinstance(event, Progress):
                if event.fraction is not None:
                    self._fraction[event.step] = event.fraction
                    self.progress.setValue(int(self._overall(event.step, event.fraction) * 1000))
                if event.text:
                    self.progress_text.setText(event.text)
            elif isinstance(event, StepStarted):
                if event.step in self._step_state:
                    self._phase = event.step
                    self._step_state[event.step] = RUNNING
                    self._step_started[event.step] = event.time
                    self.progress.setValue(int(self._overall(event.step, 0.0) * 1000))
                else:
                    self._phase = event.step
            elif isinstance(event, StepFinished):
                if event.step == self._phase:
                    self._phase = ""
                if event.step in self._step_state:
                    self._step_state[event.step] = SKIPPED if event.skipped else (DONE if event.ok else FAILED)
                    self._step_elapsed[event.step] = event.elapsed or (
                        event.time - self._step_started.get(event.step, event.time))
                    if event.ok:
                        self.progress.setValue(int(self._overall(event.step, 1.0) * 1000))
            elif isinstance(event, QueueWaiting):
                # The place only ever improves: a late or repeated report never shows a worse one.
                ahead = max(0, event.ahead)
                self.queue_ahead = ahead if self.queue_ahead is None else min(self.queue_ahead, ahead)
                self._queue_slots = event.slots
            elif isinstance(event, QueueAdmitted):
                self.queue_ahead = None  # our turn: the usual live progress from here on
                self._queue_slots = event.slots
            elif isinstance(event, QueueLeft):
                self.queue_ahead = None
                self._queue_left = True
            elif isinstance(event, ProblemRaised):
                new_problems.append(event.problem)
            elif isinstance(event, Result):
                self.result = event
        if lines:
            self.log.append_lines(lines)
        if new_problems:
            self.problems.set_problems([*self.problems.problems(), *new_problems])
        self._show_steps()
        self._show_phase()

    @staticmethod
    def _overall(step: str, fraction: float) -> float:
        """The whole run's progress: each toolchain step is a third. Setting up the toolchain
        comes before them and has the bar to itself (pip's own progress)."""
        if step == ENVIRONMENT_STEP:
            return max(0.0, min(1.0, fraction))
        if step not in TOOLCHAIN_STEPS:
            return 0.0
        index = TOOLCHAIN_STEPS.index(step)
        return (index + max(0.0, min(1.0, fraction))) / len(TOOLCHAIN_STEPS)
