"""What a terminal would show of one line of tool output: colour codes and tqdm bars.

The tools colour their log lines (ANSI escapes) and draw tqdm bars on stderr; both stand between
the parser and the text it reads. ``clean`` strips the colours and cuts the bar draws out (giving
them back as ``Draw``s, the progress they report); ``visible`` is the line as a terminal finally
shows it, bars included (what the log view displays).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
# One tqdm draw: "[\r]desc: NN%|bar| n/total [elapsed<remaining, rate]". The description cannot
# hold brackets or '|', so a draw glued to the end or start of another line is cut out cleanly.
_TQDM_RE = re.compile(
    r"\r?(?:(?P<desc>[^\[\]|\r\n]*?):\s*)?(?P<pct>\d{1,3})%\|[^|\r\n]*\|\s*(?P<n>\d+)/(?P<total>\d+)"
    r"\s*\[[^\]\r\n]*\]"
)


@dataclass(frozen=True)
class Draw:
    """One drawing of a progress bar: its description and how far it is."""

    desc: str
    done: int
    total: int


def clean(line: str) -> tuple[str, list[Draw], bool]:
    """Text of a line without colour codes and progress draws, the draws it contained, and
    whether the line began with a draw (then any text after it may continue an earlier line)."""
    if "\x1b" in line:
        line = ANSI_RE.sub("", line)
    draws: list[Draw] = []
    leading = False
    if "%|" in line:
        def cut(match: re.Match) -> str:
            nonlocal leading
            if not draws and not line[: match.start()].strip():
                leading = True
            draws.append(Draw((match.group("desc") or "").strip(), int(match.group("n")), int(match.group("total"))))
            return ""

        line = _TQDM_RE.sub(cut, line)
    if "\r" in line:
        # A '\r' inside a line (a caller that did not split at it): a terminal shows the last piece.
        pieces = [p for p in line.split("\r") if p.strip()]
        line = pieces[-1] if pieces else ""
    return line.rstrip("\n").rstrip(), draws, leading


def visible(line: str) -> str:
    """What a terminal finally shows for a line with progress redraws: its last '\\r' piece."""
    if "\x1b" in line:
        line = ANSI_RE.sub("", line)
    pieces = [p for p in line.split("\r") if p.strip()]
    return pieces[-1].rstrip() if pieces else ""
