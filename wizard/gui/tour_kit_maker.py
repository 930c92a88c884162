"""The tour's kit maker: File > Make a workshop kit… filled in as an instructor would (no network).

The dialog is the real one, with the tour's sample model and pictures as the kit's samples; Make
kit is never pressed (it would connect to the server), so the shot shows the form ready to go:
the title, the shared server and the instructor's key, the workshop and its places, the preset's
options with the two attendees may change ticked, the camera locked.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

SHOT = "13_workshop_make_kit"


async def tour_kit_maker(window, shoot, work: Path, model: Path, images: Path) -> None:
    from wizard.gui.kit_maker_dialog import open_kit_maker

    dialog = open_kit_maker(window)
    dialog.title_edit.setText("reCamera workshop, room 4")
    dialog.out_edit.setText(str(work / "room4.rcwkit"))
    dialog.server_edit.setText("attendee@127.0.0.1:2222")
    dialog.key_edit.setText("~/.ssh/instructor_ed25519")
    dialog.workshop_edit.setText("room-4")
    dialog.slots_spin.setValue(2)
    for name in ("calibration_count", "tolerance"):
        dialog.unlock_checks[name].setChecked(True)
    dialog.lock_camera.setChecked(True)
    dialog.model_edit.setText(str(model))
    dialog.images_edit.setText(str(images))
    for _ in range(10):  # only awaiting: never processEvents() inside a task (qasync)
        await asyncio.sleep(0.05)
    shoot(SHOT, dialog)
    dialog.close()
    await window.ctx.idle()
