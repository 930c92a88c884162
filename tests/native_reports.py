"""NativeReport objects as the native check makes them, for the flow and GUI tests.

The real ``NativeSetup.check`` runs over a shell that answers from a recorded host (the probe's
output and the environment's state) instead of running the commands: so the reports carry the
problems, set-up plan, commands and questions the core really derives, for hosts this machine is
not (a fresh Ubuntu cloud image, Ubuntu 24.04 without a 3.10, a root login). Nothing runs on, or
is changed on, any host. The probe's format is the one tests/test_native_units.py checks against
the real probe on this machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wizard.core.runners.native.setup import NativeReport, NativeSetup
from wizard.core.runners.native.shell import ShellResult

READY_PYTHON = "python3.10|/usr/bin/python3.10|3.10.12|1|1|x86_64-linux-gnu-gcc|/usr/bin/x86_64-linux-gnu-gcc"
BARE_PYTHON = "python3|/usr/bin/python3.10|3.10.12|0|0|x86_64-linux-gnu-gcc|"  # a fresh cloud image
PYTHON_312 = "python3|/usr/bin/python3.12|3.12.3|1|1|x86_64-linux-gnu-gcc|/usr/bin/x86_64-linux-gnu-gcc"


@dataclass
class RecordedHost:
    """A shell whose answers were recorded on a host: the probe's lines and the environment's
    state ("complete", "absent", "partial")."""

    where: str = "ubuntu@203.0.113.7:22"
    pythons: tuple[str, ...] = (READY_PYTHON,)
    distro: str = "ubuntu"
    version: str = "22.04"
    uid: int = 1000
    free_kb: int = 50_000_000
    mem_total_kb: int = 8_000_000
    env_state: str = "absent"
    candidates: dict[str, str] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)

    def probe_output(self) -> str:
        user = "root" if self.uid == 0 else "ubuntu"
        lines = ["__wizard_probe__", "os=Linux", "arch=x86_64", f"user={user}", f"uid={self.uid}",
                 f"groups={user} sudo", f"distro={self.distro}", "distro_like=debian",
                 f"distro_version={self.version}", "apt=/usr/bin/apt-get", "sudo=/usr/bin/sudo",
                 f"free_kb={self.free_kb}",
                 "__wizard_native_probe__", "glibc=glibc 2.35", f"mem_total_kb={self.mem_total_kb}",
                 f"mem_available_kb={self.mem_total_kb * 3 // 4}", f"root_free_kb={self.free_kb}"]
        lines += [f"python={p}" for p in self.pythons]
        lines += [f"apt_candidate={package} {version}" for package, version in self.candidates.items()]
        return "\n".join(lines) + "\n"

    def run(self, command: str, *, stdin: bytes | None = None, timeout: float | None = 120.0) -> ShellResult:
        self.commands.append(command)
        if "__wizard_native_probe__" in command:
            return ShellResult(0, self.probe_output(), "")
        return ShellResult(0, self.env_state + "\n", "")  # the environment's state command

    def stream(self, command, cancel_requested):  # pragma: no cover - a check never streams
        raise AssertionError("a check must not build anything")


def report_of(host: RecordedHost, recipe=None) -> NativeReport:
    """The report the real check gives for ``host`` (environments under ~/.recamera-wizard)."""
    return NativeSetup(host, env_root="/home/ubuntu/.recamera-wizard/toolchains").check(recipe)


def ready() -> NativeReport:
    """Python 3.10 with venv, headers and compiler; the environment made earlier."""
    return report_of(RecordedHost(env_state="complete"))


def needs_environment() -> NativeReport:
    """Everything installed, the environment not made yet: only the environment question."""
    return report_of(RecordedHost())


def fresh_cloud_image(**host) -> NativeReport:
    """A fresh Ubuntu 22.04 cloud image: apt-get update + install python3.10-venv, -dev and gcc,
    then the environment."""
    return report_of(RecordedHost(pythons=(BARE_PYTHON,), **host))


def without_python310() -> NativeReport:
    """A minimal Ubuntu 22.04 without python3.10: apt installs it; the environment comes after."""
    return report_of(RecordedHost(pythons=()))


def ubuntu_2404() -> NativeReport:
    """Ubuntu 24.04 has no python3.10 in its archive: nothing the wizard can install."""
    return report_of(RecordedHost(pythons=(PYTHON_312,), version="24.04", candidates={"python3.10": "(none)"}))


def low_disk_bare() -> NativeReport:
    """A fresh image with 1 GB free: the set-up would fix the packages, not the disk."""
    return report_of(RecordedHost(pythons=(BARE_PYTHON,), free_kb=1_000_000))
