"""The job record (job.json) of a run folder, and the history of every run.

A record is written when a run starts, while it streams (its log position, for re-attach) and
when it ends, with a final state whatever the ending: the record never says "running" for a run
that is over.
"""

from __future__ import annotations

import errno
import json
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from wizard import __version__
from wizard.core.messages import WizardError
from wizard.core.runners.protocol import RunHandle
from wizard.core.runners.status import RecordState

JOB_FILE = "job.json"


@dataclass
class JobRecord:
    run_id: str
    backend: str
    where: str
    run_dir: str
    image: str
    state: str = RecordState.CREATED  # a RecordState (the saved string, when loaded)
    verdict: str = ""  # a Verdict once finished
    exit_code: int | None = None
    log_lines: int = 0  # lines written to convert.log (Docker re-attach skips that many)
    log_offset: int = 0  # bytes of the remote log consumed (SSH re-attach resumes there)
    keep_remote: bool = False
    started: float = field(default_factory=time.time)
    finished: float | None = None
    wizard_version: str = __version__

    @property
    def handle(self) -> RunHandle:
        return RunHandle(backend=self.backend, run_id=self.run_id, where=self.where)

    def save(self) -> None:
        """Written to the run folder and indexed in the app's jobs folder (the job history)."""
        text = json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"
        path = Path(self.run_dir) / JOB_FILE
        try:
            atomic_write(path, text)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT) or not path.is_file():
                raise
            # A full disk has no room for a second copy, but the record must not keep saying
            # "running" for a run that is over: rewrite it in place (the blocks it frees are enough).
            with open(path, "r+", encoding="utf-8", newline="\n") as handle:
                handle.truncate(0)
                handle.write(text)
        try:
            from wizard.core.app_dirs import jobs_dir

            index = jobs_dir()
            index.mkdir(parents=True, exist_ok=True)
            atomic_write(index / f"{self.run_id}.json", text)
        except OSError:
            pass  # the history is a convenience; the run folder's record is what re-attach uses

    @classmethod
    def from_dict(cls, data: dict) -> "JobRecord":
        """A record from job.json's data; unknown keys (a newer version's) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def load(cls, run_dir: str | Path) -> "JobRecord":
        path = Path(run_dir) / JOB_FILE
        try:
            record = cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise WizardError.of("job_record_unreadable", path=str(path), detail="no job.json") from None
        except (ValueError, TypeError, AttributeError) as exc:
            raise WizardError.of("job_record_unreadable", path=str(path), detail=str(exc)[:200]) from None
        record.run_dir = str(Path(run_dir))  # the folder may have been moved since
        return record


def list_jobs() -> list[JobRecord]:
    """Every recorded job, newest first (the GUI's history)."""
    from wizard.core.app_dirs import jobs_dir

    records = []
    folder = jobs_dir()
    if not folder.is_dir():
        return []
    for path in folder.glob("*.json"):
        try:
            records.append(JobRecord.from_dict(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError, AttributeError):
            continue
    records.sort(key=lambda r: r.started, reverse=True)
    return records


def atomic_write(path: Path, text: str) -> None:
    """``path`` holds the whole new text or its old one, never a part (a full disk included)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
