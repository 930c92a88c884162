"""The conversion recipe: every parameter of one conversion, saved as recipe.json.

A recipe is plain data, made by ``wizard.core.plan.choices.build_recipe`` from the user's choices and
the inspected model. It can be saved, loaded again (``plan --recipe``) and turned into exact
command lines and a script (``wizard.core.plan.commands``).

Workspace layout (paths in a recipe are relative to the workspace folder):

    recipe.json                    this recipe
    convert.sh                     the whole conversion, run from the workspace inside the image
    model/<name>.onnx              the model handed to the toolchain (a converted copy if needed)
    calibration/*.jpg              the prepared calibration images
    image/test.jpg                 the prepared test image
    work/                          everything the toolchain writes (created by convert.sh)
    work/.done/<step>              cache stamps: the step's key when it last succeeded
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from wizard import __version__

RECIPE_FORMAT = 1
RECIPE_FILE = "recipe.json"
SCRIPT_FILE = "convert.sh"
MODEL_DIR = "model"
CALIBRATION_DIR = "calibration"
IMAGE_DIR = "image"
WORK_DIR = "work"
TEST_IMAGE = "image/test.jpg"
LOG_FILE = "convert.log"

# The versions of the guide: the combination known to produce models the reCamera runtime loads.
DEFAULT_TPU_MLIR_VERSION = "1.7"
DEFAULT_BASE_IMAGE = "sophgo/tpuc_dev:v3.1"
DEFAULT_TOOLCHAIN_IMAGE = f"recamera-wizard/toolchain:{DEFAULT_TPU_MLIR_VERSION}"

YOLO_MEAN = (0.0, 0.0, 0.0)
YOLO_SCALE = (0.0039216, 0.0039216, 0.0039216)


@dataclass(frozen=True)
class ConversionRecipe:
    # What the toolchain is told.
    name: str  # safe ASCII name: used for --model_name and every output file name
    processor: str = "cv181x"
    quantize: str = "INT8"
    input_shape: tuple[int, ...] = (1, 3, 640, 640)
    mean: tuple[float, ...] = YOLO_MEAN
    scale: tuple[float, ...] = YOLO_SCALE
    keep_aspect_ratio: bool = True
    pixel_format: str = "rgb"
    output_names: tuple[str, ...] = ()
    calibration_count: int = 100
    tolerance: tuple[float, float] | None = None  # model_deploy's own default (0.8,0.5) when None
    quant_input: bool = True
    fuse_preprocess: bool = True
    aligned_input: bool = True
    customization_format: str | None = "RGB_PACKED"
    # Where it runs.
    tpu_mlir_version: str = DEFAULT_TPU_MLIR_VERSION
    toolchain_image: str = DEFAULT_TOOLCHAIN_IMAGE
    # What it was made from (provenance, for the reproducibility bundle and cache keys).
    display_name: str = ""  # what the user called it, unsanitised, never reaches a command line
    source_model: str = ""
    source_model_sha256: str = ""
    model_file: str = ""  # relative: model/<name>.onnx
    model_sha256: str = ""
    model_converted: bool = False  # True when an IR/opset-converted copy was staged
    family: str = "unknown"
    task: str = "unknown"
    class_names: tuple[str, ...] = ()
    source_images: str = ""
    calibration_images: int = 0  # how many were staged
    images_sha256: str = ""  # digest over the staged calibration images, in name order
    source_test_image: str = ""
    test_image_sha256: str = ""
    wizard_version: str = __version__
    format: int = RECIPE_FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ConversionRecipe":
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue  # written by a newer version: ignore rather than refuse
            if isinstance(value, list):
                value = tuple(value)
            values[key] = value
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> "ConversionRecipe":
        from wizard.core.messages import WizardError

        from wizard.core.user_paths import check_input_file

        path = check_input_file(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "name" not in data:
                raise ValueError("not a recipe")
            return cls.from_dict(data)
        except FileNotFoundError:
            raise WizardError.of("file_not_found", path=str(path)) from None
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            raise WizardError.of("recipe_unreadable", path=str(path), detail=str(exc)) from None
