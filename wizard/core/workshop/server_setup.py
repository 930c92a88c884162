"""``workshop prepare-server``: set the shared VM up once, with progress; safe to run twice.

Steps (each reports what it did, or that it was already done):

  prepare   connect (host key checked as for any VM), Docker installed/started/usable as in
            Seeed's guide (remote_setup), the toolchain image built on the VM with --build-image
  image     the toolchain image: already there, or loaded from a `docker save` tarball streamed
            over SSH (its image ID checked here before, and on the server after), or missing
  account   optional: the attendees' login (useradd, docker group, authorized key, password);
            needs root or sudo. Without it, attendees log in as the account used here.
  queue     the workshop folder, queue folders and the number of slots (server_layout)

With ``attendee_accounts`` (one account per attendee: what a room needs where attendees must not
reach each other's files, even from a terminal; needs root or sudo), instead of ``account``:

  accounts   the workshop's group, and N accounts prefix01..prefixNN in it, each with a 0700 home,
             none in the docker group (taken out if an old set-up put it there); the given public
             keys authorized for each (written AS the account: a link an attendee plants in their
             home never makes root write elsewhere); a password for each new account, written to
             the instructor's local sheet file (0600), never shown on the server or in argv
  queue      the root-owned workshop (server_layout.isolated_workshop_dir)
  gatekeeper the root-owned program attendees reach Docker through (gatekeeper.py), and the
             sudoers rule that lets the workshop's group run it, checked by visudo before use

Running it again changes nothing that is right already: an existing account, key, image or queue
is kept (the ticket counter too, so a re-run during the workshop does not disturb the line).
Secrets: the SSH/sudo password goes to sudo on stdin; the attendees' password reaches chpasswd
through a file only this login can read, written over stdin and removed at once; never argv.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from wizard import __version__
from wizard.core.events import Event, LogLine, ProblemRaised, Progress, StepFinished, StepStarted
from wizard.core.messages import WizardError, problem
from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
from wizard.core.runners.vm import setup as remote_setup
from wizard.core.ssh import remote_shell as rs
from wizard.core.ssh.connection import SshConnection
from wizard.core.runners.vm.runner import SshRunner, VmConsents
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings
from wizard.core.workshop import gatekeeper, image_tarball, server_check
from wizard.core.workshop import server_layout as layout

MAX_ATTENDEE_ACCOUNTS = 200
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to mistake on a printed seat card
DEFAULT_CHECK_OPTIONS = {"calibration_count": 100, "quantize": "INT8"}  # for the memory advice


@dataclass(frozen=True)
class ServerPlan:
    workshop_id: str = layout.DEFAULT_WORKSHOP_ID
    slots: int = 2
    image: str = DEFAULT_TOOLCHAIN_IMAGE
    image_tarball: Path | None = None
    build_image: bool = False  # build it on the VM when missing (needs internet there)
    account: str | None = None  # the attendees' login, created when given
    account_keys: tuple[str, ...] = ()  # public key lines for its authorized_keys
    account_password: str | None = field(default=None, repr=False)
    account_home: str | None = None  # default: useradd's (/home/<account>)
    attendee_accounts: int = 0  # > 0: one account per attendee (prefix01..), instead of ``account``
    account_prefix: str = "attendee"
    accounts_sheet: Path | None = None  # where the new accounts' passwords are written (here, 0600)

    def __post_init__(self) -> None:
        layout.check_workshop_id(self.workshop_id)
        layout.check_slots(self.slots)
        if self.account is not None:
            layout.check_account_name(self.account)
        if self.attendee_accounts:
            if self.account is not None:
                raise WizardError.of("workshop_accounts_or_account")
            if not 1 <= self.attendee_accounts <= MAX_ATTENDEE_ACCOUNTS:
                raise WizardError.of("workshop_bad_account_count", value=self.attendee_accounts,
                                     maximum=MAX_ATTENDEE_ACCOUNTS)
            for name in self.account_names:
                layout.check_account_name(name)
            if not self.account_keys and self.accounts_sheet is None:
                raise WizardError.of("workshop_accounts_no_login")

    @property
    def per_attendee(self) -> bool:
        return self.attendee_accounts > 0

    @property
    def account_names(self) -> list[str]:
        return layout.account_names(self.account_prefix, self.attendee_accounts)

    @property
    def account_hint(self) -> str:
        return layout.account_hint(self.account_names)


def read_public_key(path: str | Path) -> str:
    """One ``type base64 [comment]`` line from a .pub file (checked, never a private key)."""
    path = Path(path)
    try:
        line = path.read_text(encoding="ascii").strip().splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        raise WizardError.of("workshop_key_unreadable", path=str(path), detail=str(exc) or "empty") from None
    if not re.fullmatch(r"(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)|sk-\S+) [A-Za-z0-9+/=]+( [ -~]*)?", line):
        raise WizardError.of("workshop_key_unreadable", path=str(path), detail="not one 'ssh-... AAAA...' line")
    return line


# --- the remote commands (pure, tested by value and run by the integration tests) ---------------

_CREATE_ACCOUNT = (
    'if id -u "$1" > /dev/null 2>&1; then echo "account $1: already there"; '
    'elif [ -n "$2" ]; then useradd -m -d "$2" -s /bin/bash "$1" && echo "account $1: created"; '
    'else useradd -m -s /bin/bash "$1" && echo "account $1: created"; fi'
)
_DOCKER_GROUP = (
    'getent group docker > /dev/null || groupadd docker; '
    'if id -nG "$1" | tr " " "\\n" | grep -qx docker; then echo "account $1: already in the docker group"; '
    'else usermod -aG docker "$1" && echo "account $1: added to the docker group"; fi'
)
_AUTHORIZE_KEY = (
    'set -e; h=$(getent passwd "$1" | cut -d: -f6); g=$(id -gn "$1"); '
    'install -d -m 700 -o "$1" -g "$g" "$h/.ssh"; f="$h/.ssh/authorized_keys"; touch "$f"; '
    'if grep -qxF -- "$2" "$f"; then echo "account $1: key already authorized"; '
    'else printf "%s\\n" "$2" >> "$f"; echo "account $1: key authorized"; fi; '
    'chown "$1:$g" "$f"; chmod 600 "$f"'
)
_SET_PASSWORD = 'chpasswd < "$1"; rc=$?; rm -f -- "$1"; [ "$rc" -eq 0 ] && echo "account password set"; exit "$rc"'
# $1 slots, $2 workshop.json, $3 owner (empty: this login), $4 the workshop folder; then every
# folder to make, in order (all relative to the owner's home).
_QUEUE = (
    'set -e; if [ -n "$3" ]; then h=$(getent passwd "$3" | cut -d: -f6); g=$(id -gn "$3"); else h=$HOME; fi; '
    'slots=$1; info=$2; owner=$3; d="$h/$4"; shift 4; '
    'for sub in "$@"; do if [ -n "$owner" ]; then install -d -o "$owner" -g "$g" "$h/$sub"; '
    'else mkdir -p "$h/$sub"; fi; done; '
    'old=$(cat "$d/slots" 2>/dev/null || true); '
    'printf "%s\\n" "$slots" > "$d/slots.tmp"; mv -f "$d/slots.tmp" "$d/slots"; printf "%s\\n" "$info" > "$d/workshop.json"; '
    'if [ -n "$owner" ]; then chown "$owner:$g" "$d/slots" "$d/workshop.json"; fi; '
    'n=$(cat "$d/queue/counter" 2>/dev/null || echo 0); '
    'if [ "$old" = "$slots" ]; then echo "queue: already set up, $slots at once, $n tickets given out so far"; '
    'elif [ -z "$old" ]; then echo "queue: created, $slots at once"; else echo "queue: changed from $old to $slots at once"; fi'
)

# --- one account per attendee --------------------------------------------------------------------

# $1 the group; then every account name. Prints "account NAME: created" for each new one.
_ISOLATED_ACCOUNTS = (
    'set -e; group=$1; shift; '
    'if getent group "$group" > /dev/null; then echo "group $group: already there"; '
    'else groupadd "$group"; echo "group $group: created"; fi; '
    'for name in "$@"; do '
    'if id -u "$name" > /dev/null 2>&1; then echo "account $name: already there"; '
    # '*', not useradd's '!': no password works, but the account is not "locked", which OpenSSH
    # without PAM refuses even a key for (a password for the sheet is set afterwards).
    'else useradd -m -s /bin/bash -G "$group" "$name"; usermod -p "*" "$name"; echo "account $name: created"; fi; '
    'if ! id -nG "$name" | tr " " "\\n" | grep -qxF -- "$group"; then usermod -aG "$group" "$name"; '
    'echo "account $name: added to $group"; fi; '
    'if id -nG "$name" | tr " " "\\n" | grep -qx docker; then gpasswd -d "$name" docker > /dev/null; '
    'echo "account $name: taken out of the docker group"; fi; '
    'h=$(getent passwd "$name" | cut -d: -f6); [ -d "$h" ] && [ ! -L "$h" ] && chmod 0700 "$h"; done'
)
# $1 the public key line; then every account name. The key is written AS the account (setpriv).
_AUTHORIZE_KEY_AS_EACH = (
    'set -e; key=$1; shift; for name in "$@"; do h=$(getent passwd "$name" | cut -d: -f6); '
    'setpriv --reuid="$name" --regid="$(id -g "$name")" --init-groups -- sh -c '
    '\'umask 077; mkdir -p "$1/.ssh"; f="$1/.ssh/authorized_keys"; touch "$f"; '
    'if grep -qxF -- "$2" "$f"; then echo "account $3: key already authorized"; '
    'else printf "%s\\n" "$2" >> "$f"; echo "account $3: key authorized"; fi\' sh "$h" "$key" "$name"; done'
)
# $1 the file, $2 its mode, $3 its content, $4 what it is; $5 "sudoers": checked by visudo first.
_INSTALL_FILE = (
    'set -e; f=$1; mode=$2; what=$4; '
    'if [ -f "$f" ] && printf "%s" "$3" | cmp -s - "$f"; then echo "$what: already there"; exit 0; fi; '
    'if [ -e "$f" ]; then done_word=updated; else done_word=installed; fi; '
    'mkdir -p "$(dirname "$f")"; umask 077; printf "%s" "$3" > "$f.tmp"; '
    'if [ "${5:-}" = sudoers ] && ! visudo -cq -f "$f.tmp" > /dev/null; then rm -f "$f.tmp"; '
    'echo "$what: refused by visudo" >&2; exit 1; fi; '
    'chown root:root "$f.tmp"; chmod "$mode" "$f.tmp"; mv -f "$f.tmp" "$f"; echo "$what: $done_word"'
)
# $1 the workshop folder, $2 slots, $3 workshop.json, $4 image, $5 group, $6 the account names.
_ISOLATED_QUEUE = (
    'set -e; W=$1; slots=$2; '
    'install -d -m 0755 -o root -g root "$(dirname "$(dirname "$W")")" "$(dirname "$W")" "$W"; '
    'install -d -m 0700 -o root -g root "$W/queue" "$W/queue/waiting" "$W/queue/running" "$W/queue/slots" "$W/records"; '
    'install -d -m 0711 -o root -g root "$W/jobs"; '
    'old=$(cat "$W/slots" 2>/dev/null || true); umask 022; '
    'for pair in "workshop.json:$3" "image:$4" "group:$5" "accounts:$6" "slots:$slots"; do '
    'name=${pair%%:*}; printf "%s\\n" "${pair#*:}" > "$W/$name.tmp"; mv -f "$W/$name.tmp" "$W/$name"; done; '
    'n=$(cat "$W/queue/counter" 2>/dev/null || echo 0); '
    'if [ "$old" = "$slots" ]; then echo "queue: already set up, $slots at once, $n tickets given out so far"; '
    'elif [ -z "$old" ]; then echo "queue: created, $slots at once"; else echo "queue: changed from $old to $slots at once"; fi'
)
_TOOLS_CHECK = 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; for t in sudo setpriv visudo flock; do command -v "$t" > /dev/null || echo "missing=$t"; done'


def isolated_account_commands(plan: ServerPlan) -> list[tuple[str, tuple[str, ...]]]:
    """(label, argv run as root): the group and the accounts, then each key for every account."""
    names = plan.account_names
    group = layout.attendees_group(plan.workshop_id)
    commands = [(f"create the accounts {plan.account_hint}", _sh(_ISOLATED_ACCOUNTS, group, *names))]
    commands += [(f"authorize a key for {plan.account_hint}", _sh(_AUTHORIZE_KEY_AS_EACH, key, *names))
                 for key in plan.account_keys]
    return commands


def isolated_queue_argv(plan: ServerPlan, image_id: str) -> tuple[str, ...]:
    info = json.loads(workshop_info(plan, image_id))
    info.update(accounts="per-attendee", account_hint=plan.account_hint)
    return _sh(_ISOLATED_QUEUE, layout.isolated_workshop_dir(plan.workshop_id), str(plan.slots),
               json.dumps(info, sort_keys=True, ensure_ascii=False), plan.image,
               layout.attendees_group(plan.workshop_id), " ".join(plan.account_names))


def gatekeeper_commands(plan: ServerPlan) -> list[tuple[str, tuple[str, ...]]]:
    """(label, argv run as root): the gatekeeper program and the workshop's sudoers rule."""
    return [
        ("install the gatekeeper", _sh(_INSTALL_FILE, layout.GATEKEEPER, "0755", gatekeeper.gatekeeper_script(),
                                       "gatekeeper")),
        ("allow the attendees the gatekeeper", _sh(_INSTALL_FILE, layout.sudoers_file(plan.workshop_id), "0440",
                                                   gatekeeper.sudoers_rule(plan.workshop_id), "sudoers rule", "sudoers")),
    ]


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def write_accounts_sheet(path: Path, passwords: list[tuple[str, str]], target: str) -> None:
    """Append ``account<TAB>password`` lines to the instructor's sheet, a file only they can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    if hasattr(os, "fchmod"):  # an older sheet made readable by others becomes the instructor's only
        os.fchmod(fd, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as sheet:
        sheet.write(f"# {target}, {time.strftime('%Y-%m-%d %H:%M')}: new attendee accounts\n")
        for name, password in passwords:
            sheet.write(f"{name}\t{password}\n")


def _sh(script: str, *args: str) -> tuple[str, ...]:
    return ("sh", "-c", script, "sh", *args)


def account_commands(plan: ServerPlan, secret_file: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """(label, argv run as root) for the attendees' account."""
    assert plan.account is not None
    commands = [
        (f"create the account {plan.account}", _sh(_CREATE_ACCOUNT, plan.account, plan.account_home or "")),
        (f"add {plan.account} to the docker group", _sh(_DOCKER_GROUP, plan.account)),
    ]
    commands += [(f"authorize a key for {plan.account}", _sh(_AUTHORIZE_KEY, plan.account, key))
                 for key in plan.account_keys]
    if secret_file is not None:
        commands.append((f"set the password of {plan.account}", _sh(_SET_PASSWORD, secret_file)))
    return commands


