"""A list model of image files whose thumbnails are made off the GUI thread and cached.

QListView in IconMode with uniform item sizes only asks for the rows on screen; each uncached row
is queued once and a single loader coroutine decodes them in small batches in the worker pool.
Pixmaps are made on the GUI thread (QPixmap is GUI-only) and kept in an LRU cache.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap

from wizard.gui.async_tools import run_blocking

log = logging.getLogger(__name__)

THUMB_SIZE = 96
BATCH = 8
CACHE_LIMIT = 3000

PathRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2


class ThumbnailModel(QAbstractListModel):
    def __init__(self, make_thumbnail, parent=None, size: int = THUMB_SIZE):
        super().__init__(parent)
        self._make = make_thumbnail  # blocking (path, size) -> (w, h, rgb bytes)
        self._size = size
        self._paths: list[str] = []
        self._rows: dict[str, int] = {}
        self._status: dict[str, str] = {}  # path -> "rejected" / "duplicate" / "test"
        self._cache: collections.OrderedDict[str, QIcon] = collections.OrderedDict()
        self._queued: set[str] = set()
        self._queue: collections.deque[str] = collections.deque()
        self._failed: set[str] = set()
        self._loader: asyncio.Task | None = None
        self._placeholder = self._blank(QColor("#d9dde3"))
        self._broken = self._blank(QColor("#f2c4c4"))
        self.loaded = 0  # thumbnails made so far (the benchmark and tests read it)

    def _blank(self, color: QColor) -> QIcon:
        pixmap = QPixmap(self._size, self._size)
        pixmap.fill(color)
        return QIcon(pixmap)

    # -- data ------------------------------------------------------------------------------------
    def set_paths(self, paths: list[str]) -> None:
        self.beginResetModel()
        self._paths = list(paths)
        self._rows = {path: row for row, path in enumerate(self._paths)}
        self._status.clear()
        self._queue.clear()
        self._queued.clear()
        self.endResetModel()

    def set_status(self, path: str, status: str) -> None:
        self._status[path] = status
        row = self._rows.get(path)
        if row is None:
            return
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.ToolTipRole, StatusRole])

    def paths(self) -> list[str]:
        return list(self._paths)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._paths)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        path = self._paths[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return Path(path).name
        if role == Qt.ItemDataRole.DecorationRole:
            icon = self._cache.get(path)
            if icon is not None:
                self._cache.move_to_end(path)
                return icon
            if path in self._failed:
                return self._broken
            self._request(path)
            return self._placeholder
        if role == Qt.ItemDataRole.ToolTipRole:
            return path
        if role == PathRole:
            return path
        if role == StatusRole:
            return self._status.get(path, "")
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(self._size + 24, self._size + 36)
        return None

    # -- loading ---------------------------------------------------------------------------------
    def _request(self, path: str) -> None:
        if path in self._queued:
            return
        self._queued.add(path)
        self._queue.append(path)
        if self._loader is None or self._loader.done():
            try:
                self._loader = asyncio.ensure_future(self._load())
            except RuntimeError:  # no running loop (a test without qasync): stay placeholders
                self._loader = None

    async def _load(self) -> None:
        while self._queue:
            # Newest requests first: they are what is on screen after a fast scroll.
            batch = [self._queue.pop() for _ in range(min(BATCH, len(self._queue)))]
            results = await run_blocking(self._make_batch, batch)
            for path, made in results:
                if made is None:
                    self._failed.add(path)
                else:
                    width, height, data = made
                    image = QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
                    self._cache[path] = QIcon(QPixmap.fromImage(image))
                    self.loaded += 1
                    while len(self._cache) > CACHE_LIMIT:
                        evicted, _ = self._cache.popitem(last=False)
                        self._queued.discard(evicted)
                row = self._rows.get(path)
                if row is None:
                    continue
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def _make_batch(self, paths: list[str]):
        out = []
        for path in paths:
            try:
                out.append((path, self._make(path, self._size)))
            except Exception:  # noqa: BLE001 - unreadable files show as a red tile, reasons listed below
                out.append((path, None))
        return out

    def stop(self) -> None:
        if self._loader is not None:
            self._loader.cancel()
        self._queue.clear()
        self._queued.clear()
