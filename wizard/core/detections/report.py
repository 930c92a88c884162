"""detections.json: the detection check's results, typed, versioned, in original-picture pixels.

Written next to the drawings (``detections/NN_<name>.png``) and read back by the CLI and the GUI
gallery. Messages are stored as code + parameters so a view renders them in either language.
Pictures are listed worst first (``rank`` 1 = the most changed).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Literal, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wizard.core.detections.decode import Detections
from wizard.core.detections.letterbox import Placement
from wizard.core.detections.match import PictureComparison, Summary, label_of
from wizard.core.messages import Problem, WizardError, render

SCHEMA_VERSION = 1
REPORT_FILE = "detections.json"
PICTURES_DIR = "detections"


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Message(_Record):
    code: str
    severity: Literal["error", "warning", "info"] = "info"
    params: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, p: Problem) -> "Message":
        return cls(code=p.code, severity=p.severity, params={k: _plain(v) for k, v in p.params.items()})

    def text(self, lang: str | None = None) -> tuple[str, str]:
        return render(self.code, self.params, lang)


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None), list)) else str(value)


class Box(_Record):
    x1: float
    y1: float
    x2: float
    y2: float
    score: float
    class_id: int
    label: str


class Pair(_Record):
    original: int  # index into PictureRecord.original
    int8: int  # index into PictureRecord.int8
    iou: float
    score_drift: float


class NearMiss(_Record):
    original: int
    int8_score: float


class PictureRecord(_Record):
    rank: int
    name: str
    source: str
    sha256: str
    width: int
    height: int
    image: str | None = None  # the drawing, relative to the report's folder
    placement: dict[str, int]
    original: list[Box]  # the float model, as the camera would decode it
    int8: list[Box]  # the INT8 model, as the camera reports it
    matched: list[Pair]
    missed: list[int]
    extra: list[int]
    class_changes: list[Pair]
    near_misses: list[NearMiss]
    recall: float | None
    precision: float | None
    agreement: float
    mean_iou: float | None
    mean_score_drift: float | None
    worst_score_drift: float | None
    ultralytics_original: list[Box] = Field(default_factory=list)  # reference decoder, float model
    int8_correct_scales: list[Box] | None = None  # int8-output models: without the camera's swap


class ClassRecord(_Record):
    class_id: int
    label: str
    original: int
    int8: int
    matched: int
    recall: float | None
    precision: float | None
    agreement: float | None


class SummaryRecord(_Record):
    pictures: int
    original: int
    int8: int
    matched: int
    missed: int
    extra: int
    class_changes: int
    near_misses: int
    recall: float | None
    precision: float | None
    agreement: float | None
    mean_iou: float | None
    mean_score_drift: float | None
    worst_score_drift: float | None
    per_class: list[ClassRecord]


class ModelRecord(_Record):
    name: str
    cvimodel: str
    cvimodel_sha256: str
    mlir: str
    mlir_sha256: str
    input_height: int
    input_width: int
    num_classes: int
    class_names: list[str]
    task: str
    camera_decoder: str | None
    int8_outputs: bool


class Skipped(_Record):
    source: str
    message: Message


class DetectionReport(_Record):
    schema_version: Literal[1] = SCHEMA_VERSION
    created: str
    wizard_version: str
    key: str  # what the results depend on: models, pictures, thresholds, decoder
    model: ModelRecord
    preprocess: dict[str, Any]
    thresholds: dict[str, Any]
    match_iou: float
    ultralytics: dict[str, Any]
    summary: SummaryRecord
    verdict: Message
    suggestions: list[Message]
    notes: list[Message]
    pictures: list[PictureRecord]
    skipped: list[Skipped]
    drawings_lang: str | None = None  # the language the drawings' words are in (None: a report of 0.x)

    def save(self, path: str | os.PathLike) -> Path:
        """Atomically: a reader never sees half a report."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(self.model_dump_json(indent=1))
                stream.write("\n")
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "DetectionReport":
        path = Path(path)
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WizardError.of("file_not_found", path=str(path)) from None
        except (ValidationError, ValueError, UnicodeDecodeError) as exc:
            raise WizardError.of("detections_report_unreadable", path=str(path), detail=_first_line(exc)) from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__


def boxes_record(found: Detections, placement: Placement, class_names: Sequence[str]) -> list[Box]:
    """Detections in model-input pixels -> records in original-picture pixels."""
    mapped = placement.to_source(found.boxes)
    return [Box(x1=round(float(b[0]), 2), y1=round(float(b[1]), 2), x2=round(float(b[2]), 2),
                y2=round(float(b[3]), 2), score=round(float(s), 4), class_id=int(c),
                label=label_of(int(c), class_names))
            for b, s, c in zip(mapped, found.scores, found.classes)]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def picture_record(*, rank: int, name: str, source: str, sha256: str, placement: Placement,
                   original: Detections, int8: Detections, comparison: PictureComparison,
                   class_names: Sequence[str], ultralytics_original: Detections | None = None,
                   int8_correct_scales: Detections | None = None, image: str | None = None) -> PictureRecord:
    def pairs(items) -> list[Pair]:
        return [Pair(original=p.float_index, int8=p.int8_index, iou=round(p.iou, 4),
                     score_drift=round(p.score_drift, 4)) for p in items]

    return PictureRecord(
        rank=rank, name=name, source=source, sha256=sha256, width=placement.source_width,
        height=placement.source_height, image=image, placement=placement.to_dict(),
        original=boxes_record(original, placement, class_names), int8=boxes_record(int8, placement, class_names),
        matched=pairs(comparison.matched), missed=list(comparison.missed), extra=list(comparison.extra),
        class_changes=pairs(comparison.class_changes),
        near_misses=[NearMiss(original=n.float_index, int8_score=round(n.int8_score, 4)) for n in comparison.near_misses],
        recall=_round(comparison.recall), precision=_round(comparison.precision),
        agreement=round(comparison.agreement, 4), mean_iou=_round(comparison.mean_iou),
        mean_score_drift=_round(comparison.mean_score_drift), worst_score_drift=_round(comparison.worst_score_drift),
        ultralytics_original=boxes_record(ultralytics_original, placement, class_names)
        if ultralytics_original is not None else [],
        int8_correct_scales=boxes_record(int8_correct_scales, placement, class_names)
        if int8_correct_scales is not None else None,
    )


def summary_record(summary: Summary) -> SummaryRecord:
    return SummaryRecord(
        pictures=summary.pictures, original=summary.float_count, int8=summary.int8_count,
        matched=summary.matched, missed=summary.missed, extra=summary.extra,
        class_changes=summary.class_changes, near_misses=summary.near_misses,
        recall=_round(summary.recall), precision=_round(summary.precision), agreement=_round(summary.agreement),
        mean_iou=_round(summary.mean_iou), mean_score_drift=_round(summary.mean_score_drift),
        worst_score_drift=_round(summary.worst_score_drift),
        per_class=[ClassRecord(class_id=c.class_id, label=c.label, original=c.float_count, int8=c.int8_count,
                               matched=c.matched, recall=_round(c.recall), precision=_round(c.precision),
                               agreement=_round(c.agreement)) for c in summary.per_class],
    )


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of detections.json (for the docs and for other tools reading it)."""
    return DetectionReport.model_json_schema()

