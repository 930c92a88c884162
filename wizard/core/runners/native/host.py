"""Can this host run the toolchain without Docker, and if not, what is missing and who can fix it.

Three pure halves, as for the VM's Docker (remote_setup, whose probe this one extends):
  * ``probe_command`` + ``parse_probe``: ONE sh command reports the facts (OS, arch, user, the
    Python interpreters it can find and, for each, whether it can make a venv, has Python.h and
    its C compiler; apt's candidates for the packages that fix those; glibc; memory; free disk
    where environments go);
  * ``problems_for``: what stops (errors) or worries (warnings) a set-up, in the order to fix;
  * ``setup_plan``: the apt-get commands (Debian/Ubuntu) that fix what can be fixed, run only
    with the user's consent (remote_setup.run_setup: as root, or through sudo).

Why these checks: ``pip install tpu_mlir[onnx]==1.7`` needs CPython 3.10 (cp310 extension
modules), ``python3 -m venv`` needs ensurepip (Ubuntu: the python3.10-venv package, absent from
cloud images), and pycocotools 2.0.6 has no wheel: it compiles from source, which needs the C
compiler Python was built with and Python.h (Ubuntu: gcc and python3.10-dev).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from wizard.core.messages import Problem, problem
from wizard.core.runners.vm import setup as remote_setup
from wizard.core.runners.native.environment import NEED_FREE_GB, PYTHON_SERIES, q
from wizard.core.runners.vm.setup import SetupCommand, SetupPlan

_MARK = "__wizard_native_probe__"
PYTHON_NAMES = (f"python{PYTHON_SERIES}", "python3")
# Where pyenv and hand builds put a 3.10 that is not on PATH (a non-interactive SSH login does
# not run pyenv's shell set-up, so its shims are often missing there).
PYTHON_GLOBS = (
    '"${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10',
    '"$pyenv_root"/versions/3.10*/bin/python3.10',
    "/usr/bin/python3.10",
    "/usr/local/bin/python3.10",
)
APT_PACKAGES = ("gcc", f"python{PYTHON_SERIES}", f"python{PYTHON_SERIES}-venv", f"python{PYTHON_SERIES}-dev")
SUPPORTED_ARCH = ("x86_64", "amd64")  # the wheel's binaries (tpuc-opt, pymlir...) are x86-64 only

# Run by each candidate interpreter: its real path, version, and what a source build needs.
_PYTHON_FACTS = """
import os, shutil, sys, sysconfig
try:
    import ensurepip
    venv = 1
except ImportError:
    venv = 0
include = sysconfig.get_paths().get("include") or ""
headers = 1 if os.path.isfile(os.path.join(include, "Python.h")) else 0
cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
print("|".join([os.path.realpath(sys.executable), "%d.%d.%d" % tuple(sys.version_info[:3]),
                str(venv), str(headers), cc, shutil.which(cc) or ""]))
