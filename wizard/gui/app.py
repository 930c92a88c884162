"""Start the wizard window: QApplication + qasync loop, translations, style, error hook."""

from __future__ import annotations

import asyncio
import os
import sys

from wizard.core.app import wizard_flow as rules
from wizard.core.app.wizard_flow import WizardFlow
from wizard.core.app.settings import SettingsStore


def _ensure_qt_platform() -> None:
    # A Linux session without a display (CI, SSH): draw offscreen instead of failing to start.
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class KitFileOpens:
    """macOS sends a double-clicked .rcwkit (or one dropped on the Dock icon) to the running app
    as a QFileOpenEvent, not as argv; Windows passes ``--kit PATH`` (the installer's ProgID) and
    needs nothing here. An application-wide event filter hands each kit to the newest window's
    open_kit, the same path as File > Open workshop kit…; kits that arrive before the window
    exists (the event that launched the app) wait for it. Installed on macOS only: every Qt
    event of the app passes through the filter, a cost for nothing where the OS never sends one."""

    def __init__(self, app):
        from PySide6.QtCore import QEvent, QObject

        file_open = QEvent.Type.FileOpen
        owner = self

        class Filter(QObject):
            def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
                return event.type() == file_open and owner.offer(event.file())

        self.app = app
        self.filter = Filter(app)
        self._window = None  # a weak reference: a closed window is not kept alive
        self.pending: list[str] = []
        app.installEventFilter(self.filter)

    def window(self):
        import shiboken6

        window = self._window() if self._window is not None else None
        return window if window is not None and shiboken6.isValid(window) else None

    def offer(self, path: str) -> bool:
        from wizard.gui.workshop_kit import is_kit_path

        if not is_kit_path(path):
            return False  # not a kit: Qt's own handling
        window = self.window()
        if window is None:
            self.pending.append(path)
        else:
            window.open_kit(path)
        return True

    def attach(self, window) -> None:
        import weakref

        self._window = weakref.ref(window)
        waiting, self.pending = self.pending, []
        for path in waiting:
            window.open_kit(path)

    def remove(self) -> None:
        self.app.removeEventFilter(self.filter)


kit_file_opens: KitFileOpens | None = None


def install_kit_file_opens(app) -> KitFileOpens:
    """Handle the OS's file-open events on ``app`` (once); build_window attaches each new window."""
    import shiboken6

    global kit_file_opens
    if kit_file_opens is None or not shiboken6.isValid(kit_file_opens.filter) or kit_file_opens.app is not app:
        kit_file_opens = KitFileOpens(app)
    return kit_file_opens


def make_application(argv: list[str] | None = None):
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from wizard.resources import resource_path

    _ensure_qt_platform()
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    if sys.platform == "darwin":
        install_kit_file_opens(app)
    app.setApplicationName("reCamera Model Wizard")
    app.setOrganizationName("reCamera Model Wizard")
    icon = resource_path("icons", "app.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    style = resource_path("styles", "wizard.qss")
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def build_window(*, services=None, store: SettingsStore | None = None, lang: str | None = None):
    """The main window over a fresh flow; tests and the tour pass their own services/store."""
    from wizard.gui.context import AppContext
    from wizard.gui.i18n import TRANSLATIONS, os_language
    from wizard.gui.main_window import MainWindow
    from wizard.gui.services import Services

    store = store or SettingsStore()
    settings = store.load()
    TRANSLATIONS.set_language(lang or settings.language or os_language())
    ctx = AppContext(flow=WizardFlow(), services=services or Services(), store=store, settings=settings)
    ctx.flow.state.where = rules.remembered_where(settings.where, ctx.flow.state.os_kind)
    window = MainWindow(ctx)
    if kit_file_opens is not None:  # the newest window opens the kits the OS hands the app
        kit_file_opens.attach(window)
    return window


def run_app(lang: str | None = None, kit: str | None = None) -> int:
    """The window; ``kit``: a workshop kit to open at once (``recamera-wizard --kit KIT``)."""
    import qasync

    from wizard.gui.errors import asyncio_exception_handler, install_excepthook, setup_logging

    setup_logging()
    install_excepthook()
    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(asyncio_exception_handler)
    window = build_window(lang=lang)
    window.show()
    if kit:
        window.open_kit(kit)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
