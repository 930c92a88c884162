"""How fast is preparing a calibration set, and how much memory does it take?

Generates N synthetic 1920x1080 "photos" (wizard.core.images.samples), prepares them with the
default settings and prints ``name=value`` lines, easy to compare between commits:

    python3 bench/calibration_speed.py [--count 200] [--workers N] [--keep DIR]

Generation time is excluded from images_per_second. Peak RSS is the whole process (it includes
generating the inputs), from resource.getrusage: an upper bound for the preparation itself.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wizard.core.images.stage import prepare_calibration_set  # noqa: E402
from wizard.core.images.samples import generate_sample_images  # noqa: E402


def peak_rss_megabytes() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def folder_bytes(folder: Path, pattern: str = "*.jpg") -> int:
    return sum(p.stat().st_size for p in folder.rglob(pattern))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="images to generate and prepare")
    parser.add_argument("--workers", type=int, default=None, help="threads (default: up to 4)")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="calibration-bench-") as scratch:
        root = args.keep or Path(scratch)
        source, output = root / "photos", root / "calib"
        started = time.perf_counter()
        generate_sample_images(source, args.count, size=(1920, 1080), seed=1)
        generated = time.perf_counter() - started

        started = time.perf_counter()
        report = prepare_calibration_set(source, output, count=None, workers=args.workers)
        elapsed = time.perf_counter() - started

        input_bytes, output_bytes = folder_bytes(source), folder_bytes(output)
        lines = {
            "images": args.count,
            "accepted": len(report.accepted),
            "rejected": len(report.rejected),
            "generate_seconds": f"{generated:.2f}",
            "prepare_seconds": f"{elapsed:.2f}",
            "images_per_second": f"{len(report.accepted) / elapsed:.1f}" if elapsed else "inf",
            "peak_rss_mb": f"{peak_rss_megabytes():.0f}",
            "input_bytes": input_bytes,
            "output_bytes": output_bytes,
            "output_to_input_ratio": f"{output_bytes / input_bytes:.2f}" if input_bytes else "n/a",
            "output_side": f"{report.accepted[0].width}x{report.accepted[0].height}" if report.accepted else "n/a",
        }
    for name, value in lines.items():
        print(f"{name}={value}")
    return 0 if report.accepted else 1


if __name__ == "__main__":
    raise SystemExit(main())
