"""npz_tool.py compare A B: the same printed comparison the other tools embed."""

from __future__ import annotations

import argparse
import os

from tpu_mlir_double import compare, npz
from tpu_mlir_double.common import err, main_guard


@main_guard
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="npz_tool.py")
    sub = parser.add_subparsers(dest="cmd", required=True)
    cmp = sub.add_parser("compare")
    cmp.add_argument("target")
    cmp.add_argument("reference")
    cmp.add_argument("--tolerance", default="0.99,0.99")
    cmp.add_argument("--except", dest="excepts", default="-")
    cmp.add_argument("-v", "--verbose", action="count", default=0)
    args = parser.parse_args(argv)
    for path in (args.target, args.reference):
        if not os.path.exists(path):
            err(f"FileNotFoundError: [Errno 2] No such file or directory: '{path}'\n")
            return 1
    names = [n for n in npz.npz_names(args.target) if n in set(npz.npz_names(args.reference))]
    tensors = [(n, [1, 4], "float32") for n in compare.select_tensors(names)]
    # Which kind of comparison this is decides the pseudo similarities (names as the tools write them).
    if args.target.endswith("_model_outputs.npz"):
        kind = "model"
    elif args.reference.endswith("_ref_outputs.npz"):
        kind = "transform"
    else:
        kind = "deploy"
    ok = compare.run_compare(args.target, args.reference, compare.parse_tolerance(args.tolerance), tensors, kind)
    return 0 if ok else 255  # the real tool calls exit(-1)
