"""Page 7: results. A plain verdict, the similarity numbers, worst tensors first, what to try."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from wizard.core.messages import Problem
from wizard.core.runners.status import Verdict
from wizard.core.toolchain.similarity import number, pick_compare
from wizard.gui.async_tools import run_blocking
from wizard.gui.detection_panel import DetectionPanel
from wizard.gui.pages.base import Page
from wizard.gui.widgets import ProblemList, SimilarityChart, wrapped_label


class _NumberItem(QTableWidgetItem):
    """Sorts by value, not by text (0.9 < 0.10 as text)."""

    def __init__(self, value: float | None):
        super().__init__("—" if value is None else (f"{value:.6f}" if math.isfinite(value) else str(value)))
        # No number means the tool found the tensors equal or close (no similarity printed): best.
        self.value = math.inf if value is None or math.isnan(value) else value
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other) -> bool:
        if isinstance(other, _NumberItem):
            return self.value < other.value
        return super().__lt__(other)


class ResultsPage(Page):
    page_id = "results"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.results: dict[str, Any] = {}
        self.fix_problems: list[Problem] = []
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.verdict_text = wrapped_label()
        self.body.addWidget(self.verdict)
        self.body.addWidget(self.verdict_text)

        # The figures, side by side: what the user's objects became (the detection check) and how
        # close the worst layer stayed (the toolchain's similarity).
        self.detections = DetectionPanel(ctx)
        self.agreement_box = self.detections.figure_box
        self.metrics_box = QGroupBox()
        metrics = QHBoxLayout(self.metrics_box)
        self.metric_labels: dict[str, QLabel] = {}
        for key in ("cosine", "euclidean", "sqnr"):
            label = wrapped_label(object_name=f"metric_{key}")
            self.metric_labels[key] = label
            metrics.addWidget(label, 1)
        figures = QHBoxLayout()
        figures.addWidget(self.agreement_box, 2)
        figures.addWidget(self.metrics_box, 3)
        self.body.addLayout(figures)
        self.body.addWidget(self.detections)

        self.fix_box = QGroupBox()
        fix_layout = QVBoxLayout(self.fix_box)
        self.fixes = ProblemList()
        fix_layout.addWidget(self.fixes)
        self.body.addWidget(self.fix_box)

        self.model_box = QGroupBox()
        self.model_box.setObjectName("modelBox")
        model_layout = QVBoxLayout(self.model_box)
        self.model_lines = wrapped_label(object_name="modelSummary")
        model_layout.addWidget(self.model_lines)
        self.body.addWidget(self.model_box)

        self.chart = SimilarityChart()
        self.chart.setObjectName("similarityChart")
        self.body.addWidget(self.chart)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("tensorTable")
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(160)
        self.body.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_folder)
        self.recipe_button = QPushButton()
        self.recipe_button.clicked.connect(self.save_recipe)
        self.bundle_button = QPushButton()
        self.bundle_button.clicked.connect(self.export_bundle)
        for button in (self.open_button, self.recipe_button, self.bundle_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.action_note = wrapped_label()
        self.body.addWidget(self.action_note)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Results"))
        self.intro.setText(self.tr(
            "The converter ran the original and the converted model on your test picture and compared "
            "every layer. 1.0 means identical."))
        self.metrics_box.setTitle(self.tr("Closest match of the worst layer"))
        self.fix_box.setTitle(self.tr("What to try"))
        self.model_box.setTitle(self.tr("The converted model, as the camera will read it"))
        self.table.setHorizontalHeaderLabels([self.tr("Tensor"), self.tr("Result"), self.tr("Cosine"), self.tr("Euclidean"),
                                              self.tr("SQNR (dB)"), self.tr("Passed")])
        self.open_button.setText(self.tr("Open output folder"))
        self.recipe_button.setText(self.tr("Save recipe…"))
        self.bundle_button.setText(self.tr("Export reproducible bundle…"))
        self.detections.retranslate()
        if self.results:
            self.show_results(self.results, self._log_text)

    _log_text = ""

    def on_enter(self) -> None:
        self.ctx.spawn(self._load(), name="results")

    async def _load(self) -> None:
        run_dir = self.state.run_dir
        if not run_dir:
            return
        results, log_text = await run_blocking(_read, self.ctx.services, run_dir)
        self.show_results(results, log_text)
        self.detections.set_run(run_dir, bool(results.get("ok")))

    def show_results(self, results: dict[str, Any], log_text: str = "") -> None:
        self.results = results
        self._log_text = log_text
        ok = bool(results.get("ok"))
        verdict = results.get("verdict", "")
        if ok:
            self.verdict.setText(self.tr("✔ Your model is ready for the reCamera"))
            self.verdict_text.setText(self.tr(
                "The converted model gives nearly the same answers as the original on your test picture."))
        elif verdict == Verdict.CANCELLED:
            self.verdict.setText(self.tr("The conversion was cancelled"))
            self.verdict_text.setText(self.tr("Nothing was produced. Start it again when you are ready."))
        elif verdict == Verdict.INFRASTRUCTURE_FAILED:
            self.verdict.setText(self.tr("✖ The conversion could not run"))
            self.verdict_text.setText(self.tr("The problem is in the set-up, not in your model. See below."))
        else:
            self.verdict.setText(self.tr("✖ The converted model differs too much from the original"))
            self.verdict_text.setText(self.tr(
                "It would detect noticeably worse than your original model. The suggestions below "
                "usually fix it."))
        self.verdict.setProperty("ok", ok)
        self.verdict.style().polish(self.verdict)

        compare = pick_compare(results)
        minimum = (compare or {}).get("min_similarity") or {}
        tolerance = (compare or {}).get("tolerance") or None
        names = {"cosine": self.tr("Cosine similarity"), "euclidean": self.tr("Euclidean similarity"),
                 "sqnr": self.tr("Signal-to-noise (SQNR)")}
        for index, key in enumerate(("cosine", "euclidean", "sqnr")):
            value = number(minimum.get(key))
            shown = "—" if value is None else (f"{value:.4f}" if key != "sqnr" else f"{value:.1f} dB")
            line = f"<b>{names[key]}</b><br><span style='font-size:16pt'>{shown}</span>"
            if tolerance and index < 2:
                line += "<br>" + self.tr("needs more than %1").replace("%1", f"{tolerance[index]:.2f}")
            self.metric_labels[key].setText(line)
        self.metrics_box.setVisible(compare is not None)

        tensors = list((compare or {}).get("tensors") or [])
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(tensors))
        chart_values = []
        for row, tensor in enumerate(tensors):
            cosine = number(tensor.get("cosine"))
            passed = bool(tensor.get("passed"))
            cells = [
                QTableWidgetItem(str(tensor.get("name", ""))),
                QTableWidgetItem(str(tensor.get("status", ""))),
                _NumberItem(cosine),
                _NumberItem(number(tensor.get("euclidean"))),
                _NumberItem(number(tensor.get("sqnr"))),
                QTableWidgetItem(self.tr("yes") if passed else self.tr("no")),
            ]
            cells[0].setToolTip(str(tensor.get("name", "")))
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
            if cosine is not None and math.isfinite(cosine):
                chart_values.append((str(tensor.get("name", "")), cosine, passed))
        self.table.setSortingEnabled(True)
        self.table.sortItems(2, Qt.SortOrder.AscendingOrder)  # worst first
        self.chart.set_data(chart_values, tolerance[0] if tolerance else None)
        self.chart.setVisible(bool(chart_values))
        self.table.setVisible(bool(tensors))

        from wizard.core.messages import current_language
        from wizard.core.toolchain.cvimodel import summary_lines_from_dict

        lines = summary_lines_from_dict(results.get("model_check") or {}, current_language())
        self.model_lines.setText("\n".join(lines))
        self.model_box.setVisible(bool(lines))

        self.fix_problems = _problems(results, log_text)
        self.fixes.set_problems(self.fix_problems)
        self.fix_box.setVisible(bool(self.fix_problems))
        has_dir = bool(self.state.run_dir)
        self.open_button.setEnabled(has_dir)
        self.recipe_button.setEnabled(has_dir and (Path(self.state.run_dir) / "recipe.json").is_file())
        self.bundle_button.setEnabled(has_dir)

    # -- actions ---------------------------------------------------------------------------------
    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(self.state.run_dir))

    def save_recipe(self) -> None:
        source = Path(self.state.run_dir) / "recipe.json"
        target, _ = QFileDialog.getSaveFileName(self, self.tr("Save recipe"), str(Path.home() / "recipe.json"),
                                                self.tr("Wizard recipe (*.json)"))
        if target:
            shutil.copyfile(source, target)
            self.action_note.setText(self.tr("Recipe saved to %1").replace("%1", target))

    def export_bundle(self) -> None:
        run = Path(self.state.run_dir)
        target, _ = QFileDialog.getSaveFileName(self, self.tr("Export reproducible bundle"),
                                                str(Path.home() / f"{run.name}.zip"), self.tr("Zip archive (*.zip)"))
        if target:
            self.ctx.spawn(self._export(run, target), name="export-bundle")

    async def _export(self, run: Path, target: str) -> None:
        self.action_note.setText(self.tr("Exporting…"))
        base = target[:-4] if target.lower().endswith(".zip") else target
        # The run folder is the bundle (recipe, reproduce.sh, log, results, inputs): zip it whole.
        made = await run_blocking(shutil.make_archive, base, "zip", str(run.parent), run.name)
        self.action_note.setText(self.tr("Bundle saved to %1").replace("%1", made))


def _read(services, run_dir: str) -> tuple[dict[str, Any], str]:
    results = services.read_results(run_dir)
    log_path = Path(run_dir) / "convert.log"
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.is_file() else ""
    return results, text


def _problems(results: dict[str, Any], log_text: str) -> list[Problem]:
    """Fixes as Problems, so they re-render when the language changes (the log is parsed again)."""
    found: list[Problem] = []
    if log_text:
        try:
            from wizard.core.toolchain.log import parse_log

            found = list(parse_log(log_text).errors)
        except Exception:  # noqa: BLE001 - fall back to the texts saved in results.json
            found = []
    saved = list(results.get("errors") or []) if not found else []
    saved += [e for e in results.get("problems") or [] if all(p.code != e.get("code") for p in found)]
    # Saved with their params, they render again in the window's language.
    found += [Problem.from_dict(entry) for entry in saved]
    return found
