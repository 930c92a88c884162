"""What a toolchain log shows, as data: steps, their sub-commands, npz comparisons, problems.

The interpreter (wizard.core.toolchain.interpreter) fills a LogReport line by line; runners, the
CLI's parse-log and the GUI read it.

LogReport.to_dict() (always valid JSON: ``json.dumps(..., allow_nan=False)`` works):

    {"ok": bool,                      # no error problem, no failed step, no failed comparison
     "steps": [{"name": "transform"|"calibrate"|"deploy"|"other",
                "status": "success"|"failed"|"running"|"skipped",
                "command": str, "exit_code": int|null, "elapsed": float|null,
                "source": "wizard"|"shell"|"inferred",   # marker, a shell command line, or guessed
                "commands": [{"command": str, "status": "success"|"failed"|"running"}]}],
                                      # ^ the [Running] sub-commands inside the step
     "compare": [{"step", "kind": "top_vs_onnx"|"tpu_vs_top"|"model_vs_tpu"|"other",
                  "target", "reference", "tolerance": [a, b]|null, "passed": bool|null,
                  "compared", "passed_count", "failed_count",
                  "counts": {"equal", "close", "similar", "not_equal", "not_similar"},
                  "min_similarity": {"cosine", "euclidean", "sqnr"}|null,
                  "tensors": [{"name", "status", "passed", "shape", "dtype",
                               "cosine", "euclidean", "sqnr", "close_order"}]}],
     "errors": [{"code", "severity", "message", "fix"}],     # severity "error"
     "warnings": [...same shape...]}

Error codes (wizard.core.messages.catalogue_toolchain): toolchain_no_calibration_inputs,
toolchain_test_image_missing, toolchain_output_names_not_found, toolchain_ir_version_too_new,
toolchain_op_not_supported, toolchain_calibration_table_missing, toolchain_compare_failed (INT8 vs
float, cvimodel vs MLIR), toolchain_transform_compare_failed (MLIR vs ONNX),
toolchain_quantize_not_supported, toolchain_aligned_input_needs_fuse, toolchain_out_of_memory (a
calibration the kernel's OOM killer ended, with the picture count: convert.sh's marker, exit 137,
"Killed", MemoryError) or toolchain_killed_oom (another step, or no count known),
toolchain_disk_full, toolchain_docker_permission_denied, toolchain_not_installed,
toolchain_output_missing, toolchain_bad_option (argparse refusals), toolchain_misspelled_option and
toolchain_unknown_option (model_transform 1.7's Python errors for an option it does not know);
anything else is toolchain_tool_error (the exception line) or toolchain_step_failed (exit code and
the last lines), so no failure is ever swallowed.

Numbers: floats, except non-finite ones, which JSON cannot hold: they become the strings "inf",
"-inf" and "nan" (an all-EQUAL comparison prints ``min_similiarity = (1.0, 1.0, inf)``).
Tensor similarity values are null for EQUAL/CLOSE tensors (the tool prints none for them).
The tool's status ``NOT_SIMLIAR`` (sic) is reported as ``NOT_SIMILAR``; both spellings and both
``min_similiarity``/``min_similarity`` are accepted on input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from wizard.core.messages import Problem


def _json_number(value: float | None) -> float | str | None:
    if value is None:
        return None
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


@dataclass
class TensorResult:
    name: str
    status: str
    passed: bool
    shape: list[int] | None = None
    dtype: str | None = None
    cosine: float | None = None
    euclidean: float | None = None
    sqnr: float | None = None
    close_order: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "status": self.status, "passed": self.passed, "shape": self.shape,
            "dtype": self.dtype, "cosine": _json_number(self.cosine),
            "euclidean": _json_number(self.euclidean), "sqnr": _json_number(self.sqnr),
            "close_order": self.close_order,
        }


@dataclass
class CompareResult:
    step: str = ""
    target: str = ""
    reference: str = ""
    tolerance: tuple[float, float] | None = None
    passed: bool | None = None
    compared: int | None = None
    passed_count: int | None = None
    failed_count: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    min_similarity: tuple[float | None, float | None, float | None] | None = None
    tensors: list[TensorResult] = field(default_factory=list)
    announced: bool = False  # its "[Running]: npz_tool.py compare" line was seen (it may come after)

    @property
    def kind(self) -> str:
        if self.target.endswith("_model_outputs.npz"):
            return "model_vs_tpu"
        if self.target.endswith("_tpu_outputs.npz"):
            return "tpu_vs_top"
        if self.step == "transform" or self.reference.endswith("_ref_outputs.npz"):
            return "top_vs_onnx"
        if self.step == "deploy":
            return "tpu_vs_top"
        return "other"

    @property
    def failed_tensors(self) -> list[TensorResult]:
        return [t for t in self.tensors if not t.passed]

    def to_dict(self) -> dict[str, Any]:
        tensors = self.tensors
        return {
            "step": self.step, "kind": self.kind, "target": self.target, "reference": self.reference,
            "tolerance": list(self.tolerance) if self.tolerance else None, "passed": self.passed,
            "compared": self.compared if self.compared is not None else len(tensors),
            "passed_count": self.passed_count if self.passed_count is not None else sum(t.passed for t in tensors),
            "failed_count": self.failed_count if self.failed_count is not None else sum(not t.passed for t in tensors),
            "counts": dict(self.counts),
            "min_similarity": None if self.min_similarity is None else {
                "cosine": _json_number(self.min_similarity[0]),
                "euclidean": _json_number(self.min_similarity[1]),
                "sqnr": _json_number(self.min_similarity[2]),
            },
            "tensors": [t.to_dict() for t in tensors],
        }


@dataclass
class SubCommand:
    command: str
    status: str = "running"
    announced: bool = True  # False: its end was seen before its "[Running]:" line (buffered stdout)

    def to_dict(self) -> dict[str, Any]:
        return {"command": self.command, "status": self.status}


@dataclass
class StepRecord:
    name: str
    command: str = ""
    status: str = "running"
    exit_code: int | None = None
    elapsed: float | None = None
    source: str = "wizard"
    commands: list[SubCommand] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "status": self.status, "command": self.command, "exit_code": self.exit_code,
            "elapsed": self.elapsed, "source": self.source, "commands": [c.to_dict() for c in self.commands],
        }


@dataclass
class LogReport:
    steps: list[StepRecord] = field(default_factory=list)
    compare: list[CompareResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def failed(self) -> bool:
        """The log shows a failed conversion (an error, a failed step or a failed comparison)."""
        return bool(self.errors) or any(s.status == "failed" for s in self.steps) or any(
            c.passed is False for c in self.compare)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "steps": [s.to_dict() for s in self.steps],
            "compare": [c.to_dict() for c in self.compare],
            "errors": [p.to_dict(lang) for p in self.errors],
            "warnings": [p.to_dict(lang) for p in self.warnings],
        }
