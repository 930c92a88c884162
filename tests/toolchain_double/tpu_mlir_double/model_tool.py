"""model_tool --info <file.cvimodel>: a summary like the real one ("For cv181x chip ONLY")."""

from __future__ import annotations

import argparse
import os
import struct

from tpu_mlir_double import VERSION
from tpu_mlir_double.common import err, main_guard, out


def info(path: str) -> int:
    if not os.path.exists(path):
        err(f"Error: {path} not exist\n")
        return 1
    with open(path, "rb") as fh:
        header = fh.read(48)
    if len(header) < 32 or header[:8] != b"CviModel":
        err(f"Error: {path} is not a cvimodel (bad magic)\n")
        return 1
    body_size, major, minor = struct.unpack_from("<IBB", header, 8)
    chip = header[30:46].split(b"\0", 1)[0].decode("ascii", "replace") if major >= 1 and minor >= 1 else ""
    size = os.path.getsize(path)
    out(f"Mlir Version: {VERSION}")
    out(f"Cvimodel Version: {major}.{minor}.0")
    out(f"{os.path.basename(path).rsplit('.', 1)[0]} Build at 2024-04-17 00:00:00")
    out(f"For {chip} chip ONLY")
    out("")
    out("Cmdbuf:")
    out(f"    cmdbuf size: {body_size}")
    out("")
    out(f"CviModel Need ION Memory Size: ({size * 1.6 / 1024 / 1024:.2f} MB)")
    return 0


@main_guard
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="model_tool")
    parser.add_argument("--info", metavar="MODEL", help="show model information")
    args = parser.parse_args(argv)
    if not args.info:
        parser.error("nothing to do: pass --info <file.cvimodel>")
    return info(args.info)
