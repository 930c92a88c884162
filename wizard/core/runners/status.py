"""The words that say how far a conversion run got, in one place.

``RecordState``: where the job record (job.json) stands: written when the run is ``created``,
``running`` while it streams (then it can be re-attached), ``finished`` whatever the ending.

``Verdict``: how a finished run ended (results.json's and job.json's ``verdict``, the ``Result``
event's ``details["verdict"]``; the CLI maps it to an exit code, the window to its job status).

Both are str enums whose values are the exact strings saved in run folders, so an old job.json or
results.json loads unchanged and a member compares equal to the saved string.
"""

from __future__ import annotations

from enum import Enum


class _SavedWord(str, Enum):
    """A str enum that prints as its saved value (as 3.11's StrEnum; this runs on 3.10 too)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class RecordState(_SavedWord):
    CREATED = "created"
    RUNNING = "running"
    FINISHED = "finished"


class Verdict(_SavedWord):
    SUCCESS = "success"
    CONVERSION_FAILED = "conversion_failed"  # the toolchain ran and failed (or ran out of memory)
    INFRASTRUCTURE_FAILED = "infrastructure_failed"  # the engine, the VM or this computer failed it
    CANCELLED = "cancelled"


__all__ = ["RecordState", "Verdict"]