def workshop_info(plan: ServerPlan, image_id: str) -> str:
    return json.dumps({"format": 1, "workshop_id": plan.workshop_id, "slots": plan.slots, "image": plan.image,
                       "image_id": image_id, "wizard_version": __version__}, sort_keys=True)


def queue_argv(plan: ServerPlan, image_id: str, owner: str | None) -> tuple[str, ...]:
    root = layout.workshop_root(plan.workshop_id)
    parents = [part for part in (".recamera-wizard", layout.WORKSHOPS_ROOT) if part != root]
    queue = f"{root}/{layout.QUEUE_DIR}"
    folders = [*parents, root, queue, f"{queue}/waiting", f"{queue}/running", f"{queue}/slots",
               f"{root}/{layout.RUNS_DIR}", f"{root}/{layout.RECORDS_DIR}"]
    return _sh(_QUEUE, str(plan.slots), workshop_info(plan, image_id), owner or "", root, *folders)


# --- doing it -----------------------------------------------------------------------------------


def prepare_server(target: str, plan: ServerPlan, *, dockerfile_for: Callable[[str], str] | None = None,
                   credentials: SshCredentials = SshCredentials(), host_keys: HostKeyPolicy = HostKeyPolicy(),
                   timings: SshTimings = SshTimings()) -> Iterator[Event]:
    """Set the server up for ``plan``. ``credentials``, ``host_keys``, ``timings``: the
    instructor's login to the server (the password is also sudo's). Raises WizardError when a step
    cannot be done; what was done before stays done (and is skipped next time)."""
    started = time.monotonic()
    build = plan.build_image and plan.image_tarball is None
    admin = SshRunner(target, image=plan.image if build else None, credentials=credentials, host_keys=host_keys,
                      timings=timings, consents=VmConsents(setup_consent=True, build_image=build),
                      dockerfile_for=dockerfile_for)
    try:
        yield from admin.prepare()  # running prepare-server is the consent to the guide's set-up
    finally:
        admin.close()
    where = str(admin.target)
    conn = SshConnection(admin.target, credentials, admin.host_keys, timings=timings).connect()
    try:
        image_id = yield from _image_step(conn, plan, where)
        if plan.per_attendee:
            yield from _isolated_steps(conn, plan, where, image_id, credentials.password)
        else:
            if plan.account:
                yield from _account_step(conn, plan, where, credentials.password)
            yield from _queue_step(conn, plan, where, image_id, credentials.password)
        # Memory and disk do not depend on whose home the workshop is in.
        facts = server_check.parse_probe(conn.run(server_check.probe_command("/nonexistent", plan.image), timeout=60).out)
    finally:
        conn.close()
    for found in server_check.resource_problems(facts, slots=plan.slots, options=DEFAULT_CHECK_OPTIONS,
                                                target=where, severity="warning"):
        yield ProblemRaised(found, step="queue")
    yield ProblemRaised(problem("workshop_server_ready", "info", target=where, workshop=plan.workshop_id,
                                slots=plan.slots, image=plan.image), step="queue")
    yield LogLine(f"server ready in {time.monotonic() - started:.1f} s", step="queue", stream="runner")


