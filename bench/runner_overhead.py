"""What does the Docker runner add on top of the toolchain's own time, for one conversion?

Runs one conversion of a small YOLO11-shaped model through the TPU-MLIR TEST DOUBLE image
(recamera-wizard-test/toolchain-double:latest, built by tests/images/build_toolchain_double_image.sh
when missing) with DockerRunner + ConversionJob, and compares:

    runner_wall_seconds   prepare → upload → run → download → cleanup, as the user waits for it
    toolchain_seconds     the container's own start-to-exit time (bash convert.sh), from the engine

The double takes about a second where the real toolchain takes minutes, so the ratio here is the
worst case; ``--slow-seconds N`` makes calibration take N more seconds, to see the ratio for a
longer run. Staging (plan) is reported apart: it is not the runner's. Prints ``name=value``:

    python3 bench/runner_overhead.py [--images 24] [--slow-seconds 0]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wizard.core.events import StepFinished, StepStarted  # noqa: E402
from wizard.core.plan.choices import ConversionChoices  # noqa: E402
from wizard.core.plan.workspace import stage_workspace
from wizard.core.runners.docker.runner import DockerRunner, connect  # noqa: E402
from wizard.core.runners.job import ConversionJob  # noqa: E402
from wizard.core.images.samples import generate_sample_images  # noqa: E402
from wizard.core.model.samples import write_sample_model  # noqa: E402

IMAGE = "recamera-wizard-test/toolchain-double:latest"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=24, help="calibration images (default 24)")
    parser.add_argument("--slow-seconds", type=float, default=0.0,
                        help="make the double's calibration take this much longer")
    args = parser.parse_args()

    client = connect()
    subprocess.run(["bash", str(ROOT / "tests/images/build_toolchain_double_image.sh")], check=True,
                   stdout=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="runner-bench-") as scratch:
        root = Path(scratch)
        model = write_sample_model(root / "yolo11n.onnx")
        generate_sample_images(root / "photos", args.images, size=(1280, 960))
        started = time.perf_counter()
        staged = stage_workspace(ConversionChoices(model=str(model), images=str(root / "photos"),
                                                   out=str(root / "run" / "workspace"),
                                                   calibration_count=args.images, toolchain_image=IMAGE))
        stage_seconds = time.perf_counter() - started
        if args.slow_seconds:
            (staged.workdir / "toolchain_double_faults.json").write_text(
                json.dumps({"calibrate": {"slow_seconds": args.slow_seconds}}), encoding="utf-8")

        runner = DockerRunner(IMAGE, recipe=staged.recipe, client=client)
        job = ConversionJob(runner, root / "run", cache=False)
        steps: dict[str, float] = {}
        opened: dict[str, float] = {}
        started = time.perf_counter()
        for event in job.events():
            if isinstance(event, StepStarted):
                opened[event.step] = time.perf_counter()
            elif isinstance(event, StepFinished) and event.step in opened:
                steps[event.step] = time.perf_counter() - opened.pop(event.step)
        wall = time.perf_counter() - started
        if job.verdict != "success":
            print(f"conversion did not succeed: {job.verdict}", file=sys.stderr)
            return 1
        toolchain = runner.container_seconds or 0.0
        lines = {
            "calibration_images": staged.recipe.calibration_images,
            "slow_seconds": args.slow_seconds,
            "stage_seconds": f"{stage_seconds:.2f}",
            "runner_wall_seconds": f"{wall:.3f}",
            "toolchain_seconds": f"{toolchain:.3f}",
            "overhead_seconds": f"{wall - toolchain:.3f}",
            "ratio_wall_over_toolchain": f"{wall / toolchain:.3f}" if toolchain else "nan",
            **{f"{step}_seconds": f"{steps[step]:.3f}" for step in ("prepare", "upload", "download", "cleanup")
               if step in steps},
            "upload_bytes": runner.uploaded_bytes,
        }
        for name, value in lines.items():
            print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
