"""Float vs INT8 matching per picture and over all pictures (no toolchain: boxes given by value)."""

from __future__ import annotations

import numpy as np
import pytest

from wizard.core.detections.decode import Detections, Thresholds
from wizard.core.detections.match import compare_picture, summarize, worst_first


def dets(*rows) -> Detections:
    """rows of (x1, y1, x2, y2, score, class)."""
    if not rows:
        return Detections.empty()
    data = np.asarray(rows, dtype=np.float64)
    return Detections(data[:, :4], data[:, 4], data[:, 5].astype(np.int64))


REFERENCE = dets(
    (0, 0, 100, 100, 0.90, 0),  # kept
    (200, 0, 300, 100, 0.80, 1),  # lost
    (0, 200, 100, 300, 0.70, 0),  # shifted by 10 px
    (200, 200, 300, 300, 0.85, 2),  # score lowered
)
QUANTIZED = dets(
    (0, 0, 100, 100, 0.90, 0),
    (10, 200, 110, 300, 0.72, 0),
    (200, 200, 300, 300, 0.60, 2),
    (400, 400, 450, 450, 0.50, 3),  # extra
)


def test_one_lost_one_shifted_one_lowered_one_extra():
    c = compare_picture(REFERENCE, QUANTIZED)
    assert [(p.float_index, p.int8_index) for p in c.matched] == [(0, 0), (3, 2), (2, 1)]  # by float score
    assert c.missed == (1,) and c.extra == (3,) and c.class_changes == ()
    assert (c.recall, c.precision, c.agreement) == (0.75, 0.75, 0.75)
    shifted_iou = 90 * 100 / (2 * 100 * 100 - 90 * 100)
    assert c.mean_iou == pytest.approx((1 + 1 + shifted_iou) / 3)
    assert [p.score_drift for p in c.matched] == pytest.approx([0.0, -0.25, 0.02])
    assert c.mean_score_drift == pytest.approx(-0.23 / 3)
    assert c.worst_score_drift == pytest.approx(-0.25)


def test_identical_and_empty_pictures_agree_fully():
    same = compare_picture(REFERENCE, REFERENCE)
    assert len(same.matched) == 4 and same.agreement == 1.0 and same.mean_iou == 1.0
    nothing = compare_picture(dets(), dets())
    assert nothing.agreement == 1.0 and nothing.recall is None and nothing.precision is None
    only_int8 = compare_picture(dets(), dets((0, 0, 10, 10, 0.5, 0)))
    assert only_int8.agreement == 0.0 and only_int8.extra == (0,)


def test_a_box_moved_too_far_is_missed_plus_extra_not_a_class_change():
    c = compare_picture(dets((0, 0, 100, 100, 0.9, 0)), dets((60, 0, 160, 100, 0.9, 0)))
    assert c.matched == () and c.missed == (0,) and c.extra == (0,) and c.class_changes == ()


def test_a_class_change_is_reported_as_such():
    c = compare_picture(dets((0, 0, 100, 100, 0.9, 0)), dets((2, 0, 100, 100, 0.8, 5)))
    assert c.matched == () and c.missed == (0,) and c.extra == (0,)
    assert [(p.float_index, p.int8_index) for p in c.class_changes] == [(0, 0)]
    assert c.class_changes[0].iou == pytest.approx(0.98)


def test_each_box_is_used_once_and_the_highest_float_score_chooses_first():
    # Two float boxes on one INT8 box: the 0.9 one takes it although the 0.6 one overlaps more.
    floats = dets((0, 0, 100, 100, 0.9, 0), (5, 0, 100, 100, 0.6, 0))
    c = compare_picture(floats, dets((6, 0, 100, 100, 0.8, 0)))
    assert [(p.float_index, p.int8_index) for p in c.matched] == [(0, 0)]
    assert c.missed == (1,)
    # Two INT8 boxes for one float box: the best overlap is the partner, the other is extra.
    c = compare_picture(dets((0, 0, 100, 100, 0.9, 0)), dets((30, 0, 100, 100, 0.95, 0), (1, 0, 100, 100, 0.5, 0)))
    assert [(p.float_index, p.int8_index) for p in c.matched] == [(0, 1)] and c.extra == (0,)


