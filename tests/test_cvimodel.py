"""check_cvimodel on whole files: header, body, sections, checksum, the camera's YOLO decoder.

Toolchain: the DOUBLE's cvimodel writer (tests/toolchain_double/tpu_mlir_double/cvimodel_file.py,
whose files the real model_tool reads: tests/test_cvimodel_real.py), so these run without the wheel.
The same checks on files built by the real tpuc-opt are in test_cvimodel_real.py.
"""

from __future__ import annotations

import json
import os
import random
import struct

import pytest

from cvimodel_factory import appended, cut, double_cvimodel, filler_body, flip_byte, with_md5
from toolchain_double.tpu_mlir_double.cvimodel_file import Tensor, YOLO11_HEAD_NAMES
from wizard.core.toolchain.cvimodel import check_cvimodel, check_for_recamera, summary_lines_from_dict
from wizard.core.messages import set_language


def codes(report) -> list[str]:
    return [p.code for p in report.problems]


def errors(report) -> list[str]:
    return [p.code for p in report.problems if p.is_error]


@pytest.fixture
def model(tmp_path):
    return double_cvimodel(tmp_path / "yolo11n_cv181x_int8_sym.cvimodel", num_classes=3, size=640)


def patched(tmp_path, data: bytes, name: str = "p.cvimodel"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- a sound model ---------------------------------------------------------------------------------


def test_sound_model_reports_what_the_runtime_reads(model):
    report = check_for_recamera(model)
    assert report.ok and codes(report) == []
    assert (report.chip, report.version, report.md5_ok, report.padding) == ("cv181x", "1.4", True, "Cv")
    assert report.body.name == model.stem and report.body.version == "1.4.0" and report.body.target == "cv181x"
    assert report.body.mlir_version == "v1.7.0-double"
    [image] = report.inputs
    assert (image.name, image.shape, image.dtype, image.pixel_format, image.aligned) == (
        "images_raw", (1, 640, 640, 3), "uint8", "RGB_PACKED", True)
    assert [t.name for t in report.outputs] == [f"{n}_f32" for n in YOLO11_HEAD_NAMES]
    assert [t.shape for t in report.outputs] == [(1, 64, 80, 80), (1, 3, 80, 80), (1, 64, 40, 40), (1, 3, 40, 40),
                                                 (1, 64, 20, 20), (1, 3, 20, 20)]
    assert {t.dtype for t in report.outputs} == {"fp32"}
    # ION memory as model_tool sums it: sections + private + largest shared + io_mem tensors.
    io = 640 * 640 * 3 + 4 * sum(c * g * g for c, g in [(64, 80), (3, 80), (64, 40), (3, 40), (64, 20), (3, 20)])
    sections = sum(s.size for s in report.body.sections)
    program = report.body.programs[0]
    assert sections == 70_000 + 2048 and program.private_gmem == 4096 and program.shared_gmem == 2 * 4 * 64 * 80 * 80
    assert report.ion_memory == sections + program.private_gmem + program.shared_gmem + io
    assert (report.decoder.fits, report.decoder.layout, report.decoder.input_size, report.decoder.num_classes) == (
        True, "interleaved", 640, 3)


def test_report_dict_and_summary_lines(model):
    report = check_for_recamera(model)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] and data["md5_ok"] and data["header_size"] == 48 and data["problems"] == []
    assert data["mlir_version"] == "v1.7.0-double" and data["ion_memory"] == report.ion_memory
    assert data["inputs"][0]["shape"] == [1, 640, 640, 3] and len(data["outputs"]) == 6
    assert data["decoder"]["fits"] is True and data["decoder"]["num_classes"] == 3
    lines = report.summary_lines()
    assert lines[0].startswith("Built for cv181x by TPU-MLIR v1.7.0-double")
    assert f"{report.ion_memory / 2**20:.2f} MB of ION memory" in lines[1]
    assert lines[2].startswith("Input images_raw: 1x640x640x3 uint8 RGB_PACKED")
    assert lines[3] == f"Output 0 {YOLO11_HEAD_NAMES[0]}_f32: 1x64x80x80 fp32."
    assert "640x640 input, 3 classes" in lines[-1] and "YOLO11 decoder" in lines[-1]
    # The pages re-render a stored report (results.json "model_check") in the other language.
    ja = summary_lines_from_dict(data, "ja")
    assert len(ja) == len(lines) and "ION メモリ" in ja[1] and "3 クラス" in ja[-1]
    assert summary_lines_from_dict(data, "en") == lines


