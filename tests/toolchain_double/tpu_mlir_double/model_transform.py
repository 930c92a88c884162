"""model_transform(.py) v1.7: ONNX -> top MLIR, then validate top vs onnxruntime (0.99,0.99)."""

from __future__ import annotations

import argparse
import ast
import os

from tpu_mlir_double import compare, npz
from tpu_mlir_double.common import (
    configure_output,
    ToolExit, apply_crash_fault, apply_exit_fault, banner, fail_with_traceback, load_faults,
    log_info, main_guard, out, run_wrapped, sleep_with_heartbeat,
)
from tpu_mlir_double.misc import str2dict, str2list, str2shape
from tpu_mlir_double.mlir_file import tensor_shape, write_mlir
from tpu_mlir_double.onnx_reader import DecodeError, read_model
from tpu_mlir_double.preprocess import Preprocess, get_preprocess_parser, print_load_config

TOOL = "model_transform.py"
ONNXRUNTIME_MAX_IR = 9  # onnxruntime 1.15/1.16 in sophgo/tpuc_dev:v3.1
# Ops the converter has no lowering for on cv18xx that YOLO exports meet (YOLOv10/YOLO26: Mod).
UNSUPPORTED_OPS = {"Mod"}
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".JPEG")


def build_parser() -> argparse.ArgumentParser:
    """1.7's parser, option for option (python/tools/model_transform.py + utils/preprocess.py)."""
    parser = argparse.ArgumentParser(prog=TOOL)
    # yapf: disable
    parser.add_argument("--model_name", required=True, help="model name")
    parser.add_argument("--model_def", required=True, help="model definition file.")
    parser.add_argument("--model_data", help="caffemodel, only for caffe model")
    parser.add_argument("--input_shapes", type=str2shape, default=list(),
                        help="list of input shapes, like:[[1,3,224,224],[10],[16]]")
    parser.add_argument("--input_types", type=str2list, default=list(),
                        help="list of input types, like:float32,int32. if not set, float32 as default")
    parser.add_argument("--output_names", type=str2list, default=list(),
                        help="if set, will find names in model and set as real outputs")
    parser.add_argument("--test_input", default="", type=str2list,
                        help="input jpg/npy/npz file for inference, "
                        "if has more than one input, join jpg or npy with semicolon")
    parser.add_argument("--test_result", default="", type=str,
                        help="if input is set, result is mlir inference result")
    parser.add_argument("--cache_skip", action='store_true', help='skip checking the correctness when generate same mlir and bmodel.')
    parser.add_argument("--tolerance", default='0.99,0.99',
                        help="minimum similarity tolerance to model transform")
    parser.add_argument("--excepts", default='-', help="excepts")
    parser.add_argument("--add_postprocess", default="", type=str.lower,
                        choices=['','yolov3','yolov5','yolov8','ssd','bnr'], help="add postprocess for model")
    parser.add_argument("--onnx_sim", default="", type=str, choices=['', 'skip_fuse_bn'],
                        help="pass options of onnx-sim, sep by quote without space")
    parser.add_argument("--debug", action='store_true', help='to keep all intermediate files for debug')
    parser.add_argument("--mlir", type=str, required=True, help="output mlir model file")
    parser.add_argument("--patterns_count", type=str2dict, default=dict(),
                        help='used for regression test, check if patterns are successfully applied a specific number of times')
    # yapf: enable
    return get_preprocess_parser(existed_parser=parser)


def parse_command_line(argv: list[str]):
    """parse_known_args as 1.7 does: unknown options are no argparse error, they join
    `unknown_params` (a TypeError when that positional already holds a string)."""
    args, unknown_args = build_parser().parse_known_args(argv)
    if unknown_args:
        args.unknown_params += unknown_args
    return args


def class_count(metadata: dict) -> int:
    """Classes from the Ultralytics `names` metadata; 80 (COCO) when a model does not say."""
    try:
        names = ast.literal_eval(metadata.get("names", ""))
    except (ValueError, SyntaxError):
        return 80
    return len(names) if isinstance(names, (dict, list)) and names else 80


