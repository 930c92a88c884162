"""Read the flatbuffer body of a .cvimodel the way the CV18xx runtime and ``model_tool`` do.

Schema origin: Sophgo's ``cvi.model`` schema, sophgo/tpu-mlir
``include/tpu_mlir/Builder/CV18xx/proto/cvimodel.fbs`` (schema version 1.4.0, the version every
tpu_mlir 1.7 model carries). The accessors below are hand-written from it: each table lists its
fields in schema order, and a field's vtable slot is its position in that list. Only the tables
the wizard reports on are read (Model, Version, Program, Tensor, Shape, QuantInfo, Section,
Routine); the rest of the body (weight map details, routines' contents) is only counted.

The ``flatbuffers`` package reads without any checks (a bad offset raises struct.error, a negative
one silently wraps around in Python), so every offset, vtable, string and vector is checked against
the buffer before it is read, like flatbuffers' C++ Verifier. A body that fails a check raises
:class:`BodyError` with a short reason; nothing else escapes.

How ``model_tool --info`` derives what it prints (tools/model_tool/cv_tool.hpp in the same
repository) is followed for the memory kind of a tensor and for the ION memory figure.
"""

from __future__ import annotations

import math
import struct
from dataclasses import asdict, dataclass, field
from typing import Any

from flatbuffers import number_types as N
from flatbuffers.table import Table

# enum DType : ubyte  (names as model_tool prints them), with the element size in bytes
DTYPES = {0: ("fp32", 4), 1: ("int32", 4), 2: ("uint32", 4), 3: ("bf16", 2), 4: ("int16", 2),
          5: ("uint16", 2), 6: ("int8", 1), 7: ("uint8", 1)}
QUANT_TYPES = {0: "none", 1: "bf16", 2: "int8_sym", 3: "int8_asym"}  # enum QuantType : ubyte
SECTION_TYPES = {0: "weight", 1: "cmdbuf", 2: "func_x86", 3: "func_aarch64", 4: "dmabuf"}  # enum SectionType
ROUTINE_TYPES = {0: "tpu", 1: "cpu"}  # enum RoutineType : ubyte

# Field slots, in schema order.
MODEL_FIELDS = ("version", "name", "build_time", "preprocess_hints", "postprocess_hints", "weight_map",
                "programs", "sections", "target", "mlir_version")
PROGRAM_FIELDS = ("batch_num", "neuron_size", "input_tensors", "output_tensors", "tensor_map", "routines",
                  "shared_gmem", "private_gmem")
TENSOR_FIELDS = ("tensor_id", "name", "offset", "dtype", "shape", "stride", "quant", "overwrote", "scale",
                 "mean", "pixel_format", "aligned", "size")
SHAPE_FIELDS = ("dim",)
QUANT_FIELDS = ("type", "max_value", "min_value", "zero_point", "qscale")
SECTION_FIELDS = ("type", "name", "size", "offset", "encrypt", "compress", "decompressed_size")
ROUTINE_FIELDS = ("type", "in_tensors", "out_tensors", "tpu_routine", "cpu_routine")

# Tensor.offset: bits 40-42 name the memory a tensor lives in (cv_tool.hpp dumpTensors).
_MEM_SHIFT = 40
IO_MEM, PRIVATE_MEM, SHARED_MEM, NO_MEM = "io_mem", "private", "shared", "-"


class BodyError(ValueError):
    """The body is not a readable cvi.model flatbuffer (the message says what is wrong)."""


# --- verified access ----------------------------------------------------------------------------


class _Buffer:
    def __init__(self, data: bytes):
        self.data = data
        self.size = len(data)

    def need(self, pos: int, length: int, what: str) -> None:
        if pos < 0 or length < 0 or pos + length > self.size:
            raise BodyError(f"{what} at byte {pos} lies outside the {self.size}-byte body")

    def u32(self, pos: int, what: str) -> int:
        self.need(pos, 4, what)
        return struct.unpack_from("<I", self.data, pos)[0]


