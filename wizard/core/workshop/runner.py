"""WorkshopRunner: the SSH runner, on the kit's shared server, with the queue.

What it adds to SshRunner (and nothing else differs: upload, streaming, re-attach, cancel and
cleanup are the SSH backend's):

  * the server and its host key come from the kit, pinned (host_key.PinnedHostKey); no set-up and
    no image build are ever done from an attendee's app;
  * ``prepare`` also checks the workshop is set up there and the toolchain image is the kit's one;
  * each run gets its own folder ``runs/<workshop>-<run id>``, with ``attendee.json`` (who it is
    for, written as data over stdin: a hostile name is just text);
  * the detached wrapper waits in the server's queue before the container starts
    (queue_shell.before_container) and leaves a receipt after it (queue_shell.after_container);
  * the wrapper's ``[workshop]`` log lines become QueueWaiting / QueueAdmitted / QueueLeft events;
    on a re-attach the last known place in the queue is sent at once (from queue.state).

Two kinds of room (the kit's ``server.accounts``):

  shared        attendees share one login. Each job has its own folder under an unguessable run
                id, names never reach a shell, and the wizard only ever touches its own run
                folder, so attendees cannot collide or overwrite each other BY USING THE WIZARD.
                It does not stop an attendee who takes the shared login to a terminal: that
                login (in the docker group, as conversions need) can read or delete every run
                folder, and through Docker, the server.
  per-attendee  each attendee logs in with their own account (``account``), which has no Docker:
                the run folder is ``jobs/<run id>/w`` in the root-owned workshop, made by the
                gatekeeper (gatekeeper.py) and only its owner's; the wrapper runs
                ``sudo -n gatekeeper run``, which queues (in root's folder) and starts the
                workshop's image as the attendee's uid with only that folder mounted; cancel and
                cleanup go through the gatekeeper too. No attendee can read, change or stop
                another's files, results or container, from the wizard or from a terminal.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

from wizard import __version__
from wizard.core.events import Event, LogLine, QueueWaiting, StepFinished
from wizard.core.messages import WizardError
from wizard.core.runners.protocol import RunHandle
from wizard.core.ssh import remote_shell as rs
from wizard.core.runners.vm.runner import SshRunner, VmConsents
from wizard.core.ssh.options import SshCredentials, SshTimings
from wizard.core.ssh.target import SshTarget
from wizard.core.workshop import gatekeeper
from wizard.core.workshop import queue_shell as qs
from wizard.core.workshop import server_check
from wizard.core.workshop import server_layout as layout
from wizard.core.workshop.host_key import PinnedHostKey
from wizard.core.workshop.kit import Kit

BACKEND = "workshop"


class WorkshopRunner(SshRunner):
    backend = BACKEND

    def __init__(self, target: str | None = None, *, kit: Kit, run_id: str | None = None,
                 attendee: dict[str, Any] | None = None, account: str | None = None,
                 credentials: SshCredentials = SshCredentials(), timings: SshTimings = SshTimings(),
                 live_log: str | Path | None = None):
        """``target`` may be left out (it is the kit's, or in a per-attendee room, the kit's
        server as ``account``); ``credentials`` and ``timings`` as SshRunner's (the host key, the
        image, the run folder and "no set-up, no image build" are the kit's). ``attendee``: what
        attendee.json holds (name...); the runner adds the run id, kit and time."""
        server = kit.server
        if target is not None:
            if not server.same_server(str(target)):
                raise ValueError(f"{target} is not the kit's server {server.target}")
            account = SshTarget.parse(str(target)).user if server.per_attendee else None
        login = server.login_target(account)
        super().__init__(login, credentials=credentials, timings=timings, live_log=live_log,
                         run_id=run_id or layout.new_workshop_run_id(server.workshop_id),
                         remote_root=layout.runs_root(server.workshop_id), image=kit.content.toolchain.image,
                         consents=VmConsents(setup_consent=False, build_image=False))
        self.host_keys = PinnedHostKey(server)
        self.kit = kit
        self.attendee = dict(attendee or {})
        self.reattached = False

    @classmethod
    def attach(cls, handle: RunHandle, offset: int = 0, skip_lines: int = 0, **options: Any) -> "WorkshopRunner":
        """As SshRunner.attach; ``options`` must include ``kit``."""
        runner = super().attach(handle, offset=offset, skip_lines=skip_lines, **options)
        runner.reattached = True
        return runner  # type: ignore[return-value]

    @property
    def per_attendee(self) -> bool:
        return self.kit.server.per_attendee

    @property
    def workshop_dir(self) -> str:
        if self.per_attendee:
            return layout.isolated_workshop_dir(self.kit.server.workshop_id)
        return layout.workshop_dir_of_run(self.remote_dir)

    @property
    def remote_dir(self) -> str:
        if self.per_attendee:
            return layout.isolated_run_dir(self.kit.server.workshop_id, self.run_id)
        return super().remote_dir

    def _gatekeeper(self, verb: str, *extra: str) -> str:
        run_id = None if verb == "image-id" else self.run_id
        return gatekeeper.command(verb, self.kit.server.workshop_id, run_id, *extra)

    # --- prepare: the SSH checks, then the workshop's --------------------------------------------

    def prepare(self) -> Iterator[Event]:
        try:
            for event in super().prepare():
                if isinstance(event, StepFinished) and event.step == "prepare":
                    self._check_workshop()
                yield event
        except WizardError as exc:
            if exc.problem.code == "vm_image_missing":
                raise WizardError.of("workshop_image_missing", image=self.image, target=str(self.target)) from None
            raise

    def _prepare_host(self) -> Iterator[Event]:
        """A per-attendee login has no Docker of its own: nothing to probe or set up here (the
        workshop check that follows asks the gatekeeper for the image)."""
        if not self.per_attendee:
            yield from super()._prepare_host()

    def _check_workshop(self) -> None:
        content = self.kit.content
        image_id_command = None
        if self.per_attendee:
            image_id_command = self._gatekeeper("image-id")
            self._through_gatekeeper(image_id_command)  # a login the gatekeeper refuses: say so first
        facts = server_check.parse_probe(self._checked(
            server_check.probe_command(self.workshop_dir, content.toolchain.image, image_id_command),
            "look at the workshop"))
        problems = server_check.problems_for(facts, target=str(self.target), workshop_id=self.kit.server.workshop_id,
                                             image=content.toolchain.image, image_id=content.toolchain.image_id)
        if problems:
            raise WizardError(problems[0])

    # --- upload: the workspace, then who it is for -------------------------------------------------

    def upload(self, workspace: Path) -> Iterator[Event]:
        if self.per_attendee and not self._remote_created:
            self._open_run_folder()
        yield from super().upload(workspace)
        record = {
            **self.attendee,
            "run_id": self.run_id,
            "kit_id": self.kit.content.kit_id,
            "kit_checksum": self.kit.checksum,
            "uploaded": time.time(),
            "wizard_version": __version__,
        }
        data = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        self._checked(rs.write_file_command(self.remote_dir, layout.ATTENDEE_FILE), "write attendee.json", stdin=data)

    # --- run: the queue's lines as typed events -------------------------------------------------------

    def _open_run_folder(self) -> None:
        """The gatekeeper makes the run folder (a per-attendee login cannot write in the workshop)."""
        self._through_gatekeeper(self._gatekeeper("open"))
        self._remote_created = True

    def _through_gatekeeper(self, command: str) -> str:
        """Run one gatekeeper call; its refusal (not one of the workshop's accounts, not this
        account's run) is the catalogue's message with the gatekeeper's own words."""
        result = self._connection().run(command, timeout=60)
        if result.exit_code != 0:
            detail = (result.err.strip() or f"exit code {result.exit_code}").splitlines()[-1]
            raise WizardError.of("workshop_gatekeeper_refused", account=self.target.user, target=str(self.target),
                                 workshop=self.kit.server.workshop_id, detail=detail[:300])
        return result.out

    def before_container_script(self) -> str:
        if self.per_attendee:
            return ""  # the gatekeeper queues, in root's folder
        return qs.before_container(self.workshop_dir, self.run_id)

    def after_container_script(self) -> str:
        return "" if self.per_attendee else qs.after_container()

    def _convert_command(self) -> str:
        if self.per_attendee:
            return self._gatekeeper("run")
        return super()._convert_command()

    def _cancel_command(self) -> str:
        if self.per_attendee:
            return rs.cancel_command(self.remote_dir, self.run_id, stop_container=self._gatekeeper("stop", "5"),
                                     remove_container=self._gatekeeper("stop", "0"))
        return super()._cancel_command()

    def _cleanup_command(self) -> str:
        if self.per_attendee:
            return self._gatekeeper("remove")
        return super()._cleanup_command()

    @property
    def _queue_state_path(self) -> str:
        if self.per_attendee:  # root's record of the queue, readable by this run's owner only
            return f"{self.remote_dir.rsplit('/', 1)[0]}/{layout.QUEUE_STATE_FILE}"
        return f"{self.remote_dir}/{layout.QUEUE_STATE_FILE}"

    def run(self) -> Iterator[Event]:
        if self.reattached:
            waiting = self._queue_place()
            if waiting is not None:
                yield waiting
        for event in super().run():
            yield event
            if isinstance(event, LogLine) and event.text.startswith(qs.LOG_PREFIX):
                queued = qs.queue_event(event.text)
                if queued is not None:
                    yield queued

    def queue_state(self) -> qs.QueueState:
        """This run's queue.state as the server has it now."""
        result = self._connection().run(f"cat {rs.q(self._queue_state_path)} 2>/dev/null", timeout=30)
        return qs.parse_queue_state(result.out)

    def _queue_place(self) -> QueueWaiting | None:
        """The place in the queue after a re-attach: the log's lines say it only when it changes."""
        state = self.queue_state()
        if state.ticket is None or state.admitted is not None or state.ended is not None or state.left:
            return None
        ahead = state.ahead or 0
        return QueueWaiting(ticket=state.ticket, position=ahead + 1, ahead=ahead, slots=self.kit.server.slots)
