"""Page 3: calibration images. A folder of pictures, checked by the core, shown as a grid."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from wizard.core import messages
from wizard.core.images.report import MIN_USABLE
from wizard.gui.async_tools import run_blocking
from wizard.gui.pages.base import Page
from wizard.gui.thumbnails import PathRole, ThumbnailModel
from wizard.core.messages import WizardError
from wizard.gui.widgets import DropZone, ProblemList, wrapped_label


def _is_zip(path: str) -> bool:
    from wizard.core.images.sources import is_zip_source

    return is_zip_source(path)


class ImagesPage(Page):
    page_id = "images"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.report = None
        self._stop = threading.Event()
        self._check_task = None

        self.drop = DropZone(suffixes=(".zip",), accept_dirs=True)
        self.drop.setMinimumHeight(60)
        self.drop.dropped.connect(self.load_source)
        self.pick_button = QPushButton()
        self.pick_button.clicked.connect(self.pick_folder)
        self.zip_button = QPushButton()
        self.zip_button.clicked.connect(self.pick_zip)
        self.path_label = wrapped_label(object_name="pathLabel")
        # In a workshop whose kit has sample pictures: take them instead of one's own.
        self.sample_button = QPushButton()
        self.sample_button.setObjectName("kitSamplePictures")
        self.sample_button.clicked.connect(self.use_kit_samples)
        self.sample_button.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.pick_button)
        row.addWidget(self.zip_button)
        row.addWidget(self.sample_button)
        row.addWidget(self.path_label, 1)
        self.body.addWidget(self.drop)
        self.body.addLayout(row)

        self.counts = wrapped_label(object_name="imageCounts")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.check_problems = ProblemList()  # a folder or zip the check cannot read, said here
        self.body.addWidget(self.counts)
        self.body.addWidget(self.progress)
        self.body.addWidget(self.check_problems)

        self.model = ThumbnailModel(ctx.services.thumbnail, self)
        self.grid = QListView()
        self.grid.setObjectName("thumbnailGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)  # lets the view ask only for the rows on screen
        self.grid.setLayoutMode(QListView.LayoutMode.Batched)
        self.grid.setBatchSize(200)
        self.grid.setIconSize(QSize(96, 96))
        self.grid.setGridSize(QSize(120, 132))
        self.grid.setWordWrap(True)
        self.grid.setModel(self.model)
        self.grid.setMinimumHeight(220)
        self.grid.selectionModel().currentChanged.connect(lambda *_: self._update_test_button())
        self.grid.doubleClicked.connect(lambda index: self.use_as_test(index.data(PathRole)))
        self.body.addWidget(self.grid, 3)

        bottom = QHBoxLayout()
        self.count_label = QLabel()
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("calibrationCount")
        self.count_spin.setRange(1, 1000)
        self.count_spin.setValue(self.state.calibration_count)
        self.count_spin.valueChanged.connect(self._count_changed)
        self.count_help = wrapped_label()
        count_box = QVBoxLayout()
        count_row = QHBoxLayout()
        count_row.addWidget(self.count_label)
        count_row.addWidget(self.count_spin)
        count_row.addStretch(1)
        count_box.addLayout(count_row)
        count_box.addWidget(self.count_help)
        bottom.addLayout(count_box, 1)

        self.test_box = QGroupBox()
        test_layout = QHBoxLayout(self.test_box)
        self.test_preview = QLabel()
        self.test_preview.setFixedSize(96, 96)
        self.test_preview.setScaledContents(False)
        self.test_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        test_text = QVBoxLayout()
        self.test_label = wrapped_label()
        self.test_button = QPushButton()
        self.test_button.clicked.connect(lambda: self.use_as_test(self._current_path()))
        test_text.addWidget(self.test_label)
        test_text.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignLeft)
        test_layout.addWidget(self.test_preview)
        test_layout.addLayout(test_text, 1)
        bottom.addWidget(self.test_box, 1)
        self.body.addLayout(bottom)

        self.rejected_box = QGroupBox()
        self.rejected_box.setCheckable(True)
        self.rejected_box.setChecked(False)
        rejected_layout = QVBoxLayout(self.rejected_box)
        self.rejected_tree = QTreeWidget()
        self.rejected_tree.setObjectName("rejectedList")
        self.rejected_tree.setColumnCount(2)
        self.rejected_tree.setRootIsDecorated(False)
        self.rejected_tree.setMaximumHeight(140)
        self.rejected_tree.setVisible(False)
        self.rejected_box.toggled.connect(self.rejected_tree.setVisible)
        rejected_layout.addWidget(self.rejected_tree)
        self.body.addWidget(self.rejected_box)
        self.retranslate()

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Calibration pictures"))
        self.intro.setText(self.tr(
            "The converter measures your model on real pictures to choose its 8-bit ranges. Use "
            "pictures like the ones the camera will see: the same places, light and objects. "
            "Labels are not needed."))
        self.drop.label.setText(self.tr("Drop a folder or a .zip of pictures here"))
        self.pick_button.setText(self.tr("Choose folder…"))
        self.zip_button.setText(self.tr("Choose .zip…"))
        self.sample_button.setText(self.tr("Use the workshop's sample pictures"))
        self._show_kit_samples()
        self.count_label.setText(self.tr("Pictures used for calibration:"))
        self.count_help.setText(self.tr(
            "100 is a good start. More can help a little but takes longer and needs more memory "
            "(about 5 MB per picture)."))
        self.test_box.setTitle(self.tr("Test picture"))
        self.test_button.setText(self.tr("Use selected as test picture"))
        self.rejected_tree.setHeaderLabels([self.tr("File"), self.tr("Why it is not used")])
        self._show_counts()
        self._show_test_image(load_preview=False)  # only the words change with the language
        self._show_rejected()

    def on_enter(self) -> None:
        self._show_kit_samples()
        self.path_label.setText(self.state.images_source or self.tr("No folder chosen yet."))
        self.count_spin.setValue(self.state.calibration_count)
        if self.state.images_source and self.report is None and not self.state.images_scanning:
            self.load_source(self.state.images_source)  # from a recipe or a tour: check it now

    def _show_kit_samples(self) -> None:
        kit = self.ctx.kit
        self.sample_button.setVisible(bool(kit is not None and kit.content.samples.images))

    # -- actions -------------------------------------------------------------------------------
    def use_kit_samples(self) -> None:
        """The kit's sample pictures, unpacked on this computer off the event loop, then checked."""
        self.sample_button.setEnabled(False)
        self.ctx.spawn(self._use_kit_samples(), name="kit-sample-pictures")

    async def _use_kit_samples(self) -> None:
        try:
            _model, images = await run_blocking(self.ctx.services.extract_kit_samples, self.ctx.kit)
        finally:
            self.sample_button.setEnabled(True)
        if images:
            self.load_source(images)

    def pick_folder(self) -> None:
        start = self.ctx.settings.recent_image_sources[0] if self.ctx.settings.recent_image_sources else ""
        path = QFileDialog.getExistingDirectory(self, self.tr("Choose the folder with your pictures"), start)
        if path:
            self.load_source(path)

    def pick_zip(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a .zip of pictures"), "",
                                              self.tr("Zip archive (*.zip)"))
        if path:
            self.load_source(path)

    def load_source(self, path: str) -> None:
        if self._check_task is not None and not self._check_task.done():
            self._stop.set()
            self._check_task.cancel()
        self._stop = threading.Event()
        state = self.state
        keep_test = state.test_image if state.test_image.startswith(str(path)) else ""
        state.images_source = str(path)
        state.images_scanning = True
        state.images_usable = state.images_rejected = state.images_duplicates = 0
        state.test_image = keep_test
        self.report = None
        self.check_problems.set_problems([])
        self.path_label.setText(str(path))
        self.ctx.settings.add_recent_images(str(path))
        self.ctx.save_settings()
        self.model.set_paths([])
        self._show_counts()
        self._show_rejected()
        self._show_test_image()
        self.changed.emit()
        self._check_task = self.ctx.spawn(self._check(str(path), self._stop), name="check-images")

    async def _check(self, path: str, stop: threading.Event) -> None:
        is_zip = await run_blocking(_is_zip, path)
        try:
            if not is_zip:  # a zip is only opened by the check itself; its grid comes after
                files = await run_blocking(self.ctx.services.scan_images, path)
                if stop.is_set():
                    return
                self.model.set_paths([f.path for f in files if f.looks_like_image] +
                                     [f.path for f in files if not f.looks_like_image])
            self.progress.setRange(0, 0)
            self.progress.setVisible(True)

            def on_progress(done: int, total: int) -> None:
                self._progress = (done, total)  # read by the GUI thread's timer-less refresh below

            self._progress = (0, 0)
            work = run_blocking(self.ctx.services.check_images, path, self.state.calibration_count,
                                on_progress, stop.is_set)
            future = asyncio.ensure_future(work)
            while not future.done():
                await asyncio.wait({future}, timeout=0.1)
                done, total = self._progress
                if total:
                    self.progress.setRange(0, total)
                    self.progress.setValue(done)
            report = future.result()
        except WizardError as exc:
            if self.state.images_source == path:
                self.check_problems.set_problems([exc.problem])
            return
        finally:
            if self.state.images_source == path:
                self.state.images_scanning = False
                self.progress.setVisible(False)
                self._show_counts()
                self.changed.emit()
        if stop.is_set() or self.state.images_source != path:
            return
        self.report = report
        state = self.state
        state.images_usable = report.usable_total
        state.images_rejected = len(report.rejected)
        state.images_duplicates = len(report.duplicates)
        if is_zip:
            # The pictures inside a zip exist on disk only as the check's prepared copies.
            self.model.set_paths([a.output for a in report.accepted])
        for item in report.rejected:
            self.model.set_status(item.source, "rejected")
        for item in report.duplicates:
            self.model.set_status(item.source, "duplicate")
        if not state.test_image:
            picked = await run_blocking(self.ctx.services.representative_image, report)
            if is_zip:
                picked = next((a.output for a in report.accepted if a.source == picked), "")
            state.test_image = picked
        self._show_counts()
        self._show_rejected()
        self._show_test_image()
        self.changed.emit()

    def use_as_test(self, path: str | None) -> None:
        if not path:
            return
        if self.report is not None and any(r.source == path for r in self.report.rejected):
            return  # a picture the core refused cannot be the test picture either
        self.state.test_image = path
        self._show_test_image()
        self.changed.emit()

    def _count_changed(self, value: int) -> None:
        self.state.calibration_count = value
        self._show_counts()
        self.changed.emit()

    def _current_path(self) -> str | None:
        index = self.grid.currentIndex()
        return index.data(PathRole) if index.isValid() else None

    # -- rendering -----------------------------------------------------------------------------
    def _show_counts(self) -> None:
        s = self.state
        if not s.images_source:
            self.counts.setText("")
            return
        if s.images_scanning:
            self.counts.setText(self.tr("Checking %n file(s)…", "", self.model.rowCount()))
            return
        if self.report is None:
            self.counts.setText("")
            return
        used = min(s.calibration_count, s.images_usable)
        text = self.tr("%n usable", "", s.images_usable) + " · " + \
            self.tr("%n rejected", "", s.images_rejected) + " · " + \
            self.tr("%n duplicate(s)", "", s.images_duplicates) + " · " + \
            self.tr("%n will be used", "", used)
        if s.images_usable < MIN_USABLE:
            text += " — " + self.tr("not enough")
        self.counts.setText(text)

    def _show_rejected(self) -> None:
        self.rejected_tree.clear()
        report = self.report
        entries = []
        if report is not None:
            lang = messages.current_language()
            for item in report.rejected:
                reason = item.problem.text(lang)[0] if item.problem is not None else item.reason
                entries.append((item.source, reason))
            for dup in report.duplicates:
                entries.append((dup.source, self.tr("same picture as %1").replace("%1", Path(dup.same_as).name)))
        for source, reason in entries:
            item = QTreeWidgetItem([Path(source).name, reason])
            item.setToolTip(0, source)
            item.setToolTip(1, reason)
            self.rejected_tree.addTopLevelItem(item)
        self.rejected_box.setTitle(self.tr("Not used (%n)", "", len(entries)))
        self.rejected_box.setVisible(bool(entries))
        self.rejected_tree.resizeColumnToContents(0)

    def _show_test_image(self, load_preview: bool = True) -> None:
        path = self.state.test_image
        if path:
            self.test_label.setText(self.tr("The converter compares the original and the converted model "
                                            "on this picture: %1").replace("%1", Path(path).name))
            if load_preview:
                # Decoding a full-size picture takes tens of ms: done in the worker pool, never here.
                self.ctx.spawn(self._load_preview(path), name="test-preview")
        else:
            self.test_label.setText(self.tr("Chosen automatically once the pictures are checked; "
                                            "select one in the grid to change it."))
            self.test_preview.clear()
        self._update_test_button()

    async def _load_preview(self, path: str) -> None:
        try:
            width, height, data = await run_blocking(self.ctx.services.thumbnail, path, 96)
        except Exception:  # noqa: BLE001 - no preview is fine; the reason shows in the list
            return
        if self.state.test_image == path:
            image = QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
            self.test_preview.setPixmap(QPixmap.fromImage(image))

    def _update_test_button(self) -> None:
        self.test_button.setEnabled(self._current_path() is not None)
