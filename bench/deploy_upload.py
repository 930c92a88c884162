"""Upload throughput of the deploy against the loopback reCamera simulator (no real device).

Measures the client side of a chunked upload (512 KB requests, multipart encoding, md5, one
connection per request) plus the simulator's writes; the real camera's USB link
(USB 2.0 networking) and flash writes are slower, so this is an upper bound that shows client regressions, not device speed.
Prints ``name=value`` lines:
    python3 bench/deploy_upload.py [--megabytes 8] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from recamera_sim import ReCameraSimulator, make_cvimodel  # noqa: E402
from wizard.core.device.client import ReCameraClient  # noqa: E402
from wizard.core.device.model_json import build_model_info  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=8.0, help="model size (default 8, a large YOLO11n)")
    parser.add_argument("--runs", type=int, default=5, help="timed uploads; the median is reported (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="deploy-bench-") as folder:
        root = Path(folder)
        model = make_cvimodel(root / "bench.cvimodel", size=int(args.megabytes * 1_000_000))
        info = build_model_info(model, ["a", "b"], md5="0" * 32)
        with ReCameraSimulator(root / "camera", with_websocket=False) as sim:  # binds 127.0.0.1 only
            client = ReCameraClient(sim.device)
            timings = []
            for _ in range(args.runs):
                start = time.perf_counter()
                report = client.upload_model(model, info)
                timings.append(time.perf_counter() - start)
            if sim.active_model.read_bytes() != model.read_bytes():
                print("error=the uploaded file differs", file=sys.stderr)
                return 1
        size = model.stat().st_size
    median = statistics.median(timings)
    print(f"upload_bytes={size}")
    print(f"upload_chunks={report.chunks}")
    print(f"upload_seconds_median={median:.4f}")
    print(f"upload_mb_per_s_median={size / median / 1e6:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
