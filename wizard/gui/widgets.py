"""Small reusable widgets: problem list, live log, similarity chart, drop zone."""

from __future__ import annotations

import collections
import math
from pathlib import Path
from typing import Iterable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontDatabase, QPainter, QPen, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from wizard.core import messages
from wizard.core.messages import Problem


def choose_file_into(parent: QWidget, edit: QLineEdit, title: str, file_filter: str = "",
                     then=None) -> str:
    """An open-file dialog titled ``title`` (already translated by the caller); the file chosen
    goes into ``edit``, then ``then()`` runs. Returns the path, "" when the dialog was cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    if path:
        edit.setText(path)
        if then is not None:
            then()
    return path


def wrapped_label(text: str = "", *, object_name: str = "") -> QLabel:
    """A label that wraps: long Japanese or German strings must never widen the window."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if object_name:
        label.setObjectName(object_name)
    return label


_SEVERITY_GLYPH = {"error": "✖", "warning": "⚠", "info": "ℹ"}


class ProblemList(QWidget):
    """Problems rendered where they happen: the cause, then the next step, in the current language."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._problems: list[Problem] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)

    def set_problems(self, problems: Iterable[Problem]) -> None:
        problems = list(problems)
        if problems == self._problems:
            return
        self._problems = problems
        self._render()

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def texts(self) -> list[str]:
        """What the user reads (for tests): 'message → fix' per problem."""
        out = []
        for p in self._problems:
            message, fix = p.text(messages.current_language())
            out.append(f"{message} → {fix}" if fix else message)
        return out

    def _render(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        lang = messages.current_language()
        for p in self._problems:
            message, fix = p.text(lang)
            box = QFrame()
            box.setObjectName(f"problem_{p.severity}")
            box.setProperty("severity", p.severity)
            row = QHBoxLayout(box)
            row.setContentsMargins(8, 6, 8, 6)
            glyph = QLabel(_SEVERITY_GLYPH.get(p.severity, "•"))
            glyph.setObjectName("problemGlyph")
            glyph.setAlignment(Qt.AlignmentFlag.AlignTop)
            row.addWidget(glyph)
            text = wrapped_label(f"<b>{_escape(message)}</b>" + (f"<br>→ {_escape(fix)}" if fix else ""))
            text.setTextFormat(Qt.TextFormat.RichText)
            row.addWidget(text, 1)
            self._layout.addWidget(box)
        self.setVisible(bool(self._problems))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._render()  # problems carry codes, so they re-render in the new language
        super().changeEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LogView(QWidget):
    """A live log that stays smooth at thousands of lines per second.

    Lines are buffered and appended once per tick as one block of text; the view keeps at most
    ``max_blocks`` lines (QPlainTextEdit.maximumBlockCount) while the full history (bounded) stays
    in memory for search and copy.
    """

    FLUSH_MS = 100
    # Appending costs the text layout ~40 µs a line: past this many lines per tick (2,500 lines/s,
    # faster than anyone reads) the live view shows the newest ones and says how many it skipped.
    # Nothing is lost: search and copy work on the full history, and convert.log has every line.
    MAX_LIVE_LINES = 250
    # Re-filtering shows at most this many matching lines (the newest).
    MAX_FILTERED_LINES = 1000

    def __init__(self, parent: QWidget | None = None, *, max_blocks: int = 5000, history: int = 200_000):
        super().__init__(parent)
        self._lines: collections.deque[str] = collections.deque(maxlen=history)
        self._pending: list[str] = []
        self._filter = ""
        self._matches = 0
        self.skipped = 0  # lines not shown live because they came too fast (still searchable)
        self.filter_edit = QLineEdit()
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter)
        self.copy_button = QPushButton()
        self.copy_button.clicked.connect(self.copy_all)
        self.match_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.match_label)
        top.addWidget(self.copy_button)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setUndoRedoEnabled(False)  # an undo stack of a streaming log is pure cost
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setMaximumBlockCount(max_blocks)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setObjectName("logText")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(self.FLUSH_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.filter_edit.setPlaceholderText(QCoreApplication.translate("LogView", "Search the log…"))
        self.copy_button.setText(QCoreApplication.translate("LogView", "Copy log"))
        self._update_match_label()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def append_lines(self, lines: Sequence[str]) -> None:
        self._lines.extend(lines)
        self._pending.extend(lines)

    def clear(self) -> None:
        self._lines.clear()
        self._pending.clear()
        self.text.clear()

    def line_count(self) -> int:
        return len(self._lines)

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        if self._filter:
            needle = self._filter
            pending = [line for line in pending if needle in line.lower()]
            self._matches += len(pending)
            if not pending:
                self._update_match_label()
                return
        if len(pending) > self.MAX_LIVE_LINES:
            skipped = len(pending) - self.MAX_LIVE_LINES
            note = QCoreApplication.translate("LogView", "… %n line(s) not shown live (search or copy the log to see every line)",
                                              "", skipped)
            pending = [note, *pending[-self.MAX_LIVE_LINES:]]
            self.skipped += skipped
        bar = self.text.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        self.text.appendPlainText("\n".join(pending))
        if at_end:
            bar.setValue(bar.maximum())
        self._update_match_label()

    def _on_filter(self, text: str) -> None:
        self._filter = text.strip().lower()
        self._pending.clear()
        lines = list(self._lines)
        if self._filter:
            lines = [line for line in lines if self._filter in line.lower()]
        self._matches = len(lines)
        limit = min(self.text.maximumBlockCount() or len(lines), self.MAX_FILTERED_LINES)
        self.text.setPlainText("\n".join(lines[-limit:]))
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self._update_match_label()

    def _update_match_label(self) -> None:
        if self._filter:
            # Counted as lines arrive (not by re-scanning a history of 200,000 lines every tick).
            self.match_label.setText(QCoreApplication.translate("LogView", "%n matching line(s)", "", self._matches))
        else:
            self.match_label.setText("")

    def visible_text(self) -> str:
        return self.text.toPlainText()

    def copy_all(self) -> None:
        """Copy what matches the search (or the whole log): what a user pastes into a bug report."""
        lines = list(self._lines)
        if self._filter:
            lines = [line for line in lines if self._filter in line.lower()]
        QApplication.clipboard().setText("\n".join(lines))


class SimilarityChart(QWidget):
    """Bars of cosine similarity per compared tensor, worst first, with the pass line drawn."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._values: list[tuple[str, float, bool]] = []
        self._threshold: float | None = None
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_data(self, values: Sequence[tuple[str, float, bool]], threshold: float | None) -> None:
        self._values = sorted(values, key=lambda item: item[1])[:60]
        self._threshold = threshold
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(36, 8, -8, -20)
        palette = self.palette()
        painter.setPen(QPen(palette.color(palette.ColorRole.Mid)))
        painter.drawRect(rect)
        painter.setPen(QPen(palette.color(palette.ColorRole.WindowText)))
        painter.drawText(QRectF(0, rect.top() - 6, 32, 14), Qt.AlignmentFlag.AlignRight, "1.0")
        painter.drawText(QRectF(0, rect.bottom() - 8, 32, 14), Qt.AlignmentFlag.AlignRight, "0.0")
        caption = QCoreApplication.translate("SimilarityChart", "cosine similarity per tensor, worst first")
        painter.drawText(QRectF(rect.left(), rect.bottom() + 2, rect.width(), 16), Qt.AlignmentFlag.AlignLeft, caption)
        if not self._values:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter,
                             QCoreApplication.translate("SimilarityChart", "No comparison yet"))
            return
        n = len(self._values)
        gap = 2.0
        width = max(2.0, (rect.width() - gap * (n + 1)) / n)
        for i, (_, value, passed) in enumerate(self._values):
            v = 0.0 if math.isnan(value) else max(0.0, min(1.0, value))
            h = v * rect.height()
            x = rect.left() + gap + i * (width + gap)
            color = QColor("#2e9d57") if passed else QColor("#d64541")
            painter.fillRect(QRectF(x, rect.bottom() - h, width, h), color)
        if self._threshold is not None:
            y = rect.bottom() - self._threshold * rect.height()
            pen = QPen(QColor("#e08e0b"))
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setWidth(2)
            painter.setPen(pen)
            painter.drawLine(rect.left(), int(y), rect.right(), int(y))


class DropZone(QFrame):
    """A big target for dropping a file or a folder; the button next to it does the same."""

    dropped = Signal(str)

    def __init__(self, suffixes: tuple[str, ...] = (), accept_dirs: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self._suffixes = tuple(s.lower() for s in suffixes)
        self._accept_dirs = accept_dirs
        self.label = wrapped_label()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self.setMinimumHeight(90)

    def _accepts(self, path: str) -> bool:
        p = Path(path)
        if self._accept_dirs and p.is_dir():
            return True
        return p.suffix.lower() in self._suffixes

    def _first(self, event) -> str | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        for url in urls:
            if url.isLocalFile() and self._accepts(url.toLocalFile()):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if self._first(event):
            event.acceptProposedAction()
            self.setProperty("hover", True)
            self.style().polish(self)

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self.setProperty("hover", False)
        self.style().polish(self)

    def dropEvent(self, event) -> None:  # noqa: N802
        self.setProperty("hover", False)
        self.style().polish(self)
        path = self._first(event)
        if path:
            event.acceptProposedAction()
            self.dropped.emit(path)