def _server_image_id(conn: SshConnection, image: str) -> str:
    result = conn.run(rs.join(["docker", "image", "inspect", "--format", "{{.Id}}", image]), timeout=60)
    return result.out.strip() if result.exit_code == 0 else ""


def _image_step(conn: SshConnection, plan: ServerPlan, where: str):
    step = "image"
    current = _server_image_id(conn, plan.image)
    if plan.image_tarball is None:
        if not current:
            raise WizardError.of("workshop_image_missing", image=plan.image, target=where)
        yield LogLine(f"toolchain image {plan.image}: already there ({current[:19]})", step=step, stream="runner")
        return current
    images = image_tarball.tarball_images(plan.image_tarball)
    wanted = next((i for i in images if plan.image in i.repo_tags), images[0] if len(images) == 1 else None)
    if wanted is None:
        raise WizardError.of("kit_tarball_other_image", path=str(plan.image_tarball), expected=plan.image,
                             found=", ".join(t for i in images for t in i.repo_tags), tarball=plan.image_tarball.name)
    if current == wanted.image_id:
        yield LogLine(f"toolchain image {plan.image}: already there, the tarball's ({current[:19]})",
                      step=step, stream="runner")
        return current
    yield StepStarted(step, command=f"docker load < {plan.image_tarball.name} (on {where})")
    begun = time.monotonic()
    size = plan.image_tarball.stat().st_size
    sent = [0]
    outcome: dict[str, Any] = {}

    def send(channel: BinaryIO) -> None:
        with open(plan.image_tarball, "rb") as f:  # type: ignore[arg-type]
            for chunk in iter(lambda: f.read(1 << 20), b""):
                channel.write(chunk)
                sent[0] += len(chunk)

    def work() -> None:
        try:
            outcome["result"] = conn.run("docker load", stdin=send, timeout=3600)
        except BaseException as exc:  # handed to the generator's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="docker-load", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.5)
        yield Progress(step, sent[0] / size if size else None, text=f"{sent[0] / 1e6:.0f} of {size / 1e6:.0f} MB sent",
                       done=sent[0], total=size)
    if "error" in outcome:
        error = outcome["error"]
        raise error if isinstance(error, WizardError) else WizardError.of(
            "workshop_step_failed", target=where, step="docker load", detail=str(error)[:300])
    result = outcome["result"]
    if result.exit_code != 0:
        raise WizardError.of("workshop_step_failed", target=where, step="docker load",
                             detail=(result.err.strip() or f"exit code {result.exit_code}")[-300:])
    for line in result.out.splitlines():
        if line.strip():
            yield LogLine(line.strip(), step=step, stream="runner")
    if plan.image not in wanted.repo_tags:
        tagged = conn.run(rs.join(["docker", "tag", wanted.image_id, plan.image]), timeout=60)
        if tagged.exit_code != 0:
            raise WizardError.of("workshop_step_failed", target=where, step="docker tag",
                                 detail=tagged.err.strip()[-300:] or f"exit code {tagged.exit_code}")
    now = _server_image_id(conn, plan.image)
    if now != wanted.image_id:
        raise WizardError.of("kit_image_differs", image=plan.image, target=where, expected=wanted.image_id,
                             found=now or "none")
    yield StepFinished(step, ok=True, elapsed=time.monotonic() - begun)
    return now


