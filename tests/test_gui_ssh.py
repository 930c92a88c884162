"""The cloud-machine panel against a real OpenSSH server on 127.0.0.1: first-connection
fingerprint dialog, then a key login, with the real services (paramiko, known_hosts store)."""

from __future__ import annotations

import pytest
from sshd_support import sshd_server  # noqa: F401 - fixture
from test_gui_support import answer_host_key, gui_home, loop, make_window, run, to_page, wait_for  # noqa: F401
from wizard.gui.services import Services

pytestmark = [pytest.mark.gui, pytest.mark.ssh]


@pytest.fixture
def services():
    return Services()


def test_ssh_test_asks_for_the_real_fingerprint_then_connects(make_window, loop, tmp_path, sshd_server, gui_home):
    window = make_window()
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    where.ssh_radio.setChecked(True)
    where.host_edit.setText("127.0.0.1")
    where.port_spin.setValue(sshd_server.port)
    where.user_edit.setText(sshd_server.user)
    where.key_edit.setText(str(sshd_server.client_key))
    where._ssh_edited()
    assert not window.next_button.isEnabled()

    run(loop, answer_host_key(window, fingerprint=sshd_server.fingerprint()))
    assert window.ctx.state.ssh_tested_for == f"{sshd_server.user}@127.0.0.1:{sshd_server.port}", where.ssh_problems.texts()
    assert "Connected" in where.test_result.text()
    assert window.next_button.isEnabled()
    # Accepted once: the app's known_hosts has it, so a second test asks nothing.
    where.host_key_dialog = None
    window.ctx.state.ssh_tested_for = ""
    where.test_connection()
    run(loop, window.ctx.idle())
    assert where.host_key_dialog is None
    assert window.ctx.state.ssh_tested_for
