"""The workshop queue: first come, first served, on the server, in POSIX sh. No daemon.

Each conversion's detached wrapper (remote_shell.wrapper_script) runs ``before_container`` first:

  1. take a ticket: under ``flock queue/.lock`` the counter goes up by one and the job's ticket
     file ``queue/waiting/<10-digit number>-<run id>`` is created AND flock-ed by the wrapper
     before the lock is let go. The ticket's lock is how the others know the wrapper is alive:
     a ticket whose lock can be taken belongs to a wrapper that died (VM reboot, kill -9) and is
     removed, so a dead job never blocks the line.
  2. wait: about once a second, under the queue lock, count the live waiting tickets with a
     smaller number ("N ahead of you"). Only the head of the line (none ahead) may take a slot:
     ``flock -n queue/slots/<n>.lock`` on fd 9 for n = 1..slots. The wrapper keeps fd 9 open for as
     long as the container runs, so at most ``slots`` containers run, whoever's clients come and go.
     Numbers are handed out in order and only tickets ahead can disappear: the count never rises.
  3. a ``cancelled`` file (remote_shell.cancel_command writes it) ends the wait: rc=130, no
     container, the ticket is removed.

``after_container`` lets go of the slot first (the next job starts at once), then writes the
receipt: ``records/<run id>/`` gets attendee.json, queue.state, exit_code and the log's tail, so
the instructor's status still shows the job after the attendee's app removed the run folder.

The wrapper tells the app through its convert.log (lines starting ``[workshop] ``, which the app
turns into QueueWaiting/QueueAdmitted/QueueLeft events and which stay in the log as a record) and
through ``queue.state`` in the run folder: ``ticket N T``, ``waiting AHEAD T``, ``admitted SLOT T``,
``left cancelled T``, ``ended RC T`` (T = the server's epoch seconds), read on a re-attach.

Every path is quoted with shlex; the attendee's name never reaches a shell (it is in attendee.json,
copied as a file). Needs flock(1) (util-linux: in every Ubuntu/Debian base system).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wizard.core.events import QueueAdmitted, QueueLeft, QueueWaiting
from wizard.core.ssh import remote_shell as rs
from wizard.core.workshop import server_layout as layout

LOG_PREFIX = "[workshop] "
EXIT_QUEUE_BROKEN = 125  # the queue could not be joined: no container was started

_WAITING = re.compile(r"^\[workshop\] ticket (\d+): waiting, (\d+) ahead of you \((\d+) at once\)\s*$")
_ADMITTED = re.compile(r"^\[workshop\] ticket (\d+): starting in slot (\d+) of (\d+) after (\d+) s\s*$")
_LEFT = re.compile(r"^\[workshop\] ticket (\d+): left the queue \((\w+)\)\s*$")


def before_container(workshop_dir: str, run_id: str) -> str:
    """The wait for a slot (sets rc to 130 when cancelled, 125 when the queue is unusable), for a
    wrapper that runs as the shared login in the run folder: its lines go into convert.log, the
    queue's record is the run folder's queue.state."""
    rs.check_run_id(run_id)
    settings = "\n".join([
        f"wq_ws={rs.q(workshop_dir)}",
        f"wq_run={rs.q(run_id)}",
        f"wq_state={rs.q(layout.QUEUE_STATE_FILE)}",
        f"wq_cancel={rs.q(rs.CANCELLED_FILE)}",
        f"wq_log() {{ printf '[workshop] %s\\n' \"$*\" >> {rs.q(rs.REMOTE_LOG)}; }}",
        _SHARED_RECEIPT,
    ])
    return queue_script(settings)


# The receipt of a shared-login run: the run folder's files, copied as the same login.
_SHARED_RECEIPT = f"""\
wq_receipt() {{
  wq_rec="$wq_ws/{layout.RECORDS_DIR}/$wq_run"
  mkdir -p "$wq_rec" || return 0
  for wq_f in {layout.ATTENDEE_FILE} {layout.QUEUE_STATE_FILE}; do [ -f "$wq_f" ] && cp -p "$wq_f" "$wq_rec/"; done
  [ -f {rs.q(rs.REMOTE_LOG)} ] && tail -c 16384 {rs.q(rs.REMOTE_LOG)} > "$wq_rec/convert.log.tail"
  [ -e "$wq_cancel" ] && : > "$wq_rec/cancelled"
  echo "$1" > "$wq_rec/exit_code"
}}"""


def queue_script(settings: str) -> str:
    """The queue itself. ``settings`` (sh) defines: wq_ws (the workshop folder), wq_run (the run
    id), wq_state (this run's queue.state), wq_cancel (the file whose presence means "cancelled"),
    wq_log (prints one ``[workshop]`` line where the app reads it) and wq_receipt (leaves the
    receipt; $1 is the exit code). The shared login's wrapper and the per-attendee gatekeeper
    (gatekeeper.py) differ only in those."""
    return f"""\
# --- workshop queue (see wizard/core/workshop/queue_shell.py) ---
LC_ALL=C; export LC_ALL
{settings}
wq_dir="$wq_ws/{layout.QUEUE_DIR}"
wq_ticket=
wq_n=
wq_done=
wq_note() {{ printf '%s %s\\n' "$*" "$(date +%s)" >> "$wq_state"; }}
wq_slots=$(cat "$wq_ws"/{layout.SLOTS_FILE} 2>/dev/null)
case "$wq_slots" in ''|*[!0-9]*) wq_slots=1 ;; esac
[ "$wq_slots" -ge 1 ] || wq_slots=1
wq_finish() {{
  [ -n "$wq_done" ] && return 0
  wq_done=1
  exec 9>&-
  [ -n "$wq_ticket" ] && rm -f "$wq_ticket"
  wq_ticket=
  wq_note ended "$1"
  wq_receipt "$1"
}}
trap 'wq_finish 143' EXIT
trap 'exit 143' TERM HUP INT
wq_take() {{
  mkdir -p "$wq_dir/waiting" "$wq_dir/running" "$wq_dir/slots" || return 1
  exec 7>>"$wq_dir/.lock"
  flock 7 || return 1
  wq_n=$(cat "$wq_dir/counter" 2>/dev/null)
  case "$wq_n" in ''|*[!0-9]*) wq_n=0 ;; esac
  wq_n=$((wq_n + 1))
  echo "$wq_n" > "$wq_dir/counter.tmp" && mv -f "$wq_dir/counter.tmp" "$wq_dir/counter" || {{ exec 7>&-; return 1; }}
  wq_name=$(printf '%010d-%s' "$wq_n" "$wq_run")
  : > "$wq_dir/waiting/$wq_name" || {{ exec 7>&-; return 1; }}
  wq_ticket="$wq_dir/waiting/$wq_name"
  exec 8<"$wq_ticket"
  flock -n 8 || {{ exec 7>&-; return 1; }}
  exec 7>&-
  wq_note ticket "$wq_n"
}}
wq_wait() {{
  wq_since=$(date +%s)
  wq_last=
  while :; do
    if [ -e "$wq_cancel" ]; then
      wq_note left cancelled
      wq_log "ticket $wq_n: left the queue (cancelled)"
      return 130
    fi
    exec 7>>"$wq_dir/.lock"
    flock 7
    wq_ahead=0
    for wq_t in "$wq_dir"/waiting/*; do
      [ -f "$wq_t" ] || continue
      [ "$wq_t" = "$wq_ticket" ] && break
      if flock -n "$wq_t" true 2>/dev/null; then rm -f "$wq_t"; else wq_ahead=$((wq_ahead + 1)); fi
    done
    wq_slot=
    if [ "$wq_ahead" -eq 0 ]; then
      wq_i=1
      while [ "$wq_i" -le "$wq_slots" ]; do
        exec 9>>"$wq_dir/slots/$wq_i.lock"
        if flock -n 9; then wq_slot=$wq_i; break; fi
        exec 9>&-
        wq_i=$((wq_i + 1))
      done
    fi
    if [ -n "$wq_slot" ]; then
      mv -f "$wq_ticket" "$wq_dir/running/$wq_name" && wq_ticket="$wq_dir/running/$wq_name"
      exec 7>&-
      wq_note admitted "$wq_slot"
      wq_log "ticket $wq_n: starting in slot $wq_slot of $wq_slots after $(( $(date +%s) - wq_since )) s"
      return 0
    fi
    exec 7>&-
    if [ "$wq_ahead" != "$wq_last" ]; then
      wq_note waiting "$wq_ahead"
      wq_log "ticket $wq_n: waiting, $wq_ahead ahead of you ($wq_slots at once)"
      wq_last=$wq_ahead
    fi
    sleep 1
  done
}}
if ! command -v flock > /dev/null 2>&1; then
  wq_log "error: flock is not installed on the server (package util-linux)"
  rc={EXIT_QUEUE_BROKEN}
elif ! wq_take; then
  wq_log "error: cannot join the queue in $wq_dir"
  rc={EXIT_QUEUE_BROKEN}
else
  wq_wait || rc=$?
fi
# --- end of the workshop queue ---"""


def after_container() -> str:
    """Let go of the slot, then leave the receipt (needs before_container's functions)."""
    return 'wq_finish "$rc"'


# --- the app's side ------------------------------------------------------------------------------


def queue_event(line: str) -> QueueWaiting | QueueAdmitted | QueueLeft | None:
    """The typed event for one of the wrapper's ``[workshop]`` log lines (None for other lines)."""
    if not line.startswith(LOG_PREFIX):
        return None
    match = _WAITING.match(line)
    if match:
        ticket, ahead, slots = (int(g) for g in match.groups())
        return QueueWaiting(ticket=ticket, position=ahead + 1, ahead=ahead, slots=slots)
    match = _ADMITTED.match(line)
    if match:
        ticket, slot, slots, waited = (int(g) for g in match.groups())
        return QueueAdmitted(ticket=ticket, slot=slot, slots=slots, waited=float(waited))
    match = _LEFT.match(line)
    if match:
        return QueueLeft(ticket=int(match.group(1)), reason=match.group(2))
    return None


@dataclass
class QueueState:
    """What a run's queue.state says (the server's clock, epoch seconds)."""

    ticket: int | None = None
    joined: float | None = None
    ahead: int | None = None  # the last count written; a fresh one comes from the waiting folder
    slot: int | None = None
    admitted: float | None = None
    left: str = ""
    exit_code: int | None = None
    ended: float | None = None
    events: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def waited(self) -> float | None:
        if self.joined is None:
            return None
        end = self.admitted if self.admitted is not None else self.ended
        return None if end is None else max(0.0, end - self.joined)


def parse_queue_state(text: str) -> QueueState:
    """queue.state's lines; anything malformed is skipped (the file is only ever appended to)."""
    state = QueueState()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        kind, value, stamp = parts
        try:
            when = float(stamp)
        except ValueError:
            continue
        state.events.append((kind, value, when))
        try:
            if kind == "ticket":
                state.ticket, state.joined = int(value), when
            elif kind == "waiting":
                state.ahead = int(value)
            elif kind == "admitted":
                state.slot, state.admitted, state.ahead = int(value), when, 0
            elif kind == "left":
                state.left = value
            elif kind == "ended":
                state.exit_code, state.ended = int(value), when
        except ValueError:
            continue
    return state


def ticket_name_parts(name: str) -> tuple[int, str] | None:
    """(ticket, run id) from a ticket file's name ``0000000007-<run id>``; None if it is not one."""
    number, sep, run_id = name.partition("-")
    if not sep or len(number) != 10 or not number.isdigit():
        return None
    try:
        return int(number), rs.check_run_id(run_id)
    except ValueError:
        return None
