"""The detection check on the Results page: run it (progress per picture, estimate, Cancel), re-run it
with another count or a folder of check pictures, and show the saved result of a run.

The check itself is the core's (``Services.run_detection_check``, blocking): its typed events come
through the EventPump and are rendered here on the GUI thread. The result shown is always the
``detections.json`` the check wrote, read back, so a re-opened run looks exactly the same.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wizard.core.app import wizard_flow as rules
from wizard.core.detections.check import DEFAULT_PICTURES
from wizard.core.device.address import DEFAULT_HOST
from wizard.core.events import LogLine, ProblemRaised, Progress, Result
from wizard.core.messages import Problem, WizardError, problem
from wizard.gui.async_tools import EventPump, run_blocking, settled
from wizard.gui.detection_gallery import (
    AgreementFigure,
    ClassTable,
    DetectionGallery,
    as_problem,
    legend_text,
)
from wizard.gui.pages.convert import _clock  # one m:ss for both progress views
from wizard.gui.services import GuiDetectionCheck, ssh_details
from wizard.gui.widgets import LogView, ProblemList, wrapped_label

MAX_PICTURES = 500


class DetectionPanel(QWidget):
    """Owns the check's controls, progress, verdict, suggestions, gallery and per-class table.
    ``figure`` (the agreement number) is placed by the page at its top, beside the similarity."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("detectionPanel")
        self.ctx = ctx
        self.run_dir = ""
        self.conversion_ok = False
        self.report = None
        self.report_dir = ""
        self.check: GuiDetectionCheck | None = None
        self.result: Result | None = None
        self.pictures_dir = ""  # "" = the test picture and a sample of the calibration pictures
        self._task: asyncio.Task | None = None
        self._pumping = False  # the check's events are still coming (the task may still read the report)
        self._started = 0.0
        self._loading: asyncio.Task | None = None
        self._reading_camera: asyncio.Task | None = None  # the camera's thresholds, read before a check

        self.figure = AgreementFigure()
        self.figure_box = QGroupBox()
        self.figure_box.setObjectName("agreementBox")
        QVBoxLayout(self.figure_box).addWidget(self.figure)

        self.box = QGroupBox()
        box = QVBoxLayout(self.box)
        self.intro = wrapped_label()
        box.addWidget(self.intro)
        self.verdict = ProblemList()
        self.verdict.setObjectName("detectionVerdict")
        box.addWidget(self.verdict)

        controls = QHBoxLayout()
        self.check_button = QPushButton()
        self.check_button.clicked.connect(self.start)
        self.count_label = QLabel()
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("detectionCount")
        self.count_spin.setRange(1, MAX_PICTURES)
        self.count_spin.setValue(DEFAULT_PICTURES)
        self.count_label.setBuddy(self.count_spin)
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.choose_folder)
        self.clear_folder_button = QPushButton()
        self.clear_folder_button.clicked.connect(lambda: self.set_pictures_dir(""))
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        for widget in (self.check_button, self.count_label, self.count_spin, self.folder_button,
                       self.clear_folder_button, self.cancel_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        box.addLayout(controls)
        self.folder_label = wrapped_label(object_name="pathLabel")
        box.addWidget(self.folder_label)
        # The camera's own score/IoU thresholds (its Node-RED flow) instead of the model node's defaults.
        self.camera_thresholds_box = QCheckBox()
        self.camera_thresholds_box.setObjectName("cameraThresholds")
        box.addWidget(self.camera_thresholds_box)
        self.thresholds_label = wrapped_label(object_name="helpText")
        box.addWidget(self.thresholds_label)

        self.progress = QProgressBar()
        self.progress.setObjectName("detectionProgress")
        self.progress_text = wrapped_label(object_name="detectionProgressText")
        self.elapsed = QLabel()
        self.elapsed.setObjectName("stepTime")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.elapsed)
        box.addLayout(progress_row)
        box.addWidget(self.progress_text)
        self.problems = ProblemList()
        self.problems.setObjectName("detectionProblems")
        box.addWidget(self.problems)
        self.log_button = QPushButton()
        self.log_button.setCheckable(True)
        self.log_button.toggled.connect(lambda shown: self.log.setVisible(shown))
        self.log = LogView(max_blocks=2000, history=20_000)
        self.log.setMinimumHeight(140)
        self.log.setVisible(False)
        log_row = QHBoxLayout()
        log_row.addWidget(self.log_button)
        log_row.addStretch(1)
        box.addLayout(log_row)
        box.addWidget(self.log)

        self.suggest_box = QGroupBox()
        suggest = QVBoxLayout(self.suggest_box)
        self.suggestions = ProblemList()
        self.suggestions.setObjectName("detectionSuggestions")
        suggest.addWidget(self.suggestions)

        self.gallery_box = QGroupBox()
        gallery = QVBoxLayout(self.gallery_box)
        self.legend = wrapped_label(object_name="helpText")
        gallery.addWidget(self.legend)
        self.gallery = DetectionGallery(ctx.services.thumbnail, ctx.spawn,
                                        drawings_in_language=ctx.services.drawings_in_language)
        gallery.addWidget(self.gallery)
        self.notes = ProblemList()
        self.notes.setObjectName("detectionNotes")
        gallery.addWidget(self.notes)

        self.class_box = QGroupBox()
        classes = QVBoxLayout(self.class_box)
        self.class_table = ClassTable()
        classes.addWidget(self.class_table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The verdict says "look at the worst pictures first, then try the suggestions below".
        layout.addWidget(self.box)
        layout.addWidget(self.gallery_box)
        layout.addWidget(self.suggest_box)
        layout.addWidget(self.class_box)

        self._ticker = QTimer(self)
        self._ticker.setInterval(500)
        self._ticker.timeout.connect(self._show_elapsed)
        self.retranslate()
        self._show_state()

    # -- texts -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.figure_box.setTitle(self.tr("Detections on your pictures"))
        self.box.setTitle(self.tr("Detection check: your objects, original vs INT8"))
        self.intro.setText(self.tr(
            "The wizard runs the original model and the converted INT8 model on the same pictures, decodes "
            "their boxes as the camera does, and matches them box by box. No labels are needed: the "
            "original model's boxes are the reference."))
        self.count_label.setText(self.tr("Pictures:"))
        self.folder_button.setText(self.tr("Use a folder of check pictures…"))
        self.clear_folder_button.setText(self.tr("Use the calibration pictures"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.log_button.setText(self.tr("Show the toolchain's messages"))
        self.suggest_box.setTitle(self.tr("What to try for better detections"))
        self.gallery_box.setTitle(self.tr("Pictures, most changed first (click to enlarge)"))
        self.legend.setText(legend_text())
        self.class_box.setTitle(self.tr("Per class"))
        # Qt posts LanguageChange to each window; the main window retranslates the pages at once,
        # so everything here follows now, not at the next event processing.
        self.figure.render()
        self.class_table.retranslate()
        self.gallery.retranslate()
        for listed in (self.verdict, self.suggestions, self.notes, self.problems):
            listed._render()
        self._show_state()

    def _show_folder(self) -> None:
        if self.pictures_dir:
            self.folder_label.setText(self.tr("Checking with the pictures in %1").replace("%1", self.pictures_dir))
        else:
            self.folder_label.setText(self.tr(
                "Checking with the test picture and a varied sample of the calibration pictures."))

    def _show_thresholds(self) -> None:
        """The score and IoU thresholds the shown check decoded with, and whose they are."""
        thresholds = dict(getattr(self.report, "thresholds", None) or {})
        if not thresholds:
            self.thresholds_label.setText("")
            return
        whose = {"camera_flow": self.tr("your camera's flow"), "user": self.tr("chosen by you"),
                 "factory_flow": self.tr("the camera's factory flow"),
                 "model_node_default": self.tr("the camera's model node defaults")}
        source = str(thresholds.get("source", ""))
        self.thresholds_label.setText(self.tr("Boxes decoded with a score above %1 and an NMS IoU of %2 (%3).")
                                      .replace("%1", f"{thresholds.get('score')}")
                                      .replace("%2", f"{thresholds.get('iou')}")
                                      .replace("%3", whose.get(source, source)))

    def _show_state(self) -> None:
        running = self.running()
        available = self.ctx.services.detection_check_available()
        can_check = bool(self.run_dir) and self.conversion_ok and available
        self.check_button.setText(self.tr("Check again") if self.report is not None else self.tr("Check detections"))
        # The page's main action until a check exists; then a plain "Check again".
        primary = "primaryButton" if self.report is None else "checkDetectionsButton"
        if self.check_button.objectName() != primary:
            self.check_button.setObjectName(primary)
            self.check_button.style().polish(self.check_button)
        for widget in (self.check_button, self.count_label, self.count_spin, self.folder_button,
                       self.camera_thresholds_box):
            widget.setVisible(can_check)
            widget.setEnabled(not running)
        # The camera's address follows the settings (the Camera page may change it).
        self.camera_thresholds_box.setText(self.tr(
            "Decode with my camera's thresholds (read from its Node-RED flow at %1)").replace(
                "%1", self.ctx.settings.device_host or DEFAULT_HOST))
        self._show_thresholds()
        self.thresholds_label.setVisible(bool(self.thresholds_label.text()))
        self.clear_folder_button.setVisible(can_check and bool(self.pictures_dir))
        self.clear_folder_button.setEnabled(not running)
        self.folder_label.setVisible(can_check)
        self._show_folder()
        self.cancel_button.setVisible(running)
        self.progress.setVisible(running)
        self.elapsed.setVisible(running)
        self.progress_text.setVisible(running or bool(self.progress_text.text()) and self.report is None)
        # The tool's own lines matter while it runs and when it failed; a finished check has its report.
        self.log_button.setVisible(running or (self.log.line_count() > 0 and self.report is None))
        if not self.log_button.isVisible():
            self.log_button.setChecked(False)
        has_report = self.report is not None
        self.suggest_box.setVisible(has_report and bool(self.report.suggestions))
        self.gallery_box.setVisible(has_report and bool(self.report.pictures))
        self.class_box.setVisible(has_report and bool(self.report.summary.per_class))
        self.figure.set_report(self.report, running)
        shown = has_report or can_check or running
        self.setVisible(shown)
        self.figure_box.setVisible(shown)

    # -- which run -------------------------------------------------------------------------------
    def set_run(self, run_dir: str, conversion_ok: bool) -> None:
        """The run the page shows; its saved check is read off the GUI thread."""
        if self.running():
            if run_dir == self.run_dir:
                return  # the page was re-entered while the check runs: keep following it
            self.cancel()
        if run_dir != self.run_dir:
            self.report = None
            self.report_dir = ""
            self.result = None
            self.problems.set_problems([])
            self.progress_text.setText("")
            self.log.clear()
            self.gallery.set_report(None, "")
        self.run_dir = run_dir
        self.conversion_ok = conversion_ok
        self._show_state()
        if run_dir:
            self._loading = self.ctx.spawn(self._load_saved(run_dir), name="detections-load")

    async def _load_saved(self, run_dir: str) -> None:
        try:
            report = await run_blocking(self.ctx.services.read_detections, run_dir)
        except WizardError as exc:
            if run_dir == self.run_dir:
                self.problems.set_problems([exc.problem])
            return
        if run_dir != self.run_dir or self.running():
            return
        self.show_report(report, run_dir)

    def show_report(self, report, folder: str) -> None:
        self.report = report
        self.report_dir = str(folder)
        if report is None:
            self.verdict.set_problems([])
            self.suggestions.set_problems([])
            self.notes.set_problems([])
            self.gallery.set_report(None, "")
            self.class_table.set_classes([])
        else:
            self.verdict.set_problems([as_problem(report.verdict)])
            self.suggestions.set_problems([as_problem(m) for m in report.suggestions])
            self.notes.set_problems([as_problem(m) for m in report.notes] +
                                    [as_problem(s.message) for s in report.skipped])
            self.gallery.set_report(report, folder)
            self.class_table.set_classes(report.summary.per_class)
        self._show_state()

    # -- choices ---------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        dialog = QFileDialog(self, self.tr("Folder of check pictures"), self.pictures_dir or str(Path.home()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.set_pictures_dir)
        dialog.open()  # not exec(): no nested event loop under qasync

    def set_pictures_dir(self, folder: str) -> None:
        self.pictures_dir = folder or ""
        self._show_state()

    # -- running ---------------------------------------------------------------------------------
    def running(self) -> bool:
        return self._pumping or (self._reading_camera is not None and not self._reading_camera.done())

    def start(self) -> None:
        if self.running() or not self.run_dir:
            return
        if self.camera_thresholds_box.isChecked():
            self._reading_camera = self.ctx.spawn(self._start_with_camera_thresholds(), name="camera-thresholds")
            return
        self._start_check(None)

    async def _start_with_camera_thresholds(self) -> None:
        """Read the camera's thresholds off the GUI thread, then check with them; a camera that is
        away is its message here, and no check starts."""
        self.problems.set_problems([])
        self.progress_text.setText(self.tr("Reading the thresholds in your camera's flow…"))
        self._show_state()
        try:
            thresholds = await run_blocking(self.ctx.services.camera_thresholds, self.ctx.settings.device_host)
        except WizardError as exc:
            self.progress_text.setText("")
            self.problems.set_problems([exc.problem])
            self._reading_camera = None
            self._show_state()
            return
        self._reading_camera = None
        self._start_check(thresholds)

    def _start_check(self, thresholds) -> None:
        state = self.ctx.state
        ssh = ssh_details(state, self.ctx.ssh_password) if state.where == rules.WHERE_SSH else None
        check = self.ctx.services.run_detection_check(self.run_dir, ssh, self.count_spin.value(),
                                                      self.pictures_dir or None, thresholds)
        self.check = check
        self.result = None
        self.problems.set_problems([])
        self.log.clear()
        self.progress.setRange(0, 0)  # busy until the first picture is done
        self.progress_text.setText(self.tr("Starting the detection check…"))
        self._started = time.monotonic()
        self._pumping = True
        self._task = self.ctx.spawn(self._run(check, self.run_dir), name="detection-check")
        self._ticker.start()
        self._show_elapsed()
        self._show_state()

    async def _run(self, check: GuiDetectionCheck, run_dir: str) -> None:
        found: list[Problem] = []
        try:
            await EventPump(check.events, self.handle_events, cancel=check.cancel).run()
        except asyncio.CancelledError:
            # Cancel is a normal end of this task, not an error: the pump stopped the check.
            found.append(problem("detections_cancelled", "info"))
        except WizardError as exc:
            found.extend(getattr(exc, "errors", ()) or [exc.problem])
        finally:
            self._pumping = False
            self._ticker.stop()
        self.problems.set_problems([*self.problems.problems(), *found])
        if self.result is not None and self.result.ok and run_dir == self.run_dir:
            report_path = str((self.result.details or {}).get("report") or run_dir)
            try:
                report = await run_blocking(self.ctx.services.read_detections, report_path)
            except WizardError as exc:
                self.problems.set_problems([*self.problems.problems(), exc.problem])
                report = None
            if report is not None:
                folder = Path(report_path)
                self.progress_text.setText("")
                self.show_report(report, str(folder.parent if folder.suffix == ".json" else folder))
        self._show_state()

    def cancel(self) -> None:
        """Really stop: our Task is cancelled, its pump asks the check to stop and waits for it."""
        if self._reading_camera is not None and not self._reading_camera.done():
            self._reading_camera.cancel()  # no check started yet: nothing else to stop
            self._reading_camera = None
            self.progress_text.setText("")
            self._show_state()
            return
        if self.running() and self._task is not None:
            self.progress_text.setText(self.tr("Stopping…"))
            self.cancel_button.setEnabled(False)
            self._task.cancel()

    async def wait(self) -> None:
        await settled(self._task)
        self.cancel_button.setEnabled(True)

    def handle_events(self, events) -> None:
        """One batch of the check's typed events (on the GUI thread, from the pump)."""
        lines: list[str] = []
        raised: list[Problem] = []
        for event in events:
            if isinstance(event, LogLine):
                lines.append(event.text)
            elif isinstance(event, Progress):
                if event.total:
                    self.progress.setRange(0, event.total)
                    self.progress.setValue(min(event.done or 0, event.total))
                    self.progress.setFormat(self.tr("%v of %m pictures"))
                elif event.fraction is not None:
                    self.progress.setRange(0, 1000)
                    self.progress.setValue(int(max(0.0, min(1.0, event.fraction)) * 1000))
                    self.progress.setFormat("%p%")
                if event.text:
                    self.progress_text.setText(event.text)
            elif isinstance(event, ProblemRaised):
                raised.append(event.problem)
            elif isinstance(event, Result):
                self.result = event
        if lines:
            self.log.append_lines(lines)
        if raised:
            self.problems.set_problems([*self.problems.problems(), *raised])

    def _show_elapsed(self) -> None:
        self.elapsed.setText(self.tr("%1 so far").replace("%1", _clock(time.monotonic() - self._started)))
