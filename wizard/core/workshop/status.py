"""The room at a glance: every attendee's job and the server's load.

One remote command (``status_command``) takes a snapshot of the workshop folder under the queue's
lock, so the line is seen as the wrappers see it, and sends it as one tar.gz: each run's
attendee.json, queue.state, exit code, the tail of its log, whether its wrapper is alive; the
receipts of runs already collected; every ticket (alive or dead); load, memory, disk, containers.
A pure function (``parse_status``) turns that into a RoomStatus: per job the attendee's name and
state (starting / waiting with its place / running with its step / done with its verdict / failed
with its cause / cancelled / vanished), elapsed and waited seconds by the server's clock.

Nothing in the snapshot is trusted as a path: member names are checked, sizes capped, names shown
as text.
"""

from __future__ import annotations

import io
import json
import tarfile
from dataclasses import asdict, dataclass, field
from typing import Any

from wizard.core.messages import WizardError, render
from wizard.core.runners.status import Verdict
from wizard.core.ssh import remote_shell as rs
from wizard.core.ssh.options import SshCredentials, SshTimings
from wizard.core.toolchain.log import parse_log
from wizard.core.workshop import queue_shell as qs
from wizard.core.workshop import server_layout as layout

MAX_MEMBER_BYTES = 1 << 20
MAX_SNAPSHOT_BYTES = 64 << 20

STATES = ("starting", "waiting", "running", "done", "failed", "cancelled", "vanished")
_RUN_FILES = (layout.ATTENDEE_FILE, layout.QUEUE_STATE_FILE, rs.EXIT_CODE_FILE, rs.CANCELLED_FILE)


def status_command(workshop_dir: str, workshop_id: str, per_attendee: bool = False) -> str:
    """The snapshot, as the shared login (its runs are ``runs/<id>/``), or with ``per_attendee``
    as root in the root-owned workshop (runs are ``jobs/<id>/w/``, each queue.state is root's, in
    ``jobs/<id>/``; links an attendee planted are not followed)."""
    ws = rs.q(workshop_dir)
    files = " ".join(rs.q(f) for f in _RUN_FILES)
    if per_attendee:
        runs = f"{layout.JOBS_DIR}/*/{layout.JOB_RUN_DIR}/"
        run_id = f"id=${{d#{layout.JOBS_DIR}/}}; id=${{id%/{layout.JOB_RUN_DIR}/}}"
        queue_state = (f'q="{layout.JOBS_DIR}/$id/{layout.QUEUE_STATE_FILE}"; '
                       f'[ -f "$q" ] && head -c 65536 "$q" > "$o/{layout.QUEUE_STATE_FILE}"')
    else:
        runs = f"{layout.RUNS_DIR}/*/"
        run_id = f"id=${{d#{layout.RUNS_DIR}/}}; id=${{id%/}}"
        queue_state = ":"
    return f"""\
cd {ws} 2>/dev/null || {{ echo "no workshop folder {workshop_dir}" >&2; exit 3; }}
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/runs" "$t/records" "$t/queue" "$t/server"
exec 7>>{layout.QUEUE_DIR}/.lock && flock -w 20 7
for d in {runs}; do
  [ -d "$d" ] || continue
  {run_id}; o="$t/runs/$id"; mkdir -p "$o"
  for f in {files}; do [ -f "$d$f" ] && [ ! -L "$d$f" ] && head -c 65536 "$d$f" > "$o/$f"; done
  {queue_state}
  [ -f "${{d}}{rs.REMOTE_LOG}" ] && [ ! -L "${{d}}{rs.REMOTE_LOG}" ] && tail -c 16384 "${{d}}{rs.REMOTE_LOG}" > "$o/convert.log.tail"
  p=$(cat "${{d}}{rs.WRAPPER_PID_FILE}" 2>/dev/null)
  if [ -n "$p" ]; then : > "$o/started"; kill -0 "$p" 2>/dev/null && : > "$o/alive"; fi
done
for d in {layout.RECORDS_DIR}/*/; do
  [ -d "$d" ] || continue
  id=${{d#{layout.RECORDS_DIR}/}}; id=${{id%/}}; o="$t/records/$id"; mkdir -p "$o"
  for f in {files} convert.log.tail; do [ -f "$d$f" ] && head -c 65536 "$d$f" > "$o/$f"; done
done
for sub in waiting running; do
  for f in {layout.QUEUE_DIR}/$sub/*; do
    [ -f "$f" ] || continue
    if flock -n "$f" true 2>/dev/null; then echo "${{f##*/}} dead"; else echo "${{f##*/}} alive"; fi
  done > "$t/queue/$sub"
done
exec 7>&-
head -c 16 {layout.SLOTS_FILE} > "$t/server/slots" 2>/dev/null
cat /proc/loadavg > "$t/server/loadavg" 2>/dev/null
cat /proc/meminfo > "$t/server/meminfo" 2>/dev/null
df -Pk . > "$t/server/df" 2>/dev/null
docker ps --filter name={rs.q(layout.container_prefix(workshop_id))} --format '{{{{.Names}}}}' > "$t/server/containers" 2>/dev/null
date +%s > "$t/server/now"
tar -czf - -C "$t" .
"""


