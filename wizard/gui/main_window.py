"""The wizard window: step list, the current page, its problems, Back and Next.

It only mirrors wizard.core.app.wizard_flow: which page shows, whether Next and Back are enabled and why
not (the problems, rendered with their fixes) all come from the flow.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from wizard.core.app import wizard_flow as rules
from wizard.core.app.wizard_flow import PAGES
from wizard.core.messages import Problem
from wizard.gui.async_tools import ask
from wizard.gui.context import AppContext
from wizard.gui.i18n import LANGUAGES, TRANSLATIONS
from wizard.gui.pages.base import Page
from wizard.gui.pages.convert import ConvertPage
from wizard.gui.pages.device import DevicePage
from wizard.gui.pages.images import ImagesPage
from wizard.gui.pages.model import ModelPage
from wizard.gui.pages.results import ResultsPage
from wizard.gui.pages.target import TargetPage
from wizard.gui.pages.welcome import WelcomePage
from wizard.gui.pages.where import WherePage
from wizard.gui.widgets import ProblemList
from wizard.resources import resource_path

log = logging.getLogger(__name__)

PAGE_CLASSES = {
    "welcome": WelcomePage,
    "model": ModelPage,
    "images": ImagesPage,
    "target": TargetPage,
    "where": WherePage,
    "convert": ConvertPage,
    "results": ResultsPage,
    "device": DevicePage,
}


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        ctx.report_problem = self.show_problem
        self.setObjectName("mainWindow")
        icon = resource_path("icons", "app.png")
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))
        self.resize(1000, 760)

        # Header: name and language switch.
        self.app_title = QLabel()
        self.app_title.setObjectName("appTitle")
        self.language = QComboBox()
        self.language.setObjectName("languageCombo")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(TRANSLATIONS.language))
        self.language.currentIndexChanged.connect(lambda _: self.set_language(self.language.currentData()))
        header = QHBoxLayout()
        header.addWidget(self.app_title, 1)
        self.language_label = QLabel()
        header.addWidget(self.language_label)
        header.addWidget(self.language)

        # Left: the steps.
        self.steps = QListWidget()
        self.steps.setObjectName("stepList")
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        # Bounded, not fixed: long translations wrap instead of widening or being cut.
        self.steps.setWordWrap(True)
        self.steps.setMinimumWidth(170)
        self.steps.setMaximumWidth(260)
        for _ in PAGES:
            self.steps.addItem("")

        # Centre: the pages, each scrollable so long texts never cut the window.
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        for page_id in PAGES:
            page = PAGE_CLASSES[page_id](ctx)
            page.changed.connect(self.refresh)
            page.request_next.connect(self.go_next)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
            self.pages[page_id] = page
        self.convert_page.finished.connect(lambda ok: self.refresh())
        self.welcome_page.reattach_requested.connect(self.reattach)
        self.welcome_page.kit_requested.connect(self.pick_kit)

        # File > Open workshop kit…; a kit dropped on the window opens the same way.
        self.file_menu = self.menuBar().addMenu("")
        self.open_kit_action = QAction(self)
        self.open_kit_action.setObjectName("openKitAction")
        self.open_kit_action.triggered.connect(self.pick_kit)
        self.file_menu.addAction(self.open_kit_action)
        self.make_kit_action = QAction(self)  # the instructor's make-kit (kit_maker_dialog.py)
        self.make_kit_action.setObjectName("makeKitAction")
        self.make_kit_action.triggered.connect(self.show_kit_maker)
        self.file_menu.addAction(self.make_kit_action)
        self.room_status_action = QAction(self)  # the instructor's view of the room (room_status.py)
        self.room_status_action.setObjectName("roomStatusAction")
        self.room_status_action.triggered.connect(self.show_room_status)
        self.file_menu.addAction(self.room_status_action)
        self.setAcceptDrops(True)

        # Bottom: why Next is not available yet, and the buttons.
        self.problems = ProblemList()
        self.problems.setObjectName("pageProblems")
        self.restart_button = QPushButton()
        self.restart_button.clicked.connect(self.restart)
        self.back_button = QPushButton()
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton()
        self.next_button.setObjectName("nextButton")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restart_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)

        right = QVBoxLayout()
        right.addWidget(self.stack, 1)
        right.addWidget(self.problems)
        right.addLayout(buttons)
        middle = QHBoxLayout()
        middle.addWidget(self.steps)
        middle.addLayout(right, 1)
        outer = QVBoxLayout()
        outer.addLayout(header)
        outer.addLayout(middle, 1)
        central = QWidget()
        central.setLayout(outer)
        self.setCentralWidget(central)

        ctx.flow.listeners.append(lambda page: self.show_page())
        self._close_confirmed = False
        self.retranslate()
        self.show_page()

    # -- pages -----------------------------------------------------------------------------------
    @property
    def welcome_page(self) -> WelcomePage:
        return self.pages["welcome"]  # type: ignore[return-value]

    @property
    def convert_page(self) -> ConvertPage:
        return self.pages["convert"]  # type: ignore[return-value]

    def page(self, page_id: str) -> Page:
        return self.pages[page_id]

    def current_page(self) -> Page:
        return self.pages[self.ctx.flow.current]

    def show_page(self) -> None:
        current = self.ctx.flow.current
        self.stack.setCurrentIndex(PAGES.index(current))
        self.current_page().on_enter()
        self.refresh()

    def refresh(self) -> None:
        flow = self.ctx.flow
        problems = flow.problems()
        # The page list shows every problem with its fix; Next waits on the blocking ones.
        self.problems.set_problems(problems)
        self.next_button.setEnabled(flow.can_next())
        self.next_button.setVisible(flow.next_page() is not None)
        self.back_button.setEnabled(flow.can_back())
        self.restart_button.setVisible(flow.current not in ("welcome",))
        self.restart_button.setEnabled(flow.state.job_status != rules.JOB_RUNNING)
        visited = set(flow.visited())
        for index, page_id in enumerate(PAGES):
            item = self.steps.item(index)
            font = item.font()
            font.setBold(page_id == flow.current)
            item.setFont(font)
            enabled = page_id in visited or page_id == flow.current
            item.setForeground(self.palette().text() if enabled else self.palette().placeholderText())
        self._update_next_text()

    def _update_next_text(self) -> None:
        current = self.ctx.flow.current
        texts = {
            "welcome": self.tr("Next"),
            "where": self.tr("Next: convert"),
            "convert": self.tr("See the results"),
            "results": self.tr("Next: put it on the camera"),
        }
        self.next_button.setText(texts.get(current, self.tr("Next")))

    def go_next(self) -> None:
        flow = self.ctx.flow
        if not flow.can_next():
            return
        target = flow.next()  # listeners show the page
        if target == "convert" and flow.state.job_status == rules.JOB_IDLE:
            self.convert_page.start()  # Next on "where" means "convert now"

    def go_back(self) -> None:
        if self.ctx.flow.can_back():
            self.ctx.flow.back()

    def restart(self) -> None:
        if self.ctx.flow.state.job_status == rules.JOB_RUNNING:
            return
        self.ctx.flow.restart()
        if self.ctx.kit is not None:  # a workshop's next conversion starts from its kit again
            from wizard.gui.workshop_kit import apply_kit

            apply_kit(self.ctx.kit, self.ctx.flow.state, self.ctx.settings)
        for page in self.pages.values():
            page.retranslate()

    # -- workshop kits ---------------------------------------------------------------------------
    def pick_kit(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open workshop kit"), "",
                                              self.tr("Workshop kit (*.rcwkit)"))
        if path:
            self.open_kit(path)

    def open_kit(self, path: str):
        """Open a kit (menu, drop, --kit): read off the loop; refused = its message, nothing changes."""
        return self.ctx.spawn(self._open_kit(str(path)), name="open-kit")

    async def _open_kit(self, path: str) -> None:
        from wizard.core.messages import WizardError
        from wizard.gui.async_tools import run_blocking
        from wizard.gui.workshop_kit import apply_kit, read_kit

        if self.ctx.flow.state.job_status == rules.JOB_RUNNING:
            return  # a running conversion keeps its options; the kit can be opened after it
        try:
            kit = await run_blocking(read_kit, path)
        except WizardError as exc:
            self.show_problem(exc.problem)
            return
        self.ctx.kit = kit
        self.ctx.flow.restart()  # a fresh conversion, the kit's choices on every page
        apply_kit(kit, self.ctx.flow.state, self.ctx.settings)
        if kit.content.language and kit.content.language != TRANSLATIONS.language:
            self.set_language(kit.content.language)
        self.ctx.save_settings()
        for page in self.pages.values():
            page.retranslate()
        device = self.pages["device"]
        for edit, value in ((getattr(device, "address_edit", None), kit.content.camera.host),
                            (getattr(device, "user_edit", None), kit.content.camera.user)):
            if edit is not None:
                edit.setText(value)
        self.retranslate()
        self.go_next()  # to the model page: the attendee picks their model and pictures

    def show_room_status(self):
        from wizard.gui.room_status import open_room_status

        return open_room_status(self)

    def show_kit_maker(self):
        from wizard.gui.kit_maker_dialog import open_kit_maker

        return open_kit_maker(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        from wizard.gui.workshop_kit import is_kit_path

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) == 1 and is_kit_path(urls[0].toLocalFile()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        from wizard.gui.workshop_kit import is_kit_path

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) == 1 and is_kit_path(urls[0].toLocalFile()):
            event.acceptProposedAction()
            self.open_kit(urls[0].toLocalFile())
        else:
            event.ignore()

    def reattach(self) -> None:
        job_record = self.ctx.settings.active_job
        if job_record is None:
            return
        if job_record.backend == "workshop" and self._workshop_password_needed():
            self.ctx.spawn(self._ask_workshop_password_then_reattach(), name="workshop-password")
            return
        ssh = workshop = None
        if job_record.backend in ("ssh", "ssh-native") and self.ctx.settings.recent_hosts:
            from wizard.gui.services import SshDetails

            host = self.ctx.settings.recent_hosts[0]
            ssh = SshDetails(host.host, host.user, host.port, host.key_path, password=self.ctx.secrets.get(host.key))
        elif job_record.backend == "workshop":
            workshop = self._workshop_sign_in()
        try:
            job = self.ctx.services.reattach(job_record.run_dir, ssh, workshop)
        except Exception as exc:  # noqa: BLE001 - a stale record is a message, not a crash
            from wizard.core.messages import WizardError

            self.ctx.settings.active_job = None
            self.ctx.save_settings()
            if isinstance(exc, WizardError):
                self.show_problem(exc.problem)
            self.welcome_page.on_enter()
            return
        self.ctx.flow.reattach(job_record.run_dir)
        self.convert_page.attach(job)
        if job_record.backend == "workshop" and self.ctx.kit is None:
            self.ctx.spawn(self._reopen_kit_of(job_record.run_dir), name="reattach-kit")

    async def _reopen_kit_of(self, run_dir: str) -> None:
        """A workshop run re-attached in a new session: its kit is the window's again (its title,
        its locks and its camera for the next conversion). A kit file that is gone or changed
        leaves the window without one; the run itself goes on with the kit it started with."""
        from wizard.gui.async_tools import run_blocking

        kit = await run_blocking(self.ctx.services.kit_of_run, run_dir)
        if kit is not None and self.ctx.kit is None:
            self.ctx.kit = kit
            self.retranslate()

    def _workshop_password_needed(self) -> bool:
        from wizard.core.app.wizard_flow import SIGN_IN_PASSWORD

        return self.ctx.settings.workshop_sign_in == SIGN_IN_PASSWORD and not self.ctx.workshop_password

    async def _ask_workshop_password_then_reattach(self) -> None:
        """A workshop run signed in with a password: the password was kept only in memory, so
        ask for it again (without a nested event loop), then reconnect."""
        import asyncio

        from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit

        dialog = QInputDialog(self)
        dialog.setObjectName("workshopPasswordDialog")
        dialog.setWindowTitle(self.tr("reCamera Model Wizard"))
        dialog.setLabelText(self.tr("To reconnect, type the password of the workshop's server again:"))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        answer: asyncio.Future = asyncio.get_running_loop().create_future()
        dialog.finished.connect(lambda result: answer.done() or answer.set_result(result))
        self.workshop_password_dialog = dialog  # tests answer it
        dialog.open()
        if int(await answer) != QDialog.DialogCode.Accepted.value or not dialog.textValue():
            return
        self.ctx.workshop_password = dialog.textValue()
        self.reattach()

    def _workshop_sign_in(self):
        """How to sign in to the room's server again: as on the Where page (the key file is in the
        settings; a password only while the wizard is open)."""
        from wizard.core.app.wizard_flow import SIGN_IN_PASSWORD
        from wizard.gui.services import WorkshopCredentials

        settings, password = self.ctx.settings, self.ctx.workshop_password
        if settings.workshop_sign_in == SIGN_IN_PASSWORD:
            return WorkshopCredentials(password=password)
        return WorkshopCredentials(key_path=settings.workshop_key_path, key_passphrase=password)

    # -- language --------------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        TRANSLATIONS.set_language(lang)
        self.ctx.settings.language = lang
        self.ctx.save_settings()
        # LanguageChange reaches every widget, but be explicit: pages re-read their texts now.
        self.retranslate()
        for page in self.pages.values():
            page.retranslate()
        self.problems._render()
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("reCamera Model Wizard"))
        self.app_title.setText(self.tr("reCamera Model Wizard"))
        self.language_label.setText(self.tr("Language:"))
        names = {
            "welcome": self.tr("Welcome"),
            "model": self.tr("Model"),
            "images": self.tr("Calibration pictures"),
            "target": self.tr("Target and options"),
            "where": self.tr("Where to run"),
            "convert": self.tr("Convert"),
            "results": self.tr("Results"),
            "device": self.tr("Camera"),
        }
        for index, page_id in enumerate(PAGES):
            self.steps.item(index).setText(f"{index + 1}. {names[page_id]}")
        self.back_button.setText(self.tr("Back"))
        self.restart_button.setText(self.tr("Start over"))
        self.file_menu.setTitle(self.tr("&File"))
        self.open_kit_action.setText(self.tr("Open workshop kit…"))
        self.make_kit_action.setText(self.tr("Make a workshop kit…"))
        self.room_status_action.setText(self.tr("Workshop room status…"))
        title = self.tr("reCamera Model Wizard")
        if self.ctx.kit is not None:
            title = f"{title} — {self.ctx.kit.title}"
        self.setWindowTitle(title)
        self._update_next_text()
        index = self.language.findData(TRANSLATIONS.language)
        if index >= 0 and index != self.language.currentIndex():
            self.language.blockSignals(True)
            self.language.setCurrentIndex(index)
            self.language.blockSignals(False)

    # -- messages and closing --------------------------------------------------------------------
    def show_problem(self, problem: Problem) -> None:
        """A problem with no better place: a non-blocking dialog with the cause and the next step."""
        import shiboken6

        if not shiboken6.isValid(self):
            return  # a late task after the window was closed and deleted: nothing to show it in
        message, fix = problem.text()
        box = QMessageBox(self)
        box.setObjectName("problemDialog")
        box.setIcon(QMessageBox.Icon.Warning if problem.is_error else QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("reCamera Model Wizard"))
        box.setText(message)
        box.setInformativeText(fix)
        box.open()
        self.last_problem_dialog = box

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._close_confirmed or self.ctx.flow.state.job_status != rules.JOB_RUNNING:
            self.ctx.save_settings()
            event.accept()
            return
        event.ignore()
        self.ctx.spawn(self._confirm_close(), name="confirm-close")

    async def _confirm_close(self) -> None:
        box = QMessageBox(self)
        box.setObjectName("closeDialog")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("reCamera Model Wizard"))
        box.setText(self.tr("A conversion is running. Close the window anyway?"))
        box.setInformativeText(self.tr(
            "The conversion keeps running in the background; open the wizard again to see it finish."))
        box.setStandardButtons(QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel)
        self.close_dialog = box
        if await ask(box) == QMessageBox.StandardButton.Close:
            self._close_confirmed = True
            self.convert_page.detach()
            self.ctx.save_settings()  # keeps settings.active_job: the next start offers to reconnect
            self.close()
