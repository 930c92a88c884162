"""The window as an attendee uses it, through the REAL services (wizard.gui.services.Services, no
double): open the instructor's kit, fill the Where page (the room's server, a name, the key
file), Start. The room is a REAL OpenSSH server on 127.0.0.1 running this machine's real Docker
engine with the TPU-MLIR TEST DOUBLE image (tests/workshop_support.py, as the CLI's workshop
tests), prepared and its kit made by the instructor's own commands.

To make the attendee wait, the test holds the server's only place itself (the queue's slot
flock, exactly as a long conversion would). Then: the Convert page shows the place in the line,
Cancel leaves the line on the server, a new Start converts once the place is free; and a window
closed while waiting (a separate app process that exits) keeps the place, and the next start
re-attaches and follows the run to its results.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from wizard.core.workshop.kit import read_kit

from docker_support import docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from sshd_support import sshd_server  # noqa: F401 (fixture)
from test_gui_support import (first_session, gui_home, loop, make_window, quit_while_it_runs,  # noqa: F401
                              reconnect_to_the_results,
                              run, services, to_page, wait_for)
from workshop_support import Room, hold_slots, new_workshop_id
from workshop_support import workshop_image  # noqa: F401 (fixture)
from wizard.core.app import wizard_flow as rules
from wizard.gui.services import Services

pytestmark = [pytest.mark.gui, pytest.mark.ssh, pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def room(sshd_server, workshop_image, tmp_path) -> Room:
    made = Room(server=sshd_server, root=tmp_path / "room", workshop_id=new_workshop_id(), image=workshop_image)
    assert made.prepare(slots=1).returncode == 0
    kit = made.make_kit()
    assert kit.returncode == 0, kit.stderr[-2000:]
    return made


def waiting_run_ids(room: Room) -> list[str]:
    """The line on the server: one file per waiting run (named after its ticket and run id)."""
    folder = room.workshop_dir / "queue" / "waiting"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def start_in_the_room(window, kit: str, key: str, tmp: Path, name: str = "Aiko") -> None:
    """Open the kit, walk the pages with sample files, fill the Where page and press Start."""
    await window.open_kit(kit)
    await window.ctx.idle()
    assert window.ctx.kit is not None, "the kit was refused"
    await to_page(window, "where", tmp)
    where = window.pages["where"]
    assert where.workshop_box.isVisible() and not where.local_radio.isVisible()
    where.workshop_name_edit.setText(name)
    where.workshop_key_edit.setText(key)
    where._workshop_edited()
    window.refresh()
    await wait_for(lambda: window.ctx.flow.can_next(), what="the Where page ready")
    window.go_next()  # Next: convert, i.e. Start


def test_the_window_waits_in_the_rooms_line_cancel_leaves_it_and_start_converts_there(
        make_window, loop, tmp_path, room, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)  # only the attendee's key file signs in
    held = hold_slots(room.workshop_dir, 1)  # someone else's long conversion has the only place
    window = make_window(svc=Services())
    run(loop, start_in_the_room(window, str(room.kit), str(room.server.client_key), tmp_path), timeout=120)
    page = window.convert_page
    run(loop, wait_for(lambda: "Waiting: you are next." in page.phase_label.text()
                       or window.ctx.state.job_status != rules.JOB_RUNNING, timeout=180, what="the place in the line"),
        timeout=200)
    assert "Waiting: you are next." in page.phase_label.text(), (page.phase_label.text(), page.problems.texts(),
                                                                  list(page.log._lines)[-30:])
    assert "runs 1 conversions at once" in page.phase_label.text()
    record = window.ctx.settings.active_job
    assert record is not None and record.backend == "workshop" and record.where == room.server.target
    run_dir = Path(record.run_dir)
    run_id = json.loads((run_dir / "job.json").read_text())["run_id"]
    assert any(name.endswith(run_id) for name in waiting_run_ids(room)), waiting_run_ids(room)
    attendee = json.loads((run_dir / ".workshop.json").read_text())["attendee"]
    assert attendee == "Aiko"

    page.cancel_button.click()  # while waiting: leaves the line on the server
    run(loop, page.wait(), timeout=120)
    assert window.ctx.state.job_status == rules.JOB_CANCELLED
    assert "your place in the queue was given up" in page.phase_label.text()
    assert not any(name.endswith(run_id) for name in waiting_run_ids(room)), waiting_run_ids(room)
    assert window.ctx.settings.active_job is None

    # The place is free now: a new Start (into a new folder) converts on the room's server.
    for handle in held:
        handle.close()
    window.ctx.state.out_dir = str(tmp_path / "run-again")
    page.start_button.click()
    run(loop, page.wait(), timeout=400)
    assert window.ctx.state.job_status == rules.JOB_SUCCEEDED, page.problems.texts()
    made = Path(window.ctx.state.run_dir)
    assert made == tmp_path / "run-again" and sorted(p.name for p in made.glob("*.cvimodel")) == [
        "yolo11n_sym_int8.cvimodel"]
    assert json.loads((made / "job.json").read_text())["backend"] == "workshop"
    assert json.loads((made / "results.json").read_text())["ok"] is True
    assert waiting_run_ids(room) == []


def first_workshop_session(home: str, tmp: str, kit: str, key: str) -> None:
    """Run in a child process (the first app session): start in the room, close the window while
    waiting in the line and exit, as an attendee closing the laptop's app does. Prints
    "RUN_DIR <run folder> <backend>" from the settings the next start reads."""
    os.environ.pop("SSH_AUTH_SOCK", None)

    async def get_there(window):
        await start_in_the_room(window, kit, key, Path(tmp))
        page = window.convert_page
        await wait_for(lambda: page.queue_ahead == 0, timeout=180, what="the place in the line")
        await wait_for(lambda: window.ctx.settings.active_job is not None, what="the job's record")

    quit_while_it_runs(Services(), home, get_there)


def test_closed_while_waiting_keeps_the_place_and_the_next_start_reattaches(make_window, loop, tmp_path, room,
                                                                            gui_home, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    held = hold_slots(room.workshop_dir, 1)
    code = (f"import test_gui_workshop_room as t; t.first_workshop_session({str(gui_home[0])!r}, "
            f"{str(tmp_path)!r}, {str(room.kit)!r}, {str(room.server.client_key)!r})")
    run_dir, backend = first_session(code, gui_home[0])
    assert backend == "workshop"
    run_id = json.loads((Path(run_dir) / "job.json").read_text())["run_id"]
    assert any(name.endswith(run_id) for name in waiting_run_ids(room)), "the place is kept without the app"
    for handle in held:
        handle.close()  # the other conversion ends: ours goes on, with nobody watching
    again = reconnect_to_the_results(make_window, loop, run_dir)
    assert sorted(p.name for p in Path(run_dir).glob("*.cvimodel")) == ["yolo11n_sym_int8.cvimodel"]
    assert again.ctx.settings.active_job is None and waiting_run_ids(room) == []
    assert again.ctx.kit is not None and again.ctx.kit.content.kit_id == read_kit(room.kit).content.kit_id
    assert again.ctx.kit.title in again.windowTitle()  # the window says which workshop again
