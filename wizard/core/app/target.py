"""The target: everything that is specific to the reCamera (Sophgo cv181x), reachable from here.

The wizard converts for one kind of device today. What makes it that device is spread over the
stages where each fact is used: the processor (toolchain/processors.py), the toolchain image
(plan/recipe.py, runners/docker/image.py), the model format and its check
(toolchain/cvimodel.py), the camera's decoder (detections/) and the deployer (device/). This
module names them together, so a second target would be a second ``Target`` and a folder beside
the reCamera's, and the faces (CLI, GUI) ask the target instead of importing the pieces.

It is in the app layer: it may name every stage, and no stage imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from wizard.core.plan.recipe import DEFAULT_BASE_IMAGE, DEFAULT_TOOLCHAIN_IMAGE, DEFAULT_TPU_MLIR_VERSION
from wizard.core.toolchain.processors import PROCESSORS, RECAMERA_PROCESSOR, Processor


@dataclass(frozen=True)
class Target:
    name: str
    label_en: str
    label_ja: str
    processor: str  # the default processor every device of this target has
    processors: dict[str, Processor]  # what an expert may pick instead
    model_extension: str
    toolchain_image: str
    base_image: str
    toolchain_version: str
    check_model: Callable[[str | Path], Any]  # the pre-deploy check of a produced model
    deploy: Callable[..., Iterator[Any]]  # runs a deploy plan, yielding events
    plan_deploy: Callable[..., Any]

    def label(self, lang: str = "en") -> str:
        return self.label_ja if lang == "ja" else self.label_en


def _check_for_recamera(path: str | Path):
    from wizard.core.toolchain.cvimodel import check_for_recamera

    return check_for_recamera(path)


def _deploy(*args, **kwargs):
    from wizard.core.device.deploy import run_deploy  # the device client: imported when used

    return run_deploy(*args, **kwargs)


def _plan_deploy(*args, **kwargs):
    from wizard.core.device.deploy import plan_deploy

    return plan_deploy(*args, **kwargs)


RECAMERA = Target(
    name="recamera",
    label_en="Seeed reCamera (SG2002, cv181x)",
    label_ja="Seeed reCamera（SG2002、cv181x）",
    processor=RECAMERA_PROCESSOR,
    processors=PROCESSORS,
    model_extension=PROCESSORS[RECAMERA_PROCESSOR].model_extension,
    toolchain_image=DEFAULT_TOOLCHAIN_IMAGE,
    base_image=DEFAULT_BASE_IMAGE,
    toolchain_version=DEFAULT_TPU_MLIR_VERSION,
    check_model=_check_for_recamera,
    deploy=_deploy,
    plan_deploy=_plan_deploy,
)

TARGETS: dict[str, Target] = {RECAMERA.name: RECAMERA}
DEFAULT_TARGET = RECAMERA
