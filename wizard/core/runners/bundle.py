"""The run folder: what a finished run leaves for the user (the reproducibility bundle).

    RUN_DIR/<name>_sym_int8.cvimodel   the model, when the conversion succeeded
    RUN_DIR/convert.log                everything the toolchain printed, as it printed it
    RUN_DIR/results.json               the parsed log + verdict, paths, image, model check
    RUN_DIR/recipe.json                the recipe (a copy of workspace/recipe.json)
    RUN_DIR/reproduce.sh               re-runs the conversion with Docker and the exact image
    RUN_DIR/job.json                   the job record (wizard.core.runners.record)
    RUN_DIR/detections.json            the detection check of the model (wizard.core.detections),
    RUN_DIR/detections/                with its side-by-side pictures
    RUN_DIR/workspace/                 the staged inputs, and work/ with the toolchain's results
                                       (wizard.core.plan.kept_files: what the user and the later
                                       steps need; results.json "work_files" lists the rest)
    RUN_DIR/previous-run/              an earlier result, while a re-run has not succeeded
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from wizard import __version__
from wizard.core.messages import WizardError
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.runners.record import JOB_FILE

RESULTS_FILE = "results.json"
REPRODUCE_FILE = "reproduce.sh"
WORKSPACE_DIR = "workspace"
# The earlier run's result while a re-run into the same folder has not succeeded (run_folder.py).
PREVIOUS_RUN_DIR = "previous-run"
# The detection check's results (wizard.core.detections.report writes them; named here because
# the run folder's rules live in this layer, below the check).
DETECTIONS_REPORT = "detections.json"
DETECTIONS_DIR = "detections"
# Everything a run folder may hold: a run never goes into a folder of someone else's files.
RUN_DIR_FILES = frozenset({WORKSPACE_DIR, "convert.log", RESULTS_FILE, "recipe.json", REPRODUCE_FILE, JOB_FILE,
                           PREVIOUS_RUN_DIR, DETECTIONS_REPORT, DETECTIONS_DIR})
RESULTS_FORMAT = 1


def check_run_dir(run_dir: Path) -> None:
    """Refuse a run folder that is a file or holds anything but an earlier run's files."""
    if run_dir.exists() and not run_dir.is_dir():
        raise WizardError.of("not_a_directory", path=str(run_dir))
    if run_dir.is_dir():
        others = [e.name for e in run_dir.iterdir() if e.name not in RUN_DIR_FILES
                  and not e.name.startswith(".") and not e.name.endswith((".cvimodel", ".bmodel"))]
        if others:
            raise WizardError.of("output_not_empty", path=str(run_dir))


def reproduce_script(recipe: ConversionRecipe, image: dict[str, Any]) -> str:
    """A script that re-runs the conversion from the bundle with the same toolchain image.

    Like the runner it copies files in and out of the container (docker cp), never bind mounts,
    so it works from any path. It pins the image by ID when that exact image is present and
    says so when it has to fall back to the tag. Pure: tested by value.
    """
    tag = str(image.get("tag") or recipe.toolchain_image)
    image_id = str(image.get("id") or "")
    labels = image.get("labels") or {}
    base = labels.get("org.recamera-wizard.base-image", "")
    digests = ", ".join(image.get("repo_digests") or []) or "none (built locally)"
    provenance = f"built FROM {base} with tpu_mlir[onnx]=={labels.get('org.recamera-wizard.tpu-mlir', recipe.tpu_mlir_version)}" if base else "made outside the wizard"
    return f"""#!/usr/bin/env bash
# reproduce.sh: re-run the conversion of "{recipe.name}" exactly, with Docker, from this folder.
#
#     bash reproduce.sh          results go to ./reproduced-<date-time>/work/
#
# Made by recamera-wizard {__version__}. Needs bash, tar and docker. The inputs are in workspace/
# as the toolchain saw them (model/, calibration/, image/test.jpg, recipe.json, convert.sh); the
# earlier outputs in workspace/work/ are NOT copied, so every step runs again.
#
# Toolchain image: {tag}
#   id:           {image_id or 'unknown'}
#   repo digests: {digests}
#   {provenance}
# Missing? Get it with: recamera-wizard toolchain-image build   (or: ... load FILE.tar)
set -euo pipefail
cd "$(dirname "${{BASH_SOURCE[0]}}")"
IMAGE_TAG={shlex.quote(tag)}
IMAGE_ID={shlex.quote(image_id)}

if [ -n "$IMAGE_ID" ] && docker image inspect "$IMAGE_ID" >/dev/null 2>&1; then
  image="$IMAGE_ID"
elif docker image inspect "$IMAGE_TAG" >/dev/null 2>&1; then
  echo "warning: $IMAGE_TAG is not the exact image of the original run ($IMAGE_ID); using it anyway" >&2
  image="$IMAGE_TAG"
else
  echo "error: the toolchain image $IMAGE_TAG is not here. Get it: recamera-wizard toolchain-image build" >&2
  exit 4
fi

out="reproduced-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
cid="$(docker create --init --label org.recamera-wizard.role=reproduce -w /workspace "$image" bash convert.sh)"
trap 'docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
tar -cf - --exclude=workspace/work workspace | docker cp - "$cid:/"
set +e
docker start -a "$cid"
rc=$?
set -e
docker cp "$cid:/workspace/work" - | tar -C "$out" -xf -
echo "reproduce.sh: convert.sh exited with $rc; results in $out/work/"
exit "$rc"
"""
