"""Workshop > Room status…: the instructor's view of the room, as ``workshop status`` prints it.

For the kit opened in the window (or a kit file picked here), the status is fetched off the event
loop through ``Services.room_status`` (the core's fetch_status, with the kit's pinned host key and
the login typed here: a key file and/or a password, kept in memory only) and shown as a table:
every attendee's job (ticket, name, model, state in words: waiting with its place in line /
running with its step / done with its verdict / failed with its cause, elapsed and waited time)
and the server's load in one line. It refreshes by itself every few seconds while the dialog is
open; after a failure it waits for the Refresh button (a wrong password is not retried in a loop)
and shows the catalogue's message with its fix, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import time

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard.core.messages import Problem, WizardError, problem, render
from wizard.gui.async_tools import run_blocking
from wizard.gui.services import one_field_login
from wizard.gui.widgets import choose_file_into

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5
COLUMNS = ("ticket", "attendee", "model", "state", "elapsed", "waited")
STATE_COLOURS = {"waiting": "#9a6700", "running": "#0969da", "done": "#1a7f37", "failed": "#cf222e",
                 "vanished": "#cf222e", "cancelled": "#6e7781", "starting": "#6e7781"}


def duration_text(seconds: float | None) -> str:
    """45 s, 3 min 05 s, 1 h 02 min ('' when unknown)."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    if total < 60:
        return QCoreApplication.translate("RoomStatusDialog", "%1 s").replace("%1", str(total))
    if total < 3600:
        text = QCoreApplication.translate("RoomStatusDialog", "%1 min %2 s")
        return text.replace("%1", str(total // 60)).replace("%2", f"{total % 60:02d}")
    text = QCoreApplication.translate("RoomStatusDialog", "%1 h %2 min")
    return text.replace("%1", str(total // 3600)).replace("%2", f"{total % 3600 // 60:02d}")


class RoomStatusDialog(QDialog):
    """Non-modal: the instructor keeps it open next to the window while the room converts."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("roomStatusDialog")
        self.resize(980, 600)
        self.kit = ctx.kit
        self.room = None  # the last RoomStatus shown
        self.problem: Problem | None = None  # the last failure shown (None after a success)
        self.fetches = 0  # finished fetches, successful or not (tests and the tour wait on it)
        self._task: asyncio.Task | None = None
        self._updated_at: float | None = None

        self.kit_label = QLabel()
        self.kit_label.setObjectName("roomKit")
        self.kit_label.setWordWrap(True)
        self.choose_kit_button = QPushButton()
        self.choose_kit_button.setObjectName("roomChooseKit")
        self.choose_kit_button.clicked.connect(self.pick_kit)
        kit_row = QHBoxLayout()
        kit_row.addWidget(self.kit_label, 1)
        kit_row.addWidget(self.choose_kit_button)

        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("roomKeyFile")
        self.key_button = QPushButton()
        self.key_button.clicked.connect(self.pick_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_button)
        self.password_edit = QLineEdit()  # memory only: never saved, never logged
        self.password_edit.setObjectName("roomPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.login_hint = QLabel()
        self.login_hint.setWordWrap(True)
        self.login_hint.setObjectName("helpText")
        # A room with one account per attendee: the workshop is root's, so the instructor's login.
        self.login_edit = QLineEdit("root")
        self.login_edit.setObjectName("roomLogin")
        self.login_edit.setMaxLength(64)
        self.form = QFormLayout()
        self.login_label, self.key_label, self.password_label = QLabel(), QLabel(), QLabel()
        self.form.addRow(self.login_label, self.login_edit)
        self.form.addRow(self.key_label, key_row)
        self.form.addRow(self.password_label, self.password_edit)

        self.server_label = QLabel()
        self.server_label.setObjectName("roomServer")
        self.server_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("roomJobs")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("state"), QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("roomEmpty")
        self.error_label = QLabel()
        self.error_label.setObjectName("problem_error")  # the window's problem box (wizard.qss)
        self.error_label.setWordWrap(True)
        self.error_label.setMargin(8)
        self.error_label.hide()

        self.updated_label = QLabel()
        self.updated_label.setObjectName("helpText")
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("roomRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.updated_label, 1)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(kit_row)
        layout.addLayout(self.form)
        layout.addWidget(self.login_hint)
        layout.addWidget(self.server_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.error_label)
        layout.addLayout(bottom)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_SECONDS * 1000)
        self.timer.timeout.connect(self._auto_refresh)
        self.retranslate()

    # -- the kit and the login -------------------------------------------------------------------
    def set_kit(self, kit) -> None:
        self.kit = kit
        self.room = None
        self.problem = None
        self._render()

    def pick_kit(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Workshop kit of the room"), "",
                                              self.tr("Workshop kit (*.rcwkit)"))
        if path:
            self.ctx.spawn(self._read_kit(path), name="room-kit")

    async def _read_kit(self, path: str) -> None:
        from wizard.core.workshop.kit import read_kit

        try:
            kit = await run_blocking(read_kit, path)
        except WizardError as exc:
            self._show_problem(exc.problem)
            return
        self.set_kit(kit)
        self.refresh()

    def pick_key(self) -> None:
        choose_file_into(self, self.key_edit, self.tr("SSH private key"))

    def login(self) -> str | None:
        """The instructor's account, in a room with one account per attendee (else None: the kit's)."""
        if self.kit is None or not self.kit.server.per_attendee:
            return None
        return self.login_edit.text().strip() or None

    def credentials(self):
        """The login as the CLI's --key / --password-env give it (an SshCredentials; with a key
        file the password field is also the key's passphrase)."""
        return one_field_login(self.key_edit.text(), self.password_edit.text())

    # -- fetching ------------------------------------------------------------------------------
    @property
    def fetching(self) -> bool:
        return self._task is not None and not self._task.done()

    def refresh(self) -> asyncio.Task | None:
        """Fetch now (the button); None when there is no kit or a fetch is on its way."""
        if self.kit is None or self.fetching:
            return self._task if self.fetching else None
        self._task = self.ctx.spawn(self._fetch(self.kit, self.credentials(), self.login()), name="room-status")
        self._render_buttons()
        return self._task

    def _auto_refresh(self) -> None:
        if self.isVisible() and self.problem is None:
            self.refresh()

    async def _fetch(self, kit, credentials, login: str | None = None) -> None:
        import functools

        import shiboken6

        failure: Problem | None = None
        fetch = self.ctx.services.room_status
        if login is not None:
            fetch = functools.partial(fetch, login=login)
        try:
            room = await run_blocking(fetch, kit, credentials)
        except WizardError as exc:
            failure, room = exc.problem, None
        except Exception as exc:  # noqa: BLE001 - a message in the dialog, the details in the log
            from wizard.gui.errors import log_file

            log.error("room status failed", exc_info=exc)
            failure, room = problem("unexpected_error", detail=type(exc).__name__, log=str(log_file())), None
        finally:
            self.fetches += 1
        if not shiboken6.isValid(self):
            return  # closed with the window
        self._task = None
        if kit is not self.kit:  # another kit was chosen meanwhile: its status instead
            self.refresh()
            return
        if failure is not None:
            self._show_problem(failure)
            return
        self.room, self.problem, self._updated_at = room, None, time.time()
        self._render()

    def _show_problem(self, found: Problem) -> None:
        self.problem = found
        self._render()

    # -- showing -------------------------------------------------------------------------------
    def _render(self) -> None:
        self._render_kit()
        self._render_buttons()
        room = self.room
        if self.problem is not None:
            message, fix = self.problem.text()
            paused = self.tr("Updating by itself is paused: press Refresh to try again.")
            self.error_label.setText("\n".join(t for t in (message, fix, paused) if t))
            self.error_label.show()
        else:
            self.error_label.hide()
        self.server_label.setText(room.server_summary() if room is not None else "")
        self.server_label.setVisible(room is not None)
        jobs = room.jobs if room is not None else ()
        self.empty_label.setText(render("workshop_status_empty")[0])
        self.empty_label.setVisible(room is not None and not jobs)
        self.table.setRowCount(len(jobs))
        for row, job in enumerate(jobs):
            label = job.label()
            if job.state == "waiting" and job.position is not None:
                label += " " + self.tr("(place %1 in line)").replace("%1", str(job.position))
            cells = ["" if job.ticket is None else f"#{job.ticket}", job.attendee, job.model, label,
                     duration_text(job.elapsed), duration_text(job.waited)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if COLUMNS[column] == "state":
                    item.setForeground(QColor(STATE_COLOURS.get(job.state, "#24292f")))
                    item.setData(Qt.ItemDataRole.UserRole, job.state)
                self.table.setItem(row, column, item)
        if self._updated_at is not None:
            self.updated_label.setText(
                self.tr("Updated at %1; again every %2 s while this is open.")
                .replace("%1", time.strftime("%H:%M:%S", time.localtime(self._updated_at)))
                .replace("%2", str(REFRESH_SECONDS)))
        else:
            self.updated_label.setText("")

    def _render_kit(self) -> None:
        kit = self.kit
        self.form.setRowVisible(0, kit is not None and kit.server.per_attendee)
        if kit is None:
            self.kit_label.setText(self.tr("No workshop kit is open: choose the kit of the room."))
            return
        server = kit.server
        where = server.target
        if server.per_attendee:  # the attendees' logins are their own: the server is host and port
            where = server.ssh_target.address
        text = (self.tr("<b>%1</b><br>Server %2, workshop %3, %4 at once<br>Host key %5 (pinned by the kit)")
                .replace("%1", _escape(kit.title)).replace("%2", _escape(where))
                .replace("%3", _escape(server.workshop_id)).replace("%4", str(server.slots))
                .replace("%5", _escape(server.host_key_fingerprint)))
        if server.per_attendee:
            text += "<br>" + self.tr("One account per attendee (%1): nobody sees another's files.").replace(
                "%1", _escape(server.account_hint or "?"))
        self.kit_label.setText(text)
        self._render_login_hint()

    def _render_login_hint(self) -> None:
        if self.kit is not None and self.kit.server.per_attendee:
            self.login_hint.setText(self.tr(
                "Your own login on the room's server (root, or an account with sudo: the password field is "
                "sudo's password too), not an attendee's. With a key file, the password field is the key's "
                "passphrase. Kept in memory only."))
        else:
            self.login_hint.setText(self.tr(
                "The login of the room's server (yours or the attendees' account). With a key file, the password "
                "field is the key's passphrase. Kept in memory only."))

    def _render_buttons(self) -> None:
        self.refresh_button.setEnabled(self.kit is not None and not self.fetching)
        self.refresh_button.setText(self.tr("Refreshing…") if self.fetching else self.tr("Refresh"))

    def table_rows(self) -> list[list[str]]:
        """The table as shown (tests, the tour)."""
        return [[(self.table.item(r, c).text() if self.table.item(r, c) else "") for c in range(len(COLUMNS))]
                for r in range(self.table.rowCount())]

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Workshop room status"))
        self.choose_kit_button.setText(self.tr("Choose kit…"))
        self.login_label.setText(self.tr("Login:"))
        self.login_edit.setToolTip(self.tr(
            "Every attendee of this room has their own account: the room's status needs yours "
            "on the server (root, or an account with sudo)."))
        self.key_label.setText(self.tr("Key file:"))
        self.key_button.setText(self.tr("Browse…"))
        self.password_label.setText(self.tr("Password:"))
        self.key_edit.setPlaceholderText(self.tr("optional: your SSH agent and default keys are tried"))
        self._render_login_hint()
        self.table.setHorizontalHeaderLabels([self.tr("Ticket"), self.tr("Attendee"), self.tr("Model"), self.tr("State"),
                                              self.tr("Elapsed"), self.tr("Waited")])
        self._render()

    # -- Qt ------------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.timer.start()

    def hideEvent(self, event) -> None:  # noqa: N802
        self.timer.stop()
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_room_status(window) -> RoomStatusDialog:
    """Workshop > Room status…: one dialog per window, for the kit open in it (if any), fetching at once."""
    dialog = getattr(window, "room_status_dialog", None)
    if dialog is None:
        dialog = window.room_status_dialog = RoomStatusDialog(window.ctx, window)
    if window.ctx.kit is not None and dialog.kit is not window.ctx.kit:
        dialog.set_kit(window.ctx.kit)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.problem = None  # opening it again is asking again
    dialog.refresh()
    return dialog
