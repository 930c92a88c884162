"""inspect_model on graphs built here with sample_model: what a real Ultralytics export would show."""

from __future__ import annotations

import random
import time

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from wizard.core.model.inspect import MAX_TOOLCHAIN_IR, MAX_TOOLCHAIN_OPSET, inspect_model, parse_class_names
from wizard.core.model.samples import build_sample_model, write_sample_model

SIZE = (96, 128)  # small but a multiple of 32, so the graphs stay fast and convertible


def head_names(index: int) -> list[str]:
    """The six head outputs in the on-device decoder's order."""
    return [f"/model.{index}/{branch}.{i}/{branch}.{i}.2/Conv_output_0" for i in range(3) for branch in ("cv2", "cv3")]


def codes(report) -> list[str]:
    return [p.code for p in report.problems]


def severity_of(report, code: str) -> str:
    return next(p.severity for p in report.problems if p.code == code)


def save(model: onnx.ModelProto, path) -> str:
    onnx.save(model, str(path))
    return str(path)


# --- the good cases -------------------------------------------------------------------------------

def test_yolo11_detect_with_metadata(tmp_path):
    path = write_sample_model(tmp_path / "yolo11n.onnx", family="yolo11", imgsz=SIZE,
                              class_names=["person", "car", "dog"])
    report = inspect_model(path)
    assert report.family == "yolo11"
    assert report.task == "detect"
    assert report.output_names == tuple(head_names(23))
    assert report.class_names == ("person", "car", "dog")
    assert report.input_name == "images"
    assert report.input_shape == (1, 3, 96, 128)
    assert (report.height, report.width) == (96, 128)
    assert (report.ir_version, report.opset) == (8, 17)
    assert report.head_index == 23 and report.num_classes == 3
    assert report.graph_outputs == ("output0",)
    assert report.metadata["task"] == "detect"
    assert report.problems == ()
    assert report.convertible and not report.needs_downgrade


def test_report_dict_has_the_documented_keys(tmp_path):
    path = write_sample_model(tmp_path / "m.onnx", imgsz=SIZE)
    data = inspect_model(path).to_dict()
    assert data["family"] == "yolo11" and data["task"] == "detect"
    assert data["input"] == {"name": "images", "shape": [1, 3, 96, 128]}
    assert data["output_names"] == head_names(23)
    assert data["class_names"] == ["person", "car", "dog"]
    assert data["ir_version"] == 8 and data["opset"] == 17 and data["problems"] == []


def test_yolov8_head_is_layer_22(tmp_path):
    path = write_sample_model(tmp_path / "yolov8n.onnx", family="yolov8", imgsz=SIZE)
    report = inspect_model(path)
    assert report.family == "yolov8"
    assert report.output_names == tuple(head_names(22))
    assert report.convertible


@pytest.mark.parametrize("family,index", [("yolo11", 23), ("yolov8", 22)])
def test_family_and_task_from_structure_without_metadata(tmp_path, family, index):
    path = write_sample_model(tmp_path / "m.onnx", family=family, metadata=False, imgsz=SIZE)
    report = inspect_model(path)
    assert report.metadata == {}
    assert report.family == family  # 23 + attention = YOLO11; 22 without attention = YOLOv8
    assert report.task == "detect"
    assert report.output_names == tuple(head_names(index))
    assert codes(report) == ["model_no_class_names"]
    assert severity_of(report, "model_no_class_names") == "warning"
    assert "N/A-" in report.problems[0].message and str(path) in report.problems[0].message


def test_metadata_wins_over_structure(tmp_path):
    model = build_sample_model(family="yolov8", imgsz=SIZE)  # structure says yolov8 (model.22)...
    for prop in model.metadata_props:
        if prop.key == "description":
            prop.value = "Ultralytics YOLO11n model "  # ...the exporter's own words say YOLO11
    assert inspect_model(save(model, tmp_path / "m.onnx")).family == "yolo11"