def _facts(conn: SshConnection) -> remote_setup.RemoteFacts:
    return remote_setup.parse_probe(conn.run(remote_setup.probe_command(), timeout=60).out)


def _as_root(conn: SshConnection, facts: remote_setup.RemoteFacts, label: str, argv: tuple[str, ...],
             password: str | None, where: str) -> str:
    command = remote_setup.SetupCommand(label, argv)
    line = remote_setup.setup_command_line(command, as_root=facts.is_root, with_password=password is not None)
    stdin = None if facts.is_root or password is None else (password + "\n").encode()
    result = conn.run(line, stdin=stdin, timeout=600)
    if result.exit_code != 0:
        if not facts.is_root and remote_setup.sudo_needs_password(result.err + result.out):
            raise WizardError.of("vm_sudo_password", target=where, user=facts.user)
        detail = (result.err.strip() or result.out.strip() or f"exit code {result.exit_code}").splitlines()[-1]
        raise WizardError.of("workshop_step_failed", target=where, step=label, detail=detail[:300])
    return result.out


def _account_step(conn: SshConnection, plan: ServerPlan, where: str, password: str | None) -> Iterator[Event]:
    step = "account"
    yield StepStarted(step, command=f"attendees' account {plan.account} on {where}")
    begun = time.monotonic()
    facts = _facts(conn)
    if not facts.is_root and not facts.has_sudo:
        raise WizardError.of("workshop_needs_root", target=where, user=plan.account, login=facts.user)
    passwords = [(plan.account, plan.account_password)] if plan.account_password is not None else []
    with _password_file(conn, passwords, where, "set the password") as secret_file:
        for label, argv in account_commands(plan, secret_file):
            out = _as_root(conn, facts, label, argv, password, where)
            for line in out.splitlines():
                if line.strip():
                    yield LogLine(line.strip(), step=step, stream="runner")
    yield StepFinished(step, ok=True, elapsed=time.monotonic() - begun)


