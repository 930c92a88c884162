"""run_calibration(.py) v1.7: activation statistics over images -> calibration table."""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import random
import time

from tpu_mlir_double import VERSION
from tpu_mlir_double.common import (
    Bar, apply_crash_fault, apply_exit_fault, between, configure_output, fail_with_traceback, load_faults,
    main_guard, out, slow_loop,
)
from tpu_mlir_double.mlir_file import read_mlir
from tpu_mlir_double.preprocess import print_load_config

TOOL = "run_calibration.py"
# calibration/data_selector.py: searched recursively, the extension compared lower-case.
ACCEPTED = ("jpg", "bmp", "png", "jpeg", "jfif", "npy", "npz")


def build_parser() -> argparse.ArgumentParser:
    # 1.7's parser exactly (python/tools/run_calibration.py): --search, --inference_num,
    # --processor, --cali_method arrived mid-2024, so argparse refuses them; -o is optional.
    # yapf: disable
    parser = argparse.ArgumentParser(prog=TOOL)
    parser.add_argument('mlir_file', metavar='mlir_file', help='mlir file')
    parser.add_argument('--dataset', type=str, help='dataset for calibration')
    parser.add_argument('--data_list', type=str, help='Input list file contain all input')
    parser.add_argument('--input_num', type=int, default=0, help='num of images for calibration')
    parser.add_argument('--tune_list', type=str, default='', help='Tune list file contain all input for tune')
    parser.add_argument('--tune_num', type=int, default=5, help='num of images for tune')
    parser.add_argument('--histogram_bin_num', type=int, default=2048,
                        help='Specify histogram bin numer for kld calculate')
    parser.add_argument('-o', '--calibration_table', type=str, help='output threshold table')
    parser.add_argument('--debug_cmd', type=str, default='', help='debug cmd')
    # yapf: enable
    return parser


def select_data(args) -> list[str]:
    """calibration/data_selector.py DataSelector: a list file, or a seeded shuffle of the dataset."""
    if args.data_list:
        with open(args.data_list, encoding="utf-8") as fh:
            data = [line.strip() for line in fh.readlines()]
        if 0 < args.input_num < len(data):
            data = data[:args.input_num]
    elif args.dataset:
        found = sorted(str(p) for p in pathlib.Path(args.dataset).glob("**/*")
                       if str(p).lower().split(".")[-1] in ACCEPTED)
        random.Random(1684).shuffle(found)  # random.seed(1684); random.shuffle(...)
        num = args.input_num if len(found) > args.input_num else len(found)
        data = found[:num or len(found)]
    else:
        raise RuntimeError("Please specific dataset path by --dataset")
    if len(data) == 0:
        raise RuntimeError("There is no inputs")
    return data


def calibrate(args, faults: dict) -> int:
    inputs = select_data(args)
    if not os.path.exists(args.mlir_file):
        fail_with_traceback(TOOL, f"FileNotFoundError: [Errno 2] No such file or directory: '{args.mlir_file}'")
    info = read_mlir(args.mlir_file) or {"tensors": ["input"], "model_name": "model"}
    print_load_config(info.get("preprocess", {}), (info.get("input_shape") or [1, 3, 640, 640])[-2:])
    n = len(inputs)
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
    out(f"last input data (idx={n}) not valid, droped")
    out(f"input_num = {n}, ref = {n}")
    out(f"real input_num = {n}")
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

    def table(tune_number: int | None) -> str:
        header = [f"# genetated time: {datetime.datetime.now()}",
                  f"# histogram number: {args.histogram_bin_num}",
                  f"# sample number: {n}"]
        if tune_number is not None:
            header.append(f"# tune number: {tune_number}")
        header += ["###", "# op_name    threshold    min    max"]
        return "\n".join(header + lines) + "\n"

    # kld_calibrator.run(): the untuned table goes to <table>.1 when tuning follows, which is
    # removed once the tuned table is written. Without -o these lines fail as in 1.7: TypeError.
    cali_table = args.calibration_table
    if args.tune_num > 0:
        cali_table += ".1"
    with open(cali_table, "w", encoding="utf-8") as fh:
        fh.write(table(None))
    if args.tune_num <= 0:
        return 0
    out(f"prepare data from {n}")
    tune_bar = Bar(f"tune op: {tensors[-1]}", len(tensors))
    for t in tensors:
        tune_bar.set_description(f"tune op: {t}")
        tune_bar.update()
    tune_bar.close()
    with open(args.calibration_table, "w", encoding="utf-8") as fh:
        fh.write(table(args.tune_num))
    os.remove(cali_table)
    out(f"auto tune end, run time:{time.monotonic() - start}")
    return 0


@main_guard
def main(argv: list[str]) -> int:
    faults = load_faults("calibrate")
    configure_output(faults)
    out(f"TPU-MLIR {VERSION}")  # run_calibration print()s its banner; the other tools log it
    return calibrate(build_parser().parse_args(argv), faults)
