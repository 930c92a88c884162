"""Every command the SSH runner sends to the VM, built as plain strings by pure functions.

Why strings: an SSH ``exec`` request carries one command line that the remote login shell
parses. So every value that reaches it (paths, names, the image) goes through ``shlex.quote``
here and nowhere else, and tests compare these strings by value and run them against hostile
names (``a b;rm -rf ~``, ``$(touch pwned)``).

The remote side is a POSIX sh on a GNU/Linux VM (Ubuntu 22.04 in the guide): tar, gzip,
sha256sum, setsid and nohup are in its base system. Nothing here runs anything.
"""

from __future__ import annotations

import re
import shlex
from typing import Iterable, Sequence

# Names the runner itself puts into the remote run folder.
REMOTE_LOG = "convert.log"  # stdout+stderr of `docker run ... bash convert.sh`, appended
EXIT_CODE_FILE = "exit_code"  # written (atomically, by rename) when the job has ended
CANCELLED_FILE = "cancelled"  # a cancel asked for: the wrapper does not start a container after it
WRAPPER_FILE = ".wizard-run.sh"  # the detached wrapper
WRAPPER_PID_FILE = ".wizard-run.pid"  # its pid = its process group (it runs under setsid)
UPLOAD_SUMS = ".wizard-upload.sha256"  # checksums of what was uploaded, checked on the VM
RESULT_SUMS = "SHA256SUMS"  # checksums of the results, computed on the VM, checked here

CONTAINER_PREFIX = "recamera-wizard-"
DEFAULT_REMOTE_ROOT = ".recamera-wizard/runs"  # relative to the login's $HOME

# A run id becomes a folder name and part of a container name: Docker allows
# [a-zA-Z0-9][a-zA-Z0-9_.-]*; we also forbid dots first so it is never "." or "..".
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def q(value: str) -> str:
    return shlex.quote(str(value))


def join(argv: Sequence[str]) -> str:
    """One command line from an argument vector, every argument quoted."""
    return " ".join(q(a) for a in argv)


def check_run_id(run_id: str) -> str:
    if not _RUN_ID.match(run_id or "") or ".." in run_id:
        raise ValueError(f"run id {run_id!r} must be letters, digits, '_', '.', '-' (Docker's container-name rule)")
    return run_id


def container_name(run_id: str) -> str:
    return CONTAINER_PREFIX + check_run_id(run_id)


def remote_run_dir(home: str, run_id: str, remote_root: str = DEFAULT_REMOTE_ROOT) -> str:
    """The absolute run folder on the VM (plain text; quote it when it goes into a command).

    ``home`` is the login's $HOME as the VM reported it; ``remote_root`` is relative to it unless
    absolute. It is absolute because Docker's bind mount needs an absolute path.
    """
    check_run_id(run_id)
    root = remote_root if remote_root.startswith("/") else f"{home.rstrip('/')}/{remote_root}"
    run_dir = f"{root.rstrip('/')}/{run_id}"
    # Quoting protects the shell, but `docker run -v SRC:DST` splits at ':' itself.
    if ":" in run_dir or "\n" in run_dir or "\0" in run_dir:
        raise ValueError(f"the remote run folder {run_dir!r} may not contain ':' or a line break (docker -v)")
    return run_dir


def in_dir(run_dir: str, command: str) -> str:
    return f"cd {q(run_dir)} && {command}"


# --- probing -----------------------------------------------------------------------------------


def home_command() -> str:
    # printf, not echo: a $HOME with a backslash or a leading dash prints as it is.
    return 'printf "%s" "$HOME"'


# --- the toolchain image ----------------------------------------------------------------------


def build_image_command(image: str) -> str:
    """Build ``image`` from a Dockerfile read on stdin (no context: the toolchain image is a base
    image plus pip). The classic builder prints "Step N/M", which becomes progress."""
    # --force-rm: a failed build must not leave its intermediate containers on the user's VM.
    return "DOCKER_BUILDKIT=0 " + join(["docker", "build", "--force-rm", "-t", image, "-"])


# --- upload ------------------------------------------------------------------------------------


