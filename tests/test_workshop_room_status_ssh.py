"""The window's room status (Services.room_status, and the dialog over it) against a REAL OpenSSH
server on 127.0.0.1 (tests/sshd_support.py): the real status command runs there over the kit's
pinned host key and the real parser reads it.

No Docker and no toolchain: the workshop's queue is made by prepare-server's own queue script
(run by /bin/sh in the server's home, as test_workshop_status.py does), and the jobs are planted
as the wrappers leave them: a finished conversion's receipt, and a waiting and a running job whose
"wrapper" is a live process of this test holding its ticket's flock, as a real wrapper does.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import subprocess
import time

import pytest

from sshd_support import keygen, sshd_server  # noqa: F401 (fixture)
from test_gui_support import loop  # noqa: F401 (fixture)
from workshop_support import new_workshop_id
from wizard.core.messages import WizardError
from wizard.core.ssh.options import SshCredentials
from wizard.core.workshop import server_layout as layout
from wizard.core.workshop import server_setup
from wizard.core.workshop.kit import (KitCamera, KitContent, KitServer, KitToolchain, key_fingerprint,
                                      resolve_options, write_kit)
from wizard.gui.services import Services, one_field_login

pytestmark = pytest.mark.ssh


def kit_for(server, workshop_id: str, path, public_key_line: str | None = None):
    """A kit pinned to the server's host key (or to ``public_key_line``: another machine's)."""
    kind, blob, *_ = (public_key_line or server.host_public_key_line()).split()
    content = KitContent(
        kit_id="kit-roomssh", title="Room status test", preset="recamera-default",
        options=resolve_options("recamera-default", {}), locked=(),
        server=KitServer(target=server.target, host_key_type=kind, host_key=blob,
                         host_key_fingerprint=key_fingerprint(base64.b64decode(blob)), workshop_id=workshop_id,
                         slots=2),
        toolchain=KitToolchain(image="recamera-wizard-test/none:0"), camera=KitCamera())
    return write_kit(path, content)


class PlantedRoom:
    """A prepared workshop in the server's home with three jobs: done, running, waiting."""

    def __init__(self, server, workshop_id: str):
        self.server, self.workshop_id = server, workshop_id
        argv = server_setup.queue_argv(server_setup.ServerPlan(workshop_id=workshop_id, slots=2), "sha256:abc", None)
        subprocess.run(argv, check=True, capture_output=True, env={**os.environ, "HOME": str(server.home)},
                       cwd=server.home)
        self.dir = server.home / layout.workshop_root(workshop_id)
        self.wrappers: list[subprocess.Popen] = []
        self.tickets: list = []
        now = int(time.time())
        self.done = f"{workshop_id}-20260101-000001-aaaaaa"
        self.running = f"{workshop_id}-20260101-000002-bbbbbb"
        self.waiting = f"{workshop_id}-20260101-000003-cccccc"
        self._files(f"records/{self.done}", attendee="aiko", model="helmet", state=f"ticket 1 {now - 100}\n"
                    f"admitted 1 {now - 98}\nended 0 {now - 40}\n", exit_code="0\n")
        self._files(f"runs/{self.running}", attendee="bruno", model="cars",
                    state=f"ticket 2 {now - 60}\nwaiting 0 {now - 60}\nadmitted 1 {now - 50}\n",
                    log="[wizard] step transform started: model_transform\n[wizard] step transform finished rc=0 "
                        "elapsed=3\n[wizard] step calibrate started: run_calibration\n")
        self._wrapper(f"runs/{self.running}", f"queue/running/0000000002-{self.running}")
        self._files(f"runs/{self.waiting}", attendee="chen", model="dogs",
                    state=f"ticket 3 {now - 20}\nwaiting 0 {now - 20}\n")
        self._wrapper(f"runs/{self.waiting}", f"queue/waiting/0000000003-{self.waiting}")

    def _files(self, folder: str, *, attendee: str, model: str, state: str, exit_code: str | None = None,
               log: str | None = None) -> None:
        run = self.dir / folder
        run.mkdir(parents=True)
        (run / layout.ATTENDEE_FILE).write_text(json.dumps({"attendee": attendee, "model": model}))
        (run / layout.QUEUE_STATE_FILE).write_text(state)
        if exit_code is not None:
            (run / "exit_code").write_text(exit_code)
        if log is not None:
            (run / "convert.log").write_text(log)

    def _wrapper(self, folder: str, ticket: str) -> None:
        """A live process stands for the job's wrapper (its pid file), and its ticket is locked."""
        wrapper = subprocess.Popen(["sleep", "300"])
        self.wrappers.append(wrapper)
        (self.dir / folder / ".wizard-run.pid").write_text(f"{wrapper.pid}\n")
        handle = open(self.dir / ticket, "a")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.tickets.append(handle)

    def close(self) -> None:
        for handle in self.tickets:
            handle.close()
        for wrapper in self.wrappers:  # only the processes this test started, by their own handle
            wrapper.kill()
            wrapper.wait(10)


