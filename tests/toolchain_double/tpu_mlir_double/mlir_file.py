"""The double's .mlir: MLIR-looking text plus one JSON comment the later steps read back."""

from __future__ import annotations

import json
from pathlib import Path

from tpu_mlir_double.common import between

MARKER = "// tpu_mlir_double: "


def tensor_shape(name: str, input_shape: list[int]) -> list[int]:
    """A plausible NCHW shape for a tensor the double never computes (display only)."""
    n = input_shape[0] if input_shape else 1
    h = input_shape[2] if len(input_shape) == 4 else 640
    stride = (8, 16, 32)[int(between(0, 2.999, name, "stride"))]
    channels = (16, 32, 64, 80, 128, 256)[int(between(0, 5.999, name, "ch"))]
    return [n, channels, max(1, h // stride), max(1, h // stride)]


def write_mlir(path: str, info: dict, state: str) -> None:
    name = info["model_name"]
    lines = [
        f'module @{name} attributes {{module.chip = "ALL", module.platform = "ONNX", '
        f'module.state = "{state}", module.weight_file = "{info["weight_file"]}"}} {{',
        "  func.func @main(%arg0: tensor<{}xf32> loc(unknown)) {{".format("x".join(str(d) for d in info["input_shape"])),
    ]
    for i, tensor in enumerate(info["tensors"]):
        lines.append(f'    %{i} = "top.Op"() : () -> tensor<*xf32> loc(#loc{i})')
    lines += ["  }", "}"]
    for i, tensor in enumerate(info["tensors"]):
        lines.append(f'#loc{i} = loc("{tensor}")')
    lines.append(MARKER + json.dumps(info, sort_keys=True))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_mlir(path: str) -> dict | None:
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith(MARKER):
                return json.loads(line[len(MARKER):])
    return None