def check_patterns(patterns_count: dict, patterns: dict) -> None:
    """--patterns_count (a regression-test option): the double applies no rewrite patterns."""
    for k, v in patterns_count.items():
        assert k in patterns and v == patterns[k], \
            "The number of times {} was applied does not meet the requirements. Expected {}, got {}" \
            .format(k, v, patterns.get(k))


def _ancestors(model, outputs: list[str]) -> list:
    producer = {o: node for node in model.nodes for o in node.outputs}
    keep, stack = set(), list(outputs)
    while stack:
        name = stack.pop()
        node = producer.get(name)
        if node is None or id(node) in keep:
            continue
        keep.add(id(node))
        stack.extend(node.inputs)
    return [n for n in model.nodes if id(n) in keep]


def transform(args, faults: dict) -> int:
    apply_exit_fault(faults)
    # get_model_transform(): the preprocess config comes first, so its errors come first.
    pre = Preprocess().config(**vars(args))
    if not args.mlir.endswith(".mlir"):
        raise RuntimeError("your mlir file should endswith .mlir, not:{}".format(args.mlir))
    if not args.model_def.endswith(".onnx"):
        raise RuntimeError("unsupport model:{}".format(args.model_def))
    if not os.path.exists(args.model_def):
        fail_with_traceback(TOOL, f"FileNotFoundError: [Errno 2] No such file or directory: '{args.model_def}'")
    try:
        model = read_model(args.model_def)
    except DecodeError as exc:
        fail_with_traceback(TOOL, f"google.protobuf.message.DecodeError: {exc}")
    apply_crash_fault(TOOL, faults)
    if model.ir_version > ONNXRUNTIME_MAX_IR:
        fail_with_traceback(
            TOOL,
            "onnxruntime.capi.onnxruntime_pybind11_state.Fail: [ONNXRuntimeError] : 1 : FAIL : "
            f"Load model from {args.model_def} failed:/onnxruntime_src/onnxruntime/core/graph/model.cc:146 "
            "onnxruntime::Model::Model(onnx::ModelProto&&, const PathString&, const IOnnxRuntimeOpSchemaRegistryList*, "
            f"const onnxruntime::logging::Logger&, const onnxruntime::ModelOptions&) Unsupported model IR version: "
            f"{model.ir_version}, max supported IR version: {ONNXRUNTIME_MAX_IR}",
            frames=[(150, "/usr/local/lib/python3.10/dist-packages/tpu_mlir/python/transform/OnnxConverter.py", "__init__")],
        )
    input_name, input_dims = model.inputs[0] if model.inputs else ("images", [1, 3, 640, 640])
    input_shape = args.input_shapes[0] if args.input_shapes else [d if isinstance(d, int) else 1 for d in input_dims]
    out("Input_shape assigned")
    all_outputs = {o for node in model.nodes for o in node.outputs}
    if args.output_names:
        missing = [name for name in args.output_names if name not in all_outputs]
        if missing:
            fail_with_traceback(
                TOOL, f"RuntimeError: Error, can't find {missing} in model",
                frames=[(180, "/usr/local/lib/python3.10/dist-packages/tpu_mlir/python/transform/OnnxConverter.py",
                         "select_output")])
        # OnnxConverter.select_output keeps the graph's order, not the order of --output_names.
        position = {o: i for i, node in enumerate(model.nodes) for o in node.outputs}
        outputs = sorted(args.output_names, key=lambda o: position[o])
    else:
        outputs = [name for name, _ in model.outputs]
    nodes = _ancestors(model, outputs)
    unsupported = {n.op_type for n in nodes} & UNSUPPORTED_OPS
    if unsupported:
        fail_with_traceback(
            TOOL, f"RuntimeError: Op not support:{unsupported}",
            frames=[(650, "/usr/local/lib/python3.10/dist-packages/tpu_mlir/python/transform/OnnxConverter.py",
                     "generate_mlir")])
    out("ConstantFolding finished")
    out(f"skip_fuse_bn: {args.onnx_sim == 'skip_fuse_bn'}")
    out("Onnxsim opt finished")
    out("ConstantFolding finished")
    sleep_with_heartbeat(float(faults.get("slow_seconds", 0)), "transform")

    name = args.model_name
    origin = args.mlir.replace(".mlir", "_origin.mlir", 1)
    weight_file = f"{name}_top_f32_all_weight.npz"
    # Constants and identities are folded away by the converter: they never become named ops.
    tensors = [f"{input_name}"] + [f"{n.outputs[0]}_{n.op_type}" for n in nodes
                                   if n.outputs and n.op_type not in ("Constant", "Identity")]
    output_tensors = []
    for out_name in outputs:
        node = next((n for n in nodes if out_name in n.outputs), None)
        output_tensors.append(f"{out_name}_{node.op_type}" if node else out_name)
    info = {
        "model_name": name, "weight_file": weight_file, "input_name": input_name,
        "input_shape": input_shape, "tensors": tensors, "outputs": output_tensors,
        "onnx_size": model.size, "nodes": len(nodes), "num_classes": class_count(model.metadata),
        "preprocess": pre.to_dict(),
    }
    write_mlir(origin, info, "TOP_F32")
    out(f"Save mlir file: {origin}")
    npz.write_npz(f"{name}_top_f32_all_origin_weight.npz", {"w0": ([1, 4], "float32", None)})

    def opt() -> bool:
        write_mlir(args.mlir, info, "TOP_F32")
        npz.write_npz(weight_file, {"w0": ([1, 4], "float32", None)})
        return True

    run_wrapped(TOOL, ["tpuc-opt", origin, "--shape-infer", "--canonicalize", "--extra-optimize", "-o", args.mlir], opt)
    check_patterns(args.patterns_count, {})
    log_info(f"Mlir file generated:{args.mlir}")
    if not args.test_input:
        return 0
    test_input = args.test_input[0]
    if test_input.endswith(".npz") or test_input.endswith(".npy"):
        if not os.path.exists(test_input):
            fail_with_traceback(TOOL, f"FileNotFoundError: [Errno 2] No such file or directory: '{test_input}'")
    elif test_input.endswith(IMAGE_EXTENSIONS):
        print_load_config(info["preprocess"], input_shape[-2:])
        if not os.path.exists(os.path.expanduser(test_input)):
            out(f"{test_input} doesn't existed !!!")
            raise ToolExit(1)
    else:
        # model_validate: anything not .npz / image must be .npy: `assert (file.endswith('.npy'))`
        fail_with_traceback(TOOL, "AssertionError", frames=[(
            124, "/usr/local/lib/python3.10/dist-packages/tpu_mlir/python/tools/model_transform.py", "model_validate")])
    if not args.test_result:
        fail_with_traceback(TOOL, "AssertionError")
    in_f32 = f"{name}_in_f32.npz"
    ref_npz = f"{name}_ref_outputs.npz"
    count = 1
    for d in input_shape:
        count *= int(d)
    npz.write_npz(in_f32, {input_name: (input_shape, "float32", npz.pseudo_floats(count, 0.5))})
    out(f"[CMD]: model_runner.py --input {in_f32} --model {args.model_def} --output {ref_npz}")
    tensor_arrays = {t: ([1, 4], "float32", npz.pseudo_floats(4, i)) for i, t in enumerate(tensors)}
    npz.write_npz(ref_npz, tensor_arrays)
    log_info(f"Saving {ref_npz}")
    out(f"[CMD]: model_runner.py --input {in_f32} --model {args.mlir} --output {args.test_result}")
    npz.write_npz(args.test_result, tensor_arrays)
    log_info(f"Saving {args.test_result}")
    selected = compare.select_tensors(tensors[1:])  # the input itself is not compared
    shaped = [(t, input_shape if t == input_name else tensor_shape(t, input_shape), "float32") for t in selected]
    tolerance = compare.parse_tolerance(args.tolerance)
    failing = set(output_tensors) if faults.get("compare") == "fail" else set()
    run_wrapped(TOOL, compare.compare_command(args.test_result, ref_npz, args.tolerance),
                lambda: compare.run_compare(args.test_result, ref_npz, tolerance, shaped, "transform", failing))
    # file_mark(ref_npz) + file_clean(): the onnxruntime reference goes unless --debug.
    if not args.debug:
        os.remove(ref_npz)
    return 0


@main_guard
def main(argv: list[str]) -> int:
    faults = load_faults("transform")
    configure_output(faults)
    banner()
    return transform(parse_command_line(argv), faults)
