"""Shared set-up for the GUI tests: a real window over a qasync loop, and test doubles of the core
services for the parts a test controls (Docker status, SSH, a conversion's event stream).

The other test_gui_*.py files import from here. The one test in this file checks the helpers.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

# No display (CI, SSH): draw offscreen. Under xvfb-run DISPLAY is set and the real xcb plugin is used.
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from wizard.core.events import Event, LogLine, Progress, Result, StepFinished, StepStarted  # noqa: E402
from wizard.core.messages import WizardError, problem  # noqa: E402
from wizard.gui.services import GuiConversion, GuiDetectionCheck, Services, ToolchainStatus  # noqa: E402


class FakeJob(GuiConversion):
    """A conversion that streams ``lines_per_second`` log lines until cancelled or done."""

    def __init__(self, run_dir: str, *, total_lines: int = 300, lines_per_second: float = 3000,
                 ok: bool = True, forever: bool = False):
        self.run_dir = run_dir
        self.total_lines = total_lines
        self.lines_per_second = lines_per_second
        self.ok = ok
        self.forever = forever
        self.cancel_called = threading.Event()
        self.stopped = threading.Event()  # set when events() really returned (work ended)

    def events(self) -> Iterator[Event]:
        try:
            started = time.monotonic()
            sent = 0
            for step in ("transform", "calibrate", "deploy"):
                yield StepStarted(step, command=f"{step} …")
                per_step = self.total_lines // 3
                for i in range(per_step if not self.forever else 10**9):
                    if self.cancel_called.is_set():
                        return
                    yield LogLine(f"[{step}] line {sent} " + "x" * 40, step=step)
                    sent += 1
                    if i % 50 == 0:
                        yield Progress(step, (i + 1) / per_step if per_step else None, f"{step} {i}")
                    # Pace to the wanted rate (sleep in small slices, like a real log stream).
                    ahead = sent / self.lines_per_second - (time.monotonic() - started)
                    if ahead > 0.002:
                        time.sleep(ahead)
                yield StepFinished(step, ok=True, exit_code=0, elapsed=0.1)
            yield Result(ok=self.ok, run_dir=self.run_dir, details={"verdict": "success" if self.ok else "conversion_failed"})
        finally:
            self.stopped.set()

    def cancel(self) -> None:
        self.cancel_called.set()

    def record(self) -> dict[str, Any] | None:
        return {"backend": "fake", "run_id": "fake-1", "where": "local", "run_dir": self.run_dir}


class HostKeyUnknownDouble(WizardError):
    """Shaped like ssh_connection.HostKeyUnknown (code + .fingerprint) without a real server."""

    def __init__(self, host: str, fingerprint: str):
        super().__init__(problem("vm_host_key_unknown", host=host, fingerprint=fingerprint, key_type="ssh-ed25519"))
        self.fingerprint = fingerprint


class FakeServices(Services):
    """Real model inspection and image checks; controllable Docker, SSH and conversion."""

    def __init__(self):
        self.status = ToolchainStatus(True, True, [], "fake")
        self.fingerprint = "SHA256:testfingerprintAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        self.ssh_calls: list[Any] = []
        self.job_factory: Callable[[Any], GuiConversion] | None = None
        self.jobs: list[GuiConversion] = []
        self.started: list[tuple[str, Any, Any]] = []  # (where, ssh details, native details) per start
        self.workshop_started: list[tuple[Any, Any, str, Any]] = []  # (kit, choices, attendee, credentials)
        # The native check's answer: a NativeReport (tests/native_reports.py), or a WizardError.
        self.native_report: Any = None
        self.native_calls: list[Any] = []  # the SshDetails (None: this computer) of each check
        self.native_gate: threading.Event | None = None  # set by a test to let a check finish
        # (run_dir, ssh, count, pictures_dir, thresholds) -> GuiDetectionCheck; None: no check offered
        self.detection_factory: Callable[..., GuiDetectionCheck] | None = None
        self.detection_calls: list[tuple] = []

    def toolchain_status(self, tag: str = "") -> ToolchainStatus:
        return self.status

    def get_toolchain(self, tag: str = "") -> Iterator[Event]:
        for i in range(5):
            yield Progress("image", (i + 1) / 5, f"layer {i}")
        self.status = ToolchainStatus(True, True, [], "fake")

    def test_ssh(self, details) -> str:
        self.ssh_calls.append(details)
        if details.accept_fingerprint != self.fingerprint:
            raise HostKeyUnknownDouble(details.host, self.fingerprint)
        from wizard.core.runners.vm.runner import VmReport
        from wizard.core.runners.vm.setup import RemoteFacts, SetupPlan

        facts = RemoteFacts(os="Linux", arch="x86_64", distro="ubuntu", distro_version="22.04", docker_rc=0,
                            free_kb=40_000_000)
        return VmReport(f"{details.user}@{details.host}:{details.port}", facts, (), SetupPlan(), "toolchain:1.7", True)

    def check_native(self, ssh=None, recipe=None):
        self.native_calls.append(ssh)
        if ssh is not None and ssh.accept_fingerprint != self.fingerprint:
            raise HostKeyUnknownDouble(ssh.host, self.fingerprint)
        if self.native_gate is not None:
            assert self.native_gate.wait(30), "the test never let the native check finish"
        if isinstance(self.native_report, Exception):
            raise self.native_report
        assert self.native_report is not None, "the test gives the native check's report"
        return self.native_report

    def start_conversion(self, choices, where, ssh, native=None) -> GuiConversion:
        self.started.append((where, ssh, native))
        job = self.job_factory(choices) if self.job_factory else FakeJob(str(choices.out))
        self.jobs.append(job)
        return job

    def start_workshop_conversion(self, kit, choices, attendee, credentials) -> GuiConversion:
        self.workshop_started.append((kit, choices, attendee, credentials))
        job = self.job_factory(choices) if self.job_factory else FakeJob(str(choices.out))
        self.jobs.append(job)
        return job

    def detection_check_available(self) -> bool:
        return self.detection_factory is not None

    def run_detection_check(self, run_dir, ssh, count, pictures_dir=None, thresholds=None) -> GuiDetectionCheck:
        self.detection_calls.append((run_dir, ssh, count, pictures_dir, thresholds))
        assert self.detection_factory is not None, "the page offered a check the services do not have"
        return self.detection_factory(run_dir, ssh, count, pictures_dir, thresholds)


@pytest.fixture
def gui_home(tmp_path, monkeypatch):
    """Settings, cache and logs of the app under tmp_path; a fake keychain."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1
        items: dict = {}

        def set_password(self, service, username, password):
            self.items[(service, username)] = password

        def get_password(self, service, username):
            return self.items.get((service, username))

        def delete_password(self, service, username):
            self.items.pop((service, username), None)

    home = tmp_path / "home"
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(home))
    previous = keyring.get_keyring()
    fake = MemoryKeyring()
    fake.items = {}
    keyring.set_keyring(fake)
    yield home, fake
    keyring.set_keyring(previous)


