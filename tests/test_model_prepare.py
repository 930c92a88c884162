"""prepare_model_for_toolchain: an exact copy, or a converted copy that computes the same outputs."""

from __future__ import annotations

import hashlib

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from wizard.core.messages import WizardError
from wizard.core.model.inspect import inspect_model
from wizard.core.model.prepare import PreparedModel, prepare_model_for_toolchain
from wizard.core.model.samples import write_sample_model

SIZE = (96, 128)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(path, image: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: image})


def test_current_model_is_copied_byte_for_byte(tmp_path):
    src = write_sample_model(tmp_path / "src.onnx", imgsz=SIZE)
    report = inspect_model(src)
    assert not report.needs_downgrade
    prepared = prepare_model_for_toolchain(src, tmp_path / "staged" / "model.onnx", report)
    assert isinstance(prepared, PreparedModel)
    assert prepared.converted is False
    assert prepared.path.read_bytes() == src.read_bytes()
    assert (prepared.from_ir, prepared.to_ir, prepared.from_opset, prepared.to_opset) == (8, 8, 17, 17)


@pytest.mark.parametrize("family,task", [("yolo11", "detect"), ("yolov8", "detect"), ("yolo11", "segment"),
                                         ("yolo11", "pose"), ("yolo11", "classify"), ("plain", "detect")])
def test_ir10_opset21_copy_is_converted_and_computes_the_same(tmp_path, family, task):
    src = write_sample_model(tmp_path / "src.onnx", family=family, task=task, ir_version=10, opset=21, imgsz=SIZE)
    before = sha256(src)
    report = inspect_model(src)
    assert report.needs_downgrade

    prepared = prepare_model_for_toolchain(src, tmp_path / "staged" / "model.onnx", report)

    assert sha256(src) == before  # the user's file is never touched
    assert prepared.converted
    assert (prepared.from_ir, prepared.to_ir, prepared.from_opset, prepared.to_opset) == (10, 8, 21, 17)
    converted = onnx.load(str(prepared.path))
    assert converted.ir_version == 8
    assert [(o.domain, o.version) for o in converted.opset_import if o.domain in ("", "ai.onnx")] == [("", 17)]
    onnx.checker.check_model(converted, full_check=True)
    again = inspect_model(prepared.path)
    assert not again.needs_downgrade and again.output_names == report.output_names

    image = np.random.default_rng(1).random((1, 3, *SIZE), dtype=np.float32)
    original, staged = run(src, image), run(prepared.path, image)
    assert len(original) == len(staged) >= 1
    for a, b in zip(original, staged):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_only_the_ir_is_lowered_when_the_opset_is_fine(tmp_path):
    src = write_sample_model(tmp_path / "src.onnx", ir_version=10, opset=17, imgsz=SIZE)
    prepared = prepare_model_for_toolchain(src, tmp_path / "out.onnx", inspect_model(src))
    assert prepared.converted and (prepared.to_ir, prepared.to_opset) == (8, 17)
    assert onnx.load(str(prepared.path)).ir_version == 8
    assert any("IR version lowered" in note for note in prepared.notes)


def test_float8_weights_cannot_go_down_to_ir8(tmp_path):
    model = onnx.load(str(write_sample_model(tmp_path / "m.onnx", ir_version=10, opset=21, imgsz=SIZE)))
    model.graph.initializer.append(helper.make_tensor("f8", TensorProto.FLOAT8E4M3FN, [2], [1.0, 2.0]))
    src = tmp_path / "f8.onnx"
    onnx.save(model, str(src))
    dst = tmp_path / "out.onnx"
    with pytest.raises(WizardError) as caught:
        prepare_model_for_toolchain(src, dst, inspect_model(src))
    assert caught.value.problem.code == "model_ir_features"
    assert "FLOAT8E4M3FN" in caught.value.problem.message and str(src) in caught.value.problem.message
    assert not dst.exists()


def test_operator_missing_from_opset17_is_a_clear_error(tmp_path):
    graph = helper.make_graph(
        [helper.make_node("Gelu", ["images"], ["output0"])], "g",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 3, 32, 32])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    src = tmp_path / "gelu.onnx"
    onnx.save(model, str(src))
    with pytest.raises(WizardError) as caught:
        prepare_model_for_toolchain(src, tmp_path / "out.onnx", inspect_model(src))
    issue = caught.value.problem
    assert issue.code == "model_op_too_new"
    assert "Gelu" in issue.message and "opset 17" in issue.message and "opset=17" in issue.fix
    assert "/project/" not in issue.message  # no C++ source paths for the user


