"""A .cvimodel the real ``model_tool --info`` and the camera's runtime can read (standard library only).

Layout (docs/toolchain.md "The .cvimodel file"): a 48-byte header (magic "CviModel", body_size,
version 1.4, md5 = MD5(file[48:]), chip, padding "Cv"), then a flatbuffer body in Sophgo's
``cvi.model`` schema (sophgo/tpu-mlir include/tpu_mlir/Builder/CV18xx/proto/cvimodel.fbs; field
slots = their order in the schema), then the weight and command-buffer sections it lists. The
double image may have no ``flatbuffers`` package, so the body is encoded here with ``struct``:
every object is written after the one that points at it (flatbuffers offsets point forward) and
every field is aligned to its size, as the C++ reader expects.

Names follow the real model_deploy 1.7 (seen on models built here by the wheel's tpuc-opt): a fused
input is ``<input>_raw`` (uint8, 1xSxSx3 for packed formats), outputs are ``<top op>_f32`` (fp32)
or, with --quant_output, ``<top op>`` (int8 with its scale); ``<top op>`` is ``<onnx tensor>_Conv``.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

from . import VERSION as MLIR_VERSION  # relative: also imported as toolchain_double.tpu_mlir_double by the tests

MAGIC = b"CviModel"
VERSION = (1, 4, 0)
HEADER_SIZE = 48
PADDING = b"Cv"
BUILD_TIME = "2024-04-19 00:00:00"
DTYPES = {"fp32": (0, 4), "int32": (1, 4), "uint32": (2, 4), "bf16": (3, 2), "int16": (4, 2),
          "uint16": (5, 2), "int8": (6, 1), "uint8": (7, 1)}
# Tensor.offset bits 40-42: 0 shared, 2 private, 3-7 io_mem (tools/model_tool/cv_tool.hpp)
MEM_IO_FIRST, MEM_PRIVATE, MEM_SHIFT = 3, 2, 40
WEIGHT_BASE = 1 << 40
BOX_CHANNELS = 64
_HEAD = re.compile(r"/model\.\d+/(cv[23])\.(\d)/")
# The six head convs of a YOLO11 export as top-MLIR op names, interleaved per stride (toolchain.md).
YOLO11_HEAD_NAMES = [f"/model.23/{branch}.{i}/{branch}.{i}.2/Conv_output_0_Conv" for i in range(3)
                     for branch in ("cv2", "cv3")]


# --- a minimal flatbuffer encoder ---------------------------------------------------------------


@dataclass
class Table:
    fields: list  # (slot, kind, value); kinds: u8 bool u32 i64 f32 struct:<fmt> str table vstr vtable vi64 vf32


class _Encoder:
    def __init__(self) -> None:
        self.buf = bytearray(4)  # the root uoffset, patched at the end

    def _pad(self, align: int, extra: int = 0) -> None:
        while (len(self.buf) + extra) % align:
            self.buf.append(0)

    def _patch(self, at: int, target: int) -> None:
        struct.pack_into("<I", self.buf, at, target - at)

    def string(self, text: str) -> int:
        data = text.encode("utf-8")
        self._pad(4)
        pos = len(self.buf)
        self.buf += struct.pack("<I", len(data)) + data + b"\0"
        return pos

    def numbers(self, fmt: str, values: list) -> int:
        width = struct.calcsize("<" + fmt)
        self._pad(max(width, 4), 4)  # the elements after the count are aligned to their width
        pos = len(self.buf)
        self.buf += struct.pack(f"<I{len(values)}{fmt}", len(values), *values)
        return pos

    def offsets(self, children: list, write) -> int:
        self._pad(4)
        pos = len(self.buf)
        self.buf += struct.pack("<I", len(children)) + b"\0" * (4 * len(children))
        for i, child in enumerate(children):
            self._patch(pos + 4 + 4 * i, write(child))
        return pos

    def table(self, table: Table) -> int:
        inline, children = [], []
        for slot, kind, value in table.fields:
            if value is None:
                continue
            if kind in ("u8", "bool"):
                inline.append((slot, struct.pack("<B", int(value)), 1))
            elif kind == "u32":
                inline.append((slot, struct.pack("<I", value), 4))
            elif kind == "i64":
                inline.append((slot, struct.pack("<q", value), 8))
            elif kind == "f32":
                inline.append((slot, struct.pack("<f", value), 4))
            elif kind.startswith("struct:"):
                inline.append((slot, struct.pack(kind[7:], *value), 1))
            else:
                inline.append((slot, b"\0\0\0\0", 4))
                children.append((slot, kind, value))
        # Largest fields first, each aligned to its width from a table start aligned to 8.
        inline.sort(key=lambda f: -f[2])
        layout, offset = {}, 4
        for slot, data, align in inline:
            offset += -offset % align
            layout[slot] = (offset, data)
            offset += len(data)
        table_size = offset + (-offset % 4)
        slots = max((f[0] for f in table.fields), default=-1) + 1
        self._pad(2)
        vtable = len(self.buf)
        entries = [layout[s][0] if s in layout else 0 for s in range(slots)]
        self.buf += struct.pack(f"<HH{slots}H", 4 + 2 * slots, table_size, *entries)
        self._pad(8)
        pos = len(self.buf)
        body = bytearray(table_size)
        struct.pack_into("<i", body, 0, pos - vtable)
        for field_offset, data in layout.values():
            body[field_offset:field_offset + len(data)] = data
        self.buf += body
        for slot, kind, value in children:
            at = pos + layout[slot][0]
            if kind == "str":
                self._patch(at, self.string(value))
            elif kind == "table":
                self._patch(at, self.table(value))
            elif kind == "vstr":
                self._patch(at, self.offsets(value, self.string))
            elif kind == "vtable":
                self._patch(at, self.offsets(value, self.table))
            elif kind == "vi64":
                self._patch(at, self.numbers("q", value))
            elif kind == "vf32":
                self._patch(at, self.numbers("f", value))
            else:
                raise ValueError(f"unknown field kind {kind}")
        return pos

    def finish(self, root: Table) -> bytes:
        self._patch(0, self.table(root))
        self._pad(8)
        return bytes(self.buf)


# --- the cvi.model tables ---------------------------------------------------------------------------


@dataclass
class Tensor:
    name: str
    shape: list
    dtype: str = "fp32"
    qscale: float = 1.0
    pixel_format: str | None = None
    aligned: bool = False

    @property
    def nbytes(self) -> int:
        count = 1
        for d in self.shape:
            count *= d
        return count * DTYPES[self.dtype][1]


def _shape(dims: list) -> Table:
    return Table([(0, "vi64", [int(d) for d in dims])])


def _tensor(tensor: Tensor, tensor_id: int, memory: int, offset: int = 0) -> Table:
    # Tensor: tensor_id name offset dtype shape stride quant overwrote scale mean pixel_format aligned size
    quant = Table([(0, "u8", 0), (1, "f32", 0.0), (2, "f32", 0.0), (3, "f32", 0.0), (4, "f32", tensor.qscale)])
    return Table([
        (0, "u32", tensor_id), (1, "str", tensor.name), (2, "i64", (memory << MEM_SHIFT) + offset),
        (3, "u8", DTYPES[tensor.dtype][0]), (4, "table", _shape(tensor.shape)), (6, "table", quant),
        (10, "str", tensor.pixel_format), (11, "bool", tensor.aligned or None), (12, "u32", tensor.nbytes),
    ])


def _filler(size: int, seed: bytes) -> bytes:
    block = hashlib.sha256(seed).digest() * 128
    reps, rest = divmod(size, len(block))
    return block * reps + block[:rest]


def cvimodel_bytes(*, name: str, chip: str, inputs: list[Tensor], outputs: list[Tensor], weight_size: int = 4096,
                   cmdbuf_size: int = 2048, seed: str = "", mlir_version: str = MLIR_VERSION,
                   build_time: str = BUILD_TIME, weight_payload: bytes = b"") -> bytes:
    """A whole .cvimodel: header, body, a weight section and one command buffer. ``weight_payload``
    opens the weight section (the double's model_runner reads its description of the model there:
    the section is filler anyway, and the file goes wherever the model goes)."""
    weight_size = max(weight_size, len(weight_payload))
    io = inputs + outputs
    tensors = [_tensor(t, i, min(MEM_IO_FIRST + i, 7)) for i, t in enumerate(io)]
    names_in, names_out = [t.name for t in inputs], [t.name for t in outputs]
    routine = Table([(0, "u8", 0), (1, "vstr", names_in), (2, "vstr", names_out),
                     (3, "table", Table([(0, "str", "subfunc_0")]))])
    # Program: batch_num neuron_size input_tensors output_tensors tensor_map routines shared_gmem private_gmem
    program = Table([
        (0, "u32", 0), (2, "vstr", names_in), (3, "vstr", names_out), (4, "vtable", tensors),
        (5, "vtable", [routine]), (6, "u32", max(t.nbytes for t in io) * 2), (7, "u32", 4096),
    ])
    per_weight = max(1, weight_size // max(1, len(outputs)))
    weights = [Table([(0, "str", f"{t.name.removesuffix('_f32')}_filter_reordered"),
                      (1, "i64", WEIGHT_BASE + i * per_weight), (2, "u32", per_weight),
                      (3, "table", _shape([1, t.shape[1] if len(t.shape) > 1 else 1, 1, per_weight])),
                      (4, "u8", DTYPES["int8"][0])])
               for i, t in enumerate(outputs)]
    # Section: type name size offset encrypt compress decompressed_size
    sections = [Table([(0, "u8", 0), (1, "str", "weight"), (2, "u32", weight_size), (3, "u32", 0)]),
                Table([(0, "u8", 1), (1, "str", "subfunc_0"), (2, "u32", cmdbuf_size), (3, "u32", weight_size)])]
    # Model: version name build_time preprocess_hints postprocess_hints weight_map programs sections target mlir_version
    model = Table([
        (0, "struct:<BBB", VERSION), (1, "str", name), (2, "str", build_time), (5, "vtable", weights),
        (6, "vtable", [program]), (7, "vtable", sections), (8, "str", chip), (9, "str", mlir_version),
    ])
    body = _Encoder().finish(model)
    weight = weight_payload + _filler(weight_size - len(weight_payload), b"weight" + seed.encode())
    payload = body + weight + _filler(cmdbuf_size, b"cmdbuf" + seed.encode())
    header = (MAGIC + struct.pack("<IBB", len(body), VERSION[0], VERSION[1]) + hashlib.md5(payload).digest()
              + chip.encode("ascii")[:16].ljust(16, b"\0") + PADDING)
    assert len(header) == HEADER_SIZE
    return header + payload


# --- what model_deploy would write for a top MLIR ------------------------------------------------------


def head_shape(name: str, size: int, num_classes: int) -> list | None:
    """1x64xGxG for a YOLO box head (cv2.i), 1xNCxGxG for a class head (cv3.i), G = size / (8 * 2^i)."""
    match = _HEAD.search(name)
    if not match:
        return None
    grid = max(1, size // (8 << int(match.group(2))))
    return [1, BOX_CHANNELS if match.group(1) == "cv2" else num_classes, grid, grid]


def deploy_io(*, input_name: str, input_shape: list, output_names: list[str], quantize: str = "INT8",
              fuse_preprocess: bool = False, customization_format: str = "", aligned_input: bool = False,
              quant_input: bool = False, quant_output: bool = False, num_classes: int = 80,
              other_shape=None) -> tuple[list[Tensor], list[Tensor]]:
    """The program's inputs and outputs as the real model_deploy names and types them."""
    size = input_shape[2] if len(input_shape) == 4 else 640
    channels = input_shape[1] if len(input_shape) == 4 else 3
    if fuse_preprocess:
        packed = customization_format.endswith("_PACKED")
        shape = [1, size, size, channels] if packed else [1, channels, size, size]
        inputs = [Tensor(f"{input_name}_raw", shape, "uint8", pixel_format=customization_format or None,
                         aligned=aligned_input)]
    else:
        dtype = "int8" if quant_input and quantize == "INT8" else "fp32"
        inputs = [Tensor(input_name, list(input_shape), dtype)]
    outputs = []
    for i, name in enumerate(output_names):
        shape = head_shape(name, size, num_classes) or (other_shape(name) if other_shape else [1, 16, 1, 1])
        if quant_output and quantize == "INT8":
            outputs.append(Tensor(name, shape, "int8", qscale=0.02 + 0.001 * i))
        elif quant_output:
            outputs.append(Tensor(name, shape, quantize.lower() if quantize.lower() in DTYPES else "bf16"))
        else:
            outputs.append(Tensor(f"{name}_f32", shape, "fp32"))
    return inputs, outputs