@dataclass(frozen=True)
class JobStatus:
    run_id: str
    attendee: str
    state: str  # one of STATES
    ticket: int | None = None
    ahead: int | None = None  # waiting: jobs before it in line
    step: str = ""  # running: the toolchain step; failed: where
    verdict: str = ""  # a Verdict: done, SUCCESS; failed, CONVERSION_FAILED; cancelled, CANCELLED
    cause: str = ""  # failed: the first error, in plain words
    exit_code: int | None = None
    elapsed: float | None = None  # since it joined the queue (to its end when it ended)
    waited: float | None = None  # in the queue
    model: str = ""
    collected: bool = False  # the attendee's app has taken the results (only the receipt is left)

    @property
    def position(self) -> int | None:
        return None if self.ahead is None else self.ahead + 1

    def label(self, lang: str | None = None) -> str:
        params: dict[str, Any] = {"ahead": self.ahead, "step": self.step or "?", "cause": self.cause}
        if self.state == "done":
            params["verdict"] = render("workshop_verdict_success", lang=lang)[0]
        return render(f"workshop_state_{self.state}", params, lang)[0]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["position"] = self.position
        data["label"] = self.label()
        return data


@dataclass(frozen=True)
class ServerLoad:
    slots: int | None = None
    running: int = 0  # the workshop's containers
    waiting: int = 0
    load: tuple[float, ...] = ()
    mem_total: int | None = None
    mem_available: int | None = None
    disk_free: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["load"] = list(self.load)
        return data


@dataclass(frozen=True)
class RoomStatus:
    target: str
    workshop_id: str
    server_time: float | None
    server: ServerLoad
    jobs: tuple[JobStatus, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "workshop_id": self.workshop_id, "server_time": self.server_time,
                "server": self.server.to_dict(), "jobs": [j.to_dict() for j in self.jobs]}

    def job_of(self, run_id: str) -> JobStatus | None:
        return next((j for j in self.jobs if j.run_id == run_id), None)

    def server_summary(self, lang: str | None = None) -> str:
        """The server's load in one line: slots busy, waiting, load, memory, disk (GB)."""
        server = self.server
        gb = 1024**3

        def size(n: int | None) -> str:
            return f"{n / gb:.1f}" if n is not None else "?"

        used = (server.mem_total - server.mem_available) if server.mem_total and server.mem_available is not None else None
        return render("workshop_status_server", {
            "target": self.target, "running": server.running, "slots": server.slots if server.slots else "?",
            "waiting": server.waiting, "load": " ".join(f"{x:.2f}" for x in server.load) or "?",
            "mem_used": size(used), "mem_total": size(server.mem_total), "disk_free": size(server.disk_free)}, lang)[0]


# --- reading the snapshot ----------------------------------------------------------------------------


def _members(data: bytes) -> dict[str, bytes]:
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise ValueError("snapshot too large")
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive:
            if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                continue
            name = member.name[2:] if member.name.startswith("./") else member.name
            handle = archive.extractfile(member)
            if handle is not None:
                files[name] = handle.read()
    return files


def _text(files: dict[str, bytes], name: str) -> str:
    return files.get(name, b"").decode("utf-8", "replace")


