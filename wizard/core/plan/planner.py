"""Plan a conversion: the user's choices become a recipe, exact command lines and convert.sh.

Two halves (style rule 4):
- pure functions, tested by value: ``validate_choices``, ``build_recipe``, ``recipe_commands``,
  ``render_convert_script``, ``cache_keys``, ``expected_outputs``;
- ``stage_workspace``, which does the file work: inspects the model, stages a toolchain-ready copy,
  prepares the calibration and test images and writes recipe.json and convert.sh.

Defaults reproduce the guide's Steps 5.2-5.4 for YOLO11n on the reCamera (toolchain.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from wizard import __version__
from wizard.core.plan import recipe as layout
from wizard.core.checksums import sha256_file
from wizard.core.messages import Problem, WizardError, problem
from wizard.core.user_paths import check_input_file, check_input_folder
from wizard.core.model.inspect import ModelReport
from wizard.core.toolchain.processors import PROCESSORS, RECAMERA_PROCESSOR, get_processor
from wizard.core.plan.recipe import ConversionRecipe

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

ProgressCallback = Callable[[str, int, int], None]  # (phase, done, total)


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


@dataclass(frozen=True)
class ToolchainCommand:
    step: str  # "transform" | "calibrate" | "deploy"
    argv: tuple[str, ...]
    output: str  # the file this step must produce (relative to work/)

    @property
    def shell(self) -> str:
        return shlex.join(self.argv)


@dataclass(frozen=True)
class StagedWorkspace:
    workdir: Path
    recipe: ConversionRecipe
    model_report: ModelReport
    calibration_report: object  # wizard.core.images.calibration.CalibrationReport
    problems: tuple[Problem, ...] = ()  # warnings worth showing (errors raise instead)
    notes: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------------
# Pure part
# ---------------------------------------------------------------------------------------------


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


def _floats(values: Sequence[float]) -> str:
    return ",".join(repr(float(v)) for v in values)


def output_file_names(recipe: ConversionRecipe) -> dict[str, str]:
    """Names (inside work/) of what each step writes, as the guide names them."""
    proc = get_processor(recipe.processor)
    extension = proc.model_extension if proc else ".cvimodel"
    suffix = {"INT8": "_sym_int8" if proc and proc.family == "cv18xx" else "_int8"}.get(
        recipe.quantize, "_" + recipe.quantize.lower()
    )
    name = recipe.name
    return {
        "mlir": f"{name}.mlir",
        "top_outputs": f"{name}_top_outputs.npz",
        "calibration_table": f"{name}_calib_table",
        "model": f"{name}{suffix}{extension}",
    }


def expected_outputs(recipe: ConversionRecipe) -> dict[str, str]:
    """Paths (relative to the workspace) of the results a runner brings back."""
    return {key: f"{layout.WORK_DIR}/{value}" for key, value in output_file_names(recipe).items()}


def needs_calibration(recipe: ConversionRecipe) -> bool:
    return recipe.quantize.startswith("INT") or recipe.quantize.startswith("W")


def recipe_commands(recipe: ConversionRecipe) -> list[ToolchainCommand]:
    """The toolchain command lines, run from work/ (paths point into the workspace)."""
    files = output_file_names(recipe)
    test_input = f"../{layout.TEST_IMAGE}"
    transform = [
        "model_transform",
        "--model_name", recipe.name,
        "--model_def", f"../{recipe.model_file}",
        "--input_shapes", "[[" + ",".join(str(d) for d in recipe.input_shape) + "]]",
        "--mean", _floats(recipe.mean),
        "--scale", _floats(recipe.scale),
    ]
    if recipe.keep_aspect_ratio:
        transform.append("--keep_aspect_ratio")
    transform += ["--pixel_format", recipe.pixel_format]
    if recipe.output_names:
        transform += ["--output_names", ",".join(recipe.output_names)]
    transform += ["--test_input", test_input, "--test_result", files["top_outputs"], "--mlir", files["mlir"]]
    commands = [ToolchainCommand("transform", tuple(transform), files["mlir"])]

    if needs_calibration(recipe):
        calibrate = [
            "run_calibration", files["mlir"],
            "--dataset", f"../{layout.CALIBRATION_DIR}",
            "--input_num", str(recipe.calibration_count),
            "-o", files["calibration_table"],
        ]
        commands.append(ToolchainCommand("calibrate", tuple(calibrate), files["calibration_table"]))

    deploy = ["model_deploy", "--mlir", files["mlir"], "--quantize", recipe.quantize]
    if recipe.quant_input:
        deploy.append("--quant_input")
    deploy += ["--processor", recipe.processor]
    if needs_calibration(recipe):
        deploy += ["--calibration_table", files["calibration_table"]]
    deploy += ["--test_input", test_input, "--test_reference", files["top_outputs"]]
    if recipe.tolerance:
        deploy += ["--tolerance", _floats(recipe.tolerance)]
    if recipe.customization_format:
        deploy += ["--customization_format", recipe.customization_format]
    if recipe.fuse_preprocess:
        deploy.append("--fuse_preprocess")
    if recipe.aligned_input:
        deploy.append("--aligned_input")
    deploy += ["--model", files["model"]]
    commands.append(ToolchainCommand("deploy", tuple(deploy), files["model"]))
    return commands


def _digest(data: object) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def cache_keys(recipe: ConversionRecipe) -> dict[str, str]:
    """Each step's key: it changes exactly when that step's inputs or options change.

    Calibration (5-15 minutes) depends only on the model, the transform options and the
    images, so changing deploy options (processor, tolerance, fuse_preprocess...) keeps its key.
    """
    transform = _digest({
        "model": recipe.model_sha256,
        "name": recipe.name,
        "shape": list(recipe.input_shape),
        "mean": list(recipe.mean),
        "scale": list(recipe.scale),
        "keep_aspect_ratio": recipe.keep_aspect_ratio,
        "pixel_format": recipe.pixel_format,
        "outputs": list(recipe.output_names),
        "test_image": recipe.test_image_sha256,
        "toolchain": [recipe.tpu_mlir_version, recipe.toolchain_image],
    })
    calibrate = _digest({"transform": transform, "images": recipe.images_sha256,
                         "count": recipe.calibration_count})
    deploy = _digest({
        "calibrate": calibrate if needs_calibration(recipe) else transform,
        "commands": [c.argv for c in recipe_commands(recipe) if c.step == "deploy"],
    })
    keys = {"transform": transform, "calibrate": calibrate, "deploy": deploy}
    if not needs_calibration(recipe):
        del keys["calibrate"]
    return keys


_SCRIPT_HEAD = """#!/usr/bin/env bash
# convert.sh: generated by recamera-wizard {version} for "{name}".
# Run inside the TPU-MLIR toolchain image ({image}), from any folder:   bash convert.sh
# Everything is written into work/. A step whose stamp work/.done/<step> holds its key (and whose
# output exists) is skipped: its results came from the calibration cache.
set -uo pipefail
# The tools are Python: unbuffered, their lines reach a Docker or SSH log live and in order.
export PYTHONUNBUFFERED=1
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
mkdir -p "$here/{work}/.done" && cd "$here/{work}" || exit 1

