"""From a run's raw output to typed events: what every backend does with the toolchain's output.

``OutputEvents`` splits byte chunks per stream (wizard.core.toolchain.lines), feeds the lines to
the one interpreter of tool output (wizard.core.toolchain.interpreter), and on a re-attach skips
the events of the first ``skip_lines`` log lines (those convert.log already has) while still
feeding them to the interpreter, so it knows which step is running. It counts log lines the way
the job writes them to convert.log: one per LogLine, so a bar's redraws never shift the count.
"""

from __future__ import annotations

from typing import Iterator

from wizard.core.events import Event, LogLine, ProblemRaised, StepFinished, StepStarted
from wizard.core.messages import Problem
from wizard.core.toolchain.interpreter import LogInterpreter
from wizard.core.toolchain.lines import Line, LineSplitter


class OutputEvents:
    """Lines in, events out; counts log lines so a re-attach can skip what was already shown."""

    def __init__(self, skip_lines: int = 0) -> None:
        self.interpreter = LogInterpreter()
        self.skip_lines = skip_lines
        self.lines = 0  # every log line seen, including skipped ones
        self.current_step = ""
        self.splitters = {"stdout": LineSplitter(), "stderr": LineSplitter()}

    def feed_bytes(self, data: bytes, stream: str) -> Iterator[Event]:
        for line in self.splitters[stream].feed(data):
            yield from self.feed_line(line, stream)

    def flush(self) -> Iterator[Event]:
        for stream, splitter in self.splitters.items():
            for line in splitter.flush():
                yield from self.feed_line(line, stream)

    def feed_line(self, line: Line, stream: str) -> Iterator[Event]:
        events = self.interpreter.feed(line.text, stream, redraw=line.redraw)
        for event in events:
            if isinstance(event, StepStarted):
                self.current_step = event.step
        if any(isinstance(e, LogLine) for e in events):
            self.lines += 1
            if self.lines <= self.skip_lines:
                return
        elif self.lines < self.skip_lines:
            return  # a redraw among the lines already shown
        yield from events

    def finish(self, exit_code: int | None) -> list[Event]:
        return list(self.interpreter.finish(exit_code))

    def end_of_run(self, exit_code: int | None, elapsed: float, *, cancelled: bool,
                   vanished: Problem | None = None) -> Iterator[Event]:
        """How a run followed through its wrapper's log ends (the VM's and the native runner's):
        ``vanished`` is the problem to say when the wrapper died without an exit code. A
        cancelled run ends without an exit code, as the Docker backend's; the job says why. The
        memory message comes from the log (convert.sh's OOM-kill count, exit 137) or the job."""
        if vanished is not None and not cancelled:
            yield ProblemRaised(vanished, step=self.current_step)
            yield StepFinished("convert", ok=False, exit_code=None, elapsed=elapsed)
            return
        if cancelled and exit_code != 0:
            yield StepFinished("convert", ok=False, exit_code=None, elapsed=elapsed)
            return
        yield from self.finish(exit_code)
        yield StepFinished("convert", ok=exit_code == 0, exit_code=exit_code, elapsed=elapsed)
