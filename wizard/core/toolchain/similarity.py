"""Read a run's results.json for people: which comparison decides, and what it says in plain words.

results.json holds every npz comparison the toolchain printed (parse_log). The one that tells
whether quantization hurt is model_deploy's INT8-vs-float comparison ("tpu_vs_top"); the
cvimodel-vs-tpu check after it only proves the file matches the simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from wizard.core.messages import Problem, problem


def number(value: Any) -> float | None:
    """A similarity figure from JSON, where inf and nan are kept as strings."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return float(value)


def pick_compare(results: Mapping[str, Any]) -> dict[str, Any] | None:
    """The INT8-vs-float comparison (model_deploy's), which decides whether quantization hurt.

    None when model_deploy compared nothing (the run stopped earlier): model_transform's float
    check says nothing about quantization and must not be shown as its verdict.
    """
    compares = list(results.get("compare") or [])
    for kind in ("tpu_vs_top", "model_vs_tpu"):
        for compare in reversed(compares):
            if compare.get("kind") == kind:
                return compare
    return None


@dataclass(frozen=True)
class SimilaritySummary:
    passed: bool
    cosine: float | None
    euclidean: float | None
    sqnr: float | None
    tolerance: tuple[float, float] | None
    compared: int
    worst: tuple[tuple[str, float], ...]  # (tensor, cosine), lowest first

    def verdict(self) -> Problem:
        """The plain-words verdict, translatable (severity info when passed)."""
        figures = {
            "cosine": _fmt(self.cosine), "euclidean": _fmt(self.euclidean), "sqnr": _fmt(self.sqnr, 1),
            "tolerance": ",".join(str(t) for t in self.tolerance) if self.tolerance else "0.8,0.5",
        }
        if self.passed:
            return problem("results_similarity_passed", "info", **figures)
        return problem("results_similarity_failed", "error", **figures)


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞"
    return f"{value:.{digits}f}"


def similarity_summary(results: Mapping[str, Any], worst: int = 3) -> SimilaritySummary | None:
    compare = pick_compare(results)
    if compare is None:
        return None
    minimum = compare.get("min_similarity") or {}
    tolerance = compare.get("tolerance")
    scored = [
        (t.get("name", ""), number(t.get("cosine")))
        for t in compare.get("tensors") or []
        if number(t.get("cosine")) is not None
    ]
    scored.sort(key=lambda item: item[1])
    return SimilaritySummary(
        passed=bool(compare.get("passed")),
        cosine=number(minimum.get("cosine")),
        euclidean=number(minimum.get("euclidean")),
        sqnr=number(minimum.get("sqnr")),
        tolerance=(float(tolerance[0]), float(tolerance[1])) if tolerance else None,
        compared=int(compare.get("compared") or len(compare.get("tensors") or [])),
        worst=tuple(scored[:worst]),
    )