@contextlib.contextmanager
def _password_file(conn: SshConnection, passwords: list[tuple[str, str]], where: str, what: str):
    """chpasswd's input ("name:password" lines) in a file only this login can read, written over
    stdin (never argv) and removed afterwards; None when there are no passwords."""
    if not passwords:
        yield None
        return
    home = conn.run(rs.home_command(), timeout=30).out.strip()
    secret_file = f"{home}/.recamera-wizard-account-{secrets.token_hex(6)}"
    lines = "".join(f"{name}:{secret}\n" for name, secret in passwords)
    try:
        written = conn.run(f"umask 077 && cat > {rs.q(secret_file)}", stdin=lines.encode(), timeout=30)
        if written.exit_code != 0:
            raise WizardError.of("workshop_step_failed", target=where, step=what,
                                 detail=written.err.strip()[-300:] or f"exit code {written.exit_code}")
        yield secret_file
    finally:
        conn.run(f"rm -f -- {rs.q(secret_file)}", timeout=30)


def _queue_step(conn: SshConnection, plan: ServerPlan, where: str, image_id: str,
                password: str | None) -> Iterator[Event]:
    step = "queue"
    yield StepStarted(step, command=f"workshop {plan.workshop_id}: {plan.slots} at once")
    begun = time.monotonic()
    if not conn.run("command -v flock", timeout=30).out.strip():
        raise WizardError.of("workshop_flock_missing", target=where)
    argv = queue_argv(plan, image_id, plan.account)
    if plan.account:
        out = _as_root(conn, _facts(conn), "set up the queue", argv, password, where)
    else:
        result = conn.run(rs.join(argv), timeout=60)
        if result.exit_code != 0:
            raise WizardError.of("workshop_step_failed", target=where, step="set up the queue",
                                 detail=(result.err.strip() or f"exit code {result.exit_code}")[-300:])
        out = result.out
    for line in out.splitlines():
        if line.strip():
            yield LogLine(line.strip(), step=step, stream="runner")
    yield StepFinished(step, ok=True, elapsed=time.monotonic() - begun)