# Wheels expose model_transform and model_transform.py; source builds only the .py names.
find_tool() {{
  if command -v "$1" >/dev/null 2>&1; then printf '%s' "$1"
  elif command -v "$1.py" >/dev/null 2>&1; then printf '%s' "$1.py"
  else return 127
  fi
}}

# Once a step has run, every later step runs too: its inputs are new even if its key is not.
ran_a_step=0
run_step() {{
  local step="$1" key="$2" output="$3" shown="$4" tool rc started
  shift 4
  if [ "$ran_a_step" = 0 ] && [ -f ".done/$step" ] && [ -e "$output" ] \
      && [ "$(cat ".done/$step")" = "$key" ]; then
    echo "[wizard] step $step skipped (cached)"
    return 0
  fi
  ran_a_step=1
  rm -f ".done/$step"
  if ! tool="$(find_tool "$1")"; then
    echo "[wizard] step $step started: $shown"
    echo "[wizard] error: $1 is not installed in this image (is tpu_mlir installed?)" >&2
    echo "[wizard] step $step finished rc=127 elapsed=0"
    exit 127
  fi
  shift
  echo "[wizard] step $step started: $shown"
  started=$SECONDS
  "$tool" "$@"
  rc=$?
  echo "[wizard] step $step finished rc=$rc elapsed=$((SECONDS - started))"
  if [ "$rc" -ne 0 ]; then exit "$rc"; fi
  if [ ! -e "$output" ]; then
    echo "[wizard] error: $tool reported success but did not write $output" >&2
    exit 1
  fi
  printf '%s' "$key" > ".done/$step"
}}
"""


def render_convert_script(recipe: ConversionRecipe) -> str:
    """convert.sh for a recipe; every value is shell-quoted, so no name can inject a command."""
    keys = cache_keys(recipe)
    lines = [_SCRIPT_HEAD.format(
        version=__version__,
        name=recipe.name,  # safe_name(): ASCII letters, digits, _ and - only
        image=recipe.toolchain_image.replace("\n", " "),
        work=layout.WORK_DIR,
    )]
    for command in recipe_commands(recipe):
        args = " \\\n    ".join(shlex.quote(a) for a in command.argv)
        # The command as the user would type it (shown in the log and the progress view).
        shown = shlex.quote(command.shell)
        lines.append(
            f"\nrun_step {command.step} {shlex.quote(keys[command.step])} "
            f"{shlex.quote(command.output)} \\\n    {shown} \\\n    {args}\n"
        )
    model = output_file_names(recipe)["model"]
    lines.append(f"\necho {shlex.quote('[wizard] done: ' + layout.WORK_DIR + '/' + model)}\n")
    return "".join(lines)


# ---------------------------------------------------------------------------------------------
# File work
# ---------------------------------------------------------------------------------------------


def digest_files(paths: Sequence[Path]) -> str:
    """One digest over files in name order: their names and contents."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode("utf-8") + b"\0" + sha256_file(path).encode("ascii"))
    return digest.hexdigest()


