"""Page 2: the model. Drop or pick an .onnx; show what inspect found; experts may edit outputs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from wizard.gui.async_tools import run_blocking
from wizard.gui.pages.base import Page
from wizard.gui.widgets import DropZone, wrapped_label


class ModelPage(Page):
    page_id = "model"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.drop = DropZone(suffixes=(".onnx",))
        self.drop.dropped.connect(self.load_model)
        self.pick_button = QPushButton()
        self.pick_button.clicked.connect(self.pick_model)
        self.path_label = wrapped_label(object_name="pathLabel")
        # In a workshop whose kit has a sample model: take it instead of one's own.
        self.sample_button = QPushButton()
        self.sample_button.setObjectName("kitSampleModel")
        self.sample_button.clicked.connect(self.use_kit_sample)
        self.sample_button.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.pick_button)
        row.addWidget(self.sample_button)
        row.addWidget(self.path_label, 1)
        self.body.addWidget(self.drop)
        self.body.addLayout(row)

        self.found_box = QGroupBox()
        form = QFormLayout(self.found_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.labels = {}
        self.values = {}
        for key in ("family", "task", "input", "onnx", "classes", "outputs"):
            self.labels[key] = QLabel()
            self.values[key] = wrapped_label()
            self.values[key].setObjectName(f"found_{key}")
            form.addRow(self.labels[key], self.values[key])
        self.body.addWidget(self.found_box)

        self.expert_box = QGroupBox()
        self.expert_box.setCheckable(True)
        self.expert_box.setChecked(False)
        self.expert_box.toggled.connect(self._expert_toggled)
        expert = QVBoxLayout(self.expert_box)
        self.expert_help = wrapped_label()
        self.outputs_edit = QPlainTextEdit()
        self.outputs_edit.setObjectName("outputNamesEdit")
        self.outputs_edit.setMaximumHeight(130)
        self.outputs_edit.textChanged.connect(self._outputs_edited)
        expert.addWidget(self.expert_help)
        expert.addWidget(self.outputs_edit)
        self.outputs_edit.setVisible(False)
        self.expert_help.setVisible(False)
        self.body.addWidget(self.expert_box)
        self.body.addStretch(1)
        self.retranslate()
        self.show_report()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Your model"))
        self.intro.setText(self.tr(
            "Pick the .onnx file exported from Ultralytics (for example with "
            "model.export(format=\"onnx\")). The wizard reads it and tells you what it found."))
        self.drop.label.setText(self.tr("Drop your .onnx model here"))
        self.pick_button.setText(self.tr("Choose model…"))
        self.sample_button.setText(self.tr("Use the workshop's sample model"))
        self.found_box.setTitle(self.tr("What the wizard found"))
        self.labels["family"].setText(self.tr("Model family"))
        self.labels["task"].setText(self.tr("Task"))
        self.labels["input"].setText(self.tr("Input size"))
        self.labels["onnx"].setText(self.tr("ONNX version"))
        self.labels["classes"].setText(self.tr("Classes"))
        self.labels["outputs"].setText(self.tr("Head outputs"))
        self.expert_box.setTitle(self.tr("Edit output names (experts)"))
        self.expert_help.setText(self.tr(
            "One tensor name per line, in the order the camera's decoder expects. Leave it as found "
            "unless you know your model's head is different."))
        self.show_report()

    def on_enter(self) -> None:
        self.show_report()

    def _show_kit_sample(self) -> None:
        kit = self.ctx.kit
        self.sample_button.setVisible(bool(kit is not None and kit.content.samples.model))

    def use_kit_sample(self) -> None:
        """The kit's sample model, unpacked on this computer off the event loop, then loaded."""
        self.sample_button.setEnabled(False)
        self.ctx.spawn(self._use_kit_sample(), name="kit-sample-model")

    async def _use_kit_sample(self) -> None:
        try:
            model, _images = await run_blocking(self.ctx.services.extract_kit_samples, self.ctx.kit)
        finally:
            self.sample_button.setEnabled(True)
        if model:
            self.load_model(model)

    def pick_model(self) -> None:
        start = str(Path(self.ctx.settings.recent_models[0]).parent) if self.ctx.settings.recent_models else ""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose your model"), start,
                                              self.tr("ONNX model (*.onnx)"))
        if path:
            self.load_model(path)

    def load_model(self, path: str) -> None:
        state = self.state
        state.model_path = str(path)
        state.model_report = None
        state.inspecting = True
        state.output_names = ()
        if not state.name:
            state.name = Path(path).stem
        self.ctx.settings.add_recent_model(str(path))
        self.ctx.save_settings()
        self.show_report()
        self.changed.emit()
        self.ctx.spawn(self._inspect(str(path)), name="inspect")

    async def _inspect(self, path: str) -> None:
        try:
            report = await run_blocking(self.ctx.services.inspect_model, path)
        finally:
            self.state.inspecting = False
        if self.state.model_path != path:
            return  # the user picked another model meanwhile
        self.state.model_report = report
        self.show_report()
        self.changed.emit()

    def show_report(self) -> None:
        state = self.state
        self._show_kit_sample()
        self.path_label.setText(state.model_path or self.tr("No model chosen yet."))
        report = state.model_report
        self.found_box.setVisible(report is not None)
        self.expert_box.setEnabled(report is not None)
        if report is None:
            return
        unknown = self.tr("not recognised")
        family = {"yolo11": "YOLO11", "yolov8": "YOLOv8"}.get(report.family, report.family)
        self.values["family"].setText(unknown if report.family == "unknown" else family)
        tasks = {
            "detect": self.tr("object detection"),
            "segment": self.tr("segmentation"),
            "pose": self.tr("pose estimation"),
            "classify": self.tr("classification"),
            "obb": self.tr("rotated boxes (OBB)"),
        }
        self.values["task"].setText(tasks.get(report.task, unknown))
        if report.height and report.width:
            self.values["input"].setText(self.tr("%1 × %2 pixels").replace("%1", str(report.width))
                                         .replace("%2", str(report.height)))
        else:
            self.values["input"].setText(" × ".join(str(d) for d in report.input_shape) or unknown)
        self.values["onnx"].setText(self.tr("IR %1, opset %2").replace("%1", str(report.ir_version))
                                    .replace("%2", str(report.opset)))
        names = list(report.class_names)
        if names:
            shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
            self.values["classes"].setText(self.tr("%n class(es): ", "", len(names)) + shown)
        else:
            self.values["classes"].setText(self.tr("no class names in the file"))
        outputs = state.effective_output_names()
        self.values["outputs"].setText("\n".join(outputs) if outputs else self.tr("none found"))
        if not self.expert_box.isChecked():
            self.outputs_edit.blockSignals(True)
            self.outputs_edit.setPlainText("\n".join(outputs))
            self.outputs_edit.blockSignals(False)

    def _expert_toggled(self, on: bool) -> None:
        self.outputs_edit.setVisible(on)
        self.expert_help.setVisible(on)
        if not on:
            self.state.output_names = ()  # back to what inspect found
            self.show_report()
            self.changed.emit()

    def _outputs_edited(self) -> None:
        lines = tuple(line.strip() for line in self.outputs_edit.toPlainText().splitlines() if line.strip())
        found = tuple(getattr(self.state.model_report, "output_names", ()) or ())
        self.state.output_names = () if lines == found else lines
        self.values["outputs"].setText("\n".join(self.state.effective_output_names()))
        self.changed.emit()
