"""A recipe as exact toolchain command lines and as convert.sh, with each step's cache key.

Pure functions, tested by value: ``output_file_names``/``expected_outputs`` (what each step
writes, as the guide names it), ``recipe_commands``, ``cache_keys`` and ``render_convert_script``.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass
from typing import Sequence

from wizard import __version__
from wizard.core.plan import recipe as layout
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.toolchain.processors import get_processor


@dataclass(frozen=True)
class ToolchainCommand:
    step: str  # "transform" | "calibrate" | "deploy"
    argv: tuple[str, ...]
    outputs: tuple[str, ...]  # what it must leave for the later steps (relative to work/)
    same_again: bool = False  # run again with an unchanged key, it writes the same files

    @property
    def shell(self) -> str:
        return shlex.join(self.argv)


def _valued(option: str, value: str) -> list[str]:
    """``--option value``, as the guide writes it; ``--option=value`` for a value that starts with
    '-': model_transform 1.7 takes --mean/--scale with an optional value (nargs='?'), so in
    ``--mean -0.5,...`` argparse reads the value as an unknown option (issue 12.2)."""
    return [f"{option}={value}"] if value.startswith("-") else [option, value]


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
        # The weight file the top MLIR names (module.weight_file): model_runner needs both.
        "weights": f"{name}_top_f32_all_weight.npz",
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
        *_valued("--mean", _floats(recipe.mean)),
        *_valued("--scale", _floats(recipe.scale)),
    ]
    if recipe.keep_aspect_ratio:
        transform.append("--keep_aspect_ratio")
    transform += ["--pixel_format", recipe.pixel_format]
    if recipe.output_names:
        transform += ["--output_names", ",".join(recipe.output_names)]
    transform += ["--test_input", test_input, "--test_result", files["top_outputs"], "--mlir", files["mlir"]]
    # Running it again with the same key writes the same MLIR and weights: a calibration made
    # from them still holds (convert.sh), so the cache can skip calibration when model_transform
    # only has to remake its float reference, which runs do not bring back (kept_files.py).
    commands = [ToolchainCommand("transform", tuple(transform),
                                 (files["mlir"], files["weights"], files["top_outputs"]), same_again=True)]

    if needs_calibration(recipe):
        calibrate = [
            "run_calibration", files["mlir"],
            "--dataset", f"../{layout.CALIBRATION_DIR}",
            "--input_num", str(recipe.calibration_count),
            "-o", files["calibration_table"],
        ]
        commands.append(ToolchainCommand("calibrate", tuple(calibrate), (files["calibration_table"],)))

    deploy = ["model_deploy", "--mlir", files["mlir"], "--quantize", recipe.quantize]
    if recipe.quant_input:
        deploy.append("--quant_input")
    deploy += ["--processor", recipe.processor]
    if needs_calibration(recipe):
        deploy += ["--calibration_table", files["calibration_table"]]
    deploy += ["--test_input", test_input, "--test_reference", files["top_outputs"]]
    if recipe.tolerance:
        deploy += _valued("--tolerance", _floats(recipe.tolerance))
    if recipe.customization_format:
        deploy += ["--customization_format", recipe.customization_format]
    if recipe.fuse_preprocess:
        deploy.append("--fuse_preprocess")
    if recipe.aligned_input:
        deploy.append("--aligned_input")
    deploy += ["--model", files["model"]]
    commands.append(ToolchainCommand("deploy", tuple(deploy), (files["model"],)))
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
# outputs exist) is skipped: its results came from the calibration cache or an earlier run.
set -uo pipefail
# The tools are Python: unbuffered, their lines reach a Docker or SSH log live and in order.
export PYTHONUNBUFFERED=1
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
mkdir -p "$here/{work}/.done" && cd "$here/{work}" || exit 1
# What work/ holds when this script ends, "<bytes><TAB><path>" a file: the run folder says what
# stayed where the run ran without fetching it (wizard.core.plan.kept_files).
write_listing() {{ find . -type f ! -path ./.listing -printf '%s\\t%P\\n' > .listing 2>/dev/null || true; }}
rm -f .listing  # an earlier run's (from the cache or the run folder) must not pass for this one's
trap write_listing EXIT

# Wheels expose model_transform and model_transform.py; source builds only the .py names.
find_tool() {{
  if command -v "$1" >/dev/null 2>&1; then printf '%s' "$1"
  elif command -v "$1.py" >/dev/null 2>&1; then printf '%s' "$1.py"
  else return 127
  fi
}}

# How many processes the kernel's OOM killer has ended in this cgroup (a container's own, or the
# login session's), from cgroup v2 memory.events or v1 memory.oom_control; nothing when unknown.
# The wheel's launcher turns a tool killed for memory into "exit 1" with no message, so this
# count, read before and after each step, is the only trace such a kill leaves (issue 12.1).
oom_kills() {{
  local v2 v1 file count
  v2="$(awk -F: '$1 == "0" && $2 == "" {{print $3; exit}}' /proc/self/cgroup 2>/dev/null)"
  v1="$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {{print $3; exit}}' /proc/self/cgroup 2>/dev/null)"
  for file in "/sys/fs/cgroup$v2/memory.events" "/sys/fs/cgroup/memory$v1/memory.oom_control" \
      /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
    count="$(awk '$1 == "oom_kill" {{print $2; exit}}' "$file" 2>/dev/null)"
    if [ -n "$count" ]; then printf '%s' "$count"; return 0; fi
  done
  return 1
}}

# The wheel's launcher (tpu_mlir/__init__.py) forces OMP_NUM_THREADS=4 on every tool, whatever
# the machine: 4 threads fight over 2 cores on a small VM or Docker Desktop, and leave cores idle
# on a big one. So the tools are started the way the launcher starts them (its own entry point,
# exit 1 on any failure, the same child python3), with the thread count set to the cores this run
# may use (nproc: the container's cpuset, the process's affinity). WIZARD_THREADS overrides it.
# A toolchain without that entry point (a source build) runs the tool as it is.
threads="${{WIZARD_THREADS:-$(nproc 2>/dev/null || echo 4)}}"
launch_tool='import os, sys
tool, args = sys.argv[1], sys.argv[2:]
try:
    import tpu_mlir
    from tpu_mlir import entry
    start = getattr(entry, tool[:-3] if tool.endswith(".py") else tool)
except (ImportError, AttributeError):
    os.execvp(tool, [tool] + args)
os.environ["OMP_NUM_THREADS"] = os.environ["WIZARD_THREADS"]
sys.argv = [tool] + args
start()'
run_tool() {{
  if command -v python3 >/dev/null 2>&1; then WIZARD_THREADS="$threads" python3 -c "$launch_tool" "$@"
  else "$@"
  fi
}}

# run_step STEP KEY SHOWN SAME_AGAIN N OUTPUT... TOOL ARG...
# Once a step has run, every later step runs too: its inputs are new even if its key is not,
# except after a step that runs the same again (SAME_AGAIN=1: with its key unchanged it writes
# the same files; it ran only because one of its N outputs was missing).
ran_a_step=0
run_step() {{
  local step="$1" key="$2" shown="$3" same_again="$4" count="$5" tool rc started kills_before kills_after
  local output outputs missing=0 stamped=0
  shift 5
  outputs=("${{@:1:$count}}")
  shift "$count"
  for output in "${{outputs[@]}}"; do [ -e "$output" ] || missing=1; done
  if [ -f ".done/$step" ] && [ "$(cat ".done/$step")" = "$key" ]; then stamped=1; fi
  if [ "$ran_a_step" = 0 ] && [ "$stamped" = 1 ] && [ "$missing" = 0 ]; then
    echo "[wizard] step $step skipped (cached)"
    return 0
  fi
  if [ "$same_again" = 0 ] || [ "$stamped" = 0 ]; then ran_a_step=1; fi
  # Old outputs go first: the tools then write new files, never into one that another name
  # (the run folder's model, an earlier result kept aside) still points at.
  rm -f ".done/$step" "${{outputs[@]}}"
  if ! tool="$(find_tool "$1")"; then
    echo "[wizard] step $step started: $shown"
    echo "[wizard] error: $1 is not installed in this image (is tpu_mlir installed?)" >&2
    echo "[wizard] step $step finished rc=127 elapsed=0"
    exit 127
  fi
  shift
  echo "[wizard] step $step started: $shown"
  started=$SECONDS
  kills_before="$(oom_kills)"
  run_tool "$tool" "$@"
  rc=$?
  if [ "$rc" -ne 0 ] && [ -n "$kills_before" ]; then
    kills_after="$(oom_kills)"
    if [ -n "$kills_after" ] && [ "$kills_after" -gt "$kills_before" ]; then
      echo "[wizard] step $step ran out of memory: the kernel's OOM killer ended $((kills_after - kills_before)) process(es)"
    fi
  fi
  echo "[wizard] step $step finished rc=$rc elapsed=$((SECONDS - started))"
  if [ "$rc" -ne 0 ]; then exit "$rc"; fi
  for output in "${{outputs[@]}}"; do
    if [ ! -e "$output" ]; then
      echo "[wizard] error: $tool reported success but did not write $output" >&2
      exit 1
    fi
  done
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
        outputs = " ".join(shlex.quote(o) for o in command.outputs)
        lines.append(
            f"\nrun_step {command.step} {shlex.quote(keys[command.step])} \\\n    {shown} \\\n"
            f"    {int(command.same_again)} {len(command.outputs)} {outputs} \\\n    {args}\n"
        )
    model = output_file_names(recipe)["model"]
    lines.append(f"\necho {shlex.quote('[wizard] done: ' + layout.WORK_DIR + '/' + model)}\n")
    return "".join(lines)
