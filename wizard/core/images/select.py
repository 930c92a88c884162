"""Which files make the set: two passes over the sources, duplicates, sampling, look-alikes, and
the representative picture.

Pass 1 checks every file cheaply (header, bomb limit, structure) and drops byte-identical copies;
pass 2 converts in a seeded random order until enough are good, dropping files with the same
pixels as another. The first in sorted order always wins a duplicate.
"""

from __future__ import annotations

import random
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from wizard.core.checksums import sha256_file
from wizard.core.images.convert import Converted, convert_image
from wizard.core.images.decode import Unusable, open_checked, short_detail, unusable, verify_image
from wizard.core.images.report import AcceptedImage, CalibrationReport, DuplicateImage, RejectedImage
from wizard.core.messages import Problem, problem


@dataclass
class Candidate:
    index: int  # position in sorted order: earlier wins duplicates
    path: Path
    relative: str
    sha256: str


@dataclass
class Prepared:
    candidate: Candidate
    converted: Converted
    staged: Path


class Progress:
    """Monotonic (done, total) for ``on_progress``: checking every file, then converting."""

    def __init__(self, callback: Callable[[int, int], None] | None):
        self.callback = callback
        self.done = 0
        self.total = 0

    def set_total(self, total: int) -> None:
        self.total = max(total, self.done)
        self._emit()

    def advance(self) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        self._emit()

    def finish(self) -> None:
        self.total = self.done = max(self.total, self.done)
        self._emit()

    def _emit(self) -> None:
        if self.callback is not None:
            self.callback(self.done, self.total)


def _rejected(path: Path, problem_: Problem) -> RejectedImage:
    return RejectedImage(source=str(path), reason=problem_.text("en")[0], problem=problem_)


def check_all(
    files: list[tuple[Path, str]],
    pool: ThreadPoolExecutor,
    rejected: dict[int, RejectedImage],
    duplicates: list[tuple[int, DuplicateImage]],
    stop_requested: Callable[[], None],
    progress: Progress,
) -> list[Candidate]:
    """Pass 1: cheap checks on every file, handled in sorted order (first copy wins)."""

    def check(item: tuple[Path, str]) -> str | Unusable:
        path = item[0]
        try:
            open_checked(path).close()
            verify_image(path)
            return sha256_file(path)
        except Unusable as exc:
            return exc
        except OSError as exc:
            return unusable("image_unreadable", path, detail=exc.strerror or str(exc))
        except Exception as exc:  # noqa: BLE001 - odd data must give a reason, not a traceback
            return unusable("image_damaged", path, detail=short_detail(exc))

    candidates: list[Candidate] = []
    first_with_hash: dict[str, Candidate] = {}
    for index, ((path, relative), outcome) in enumerate(zip(files, pool.map(check, files))):
        stop_requested()
        progress.advance()
        if isinstance(outcome, Unusable):
            rejected[index] = _rejected(path, outcome.problem)
            continue
        earlier = first_with_hash.get(outcome)
        if earlier is not None:
            duplicates.append((index, DuplicateImage(str(path), str(earlier.path))))
            continue
        candidate = Candidate(index, path, relative, outcome)
        first_with_hash[outcome] = candidate
        candidates.append(candidate)
    return candidates


def sample_order(candidates: list[Candidate], seed: int) -> list[Candidate]:
    """A full seeded permutation (same seed, same folder -> same order).

    Pass 2 keeps the first ``wanted`` that convert cleanly, and a file that turns out broken is
    replaced by the next one, still deterministically.
    """
    return random.Random(seed).sample(candidates, len(candidates))


def convert_sample(
    order: list[Candidate],
    wanted: int,
    staging: Path,
    max_side: int,
    pool: ThreadPoolExecutor,
    rejected: dict[int, RejectedImage],
    duplicates: list[tuple[int, DuplicateImage]],
    stop_requested: Callable[[], None],
    progress: Progress,
) -> tuple[list[Prepared], int]:
    """Pass 2: convert candidates in ``order`` until ``wanted`` are good.

    Returns the prepared images and how many drawn candidates turned out unusable (broken
    data, or the same pixels as another file in a different container).
    """

    def convert(candidate: Candidate) -> Prepared | Unusable:
        staged = staging / f"tmp_{candidate.index:06d}.jpg"
        try:
            return Prepared(candidate, convert_image(candidate.path, staged, max_side), staged)
        except Unusable as exc:
            staged.unlink(missing_ok=True)
            return exc

    kept: dict[int, Prepared] = {}
    by_pixels: dict[str, Prepared] = {}
    unusable_late = 0
    position = 0
    while len(kept) < wanted and position < len(order):
        batch = order[position:position + wanted - len(kept)]
        position += len(batch)
        for candidate, outcome in zip(batch, pool.map(convert, batch)):
            stop_requested()
            if isinstance(outcome, Unusable):
                rejected[candidate.index] = _rejected(candidate.path, outcome.problem)
                unusable_late += 1
                continue
            twin = by_pixels.get(outcome.converted.pixel_sha256)
            if twin is None:
                kept[candidate.index] = outcome
                by_pixels[outcome.converted.pixel_sha256] = outcome
                progress.advance()
                continue
            # Same pixels in another file (e.g. PNG and BMP of one photo): keep the one that
            # sorts first, as for byte-identical copies.
            first, second = sorted((twin, outcome), key=lambda p: p.candidate.index)
            duplicates.append((second.candidate.index,
                               DuplicateImage(str(second.candidate.path), str(first.candidate.path))))
            second.staged.unlink(missing_ok=True)
            kept.pop(second.candidate.index, None)
            kept[first.candidate.index] = first
            by_pixels[outcome.converted.pixel_sha256] = first
            unusable_late += 1
    return [kept[i] for i in sorted(kept)], unusable_late


def add_near_duplicate_notes(accepted: list[tuple[AcceptedImage, tuple]]) -> list[AcceptedImage]:
    """Flag images that look almost the same as an earlier one (a warning, not a rejection)."""
    first_by_look: dict[tuple, AcceptedImage] = {}
    result = []
    for item, look_key in accepted:
        earlier = first_by_look.setdefault(look_key, item)
        if earlier is not item:
            warning = problem("image_note_near_duplicate", "warning", path=item.source, other=earlier.source)
            item = replace(item, notes=item.notes + (warning.text("en")[0],),
                           note_problems=item.note_problems + (warning,))
        result.append(item)
    return result


def pick_representative_image(report: CalibrationReport) -> AcceptedImage | None:
    """The prepared image whose mean colour is closest to the set's median: a typical scene.

    The GUI offers it as the default test image. Images with transparency filled in or flagged
    as near-duplicates are passed over when others exist.
    """
    if not report.accepted:
        return None
    plain = [item for item in report.accepted
             if not any(p.code in ("image_note_transparency", "image_note_near_duplicate") for p in item.note_problems)]
    pool = plain or list(report.accepted)
    median = [statistics.median(item.mean_rgb[channel] for item in pool) for channel in range(3)]

    def distance(item: AcceptedImage) -> float:
        return sum((item.mean_rgb[c] - median[c]) ** 2 for c in range(3))

    return min(pool, key=distance)  # min keeps the first (sorted) on ties
