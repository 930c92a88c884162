"""The detection check, shown: the agreement figure, per class, and the side-by-side pictures.

Everything here renders a saved ``detections.json`` (wizard.core.detections.report.DetectionReport)
and nothing else, so re-opening a run shows exactly what was checked. Messages in the report are
codes + parameters: they render again in the window's language on every LanguageChange. Pictures
come in the report's order, worst agreement first; their drawings are decoded off the GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard.core.messages import Problem, current_language
from wizard.gui.async_tools import run_blocking
from wizard.gui.widgets import wrapped_label


log = logging.getLogger(__name__)

THUMB_BOX = 720  # thumbnails are made this large once, then scaled to the tile on the GUI thread
FULL_BOX = 2000  # the enlarged view: a drawing is at most 2 x 960 + 12 px wide
MIN_TILE_WIDTH = 330
GOOD, FAIR, POOR, NOTHING = "good", "fair", "poor", "nothing"
_COLOURS = {GOOD: "#1e7d43", FAIR: "#b26a00", POOR: "#b3261e", NOTHING: "#5b6670"}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def verdict_level(report) -> str:
    """good / fair / poor / nothing, from the verdict code the core chose."""
    code = report.verdict.code
    for level in (GOOD, FAIR, POOR, NOTHING):
        if code.endswith("_" + level):
            return level
    return FAIR


def agreement_word() -> str:
    return QCoreApplication.translate("DetectionGallery", "agreement")


def picture_counts(record) -> dict[str, int]:
    """Kept, missed, extra and changed-class boxes of one picture; a class change is one event,
    not a miss plus an extra (as the drawing counts them)."""
    changed = len(record.class_changes)
    return {"kept": len(record.matched), "missed": len(record.missed) - changed,
            "extra": len(record.extra) - changed, "changed": changed}


def counts_text(record) -> str:
    counts = picture_counts(record)
    text = QCoreApplication.translate("DetectionGallery", "%1 kept · %2 missed · %3 extra").replace("%1", str(counts["kept"])).replace(
        "%2", str(counts["missed"])).replace("%3", str(counts["extra"]))
    if counts["changed"]:
        text += " · " + QCoreApplication.translate("DetectionGallery", "%1 changed class").replace("%1", str(counts["changed"]))
    return text


def as_problem(message) -> Problem:
    """A report Message (code + params) as a Problem the ProblemList renders in either language."""
    return Problem(message.code, message.severity, dict(message.params))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class AgreementFigure(QWidget):
    """The one number: how much the INT8 model's detections agree with the original's (F1),
    with recall and precision in plain words beside it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.report = None
        self.running = False
        self.label = wrapped_label(object_name="agreementFigure")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.render()

    def set_report(self, report, running: bool = False) -> None:
        self.report = report
        self.running = running
        self.render()

    def render(self) -> None:
        report = self.report
        if report is None:
            text = QCoreApplication.translate("DetectionGallery", "Checking…") if self.running else \
                QCoreApplication.translate("DetectionGallery", "Not checked yet")
            self.label.setText(f"<span style='font-size:16pt'>—</span><br>{_escape(text)}")
            return
        s = report.summary
        level = verdict_level(report)
        words = {GOOD: QCoreApplication.translate("DetectionGallery", "as good as the original"),
                 FAIR: QCoreApplication.translate("DetectionGallery", "some detections change"),
                 POOR: QCoreApplication.translate("DetectionGallery", "detections change a lot"),
                 NOTHING: QCoreApplication.translate("DetectionGallery", "nothing found to compare")}[level]
        colour = _COLOURS[level]
        lines = [f"<span style='font-size:16pt; color:{colour}'>{percent(s.agreement)}</span> "
                 f"<b style='color:{colour}'>{_escape(agreement_word())}</b>",
                 f"<span style='color:{colour}'>{_escape(words)}</span>"]
        if s.original:
            lines.append(_escape(QCoreApplication.translate(
                "DetectionGallery", "INT8 still finds %1 of the original's %2 boxes (recall %3)")
                .replace("%1", str(s.matched)).replace("%2", str(s.original)).replace("%3", percent(s.recall))))
        if s.int8:
            lines.append(_escape(QCoreApplication.translate(
                "DetectionGallery", "%1 of INT8's %2 boxes are also the original's (precision %3)")
                .replace("%1", str(s.matched)).replace("%2", str(s.int8)).replace("%3", percent(s.precision))))
        lines.append(_escape(QCoreApplication.translate("DetectionGallery", "checked on %1 pictures")
                             .replace("%1", str(s.pictures))))
        self.label.setText("<br>".join(lines))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.render()
        super().changeEvent(event)