# --- damaged files: errors, never a warning -----------------------------------------------------------


def test_checksum_mismatch_is_an_error(model, tmp_path):
    report = check_cvimodel(flip_byte(model, tmp_path / "flipped.cvimodel"))
    assert not report.ok and report.md5_ok is False
    assert [(p.code, p.severity) for p in report.problems] == [("cvimodel_md5_mismatch", "error")]
    assert "damaged" in report.problems[0].message


def test_cut_to_a_third_is_truncated(model, tmp_path):
    report = check_cvimodel(cut(model, tmp_path / "cut.cvimodel"))
    assert errors(report) == ["cvimodel_sections_truncated"] and report.md5_ok is None
    assert str(model.stat().st_size) in report.problems[0].message
    header_only = check_cvimodel(cut(model, tmp_path / "head.cvimodel", fraction=60 / model.stat().st_size))
    assert errors(header_only) == ["cvimodel_truncated"]


def test_filler_body_does_not_parse(model, tmp_path):
    report = check_cvimodel(filler_body(model, tmp_path / "filler.cvimodel"))
    assert report.md5_ok is True  # the checksum cannot catch a writer that wrote garbage
    assert errors(report) == ["cvimodel_body_unreadable"] and report.body is None and report.decoder is None


def test_appended_bytes(model, tmp_path):
    report = check_cvimodel(appended(model, tmp_path / "more.cvimodel", b"x" * 100))
    assert errors(report) == ["cvimodel_trailing_bytes"] and "100 bytes" in report.problems[0].message
    both = check_cvimodel(appended(model, tmp_path / "more2.cvimodel", b"x" * 100, fix_md5=False))
    assert errors(both) == ["cvimodel_trailing_bytes", "cvimodel_md5_mismatch"]


def test_header_and_body_disagree_on_the_chip(model, tmp_path):
    data = bytearray(model.read_bytes())
    data[30:46] = b"cv180x".ljust(16, b"\0")
    report = check_cvimodel(patched(tmp_path, bytes(data)))
    assert errors(report) == ["cvimodel_chip_mismatch"]
    assert "cv180x" in report.problems[0].message and "cv181x" in report.problems[0].message


def test_body_size_beyond_the_file(model, tmp_path):
    data = bytearray(model.read_bytes())
    struct.pack_into("<I", data, 8, len(data))
    assert errors(check_cvimodel(patched(tmp_path, bytes(data)))) == ["cvimodel_truncated"]


# --- the camera's YOLO decoder -------------------------------------------------------------------


def _heads(size: int, nc: int, order: str = "interleaved", dtype: str = "fp32", box: int = 64) -> list[Tensor]:
    pairs = [(Tensor(f"{YOLO11_HEAD_NAMES[2 * i]}_f32", [1, box, size >> (3 + i), size >> (3 + i)], dtype),
              Tensor(f"{YOLO11_HEAD_NAMES[2 * i + 1]}_f32", [1, nc, size >> (3 + i), size >> (3 + i)], dtype))
             for i in range(3)]
    if order == "box_first":
        return [b for b, _ in pairs] + [c for _, c in pairs]
    return [t for pair in pairs for t in pair]


def test_box_first_fits_with_a_warning(tmp_path):
    path = double_cvimodel(tmp_path / "m.cvimodel", size=320, outputs=_heads(320, 5, "box_first"))
    report = check_for_recamera(path)
    assert report.ok and report.decoder.layout == "box_first" and report.decoder.num_classes == 5
    assert [(p.code, p.severity) for p in report.problems] == [("cvimodel_decoder_box_first", "warning")]
    assert "YOLOv8 decoder" in report.summary_lines()[-1]


def test_int8_outputs_fit_with_the_swapped_scale_warning(tmp_path):
    path = double_cvimodel(tmp_path / "m.cvimodel", quant_output=True)
    report = check_for_recamera(path)
    assert report.ok and report.decoder.output_dtype == "int8"
    assert codes(report) == ["cvimodel_decoder_int8_outputs"]
    assert all(t.dtype == "int8" and t.qscale > 0 for t in report.outputs)
    assert "scale 0.02" in report.summary_lines()[3]


