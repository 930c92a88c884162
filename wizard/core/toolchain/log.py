"""Read a whole saved log (convert.log, or one a user pasted): ``parse_log(text) -> LogReport``.

The same interpreter as the live view reads it, line by line by the same rule
(wizard.core.toolchain.lines), so a saved log and the live run give the same report. The
report's JSON is described in wizard.core.toolchain.log_report.
"""

from __future__ import annotations

from wizard.core.toolchain.interpreter import LogInterpreter
from wizard.core.toolchain.lines import split_text
from wizard.core.toolchain.log_report import LogReport


def parse_log(text: str | bytes) -> LogReport:
    """Everything a saved log shows: steps, every npz comparison, and every problem.

    Read log files with ``newline=""`` (or pass bytes): Python's default newline translation turns
    the progress bars' lone '\\r' into line breaks. The parser copes, but loses what was on the line.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    interpreter = LogInterpreter()
    for line in split_text(text):
        if line.text:
            interpreter.feed(line.text, redraw=line.redraw)
    interpreter.finish(None)
    return interpreter.report
