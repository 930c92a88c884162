"""How long inspect_model takes on a ~40 MB YOLO-like model (the size of a YOLO11m export).

Prints ``name=value`` lines so a CI job or a person can compare runs:
    python3 bench/inspect_speed.py [--megabytes 40] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wizard.core.model.inspect import inspect_model  # noqa: E402
from wizard.core.model.samples import write_sample_model  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=40.0, help="model size to build (default 40)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs; the median is reported (default 7)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="inspect-bench-") as folder:
        path = write_sample_model(Path(folder) / "big.onnx", pad_to_bytes=int(args.megabytes * 1_000_000))
        start = time.perf_counter()
        inspect_model(path)  # the first call pays for importing onnx; users pay it once per session
        first_ms = (time.perf_counter() - start) * 1000
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            report = inspect_model(path)
            timings.append((time.perf_counter() - start) * 1000)
        if not report.convertible or len(report.output_names) != 6:
            print("error=the benchmark model did not inspect as a convertible YOLO11 model", file=sys.stderr)
            return 1
        label = f"{args.megabytes:g}mb"
        print(f"model_bytes={path.stat().st_size}")
        print(f"runs={args.runs}")
        print(f"inspect_first_call_ms={first_ms:.1f}")
        print(f"inspect_{label}_ms={statistics.median(timings):.1f}")
        print(f"inspect_{label}_min_ms={min(timings):.1f}")
        print(f"inspect_{label}_max_ms={max(timings):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