@pytest.mark.parametrize("outputs, code", [
    (_heads(640, 3)[:5], "cvimodel_decoder_output_count"),
    (_heads(640, 3) + [Tensor("output0", [1, 67, 8400])], "cvimodel_decoder_output_count"),
    (_heads(640, 3, box=32), "cvimodel_decoder_output_shapes"),
    (_heads(320, 3), "cvimodel_decoder_output_shapes"),  # heads of a 320 model behind a 640 input
    (list(reversed(_heads(640, 3))), "cvimodel_decoder_output_shapes"),
    (_heads(640, 3)[:3] + [Tensor("x", [1, 4, 40, 40])] + _heads(640, 3)[4:], "cvimodel_decoder_output_shapes"),
    (_heads(640, 3, dtype="bf16"), "cvimodel_decoder_output_dtype"),
    ([Tensor("output0_Concat_f32", [1, 7, 8400])], "cvimodel_decoder_output_count"),
])
def test_outputs_the_decoder_cannot_read(tmp_path, outputs, code):
    path = double_cvimodel(tmp_path / "m.cvimodel", outputs=outputs)
    relaxed = check_cvimodel(path)  # without require_decoder: sound file, verdict only in the report
    assert relaxed.ok and relaxed.decoder.fits is False and [p.code for p in relaxed.decoder.problems] == [code]
    report = check_for_recamera(path)
    assert errors(report) == [code] and report.problems[0].fix
    assert report.summary_lines()[-1] == "Does not fit the reCamera's YOLO detector."


@pytest.mark.parametrize("inputs, code", [
    ([Tensor("images", [1, 3, 640, 480])], "cvimodel_decoder_input_shape"),
    ([Tensor("images", [1, 3, 100, 100])], "cvimodel_decoder_input_shape"),
    ([Tensor("images", [2, 3, 640, 640])], "cvimodel_decoder_input_shape"),
    ([Tensor("images", [1, 4, 640, 640])], "cvimodel_decoder_input_shape"),
    ([Tensor("a", [1, 3, 640, 640]), Tensor("b", [1, 3, 640, 640])], "cvimodel_decoder_inputs"),
])
def test_inputs_the_decoder_cannot_read(tmp_path, inputs, code):
    report = check_for_recamera(double_cvimodel(tmp_path / "m.cvimodel", inputs=inputs))
    assert errors(report) == [code]


def test_nchw_float_input_fits(tmp_path):
    path = double_cvimodel(tmp_path / "m.cvimodel", size=320, fuse_preprocess=False, quant_input=False)
    report = check_for_recamera(path)
    assert report.ok and report.inputs[0].shape == (1, 3, 320, 320) and report.inputs[0].dtype == "fp32"
    assert report.decoder.input_size == 320


# --- header checks (on real bodies) ------------------------------------------------------------------


def test_version_1_2_header(model, tmp_path):
    data = bytearray(model.read_bytes())
    data[13] = 2  # the header is not covered by the checksum
    report = check_cvimodel(patched(tmp_path, bytes(data)))
    assert report.ok and report.version == "1.2"


def test_version_1_0_header_has_no_chip(model, tmp_path):
    data = model.read_bytes()
    payload = data[48:]
    header = data[:12] + bytes([1, 0]) + data[14:30] + b"\0\0"  # 32 bytes, no chip field
    path = patched(tmp_path, header + payload)
    report = check_cvimodel(path)
    assert report.ok and report.chip is None and report.md5_ok is None and report.to_dict()["header_size"] == 32
    assert report.body is not None and report.decoder.fits
    assert codes(check_cvimodel(path, expect_chip="cv181x")) == ["cvimodel_wrong_chip"]


def test_wrong_chip_for_the_recamera(tmp_path):
    path = double_cvimodel(tmp_path / "m.cvimodel", chip="cv180x")
    assert check_cvimodel(path).ok  # no expectation: any known processor
    report = check_for_recamera(path)
    assert errors(report) == ["cvimodel_wrong_chip"]
    assert "cv180x" in report.problems[0].message and "cv181x" in report.problems[0].message


def test_unknown_and_garbled_chips(model, tmp_path):
    def with_chip(field: bytes, name: str):
        data = bytearray(model.read_bytes())
        data[30:46] = field
        return check_cvimodel(patched(tmp_path, bytes(data), name))

    unknown = check_cvimodel(double_cvimodel(tmp_path / "z.cvimodel", chip="zz9999"))
    assert errors(unknown) == ["cvimodel_unknown_chip"]
    assert "cvimodel_bad_chip" in errors(with_chip(b"cv1\x01\x02" + b"\0" * 11, "b"))
    assert "cvimodel_bad_chip" in errors(with_chip(b"cv181x\0junk" + b"\0" * 5, "c"))
    assert "cvimodel_bad_chip" in errors(with_chip(b"\0" * 16, "d"))