def test_never_overwrites_the_source(tmp_path):
    src = write_sample_model(tmp_path / "src.onnx", ir_version=10, opset=21, imgsz=SIZE)
    before = sha256(src)
    with pytest.raises(WizardError) as caught:
        prepare_model_for_toolchain(src, tmp_path / "." / "src.onnx", inspect_model(src))
    assert caught.value.problem.code == "model_prepare_same_path"
    assert sha256(src) == before


def test_unwritable_destination_is_a_clear_error(tmp_path):
    src = write_sample_model(tmp_path / "src.onnx", imgsz=SIZE)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(WizardError) as caught:
        prepare_model_for_toolchain(src, blocker / "model.onnx", inspect_model(src))
    assert caught.value.problem.code == "model_copy_failed"
    assert str(src) in caught.value.problem.message


# onnx's converter has no adapter down to 17 for Split, Pad and ConstantOfShape; the wizard bridges
# them when the node uses nothing newer. Each case is checked numerically against the original.
def _single_op_model(nodes, initializers, outputs, opset=21):
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
        initializer=[onnx.numpy_helper.from_array(value, name) for name, value in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    return onnx.shape_inference.infer_shapes(model)


BRIDGED = {
    "split_even_num_outputs": ([helper.make_node("Split", ["images"], ["a", "b"], axis=1, num_outputs=2)], {}, ["a", "b"]),
    "split_uneven_num_outputs": ([helper.make_node("Split", ["images"], ["a", "b", "c"], axis=1, num_outputs=3)],
                                 {}, ["a", "b", "c"]),
    "split_sizes_input": ([helper.make_node("Split", ["images", "sizes"], ["a", "b"], axis=1)],
                          {"sizes": np.array([1, 3], np.int64)}, ["a", "b"]),
    "pad": ([helper.make_node("Pad", ["images", "pads"], ["y"], mode="reflect")],
            {"pads": np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)}, ["y"]),
    "constant_of_shape": ([helper.make_node("Shape", ["images"], ["s"]),
                           helper.make_node("ConstantOfShape", ["s"], ["k"],
                                            value=onnx.numpy_helper.from_array(np.full(1, 0.5, np.float32))),
                           helper.make_node("Add", ["images", "k"], ["y"])], {}, ["y"]),
}


@pytest.mark.parametrize("case", sorted(BRIDGED))
@pytest.mark.parametrize("opset", [18, 21])
def test_ops_without_converter_adapters_are_bridged_exactly(tmp_path, case, opset):
    src = tmp_path / "src.onnx"
    onnx.save(_single_op_model(*BRIDGED[case], opset=opset), str(src))
    prepared = prepare_model_for_toolchain(src, tmp_path / "out.onnx", inspect_model(src))
    converted = onnx.load(str(prepared.path))
    assert [(o.domain, o.version) for o in converted.opset_import] == [("", 17)]
    assert all(node.domain == "" for node in converted.graph.node)
    image = np.random.default_rng(2).random((1, 4, 8, 8), dtype=np.float32)
    for a, b in zip(run(src, image), run(prepared.path, image)):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_pad_with_axes_cannot_be_bridged(tmp_path):
    src = tmp_path / "src.onnx"
    model = _single_op_model([helper.make_node("Pad", ["images", "pads", "", "axes"], ["y"])],
                             {"pads": np.array([1, 1, 1, 1], np.int64), "axes": np.array([2, 3], np.int64)}, ["y"])
    onnx.save(model, str(src))
    with pytest.raises(WizardError) as caught:
        prepare_model_for_toolchain(src, tmp_path / "out.onnx", inspect_model(src))
    assert caught.value.problem.code == "model_op_feature_too_new"
    assert "Pad" in caught.value.problem.message and "axes" in caught.value.problem.message


def test_local_functions_are_refused_rather_than_left_unconverted(tmp_path):
    function = helper.make_function("custom.fn", "Double", ["x"], ["y"],
                                    [helper.make_node("Add", ["x", "x"], ["y"])],
                                    opset_imports=[helper.make_opsetid("", 21)])
    graph = helper.make_graph(
        [helper.make_node("Double", ["images"], ["output0"], domain="custom.fn")], "g",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 3, 32, 32])])
    model = helper.make_model(graph, functions=[function],
                              opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("custom.fn", 1)])
    model.ir_version = 10
    src = tmp_path / "fn.onnx"
    onnx.save(model, str(src))
    with pytest.raises(WizardError) as caught:
        prepare_model_for_toolchain(src, tmp_path / "out.onnx", inspect_model(src))
    assert caught.value.problem.code == "model_has_functions"
    assert "Double" in caught.value.problem.message