@pytest.mark.parametrize("shuffle", ["random", "reversed"])
def test_scrambled_node_order_still_gives_decoder_order(tmp_path, shuffle):
    model = build_sample_model(imgsz=SIZE)
    nodes = list(model.graph.node)
    if shuffle == "random":
        random.Random(7).shuffle(nodes)
    else:
        nodes.reverse()
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    seen = [o for n in model.graph.node for o in n.output if o in head_names(23)]
    assert seen != head_names(23)  # the graph really lists them in another order
    assert inspect_model(save(model, tmp_path / "m.onnx")).output_names == tuple(head_names(23))


def _add_aliases(model: onnx.ModelProto, names: list[str]) -> None:
    """Extra nodes whose outputs carry head-like names (as a graph with two heads would have)."""
    source = model.graph.node[0].output[0]
    for k, name in enumerate(names):
        model.graph.node.append(helper.make_node("Identity", [source], [name], name=f"alias_{k}"))


def test_highest_complete_head_index_wins(tmp_path):
    model = build_sample_model(family="yolov8", imgsz=SIZE)  # complete model.22
    _add_aliases(model, head_names(23))  # and a complete model.23
    report = inspect_model(save(model, tmp_path / "both.onnx"))
    assert report.output_names == tuple(head_names(23)) and report.head_index == 23


def test_incomplete_higher_head_is_ignored(tmp_path):
    model = build_sample_model(family="yolov8", imgsz=SIZE)  # complete model.22
    _add_aliases(model, head_names(23)[:5])  # model.23 lacks cv3.2
    report = inspect_model(save(model, tmp_path / "partial.onnx"))
    assert report.output_names == tuple(head_names(22)) and report.head_index == 22


@pytest.mark.parametrize("task,extra", [("segment", "masks"), ("pose", "keypoints")])
@pytest.mark.parametrize("metadata", [True, False])
def test_segment_and_pose_cut_at_the_detection_head(tmp_path, task, extra, metadata):
    path = write_sample_model(tmp_path / f"{task}.onnx", task=task, metadata=metadata, imgsz=SIZE)
    report = inspect_model(path)
    assert report.task == task  # without metadata: cv4 + proto = segment, cv4 alone = pose
    assert report.output_names == tuple(head_names(23))
    partial = next(p for p in report.problems if p.code == "model_task_partial")
    assert partial.severity == "warning" and extra in partial.message
    assert report.convertible


def test_classify_uses_the_graph_output_with_a_warning(tmp_path):
    path = write_sample_model(tmp_path / "cls.onnx", task="classify", imgsz=SIZE)
    report = inspect_model(path)
    assert report.task == "classify"
    assert report.output_names == ("output0",)
    assert codes(report) == ["model_classify"]
    assert severity_of(report, "model_classify") == "warning"
    assert report.convertible


def test_classify_detected_from_structure(tmp_path):
    path = write_sample_model(tmp_path / "cls.onnx", task="classify", metadata=False, imgsz=SIZE)
    assert inspect_model(path).task == "classify"


# --- problems with the input ----------------------------------------------------------------------

def test_dynamic_axes_block_with_the_re_export_fix(tmp_path):
    path = write_sample_model(tmp_path / "dyn.onnx", dynamic=True, imgsz=SIZE)
    report = inspect_model(path)
    assert report.input_shape == ("batch", 3, "height", "width")
    assert (report.height, report.width) == (0, 0)  # never a ValueError for symbolic dims
    assert codes(report) == ["model_dynamic_input"]
    issue = report.problems[0]
    assert issue.is_error and not report.convertible
    assert "dynamic=False" in issue.fix and str(path) in issue.message


def test_dynamic_batch_only_is_also_reported(tmp_path):
    path = write_sample_model(tmp_path / "dyn.onnx", dynamic=["batch"], imgsz=SIZE)
    report = inspect_model(path)
    assert report.input_shape == ("batch", 3, 96, 128)
    assert "model_dynamic_input" in codes(report)


