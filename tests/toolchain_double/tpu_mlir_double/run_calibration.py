"""run_calibration(.py) v1.7: activation statistics over images -> calibration table."""

from __future__ import annotations

import argparse
import datetime
import os
import time

from tpu_mlir_double import VERSION
from tpu_mlir_double.common import (
    configure_output,
    Bar, apply_crash_fault, apply_exit_fault, banner, between, fail_with_traceback, load_faults,
    out, slow_loop,
)
from tpu_mlir_double.mlir_file import read_mlir

TOOL = "run_calibration.py"
# utils/preprocess / data_selector: searched recursively, compared lower-case.
ACCEPTED = (".jpg", ".bmp", ".png", ".jpeg", ".jfif", ".npy", ".npz")


def build_parser() -> argparse.ArgumentParser:
    # v1.7 has exactly these options; --search, --inference_num, --processor, --cali_method
    # arrived mid-2024, so argparse refuses them (exit 2), as the real 1.7 does.
    parser = argparse.ArgumentParser(prog=TOOL, description="Generate calibration table")
    parser.add_argument("mlir_file", help="mlir file")
    parser.add_argument("--dataset", type=str, help="dataset for calibration")
    parser.add_argument("--data_list", type=str, help="Input list file contain all input")
    parser.add_argument("--input_num", type=int, default=0, help="num of images for calibration")
    parser.add_argument("--tune_list", type=str, help="Tune list file contain all input for tune")
    parser.add_argument("--tune_num", type=int, default=5, help="num of images for tune")
    parser.add_argument("--histogram_bin_num", type=int, default=2048,
                        help="Specify histogram bin numer for kld calculate")
    parser.add_argument("-o", "--calibration_table", type=str, required=True,
                        help="output threshold table")
    parser.add_argument("--debug_cmd", type=str, default="", help="debug cmd")
    return parser


def collect_inputs(args) -> list[str]:
    if args.data_list:
        with open(args.data_list, encoding="utf-8") as fh:
            return [line.strip() for line in fh if line.strip()]
    found = []
    if args.dataset and os.path.isdir(args.dataset):
        for root, _dirs, files in os.walk(args.dataset):
            for name in sorted(files):
                if name.lower().endswith(ACCEPTED):
                    found.append(os.path.join(root, name))
    return sorted(found)


def calibrate(args) -> int:
    faults = load_faults("calibrate")
    configure_output(faults)
    banner()
    if not os.path.exists(args.mlir_file):
        fail_with_traceback(TOOL, f"FileNotFoundError: [Errno 2] No such file or directory: '{args.mlir_file}'")
    info = read_mlir(args.mlir_file) or {"tensors": ["input"], "model_name": "model"}
    inputs = collect_inputs(args)
    available = len(inputs)
    wanted = args.input_num if args.input_num > 0 else available
    out(f"input_num = {wanted}, ref = {available}")
    if available == 0:
        fail_with_traceback(TOOL, "RuntimeError: There is no inputs", frames=[(
            60, "/usr/local/lib/python3.10/dist-packages/tpu_mlir/python/calibration/data_selector.py", "__init__")])
    n = min(wanted, available)
    out(f"real input_num = {n}")
    apply_crash_fault(TOOL, faults)
    slow = float(faults.get("slow_seconds", 0))
    tensors = info["tensors"]
    # Every preprocessed image is held in memory by the real tool: the OOM kill comes mid-way.
    bar = Bar("prepare data from {}".format(n), n, min_interval=0.0 if slow else 0.1)

    def load(i: int) -> None:
        if "exit" in faults or "signal" in faults:
            if i >= n // 2:
                bar.close()
                apply_exit_fault(faults)
        bar.update()

    slow_loop(n, slow * 0.6, load, bar.refresh)
    bar.close()
    start = time.monotonic()
    op_bar = Bar(f"activation_collect_and_calc_th for op: {tensors[0]}", len(tensors),
                 min_interval=0.0 if slow else 0.1)

    def collect(i: int) -> None:
        op_bar.set_description(f"activation_collect_and_calc_th for op: {tensors[i]}")
        op_bar.update()

    slow_loop(len(tensors), slow * 0.4, collect, op_bar.refresh)
    op_bar.close()
    lines = []
    for t in tensors:
        if t == tensors[0]:
            lines.append(f"{t} 1.0000000 0.0000000 1.0000000")
            continue
        th = between(0.5, 40.0, t, "th")
        lo = -between(0.0, th, t, "min")
        hi = between(th * 0.8, th * 1.6, t, "max")
        lines.append(f"{t} {th:.7f} {lo:.7f} {hi:.7f}")
    header = [
        f"# mlir version: {VERSION}",
        f"# mlir: {args.mlir_file}",
        f"# genetated time: {datetime.datetime.now()}",
        f"# histogram number: {args.histogram_bin_num}",
        f"# sample number: {n}",
        f"# tune number: {args.tune_num}",
        "###",
        "# op_name    threshold    min    max",
    ]
    table = "\n".join(header + lines) + "\n"
    if args.tune_num > 0:
        # The real tool keeps the untuned thresholds as <table>.1 and writes the tuned ones.
        with open(args.calibration_table + ".1", "w", encoding="utf-8") as fh:
            fh.write(table)
        tune_bar = Bar(f"tune op: {tensors[-1]}", len(tensors))
        for t in tensors:
            tune_bar.set_description(f"tune op: {t}")
            tune_bar.update()
        tune_bar.close()
        out(f"auto tune end, run time: {time.monotonic() - start:.2f} seconds")
    with open(args.calibration_table, "w", encoding="utf-8") as fh:
        fh.write(table)
    return 0


def main(argv: list[str] | None = None) -> int:
    from tpu_mlir_double.common import main_guard

    return main_guard(lambda a: calibrate(build_parser().parse_args(a)))(argv)
