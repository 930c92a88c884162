"""The tour: drive every page with sample data and save one screenshot per page.

Real core calls everywhere except the three that need a machine we may not have: the toolchain
check says "ready", the check without Docker looks at a fresh Ubuntu 22.04 desktop (the real
native check over a shell that replays that host's probe output, tour_data/native_probe_*.log),
the conversion replays a recorded TPU-MLIR log (tour_data/*.log.gz) through the real
LogInterpreter after the real plan staged the workspace, and the detection check replays its
events over pictures with planted objects, its report and drawings made by the core's own
matching, report and drawing code (tour_detections.py). So the screenshots show what a user
sees, and a broken page shows up as a broken picture.
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
from wizard.core.runners.status import Verdict
from wizard.gui.services import GuiConversion, GuiDetectionCheck, Services, ToolchainStatus
from wizard.gui.tour_kit_maker import tour_kit_maker
from wizard.gui.tour_room_status import tour_room_status

TOUR_DATA = Path(__file__).resolve().parent / "tour_data"
OK_LOG = "clean_yolo11n.log.gz"
NATIVE_PROBE = "native_probe_ubuntu2204.log"  # written by hand in the probe's format (test_gui_tour reads it)
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
        results.update({"verdict": Verdict.SUCCESS if report.ok else Verdict.CONVERSION_FAILED, "ok": report.ok,
                        "paths": {"model": None, "log": "convert.log", "recipe": "recipe.json"},
                        "recorded_log": self.log_name, "model_name": staged.recipe.name})
        (run / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        yield Result(ok=report.ok, run_dir=self.run_dir, details={"verdict": results["verdict"]})

    def cancel(self) -> None:
        self.cancelled = True


class WaitingJob(GuiConversion):
    """A workshop job waiting for a place on the shared server (the core's queue events), until
    the tour cancels it."""

    def __init__(self, choices, ahead: int = 3, slots: int = 2):
        import threading

        self.run_dir = str(choices.out)
        self.ahead, self.slots = ahead, slots
        self.cancelled = threading.Event()

    def events(self) -> Iterator[Event]:
        from wizard.core.events import QueueLeft, QueueWaiting

        for ahead in (self.ahead + 2, self.ahead):  # the place goes down while it waits
            yield QueueWaiting(ticket=12, position=ahead + 1, ahead=ahead, slots=self.slots)
        self.cancelled.wait(60)
        yield QueueLeft(ticket=12)

    def cancel(self) -> None:
        self.cancelled.set()


def tour_kit(path: Path, sample_model: Path | None = None, sample_images: Path | None = None) -> Path:
    """An instructor's kit as make-kit writes it (written by the core's kit writer; its server
    is never contacted: the tour's conversion waits in a replayed queue), with the sample model
    and pictures given."""
    import base64
    import os

    from wizard.core.workshop.kit import (PER_ATTENDEE, PER_ATTENDEE_SCHEMA, KitCamera, KitContent, KitSamples,
                                          KitServer, KitToolchain, key_fingerprint, resolve_options, sample_members,
                                          write_kit)

    model_member, files = sample_members(sample_model, sample_images)

    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + os.urandom(32)
    content = KitContent(
        kit_id="kit-tour01", title="reCamera workshop, room 3", preset="recamera-default",
        options=resolve_options("recamera-default", {}),
        locked=("processor", "quantize", "fuse_preprocess", "customization_format", "pixel_format"),
        # A room with one account per attendee (prepare-server --attendee-accounts 20).
        server=KitServer(target="attendee01@127.0.0.1:2222", host_key_type="ssh-ed25519",
                         host_key=base64.b64encode(blob).decode(), host_key_fingerprint=key_fingerprint(blob),
                         workshop_id="room-3", slots=2, accounts=PER_ATTENDEE, account_hint="attendee01 … attendee20"),
        schema_version=PER_ATTENDEE_SCHEMA,
        toolchain=KitToolchain(image="recamera-wizard/toolchain:1.7"), camera=KitCamera(),
        samples=KitSamples(model=model_member, images=tuple(m for m, _ in files if m != model_member)))
    return write_kit(path, content, files).path


class ReplayedHost:
    """A shell that answers the native check from a host's probe output: nothing runs."""

    def __init__(self, where: str, probe: str, env_state: str = "absent"):
        self.where, self.probe, self.env_state = where, probe, env_state

    def run(self, command: str, *, stdin: bytes | None = None, timeout: float | None = 120.0):
        from wizard.core.runners.native.shell import ShellResult

        # The probe gets the host's facts; the only other command of a check asks the environment's state.
        answer = self.probe if "__wizard_native_probe__" in command else self.env_state + "\n"
        return ShellResult(0, answer, "")

    def stream(self, command, cancelled):  # pragma: no cover - a check builds nothing
        raise RuntimeError("the tour's host builds nothing")


class TourServices(Services):
    """Real core services, except the toolchain check, the conversion and the detection check
    (recorded or replayed)."""

    def __init__(self, log_name: str = OK_LOG):
        self.log_name = log_name
        self.last_job: ReplayJob | None = None
        self.check_pictures: list[Path] = []  # backgrounds of the detection check's pictures
        self.last_check = None
        self.samples_dir: Path | None = None  # where the kit's samples are unpacked (the tour's own folder)

    def toolchain_status(self, tag: str = "") -> ToolchainStatus:
        return ToolchainStatus(True, True, [], "recorded")

    def check_native(self, ssh=None, recipe=None):
        from wizard.core.runners.native.setup import NativeSetup

        host = ReplayedHost("my-laptop", (TOUR_DATA / NATIVE_PROBE).read_text(encoding="utf-8"))
        return NativeSetup(host, env_root="/home/akiko/.local/share/recamera-wizard/toolchains").check(recipe)

    def start_conversion(self, choices, where, ssh, native=None) -> GuiConversion:
        self.last_job = ReplayJob(choices, self.log_name)
        return self.last_job

    def extract_kit_samples(self, kit) -> tuple[str, str]:
        """The core's unpacking, into the tour's folder (not this computer's app cache)."""
        if self.samples_dir is None:
            return super().extract_kit_samples(kit)
        model, images = kit.extract_samples(self.samples_dir)
        return (str(model) if model else "", str(images) if images else "")

    def start_workshop_conversion(self, kit, choices, attendee, credentials) -> GuiConversion:
        """The room's server is never contacted: the tour's job waits in a replayed queue."""
        return WaitingJob(choices)

    def detection_check_available(self) -> bool:
        return True

    def run_detection_check(self, run_dir, ssh, count, pictures_dir=None, thresholds=None) -> GuiDetectionCheck:
        from wizard.gui.tour_detections import TourDetectionCheck

        backgrounds = self.check_pictures
        if pictures_dir:
            backgrounds = sorted(p for p in Path(pictures_dir).iterdir() if p.suffix.lower() in (".jpg", ".png"))
        self.last_check = TourDetectionCheck(run_dir, count, backgrounds)
        return self.last_check


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


def _scroll_to(widget) -> None:
    """Scroll the page so that ``widget`` is at the top (a long page is cut at the window's edge)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QScrollArea

    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None and area.widget() is not None:
        area.verticalScrollBar().setValue(widget.mapTo(area.widget(), QPoint(0, 0)).y() - 8)


async def _settle(window, seconds: float = 0.3) -> None:
    """Let pending tasks finish and Qt paint.

    Only by awaiting: the qasync loop is Qt's, so Qt paints while this coroutine sleeps. Calling
    QApplication.processEvents() here would run other tasks' wake-ups inside this task, which
    asyncio refuses ("Cannot enter into task ... while another task is being executed"): the
    refused wake-up is lost and its task never resumes (the CI run that hung for 300 s).
    """
    await window.ctx.idle()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
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
    services.check_pictures = sorted(images.glob("*.jpg"))
    window = build_window(services=services, store=SettingsStore(work / "home"), lang=lang)
    window.resize(*WINDOW_SIZE)
    window.show()
    shots: list[Path] = []

    def shoot(name: str, widget=None) -> None:
        path = out / f"{name}.png"
        (widget or window).grab().save(str(path))
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
    await _shoot_target(window, shoot, "04_target", work / "runs" / "helmet")

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
    # Without Docker (shown as on Linux, where it is offered): the check's report and questions.
    flow.state.os_kind = "linux"
    where.on_enter()
    where.native_radio.setChecked(True)
    await _settle(window)
    _expect(flow.state.native_report is not None, "the check without Docker gave no report", window)
    where.native_view.setup_consent.click()
    await _settle(window)
    _scroll_to(where.native_radio)
    await _settle(window)
    shoot("05_where_native")
    where.local_radio.setChecked(True)
    await _settle(window)

    # Convert: pause the replay part-way for a "running" picture, then let it finish.
    resume = threading.Event()
    original_start = services.start_conversion

    def start_paused(choices, where, ssh, native=None):
        job = original_start(choices, where, ssh, native)
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

    await _tour_detection_check(window, services, shoot)

    # The same page for a run whose INT8 check failed, from the other recorded log.
    from wizard.core.toolchain.log import parse_log

    failed_text = recorded_log(FAILED_LOG)
    failed = parse_log(failed_text).to_dict()
    failed.update({"verdict": Verdict.CONVERSION_FAILED, "ok": False})
    results_page = window.pages["results"]
    flow.state.result_ok = False
    results_page.detections.set_run("", False)  # a failed conversion has no model to check
    results_page.show_results(failed, failed_text)
    window.refresh()
    await _settle(window, 0.3)
    shoot("07_results_failed")
    flow.state.result_ok = True
    window.refresh()
    results_page.show_results(json.loads((Path(flow.state.run_dir) / "results.json").read_text(encoding="utf-8")),
                              (Path(flow.state.run_dir) / "convert.log").read_text(encoding="utf-8"))
    results_page.detections.set_run(flow.state.run_dir, True)

    window.go_next()
    await _settle(window)
    shoot("08_device")

    # Back at the start, the run just made is listed under recent runs.
    window.restart()
    await _settle(window)
    shoot("09_welcome_recent_runs")

    await _tour_workshop(window, services, shoot, work, model, images)

    window.ctx.settings.active_job = None
    window._close_confirmed = True
    window.close()
    shutil.rmtree(work, ignore_errors=True)
    return shots


async def _shoot_target(window, shoot, name: str, out_dir: Path) -> None:
    """The Target page with its expert options open (saving to ``out_dir``)."""
    target = window.pages["target"]
    target.state.out_dir = str(out_dir)
    target.refresh()
    target.expert_toggle.setChecked(True)
    await _settle(window)
    shoot(name)
    target.expert_toggle.setChecked(False)


async def _tour_workshop(window, services: TourServices, shoot, work: Path, model: Path, images: Path) -> None:
    """An attendee opens the instructor's kit (its locked choices on the Target page, the room's
    server on the Where page), then their conversion waits for a place on that server."""

    flow = window.ctx.flow
    services.samples_dir = work / "kit-samples"
    await window.open_kit(str(tour_kit(work / "room3.rcwkit", model, images)))
    await _settle(window)
    _expect(window.ctx.kit is not None and flow.current == "model", "the tour's kit was not opened", window)
    model_page = window.pages["model"]
    _expect(model_page.sample_button.isVisible(), "the Model page offers no sample of the kit", window)
    model_page.sample_button.click()  # the kit's sample model, unpacked and checked
    await _settle(window)
    _expect(flow.can_next(), "the kit's sample model was not accepted", window)
    shoot("10_workshop_model")
    window.go_next()
    window.pages["images"].sample_button.click()
    for _ in range(100):  # the pictures are checked off the GUI thread; a loaded machine is slow
        await _settle(window, 0.1)
        if flow.can_next():
            break
    _expect(flow.can_next(), "the sample pictures were not accepted (workshop)", window)
    window.go_next()
    await _shoot_target(window, shoot, "10_workshop_kit", work / "runs" / "workshop")
    window.go_next()
    await _settle(window)
    # The Where page: the room's server as the kit sets it, the attendee's name and sign-in.
    where = window.pages["where"]
    _expect(where.workshop_box.isVisibleTo(where), "the Where page does not show the workshop's server", window)
    where.workshop_name_edit.setText("Akiko")
    where.workshop_account_edit.setText("attendee07")
    where.workshop_key_edit.setText("~/.ssh/room3_ed25519")
    where._workshop_edited()
    await _settle(window)
    shoot("10_workshop_where")
    _expect(flow.can_next(), "the workshop's Where page was not ready", window)

    window.go_next()  # Start: the tour's services answer the workshop path with a waiting job
    convert = window.convert_page
    for _ in range(200):
        if convert.queue_ahead == 3:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # paint; not _settle: it would wait for the waiting conversion to end
    _expect(convert.queue_ahead == 3, "the waiting conversion was not shown", window)
    shoot("11_workshop_waiting")
    convert.cancel()
    await convert.wait()
    await _settle(window)
    await tour_room_status(window, shoot)
    await tour_kit_maker(window, shoot, work, model, images)


async def _tour_detection_check(window, services: TourServices, shoot) -> None:
    """Results page: the check running (paused part-way), its figure and verdict, the gallery, and
    one picture enlarged."""
    page = window.pages["results"]
    panel = page.detections
    _expect(panel.check_button.isVisible(), "the Results page offers no detection check", window)
    original_run = services.run_detection_check

    def run_paused(*args, **kwargs):
        check = original_run(*args, **kwargs)
        check.pause_at = 5
        return check

    services.run_detection_check = run_paused  # type: ignore[method-assign]
    panel.check_button.click()
    for _ in range(300):
        if services.last_check is not None and services.last_check.paused.is_set():
            break
        await asyncio.sleep(0.05)
    # Not _settle: it would wait for the check's task, which waits for this shot.
    await asyncio.sleep(0.4)
    shoot("07_results_checking")
    services.last_check.resume.set()
    await panel.wait()
    for _ in range(200):
        if panel.gallery.loaded:
            break
        await asyncio.sleep(0.05)
    await _settle(window, 0.3)
    _expect(panel.report is not None and len(panel.gallery.tiles) == 12, "the detection check showed no result",
            window)
    shoot("07_results_detections")

    scroll = window.stack.currentWidget()
    scroll.verticalScrollBar().setValue(panel.gallery_box.mapTo(page, panel.gallery_box.rect().topLeft()).y() - 8)
    await _settle(window, 0.3)
    shoot("07_results_gallery")

    panel.gallery.enlarge(0)
    dialog = panel.gallery.dialog
    for _ in range(200):
        if dialog.has_image():
            break
        await asyncio.sleep(0.05)
    await _settle(window, 0.3)
    shoot("07_results_picture", dialog)
    dialog.accept()
    scroll.verticalScrollBar().setValue(0)
    await _settle(window, 0.2)


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
