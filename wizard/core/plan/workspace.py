"""Stage a self-contained workspace for a conversion: the file work of the plan.

``stage_workspace`` inspects the model, stages a toolchain-ready copy, prepares the calibration
and test images and writes recipe.json and convert.sh (wizard.core.plan.commands), swapping them
in only once everything is ready, so a failed staging leaves the folder as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from wizard.core.checksums import sha256_file
from wizard.core.user_paths import check_input_file, check_input_folder
from wizard.core.messages import Problem, WizardError, problem
from wizard.core.model.inspect import ModelReport
from wizard.core.plan import recipe as layout
from wizard.core.plan.choices import ConversionChoices, build_recipe, safe_name, validate_choices
from wizard.core.plan.commands import render_convert_script
from wizard.core.plan.recipe import ConversionRecipe

ProgressCallback = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass(frozen=True)
class StagedWorkspace:
    workdir: Path
    recipe: ConversionRecipe
    model_report: ModelReport
    calibration_report: object  # wizard.core.images.report.CalibrationReport
    problems: tuple[Problem, ...] = ()  # warnings worth showing (errors raise instead)
    notes: tuple[str, ...] = field(default_factory=tuple)


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


def stage_workspace(
    choices: ConversionChoices,
    *,
    on_progress: ProgressCallback | None = None,
) -> StagedWorkspace:
    """Stage a self-contained workspace in ``choices.out``.

    Raises WizardError (with every blocking problem's first one) when something blocks the plan.
    Nothing in the source folders is modified; a failed staging leaves ``choices.out`` as it was.
    """
    # Here, not at the top: the images and model modules load Pillow, numpy and onnx.
    from wizard.core.images.convert import prepare_image
    from wizard.core.images.select import pick_representative_image
    from wizard.core.images.stage import prepare_calibration_set
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


class PlanBlocked(WizardError):
    """The plan cannot go on: carries every blocking problem (and the warnings met so far)."""

    def __init__(self, errors: tuple[Problem, ...], warnings: tuple[Problem, ...] = ()):
        super().__init__(errors[0])
        self.errors = errors
        self.warnings = warnings
