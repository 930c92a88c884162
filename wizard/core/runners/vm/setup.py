"""Is the VM ready to run the toolchain, and if not, the set-up of Seeed's guide.

Two halves:
  * ``probe_command`` + ``parse_probe``: ONE remote command reports the facts (OS, arch, user,
    root or not, docker on PATH, docker usable, docker group membership, free space); a pure
    parser turns its output into ``RemoteFacts``; ``problems_for`` says what is wrong.
  * ``setup_plan(facts)``: the guide's commands (apt-get install docker.io, systemctl enable --now
    docker, usermod -aG docker <user>) that the facts call for, as a pure function tested by
    value. They run only with the user's explicit consent, as root directly, else through
    ``sudo -S`` with the password on stdin (never in a command line), or ``sudo -n`` without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from wizard.core.messages import Problem, WizardError, problem
from wizard.core.ssh import remote_shell as rs

NEED_FREE_GB = 8  # the tpuc_dev image is ~5 GB unpacked, plus a run's work/ and npz files

_MARK = "__wizard_probe__"


def probe_command() -> str:
    """Print key=value facts. Every probe tolerates failure: the parser decides what it means."""
    return "; ".join(
        [
            f"echo {_MARK}",
            'echo "os=$(uname -s)"',
            'echo "arch=$(uname -m)"',
            'echo "user=$(id -un)"',
            'echo "uid=$(id -u)"',
            'echo "groups=$(id -Gn)"',
            # /etc/group, not id: a usermod done earlier counts only after a new login, which the
            # runner makes; the file says whether it was done at all.
            'echo "docker_group=$(getent group docker 2>/dev/null | cut -d: -f4)"',
            '. /etc/os-release 2>/dev/null; echo "distro=${ID:-unknown}"; echo "distro_like=${ID_LIKE:-}"',
            'echo "distro_version=${VERSION_ID:-}"',
            'echo "docker_path=$(command -v docker 2>/dev/null)"',
            'echo "apt=$(command -v apt-get 2>/dev/null)"',
            'echo "systemctl=$(command -v systemctl 2>/dev/null)"',
            'echo "sudo=$(command -v sudo 2>/dev/null)"',
            'if command -v docker >/dev/null 2>&1; then '
            'out=$(docker version --format "{{.Server.Version}}" 2>&1); echo "docker_rc=$?"; '
            'echo "docker_out=$(printf %s "$out" | tr "\\n" " " | cut -c1-300)"; fi',
            'echo "free_kb=$(df -Pk "$HOME" 2>/dev/null | awk "NR==2 {print \\$4}")"',
        ]
    )


@dataclass(frozen=True)
class RemoteFacts:
    os: str = ""
    arch: str = ""
    user: str = ""
    uid: int = -1
    groups: tuple[str, ...] = ()
    docker_group_members: tuple[str, ...] = ()
    distro: str = ""
    distro_like: str = ""
    distro_version: str = ""
    docker_path: str = ""
    has_apt: bool = False
    has_systemctl: bool = False
    has_sudo: bool = False
    docker_rc: int | None = None  # None: docker not on PATH, not tried
    docker_out: str = ""
    free_kb: int | None = None

    @property
    def is_root(self) -> bool:
        return self.uid == 0

    @property
    def docker_installed(self) -> bool:
        return bool(self.docker_path)

    @property
    def docker_usable(self) -> bool:
        return self.docker_rc == 0

    @property
    def docker_permission_denied(self) -> bool:
        return self.docker_rc not in (None, 0) and "permission denied" in self.docker_out.lower()

    @property
    def docker_not_running(self) -> bool:
        return self.docker_installed and not self.docker_usable and not self.docker_permission_denied

    @property
    def in_docker_group(self) -> bool:
        """Recorded in /etc/group (effective from the next login) or already in this session."""
        return "docker" in self.groups or self.user in self.docker_group_members

    @property
    def debian_like(self) -> bool:
        return self.distro in ("ubuntu", "debian") or "debian" in self.distro_like.split() or "ubuntu" in self.distro_like.split()


def parse_probe(text: str) -> RemoteFacts:
    """Facts from probe_command's output; anything printed before the marker (a chatty
    .bashrc) is ignored."""
    values = rs.probe_values(text, _MARK)

    def number(key: str) -> int | None:
        try:
            return int(values.get(key, ""))
        except ValueError:
            return None

    uid = number("uid")
    return RemoteFacts(
        os=values.get("os", ""),
        arch=values.get("arch", ""),
        user=values.get("user", ""),
        uid=-1 if uid is None else uid,
        groups=tuple(values.get("groups", "").split()),
        docker_group_members=tuple(m for m in values.get("docker_group", "").split(",") if m),
        distro=values.get("distro", "").lower(),
        distro_like=values.get("distro_like", "").lower(),
        distro_version=values.get("distro_version", "").strip('"'),
        docker_path=values.get("docker_path", ""),
        has_apt=bool(values.get("apt")),
        has_systemctl=bool(values.get("systemctl")),
        has_sudo=bool(values.get("sudo")),
        docker_rc=number("docker_rc"),
        docker_out=values.get("docker_out", ""),
        free_kb=number("free_kb"),
    )


def problems_for(facts: RemoteFacts, target: str) -> list[Problem]:
    """What stops (errors) or worries (warnings) a conversion on this VM, in the order to fix."""
    found: list[Problem] = []
    if facts.os and facts.os != "Linux":
        return [problem("vm_not_linux", target=target, detail=facts.os)]
    if facts.arch and facts.arch not in ("x86_64", "amd64"):
        found.append(problem("vm_arch_not_x86", "warning", target=target, arch=facts.arch))
    if not facts.docker_installed:
        found.append(problem("vm_docker_missing", target=target, user=facts.user))
    elif facts.docker_permission_denied:
        found.append(problem("vm_docker_permission", target=target, user=facts.user))
    elif facts.docker_not_running:
        found.append(problem("vm_docker_not_running", target=target, detail=facts.docker_out or "no answer"))
    if facts.free_kb is not None and facts.free_kb < NEED_FREE_GB * 1024 * 1024:
        found.append(
            problem("vm_disk_low", "warning", target=target, free_gb=round(facts.free_kb / 1024 / 1024, 1), need_gb=NEED_FREE_GB)
        )
    return found


# --- set-up ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupCommand:
    """One step of the set-up: ``argv`` runs as root (the runner adds sudo when needed)."""

    label: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    relogin_after: bool = False  # a new group membership counts only in a new login


@dataclass(frozen=True)
class SetupPlan:
    commands: tuple[SetupCommand, ...] = ()
    unsupported: Problem | None = None

    @property
    def needed(self) -> bool:
        return bool(self.commands)


def setup_plan(facts: RemoteFacts, target: str = "") -> SetupPlan:
    """The guide's set-up steps that this VM still needs (none when Docker already works)."""
    needs_install = not facts.docker_installed
    needs_start = needs_install or facts.docker_not_running
    needs_group = not facts.is_root and not facts.in_docker_group
    if not (needs_install or needs_start or needs_group):
        return SetupPlan()
    if (needs_install and not (facts.debian_like and facts.has_apt)) or (needs_start and not facts.has_systemctl and needs_install):
        name = f"{facts.distro or 'unknown'} {facts.distro_version}".strip()
        return SetupPlan(unsupported=problem("vm_setup_unsupported", target=target, os=name, user=facts.user))
    noninteractive = (("DEBIAN_FRONTEND", "noninteractive"),)
    commands: list[SetupCommand] = []
    if needs_install:
        commands.append(SetupCommand("apt-get update", ("apt-get", "update"), noninteractive))
        commands.append(
            SetupCommand("apt-get install docker.io", ("apt-get", "install", "-y", "docker.io"), noninteractive)
        )
    if needs_start and facts.has_systemctl:
        commands.append(SetupCommand("systemctl enable --now docker", ("systemctl", "enable", "--now", "docker")))
    if needs_group:
        commands.append(
            SetupCommand(f"usermod -aG docker {facts.user}", ("usermod", "-aG", "docker", facts.user), relogin_after=True)
        )
    return SetupPlan(tuple(commands))


