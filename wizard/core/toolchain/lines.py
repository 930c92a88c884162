"""From raw output bytes to typed events: what every backend does with the toolchain's output.

``LineSplitter`` turns byte chunks (as a socket or docker's multiplexed stream gives them) into
text lines, per stream: UTF-8 decoded incrementally (a character split across chunks survives),
lines ended by ``\\n``, ``\\r\\n`` or a lone ``\\r`` (tqdm redraws its bar with ``\\r``; each redraw
is a line so the UI can show live progress). ``OutputEvents`` feeds those lines to the log
work's ``LogInterpreter`` (the one parser of tool output) and guarantees one ``LogLine`` per line,
skipping the first ``skip_lines`` lines' events on a re-attach while still feeding the interpreter
so it knows which step is running.
"""

from __future__ import annotations

import codecs
from typing import Iterator

from wizard.core.events import Event, LogLine, StepStarted


class LineSplitter:
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._last_was_cr = False

    def feed(self, data: bytes) -> list[str]:
        return self._split(self._decoder.decode(data))

    def flush(self) -> list[str]:
        lines = self._split(self._decoder.decode(b"", final=True))
        if self._pending:
            lines.append(self._pending)
            self._pending = ""
        return lines

    def _split(self, text: str) -> list[str]:
        lines: list[str] = []
        buf = self._pending
        for ch in text:
            if ch == "\n":
                if self._last_was_cr:  # the \n of a \r\n: the line was already emitted at \r
                    self._last_was_cr = False
                    continue
                lines.append(buf)
                buf = ""
            elif ch == "\r":
                lines.append(buf)
                buf = ""
                self._last_was_cr = True
                continue
            else:
                buf += ch
            self._last_was_cr = False
        self._pending = buf
        return lines


class OutputEvents:
    """Lines in, events out; counts lines so a re-attach can skip what was already shown."""

    def __init__(self, skip_lines: int = 0) -> None:
        from wizard.core.toolchain.log import LogInterpreter

        self.interpreter = LogInterpreter()
        self.skip_lines = skip_lines
        self.lines = 0  # every output line seen, including skipped ones
        self.current_step = ""
        self.splitters = {"stdout": LineSplitter(), "stderr": LineSplitter()}

    def feed_bytes(self, data: bytes, stream: str) -> Iterator[Event]:
        for line in self.splitters[stream].feed(data):
            yield from self.feed_line(line, stream)

    def flush(self) -> Iterator[Event]:
        for stream, splitter in self.splitters.items():
            for line in splitter.flush():
                yield from self.feed_line(line, stream)

    def feed_line(self, line: str, stream: str) -> Iterator[Event]:
        self.lines += 1
        events = list(self.interpreter.feed(line, stream))
        for event in events:
            if isinstance(event, StepStarted):
                self.current_step = event.step
        if self.lines <= self.skip_lines:
            return
        if not any(isinstance(e, LogLine) for e in events):
            events.insert(0, LogLine(text=line, step=self.current_step, stream=stream))  # type: ignore[arg-type]
        yield from events

    def finish(self, exit_code: int | None) -> list[Event]:
        return list(self.interpreter.finish(exit_code))
