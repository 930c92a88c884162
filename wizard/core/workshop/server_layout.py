"""Where a workshop lives on the shared server: pure path functions, tested by value.

Everything is under the home of the account attendees log in as (the kit's user@host):

    ~/.recamera-wizard/workshops/<workshop_id>/
        workshop.json                 what prepare-server set up (for people; the sh reads `slots`)
        slots                         how many conversions run at once: one number
        queue/.lock                   flock: giving out tickets and looking at the line, one at a time
        queue/counter                 the last ticket number given out
        queue/waiting/<ticket>-<run>  a waiting job; its wrapper holds a flock on it while alive
        queue/running/<ticket>-<run>  a job holding a slot (same file, moved)
        queue/slots/<n>.lock          flock held by a wrapper for as long as its container runs
        runs/<run_id>/                one conversion (the SSH runner's run folder)
        records/<run_id>/             what stays after the attendee collected the results

Run ids start with the workshop id, so the containers of one room are ``recamera-wizard-<id>-*``.

A room with ONE ACCOUNT PER ATTENDEE (prepare-server --attendee-accounts) keeps the workshop out
of every attendee's reach instead, owned by root (gatekeeper.py starts the containers):

    /var/lib/recamera-wizard/workshops/<workshop_id>/      root, 0755
        workshop.json, slots, image, group                 0644: readable by the attendees' probe
        queue/                                             root, 0700: only the gatekeeper queues
        records/                                           root, 0700: the instructor's receipts
        jobs/                                              root, 0711: nobody can list it
        jobs/<run_id>/                                     root, 0711
            owner                                          the attendee's uid
            queue.state                                    root:<attendee's group>, 0640
            w/                                             the run folder: the attendee's, 0700
"""

from __future__ import annotations

import posixpath
import re

from wizard.core.messages import WizardError
from wizard.core.ssh import remote_shell as rs
from wizard.core.runners.protocol import new_run_id

WORKSHOPS_ROOT = ".recamera-wizard/workshops"
WORKSHOP_FILE = "workshop.json"
SLOTS_FILE = "slots"
QUEUE_DIR = "queue"
RUNS_DIR = "runs"
RECORDS_DIR = "records"
ATTENDEE_FILE = "attendee.json"  # in the workspace: who this run is for (data, never shell)
QUEUE_STATE_FILE = "queue.state"  # in the run folder: the queue's own log, one event a line
DEFAULT_WORKSHOP_ID = "workshop"
MAX_SLOTS = 64

# One account per attendee: the root-owned workshop and its gatekeeper.
ISOLATED_ROOT = "/var/lib/recamera-wizard/workshops"
GATEKEEPER = "/usr/local/sbin/recamera-wizard-gatekeeper"
JOBS_DIR = "jobs"
JOB_RUN_DIR = "w"  # jobs/<run_id>/w: the run folder
IMAGE_FILE = "image"  # the toolchain image the gatekeeper runs (never one an attendee names)
GROUP_FILE = "group"  # the attendees' group of this workshop
ACCOUNTS_FILE = "accounts"  # the attendees' account names, one a line (the kit's hint)

# Lower case, so it is a valid part of a container name and a folder name on every OS.
_WORKSHOP_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def check_workshop_id(value: str) -> str:
    if not _WORKSHOP_ID.match(value or ""):
        raise WizardError.of("workshop_bad_id", value=value)
    return value


_ACCOUNT = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def check_account_name(value: str) -> str:
    """A Unix account name as useradd makes them (lower case, at most 32)."""
    if not _ACCOUNT.match(value or ""):
        raise WizardError.of("workshop_bad_account", value=value)
    return value


def check_slots(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SLOTS:
        raise WizardError.of("workshop_bad_slots", value=value, maximum=MAX_SLOTS)
    return value


def workshop_root(workshop_id: str) -> str:
    """Relative to the login's home."""
    return f"{WORKSHOPS_ROOT}/{check_workshop_id(workshop_id)}"


def runs_root(workshop_id: str) -> str:
    """The SSH runner's ``remote_root`` for this workshop (relative to the home)."""
    return f"{workshop_root(workshop_id)}/{RUNS_DIR}"


def workshop_dir(home: str, workshop_id: str) -> str:
    return f"{home.rstrip('/')}/{workshop_root(workshop_id)}"


def workshop_dir_of_run(run_dir: str) -> str:
    """The workshop folder a run folder (<workshop>/runs/<run_id>) belongs to."""
    return posixpath.dirname(posixpath.dirname(run_dir.rstrip("/")))


def new_workshop_run_id(workshop_id: str) -> str:
    return rs.check_run_id(f"{check_workshop_id(workshop_id)}-{new_run_id()}")


def container_prefix(workshop_id: str) -> str:
    return rs.CONTAINER_PREFIX + check_workshop_id(workshop_id) + "-"


# --- one account per attendee ----------------------------------------------------------------------


def isolated_workshop_dir(workshop_id: str) -> str:
    return f"{ISOLATED_ROOT}/{check_workshop_id(workshop_id)}"


def isolated_run_dir(workshop_id: str, run_id: str) -> str:
    return f"{isolated_workshop_dir(workshop_id)}/{JOBS_DIR}/{rs.check_run_id(run_id)}/{JOB_RUN_DIR}"


def attendees_group(workshop_id: str) -> str:
    """The group whose members may use the gatekeeper for this workshop (at most 32 characters:
    a long workshop id is shortened with a digest, so two ids never share a group)."""
    check_workshop_id(workshop_id)
    if len(workshop_id) <= 28:
        return f"rcw-{workshop_id}"
    import hashlib

    return f"rcw-{workshop_id[:19]}-{hashlib.sha256(workshop_id.encode()).hexdigest()[:8]}"


def sudoers_file(workshop_id: str) -> str:
    # sudo skips files in sudoers.d whose names have a '.' or end in '~': workshop ids have neither.
    return f"/etc/sudoers.d/recamera-wizard-{check_workshop_id(workshop_id)}"


def account_hint(names: list[str]) -> str:
    """The accounts for people: "attendee01 … attendee20" (one name alone; "" for none)."""
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"


def account_names(prefix: str, count: int) -> list[str]:
    """prefix01, prefix02... (two digits at least, so they sort in order on a seat list)."""
    width = max(2, len(str(count)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]
