"""File > Make a workshop kit… through the REAL services (wizard.gui.services.Services, no double)
against a REAL OpenSSH server on 127.0.0.1 (tests/sshd_support.py) running this machine's real
Docker engine with the TPU-MLIR TEST DOUBLE image, prepared by the instructor's own
``workshop prepare-server`` (tests/workshop_support.py, as the CLI's workshop tests).

The window's app folder has never seen the server, so the dialog asks for its fingerprint; the
test checks it is the test sshd's, accepts, and the core's make_kit checks the server and writes
a kit that the core's read_kit accepts, pinned to the test sshd's host key.
"""

from __future__ import annotations

import pytest

from docker_support import docker_client, toolchain_double_image  # noqa: F401 (fixtures)
from sshd_support import sshd_server  # noqa: F401 (fixture)
from test_gui_support import gui_home, loop, make_window, run, sample_images, services, wait_for  # noqa: F401
from workshop_support import Room, new_workshop_id
from workshop_support import workshop_image  # noqa: F401 (fixture)
from wizard.core.workshop.kit import read_kit
from wizard.gui.services import Services

pytestmark = [pytest.mark.gui, pytest.mark.ssh, pytest.mark.docker, pytest.mark.slow]


def test_the_dialog_makes_a_real_kit_pinned_to_the_servers_host_key(sshd_server, workshop_image, make_window, loop,
                                                                   tmp_path):
    from PySide6.QtWidgets import QMessageBox

    room = Room(server=sshd_server, root=tmp_path, workshop_id=new_workshop_id(), image=workshop_image)
    prepared = room.prepare(slots=2)
    assert prepared.returncode == 0, prepared.stderr + prepared.stdout

    window = make_window(svc=Services())
    window.make_kit_action.trigger()
    dialog = window.kit_maker_dialog
    out = tmp_path / "room.rcwkit"
    dialog.title_edit.setText("GUI-made room")
    dialog.out_edit.setText(str(out))
    dialog.server_edit.setText(sshd_server.target)
    dialog.key_edit.setText(str(sshd_server.client_key))
    dialog.workshop_edit.setText(room.workshop_id)
    dialog.image_edit.setText(workshop_image)
    dialog.unlock_checks["tolerance"].setChecked(True)
    dialog.lock_camera.setChecked(True)
    dialog.images_edit.setText(str(sample_images(tmp_path / "samples", 2)))
    task = dialog.make()
    assert task is not None, dialog.input_error.text()

    run(loop, wait_for(lambda: dialog.host_key_dialog is not None and dialog.host_key_dialog.isVisible(),
                       timeout=120, what="the fingerprint question"))
    assert sshd_server.fingerprint() in dialog.host_key_dialog.informativeText()
    dialog.host_key_dialog.button(QMessageBox.StandardButton.Yes).click()
    run(loop, task, timeout=300)

    assert dialog.kit is not None, dialog.problems.texts()
    assert dialog.success_label.isVisible() and str(out) in dialog.success_label.text()
    kit = read_kit(out)  # the core's reader: checksum, format, content
    assert kit.title == "GUI-made room" and kit.checksum == dialog.kit.checksum
    assert kit.server.target == sshd_server.target and kit.server.workshop_id == room.workshop_id
    assert kit.server.host_key_fingerprint == sshd_server.fingerprint()
    assert kit.server.slots == 2  # blank: as the server was prepared
    assert kit.content.toolchain.image == workshop_image and kit.content.toolchain.image_id
    assert not kit.is_locked("tolerance") and kit.is_locked("processor") and kit.is_locked("camera")
    assert len(kit.content.samples.images) == 2
