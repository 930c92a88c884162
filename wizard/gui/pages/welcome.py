"""Page 1: start a new conversion, open a saved recipe, or look at an earlier run."""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from wizard.core.app import wizard_flow as flow_rules
from wizard.core.messages import WizardError
from wizard.core.plan.recipe import ConversionRecipe
from wizard.gui.pages.base import Page
from wizard.gui.widgets import wrapped_label


class WelcomePage(Page):
    page_id = "welcome"
    reattach_requested = Signal()
    kit_requested = Signal()  # "Open workshop kit…": the window asks for the file and opens it

    def __init__(self, ctx):
        super().__init__(ctx)
        self.new_button = QPushButton()
        self.new_button.setObjectName("primaryButton")
        self.new_button.clicked.connect(self.start_new)
        self.recipe_button = QPushButton()
        self.recipe_button.clicked.connect(self.pick_recipe)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.recipe_button)
        self.kit_button = QPushButton()
        self.kit_button.setObjectName("openKitButton")
        self.kit_button.clicked.connect(lambda: self.kit_requested.emit())
        buttons.addWidget(self.kit_button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)

        self.reattach_box = QGroupBox()
        reattach_layout = QVBoxLayout(self.reattach_box)
        self.reattach_label = wrapped_label()
        self.reattach_button = QPushButton()
        self.reattach_button.clicked.connect(lambda: self.reattach_requested.emit())
        reattach_layout.addWidget(self.reattach_label)
        reattach_layout.addWidget(self.reattach_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(self.reattach_box)

        self.recent_box = QGroupBox()
        recent_layout = QVBoxLayout(self.recent_box)
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recentRuns")
        self.recent_list.itemActivated.connect(self._open_run_item)
        self.recent_empty = wrapped_label()
        self.open_run_button = QPushButton()
        self.open_run_button.clicked.connect(lambda: self._open_run_item(self.recent_list.currentItem()))
        recent_layout.addWidget(self.recent_list)
        recent_layout.addWidget(self.recent_empty)
        recent_layout.addWidget(self.open_run_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(self.recent_box, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Turn your YOLO model into a reCamera model"))
        self.intro.setText(self.tr(
            "This wizard checks your trained .onnx model, prepares calibration pictures, converts the "
            "model with Sophgo's TPU-MLIR toolchain, shows how close the result is to the original, and "
            "puts it on your reCamera. Nothing is changed in your own files."))
        self.new_button.setText(self.tr("New conversion"))
        self.recipe_button.setText(self.tr("Open saved recipe…"))
        self.kit_button.setText(self.tr("Open workshop kit…"))
        self.recent_box.setTitle(self.tr("Recent runs"))
        self.recent_empty.setText(self.tr("No conversions yet. Your runs will be listed here."))
        self.open_run_button.setText(self.tr("Open results"))
        self.reattach_box.setTitle(self.tr("A conversion is still running"))
        self.reattach_label.setText(self.tr(
            "A conversion started earlier may still be running. Reconnect to see its progress and results."))
        self.reattach_button.setText(self.tr("Reconnect"))

    def on_enter(self) -> None:
        self.refresh_recent()
        self.reattach_box.setVisible(self.ctx.settings.active_job is not None)

    def refresh_recent(self) -> None:
        self.recent_list.clear()
        for run_dir in self.ctx.settings.recent_runs:
            if not Path(run_dir).exists():
                continue
            item = QListWidgetItem(_run_title(run_dir))
            item.setData(Qt.ItemDataRole.UserRole, run_dir)
            item.setToolTip(run_dir)
            self.recent_list.addItem(item)
        has = self.recent_list.count() > 0
        self.recent_list.setVisible(has)
        self.open_run_button.setVisible(has)
        self.recent_empty.setVisible(not has)
        if has:
            self.recent_list.setCurrentRow(0)

    def start_new(self) -> None:
        self.state.start = flow_rules.START_NEW
        flow_rules.apply_options(self.state, self.ctx.settings.last_options)  # as last time
        self.changed.emit()
        self.request_next.emit()

    def pick_recipe(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open saved recipe"), "", self.tr("Wizard recipe (recipe.json *.json)"))
        if path:
            self.open_recipe(path)

    def open_recipe(self, path: str) -> None:
        try:
            recipe = ConversionRecipe.load(path)
        except WizardError as exc:
            self.ctx.report_problem(exc.problem)
            return
        self.ctx.flow.apply_recipe(recipe, path)
        self.changed.emit()
        self.request_next.emit()

    def _open_run_item(self, item) -> None:
        if item is None:
            return
        self.open_run(item.data(Qt.ItemDataRole.UserRole))

    def open_run(self, run_dir: str) -> None:
        self.state.start = flow_rules.START_RUN
        self.state.run_dir = run_dir
        results = self.ctx.services.read_results(run_dir)
        self.state.result_ok = bool(results.get("ok", False))
        self.changed.emit()
        self.request_next.emit()


def _run_title(run_dir: str) -> str:
    """'✔ name — date — folder': the verdict from results.json, the name from the recipe."""
    path = Path(run_dir)
    try:
        data = json.loads((path / "recipe.json").read_text(encoding="utf-8"))
        name = data.get("display_name") or data.get("name") or path.name
    except (OSError, ValueError):
        name = path.name
    mark = "…"
    try:
        results = json.loads((path / "results.json").read_text(encoding="utf-8"))
        mark = "✔" if results.get("ok") else "✖"
    except (OSError, ValueError):
        pass
    try:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
    except OSError:
        when = ""
    return f"{mark} {name} — {when} — {path}"