class ClassTable(QTableWidget):
    """Per class: boxes of each model, kept, recall, precision, agreement; worst class first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 7, parent)
        self.setObjectName("detectionClassTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._classes: list[Any] = []
        self.retranslate()

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([QCoreApplication.translate("DetectionGallery", "Class"), QCoreApplication.translate("DetectionGallery", "Original"), QCoreApplication.translate("DetectionGallery", "INT8"), QCoreApplication.translate("DetectionGallery", "Kept"), QCoreApplication.translate("DetectionGallery", "Recall"),
                                        QCoreApplication.translate("DetectionGallery", "Precision"), QCoreApplication.translate("DetectionGallery", "Agreement")])

    def set_classes(self, classes: Sequence[Any]) -> None:
        def key(c):
            return (c.agreement if c.agreement is not None else 2.0, c.class_id)

        self._classes = sorted(classes, key=key)
        self.setRowCount(len(self._classes))
        for row, c in enumerate(self._classes):
            cells = [c.label, str(c.original), str(c.int8), str(c.matched), percent(c.recall), percent(c.precision),
                     percent(c.agreement)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, column, item)
        self.updateGeometry()

    def labels(self) -> list[str]:
        return [self.item(row, 0).text() for row in range(self.rowCount())]

    def sizeHint(self) -> QSize:  # noqa: N802 - every row shown: the page scrolls, not the table
        height = self.horizontalHeader().height() + sum(self.rowHeight(r) for r in range(self.rowCount())) + 4
        return QSize(super().sizeHint().width(), height)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class PictureTile(QFrame):
    """One checked picture: its drawing, rank and name, agreement and counts. Click to enlarge."""

    clicked = Signal(int)

    def __init__(self, index: int, record, parent: QWidget | None = None):
        super().__init__(parent)
        self.index = index
        self.record = record
        self.setObjectName("detectionTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._source: QPixmap | None = None
        self._missing = False
        self.image = QLabel()
        self.image.setObjectName("detectionTileImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumHeight(60)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.caption = wrapped_label(object_name="detectionTileCaption")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.image)
        layout.addWidget(self.caption)
        self.render()

    def render(self) -> None:
        r = self.record
        head = f"<b>{r.rank}. {_escape(r.name)}</b> — {percent(r.agreement)} {_escape(agreement_word())}"
        self.caption.setText(f"{head}<br>{_escape(counts_text(r))}")
        self.setToolTip(QCoreApplication.translate("DetectionGallery", "Click to enlarge"))
        if self._missing:
            self.image.setText(QCoreApplication.translate("DetectionGallery", "The drawing of this picture is missing."))

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        self._source = pixmap
        self._missing = pixmap is None
        self._fit()
        self.render()

    def has_image(self) -> bool:
        return self._source is not None

    def _fit(self) -> None:
        if self._source is None:
            self.image.setPixmap(QPixmap())
            self.image.setFixedHeight(60)
            return
        width = max(50, self.image.width() or self.width() - 12)
        scaled = self._source.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.image.setFixedHeight(scaled.height())
        self.image.setPixmap(scaled)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.index)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.index)
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.render()
        super().changeEvent(event)


def _ensure_future(coro, *, name: str = ""):
    try:
        return asyncio.ensure_future(coro)
    except RuntimeError:  # no running loop (shutting down): the tiles keep their numbers
        coro.close()
        return None


def _load_images(make: Callable[[str, int], tuple[int, int, bytes]], paths: Sequence[str | None],
                 size: int) -> list[QImage | None]:
    """Worker thread: decode drawings into QImages (QImage, unlike QPixmap, is thread-safe)."""
    out: list[QImage | None] = []
    for path in paths:
        if not path or not Path(path).is_file():
            out.append(None)
            continue
        try:
            width, height, data = make(path, size)
        except Exception:  # noqa: BLE001 - a damaged drawing shows as "missing", the numbers stay
            log.info("drawing %s not readable", path, exc_info=True)
            out.append(None)
            continue
        out.append(QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy())
    return out


def _drawings_in(in_language, report, folder: Path, lang: str, paths: list[str | None],
                 make: Callable[[str, int], tuple[int, int, bytes]]) -> tuple[list[str | None], list[QImage | None]]:
    """Worker thread: each picture's drawing with its words in ``lang``, and its thumbnail."""
    if in_language is not None and report is not None:
        paths = in_language(report, folder, lang)
    return paths, _load_images(make, paths, THUMB_BOX)


