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
