"""Which of the toolchain's files a run brings back from where it ran, and which it leaves there.

A real 640 px run leaves ~230 MB in work/ (the float reference ``<name>_top_outputs.npz`` alone is
~194 MB: every tensor of the graph), where the user and the later steps need a few MB:

    <model>.cvimodel                  the result
    <name>.mlir                       the top (float) MLIR, and the weight file it names
    <name>_top_f32_all_weight.npz     (module.weight_file): model_runner runs the float model
                                      from these two, as the detection check does
    <name>_calib_table[.1]            the calibration (its .1 when tuning wrote one)
    <name>_in_ori.npz                 the test picture exactly as model_deploy fed the cvimodel
                                      (letterboxed uint8): what any later check of the pixels
                                      compares with; ``_in_f32.npz`` is the same pixels as float
    .done/<step>                      the cache stamps (the calibration cache keeps those steps)
    .listing                          what work/ held at the end (below)

Left out (and removed with the container or the VM's run folder, unless it is kept): the float
reference and the ONNX reference outputs, the intermediate MLIRs and weight files, the optimised
ONNX. convert.sh re-runs model_transform (seconds) when a later run needs the reference again
(wizard.core.plan.commands): the calibration (minutes) is what the cache saves.

convert.sh writes ``work/.listing`` when it ends: one "<bytes><TAB><path>" line per file, so the
run folder can say what was left out without fetching it.
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.plan.commands import output_file_names
from wizard.core.plan.recipe import ConversionRecipe

LISTING_FILE = ".listing"
STAMPS_DIR = ".done"


def brought_back(recipe: ConversionRecipe) -> tuple[str, ...]:
    """Paths relative to work/ of what a run brings back (files, and the stamps folder)."""
    files = output_file_names(recipe)
    return (files["model"], files["mlir"], files["weights"], files["calibration_table"],
            files["calibration_table"] + ".1", f"{recipe.name}_in_ori.npz", STAMPS_DIR, LISTING_FILE)


def is_brought_back(path: str, recipe: ConversionRecipe) -> bool:
    wanted = brought_back(recipe)
    return path in wanted or path.startswith(STAMPS_DIR + "/")


def parse_listing(text: str) -> dict[str, int]:
    """{path: bytes} from a ``.listing``; lines that do not parse are skipped."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        size, sep, path = line.partition("\t")
        if sep and size.isdigit() and path and not path.startswith("/") and ".." not in path.split("/"):
            found[path] = int(size)
    return found


@dataclass(frozen=True)
class KeptFiles:
    """What results.json says about work/: what came back, what stayed behind, in bytes."""

    brought_back: dict[str, int]
    left_out: dict[str, int]

    def to_dict(self, where_left: str) -> dict:
        return {
            "brought_back": sorted(self.brought_back),
            "brought_back_bytes": sum(self.brought_back.values()),
            "left_out": [{"path": path, "bytes": size} for path, size in sorted(self.left_out.items())],
            "left_out_bytes": sum(self.left_out.values()),
            "left_where": where_left,
        }


def split_listing(listing: dict[str, int], recipe: ConversionRecipe) -> KeptFiles:
    kept = {p: s for p, s in listing.items() if is_brought_back(p, recipe)}
    return KeptFiles(brought_back=kept, left_out={p: s for p, s in listing.items() if p not in kept})
