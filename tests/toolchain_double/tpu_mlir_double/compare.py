"""npz_tool.py compare, as printed by tpu-mlir's npz_compare.py / tensor_compare.py with -vv."""

from __future__ import annotations

import struct

from tpu_mlir_double.common import Bar, between, out, pseudo

EQUAL, CLOSE, SIMILAR, NOT_SIMILAR = "EQUAL", "CLOSE", "SIMILAR", "NOT_SIMLIAR"  # sic, as the tool


def _f32(value: float) -> float:
    # Cosine and SQNR come out of float32 numpy maths; their repr in the summary shows it.
    return struct.unpack("<f", struct.pack("<f", value))[0]


# Realistic ranges per comparison kind: (close share, cos range, euclid range, sqnr range).
PROFILES = {
    "transform": (0.035, (0.9999997, 0.99999994), (0.9999986, 0.9999999), (117.0, 140.0)),
    "deploy": (0.02, (0.93, 0.9999), (0.70, 0.985), (12.0, 38.0)),
    "model": (0.0, (1.0, 1.0), (1.0, 1.0), (0.0, 0.0)),  # cvimodel vs tpu: bit-exact outputs
}


def judge(name: str, kind: str, tolerance: tuple[float, float], failing: set[str]):
    """(status, passed, details) for one tensor, deterministic from its name."""
    close_share, cos_r, euc_r, sqnr_r = PROFILES[kind]
    if name in failing:
        cos = _f32(between(0.70, 0.78, name, "fail-cos"))
        euc = between(-0.70, -0.30, name, "fail-euc")
        sqnr = _f32(between(-17.0, -5.0, name, "fail-sqnr"))
    elif kind == "model":
        return EQUAL, True, {}
    elif pseudo(name, kind + "-close") < close_share:
        return CLOSE, True, {"close_order": 3 + int(pseudo(name, "order") * 3)}
    else:
        cos = _f32(between(*cos_r, name, kind + "-cos"))
        euc = between(*euc_r, name, kind + "-euc")
        sqnr = _f32(between(*sqnr_r, name, kind + "-sqnr"))
    passed = cos > tolerance[0] and euc > tolerance[1]
    return (SIMILAR if passed else NOT_SIMILAR), passed, {"cosine": cos, "euclid": euc, "sqnr": sqnr}


def run_compare(target: str, reference: str, tolerance: tuple[float, float], tensors, kind: str,
                failing: set[str] | None = None) -> bool:
    """Print the comparison of `tensors` [(name, shape, dtype)]; True when every tensor passed."""
    failing = failing or set()
    bar = Bar(f"compare {tensors[0][0]}" if tensors else "compare", len(tensors))
    counts = {EQUAL: 0, CLOSE: 0, SIMILAR: 0, NOT_SIMILAR: 0, "NOT_EQUAL": 0}
    passed_count = 0
    min_cos, min_euc, min_sqnr = 1.0, 1.0, float("inf")
    for name, shape, dtype in tensors:
        bar.set_description(f"compare {name}")
        status, passed, details = judge(name, kind, tolerance, failing)
        counts[status] += 1
        passed_count += passed
        out("[{:<32}] {:>12} [{:>6}]".format(name, status, "PASSED" if passed else "FAILED"))
        out("    {} {} ".format(tuple(shape), dtype))
        if status == CLOSE:
            out("    close order            = {}".format(details["close_order"]))
        if status in (SIMILAR, NOT_SIMILAR):
            out("    cosine_similarity      = {:.6f}".format(details["cosine"]))
            out("    euclidean_similarity   = {:.6f}".format(details["euclid"]))
            out("    sqnr_similarity        = {:.6f}".format(details["sqnr"]))
            min_cos = min(min_cos, details["cosine"])
            min_euc = min(min_euc, details["euclid"])
            min_sqnr = min(min_sqnr, details["sqnr"])
        if not passed:
            out("top-k:")
            out(" idx-t  target  idx-r  ref")
            for k in range(10):
                out("  {} {:.5f} {} {:.5f}".format(20789 - k, between(30, 45, name, f"t{k}"),
                                                  int(pseudo(name, f"i{k}") * 8400), between(600, 640, name, f"r{k}")))
        bar.update()
    failed = len(tensors) - passed_count
    out("%d compared" % len(tensors))
    out("%d passed" % passed_count)
    out("  %d equal, %d close, %d similar" % (counts[EQUAL], counts[CLOSE], counts[SIMILAR]))
    out("%d failed" % failed)
    out("  %d not equal, %d not similar" % (counts["NOT_EQUAL"], counts[NOT_SIMILAR]))
    out("min_similiarity = ({}, {}, {})".format(min_cos, min_euc, min_sqnr))
    out("Target    {}".format(target))
    out("Reference {}".format(reference))
    ok = failed == 0
    out("npz compare PASSED." if ok else "npz compare FAILED.")
    bar.close()
    return ok


def compare_command(target: str, reference: str, tolerance: str) -> list[str]:
    return ["npz_tool.py", "compare", target, reference, "--tolerance", tolerance, "--except", "-", "-vv"]


def parse_tolerance(text: str) -> tuple[float, float]:
    a, b = (float(x) for x in text.split(","))
    return a, b


def select_tensors(names: list[str], limit: int = 230) -> list[str]:
    """Big models: an evenly spaced subset, always keeping the last (the outputs)."""
    if len(names) <= limit:
        return list(names)
    step = (len(names) - 1) / (limit - 1)
    return [names[round(i * step)] for i in range(limit)]
