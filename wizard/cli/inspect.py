"""``recamera-wizard inspect MODEL.onnx``: what the wizard sees in a model, and whether it converts."""

from __future__ import annotations

import argparse
import sys

from wizard.core import messages

_MAX_CLASSES_SHOWN = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="show what the wizard finds in an ONNX model and whether it can be converted",
        description="Read an ONNX model and report its YOLO family and task, input, ONNX version, "
        "the head outputs the conversion will cut at, class names and any problems. "
        "Exit status 0 when the model can be converted, 2 when an error blocks it.",
    )
    parser.add_argument("model", help="the model file (.onnx)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--output-names", type=lambda text: tuple(p.strip() for p in text.split(",") if p.strip()),
                        help="comma-separated tensors to cut at instead of the detected head (checked to exist)")
    parser.set_defaults(handler=run_inspect)


def run_inspect(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_BLOCKED, EXIT_OK, print_json
    from wizard.core.model.inspect import inspect_model

    report = inspect_model(args.model, output_names=args.output_names or None)
    if args.json:
        print_json(report.to_dict(messages.current_language()))
    else:
        print_summary(report)
    return EXIT_OK if report.convertible else EXIT_BLOCKED


def print_summary(report) -> None:
    from wizard.cli.output import Labels, print_problem

    labels = Labels("inspect")
    print(f"{labels['model']}: {report.path}")
    if report.ir_version:  # 0 = the file could not be read: only the problems mean anything
        shape = "x".join(str(d) for d in report.input_shape) or labels["none"]
        version = f"IR {report.ir_version}, opset {report.opset}"
        if report.needs_downgrade:
            version += f" ({labels['converted_copy']})"
        print(f"{labels['family']}: {report.family}    {labels['task']}: {report.task}")
        print(f"{labels['input']}: {report.input_name or labels['none']} [{shape}]")
        print(f"{labels['onnx']}: {version}")
        print(f"{labels['outputs']}:")
        for name in report.output_names:
            print(f"  {name}")
        shown = ", ".join(report.class_names[:_MAX_CLASSES_SHOWN])
        if len(report.class_names) > _MAX_CLASSES_SHOWN:
            shown += f", ... ({len(report.class_names)})"
        print(f"{labels['classes']}: {shown or labels['none']}")
    for item in report.problems:
        print_problem(item, sys.stdout)  # the problems are the report's main content, not a failure
    print(labels["convertible"] if report.convertible else labels["blocked"])
