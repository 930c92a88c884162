"""An attendee's conversion: the kit's options, their own model and pictures (or the kit's
samples), on the kit's server. The GUI and ``workshop convert`` both call these two functions:

    login = SshCredentials(key_file=..., password=...)
    job = start_conversion(kit, run_dir=..., attendee="Aiko", model=..., images=..., credentials=login)
    for event in job.events(): ...          # StepStarted, QueueWaiting, LogLine, ..., Result

    job = resume_conversion(run_dir, credentials=login)   # after the app was closed or Wi-Fi dropped
    for event in job.resume(): ...          # the place in the queue first, then the live log

The run folder is a normal one (job.json, convert.log, results.json, the model...) plus
``.workshop.json``: which kit and attendee, so a re-attach needs nothing but the folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from wizard.core.messages import WizardError
from wizard.core.plan.workspace import stage_workspace
from wizard.core.runners.bundle import WORKSPACE_DIR, check_run_dir
from wizard.core.runners.job import ConversionJob
from wizard.core.runners.record import JobRecord
from wizard.core.runners.status import RecordState
from wizard.core.ssh.options import SshCredentials, SshTimings
from wizard.core.workshop.kit import Kit, read_kit
from wizard.core.workshop.runner import BACKEND, WorkshopRunner

WORKSHOP_RECORD = ".workshop.json"
MAX_ATTENDEE_NAME = 80


def check_attendee_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not 1 <= len(cleaned) <= MAX_ATTENDEE_NAME or any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise WizardError.of("workshop_bad_attendee", value=(name or "")[:100])
    return cleaned


def samples_folder(kit: Kit) -> Path:
    """Where a kit's samples are unpacked on this computer (one folder per kit content)."""
    from wizard.core.app_dirs import cache_dir

    return cache_dir() / "workshop-kits" / f"{kit.content.kit_id}-{kit.checksum.split(':')[-1][:12]}"


@dataclass(frozen=True)
class WorkshopRunInfo:
    """RUN_DIR/.workshop.json."""

    kit_path: str
    kit_id: str
    kit_checksum: str
    attendee: str
    run_id: str

    def save(self, run_dir: Path) -> None:
        path = Path(run_dir) / WORKSHOP_RECORD
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, run_dir: Path) -> "WorkshopRunInfo":
        path = Path(run_dir) / WORKSHOP_RECORD
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: str(data[k]) for k in ("kit_path", "kit_id", "kit_checksum", "attendee", "run_id")})
        except FileNotFoundError:
            raise WizardError.of("job_record_unreadable", path=str(path), detail="no .workshop.json") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise WizardError.of("job_record_unreadable", path=str(path), detail=str(exc)[:200]) from None


def start_conversion(
    kit: Kit,
    *,
    run_dir: str | Path,
    attendee: str,
    model: str | Path | None = None,
    images: str | Path | None = None,
    use_samples: bool = False,
    name: str | None = None,
    test_image: str | None = None,
    output_names: tuple[str, ...] | None = None,
    overrides: Mapping[str, Any] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    cache: Any = None,
    credentials: SshCredentials = SshCredentials(),
    timings: SshTimings = SshTimings(),
    account: str | None = None,
) -> ConversionJob:
    """Stage the attendee's workspace (the kit's options; changes to locked ones are refused) and
    return the job, not started. ``use_samples``: the kit's sample model and/or pictures for
    whatever of ``model``/``images`` is not given. ``credentials``: the attendee's login
    on the kit's server (key file, password, key passphrase, agent); ``timings``: WorkshopRunner's;
    ``account``: the attendee's own account, in a room with one per attendee (the kit says)."""
    run_dir = Path(run_dir)
    attendee = check_attendee_name(attendee)
    kit.server.login_target(account)  # a per-attendee room without an account: say so before staging
    check_run_dir(run_dir)
    if use_samples and (model is None or images is None):
        if not kit.has_samples:
            raise WizardError.of("kit_samples_missing", title=kit.title)
        sample_model, sample_images = kit.extract_samples(samples_folder(kit))
        model = model if model is not None else sample_model
        images = images if images is not None else sample_images
    if model is None or images is None:
        raise WizardError.of("cli_sources_required")
    choices = kit.choices(model=str(model), images=str(images), out=str(run_dir / WORKSPACE_DIR), name=name,
                          test_image=test_image, output_names=output_names, overrides=overrides)
    staged = stage_workspace(choices, on_progress=on_progress)
    runner = WorkshopRunner(kit=kit, attendee={"attendee": attendee, "model": staged.recipe.name}, account=account,
                            credentials=credentials, timings=timings)
    WorkshopRunInfo(kit_path=str(Path(kit.path).resolve()) if kit.path else "", kit_id=kit.content.kit_id,
                    kit_checksum=kit.checksum, attendee=attendee, run_id=runner.run_id).save(run_dir)
    return ConversionJob(runner, run_dir, cache=cache)


def resume_conversion(run_dir: str | Path, *, kit: Kit | None = None, cache: Any = None,
                      credentials: SshCredentials = SshCredentials(), timings: SshTimings = SshTimings()) -> ConversionJob:
    """A job for a workshop run started earlier: call ``.resume()``. The kit defaults to the file
    the run was started with; a different kit (another workshop) is refused."""
    run_dir = Path(run_dir)
    record = JobRecord.load(run_dir)
    if record.backend != BACKEND:
        raise WizardError.of("workshop_not_a_workshop_run", path=str(run_dir), backend=record.backend)
    info = WorkshopRunInfo.load(run_dir)
    kit = kit or read_kit(info.kit_path)
    if kit.content.kit_id != info.kit_id or not kit.server.same_server(record.where):
        raise WizardError.of("workshop_resume_other_kit", path=str(run_dir), expected=info.kit_id,
                             kit=kit.content.kit_id)
    if record.state == RecordState.FINISHED:
        raise WizardError.of("run_already_finished", run_id=record.run_id, path=str(run_dir),
                             verdict=record.verdict or "?")
    # From byte 0, skipping the lines convert.log already has (as the SSH backend's re-attach).
    runner = WorkshopRunner.attach(record.handle, offset=0, skip_lines=record.log_lines, kit=kit,
                                   credentials=credentials, timings=timings)
    return ConversionJob(runner, run_dir, workspace=run_dir / WORKSPACE_DIR, cache=cache,
                         keep_remote=record.keep_remote, record=record)