def test_size_not_multiple_of_32_blocks_and_suggests_one(tmp_path):
    path = write_sample_model(tmp_path / "odd.onnx", imgsz=(100, 130))
    report = inspect_model(path)
    assert codes(report) == ["model_input_size"]
    issue = report.problems[0]
    assert issue.is_error and not report.convertible
    assert "imgsz=[96, 128]" in issue.fix
    assert "100x130" in issue.message


def test_single_channel_input_blocks(tmp_path):
    path = write_sample_model(tmp_path / "gray.onnx", channels=1, imgsz=SIZE)
    report = inspect_model(path)
    assert "model_input_channels" in codes(report) and not report.convertible


def test_two_inputs_block(tmp_path):
    model = build_sample_model(imgsz=SIZE)
    model.graph.input.append(helper.make_tensor_value_info("scale", TensorProto.FLOAT, [1]))
    report = inspect_model(save(model, tmp_path / "two.onnx"))
    assert "model_multiple_inputs" in codes(report) and not report.convertible
    assert "images, scale" in report.problems[0].message


def test_weights_listed_as_inputs_do_not_count(tmp_path):
    """IR 3 exporters list every initializer among the graph inputs as well."""
    model = build_sample_model(imgsz=SIZE, ir_version=3)
    for init in model.graph.initializer[:5]:
        model.graph.input.append(helper.make_tensor_value_info(init.name, init.data_type, list(init.dims)))
    report = inspect_model(save(model, tmp_path / "ir3.onnx"))
    assert report.input_name == "images" and "model_multiple_inputs" not in codes(report)


# --- ONNX versions ----------------------------------------------------------------------------------

def test_ir10_opset21_warns_that_a_copy_is_converted(tmp_path):
    path = write_sample_model(tmp_path / "new.onnx", ir_version=10, opset=21, imgsz=SIZE)
    report = inspect_model(path)
    assert (report.ir_version, report.opset) == (10, 21)
    assert codes(report) == ["model_needs_downgrade"]
    issue = report.problems[0]
    assert issue.severity == "warning" and report.convertible and report.needs_downgrade
    assert "convert a copy" in issue.message
    assert f"IR {MAX_TOOLCHAIN_IR} / opset {MAX_TOOLCHAIN_OPSET}" in issue.message


def test_version_newer_than_the_converter_knows_blocks(tmp_path):
    model = build_sample_model(imgsz=SIZE)
    model.opset_import[0].version = onnx.defs.onnx_opset_version() + 1
    report = inspect_model(save(model, tmp_path / "future.onnx"))
    assert codes(report) == ["model_version_too_new"]
    assert not report.convertible
    assert "opset=17" in report.problems[0].fix


def test_ai_onnx_domain_spelling_counts_as_the_default_opset(tmp_path):
    model = build_sample_model(imgsz=SIZE, opset=13)
    model.opset_import[0].domain = "ai.onnx"
    assert inspect_model(save(model, tmp_path / "m.onnx")).opset == 13


# --- families and models the toolchain refuses ------------------------------------------------------

@pytest.mark.parametrize("metadata", [True, False])
def test_yolov10_mod_op_blocks(tmp_path, metadata):
    path = write_sample_model(tmp_path / "yolov10n.onnx", family="yolov10", metadata=metadata, imgsz=SIZE)
    report = inspect_model(path)
    assert report.family == "yolov10"  # from the description, or from Mod + TopK/GatherElements
    assert report.output_names == ("output0",)  # one2one_cv2/cv3 are not the decoder's head
    assert "model_unsupported_family" in codes(report) and not report.convertible
    issue = next(p for p in report.problems if p.code == "model_unsupported_family")
    assert "Mod" in issue.message and "Op not support" in issue.message
    assert "YOLO11" in issue.fix


