"""The native check's report, as the Where page shows it for this computer and for the VM.

What the check found (Python, memory, disk, the environment), its problems with their fixes, and
its two questions: the apt-get set-up with the exact commands (a consent, and for this computer
a password for sudo unless the app runs as root) and the environment to make (a consent). The
rules (what blocks, which consent is missing) are the flow's; this view only shows the report and
hands the user's answers to the page.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QFormLayout, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from wizard.core import messages
from wizard.core.app import wizard_flow as rules
from wizard.gui.widgets import ProblemList, wrapped_label


class NativeReportView(QWidget):
    # The user answered a question: (agreed to the set-up, agreed to make the environment).
    consents_changed = Signal(bool, bool)
    password_changed = Signal(str)

    def __init__(self, *, ask_password: bool, parent: QWidget | None = None):
        """``ask_password``: this computer's sudo password is asked here (the VM's sudo gets the
        SSH password entered above)."""
        super().__init__(parent)
        self.ask_password = ask_password
        self.report = None
        self._setting = False  # the page is setting the boxes: not the user's answer
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = wrapped_label(object_name="nativeSummary")
        self.facts = wrapped_label(object_name="nativeFacts")
        self.problems = ProblemList()
        layout.addWidget(self.summary)
        layout.addWidget(self.facts)
        layout.addWidget(self.problems)

        self.setup_box = QFrame()
        self.setup_box.setObjectName("problem_info")
        setup = QVBoxLayout(self.setup_box)
        self.setup_question = wrapped_label(object_name="setupQuestion")
        self.setup_reasons = wrapped_label(object_name="setupReasons")
        self.setup_fix = wrapped_label(object_name="setupFix")
        self.setup_commands = QLabel()
        self.setup_commands.setObjectName("setupCommands")
        self.setup_commands.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setup_commands.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setup_commands.setWordWrap(True)
        self.setup_consent = QCheckBox()
        self.setup_consent.setObjectName("nativeSetupConsent")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("sudoPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label = QLabel()
        self.password_row = QWidget()
        password_form = QFormLayout(self.password_row)
        password_form.setContentsMargins(0, 0, 0, 0)
        password_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        password_form.addRow(self.password_label, self.password_edit)
        self.sudo_note = wrapped_label(object_name="sudoNote")
        for widget in (self.setup_reasons, self.setup_question, self.setup_commands, self.setup_fix, self.setup_consent, self.password_row,
                       self.sudo_note):
            setup.addWidget(widget)
        layout.addWidget(self.setup_box)

        self.env_box = QFrame()
        self.env_box.setObjectName("problem_info")
        env = QVBoxLayout(self.env_box)
        self.env_question = wrapped_label(object_name="environmentQuestion")
        self.env_consent = QCheckBox()
        self.env_consent.setObjectName("nativeEnvConsent")
        env.addWidget(self.env_question)
        env.addWidget(self.env_consent)
        layout.addWidget(self.env_box)

        self.setup_consent.toggled.connect(self._answered)
        self.env_consent.toggled.connect(self._answered)
        self.password_edit.textEdited.connect(self.password_changed.emit)
        self.retranslate()
        self.show_report(None)

    # -- texts -------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setup_consent.setText(self.tr("Let the wizard run these commands"))
        self.env_consent.setText(self.tr("Create the environment"))
        self.password_label.setText(self.tr("Password for sudo"))
        self.password_edit.setPlaceholderText(self.tr("leave empty if sudo asks for none"))
        self.show_report(self.report, self.setup_consent.isChecked(), self.env_consent.isChecked())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _problem_text(self, found) -> str:
        message, fix = found.text(messages.current_language())
        return f"{message}\n→ {fix}" if fix else message

    # -- showing -------------------------------------------------------------------------------------
    def show_checking(self, text: str) -> None:
        self.summary.setText(text)
        self.facts.setText("")

    def show_report(self, report, setup_consent: bool = False, env_consent: bool = False) -> None:
        """Show a check's report (None: nothing checked yet) with the consents already given."""
        self.report = report
        self._setting = True
        try:
            self.setup_consent.setChecked(setup_consent)
            self.env_consent.setChecked(env_consent)
        finally:
            self._setting = False
        if report is None:
            self.summary.setText("")
            self.facts.setText("")
            self.problems.set_problems([])
            self.setup_box.setVisible(False)
            self.env_box.setVisible(False)
            return
        # What the offered set-up fixes is not a dead end: it is the set-up question's "why".
        shown = [p for p in report.problems if not rules.fixed_by_setup(report, p)]
        self.problems.set_problems([*shown, *([report.setup.unsupported] if report.setup.unsupported else [])])
        self.facts.setText(self.facts_text(report))
        self._show_setup(report)
        self._show_environment(report)
        self._show_summary()

    def _show_setup(self, report) -> None:
        question = report.setup_question
        self.setup_box.setVisible(question is not None)
        if question is None:
            return
        # The commands are shown one a line below the question, not run together in it.
        lang = messages.current_language()
        reasons = [p.text(lang)[0] for p in report.problems if rules.fixed_by_setup(report, p)]
        self.setup_reasons.setText("\n".join(f"• {reason}" for reason in reasons))
        self.setup_reasons.setVisible(bool(reasons))
        message, fix = replace(question, params={**question.params, "commands": ""}).text(lang)
        self.setup_question.setText(message.rstrip())
        self.setup_commands.setText("\n".join(report.setup_commands))
        self.setup_fix.setText(f"→ {fix}" if fix else "")
        as_root = report.facts is not None and report.facts.base.is_root
        self.password_row.setVisible(self.ask_password and not as_root)
        self.sudo_note.setVisible(not as_root)
        self.sudo_note.setText(
            self.tr("The password goes only to sudo, once, and is never stored.") if self.ask_password
            else self.tr("sudo on the machine gets the password entered above (leave it empty if sudo asks for none there)."))

    def _show_environment(self, report) -> None:
        needed = rules.native_needs_environment(report)
        self.env_box.setVisible(needed)
        if not needed:
            return
        if report.environment_question is not None:
            self.env_question.setText(self._problem_text(report.environment_question))
        else:  # the set-up installs the Python first: the environment has no path to name yet
            from wizard.core.runners.native import environment as envs

            self.env_question.setText(self.tr(
                "After the set-up, the wizard creates a Python environment with TPU-MLIR there: it downloads "
                "about %1 MB from PyPI and uses about %2 GB of disk. This takes a few minutes, once.")
                .replace("%1", str(envs.DOWNLOAD_MB)).replace("%2", str(envs.INSTALLED_GB)))

    def _show_summary(self) -> None:
        report = self.report
        if report is None:
            return
        if rules.native_blockers(report):
            text = self.tr("✖ Not ready yet: see what to do below, then check again.")
        elif rules.native_problems(report, setup_consent=self.setup_consent.isChecked(),
                                   env_consent=self.env_consent.isChecked()):
            text = self.tr("Ready once you agree below.")
        else:
            text = self.tr("✔ Ready to convert without Docker.")
        self.summary.setText(text)

    def facts_text(self, report) -> str:
        """What the check found, in one line: Python, memory, disk, the environment."""
        facts = report.facts
        parts = []
        python = report.environment.python if report.environment is not None else None
        found = facts.python() if facts is not None else None
        if found is not None:
            parts.append(self.tr("Python %1 (%2)").replace("%1", found.version).replace("%2", python or found.path))
        elif report.environment_state != "own":
            parts.append(self.tr("no Python 3.10 found"))
        # In the units of the core's memory and disk messages, so the numbers agree with them.
        if facts is not None and facts.mem_total_kb:
            parts.append(self.tr("%1 GB memory").replace("%1", f"{facts.mem_total_kb * 1024 / 1e9:.1f}"))
        if facts is not None and facts.root_free_kb is not None:
            parts.append(self.tr("%1 GB free").replace("%1", f"{facts.root_free_kb / 1024 / 1024:.0f}"))
        state = report.environment_state
        version = report.environment.tpu_mlir_version if report.environment is not None else ""
        if state == "complete":
            parts.append(self.tr("TPU-MLIR %1 environment ready").replace("%1", version))
        elif state == "own":
            parts.append(self.tr("your own TPU-MLIR"))
        elif state in ("absent", "partial"):
            parts.append(self.tr("TPU-MLIR %1 environment not made yet").replace("%1", version))
        return " · ".join(parts)

    # -- answers ----------------------------------------------------------------------------------
    def _answered(self, _checked: bool) -> None:
        if self._setting:
            return
        self._show_summary()
        self.consents_changed.emit(self.setup_consent.isChecked(), self.env_consent.isChecked())
