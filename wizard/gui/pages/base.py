"""What every page has: a title, a short explanation, and a body; retranslated live."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from wizard.gui.context import AppContext
from wizard.gui.widgets import wrapped_label


class Page(QWidget):
    page_id = ""
    # The user changed something the flow looks at: the window re-asks the flow for problems.
    changed = Signal()
    # The page wants to move on by itself (e.g. "New conversion" on the welcome page).
    request_next = Signal()

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName(f"page_{self.page_id}")
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)
        self.intro = wrapped_label(object_name="pageIntro")
        outer = QVBoxLayout(self)
        outer.addWidget(self.title)
        outer.addWidget(self.intro)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)

    @property
    def state(self):
        return self.ctx.flow.state

    def retranslate(self) -> None:  # each page sets its texts here (called on LanguageChange)
        pass

    def on_enter(self) -> None:
        pass

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
