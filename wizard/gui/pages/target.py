"""Page 4: target and options. Basic choices visible, the guide's expert parameters folded.

Which values can be picked comes from the core (flow.allowed_values asks plan.validate_choices):
a combination the toolchain would refuse is disabled here, never explained after a failed run.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wizard.core.app import wizard_flow as rules
from wizard.core import messages
from wizard.core.toolchain.processors import PROCESSORS
from wizard.gui.pages.base import Page
from wizard.gui.widgets import wrapped_label

from wizard.core.plan.choices import CUSTOMIZATION_FORMATS, PIXEL_FORMATS
from wizard.core.plan.presets import available_presets

AUTO = "__auto__"
NONE = ""


def default_output_dir(name: str) -> str:
    """A new folder per run in the user's home, easy to find: ~/reCamera Wizard/<name>-<time>."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return str(Path.home() / "reCamera Wizard" / f"{name or 'model'}-{stamp}")


class TargetPage(Page):
    page_id = "target"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._updating = False
        basic = QGroupBox()
        self.basic_box = basic
        form = QFormLayout(basic)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form = form

        # Named option sets (resources/presets): picking one fills in the options below.
        self.presets = available_presets()
        self.preset = QComboBox()
        self.preset.setObjectName("presetCombo")
        self.preset.addItem("", "")
        for preset_id in self.presets:
            self.preset.addItem(preset_id, preset_id)
        self.preset.activated.connect(lambda index: self._apply_preset(self.preset.itemData(index)))
        self.processor = QComboBox()
        self.processor.setObjectName("processorCombo")
        for name in rules.processor_names():
            self.processor.addItem(name, name)
        self.processor.currentIndexChanged.connect(lambda _: self._set("processor", self.processor.currentData()))
        self.quantize = QComboBox()
        self.quantize.setObjectName("quantizeCombo")
        for mode in ("INT8", "BF16", "F16", "F32"):
            self.quantize.addItem(mode, mode)
        self.quantize.currentIndexChanged.connect(lambda _: self._set("quantize", self.quantize.currentData()))
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.textEdited.connect(lambda text: self._set("name", text.strip()))
        self.out_edit = QLineEdit()
        self.out_edit.setObjectName("outEdit")
        self.out_edit.textEdited.connect(lambda text: self._set("out_dir", text.strip()))
        self.out_button = QPushButton()
        self.out_button.clicked.connect(self._pick_out)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(self.out_button)
        out_widget = QWidget()
        out_widget.setLayout(out_row)
        out_row.setContentsMargins(0, 0, 0, 0)

        self.labels: dict[str, QLabel] = {}
        self.helps: dict[str, QLabel] = {}
        self._row(form, "preset", self.preset)
        self._row(form, "processor", self.processor)
        self._row(form, "quantize", self.quantize)
        self._row(form, "name", self.name_edit)
        self._row(form, "out_dir", out_widget)
        # A workshop kit's note: which workshop, and that its instructor fixed some options.
        self.kit_note = wrapped_label(object_name="kitNote")
        self.kit_note.setVisible(False)
        self.body.addWidget(self.kit_note)
        self.body.addWidget(basic)

        self.expert_toggle = QPushButton()
        self.expert_toggle.setObjectName("expertToggle")
        self.expert_toggle.setCheckable(True)
        self.expert_toggle.toggled.connect(self._toggle_expert)
        self.body.addWidget(self.expert_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self.expert_box = QGroupBox()
        self.expert_box.setObjectName("expertBox")
        expert = QFormLayout(self.expert_box)
        expert.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

        self.pixel_format = QComboBox()
        for value in PIXEL_FORMATS:
            self.pixel_format.addItem(value, value)
        self.pixel_format.currentIndexChanged.connect(
            lambda _: self._set("pixel_format", self.pixel_format.currentData()))
        self.keep_aspect = QCheckBox()
        self.keep_aspect.toggled.connect(lambda on: self._set("keep_aspect_ratio", on))
        self.fuse = QCheckBox()
        self.fuse.setObjectName("fuseCheck")
        self.fuse.toggled.connect(lambda on: self._set("fuse_preprocess", on))
        self.aligned = QCheckBox()
        self.aligned.setObjectName("alignedCheck")
        self.aligned.toggled.connect(lambda on: self._set("aligned_input", on))
        self.customization = QComboBox()
        self.customization.setObjectName("customizationCombo")
        self.customization.addItem("", AUTO)
        self.customization.addItem("", NONE)
        for value in CUSTOMIZATION_FORMATS:
            self.customization.addItem(value, value)
        self.customization.currentIndexChanged.connect(lambda _: self._set_customization())
        self.quant_input = QCheckBox()
        self.quant_input.toggled.connect(lambda on: self._set("quant_input", on))
        self.own_tolerance = QCheckBox()
        self.tol_cos = QDoubleSpinBox()
        self.tol_euclid = QDoubleSpinBox()
        for spin, value in ((self.tol_cos, 0.8), (self.tol_euclid, 0.5)):
            spin.setRange(0.01, 1.0)
            spin.setSingleStep(0.01)
            spin.setDecimals(2)
            spin.setValue(value)
            spin.valueChanged.connect(lambda _: self._set_tolerance())
        self.own_tolerance.toggled.connect(lambda _: self._set_tolerance())
        tol_row = QHBoxLayout()
        tol_row.setContentsMargins(0, 0, 0, 0)
        tol_row.addWidget(self.own_tolerance)
        tol_row.addWidget(self.tol_cos)
        tol_row.addWidget(self.tol_euclid)
        tol_row.addStretch(1)
        tol_widget = QWidget()
        tol_widget.setLayout(tol_row)
        self.mean_edit = QLineEdit()
        self.mean_edit.textEdited.connect(lambda text: self._set_floats("mean", self.mean_edit, text))
        self.scale_edit = QLineEdit()
        self.scale_edit.textEdited.connect(lambda text: self._set_floats("scale", self.scale_edit, text))
        for key, widget in (
            ("pixel_format", self.pixel_format),
            ("keep_aspect_ratio", self.keep_aspect),
            ("fuse_preprocess", self.fuse),
            ("aligned_input", self.aligned),
            ("customization_format", self.customization),
            ("quant_input", self.quant_input),
            ("tolerance", tol_widget),
            ("mean", self.mean_edit),
            ("scale", self.scale_edit),
        ):
            self._row(expert, key, widget)
        self.expert_box.setVisible(False)
        self.body.addWidget(self.expert_box)
        # The widgets of each option a workshop kit can lock (disabled while it is locked).
        self.lock_widgets: dict[str, tuple[QWidget, ...]] = {
            "processor": (self.processor,), "quantize": (self.quantize,), "pixel_format": (self.pixel_format,),
            "keep_aspect_ratio": (self.keep_aspect,), "fuse_preprocess": (self.fuse,),
            "aligned_input": (self.aligned,), "customization_format": (self.customization,),
            "quant_input": (self.quant_input,), "tolerance": (self.own_tolerance, self.tol_cos, self.tol_euclid),
            "mean": (self.mean_edit,), "scale": (self.scale_edit,),
        }
        self._help_texts: dict[str, str] = {}
        self.body.addStretch(1)
        self.retranslate()

    def _row(self, form: QFormLayout, key: str, widget: QWidget) -> None:
        label = QLabel()
        label.setWordWrap(True)
        help_label = wrapped_label(object_name="helpText")
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(help_label)
        self.labels[key] = label
        self.helps[key] = help_label
        form.addRow(label, column)

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Target and options"))
        self.intro.setText(self.tr(
            "The defaults are the ones from Seeed's reCamera guide and work for most models. "
            "Change them only if you know why."))
        self.basic_box.setTitle(self.tr("Basic"))
        self.expert_box.setTitle(self.tr("Expert options"))
        texts = {
            "preset": (self.tr("Preset"), self.tr(
                "Ready-made sets of the options below. Picking one fills them in; you can still "
                "change any of them.")),
            "processor": (self.tr("Processor"), self.tr(
                "The chip the model will run on. Every reCamera uses cv181x; the others are for "
                "other Sophgo boards.")),
            "quantize": (self.tr("Number format"), self.tr(
                "INT8 is fast and what the reCamera is made for. BF16 is more exact but much slower. "
                "Formats the chip cannot run are not offered.")),
            "name": (self.tr("Model name"), self.tr(
                "Used for the file names. Letters, digits, '-' and '_' are kept; other characters "
                "are replaced.")),
            "out_dir": (self.tr("Save to"), self.tr(
                "A new, empty folder. The converted model, the recipe and the log are saved here.")),
            "pixel_format": (self.tr("Pixel format"), self.tr(
                "Colour order the model was trained with. YOLO models use rgb (--pixel_format).")),
            "keep_aspect_ratio": (self.tr("Keep aspect ratio"), self.tr(
                "Pad pictures instead of stretching them, as Ultralytics does (--keep_aspect_ratio).")),
            "fuse_preprocess": (self.tr("Fuse preprocessing"), self.tr(
                "Let the chip resize and normalise camera frames itself (--fuse_preprocess). Needed for "
                "the reCamera's camera pipeline.")),
            "aligned_input": (self.tr("Aligned input"), self.tr(
                "Lay out the input the way the camera hardware delivers it (--aligned_input). Needs "
                "fused preprocessing; CV18xx chips only.")),
            "customization_format": (self.tr("Camera frame format"), self.tr(
                "The format of the frames the camera hands to the model (--customization_format). "
                "Needs fused preprocessing.")),
            "quant_input": (self.tr("8-bit input"), self.tr(
                "Feed the model 8-bit pixels directly, skipping a conversion on the chip (--quant_input).")),
            "tolerance": (self.tr("Pass threshold"), self.tr(
                "Minimum cosine and euclidean similarity between the original and the converted model "
                "for the check to pass (--tolerance). The toolchain's default is 0.80 and 0.50.")),
            "mean": (self.tr("Mean"), self.tr(
                "Subtracted from each colour channel before scaling; YOLO uses 0,0,0 (--mean).")),
            "scale": (self.tr("Scale"), self.tr(
                "Multiplies each channel; YOLO uses 1/255 = 0.0039216 (--scale).")),
        }
        for key, (label, help_text) in texts.items():
            self.labels[key].setText(label)
            self.helps[key].setText(help_text)
        self._help_texts = {key: help_text for key, (_label, help_text) in texts.items()}
        self.out_button.setText(self.tr("Choose…"))
        self.keep_aspect.setText(self.tr("Pad, don't stretch"))
        self.fuse.setText(self.tr("On the chip"))
        self.aligned.setText(self.tr("Aligned"))
        self.quant_input.setText(self.tr("8-bit pixels in"))
        self.own_tolerance.setText(self.tr("Use my own:"))
        self.customization.setItemText(0, self.tr("Automatic (RGB_PACKED with fused preprocessing)"))
        self.customization.setItemText(1, self.tr("None"))
        lang = messages.current_language()
        self.preset.setItemText(0, self.tr("Choose a preset…"))
        for i in range(1, self.preset.count()):
            preset = self.presets[self.preset.itemData(i)]
            label, description = preset.text(lang)
            self.preset.setItemText(i, label)
            self.preset.setItemData(i, description, Qt.ItemDataRole.ToolTipRole)
        for i in range(self.processor.count()):
            proc = PROCESSORS.get(self.processor.itemData(i))
            if proc is not None:
                self.processor.setItemText(i, proc.label(lang))
        self._toggle_expert(self.expert_toggle.isChecked())
        self._show_locks()

    # -- a workshop kit's locked choices ---------------------------------------------------------
    def locked(self) -> frozenset[str]:
        from wizard.gui.workshop_kit import locked_options

        return locked_options(self.ctx.kit)

    def _show_locks(self) -> None:
        """Disable what the kit's instructor locked, saying so next to it; the kit's title on top."""
        locked = self.locked()
        kit = self.ctx.kit
        self.kit_note.setVisible(kit is not None)
        if kit is not None:
            self.kit_note.setText(self.tr(
                "Workshop: %1. Options marked \"set by your instructor\" cannot be changed here.").replace(
                    "%1", kit.title))
        note = self.tr("Set by your instructor.")
        for key, widgets in self.lock_widgets.items():
            is_locked = key in locked
            for widget in widgets:
                if is_locked:
                    widget.setEnabled(False)
                    widget.setToolTip(note)
            base = self._help_texts.get(key, "")
            gap = "" if note.endswith("。") else " "  # Japanese sentences run on without a space
            self.helps[key].setText(f"{note}{gap}{base}" if is_locked else base)
        # A preset would change locked options: it is the instructor's choice too.
        any_locked = bool(locked & set(self.lock_widgets))
        self.preset.setEnabled(not any_locked)
        self.preset.setToolTip(note if any_locked else "")

    def _toggle_expert(self, on: bool) -> None:
        self.expert_box.setVisible(on)
        self.expert_toggle.setText(self.tr("Hide expert options") if on else self.tr("Show expert options"))

    # -- state <-> widgets ---------------------------------------------------------------------
    def on_enter(self) -> None:
        s = self.state
        if not s.out_dir:
            s.out_dir = default_output_dir(s.name or Path(s.model_path).stem)
        self.refresh()
        self.changed.emit()

    def _set(self, key: str, value) -> None:
        if self._updating:
            return
        if key in self.locked():  # the kit's instructor set it: the widget shows their value again
            self.refresh()
            return
        setattr(self.state, key, value)
        if key == "processor":
            proc = PROCESSORS.get(value)
            if proc is not None and self.state.quantize not in proc.quantize_modes:
                self.state.quantize = proc.quantize_modes[0]
        self.refresh()
        self.changed.emit()

    def _apply_preset(self, preset_id: str) -> None:
        preset = self.presets.get(preset_id)
        if preset is None:
            return
        locked = self.locked()
        for key, value in preset.choices.items():
            if hasattr(self.state, key) and key not in locked:
                setattr(self.state, key, value)
        self.refresh()
        self.changed.emit()

    def _matching_preset(self) -> str:
        """The preset the current options are exactly, or "" once the user changed one of them."""
        for preset_id, preset in self.presets.items():
            if all(self._effective(key) == value for key, value in preset.choices.items()):
                return preset_id
        return ""

    def _effective(self, key: str):
        """A state value as the plan will resolve it ("the wizard decides" is a concrete value)."""
        from wizard.core.plan.choices import resolved_aligned_input, resolved_customization_format
        from wizard.core.app.wizard_flow import choices_from_state

        if key == "aligned_input":
            return resolved_aligned_input(choices_from_state(self.state))
        if key == "customization_format":
            return resolved_customization_format(choices_from_state(self.state)) or ""
        return getattr(self.state, key, None)

    def _set_customization(self) -> None:
        data = self.customization.currentData()
        self._set("customization_format", None if data == AUTO else data)

    def _set_tolerance(self) -> None:
        value = (self.tol_cos.value(), self.tol_euclid.value()) if self.own_tolerance.isChecked() else None
        self.tol_cos.setEnabled(self.own_tolerance.isChecked())
        self.tol_euclid.setEnabled(self.own_tolerance.isChecked())
        self._set("tolerance", value)

    def _set_floats(self, key: str, edit: QLineEdit, text: str) -> None:
        try:
            values = tuple(float(part) for part in text.replace(" ", "").split(",") if part)
        except ValueError:
            edit.setProperty("invalid", True)
            edit.style().polish(edit)
            return
        edit.setProperty("invalid", False)
        edit.style().polish(edit)
        self._set(key, values)

    def _pick_out(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Choose where to save the model"),
                                                str(Path(self.state.out_dir).parent) if self.state.out_dir else "")
        if path:
            self._set("out_dir", path)

    def refresh(self) -> None:
        """Show the state, and disable every value the core would refuse in this combination."""
        s = self.state
        self._updating = True
        try:
            self._select(self.preset, self._matching_preset())
            self._select(self.processor, s.processor)
            self._select(self.quantize, s.quantize)
            self._select(self.pixel_format, s.pixel_format)
            self._select(self.customization, AUTO if s.customization_format is None else s.customization_format)
            if self.name_edit.text().strip() != s.name:
                self.name_edit.setText(s.name)
            if self.out_edit.text().strip() != s.out_dir:
                self.out_edit.setText(s.out_dir)
            self.keep_aspect.setChecked(s.keep_aspect_ratio)
            self.fuse.setChecked(s.fuse_preprocess)
            self.aligned.setChecked(self._effective("aligned_input"))
            self.quant_input.setChecked(s.quant_input)
            self.own_tolerance.setChecked(s.tolerance is not None)
            if s.tolerance is not None:
                self.tol_cos.setValue(s.tolerance[0])
                self.tol_euclid.setValue(s.tolerance[1])
            self.tol_cos.setEnabled(s.tolerance is not None)
            self.tol_euclid.setEnabled(s.tolerance is not None)
            if not self.mean_edit.hasFocus():
                self.mean_edit.setText(",".join(f"{v:g}" for v in s.mean))
            if not self.scale_edit.hasFocus():
                self.scale_edit.setText(",".join(f"{v:g}" for v in s.scale))
            self._enable_items(self.processor, "processor")
            self._enable_items(self.quantize, "quantize")
            self._enable_items(self.pixel_format, "pixel_format")
            self._enable_items(self.customization, "customization_format",
                               convert=lambda d: None if d == AUTO else d)
            for box, key in ((self.fuse, "fuse_preprocess"), (self.aligned, "aligned_input"),
                             (self.keep_aspect, "keep_aspect_ratio"), (self.quant_input, "quant_input")):
                current = box.isChecked()
                allowed = rules.allowed_values(s, key, [not current])[not current]
                box.setEnabled(allowed)
                box.setToolTip("" if allowed else self.tr("Not possible with the other options chosen"))
            for widget in (self.processor, self.quantize, self.pixel_format, self.customization,
                           self.own_tolerance, self.mean_edit, self.scale_edit):
                widget.setEnabled(True)
                widget.setToolTip("")
            self._show_locks()
        finally:
            self._updating = False

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        index = combo.findData(value)
        if index >= 0 and combo.currentIndex() != index:
            combo.setCurrentIndex(index)

    def _enable_items(self, combo: QComboBox, key: str, convert=lambda d: d) -> None:
        values = [convert(combo.itemData(i)) for i in range(combo.count())]
        allowed = rules.allowed_values(self.state, key, values)
        model = combo.model()
        if not isinstance(model, QStandardItemModel):
            return
        for i, value in enumerate(values):
            item = model.item(i)
            if item is not None:
                item.setEnabled(allowed.get(value, True))
