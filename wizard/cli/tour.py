"""``recamera-wizard tour --out DIR [--lang en|ja]``: screenshots of every wizard page.

Drives the real window with sample data (a generated sample model, the bundled sample pictures,
a recorded toolchain log) and saves one PNG per page. Works without a display (offscreen) and
under Xvfb.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tour", help="save a screenshot of every wizard page, with sample data")
    parser.add_argument("--out", required=True, help="folder for the PNG screenshots")
    parser.add_argument("--lang", dest="tour_lang", choices=("en", "ja"), default=None,
                        help="language of the window (default: the global --lang, else English)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from wizard.gui.tour import tour

    lang = args.tour_lang or getattr(args, "lang", None) or "en"
    shots = tour(args.out, lang)
    for path in shots:
        print(path)
    return 0
