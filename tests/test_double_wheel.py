"""tests/tpu_mlir_wheel.py: the real tpu_mlir 1.7 wheel, fetched once with pip and checked.

Toolchain: the real wheel's files (read, not run); no CPython 3.10, no /work/tpuvenv. The
download-failure cases point pip at an empty local folder with the index switched off, so they
need no network and fail for certain.
"""

from __future__ import annotations

import hashlib
import os

import pytest

import conftest
import tpu_mlir_wheel
from tpu_mlir_wheel import WHEEL_NAME, WHEEL_SHA256, WheelUnavailable, extract, require_wheel, wheel_path


def test_wheel_is_cached_checked_and_extracted_by_member_or_prefix():
    root = require_wheel(["tpu_mlir/python/tools/model_runner.py", "tpu_mlir/bin/"])
    wheel = wheel_path()
    assert wheel.parent == tpu_mlir_wheel.cache_dir() and wheel.name == WHEEL_NAME
    recorded = wheel.with_name(WHEEL_NAME + ".sha256").read_text().split()
    assert recorded == [WHEEL_SHA256, WHEEL_NAME]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == WHEEL_SHA256
    source = (root / "tpu_mlir/python/tools/model_runner.py").read_text()
    assert 'parser.add_argument("--dump_all_tensors"' in source
    model_tool = root / "tpu_mlir/bin/model_tool"
    assert model_tool.is_file() and os.access(model_tool, os.X_OK)  # binaries keep their exec bit
    assert (root / "tpu_mlir/bin/tpuc-opt").is_file()
    with pytest.raises(KeyError, match="no/such/member"):
        extract(["no/such/member.py"])


def _offline(monkeypatch, tmp_path):
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    monkeypatch.setenv(tpu_mlir_wheel.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))


def test_a_failed_download_says_why_and_leaves_nothing(monkeypatch, tmp_path):
    _offline(monkeypatch, tmp_path)
    with pytest.raises(WheelUnavailable, match=r"pip download of tpu_mlir==1.7 failed"):
        wheel_path()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []  # no half-downloaded wheel


@pytest.mark.parametrize("in_ci", [False, True])
def test_require_wheel_skips_locally_and_fails_under_ci(monkeypatch, tmp_path, in_ci):
    _offline(monkeypatch, tmp_path)
    monkeypatch.setattr(conftest, "IN_CI", in_ci)
    expected = pytest.fail.Exception if in_ci else pytest.skip.Exception
    with pytest.raises(expected, match="tpu_mlir 1.7 wheel"):
        require_wheel(["tpu_mlir/python/tools/model_runner.py"])


def test_a_damaged_cached_wheel_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv(tpu_mlir_wheel.CACHE_ENV, str(tmp_path))
    (tmp_path / WHEEL_NAME).write_bytes(b"PK\x03\x04 not the wheel")
    with pytest.raises(RuntimeError, match="delete it to download it again"):
        wheel_path()
