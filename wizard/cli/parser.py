"""The command line: one subcommand per wizard step, each in its own module ``wizard.cli.<name>``
exposing ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib

from wizard import __version__
from wizard.core import messages

SUBCOMMAND_MODULES = (
    "inspect",
    "images",
    "plan",
    "parse_log",
    "check_model",
    "convert",
    "compare",
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
        importlib.import_module(f"wizard.cli.{name}").register(subparsers)
    return parser
