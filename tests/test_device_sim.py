"""The simulator itself refuses what a careful device would: so client bugs cannot hide."""

from __future__ import annotations

import json

import httpx
import pytest

from recamera_sim import ReCameraSimulator
from recamera_sim.fixtures import sim, loopback_only  # noqa: F401  (pytest fixtures; loopback_only is autouse)
from wizard.core.device.client import chunk_parts


def _post(sim, parts: list) -> dict:
    reply = httpx.post(f"http://127.0.0.1:{sim.http_port}/api/deviceMgr/uploadModel", files=parts, timeout=5,
                       trust_env=False)
    return reply.json()


def _chunk(offset: int, size: int, data: bytes, *, with_size: bool = True, info: str | None = None) -> list:
    parts = chunk_parts(data, offset, size, info)
    return parts if with_size else [p for p in parts if p[0] != "size"]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.42.1", "localhost", "::1"])
def test_simulator_binds_loopback_only(tmp_path, host):
    with pytest.raises(ValueError):
        ReCameraSimulator(tmp_path, host=host)


def test_offset_gap_and_missing_parts_are_refused(sim):
    before = sim.active_model.read_bytes()
    assert _post(sim, _chunk(0, 300, b"a" * 100))["data"]["received"] == 100
    reply = _post(sim, _chunk(200, 300, b"b" * 100))  # skips bytes 100..199
    assert reply["code"] == -1 and "does not follow" in reply["msg"]
    reply = _post(sim, _chunk(100, 300, b"b" * 100, with_size=False))
    assert reply["code"] == -1
    reply = _post(sim, _chunk(100, 150, b"b" * 100))  # past the announced size
    assert reply["code"] == -1
    assert sim.active_model.read_bytes() == before  # nothing activated by broken uploads


def test_chunks_in_order_replace_the_model_atomically(sim):
    assert _post(sim, _chunk(0, 6, b"abc"))["code"] == 0
    assert sim.active_model.read_bytes() != b"abcdef"
    reply = _post(sim, _chunk(3, 6, b"def", info=json.dumps({"model_name": "x", "classes": ["a"]})))
    assert reply["code"] == 0 and reply["data"]["received"] == 6
    assert sim.active_model.read_bytes() == b"abcdef"
    assert json.loads(sim.active_info.read_text())["classes"] == ["a"]
    assert not list(sim.models_dir.glob("*.tmp"))
