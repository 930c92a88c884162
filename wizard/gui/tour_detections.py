"""The tour's detection check: pictures with planted objects, and a check replayed over them.

No toolchain runs in the tour, so the two models' boxes are made up here: the original model finds
the planted objects (persons, cars, dogs: the sample model's classes), and the INT8 side loses,
shifts, relabels or adds a few, as ``FATES`` says. Everything after that is the core's own
code: matching (match.py), the verdict and what to try, detections.json (report.py) and the
side-by-side drawings (draw.py), worst pictures first. The events are the ones a real check
sends, texts from the core's catalogue, with an estimate per picture.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from wizard.core.events import Event, LogLine, Progress, Result
from wizard.core.messages import current_language, render
from wizard.gui.services import GuiDetectionCheck

CLASS_NAMES = ("person", "car", "dog")
INPUT_SIZE = 320  # the tour's sample model
SIMULATOR_SECONDS = 3.0  # what the CV18xx simulator takes per picture at 320 (the estimate shown)


@dataclass(frozen=True)
class Planted:
    x1: float
    y1: float
    x2: float
    y2: float
    class_id: int


# -- pictures ----------------------------------------------------------------------------------


def _draw_person(draw, box, rng) -> None:
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    skin = rng.choice([(241, 194, 160), (198, 134, 96), (141, 85, 54)])
    shirt = rng.choice([(200, 40, 40), (40, 90, 190), (240, 200, 40), (60, 150, 70), (240, 240, 240)])
    trousers = rng.choice([(40, 40, 60), (90, 70, 50), (30, 60, 110)])
    head = w * 0.42
    cx = (x1 + x2) / 2
    draw.ellipse((cx - head / 2, y1, cx + head / 2, y1 + head), fill=skin)
    draw.rounded_rectangle((x1 + w * 0.1, y1 + head * 1.05, x2 - w * 0.1, y1 + h * 0.58), radius=w * 0.15, fill=shirt)
    draw.rectangle((x1 + w * 0.2, y1 + h * 0.56, cx - w * 0.04, y2), fill=trousers)
    draw.rectangle((cx + w * 0.04, y1 + h * 0.56, x2 - w * 0.2, y2), fill=trousers)
    draw.rectangle((x1, y1 + head * 1.15, x1 + w * 0.12, y1 + h * 0.5), fill=shirt)
    draw.rectangle((x2 - w * 0.12, y1 + head * 1.15, x2, y1 + h * 0.5), fill=shirt)


def _draw_car(draw, box, rng) -> None:
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    paint = rng.choice([(200, 30, 30), (30, 60, 160), (230, 230, 230), (40, 40, 40), (240, 180, 20)])
    draw.polygon([(x1 + w * 0.2, y1 + h * 0.45), (x1 + w * 0.32, y1), (x2 - w * 0.3, y1), (x2 - w * 0.15, y1 + h * 0.45)],
                 fill=paint)
    draw.polygon([(x1 + w * 0.27, y1 + h * 0.42), (x1 + w * 0.36, y1 + h * 0.1), (x2 - w * 0.34, y1 + h * 0.1),
                  (x2 - w * 0.22, y1 + h * 0.42)], fill=(170, 200, 220))
    draw.rounded_rectangle((x1, y1 + h * 0.4, x2, y1 + h * 0.82), radius=h * 0.12, fill=paint)
    wheel = h * 0.36
    for cx in (x1 + w * 0.22, x2 - w * 0.22):
        draw.ellipse((cx - wheel / 2, y2 - wheel, cx + wheel / 2, y2), fill=(25, 25, 25))
        draw.ellipse((cx - wheel / 5, y2 - wheel / 2 - wheel / 5, cx + wheel / 5, y2 - wheel / 2 + wheel / 5),
                     fill=(150, 150, 150))


def _draw_dog(draw, box, rng) -> None:
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    fur = rng.choice([(150, 100, 50), (220, 190, 140), (60, 45, 35), (235, 235, 225)])
    facing_right = rng.random() < 0.5
    body = (x1 + w * 0.12, y1 + h * 0.3, x2 - w * 0.12, y1 + h * 0.72)
    draw.ellipse(body, fill=fur)
    head = h * 0.45
    hx = x2 - head if facing_right else x1
    draw.ellipse((hx, y1, hx + head, y1 + head), fill=fur)
    ear = (hx + head * 0.55, y1 - head * 0.05, hx + head * 0.95, y1 + head * 0.45) if facing_right else \
        (hx + head * 0.05, y1 - head * 0.05, hx + head * 0.45, y1 + head * 0.45)
    draw.ellipse(ear, fill=tuple(max(0, c - 40) for c in fur))
    for lx in (0.2, 0.32, 0.62, 0.74):
        x = x1 + w * lx
        draw.rectangle((x, y1 + h * 0.62, x + w * 0.07, y2), fill=fur)
    tail_x = x1 + w * 0.12 if facing_right else x2 - w * 0.12
    draw.line((tail_x, y1 + h * 0.4, tail_x + (-w * 0.12 if facing_right else w * 0.12), y1 + h * 0.15), fill=fur,
              width=max(2, int(h * 0.06)))


_DRAWERS = (_draw_person, _draw_car, _draw_dog)
_ASPECT = (0.42, 2.1, 1.5)  # width / height of each class


def _iou(a: Planted, b: Planted) -> float:
    ix = max(0.0, min(a.x2, b.x2) - max(a.x1, b.x1))
    iy = max(0.0, min(a.y2, b.y2) - max(a.y1, b.y1))
    inter = ix * iy
    union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter
    return inter / union if union else 0.0


def plant_objects(background: Path, out: Path, seed: int) -> list[Planted]:
    """A copy of ``background`` with 1 to 4 objects standing on the ground; returns their boxes."""
    from PIL import Image, ImageDraw  # slow import: only when the tour makes its pictures

    rng = random.Random(seed)
    with Image.open(background) as image:
        picture = image.convert("RGB")
    width, height = picture.size
    draw = ImageDraw.Draw(picture)
    planted: list[Planted] = []
    wanted = rng.randint(1, 4)
    for _ in range(40):
        if len(planted) >= wanted:
            break
        cls = rng.choice((0, 0, 1, 2))
        bottom = rng.uniform(0.62, 0.97) * height
        size = (0.22 + 0.45 * (bottom / height - 0.6)) * height  # nearer is larger
        h = size * (1.0 if cls == 0 else 0.55 if cls == 1 else 0.5)
        w = h * _ASPECT[cls]
        left = rng.uniform(0, width - w)
        box = Planted(round(left), round(bottom - h), round(left + w), round(bottom), cls)
        if box.y1 < 0 or any(_iou(box, other) > 0.05 for other in planted):
            continue
        _DRAWERS[cls](draw, (box.x1, box.y1, box.x2, box.y2), rng)
        planted.append(box)
    picture.save(out, quality=90)
    return planted


# -- the two models' boxes ---------------------------------------------------------------------


def _detections(rows: Sequence[tuple[float, float, float, float, float, int]], placement):
    from wizard.core.detections.decode import Detections

    if not rows:
        return Detections.empty()
    data = np.asarray(rows, dtype=np.float64)
    return Detections(placement.to_input(data[:, :4]), data[:, 4], data[:, 5].astype(np.int64))


# What the INT8 side does to each picture's objects, in order (objects past the end are kept):
# k kept (a little looser, a little less sure), m missed, n missed but found just below the
# camera's threshold, s shifted (a looser box, still the same object), c class changed;
# "+" adds a detection of something that is not there.
FATES = ("kmn+", "kc", "k", "k", "sk+", "kk", "k", "kkk", "nk", "kkkk", "k+", "kk")


def model_boxes(planted: Sequence[Planted], seed: int, size: tuple[int, int], placement):
    """(original, int8, int8 candidates below the threshold) for one picture, in model-input pixels."""
    rng = random.Random(seed * 7919 + 13)
    fates = FATES[seed % len(FATES)]
    width, height = size
    original, int8, below = [], [], []
    for index, box in enumerate(planted):
        score = round(rng.uniform(0.62, 0.93), 3)
        jitter = [rng.uniform(-1.5, 1.5) for _ in range(4)]
        float_box = (box.x1 + jitter[0], box.y1 + jitter[1], box.x2 + jitter[2], box.y2 + jitter[3])
        original.append((*float_box, score, box.class_id))
        fate = fates[index] if index < len(fates.rstrip("+")) else "k"
        w, h = box.x2 - box.x1, box.y2 - box.y1
        if fate in "mn":
            if fate == "n":
                below.append((*float_box, round(rng.uniform(0.32, 0.43), 3), box.class_id))
            continue
        if fate == "s":
            dx = w * rng.choice((-1, 1)) * rng.uniform(0.12, 0.16)
            int8.append((float_box[0] + dx, float_box[1], float_box[2] + dx, float_box[3],
                         round(score - rng.uniform(0.05, 0.15), 3), box.class_id))
            continue
        if fate == "c":
            int8.append((*float_box, round(score - 0.2, 3), 0 if box.class_id else 2))
            continue
        move = [rng.uniform(-0.03, 0.03) * (w if i % 2 == 0 else h) for i in range(4)]
        int8.append((float_box[0] + move[0], float_box[1] + move[1], float_box[2] + move[2], float_box[3] + move[3],
                     round(score - rng.uniform(0.0, 0.08), 3), box.class_id))
    if fates.endswith("+"):
        w = rng.uniform(0.08, 0.14) * width
        x, y = rng.uniform(0, width - w), rng.uniform(0.35, 0.6) * height
        int8.append((x, y, x + w, y + w * 0.8, round(rng.uniform(0.46, 0.58), 3), rng.choice((0, 2))))
    return _detections(original, placement), _detections(int8, placement), _detections(int8 + below, placement)


# -- the report ----------------------------------------------------------------------------------


def build_report(pictures: Sequence[tuple[Path, list[Planted]]], out_dir: Path, model_name: str, lang: str):
    """detections.json and detections/NN_<name>.png in ``out_dir``, by the core's own code."""
    import shutil

    from PIL import Image

    from wizard import __version__
    from wizard.core.checksums import sha256_file
    from wizard.core.detections.decode import MODEL_NODE_DEFAULT, UltralyticsSettings
    from wizard.core.detections.draw import draw_picture, drawing_name
    from wizard.core.detections.letterbox import Preprocess, letterbox
    from wizard.core.detections.match import MATCH_IOU, compare_picture, summarize, worst_first
    from wizard.core.detections.report import (
        PICTURES_DIR,
        REPORT_FILE,
        DetectionReport,
        Message,
        ModelRecord,
        picture_record,
        summary_record,
    )

    pre = Preprocess(INPUT_SIZE, INPUT_SIZE, pad_value=114)
    thresholds = MODEL_NODE_DEFAULT
    analysed = []
    for index, (path, planted) in enumerate(pictures):
        with Image.open(path) as image:
            size = image.size
        _, placement = letterbox(np.zeros((size[1], size[0], 3), dtype=np.uint8), pre)
        original, int8, candidates = model_boxes(planted, index, size, placement)
        comparison = compare_picture(original, int8, candidates, score_threshold=thresholds.score,
                                     iou_threshold=MATCH_IOU)
        analysed.append((path, placement, original, int8, comparison))
    comparisons = [a[4] for a in analysed]
    summary = summarize(comparisons, [a[2] for a in analysed], [a[3] for a in analysed], thresholds, CLASS_NAMES)
    drawings = out_dir / PICTURES_DIR
    shutil.rmtree(drawings, ignore_errors=True)
    records = []
    for rank, index in enumerate(worst_first(comparisons), start=1):
        path, placement, original, int8, comparison = analysed[index]
        image = f"{PICTURES_DIR}/{drawing_name(rank, path.name)}"
        record = picture_record(rank=rank, name=path.name, source=str(path), sha256=sha256_file(path),
                                placement=placement, original=original, int8=int8, comparison=comparison,
                                class_names=CLASS_NAMES, image=image)
        draw_picture(record, path, out_dir / image, lang=lang)
        records.append(record)
    digest = hashlib.sha256(b"tour").hexdigest()
    report = DetectionReport(
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), wizard_version=__version__, key=digest,
        model=ModelRecord(name=model_name, cvimodel=f"{model_name}_cv181x_int8_sym.cvimodel", cvimodel_sha256=digest,
                          mlir=f"{model_name}.mlir", mlir_sha256=digest, input_height=INPUT_SIZE,
                          input_width=INPUT_SIZE, num_classes=len(CLASS_NAMES), class_names=list(CLASS_NAMES),
                          task="detect", camera_decoder="yolo11", int8_outputs=False),
        preprocess=pre.to_dict(), thresholds=thresholds.to_dict(), match_iou=MATCH_IOU,
        ultralytics=UltralyticsSettings().to_dict(), summary=summary_record(summary),
        verdict=Message.of(summary.verdict), suggestions=[Message.of(p) for p in summary.suggestions], notes=[],
        pictures=records, skipped=[])
    return report.save(out_dir / REPORT_FILE)


