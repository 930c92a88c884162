"""File > Make a workshop kit…: the instructor's ``recamera-wizard workshop make-kit`` in a dialog.

The form gives what the CLI's options give: the kit's title and where to save it; the shared
server (user@host[:port], the account attendees log in as) and the instructor's login to it (a
key file, or a password; kept in memory only, never saved); the workshop's name on the server
and how many conversions it runs at once (blank: what the server was prepared with); the preset
and the options, with a box per option attendees may change (every other one is locked); the
camera defaults and whether the camera address and the language are locked; the kit's language;
optional samples (a model, a folder of pictures) and the toolchain image's tarball for offline
rooms. Defaults come from the window: its options (and the preset they match) once a conversion
is set up, the camera settings, the toolchain image.

"Make kit" hands a KitDraft to ``Services.make_kit`` off the event loop (the core's make_kit:
connect, check Docker, the toolchain image, memory and disk for the slots, pin the host key,
write the kit). A server seen for the first time asks the instructor to confirm its SHA256
fingerprint (a message box opened with .open(), never exec(): qasync) and tries again with it
accepted; a server that is not ready lists every problem the core found, errors first, with the
catalogue's fix; a kit written says where it is, with the warnings, and offers to open it. Bad
input is a message naming the field, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wizard.core import messages
from wizard.core.messages import Problem, WizardError, problem
from wizard.core.plan.presets import DEFAULT_PRESET, available_presets
from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
from wizard.core.ssh.options import SshCredentials
from wizard.core.ssh.target import SshTarget
from wizard.core.workshop import server_layout as layout
from wizard.core.workshop.kit import KIT_SUFFIX, OPTION_NAMES, KitCamera, resolve_options
from wizard.gui.async_tools import ask, run_blocking
from wizard.gui.services import one_field_login
from wizard.gui.widgets import ProblemList, choose_file_into

log = logging.getLogger(__name__)

KIT_LANGUAGES = ("", "en", "ja")  # "": the attendee's own choice


class InputError(Exception):
    """A field of the form that cannot be used as it is: its label and what is wrong."""

    def __init__(self, field: str, text: str):
        super().__init__(f"{field}: {text}")
        self.field, self.text = field, text


class KitMakerDialog(QDialog):
    """Non-modal: the instructor fixes the server in a terminal and presses Make kit again."""

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_ = window
        self.ctx = window.ctx
        self.setObjectName("kitMakerDialog")
        self.resize(1120, 860)
        self.presets = available_presets()
        self.kit = None  # the kit written last (wizard.core.workshop.kit.Kit)
        self.warnings: list[Problem] = []
        self.failure: list[Problem] = []
        self.attempts = 0  # finished make_kit calls (tests and the tour wait on it)
        self.host_key_dialog: QMessageBox | None = None  # the fingerprint question, while asked
        self._task: asyncio.Task | None = None
        self._window_options: dict[str, Any] = {}

        # -- the kit ---------------------------------------------------------------------------
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("kitTitle")
        self.out_edit = QLineEdit()
        self.out_edit.setObjectName("kitOut")
        self.out_button = QPushButton()
        self.out_button.clicked.connect(self.pick_out)
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("kitLanguage")
        for lang in KIT_LANGUAGES:
            self.language_combo.addItem("", lang)
        self.lock_language = QCheckBox()
        self.lock_language.setObjectName("kitLockLanguage")
        self.kit_box = QGroupBox()
        kit_form = QFormLayout(self.kit_box)
        self.title_label, self.out_label, self.language_label = QLabel(), QLabel(), QLabel()
        kit_form.addRow(self.title_label, self.title_edit)
        kit_form.addRow(self.out_label, _row(self.out_edit, self.out_button))
        kit_form.addRow(self.language_label, _row(self.language_combo, self.lock_language))

        # -- the server and the instructor's login ----------------------------------------------
        self.server_edit = QLineEdit()
        self.server_edit.setObjectName("kitServer")
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("kitKeyFile")
        self.key_button = QPushButton()
        self.key_button.clicked.connect(self.pick_key)
        self.password_edit = QLineEdit()  # memory only: never saved, never logged
        self.password_edit.setObjectName("kitPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.login_hint = QLabel()
        self.login_hint.setObjectName("helpText")
        self.login_hint.setWordWrap(True)
        self.workshop_edit = QLineEdit(layout.DEFAULT_WORKSHOP_ID)
        self.workshop_edit.setObjectName("kitWorkshop")
        self.slots_spin = QSpinBox()
        self.slots_spin.setObjectName("kitSlots")
        self.slots_spin.setRange(0, layout.MAX_SLOTS)  # 0: the server's (shown as words)
        self.image_edit = QLineEdit(window.ctx.state.toolchain_image or DEFAULT_TOOLCHAIN_IMAGE)
        self.image_edit.setObjectName("kitImage")
        self.tarball_edit = QLineEdit()
        self.tarball_edit.setObjectName("kitTarball")
        self.tarball_button = QPushButton()
        self.tarball_button.clicked.connect(self.pick_tarball)
        self.server_box = QGroupBox()
        server_form = QFormLayout(self.server_box)
        self.server_label, self.key_label, self.password_label = QLabel(), QLabel(), QLabel()
        self.workshop_label, self.slots_label, self.image_label, self.tarball_label = (QLabel(), QLabel(), QLabel(),
                                                                                       QLabel())
        server_form.addRow(self.server_label, self.server_edit)
        server_form.addRow(self.key_label, _row(self.key_edit, self.key_button))
        server_form.addRow(self.password_label, self.password_edit)
        server_form.addRow(self.login_hint)
        server_form.addRow(self.workshop_label, self.workshop_edit)
        server_form.addRow(self.slots_label, self.slots_spin)
        server_form.addRow(self.image_label, self.image_edit)
        server_form.addRow(self.tarball_label, _row(self.tarball_edit, self.tarball_button))

        # -- the camera and the samples ---------------------------------------------------------
        settings = window.ctx.settings
        self.camera_host_edit = QLineEdit(settings.device_host or KitCamera().host)
        self.camera_host_edit.setObjectName("kitCameraHost")
        self.camera_user_edit = QLineEdit(settings.device_user or KitCamera().user)
        self.camera_user_edit.setObjectName("kitCameraUser")
        self.lock_camera = QCheckBox()
        self.lock_camera.setObjectName("kitLockCamera")
        self.model_edit = QLineEdit()
        self.model_edit.setObjectName("kitSampleModel")
        self.model_button = QPushButton()
        self.model_button.clicked.connect(self.pick_model)
        self.images_edit = QLineEdit()
        self.images_edit.setObjectName("kitSampleImages")
        self.images_button = QPushButton()
        self.images_button.clicked.connect(self.pick_images)
        self.extras_box = QGroupBox()
        extras_form = QFormLayout(self.extras_box)
        self.camera_host_label, self.camera_user_label, self.model_label, self.images_label = (
            QLabel(), QLabel(), QLabel(), QLabel())
        extras_form.addRow(self.camera_host_label, _row(self.camera_host_edit, self.lock_camera))
        extras_form.addRow(self.camera_user_label, self.camera_user_edit)
        extras_form.addRow(self.model_label, _row(self.model_edit, self.model_button))
        extras_form.addRow(self.images_label, _row(self.images_edit, self.images_button))

        # -- the options ---------------------------------------------------------------------------
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("kitPreset")
        for preset_id in self.presets:
            self.preset_combo.addItem(preset_id, preset_id)
        self.preset_combo.currentIndexChanged.connect(lambda _index: self._render_options())
        self.window_options_check = QCheckBox()
        self.window_options_check.setObjectName("kitWindowOptions")
        self.window_options_check.toggled.connect(lambda _on: self._render_options())
        self.options_hint = QLabel()
        self.options_hint.setObjectName("helpText")
        self.options_hint.setWordWrap(True)
        self.unlock_checks: dict[str, QCheckBox] = {}
        self.value_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, name in enumerate(_shown_order()):
            check = QCheckBox()
            check.setObjectName(f"kitUnlock_{name}")
            value = QLabel()
            value.setObjectName("helpText")
            self.unlock_checks[name], self.value_labels[name] = check, value
            grid.addWidget(check, row, 0)
            grid.addWidget(value, row, 1)
        self.options_box = QGroupBox()
        options_layout = QVBoxLayout(self.options_box)
        self.preset_label = QLabel()
        options_layout.addLayout(_row(self.preset_label, self.preset_combo, stretch_last=True))
        options_layout.addWidget(self.window_options_check)
        options_layout.addWidget(self.options_hint)
        options_layout.addLayout(grid)
        options_layout.addStretch(1)

        # -- making it -------------------------------------------------------------------------------
        self.busy = QProgressBar()
        self.busy.setObjectName("kitBusy")
        self.busy.setRange(0, 0)  # no steps to count: the core checks, then writes
        self.busy.setMaximumWidth(160)
        self.busy.hide()
        self.status_label = QLabel()
        self.status_label.setObjectName("kitStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.input_error = QLabel()
        self.input_error.setObjectName("problem_error")  # the window's problem box (wizard.qss)
        self.input_error.setWordWrap(True)
        self.input_error.setTextFormat(Qt.TextFormat.PlainText)
        self.input_error.setMargin(8)
        self.input_error.hide()
        self.problems = ProblemList()
        self.problems.setObjectName("kitProblems")
        self.success_label = QLabel()
        self.success_label.setObjectName("problem_info")  # the window's info box (wizard.qss)
        self.success_label.setMargin(8)
        self.success_label.setWordWrap(True)
        self.success_label.setTextFormat(Qt.TextFormat.PlainText)  # a title is text, never markup
        self.success_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.success_label.hide()
        self.open_button = QPushButton()
        self.open_button.setObjectName("kitOpen")
        self.open_button.clicked.connect(self.open_made_kit)
        self.open_button.hide()
        self.make_button = QPushButton()
        self.make_button.setObjectName("kitMake")
        self.make_button.setDefault(True)
        self.make_button.clicked.connect(self.make)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.busy)
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.open_button)
        bottom.addWidget(self.make_button)
        bottom.addWidget(self.close_button)

        left = QVBoxLayout()
        left.addWidget(self.kit_box)
        left.addWidget(self.server_box)
        left.addWidget(self.extras_box)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addWidget(self.options_box, 2)
        # The outcome scrolls on its own: a long list of problems never pushes the form off screen.
        outcome = QWidget()
        outcome_layout = QVBoxLayout(outcome)
        outcome_layout.setContentsMargins(0, 0, 0, 0)
        outcome_layout.addWidget(self.success_label)  # a kit made first, then its warnings
        outcome_layout.addWidget(self.problems)
        outcome_layout.addStretch(1)
        self.outcome = QScrollArea()
        self.outcome.setObjectName("kitOutcome")
        self.outcome.setWidget(outcome)
        self.outcome.setWidgetResizable(True)
        self.outcome.setFrameShape(QFrame.Shape.NoFrame)
        self.outcome.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.outcome.setMinimumHeight(140)
        self.outcome.hide()
        main = QVBoxLayout(self)
        main.addLayout(columns)
        main.addWidget(self.input_error)
        main.addWidget(self.outcome, 1)
        main.addLayout(bottom)

        self.take_window_defaults()
        self.retranslate()

    # -- defaults from the window -------------------------------------------------------------------
    def take_window_defaults(self) -> None:
        """Once a conversion is set up (past the Welcome page): the preset the window's options
        match and what was changed on its Target page; else the default preset alone."""
        ctx = self.ctx
        set_up = ctx.flow.current != "welcome"
        self._window_options = _changed_options(ctx.state) if set_up else {}
        preset = _matching_preset(ctx.state, self.presets) if set_up else DEFAULT_PRESET
        index = self.preset_combo.findData(preset or DEFAULT_PRESET)
        self.preset_combo.setCurrentIndex(max(index, 0))
        self.window_options_check.setChecked(bool(self._window_changes()))
        self._render_options()

    def preset_id(self) -> str:
        return self.preset_combo.currentData() or DEFAULT_PRESET

    def _window_changes(self) -> dict[str, Any]:
        """The window's options that differ from the chosen preset's."""
        if not self._window_options:
            return {}
        base = resolve_options(self.preset_id(), {})
        return {name: value for name, value in self._window_options.items()
                if name in OPTION_NAMES and value != base.get(name)}

    def explicit_options(self) -> dict[str, Any]:
        """The options on top of the preset (KitDraft.options)."""
        if not self.window_options_check.isChecked():
            return {}
        return {name: tuple(value) if isinstance(value, list) else value
                for name, value in self._window_changes().items()}

    def _render_options(self) -> None:
        changes = self._window_changes()
        self.window_options_check.setVisible(bool(changes))
        self.options_hint.setText(self.tr(
            "Tick what attendees may change; every other option is locked to the value shown."))
        try:
            values = resolve_options(self.preset_id(), self.explicit_options())
        except WizardError as exc:  # the window's options do not go with this preset
            values = resolve_options(self.preset_id(), {})
            self.options_hint.setText(exc.problem.text()[0])
        for name in OPTION_NAMES:
            self.value_labels[name].setText(self._value_text(values.get(name)))

    def _value_text(self, value: Any) -> str:
        if value is None:
            return self.tr("the wizard decides")
        if isinstance(value, bool):
            return self.tr("on") if value else self.tr("off")
        if isinstance(value, (list, tuple)):
            return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        return f"{value:g}" if isinstance(value, float) else str(value)

    # -- file pickers ----------------------------------------------------------------------------------
    def pick_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the workshop kit as"), self.out_edit.text(),
                                              self.tr("Workshop kit (*.rcwkit)"))
        if path:
            self.out_edit.setText(path if path.lower().endswith(KIT_SUFFIX) else path + KIT_SUFFIX)

    def pick_key(self) -> None:
        choose_file_into(self, self.key_edit, self.tr("SSH private key"))

    def pick_model(self) -> None:
        choose_file_into(self, self.model_edit, self.tr("Sample model"), self.tr("ONNX model (*.onnx)"))

    def pick_images(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Folder of sample pictures"))
        if path:
            self.images_edit.setText(path)

    def pick_tarball(self) -> None:
        choose_file_into(self, self.tarball_edit, self.tr("Toolchain image tarball (docker save)"),
                         self.tr("Image tarball (*.tar *.tar.gz *.tgz);;All files (*)"))

    # -- the form as the core's values ---------------------------------------------------------------
    def form(self):
        """(out, target, draft, credentials) from the fields; InputError names a bad field."""
        from wizard.core.workshop.kit_maker import KitDraft

        title = self.title_edit.text().strip()
        if not title:
            raise InputError(self.title_label.text(), self.tr("type the kit's title (attendees see it)."))
        out_text = self.out_edit.text().strip()
        if not out_text:
            raise InputError(self.out_label.text(), self.tr("choose where to save the kit (Save as…)."))
        out = Path(out_text).expanduser()
        if not out.name.lower().endswith(KIT_SUFFIX):
            out = out.with_name(out.name + KIT_SUFFIX)
        if not out.parent.is_dir():
            raise InputError(self.out_label.text(), self.tr("the folder %1 does not exist.").replace("%1", str(out.parent)))
        target = self.server_edit.text().strip()
        try:
            target = str(SshTarget.parse(target))
        except WizardError as exc:
            raise InputError(self.server_label.text(), " ".join(t for t in exc.problem.text() if t)) from None
        try:
            workshop_id = layout.check_workshop_id(self.workshop_edit.text().strip())
        except WizardError as exc:
            raise InputError(self.workshop_label.text(), " ".join(t for t in exc.problem.text() if t)) from None
        image = self.image_edit.text().strip()
        if not image:
            raise InputError(self.image_label.text(), self.tr("type the toolchain image's tag."))
        key_file = self._existing_file(self.key_edit, self.key_label)
        sample_model = self._existing_file(self.model_edit, self.model_label)
        if sample_model is not None and sample_model.suffix.lower() != ".onnx":
            raise InputError(self.model_label.text(), self.tr("%1 is not an .onnx file.").replace("%1", str(sample_model)))
        images_text = self.images_edit.text().strip()
        sample_images = Path(images_text).expanduser() if images_text else None
        if sample_images is not None and not sample_images.is_dir():
            raise InputError(self.images_label.text(),
                             self.tr("there is no folder %1.").replace("%1", str(sample_images)))
        tarball = self._existing_file(self.tarball_edit, self.tarball_label)
        camera_host = self.camera_host_edit.text().strip()
        camera_user = self.camera_user_edit.text().strip()
        if not camera_host or not camera_user:
            label = self.camera_host_label if not camera_host else self.camera_user_label
            raise InputError(label.text(), self.tr("type the camera's default (attendees can start from it)."))
        draft = KitDraft(
            title=title, preset=self.preset_id(), options=self.explicit_options(),
            unlocked=frozenset(name for name, check in self.unlock_checks.items() if check.isChecked()),
            lock_camera=self.lock_camera.isChecked(), lock_language=self.lock_language.isChecked(),
            workshop_id=workshop_id, slots=self.slots_spin.value() or None, image=image, image_tarball=tarball,
            sample_model=sample_model, sample_images=sample_images,
            camera=KitCamera(host=camera_host, user=camera_user), language=self.language_combo.currentData() or None,
        )
        return out, target, draft, one_field_login(str(key_file) if key_file else None, self.password_edit.text())

    def _existing_file(self, edit: QLineEdit, label: QLabel) -> Path | None:
        text = edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        if not path.is_file():
            raise InputError(label.text(), self.tr("there is no file %1.").replace("%1", str(path)))
        return path

    # -- making the kit --------------------------------------------------------------------------
    @property
    def making(self) -> bool:
        return self._task is not None and not self._task.done()

    def make(self) -> asyncio.Task | None:
        """Make kit: check the form, then the server and write the kit (None: bad input, or busy)."""
        if self.making:
            return self._task
        self.input_error.hide()
        try:
            out, target, draft, credentials = self.form()
        except InputError as bad:
            self._show_input_error(bad)
            return None
        self.kit, self.warnings, self.failure = None, [], []
        self._render_result()
        self._task = self.ctx.spawn(self._make(out, target, draft, credentials), name="make-kit")
        self._render_busy(target)
        return self._task

    async def _make(self, out: Path, target: str, draft, credentials: SshCredentials) -> None:
        import shiboken6

        from wizard.core.workshop.kit_maker import KitNotMade

        accept: str | None = None
        while True:
            try:
                kit, warnings = await run_blocking(self.ctx.services.make_kit, out, target, draft, credentials, accept)
            except KitNotMade as failed:
                errors = [p for p in failed.problems if p.is_error]
                self._finish(failure=errors + [p for p in failed.problems if not p.is_error] + [failed.problem])
                return
            except WizardError as exc:
                fingerprint = getattr(exc, "fingerprint", None)
                if fingerprint and exc.problem.code.endswith("host_key_unknown") and accept is None:
                    if not shiboken6.isValid(self):
                        return
                    if await self.confirm_fingerprint(target, fingerprint):
                        accept = fingerprint
                        continue
                self._finish(failure=[exc.problem])
                return
            except Exception as exc:  # noqa: BLE001 - a message in the dialog, the details in the log
                from wizard.gui.errors import log_file

                log.error("make kit failed", exc_info=exc)
                self._finish(failure=[problem("unexpected_error", detail=type(exc).__name__, log=str(log_file()))])
                return
            self._finish(kit=kit, warnings=list(warnings))
            return

    def _finish(self, *, kit=None, warnings: list[Problem] = (), failure: list[Problem] = ()) -> None:
        import shiboken6

        self.attempts += 1
        if not shiboken6.isValid(self):
            return  # closed with the window
        self.kit, self.warnings, self.failure = kit, list(warnings), list(failure)
        self._task = None
        self._render_busy("")
        self._render_result()

    async def confirm_fingerprint(self, target: str, fingerprint: str) -> bool:
        """First connection to the server: the instructor compares its fingerprint with the VM's."""
        box = QMessageBox(self)
        box.setObjectName("kitHostKeyDialog")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("New server"))
        box.setText(self.tr("This is the first connection to %1. Is this its host key fingerprint?")
                    .replace("%1", target))
        box.setInformativeText(fingerprint + "\n\n" + self.tr(
            "The server's console shows it (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). The kit pins "
            "this key, so every attendee connects to exactly this server. If it differs, do not connect."))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self.host_key_dialog = box  # tests answer it
        try:
            return await ask(box) == QMessageBox.StandardButton.Yes
        finally:
            self.host_key_dialog = None

    def open_made_kit(self):
        """Open this kit: the window reads it as an attendee would (File > Open workshop kit…)."""
        if self.kit is None or self.kit.path is None:
            return None
        task = self.window_.open_kit(str(self.kit.path))
        self.close()
        return task

    # -- showing ---------------------------------------------------------------------------------------
    def _show_input_error(self, bad: InputError) -> None:
        self.input_error.setText(f"{bad.field.rstrip(':：')}: {bad.text}")
        self.input_error.show()

    def _render_busy(self, target: str) -> None:
        busy = self.making
        self.busy.setVisible(busy)
        self.make_button.setEnabled(not busy)
        if busy:
            self.status_label.setText(self.tr("Checking %1 and writing the kit…").replace("%1", target))
        elif not self.kit:
            self.status_label.setText("")

    def _render_result(self) -> None:
        self.problems.set_problems(self.failure or self.warnings)
        kit = self.kit
        if kit is not None:
            self.success_label.setText(
                self.tr("✔ The kit “%1” is saved as %2 (server %3, host key %4 pinned). Hand it out on a USB "
                        "stick or the course page; attendees open it with File > Open workshop kit…")
                .replace("%1", kit.title).replace("%2", str(kit.path)).replace("%3", kit.server.target)
                .replace("%4", kit.server.host_key_fingerprint))
            self.status_label.setText(self.tr("Kit made."))
        elif self.failure:
            self.status_label.setText(self.tr("The kit was not made."))
        self.success_label.setVisible(kit is not None)
        self.open_button.setVisible(kit is not None)
        self.outcome.setVisible(kit is not None or bool(self.failure or self.warnings))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Make a workshop kit"))
        self.kit_box.setTitle(self.tr("The kit"))
        self.title_label.setText(self.tr("Title:"))
        self.title_edit.setPlaceholderText(self.tr("e.g. reCamera workshop, room 3"))
        self.out_label.setText(self.tr("Save as:"))
        self.out_button.setText(self.tr("Save as…"))
        self.out_edit.setPlaceholderText(self.tr("a .rcwkit file"))
        self.language_label.setText(self.tr("Language:"))
        for index, text in enumerate((self.tr("The attendee's"), "English", "日本語")):
            self.language_combo.setItemText(index, text)
        self.lock_language.setText(self.tr("Lock the language"))
        self.server_box.setTitle(self.tr("The shared server"))
        self.server_label.setText(self.tr("Server:"))
        self.server_edit.setPlaceholderText(self.tr("user@host or user@host:port (the attendees' account)"))
        self.key_label.setText(self.tr("Key file:"))
        self.key_button.setText(self.tr("Choose…"))
        self.key_edit.setPlaceholderText(self.tr("optional: your SSH agent is tried"))
        self.password_label.setText(self.tr("Password:"))
        self.login_hint.setText(self.tr(
            "Your login to the server, to check it. With a key file, the password field is the key's passphrase. "
            "Kept in memory only, never saved, never put in the kit."))
        self.workshop_label.setText(self.tr("Workshop name:"))
        self.slots_label.setText(self.tr("Conversions at once:"))
        self.slots_spin.setSpecialValueText(self.tr("as the server was prepared"))
        self.image_label.setText(self.tr("Toolchain image:"))
        self.tarball_label.setText(self.tr("Image tarball:"))
        self.tarball_edit.setPlaceholderText(self.tr("optional, for offline rooms (docker save file)"))
        self.tarball_button.setText(self.tr("Choose…"))
        self.extras_box.setTitle(self.tr("Camera and samples"))
        self.camera_host_label.setText(self.tr("Camera address:"))
        self.lock_camera.setText(self.tr("Lock the camera address"))
        self.camera_user_label.setText(self.tr("Camera user:"))
        self.model_label.setText(self.tr("Sample model:"))
        self.model_edit.setPlaceholderText(self.tr("optional .onnx file"))
        self.model_button.setText(self.tr("Choose…"))
        self.images_label.setText(self.tr("Sample pictures:"))
        self.images_edit.setPlaceholderText(self.tr("optional folder"))
        self.images_button.setText(self.tr("Choose…"))
        self.options_box.setTitle(self.tr("Options"))
        self.preset_label.setText(self.tr("Preset:"))
        lang = messages.current_language()
        for index in range(self.preset_combo.count()):
            preset = self.presets[self.preset_combo.itemData(index)]
            label, description = preset.text(lang)
            self.preset_combo.setItemText(index, label)
            self.preset_combo.setItemData(index, description, Qt.ItemDataRole.ToolTipRole)
        self.window_options_check.setText(self.tr("With the window's changes (Target page)"))
        labels = self.option_labels()
        for name, check in self.unlock_checks.items():
            check.setText(labels[name])
        self.make_button.setText(self.tr("Make kit"))
        self.open_button.setText(self.tr("Open this kit"))
        self.close_button.setText(self.tr("Close"))
        self._render_options()
        self._render_result()

    def option_labels(self) -> dict[str, str]:
        return {
            "aligned_input": self.tr("Aligned input"),
            "calibration_count": self.tr("Calibration pictures used"),
            "customization_format": self.tr("Camera frame format"),
            "fuse_preprocess": self.tr("Fuse preprocessing"),
            "keep_aspect_ratio": self.tr("Keep aspect ratio"),
            "mean": self.tr("Mean"),
            "pixel_format": self.tr("Pixel format"),
            "processor": self.tr("Processor"),
            "quant_input": self.tr("8-bit input"),
            "quantize": self.tr("Number format"),
            "scale": self.tr("Scale"),
            "tolerance": self.tr("Pass threshold"),
        }

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _row(*widgets, stretch_last: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        stretch = 1 if (index == 0 and not stretch_last) or (stretch_last and index == len(widgets) - 1) else 0
        row.addWidget(widget, stretch)
    return row


def _shown_order() -> tuple[str, ...]:
    """The kit's options in the Target page's order (the basic ones first)."""
    from wizard.core.app.wizard_flow import OPTION_FIELDS

    return tuple(n for n in OPTION_FIELDS if n in OPTION_NAMES) + tuple(n for n in OPTION_NAMES if n not in OPTION_FIELDS)


def _changed_options(state) -> dict[str, Any]:
    """The options the window's Target page changed from a new conversion's (tuples as lists)."""
    from wizard.core.app.wizard_flow import WizardState, options_of

    defaults = options_of(WizardState())
    return _plain({name: value for name, value in options_of(state).items() if value != defaults[name]})


def _matching_preset(state, presets) -> str:
    """The preset the window's options are, as the Target page finds it ("the wizard decides" as
    the plan resolves it), or "" once an option it sets was changed."""
    from wizard.core.app.wizard_flow import choices_from_state, options_of
    from wizard.core.plan.choices import resolved_aligned_input, resolved_customization_format

    choices = choices_from_state(state)
    effective = {**options_of(state), "aligned_input": resolved_aligned_input(choices),
                 "customization_format": resolved_customization_format(choices) or ""}
    for preset_id, preset in presets.items():
        if all(effective.get(key) == value for key, value in preset.choices.items()):
            return preset_id
    return ""


def _plain(options: dict[str, Any]) -> dict[str, Any]:
    """Tuples as lists, as the kit's JSON options hold them (so the two compare)."""
    return {name: list(value) if isinstance(value, tuple) else value for name, value in options.items()}


def open_kit_maker(window) -> KitMakerDialog:
    """File > Make a workshop kit…: one dialog per window, its defaults taken from the window again."""
    dialog = getattr(window, "kit_maker_dialog", None)
    if dialog is None:
        dialog = window.kit_maker_dialog = KitMakerDialog(window, window)
    elif not dialog.making:  # a new kit: the window's defaults again, the last result gone
        dialog.kit, dialog.warnings, dialog.failure = None, [], []
        dialog.input_error.hide()
        dialog.status_label.setText("")
        dialog.take_window_defaults()
        dialog._render_result()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
