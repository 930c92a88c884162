"""Host-side cost of the detection check: decode + match per picture, and raw-output bytes.

Builds head tensors like a real 640 px, 80-class YOLO11n's (background logits around -9, ten
objects per picture, each lighting up a 3x3 patch of cells on two scales, soft DFL bins), for the
float side and a perturbed INT8 side, then times ``analyse_picture`` (both camera decodes, the
near-miss candidates, Ultralytics' reference decode, the matching) on every picture, plus the
summary. Also prints how long reading one picture's outputs back from the cache takes (a
re-decode with new thresholds) and how many bytes the cache keeps per picture for each side.

Then the runner side, with the TPU-MLIR TEST DOUBLE in Docker (its image is built when missing, as
tests/images/build_toolchain_double_image.sh does, under a tag of its own): a sample model of
``--size`` px is converted, and the check runs ``--runner-pictures`` pictures through the local
Docker backend. The double's model_runner takes a fraction of the real simulator's ~20 s a
picture at 640 px, so its seconds are the runner's own cost (container, copies, driver). Bytes
sent are what a real check sends (the inputs at their real size, the model once per batch);
bytes received are the six trimmed, deflated heads, which for the double's mostly constant
tensors are far smaller than a real model's (up to raw_bytes_per_picture_* above).

    python3 bench/detection_check.py [--pictures 100] [--size 640] [--classes 80]
                                     [--runner-pictures 12] [--no-runner]

Goal: decode_match_ms_per_picture < 20.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wizard.core.detections.check import RawOutputCache, analyse_picture, pack_outputs  # noqa: E402
from wizard.core.detections.decode import MODEL_NODE_DEFAULT  # noqa: E402
from wizard.core.detections.heads import find_heads  # noqa: E402
from wizard.core.detections.match import summarize  # noqa: E402

OBJECTS = 10
ROOT = Path(__file__).resolve().parent.parent
DOUBLE_IMAGE = "recamera-wizard-test/toolchain-double:bench-detections"


def _heads(rng: np.random.Generator, size: int, classes: int, objects: list[tuple[int, int, int, int, float]],
           suffix: str) -> dict[str, np.ndarray]:
    out = {}
    for index, stride in enumerate((8, 16, 32)):
        grid = size // stride
        box = rng.normal(0, 1.5, (1, 64, grid, grid)).astype(np.float32)
        cls = rng.normal(-9, 1.5, (1, classes, grid, grid)).astype(np.float32)
        for level, row, col, cls_id, logit in objects:
            if level != index:
                continue
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    r, c = min(max(row + dr, 0), grid - 1), min(max(col + dc, 0), grid - 1)
                    cls[0, cls_id, r, c] = logit - 1.2 * (abs(dr) + abs(dc))
                    box[0, :, r, c] += np.tile(np.linspace(-2, 3, 16), 4).astype(np.float32)
        out[f"/model.23/cv2.{index}/cv2.{index}.2/Conv_output_0{suffix}"] = box
        out[f"/model.23/cv3.{index}/cv3.{index}.2/Conv_output_0{suffix}"] = cls
    return out


def _bf16(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A cvimodel's float outputs are BF16 values stored as float32."""
    return {k + "_f32": (v.view(np.uint32) & 0xFFFF0000).view(np.float32) for k, v in tensors.items()}