class _Tab:
    """One table, its vtable checked; fields are read by slot number."""

    def __init__(self, buf: _Buffer, pos: int, what: str, fields: tuple[str, ...]):
        buf.need(pos, 4, what)
        vtable = pos - struct.unpack_from("<i", buf.data, pos)[0]
        buf.need(vtable, 4, f"{what} (vtable)")
        vt_size, table_size = struct.unpack_from("<HH", buf.data, vtable)
        if vt_size < 4 or vt_size % 2 or table_size < 4:
            raise BodyError(f"{what} has a malformed vtable")
        buf.need(vtable, vt_size, f"{what} (vtable)")
        buf.need(pos, table_size, what)
        self.buf, self.what, self.fields, self.size = buf, what, fields, table_size
        self.tab = Table(buf.data, pos)

    def _slot(self, name: str, width: int) -> int | None:
        """Absolute position of a present field, checked to lie inside the table."""
        offset = self.tab.Offset(4 + 2 * self.fields.index(name))
        if offset == 0:
            return None
        if offset + width > self.size:
            raise BodyError(f"{self.what}.{name} lies outside its table")
        return self.tab.Pos + offset

    def scalar(self, name: str, flags: Any, default: Any = 0) -> Any:
        pos = self._slot(name, flags.bytewidth)
        return default if pos is None else self.tab.Get(flags, pos)

    def _target(self, name: str, required: bool) -> int | None:
        pos = self._slot(name, 4)
        if pos is None:
            if required:
                raise BodyError(f"{self.what} has no {name} (a required field)")
            return None
        return self.tab.Indirect(pos)  # uoffsets are unsigned: always forward, never a cycle

    def _string_at(self, pos: int, what: str) -> str:
        length = self.buf.u32(pos, what)
        self.buf.need(pos + 4, length + 1, what)
        if self.buf.data[pos + 4 + length] != 0:
            raise BodyError(f"{what} is not a terminated string")
        return self.buf.data[pos + 4:pos + 4 + length].decode("utf-8", "replace")

    def string(self, name: str, required: bool = False) -> str | None:
        pos = self._target(name, required)
        return None if pos is None else self._string_at(pos, f"{self.what}.{name}")

    def struct(self, name: str, fmt: str, required: bool = False) -> tuple | None:
        pos = self._slot(name, struct.calcsize(fmt))
        if pos is None:
            if required:
                raise BodyError(f"{self.what} has no {name} (a required field)")
            return None
        return struct.unpack_from(fmt, self.buf.data, pos)

    def table(self, name: str, fields: tuple[str, ...], required: bool = False) -> _Tab | None:
        pos = self._target(name, required)
        return None if pos is None else _Tab(self.buf, pos, f"{self.what}.{name}", fields)

    def _vector(self, name: str, width: int, required: bool) -> tuple[int, int] | None:
        pos = self._target(name, required)
        if pos is None:
            return None
        what = f"{self.what}.{name}"
        count = self.buf.u32(pos, what)
        self.buf.need(pos + 4, count * width, what)
        return pos + 4, count

    def tables(self, name: str, fields: tuple[str, ...], required: bool = False) -> list[_Tab]:
        found = self._vector(name, 4, required)
        if found is None:
            return []
        start, count = found
        out = []
        for i in range(count):
            at = start + 4 * i
            out.append(_Tab(self.buf, at + self.buf.u32(at, name), f"{self.what}.{name}[{i}]", fields))
        return out

    def strings(self, name: str, required: bool = False) -> list[str]:
        found = self._vector(name, 4, required)
        if found is None:
            return []
        start, count = found
        return [self._string_at(start + 4 * i + self.buf.u32(start + 4 * i, name), f"{self.what}.{name}[{i}]")
                for i in range(count)]

    def numbers(self, name: str, fmt: str, required: bool = False) -> list:
        width = struct.calcsize("<" + fmt)
        found = self._vector(name, width, required)
        if found is None:
            return []
        start, count = found
        return list(struct.unpack_from(f"<{count}{fmt}", self.buf.data, start))

    def count(self, name: str) -> int:
        found = self._vector(name, 4, False)
        return 0 if found is None else found[1]


# --- what the wizard reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    dtype: str
    memory: str  # io_mem, private, shared or "-" (model_tool's MEM column)
    offset: int
    quant_type: str | None = None
    qscale: float | None = None
    zero_point: float | None = None
    threshold: float | None = None  # QuantInfo.max_value (symmetric INT8: the calibration threshold)
    pixel_format: str | None = None
    aligned: bool = False

    @property
    def nbytes(self) -> int:
        size = DTYPE_SIZES.get(self.dtype, 0)
        return size * math.prod(max(0, d) for d in self.shape) if self.shape else 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["shape"] = list(self.shape)
        return data


DTYPE_SIZES = {name: size for name, size in DTYPES.values()}


@dataclass(frozen=True)
class SectionInfo:
    name: str
    type: str
    size: int
    offset: int
    compressed: bool = False
    encrypted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ProgramInfo:
    batch_num: int
    neuron_size: int
    private_gmem: int
    shared_gmem: int
    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...]
    tensors: tuple[TensorInfo, ...]
    routines: tuple[str, ...]  # "tpu" / "cpu", in order

    @property
    def io_memory(self) -> int:
        return sum(t.nbytes for t in self.tensors if t.memory == IO_MEM)


