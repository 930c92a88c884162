"""What a prepared calibration set reports: each image accepted, rejected or a duplicate, and the
problems of the set as a whole against the size limits.

Plain records and rules, no decoder: the flow and the GUI read the limits without loading Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from wizard.core.messages import Problem, problem

# Below MIN_USABLE images calibration is refused; below RECOMMENDED_MIN it only warns.
MIN_USABLE = 10
RECOMMENDED_MIN = 50
DEFAULT_COUNT = 100  # images drawn when the user does not say how many

# run_calibration holds every preprocessed input in memory (~4.9 MB per 640x640 image);
# reports of silent OOM kills start around 500 images, so we warn well before that.
MEGABYTES_PER_CALIBRATION_IMAGE = 4.9
MEMORY_WARNING_MEGABYTES = 1500


@dataclass(frozen=True)
class AcceptedImage:
    source: str
    output: str
    notes: tuple[str, ...] = ()
    sha256: str = ""  # of the source file bytes, used for duplicates and cache keys
    note_problems: tuple[Problem, ...] = ()  # the notes, translatable (severity "info")
    width: int = 0  # of the output
    height: int = 0
    mean_rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)  # of the output, for picking a test image


@dataclass(frozen=True)
class RejectedImage:
    source: str
    reason: str  # plain-language, English; ``problem`` carries the translatable form
    problem: Problem | None = None


@dataclass(frozen=True)
class DuplicateImage:
    source: str
    same_as: str


@dataclass(frozen=True)
class CalibrationReport:
    accepted: tuple[AcceptedImage, ...] = ()
    rejected: tuple[RejectedImage, ...] = ()
    duplicates: tuple[DuplicateImage, ...] = ()
    ignored: tuple[str, ...] = ()
    usable_total: int = 0  # usable images found before sampling down to ``count``
    problems: tuple[Problem, ...] = ()
    source_dir: str = ""
    output_dir: str = ""

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        def rejected_entry(item: RejectedImage) -> dict[str, Any]:
            entry: dict[str, Any] = {"source": item.source, "reason": item.reason}
            if item.problem is not None:
                message, fix = item.problem.text(lang)
                entry.update(reason=message, fix=fix, code=item.problem.code)
            return entry

        return {
            "ok": self.ok,
            "source_dir": self.source_dir,
            "output_dir": self.output_dir,
            "accepted": [
                {
                    "source": item.source,
                    "output": item.output,
                    "notes": [p.text(lang)[0] for p in item.note_problems] or list(item.notes),
                }
                for item in self.accepted
            ],
            "rejected": [rejected_entry(item) for item in self.rejected],
            "duplicates": [{"source": d.source, "same_as": d.same_as} for d in self.duplicates],
            "ignored": list(self.ignored),
            "usable_total": self.usable_total,
            "problems": [p.to_dict(lang) for p in self.problems],
        }


def is_near_duplicate(item: AcceptedImage) -> bool:
    """Flagged as looking almost the same as an earlier image of the set (select.py adds the note)."""
    return any(p.code == "image_note_near_duplicate" for p in item.note_problems)


def _example(paths: Iterable[str], src: Path) -> str:
    for path in paths:
        try:
            return Path(path).relative_to(src).as_posix()
        except ValueError:
            return path
    return ""


def set_problems(report: CalibrationReport, src: Path, seed: int) -> list[Problem]:
    """What the user must hear about the set as a whole: its size against the limits, what was
    left out (rejected, duplicates, look-alikes, sampled down) and the toolchain's memory."""
    problems: list[Problem] = []
    usable = report.usable_total
    prepared = len(report.accepted)
    limits = dict(minimum=MIN_USABLE, recommended=RECOMMENDED_MIN)
    if usable < MIN_USABLE:
        problems.append(problem("calib_too_few_images", "error", usable=usable, path=str(src), **limits))
    elif prepared < MIN_USABLE:
        problems.append(problem("calib_count_too_small", "error", count=prepared, **limits))
    elif usable < RECOMMENDED_MIN:
        problems.append(problem("calib_few_images", "warning", usable=usable, path=str(src), **limits))
    elif prepared < RECOMMENDED_MIN:
        problems.append(problem("calib_count_small", "warning", count=prepared, **limits))
    if report.rejected:
        problems.append(problem("calib_rejected_files", "warning", count=len(report.rejected), path=str(src),
                                example=_example((r.source for r in report.rejected), src)))
    if report.duplicates:
        problems.append(problem("calib_duplicates", "info", count=len(report.duplicates), path=str(src),
                                example=_example((d.source for d in report.duplicates), src)))
    near = [item for item in report.accepted if is_near_duplicate(item)]
    if near:
        problems.append(problem("calib_near_duplicates", "warning", count=len(near),
                                example=_example((n.source for n in near), src)))
    if prepared < usable:
        problems.append(problem("calib_sampled", "info", count=prepared, usable=usable, path=str(src), seed=seed))
    megabytes = round(prepared * MEGABYTES_PER_CALIBRATION_IMAGE)
    if megabytes > MEMORY_WARNING_MEGABYTES:
        problems.append(problem("calib_memory_heavy", "warning", count=prepared, megabytes=megabytes))
    return problems
