"""End to end through the window on the real Docker engine, with the toolchain test double image.

The same pages a user clicks, the real services (plan staging, DockerRunner, job, results), and
the test image built by tests/docker_support.py instead of the real TPU-MLIR image.
"""

from __future__ import annotations

import pytest

from docker_support import docker_client, run_containers, toolchain_double_image  # noqa: F401
from test_gui_support import (FaultyServices, first_session, gui_home, loop, make_window,  # noqa: F401
                              quit_mid_calibration, reconnect_to_the_results, run, to_page, wait_for)
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


def first_docker_session(home: str, tmp: str, image: str) -> None:
    """The first app session (in a child process): a slow conversion in Docker, closed mid-run."""
    def use_the_double_image(window):
        window.ctx.state.toolchain_image = image

    quit_mid_calibration(FaultyServices({"calibrate": {"slow_seconds": 8}}), home, tmp, before=use_the_double_image)


def test_close_mid_run_then_reconnect_on_next_start(make_window, loop, tmp_path, toolchain_double_image,
                                                    docker_client, gui_home):
    import json
    from pathlib import Path

    code = (f"import test_gui_docker as t; "
            f"t.first_docker_session({str(gui_home[0])!r}, {str(tmp_path)!r}, {toolchain_double_image!r})")
    run_dir, backend = first_session(code, gui_home[0])
    assert backend == "docker"
    run_id = json.loads((Path(run_dir) / "job.json").read_text(encoding="utf-8"))["run_id"]
    assert run_containers(docker_client, run_id), "the container goes on without the app"
    reconnect_to_the_results(make_window, loop, run_dir)
