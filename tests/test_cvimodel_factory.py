"""The test factory itself: cache by input hash, and what happens without the wheel.

Toolchain: the REAL tpu_mlir 1.7 wheel for the cache test (tpuc-opt builds); none for the rest
(pip is pointed at a closed port on 127.0.0.1, so nothing leaves the machine).
"""

from __future__ import annotations

import socket

import pytest

import conftest
import cvimodel_factory
import tpu_mlir_wheel
from cvimodel_factory import YoloSpec, build_cvimodel


@pytest.mark.real_toolchain
def test_built_models_are_cached_by_their_inputs(tmp_path):
    first = build_cvimodel(YoloSpec(seed=3))
    stamp = first.stat().st_mtime_ns
    assert build_cvimodel(YoloSpec(seed=3)) == first and first.stat().st_mtime_ns == stamp  # no rebuild
    other = build_cvimodel(YoloSpec(seed=4))
    assert other != first and other.read_bytes()[48:] != first.read_bytes()[48:]
    copy = build_cvimodel(YoloSpec(seed=3), dest=tmp_path / "copy.cvimodel")
    assert copy.read_bytes() == first.read_bytes()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def no_wheel(tmp_path, monkeypatch):
    """An empty cache and a package index that does not answer."""
    monkeypatch.setenv(tpu_mlir_wheel.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{_closed_port()}/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")


def test_no_wheel_raises_wheel_unavailable(no_wheel):
    with pytest.raises(tpu_mlir_wheel.WheelUnavailable, match="pip"):
        tpu_mlir_wheel.package_root()


def test_no_wheel_skips_locally_and_fails_under_ci(no_wheel, monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="tpu_mlir 1.7 wheel"):
        cvimodel_factory.require_wheel()
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        cvimodel_factory.require_wheel()
