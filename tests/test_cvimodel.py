"""check_cvimodel: the header of a produced .cvimodel (toolchain.md, "The .cvimodel file")."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
from pathlib import Path

import pytest

from wizard.core.toolchain.cvimodel import check_cvimodel, check_for_recamera

DOUBLE_ROOT = Path(__file__).resolve().parent / "toolchain_double"


def cvimodel(body: bytes = b"B" * 1000, weights: bytes = b"W" * 5000, *, chip: bytes = b"cv181x",
             major: int = 1, minor: int = 4, body_size: int | None = None, md5: bytes | None = None,
             chip_field: bytes | None = None) -> bytes:
    payload = body + weights
    chip_bytes = chip_field if chip_field is not None else chip.ljust(16, b"\0")
    header = b"CviModel" + struct.pack("<IBB", len(body) if body_size is None else body_size, major, minor)
    header += (md5 if md5 is not None else hashlib.md5(payload).digest()) + chip_bytes + b"\0\0"
    assert len(header) == 48
    return header + payload


def write(tmp_path, data: bytes, name: str = "m.cvimodel") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def codes(report) -> list[str]:
    return [p.code for p in report.problems]


def test_sound_file(tmp_path):
    report = check_cvimodel(write(tmp_path, cvimodel()))
    assert report.ok and codes(report) == []
    assert (report.chip, report.version, report.body_size, report.size, report.md5_ok) == ("cv181x", "1.4", 1000, 6048, True)
    data = report.to_dict()
    json.dumps(data)
    assert data["ok"] is True and data["header_size"] == 48 and data["problems"] == []


def test_the_doubles_model_is_sound(tmp_path):
    sys.path.insert(0, str(DOUBLE_ROOT))
    try:
        from tpu_mlir_double.model_files import cvimodel_bytes
    finally:
        sys.path.remove(str(DOUBLE_ROOT))
    report = check_for_recamera(write(tmp_path, cvimodel_bytes("cv181x", 4096, 70000, "yolo11n")))
    assert report.ok and report.md5_ok is True and report.chip == "cv181x"


def test_version_1_2_is_fine(tmp_path):
    assert check_cvimodel(write(tmp_path, cvimodel(minor=2))).version == "1.2"


def test_version_1_0_header_has_no_chip(tmp_path):
    header = b"CviModel" + struct.pack("<IBB", 100, 1, 0) + b"\0" * 16 + b"\0\0"  # 32 bytes, no chip field
    path = write(tmp_path, header + b"x" * 100)
    report = check_cvimodel(path)
    assert report.ok and report.chip is None and report.md5_ok is None and report.to_dict()["header_size"] == 32
    assert codes(check_cvimodel(path, expect_chip="cv181x")) == ["cvimodel_wrong_chip"]


def test_md5_mismatch_is_only_a_warning(tmp_path):
    report = check_cvimodel(write(tmp_path, cvimodel(md5=b"\x01" * 16)))
    assert report.ok and report.md5_ok is False
    assert [(p.code, p.severity) for p in report.problems] == [("cvimodel_md5_mismatch", "warning")]


def test_wrong_chip_for_the_recamera(tmp_path):
    path = write(tmp_path, cvimodel(chip=b"cv180x"))
    assert check_cvimodel(path).ok  # no expectation: any known processor
    report = check_for_recamera(path)
    assert not report.ok and codes(report) == ["cvimodel_wrong_chip"]
    assert "cv180x" in report.problems[0].message and "cv181x" in report.problems[0].message


def test_unknown_and_garbled_chips(tmp_path):
    assert codes(check_cvimodel(write(tmp_path, cvimodel(chip=b"zz9999"), "a"))) == ["cvimodel_unknown_chip"]
    garbled = b"cv1\x01\x02" + b"\0" * 11
    assert codes(check_cvimodel(write(tmp_path, cvimodel(chip_field=garbled), "b"))) == ["cvimodel_bad_chip"]
    trailing = b"cv181x\0junk" + b"\0" * 5
    assert codes(check_cvimodel(write(tmp_path, cvimodel(chip_field=trailing), "c"))) == ["cvimodel_bad_chip"]
    assert codes(check_cvimodel(write(tmp_path, cvimodel(chip_field=b"\0" * 16), "d"))) == ["cvimodel_bad_chip"]


def test_truncated_body(tmp_path):
    data = cvimodel(body_size=10_000)
    report = check_cvimodel(write(tmp_path, data))
    assert codes(report) == ["cvimodel_truncated"] and report.md5_ok is None
    assert "10048" in report.problems[0].message
    cut = check_cvimodel(write(tmp_path, cvimodel()[:40], "cut"))
    assert codes(cut) == ["cvimodel_truncated"]
    assert codes(check_cvimodel(write(tmp_path, b"CviMo", "tiny"))) == ["cvimodel_truncated"]


def test_no_body(tmp_path):
    assert codes(check_cvimodel(write(tmp_path, cvimodel(body=b"", weights=b"")))) == ["cvimodel_no_body"]


def test_unknown_major_version(tmp_path):
    report = check_cvimodel(write(tmp_path, cvimodel(major=2)))
    assert codes(report) == ["cvimodel_bad_version"] and report.version == "2.4"


def test_not_a_cvimodel_at_all(tmp_path):
    onnx_like = b"\x08\x07\x12\x07pytorch\x1a\x052.3.0" + b"\0" * 100
    assert codes(check_cvimodel(write(tmp_path, onnx_like, "x.onnx"))) == ["cvimodel_is_onnx"]
    bmodel = struct.pack("<I", 0xFF55AAEE) + b"\0" * 200
    assert codes(check_cvimodel(write(tmp_path, bmodel, "x.bmodel"))) == ["cvimodel_is_bmodel"]
    report = check_cvimodel(write(tmp_path, b"#!/bin/sh\necho hi\n", "x.sh"))
    assert codes(report) == ["cvimodel_not_cvimodel"] and "#!/bin/s" in report.problems[0].message
    assert codes(check_cvimodel(write(tmp_path, b"", "empty.cvimodel"))) == ["cvimodel_empty"]


def test_real_onnx_is_recognised(tmp_path):
    pytest.importorskip("onnx")
    from toolchain_double.helpers import tiny_yolo_onnx

    report = check_cvimodel(tiny_yolo_onnx(tmp_path / "m.onnx"))
    assert codes(report) == ["cvimodel_is_onnx"]
    assert "ONNX" in report.problems[0].message and report.problems[0].fix


def test_missing_and_unreadable(tmp_path):
    assert codes(check_cvimodel(tmp_path / "nope.cvimodel")) == ["file_not_found"]
    assert codes(check_cvimodel(tmp_path)) == ["cvimodel_unreadable"]
    if os.name == "posix" and os.geteuid() != 0:
        locked = write(tmp_path, cvimodel(), "locked.cvimodel")
        locked.chmod(0)
        assert codes(check_cvimodel(locked)) == ["cvimodel_unreadable"]


def test_never_raises_on_random_bytes(tmp_path):
    import random

    rng = random.Random(7)
    for i in range(200):
        size = rng.choice([1, 7, 8, 31, 32, 47, 48, 49, 100, 5000])
        data = bytes(rng.getrandbits(8) for _ in range(size))
        if i % 2:
            data = b"CviModel" + data
        report = check_cvimodel(write(tmp_path, data, f"r{i}"))
        json.dumps(report.to_dict())
        assert report.problems  # random bytes are never a sound model


def test_problems_in_japanese(tmp_path):
    report = check_for_recamera(write(tmp_path, cvimodel(chip=b"cv180x")))
    message = report.to_dict("ja")["problems"][0]["message"]
    assert "cv180x" in message and "向け" in message