def _int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def _attendee(raw: str) -> tuple[str, str]:
    try:
        data = json.loads(raw)
    except ValueError:
        return "?", ""
    if not isinstance(data, dict):
        return "?", ""
    name = " ".join(str(data.get("attendee") or "?").split())[:80]  # shown as text, on one line
    return name or "?", str(data.get("model") or "")[:64]


def _meminfo(text: str) -> tuple[int | None, int | None]:
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[key] = int(parts[0]) * 1024
    return values.get("MemTotal"), values.get("MemAvailable")


def _step_and_cause(log_tail: str, exit_code: int | None, lang: str | None) -> tuple[str, str]:
    report = parse_log(log_tail)
    running = [s.name for s in report.steps if s.status == "running"]
    step = running[-1] if running else (report.steps[-1].name if report.steps else "")
    if exit_code in (None, 0):
        return step, ""
    errors = report.errors
    if errors:
        return step, errors[0].text(lang)[0]
    return step, render("workshop_cause_exit", {"step": step or "convert", "code": exit_code}, lang)[0]


def parse_status(data: bytes, *, target: str, workshop_id: str, lang: str | None = None) -> RoomStatus:
    files = _members(data)
    now = _int(_text(files, "server/now"))
    tickets: dict[str, list[tuple[str, bool]]] = {}
    for sub in ("waiting", "running"):
        entries = []
        for line in _text(files, f"queue/{sub}").splitlines():
            name, _, liveness = line.rpartition(" ")
            if qs.ticket_name_parts(name):
                entries.append((name, liveness == "alive"))
        tickets[sub] = sorted(entries)
    alive_waiting = [qs.ticket_name_parts(n) for n, alive in tickets["waiting"] if alive]
    alive_waiting_ids = [parts[1] for parts in alive_waiting if parts]

    run_ids: set[str] = set()
    for name in files:
        parts = name.split("/")
        if len(parts) == 3 and parts[0] in ("runs", "records"):
            try:
                run_ids.add(rs.check_run_id(parts[1]))
            except ValueError:
                continue  # not one of ours (a hand-made folder): never shown as a job
    jobs = []
    for run_id in run_ids:
        live = f"runs/{run_id}/"
        kept = f"records/{run_id}/"
        has_run = any(n.startswith(live) for n in files)
        base = live if has_run and (live + layout.QUEUE_STATE_FILE) in files else kept
        attendee, model = _attendee(_text(files, base + layout.ATTENDEE_FILE) or _text(files, live + layout.ATTENDEE_FILE))
        state = qs.parse_queue_state(_text(files, base + layout.QUEUE_STATE_FILE))
        exit_code = _int(_text(files, live + rs.EXIT_CODE_FILE)) if (live + rs.EXIT_CODE_FILE) in files else None
        if exit_code is None and (kept + rs.EXIT_CODE_FILE) in files:
            exit_code = _int(_text(files, kept + rs.EXIT_CODE_FILE))
        cancelled = (live + rs.CANCELLED_FILE) in files or (kept + rs.CANCELLED_FILE) in files or bool(state.left)
        alive = (live + "alive") in files
        started = (live + "started") in files
        tail = _text(files, live + "convert.log.tail") or _text(files, kept + "convert.log.tail")
        ahead = None
        verdict = cause = step = ""
        if cancelled and (exit_code is not None or not alive):
            kind, verdict = "cancelled", Verdict.CANCELLED
        elif exit_code is not None:
            step, cause = _step_and_cause(tail, exit_code, lang)
            kind, verdict = ("done", Verdict.SUCCESS) if exit_code == 0 else ("failed", Verdict.CONVERSION_FAILED)
        elif alive and state.admitted is not None:
            kind = "running"
            step, _ = _step_and_cause(tail, None, lang)
        elif alive and state.ticket is not None:
            kind = "waiting"
            ahead = alive_waiting_ids.index(run_id) if run_id in alive_waiting_ids else state.ahead
        elif started and not alive:
            kind = "vanished"
        else:
            kind = "starting"
        end = state.ended if state.ended is not None else (None if kind in ("done", "failed", "cancelled") else now)
        elapsed = None if state.joined is None or end is None else max(0.0, end - state.joined)
        waited = state.waited if state.waited is not None else (
            max(0.0, now - state.joined) if kind == "waiting" and now is not None and state.joined is not None else None)
        jobs.append(JobStatus(run_id=run_id, attendee=attendee, state=kind, ticket=state.ticket, ahead=ahead, step=step,
                              verdict=verdict, cause=cause, exit_code=exit_code, elapsed=elapsed, waited=waited,
                              model=model, collected=not has_run))
    jobs.sort(key=lambda j: (j.ticket is None, j.ticket or 0, j.run_id))
    loadavg = tuple(float(x) for x in _text(files, "server/loadavg").split()[:3] if _is_float(x))
    mem_total, mem_available = _meminfo(_text(files, "server/meminfo"))
    df_lines = _text(files, "server/df").splitlines()
    disk_free = None
    if len(df_lines) >= 2 and len(df_lines[1].split()) >= 4 and df_lines[1].split()[3].isdigit():
        disk_free = int(df_lines[1].split()[3]) * 1024
    server = ServerLoad(
        slots=_int(_text(files, "server/slots")),
        running=len([n for n in _text(files, "server/containers").splitlines() if n.strip()]),
        waiting=len(alive_waiting_ids),
        load=loadavg, mem_total=mem_total, mem_available=mem_available, disk_free=disk_free,
    )
    return RoomStatus(target=target, workshop_id=workshop_id, server_time=float(now) if now is not None else None,
                      server=server, jobs=tuple(jobs))