def test_near_misses_below_the_threshold():
    candidates = dets((200, 0, 300, 100, 0.41, 1), (400, 400, 500, 500, 0.30, 1), (0, 0, 100, 100, 0.9, 0))
    c = compare_picture(REFERENCE, QUANTIZED, candidates, score_threshold=0.45)
    assert [(n.float_index, n.int8_score) for n in c.near_misses] == [(1, 0.41)]


def _summary(comparisons, floats, int8s, names=("person", "car", "dog", "cat")):
    return summarize(comparisons, floats, int8s, Thresholds(0.45, 0.25), names)


def test_summary_over_pictures_per_class_and_verdict():
    first = compare_picture(REFERENCE, QUANTIZED)
    second = compare_picture(REFERENCE, REFERENCE)
    s = _summary([first, second], [REFERENCE, REFERENCE], [QUANTIZED, REFERENCE])
    assert (s.pictures, s.float_count, s.int8_count, s.matched, s.missed, s.extra) == (2, 8, 8, 7, 1, 1)
    assert s.recall == s.precision == s.agreement == pytest.approx(7 / 8)
    by_label = {c.label: (c.float_count, c.int8_count, c.matched) for c in s.per_class}
    assert by_label == {"person": (4, 4, 4), "car": (2, 1, 1), "dog": (2, 2, 2), "cat": (0, 1, 0)}
    assert {c.label: c.recall for c in s.per_class}["car"] == 0.5
    assert s.verdict.code == "detections_verdict_fair"
    assert "88%" in s.verdict.message and "1 missed" in s.verdict.message
    assert "見逃し 1" in s.verdict.text("ja")[0]
    assert [p.code for p in s.suggestions] == [
        "detections_try_calibration", "detections_try_strict_preset", "detections_try_mixed_precision"]


def test_verdicts_good_poor_nothing_and_the_lower_threshold_hint():
    good = _summary([compare_picture(REFERENCE, REFERENCE)], [REFERENCE], [REFERENCE])
    assert good.verdict.code == "detections_verdict_good" and good.suggestions == ()
    lost = dets((0, 0, 100, 100, 0.9, 0))
    candidates = dets((200, 0, 300, 100, 0.43, 1), (200, 200, 300, 300, 0.38, 2), (0, 200, 100, 300, 0.2, 0))
    poor_c = compare_picture(REFERENCE, lost, candidates, score_threshold=0.45)
    poor = _summary([poor_c], [REFERENCE], [lost])
    assert poor.verdict.code == "detections_verdict_poor"
    hint = poor.suggestions[-1]
    assert hint.code == "detections_try_lower_threshold"
    assert hint.params["threshold"] == "0.15" and hint.params["count"] == 3 and hint.params["current"] == "0.45"
    nothing = _summary([compare_picture(dets(), dets())], [dets()], [dets()])
    assert nothing.verdict.code == "detections_verdict_nothing" and nothing.agreement is None


def test_worst_pictures_first():
    pictures = [compare_picture(REFERENCE, REFERENCE),  # perfect
                compare_picture(REFERENCE, QUANTIZED),  # 0.75
                compare_picture(REFERENCE, dets()),  # nothing found by INT8
                compare_picture(dets(), dets()),  # nothing on either side: perfect agreement
                compare_picture(REFERENCE, dets(*[(x1, y1, x2 - 20, y2, s, c) for x1, y1, x2, y2, s, c in
                                                  np.column_stack([REFERENCE.boxes, REFERENCE.scores,
                                                                   REFERENCE.classes]).tolist()]))]
    assert worst_first(pictures) == [2, 1, 4, 0, 3]
