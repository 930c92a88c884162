"""Page 8: put the model on the reCamera and check it runs (wizard.core.device does the work)."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
)

from wizard.core.events import LogLine, ProblemRaised, Result, StepFinished, StepStarted
from wizard.core.messages import WizardError
from wizard.gui.async_tools import EventPump, run_blocking
from wizard.gui.pages.base import Page
from wizard.gui.widgets import LogView, ProblemList, wrapped_label

DEPLOY_STEPS = ("discover", "upload", "verify", "switch", "check")
CANCEL_GRACE_SECONDS = 10.0


def converted_model(run_dir: str) -> str:
    """The .cvimodel a run produced (results.json names it), or '' when there is none."""
    run = Path(run_dir)
    try:
        name = json.loads((run / "results.json").read_text(encoding="utf-8")).get("paths", {}).get("model")
    except (OSError, ValueError):
        name = None
    if name and (run / name).is_file():
        return str(run / name)
    found = sorted(run.glob("*.cvimodel"))
    return str(found[0]) if found else ""


class DevicePage(Page):
    page_id = "device"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._task: asyncio.Task | None = None
        self._cancel = threading.Event()
        # Ports other than the camera's defaults exist only for the loopback simulator in tests.
        self.request_options: dict = {}

        self.form_box = QGroupBox()
        form = QFormLayout(self.form_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.address_edit = QLineEdit(ctx.settings.device_host)
        self.address_edit.setObjectName("deviceAddress")
        self.user_edit = QLineEdit(ctx.settings.device_user)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.live_check = QCheckBox()
        self.live_check.setChecked(True)
        self.form_labels = [QLabel() for _ in range(3)]
        for label, widget in zip(self.form_labels, (self.address_edit, self.user_edit, self.password_edit)):
            form.addRow(label, widget)
        form.addRow("", self.live_check)
        self.hint = wrapped_label(object_name="helpText")
        form.addRow(self.hint)
        self.body.addWidget(self.form_box)
        self.model_summary = wrapped_label(object_name="modelSummary")
        self.body.addWidget(self.model_summary)

        buttons = QHBoxLayout()
        self.deploy_button = QPushButton()
        self.deploy_button.setObjectName("deployButton")
        self.deploy_button.clicked.connect(self.deploy)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        buttons.addWidget(self.deploy_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.status = wrapped_label(object_name="deployStatus")
        self.problems = ProblemList()
        self.frame = QLabel()
        self.frame.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.log = LogView(max_blocks=2000)
        self.body.addWidget(self.status)
        self.body.addWidget(self.problems)
        self.body.addWidget(self.frame)
        self.body.addWidget(self.log, 1)
        self.log.setVisible(False)  # shown once a deploy starts: an empty black box says nothing
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Put it on your reCamera"))
        self.intro.setText(self.tr(
            "Connect the reCamera with its USB-C cable (or use its network address). The wizard "
            "uploads the model, makes the camera use it, and checks that it detects something."))
        self.form_box.setTitle(self.tr("Camera"))
        for label, text in zip(self.form_labels, (self.tr("Address"), self.tr("User"), self.tr("Password"))):
            label.setText(text)
        self.password_edit.setPlaceholderText(self.tr("the password you set on the camera's web page"))
        self.live_check.setText(self.tr("Check the live picture after deploying"))
        self.hint.setText(self.tr(
            "Over USB the camera is 192.168.42.1. On Windows, if it is not found, pick the "
            "\"UsbNcm Host Device\" driver for it in the Device Manager."))
        self.deploy_button.setText(self.tr("Deploy to the camera"))
        self.cancel_button.setText(self.tr("Cancel"))

    def on_enter(self) -> None:
        model = converted_model(self.state.run_dir) if self.state.run_dir else ""
        self.deploy_button.setEnabled(bool(model))
        self.model_summary.setText("")
        if not model:
            self.status.setText(self.tr("There is no converted model to deploy yet."))
            return
        self.ctx.spawn(self._show_model(model), name="device-model-check")

    async def _show_model(self, model: str) -> None:
        """What the camera will read in the model (the deploy's own check, run before it)."""
        from wizard.core.app.target import DEFAULT_TARGET

        report = await run_blocking(DEFAULT_TARGET.check_model, model)
        self.model_summary.setText("\n".join(report.summary_lines()))
        if not report.ok:
            self.problems.set_problems([p for p in report.problems if p.is_error])
            self.deploy_button.setEnabled(False)

    def deploy(self) -> None:
        if self._task is not None and not self._task.done():
            return
        address = self.address_edit.text().strip()
        self.ctx.settings.device_host = address
        self.ctx.settings.device_user = self.user_edit.text().strip()
        self.ctx.save_settings()
        self._cancel = threading.Event()
        self.problems.set_problems([])
        self.log.clear()
        self.log.setVisible(True)
        self.frame.clear()
        self.deploy_button.setEnabled(False)
        self.cancel_button.setVisible(True)
        self._task = self.ctx.spawn(self._deploy(address), name="deploy")

    async def _deploy(self, address: str) -> None:
        from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy

        request = DeployRequest(
            model_path=converted_model(self.state.run_dir),
            device=address,
            classes_from=self.state.model_path or None,
            user=self.user_edit.text().strip() or None,
            check_live=self.live_check.isChecked(),
            **self.request_options,
        )
        password = self.password_edit.text() or None
        outcome: list[Result] = []

        def on_batch(events) -> None:
            lines = []
            for event in events:
                if isinstance(event, LogLine):
                    lines.append(event.text)
                elif isinstance(event, StepStarted):
                    self.status.setText(self._step_text(event.step))
                elif isinstance(event, StepFinished) and not event.ok:
                    self.status.setText(self.tr("✖ The step “%1” failed.").replace("%1", event.step))
                elif isinstance(event, ProblemRaised):
                    self.problems.set_problems([*self.problems.problems(), event.problem])
                elif isinstance(event, Result):
                    outcome.append(event)
            self.log.append_lines(lines)

        try:
            plan = await run_blocking(plan_deploy, request)
            await EventPump(lambda: run_deploy(plan, password=password, cancel=self._cancel), on_batch,
                            cancel=self._cancel.set).run()
        except WizardError as exc:
            self.problems.set_problems([*self.problems.problems(), exc.problem])
            self.status.setText(self.tr("Not deployed."))
        except asyncio.CancelledError:
            self.status.setText(self.tr("Cancelled."))
        else:
            if outcome and outcome[-1].ok:
                self.status.setText(self.tr("✔ The camera now runs your model."))
                live = (outcome[-1].details or {}).get("live") or {}
                frame = live.get("annotated_frame")
                if frame:
                    pixmap = QPixmap(frame)
                    if not pixmap.isNull():
                        self.frame.setPixmap(pixmap.scaledToWidth(480, Qt.TransformationMode.SmoothTransformation))
            elif outcome:
                self.status.setText(self.tr("Not deployed."))
        finally:
            self.deploy_button.setEnabled(True)
            self.cancel_button.setVisible(False)

    def _step_text(self, step: str) -> str:
        return {
            "discover": self.tr("Looking for the camera…"),
            "upload": self.tr("Uploading the model…"),
            "verify": self.tr("Checking the upload…"),
            "switch": self.tr("Switching the camera to the new model…"),
            "check": self.tr("Checking the live picture…"),
        }.get(step, step)

    def cancel(self) -> None:
        # The deploy sees the event before its next request and ends with what was done and what
        # was kept (shown in the problem list); the task is only cancelled if that takes too long.
        self._cancel.set()
        task = self._task
        if task is not None and not task.done():
            task.get_loop().call_later(CANCEL_GRACE_SECONDS, lambda: task.done() or task.cancel())
