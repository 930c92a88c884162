"""The camera's YOLO decoder in numpy, and Ultralytics' as the reference.

No toolchain: head tensors come from tests/detections_encoder.py, which writes known boxes as
one-hot (or two equal) DFL bins and class logits, so decoding must give those boxes back exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from detections_encoder import Box, encode, head_names, logit
from wizard.core.detections.decode import (
    Detections,
    QuantParam,
    Thresholds,
    UltralyticsSettings,
    box_iou,
    camera_iou,
    camera_nms,
    decode_camera,
    decode_ultralytics,
    head_arrays,
    infer_quant,
    inverse_sigmoid,
)
from wizard.core.detections.heads import find_heads
from wizard.core.messages import WizardError


def _layout_and_arrays(tensors, size, task=None, side="float"):
    layout = find_heads({k: v.shape for k, v in tensors.items()}, (size, size), task)
    return layout, head_arrays(tensors, layout, layout.tensors(tensors, side))


def _border_boxes(size: int, classes: tuple[int, int, int, int]) -> list[Box]:
    """One box per corner of the picture, on every stride, each touching two borders."""
    s8, s16, s32 = 8, 16, 32
    return [
        Box(0, 0, 6 * s8, 4 * s8, classes[0], 0.91, s8),  # top-left, stride 8
        Box(0, size - 4 * s8, 6 * s8, size, classes[1], 0.83, s8),  # bottom-left, stride 8
        Box(size - 5 * s16, size - 3 * s16, size, size, classes[2], 0.77, s16),  # bottom-right
        Box(size - 8 * s32, 0, size, 6 * s32, classes[3], 0.66, s32),  # top-right, stride 32
    ]


def _interior_boxes(size: int, cls: int) -> list[Box]:
    """Whole-cell distances (one-hot bins) in the middle of the picture."""
    mid = size // 2
    return [Box(mid - 64, mid - 48, mid + 64, mid + 80, cls, 0.97, 16)]


@pytest.mark.parametrize("size", [640, 320])
@pytest.mark.parametrize("num_classes", [1, 80])
def test_encoded_boxes_decode_back_exactly(size, num_classes):
    classes = (0, 0, 0, 0) if num_classes == 1 else (0, 17, 42, 79)
    truth = _border_boxes(size, classes) + _interior_boxes(size, classes[1])
    tensors = encode(truth, size=size, num_classes=num_classes, suffix="_Conv")
    layout, arrays = _layout_and_arrays(tensors, size)
    assert layout.num_classes == num_classes
    assert [s.stride for s in layout.scales] == [8, 16, 32]
    assert [(s.grid_h, s.grid_w) for s in layout.scales] == [(size // 8,) * 2, (size // 16,) * 2, (size // 32,) * 2]

    for found in (decode_camera(arrays, layout, Thresholds(0.45, 0.25)),
                  decode_ultralytics(arrays, layout)):
        order = np.lexsort((found.boxes[:, 1], found.boxes[:, 0]))
        expected = sorted(truth, key=lambda b: (b.x1, b.y1))
        np.testing.assert_array_equal(found.boxes[order], [[b.x1, b.y1, b.x2, b.y2] for b in expected])
        assert found.classes[order].tolist() == [b.cls for b in expected]
        np.testing.assert_allclose(found.scores[order], [b.score for b in expected], atol=1e-6)


def test_camera_results_are_sorted_by_centre_x():
    truth = _border_boxes(640, (1, 2, 3, 4))
    layout, arrays = _layout_and_arrays(encode(truth, suffix="_Conv"), 640)
    found = decode_camera(arrays, layout, Thresholds(0.45, 0.25))
    centres = (found.boxes[:, 0] + found.boxes[:, 2]) / 2
    assert list(centres) == sorted(centres)


def test_score_threshold_is_strict_and_uses_the_logit():
    truth = [Box(0, 0, 48, 32, 0, 0.46, 8), Box(320, 320, 368, 352, 0, 0.44, 8)]
    layout, arrays = _layout_and_arrays(encode(truth, num_classes=1), 640)
    kept = decode_camera(arrays, layout, Thresholds(0.45, 0.25))
    assert kept.boxes.tolist() == [[0, 0, 48, 32]]
    # A logit exactly at inverseSigmoid(tscore) is not above it.
    box, cls = arrays[0]
    cls[0, 0, 0] = inverse_sigmoid(0.46)
    assert len(decode_camera(arrays, layout, Thresholds(0.46, 0.25))) == 0
    assert inverse_sigmoid(0.5) == 0.0
    assert math.isclose(float(inverse_sigmoid(0.25)), math.log(1 / 3), rel_tol=1e-6)


def test_class_tie_camera_takes_the_last_class_ultralytics_the_first():
    tensors = encode([Box(0, 0, 48, 32, 2, 0.9, 8)], num_classes=5)
    cls_name = head_names()[0][1]
    tensors[cls_name][0, 4, 2, 3] = tensors[cls_name][0, 2, 2, 3]  # class 4 ties class 2
    layout, arrays = _layout_and_arrays(tensors, 640)
    assert decode_camera(arrays, layout, Thresholds()).classes.tolist() == [4]
    assert decode_ultralytics(arrays, layout).classes.tolist() == [2]


def _dets(boxes, scores, classes=None):
    boxes = np.asarray(boxes, dtype=np.float64)
    return Detections(boxes, np.asarray(scores, dtype=np.float64),
                      np.asarray(classes if classes is not None else [0] * len(boxes), dtype=np.int64))


def test_camera_iou_reads_the_centre_as_a_corner():
    a = np.array([0, 0, 100, 100.0])
    # Side by side, not overlapping: true IoU 0; the camera shifts each box by half its size.
    b = np.array([[100, 0, 140, 100.0]])
    assert box_iou(a, b)[0] == 0.0
    # quirk rectangles: a -> x [50, 150], b -> x [120, 160]; both y [50, 150]
    assert camera_iou(a, b, 640, 640)[0] == pytest.approx(30 * 100 / (100 * 100 + 40 * 100 - 30 * 100), rel=1e-5)
    # The left half of a wide box: true IoU 0.5, the camera sees 0.2.
    wide = np.array([0, 0, 200, 100.0])
    half = np.array([[0, 0, 100, 100.0]])
    assert box_iou(wide, half)[0] == pytest.approx(0.5)
    assert camera_iou(wide, half, 640, 640)[0] == pytest.approx(0.2, rel=1e-5)


def test_camera_nms_quirk_drops_neighbours_and_keeps_overlaps():
    # Neighbours that do not touch: the camera drops the weaker one (quirk IoU 0.27 > 0.25).
    neighbours = _dets([[0, 0, 100, 100], [100, 0, 140, 100]], [0.9, 0.8])
    assert camera_nms(neighbours, 0.25, 640, 640).scores.tolist() == [0.9]
    # Half of a wide box: true IoU 0.5 but the camera sees 0.2 and keeps both.
    halves = _dets([[0, 0, 200, 100], [0, 0, 100, 100]], [0.9, 0.8])
    assert sorted(camera_nms(halves, 0.25, 640, 640).scores.tolist()) == [0.8, 0.9]


def test_camera_nms_ignores_classes_ultralytics_does_not():
    # Two identical boxes of different classes, from two scales.
    tensors = encode([Box(0, 0, 48, 32, 1, 0.9, 8), Box(0, 0, 48, 32, 2, 0.8, 16)], num_classes=3)
    layout, arrays = _layout_and_arrays(tensors, 640)
    camera = decode_camera(arrays, layout, Thresholds(0.45, 0.25))
    assert camera.classes.tolist() == [1]
    reference = decode_ultralytics(arrays, layout)
    assert sorted(reference.classes.tolist()) == [1, 2]
    # Same class: Ultralytics suppresses too.
    same = encode([Box(0, 0, 48, 32, 1, 0.9, 8), Box(0, 0, 48, 32, 1, 0.8, 16)], num_classes=3)
    layout, arrays = _layout_and_arrays(same, 640)
    assert decode_ultralytics(arrays, layout).scores.tolist() == pytest.approx([0.9])


def test_ultralytics_keeps_at_most_max_det_the_camera_has_no_limit():
    boxes = [Box(16 * c, 16 * r, 16 * c + 8, 16 * r + 8, 0, 0.9, 8) for r in range(20) for c in range(18)]
    layout, arrays = _layout_and_arrays(encode(boxes, num_classes=1), 640)
    assert len(boxes) == 360
    assert len(decode_camera(arrays, layout, Thresholds(0.45, 0.25))) == 360
    assert len(decode_ultralytics(arrays, layout)) == 300
    assert len(decode_ultralytics(arrays, layout, UltralyticsSettings(max_det=500))) == 360


def _quantized(tensor: np.ndarray, seed: int) -> tuple[np.ndarray, QuantParam]:
    """Symmetric int8 as model_runner writes it back: float32(q) * float32(scale).

    Noise on the background first, as in a real tensor: every int8 level then occurs.
    """
    noise = np.random.default_rng(seed).uniform(-2, 2, tensor.shape).astype(np.float32)
    background = (tensor == 0) | (tensor == np.float32(-20))
    tensor = np.where(background, tensor + noise, tensor)
    scale = np.float32(np.abs(tensor).max() / 127)
    q = np.clip(np.rint(tensor / scale), -128, 127)
    return (q.astype(np.float32) * scale).astype(np.float32), QuantParam(float(scale))


def test_int8_outputs_camera_swaps_box_and_class_scales():
    truth = [Box(0, 0, 48, 32, 0, 0.9, 8), Box(320, 320, 400, 368, 0, 0.7, 16)]
    tensors = encode(truth, num_classes=2, suffix="_Conv")
    for box_name, _ in head_names():
        tensors[box_name + "_Conv"] /= 10  # soft bins (+-3): their scale changes the box
    dequantized, quant = {}, {}
    for seed, (name, value) in enumerate(tensors.items()):
        dequantized[name], quant[name] = _quantized(value, seed)
    layout, arrays = _layout_and_arrays(dequantized, 640, side="int8")
    assert layout.tensors(dequantized, "int8").int8
    pairs = [(quant[s.box + "_Conv"], quant[s.cls + "_Conv"]) for s in layout.scales]
    # The scales model_runner's float32(q) * float32(scale) values give back.
    for name, value in dequantized.items():
        assert infer_quant(value) == quant[name]

    correct = decode_camera(arrays, layout, Thresholds(0.45, 0.25))
    swapped = decode_camera(arrays, layout, Thresholds(0.45, 0.25), quant=pairs)
    np.testing.assert_allclose(np.sort(correct.scores), [0.7, 0.9], atol=0.01)
    # By hand: the class logit's int8 value times the BOX scale, sigmoid.
    box_q, cls_q = pairs[0]
    q_logit = round(logit(0.9) / cls_q.scale)
    expected = 1 / (1 + math.exp(-q_logit * box_q.scale))
    assert len(swapped) == 2
    assert max(swapped.scores) == pytest.approx(expected, abs=1e-6)
    assert not np.allclose(swapped.boxes, correct.boxes, atol=0.5)
    # The same as float tensors holding the int8 values read with each other's scale.
    by_hand = [(box * np.float32(c.scale / b.scale), cls * np.float32(b.scale / c.scale))
               for (box, cls), (b, c) in zip(arrays, pairs)]
    expected_swap = decode_camera(by_hand, layout, Thresholds(0.45, 0.25))
    np.testing.assert_allclose(swapped.boxes, expected_swap.boxes, atol=1e-3)


def test_infer_quant_refuses_values_that_are_not_int8():
    assert infer_quant(np.array([0.1, 0.2, 0.35, 0.123], dtype=np.float32)) is None
    assert infer_quant(np.zeros(4, dtype=np.float32)) is None


def test_box_conv_head_layout_is_found_whatever_the_order():
    tensors = encode([], suffix="_Conv")
    names = list(tensors)
    scrambled = {n: tensors[n] for n in (names[3], names[4], names[0], names[5], names[1], names[2])}
    layout = find_heads({k: v.shape for k, v in scrambled.items()}, (640, 640))
    assert [s.box for s in layout.scales] == [head_names()[i][0] for i in range(3)]
    assert layout.camera_decoder is None
    box_first = {n: tensors[n] for n in (names[0], names[2], names[4], names[1], names[3], names[5])}
    assert find_heads({k: v.shape for k, v in box_first.items()}, (640, 640)).camera_decoder == "yolov8"
    assert find_heads({k: v.shape for k, v in tensors.items()}, (640, 640)).camera_decoder == "yolo11"
    codes = [p.code for p in find_heads({k: v.shape for k, v in box_first.items()}, (640, 640)).notes()]
    assert codes == ["detections_camera_yolov8_order"]


def test_heads_without_the_usual_names_are_found_by_shape():
    tensors = encode([Box(0, 0, 48, 32, 3, 0.9, 8)], num_classes=4)
    renamed = {f"out{i}": v for i, v in enumerate(tensors.values())}
    layout, arrays = _layout_and_arrays(renamed, 640)
    assert layout.identified_by == "shape"
    assert [s.box for s in layout.scales] == ["out0", "out2", "out4"]
    assert decode_camera(arrays, layout, Thresholds()).boxes.tolist() == [[0, 0, 48, 32]]


def test_int8_side_prefers_float_outputs_over_internal_int8_tensors():
    tensors = encode([], suffix="_Conv")
    layout = find_heads({k: v.shape for k, v in tensors.items()}, (640, 640))
    dump = {**{k + "_f32": v for k, v in tensors.items()}, **tensors, "images_raw_ui8": np.zeros(3)}
    found = layout.tensors(dump, "int8")
    assert not found.int8
    assert all(key.endswith("_Conv_f32") for key in found.keys.values())
    assert layout.tensors(tensors, "int8").int8
    assert not layout.tensors(tensors, "float").int8
    with pytest.raises(WizardError) as error:
        layout.tensors({"x": 1}, "int8")
    assert error.value.problem.code == "detections_outputs_missing"


def _code(shapes, task=None, size=640):
    with pytest.raises(WizardError) as error:
        find_heads(shapes, (size, size), task)
    return error.value.problem.code


def test_models_the_decoder_does_not_understand_get_a_clear_message():
    heads = {k: v.shape for k, v in encode([]).items()}
    assert _code({"output0": (1, 1000)}) == "detections_heads_classify"
    assert _code(heads, task="classify") == "detections_heads_classify"
    assert _code({"output0": (1, 84, 8400)}) == "detections_heads_output0"
    assert _code(heads, task="obb") == "detections_heads_obb"
    hand_cut = dict(list(heads.items())[:4])
    assert _code(hand_cut) == "detections_heads_not_found"
    wide_box = {k: ((1, 68) + v[2:] if "cv2." in k else v) for k, v in heads.items()}
    assert _code(wide_box) == "detections_heads_box_channels"
    end_to_end = {k.replace("cv2", "one2one_cv2").replace("cv3", "one2one_cv3"): v for k, v in heads.items()}
    assert _code(end_to_end) == "detections_heads_end_to_end"
    obb = {**heads, **{f"/model.23/cv4.{i}/cv4.{i}.2/Conv_output_0": (1, 1, 80 >> i, 80 >> i) for i in range(3)}}
    assert _code(obb) == "detections_heads_obb"
    assert _code(heads, size=608) == "detections_heads_not_found"  # grids do not fit the input
    message = WizardError.of("detections_heads_output0", names=["output0"]).problem
    assert "output0" in message.message and message.fix


@pytest.mark.parametrize("channels, task", [(32, "segment"), (51, "pose")])
def test_segment_and_pose_heads_compare_boxes_only(channels, task):
    heads = {k: v.shape for k, v in encode([]).items()}
    extra = {f"/model.23/cv4.{i}/cv4.{i}.2/Conv_output_0": (1, channels, 80 >> i, 80 >> i) for i in range(3)}
    layout = find_heads({**heads, **extra}, (640, 640))
    assert layout.task == task
    assert set(layout.ignored) == set(extra)
    assert [p.code for p in layout.notes()][0] == "detections_note_boxes_only"
    assert task in layout.notes()[0].message
