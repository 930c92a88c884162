"""Real .cvimodel files for the fast tier, built by the real tpu_mlir 1.7 wheel's tpuc-opt.

    path = build_cvimodel(YoloSpec(size=64, num_classes=2))          # the six YOLO11 heads, INT8
    path = build_cvimodel(YoloSpec(heads=box_first_heads(2)))        # box outputs first
    path = build_cvimodel(YoloSpec(heads=yolo11_heads(2)[:3]))       # a model the camera cannot decode

No model_transform and no Python 3.10: a tiny top-dialect MLIR is written here by hand (what
model_transform would write for a stem of three strided convs and the six YOLO head convs, named
like an Ultralytics export), with its weight npz and a calibration table whose thresholds come
from running that float network in numpy on a few random pictures. The wheel's
python/utils/mlir_shell.py then lowers it with the guide's options (INT8 with the table, cv181x,
--fuse_preprocess with RGB_PACKED and --aligned_input, --quant_input; docs/toolchain.md) and runs
codegen, under this interpreter (it is plain Python around tpuc-opt).

Built files are cached by a hash of everything that goes in (MLIR, weights, table, options,
wheel), so a test run builds each variant once. ``require_wheel()`` skips locally and fails
under CI=true when the wheel cannot be had.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from filelock import FileLock

import tpu_mlir_wheel

CACHE = tpu_mlir_wheel.cache_dir() / "cvimodels"
STEM_CHANNELS = 8
FACTORY_VERSION = 1  # bump when the MLIR or the build changes


@dataclass(frozen=True)
class Head:
    """One output conv: ``/model.23/<branch>.<i>/<branch>.<i>.2/Conv`` with ``channels`` at ``stride``."""

    branch: str  # "cv2" (box) or "cv3" (class)
    index: int  # 0, 1, 2 for strides 8, 16, 32
    channels: int
    stride: int

    @property
    def name(self) -> str:
        return f"/model.23/{self.branch}.{self.index}/{self.branch}.{self.index}.2"


def yolo11_heads(num_classes: int, box_channels: int = 64) -> tuple[Head, ...]:
    """cv2.0, cv3.0, cv2.1, cv3.1, cv2.2, cv3.2: what the guide's --output_names give."""
    return tuple(Head(branch, i, box_channels if branch == "cv2" else num_classes, 8 << i)
                 for i in range(3) for branch in ("cv2", "cv3"))


def box_first_heads(num_classes: int) -> tuple[Head, ...]:
    heads = yolo11_heads(num_classes)
    return heads[0::2] + heads[1::2]


@dataclass(frozen=True)
class YoloSpec:
    size: int = 64
    num_classes: int = 2
    heads: tuple[Head, ...] | None = None  # default: yolo11_heads(num_classes)
    quantize: str = "INT8"  # or BF16
    chip: str = "cv181x"
    fuse_preprocess: bool = True
    quant_output: bool = False
    name: str = "yolo_heads"
    seed: int = 0

    def resolved_heads(self) -> tuple[Head, ...]:
        return self.heads if self.heads is not None else yolo11_heads(self.num_classes)