def _isolated_steps(conn: SshConnection, plan: ServerPlan, where: str, image_id: str,
                    password: str | None) -> Iterator[Event]:
    """accounts, queue and gatekeeper of a one-account-per-attendee room (all as root)."""
    facts = _facts(conn)
    if not facts.is_root and not facts.has_sudo:
        raise WizardError.of("workshop_needs_root", target=where, user=plan.account_hint, login=facts.user)
    missing = [line.split("=", 1)[1] for line in conn.run(_TOOLS_CHECK, timeout=30).out.split() if "=" in line]
    if missing:
        raise WizardError.of("workshop_tools_missing", target=where, tools=", ".join(missing))

    def as_root(step: str, commands: list[tuple[str, tuple[str, ...]]]) -> Iterator[Event]:
        out_lines: list[str] = []
        for label, argv in commands:
            for line in _as_root(conn, facts, label, argv, password, where).splitlines():
                if line.strip():
                    out_lines.append(line.strip())
                    yield LogLine(line.strip(), step=step, stream="runner")
        return out_lines

    step = "accounts"
    yield StepStarted(step, command=f"{plan.attendee_accounts} attendee accounts ({plan.account_hint}) on {where}")
    begun = time.monotonic()
    lines = yield from as_root(step, isolated_account_commands(plan))
    created = [name for name in plan.account_names if f"account {name}: created" in lines]
    if created and plan.accounts_sheet is not None:
        passwords = [(name, new_password()) for name in created]
        yield from _set_passwords(conn, facts, passwords, where, password)
        write_accounts_sheet(plan.accounts_sheet, passwords, where)
        yield LogLine(f"passwords of {len(created)} new accounts written to {plan.accounts_sheet}", step=step,
                      stream="runner")
    yield StepFinished(step, ok=True, elapsed=time.monotonic() - begun)

    step = "queue"
    yield StepStarted(step, command=f"workshop {plan.workshop_id}: {plan.slots} at once, owned by root")
    begun = time.monotonic()
    yield from as_root(step, [("set up the queue", isolated_queue_argv(plan, image_id))])
    yield StepFinished(step, ok=True, elapsed=time.monotonic() - begun)

    step = "gatekeeper"
    yield StepStarted(step, command=f"{layout.GATEKEEPER} and {layout.sudoers_file(plan.workshop_id)}")
    begun = time.monotonic()
    yield from as_root(step, gatekeeper_commands(plan))
    yield StepFinished(step, ok=True, elapsed=time.monotonic() - begun)


def _set_passwords(conn: SshConnection, facts: remote_setup.RemoteFacts, passwords: list[tuple[str, str]],
                   where: str, sudo_password: str | None) -> Iterator[Event]:
    """The new accounts' passwords, through chpasswd (_password_file)."""
    with _password_file(conn, passwords, where, "set the passwords") as secret_file:
        _as_root(conn, facts, "set the passwords", _sh(_SET_PASSWORD, secret_file), sudo_password, where)
    yield LogLine(f"passwords set for {', '.join(n for n, _ in passwords)}", step="accounts", stream="runner")