def graph_tensor_names(model_path: str | Path) -> set[str]:
    """Every tensor name a --output_names entry may refer to (node outputs and graph outputs)."""
    import onnx

    model = onnx.load(str(model_path), load_external_data=False)
    names = {o for node in model.graph.node for o in node.output}
    names.update(o.name for o in model.graph.output)
    return names


def check_output_outside_images(out: str | Path, images: str | Path) -> None:
    """Refuse an output folder inside (or equal to) the photos folder before anything is made:
    the photos folder is never changed, not even by an empty folder."""
    images_path = Path(images).expanduser()
    if not images_path.is_dir():
        return  # a zip (or nothing, said elsewhere): no folder of the user's to protect
    real_out, real_images = Path(os.path.realpath(Path(out).expanduser())), Path(os.path.realpath(images_path))
    if real_out == real_images or real_images in real_out.parents:
        raise WizardError.of("calib_output_inside_source", out=str(out), path=str(images))


def _check_output_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise WizardError.of("not_a_directory", path=str(out))
    if out.is_dir():
        entries = [e for e in out.iterdir() if not e.name.startswith(".")]
        ours = {layout.RECIPE_FILE, layout.SCRIPT_FILE, layout.MODEL_DIR, layout.CALIBRATION_DIR,
                layout.IMAGE_DIR, layout.WORK_DIR}
        if entries and not (out / layout.RECIPE_FILE).is_file():
            raise WizardError.of("output_not_empty", path=str(out))
        if any(e.name not in ours for e in entries):
            raise WizardError.of("output_not_empty", path=str(out))


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


