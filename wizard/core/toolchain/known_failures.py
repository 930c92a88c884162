"""The failures the tools print that the wizard recognises, each with the message a user needs.

docs/toolchain.md, "Known failures and the fix a user needs": each entry is the tool's own words
(a substring gate, then a regular expression), the catalogue code
(wizard.core.messages.catalogue_toolchain) and the parameters the message takes from the match.
The interpreter adds what only it knows (the step).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from wizard.core.messages import Problem, problem

# The memory messages: one with the calibration picture count (when calibration is what ran out
# and the count is known), one without.
MEMORY_CODES = ("toolchain_out_of_memory", "toolchain_killed_oom")


def _names(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text) or [text.strip("[] ")]


def _ops(text: str) -> list[str]:
    return sorted(re.findall(r"'([^']*)'", text)) or [text.strip("{} ")]


# (substring gate, regex, code, params from the match). The gate keeps the per-line cost low.
KNOWN_FAILURES: list[tuple[str, re.Pattern, str, Callable[[re.Match], dict[str, Any]]]] = [
    ("There is no inputs", re.compile(r"There is no inputs"), "toolchain_no_calibration_inputs", lambda m: {}),
    ("doesn't existed", re.compile(r"^(?P<path>.*?)\s*doesn't existed !*"), "toolchain_test_image_missing",
     lambda m: {"path": m.group("path") or "?"}),
    ("can't find", re.compile(r"Error, can't find (?P<names>.+?) in model"), "toolchain_output_names_not_found",
     lambda m: {"names": _names(m.group("names"))}),
    ("Unsupported model IR version",
     re.compile(r"Unsupported model IR version: (?P<version>\d+), max supported IR version: (?P<max>\d+)"),
     "toolchain_ir_version_too_new", lambda m: {"version": m.group("version"), "max": m.group("max")}),
    ("Op not support", re.compile(r"Op not support:\s*(?P<ops>.+)$"), "toolchain_op_not_supported",
     lambda m: {"ops": _ops(m.group("ops"))}),
    ("calibration table file", re.compile(r"can't open calibration table file"),
     "toolchain_calibration_table_missing", lambda m: {}),
    ("raw format not support", re.compile(r"raw format not support current type"),
     "toolchain_quantize_not_supported", lambda m: {}),
    ("aligned_input requires", re.compile(r"aligned_input requires fuse_preprocess"),
     "toolchain_aligned_input_needs_fuse", lambda m: {}),
    ("ermission denied", re.compile(r"permission denied.*docker daemon socket", re.I),  # gate: either case
     "toolchain_docker_permission_denied", lambda m: {}),
    ("MemoryError", re.compile(r"^MemoryError\b"), "toolchain_killed_oom", lambda m: {}),
    ("No space left on device", re.compile(r"No space left on device"), "toolchain_disk_full", lambda m: {}),
    ("Killed", re.compile(r"^(?:.*: line \d+: +\d+ )?Killed\b"), "toolchain_killed_oom", lambda m: {}),
    ("is not installed in this image", re.compile(r"^\[wizard\] error: (?P<tool>\S+) is not installed"),
     "toolchain_not_installed", lambda m: {"tool": m.group("tool")}),
    ("did not write", re.compile(r"^\[wizard\] error: (?P<tool>\S+) reported success but did not write (?P<path>.+)$"),
     "toolchain_output_missing", lambda m: {"tool": m.group("tool"), "path": m.group("path")}),
    (": error: ", re.compile(r"^(?P<tool>[\w.-]+(?:\.py)?): error: (?P<detail>.+)$"), "toolchain_bad_option",
     lambda m: {"tool": m.group("tool"), "detail": m.group("detail")}),
]


def out_of_memory(step: str, calibration_count: int | None) -> Problem:
    """The message for a step the out-of-memory killer ended, whatever showed it (the kernel's
    count through convert.sh, "Killed", MemoryError, exit 137, the engine's OOMKilled)."""
    if step == "calibrate" and calibration_count:
        return problem("toolchain_out_of_memory", step=step, count=calibration_count,
                       suggest=max(10, calibration_count // 2))
    return problem("toolchain_killed_oom", step=step or "conversion")


def recognise(text: str) -> tuple[str, dict[str, Any]] | None:
    """(code, params) of the first known failure ``text`` shows, or None."""
    for gate, regex, code, params in KNOWN_FAILURES:
        if gate in text:
            match = regex.search(text)
            if match:
                return code, params(match)
    return None