@pytest.fixture
def loop(qapp):
    import qasync

    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    # Let cancelled tasks unwind before closing.
    pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    # And let the worker pool finish what those tasks handed it: when every worker is inside the
    # barrier at once, no earlier work item is still running.
    from wizard.gui.async_tools import EXECUTOR

    barrier = threading.Barrier(EXECUTOR._max_workers)
    waits = [EXECUTOR.submit(barrier.wait, 120) for _ in range(EXECUTOR._max_workers)]
    for waited in waits:
        waited.result(timeout=150)
    # qasync keeps a Qt timer for every call_later, even a cancelled one (e.g. a wait_for
    # timeout), until it fires. Fired after this loop is gone, during a later test, it crashes
    # the process: kill them now.
    timer = getattr(event_loop, "_timer", None)
    callbacks = getattr(timer, "_SimpleTimer__callbacks", None)
    if callbacks:
        for timer_id in list(callbacks):
            timer.killTimer(timer_id)
            callbacks.pop(timer_id, None)
    event_loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def services():
    return FakeServices()


@pytest.fixture
def make_window(gui_home, loop, services, qtbot):
    from wizard.core.app.settings import SettingsStore
    from wizard.gui.app import build_window, make_application

    app = make_application()
    app.setQuitOnLastWindowClosed(False)  # closing a window in a test must not stop the loop
    made = []

    def make(lang: str = "en", svc: Services | None = None):
        window = build_window(services=svc or services, store=SettingsStore(gui_home[0]), lang=lang)
        qtbot.addWidget(window)
        window.resize(1000, 760)
        window.show()
        made.append(window)
        return window

    yield make
    from PySide6.QtCore import QCoreApplication, QEvent

    from wizard.gui.i18n import TRANSLATIONS

    # Nothing of this test may outlive it: windows deleted now (not at some later event
    # processing of another test), no translator left installed.
    for window in made:
        window._close_confirmed = True
        window.close()
        window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    TRANSLATIONS.set_language("en")