@dataclass(frozen=True)
class CviBody:
    name: str
    version: str
    build_time: str | None
    target: str | None
    mlir_version: str | None
    weights: int
    programs: tuple[ProgramInfo, ...]
    sections: tuple[SectionInfo, ...] = field(default_factory=tuple)

    @property
    def ion_memory(self) -> int:
        """Bytes of ION memory the runtime allocates, summed as ``model_tool --info`` does:
        every section, each program's neuron and private memory, the largest shared memory, and
        the io_mem tensors."""
        total = sum(s.size for s in self.sections)
        total += sum(p.neuron_size + p.private_gmem + p.io_memory for p in self.programs)
        return total + max((p.shared_gmem for p in self.programs), default=0)


def _memory_kind(offset: int, old_version: bool) -> str:
    if offset == -1:
        return NO_MEM
    kind = (offset >> _MEM_SHIFT) & 0x07
    if kind > 1 or old_version:
        return IO_MEM if kind > 2 else PRIVATE_MEM
    return SHARED_MEM


def _tensor(tab: _Tab, old_version: bool) -> TensorInfo:
    name = tab.string("name", required=True) or ""
    shape = tab.table("shape", SHAPE_FIELDS, required=True)
    dims = tuple(shape.numbers("dim", "q", required=True)) if shape else ()
    dtype_code = tab.scalar("dtype", N.Uint8Flags)
    dtype = DTYPES.get(dtype_code, (f"dtype{dtype_code}", 0))[0]
    offset = tab.scalar("offset", N.Int64Flags)
    quant = tab.table("quant", QUANT_FIELDS)
    return TensorInfo(
        name=name, shape=dims, dtype=dtype, memory=_memory_kind(offset, old_version),
        offset=offset & ((1 << _MEM_SHIFT) - 1) if offset >= 0 else offset,
        quant_type=QUANT_TYPES.get(quant.scalar("type", N.Uint8Flags), "?") if quant else None,
        qscale=quant.scalar("qscale", N.Float32Flags, 0.0) if quant else None,
        zero_point=quant.scalar("zero_point", N.Float32Flags, 0.0) if quant else None,
        threshold=quant.scalar("max_value", N.Float32Flags, 0.0) if quant else None,
        pixel_format=tab.string("pixel_format"),
        aligned=bool(tab.scalar("aligned", N.BoolFlags, False)),
    )


def _program(tab: _Tab) -> ProgramInfo:
    neuron_size = tab.scalar("neuron_size", N.Uint32Flags)
    old_version = neuron_size > 0  # cvimodels before 1.1 had one neuron area instead of gmem kinds
    tensors = tuple(_tensor(t, old_version) for t in tab.tables("tensor_map", TENSOR_FIELDS, required=True))
    by_name = {t.name: t for t in tensors}

    def lookup(names: list[str], role: str) -> tuple[TensorInfo, ...]:
        missing = [n for n in names if n not in by_name]
        if missing:
            raise BodyError(f"the program's {role} {missing[0]!r} is not in its tensor map")
        return tuple(by_name[n] for n in names)

    routines = tuple(ROUTINE_TYPES.get(r.scalar("type", N.Uint8Flags), "?")
                     for r in tab.tables("routines", ROUTINE_FIELDS, required=True))
    return ProgramInfo(
        batch_num=tab.scalar("batch_num", N.Uint32Flags),
        neuron_size=neuron_size,
        private_gmem=tab.scalar("private_gmem", N.Uint32Flags),
        shared_gmem=tab.scalar("shared_gmem", N.Uint32Flags),
        inputs=lookup(tab.strings("input_tensors", required=True), "input"),
        outputs=lookup(tab.strings("output_tensors", required=True), "output"),
        tensors=tensors,
        routines=routines,
    )


def _section(tab: _Tab) -> SectionInfo:
    code = tab.scalar("type", N.Uint8Flags)
    return SectionInfo(
        name=tab.string("name", required=True) or "",
        type=SECTION_TYPES.get(code, f"type{code}"),
        size=tab.scalar("size", N.Uint32Flags),
        offset=tab.scalar("offset", N.Uint32Flags),
        compressed=bool(tab.scalar("compress", N.BoolFlags, False)),
        encrypted=bool(tab.scalar("encrypt", N.BoolFlags, False)),
    )


def read_body(data: bytes) -> CviBody:
    """Decode a cvi.model flatbuffer (the ``body_size`` bytes after the header)."""
    buf = _Buffer(bytes(data))
    root = _Tab(buf, buf.u32(0, "the root offset"), "the model", MODEL_FIELDS)
    major, minor, sub_minor = root.struct("version", "<BBB", required=True) or (0, 0, 0)
    programs = tuple(_program(p) for p in root.tables("programs", PROGRAM_FIELDS, required=True))
    return CviBody(
        name=root.string("name", required=True) or "",
        version=f"{major}.{minor}.{sub_minor}",
        build_time=root.string("build_time"),
        target=root.string("target"),
        mlir_version=root.string("mlir_version"),
        weights=root.count("weight_map"),
        programs=programs,
        sections=tuple(_section(s) for s in root.tables("sections", SECTION_FIELDS, required=True)),
    )