def stage_workspace(
    choices: ConversionChoices,
    *,
    on_progress: ProgressCallback | None = None,
) -> StagedWorkspace:
    """Stage a self-contained workspace in ``choices.out``.

    Raises WizardError (with every blocking problem's first one) when something blocks the plan.
    Nothing in the source folders is modified; a failed staging leaves ``choices.out`` as it was.
    """
    from wizard.core.images.calibration import (
        pick_representative_image,
        prepare_calibration_set,
        prepare_image,
    )
    from wizard.core.model.inspect import inspect_model
    from wizard.core.model.prepare import prepare_model_for_toolchain

    def progress(phase: str, done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(phase, done, total)

    model_path = Path(choices.model)
    images_path = Path(choices.images)
    out = Path(choices.out)
    # One precise reason per path (a folder, a loop, a pipe, empty), and only that one.
    check_input_file(model_path, empty_code="model_empty", folder_code="model_is_folder")
    if images_path.is_dir():
        check_input_folder(images_path)
    else:
        check_input_file(images_path)  # a zip of photos
    if choices.test_image:
        check_input_file(choices.test_image)
    check_output_outside_images(out, images_path)
    _check_output_dir(out)

    progress("inspect", 0, 1)
    report = inspect_model(model_path)
    problems = validate_choices(choices, report)
    if choices.output_names and report.convertible:
        known = graph_tensor_names(model_path)
        missing = [n for n in choices.output_names if n not in known]
        if missing:
            problems.append(problem("plan_output_names_missing", path=str(model_path),
                                    names=", ".join(missing)))
    errors = [p for p in problems if p.is_error]
    if errors:
        raise PlanBlocked(tuple(errors), tuple(p for p in problems if not p.is_error))
    progress("inspect", 1, 1)

    made = _folders_to_make(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    except OSError as exc:
        _remove_if_empty(made)
        raise WizardError.of("output_not_writable", path=str(out), detail=exc.strerror or str(exc)) from None
    staged = False
    try:
        name = safe_name(choices.name or model_path.stem)
        model_rel = f"{layout.MODEL_DIR}/{name}.onnx"
        (staging / layout.MODEL_DIR).mkdir()
        progress("model", 0, 1)
        prepared = prepare_model_for_toolchain(model_path, staging / model_rel, report)
        progress("model", 1, 1)

        calibration = prepare_calibration_set(
            images_path,
            staging / layout.CALIBRATION_DIR,
            choices.calibration_count,
            seed=choices.seed,
            on_progress=lambda done, total: progress("images", done, total),
        )
        if not calibration.ok:
            errors = tuple(p for p in calibration.problems if p.is_error)
            raise PlanBlocked(errors, tuple(p for p in calibration.problems if not p.is_error))
        problems.extend(calibration.problems)

        (staging / layout.IMAGE_DIR).mkdir()
        test_source = choices.test_image
        test_file = test_source
        if not test_source:
            chosen = pick_representative_image(calibration) or calibration.accepted[0]
            test_source = chosen.source
            # Read the source (so --recipe reproduces the same test image) unless it sits inside
            # a zip and has no path of its own; then the prepared copy is used.
            test_file = chosen.source if Path(chosen.source).is_file() else chosen.output
        notes = prepare_image(test_file, staging / layout.TEST_IMAGE)

        # Only the images count (the calibration folder also holds its own manifest).
        staged_images = sorted(Path(image.output) for image in calibration.accepted)
        recipe = build_recipe(
            choices,
            report,
            model_file=model_rel,
            model_sha256=sha256_file(staging / model_rel),
            model_converted=prepared.converted,
            source_model_sha256=sha256_file(model_path),
            calibration_images=len(staged_images),
            images_sha256=digest_files(staged_images),
            test_image_sha256=sha256_file(staging / layout.TEST_IMAGE),
            source_test_image=str(test_source),
        )
        recipe.save(staging / layout.RECIPE_FILE)
        script = staging / layout.SCRIPT_FILE
        script.write_text(render_convert_script(recipe), encoding="utf-8", newline="\n")
        script.chmod(0o755)

        # Swap the staged parts in only now: a failure above leaves the old workspace intact.
        # work/ (earlier results and cache stamps) is kept: convert.sh decides what to redo.
        for part in (layout.MODEL_DIR, layout.CALIBRATION_DIR, layout.IMAGE_DIR):
            target = out / part
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging / part, target)
        for part in (layout.RECIPE_FILE, layout.SCRIPT_FILE):
            os.replace(staging / part, out / part)
        staged = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not staged:  # blocked, failed or Ctrl-C: no empty folder of ours is left behind
            _remove_if_empty(made)

    warnings = tuple(p for p in problems if not p.is_error)
    return StagedWorkspace(
        workdir=out,
        recipe=recipe,
        model_report=report,
        calibration_report=calibration,
        problems=warnings,
        notes=tuple(notes) + tuple(getattr(prepared, "notes", ()) or ()),
    )


def _folders_to_make(out: Path) -> list[Path]:
    """The folders ``out.mkdir(parents=True)`` will create, deepest first."""
    missing = []
    for folder in (out, *out.parents):
        if folder.exists():
            break
        missing.append(folder)
    return missing


def _remove_if_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first: a parent is empty only once its child is gone
        try:
            folder.rmdir()
        except OSError:
            return


class PlanBlocked(WizardError):
    """The plan cannot go on: carries every blocking problem (and the warnings met so far)."""

    def __init__(self, errors: tuple[Problem, ...], warnings: tuple[Problem, ...] = ()):
        super().__init__(errors[0])
        self.errors = errors
        self.warnings = warnings


def with_overrides(recipe: ConversionRecipe, **changes: object) -> ConversionRecipe:
    """A copy of a recipe with some fields changed (used by tests and the GUI's expert edits)."""
    return replace(recipe, **changes)