def test_custom_domain_op_inside_the_cut_blocks(tmp_path):
    model = build_sample_model(imgsz=SIZE)
    first = model.graph.node[0]
    first.input[0] = "preprocessed"  # every head output now depends on the custom op
    model.graph.node.insert(0, helper.make_node("FusedThing", ["images"], ["preprocessed"], domain="com.example"))
    report = inspect_model(save(model, tmp_path / "custom.onnx"))
    assert codes(report) == ["model_unsupported_ops"] and not report.convertible
    assert "com.example:FusedThing" in report.problems[0].message


def test_refused_ops_after_the_head_are_cut_away(tmp_path):
    """model_transform keeps only what the outputs need, so a Mod in an NMS tail does no harm."""
    model = build_sample_model(imgsz=SIZE)
    model.graph.node.extend([
        helper.make_node("Cast", ["output0"], ["as_int"], to=TensorProto.INT64),
        helper.make_node("Mod", ["as_int", "as_int"], ["tail"]),
    ])
    model.graph.output.append(helper.make_tensor_value_info("tail", TensorProto.INT64, None))
    report = inspect_model(save(model, tmp_path / "tail.onnx"))
    assert report.family == "yolo11" and report.output_names == tuple(head_names(23))
    assert report.problems == () and report.convertible


def test_mod_on_the_path_to_a_non_yolo_output_blocks(tmp_path):
    model = build_sample_model(family="plain", imgsz=SIZE)
    model.graph.node.extend([
        helper.make_node("Cast", ["output"], ["as_int"], to=TensorProto.INT64),
        helper.make_node("Mod", ["as_int", "as_int"], ["remainder"]),
        helper.make_node("Cast", ["remainder"], ["final"], to=TensorProto.FLOAT),
    ])
    del model.graph.output[:]
    model.graph.output.append(helper.make_tensor_value_info("final", TensorProto.FLOAT, None))
    report = inspect_model(save(model, tmp_path / "plain_mod.onnx"))
    assert report.family == "unknown" and report.output_names == ("final",)
    assert "model_unsupported_ops" in codes(report) and not report.convertible
    assert "Mod" in next(p.message for p in report.problems if p.code == "model_unsupported_ops")


def test_ultralytics_model_without_head_names_warns_about_accuracy(tmp_path):
    model = build_sample_model(family="plain", imgsz=SIZE)
    helper.set_model_props(model, {"description": "Ultralytics YOLO11n model ", "task": "detect",
                                   "names": "{0: 'person', 1: 'car', 2: 'dog'}"})
    report = inspect_model(save(model, tmp_path / "renamed.onnx"))
    assert report.family == "yolo11" and report.output_names == ("output",)
    assert codes(report) == ["model_head_not_found"] and report.convertible
    assert "accuracy" in report.problems[0].message


def test_non_yolo_model_falls_back_to_graph_outputs(tmp_path):
    path = write_sample_model(tmp_path / "plain.onnx", family="plain", imgsz=SIZE)
    report = inspect_model(path)
    assert report.family == "unknown" and report.task == "unknown"
    assert report.output_names == ("output",)
    assert codes(report) == ["model_not_yolo"]
    issue = report.problems[0]
    assert issue.severity == "warning" and report.convertible
    assert "output" in issue.fix and str(path) in issue.message


def test_user_output_names_are_checked_and_used(tmp_path):
    path = write_sample_model(tmp_path / "plain.onnx", family="plain", imgsz=SIZE)
    model = onnx.load(str(path))
    chosen = [model.graph.node[3].output[0], "output"]
    report = inspect_model(path, output_names=chosen)
    assert report.output_names == tuple(chosen) and report.problems == ()
    missing = inspect_model(path, output_names=["/model.23/cv2.0/cv2.0.2/Conv_output_0"])
    assert codes(missing) == ["model_output_not_found"] and not missing.convertible
    assert "can't find" in missing.problems[0].message


