"""Workshop mode in the window: an instructor's kit (.rcwkit) fills the pages.

Every way of opening a kit (File > Open workshop kit…, dropping the file on the window,
``recamera-wizard --kit KIT``) ends in MainWindow.open_kit, which reads the kit off the event
loop with the core's read_kit (a refused kit is a message with its reason, nothing changes) and
hands an accepted one to ``apply_kit`` here: the kit's options, toolchain image, camera defaults
and language go into the state and settings, and the options the instructor locked are kept
as the kit says (the pages show them disabled, "set by your instructor"). The conversion then
runs on the kit's server (the Where page shows it, the attendee's name and sign-in), as the
attendee named there.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from wizard.core.app import wizard_flow as rules
from wizard.core.workshop.kit import KIT_SUFFIX, Kit, read_kit

__all__ = ["KIT_SUFFIX", "apply_kit", "is_kit_path", "locked_options", "read_kit"]


def is_kit_path(path: str | Path) -> bool:
    return str(path).lower().endswith(KIT_SUFFIX)


def locked_options(kit: Kit | None) -> frozenset[str]:
    """The state fields the attendee may not change (none without a kit)."""
    if kit is None:
        return frozenset()
    return frozenset(name for name in kit.content.locked)


def apply_kit(kit: Kit, state: Any, settings: Any) -> None:
    """Fill a fresh conversion's state and the camera settings from the kit."""
    state.start = rules.START_NEW
    rules.apply_options(state, kit.options)
    state.toolchain_image = kit.content.toolchain.image
    settings.device_host = kit.content.camera.host
    settings.device_user = kit.content.camera.user
    state.workshop = True
    state.workshop_server = kit.server.target
    state.workshop_per_attendee = kit.server.per_attendee
    state.workshop_account_hint = kit.server.account_hint
    if kit.server.per_attendee:  # the login is each attendee's own: the server is host and port
        state.workshop_server = kit.server.ssh_target.address
        state.workshop_account = settings.workshop_account
    state.workshop_attendee = settings.workshop_attendee or _login_name()
    state.workshop_sign_in = settings.workshop_sign_in if settings.workshop_sign_in in rules.SIGN_INS \
        else rules.SIGN_IN_KEY
    state.workshop_key_path = settings.workshop_key_path


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name known (a container, Windows without USERNAME)
        return ""
