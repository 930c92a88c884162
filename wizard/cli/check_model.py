"""``recamera-wizard check-model FILE.cvimodel``: is a produced model sound, and for which chip."""

from __future__ import annotations

import argparse
import sys

from wizard.core import messages
from wizard.core.toolchain.processors import PROCESSORS, RECAMERA_PROCESSOR

ANY_CHIP = "any"
_LABELS = {
    "en": {"file": "File", "size": "Size", "version": "Version", "chip": "Processor", "body": "Body",
           "md5": "Checksum", "md5_values": {True: "matches", False: "does not match", None: "not checked"},
           "ok": "The model file is sound.", "bad": "The model file cannot be used."},
    "ja": {"file": "ファイル", "size": "サイズ", "version": "バージョン", "chip": "プロセッサ", "body": "本体",
           "md5": "チェックサム", "md5_values": {True: "一致", False: "不一致", None: "未確認"},
           "ok": "モデルファイルは正常です。", "bad": "このモデルファイルは使えません。"},
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-model",
        help="check a converted .cvimodel: header, size, checksum and target processor",
        description="Check a .cvimodel produced by the conversion: its header, that it is complete, "
        "its checksum and the processor it was built for. Exit status 0 only for a sound file "
        f"built for the chosen processor (default {RECAMERA_PROCESSOR}, every reCamera), 2 otherwise.",
    )
    parser.add_argument("model", help="the .cvimodel file")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--chip",
        default=RECAMERA_PROCESSOR,
        type=str.lower,
        choices=sorted(name for name, p in PROCESSORS.items() if p.family == "cv18xx") + [ANY_CHIP],
        help=f"processor the model must be built for (default {RECAMERA_PROCESSOR}; '{ANY_CHIP}' accepts any)",
    )
    parser.set_defaults(handler=run_check_model)


def run_check_model(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_BLOCKED, EXIT_OK, print_json
    from wizard.core.toolchain.cvimodel import check_cvimodel

    from wizard.core.user_paths import check_input_file

    check_input_file(args.model, allow_empty=True)  # a folder, a loop, a pipe: one precise reason
    report = check_cvimodel(args.model, expect_chip=None if args.chip == ANY_CHIP else args.chip)
    if args.json:
        print_json(report.to_dict(messages.current_language()))
    else:
        print_summary(report)
    return EXIT_OK if report.ok else EXIT_BLOCKED


def print_summary(report) -> None:
    from wizard.cli.output import print_problem

    labels = _LABELS.get(messages.current_language(), _LABELS["en"])
    print(f"{labels['file']}: {report.path}")
    print(f"{labels['size']}: {report.size:,} bytes")
    if report.version:
        print(f"{labels['version']}: {report.version}")
    if report.chip:
        print(f"{labels['chip']}: {report.chip}")
    if report.body_size is not None:
        print(f"{labels['body']}: {report.body_size:,} bytes")
    print(f"{labels['md5']}: {labels['md5_values'][report.md5_ok]}")
    for item in report.problems:
        print_problem(item, sys.stdout)
    print(labels["ok"] if report.ok else labels["bad"])