def test_no_body_and_unknown_major(model, tmp_path):
    data = model.read_bytes()
    assert codes(check_cvimodel(patched(tmp_path, data[:8] + b"\0\0\0\0" + data[12:48], "a"))) == ["cvimodel_no_body"]
    major2 = data[:12] + bytes([2]) + data[13:]
    report = check_cvimodel(patched(tmp_path, major2, "b"))
    assert codes(report) == ["cvimodel_bad_version"] and report.version == "2.4"


def test_not_a_cvimodel_at_all(tmp_path):
    onnx_like = b"\x08\x07\x12\x07pytorch\x1a\x052.3.0" + b"\0" * 100
    assert codes(check_cvimodel(patched(tmp_path, onnx_like, "x.onnx"))) == ["cvimodel_is_onnx"]
    bmodel = struct.pack("<I", 0xFF55AAEE) + b"\0" * 200
    assert codes(check_cvimodel(patched(tmp_path, bmodel, "x.bmodel"))) == ["cvimodel_is_bmodel"]
    report = check_cvimodel(patched(tmp_path, b"#!/bin/sh\necho hi\n", "x.sh"))
    assert codes(report) == ["cvimodel_not_cvimodel"] and "#!/bin/s" in report.problems[0].message
    assert codes(check_cvimodel(patched(tmp_path, b"", "empty.cvimodel"))) == ["cvimodel_empty"]
    assert codes(check_cvimodel(patched(tmp_path, b"CviMo", "tiny"))) == ["cvimodel_truncated"]


def test_real_onnx_is_recognised(tmp_path):
    pytest.importorskip("onnx")
    from toolchain_double.helpers import tiny_yolo_onnx

    report = check_cvimodel(tiny_yolo_onnx(tmp_path / "m.onnx"))
    assert codes(report) == ["cvimodel_is_onnx"]
    assert "ONNX" in report.problems[0].message and report.problems[0].fix


def test_missing_and_unreadable(model, tmp_path):
    assert codes(check_cvimodel(tmp_path / "nope.cvimodel")) == ["file_not_found"]
    assert codes(check_cvimodel(tmp_path)) == ["cvimodel_unreadable"]
    if os.name == "posix" and os.geteuid() != 0:
        model.chmod(0)
        assert codes(check_cvimodel(model)) == ["cvimodel_unreadable"]


# --- never a traceback ---------------------------------------------------------------------------------


def test_never_raises_on_random_bytes(tmp_path):
    rng = random.Random(7)
    for i in range(200):
        size = rng.choice([1, 7, 8, 31, 32, 47, 48, 49, 100, 5000])
        data = bytes(rng.getrandbits(8) for _ in range(size))
        if i % 2:
            data = b"CviModel" + data
        report = check_cvimodel(patched(tmp_path, data, f"r{i}"))
        json.dumps(report.to_dict())
        assert errors(report)  # random bytes are never a sound model


def test_never_raises_on_a_mangled_body(model, tmp_path):
    """Random damage inside a real body, checksum fixed up so the body reader is what judges."""
    data = model.read_bytes()
    body_size = struct.unpack_from("<I", data, 8)[0]
    rng = random.Random(11)
    outcomes = set()
    for i in range(300):
        mangled = bytearray(data)
        for _ in range(rng.choice([1, 1, 2, 8])):
            at = 48 + rng.randrange(body_size)
            mangled[at] = rng.getrandbits(8)
        report = check_cvimodel(patched(tmp_path, with_md5(bytes(mangled)), f"m{i}"))
        json.dumps(report.to_dict())
        report.summary_lines()
        outcomes.update(errors(report) or ["sound"])
    assert "cvimodel_body_unreadable" in outcomes  # the reader does refuse broken offsets


def test_problems_and_summary_in_japanese(tmp_path):
    path = double_cvimodel(tmp_path / "m.cvimodel", chip="cv180x")
    report = check_for_recamera(path)
    message = report.to_dict("ja")["problems"][0]["message"]
    assert "cv180x" in message and "向け" in message
    set_language("ja")
    assert "作られました" in report.summary_lines()[0]
