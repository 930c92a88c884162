"""Page 5: where the toolchain runs. This computer (Docker, or without Docker on Linux) or your own
cloud VM over SSH (Docker there, or a Python environment there).

In a workshop (an instructor's kit is open) there is no choice: the room's server, the kit's, is
shown with its pinned host key, and the attendee gives their name and how they sign in."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wizard.core.app import wizard_flow as rules
from wizard.core.events import Progress, ProblemRaised, StepFinished
from wizard.core import messages
from wizard.core.messages import WizardError
from wizard.core.app.settings import RecentHost
from wizard.gui.async_tools import EventPump, ask, run_blocking
from wizard.gui.pages.base import Page
from wizard.gui.pages.native_report import NativeReportView
from wizard.gui.services import SshDetails, vm_details
from wizard.gui.widgets import ProblemList, choose_file_into, wrapped_label


class WherePage(Page):
    page_id = "where"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._password: str | None = None  # in memory only; the keychain keeps it if asked
        self._get_task: asyncio.Task | None = None
        self.local_radio = QRadioButton()
        self.local_radio.setObjectName("localRadio")
        self.native_radio = QRadioButton()
        self.native_radio.setObjectName("nativeRadio")
        self.ssh_radio = QRadioButton()
        self.ssh_radio.setObjectName("sshRadio")
        group = QButtonGroup(self)
        group.addButton(self.local_radio)
        group.addButton(self.native_radio)
        group.addButton(self.ssh_radio)
        self.local_radio.toggled.connect(lambda on: on and self._set_where(rules.WHERE_LOCAL))
        self.native_radio.toggled.connect(lambda on: on and self._set_where(rules.WHERE_NATIVE))
        self.ssh_radio.toggled.connect(lambda on: on and self._set_where(rules.WHERE_SSH))
        # Not on Windows or macOS: the radio stays, disabled, with the reason (and what to do).
        self.native_refused = wrapped_label(object_name="nativeNotOffered")
        self.native_refused.setContentsMargins(24, 0, 0, 0)  # under its radio's text

        # -- this computer -----------------------------------------------------------------------
        self.local_box = QGroupBox()
        local = QVBoxLayout(self.local_box)
        self.docker_label = wrapped_label(object_name="dockerStatus")
        self.image_label = wrapped_label(object_name="imageStatus")
        self.check_button = QPushButton()
        self.check_button.clicked.connect(self.check_local)
        self.get_button = QPushButton()
        self.get_button.setObjectName("getToolchain")
        self.get_button.clicked.connect(self.get_toolchain)
        self.get_progress = QProgressBar()
        self.get_progress.setVisible(False)
        self.get_text = wrapped_label()
        self.local_problems = ProblemList()
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.get_button)
        buttons.addStretch(1)
        local.addWidget(self.docker_label)
        local.addWidget(self.image_label)
        local.addLayout(buttons)
        local.addWidget(self.get_progress)
        local.addWidget(self.get_text)
        local.addWidget(self.local_problems)

        # -- this computer, without Docker ------------------------------------------------------
        self.native_box = QGroupBox()
        native = QVBoxLayout(self.native_box)
        self.native_note = wrapped_label(object_name="nativeNote")
        self.native_check_button = QPushButton()
        self.native_check_button.setObjectName("checkNative")
        self.native_check_button.clicked.connect(self.check_native)
        self.native_view = NativeReportView(ask_password=True)
        self.native_view.consents_changed.connect(self._native_consents)
        self.native_view.password_changed.connect(self._sudo_password)
        native.addWidget(self.native_note)
        native.addWidget(self.native_check_button, 0, Qt.AlignmentFlag.AlignLeft)
        native.addWidget(self.native_view)

        # -- cloud VM --------------------------------------------------------------------------
        self.ssh_box = QGroupBox()
        ssh = QVBoxLayout(self.ssh_box)
        self.upload_note = wrapped_label(object_name="uploadNote")
        ssh.addWidget(self.upload_note)
        self.vm_toolchain_label = wrapped_label()
        self.vm_docker_radio = QRadioButton()
        self.vm_docker_radio.setObjectName("vmDockerRadio")
        self.vm_native_radio = QRadioButton()
        self.vm_native_radio.setObjectName("vmNativeRadio")
        toolchains = QButtonGroup(self)
        toolchains.addButton(self.vm_docker_radio)
        toolchains.addButton(self.vm_native_radio)
        self.vm_docker_radio.toggled.connect(lambda on: on and self._set_vm_toolchain(rules.TOOLCHAIN_DOCKER))
        self.vm_native_radio.toggled.connect(lambda on: on and self._set_vm_toolchain(rules.TOOLCHAIN_NATIVE))
        ssh.addWidget(self.vm_toolchain_label)
        for radio in (self.vm_docker_radio, self.vm_native_radio):
            ssh.addWidget(radio)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.host_edit = QLineEdit()
        self.host_edit.setObjectName("hostEdit")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(22)
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("userEdit")
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("keyEdit")
        self.key_button = QPushButton()
        self.key_button.clicked.connect(self._pick_key)
        key_row = QHBoxLayout()
        key_row.setContentsMargins(0, 0, 0, 0)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_button)
        key_widget = QWidget()
        key_widget.setLayout(key_row)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox()
        self.form_labels = [QLabel() for _ in range(5)]
        for label, widget in zip(self.form_labels, (self.host_edit, self.port_spin, self.user_edit, key_widget,
                                                    self.password_edit)):
            form.addRow(label, widget)
        form.addRow("", self.remember)
        ssh.addLayout(form)
        # Docker on the machine: what the wizard may do there (the native check asks its own).
        self.docker_consents = QWidget()
        docker_consents = QVBoxLayout(self.docker_consents)
        docker_consents.setContentsMargins(0, 0, 0, 0)
        self.consent = QCheckBox()
        self.consent.setObjectName("setupConsent")
        self.consent.toggled.connect(lambda on: setattr(self.ctx, "ssh_setup_consent", on))
        docker_consents.addWidget(self.consent)
        self.build_consent = QCheckBox()
        self.build_consent.setObjectName("buildImageConsent")
        self.build_consent.toggled.connect(lambda on: setattr(self.ctx, "ssh_build_image", on))
        docker_consents.addWidget(self.build_consent)
        ssh.addWidget(self.docker_consents)
        self.test_button = QPushButton()
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = wrapped_label(object_name="sshResult")
        self.ssh_problems = ProblemList()
        self.vm_native_view = NativeReportView(ask_password=False)
        self.vm_native_view.consents_changed.connect(self._vm_native_consents)
        ssh.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignLeft)
        ssh.addWidget(self.test_result)
        ssh.addWidget(self.ssh_problems)
        ssh.addWidget(self.vm_native_view)
        for edit in (self.host_edit, self.user_edit, self.key_edit, self.password_edit):
            edit.textEdited.connect(lambda _: self._ssh_edited())
        self.port_spin.valueChanged.connect(lambda _: self._ssh_edited())

        # -- a workshop's server (the kit's) ------------------------------------------------------
        self.workshop_box = QGroupBox()
        self.workshop_box.setObjectName("workshopServer")
        workshop = QVBoxLayout(self.workshop_box)
        self.workshop_note = wrapped_label(object_name="workshopNote")
        workshop.addWidget(self.workshop_note)
        room = QFormLayout()
        room.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.workshop_server_value = wrapped_label(object_name="workshopServerValue")
        self.workshop_key_value = wrapped_label(object_name="workshopHostKey")
        self.workshop_name_edit = QLineEdit()
        self.workshop_name_edit.setObjectName("attendeeEdit")
        self.workshop_name_edit.setMaxLength(200)  # longer is refused by the check anyway, with its message
        self.workshop_name_edit.textEdited.connect(lambda _: self._workshop_edited())
        self.workshop_account_edit = QLineEdit()  # a room with one account per attendee: theirs
        self.workshop_account_edit.setObjectName("workshopAccountEdit")
        self.workshop_account_edit.setMaxLength(64)
        self.workshop_account_edit.textEdited.connect(lambda _: self._workshop_edited())
        self.workshop_key_radio = QRadioButton()
        self.workshop_key_radio.setObjectName("workshopKeyRadio")
        self.workshop_password_radio = QRadioButton()
        self.workshop_password_radio.setObjectName("workshopPasswordRadio")
        sign_ins = QButtonGroup(self)
        sign_ins.addButton(self.workshop_key_radio)
        sign_ins.addButton(self.workshop_password_radio)
        self.workshop_key_radio.toggled.connect(lambda on: on and self._set_sign_in(rules.SIGN_IN_KEY))
        self.workshop_password_radio.toggled.connect(lambda on: on and self._set_sign_in(rules.SIGN_IN_PASSWORD))
        sign_in_row = QHBoxLayout()
        sign_in_row.setContentsMargins(0, 0, 0, 0)
        sign_in_row.addWidget(self.workshop_key_radio)
        sign_in_row.addWidget(self.workshop_password_radio)
        sign_in_row.addStretch(1)
        sign_in_widget = QWidget()
        sign_in_widget.setLayout(sign_in_row)
        self.workshop_key_edit = QLineEdit()
        self.workshop_key_edit.setObjectName("workshopKeyEdit")
        self.workshop_key_edit.textEdited.connect(lambda _: self._workshop_edited())
        self.workshop_key_button = QPushButton()
        self.workshop_key_button.clicked.connect(self._pick_workshop_key)
        workshop_key_row = QHBoxLayout()
        workshop_key_row.setContentsMargins(0, 0, 0, 0)
        workshop_key_row.addWidget(self.workshop_key_edit, 1)
        workshop_key_row.addWidget(self.workshop_key_button)
        self.workshop_key_widget = QWidget()
        self.workshop_key_widget.setLayout(workshop_key_row)
        self.workshop_password_edit = QLineEdit()
        self.workshop_password_edit.setObjectName("workshopPasswordEdit")
        self.workshop_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.workshop_password_edit.textEdited.connect(lambda _: self._workshop_edited())
        self.workshop_labels = [QLabel() for _ in range(7)]
        for label, widget in zip(self.workshop_labels, (self.workshop_server_value, self.workshop_key_value,
                                                        self.workshop_name_edit, self.workshop_account_edit,
                                                        sign_in_widget, self.workshop_key_widget,
                                                        self.workshop_password_edit)):
            room.addRow(label, widget)
        self.workshop_form = room
        workshop.addLayout(room)

        self.body.addWidget(self.workshop_box)
        self.body.addWidget(self.local_radio)
        self.body.addWidget(self.local_box)
        self.body.addWidget(self.native_radio)
        self.body.addWidget(self.native_refused)
        self.body.addWidget(self.native_box)
        self.body.addWidget(self.ssh_radio)
        self.body.addWidget(self.ssh_box)
        self.body.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Where to run the conversion"))
        self.intro.setText(self.tr(
            "The converter is a Linux program: it runs in a container (Docker), or on Linux also in a Python "
            "environment without Docker. It needs about 4 GB of memory and takes a few minutes."))
        self.local_radio.setText(self.tr("On this computer (Docker)"))
        self.native_radio.setText(self.tr("On this computer without Docker (Linux with Python 3.10)"))
        self.ssh_radio.setText(self.tr("On my own cloud machine (SSH)"))
        self.local_box.setTitle(self.tr("This computer"))
        self.native_box.setTitle(self.tr("This computer, without Docker"))
        self.native_note.setText(self.tr(
            "The converter runs in a Python environment on this computer instead of a container: it needs "
            "CPython 3.10, about 2 GB of disk once and about 4 GB of memory. The check changes nothing."))
        self.native_check_button.setText(self.tr("Check this computer"))
        self._show_native_offered()
        self.vm_toolchain_label.setText(self.tr("The toolchain on the machine:"))
        self.vm_docker_radio.setText(self.tr("Docker on the machine"))
        self.vm_native_radio.setText(self.tr("A Python environment on the machine (no Docker)"))
        self.ssh_box.setTitle(self.tr("Cloud machine"))
        self.check_button.setText(self.tr("Check again"))
        self.get_button.setText(self.tr("Get the toolchain"))
        self.upload_note.setText(self.tr(
            "Your model and calibration pictures are uploaded to this machine for the conversion, "
            "and removed from it afterwards. Use only a machine you trust."))
        for label, text in zip(self.form_labels, (self.tr("Host"), self.tr("Port"), self.tr("User"), self.tr("Key file"),
                                                  self.tr("Password or key passphrase"))):
            label.setText(text)
        self.key_edit.setPlaceholderText(self.tr("e.g. ~/.ssh/id_ed25519 (optional)"))
        self.password_edit.setPlaceholderText(self.tr("only if the machine asks for one"))
        self.key_button.setText(self.tr("Choose…"))
        self.remember.setText(self.tr("Remember the password in the system keychain"))
        self.consent.setText(self.tr("If Docker is missing on the machine, let the wizard install it (uses sudo)"))
        self.build_consent.setText(self.tr(
            "If the toolchain image is missing there, let the machine build it (10-20 min)"))
        self.test_button.setText(self.tr("Test connection"))
        self.workshop_box.setTitle(self.tr("The workshop's server"))
        for label, text in zip(self.workshop_labels, (self.tr("Server"), self.tr("Host key"), self.tr("Your name"),
                                                      self.tr("Your account"), self.tr("Sign in with"),
                                                      self.tr("Key file"), "")):
            label.setText(text)
        self.workshop_key_radio.setText(self.tr("a key file"))
        self.workshop_password_radio.setText(self.tr("a password"))
        self.workshop_key_button.setText(self.tr("Choose…"))
        self.workshop_key_edit.setPlaceholderText(self.tr("the key file your instructor gave you"))
        self.workshop_name_edit.setPlaceholderText(self.tr("as your instructor will see it"))
        self._show_workshop()
        for view in (self.native_view, self.vm_native_view):
            view.retranslate()  # now, not when Qt's LanguageChange event reaches it later
        self._show_local()
        self._show_ssh()
        self._show_native()

    # -- entering --------------------------------------------------------------------------------
    def on_enter(self) -> None:
        self._show_workshop()
        if self.state.workshop:
            self._enter_workshop()
            return
        s = self.state
        if not s.ssh_host and self.ctx.settings.recent_hosts:
            recent = self.ctx.settings.recent_hosts[0]
            s.ssh_host, s.ssh_user, s.ssh_port, s.ssh_key_path = recent.host, recent.user, recent.port, recent.key_path
            stored = self.ctx.secrets.get(recent.key)
            if stored:
                self._password = stored
                self.ctx.ssh_password = stored
                s.ssh_has_password = True
                self.remember.setChecked(True)
        self.host_edit.setText(s.ssh_host)
        self.user_edit.setText(s.ssh_user)
        self.port_spin.setValue(s.ssh_port)
        self.key_edit.setText(s.ssh_key_path)
        if self._password:
            self.password_edit.setText(self._password)
        self._show_native_offered()
        if s.where == rules.WHERE_NATIVE and rules.native_not_offered(s.os_kind) is not None:
            s.where = rules.WHERE_LOCAL
        radios = {rules.WHERE_LOCAL: self.local_radio, rules.WHERE_NATIVE: self.native_radio,
                  rules.WHERE_SSH: self.ssh_radio}
        radios.get(s.where, self.local_radio).setChecked(True)
        (self.vm_native_radio if s.ssh_toolchain == rules.TOOLCHAIN_NATIVE else self.vm_docker_radio).setChecked(True)
        self._show_boxes()
        self._check_if_unchecked()

    # -- a workshop: the room's server -----------------------------------------------------------
    def _show_workshop(self) -> None:
        """With a kit open only the room's server is shown (the places to choose are hidden)."""
        s = self.state
        in_workshop = s.workshop
        self.workshop_box.setVisible(in_workshop)
        for widget in (self.local_radio, self.native_radio, self.ssh_radio):
            widget.setVisible(not in_workshop)
        if in_workshop:
            for widget in (self.local_box, self.native_box, self.ssh_box, self.native_refused):
                widget.setVisible(False)
            self.title.setText(self.tr("Where the conversion runs"))
            self.intro.setText(self.tr(
                "Your instructor set up one server for the room: your conversion runs there. When every "
                "place on it is busy, yours waits in line, and the next page shows how many are ahead of you."))
            kit = self.ctx.kit
            fingerprint = kit.server.host_key_fingerprint if kit is not None else ""
            set_by = self.tr("Set by your instructor.")
            self.workshop_note.setText(self.tr(
                "Your model and pictures are uploaded to this server for the conversion, and removed from it "
                "afterwards. The wizard connects only if the server shows the host key of the kit."))
            self.workshop_server_value.setText(f"{s.workshop_server}\n{set_by}")
            self.workshop_key_value.setText(f"{fingerprint}\n{set_by}" if fingerprint else set_by)
            password = s.workshop_sign_in == rules.SIGN_IN_PASSWORD
            self.workshop_labels[6].setText(self.tr("Password") if password
                                            else self.tr("Key passphrase"))
            self.workshop_password_edit.setPlaceholderText(
                self.tr("the password your instructor gave you") if password
                else self.tr("only if your key has one"))
            self.workshop_form.setRowVisible(3, s.workshop_per_attendee)
            self.workshop_form.setRowVisible(5, not password)
            if s.workshop_per_attendee:
                self.workshop_note.setText(self.workshop_note.text() + "\n" + self.tr(
                    "In this room everyone has their own account: nobody else can see your files or results."))
                hint = s.workshop_account_hint
                self.workshop_account_edit.setPlaceholderText(
                    self.tr("on your seat card, e.g. {hint}").replace("{hint}", hint.split(" ")[0]) if hint
                    else self.tr("on your seat card"))

    def _enter_workshop(self) -> None:
        s = self.state
        self.workshop_name_edit.setText(s.workshop_attendee)
        self.workshop_account_edit.setText(s.workshop_account)
        self.workshop_key_edit.setText(s.workshop_key_path)
        self.workshop_password_edit.setText(self.ctx.workshop_password or "")
        s.workshop_has_password = bool(self.ctx.workshop_password)
        radio = self.workshop_password_radio if s.workshop_sign_in == rules.SIGN_IN_PASSWORD else self.workshop_key_radio
        radio.setChecked(True)
        self._show_workshop()

    def _set_sign_in(self, sign_in: str) -> None:
        self.state.workshop_sign_in = sign_in
        self.ctx.settings.workshop_sign_in = sign_in
        self._show_workshop()
        self.changed.emit()

    def _workshop_edited(self) -> None:
        s = self.state
        s.workshop_attendee = self.workshop_name_edit.text()
        s.workshop_account = self.workshop_account_edit.text().strip()
        s.workshop_key_path = self.workshop_key_edit.text().strip()
        self.ctx.workshop_password = self.workshop_password_edit.text() or None
        s.workshop_has_password = bool(self.ctx.workshop_password)
        # The name and key file are remembered for the next conversion (never the password).
        self.ctx.settings.workshop_attendee = s.workshop_attendee.strip()
        self.ctx.settings.workshop_key_path = s.workshop_key_path
        if s.workshop_per_attendee:
            self.ctx.settings.workshop_account = s.workshop_account
        self.changed.emit()

    def _pick_workshop_key(self) -> None:
        choose_file_into(self, self.workshop_key_edit, self.tr("Choose your private key"), then=self._workshop_edited)

    def _show_native_offered(self) -> None:
        refused = rules.native_not_offered(self.state.os_kind)
        self.native_radio.setEnabled(refused is None)
        self.native_refused.setVisible(refused is not None)
        if refused is not None:
            message, fix = refused.text(messages.current_language())
            self.native_refused.setText(f"{message}\n→ {fix}")

    def _set_where(self, where: str) -> None:
        self.state.where = where
        self.ctx.settings.where = where
        self._show_boxes()
        self._check_if_unchecked()
        self.changed.emit()

    def _check_if_unchecked(self) -> None:
        """The chosen place on this computer is looked at once by itself (nothing is changed)."""
        s = self.state
        if s.where == rules.WHERE_LOCAL and s.docker_ready is None:
            self.check_local()
        elif s.where == rules.WHERE_NATIVE and s.native_report is None and not s.native_checking:
            self.check_native()

    def _show_boxes(self) -> None:
        where = self.state.where
        for box, place in ((self.local_box, rules.WHERE_LOCAL), (self.native_box, rules.WHERE_NATIVE),
                           (self.ssh_box, rules.WHERE_SSH)):
            box.setEnabled(where == place)
            box.setVisible(where == place)
        native = self.state.ssh_toolchain == rules.TOOLCHAIN_NATIVE
        self.docker_consents.setVisible(not native)
        self.vm_native_view.setVisible(native)

    # -- local -------------------------------------------------------------------------------------
    def check_local(self) -> None:
        s = self.state
        s.docker_ready = s.toolchain_ready = None
        self._show_local()
        self.changed.emit()
        self.ctx.spawn(self._check_local(), name="toolchain-status")

    async def _check_local(self) -> None:
        status = await run_blocking(self.ctx.services.toolchain_status, self.state.toolchain_image)
        self.state.docker_ready = status.docker_ok
        self.state.toolchain_ready = status.image_ok if status.docker_ok else False
        self.local_problems.set_problems(status.problems)
        self._status_detail = status.detail
        self._show_local()
        self.changed.emit()

    def get_toolchain(self) -> None:
        if self._get_task is not None and not self._get_task.done():
            return
        self.get_progress.setVisible(True)
        self.get_progress.setRange(0, 0)
        self.get_button.setEnabled(False)
        self._get_task = self.ctx.spawn(self._get_toolchain(), name="get-toolchain")

    async def _get_toolchain(self) -> None:
        problems = []

        def on_batch(events) -> None:
            for event in events:
                if isinstance(event, Progress):
                    if event.fraction is not None:
                        self.get_progress.setRange(0, 1000)
                        self.get_progress.setValue(int(event.fraction * 1000))
                    if event.text:
                        self.get_text.setText(event.text)
                elif isinstance(event, ProblemRaised):
                    problems.append(event.problem)
                elif isinstance(event, StepFinished) and not event.ok:
                    self.get_text.setText(self.tr("Getting the toolchain failed."))
            self.local_problems.set_problems(problems)

        try:
            await EventPump(lambda: self.ctx.services.get_toolchain(self.state.toolchain_image), on_batch).run()
        except WizardError as exc:
            problems.append(exc.problem)
            self.local_problems.set_problems(problems)
        finally:
            self.get_progress.setVisible(False)
            self.get_button.setEnabled(True)
        await self._check_local()

    def _show_local(self) -> None:
        s = self.state
        if s.docker_ready is None:
            self.docker_label.setText(self.tr("Docker: checking…"))
            self.image_label.setText("")
        else:
            self.docker_label.setText(self.tr("Docker: ✔ running") if s.docker_ready else self.tr("Docker: ✖ not available"))
            if s.docker_ready:
                self.image_label.setText(self.tr("Toolchain: ✔ ready") if s.toolchain_ready
                                         else self.tr("Toolchain: ✖ not on this computer yet"))
            else:
                self.image_label.setText("")
        self.get_button.setVisible(bool(s.docker_ready) and s.toolchain_ready is False)

    # -- this computer, without Docker ------------------------------------------------------------
    def check_native(self) -> None:
        s = self.state
        if s.native_checking:
            return
        s.native_checking = True
        self.native_check_button.setEnabled(False)
        self._show_native()
        self.changed.emit()
        self.ctx.spawn(self._check_native(), name="native-check")

    async def _check_native(self) -> None:
        s = self.state
        report, failed = None, None
        try:
            report = await run_blocking(self.ctx.services.check_native, None, rules.check_recipe(s))
        except WizardError as exc:
            failed = exc.problem
        finally:
            s.native_checking = False
            self.native_check_button.setEnabled(True)
        s.native_setup_consent, s.native_env_consent = rules.kept_consents(
            s.native_report, report, s.native_setup_consent, s.native_env_consent)
        s.native_report = report
        self._show_native()
        if failed is not None:
            self.native_view.problems.set_problems([failed])
        self.changed.emit()

    def _show_native(self) -> None:
        s = self.state
        if s.native_checking:
            self.native_view.show_checking(self.tr("Checking this computer…"))
            return
        self.native_view.show_report(s.native_report, s.native_setup_consent, s.native_env_consent)

    def _native_consents(self, setup: bool, environment: bool) -> None:
        self.state.native_setup_consent, self.state.native_env_consent = setup, environment
        self.changed.emit()

    def _sudo_password(self, text: str) -> None:
        self.ctx.native_sudo_password = text or None

    # -- ssh -------------------------------------------------------------------------------------
    def _set_vm_toolchain(self, toolchain: str) -> None:
        if toolchain != self.state.ssh_toolchain:
            self.ssh_problems.set_problems([])  # they were about the other toolchain
        self.state.ssh_toolchain = toolchain
        self._show_boxes()
        self._show_ssh()
        self.changed.emit()

    def _vm_native_consents(self, setup: bool, environment: bool) -> None:
        self.state.ssh_native_setup_consent, self.state.ssh_native_env_consent = setup, environment
        self.changed.emit()

    def _ssh_edited(self) -> None:
        s = self.state
        s.ssh_host = self.host_edit.text().strip()
        s.ssh_user = self.user_edit.text().strip()
        s.ssh_port = self.port_spin.value()
        s.ssh_key_path = self.key_edit.text().strip()
        self._password = self.password_edit.text() or None
        self.ctx.ssh_password = self._password
        s.ssh_has_password = bool(self._password)
        self._show_ssh()
        self.changed.emit()

    def _pick_key(self) -> None:
        choose_file_into(self, self.key_edit, self.tr("Choose your private key"), then=self._ssh_edited)

    def details(self, accept_fingerprint: str | None = None) -> SshDetails:
        return vm_details(self.state, self._password, accept_fingerprint=accept_fingerprint,
                          docker_setup_consent=self.ctx.ssh_setup_consent, build_image=self.ctx.ssh_build_image)

    def test_connection(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Connecting…"))
        self.ssh_problems.set_problems([])
        self.ctx.spawn(self._test(None), name="ssh-test")

    async def _test(self, accept: str | None) -> None:
        details = self.details(accept)
        target, toolchain = self.state.ssh_target, self.state.ssh_toolchain
        try:
            if details.native:
                report = await run_blocking(self.ctx.services.check_native, details, rules.check_recipe(self.state))
            else:
                report = await run_blocking(self.ctx.services.test_ssh, details)
        except WizardError as exc:
            fingerprint = getattr(exc, "fingerprint", None)
            if fingerprint and exc.problem.code.endswith("host_key_unknown") and accept is None:
                if await self.confirm_fingerprint(details.host, details.port, fingerprint):
                    await self._test(fingerprint)
                    return
            self.ssh_problems.set_problems([exc.problem])
            self.test_result.setText(self.tr("Not connected."))
            self.test_button.setEnabled(True)
            return
        self.test_button.setEnabled(True)
        if target != self.state.ssh_target or toolchain != self.state.ssh_toolchain:
            return  # edited while testing: that result is about another machine, or toolchain
        s = self.state
        s.ssh_tested_for, s.ssh_tested_toolchain = target, toolchain
        if details.native:
            s.ssh_native_setup_consent, s.ssh_native_env_consent = rules.kept_consents(
                s.ssh_native_report, report, s.ssh_native_setup_consent, s.ssh_native_env_consent)
            s.ssh_native_report = report
            self.test_result.setText(self.tr("✔ Connected: %1").replace("%1", self.native_summary(report)))
            self.ssh_problems.set_problems([])  # the report's own problems are in its view
            self._show_vm_native()
        else:
            self.test_result.setText(self.tr("✔ Connected: %1").replace("%1", self.report_summary(report)))
            self.ssh_problems.set_problems(list(report.problems) + self._image_problems(report))
        self.ctx.settings.add_recent_host(RecentHost(self.state.ssh_host, self.state.ssh_user, self.state.ssh_port,
                                                     self.state.ssh_key_path))
        host_key = RecentHost(self.state.ssh_host, self.state.ssh_user, self.state.ssh_port).key
        if self._password and self.remember.isChecked():
            if not self.ctx.secrets.set(host_key, self._password):
                from wizard.core.messages import problem

                self.ssh_problems.set_problems([problem("keychain_unavailable", "warning",
                                                        detail=self.ctx.secrets.available()[1])])
        elif not self.remember.isChecked():
            self.ctx.secrets.delete(host_key)
        self.ctx.save_settings()
        self.changed.emit()

    def report_summary(self, report) -> str:
        """The VM in one line: the system, free disk, Docker, the toolchain image."""
        facts = report.facts
        system = " ".join(x for x in (facts.distro or facts.os, facts.distro_version) if x)
        parts = [f"{report.target} ({system}, {facts.arch})" if system else report.target]
        if facts.free_kb is not None:
            parts.append(self.tr("%1 GB free").replace("%1", f"{facts.free_kb / 1e6:.0f}"))
        parts.append(self.tr("Docker ready") if facts.docker_usable else self.tr("Docker not usable yet"))
        if report.image_present is not None:
            parts.append(self.tr("toolchain image present") if report.image_present
                         else self.tr("toolchain image missing"))
        return "; ".join(parts)

    def native_summary(self, report) -> str:
        """The VM in one line, as the native check saw it: the system and its architecture."""
        base = report.facts.base if report.facts is not None else None
        system = " ".join(x for x in (base.distro or base.os, base.distro_version) if x) if base else ""
        return f"{report.where} ({system}, {base.arch})" if system else report.where

    def _show_vm_native(self) -> None:
        s = self.state
        tested = (s.ssh_tested_for == s.ssh_target and s.ssh_tested_toolchain == rules.TOOLCHAIN_NATIVE)
        self.vm_native_view.show_report(s.ssh_native_report if tested else None, s.ssh_native_setup_consent,
                                        s.ssh_native_env_consent)

    def _image_problems(self, report) -> list:
        if report.image_present is not False:
            return []
        from wizard.core.messages import problem

        return [problem("vm_image_missing", "warning", image=report.image, target=report.target)]

    async def confirm_fingerprint(self, host: str, port: int, fingerprint: str) -> bool:
        """First connection to a host: the user compares the fingerprint with what the VM shows."""
        box = QMessageBox(self)
        box.setObjectName("hostKeyDialog")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("New machine"))
        box.setText(self.tr("This is the first connection to %1. Is this its fingerprint?")
                    .replace("%1", f"{host}:{port}"))
        box.setInformativeText(fingerprint + "\n\n" + self.tr(
            "Your cloud provider's console shows it (ssh-keygen -lf on the machine). If it differs, "
            "do not connect."))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self.host_key_dialog = box  # tests and the tour answer it
        return await ask(box) == QMessageBox.StandardButton.Yes

    def _show_ssh(self) -> None:
        s = self.state
        self._show_vm_native()
        if s.ssh_tested_for and s.ssh_tested_for == s.ssh_target and s.ssh_tested_toolchain == s.ssh_toolchain:
            return
        self.test_result.setText("")
