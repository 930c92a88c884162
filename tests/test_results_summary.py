"""The plain-words verdict of a run, read from parse_log's results (shared by the CLI and GUI)."""

from __future__ import annotations

from pathlib import Path

from wizard.core.toolchain.similarity import number, pick_compare, similarity_summary
from wizard.core.toolchain.log import parse_log

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"


def _results(name: str) -> dict:
    return parse_log((LOGS / name).read_text(encoding="utf-8")).to_dict()


def test_clean_run_picks_model_deploys_int8_versus_float_comparison():
    results = _results("clean_yolo11n.log")
    chosen = pick_compare(results)
    assert chosen["kind"] == "tpu_vs_top" and chosen["step"] == "deploy"
    summary = similarity_summary(results)
    assert summary.passed and summary.tolerance == (0.8, 0.5)
    assert summary.cosine == number(chosen["min_similarity"]["cosine"]) and 0.8 < summary.cosine <= 1
    assert [c for _, c in summary.worst] == sorted(c for _, c in summary.worst)
    message, fix = summary.verdict().text("en")
    assert "matches the original" in message and f"{summary.cosine:.4f}" in message and fix == ""
    assert "十分に一致" in summary.verdict().text("ja")[0]


def test_failed_comparison_reads_as_a_failure_with_a_next_step():
    summary = similarity_summary(_results("deploy_compare_failed.log"))
    assert not summary.passed
    verdict = summary.verdict()
    assert verdict.severity == "error" and "calibration images" in verdict.fix
    assert summary.worst and abs(summary.worst[0][1] - summary.cosine) < 1e-5  # printed to 6 digits


def test_a_run_without_comparisons_has_no_summary():
    assert similarity_summary(_results("calibration_no_inputs.log")) is None
    assert number("inf") == float("inf") and number("nan") != number("nan") and number(None) is None
