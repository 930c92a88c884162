"""pytest fixtures for the device tests (imported by tests/test_device_*.py)."""

from __future__ import annotations

import pytest

from recamera_sim import ReCameraSimulator, make_cvimodel


@pytest.fixture
def sim(tmp_path):
    with ReCameraSimulator(tmp_path / "camera") as simulator:
        yield simulator


@pytest.fixture
def cvimodel(tmp_path):
    """A 1.3 MB cv181x .cvimodel: three 512 KB chunks, the last one short."""
    return make_cvimodel(tmp_path / "yolo11n_custom_cv181x_int8.cvimodel", size=1_300_000)


@pytest.fixture
def state_dir(tmp_path):
    path = tmp_path / "state"
    path.mkdir()
    return path


_LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Safety net for the rule that device tests talk only to loopback servers they start: any
    connect to another address (192.168.42.1 above all) fails the test before a packet leaves."""
    import socket

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def _check(address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in _LOOPBACK_HOSTS and not host.startswith("/"):
            raise AssertionError(f"a device test tried to connect to {address!r}; only loopback is allowed")

    def connect(self, address):
        _check(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        _check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
