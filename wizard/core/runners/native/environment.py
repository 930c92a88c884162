"""The Python environment the toolchain runs in without Docker: what it is, where, and how it is made.

An environment is a venv of one CPython 3.10 with ``tpu_mlir[onnx]==<version>`` installed (plus
``setuptools<70``: the tools' launcher imports ``pkg_resources``, which newer setuptools lack).
Its folder name carries a key of its inputs (tpu_mlir version, the Python it was made from, the
way it is made), so a different Python or version gets its own folder and an existing one is
reused as it is.

It is complete only when its marker file holds its key: the marker is written last, after the
install and a check that the tools start. A folder without it (an install interrupted by a
closed laptop, a dropped SSH connection, a full disk) is never used; making the environment
again removes it first.

Everything here is pure: the build script and the state probe are POSIX sh strings, run by
whoever has a shell there (this computer, or the VM over SSH), and tested by value.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import shlex
from dataclasses import dataclass

from wizard.core.plan.recipe import DEFAULT_TPU_MLIR_VERSION

# Bump when the way an environment is made changes: older environments are then made again.
ENVIRONMENT_FORMAT = 1
PYTHON_SERIES = "3.10"  # every tpu_mlir release requires >=3.10,<3.11 (cp310 extension modules)
MARKER_FILE = ".wizard-environment"  # holds the key; written last
BUILD_MARK = "[environment]"  # the build script's own lines start with this

# Sizes for the consent question and the disk check (measured here: 1.4 GB installed).
INSTALLED_GB = 1.4
DOWNLOAD_MB = 400
NEED_FREE_GB = 2.0  # installed size plus pip's download cache and the build of pycocotools
# Distributions pip collects for tpu_mlir[onnx]==1.7 (counted in a real set-up here): the
# download part of the install is counted against this.
EXPECTED_DISTRIBUTIONS = 56
# The wheel bundles Ubuntu 22.04's C library; on a newer glibc every tool then fails with
# "GLIBC_2.36 not found" unless these are moved out of its library path.
BUNDLED_GLIBC = (2, 35)
BUNDLED_GLIBC_FILES = ("libc.so.6", "libm.so.6")
MOVED_ASIDE_DIR = "third_party.moved_aside"

STATE_COMPLETE = "complete"
STATE_PARTIAL = "partial"  # a folder without a valid marker: an interrupted or damaged set-up
STATE_ABSENT = "absent"


def requirements(tpu_mlir_version: str) -> tuple[str, ...]:
    return ("setuptools<70", f"tpu_mlir[onnx]=={tpu_mlir_version}")


@dataclass(frozen=True)
class EnvironmentSpec:
    """One environment: ``python`` and ``root`` are absolute POSIX paths where it is made."""

    python: str
    root: str
    tpu_mlir_version: str = DEFAULT_TPU_MLIR_VERSION

    @property
    def requirements(self) -> tuple[str, ...]:
        return requirements(self.tpu_mlir_version)

    @property
    def key(self) -> str:
        inputs = {"format": ENVIRONMENT_FORMAT, "python": self.python, "requirements": list(self.requirements)}
        return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode("utf-8")).hexdigest()[:16]

    @property
    def name(self) -> str:
        return f"tpu_mlir-{self.tpu_mlir_version}-py{PYTHON_SERIES.replace('.', '')}-{self.key}"

    @property
    def path(self) -> str:
        return posixpath.join(self.root, self.name)

    @property
    def bin_dir(self) -> str:
        return posixpath.join(self.path, "bin")

    @property
    def lock_path(self) -> str:
        return self.path + ".lock"

    def describe(self) -> dict[str, str]:
        """For results.json: what the conversion ran in."""
        return {"kind": "python-venv", "path": self.path, "python": self.python,
                "tpu_mlir": self.tpu_mlir_version, "key": self.key}


def q(value: str) -> str:
    return shlex.quote(str(value))


def state_command(spec: EnvironmentSpec) -> str:
    """Prints one word: complete, partial or absent (see the module docstring)."""
    env = q(spec.path)
    marker = q(posixpath.join(spec.path, MARKER_FILE))
    return (
        f"if [ ! -e {env} ]; then echo {STATE_ABSENT}; "
        f"elif [ -f {marker} ] && [ \"$(cat {marker} 2>/dev/null)\" = {q(spec.key)} ] "
        f"&& [ -x {q(spec.bin_dir + '/python')} ] && {q(spec.bin_dir + '/python')} -c 'import sys' 2>/dev/null; "
        f"then echo {STATE_COMPLETE}; else echo {STATE_PARTIAL}; fi"
    )


# Run by the environment's own Python after the install: moves the wheel's C library aside on a
# glibc newer than the one it bundles. Prints what it did.
_GLIBC_FIX = """
import os, sys, sysconfig
version = os.confstr("CS_GNU_LIBC_VERSION") or ""
try:
    numbers = tuple(int(n) for n in version.split()[-1].split(".")[:2])
except ValueError:
    numbers = ()
lib = os.path.join(sysconfig.get_paths()["purelib"], "tpu_mlir", "lib")
aside = os.path.join(lib, "{aside}")
if numbers and numbers > {bundled}:
    os.makedirs(aside, exist_ok=True)
    for name in {files}:
        source = os.path.join(lib, "third_party", name)
        if os.path.exists(source):
            os.replace(source, os.path.join(aside, name))
            print("{mark} moved aside lib/third_party/" + name + " (this system has " + version + ")")