@pytest.fixture
def planted(sshd_server):
    room = PlantedRoom(sshd_server, new_workshop_id())
    yield room
    room.close()


def test_room_status_reads_the_real_server_through_the_kits_pinned_key(sshd_server, planted, tmp_path):
    kit = kit_for(sshd_server, planted.workshop_id, tmp_path / "room.rcwkit")
    assert kit.server.host_key_fingerprint == sshd_server.fingerprint()
    room = Services().room_status(kit, SshCredentials(key_file=sshd_server.client_key))
    jobs = {job.attendee: job for job in room.jobs}
    assert [job.attendee for job in room.jobs] == ["aiko", "bruno", "chen"]  # in ticket order
    assert (jobs["aiko"].state, jobs["aiko"].verdict, jobs["aiko"].elapsed, jobs["aiko"].collected) == (
        "done", "success", 60, True)
    assert (jobs["bruno"].state, jobs["bruno"].step) == ("running", "calibrate")
    assert (jobs["chen"].state, jobs["chen"].ahead, jobs["chen"].position) == ("waiting", 0, 1)
    assert [job.label("en") for job in room.jobs] == ["done: converted", "running: calibrate", "waiting: 0 ahead"]
    assert jobs["chen"].waited is not None and 15 <= jobs["chen"].waited <= 120
    server = room.server
    assert (server.slots, server.waiting) == (2, 1) and room.target == sshd_server.target
    assert server.mem_total and server.mem_total > 0 and server.disk_free and len(server.load) == 3
    assert room.server_summary("en").startswith(f"Server {sshd_server.target}: ")


def test_room_status_refuses_another_host_key_and_a_wrong_login_with_messages(sshd_server, planted, tmp_path):
    other = keygen(tmp_path / "other_host_ed25519").with_suffix(".pub").read_text()
    wrong = kit_for(sshd_server, planted.workshop_id, tmp_path / "wrong.rcwkit", public_key_line=other)
    with pytest.raises(WizardError) as refused:
        Services().room_status(wrong, SshCredentials(key_file=sshd_server.client_key))
    assert refused.value.problem.code == "kit_host_key_mismatch"
    assert sshd_server.fingerprint() in refused.value.problem.text("en")[0]

    kit = kit_for(sshd_server, planted.workshop_id, tmp_path / "room.rcwkit")
    stranger = keygen(tmp_path / "stranger_ed25519")
    with pytest.raises(WizardError) as denied:
        Services().room_status(kit, one_field_login(str(stranger), ""))
    assert denied.value.problem.code == "vm_auth_failed"


@pytest.mark.gui
def test_the_dialog_shows_the_real_rooms_jobs_after_the_login_is_typed(sshd_server, planted, tmp_path, loop,
                                                                        monkeypatch):
    """The dialog over the REAL services and server: the first fetch (no key given, no agent, no
    default key of this machine's user) is refused with its message; with the key, the table."""
    from test_gui_support import run
    from wizard.core.app.settings import SettingsStore
    from wizard.core.app.wizard_flow import WizardFlow
    from wizard.gui.context import AppContext
    from wizard.gui.room_status import RoomStatusDialog

    kit = kit_for(sshd_server, planted.workshop_id, tmp_path / "room.rcwkit")
    store = SettingsStore(tmp_path / "home")
    ctx = AppContext(flow=WizardFlow(), services=Services(), store=store, settings=store.load())
    dialog = RoomStatusDialog(ctx)
    try:
        dialog.set_kit(kit)
        dialog.show()
        with monkeypatch.context() as no_keys:
            no_keys.setenv("HOME", str(tmp_path / "nobody"))
            no_keys.delenv("SSH_AUTH_SOCK", raising=False)
            run(loop, dialog.refresh(), timeout=60)
        assert dialog.problem is not None and dialog.problem.code == "vm_auth_failed"
        assert dialog.error_label.isVisibleTo(dialog) and "Traceback" not in dialog.error_label.text()
        dialog.key_edit.setText(str(sshd_server.client_key))
        dialog.refresh_button.click()
        run(loop, ctx.idle(), timeout=60)
        assert dialog.problem is None
        assert [row[1] for row in dialog.table_rows()] == ["aiko", "bruno", "chen"]
        assert [row[3] for row in dialog.table_rows()] == ["done: converted", "running: calibrate",
                                                           "waiting: 0 ahead (place 1 in line)"]
        assert dialog.server_label.text().startswith(f"Server {sshd_server.target}: ")
    finally:
        dialog.close()
        dialog.deleteLater()