"""


def probe_command(python_hint: str | None, env_root: str) -> str:
    """Print key=value facts (after remote_setup's own); every probe tolerates failure."""
    candidates = " ".join([q(python_hint)] if python_hint else []) + " " + " ".join(PYTHON_NAMES + PYTHON_GLOBS)
    packages = " ".join(APT_PACKAGES)
    return "; ".join([
        remote_setup.probe_command(),
        f"echo {_MARK}",
        'echo "glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null)"',
        "echo \"mem_total_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null)\"",
        "echo \"mem_available_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null)\"",
        f"d={q(env_root)}; while [ ! -d \"$d\" ] && [ \"$d\" != / ]; do d=$(dirname \"$d\"); done",
        "echo \"root_free_kb=$(df -Pk \"$d\" 2>/dev/null | awk 'NR==2 {print $4}')\"",
        "pyenv_root=$(pyenv root 2>/dev/null)",
        f"code={q(_PYTHON_FACTS)}",
        f"for p in {candidates}; do "
        'case "$p" in */*) [ -x "$p" ] || continue;; *) command -v "$p" >/dev/null 2>&1 || continue;; esac; '
        'out=$("$p" -c "$code" 2>/dev/null) && echo "python=$p|$out"; done',
        # One apt-cache call for all packages (each call reads the whole cache: seconds). madison
        # lists what the archive offers, by real package name (policy would answer for a virtual
        # package under another name); nothing listed = apt-get update must come first.
        "if command -v apt-cache >/dev/null 2>&1; then "
        f"apt-cache madison {packages} 2>/dev/null | "
        "awk -F '|' '{gsub(/ /, \"\", $1); gsub(/ /, \"\", $2); if (!seen[$1]++) print \"apt_candidate=\" $1 \" \" $2}'; fi",
        "true",
    ])


@dataclass(frozen=True)
class PythonFacts:
    given: str  # as found (a name on PATH, or a path)
    path: str  # its real executable
    version: str
    has_venv: bool  # ensurepip importable: `python -m venv` can seed pip
    has_headers: bool  # Python.h, for compiling pycocotools
    compiler: str  # the C compiler it was built with (sysconfig CC)
    compiler_path: str  # where that compiler is on PATH, "" when missing

    @property
    def series(self) -> str:
        return ".".join(self.version.split(".")[:2])

    @property
    def from_apt(self) -> bool:
        """Installed by the distribution (apt packages can add venv and headers to it)."""
        return self.path.startswith(("/usr/bin/", "/usr/lib/", "/bin/"))


@dataclass(frozen=True)
class HostFacts:
    base: remote_setup.RemoteFacts
    pythons: tuple[PythonFacts, ...] = ()
    glibc: str = ""
    mem_total_kb: int | None = None
    mem_available_kb: int | None = None
    root_free_kb: int | None = None
    apt_candidates: tuple[tuple[str, str], ...] = ()  # (package, version or "")

    def apt_candidate(self, package: str) -> str:
        return dict(self.apt_candidates).get(package, "")

    def python(self, hint: str | None = None) -> PythonFacts | None:
        """The interpreter to use: the hinted one (even if it is not 3.10: the problem says so),
        else the first 3.10 found."""
        if hint:
            real = posixpath.normpath(hint)
            return next((p for p in self.pythons if p.given == hint or p.path == real), None)
        return next((p for p in self.pythons if p.series == PYTHON_SERIES), None)


def parse_probe(text: str) -> HostFacts:
    base = remote_setup.parse_probe(text)
    tail = text.split(_MARK, 1)[1] if _MARK in text else ""
    values: dict[str, str] = {}
    pythons: list[PythonFacts] = []
    candidates: list[tuple[str, str]] = []
    for line in tail.splitlines():
        key, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        if key == "python":
            parts = value.split("|")
            if len(parts) == 7 and parts[1].startswith("/"):
                given, path, version, venv, headers, cc, cc_path = parts
                fact = PythonFacts(given, path, version, venv == "1", headers == "1", cc, cc_path)
                if all(p.path != fact.path for p in pythons):  # the hint comes first, and stays
                    pythons.append(fact)
        elif key == "apt_candidate":
            package, _, version = value.partition(" ")
            candidates.append((package, "" if version in ("", "none", "(none)") else version))
        else:
            values[key] = value

    def number(key: str) -> int | None:
        try:
            return int(values.get(key, ""))
        except ValueError:
            return None

    return HostFacts(
        base=base,
        pythons=tuple(pythons),
        glibc=values.get("glibc", "").replace("glibc", "").strip(),
        mem_total_kb=number("mem_total_kb"),
        mem_available_kb=number("mem_available_kb"),
        root_free_kb=number("root_free_kb"),
        apt_candidates=tuple(candidates),
    )


def _found(facts: HostFacts) -> str:
    return ", ".join(f"{p.version} ({p.path})" for p in facts.pythons) or "none"


def problems_for(facts: HostFacts, *, where: str, python_hint: str | None, needs_build: bool,
                 env_root: str) -> list[Problem]:
    """What stops a native conversion here. ``needs_build``: the environment must still be made
    (without that, the compiler, headers, venv module and disk for it do not matter)."""
    base = facts.base
    if base.os and base.os != "Linux":
        return [problem("native_not_linux", where=where, os=base.os)]
    found: list[Problem] = []
    if base.arch and base.arch not in SUPPORTED_ARCH:
        found.append(problem("native_arch_unsupported", where=where, arch=base.arch))
    python = facts.python(python_hint)
    if python_hint and (python is None or python.series != PYTHON_SERIES):
        found.append(problem("native_python_not_310", python=python_hint,
                             version=python.version if python else "not runnable"))
        return found
    if python is None:
        found.append(problem("native_python_missing", where=where, found=_found(facts)))
        return found
    if needs_build:
        if not python.has_venv:
            found.append(problem("native_venv_missing", python=python.path))
        if not python.has_headers:
            found.append(problem("native_python_headers_missing", python=python.path))
        if not python.compiler_path:
            found.append(problem("native_compiler_missing", where=where, compiler=python.compiler, python=python.path))
        if facts.root_free_kb is not None and facts.root_free_kb < NEED_FREE_GB * 1024 * 1024:
            found.append(problem("native_disk_low", where=where, path=env_root,
                                 free_gb=round(facts.root_free_kb / 1024 / 1024, 1), need_gb=NEED_FREE_GB))
    return found


_FIXABLE = {
    "native_python_missing": (f"python{PYTHON_SERIES}", f"python{PYTHON_SERIES}-venv", f"python{PYTHON_SERIES}-dev"),
    "native_venv_missing": (f"python{PYTHON_SERIES}-venv",),
    "native_python_headers_missing": (f"python{PYTHON_SERIES}-dev",),
    "native_compiler_missing": ("gcc",),
}


def setup_plan(facts: HostFacts, problems: list[Problem], *, where: str, python_hint: str | None) -> SetupPlan:
    """The apt-get commands that fix the fixable errors (none when nothing needs fixing).

    Only a Python installed by apt can get its venv module and headers from apt; a missing 3.10
    is installed only where apt offers one (Ubuntu 22.04, whose lists may still be empty on a
    fresh cloud image: then ``apt-get update`` comes first). Anything else is ``unsupported``,
    with what to install by hand.
    """
    fixable = [p for p in problems if p.is_error and p.code in _FIXABLE]
    if not fixable:
        return SetupPlan()
    base = facts.base
    packages = list(dict.fromkeys(pkg for p in fixable for pkg in _FIXABLE[p.code]))
    name = f"{base.distro or 'unknown'} {base.distro_version}".strip()

    def unsupported() -> SetupPlan:
        return SetupPlan(unsupported=problem("native_setup_unsupported", where=where, os=name,
                                             packages=" ".join(packages)))

    if not (base.debian_like and base.has_apt):
        return unsupported()
    python = facts.python(python_hint)
    codes = {p.code for p in fixable}
    if codes & {"native_venv_missing", "native_python_headers_missing"} and not (python and python.from_apt):
        return unsupported()  # e.g. a pyenv build without ensurepip: apt cannot change it
    if "native_python_missing" in codes and not facts.apt_candidate(f"python{PYTHON_SERIES}") \
            and not (base.distro == "ubuntu" and base.distro_version == "22.04"):
        return unsupported()  # Ubuntu 24.04, Debian 12...: no 3.10 in their archive
    noninteractive = (("DEBIAN_FRONTEND", "noninteractive"),)
    commands: list[SetupCommand] = []
    if any(not facts.apt_candidate(pkg) for pkg in packages):
        commands.append(SetupCommand("apt-get update", ("apt-get", "update"), noninteractive))
    commands.append(SetupCommand(f"apt-get install {' '.join(packages)}",
                                 ("apt-get", "install", "-y", *packages), noninteractive))
    return SetupPlan(tuple(commands))


def shown_command(command: SetupCommand, as_root: bool) -> str:
    """A set-up step as the user would type it (for the consent question)."""
    line = " ".join(q(a) for a in command.argv)
    return line if as_root else "sudo " + line
