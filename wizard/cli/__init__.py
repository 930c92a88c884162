"""``recamera-wizard``: the headless face of the wizard, one subcommand per step.

With no arguments it opens the GUI. Each subcommand lives in its own module ``wizard.cli.<name>``
exposing ``register(subparsers)``; the handler returns the process exit code. Errors a user can
meet are printed as plain messages with a next step (never a traceback).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Sequence

from wizard.cli.output import EXIT_BLOCKED, EXIT_CANCELLED, EXIT_INFRASTRUCTURE, EXIT_PIPE_CLOSED, print_problem
from wizard.cli.parser import build_parser
from wizard.core import messages


def default_language() -> str:
    return messages.language_from_environment() or "en"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand. Output piped to a program that stops reading early (``| head``)
    ends the command quietly, as it does for other command-line tools."""
    try:
        code = _main(argv)
    except SystemExit:  # argparse's --help and usage errors: their text must reach the pipe too
        _flush_stdout()
        raise
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_PIPE_CLOSED
    finally:
        if argv is None:  # the process's own entry point (tests call main with their arguments)
            _ignore_late_interrupts()
    return code if _flush_stdout() else EXIT_PIPE_CLOSED


def _ignore_late_interrupts() -> None:
    """The command has ended and said how: a Ctrl-C while Python exits must not turn that into
    a KeyboardInterrupt traceback or another exit code."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _flush_stdout() -> bool:
    try:
        sys.stdout.flush()
        return True
    except BrokenPipeError:
        _stdout_to_devnull()
        return False


def _stdout_to_devnull() -> None:
    """The reader is gone: Python's own flush at exit must not complain about it either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (tests)
        pass


def _started_from_a_console() -> bool:
    """False for the packaged windowed app started by the OS (a double-clicked .rcwkit on
    Windows runs it with --kit; its stderr is a log file nobody reads), True otherwise."""
    if not getattr(sys, "frozen", False):
        return True
    stream = sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    messages.set_language(args.lang or default_language())
    if args.self_test:
        from wizard.cli.self_test import run_self_test

        return run_self_test()
    if not args.command:
        from wizard.cli.gui import launch_gui

        if args.kit:  # a damaged, changed or too-new kit is refused here, with its reason
            from wizard.core.workshop.kit import read_kit

            try:
                read_kit(args.kit)
            except messages.WizardError as exc:
                print_problem(exc.problem)
                if not _started_from_a_console():  # a double-clicked kit: the window says why
                    return launch_gui(args)
                return EXIT_BLOCKED

        return launch_gui(args)
    try:
        return int(args.handler(args) or 0)
    except messages.WizardError as exc:
        print_problem(exc.problem)
        return EXIT_BLOCKED
    except KeyboardInterrupt:
        return EXIT_CANCELLED
    except Exception as exc:
        # A Docker SDK error that no layer below turned into a message: still a message, never
        # a traceback (the engine's own words are the detail).
        if type(exc).__module__.split(".")[0] != "docker":
            raise
        detail = str(getattr(exc, "explanation", None) or exc).strip().splitlines() or ["unknown"]
        print_problem(messages.problem("docker_error", detail=detail[0][:300]))
        return EXIT_INFRASTRUCTURE
