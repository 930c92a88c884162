"""What every subcommand shares: the exit codes and how problems and JSON are printed."""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any, Callable, Iterator

from wizard.core import messages

# Exit codes shared by every subcommand.
EXIT_OK = 0
EXIT_USAGE = 1  # argparse uses 2 for usage errors; we keep 2 for "blocked" as the issue asks
EXIT_BLOCKED = 2  # the input has an error that blocks the step (not convertible, bad file...)
EXIT_CONVERSION_FAILED = 3  # the toolchain ran and reported failure (e.g. npz compare FAILED)
EXIT_INFRASTRUCTURE = 4  # Docker/SSH/device could not be used
EXIT_CANCELLED = 130
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader left (| head)


def verdict_exit_code(verdict: str) -> int:
    """The exit code of a conversion's verdict (wizard.core.runners.status.Verdict)."""
    from wizard.core.runners.status import Verdict

    return {Verdict.SUCCESS: EXIT_OK, Verdict.CONVERSION_FAILED: EXIT_CONVERSION_FAILED,
            Verdict.INFRASTRUCTURE_FAILED: EXIT_INFRASTRUCTURE, Verdict.CANCELLED: EXIT_CANCELLED}.get(verdict, EXIT_INFRASTRUCTURE)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


class Labels:
    """A command's words from the catalogue (codes ``cli_<command>_<name>``), in the current language."""

    def __init__(self, command: str):
        self.prefix = f"cli_{command}_"

    def __getitem__(self, name: str) -> str:
        return messages.say(self.prefix + name)

    def get(self, name: str, default: str) -> str:
        code = self.prefix + name
        return messages.say(code) if code in messages.CATALOGUE else default


def print_problem(problem: messages.Problem, stream=None) -> None:
    stream = stream or sys.stderr
    label = messages.say(f"cli_severity_{problem.severity}")
    message, fix = problem.text()
    print(f"{label}: {message}", file=stream)
    if fix:
        print(f"  → {fix}", file=stream)


class ImagesProgress:
    """Progress of preparing the images, on stderr: on a terminal a bar redrawn in place; into a
    file or a pipe (a log, CI) a line at each tenth of the way and at the end, never a line per
    image. Pass it as ``on_progress(phase, done, total)``; other phases are not shown."""

    BAR_WIDTH = 30

    def __init__(self, label: str | None = None, stream=None, interactive: bool | None = None):
        self.label = label or ("画像" if messages.current_language() == "ja" else "images")
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty()) if interactive is None else interactive
        self._last_tenth = -1
        self._last_line: tuple[int, int] | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != "images" or not total:
            return
        if self.interactive:
            filled = self.BAR_WIDTH * done // total
            bar = "#" * filled + "." * (self.BAR_WIDTH - filled)
            self.stream.write(f"\r  {self.label} [{bar}] {done}/{total}" + ("\n" if done >= total else ""))
            self.stream.flush()
            return
        tenth = 10 * done // total
        finished = done >= total
        if tenth > self._last_tenth or (finished and self._last_line != (done, total)):
            self._last_tenth = tenth
            self._last_line = (done, total)
            print(f"  {self.label} {done}/{total}", file=self.stream, flush=True)


def follow(events: Iterator[Any], cancel: Callable[[], None], show: Callable[[Any], None]) -> bool:
    """Show events until they end. The first Ctrl-C calls ``cancel`` (in a thread: stopping a
    container blocks for seconds, and a signal handler would interrupt the reader); a second
    one leaves at once, closing ``events`` so their clean-up still runs. False when it left."""
    interrupts = {"n": 0}
    previous = None

    def on_sigint(signum, frame):  # noqa: ARG001
        interrupts["n"] += 1
        if interrupts["n"] > 1:
            raise KeyboardInterrupt
        print("\n" + messages.say("cli_cancelling"), file=sys.stderr, flush=True)
        threading.Thread(target=cancel, name="cancel", daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        for event in events:
            show(event)
    except KeyboardInterrupt:
        close = getattr(events, "close", None)
        if close is not None:
            close()
        return False
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return True
