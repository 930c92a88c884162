"""``recamera-wizard images SRC_DIR --out DIR``: prepare a calibration set the toolchain accepts."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from wizard.cli.output import EXIT_BLOCKED, EXIT_CANCELLED, EXIT_OK, ImagesProgress, print_json, print_problem
from wizard.core import messages
from wizard.core.images.convert import DEFAULT_MAX_SIDE
from wizard.core.images.report import DEFAULT_COUNT, CalibrationReport, RejectedImage
from wizard.core.images.stage import prepare_calibration_set

NOTES_SHOWN_PER_KIND = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "images",
        help="prepare calibration images (convert, check, de-duplicate, sample)",
        description="Copy the usable images under SRC_DIR into --out as RGB JPEGs that the "
        "toolchain accepts. The source folder is never changed.",
    )
    parser.add_argument("src_dir", metavar="SRC_DIR", help="folder with your photos (searched recursively)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder (new, empty, or a previous output of this command)")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, metavar="N",
                        help=f"how many images to keep, chosen at random (default {DEFAULT_COUNT}; 0 = all)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="random seed for choosing images (same seed, same images)")
    parser.add_argument("--max-side", type=int, default=DEFAULT_MAX_SIDE, metavar="PX",
                        help=f"downsize images whose longest side is larger (default {DEFAULT_MAX_SIDE})")
    parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    parser.set_defaults(handler=run_images)


def run_images(args: argparse.Namespace) -> int:
    # File names that are not valid UTF-8 (old cameras, unpacked zips) travel as surrogate
    # escapes; printing one must show it, not crash with UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    # A bar on a terminal, a line per tenth into a log: the same as plan and convert.
    progress = None if args.json else ImagesProgress()
    try:
        report = prepare_calibration_set(
            args.src_dir,
            args.out,
            args.count,
            seed=args.seed,
            max_side=args.max_side,  # out of range: refused with the rule, never quietly changed
            on_progress=(lambda done, total: progress("images", done, total)) if progress else None,
        )
    except KeyboardInterrupt:
        # prepare_calibration_set removes its staging on the way out: --out is as it was.
        print_problem(messages.problem("calib_cancelled", "warning", path=str(args.src_dir)))
        return EXIT_CANCELLED
    except messages.WizardError as exc:
        if args.json:
            print_json({"ok": False, "problems": [exc.problem.to_dict()]})
        else:
            print_problem(exc.problem)
        return EXIT_BLOCKED
    if args.json:
        print_json(report.to_dict(messages.current_language()))
    else:
        _print_human(report)
    return EXIT_OK if report.ok else EXIT_BLOCKED


def _print_human(report: CalibrationReport) -> None:
    summary, _ = messages.render("calib_summary", {
        "accepted": len(report.accepted), "out": report.output_dir, "usable": report.usable_total,
        "rejected": len(report.rejected), "duplicates": len(report.duplicates),
        "ignored": len(report.ignored),
    })
    print(summary)
    # One line per rejected file, the fix once per kind of reason: long lists stay readable.
    by_code: dict[str, list[RejectedImage]] = defaultdict(list)
    for item in report.rejected:
        by_code[item.problem.code if item.problem else ""].append(item)
    for items in by_code.values():
        for item in items:
            message = item.problem.text()[0] if item.problem else item.reason
            print(f"  ✗ {message}")
        if items[0].problem is not None:
            fix = items[-1].problem.text()[1]
            if fix:
                print(f"    → {fix}")
    for duplicate in report.duplicates:
        line, _ = messages.render("calib_summary_duplicate", {"path": duplicate.source, "other": duplicate.same_as})
        print(f"  = {line}")
    if report.ignored:
        line, _ = messages.render("calib_summary_ignored", {"count": len(report.ignored), "example": report.ignored[0]})
        print(f"  · {line}")
    # Notes (what was changed in the copies) grouped by kind; a few examples of each.
    notes_by_code: dict[str, list[messages.Problem]] = defaultdict(list)
    for item in report.accepted:
        for note in item.note_problems:
            notes_by_code[note.code].append(note)
    for notes in notes_by_code.values():
        for note in notes[:NOTES_SHOWN_PER_KIND]:
            print(f"  · {note.text()[0]}")
        if len(notes) > NOTES_SHOWN_PER_KIND:
            print(f"  · (+{len(notes) - NOTES_SHOWN_PER_KIND})")
    for found in report.problems:
        print_problem(found)
