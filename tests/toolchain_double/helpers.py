"""Helpers for tests that drive the TPU-MLIR test double (host side: may use onnx).

    env = double_env(fault={"calibrate": {"exit": 137}})
    ws = make_workspace(tmp_path)            # model/yolo11n.onnx, image/test.jpg, COCO2017/*.jpg, Workspace/
    subprocess.run(transform_cmd(ws), cwd=ws / "Workspace", env=env)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

DOUBLE_ROOT = Path(__file__).resolve().parent
BIN_DIR = DOUBLE_ROOT / "bin"  # the commands, as the wheel's wrapper (exit 1 on any failure)
TOOLS_DIR = DOUBLE_ROOT / "tools"  # the tool scripts themselves, as a source build runs them

YOLO11_HEADS = [
    f"/model.23/{branch}.{i}/{branch}.{i}.2/Conv_output_0" for i in range(3) for branch in ("cv2", "cv3")
]


def double_env(fault: dict | None = None, base: dict | None = None) -> dict:
    """An environment with the double's bin first on PATH (and a fault spec, if given)."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = f"{BIN_DIR}{os.pathsep}{env.get('PATH', '')}"
    env.pop("TOOLCHAIN_DOUBLE_FAULTS", None)
    if fault is not None:
        env["TOOLCHAIN_DOUBLE_FAULTS"] = json.dumps(fault)
    return env


def tiny_yolo_onnx(path: Path, *, ir_version: int = 8, extra_op: str | None = None, size: int = 64,
                   layer: int = 23) -> Path:
    """A small ONNX with YOLO11-style head names (needs the onnx package: host tests only)."""
    import onnx
    from onnx import TensorProto, helper

    nodes, inits = [], []
    prev = "images"
    for i in range(4):
        out = f"/model.{i}/conv/Conv_output_0"
        w = helper.make_tensor(f"model.{i}.conv.weight", TensorProto.FLOAT, [3, 3, 1, 1], [0.1] * 9)
        inits.append(w)
        nodes.append(helper.make_node("Conv", [prev, w.name], [out], name=f"/model.{i}/conv/Conv"))
        prev = out
    if extra_op:
        nodes.append(helper.make_node(extra_op, [prev, prev], [f"/model.9/{extra_op}_output_0"], name=f"/model.9/{extra_op}"))
        prev = f"/model.9/{extra_op}_output_0"
    for head in (h.replace("model.23", f"model.{layer}") for h in YOLO11_HEADS):
        w = helper.make_tensor(head + "_w", TensorProto.FLOAT, [3, 3, 1, 1], [0.1] * 9)
        inits.append(w)
        nodes.append(helper.make_node("Conv", [prev, w.name], [head], name=head.replace("_output_0", "")))
    nodes.append(helper.make_node("Concat", [h.replace("model.23", f"model.{layer}") for h in YOLO11_HEADS],
                                  ["output0"], axis=1, name="/model.23/Concat"))
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, None)],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = ir_version
    helper.set_model_props(model, {"task": "detect", "imgsz": f"[{size}, {size}]", "names": "{0: 'person'}"})
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def make_workspace(root: Path, *, images: int = 5, image_ext: str = ".jpg", **onnx_kwargs) -> Path:
    """The guide's layout: model/, image/test.jpg, COCO2017/ with calibration images, Workspace/."""
    tiny_yolo_onnx(root / "model" / "yolo11n.onnx", **onnx_kwargs)
    (root / "image").mkdir(parents=True, exist_ok=True)
    (root / "image" / "test.jpg").write_bytes(b"\xff\xd8\xff\xe0 test image placeholder")
    (root / "COCO2017").mkdir(exist_ok=True)
    for i in range(images):
        (root / "COCO2017" / f"Calibration{i + 1}{image_ext}").write_bytes(b"\xff\xd8\xff\xe0 placeholder")
    (root / "Workspace").mkdir(exist_ok=True)
    return root


def transform_cmd(name: str = "yolo11n", heads: list[str] | None = None, test_input: str = "../image/test.jpg",
                  size: int = 64, tool: str = "model_transform") -> list[str]:
    return [
        tool, "--model_name", name, "--model_def", f"../model/{name}.onnx",
        "--input_shapes", f"[[1,3,{size},{size}]]", "--mean", "0.0,0.0,0.0",
        "--scale", "0.0039216,0.0039216,0.0039216", "--keep_aspect_ratio", "--pixel_format", "rgb",
        "--output_names", ",".join(heads or YOLO11_HEADS),
        "--test_input", test_input, "--test_result", f"{name}_top_outputs.npz", "--mlir", f"{name}.mlir",
    ]


def calibrate_cmd(name: str = "yolo11n", input_num: int = 100, tool: str = "run_calibration") -> list[str]:
    return [tool, f"{name}.mlir", "--dataset", "../COCO2017", "--input_num", str(input_num), "-o", f"{name}_calib_table"]


def deploy_cmd(name: str = "yolo11n", quantize: str = "INT8", processor: str = "cv181x",
               table: str | None = None, tool: str = "model_deploy", extra: list[str] | None = None) -> list[str]:
    cmd = [
        tool, "--mlir", f"{name}.mlir", "--quantize", quantize, "--quant_input", "--processor", processor,
        "--calibration_table", table or f"{name}_calib_table", "--test_input", "../image/test.jpg",
        "--test_reference", f"{name}_top_outputs.npz", "--customization_format", "RGB_PACKED",
        "--fuse_preprocess", "--aligned_input", "--model", f"{name}_sym_int8.cvimodel",
    ]
    return cmd + list(extra or [])