# -- the replayed check --------------------------------------------------------------------------


class TourDetectionCheck(GuiDetectionCheck):
    """Sends what a real check sends (per-picture progress with an estimate, the runner's lines),
    then writes the report. ``pause_at``: INT8 picture after which to wait for ``resume``."""

    def __init__(self, run_dir: str, count: int, backgrounds: Sequence[Path], model_name: str = "helmet",
                 tick: float = 0.02):
        self.run_dir = run_dir
        self.count = count
        self.backgrounds = list(backgrounds)
        self.model_name = model_name
        self.tick = tick
        self.pause_at: int | None = None
        self.paused = threading.Event()  # set while waiting at ``pause_at``
        self.resume = threading.Event()
        self.cancelled = threading.Event()

    def events(self) -> Iterator[Event]:
        from wizard.core.detections.check import CHECK_STEP, MODEL_RUNNER_STEP

        run = Path(self.run_dir)
        folder = run / "check_pictures"
        folder.mkdir(parents=True, exist_ok=True)
        chosen = self.backgrounds[: self.count]
        total = len(chosen)
        yield Progress(CHECK_STEP, 0.0, render("detections_progress_prepare", {"count": total})[0])
        pictures = [(folder / source.name, plant_objects(source, folder / source.name, seed))
                    for seed, source in enumerate(chosen)]
        for side, code, model in (("float", "detections_progress_original", f"{self.model_name}.mlir"),
                                  ("int8", "detections_progress_int8", f"{self.model_name}_cv181x_int8_sym.cvimodel")):
            for done, (path, _) in enumerate(pictures, start=1):
                if self.cancelled.is_set():
                    return
                yield LogLine(f"model_runner.py --input {path.stem}_{side}.npz --model {model} "
                              f"--output {path.stem}_{side}_out.npz", MODEL_RUNNER_STEP)
                time.sleep(self.tick)
                left = (total - done) * (SIMULATOR_SECONDS if side == "int8" else SIMULATOR_SECONDS / 6)
                eta = "" if done == total else (
                    render("detections_eta_minutes", {"minutes": f"{left / 60:.0f}"})[0] if left >= 90
                    else render("detections_eta_seconds", {"seconds": f"{max(1, round(left))}"})[0])
                text = render(code, {"done": done, "total": total, "name": path.name, "eta": eta})[0]
                yield Progress(CHECK_STEP, done / total if side == "int8" else None, text, done=done, total=total)
                if side == "int8" and done == self.pause_at:
                    self.paused.set()
                    self.resume.wait(30)
                    self.paused.clear()
        yield Progress(CHECK_STEP, 1.0, render("detections_progress_report", {})[0])
        report = build_report(pictures, run, self.model_name, current_language())
        yield Result(ok=True, run_dir=self.run_dir, details={"report": str(report), "pictures": total})

    def cancel(self) -> None:
        self.cancelled.set()
        self.resume.set()
