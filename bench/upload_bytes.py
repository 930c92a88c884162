"""How many bytes does a conversion upload, against the guide's zip of the original photos?

The guide (Step 2 of the cloud path) zips the calibration folder as it is and copies it with the
model and the test image (``zip -r calibration_images.zip ...; scp ...``). The wizard uploads its
staged workspace instead: the model, the calibration images after preparation (RGB JPEG, longest
side 1280), the test image, recipe.json and convert.sh, as one tar stream (what DockerRunner's
put_archive and SshRunner's upload send).

Generates ``--count`` camera-sized photos (default 100 at 4000x3000): a synthetic scene drawn at
1/4 size, upscaled, plus sensor-like Gaussian noise (sigma 6, a random crop of a noise tile) so
JPEG compresses them like real photos (~3 MB each at quality 92). Prints ``name=value`` lines:

    python3 bench/upload_bytes.py [--count 100] [--size 4000x3000] [--keep DIR]

Takes 3-5 minutes on 2 cores at the default size, mostly drawing the photos; ``--size 2000x1500``
is ~4x quicker (the size used is printed as ``photo_size``). Measured here (2026-11, 100 photos at
4000x3000): guide 310 MB, wizard 29 MB, ratio 10.65.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from wizard.core.plan.choices import ConversionChoices  # noqa: E402
from wizard.core.plan.workspace import stage_workspace
from wizard.core.runners.safe_tar import tar_directory, write_tar  # noqa: E402
from wizard.core.images.samples import draw_scene  # noqa: E402
from wizard.core.model.samples import write_sample_model  # noqa: E402

NOISE_SIGMA = 6.0
JPEG_QUALITY = 92


class _Counter(io.RawIOBase):
    def __init__(self) -> None:
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.count += len(data)
        return len(data)


def make_photos(folder: Path, count: int, size: tuple[int, int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    width, height = size
    tile = rng.normal(0.0, NOISE_SIGMA, (1024 + 64, 1024 + 64, 3)).astype(np.int16)
    for index in range(count):
        scene = draw_scene((max(64, width // 4), max(48, height // 4)), 1000 + index)
        pixels = np.asarray(scene.resize((width, height), Image.BICUBIC), dtype=np.int16)
        # A random crop of one noise tile, repeated: per-pixel noise at a fraction of the cost.
        dy, dx = rng.integers(0, 64, 2)
        noise = np.tile(tile[dy : dy + 1024, dx : dx + 1024], (height // 1024 + 1, width // 1024 + 1, 1))
        pixels = np.clip(pixels + noise[:height, :width], 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"IMG_{index + 1:04d}.JPG", "JPEG", quality=JPEG_QUALITY)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--size", default="4000x3000", help="photo size WxH (default 4000x3000)")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    with tempfile.TemporaryDirectory(prefix="upload-bench-") as scratch:
        root = args.keep or Path(scratch)
        photos = root / "photos"
        started = time.perf_counter()
        make_photos(photos, args.count, (width, height))
        generated = time.perf_counter() - started
        model = write_sample_model(root / "yolo11n.onnx")
        test_image = photos / "IMG_0001.JPG"

        # The guide: zip -r of the original folder, plus the model and the test image as they are.
        zip_path = root / "calibration_images.zip"
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for photo in sorted(photos.iterdir()):
                archive.write(photo, f"calibration/{photo.name}")
        originals = sum(p.stat().st_size for p in photos.iterdir())
        guide_bytes = zip_path.stat().st_size + model.stat().st_size + test_image.stat().st_size

        started = time.perf_counter()
        staged = stage_workspace(ConversionChoices(model=str(model), images=str(photos),
                                                   out=str(root / "workspace"), test_image=str(test_image),
                                                   calibration_count=args.count))
        prepared = time.perf_counter() - started
        sink = _Counter()
        entries = [("workspace", staged.workdir)] + list(tar_directory(staged.workdir, arcname="workspace"))
        write_tar(entries, sink)  # exactly the stream the runners upload
        calibration = sum(p.stat().st_size for p in (staged.workdir / "calibration").iterdir())

        lines = {
            "photos": args.count,
            "photo_size": f"{width}x{height}",
            "generate_seconds": f"{generated:.1f}",
            "prepare_seconds": f"{prepared:.1f}",
            "originals_bytes": originals,
            "guide_zip_bytes": zip_path.stat().st_size,
            "guide_upload_bytes": guide_bytes,
            "prepared_calibration_bytes": calibration,
            "wizard_upload_bytes": sink.count,
            "calibration_images_staged": staged.recipe.calibration_images,
            "ratio_guide_over_wizard": f"{guide_bytes / sink.count:.2f}",
        }
        for name, value in lines.items():
            print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
