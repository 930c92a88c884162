"""The user's choices for a conversion, what is wrong with them, and the recipe they make.

Pure functions, tested by value: ``validate_choices`` (every problem, no I/O), ``build_recipe``
(every fact about files comes in as a value) and its inverse ``choices_from_recipe``
(``plan --recipe``). Defaults reproduce the guide's Steps 5.2-5.4 for YOLO11n on the reCamera
(docs/toolchain.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from wizard.core.messages import Problem, problem
from wizard.core.model.inspect import ModelReport
from wizard.core.plan import recipe as layout
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.toolchain.processors import PROCESSORS, RECAMERA_PROCESSOR, get_processor

PIXEL_FORMATS = ("rgb", "bgr", "gray", "rgba")
# model_deploy --customization_format values accepted by tpu-mlir v1.7 (python/utils/preprocess.py).
CUSTOMIZATION_FORMATS = (
    "RGB_PLANAR",
    "RGB_PACKED",
    "BGR_PLANAR",
    "BGR_PACKED",
    "GRAYSCALE",
    "YUV420_PLANAR",
    "YUV_NV21",
    "YUV_NV12",
    "RGBA_PLANAR",
)
# Every preprocessed calibration input is held in memory (~4.9 MB for 640x640, toolchain.md).
CALIBRATION_BYTES_PER_PIXEL = 4.9e6 / (640 * 640)
CALIBRATION_MEMORY_WARNING_BYTES = 1.5e9
MAX_CALIBRATION_COUNT = 1000


@dataclass(frozen=True)
class ConversionChoices:
    """What the user chose (GUI pages or CLI flags). ``None`` means "the wizard decides"."""

    model: str
    images: str
    out: str
    test_image: str | None = None
    processor: str = RECAMERA_PROCESSOR
    calibration_count: int = 100
    name: str | None = None
    quantize: str | None = None
    tolerance: tuple[float, float] | None = None
    output_names: tuple[str, ...] | None = None
    mean: tuple[float, ...] | None = None
    scale: tuple[float, ...] | None = None
    pixel_format: str | None = None
    keep_aspect_ratio: bool = True
    customization_format: str | None = None
    fuse_preprocess: bool = True
    aligned_input: bool | None = None
    quant_input: bool = True
    toolchain_image: str | None = None
    tpu_mlir_version: str | None = None
    seed: int = 0


def safe_name(text: str) -> str:
    """An ASCII name safe for --model_name and file names: letters, digits, '_' and '-'."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-")
    return stem[:64] or "model"


def _is_cv18xx(processor: str) -> bool:
    proc = get_processor(processor)
    return bool(proc and proc.family == "cv18xx")


def resolved_aligned_input(choices: ConversionChoices) -> bool:
    if choices.aligned_input is not None:
        return choices.aligned_input
    # The guide's default on the reCamera; VPSS alignment exists only on CV18xx.
    return choices.fuse_preprocess and _is_cv18xx(choices.processor)


def resolved_customization_format(choices: ConversionChoices) -> str | None:
    if choices.customization_format is not None:
        return choices.customization_format or None
    return "RGB_PACKED" if choices.fuse_preprocess else None


def validate_choices(choices: ConversionChoices, report: ModelReport | None = None) -> list[Problem]:
    """Everything wrong with a set of choices, as problems; no I/O. Errors block the plan."""
    problems: list[Problem] = []
    if report is not None:
        problems.extend(report.problems)
    proc = get_processor(choices.processor)
    if proc is None:
        problems.append(problem("plan_unknown_processor", processor=choices.processor,
                                known=", ".join(PROCESSORS)))
    quantize = (choices.quantize or "INT8").upper()
    if proc is not None and quantize not in proc.quantize_modes:
        problems.append(problem("plan_quantize_unsupported", processor=proc.name, quantize=quantize,
                                allowed=", ".join(proc.quantize_modes)))
    aligned = resolved_aligned_input(choices)
    customization = resolved_customization_format(choices)
    if aligned and not choices.fuse_preprocess:
        problems.append(problem("plan_aligned_needs_fuse"))
    if customization and not choices.fuse_preprocess:
        problems.append(problem("plan_customization_needs_fuse", format=customization))
    if aligned and proc is not None and proc.family != "cv18xx":
        problems.append(problem("plan_aligned_cv18xx_only", processor=proc.name))
    if customization and customization not in CUSTOMIZATION_FORMATS:
        problems.append(problem("plan_bad_customization_format", format=customization,
                                allowed=", ".join(CUSTOMIZATION_FORMATS)))
    if choices.pixel_format is not None and choices.pixel_format not in PIXEL_FORMATS:
        problems.append(problem("plan_bad_pixel_format", format=choices.pixel_format,
                                allowed=", ".join(PIXEL_FORMATS)))
    channels = 3
    if report is not None and len(report.input_shape) == 4 and isinstance(report.input_shape[1], int):
        channels = report.input_shape[1]
    for option, values in (("--mean", choices.mean), ("--scale", choices.scale)):
        if values is not None and len(values) != channels:
            problems.append(problem("plan_bad_mean_scale", option=option, count=len(values),
                                    channels=channels))
    if choices.tolerance is not None:
        cos, euclid = choices.tolerance
        if not (0.0 < cos <= 1.0 and 0.0 < euclid <= 1.0):
            problems.append(problem("plan_bad_tolerance", tolerance=f"{cos},{euclid}"))
    if not 1 <= choices.calibration_count <= MAX_CALIBRATION_COUNT:
        problems.append(problem("plan_bad_count", count=choices.calibration_count,
                                maximum=MAX_CALIBRATION_COUNT))
    elif report is not None and report.height and report.width:
        needed = choices.calibration_count * report.height * report.width * CALIBRATION_BYTES_PER_PIXEL
        if needed > CALIBRATION_MEMORY_WARNING_BYTES:
            problems.append(problem("plan_calibration_memory", "warning",
                                    count=choices.calibration_count, gigabytes=f"{needed / 1e9:.1f}"))
    if report is not None and not choices.output_names and not report.output_names:
        problems.append(problem("plan_output_names_required", path=report.path))
    if choices.output_names is not None and any(not n.strip() for n in choices.output_names):
        problems.append(problem("plan_bad_output_names"))
    return problems


