"""``recamera-wizard``: the headless face of the wizard, one subcommand per step.

With no arguments it opens the GUI. Each subcommand lives in its own module ``wizard.cli.<name>``
exposing ``register(subparsers)``; the handler returns the process exit code. Errors a user can
meet are printed as plain messages with a next step (never a traceback).
"""

from __future__ import annotations

import sys
from typing import Sequence

from wizard.cli.output import EXIT_BLOCKED, EXIT_CANCELLED, print_problem
from wizard.cli.parser import build_parser
from wizard.core import messages


def default_language() -> str:
    return messages.language_from_environment() or "en"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    messages.set_language(args.lang or default_language())
    if args.self_test:
        from wizard.cli.self_test import run_self_test

        return run_self_test()
    if not args.command:
        from wizard.cli.gui import launch_gui

        return launch_gui(args)
    try:
        return int(args.handler(args) or 0)
    except messages.WizardError as exc:
        print_problem(exc.problem)
        return EXIT_BLOCKED
    except KeyboardInterrupt:
        return EXIT_CANCELLED
