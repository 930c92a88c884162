"""model_deploy(.py) v1.7: lower top MLIR with the calibration table, validate, build the model."""

from __future__ import annotations

import argparse
import os

from tpu_mlir_double import compare, npz
from tpu_mlir_double.common import (
    configure_output,
    ToolExit, apply_crash_fault, apply_exit_fault, banner, err, fail_with_traceback, load_faults,
    log_info, main_guard, out, run_wrapped, sleep_with_heartbeat,
)
from tpu_mlir_double.misc import str2dict, str2list  # model_deploy.py redefines str2list alike
from tpu_mlir_double.mlir_file import read_mlir, tensor_shape
from tpu_mlir_double.cvimodel_file import cvimodel_bytes, deploy_io
from tpu_mlir_double.model_files import bmodel_bytes, model_sizes
from tpu_mlir_double.model_runner import describe_cvimodel, description_payload, model_inference
from tpu_mlir_double.model_transform import check_patterns
from tpu_mlir_double.preprocess import print_load_config, raw_input_shape, supported_customization_format
from tpu_mlir_double.scene import encode, load_scene, quantize_int8, scene_boxes

TOOL = "model_deploy.py"
CV18XX = ("cv183x", "cv182x", "cv181x", "cv180x")
CV18XX_QUANTIZE = ("INT8", "BF16")


def build_parser() -> argparse.ArgumentParser:
    """1.7's parser, option for option (python/tools/model_deploy.py), help texts included."""
    parser = argparse.ArgumentParser(prog=TOOL)
    # yapf: disable
    # ========== Basic Options ===========
    parser.add_argument("--mlir", required=True, help="top mlir from model_transform.py")
    parser.add_argument("--chip", "--processor", required=True, type=str.lower,
                        choices=['bm1688', 'bm1684x', 'bm1684', 'bm1690', 'mars3',
                                 'cv183x', 'cv182x', 'cv181x', 'cv180x', 'cv186x', 'cpu'],
                        help="chip platform name")
    parser.add_argument("--quantize", default="F32", type=str.upper,
                        choices=['F32', 'BF16', 'F16', 'INT8', 'INT4', 'W8F16', 'W8BF16',
                                 'W4F16', 'W4BF16', "F8E4M3", "F8E5M2", 'QDQ'],
                        help="set default qauntization type")
    parser.add_argument("--model", required=True, help='output model')
    # ========== Quantization Options ==============
    parser.add_argument("--calibration_table",
                        help="calibration table for int8 quantization")
    parser.add_argument("--quantize_table",
                        help="table of OPs that quantized to specific mode")
    parser.add_argument("--asymmetric", action='store_true',
                        help="do INT8 asymmetric quantization")
    parser.add_argument("--q_group_size", default=64, type=int,
                        help="group size for per-group quant, only used in W4A16 quant mode")
    parser.add_argument("--quant_input", action="store_true",
                        help="strip input type cast in bmodel, need outside type conversion")
    parser.add_argument("--quant_output", action="store_true",
                        help="strip output type cast in bmodel, need outside type conversion")
    parser.add_argument("--quant_input_list", default="", type=str,
                        help="choose index to strip cast, such as 1,3 means first & third input`s cast")
    parser.add_argument("--quant_output_list", default="", type=str,
                        help="choose index to strip cast, such as 1,3 means first & third output`s cast")
    parser.add_argument("--ignore_f16_overflow", action='store_true',
                        help="some ops convert from f16 to f32, to avoid f16 overflow. These Ops are: LayerNorm, RMSNorm, AvgPool")
    # ========== Validation Options ==============
    parser.add_argument("--test_input", default="", type=str2list,
                        help="input npy/npz/image file for inference; image if fuse preprocess"
                        "if has more than one input, join npy with semicolon")
    parser.add_argument("--test_reference", default="",
                        help="reference npz file; if none, will run inner")
    parser.add_argument("--compare_all", action="store_true",
                        help="Decide if compare all tensors when lowering")
    parser.add_argument("--tolerance", default='0.8,0.5', help="tolerance for compare")
    parser.add_argument("--excepts", default='-', help="excepts tensors no compare")
    parser.add_argument("--skip_validation", action='store_true', help='skip checking the correctness of bmodel.')
    parser.add_argument("--cache_skip", action='store_true', help='skip checking the correctness when generate same mlir and bmodel.')
    # ========== Fuse Preprocess Options ==============
    parser.add_argument("--fuse_preprocess", action='store_true',
                        help="add tpu preprocesses (mean/scale/channel_swap) in the front of model")
    parser.add_argument("--customization_format", default='', type=str.upper,
                        choices=supported_customization_format,
                        help="pixel format of input frame to the model")
    parser.add_argument("--aligned_input", action='store_true',
                        help='if the input frame is width/channel aligned')
    # ========== Parallel Options ==============
    parser.add_argument("--num_device", default=1, type=int,
                        help="The number of devices to run for distributed computation.")
    parser.add_argument("--num_core", default=1, type=int,
                        help="The number of TPU cores used for parallel computation.")
    parser.add_argument("--group_by_cores", default="auto", type=str.lower,
                        choices=['auto', 'true', 'false'],
                        help="whether layer groups force group by cores")
    # ========== Compiler Options ==============
    parser.add_argument("--dynamic", action='store_true', help="do compile dynamic")
    parser.add_argument("--opt", default=2, type=int, choices=[1, 2], help="Optimization level")
    parser.add_argument("--addr_mode", default="auto", type=str.lower,
                        choices=['auto', 'basic', 'io_alone', 'io_tag'],
                        help="set address assign mode, if not set, auto as default")
    # ========== Debug Options ==============
    parser.add_argument("--debug", action='store_true', help='to keep all intermediate files for debug')
    parser.add_argument("--disable_layer_group", action="store_true", help="Whether to enable layer group pass")
    # ========== Other Options ==============
    # for cv18xx
    parser.add_argument("--op_divide", action="store_true", help="if do large global op divide.")
    parser.add_argument("--merge_weight", action="store_true", default=False,
                        help="merge weights into one weight binary with previous generated cvimodel")
    parser.add_argument("--model_version", default="latest",
                        help="if need old version cvimodel, set the verion, such as 1.2")
    # for bm1684
    parser.add_argument("--do_winograd", action="store_true", default=False,
                        help="do_winograd")
    # for tosa includeWeight
    parser.add_argument("--includeWeight", action='store_true', help="include weight in tosa.mlir")
    parser.add_argument("--patterns_count", type=str2dict, default=dict(),
                        help='used for regression test, check if patterns are successfully applied a specific number of times')
    # for bm1688
    parser.add_argument("--compress_mode", default="none", type=str.lower,
                        choices=["none", "weight", "activation", "all"],
                        help="set compress mode")
    # ========== DEPRECATED Options ==============
    parser.add_argument("--io_alone", action="store_true", default=False,
                        help="DEPRECATED, please use --addr_mode io_alone")
    # yapf: enable
    return parser


