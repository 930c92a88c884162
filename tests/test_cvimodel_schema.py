"""The cvi.model body reader against flatbuffers built by the official ``flatbuffers`` Builder, and
hostile bodies it must refuse with BodyError (never another exception).

No toolchain: bodies are built here from the schema (sophgo/tpu-mlir
include/tpu_mlir/Builder/CV18xx/proto/cvimodel.fbs). The double's stdlib encoder is checked
against the flatbuffers package's own reader too.
"""

from __future__ import annotations

import struct

import flatbuffers
import pytest
from flatbuffers.table import Table

from toolchain_double.tpu_mlir_double.cvimodel_file import Tensor, cvimodel_bytes
from wizard.core.toolchain.cvimodel_schema import BodyError, read_body

IO_MEM = 3 << 40
PRIVATE = 2 << 40


def _vector(b, offsets):
    b.StartVector(4, len(offsets), 4)
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def _strings(b, items):
    return _vector(b, [b.CreateString(s) for s in items])


def _shape(b, dims):
    b.StartVector(8, len(dims), 8)
    for d in reversed(dims):
        b.PrependInt64(d)
    vec = b.EndVector()
    b.StartObject(1)
    b.PrependUOffsetTRelativeSlot(0, vec, 0)
    return b.EndObject()


def _tensor(b, name, dims, dtype=0, qscale=1.0, zero_point=0.0, offset=IO_MEM, with_name=True):
    n = b.CreateString(name) if with_name else None
    shape = _shape(b, dims)
    b.StartObject(5)
    b.PrependUint8Slot(0, 2, 0)
    b.PrependFloat32Slot(1, 4.5, 0.0)
    b.PrependFloat32Slot(3, zero_point, 0.0)
    b.PrependFloat32Slot(4, qscale, 0.0)
    quant = b.EndObject()
    b.StartObject(13)
    if n is not None:
        b.PrependUOffsetTRelativeSlot(1, n, 0)
    b.PrependInt64Slot(2, offset, 0)
    b.PrependUint8Slot(3, dtype, 0)
    b.PrependUOffsetTRelativeSlot(4, shape, 0)
    b.PrependUOffsetTRelativeSlot(6, quant, 0)
    return b.EndObject()


def build_body(*, output_names=("out_a", "out_b"), tensor_names=("in", "out_a", "out_b"), programs=True,
               sections=True, tensor_without_name=False) -> bytes:
    b = flatbuffers.Builder(1024)
    tensors = [_tensor(b, "in", [1, 32, 32, 3], dtype=7),
               _tensor(b, tensor_names[1], [1, 64, 4, 4], dtype=6, qscale=0.05, zero_point=1.0, offset=PRIVATE + 16),
               _tensor(b, tensor_names[2], [1, 2, 4, 4], offset=IO_MEM + 32, with_name=not tensor_without_name)]
    tensor_map = _vector(b, tensors)
    ins, outs = _strings(b, ["in"]), _strings(b, list(output_names))
    r_in, r_out, section_name = _strings(b, ["in"]), _strings(b, list(output_names)), b.CreateString("subfunc_0")
    b.StartObject(2)
    b.PrependUOffsetTRelativeSlot(0, section_name, 0)
    tpu = b.EndObject()
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(1, r_in, 0)
    b.PrependUOffsetTRelativeSlot(2, r_out, 0)
    b.PrependUOffsetTRelativeSlot(3, tpu, 0)
    routine = b.EndObject()
    routines = _vector(b, [routine])
    b.StartObject(8)
    b.PrependUint32Slot(0, 1, 0)
    b.PrependUOffsetTRelativeSlot(2, ins, 0)
    b.PrependUOffsetTRelativeSlot(3, outs, 0)
    b.PrependUOffsetTRelativeSlot(4, tensor_map, 0)
    b.PrependUOffsetTRelativeSlot(5, routines, 0)
    b.PrependUint32Slot(6, 1000, 0)
    b.PrependUint32Slot(7, 300, 0)
    program = b.EndObject()
    program_vec = _vector(b, [program])
    section_list = []
    for kind, name, size, offset in ((0, "weight", 5000, 0), (1, "subfunc_0", 700, 5000)):
        n = b.CreateString(name)
        b.StartObject(7)
        b.PrependUint8Slot(0, kind, 0)
        b.PrependUOffsetTRelativeSlot(1, n, 0)
        b.PrependUint32Slot(2, size, 0)
        b.PrependUint32Slot(3, offset, 0)
        section_list.append(b.EndObject())
    section_vec = _vector(b, section_list)
    name, built, target, mlir = (b.CreateString(s) for s in ("net", "2024-01-01 00:00:00", "cv181x", "v1.7-test"))
    b.StartObject(10)
    b.Prep(1, 3)
    for value in (0, 4, 1):  # Version struct, built back to front: sub_minor, minor, major
        b.PrependUint8(value)
    b.PrependStructSlot(0, b.Offset(), 0)
    b.PrependUOffsetTRelativeSlot(1, name, 0)
    b.PrependUOffsetTRelativeSlot(2, built, 0)
    if programs:
        b.PrependUOffsetTRelativeSlot(6, program_vec, 0)
    if sections:
        b.PrependUOffsetTRelativeSlot(7, section_vec, 0)
    b.PrependUOffsetTRelativeSlot(8, target, 0)
    b.PrependUOffsetTRelativeSlot(9, mlir, 0)
    b.Finish(b.EndObject())
    return bytes(b.Output())


