"""``recamera-wizard``: the headless face of the wizard, one subcommand per step.

With no arguments it opens the GUI. Each subcommand lives in its own module ``wizard.cli.<name>``
exposing ``register(subparsers)``; the handler returns the process exit code. Errors a user can
meet are printed as plain messages with a next step (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import Any, Sequence

from wizard import __version__
from wizard.core import messages

# Exit codes shared by every subcommand.
EXIT_OK = 0
EXIT_USAGE = 1  # argparse uses 2 for usage errors; we keep 2 for "blocked" as the issue asks
EXIT_BLOCKED = 2  # the input has an error that blocks the step (not convertible, bad file...)
EXIT_CONVERSION_FAILED = 3  # the toolchain ran and reported failure (e.g. npz compare FAILED)
EXIT_INFRASTRUCTURE = 4  # Docker/SSH/device could not be used
EXIT_CANCELLED = 130

SUBCOMMAND_MODULES = (
    "inspect",
    "images",
    "plan",
    "parse_log",
    "check_model",
    "convert",
    "image_cmd",
    "deploy",
    "tour",
    "workshop",
    "gui",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recamera-wizard",
        description="Convert a YOLO ONNX model for the reCamera and deploy it. "
        "Run without arguments to open the wizard window.",
    )
    parser.add_argument("--version", action="version", version=f"recamera-wizard {__version__}")
    parser.add_argument(
        "--lang",
        choices=messages.LANGUAGES,
        default=None,
        help="language of messages (default: from the environment, else English)",
    )
    parser.add_argument("--self-test", action="store_true", help="check the installation and exit")
    parser.add_argument("--kit", metavar="KIT.rcwkit", help="open a workshop kit (checked first; the window fills in from it)")
    subparsers = parser.add_subparsers(dest="command", metavar="<step>")
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"wizard.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"wizard.cli.{name}":
                raise
            continue  # a step not built yet
        module.register(subparsers)
    return parser


def default_language() -> str:
    for var in ("RECAMERA_WIZARD_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_problem(problem: messages.Problem, stream=None) -> None:
    stream = stream or sys.stderr
    label = {"error": "error", "warning": "warning", "info": "note"}[problem.severity]
    if messages.current_language() == "ja":
        label = {"error": "エラー", "warning": "警告", "info": "お知らせ"}[problem.severity]
    message, fix = problem.text()
    print(f"{label}: {message}", file=stream)
    if fix:
        print(f"  → {fix}", file=stream)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    messages.set_language(args.lang or default_language())
    if args.self_test:
        from wizard.self_test import run_self_test

        return run_self_test()
    if not args.command:
        from wizard.cli.gui import launch_gui

        if args.kit:  # a damaged, changed or too-new kit is refused here, with its reason
            from wizard.core.workshop.kit import read_kit

            try:
                read_kit(args.kit)
            except messages.WizardError as exc:
                print_problem(exc.problem)
                return EXIT_BLOCKED

        return launch_gui(args)
    try:
        return int(args.handler(args) or 0)
    except messages.WizardError as exc:
        print_problem(exc.problem)
        return EXIT_BLOCKED
    except KeyboardInterrupt:
        return EXIT_CANCELLED