def test_class_count_mismatch_warns(tmp_path):
    model = build_sample_model(imgsz=SIZE, class_names=["a", "b", "c"])
    for prop in model.metadata_props:
        if prop.key == "names":
            prop.value = "{0: 'a', 1: 'b'}"
    report = inspect_model(save(model, tmp_path / "m.onnx"))
    assert codes(report) == ["model_class_count_mismatch"]
    assert report.class_names == ("a", "b") and report.num_classes == 3


def test_external_weights_block_with_the_fix(tmp_path):
    model = build_sample_model(imgsz=SIZE)
    path = tmp_path / "ext.onnx"
    onnx.save(model, str(path), save_as_external_data=True, location="ext.onnx.data", size_threshold=0)
    report = inspect_model(path)
    assert "model_external_data" in codes(report) and not report.convertible
    assert "ext.onnx.data" in report.problems[0].message


# --- files that are not (whole) models ----------------------------------------------------------------

def test_truncated_file(tmp_path):
    whole = (write_sample_model(tmp_path / "whole.onnx", imgsz=SIZE)).read_bytes()
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(whole[: len(whole) // 2])
    report = inspect_model(cut)
    assert codes(report) == ["model_truncated"] and not report.convertible
    assert str(cut) in report.problems[0].message
    assert "again" in report.problems[0].fix


def test_damaged_inside_but_whole_outline(tmp_path):
    data = bytearray(write_sample_model(tmp_path / "whole.onnx", imgsz=SIZE).read_bytes())
    at = data.index(b"/model.1/conv/Conv")
    data[at - 2:at] = b"\xff\xff"  # break the length/tag in front of a node name
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(bytes(data))
    report = inspect_model(damaged)
    assert codes(report) == ["model_damaged"] and not report.convertible


@pytest.mark.parametrize("length", [1, 3, 40])
def test_very_short_prefix_is_truncated(tmp_path, length):
    whole = write_sample_model(tmp_path / "whole.onnx", imgsz=SIZE).read_bytes()
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(whole[:length])
    assert codes(inspect_model(cut)) == ["model_truncated"]


@pytest.mark.parametrize("content,code", [
    (b"name: my model\nlayers: 3\n", "model_is_text"),
    ("クラス: 人\n".encode("utf-8"), "model_is_text"),
    (b"PK\x03\x04" + bytes(200), "model_is_pytorch"),
    (bytes(500), "model_not_onnx"),
    (bytes(range(256)) * 4, "model_not_onnx"),
])
def test_foreign_files_renamed_onnx(tmp_path, content, code):
    path = tmp_path / "model.onnx"
    path.write_bytes(content)
    report = inspect_model(path)
    assert codes(report) == [code] and not report.convertible
    assert str(path) in report.problems[0].message and report.problems[0].fix


def test_missing_empty_and_folder(tmp_path):
    missing = inspect_model(tmp_path / "nope.onnx")
    assert codes(missing) == ["file_not_found"] and not missing.convertible
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    assert codes(inspect_model(empty)) == ["model_empty"]
    assert codes(inspect_model(tmp_path)) == ["model_is_folder"]


def test_model_without_graph_or_input(tmp_path):
    no_graph = onnx.ModelProto(ir_version=8)
    assert codes(inspect_model(save(no_graph, tmp_path / "nograph.onnx"))) == ["model_truncated"]
    graph = helper.make_graph([helper.make_node("Constant", [], ["y"], value=numpy_helper.from_array(np.ones(1, np.float32)))],
                              "g", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    report = inspect_model(save(helper.make_model(graph), tmp_path / "noinput.onnx"))
    assert "model_no_input" in codes(report) and not report.convertible


def test_messages_render_in_japanese(tmp_path):
    path = write_sample_model(tmp_path / "dyn.onnx", dynamic=True, imgsz=SIZE)
    message, fix = inspect_model(path).problems[0].text("ja")
    assert str(path) in message and "固定" in message and "dynamic=False" in fix


# --- class names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("{1: 'car', 0: 'person', 2: 'dog'}", ("person", "car", "dog")),
    ('["person", "car"]', ("person", "car")),
    ("['person', 'car']", ("person", "car")),
    ("0: person\n1: traffic light\n", ("person", "traffic light")),
    ("names:\n- person\n- car\n", ("person", "car")),
    ('{"0": "person", "1": "car"}', ("person", "car")),
    ("", ()),
    ("__import__('os').system('echo hacked')", ()),
    ("{0: 'a', 'x': 'b'}", ()),
    ("[" * 100000, ()),
])
def test_parse_class_names(text, expected):
    assert parse_class_names(text) == expected


# --- the samples themselves are real models -------------------------------------------------------------

@pytest.mark.parametrize("family", ["yolo11", "yolov8", "yolov10", "plain"])
@pytest.mark.parametrize("task", ["detect", "segment", "pose", "classify"])
def test_sample_models_pass_the_checker_and_run(family, task):
    model = build_sample_model(family=family, task=task, imgsz=SIZE)
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    image = np.random.default_rng(0).random((1, 3, *SIZE), dtype=np.float32)
    outputs = session.run(None, {session.get_inputs()[0].name: image})
    declared = [[d.dim_value for d in o.type.tensor_type.shape.dim] for o in model.graph.output]
    assert [list(o.shape) for o in outputs] == declared
    assert all(np.isfinite(o).all() for o in outputs)


def test_sample_model_dynamic_runs_at_another_size():
    model = build_sample_model(dynamic=True, imgsz=SIZE)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"images": np.zeros((2, 3, 64, 96), np.float32)})
    assert output.shape == (2, 4 + 3, (8 * 12) + (4 * 6) + (2 * 3))