def _is_float(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def fetch_status(kit, lang: str | None = None, *, credentials: SshCredentials = SshCredentials(),
                 timings: SshTimings = SshTimings(), login: str | None = None) -> RoomStatus:
    """The room's status from the kit's server (its pinned host key; the instructor's login in
    ``credentials``). In a room with one account per attendee the workshop is root's: ``login``
    is the instructor's account there (root, or with sudo: its password is ``credentials``'),
    never an attendee's. Blocking."""
    # paramiko (through these) is slow to import: only the status fetch needs it.
    from wizard.core.runners.vm import setup as remote_setup
    from wizard.core.ssh.connection import ConnectionLost, SshConnection
    from wizard.core.ssh.target import SshTarget
    from wizard.core.workshop.host_key import PinnedHostKey

    server = kit.server
    target = server.ssh_target
    stdin = None
    if server.per_attendee:
        if not login:
            raise WizardError.of("workshop_status_login_needed", target=target.address)
        target = SshTarget(layout.check_account_name(login), target.host, target.port)
    conn = SshConnection(target, credentials, PinnedHostKey(server), timings=timings).connect()
    try:
        if server.per_attendee:
            script = status_command(layout.isolated_workshop_dir(server.workshop_id), server.workshop_id,
                                    per_attendee=True)
            as_root, with_password = login == "root", credentials.password is not None
            command = remote_setup.setup_command_line(
                remote_setup.SetupCommand("the room's status", ("sh", "-c", script)), as_root=as_root,
                with_password=with_password)  # sudo -S (password on stdin) or sudo -n, as for set-up
            if with_password and not as_root:
                stdin = (credentials.password + "\n").encode()
        else:
            home = conn.run(rs.home_command(), timeout=30).out.strip()
            command = status_command(layout.workshop_dir(home, server.workshop_id), server.workshop_id)
        result = conn.run(command, stdin=stdin, timeout=120)
    except ConnectionLost as exc:
        raise WizardError.of("workshop_status_failed", target=str(target), detail=str(exc)[:200]) from None
    finally:
        conn.close()
    if result.exit_code != 0:
        detail = (result.err.strip() or f"exit code {result.exit_code}")[-300:]
        if server.per_attendee and "password is required" in detail:
            raise WizardError.of("workshop_status_needs_root", target=str(target), login=target.user)
        raise WizardError.of("workshop_status_failed", target=str(target), detail=detail)
    try:
        return parse_status(result.stdout, target=str(target), workshop_id=server.workshop_id, lang=lang)
    except (tarfile.TarError, ValueError, EOFError, OSError) as exc:
        raise WizardError.of("workshop_status_failed", target=str(target), detail=str(exc)[:200]) from None
