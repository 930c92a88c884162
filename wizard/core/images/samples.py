"""Synthetic sample scenes, drawn by our own code: free to redistribute, deterministic from a seed.

The GUI tour and the tests need "photos" without shipping anyone else's pictures. Each scene is
a sky-and-ground gradient with a few coloured shapes (boxes, discs, polygons, stripes) at
varied sizes, some soft shadow and a little sensor-like noise, so that a calibration run over
them sees a spread of brightness, colour and edges like a small real set would.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SAMPLE_NAME = "sample_{index:02d}.jpg"
SAMPLE_QUALITY = 85  # the committed set must stay small; these are previews, not references


def generate_sample_images(
    out_dir: str | Path,
    count: int,
    size: tuple[int, int] = (640, 480),
    seed: int = 0,
) -> list[Path]:
    """Write ``count`` JPEG scenes ``sample_01.jpg``... into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(1, count + 1):
        path = out / SAMPLE_NAME.format(index=index)
        draw_scene(size, seed * 100_003 + index).save(path, "JPEG", quality=SAMPLE_QUALITY)
        written.append(path)
    return written


def draw_scene(size: tuple[int, int], seed: int) -> Image.Image:
    """One RGB scene; the same ``size`` and ``seed`` always give the same pixels."""
    chooser = random.Random(seed)
    width, height = size
    image = Image.fromarray(_background(width, height, chooser), "RGB")
    _draw_shapes(image, chooser)
    if chooser.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(chooser.uniform(0.5, 1.5)))  # a soft-focus shot
    return Image.fromarray(_add_noise(np.asarray(image), chooser), "RGB")


def _background(width: int, height: int, chooser: random.Random) -> np.ndarray:
    """Sky gradient above a horizon, ground gradient below; overall light varies per scene."""
    light = chooser.uniform(0.35, 1.15)  # dusk to bright noon
    horizon = int(height * chooser.uniform(0.35, 0.65))
    sky_top = np.array([chooser.randint(40, 120), chooser.randint(90, 170), chooser.randint(160, 255)], float)
    sky_low = np.array([chooser.randint(170, 240), chooser.randint(180, 240), chooser.randint(200, 255)], float)
    ground_near = np.array([chooser.randint(40, 110), chooser.randint(50, 120), chooser.randint(20, 80)], float)
    ground_far = np.array([chooser.randint(90, 170), chooser.randint(90, 160), chooser.randint(60, 130)], float)
    rows = np.empty((height, 3))
    sky_t = np.linspace(0.0, 1.0, max(horizon, 1))[:, None]
    rows[:horizon] = sky_top * (1 - sky_t) + sky_low * sky_t
    ground_t = np.linspace(0.0, 1.0, max(height - horizon, 1))[:, None]
    rows[horizon:] = ground_far * (1 - ground_t) + ground_near * ground_t
    # A sideways light fall-off, as from a window or the sun low on one side.
    side = np.linspace(chooser.uniform(0.75, 1.0), chooser.uniform(0.75, 1.0), width)[None, :, None]
    pixels = rows[:, None, :] * side * light
    return np.clip(pixels, 0, 255).astype(np.uint8)


_PALETTE = [
    (220, 40, 40), (240, 200, 30), (40, 160, 60), (30, 90, 200), (250, 250, 250), (30, 30, 30),
    (200, 110, 40), (150, 60, 170), (90, 200, 210), (120, 120, 120), (245, 140, 170), (100, 70, 40),
]


def _draw_shapes(image: Image.Image, chooser: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(chooser.randint(3, 9)):
        colour = chooser.choice(_PALETTE)
        scale = chooser.uniform(0.05, 0.35)  # far and near objects
        w, h = int(width * scale * chooser.uniform(0.5, 1.5)), int(height * scale * chooser.uniform(0.5, 1.5))
        x, y = chooser.randint(-w // 4, width - w // 2), chooser.randint(height // 5, height - h // 3)
        box = (x, y, x + max(w, 4), y + max(h, 4))
        shadow = (box[0] + w // 10, box[3] - h // 12, box[2] + w // 6, box[3] + h // 10)
        draw.ellipse(shadow, fill=(0, 0, 0, 70))
        kind = chooser.choice(("box", "disc", "polygon", "stripes"))
        if kind == "box":
            draw.rounded_rectangle(box, radius=min(w, h) // 8, fill=colour + (255,), outline=(0, 0, 0, 160), width=2)
        elif kind == "disc":
            draw.ellipse(box, fill=colour + (255,), outline=(0, 0, 0, 120), width=2)
        elif kind == "polygon":
            points = [(chooser.randint(box[0], box[2]), chooser.randint(box[1], box[3])) for _ in range(chooser.randint(3, 6))]
            draw.polygon(points, fill=colour + (235,))
        else:
            step = max(4, w // chooser.randint(3, 7))
            for left in range(box[0], box[2], step * 2):
                draw.rectangle((left, box[1], left + step, box[3]), fill=colour + (255,))


def _add_noise(pixels: np.ndarray, chooser: random.Random) -> np.ndarray:
    # Uniform integer noise: looks like sensor grain and is several times cheaper than Gaussian
    # (the benchmark draws hundreds of full-HD scenes).
    amplitude = chooser.randint(3, 8)
    rng = np.random.default_rng(chooser.randrange(2**32))
    noisy = rng.integers(-amplitude, amplitude + 1, pixels.shape, dtype=np.int16)
    noisy += pixels
    np.clip(noisy, 0, 255, out=noisy)
    return noisy.astype(np.uint8)