def run(loop, coro, timeout: float = 60):
    """Run a coroutine on the test's loop, failing after ``timeout`` seconds.

    A short-interval watchdog instead of asyncio.wait_for: wait_for leaves a Qt timer of the full
    timeout behind in qasync even when the coroutine ends early."""

    async def watched():
        task = asyncio.ensure_future(coro)
        deadline = time.monotonic() + timeout
        while not task.done():
            if time.monotonic() > deadline:
                task.cancel()
                raise TimeoutError(f"did not finish within {timeout} s")
            await asyncio.wait({task}, timeout=0.05)
        return task.result()

    return loop.run_until_complete(watched())


async def wait_for(predicate: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    assert predicate(), f"timed out waiting for {what or predicate}"


def sample_model(folder: Path) -> Path:
    from wizard.core.model.samples import write_sample_model

    return write_sample_model(folder / "yolo11n.onnx", imgsz=(320, 320))


def sample_images(folder: Path, count: int = 12) -> Path:
    from wizard.core.images.samples import generate_sample_images

    generate_sample_images(folder, count, size=(320, 240))
    return folder


async def to_page(window, page: str, tmp: Path) -> None:
    """Walk the real window to ``page`` with valid sample data on every page before it."""
    flow = window.ctx.flow
    if flow.current == "welcome":
        window.welcome_page.start_new()
    if page == "model":
        return
    window.pages["model"].load_model(str(sample_model(tmp)))
    await window.ctx.idle()
    window.go_next()
    if page == "images":
        return
    window.pages["images"].load_source(str(sample_images(tmp / "pictures")))
    await window.ctx.idle()
    await wait_for(lambda: flow.can_next(), what="images checked")
    window.go_next()
    if page == "target":
        return
    window.ctx.state.out_dir = str(tmp / "run")
    window.pages["target"].refresh()
    window.refresh()
    window.go_next()
    await window.ctx.idle()
    if page == "where":
        return
    await wait_for(lambda: flow.can_next(), what="where ready")
    window.go_next()


async def answer_host_key(window, answer=None, fingerprint: str = "") -> None:
    """Press Test connection on the Where page and answer the first-connection dialog (Yes by
    default), after checking it shows ``fingerprint``."""
    from PySide6.QtWidgets import QMessageBox

    where = window.pages["where"]
    where.test_connection()
    await wait_for(lambda: getattr(where, "host_key_dialog", None) is not None
                   and where.host_key_dialog.isVisible(), timeout=30, what="fingerprint dialog")
    dialog = where.host_key_dialog
    assert fingerprint in dialog.informativeText()
    dialog.button(answer or QMessageBox.StandardButton.Yes).click()
    await window.ctx.idle()
    where.host_key_dialog = None


class FaultyServices(Services):
    """The real services; the staged workspace also gets the toolchain double's fault file (e.g. a
    slow calibration, so there is time to close the window in the middle of a run)."""

    def __init__(self, faults: dict, native_toolchain_bin: str | None = None):
        self.faults = faults
        self.native_toolchain_bin = native_toolchain_bin

    def start_conversion(self, choices, where, ssh, native=None):
        import json

        job = super().start_conversion(choices, where, ssh, native)
        stage = job._stage

        def stage_with_faults(on_progress):
            staged = stage(on_progress)
            (Path(choices.out) / "workspace" / "toolchain_double_faults.json").write_text(json.dumps(self.faults))
            return staged

        job._stage = stage_with_faults
        return job


def quit_mid_calibration(services: Services, home: str, tmp: str, *, before: Callable[[Any], None] = lambda w: None,
                         at_where: Callable[[Any], None] = lambda w: None) -> None:
    """Run in a child process: start a conversion, close the window while it calibrates and exit,
    as a user quitting the app does (the worker thread dies with the process, the run does not).
    Prints "RUN_DIR <run folder> <backend>" from the settings the next start reads."""

    async def get_there(window):
        await to_page(window, "where", Path(tmp))
        at_where(window)
        await wait_for(lambda: window.ctx.flow.can_next(), timeout=60, what="the place to run ready")
        window.go_next()
        page = window.convert_page
        await wait_for(lambda: page.step_states["calibrate"].property("state") == "running", timeout=120)

    quit_while_it_runs(services, home, get_there, before=before)


def quit_while_it_runs(services: Services, home: str, get_there: Callable[[Any], Any], *,
                       before: Callable[[Any], None] = lambda w: None) -> None:
    """Run in a child process (a first app session): open the window, ``await get_there(window)``
    until the job is where the test wants it, close the window answering "Close" (the job goes on)
    and exit as the app's process does. Prints "RUN_DIR <run folder> <backend>" from the settings
    the next start reads."""
    import os

    import qasync
    from PySide6.QtWidgets import QMessageBox

    from wizard.core.app.settings import SettingsStore
    from wizard.gui.app import build_window, make_application

    app = make_application()
    event_loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(event_loop)
    window = build_window(services=services, store=SettingsStore(home), lang="en")
    window.show()
    before(window)

    async def go():
        await get_there(window)
        window.close()
        await wait_for(lambda: getattr(window, "close_dialog", None) is not None and window.close_dialog.isVisible())
        window.close_dialog.button(QMessageBox.StandardButton.Close).click()
        await asyncio.sleep(5)  # the app quits with its last window: the loop stops before this ends

    try:
        event_loop.run_until_complete(go())
    except RuntimeError as exc:
        assert "Event loop stopped" in str(exc), exc
    assert not window.isVisible()
    record = SettingsStore(home).load().active_job  # what the next start reads
    print("RUN_DIR", record.run_dir, record.backend, flush=True)
    os._exit(0)  # like the app's process ending: no interpreter clean-up of the running thread


def first_session(code: str, home: Path) -> tuple[str, str]:
    """Run ``code`` (a call of quit_mid_calibration) as a real app process: (run folder, backend)."""
    import subprocess
    import sys

    from conftest import REPO_ROOT

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "tests")]),
               RECAMERA_WIZARD_HOME=str(home))
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env,
                           cwd=REPO_ROOT)
    assert child.returncode == 0, child.stderr[-3000:]
    run_dir, backend = next(line.split(" ")[1:] for line in child.stdout.splitlines() if line.startswith("RUN_DIR "))
    return run_dir, backend


def reconnect_to_the_results(make_window, loop, run_dir: str):
    """A new start offers to reconnect; Reconnect follows the run to its end and its results."""
    from wizard.core.app import wizard_flow as rules

    again = make_window(svc=Services())
    assert again.ctx.settings.active_job is not None
    assert again.welcome_page.reattach_box.isVisibleTo(again.welcome_page)
    again.welcome_page.reattach_button.click()
    assert again.ctx.flow.current == "convert"
    run(loop, again.convert_page.wait(), timeout=300)
    assert again.ctx.state.job_status == rules.JOB_SUCCEEDED, again.convert_page.problems.texts()
    assert again.ctx.state.run_dir == run_dir
    again.go_next()
    run(loop, again.ctx.idle())
    assert "ready for the reCamera" in again.pages["results"].verdict.text()
    assert again.ctx.settings.active_job is None
    return again


@pytest.mark.gui
def test_helpers_walk_to_the_where_page(make_window, loop, tmp_path):
    window = make_window()
    run(loop, to_page(window, "where", tmp_path))
    assert window.ctx.flow.current == "where"
    assert window.ctx.flow.visited() == ["welcome", "model", "images", "target", "where"]
