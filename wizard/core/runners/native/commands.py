"""The sh command lines of a native run: what the detached wrapper runs, and how it is stopped.

The wrapper itself is remote_shell's (one wrapper for every backend): it records its pid, appends
the output to convert.log and writes exit_code. It runs under setsid, so its pid is its process
group, and the group holds everything the run started (bash convert.sh, the tools' launchers and
the Python processes they spawn). Pure functions, tested by value and run by both native runners.
"""

from __future__ import annotations

from wizard.core.ssh import remote_shell as rs
from wizard.core.ssh.remote_shell import q

STOP_GRACE_SECONDS = 5
# In the run folder: what the run uses (RunFacts.image), for a runner that re-attaches to it.
TOOLCHAIN_RECORD = ".wizard-toolchain.json"


def convert_command(bin_dir: str, script: str = "convert.sh") -> str:
    """convert.sh with the toolchain's bin folder first on PATH (the tools' launchers start
    ``python3``: it must be the environment's)."""
    return f"PATH={q(bin_dir)}:\"$PATH\" bash {q(script)}"


def cancel_command(run_dir: str, grace_seconds: int = STOP_GRACE_SECONDS) -> str:
    """Stop the run within ~grace+1 s: mark it cancelled (a wrapper that has not started
    convert.sh yet never will), SIGTERM to the wrapper's whole process group, SIGKILL to what is
    left after the grace, then record an exit code if the wrapper could not.

    "Left" means a process of the group that is not a zombie (ps), so a host whose init does not
    reap orphans does not make every cancel wait the full grace. ``kill -SIG -PGID`` without
    ``--``: dash (Ubuntu's sh) rejects ``kill -TERM -- -PGID`` ("Illegal number: -").
    """
    pid = q(rs.WRAPPER_PID_FILE)
    code, tmp = q(rs.EXIT_CODE_FILE), q(rs.EXIT_CODE_FILE + ".tmp")
    return (
        f"cd {q(run_dir)} 2>/dev/null || exit 0; touch {q(rs.CANCELLED_FILE)}; "
        "alive() { if command -v ps >/dev/null 2>&1; then "
        "ps -e -o pgid= -o stat= | awk -v g=\"$1\" '$1 == g && $2 !~ /^Z/ {n++} END {exit n > 0 ? 0 : 1}'; "
        "else kill -0 \"-$1\" 2>/dev/null; fi; }; "
        f"pg=$(cat {pid} 2>/dev/null); "
        "if [ -n \"$pg\" ]; then kill -TERM \"-$pg\" 2>/dev/null; i=0; "
        f"while alive \"$pg\" && [ $i -lt {int(grace_seconds) * 5} ]; do sleep 0.2; i=$((i+1)); done; "
        "kill -KILL \"-$pg\" 2>/dev/null; fi; "
        f"[ -f {code} ] || {{ echo 143 > {tmp} && mv -f {tmp} {code}; }}; true"
    )


def cleanup_command(run_dir: str) -> str:
    """Stop the run if it still goes (a job abandoned mid-run must leave no process), then remove
    its folder. Fails (non-zero) only when the folder is still there at the end."""
    d = q(run_dir)
    # Only while no exit code is written: after that the recorded pid may belong to someone else.
    ended = q(f"{run_dir}/{rs.EXIT_CODE_FILE}")
    return (f"if [ -d {d} ] && [ ! -f {ended} ]; then ( {cancel_command(run_dir)} ) >/dev/null 2>&1; fi; "
            f"rm -rf -- {d}; [ ! -e {d} ]")