class _Net:
    """The float network: three non-overlapping strided convs (8, 2, 2), then 1x1 head convs."""

    def __init__(self, spec: YoloSpec):
        rng = np.random.default_rng(spec.seed)
        c = STEM_CHANNELS
        self.stems = [("/model.0/conv", 3, c, 8, 8), ("/model.1/conv", c, c, 2, 2), ("/model.2/conv", c, c, 2, 2)]
        self.heads = spec.resolved_heads()
        self.weights: dict[str, np.ndarray] = {}
        for name, cin, cout, k, _s in self.stems:
            self.weights[f"{name}.weight"] = (rng.standard_normal((cout, cin, k, k)) * 0.2).astype(np.float32)
            self.weights[f"{name}.bias"] = (rng.standard_normal(cout) * 0.1).astype(np.float32)
        for head in self.heads:
            self.weights[f"{head.name}.weight"] = (rng.standard_normal((head.channels, c, 1, 1)) * 0.3).astype(np.float32)
            self.weights[f"{head.name}.bias"] = (rng.standard_normal(head.channels) * 0.1).astype(np.float32)

    @staticmethod
    def _patch_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
        n, cin, h, width = x.shape
        patches = x.reshape(n, cin, h // k, k, width // k, k)
        return np.einsum("nchiwj,ocij->nohw", patches, w) + b[None, :, None, None]

    def forward(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every op's output by its MLIR location name (what the calibration table is keyed by)."""
        out = {"images": x}
        feats = []
        for name, _cin, _cout, k, _s in self.stems:
            x = self._patch_conv(x, self.weights[f"{name}.weight"], self.weights[f"{name}.bias"], k)
            out[f"{name}/Conv_output_0_Conv"] = x
            feats.append(x)
        for head in self.heads:
            level = {8: 0, 16: 1, 32: 2}[head.stride]
            out[f"{head.name}/Conv_output_0_Conv"] = self._patch_conv(
                feats[level], self.weights[f"{head.name}.weight"], self.weights[f"{head.name}.bias"], 1)
        return out


def _t(shape) -> str:
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


def top_mlir(spec: YoloSpec, net: _Net, weight_file: str) -> str:
    """The top-dialect MLIR model_transform would write (attributes as tpu_mlir 1.7 prints them)."""
    s = spec.size
    lines, locs = [], ['#loc1 = loc("images")']
    shapes = {"images": (1, 3, s, s)}

    def loc(name: str) -> str:
        locs.append(f'#loc{len(locs) + 1} = loc("{name}")')
        return f"#loc{len(locs)}"

    lines.append(f'    %0 = "top.Input"(%arg0) {{black_level = 1.120000e+02 : f64, channel_format = "nchw", do_preprocess = true, '
                 f'keep_aspect_ratio = true, keep_ratio_mode = "letterbox", mean = [0.000000e+00, 0.000000e+00, '
                 f'0.000000e+00], pad_type = "center", pad_value = 0 : i64, pixel_format = "rgb", resize_dims = '
                 f'[{s}, {s}], scale = [0.0039216000586748123, 0.0039216000586748123, 0.0039216000586748123], '
                 f'white_level = 4.095000e+03 : f64}} : '
                 f'({_t(shapes["images"])}) -> {_t(shapes["images"])} loc(#loc1)')
    value = {"images": "%0"}
    counter = 1

    def conv(name: str, src: str, cout: int, k: int, src_shape: tuple) -> tuple[str, tuple]:
        nonlocal counter
        w_shape = (cout, src_shape[1], k, k)
        out_shape = (1, cout, src_shape[2] // k, src_shape[3] // k)
        w, b, o = f"%{counter}", f"%{counter + 1}", f"%{counter + 2}"
        counter += 3
        lines.append(f'    {w} = "top.Weight"() : () -> {_t(w_shape)} loc({loc(name + ".weight")})')
        lines.append(f'    {b} = "top.Weight"() : () -> {_t((cout,))} loc({loc(name + ".bias")})')
        lines.append(
            f'    {o} = "top.Conv"({src}, {w}, {b}) {{dilations = [1, 1], do_relu = false, dynweight_reorderd = false, '
            f'group = 1 : i64, kernel_shape = [{k}, {k}], pads = [0, 0, 0, 0], relu_limit = -1.000000e+00 : f64, '
            f'strides = [{k}, {k}], weight_is_coeff = 1 : i64}} : ({_t(src_shape)}, {_t(w_shape)}, {_t((cout,))}) '
            f'-> {_t(out_shape)} loc({loc(name + "/Conv_output_0_Conv")})')
        return o, out_shape

    src, src_shape, levels = "%0", shapes["images"], []
    for name, _cin, cout, k, _s in net.stems:
        src, src_shape = conv(name, src, cout, k, src_shape)
        levels.append((src, src_shape))
    results = []
    for head in net.heads:
        feat, feat_shape = levels[{8: 0, 16: 1, 32: 2}[head.stride]]
        results.append(conv(head.name, feat, head.channels, 1, feat_shape))
    result_types = ", ".join(_t(shape) for _v, shape in results)
    header = [
        "#loc = loc(unknown)",
        f'module @{spec.name} attributes {{module.chip = "ALL", module.platform = "ONNX", module.state = "TOP_F32", '
        f'module.weight_file = "{weight_file}"}} {{',
        f"  func.func @main(%arg0: {_t(shapes['images'])} loc(unknown)) -> ({result_types}) {{",
    ]
    footer = [f"    return {', '.join(v for v, _s in results)} : {result_types} loc(#loc)",
              "  } loc(#loc)", "} loc(#loc)"]
    return "\n".join(header + lines + footer + locs) + "\n"


def calibration_table(net: _Net, size: int, pictures: int = 4, seed: int = 1) -> str:
    """run_calibration's table format: ``name threshold min max``; threshold = max |value|."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (pictures, 3, size, size)).astype(np.float32) * np.float32(0.0039216)
    lines = ["# genetated time: cvimodel_factory", f"# sample number: {pictures}", "###",
             "# op_name    threshold    min    max"]
    for name, value in net.forward(x).items():
        low, high = float(value.min()), float(value.max())
        lines.append(f"{name} {max(abs(low), abs(high)):.7f} {low:.7f} {high:.7f}")
    return "\n".join(lines) + "\n"


_BUILD = """
import sys
from utils import mlir_shell
spec = {spec}
mlir_shell.mlir_lowering("top.mlir", "tpu.mlir", spec["quantize"], spec["chip"],
                         cali_table="cali_table" if spec["quantize"] == "INT8" else None,
                         customization_format="RGB_PACKED" if spec["fuse_preprocess"] else "",
                         fuse_preprocess=spec["fuse_preprocess"], aligned_input=spec["fuse_preprocess"])
mlir_shell.mlir_to_model("tpu.mlir", "model.cvimodel", "final.mlir", quant_input=spec["fuse_preprocess"],
                         quant_output=spec["quant_output"], model_version="latest")
"""


class BuildFailed(RuntimeError):
    pass


def require_wheel() -> Path:
    """The extracted wheel's tpu_mlir folder; skip (or fail under CI=true) if it cannot be had."""
    from conftest import require_component

    try:
        return tpu_mlir_wheel.package_root()
    except tpu_mlir_wheel.WheelUnavailable as exc:
        require_component(False, "the tpu_mlir 1.7 wheel", f"pip download {tpu_mlir_wheel.REQUIREMENT} ({exc})")
        raise  # not reached: require_component skips or fails


def build_cvimodel(spec: YoloSpec = YoloSpec(), dest: Path | None = None, root: Path | None = None) -> Path:
    """A real .cvimodel for ``spec`` (cached); copied to ``dest`` when given."""
    root = root or require_wheel()
    net = _Net(spec)
    weight_file = f"{spec.name}_top_f32_all_weight.npz"
    mlir = top_mlir(spec, net, weight_file)
    table = calibration_table(net, spec.size)
    options = {"quantize": spec.quantize, "chip": spec.chip, "fuse_preprocess": spec.fuse_preprocess,
               "quant_output": spec.quant_output}
    key = hashlib.sha256(json.dumps({
        "factory": FACTORY_VERSION, "spec": asdict(spec), "mlir": mlir, "table": table, "options": options,
        "wheel": tpu_mlir_wheel.WHEEL_NAME,
        "weights": hashlib.sha256(b"".join(net.weights[k].tobytes() for k in sorted(net.weights))).hexdigest(),
    }, sort_keys=True, default=str).encode()).hexdigest()[:24]
    cached = CACHE / key / f"{spec.name}.cvimodel"
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(cached.parent) + ".lock"):
            if not cached.is_file():
                _build(root, mlir, weight_file, net, table, options, cached)
    if dest is None:
        return cached
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, dest)
    return dest


def _build(root: Path, mlir: str, weight_file: str, net: _Net, table: str, options: dict, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cvimodel-factory-") as tmp:
        work = Path(tmp)
        (work / "top.mlir").write_text(mlir, encoding="utf-8")
        np.savez(work / weight_file, **net.weights)
        (work / "cali_table").write_text(table, encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", _BUILD.format(spec=repr(options))], cwd=work,
                              env=tpu_mlir_wheel.tool_env(root), capture_output=True, text=True, timeout=600)
        model = work / "model.cvimodel"
        if done.returncode != 0 or not model.is_file():
            raise BuildFailed(f"tpuc-opt could not build the test model (exit {done.returncode}):\n"
                              f"{(done.stdout + done.stderr)[-3000:]}")
        tmp_out = out.with_suffix(".partial")
        shutil.copyfile(model, tmp_out)
        tmp_out.replace(out)


def model_tool_info(path: Path, root: Path | None = None) -> subprocess.CompletedProcess:
    """The real ``model_tool --info`` on a file (the wheel's binary)."""
    root = root or require_wheel()
    return subprocess.run([str(root / "bin" / "model_tool"), "--info", str(path)], capture_output=True, text=True,
                          env=tpu_mlir_wheel.tool_env(root), timeout=120)


# --- damaged copies (what a broken copy or download leaves) -------------------------------------------

HEADER_SIZE = 48


def _body_size(data: bytes) -> int:
    return int.from_bytes(data[8:12], "little")


def with_md5(data: bytes) -> bytes:
    """``data`` with the header checksum recomputed (md5 = MD5(file[48:]))."""
    return data[:14] + hashlib.md5(data[HEADER_SIZE:]).digest() + data[30:]


def cut(path: Path, dest: Path, fraction: float = 1 / 3) -> Path:
    data = path.read_bytes()
    dest.write_bytes(data[:int(len(data) * fraction)])
    return dest


def flip_byte(path: Path, dest: Path, offset: int | None = None) -> Path:
    """One bit flipped; by default in the middle of the weight and command sections."""
    data = bytearray(path.read_bytes())
    if offset is None:
        start = HEADER_SIZE + _body_size(data)
        offset = start + (len(data) - start) // 2
    data[offset] ^= 0x10
    dest.write_bytes(bytes(data))
    return dest


def filler_body(path: Path, dest: Path) -> Path:
    """The body replaced by bytes of the same size that are no flatbuffer, checksum made to match
    (a writer that produced garbage, like the old toolchain double)."""
    data = path.read_bytes()
    size = _body_size(data)
    filler = (hashlib.sha256(b"filler").digest() * (size // 32 + 1))[:size]
    dest.write_bytes(with_md5(data[:HEADER_SIZE] + filler + data[HEADER_SIZE + size:]))
    return dest


def appended(path: Path, dest: Path, extra: bytes = b"\0" * 100, fix_md5: bool = True) -> Path:
    data = path.read_bytes() + extra
    dest.write_bytes(with_md5(data) if fix_md5 else data)
    return dest


# --- the toolchain double's writer (no wheel needed) ----------------------------------------------------


def double_cvimodel(path: Path, *, chip: str = "cv181x", size: int = 640, num_classes: int = 3,
                    output_names: list[str] | None = None, inputs: list | None = None, outputs: list | None = None,
                    weight_size: int = 70_000, file_size: int | None = None, seed: str | None = None,
                    **io_options) -> Path:
    """A .cvimodel from the double's stdlib writer (read by the real model_tool too). Defaults: the
    guide's options (fused RGB_PACKED aligned uint8 input, fp32 outputs) and the six YOLO11 heads;
    ``inputs``/``outputs`` (cvimodel_file.Tensor lists) replace them for odd models; ``file_size``
    sizes the weight section so the file has about that many bytes."""
    from toolchain_double.tpu_mlir_double.cvimodel_file import YOLO11_HEAD_NAMES, cvimodel_bytes, deploy_io

    options = {"fuse_preprocess": True, "customization_format": "RGB_PACKED", "aligned_input": True,
               "quant_input": True, **io_options}
    default_in, default_out = deploy_io(input_name="images", input_shape=[1, 3, size, size],
                                        output_names=output_names or YOLO11_HEAD_NAMES, num_classes=num_classes,
                                        **options)

    def build(weights: int) -> bytes:
        return cvimodel_bytes(name=path.stem, chip=chip, inputs=inputs or default_in, outputs=outputs or default_out,
                              weight_size=weights, seed=seed if seed is not None else path.name)

    if file_size is not None:
        weight_size = max(1024, file_size - (len(build(1024)) - 1024))  # the body does not grow with the weights
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build(weight_size))
    return path