else:
    print("{mark} the bundled C library fits this system (" + (version or "unknown glibc") + ")")
"""


def build_script(spec: EnvironmentSpec) -> str:
    """Make the environment: a fresh venv, pip install, the glibc fix, a check, then the marker.

    Holds a lock (flock) on <env>.lock while it works, so two set-ups of the same environment
    wait for each other instead of deleting each other's files; when the first one completed it,
    the second finds the marker and stops. Every step says what it runs; a failure ends the script
    with the failing step's output as the last lines.
    """
    env = q(spec.path)
    py = q(spec.bin_dir + "/python")
    marker = q(posixpath.join(spec.path, MARKER_FILE))
    fix = _GLIBC_FIX.format(aside=MOVED_ASIDE_DIR, bundled=BUNDLED_GLIBC, files=BUNDLED_GLIBC_FILES, mark=BUILD_MARK)
    pip_args = " ".join(q(r) for r in spec.requirements)
    check_path = f"PATH={q(spec.bin_dir)}:\"$PATH\""
    m = BUILD_MARK
    return "\n".join([
        "set -u",
        f"mkdir -p -- {q(spec.root)} || exit 1",
        f"exec 9>> {q(spec.lock_path)} || exit 1",
        "if command -v flock >/dev/null 2>&1 && ! flock -n 9; then",
        f"  echo '{m} waiting for another set-up of this environment to finish'",
        f"  flock -w 3600 9 || {{ echo '{m} error: another set-up still holds {spec.lock_path}' >&2; exit 75; }}",
        "fi",
        f"if [ \"$({state_command(spec)})\" = {STATE_COMPLETE} ]; then echo '{m} ready (made by an earlier set-up)'; exit 0; fi",
        f"if [ -e {env} ]; then echo '{m} removing an incomplete environment'; rm -rf -- {env} || exit 1; fi",
        f"echo '{m} step venv: {spec.python} -m venv {spec.path}'",
        f"{q(spec.python)} -m venv -- {env} 2>&1 || {{ echo '{m} error: venv failed' >&2; exit 1; }}",
        f"echo '{m} step install: pip install {' '.join(spec.requirements)}'",
        f"{py} -m pip install --no-input --disable-pip-version-check --progress-bar off {pip_args} 2>&1 "
        f"|| {{ echo '{m} error: pip install failed' >&2; exit 1; }}",
        f"echo '{m} step fix: the bundled C library'",
        f"{py} - <<'WIZARD_PY' 2>&1 || exit 1{fix}WIZARD_PY",
        f"echo '{m} step check: the tools start'",
        f"{check_path} tpuc-opt --version >/dev/null 2>&1 && {check_path} model_transform --help >/dev/null 2>&1 "
        f"|| {{ {check_path} model_transform --help 2>&1 | tail -n 5; echo '{m} error: the tools do not start' >&2; exit 1; }}",
        f"printf '%s' {q(spec.key)} > {marker}.tmp && mv -f -- {marker}.tmp {marker} || exit 1",
        f"echo '{m} ready: {spec.path}'",
        "",
    ])


def build_command_shown(spec: EnvironmentSpec) -> str:
    """The set-up as a user would type it (shown in the log and the consent question)."""
    return (f"{shlex.quote(spec.python)} -m venv {shlex.quote(spec.path)} && "
            f"{shlex.quote(spec.bin_dir + '/pip')} install {' '.join(shlex.quote(r) for r in spec.requirements)}")


# pip's lines that move the progress bar: (prefix, fraction reached when seen). Measured here
# (137 s): venv 5 s, collecting and downloading 25 s (more on a slow network), installing 100 s
# (pip prints nothing meanwhile), the fix and the check 2 s.
_PHASES = (
    (f"{BUILD_MARK} step venv", 0.02),
    (f"{BUILD_MARK} step install", 0.05),
    ("Building wheels for collected packages", 0.33),
    ("Installing collected packages", 0.35),
    ("Successfully installed", 0.95),
    (f"{BUILD_MARK} step fix", 0.96),
    (f"{BUILD_MARK} step check", 0.97),
    (f"{BUILD_MARK} ready", 1.0),
)
COLLECTING_SHARE = 0.28  # from "step install" (0.05) to 0.33


class BuildProgress:
    """Turns the build script's lines into a fraction: phases, and pip's "Collecting" lines
    counted against the distributions tpu_mlir[onnx] is known to pull in."""

    def __init__(self) -> None:
        self.fraction = 0.0
        self.collected = 0

    def feed(self, line: str) -> float | None:
        """The new fraction when this line moves it, else None."""
        text = line.strip()
        new = None
        if text.startswith("Collecting "):
            self.collected += 1
            new = 0.05 + COLLECTING_SHARE * min(self.collected, EXPECTED_DISTRIBUTIONS) / EXPECTED_DISTRIBUTIONS
        else:
            for prefix, fraction in _PHASES:
                if text.startswith(prefix):
                    new = fraction
                    break
        if new is None or new <= self.fraction:
            return None
        self.fraction = new
        return new


def failure_detail(lines: list[str]) -> str:
    """The most telling line of a failed build: pip's ERROR line, else the last line."""
    for line in reversed(lines):
        text = line.strip()
        if text.startswith("ERROR:") or ("error:" in text.lower() and not text.startswith(BUILD_MARK)):
            return text[:300]
    meaningful = [t.strip() for t in lines if t.strip()]
    return meaningful[-1][:300] if meaningful else "no output"