class DetectionGallery(QWidget):
    """The checked pictures in a grid, worst agreement first; a click opens :class:`PictureDialog`."""

    def __init__(self, make_thumbnail: Callable[[str, int], tuple[int, int, bytes]],
                 spawn: Callable[..., asyncio.Task | None] = _ensure_future, parent: QWidget | None = None,
                 drawings_in_language: Callable[[Any, Path, str], list[str | None]] | None = None):
        super().__init__(parent)
        self.setObjectName("detectionGallery")
        self._make = make_thumbnail  # blocking (path, size) -> (w, h, rgb bytes)
        self._spawn = spawn  # AppContext.spawn: our tasks are awaited by idle() and report their errors
        # Blocking (report, folder, lang) -> a drawing per picture with its words in lang (redrawn
        # when the check drew them in the other language); None: the check's drawings as they are.
        self._in_language = drawings_in_language
        self._folder = Path()
        self._report: Any = None
        self._paths: list[str | None] = []
        self.drawings_lang = ""  # the language of the drawings shown
        self.records: list[Any] = []
        self.tiles: list[PictureTile] = []
        self._columns = 0
        self._loader: asyncio.Task | None = None
        self.dialog: PictureDialog | None = None
        self.loaded = False  # every drawing decoded (or found missing): tests and the tour wait for it
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_report(self, report, folder: str | Path) -> None:
        """Show the report's pictures (their drawings are relative to ``folder``)."""
        if self._loader is not None and not self._loader.done():
            self._loader.cancel()
        for tile in self.tiles:
            self._grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        self._columns = 0
        self._folder = Path(folder)
        self._report = report
        self.records = list(report.pictures) if report is not None else []
        self._paths = [str(self._folder / r.image) if r.image else None for r in self.records]
        for index, record in enumerate(self.records):
            tile = PictureTile(index, record)
            tile.clicked.connect(self.enlarge)
            self.tiles.append(tile)
        self._relayout()
        self.loaded = not self.records
        self._loader = self._spawn(self._load(), name="detection-drawings") if self.records else None

    def drawing_path(self, index: int) -> str | None:
        return self._paths[index]

    async def _load(self) -> None:
        lang = current_language()
        # One trip off the GUI thread: the drawings in this language (drawn anew if need be), decoded.
        self._paths, images = await run_blocking(_drawings_in, self._in_language, self._report, self._folder, lang,
                                                 list(self._paths), self._make)
        self.drawings_lang = lang
        for tile, image in zip(self.tiles, images):
            tile.set_pixmap(QPixmap.fromImage(image) if image is not None else None)
        self.loaded = True

    def _column_count(self) -> int:
        return max(1, min(3, (self.width() or 700) // MIN_TILE_WIDTH))

    def _relayout(self) -> None:
        columns = self._column_count()
        if columns == self._columns and all(self._grid.indexOf(t) >= 0 for t in self.tiles):
            return
        self._columns = columns
        for tile in self.tiles:
            self._grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles):
            self._grid.addWidget(tile, index // columns, index % columns)
        for column in range(3):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()

    def retranslate(self) -> None:
        for tile in self.tiles:
            tile.render()
        if self.dialog is not None:
            self.dialog.retranslate()
        if self.records and self.loaded and self.drawings_lang and self.drawings_lang != current_language():
            # The words in the drawings follow the window's language too.
            self.loaded = False
            self._loader = self._spawn(self._load(), name="detection-drawings")

    def enlarge(self, index: int) -> None:
        if self.dialog is None:
            self.dialog = PictureDialog(self._make, self._spawn, self.window())
        self.dialog.show_pictures(self.records, self._paths, index)
        self.dialog.open()  # not exec(): a nested event loop breaks the qasync loop's tasks


class PictureDialog(QDialog):
    """One picture large, original | INT8, with its numbers; Previous/Next walk the gallery."""

    def __init__(self, make_image: Callable[[str, int], tuple[int, int, bytes]],
                 spawn: Callable[..., asyncio.Task | None] = _ensure_future, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("detectionPictureDialog")
        self._make = make_image
        self._spawn = spawn
        self.records: list[Any] = []
        self._paths: list[str | None] = []  # each picture's drawing (the gallery's, in its language)
        self.index = 0
        self._source: QPixmap | None = None
        self._loader: asyncio.Task | None = None
        self._sized = False
        self.image = QLabel()
        self.image.setObjectName("detectionPicture")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(320, 160)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.caption = wrapped_label(object_name="detectionPictureCaption")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.legend = wrapped_label(object_name="helpText")
        self.previous_button = QPushButton()
        self.previous_button.clicked.connect(lambda: self.show_index(self.index - 1))
        self.next_button = QPushButton()
        self.next_button.clicked.connect(lambda: self.show_index(self.index + 1))
        self.close_button = QPushButton()
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self.legend)
        layout.addLayout(buttons)
        if parent is not None:
            size = parent.size()
            self.resize(max(640, int(size.width() * 0.92)), max(480, int(size.height() * 0.85)))
        self.retranslate()

    def retranslate(self) -> None:
        self.previous_button.setText(QCoreApplication.translate("DetectionGallery", "← Worse"))
        self.next_button.setText(QCoreApplication.translate("DetectionGallery", "Better →"))
        self.close_button.setText(QCoreApplication.translate("DetectionGallery", "Close"))
        self.legend.setText(legend_text())
        self._render_caption()

    def show_pictures(self, records: Sequence[Any], paths: Sequence[str | None], index: int) -> None:
        self.records = list(records)
        self._paths = list(paths)
        self.show_index(index)

    def show_index(self, index: int) -> None:
        if not self.records:
            return
        self.index = max(0, min(len(self.records) - 1, index))
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.records) - 1)
        record = self.records[self.index]
        self.setWindowTitle(f"{record.rank}. {record.name}")
        self._source = None
        self.image.setPixmap(QPixmap())
        self.image.setText(QCoreApplication.translate("DetectionGallery", "Loading…"))
        self._render_caption()
        if self._loader is not None and not self._loader.done():
            self._loader.cancel()
        self._loader = self._spawn(self._load(self.index, self._paths[self.index]), name="detection-picture")

    async def _load(self, index: int, path: str | None) -> None:
        images = await run_blocking(_load_images, self._make, [path], FULL_BOX)
        if index != self.index:
            return
        if images[0] is None:
            self.image.setText(QCoreApplication.translate("DetectionGallery", "The drawing of this picture is missing."))
            return
        self._source = QPixmap.fromImage(images[0])
        self.image.setText("")
        if not self._sized:
            self._size_to(self._source)
        self._fit()

    def _size_to(self, pixmap: QPixmap) -> None:
        """Once: as large as the window allows, as tall as the drawing needs (no empty bands)."""
        self._sized = True
        parent = self.parentWidget()
        if parent is None or pixmap.width() <= 0:
            return
        around_w = self.width() - self.image.width()
        around_h = self.height() - self.image.height()
        width = min(int(parent.width() * 0.95), pixmap.width() + around_w)
        height = round((width - around_w) * pixmap.height() / pixmap.width()) + around_h
        self.resize(width, min(int(parent.height() * 0.95), height))

    def has_image(self) -> bool:
        return self._source is not None

    def _fit(self) -> None:
        if self._source is None:
            return
        size = self.image.size()
        self.image.setPixmap(self._source.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _render_caption(self) -> None:
        if not self.records:
            self.caption.setText("")
            return
        r = self.records[self.index]
        lines = [f"<b>{r.rank}. {_escape(r.name)}</b> — {percent(r.agreement)} {_escape(agreement_word())} — "
                 f"{_escape(counts_text(r))}"]
        details = []
        if r.mean_iou is not None:
            details.append(QCoreApplication.translate("DetectionGallery", "kept boxes overlap %1 on average (IoU)").replace("%1", percent(r.mean_iou)))
        if r.mean_score_drift is not None:
            details.append(QCoreApplication.translate("DetectionGallery", "scores moved %1 on average, at most %2")
                           .replace("%1", f"{r.mean_score_drift:+.2f}").replace("%2", f"{r.worst_score_drift:+.2f}"))
        if r.near_misses:
            details.append(QCoreApplication.translate("DetectionGallery", "%1 missed box(es) were found just below the score threshold")
                           .replace("%1", str(len(r.near_misses))))
        lines += [_escape(line) for line in details]
        lines.append(f"<span style='color:#5b6670'>{_escape(r.source)}</span>")
        self.caption.setText("<br>".join(lines))

    def hideEvent(self, event) -> None:  # noqa: N802
        if self._loader is not None and not self._loader.done():
            self._loader.cancel()  # closed before its drawing arrived
        super().hideEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Left:
            self.show_index(self.index - 1)
            return
        if event.key() == Qt.Key.Key_Right:
            self.show_index(self.index + 1)
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def legend_text() -> str:
    return QCoreApplication.translate("DetectionGallery", "Left: the original model. Right: the INT8 model, as the camera will run it. A dashed white "
               "box is one the INT8 model lost (missed); a doubled magenta box is one only the INT8 model "
               "found (extra, or a changed class).")