def upload_command(run_dir: str) -> str:
    """Unpack one tar.gz stream from stdin into a fresh run folder, then check its checksums.

    --no-same-owner: files belong to the login, whatever uid they had here. The check catches a
    truncated or corrupted stream before hours of calibration are spent on it.
    """
    d = q(run_dir)
    return (
        f"mkdir -p -- {d} && tar -xzf - --no-same-owner -C {d} && "
        f"cd {d} && sha256sum -c --quiet --strict -- {q(UPLOAD_SUMS)}"
    )


# --- run ---------------------------------------------------------------------------------------


def docker_run_argv(run_dir: str, run_id: str, image: str) -> list[str]:
    """The container: the run folder bind-mounted as /workspace (on a Linux VM a bind mount is fine)."""
    return [
        "docker", "run", "--rm",
        "--name", container_name(run_id),
        "-v", f"{run_dir}:/workspace",
        "-w", "/workspace",
        image,
        "bash", "convert.sh",
    ]  # fmt: skip


def wrapper_script(run_dir: str, run_id: str, image: str, before_container: str = "",
                   after_container: str = "") -> str:
    """The detached wrapper of a run in the toolchain image (see ``detached_wrapper_script``)."""
    return detached_wrapper_script(run_dir, join(docker_run_argv(run_dir, run_id, image)),
                                   before_container=before_container, after_container=after_container)


def detached_wrapper_script(run_dir: str, command_line: str, before_container: str = "",
                            after_container: str = "") -> str:
    """The detached wrapper: runs ``command_line`` (already quoted: the container, or convert.sh
    in a Python environment), appends its output to convert.log, then writes the exit code (via
    a rename, so a reader never sees a half-written file).

    It outlives the SSH session (started under setsid+nohup) so a dropped connection does not end
    a conversion of many minutes; the app re-attaches by reading convert.log and exit_code.

    Hooks (sh text, e.g. the workshop queue): ``before_container`` runs in the run folder before
    the container starts and may set ``rc`` to a non-zero exit code to skip it (a cancelled wait);
    ``after_container`` runs once it has ended (``rc`` holds its code), before exit_code appears.
    """
    hooked = bool(before_container or after_container)
    start = [f"if [ -e {q(CANCELLED_FILE)} ]; then rc=130; else"]
    if hooked:
        start = ["rc=0", before_container.rstrip("\n"),
                 f"if [ \"$rc\" -ne 0 ]; then :; elif [ -e {q(CANCELLED_FILE)} ]; then rc=130; else"]
    return "\n".join(
        [
            "#!/bin/sh",
            "# Written by reCamera Model Wizard: runs one conversion, detached from the SSH session.",
            f"cd {q(run_dir)} || exit 1",
            f"echo $$ > {q(WRAPPER_PID_FILE)}",
            *start,
            f"  {command_line} >> {q(REMOTE_LOG)} 2>&1 < /dev/null",
            "  rc=$?",
            "fi",
            *([after_container.rstrip("\n")] if after_container else []),
            f"echo \"$rc\" > {q(EXIT_CODE_FILE + '.tmp')} && mv -f {q(EXIT_CODE_FILE + '.tmp')} {q(EXIT_CODE_FILE)}",
            "",
        ]
    )


def write_file_command(run_dir: str, name: str) -> str:
    """Write stdin into <run_dir>/<name> (the wrapper script goes up this way, never via argv)."""
    return in_dir(run_dir, f"cat > {q(name)}")


def start_command(run_dir: str) -> str:
    """Start the wrapper detached: its own session (setsid), immune to hang-up (nohup), every
    descriptor redirected so the SSH channel closes at once instead of waiting for the job."""
    return in_dir(
        run_dir,
        f"touch {q(REMOTE_LOG)} && setsid nohup sh {q(WRAPPER_FILE)} > /dev/null 2>&1 < /dev/null &",
    )


def wrapper_state_command(run_dir: str) -> str:
    """One word: "ended" (exit_code written), "running" (the wrapper is alive), "starting" (no pid
    yet) or "vanished" (its process is gone without an exit code: the VM rebooted, or it was
    killed), or "gone" (no run folder)."""
    d = q(run_dir)
    return (
        f"cd {d} 2>/dev/null || {{ echo gone; exit 0; }}; "
        f"if [ -f {q(EXIT_CODE_FILE)} ]; then echo ended; "
        f"elif [ ! -s {q(WRAPPER_PID_FILE)} ]; then echo starting; "
        f"elif kill -0 \"$(cat {q(WRAPPER_PID_FILE)})\" 2>/dev/null; then echo running; "
        f"elif [ -f {q(EXIT_CODE_FILE)} ]; then echo ended; "  # it ended between the two checks
        f"else echo vanished; fi"
    )


