"""model_runner(.py) v1.7: run one input .npz through a top/tpu .mlir or a .cvimodel.

As the real tool (python/tools/model_runner.py): the same options; one array in the input
.npz is used whatever its key (more arrays: the model's input name must be among them); an
.mlir needs as many elements as its input (else the interpreter's setTensor message and an
abort), a .cvimodel's input is reshaped to the model's input shape (else numpy's ValueError).
Output names as the real one writes them: top MLIR heads `<onnx tensor>_Conv`; a cvimodel
always dumps extra tensors (`_ui8` = its input, sic: the real tool's precedence bug drops the
name) and, without --quant_output, gives fp32 `<head>_f32` next to the dequantized int8 `<head>`.
Values: the head tensors encode a scene of boxes (scene.py); other tensors are zero placeholders.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import sys
from array import array

from tpu_mlir_double import npz
from tpu_mlir_double.common import err, main_guard, out
from tpu_mlir_double.mlir_file import read_mlir
from tpu_mlir_double.preprocess import raw_input_shape
from tpu_mlir_double.scene import SceneError, SparseTensor, bf16, encode, head_layout, load_scene, quantize_int8, scene_boxes

TOOL = "model_runner.py"
# What the double's model_deploy records about a .cvimodel it wrote, at the start of its weight
# section (filler in the double's models): it travels with the file, wherever it is copied.
DESCRIPTION_MARKER = b"\0tpu_mlir_double model description:"
EXTRA_PLACEHOLDER_SHAPE = (1, 4, 2, 2)  # dumped non-head tensors: real names, zero data, tiny


def build_parser() -> argparse.ArgumentParser:
    # 1.7's parser exactly (python/tools/model_runner.py).
    # yapf: disable
    parser = argparse.ArgumentParser(prog=TOOL)
    parser.add_argument("--input", required=True, help="input npz file")
    parser.add_argument("--model", type=str, required=True,
                        help="mlir/pytorch/onnx/tflie/bmodel/prototxt file.")
    parser.add_argument("--weight", type=str, default="", help="caffemodel for caffe")
    parser.add_argument("--output", default='_output.npz', help="output npz file")
    parser.add_argument("--dump_all_tensors", action='store_true',
                        help="dump all tensors to output file")
    parser.add_argument("--debug", type=str, nargs="?", const="",
                        help="configure the debugging information.")
    # yapf: enable
    return parser


def _abort(lines: list[str]) -> None:
    """A C++ assertion or llvm_unreachable in the runtime: its lines on stderr, then SIGABRT."""
    sys.stdout.flush()
    err("".join(line + "\n" for line in lines))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file left in the user's folder
    os.abort()


def _pick_input(data: dict, name: str) -> npz.NpyArray:
    """`only_one`: a single array is taken whatever its key; else the input must be named."""
    if len(data) == 1:
        return next(iter(data.values()))
    assert name in data
    return data[name]


def _floats(arr: npz.NpyArray) -> bytes:
    """The array as float32 bytes (input.astype(np.float32))."""
    codes = {"<f4": "f", "<f8": "d", "|u1": "B", "|i1": "b", "<i4": "i", "<i8": "q", "<u2": "H", "<i2": "h"}
    code = codes.get(arr.descr)
    if code is None:
        raise TypeError(f"tpu_mlir_double: cannot convert dtype {arr.descr} to float32")
    values = array(code)
    values.frombytes(arr.data[: arr.size * values.itemsize])
    return array("f", values).tobytes() if code != "f" else bytes(values.tobytes())


def _heads(info_heads: list[str], boxes: list[dict], size: int, num_classes: int, int8: bool) -> dict[str, SparseTensor]:
    tensors = encode(boxes, info_heads, size, num_classes)
    return {name: quantize_int8(t) if int8 else t for name, t in tensors.items()}


def _mlir_progress() -> None:
    """pymlir's invoke() progress: a 50-column bar redrawn with backspaces on stderr."""
    text = "[" + " " * 50 + "] 0%"
    for percent in range(0, 101, 2):
        text += "\b" * 54 + "[" + "#" * (percent // 2) + " " * (50 - percent // 2) + f"] {percent}%"
    err(text)


def mlir_inference(data: dict, mlir_file: str, dump_all: bool) -> dict:
    with open(mlir_file, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    info = read_mlir(mlir_file)
    if info is None:
        err(f"tpu_mlir_double: {mlir_file} is not an MLIR file written by the double\n")
        raise SystemExit(1)
    name, shape = info["input_name"], info["input_shape"]
    arr = _pick_input(data, name)
    need = 1
    for dim in shape:
        need *= int(dim)
    if arr.size != need:  # ModuleInterpreter::setTensor compares byte sizes of float32 data
        _abort([f"Tensor {name} data need size: {need * 4} , but set size: {arr.size * 4}",
                "Error, setTensor failed",
                "UNREACHABLE executed at /__w/tpu-mlir/tpu-mlir/lib/Support/ModuleInterpreter.cpp:1331!"])
    int8 = "TOP_F32" not in text.split("\n", 1)[0]  # a lowered tpu MLIR shows the INT8 side
    size = int(shape[-1])
    boxes = scene_boxes(load_scene(mlir_file), int(info.get("num_classes", 80)), "int8" if int8 else "float")
    heads = _heads(info["outputs"], boxes, size, int(info.get("num_classes", 80)), int8)
    _mlir_progress()
    outputs: dict[str, tuple] = {}
    names = info["tensors"] if dump_all else info["outputs"]
    for tensor in names:
        if tensor in heads:
            outputs[tensor] = (heads[tensor].shape, "float32", heads[tensor].to_bytes())
        elif tensor == name:
            outputs[tensor] = (shape, "float32", _floats(arr))
        else:
            outputs[tensor] = (EXTRA_PLACEHOLDER_SHAPE, "float32", None)
    return outputs


def read_header_chip(model_file: str) -> str | None:
    try:
        with open(model_file, "rb") as fh:
            header = fh.read(48)
    except OSError:
        return None
    if header[:8] != b"CviModel" or len(header) < 48:
        return None
    return header[30:46].split(b"\0", 1)[0].decode("ascii", "replace")


def model_inference(data: dict, model_file: str) -> dict:
    chip = read_header_chip(model_file)
    if chip is None:
        _abort(([f"Error, Failed to open {model_file}"] if not os.path.exists(model_file) else []) + [
            "Error, invalid cvimodel file",
            "python3: /work/chip_compiler/cviruntime/src/common/model.cpp:460: static std::__cxx11::string "
            "cvi::runtime::CviModel::getChipType(const string&, const int8_t*, size_t): Assertion `0' failed."])
    desc = read_description(model_file)
    if desc is None:
        err(f"tpu_mlir_double: {model_file} holds no description of its tensors: the double runs only "
            ".cvimodel files its own model_deploy wrote (it records them in the weight section)\n")
        raise SystemExit(1)
    stamp = datetime.datetime.fromtimestamp(os.path.getmtime(model_file)).strftime("%Y-%m-%d %H:%M:%S")
    for line in (f"setenv:{chip}", f"Start TPU Simulator for {chip}", "device[0] opened, 4294967296",
                 "version: 1.4.0", f"{desc['model_name']} Build at {stamp} For platform {chip}",
                 "Cmodel: bm_load_cmdbuf", "Max SharedMem size:24576"):
        out(line)
    net_input = desc["input"]
    try:
        arr = _pick_input(data, net_input["name"])
        need = 1
        for dim in net_input["shape"]:
            need *= int(dim)
        if arr.size != need:  # utils/lowering.py: input.reshape(pshape)
            raise ValueError("cannot reshape array of size {} into shape ({})".format(
                arr.size, ",".join(str(d) for d in net_input["shape"])))
        out("Cmodel: bm_run_cmdbuf")
        size, num_classes = int(desc["input_size"]), int(desc["num_classes"])
        boxes = scene_boxes(load_scene(model_file), num_classes, "int8")
        heads = _heads(desc["heads"], boxes, size, num_classes, int8=True)
        outputs: dict[str, tuple] = {}
        for name, tensor in heads.items():
            outputs[name] = (tensor.shape, "float32", tensor.to_bytes())
            if not desc["quant_output"]:
                outputs[name + "_f32"] = (tensor.shape, "float32", tensor.mapped(bf16).to_bytes())
        for name in desc["heads"]:  # outputs that are no YOLO head: zeros of a plausible size
            outputs.setdefault(name if desc["quant_output"] else name + "_f32", (EXTRA_PLACEHOLDER_SHAPE, "float32", None))
        for name in desc.get("extra_tensors", []):
            outputs.setdefault(name, (EXTRA_PLACEHOLDER_SHAPE, "float32", None))
        # model_inference(): `name = i.name + "_si8" if ... else "_ui8"` binds as
        # `(i.name + "_si8") if ... else "_ui8"`: a uint8 input is saved as plain "_ui8".
        key = "_ui8" if net_input["dtype"] == "uint8" else net_input["name"] + "_si8"
        outputs[key] = (net_input["shape"], "float32", _floats(arr))
    finally:
        out("device[0] closed")
    return dict(sorted(outputs.items()))


def run(args) -> int:
    data = npz.read_npz(args.input)
    if args.model.endswith(".mlir"):
        output = mlir_inference(data, args.model, args.dump_all_tensors)
    elif args.model.endswith(".cvimodel"):
        output = model_inference(data, args.model)
    elif args.model.endswith((".onnx", ".tflite", ".pt", ".pth", ".bmodel")) or (
            args.model.endswith(".prototxt") and args.weight.endswith(".caffemodel")):
        err(f"tpu_mlir_double: model_runner runs .mlir and .cvimodel files only, not {args.model}\n")
        return 1
    else:
        raise RuntimeError("not support modle file:{}".format(args.model))
    out("\nSaving ...")
    if output:
        npz.write_npz(args.output, output)
        out("\nResult saved to:{}".format(args.output))
    return 0


@main_guard
def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except SceneError as exc:
        err(f"tpu_mlir_double: {exc}\n")
        return 1


def describe_cvimodel(info: dict, model_file: str, chip: str, fuse: bool, aligned: bool, fmt: str,
                      quant_input: bool, quant_output: bool) -> dict:
    """What the real .cvimodel records about its tensors, as the double's model_deploy knows it."""
    shape = [int(d) for d in info["input_shape"]]
    size = shape[-1]
    if fuse:
        name, dtype = info["input_name"] + "_raw", "uint8"
        net_shape = raw_input_shape(shape, fmt, aligned)
        if aligned and fmt.endswith("_PACKED"):  # pyruntime_cvi reports one flat row (checked on 1.7)
            net_shape = [1, 1, 1, net_shape[2] * net_shape[3]]
    else:
        name, dtype = info["input_name"], ("int8" if quant_input else "float32")
        net_shape = shape
    heads = [t for t in info["outputs"] if head_layout(t)]
    extras = [t for t in info["tensors"][1:] if t not in info["outputs"]][:16]
    return {"model_name": info["model_name"], "chip": chip, "model": os.path.basename(model_file),
            "input": {"name": name, "shape": net_shape, "dtype": dtype}, "heads": heads or info["outputs"],
            "input_size": size, "num_classes": int(info.get("num_classes", 80)),
            "quant_output": bool(quant_output), "extra_tensors": extras}


def description_payload(desc: dict) -> bytes:
    """What model_deploy puts at the start of the weight section (cvimodel_file's weight_payload)."""
    return DESCRIPTION_MARKER + json.dumps(desc, sort_keys=True).encode("utf-8") + b"\0"


def read_description(model_file: str) -> dict | None:
    with open(model_file, "rb") as fh:
        data = fh.read()
    start = data.find(DESCRIPTION_MARKER)
    if start < 0:
        return None
    start += len(DESCRIPTION_MARKER)
    end = data.find(b"\0", start)
    try:
        return json.loads(data[start:end].decode("utf-8"))
    except ValueError:
        return None

