"""DockerRunner.prepare's checks with a stand-in engine: image missing, disk, memory."""

from __future__ import annotations

from types import SimpleNamespace

import docker.errors
import pytest

from wizard.core.events import ProblemRaised, StepFinished
from wizard.core.messages import WizardError
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.runners.docker import image as toolchain_image
from wizard.core.runners.docker.runner import DockerRunner


class FakeEngine:
    def __init__(self, mem_total: int = 16 * 10**9, images: tuple[str, ...] = ("img:1",)):
        self._mem = mem_total
        self._images = images
        self.api = SimpleNamespace(base_url="http+docker://localhost")
        self.images = SimpleNamespace(get=self._get)

    def _get(self, tag):
        if tag not in self._images:
            raise docker.errors.ImageNotFound(f"No such image: {tag}")
        return SimpleNamespace(id="sha256:" + "1" * 64, attrs={"Size": 10, "Config": {"Labels": {}}})

    def version(self):
        return {"Version": "99.0"}

    def info(self):
        return {"MemTotal": self._mem, "OperatingSystem": "fake", "NCPU": 2, "DockerRootDir": "/nonexistent"}


def _recipe(count: int) -> ConversionRecipe:
    return ConversionRecipe(name="m", calibration_count=count, input_shape=(1, 3, 640, 640))


def test_prepare_ok(monkeypatch):
    monkeypatch.setattr(toolchain_image, "engine_free_bytes", lambda client: 50 * 1024**3)
    runner = DockerRunner("img:1", "t1", recipe=_recipe(100), client=FakeEngine())
    events = list(runner.prepare())
    assert isinstance(events[-1], StepFinished) and events[-1].ok
    assert not any(isinstance(e, ProblemRaised) for e in events)
    assert runner.facts.image["id"].startswith("sha256:")


def test_prepare_missing_image_offers_to_get_it(monkeypatch):
    runner = DockerRunner("img:2", "t2", client=FakeEngine())
    with pytest.raises(WizardError) as err:
        list(runner.prepare())
    assert err.value.problem.code == "toolchain_image_missing"
    assert "toolchain-image build" in err.value.problem.fix


def test_prepare_out_of_disk(monkeypatch):
    monkeypatch.setattr(toolchain_image, "engine_free_bytes", lambda client: 300 * 1024**2)
    runner = DockerRunner("img:1", "t3", client=FakeEngine())
    with pytest.raises(WizardError) as err:
        list(runner.prepare())
    assert err.value.problem.code == "docker_out_of_disk"
    assert "0.3 GB free" in err.value.problem.message and "docker system prune" in err.value.problem.fix


def test_prepare_warns_about_memory_for_many_images(monkeypatch):
    monkeypatch.setattr(toolchain_image, "engine_free_bytes", lambda client: None)  # Docker Desktop: unknown
    runner = DockerRunner("img:1", "t4", recipe=_recipe(800), client=FakeEngine(mem_total=2 * 10**9))
    events = list(runner.prepare())
    warnings = [e.problem for e in events if isinstance(e, ProblemRaised)]
    assert [w.code for w in warnings] == ["docker_low_memory"]
    assert warnings[0].severity == "warning" and warnings[0].params["suggest"] < 800
    assert events[-1].ok  # a warning, not a refusal: the user decides