def cancel_command(run_dir: str, run_id: str, grace_seconds: int = 5, *, stop_container: str | None = None,
                   remove_container: str | None = None) -> str:
    """Stop the job within ~10 s: mark it cancelled (so a wrapper that has not yet started the
    container never will), `docker stop` (SIGTERM, then SIGKILL after the grace), `docker rm -f`
    while the wrapper lingers, then end the wrapper's process group and record an exit code.

    ``stop_container`` / ``remove_container``: other command lines for those two (the workshop
    gatekeeper's, where the login has no Docker of its own)."""
    d = q(run_dir)
    name = q(container_name(run_id))
    pid = q(WRAPPER_PID_FILE)
    stop = stop_container or f"docker stop -t {int(grace_seconds)} {name}"
    remove = remove_container or f"docker rm -f {name}"
    return (
        f"cd {d} 2>/dev/null || exit 0; touch {q(CANCELLED_FILE)}; "
        f"{stop} > /dev/null 2>&1; "
        f"pg=$(cat {pid} 2>/dev/null); i=0; "
        f"while [ -n \"$pg\" ] && kill -0 \"$pg\" 2>/dev/null && [ $i -lt 4 ]; do "
        f"{remove} > /dev/null 2>&1; sleep 1; i=$((i+1)); done; "
        f"{remove} > /dev/null 2>&1; "
        f"if [ -n \"$pg\" ]; then kill -TERM \"-$pg\" 2>/dev/null; fi; "  # dash: no "--" before a group
        f"[ -f {q(EXIT_CODE_FILE)} ] || {{ echo 143 > {q(EXIT_CODE_FILE + '.tmp')} && "
        f"mv -f {q(EXIT_CODE_FILE + '.tmp')} {q(EXIT_CODE_FILE)}; }}; true"
    )


# --- download ----------------------------------------------------------------------------------


def results_command(run_dir: str, paths: Iterable[str] = ("work",), extra_files: Iterable[str] = (REMOTE_LOG,)) -> str:
    """Checksum the results on the VM (sha256sum), then stream them as one tar.gz on stdout.

    The SHA256SUMS list travels inside the same tar and is checked here after extraction.
    Missing optional files are skipped rather than failing the whole download.
    """
    d = q(run_dir)
    wanted = " ".join(q(p) for p in [*paths, *extra_files])
    return (
        f"cd {d} && set -- && for p in {wanted}; do [ -e \"$p\" ] && set -- \"$@\" \"$p\"; done; "
        # find with no path would list ".", so nothing to send means an empty list
        f"{{ if [ $# -gt 0 ]; then find \"$@\" -type f -print0 | sort -z | xargs -0 -r sha256sum --; fi; }} "
        f"> {q(RESULT_SUMS)} && "
        f"tar -czf - -- {q(RESULT_SUMS)} \"$@\""
    )


# --- cleanup -----------------------------------------------------------------------------------


def cleanup_command(run_dir: str, run_id: str, image: str) -> str:
    """Remove the container (if any) and the run folder.

    Files the container wrote into the bind mount belong to root; a login that is not root (but in
    the docker group) cannot delete them, so a throw-away container of the same image does.
    The command fails (non-zero) only when the folder is still there at the end.
    """
    d = q(run_dir)
    name = q(container_name(run_id))
    sweeper = join(
        ["docker", "run", "--rm", "-v", f"{run_dir}:/w", "--entrypoint", "find", image,
         "/w", "-mindepth", "1", "-delete"]
    )  # fmt: skip
    return (
        f"docker rm -f {name} > /dev/null 2>&1; "
        f"rm -rf -- {d} 2>/dev/null; "
        f"if [ -e {d} ]; then {sweeper} > /dev/null 2>&1; rm -rf -- {d}; fi; "
        f"[ ! -e {d} ]"
    )


def probe_values(text: str, mark: str) -> dict[str, str]:
    """``key=value`` lines a probe printed after its ``mark`` (what a chatty .bashrc printed
    before it is ignored); keys are lower-case words."""
    if mark in text:
        text = text.split(mark, 1)[1]
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and re.fullmatch(r"[a-z_]+", key):
            values[key] = value.strip()
    return values
