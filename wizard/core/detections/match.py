"""Float vs INT8 detections on the same picture: what quantization kept, lost, moved and added.

Per picture, the float model's boxes are the reference (the user's pictures carry no labels):
- matched: same class, IoU >= 0.5, each box used once; the float boxes take their partner in
  order of their score, highest first, each the unused INT8 box it overlaps most;
- missed: float boxes left without a partner; extra: INT8 boxes left without one;
- class change: a missed and an extra box that would match if the class were ignored;
- near miss: a missed box the INT8 model did find, below the score threshold (a lower threshold
  on the camera would bring it back);
- score drift: INT8 score - float score of each matched pair.
Over all pictures: recall (of the float boxes), precision (of the INT8 boxes) and their F1,
called "agreement", overall and per class, and a verdict in plain words with what to try.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from wizard.core.detections.decode import Detections, Thresholds, iou_matrix
from wizard.core.messages import Problem, problem

MATCH_IOU = 0.5
GOOD_AGREEMENT = 0.9
FAIR_AGREEMENT = 0.75
# Near misses worth a lower threshold: at least this share of the missed boxes.
NEAR_MISS_SHARE = 0.25
THRESHOLD_STEP = 0.05


@dataclass(frozen=True)
class Pair:
    float_index: int
    int8_index: int
    iou: float
    score_drift: float  # INT8 score - float score


@dataclass(frozen=True)
class NearMiss:
    float_index: int
    int8_score: float  # what the INT8 model gave it, at or below the threshold


@dataclass(frozen=True)
class PictureComparison:
    float_count: int
    int8_count: int
    matched: tuple[Pair, ...]
    missed: tuple[int, ...]  # float indices
    extra: tuple[int, ...]  # INT8 indices
    class_changes: tuple[Pair, ...]  # a missed float box and an extra INT8 box at the same place
    near_misses: tuple[NearMiss, ...] = ()

    @property
    def recall(self) -> float | None:
        return len(self.matched) / self.float_count if self.float_count else None

    @property
    def precision(self) -> float | None:
        return len(self.matched) / self.int8_count if self.int8_count else None

    @property
    def agreement(self) -> float:
        """F1 of recall and precision; 1.0 when both models found nothing."""
        total = self.float_count + self.int8_count
        return 2 * len(self.matched) / total if total else 1.0

    @property
    def mean_iou(self) -> float | None:
        return _mean([p.iou for p in self.matched])

    @property
    def mean_score_drift(self) -> float | None:
        return _mean([p.score_drift for p in self.matched])

    @property
    def worst_score_drift(self) -> float | None:
        return _worst([p.score_drift for p in self.matched])


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _worst(values: Sequence[float]) -> float | None:
    """The drift furthest from zero, sign kept (a lost confidence shows as negative)."""
    return float(max(values, key=abs)) if len(values) else None


def match_pairs(reference: Detections, other: Detections, *, same_class: bool = True,
                iou_threshold: float = MATCH_IOU, skip_reference: set[int] | None = None,
                skip_other: set[int] | None = None) -> list[Pair]:
    """Greedy one-to-one matching, reference boxes by score (highest first)."""
    if not len(reference) or not len(other):
        return []
    ious = iou_matrix(reference.boxes, other.boxes)
    if same_class:
        ious = np.where(reference.classes[:, None] == other.classes[None, :], ious, -1.0)
    used = set(skip_other or ())
    pairs = []
    for ref in np.argsort(-reference.scores, kind="stable"):
        if skip_reference and int(ref) in skip_reference:
            continue
        row = ious[ref].copy()
        if used:
            row[list(used)] = -1.0
        best = int(np.argmax(row))
        if row[best] >= iou_threshold:
            used.add(best)
            pairs.append(Pair(int(ref), best, float(row[best]),
                              float(other.scores[best] - reference.scores[ref])))
    return pairs


def compare_picture(float_boxes: Detections, int8_boxes: Detections,
                    int8_candidates: Detections | None = None, *, score_threshold: float = 1.0,
                    iou_threshold: float = MATCH_IOU) -> PictureComparison:
    """Compare one picture. ``int8_candidates``: the INT8 boxes before NMS at a lower threshold."""
    matched = match_pairs(float_boxes, int8_boxes, iou_threshold=iou_threshold)
    used_float = {p.float_index for p in matched}
    used_int8 = {p.int8_index for p in matched}
    changes = match_pairs(float_boxes, int8_boxes, same_class=False, iou_threshold=iou_threshold,
                          skip_reference=used_float, skip_other=used_int8)
    changed_float = {p.float_index for p in changes}
    missed = tuple(i for i in range(len(float_boxes)) if i not in used_float)
    extra = tuple(i for i in range(len(int8_boxes)) if i not in used_int8)
    near: list[NearMiss] = []
    if int8_candidates is not None and len(int8_candidates):
        below = int8_candidates.take(np.nonzero(int8_candidates.scores <= score_threshold)[0])
        lost = [i for i in missed if i not in changed_float]
        if lost and len(below):
            ious = iou_matrix(float_boxes.boxes[lost], below.boxes)
            same = float_boxes.classes[lost][:, None] == below.classes[None, :]
            scores = np.where(same & (ious >= iou_threshold), below.scores[None, :], -1.0)
            for row, index in enumerate(lost):
                if scores[row].max() >= 0:
                    near.append(NearMiss(index, float(scores[row].max())))
    return PictureComparison(len(float_boxes), len(int8_boxes), tuple(matched), missed, extra,
                             tuple(changes), tuple(near))


# ---------------------------------------------------------------------------------------------
# All pictures
# ---------------------------------------------------------------------------------------------


class _Rates:
    """Recall, precision and agreement (F1) from ``float_count``, ``int8_count`` and ``matched``."""

    float_count: int
    int8_count: int
    matched: int

    @property
    def recall(self) -> float | None:
        return self.matched / self.float_count if self.float_count else None

    @property
    def precision(self) -> float | None:
        return self.matched / self.int8_count if self.int8_count else None

    @property
    def agreement(self) -> float | None:
        total = self.float_count + self.int8_count
        return 2 * self.matched / total if total else None


@dataclass(frozen=True)
class _Totals(_Rates):
    float_count: int
    int8_count: int
    matched: int


@dataclass(frozen=True)
class ClassSummary(_Rates):
    class_id: int
    label: str
    float_count: int
    int8_count: int
    matched: int


@dataclass(frozen=True)
class Summary(_Rates):
    pictures: int
    float_count: int
    int8_count: int
    matched: int
    missed: int
    extra: int
    class_changes: int
    near_misses: int
    mean_iou: float | None
    mean_score_drift: float | None
    worst_score_drift: float | None
    per_class: tuple[ClassSummary, ...]
    verdict: Problem
    suggestions: tuple[Problem, ...]


def label_of(class_id: int, class_names: Sequence[str]) -> str:
    return class_names[class_id] if 0 <= class_id < len(class_names) else str(class_id)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def summarize(comparisons: Sequence[PictureComparison], float_sets: Sequence[Detections],
              int8_sets: Sequence[Detections], thresholds: Thresholds,
              class_names: Sequence[str] = ()) -> Summary:
    """Totals over all pictures, per class, the verdict and the suggestions."""
    matched = sum(len(c.matched) for c in comparisons)
    float_count = sum(c.float_count for c in comparisons)
    int8_count = sum(c.int8_count for c in comparisons)
    pairs = [p for c in comparisons for p in c.matched]
    near = [n for c in comparisons for n in c.near_misses]
    missed = sum(len(c.missed) for c in comparisons)
    per_class = _per_class(comparisons, float_sets, int8_sets, class_names)
    totals = _Totals(float_count, int8_count, matched)
    agreement = totals.agreement
    params = {"agreement": _percent(agreement), "recall": _percent(totals.recall),
              "precision": _percent(totals.precision), "pictures": len(comparisons), "missed": missed,
              "extra": sum(len(c.extra) for c in comparisons)}
    suggestions: list[Problem] = []
    if agreement is None:
        verdict = problem("detections_verdict_nothing", "warning", pictures=len(comparisons),
                          score=thresholds.score)
    elif agreement >= GOOD_AGREEMENT:
        verdict = problem("detections_verdict_good", "info", **params)
    else:
        verdict = problem("detections_verdict_fair" if agreement >= FAIR_AGREEMENT else "detections_verdict_poor",
                          "warning", **params)
        suggestions = [problem("detections_try_calibration", "info"),
                       problem("detections_try_strict_preset", "info"),
                       problem("detections_try_mixed_precision", "info")]
    if near and missed and len(near) >= NEAR_MISS_SHARE * missed and (agreement or 0) < GOOD_AGREEMENT:
        lowest = min(n.int8_score for n in near)
        # The camera keeps score > threshold: the step strictly below the lowest near miss.
        threshold = max(THRESHOLD_STEP, math.floor((lowest - 1e-9) / THRESHOLD_STEP) * THRESHOLD_STEP)
        suggestions.append(problem("detections_try_lower_threshold", "info", count=len(near),
                                   missed=missed, threshold=f"{threshold:.2f}", current=f"{thresholds.score:.2f}"))
    return Summary(
        pictures=len(comparisons), float_count=float_count, int8_count=int8_count, matched=matched,
        missed=missed, extra=sum(len(c.extra) for c in comparisons),
        class_changes=sum(len(c.class_changes) for c in comparisons), near_misses=len(near),
        mean_iou=_mean([p.iou for p in pairs]), mean_score_drift=_mean([p.score_drift for p in pairs]),
        worst_score_drift=_worst([p.score_drift for p in pairs]), per_class=per_class,
        verdict=verdict, suggestions=tuple(suggestions),
    )


def _per_class(comparisons, float_sets, int8_sets, class_names) -> tuple[ClassSummary, ...]:
    counts: dict[int, list[int]] = {}
    for comparison, floats, int8s in zip(comparisons, float_sets, int8_sets):
        for cls in floats.classes.tolist():
            counts.setdefault(int(cls), [0, 0, 0])[0] += 1
        for cls in int8s.classes.tolist():
            counts.setdefault(int(cls), [0, 0, 0])[1] += 1
        for pair in comparison.matched:
            counts[int(floats.classes[pair.float_index])][2] += 1
    return tuple(ClassSummary(cls, label_of(cls, class_names), *values) for cls, values in sorted(counts.items()))


def worst_first(comparisons: Sequence[PictureComparison]) -> list[int]:
    """Picture indices, the most changed first: lowest agreement, most lost, then loosest boxes."""
    def key(index: int):
        c = comparisons[index]
        lost = len(c.missed) + len(c.extra)
        return (c.agreement, -lost, c.mean_iou if c.mean_iou is not None else 1.0, index)

    return sorted(range(len(comparisons)), key=key)