def build_recipe(
    choices: ConversionChoices,
    report: ModelReport,
    *,
    model_file: str,
    model_sha256: str,
    model_converted: bool,
    source_model_sha256: str,
    calibration_images: int,
    images_sha256: str,
    test_image_sha256: str,
    source_test_image: str,
) -> ConversionRecipe:
    """The recipe for validated choices. Pure: every fact about files comes in as a value."""
    display = choices.name or Path(choices.model).stem
    is_yolo = report.family != "unknown"
    shape = tuple(int(d) for d in report.input_shape) if report.input_shape else (1, 3, 640, 640)
    return ConversionRecipe(
        name=safe_name(display),
        processor=choices.processor.lower(),
        quantize=(choices.quantize or "INT8").upper(),
        input_shape=shape,
        mean=tuple(choices.mean) if choices.mean is not None else layout.YOLO_MEAN,
        scale=tuple(choices.scale) if choices.scale is not None else layout.YOLO_SCALE,
        keep_aspect_ratio=choices.keep_aspect_ratio,
        # Ultralytics models are trained on RGB; the toolchain's own default (bgr) is wrong for them.
        pixel_format=choices.pixel_format or "rgb",
        output_names=tuple(choices.output_names or report.output_names),
        calibration_count=calibration_images,
        tolerance=tuple(choices.tolerance) if choices.tolerance else None,
        quant_input=choices.quant_input,
        fuse_preprocess=choices.fuse_preprocess,
        aligned_input=resolved_aligned_input(choices),
        customization_format=resolved_customization_format(choices),
        tpu_mlir_version=choices.tpu_mlir_version or layout.DEFAULT_TPU_MLIR_VERSION,
        toolchain_image=choices.toolchain_image or layout.DEFAULT_TOOLCHAIN_IMAGE,
        display_name=display,
        source_model=str(choices.model),
        source_model_sha256=source_model_sha256,
        model_file=model_file,
        model_sha256=model_sha256,
        model_converted=model_converted,
        family=report.family,
        task=report.task,
        class_names=tuple(report.class_names),
        source_images=str(choices.images),
        calibration_images=calibration_images,
        images_sha256=images_sha256,
        source_test_image=source_test_image,
        test_image_sha256=test_image_sha256,
        extra={"yolo": is_yolo, "seed": choices.seed},
    )


def choices_from_recipe(recipe: ConversionRecipe, out: str) -> ConversionChoices:
    """Choices that reproduce a saved recipe (``plan --recipe``)."""
    return ConversionChoices(
        model=recipe.source_model,
        images=recipe.source_images,
        out=out,
        # A test image picked from inside a zip has no path of its own: the same pick is made
        # again from the same images.
        test_image=recipe.source_test_image if Path(recipe.source_test_image or "").is_file() else None,
        processor=recipe.processor,
        calibration_count=recipe.calibration_count,
        name=recipe.display_name or recipe.name,
        quantize=recipe.quantize,
        tolerance=tuple(recipe.tolerance) if recipe.tolerance else None,
        output_names=tuple(recipe.output_names) or None,
        mean=tuple(recipe.mean),
        scale=tuple(recipe.scale),
        pixel_format=recipe.pixel_format,
        keep_aspect_ratio=recipe.keep_aspect_ratio,
        customization_format=recipe.customization_format or "",
        fuse_preprocess=recipe.fuse_preprocess,
        aligned_input=recipe.aligned_input,
        quant_input=recipe.quant_input,
        toolchain_image=recipe.toolchain_image,
        tpu_mlir_version=recipe.tpu_mlir_version,
        seed=int(recipe.extra.get("seed", 0)) if isinstance(recipe.extra, dict) else 0,
    )
