"""The gatekeeper: how an attendee of a one-account-per-attendee room reaches Docker, and nothing else.

In such a room (prepare-server --attendee-accounts N) every attendee has their own Unix account,
and none of them is in the docker group: that group is root on the server, and would let any
attendee read every other attendee's files. Instead, sudo lets the members of the workshop's group
run ONE root-owned program, this gatekeeper, and it only ever:

  open     WS RUN       makes the run's folder ``jobs/<RUN>/w`` in the root-owned workshop
                        (server_layout), owned by the caller, 0700, inside a root folder nobody
                        can list or rename in: no other attendee can reach it, and its owner
                        cannot swap it for a link to someone else's files before it is mounted;
  run      WS RUN       waits in the queue (queue_shell.queue_script, the same sh as the shared
                        login's, kept in root's folder where no attendee can jump the line), then
                        runs the WORKSHOP's image (never one the caller names) as the CALLER's uid,
                        no capabilities, no new privileges, no network, with only that run folder
                        mounted; the queue's lines and the container's output go to its stdout,
                        which the caller's wrapper appends to convert.log;
  stop     WS RUN [S]   stops and removes that run's container (the caller's runs only);
  remove   WS RUN       removes the run (its container and its folder; the receipt stays);
  image-id WS           prints the ID of the workshop's image (for the attendee's checks).

Whatever the attendee's files hold is only ever read as the attendee (setpriv): a link planted in
the run folder never makes root read or write elsewhere. The caller is who sudo says (SUDO_USER,
set by sudo itself), and must be in this workshop's group (an attendee of another room on the
same server is refused). Values are checked by pattern before use; every expansion is quoted.

The script is a template (``@NAME@`` tokens, so sh's own braces need no escaping), filled in by
``gatekeeper_script()``; prepare-server installs it as root and a sudoers rule
(``sudoers_rule``) checked by ``visudo -c``. The attendee's side of each verb is ``command()``.
"""

from __future__ import annotations

from wizard.core.ssh import remote_shell as rs
from wizard.core.workshop import queue_shell as qs
from wizard.core.workshop import server_layout as layout

VERBS = ("open", "run", "stop", "remove", "image-id")
OWNER_LABEL = "org.recamera-wizard.owner"
EXIT_REFUSED = 4  # not an attendee of this workshop, or not their run
EXIT_NO_RUN = 5
EXIT_NOT_SET_UP = 3

_SETTINGS = r"""wq_ws="$W"
wq_run="$run"
wq_state="$J/@QUEUE_STATE@"
wq_cancel="$RD/@CANCELLED@"
wq_log() { printf '[workshop] %s\n' "$*"; }
wq_receipt() {
  wq_rec="$W/@RECORDS@/$run"
  mkdir -p "$wq_rec" && chmod 0700 "$wq_rec" || return 0
  gk_as_owner cat -- "$RD/@ATTENDEE@" 2>/dev/null | head -c 65536 > "$wq_rec/@ATTENDEE@"
  cp -- "$wq_state" "$wq_rec/@QUEUE_STATE@" 2>/dev/null
  gk_as_owner tail -c 16384 -- "$RD/@LOG@" > "$wq_rec/convert.log.tail" 2>/dev/null
  [ -e "$wq_cancel" ] && : > "$wq_rec/@CANCELLED@"
  echo "$1" > "$wq_rec/@EXIT_CODE@"
}"""

