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


def make_application(argv: list[str] | None = None):
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from wizard.resources import resource_path

    _ensure_qt_platform()
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
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
    return MainWindow(ctx)


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
