"""Inspect an ONNX model: YOLO family and task, input, IR/opset, head outputs, class names, problems.

CONTRACT (implemented by the model-inspection work; plan.py and the GUI rely on it):
    inspect_model(path) -> ModelReport
Never raises for bad input: an unreadable or truncated file gives a report whose ``problems``
contains an error (code ``model_not_onnx`` / ``model_truncated`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.core.messages import Problem

# The onnxruntime in sophgo/tpuc_dev v3.1 (1.15.1) accepts IR <= 9; the guide relabels to IR 8 /
# opset 17, which every supported image accepts. Above these, plan stages a converted copy.
MAX_TOOLCHAIN_IR = 8
MAX_TOOLCHAIN_OPSET = 17


@dataclass(frozen=True)
class ModelReport:
    path: str
    family: str = "unknown"  # "yolo11" | "yolov8" | "unknown"
    task: str = "unknown"  # "detect" | "segment" | "pose" | "classify" | "obb" | "unknown"
    input_name: str = ""
    input_shape: tuple[Any, ...] = ()  # [N, C, H, W]; a dynamic dim is its symbolic name (str)
    ir_version: int = 0
    opset: int = 0
    output_names: tuple[str, ...] = ()  # head convs in the decoder's order, or the graph outputs
    graph_outputs: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def convertible(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def needs_downgrade(self) -> bool:
        return self.ir_version > MAX_TOOLCHAIN_IR or self.opset > MAX_TOOLCHAIN_OPSET

    @property
    def height(self) -> int:
        return int(self.input_shape[2]) if len(self.input_shape) == 4 else 0

    @property
    def width(self) -> int:
        return int(self.input_shape[3]) if len(self.input_shape) == 4 else 0

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "path": self.path,
            "family": self.family,
            "task": self.task,
            "input": {"name": self.input_name, "shape": list(self.input_shape)},
            "ir_version": self.ir_version,
            "opset": self.opset,
            "output_names": list(self.output_names),
            "graph_outputs": list(self.graph_outputs),
            "class_names": list(self.class_names),
            "convertible": self.convertible,
            "problems": [p.to_dict(lang) for p in self.problems],
        }


def inspect_model(path: str | Path) -> ModelReport:
    raise NotImplementedError("implemented by the model-inspection work")
