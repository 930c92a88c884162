"""``recamera-wizard parse-log LOGFILE``: what a TPU-MLIR conversion log shows, and what to do."""

from __future__ import annotations

import argparse
import sys

from wizard.core import messages

_MAX_FAILING_SHOWN = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "parse-log",
        help="read a TPU-MLIR conversion log: steps, accuracy checks and problems with fixes",
        description="Read a conversion log (convert.log, or a terminal paste) and report each step, "
        "every npz accuracy comparison and every recognised problem with its fix. "
        "Exit status 0 when the log shows no error, 3 when it shows a failed conversion.",
    )
    parser.add_argument("logfile", help="the log file to read ('-' reads standard input)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run_parse_log)


def run_parse_log(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_CONVERSION_FAILED, EXIT_OK, print_json
    from wizard.core.toolchain.log import parse_log

    try:
        # Bytes: keep the progress bars' lone '\r' (text mode would turn it into line breaks).
        if args.logfile == "-":
            data = sys.stdin.buffer.read()
        else:
            from wizard.core.user_paths import check_input_file

            check_input_file(args.logfile, allow_empty=True)  # empty: said below, as a log
            with open(args.logfile, "rb") as fh:
                data = fh.read()
    except FileNotFoundError:
        raise messages.WizardError.of("file_not_found", path=args.logfile) from None
    except IsADirectoryError:
        raise messages.WizardError.of("toolchain_log_unreadable", path=args.logfile, detail="it is a folder") from None
    except OSError as exc:
        raise messages.WizardError.of("toolchain_log_unreadable", path=args.logfile, detail=exc.strerror or str(exc)) from None
    shown = "standard input" if args.logfile == "-" else args.logfile
    if not data.strip():
        raise messages.WizardError.of("toolchain_log_empty", path=shown)
    report = parse_log(data)
    if not (report.steps or report.compare or report.problems):
        # Nothing the toolchain writes was found: saying "no problem" would vouch for anything.
        raise messages.WizardError.of("toolchain_log_not_a_log", path=shown)
    if args.json:
        print_json(report.to_dict(messages.current_language()))
    else:
        print_summary(report)
    return EXIT_CONVERSION_FAILED if report.failed else EXIT_OK


def _sim(value) -> str:
    return f"{value:.7g}" if isinstance(value, float) else str(value)


def print_summary(report) -> None:
    from wizard.cli.output import Labels, print_problem

    labels = Labels("parse_log")
    print(f"{labels['steps']}:")
    if not report.steps:
        print(f"  {labels['none']}")
    for step in report.steps:
        status = labels.get(f"status_{step.status}", step.status)
        extra = f" (rc={step.exit_code})" if step.exit_code not in (None, 0) else ""
        print(f"  {step.name:<10} {status}{extra}")
    print(f"{labels['compare']}:")
    if not report.compare:
        print(f"  {labels['none']}")
    for item in report.compare:
        data = item.to_dict()
        verdict = labels["incomplete"] if item.passed is None else labels["passed" if item.passed else "failed"]
        tolerance = f" [{','.join(f'{v:g}' for v in item.tolerance)}]" if item.tolerance else ""
        print(f"  {labels.get('kind_' + item.kind, item.kind)}{tolerance}: {verdict}, "
              f"{data['passed_count']}/{data['compared']} {labels['tensors']}")
        low = data["min_similarity"]
        if low:
            print(f"    {labels['min']}: cosine {_sim(low['cosine'])}, euclidean {_sim(low['euclidean'])}, "
                  f"sqnr {_sim(low['sqnr'])}")
        failing = item.failed_tensors
        for tensor in failing[:_MAX_FAILING_SHOWN]:
            print(f"    {labels['failing']}: {tensor.name} ({tensor.status}, cosine {_sim(tensor.cosine)})")
        if len(failing) > _MAX_FAILING_SHOWN:
            print(f"    ... +{len(failing) - _MAX_FAILING_SHOWN}")
    for item in report.problems:
        print_problem(item, sys.stdout)  # the problems are the report's content, not a CLI failure
    print(labels["bad"] if report.failed else labels["ok"])