def _npz_bytes(arrays: dict[str, np.ndarray]) -> int:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return len(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pictures", type=int, default=100)
    parser.add_argument("--size", type=int, default=640)
    parser.add_argument("--classes", type=int, default=80)
    parser.add_argument("--runner-pictures", type=int, default=12, help="pictures for the Docker runner part")
    parser.add_argument("--no-runner", action="store_true", help="skip the Docker runner part")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    sides = []
    for _ in range(args.pictures):
        objects = [(int(rng.integers(0, 2)), int(rng.integers(2, args.size // 16 - 2)),
                    int(rng.integers(2, args.size // 16 - 2)), int(rng.integers(0, args.classes)),
                    float(rng.uniform(0.5, 4))) for _ in range(OBJECTS)]
        float_side = _heads(rng, args.size, args.classes, objects, "_Conv")
        perturbed = [(lv, r, c, k, logit + float(rng.normal(0, 0.4))) for lv, r, c, k, logit in objects]
        int8_side = _bf16(_heads(rng, args.size, args.classes, perturbed, "_Conv"))
        sides.append((float_side, int8_side))

    layout = find_heads({k: v.shape for k, v in sides[0][0].items()}, (args.size, args.size))
    analyse_picture(layout, *sides[0])  # warm-up (first numpy calls)
    timings, analyses = [], []
    for float_side, int8_side in sides:
        start = time.perf_counter()
        analyses.append(analyse_picture(layout, float_side, int8_side))
        timings.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    summary = summarize([a.comparison for a in analyses], [a.original for a in analyses],
                        [a.int8 for a in analyses], MODEL_NODE_DEFAULT)
    summary_ms = (time.perf_counter() - start) * 1000

    print(f"pictures={args.pictures}")
    print(f"size={args.size}")
    print(f"classes={args.classes}")
    print(f"decode_match_ms_per_picture={statistics.median(timings):.2f}")
    print(f"decode_match_ms_per_picture_max={max(timings):.2f}")
    print(f"summary_ms={summary_ms:.2f}")
    print(f"boxes_per_picture_original={summary.float_count / args.pictures:.1f}")
    print(f"agreement={summary.agreement:.3f}")
    with tempfile.TemporaryDirectory(prefix="detection-bench-") as folder:
        cache = RawOutputCache(Path(folder))
        for index, (float_side, int8_side) in enumerate(sides[:10]):
            cache.put("float", str(index), float_side)
            cache.put("int8", str(index), int8_side)
        start = time.perf_counter()
        for index in range(min(10, len(sides))):
            cache.get("float", str(index))
            cache.get("int8", str(index))
        load_ms = (time.perf_counter() - start) * 1000 / min(10, len(sides))
    print(f"cache_load_ms_per_picture={load_ms:.2f}")
    print(f"raw_bytes_per_picture_float={_npz_bytes(pack_outputs(sides[0][0]))}")
    print(f"raw_bytes_per_picture_int8={_npz_bytes(pack_outputs(sides[0][1]))}")
    print(f"raw_bytes_per_picture_int8_unpacked={_npz_bytes(sides[0][1])}")
    if not args.no_runner:
        runner_bench(args.size, args.runner_pictures)
    return 0


def runner_bench(size: int, pictures: int) -> None:
    """The double's model_runner through the local Docker backend: seconds and bytes per picture."""
    from wizard.core.detections.backends.local_docker import DockerModelRunner
    from wizard.core.detections.service import run_check
    from wizard.core.events import Result
    from wizard.core.images.samples import generate_sample_images
    from wizard.core.messages import WizardError
    from wizard.core.model.samples import write_sample_model
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace
    from wizard.core.runners.docker.runner import DockerRunner, connect
    from wizard.core.runners.job import ConversionJob

    try:
        client = connect()
    except WizardError as exc:
        print(f"runner=skipped ({exc.problem.code})")
        return
    subprocess.run(["bash", str(ROOT / "tests/images/build_toolchain_double_image.sh")], check=True,
                   stdout=sys.stderr, env={**os.environ, "RECAMERA_WIZARD_TEST_IMAGE": DOUBLE_IMAGE})

    class TimedDockerRunner(DockerModelRunner):
        def __init__(self, image: str, **options):
            super().__init__(image, **options)
            self.seconds: dict[str, float] = {}
            self.inputs: dict[str, int] = {}

        def run_model_runner(self, job):
            started = time.perf_counter()
            yield from super().run_model_runner(job)
            self.seconds[job.side] = time.perf_counter() - started
            self.inputs[job.side] = len(job.inputs)

    with tempfile.TemporaryDirectory(prefix="detection-bench-run-") as scratch:
        root = Path(scratch)
        model = write_sample_model(root / "yolo11n.onnx", imgsz=(size, size))
        generate_sample_images(root / "photos", pictures, size=(1280, 960))
        run_dir = root / "run"
        staged = stage_workspace(ConversionChoices(model=str(model), images=str(root / "photos"),
                                                   out=str(run_dir / "workspace"), calibration_count=pictures,
                                                   toolchain_image=DOUBLE_IMAGE))
        job = ConversionJob(DockerRunner(DOUBLE_IMAGE, recipe=staged.recipe, client=client), run_dir, cache=False)
        for _ in job.events():
            pass
        if job.verdict != "success":
            print(f"runner=skipped (the double's conversion ended {job.verdict})")
            return
        backend = TimedDockerRunner(DOUBLE_IMAGE, client=client)
        started = time.perf_counter()
        result = [e for e in run_check(run_dir, count=pictures, backend=backend) if isinstance(e, Result)][-1]
        wall = time.perf_counter() - started
        checked = int(result.details.get("pictures") or 0)
        if not result.ok or not checked:
            print(f"runner=failed ({result.details.get('problem')})")
            return
    print(f"runner_pictures={checked}")
    for side in ("float", "int8"):
        print(f"runner_seconds_per_picture_{side}_double={backend.seconds[side] / backend.inputs[side]:.2f}")
    print(f"check_wall_seconds_per_picture_double={wall / checked:.2f}")
    print(f"bytes_sent_per_picture={backend.bytes_sent // checked}")
    print(f"bytes_received_per_picture={backend.bytes_received // checked}")
    print(f"bytes_moved_per_picture={(backend.bytes_sent + backend.bytes_received) // checked}")
    print(f"containers_per_check={backend.containers}")


if __name__ == "__main__":
    sys.exit(main())