def test_reads_a_body_built_by_the_flatbuffers_package():
    body = read_body(build_body())
    assert (body.name, body.version, body.build_time, body.target, body.mlir_version) == (
        "net", "1.4.0", "2024-01-01 00:00:00", "cv181x", "v1.7-test")
    assert [(s.name, s.type, s.size, s.offset) for s in body.sections] == [
        ("weight", "weight", 5000, 0), ("subfunc_0", "cmdbuf", 700, 5000)]
    [program] = body.programs
    assert (program.batch_num, program.shared_gmem, program.private_gmem, program.routines) == (1, 1000, 300, ("tpu",))
    [image] = program.inputs
    assert (image.name, image.shape, image.dtype, image.memory) == ("in", (1, 32, 32, 3), "uint8", "io_mem")
    box, cls = program.outputs
    assert (box.name, box.shape, box.dtype, box.memory, box.offset) == ("out_a", (1, 64, 4, 4), "int8", "private", 16)
    assert box.qscale == pytest.approx(0.05) and box.zero_point == 1.0 and box.threshold == 4.5
    assert box.quant_type == "int8_sym"
    assert (cls.dtype, cls.memory, cls.offset) == ("fp32", "io_mem", 32)
    # model_tool's sum: sections + private + shared + io_mem tensors (uint8 input + fp32 output)
    assert body.ion_memory == 5700 + 300 + 1000 + 32 * 32 * 3 + 4 * 2 * 4 * 4


@pytest.mark.parametrize("kwargs, reason", [
    ({"programs": False}, "has no programs"),
    ({"sections": False}, "has no sections"),
    ({"tensor_without_name": True}, "has no name"),
    ({"output_names": ("out_a", "missing")}, "'missing' is not in its tensor map"),
])
def test_refuses_bodies_missing_what_the_runtime_needs(kwargs, reason):
    with pytest.raises(BodyError, match=reason):
        read_body(build_body(**kwargs))


def _root(data: bytes) -> tuple[int, int]:
    root = struct.unpack_from("<I", data, 0)[0]
    return root, root - struct.unpack_from("<i", data, root)[0]


def test_refuses_offsets_outside_the_body():
    data = build_body()
    for damaged in (b"", b"\1\0\0", struct.pack("<I", len(data) + 8) + data[4:],
                    data[:len(data) // 2]):
        with pytest.raises(BodyError):
            read_body(damaged)
    root, vtable = _root(data)
    bad_vtable = bytearray(data)
    struct.pack_into("<i", bad_vtable, root, root + 1000)  # vtable before the start of the buffer
    with pytest.raises(BodyError, match="vtable"):
        read_body(bytes(bad_vtable))
    bad_field = bytearray(data)
    table_size = struct.unpack_from("<H", data, vtable + 2)[0]
    struct.pack_into("<H", bad_field, vtable + 4 + 2 * 1, table_size + 40)  # Model.name beyond its table
    with pytest.raises(BodyError, match="outside its table"):
        read_body(bytes(bad_field))


def test_refuses_huge_vectors_and_unterminated_strings():
    data = build_body()
    root, vtable = _root(data)
    name_field = root + struct.unpack_from("<H", data, vtable + 4 + 2 * 1)[0]
    name_at = name_field + struct.unpack_from("<I", data, name_field)[0]
    unterminated = bytearray(data)
    unterminated[name_at + 4 + 3] = ord("x")  # the NUL after "net"
    with pytest.raises(BodyError, match="terminated"):
        read_body(bytes(unterminated))
    programs_field = root + struct.unpack_from("<H", data, vtable + 4 + 2 * 6)[0]
    vec_at = programs_field + struct.unpack_from("<I", data, programs_field)[0]
    huge = bytearray(data)
    struct.pack_into("<I", huge, vec_at, 0x3FFFFFFF)
    with pytest.raises(BodyError, match="outside"):
        read_body(bytes(huge))


def test_the_doubles_encoder_is_read_by_the_flatbuffers_package():
    """Cross-check the stdlib encoder with flatbuffers' own (unverified) Table reader."""
    outputs = [Tensor("box_f32", [1, 64, 8, 8]), Tensor("cls_f32", [1, 7, 8, 8], "int8", qscale=0.25)]
    data = cvimodel_bytes(name="checked", chip="cv181x", inputs=[Tensor("images_raw", [1, 64, 64, 3], "uint8")],
                          outputs=outputs, weight_size=3000, cmdbuf_size=100)
    body = data[48:48 + struct.unpack_from("<I", data, 8)[0]]
    model = Table(body, struct.unpack_from("<I", body, 0)[0])
    assert model.String(model.Pos + model.Offset(4 + 2 * 1)) == b"checked"
    assert model.String(model.Pos + model.Offset(4 + 2 * 8)) == b"cv181x"
    assert bytes(body[model.Pos + model.Offset(4):][:3]) == bytes([1, 4, 0])  # Version struct
    programs = model.Vector(model.Offset(4 + 2 * 6))
    program = Table(body, model.Indirect(programs))
    outs = program.Vector(program.Offset(4 + 2 * 3))
    assert [program.String(outs + 4 * i) for i in range(program.VectorLen(program.Offset(4 + 2 * 3)))] == [
        b"box_f32", b"cls_f32"]
    # ... and agrees with the wizard's verified reader
    decoded = read_body(body)
    assert [(t.name, t.shape, t.dtype) for t in decoded.programs[0].outputs] == [
        ("box_f32", (1, 64, 8, 8), "fp32"), ("cls_f32", (1, 7, 8, 8), "int8")]
    assert decoded.programs[0].outputs[1].qscale == 0.25
    assert [(s.name, s.size, s.offset) for s in decoded.sections] == [("weight", 3000, 0), ("subfunc_0", 100, 3000)]
