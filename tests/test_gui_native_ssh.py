"""The cloud machine without Docker, through the window, against a REAL OpenSSH server on 127.0.0.1.

The real services run the real native check over SSH (NativeSshRunner.check, host key
confirmed by the user): the "VM" is this machine seen through sshd, its login's HOME a tmp
folder. No toolchain runs (neither the real one nor the double): this is the Test connection
of the native sub-choice.
"""

from __future__ import annotations

import pytest
from sshd_support import sshd_server  # noqa: F401 - fixture
from test_gui_support import answer_host_key, gui_home, loop, make_window, run, to_page, wait_for  # noqa: F401
from wizard.core.app import wizard_flow as rules
from wizard.gui.services import Services

pytestmark = [pytest.mark.gui, pytest.mark.ssh]


@pytest.fixture
def services():
    return Services()


def test_test_connection_without_docker_shows_the_vm_s_native_report(make_window, loop, tmp_path, sshd_server):
    window = make_window()
    run(loop, to_page(window, "where", tmp_path))
    where = window.pages["where"]
    where.ssh_radio.setChecked(True)
    where.vm_native_radio.setChecked(True)
    where.host_edit.setText("127.0.0.1")
    where.port_spin.setValue(sshd_server.port)
    where.user_edit.setText(sshd_server.user)
    where.key_edit.setText(str(sshd_server.client_key))
    where._ssh_edited()

    run(loop, answer_host_key(window, fingerprint=sshd_server.fingerprint()))
    state = window.ctx.state
    report = state.ssh_native_report
    assert report is not None, where.ssh_problems.texts()
    assert (state.ssh_tested_for, state.ssh_tested_toolchain) == (sshd_server.target, rules.TOOLCHAIN_NATIVE)
    assert report.where == sshd_server.target and report.facts.base.user == sshd_server.user
    # The check looked where the VM's environments go (its login's HOME), and changed nothing.
    assert report.environment is None or report.environment.root == f"{sshd_server.home}/.recamera-wizard/toolchains"
    assert not (sshd_server.home / ".recamera-wizard" / "toolchains").exists()
    assert f"Connected: {sshd_server.target} (" in where.test_result.text()
    view = where.vm_native_view
    shown = [p.code for p in view.problems.problems()]
    assert shown == [p.code for p in report.problems] + ([report.setup.unsupported.code] if report.setup.unsupported else [])
    assert view.facts.text() and view.summary.text()
    # What Next waits for is what the flow derives from this report, and the page says the same.
    expected = rules.native_problems(report, setup_consent=False, env_consent=False)
    assert [p.code for p in window.problems.problems()] == [p.code for p in expected]
    assert window.next_button.isEnabled() == (expected == [])
    run(loop, wait_for(lambda: sshd_server.session_pids() == [], timeout=20, what="the check's connection closed"))
