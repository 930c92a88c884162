"""End to end through the window on the real Docker engine, with the toolchain test double image.

The same pages a user clicks, the real services (plan staging, DockerRunner, job, results), and
the test image built by tests/docker_support.py instead of the real TPU-MLIR image.
"""

from __future__ import annotations

import pytest

from docker_support import docker_client, run_containers, toolchain_double_image  # noqa: F401
from test_gui_support import gui_home, loop, make_window, run, to_page, wait_for  # noqa: F401
from wizard.core.app import wizard_flow as rules
from wizard.gui.services import Services

pytestmark = [pytest.mark.gui, pytest.mark.docker, pytest.mark.slow]


def _containers(client):
    """Our conversion containers; a container removed while being listed (another test's, or
    ours finishing) makes the listing fail with 404: list again."""
    import docker.errors

    for _ in range(20):
        try:
            return run_containers(client)
        except docker.errors.NotFound:
            continue
    return run_containers(client)


@pytest.fixture
def services():
    return Services()


def test_convert_through_the_window_and_show_results(make_window, loop, tmp_path, toolchain_double_image):
    window = make_window()
    window.ctx.state.toolchain_image = toolchain_double_image
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    run(loop, wait_for(lambda: window.ctx.state.toolchain_ready is not None, what="docker check"))
    assert window.ctx.state.docker_ready is True, where.local_problems.texts()
    assert window.ctx.state.toolchain_ready is True
    assert window.next_button.isEnabled()
    window.go_next()  # "Next: convert" starts the conversion
    page = window.convert_page
    assert window.ctx.state.job_status == rules.JOB_RUNNING
    run(loop, page.wait(), timeout=600)
    assert window.ctx.state.job_status == rules.JOB_SUCCEEDED, page.problems.texts() + page.log.visible_text().splitlines()[-30:]
    assert [page.step_states[s].property("state") for s in ("transform", "calibrate", "deploy")] == ["done"] * 3
    window.go_next()
    run(loop, window.ctx.idle())
    results = window.pages["results"]
    assert window.ctx.flow.current == "results"
    assert "ready for the reCamera" in results.verdict.text()
    assert results.table.rowCount() > 0
    run_dir = window.ctx.state.run_dir
    assert any(p.suffix == ".cvimodel" for p in __import__("pathlib").Path(run_dir).iterdir())
    assert run_dir in window.ctx.settings.recent_runs
    assert window.ctx.settings.active_job is None


def test_cancel_leaves_no_container(make_window, loop, tmp_path, toolchain_double_image, docker_client):
    window = make_window()
    window.ctx.state.toolchain_image = toolchain_double_image
    run(loop, to_page(window, "where", tmp_path))
    run(loop, wait_for(lambda: window.ctx.flow.can_next(), what="docker ready"))
    before = {c.id for c in _containers(docker_client)}
    window.go_next()
    page = window.convert_page

    def our_containers():
        return [c for c in _containers(docker_client) if c.id not in before]

    run(loop, wait_for(lambda: bool(our_containers()), timeout=120, what="the conversion container"))
    page.cancel_button.click()
    run(loop, page.wait(), timeout=180)
    assert window.ctx.state.job_status == rules.JOB_CANCELLED
    assert our_containers() == []
    assert window.back_button.isEnabled()


class SlowServices(Services):
    """Real services; the staged workspace also gets the toolchain double's fault file (a slow
    calibration), so there is time to close the window in the middle of a run."""

    def __init__(self, faults: dict):
        self.faults = faults

    def start_conversion(self, choices, where, ssh, native=None):
        import json
        from pathlib import Path

        job = super().start_conversion(choices, where, ssh, native)
        stage = job._stage

        def stage_with_faults(on_progress):
            staged = stage(on_progress)
            (Path(choices.out) / "workspace" / "toolchain_double_faults.json").write_text(json.dumps(self.faults))
            return staged

        job._stage = stage_with_faults
        return job


def first_session(home: str, tmp: str, image: str) -> None:
    """Run in a child process: start a slow conversion, close the window mid-run, and exit,
    as a user quitting the app does (the worker thread dies with the process, the container not)."""
    import asyncio
    from pathlib import Path

    import qasync
    from PySide6.QtWidgets import QMessageBox

    from wizard.core.app.settings import SettingsStore
    from wizard.gui.app import build_window, make_application

    app = make_application()
    event_loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(event_loop)
    window = build_window(services=SlowServices({"calibrate": {"slow_seconds": 8}}),
                          store=SettingsStore(home), lang="en")
    window.show()
    window.ctx.state.toolchain_image = image

    async def go():
        await to_page(window, "where", Path(tmp))
        await wait_for(lambda: window.ctx.flow.can_next(), what="docker ready")
        window.go_next()
        page = window.convert_page
        await wait_for(lambda: page.step_states["calibrate"].property("state") == "running", timeout=120)
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
    print("RUN_DIR", record.run_dir, flush=True)
    import os

    os._exit(0)  # like the app's process ending: no interpreter clean-up of the running thread


def test_close_mid_run_then_reconnect_on_next_start(make_window, loop, tmp_path, toolchain_double_image,
                                                    docker_client, gui_home):
    import os
    import subprocess
    import sys

    from conftest import REPO_ROOT

    home = gui_home[0]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "tests")]),
               RECAMERA_WIZARD_HOME=str(home))
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    code = ("import test_gui_docker as t; "
            f"t.first_session({str(home)!r}, {str(tmp_path)!r}, {toolchain_double_image!r})")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env,
                           cwd=REPO_ROOT)
    assert child.returncode == 0, child.stderr[-3000:]
    run_dir = next(line.split(" ", 1)[1] for line in child.stdout.splitlines() if line.startswith("RUN_DIR "))
    import json
    from pathlib import Path

    run_id = json.loads((Path(run_dir) / "job.json").read_text(encoding="utf-8"))["run_id"]
    assert run_containers(docker_client, run_id), "the container goes on without the app"

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
