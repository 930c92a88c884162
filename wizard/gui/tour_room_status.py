"""The tour's room status: Workshop > Room status… over a replayed room (no network).

The room is made of the core's own types (wizard.core.workshop.status: JobStatus, ServerLoad,
RoomStatus) as fetch_status returns them for a class half-way through: one attendee done, one
failed (the out-of-memory kill the queue exists to prevent, in the catalogue's words), two
running, two waiting. The dialog, its table and the server's line are the real ones.
"""

from __future__ import annotations

import asyncio

from wizard.core.messages import render
from wizard.core.workshop.status import JobStatus, RoomStatus, ServerLoad

GB = 1024**3
SHOT = "12_workshop_room_status"


def replayed_room(target: str, workshop_id: str) -> RoomStatus:
    killed = render("workshop_cause_exit", {"step": "calibrate", "code": 137})[0]
    jobs = (
        JobStatus(run_id=f"{workshop_id}-01", attendee="Aiko Tanaka", state="done", ticket=1, verdict="success",
                  exit_code=0, elapsed=412, waited=2, model="helmet_yolo11n", collected=True),
        JobStatus(run_id=f"{workshop_id}-02", attendee="Bruno Costa", state="failed", ticket=2,
                  verdict="conversion_failed", step="calibrate", cause=killed, exit_code=137, elapsed=288, waited=5,
                  model="forklift_yolov8s"),
        JobStatus(run_id=f"{workshop_id}-03", attendee="Chen Wei", state="running", ticket=3, step="calibrate",
                  elapsed=236, waited=31, model="parcel_yolo11n"),
        JobStatus(run_id=f"{workshop_id}-04", attendee="Dana Levi", state="running", ticket=4, step="transform",
                  elapsed=97, waited=64, model="helmet_yolo11n"),
        JobStatus(run_id=f"{workshop_id}-05", attendee="Emeka Obi", state="waiting", ticket=5, ahead=0, elapsed=58,
                  waited=58, model="shelf_yolov8n"),
        JobStatus(run_id=f"{workshop_id}-06", attendee="Fumi Sato", state="waiting", ticket=6, ahead=1, elapsed=21,
                  waited=21, model="helmet_yolo11n"),
    )
    server = ServerLoad(slots=2, running=2, waiting=2, load=(3.62, 3.10, 2.41), mem_total=16 * GB,
                        mem_available=int(6.4 * GB), disk_free=int(71.5 * GB))
    return RoomStatus(target=target, workshop_id=workshop_id, server_time=None, server=server, jobs=jobs)


async def tour_room_status(window, shoot) -> None:
    """The instructor opens Workshop > Room status… for the open kit (the tour's room 3)."""
    from wizard.gui.room_status import open_room_status

    kit = window.ctx.kit
    if kit is None:
        raise RuntimeError("the tour's kit is not open: no room to show")
    services = window.ctx.services
    calls: list = []

    def room_status(kit_asked, credentials, login=None):
        calls.append(credentials)
        shown = f"{login}@{kit_asked.server.ssh_target.address}" if login else kit_asked.server.target
        return replayed_room(shown, kit_asked.server.workshop_id)

    services.room_status = room_status  # type: ignore[method-assign]
    try:
        dialog = open_room_status(window)
        dialog.key_edit.setText("~/.ssh/instructor_ed25519")
        for _ in range(100):  # only awaiting: never processEvents() inside a task (qasync)
            if dialog.fetches and not dialog.fetching:
                break
            await asyncio.sleep(0.05)
        if dialog.problem is not None or dialog.table.rowCount() != 6:
            raise RuntimeError(f"the room status was not shown: {dialog.error_label.text()}")
        await asyncio.sleep(0.4)  # paint
        shoot(SHOT, dialog)
        dialog.close()
        await window.ctx.idle()
    finally:
        del services.room_status  # the class's own method again