def test_inspect_stays_fast_on_a_40mb_model(tmp_path):
    path = write_sample_model(tmp_path / "big.onnx", pad_to_bytes=40_000_000)
    assert path.stat().st_size >= 40_000_000
    inspect_model(path)  # warm the imports
    start = time.perf_counter()
    report = inspect_model(path)
    elapsed = time.perf_counter() - start
    assert report.output_names == tuple(head_names(23)) and report.convertible
    assert elapsed < 1.0, f"inspect took {elapsed:.2f}s on 40 MB"


def test_other_yolo_versions_use_the_head_with_a_warning(tmp_path):
    model = build_sample_model(imgsz=SIZE)
    for prop in model.metadata_props:
        if prop.key == "description":
            prop.value = "Ultralytics YOLOv5nu model "
    report = inspect_model(save(model, tmp_path / "v5.onnx"))
    assert report.family == "unknown" and report.output_names == tuple(head_names(23))
    assert codes(report) == ["model_family_unknown"] and report.convertible


def test_obb_task_from_metadata_warns_about_angles(tmp_path):
    model = build_sample_model(imgsz=SIZE)
    for prop in model.metadata_props:
        if prop.key == "task":
            prop.value = "obb"
    report = inspect_model(save(model, tmp_path / "obb.onnx"))
    assert report.task == "obb" and codes(report) == ["model_task_partial"]
    assert "rotation angles" in report.problems[0].message


def test_head_rules_live_in_one_place():
    """model/heads.py: the six convs for YOLO11 (layer 23) and YOLOv8 (layer 22), in the decoder's order."""
    from wizard.core.model.heads import DETECT_LAYER, find_head, head_conv_name

    for layer, family in DETECT_LAYER.items():
        names = [head_conv_name(layer, b, i) for i in range(3) for b in ("cv2", "cv3")]
        index, found, _ = find_head(list(reversed(names)) + [head_conv_name(layer - 1, "cv2", 0)])
        assert index == layer and list(found) == names, family
    assert find_head([head_conv_name(23, "cv2", 0)])[0] is None  # five missing: no head
