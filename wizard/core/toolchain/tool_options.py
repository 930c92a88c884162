"""The options tpu_mlir 1.7's model_transform takes, to name the one it did not know.

model_transform is the one tool of the three that does not refuse an unknown option: it parses
with ``parse_known_args`` and appends what it did not know to the preprocess parser's positional
``unknown_params`` (read as --mean values), so a misspelled option ends in a Python error after
parsing, whose text names no option at all (``--tolerence 0.99,0.99``: "TypeError: can only
concatenate str (not "list") to str") or only sometimes (``--keep_aspect_ration``: "ValueError:
could not convert string to float: '--keep_aspect_ration'"). run_calibration and model_deploy
use ``parse_args``: argparse names the option itself ("error: unrecognized arguments").

The names are the 1.7 wheel's own: python/tools/model_transform.py (its ``__main__`` parser) and
python/utils/preprocess.py (``add_preprocess_parser``).
"""

from __future__ import annotations

import difflib
import shlex

MODEL_TRANSFORM_1_7_OPTIONS = frozenset({
    "--help", "-h",
    # model_transform.py
    "--model_name", "--model_def", "--model_data", "--input_shapes", "--input_types", "--output_names",
    "--test_input", "--test_result", "--cache_skip", "--tolerance", "--excepts", "--add_postprocess",
    "--onnx_sim", "--debug", "--mlir", "--patterns_count",
    # utils/preprocess.py
    "--resize_dims", "--keep_aspect_ratio", "--keep_ratio_mode", "--mean", "--scale", "--pixel_format",
    "--channel_format", "--pad_value", "--pad_type", "--white_level", "--black_level", "--preprocess_list",
    "--debug_cmd",
})


def _known(option: str) -> bool:
    """As argparse decides: an option's name, or the start of exactly one (allow_abbrev)."""
    if option in MODEL_TRANSFORM_1_7_OPTIONS:
        return True
    return option.startswith("--") and sum(o.startswith(option) for o in MODEL_TRANSFORM_1_7_OPTIONS) == 1


def unknown_model_transform_options(command: str) -> list[str]:
    """The options of a model_transform command line that 1.7 does not know, in their order."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    found = []
    for word in words:
        if not word.startswith("--"):
            continue  # values (a negative mean is a value too: "-0.5,-0.5,-0.5")
        option = word.split("=", 1)[0]
        if not _known(option) and option not in found:
            found.append(option)
    return found


def closest_option(option: str) -> str | None:
    """The 1.7 option a misspelling most likely meant, when one is close."""
    match = difflib.get_close_matches(option, sorted(MODEL_TRANSFORM_1_7_OPTIONS), n=1, cutoff=0.75)
    return match[0] if match else None