def setup_command_line(command: SetupCommand, *, as_root: bool, with_password: bool) -> str:
    """The exact remote command line for one set-up step.

    sudo -S reads the password from stdin (the runner writes it there, followed by a newline);
    -p '' keeps sudo's prompt out of the output; -n fails at once instead of waiting for a
    password nobody will type. ``env`` passes variables through sudo's env_reset.
    """
    argv = list(command.argv)
    if command.env:
        argv = ["env", *[f"{k}={v}" for k, v in command.env], *argv]
    if as_root:
        return rs.join(argv)
    sudo = ["sudo", "-S", "-p", ""] if with_password else ["sudo", "-n"]
    return rs.join([*sudo, *argv])


def sudo_needs_password(stderr: str) -> bool:
    text = stderr.lower()
    return "a password is required" in text or "a terminal is required" in text or "incorrect password" in text or "no password was provided" in text


@dataclass
class SetupOutcome:
    ran: list[str] = field(default_factory=list)
    relogin: bool = False


def run_setup(
    plan: SetupPlan,
    facts: RemoteFacts,
    run: Callable[[str, bytes | None], tuple[int, str]],
    *,
    target: str,
    password: str | None,
    consent: bool,
    on_step: Callable[[str], None] = lambda label: None,
) -> SetupOutcome:
    """Carry out the plan through ``run(command_line, stdin) -> (exit code, output)``.

    Refuses without consent: installing packages and changing groups on someone's VM is theirs
    to decide. The password goes to sudo on stdin only.
    """
    if plan.unsupported is not None:
        raise WizardError(plan.unsupported)
    if not plan.needed:
        return SetupOutcome()
    if not consent:
        first = plan.commands[0]
        code = "vm_docker_permission" if first.argv[0] == "usermod" else "vm_docker_missing"
        raise WizardError.of(code, target=target, user=facts.user)
    outcome = SetupOutcome()
    for command in plan.commands:
        on_step(command.label)
        line = setup_command_line(command, as_root=facts.is_root, with_password=password is not None)
        stdin = None if facts.is_root or password is None else (password + "\n").encode()
        rc, output = run(line, stdin)
        if rc != 0:
            if not facts.is_root and sudo_needs_password(output):
                raise WizardError.of("vm_sudo_password", target=target, user=facts.user)
            last = output.strip().splitlines()[-1] if output.strip() else f"exit code {rc}"
            raise WizardError.of("vm_setup_failed", target=target, step=command.label, detail=last[:300])
        outcome.ran.append(command.label)
        outcome.relogin = outcome.relogin or command.relogin_after
    return outcome
