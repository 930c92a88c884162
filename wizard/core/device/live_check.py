"""Read a few live result frames from the model node's WebSocket and draw the boxes.

Facts (recamera.md, from sscma-example-sg200x / sscma-node): the model node serves
``ws://<ip>:8090``; each message is JSON with ``data.image`` (base64 JPEG), ``data.boxes`` as
``[cx, cy, w, h, score, class]`` (node-red-contrib-sscma nodes/model.html help text), ``labels``,
``resolution`` and ``perf``. ``perf`` is read as ``[[pre, infer, post], ...]`` in ms, the layout
sscma-node uses in its MQTT replies (a Home Assistant integration's README sums
``data.perf[0][0..2]``); a flat ``[pre, infer, post]`` is accepted too. Scores above 1 are
percentages (SSCMA reports 0-100).

Client: the ``websockets`` package's blocking client (websockets.sync.client), well kept and
pure Python; called from an executor by the GUI like everything else here.
"""

from __future__ import annotations

import base64
import io
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from wizard.core.device import answers
from wizard.core.device.errors import DeviceError
from wizard.core.device.lines import line
from wizard.core.messages import problem


@dataclass(frozen=True)
class Detection:
    cx: float
    cy: float
    w: float
    h: float
    score: float  # 0..1
    class_id: int
    label: str


@dataclass
class LiveFrame:
    detections: list[Detection]
    resolution: tuple[int, int] | None
    perf_ms: tuple[float, float, float] | None  # pre, infer, post
    jpeg: bytes = b""

    def image(self):
        """The frame as a PIL image (None if the frame carried no image)."""
        if not self.jpeg:
            return None
        from PIL import Image

        return Image.open(io.BytesIO(self.jpeg)).convert("RGB")

    def annotated(self):
        """The frame with its boxes and labels drawn, for the GUI to show."""
        image = self.image()
        if image is None:
            return None
        return draw_detections(image, self.detections)


@dataclass
class LiveCheck:
    url: str
    frames: list[LiveFrame] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        infer = [f.perf_ms[1] for f in self.frames if f.perf_ms]
        counts = [len(f.detections) for f in self.frames]
        labels = sorted({d.label for f in self.frames for d in f.detections})
        return {
            "url": self.url,
            "frames": len(self.frames),
            "infer_ms_median": statistics.median(infer) if infer else None,
            "detections_per_frame": counts,
            "labels_seen": labels,
            "resolution": list(self.frames[-1].resolution) if self.frames and self.frames[-1].resolution else None,
        }

    def describe(self) -> str:
        s = self.summary()
        counts = ", ".join(str(c) for c in s["detections_per_frame"])
        labels = ", ".join(s["labels_seen"]) or "-"
        if s["infer_ms_median"] is None:
            return line("live_line_summary_no_timing", frames=s["frames"], counts=counts, labels=labels)
        return line("live_line_summary", frames=s["frames"], infer_ms=f"{s['infer_ms_median']:.0f}", counts=counts,
                    labels=labels)

    def last_with_image(self) -> LiveFrame | None:
        for frame in reversed(self.frames):
            if frame.jpeg:
                return frame
        return None

    def save_annotated(self, folder: str | Path) -> Path | None:
        frame = self.last_with_image()
        if frame is None:
            return None
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"live-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.jpg"
        frame.annotated().save(path, "JPEG", quality=90)
        return path


def parse_frame(message: str | bytes, labels: Sequence[str] = (), *, source: str = "live") -> LiveFrame | None:
    """One WebSocket message -> LiveFrame; None when it is not a result frame (not a JSON object,
    or one without boxes, image or timing). A result frame whose fields have the wrong types is
    DeviceError(device_unexpected_answer)."""
    try:
        payload = json.loads(message)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict):
        return None
    nested = isinstance(payload.get("data"), dict)
    data = answers.check(answers.LiveData, payload["data"] if nested else payload, address=source,
                         step="live frame", prefix="data" if nested else "")
    detections = []
    for box in data.boxes:
        cx, cy, w, h, score, cls = (float(v) for v in box[:6])
        class_id = int(cls)
        name = labels[class_id] if 0 <= class_id < len(labels) else (
            data.labels[len(detections)] if len(detections) < len(data.labels) else f"N/A-{class_id}")
        detections.append(Detection(cx, cy, w, h, score / 100.0 if score > 1 else score, class_id, str(name)))
    res = (data.resolution[0], data.resolution[1]) if data.resolution else None
    perf = data.perf
    if perf and isinstance(perf[0], list):
        perf = perf[0]
    perf_ms = tuple(float(v) for v in perf[:3]) if perf else None
    jpeg = b""
    image = data.image
    if image:
        if image.startswith("data:"):
            image = image.split(",", 1)[-1]
        try:
            jpeg = base64.b64decode(image, validate=False)
        except ValueError:
            jpeg = b""
    if not data.boxes and not jpeg and perf_ms is None:
        return None
    return LiveFrame(detections, res, perf_ms, jpeg)  # type: ignore[arg-type]


def draw_detections(image, detections: Sequence[Detection]):
    from PIL import ImageDraw

    image = image.copy()
    draw = ImageDraw.Draw(image)
    for det in detections:
        x0, y0 = det.cx - det.w / 2, det.cy - det.h / 2
        x1, y1 = det.cx + det.w / 2, det.cy + det.h / 2
        draw.rectangle([x0, y0, x1, y1], outline=(0, 255, 0), width=3)
        text = f"{det.label} {det.score:.2f}"
        draw.rectangle([x0, max(0, y0 - 14), x0 + 7 * len(text), y0], fill=(0, 255, 0))
        draw.text((x0 + 2, max(0, y0 - 13)), text, fill=(0, 0, 0))
    return image


def read_live_results(url: str, *, frames: int = 3, labels: Sequence[str] = (), timeout: float = 10.0) -> LiveCheck:
    """Connect, read up to ``frames`` result frames (or until ``timeout``), disconnect."""
    from websockets.exceptions import ConnectionClosed, InvalidHandshake
    from websockets.sync.client import connect

    check = LiveCheck(url)
    deadline = time.monotonic() + timeout
    try:
        ws = _connect_until(connect, url, deadline)
        # The frames are large (a 1280x720 JPEG in base64): lift the default 1 MiB message cap.
        with ws:
            while len(check.frames) < frames:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    message = ws.recv(timeout=remaining)
                except TimeoutError:
                    break
                except ConnectionClosed:
                    break
                frame = parse_frame(message, labels, source=url)
                if frame is not None:
                    check.frames.append(frame)
    except (OSError, InvalidHandshake, TimeoutError) as exc:
        raise DeviceError(problem("live_unreachable", url=url, detail=str(exc) or type(exc).__name__)) from None
    if not check.frames:
        raise DeviceError(problem("live_no_frames", seconds=f"{timeout:g}"))
    return check


def _connect_until(connect, url: str, deadline: float):
    """Right after a redeploy the model node restarts and its WebSocket is briefly closed:
    keep trying until the deadline instead of failing on the first refusal."""
    while True:
        remaining = deadline - time.monotonic()
        try:
            return connect(url, open_timeout=max(0.5, min(remaining, 5.0)), max_size=16 * 1024 * 1024)
        except (ConnectionRefusedError, ConnectionResetError):
            if remaining <= 0.5:
                raise
            time.sleep(0.5)
