"""``workshop make-kit``: check the server, then write the kit.

The kit is written only when the server is ready for it: reachable (its host key confirmed by the
instructor as for any VM, then pinned in the kit), Docker usable, the workshop set up with the
kit's number of slots, flock there, the toolchain image there (its ID goes into the kit; with a
tarball, the tarball must hold that same image), memory and disk enough for the slots. Every
problem found is reported at once, so one round of fixes is enough.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from wizard.core.messages import Problem, WizardError, problem
from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
from wizard.core.runners.vm import setup as remote_setup
from wizard.core.ssh import remote_shell as rs
from wizard.core.ssh.connection import SshConnection, SshTarget, fingerprint
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings
from wizard.core.workshop import image_tarball, server_check
from wizard.core.workshop import server_layout as layout
from wizard.core.workshop.kit import (
    OPTION_NAMES, PER_ATTENDEE, PER_ATTENDEE_SCHEMA, SHARED_LOGIN_SCHEMA, Kit, KitCamera, KitContent, KitSamples, KitServer, KitToolchain, new_kit_id, now_iso,
    resolve_options, sample_members, write_kit,
)


@dataclass(frozen=True)
class KitDraft:
    title: str
    preset: str = "recamera-default"
    options: Mapping[str, Any] = field(default_factory=dict)  # explicit options on top of the preset
    unlocked: frozenset[str] = frozenset()  # options attendees may change (all others are locked)
    lock_camera: bool = False
    lock_language: bool = False
    workshop_id: str = layout.DEFAULT_WORKSHOP_ID
    slots: int | None = None  # None: what the server was prepared with
    image: str = DEFAULT_TOOLCHAIN_IMAGE
    image_tarball: Path | None = None
    sample_model: Path | None = None
    sample_images: Path | None = None
    camera: KitCamera = KitCamera()
    language: str | None = None


class KitNotMade(WizardError):
    """The server is not ready for the kit: every problem found, errors first."""

    def __init__(self, problems: list[Problem], target: str):
        errors = [p for p in problems if p.is_error]
        super().__init__(problem("workshop_check_failed", target=target, count=len(errors)))
        self.problems = problems


def make_kit(out: str | Path, target: str, draft: KitDraft, *, credentials: SshCredentials = SshCredentials(),
             host_keys: HostKeyPolicy = HostKeyPolicy(), timings: SshTimings = SshTimings()) -> tuple[Kit, list[Problem]]:
    """Check the server and write the kit to ``out``; returns the kit and the warnings.
    ``credentials``, ``host_keys`` (the key seen here is the one the kit pins), ``timings``: the
    instructor's login to the server."""
    unknown = sorted(set(draft.unlocked) - set(OPTION_NAMES))
    if unknown:
        raise WizardError.of("kit_option_unknown", option=unknown[0], known=", ".join(OPTION_NAMES))
    options = resolve_options(draft.preset, draft.options)
    model_member, files = sample_members(draft.sample_model, draft.sample_images)
    tarball_ids: list[str] = []
    if draft.image_tarball is not None:
        tarball_ids = [i.image_id for i in image_tarball.tarball_images(draft.image_tarball)]

    server = SshTarget.parse(target)
    conn = SshConnection(server, credentials, host_keys.store(), accept_fingerprint=host_keys.accept_fingerprint,
                         timings=timings).connect()
    where = str(server)
    try:
        assert conn.transport is not None
        key = conn.transport.get_remote_server_key()
        vm = remote_setup.parse_probe(conn.run(remote_setup.probe_command(), timeout=60).out)
        found = list(remote_setup.problems_for(vm, where))
        home = conn.run(rs.home_command(), timeout=30).out.strip()
        room = _per_attendee_room(conn, draft.workshop_id)
        workshop_dir = layout.isolated_workshop_dir(draft.workshop_id) if room else layout.workshop_dir(home, draft.workshop_id)
        ws = server_check.parse_probe(conn.run(server_check.probe_command(workshop_dir, draft.image), timeout=60).out)
    finally:
        conn.close()
    slots = draft.slots if draft.slots is not None else (ws.slots or 1)
    layout.check_slots(slots)
    found += server_check.problems_for(ws, target=where, workshop_id=draft.workshop_id, image=draft.image,
                                       slots=slots, options=options)
    if room and room.get("image") != draft.image:
        found.append(problem("workshop_image_other", target=where, workshop=draft.workshop_id,
                             server_image=room.get("image") or "?", image=draft.image))
    if tarball_ids and ws.image_id and ws.image_id not in tarball_ids:
        found.append(problem("kit_image_differs", image=draft.image, target=where, expected=", ".join(tarball_ids),
                             found=ws.image_id))
    if any(p.is_error for p in found):
        raise KitNotMade(found, where)

    locked = {name for name in OPTION_NAMES if name not in draft.unlocked}
    locked |= {"camera"} if draft.lock_camera else set()
    locked |= {"language"} if draft.lock_language else set()
    accounts: dict[str, Any] = {}
    login = where
    if room:  # attendees log in as their own accounts: the kit names the first, and all of them
        names = room.get("accounts", "").split()
        accounts = {"accounts": PER_ATTENDEE, "account_hint": layout.account_hint(names)}
        if names:
            login = str(SshTarget(names[0], server.host, server.port))
    try:
        content = KitContent(
            kit_id=new_kit_id(),
            schema_version=PER_ATTENDEE_SCHEMA if room else SHARED_LOGIN_SCHEMA,
            title=draft.title,
            language=draft.language,
            preset=draft.preset,
            options=options,
            locked=tuple(sorted(locked)),
            server=KitServer(target=login, host_key_type=key.get_name(),
                             host_key=base64.b64encode(key.asbytes()).decode("ascii"),
                             host_key_fingerprint=fingerprint(key), workshop_id=draft.workshop_id, slots=slots,
                             **accounts),
            toolchain=KitToolchain(image=draft.image, image_id=ws.image_id or None,
                                   tarball=draft.image_tarball.name if draft.image_tarball else None),
            camera=draft.camera,
            samples=KitSamples(model=model_member, images=tuple(m for m, _ in files if m != model_member)),
            created=now_iso(),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where_in = ".".join(str(p) for p in first.get("loc", ())) or "kit"
        raise WizardError.of("kit_invalid", path=str(out), detail=f"{where_in}: {first.get('msg', '')}"[:300]) from None
    return write_kit(Path(out), content, files), [p for p in found if not p.is_error]


_ROOM_MARK = "__per_attendee_room__"


def _per_attendee_room(conn: SshConnection, workshop_id: str) -> dict[str, str] | None:
    """What prepare-server --attendee-accounts left in the root-owned workshop (its image and
    account names: readable by anyone), or None for a shared-login room."""
    d = rs.q(layout.isolated_workshop_dir(workshop_id))
    out = conn.run(f'echo {_ROOM_MARK}; if [ -f {d}/{layout.WORKSHOP_FILE} ]; then echo "per_attendee=yes"; '
                   f'echo "image=$(head -c 300 {d}/{layout.IMAGE_FILE})"; '
                   f'echo "accounts=$(head -c 8000 {d}/{layout.ACCOUNTS_FILE} | tr -s \'\\n\' \' \')"; fi',
                   timeout=30).out
    values = rs.probe_values(out, _ROOM_MARK)
    return values if values.get("per_attendee") == "yes" else None
