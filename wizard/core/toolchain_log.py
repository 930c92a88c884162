"""Read what the TPU-MLIR tools print: whole logs (parse_log) and live lines (LogInterpreter).

CONTRACT (implemented by the log work; runners, the CLI and the GUI rely on it):

    parse_log(text) -> LogReport        # JSON via LogReport.to_dict(): steps, compare, errors
    LogInterpreter().feed(line, stream="stdout") -> list[Event]   # typed events for one line
    LogInterpreter().finish(exit_code) -> list[Event]

The wizard's convert.sh (plan.py) frames each toolchain step with marker lines:
    [wizard] step <name> started: <command>
    [wizard] step <name> finished rc=<N> elapsed=<seconds>
    [wizard] step <name> skipped (cached)
where <name> is one of wizard.core.events.TOOLCHAIN_STEPS.
"""

from __future__ import annotations

STEP_MARKER_PREFIX = "[wizard] step "
