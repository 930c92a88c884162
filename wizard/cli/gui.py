"""``recamera-wizard`` with no step opens the wizard window."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("gui", help="open the wizard window (the default)")
    parser.set_defaults(handler=launch_gui)


def launch_gui(args: argparse.Namespace) -> int:
    try:
        from wizard.gui.app import run_app
    except ImportError as exc:  # PySide6 missing or the GUI not built
        from wizard.core.messages import problem
        from wizard.cli.output import print_problem, EXIT_INFRASTRUCTURE

        print_problem(problem("gui_unavailable", detail=str(exc)))
        return EXIT_INFRASTRUCTURE
    return run_app(lang=getattr(args, "lang", None), kit=getattr(args, "kit", None))