def parse_command_line(argv: list[str]):
    """parse_args, then what 1.7's __main__ checks before it builds anything."""
    args = build_parser().parse_args(argv)
    if args.io_alone:  # deprecated_option()
        raise RuntimeError("DEPRECATED, please use --addr_mode io_alone")
    if args.customization_format.startswith("YUV"):
        args.aligned_input = True
    if not args.fuse_preprocess and args.customization_format:
        assert (0 and "Error! If not fuse_preprocess, customization_format shouldn't be set.")
    return args


def _llvm_unreachable(message: str, source: str) -> bool:
    err(f"{message}\nUNREACHABLE executed at /workspace/tpu-mlir/lib/{source}!\n")
    err("PLEASE submit a bug report to https://github.com/llvm/llvm-project/issues/ and include the crash backtrace.\n")
    return False


def deploy(args, faults: dict) -> int:
    apply_exit_fault(faults)
    if not os.path.exists(args.mlir):
        fail_with_traceback(TOOL, f"FileNotFoundError: [Errno 2] No such file or directory: '{args.mlir}'")
    info = read_mlir(args.mlir)
    if info is None:
        fail_with_traceback(TOOL, f"RuntimeError: {args.mlir} is not a top mlir file")
    name = info["model_name"]
    pre = info.get("preprocess", {})
    quantize = args.quantize.lower()
    prefix = f"{name}_{args.chip}_{quantize}"
    if quantize in ("int8", "int4"):
        prefix += "_asym" if args.asymmetric else "_sym"
    tpu_mlir, final_mlir = f"{prefix}_tpu.mlir", f"{prefix}_final.mlir"
    tpu_npz, model_npz = f"{prefix}_tpu_outputs.npz", f"{prefix}_model_outputs.npz"
    in_npz = f"{name}_in_f32.npz"
    ref_npz = args.test_reference
    do_validate = bool(args.test_input)
    if do_validate:
        test_input = args.test_input[0]
        if args.fuse_preprocess and not test_input.endswith((".jpg", ".jpeg", ".png")):
            fail_with_traceback(TOOL, "AssertionError", frames=[(
                150, "/usr/local/lib/python3.10/dist-packages/tpu_mlir/python/tools/model_deploy.py", "_prepare_input_npz")])
        if test_input.endswith((".jpg", ".jpeg", ".png")):
            print_load_config(pre, info["input_shape"][-2:])
            if args.fuse_preprocess:
                log_info("Add preprocess, set the following params:")
                in_npz = f"{name}_in_ori.npz"
            if not os.path.exists(test_input):
                out(f"{test_input} doesn't existed !!!")
                raise ToolExit(1)
        elif test_input.endswith((".npz", ".npy")):
            if not os.path.exists(test_input):
                fail_with_traceback(TOOL, f"FileNotFoundError: [Errno 2] No such file or directory: '{test_input}'")
        else:
            fail_with_traceback(TOOL, f"TypeError: Unsupport input type *{os.path.splitext(test_input)}")
        if args.aligned_input and not args.fuse_preprocess:
            fail_with_traceback(TOOL, "RuntimeError: Not support now, aligned_input requires fuse_preprocess to be set to True.")
        if args.fuse_preprocess:
            # preprocess.run(fuse_pre=True): raw uint8 pixels as the camera hands them over
            fmt = args.customization_format or ("RGB_PLANAR" if pre.get("pixel_format") == "rgb" else "BGR_PLANAR")
            inputs = {info["input_name"] + "_raw": (raw_input_shape(info["input_shape"], fmt, args.aligned_input), "uint8", None)}
        else:
            inputs = {info["input_name"]: (info["input_shape"], "float32", None)}
        npz.write_npz(in_npz, inputs)
        if not ref_npz:
            ref_npz = f"{name}_top_outputs.npz"
            out(f"[CMD]: model_runner.py --input {name}_in_f32.npz --model {args.mlir} --output {ref_npz}")
            npz.write_npz(ref_npz, {t: ([1, 4], "float32", None) for t in info["tensors"]})
    apply_crash_fault(TOOL, faults)

    def lowering() -> bool:
        if args.chip in CV18XX and args.quantize not in CV18XX_QUANTIZE:
            return _llvm_unreachable("raw format not support current type",
                                     "Dialect/Tpu/Transforms/Codegen/Dynamic/DynamicLayer.cpp:144")
        if args.calibration_table and not os.path.exists(args.calibration_table):
            return _llvm_unreachable("can't open calibration table file!",
                                     "Dialect/Top/Transforms/ImportCalibrationTable.cpp:108")
        with open(tpu_mlir, "w", encoding="utf-8") as fh:
            fh.write(open(args.mlir, encoding="utf-8").read().replace("TOP_F32", "TPU_LOWERED"))
        return True

    lower_cmd = ["tpuc-opt", args.mlir, f'--processor-assign="chip={args.chip} num_device={args.num_device} num_core={args.num_core}"']
    if args.calibration_table:
        lower_cmd.append(f'--import-calibration-table="file={args.calibration_table} asymmetric={args.asymmetric}"')
    lower_cmd += ["--processor-top-optimize",
                  f'--convert-top-to-tpu="mode={args.quantize} asymmetric={args.asymmetric} doWinograd={args.do_winograd} ignore_f16_overflow={args.ignore_f16_overflow}"',
                  "--canonicalize", "--weight-fold", "-o", tpu_mlir]
    run_wrapped(TOOL, lower_cmd, lowering)
    sleep_with_heartbeat(float(faults.get("slow_seconds", 0)), "deploy")
    tensors = info["tensors"]
    input_shape = info["input_shape"]
    failing = set(info["outputs"]) if faults.get("compare") == "fail" else set()
    if do_validate:
        out(f"[CMD]: model_runner.py --input {in_npz} --model {tpu_mlir} --output {tpu_npz}")
        heads = int8_heads(info, args.model)
        npz.write_npz(tpu_npz, {t: (heads[t].shape, "float32", heads[t].to_bytes()) if t in heads
                                else ([1, 4], "float32", None) for t in tensors})
        if not os.path.exists(ref_npz):
            fail_with_traceback(TOOL, f"FileNotFoundError: [Errno 2] No such file or directory: '{ref_npz}'")
        ref_names = set(npz.npz_names(ref_npz))
        common = compare.select_tensors([t for t in tensors[1:] if t in ref_names])
        shaped = [(t, input_shape if t == info["input_name"] else tensor_shape(t, input_shape), "float32")
                  for t in common]
        tol = compare.parse_tolerance(args.tolerance)
        run_wrapped(TOOL, compare.compare_command(tpu_npz, ref_npz, args.tolerance),
                    lambda: compare.run_compare(tpu_npz, ref_npz, tol, shaped, "deploy", failing))

    def to_model() -> bool:
        with open(final_mlir, "w", encoding="utf-8") as fh:
            fh.write(open(tpu_mlir, encoding="utf-8").read().replace("TPU_LOWERED", "TPU_ADDRESSED"))
        return True

    run_wrapped(TOOL, ["tpuc-opt", tpu_mlir, "--mlir-disable-threading",
                       f'--strip-io-quant="quant_input={args.quant_input} quant_output={args.quant_output}"',
                       "--processor-tpu-optimize", f'--layer-group="opt={args.opt}"', "--address-assign",
                       "-o", final_mlir], to_model)

    def codegen() -> bool:
        body, weights = model_sizes(int(info.get("onnx_size", 0)), int(info.get("nodes", 1)))
        if args.chip in CV18XX:
            inputs, outputs = deploy_io(
                input_name=info["input_name"], input_shape=info["input_shape"], output_names=info["outputs"],
                quantize=args.quantize, fuse_preprocess=args.fuse_preprocess,
                customization_format=args.customization_format, aligned_input=args.aligned_input,
                quant_input=args.quant_input, quant_output=args.quant_output,
                num_classes=int(info.get("num_classes", 80)),
                other_shape=lambda t: tensor_shape(t, info["input_shape"]))
            description = describe_cvimodel(info, args.model, args.chip, args.fuse_preprocess, args.aligned_input,
                                            args.customization_format or "", args.quant_input, args.quant_output)
            data = cvimodel_bytes(name=name, chip=args.chip, inputs=inputs, outputs=outputs, weight_size=weights,
                                  cmdbuf_size=body, seed=name, weight_payload=description_payload(description))
        else:
            data = bmodel_bytes(args.chip, body + weights, name)
        with open(args.model, "wb") as fh:
            fh.write(data)
        return True

    run_wrapped(TOOL, ["tpuc-opt", final_mlir,
                       f'--codegen="model_file={args.model} embed_debug_info={args.debug} model_version={args.model_version}"',
                       "-o", "/dev/null"], codegen)
    if do_validate and not args.skip_validation:
        out(f"[CMD]: model_runner.py --input {in_npz} --model {args.model} --output {model_npz}")
        outputs = info["outputs"]
        if args.chip in CV18XX:
            npz.write_npz(model_npz, model_inference(npz.read_npz(in_npz), args.model))
        else:
            npz.write_npz(model_npz, {t: ([1, 4], "float32", None) for t in outputs})
        shaped = [(t, tensor_shape(t, input_shape), "float32") for t in outputs]
        run_wrapped(TOOL, compare.compare_command(model_npz, tpu_npz, "0.99,0.90"),
                    lambda: compare.run_compare(model_npz, tpu_npz, (0.99, 0.90), shaped, "model"))
    check_patterns(args.patterns_count, {})
    if not args.debug:
        # file_mark()ed files go at the end; the tpu/final MLIRs and the raw input stay.
        marked = [tpu_npz, model_npz] + ([f"{name}_in_f32.npz"] if do_validate and not args.test_reference else [])
        for leftover in marked:
            if os.path.exists(leftover):
                os.remove(leftover)
    return 0


def int8_heads(info: dict, model_file: str) -> dict:
    """The INT8 side's head tensors (the scene next to the model, or the default one)."""
    num_classes = int(info.get("num_classes", 80))
    boxes = scene_boxes(load_scene(model_file), num_classes, "int8")
    tensors = encode(boxes, info["outputs"], int(info["input_shape"][-1]), num_classes)
    return {name: quantize_int8(t) for name, t in tensors.items()}


@main_guard
def main(argv: list[str]) -> int:
    faults = load_faults("deploy")
    configure_output(faults)
    banner()
    return deploy(parse_command_line(argv), faults)
