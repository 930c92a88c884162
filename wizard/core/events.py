"""Typed events that flow from runners to views.

Runners never touch widgets or print: they yield these records. The GUI renders them, the CLI
prints them, tests assert on them. All are immutable and cheap to create (thousands per second).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Union

from wizard.core.messages import Problem

# The conversion steps, in order. "prepare", "upload", "download" and "cleanup" are the runner's
# own steps around the three toolchain commands.
TOOLCHAIN_STEPS = ("transform", "calibrate", "deploy")
RUNNER_STEPS = ("prepare", "image", "upload", *TOOLCHAIN_STEPS, "download", "cleanup")

Stream = Literal["stdout", "stderr", "runner"]


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class StepStarted:
    step: str
    command: str = ""
    time: float = field(default_factory=_now)


@dataclass(frozen=True)
class StepFinished:
    step: str
    ok: bool
    exit_code: int | None = None
    elapsed: float = 0.0
    skipped: bool = False  # e.g. calibration table reused from the cache
    time: float = field(default_factory=_now)


@dataclass(frozen=True)
class LogLine:
    text: str
    step: str = ""
    stream: Stream = "stdout"
    time: float = field(default_factory=_now)


@dataclass(frozen=True)
class Progress:
    step: str
    fraction: float | None  # 0..1, or None when only a count or text is known
    text: str = ""
    done: int | None = None
    total: int | None = None
    time: float = field(default_factory=_now)


@dataclass(frozen=True)
class ProblemRaised:
    """A problem met during a run (named ProblemRaised so it does not clash with messages.Problem)."""

    problem: Problem
    step: str = ""
    time: float = field(default_factory=_now)


@dataclass(frozen=True)
class Result:
    ok: bool
    run_dir: str
    model_path: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=_now)


@dataclass(frozen=True)
class QueueWaiting:
    """The job waits for a free slot on a shared (workshop) server: ``ahead`` jobs came first
    and still wait; ``position`` = ahead + 1 (1: next to start). Only ever goes down."""

    ticket: int  # the job's place in the server's first-come order
    position: int
    ahead: int
    slots: int  # how many conversions the server runs at once
    step: str = "queue"
    time: float = field(default_factory=_now)


@dataclass(frozen=True)
class QueueAdmitted:
    """A slot became free: the conversion starts now (after ``waited`` seconds in the queue)."""

    ticket: int
    slot: int  # 1..slots
    slots: int
    waited: float
    step: str = "queue"
    time: float = field(default_factory=_now)


@dataclass(frozen=True)
class QueueLeft:
    """The job left the queue without running (cancelled while waiting)."""

    ticket: int
    reason: str = "cancelled"
    step: str = "queue"
    time: float = field(default_factory=_now)


Event = Union[StepStarted, StepFinished, LogLine, Progress, ProblemRaised, Result, QueueWaiting, QueueAdmitted,
              QueueLeft]


def event_to_dict(event: Event) -> dict[str, Any]:
    """A JSON-ready dict for an event (used by ``--json`` event streams and logs)."""
    data: dict[str, Any] = {"type": type(event).__name__}
    for name in event.__dataclass_fields__:
        value = getattr(event, name)
        if isinstance(value, Problem):
            value = value.to_dict()
        elif isinstance(value, Mapping):
            value = dict(value)
        data[name] = value
    return data
