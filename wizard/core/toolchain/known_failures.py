"""The failures the tools print that the wizard recognises, each with the message a user needs.

docs/toolchain.md, "Known failures and the fix a user needs": each entry is the tool's own words
(a substring gate, then a regular expression), the catalogue code
(wizard.core.messages.catalogue_toolchain) and the parameters the message takes from the match.
The interpreter adds what only it knows (the step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from wizard.core.messages import Problem, problem
from wizard.core.toolchain.tool_options import closest_option, unknown_model_transform_options

# The memory messages: one with the calibration picture count (when calibration is what ran out
# and the count is known), one without.
MEMORY_CODES = ("toolchain_out_of_memory", "toolchain_killed_oom")


def _names(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text) or [text.strip("[] ")]


def _ops(text: str) -> list[str]:
    return sorted(re.findall(r"'([^']*)'", text)) or [text.strip("{} ")]


@dataclass(frozen=True)
class Context:
    """What the interpreter knows when a line arrives: the step it belongs to and its command."""

    step: str = ""
    command: str = ""
    calibration_count: int | None = None  # run_calibration's --input_num, once seen


def out_of_memory(step: str, calibration_count: int | None) -> Problem:
    """The message for a step the out-of-memory killer ended, whatever showed it (the kernel's
    count through convert.sh, "Killed", MemoryError, exit 137, the engine's OOMKilled)."""
    if step == "calibrate" and calibration_count:
        return problem("toolchain_out_of_memory", step=step, count=calibration_count,
                       suggest=max(10, calibration_count // 2))
    return problem("toolchain_killed_oom", step=step or "conversion")


def _unknown_option(named: str | None, context: Context) -> Problem | None:
    """model_transform 1.7 did not know an option (see tool_options): name it, and what it meant."""
    options = unknown_model_transform_options(context.command) if context.command else []
    if named and named not in options:
        options.insert(0, named)
    if not options:
        return None  # no command to read the options from, and the error names none
    suggestion = closest_option(options[0])
    if len(options) == 1 and suggestion:
        return problem("toolchain_misspelled_option", tool="model_transform", option=options[0],
                       suggestion=suggestion)
    return problem("toolchain_unknown_option", tool="model_transform", options=", ".join(options))


def _simple(code: str, params: Callable[[re.Match], dict[str, Any]] = lambda m: {}):
    return lambda m, context: problem(code, **params(m))


# (substring gate, regex, the problem from the match and the context, or None). The gate keeps the
# per-line cost low.
KNOWN_FAILURES: list[tuple[str, re.Pattern, Callable[[re.Match, Context], Problem | None]]] = [
    ("There is no inputs", re.compile(r"There is no inputs"), _simple("toolchain_no_calibration_inputs")),
    ("doesn't existed", re.compile(r"^(?P<path>.*?)\s*doesn't existed !*"),
     _simple("toolchain_test_image_missing", lambda m: {"path": m.group("path") or "?"})),
    ("can't find", re.compile(r"Error, can't find (?P<names>.+?) in model"),
     _simple("toolchain_output_names_not_found", lambda m: {"names": _names(m.group("names"))})),
    ("Unsupported model IR version",
     re.compile(r"Unsupported model IR version: (?P<version>\d+), max supported IR version: (?P<max>\d+)"),
     _simple("toolchain_ir_version_too_new", lambda m: {"version": m.group("version"), "max": m.group("max")})),
    ("Op not support", re.compile(r"Op not support:\s*(?P<ops>.+)$"),
     _simple("toolchain_op_not_supported", lambda m: {"ops": _ops(m.group("ops"))})),
    ("calibration table file", re.compile(r"can't open calibration table file"),
     _simple("toolchain_calibration_table_missing")),
    ("raw format not support", re.compile(r"raw format not support current type"),
     _simple("toolchain_quantize_not_supported")),
    ("aligned_input requires", re.compile(r"aligned_input requires fuse_preprocess"),
     _simple("toolchain_aligned_input_needs_fuse")),
    ("ermission denied", re.compile(r"permission denied.*docker daemon socket", re.I),  # gate: either case
     _simple("toolchain_docker_permission_denied")),
    ("MemoryError", re.compile(r"^MemoryError\b"), lambda m, c: out_of_memory(c.step, c.calibration_count)),
    ("No space left on device", re.compile(r"No space left on device"), _simple("toolchain_disk_full")),
    ("Killed", re.compile(r"^(?:.*: line \d+: +\d+ )?Killed\b"),
     lambda m, c: out_of_memory(c.step, c.calibration_count)),
    ("is not installed in this image", re.compile(r"^\[wizard\] error: (?P<tool>\S+) is not installed"),
     _simple("toolchain_not_installed", lambda m: {"tool": m.group("tool")})),
    ("did not write", re.compile(r"^\[wizard\] error: (?P<tool>\S+) reported success but did not write (?P<path>.+)$"),
     _simple("toolchain_output_missing", lambda m: {"tool": m.group("tool"), "path": m.group("path")})),
    (": error: ", re.compile(r"^(?P<tool>[\w.-]+(?:\.py)?): error: (?P<detail>.+)$"),
     _simple("toolchain_bad_option", lambda m: {"tool": m.group("tool"), "detail": m.group("detail")})),
    # model_transform 1.7 and an option it does not know (tool_options): a misspelled option with
    # a value, e.g. "--tolerence 0.99,0.99" (the value lands in unknown_params, a str, and
    # `args.unknown_params += unknown_args` fails), generic Python words, so only in that step;
    # a misspelled flag, e.g. "--keep_aspect_ration" (read as a --mean value in preprocess.config).
    ("can only concatenate str", re.compile(r'^TypeError: can only concatenate str \(not "list"\) to str'),
     lambda m, c: _unknown_option(None, c) if c.step == "transform" else None),
    ("could not convert string to float: '-",
     re.compile(r"^ValueError: could not convert string to float: '(?P<option>--?[A-Za-z][\w-]*)'"),
     lambda m, c: _unknown_option(m.group("option"), c)),
]


def recognise(text: str, context: Context = Context()) -> Problem | None:
    """The problem of the first known failure ``text`` shows, or None."""
    for gate, regex, make in KNOWN_FAILURES:
        if gate in text:
            match = regex.search(text)
            if match:
                found = make(match, context)
                if found is not None:
                    return found
    return None
