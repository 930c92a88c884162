"""End to end through the window on the real Docker engine, with the toolchain test double image.

The same pages a user clicks, the real services (plan staging, DockerRunner, job, results), and
the test image built by tests/docker_support.py instead of the real TPU-MLIR image.
"""

from __future__ import annotations

import pytest

from docker_support import docker_client, run_containers, toolchain_double_image  # noqa: F401
from test_gui_support import gui_home, loop, make_window, run, to_page, wait_for  # noqa: F401
from wizard.core import flow as rules
from wizard.gui.services import Services

pytestmark = [pytest.mark.gui, pytest.mark.docker, pytest.mark.slow]


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
    before = {c.id for c in run_containers(docker_client)}
    window.go_next()
    page = window.convert_page

    def our_containers():
        return [c for c in run_containers(docker_client) if c.id not in before]

    run(loop, wait_for(lambda: bool(our_containers()), timeout=120, what="the conversion container"))
    page.cancel_button.click()
    run(loop, page.wait(), timeout=180)
    assert window.ctx.state.job_status == rules.JOB_CANCELLED
    assert our_containers() == []
    assert window.back_button.isEnabled()