_TEMPLATE = r"""#!/bin/sh
# reCamera Model Wizard: the workshop gatekeeper, installed by `recamera-wizard workshop
# prepare-server` (see wizard/core/workshop/gatekeeper.py). Attendees are not in the docker
# group; sudo lets the members of a workshop's group run this program as root, and it starts,
# stops and removes only their own runs' containers: the workshop's image, their own uid, only
# their own run folder mounted.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH
LC_ALL=C; export LC_ALL
umask 022
gk_die() { gk_code=$1; shift; printf 'gatekeeper: %s\n' "$*" >&2; exit "$gk_code"; }
[ "$(id -u)" = 0 ] || gk_die 2 "run it through sudo"
verb=${1:-}; ws=${2:-}; run=${3:-}
case "$ws" in ''|[!a-z0-9]*|*[!a-z0-9_-]*) gk_die 2 "not a workshop id: $ws" ;; esac
[ ${#ws} -le 40 ] || gk_die 2 "not a workshop id: $ws"
W="@ROOT@/$ws"
[ -f "$W/@WORKSHOP_FILE@" ] && [ -f "$W/@GROUP_FILE@" ] && [ -f "$W/@IMAGE_FILE@" ] || \
  gk_die @EXIT_NOT_SET_UP@ "workshop $ws is not set up on this server"
group=$(cat "$W/@GROUP_FILE@")
caller=${SUDO_USER:-}
attendee=
if [ -n "$caller" ] && [ "$caller" != root ] && \
   id -nG -- "$caller" 2>/dev/null | tr ' ' '\n' | grep -qxF -- "$group"; then attendee=1; fi
gk_attendee() {
  [ -n "$attendee" ] || gk_die @EXIT_REFUSED@ "only an attendee of workshop $ws may do this (through sudo)"
  uid=$(id -u -- "$caller") && gid=$(id -g -- "$caller") || gk_die @EXIT_REFUSED@ "who is $caller?"
}
gk_run_id() {
  case "$run" in "$ws"-*) ;; *) gk_die 2 "not a run of workshop $ws: $run" ;; esac
  case "$run" in [!A-Za-z0-9]*|*[!A-Za-z0-9_.-]*|*..*) gk_die 2 "not a run id: $run" ;; esac
  [ ${#run} -le 100 ] || gk_die 2 "not a run id: $run"
  J="$W/@JOBS@/$run"; RD="$J/@RUN_DIR@"; NAME="@PREFIX@$run"
}
gk_own() {
  [ -d "$J" ] && [ ! -L "$J" ] || gk_die @EXIT_NO_RUN@ "no run $run in workshop $ws"
  [ "$(cat "$J/owner" 2>/dev/null)" = "$uid" ] || gk_die @EXIT_REFUSED@ "run $run is not yours"
}
gk_as_owner() { setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"; }
case "$verb" in
open)
  gk_attendee; gk_run_id
  [ -e "$J" ] && gk_die 6 "run $run exists already"
  mkdir -m 0711 -- "$J" || gk_die 1 "cannot make $J"
  printf '%s\n' "$uid" > "$J/owner"
  : > "$J/@QUEUE_STATE@" && chown "root:$gid" "$J/@QUEUE_STATE@" && chmod 0640 "$J/@QUEUE_STATE@"
  mkdir -m 0700 -- "$RD" && chown "$uid:$gid" "$RD" || gk_die 1 "cannot make $RD"
  printf '%s\n' "$RD"
  ;;
run)
  gk_attendee; gk_run_id; gk_own
  image=$(cat "$W/@IMAGE_FILE@")
  rc=0
@QUEUE@
  if [ "$rc" -ne 0 ]; then :
  elif [ -e "$wq_cancel" ]; then rc=130
  else
    docker run --rm --name "$NAME" --label "@OWNER_LABEL@=$uid" --user "$uid:$gid" \
      --cap-drop ALL --security-opt no-new-privileges --network none -e HOME=/tmp \
      -v "$RD:/workspace" -w /workspace "$image" bash convert.sh < /dev/null 2>&1
    rc=$?
  fi
  wq_finish "$rc"
  exit "$rc"
  ;;
stop)
  gk_attendee; gk_run_id; gk_own
  grace=${4:-5}
  case "$grace" in ''|*[!0-9]*) grace=5 ;; esac
  [ "$grace" -le 60 ] || grace=60
  docker stop -t "$grace" "$NAME" > /dev/null 2>&1
  docker rm -f "$NAME" > /dev/null 2>&1
  exit 0
  ;;
remove)
  gk_attendee; gk_run_id
  [ -e "$J" ] || exit 0
  gk_own
  docker rm -f "$NAME" > /dev/null 2>&1
  rm -rf -- "$J"
  [ ! -e "$J" ]
  ;;
image-id)
  docker image inspect --format '{{.Id}}' "$(cat "$W/@IMAGE_FILE@")" 2>/dev/null || true
  ;;
*)
  gk_die 2 "usage: @GATEKEEPER@ open|run|stop|remove|image-id WORKSHOP [RUN]"
  ;;
esac
"""


def _fill(text: str) -> str:
    values = {
        "ROOT": layout.ISOLATED_ROOT, "GATEKEEPER": layout.GATEKEEPER, "WORKSHOP_FILE": layout.WORKSHOP_FILE,
        "GROUP_FILE": layout.GROUP_FILE, "IMAGE_FILE": layout.IMAGE_FILE, "JOBS": layout.JOBS_DIR,
        "RUN_DIR": layout.JOB_RUN_DIR, "RECORDS": layout.RECORDS_DIR, "QUEUE_STATE": layout.QUEUE_STATE_FILE,
        "ATTENDEE": layout.ATTENDEE_FILE, "CANCELLED": rs.CANCELLED_FILE, "LOG": rs.REMOTE_LOG,
        "EXIT_CODE": rs.EXIT_CODE_FILE, "PREFIX": rs.CONTAINER_PREFIX, "OWNER_LABEL": OWNER_LABEL,
        "EXIT_REFUSED": str(EXIT_REFUSED), "EXIT_NO_RUN": str(EXIT_NO_RUN), "EXIT_NOT_SET_UP": str(EXIT_NOT_SET_UP),
    }
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def gatekeeper_script() -> str:
    """The program prepare-server installs at server_layout.GATEKEEPER (root:root, 0755)."""
    queue = qs.queue_script(_fill(_SETTINGS))
    return _fill(_TEMPLATE).replace("@QUEUE@", queue)


def sudoers_rule(workshop_id: str) -> str:
    """The sudoers.d file: the workshop's attendees may run the gatekeeper as root, without a
    password (the gatekeeper itself decides what each call may do)."""
    # !requiretty: the wrapper calls it with no terminal (distributions that set requiretty would refuse).
    return (f"# reCamera Model Wizard workshop {layout.check_workshop_id(workshop_id)}: attendees reach Docker only "
            f"through the gatekeeper\nDefaults!{layout.GATEKEEPER} !requiretty\n"
            f"%{layout.attendees_group(workshop_id)} ALL=(root) NOPASSWD: {layout.GATEKEEPER}\n")


def command(verb: str, workshop_id: str, run_id: str | None = None, *extra: str) -> str:
    """The attendee's call: ``sudo -n`` (never a password prompt: a missing rule is an error)."""
    if verb not in VERBS:
        raise ValueError(f"not a gatekeeper verb: {verb}")
    argv = ["sudo", "-n", layout.GATEKEEPER, verb, layout.check_workshop_id(workshop_id)]
    if run_id is not None:
        argv.append(rs.check_run_id(run_id))
    return rs.join([*argv, *extra])
