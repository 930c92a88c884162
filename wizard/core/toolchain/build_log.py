"""A build's output as events: the toolchain image's ``docker build`` on a VM, the TPU-MLIR
environment's pip install here or on a VM.

Each whole line (wizard.core.toolchain.lines) becomes a LogLine of the build's step, and whatever
the build's own progress reader makes of it (a named build step, a fraction) follows it; pip's bar
redrawing itself is not a line. The last lines are kept for the message when the build fails.
"""

from __future__ import annotations

from typing import Callable, Generator, Iterator

from wizard.core.events import Event, LogLine
from wizard.core.toolchain.lines import Line, LineSplitter


def build_events(output: Iterator[bytes], step: str, tail: list[str], *, keep: int,
                 progress: Callable[[str], Event | None]) -> Generator[Event, None, int | None]:
    """Events for ``output`` (a generator of chunks that returns the build's exit code, which this
    returns too); ``tail`` receives the last ``keep`` lines. Errors of ``output`` pass through."""
    splitter = LineSplitter()

    def events(lines: list[Line]) -> Iterator[Event]:
        for line in lines:
            if line.redraw:
                continue  # pip's bar drawing itself again: not a log line (wizard.core.toolchain.lines)
            tail.append(line.text)
            del tail[:-keep]
            yield LogLine(line.text, step=step, stream="runner")
            told = progress(line.text)
            if told is not None:
                yield told

    try:
        while True:
            yield from events(splitter.feed(next(output)))
    except StopIteration as done:
        code = done.value
    yield from events(splitter.flush())
    return code


__all__ = ["build_events"]
