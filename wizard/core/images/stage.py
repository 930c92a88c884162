"""Prepare a calibration set: the usable pictures of a folder or zip, as JPEGs the toolchain accepts.

    prepare_calibration_set(src_dir, out_dir, count=None, *, seed=0,
                            max_side=..., on_progress=None,
                            should_stop=None) -> CalibrationReport  # raises PreparationCancelled

The source folder is never modified. Outputs are RGB JPEGs with safe ASCII names, swapped into
the output folder only once the whole set is written.

Why all this: TPU-MLIR's run_calibration only picks up jpg/bmp/png/jpeg/jfif/npy/npz files
(".img" or ".heic" give "RuntimeError: There is no inputs"), model_transform's --test_input
asserts on ".JPG" and ".bmp", and every calibration image is held in memory. Users bring
folders of phone photos, screenshots and video frames; we turn whatever is usable into plain
RGB JPEGs and explain the rest.

How a set is prepared, in two passes so that a folder of thousands of photos stays fast
(select.py):
1. check every file cheaply (magic bytes, Pillow header, bomb limit, exact-duplicate hash);
2. decode and convert only as many as needed, in a seeded random order; a file that fails to
   decode there is rejected and the next one in the order takes its place.
Files that pass 1 but are never drawn in pass 2 were checked by header only.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from wizard.core.images.convert import DEFAULT_MAX_SIDE, MAX_MAX_SIDE, MIN_MAX_SIDE, WriteFailed, is_our_output
from wizard.core.images.decode import short_detail
from wizard.core.images.report import (
    DEFAULT_COUNT,
    AcceptedImage,
    CalibrationReport,
    DuplicateImage,
    RejectedImage,
    set_problems,
)
from wizard.core.images.select import (
    Prepared,
    Progress,
    add_near_duplicate_notes,
    check_all,
    convert_sample,
    sample_order,
)
from wizard.core.images.sources import check_source_dir, extracted_zip, is_system_file, is_zip_source, walk_source
from wizard.core.messages import Problem, WizardError, problem

OUTPUT_PREFIX = "calib_"
_OUTPUT_NAME_RE = re.compile(r"^calib_\d{4,}(_[a-z0-9-]+)?\.jpg$")

# Hidden folders of ours inside the output folder: the new set while it is written (when the
# output folder is a drive of its own) and the previous set while it is swapped out.
_STAGING_PREFIX = ".recamera-wizard-staging."
_PREVIOUS_PREFIX = ".recamera-wizard-previous."
_OUR_FOLDER_PREFIXES = (_STAGING_PREFIX, _PREVIOUS_PREFIX)


class PreparationCancelled(WizardError):
    """Raised when ``should_stop`` asked to stop; nothing in the output folder was changed."""


def _slug(stem: str) -> str:
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:32].strip("-")
    return slug or "image"


def output_name(position: int, source: str | Path) -> str:
    """Safe ASCII file name for the ``position``-th (1-based) prepared image."""
    return f"{OUTPUT_PREFIX}{position:04d}_{_slug(Path(source).stem)}.jpg"


def _is_inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def _check_output_dir(src: Path, out: Path) -> list[Path]:
    """Refuse unsafe output folders; return our own previous outputs there (to replace)."""
    if _is_inside(out.resolve(), src.resolve()):
        raise WizardError.of("calib_output_inside_source", out=str(out), path=str(src))
    if not out.exists():
        return []
    if not out.is_dir():
        raise WizardError.of("not_a_directory", path=str(out))
    ours: list[Path] = []
    for entry in sorted(out.iterdir()):
        if entry.is_dir() and not entry.is_symlink() and entry.name.startswith(_OUR_FOLDER_PREFIXES):
            continue  # our own staging left by a killed run: removed after the next swap
        if entry.is_symlink() or not entry.is_file():
            raise WizardError.of("output_not_empty", path=str(out))
        if _OUTPUT_NAME_RE.match(entry.name) and is_our_output(entry):
            ours.append(entry)
        elif not is_system_file(entry.name):  # .DS_Store from browsing the folder is harmless
            raise WizardError.of("output_not_empty", path=str(out))
    return ours


def _report_with_archive_paths(report: CalibrationReport, folder: Path, archive: Path) -> CalibrationReport:
    """Name files as <archive>/<member> instead of the temporary folder they were read from."""
    prefix, shown = str(folder), str(archive)

    def swap(value: Any) -> Any:
        return shown + value[len(prefix):] if isinstance(value, str) and value.startswith(prefix) else value

    def swap_problem(item: Problem | None) -> Problem | None:
        if item is None:
            return None
        return replace(item, params={k: swap(v) for k, v in item.params.items()})

    def swap_text(text: str) -> str:
        return text.replace(prefix, shown)

    return replace(
        report,
        accepted=tuple(replace(a, source=swap(a.source), notes=tuple(swap_text(n) for n in a.notes),
                               note_problems=tuple(swap_problem(p) for p in a.note_problems))
                       for a in report.accepted),
        rejected=tuple(replace(r, source=swap(r.source), reason=r.reason.replace(prefix, shown),
                               problem=swap_problem(r.problem)) for r in report.rejected),
        duplicates=tuple(replace(d, source=swap(d.source), same_as=swap(d.same_as))
                         for d in report.duplicates),
        ignored=tuple(swap(i) for i in report.ignored),
        problems=tuple(swap_problem(p) for p in report.problems),
        source_dir=shown,
    )


def prepare_calibration_set(
    src_dir: str | Path,
    out_dir: str | Path,
    count: int | None = DEFAULT_COUNT,
    *,
    seed: int = 0,
    max_side: int = DEFAULT_MAX_SIDE,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    workers: int | None = None,
) -> CalibrationReport:
    """Turn the usable images under ``src_dir`` into RGB JPEGs in ``out_dir``.

    ``count`` None or 0 keeps every usable image; otherwise a seeded random sample (same seed,
    same folder -> same images), listed in sorted order. ``on_progress(done, total)`` and
    ``should_stop()`` are called from the calling thread. ``out_dir`` may not be inside
    ``src_dir``; it must be new, empty, or hold only a previous output of this function, which
    is replaced only once the new set is complete. Raises WizardError for an unusable source
    or output folder (and PreparationCancelled when stopped).
    """
    if not isinstance(max_side, int) or not MIN_MAX_SIDE <= max_side <= MAX_MAX_SIDE:
        raise WizardError.of("calib_bad_max_side", value=max_side, minimum=MIN_MAX_SIDE, maximum=MAX_MAX_SIDE)
    if count is not None and (not isinstance(count, int) or count < 0):
        raise WizardError.of("calib_bad_count", value=count)
    if is_zip_source(src_dir):
        archive = Path(src_dir).expanduser().absolute()
        with extracted_zip(archive) as extracted:
            report = prepare_calibration_set(extracted.root, out_dir, count, seed=seed, max_side=max_side,
                                             on_progress=on_progress, should_stop=should_stop,
                                             workers=workers)
            report = _report_with_archive_paths(report, extracted.root, archive)
            if extracted.skipped:
                report = replace(report, problems=report.problems + (problem(
                    "calib_zip_skipped_entries", "warning", path=str(archive), count=len(extracted.skipped),
                    example=extracted.skipped[0]),))
            return report
    src = check_source_dir(src_dir)
    out = Path(out_dir).expanduser().absolute()
    previous_outputs = _check_output_dir(src, out)
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    progress = Progress(on_progress)

    def stop_requested() -> None:
        if should_stop is not None and should_stop():
            raise PreparationCancelled(problem("calib_cancelled", "error", path=str(src)))

    ignored: list[str] = []
    files: list[tuple[Path, str]] = []
    for path, relative, is_ignored in walk_source(src, exclude=out):
        if is_ignored:
            ignored.append(str(path))
        else:
            files.append((path, relative))
    progress.set_total(len(files))

    rejected: dict[int, RejectedImage] = {}
    duplicates: list[tuple[int, DuplicateImage]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        candidates = check_all(files, pool, rejected, duplicates, stop_requested, progress)
        wanted = len(candidates) if not count or count <= 0 else min(count, len(candidates))
        progress.set_total(len(files) + wanted)
        order = sample_order(candidates, seed)

        # Through a link to another drive, the files go where the link points: stage there.
        real_out = Path(os.path.realpath(out))
        staging = _make_staging(real_out, out)
        try:
            prepared, unusable_late = convert_sample(
                order, wanted, staging, max_side, pool, rejected, duplicates, stop_requested, progress
            )
            accepted = _move_into_place(prepared, real_out, out, previous_outputs)
        except WriteFailed as exc:
            raise _output_failure(out, exc.error, bool(previous_outputs)) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    progress.finish()

    accepted = add_near_duplicate_notes(accepted)
    usable_total = len(candidates) - unusable_late
    report = CalibrationReport(
        accepted=tuple(accepted),
        rejected=tuple(rejected[i] for i in sorted(rejected)),
        duplicates=tuple(d for _, d in sorted(duplicates, key=lambda pair: pair[0])),
        ignored=tuple(ignored),
        usable_total=usable_total,
        source_dir=str(src),
        output_dir=str(out),
    )
    return replace(report, problems=tuple(set_problems(report, src, seed)))


def _make_staging(real_out: Path, out: Path) -> Path:
    """A new folder on the file system that will hold the output, so that the swap at the end
    is renames only: the previous set is never touched before the new one is complete, and a
    full disk shows while staging, not halfway through replacing."""
    try:
        real_out.parent.mkdir(parents=True, exist_ok=True)
        if real_out.is_dir() and os.stat(real_out).st_dev != os.stat(real_out.parent).st_dev:
            # The output folder is a mount point (a drive of its own): its parent is elsewhere.
            return Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=real_out))
        return Path(tempfile.mkdtemp(prefix=f".{real_out.name}.", suffix=".partial", dir=real_out.parent))
    except OSError as exc:
        raise _output_failure(out, exc, False) from None


def _output_failure(out: Path, error: OSError, kept_previous: bool) -> WizardError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        code = "calib_output_full_previous_kept" if kept_previous else "calib_output_full"
        return WizardError.of(code, path=str(out), detail=short_detail(error))
    return WizardError.of("output_not_writable", path=str(out), detail=short_detail(error))


def _move_into_place(prepared: list[Prepared], real_out: Path, out: Path,
                     previous_outputs: list[Path]) -> list[tuple[AcceptedImage, tuple]]:
    """Name the staged files in sorted order and only now swap them for the previous output.

    Staging and output share a file system (:func:`_make_staging`), so every step is a rename;
    should one still fail, the previous set is put back as it was.
    """
    named: list[tuple[Prepared, str]] = [
        (item, output_name(position, item.candidate.path)) for position, item in enumerate(prepared, 1)
    ]
    moved_aside: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    previous_dir: Path | None = None
    try:
        real_out.mkdir(parents=True, exist_ok=True)
        if previous_outputs:
            previous_dir = Path(tempfile.mkdtemp(prefix=_PREVIOUS_PREFIX, dir=real_out))
            for old in previous_outputs:
                aside = previous_dir / old.name
                os.replace(real_out / old.name, aside)
                moved_aside.append((aside, real_out / old.name))
        for item, name in named:
            os.replace(item.staged, real_out / name)
            placed.append(real_out / name)
    except OSError as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        for aside, original in moved_aside:
            with contextlib.suppress(OSError):
                os.replace(aside, original)
        if previous_dir is not None:
            with contextlib.suppress(OSError):
                previous_dir.rmdir()
        raise _output_failure(out, exc, bool(previous_outputs)) from None
    if previous_dir is not None:
        shutil.rmtree(previous_dir, ignore_errors=True)
    for leftover in real_out.iterdir():  # from a run that was killed before it could tidy up
        if leftover.is_dir() and not leftover.is_symlink() and leftover.name.startswith(_OUR_FOLDER_PREFIXES):
            shutil.rmtree(leftover, ignore_errors=True)
    accepted = []
    for item, name in named:
        notes = tuple(item.converted.notes)
        accepted.append((AcceptedImage(
            source=str(item.candidate.path),
            output=str(out / name),
            notes=tuple(p.text("en")[0] for p in notes),
            sha256=item.candidate.sha256,
            note_problems=notes,
            width=item.converted.width,
            height=item.converted.height,
            mean_rgb=item.converted.mean_rgb,
        ), item.converted.look_key))
    return accepted

