"""Raw tool output to lines, by the one rule every reader of tool output follows.

A line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r``. A line ended by a lone ``\\r`` is a
*redraw*: tqdm (and pip) redraw their bar in place with ``\\r``, so every redraw is a line for live
progress, but not a log line: convert.log and the log views keep each bar's last state, the one
its closing ``\\n`` ends. One exception, the toolchain interpreter's call (it knows a bar when it
sees one): a redraw that holds text other than a bar is a line that a bar from the other stream
cut in two (stdout and stderr share one log on SSH), and stays a log line, so nothing a tool
printed is lost.

Bytes are split before they are decoded (``\\r`` and ``\\n`` never occur inside a UTF-8
sequence), so a character cut across chunks survives, undecodable bytes become U+FFFD, and each
line's byte size is known: a reader that resumes by byte offset (SSH, native) stops only at line
boundaries. A ``\\r`` at the very end of a chunk is held back: its ``\\n`` may come next.

Users: the runners (Docker frames, the SSH and native logs, image and environment builds),
``OutputEvents`` and ``parse_log`` (whole saved logs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One complete line with its ending; a lone '\r' counts only once the next byte shows it is lone.
_COMPLETE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r(?=[^\n]))")
# The same over a whole text: there the end of the text settles a final '\r'.
_TEXT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r(?!\n))")


@dataclass(frozen=True)
class Line:
    text: str  # without its ending
    redraw: bool = False  # ended by a lone '\r': a progress bar drawing itself again
    size: int = 0  # bytes, ending included (0 for lines split from text)


def complete_lines(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The whole lines at the start of ``buffer`` (each with its ending) and the rest."""
    segments: list[bytes] = []
    pos = 0
    while True:
        match = _COMPLETE.match(buffer, pos)
        if match is None or match.end() == pos:
            break
        segments.append(match.group())
        pos = match.end()
    return segments, buffer[pos:]


def line_of(segment: bytes) -> Line:
    """A line from one segment that ``complete_lines`` cut (or the unended rest of a stream)."""
    if segment.endswith(b"\r\n"):
        body, redraw = segment[:-2], False
    elif segment.endswith(b"\n"):
        body, redraw = segment[:-1], False
    elif segment.endswith(b"\r"):
        body, redraw = segment[:-1], True
    else:
        body, redraw = segment, False
    return Line(body.decode("utf-8", errors="replace"), redraw, len(segment))


class LineSplitter:
    """Byte chunks in (as a socket, a file read or docker's stream gives them), lines out."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes) -> list[Line]:
        segments, self._pending = complete_lines(self._pending + data)
        return [line_of(segment) for segment in segments]

    def flush(self) -> list[Line]:
        """The end of the stream: an unended last line, or a held-back final redraw."""
        rest, self._pending = self._pending, b""
        return [line_of(rest)] if rest else []


def split_text(text: str) -> list[Line]:
    """A whole text (a saved log) as lines, by the same rule."""
    lines: list[Line] = []
    pos = 0
    for match in _TEXT_LINE.finditer(text):
        if match.start() != pos:
            break
        piece = match.group()
        if piece.endswith("\r\n"):
            lines.append(Line(piece[:-2]))
        elif piece.endswith("\n"):
            lines.append(Line(piece[:-1]))
        else:
            lines.append(Line(piece[:-1], redraw=True))
        pos = match.end()
    if pos < len(text):
        lines.append(Line(text[pos:]))
    return lines
