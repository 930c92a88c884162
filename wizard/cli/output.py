"""What every subcommand shares: the exit codes and how problems and JSON are printed."""

from __future__ import annotations

import json
import sys
from typing import Any

from wizard.core import messages

# Exit codes shared by every subcommand.
EXIT_OK = 0
EXIT_USAGE = 1  # argparse uses 2 for usage errors; we keep 2 for "blocked" as the issue asks
EXIT_BLOCKED = 2  # the input has an error that blocks the step (not convertible, bad file...)
EXIT_CONVERSION_FAILED = 3  # the toolchain ran and reported failure (e.g. npz compare FAILED)
EXIT_INFRASTRUCTURE = 4  # Docker/SSH/device could not be used
EXIT_CANCELLED = 130
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader left (| head)


def verdict_exit_code(verdict: str) -> int:
    """The exit code of a conversion's verdict (wizard.core.runners.record.VERDICTS)."""
    return {"success": EXIT_OK, "conversion_failed": EXIT_CONVERSION_FAILED,
            "infrastructure_failed": EXIT_INFRASTRUCTURE, "cancelled": EXIT_CANCELLED}.get(verdict, EXIT_INFRASTRUCTURE)


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
