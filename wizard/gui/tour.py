"""The tour: drive every page with sample data and save one screenshot per page.

Real core calls everywhere except the two that need a machine we may not have: the toolchain
check says "ready", and the conversion replays a recorded TPU-MLIR log (tour_data/*.log.gz)
through the real LogInterpreter after the real plan staged the workspace. So the screenshots
show what a user sees, and a broken page shows up as a broken picture.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from wizard.core.events import Event, Result, StepFinished, StepStarted
from wizard.gui.services import GuiConversion, Services, ToolchainStatus

TOUR_DATA = Path(__file__).resolve().parent / "tour_data"
OK_LOG = "clean_yolo11n.log.gz"
FAILED_LOG = "deploy_compare_failed.log.gz"
WINDOW_SIZE = (1100, 860)


def recorded_log(name: str) -> str:
    return gzip.decompress((TOUR_DATA / name).read_bytes()).decode("utf-8")


class ReplayJob(GuiConversion):
    """Stage for real, then replay a recorded toolchain log as the runner's output would arrive."""

    def __init__(self, choices, log_name: str = OK_LOG, lines_per_tick: int = 60, tick: float = 0.01):
        self.choices = choices
        self.run_dir = str(choices.out)
        self.log_name = log_name
        self.lines_per_tick = lines_per_tick
        self.tick = tick
        self.cancelled = False
        self.pause_at: float | None = None  # fraction of the log after which to wait (screenshots)
        self.resume = None  # threading.Event set by the tour to go on

    def events(self) -> Iterator[Event]:
        from wizard.core.plan.workspace import stage_workspace
        from wizard.core.toolchain.interpreter import LogInterpreter
        from wizard.core.toolchain.lines import split_text
        from wizard.core.toolchain.log import parse_log

        run = Path(self.run_dir)
        yield StepStarted("prepare")
        staged = stage_workspace(replace(self.choices, out=str(run / "workspace")))
        yield StepFinished("prepare", ok=True)
        text = recorded_log(self.log_name)
        lines = split_text(text)
        interpreter = LogInterpreter()
        for index, line in enumerate(lines):
            if self.cancelled:
                return
            yield from interpreter.feed(line.text, redraw=line.redraw)
            if index % self.lines_per_tick == 0:
                time.sleep(self.tick)
            if self.pause_at is not None and self.resume is not None and index == int(len(lines) * self.pause_at):
                self.resume.wait(30)
        yield from interpreter.finish(0)
        report = parse_log(text)
        (run / "convert.log").write_text(text, encoding="utf-8")
        shutil.copy2(run / "workspace" / "recipe.json", run / "recipe.json")
        results: dict[str, Any] = report.to_dict()
        results.update({"verdict": "success" if report.ok else "conversion_failed", "ok": report.ok,
                        "paths": {"model": None, "log": "convert.log", "recipe": "recipe.json"},
                        "recorded_log": self.log_name, "model_name": staged.recipe.name})
        (run / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        yield Result(ok=report.ok, run_dir=self.run_dir, details={"verdict": results["verdict"]})

    def cancel(self) -> None:
        self.cancelled = True


class TourServices(Services):
    """Real core services, except the toolchain check and the conversion (recorded)."""

    def __init__(self, log_name: str = OK_LOG):
        self.log_name = log_name
        self.last_job: ReplayJob | None = None

    def toolchain_status(self, tag: str = "") -> ToolchainStatus:
        return ToolchainStatus(True, True, [], "recorded")

    def start_conversion(self, choices, where, ssh) -> GuiConversion:
        self.last_job = ReplayJob(choices, self.log_name)
        return self.last_job

    def device_available(self) -> bool:
        return super().device_available()


def tour_images(folder: Path, count: int = 24) -> Path:
    """The redistributable sample pictures plus mirrored and cropped variants (enough to calibrate)."""
    from PIL import Image, ImageOps

    from wizard.resources import resource_path

    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(resource_path("samples", "images").glob("*.jpg"))
    made = 0
    variant = 0
    while made < count and sources:
        for source in sources:
            if made >= count:
                break
            with Image.open(source) as image:
                image = image.convert("RGB")
                if variant == 1:
                    image = ImageOps.mirror(image)
                elif variant >= 2:
                    w, h = image.size
                    inset = 0.06 * variant
                    image = image.crop((int(w * inset), int(h * inset), int(w * (1 - inset)), int(h * (1 - inset))))
                image.save(folder / f"{source.stem}_v{variant}.jpg", quality=88)
            made += 1
        variant += 1
    return folder


class TourError(RuntimeError):
    pass


def _expect(condition: bool, what: str, window) -> None:
    """Stop the tour with the reason instead of saving pictures of a stuck page."""
    if not condition:
        shown = window.problems.texts()
        page = window.current_page()
        extra = [t for w in page.findChildren(type(window.problems)) for t in w.texts()]
        raise TourError(f"{what} (page {window.ctx.flow.current}: {shown + extra})")


async def _settle(window, seconds: float = 0.3) -> None:
    """Let pending tasks finish and Qt paint."""
    from PySide6.QtWidgets import QApplication

    await window.ctx.idle()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        await asyncio.sleep(0.02)


async def run_tour(out: Path, lang: str) -> list[Path]:
    import threading

    from wizard.core.model.samples import write_sample_model
    from wizard.core.app.settings import SettingsStore
    from wizard.gui.app import build_window

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="recamera-wizard-tour-"))
    model = write_sample_model(work / "helmet_yolo11n.onnx", family="yolo11", task="detect", imgsz=(320, 320))
    images = tour_images(work / "pictures")
    services = TourServices()
    window = build_window(services=services, store=SettingsStore(work / "home"), lang=lang)
    window.resize(*WINDOW_SIZE)
    window.show()
    shots: list[Path] = []

    def shoot(name: str) -> None:
        path = out / f"{name}.png"
        window.grab().save(str(path))
        shots.append(path)

    flow = window.ctx.flow
    await _settle(window)
    shoot("01_welcome")

    window.welcome_page.start_new()
    window.pages["model"].load_model(str(model))
    await _settle(window)
    shoot("02_model")
    _expect(flow.can_next(), "the sample model was not accepted", window)

    window.go_next()
    window.pages["images"].load_source(str(images))
    await _settle(window)
    grid_model = window.pages["images"].model
    for _ in range(100):  # thumbnails arrive off the GUI thread
        if grid_model.loaded >= min(grid_model.rowCount(), 12):
            break
        await _settle(window, 0.05)
    await _settle(window, 0.3)
    shoot("03_images")
    _expect(flow.can_next(), "the sample pictures were not accepted", window)

    window.go_next()
    target = window.pages["target"]
    target.state.out_dir = str(work / "runs" / "helmet")
    target.refresh()
    target.expert_toggle.setChecked(True)
    await _settle(window)
    shoot("04_target")
    target.expert_toggle.setChecked(False)

    _expect(flow.can_next(), "the default options were refused", window)
    window.go_next()
    await _settle(window)
    shoot("05_where")
    # The cloud-machine panel, filled in (nothing connects: the test button is not pressed).
    where = window.pages["where"]
    where.ssh_radio.setChecked(True)
    where.host_edit.setText("127.0.0.1")
    where.user_edit.setText("ubuntu")
    where.key_edit.setText("~/.ssh/id_ed25519")
    where._ssh_edited()
    await _settle(window)
    shoot("05_where_ssh")
    where.local_radio.setChecked(True)
    await _settle(window)

    # Convert: pause the replay part-way for a "running" picture, then let it finish.
    resume = threading.Event()
    original_start = services.start_conversion

    def start_paused(choices, where, ssh):
        job = original_start(choices, where, ssh)
        job.pause_at, job.resume = 0.55, resume
        return job

    services.start_conversion = start_paused  # type: ignore[method-assign]
    window.go_next()
    convert = window.convert_page
    for _ in range(300):
        if convert.events_seen > 1000:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.4)  # a few flushes of the log view
    shoot("06_convert_running")
    resume.set()
    await convert.wait()
    await _settle(window)
    shoot("06_convert_done")
    _expect(flow.state.job_status == "succeeded", "the recorded conversion did not finish", window)

    window.go_next()
    await _settle(window, 0.5)
    shoot("07_results")

    # The same page for a run whose INT8 check failed, from the other recorded log.
    from wizard.core.toolchain.log import parse_log

    failed_text = recorded_log(FAILED_LOG)
    failed = parse_log(failed_text).to_dict()
    failed.update({"verdict": "conversion_failed", "ok": False})
    results_page = window.pages["results"]
    flow.state.result_ok = False
    results_page.show_results(failed, failed_text)
    window.refresh()
    await _settle(window, 0.3)
    shoot("07_results_failed")
    flow.state.result_ok = True
    window.refresh()
    results_page.show_results(json.loads((Path(flow.state.run_dir) / "results.json").read_text(encoding="utf-8")),
                              (Path(flow.state.run_dir) / "convert.log").read_text(encoding="utf-8"))

    window.go_next()
    await _settle(window)
    shoot("08_device")

    # Back at the start, the run just made is listed under recent runs.
    window.restart()
    await _settle(window)
    shoot("09_welcome_recent_runs")

    window.ctx.settings.active_job = None
    window._close_confirmed = True
    window.close()
    shutil.rmtree(work, ignore_errors=True)
    return shots


def tour(out: str | Path, lang: str = "en") -> list[Path]:
    """Run the tour in a fresh qasync loop; returns the screenshots written."""
    import os

    import qasync

    from wizard.gui.app import make_application

    # The tour's settings, caches and logs live in a throw-away folder, never the user's.
    home = tempfile.mkdtemp(prefix="recamera-wizard-tour-home-")
    previous_home = os.environ.get("RECAMERA_WIZARD_HOME")
    os.environ["RECAMERA_WIZARD_HOME"] = home
    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(run_tour(Path(out), lang))
    finally:
        loop.close()  # while the QApplication still exists: qasync's close needs its signals
        asyncio.set_event_loop(None)
        if previous_home is None:
            os.environ.pop("RECAMERA_WIZARD_HOME", None)
        else:
            os.environ["RECAMERA_WIZARD_HOME"] = previous_home
        shutil.rmtree(home, ignore_errors=True)
