"""The double's command lines are tpu_mlir 1.7's: built from the REAL wheel, compared case by case.

Toolchain: the double (tests/toolchain_double) against the argparse code of the real tpu_mlir 1.7
wheel. The wheel comes from PyPI through tests/tpu_mlir_wheel.py (no CPython 3.10 needed): the
parser construction of each tool is taken out of its source with `ast` and run here, with the
real converters (utils/misc.py) and preprocess options (utils/preprocess.py). Only numpy and the
logger inside preprocess.config() are stand-ins (a list and a no-op): that is the one place
where the real code needs libraries the wheel does not bring.

For a few hundred generated command lines per tool (every option in both `--x v` and `--x=v`
form, flags given a value, bad choices and types, negative values, missing values, missing
required options, unknown and misspelt options, abbreviations, stray positionals, -h) the
outcome must be the same: the exit code and every byte argparse prints, the exception type and
message, or the parsed values (and for model_transform, what preprocess.config() makes of them).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import struct
import subprocess
import sys
import types
from pathlib import Path

import pytest

from toolchain_double.helpers import DOUBLE_ROOT, double_env
from tpu_mlir_wheel import require_wheel

sys.path.insert(0, str(DOUBLE_ROOT))
from tpu_mlir_double import model_deploy, model_runner, model_transform, run_calibration  # noqa: E402
from tpu_mlir_double.preprocess import Preprocess  # noqa: E402

TOOLS_DIR = "tpu_mlir/python/tools/"
UTILS = ["tpu_mlir/python/utils/misc.py", "tpu_mlir/python/utils/preprocess.py"]
BASE = {  # the shortest command line each tool parses without error
    "model_transform": ["--model_name", "m", "--model_def", "m.onnx", "--mlir", "m.mlir"],
    "run_calibration": ["m.mlir"],
    "model_deploy": ["--mlir", "m.mlir", "--chip", "cv181x", "--model", "m.cvimodel"],
    "model_runner": ["--input", "in.npz", "--model", "m.mlir"],
}
DOUBLE_PARSE = {
    "model_transform": model_transform.parse_command_line,
    "run_calibration": lambda argv: run_calibration.build_parser().parse_args(argv),
    "model_deploy": model_deploy.parse_command_line,
    "model_runner": lambda argv: model_runner.build_parser().parse_args(argv),
}
# Where __main__ stops parsing and starts working: the statements before it are compared too.
STOP_AT = ("CacheTool", "DeployTool", "DataSelector", "np.load")


# --------------------------------------------------------------------------------- the real side

@pytest.fixture(scope="module")
def wheel_root() -> Path:
    return require_wheel([TOOLS_DIR + f"{tool}.py" for tool in BASE] + UTILS)


def _tree(root: Path, member: str) -> ast.Module:
    return ast.parse((root / member).read_text(encoding="utf-8"))


def _top_level(tree: ast.Module, names: set[str]) -> list[ast.stmt]:
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            found.append(node)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) in names for t in node.targets):
            found.append(node)
    return found


def _main_block(tree: ast.Module) -> list[ast.stmt]:
    for node in tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            return node.body
    raise AssertionError("no __main__ block")


def _run(statements: list[ast.stmt], namespace: dict) -> None:
    exec(compile(ast.Module(body=statements, type_ignores=[]), "<tpu_mlir 1.7>", "exec"), namespace)


class _Array(list):
    """numpy stand-in for preprocess.config(): indexing with np.newaxis keeps the values."""

    def __getitem__(self, item):
        return self if isinstance(item, tuple) else list.__getitem__(self, item)

    @property
    def size(self) -> int:
        return len(self)

    def flatten(self):
        return list(self)


_NUMPY_STANDIN = types.SimpleNamespace(array=lambda values, dtype=None: _Array(values), float32=float,
                                       newaxis=None)


class RealTool:
    """One 1.7 tool's parser and post-parse checks, built from its source in the wheel."""

    def __init__(self, root: Path, tool: str):
        self.tool = tool
        misc, pre = _tree(root, UTILS[0]), _tree(root, UTILS[1])
        source = _tree(root, TOOLS_DIR + f"{tool}.py")
        self.namespace = {"argparse": argparse, "__name__": "tpu_mlir_1_7", "np": _NUMPY_STANDIN,
                          "logger": types.SimpleNamespace(info=lambda *a, **k: None)}
        _run(_top_level(misc, {"depth", "str2shape", "str2list", "str2dict", "str2bool"}), self.namespace)
        _run(_top_level(pre, {"supported_customization_format", "customization_format_attributes",
                              "add_preprocess_parser", "get_preprocess_parser", "preprocess"}), self.namespace)
        _run(_top_level(source, {"str2list", "deprecated_option"}), self.namespace)
        main = _main_block(source)
        parse_at = next(i for i, s in enumerate(main) if "parse_args" in ast.unparse(s) or "parse_known_args" in ast.unparse(s))
        stop_at = next(i for i, s in enumerate(main) if i > parse_at and any(w in ast.unparse(s) for w in STOP_AT))
        # Before parsing: building the parser (the banner print/log line is left out).
        self.build = [s for s in main[:parse_at] if not (
            isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and ast.unparse(s.value.func) in ("print", "logger.info"))]
        self.known_args = "parse_known_args" in ast.unparse(main[parse_at])
        self.after_parse = main[parse_at + 1:stop_at]

    def parse(self, argv: list[str]):
        namespace = dict(self.namespace)
        saved = sys.argv[0]
        sys.argv[0] = f"{self.tool}.py"  # ArgumentParser() takes its prog from here, as in the real run
        try:
            _run(self.build, namespace)
        finally:
            sys.argv[0] = saved
        parser = namespace["parser"]
        if self.known_args:
            namespace["args"], namespace["unknown_args"] = parser.parse_known_args(argv)
        else:
            namespace["args"] = parser.parse_args(argv)
        _run(self.after_parse, namespace)
        return namespace["args"]

    def configure(self, args):
        """model_transform's next step: preprocess().config(**vars(args))."""
        pre = self.namespace["preprocess"]()
        pre.config(**vars(args))
        return pre.mean, pre.scale


# ------------------------------------------------------------------------------------ outcomes

def _f32(values) -> list[float]:
    return [struct.unpack("<f", struct.pack("<f", float(v)))[0] for v in values]


def outcome(parse, argv: list[str], configure=None):
    """What a tool does with argv: ('exit', code, stdout, stderr), ('raise', type, message) or
    ('ok', parsed values[, preprocess outcome])."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parse(list(argv))
    except SystemExit as exc:
        return ("exit", exc.code, stdout.getvalue(), stderr.getvalue())
    except Exception as exc:  # noqa: BLE001 - the real tools end here with a traceback
        return ("raise", type(exc).__name__, str(exc))
    parsed = dict(vars(args))
    if configure is None:
        return ("ok", parsed)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            mean, scale = configure(args)
        config = ("ok", _f32(mean), _f32(scale))
    except Exception as exc:  # noqa: BLE001
        config = ("raise", type(exc).__name__, str(exc))
    return ("ok", parsed, config)


def _double_configure(args):
    pre = Preprocess()
    with contextlib.redirect_stdout(io.StringIO()):
        pre.config(**vars(args))
    return pre.mean, pre.scale


# ------------------------------------------------------------------------------ the generated cases

def _sample_values(action: argparse.Action) -> list[str]:
    """Good and bad values for one option, by what it takes."""
    if action.choices is not None:
        choices = [str(c) for c in action.choices if str(c)]
        values = choices + [c.swapcase() for c in choices[:3]] + ["nope", ""]
        if all(isinstance(c, int) for c in action.choices):
            values += ["0", "3", "-1"]
        return values
    convert = getattr(action.type, "__name__", None)
    if convert == "int":
        return ["3", "0", "-1", "1.5", "abc", ""]
    if convert == "float":
        return ["2.5", "-1", "1e3", "abc"]
    if convert == "str2shape":
        return ["[[1,3,64,64]]", "[1,3,64,64]", "[]", "[[[1]]]", "(1,2)", "[[1,3,a]]"]
    if convert == "str2list":
        return ["a,b", " a , ,b ", ",,", ""]
    if convert == "str2dict":
        return ["{a:1,b:2.5}", "a:1", "x", "{}"]
    return ["value", "0.9,0.9", "-0.5,0.5,0.5", "-1", "--looks-like-an-option", ""]


def generated_cases(tool: str, real_parser: argparse.ArgumentParser, double_parser: argparse.ArgumentParser):
    base = BASE[tool]
    cases = [base, base + ["-h"], [], base + ["--"]]
    actions = {}
    for action in real_parser._actions + double_parser._actions:  # the union: extra options on either side
        for option in action.option_strings:
            actions.setdefault(option, action)
    required = {a.option_strings[0] for a in real_parser._actions if a.required and a.option_strings}
    for option in sorted(required):  # each required option left out
        at = base.index(option)
        cases.append(base[:at] + base[at + 2:])
    for option, action in sorted(actions.items()):
        if option in ("-h", "--help"):
            continue
        if action.nargs == 0:  # flags
            cases += [base + [option], base + [f"{option}=1"], base + [option, option]]
            continue
        values = _sample_values(action)
        for value in values:
            cases += [base + [option, value], base + [f"{option}={value}"]]
        cases.append(base + [option])  # the value missing at the end (nargs='?' takes its const)
        cases.append(base + [option, values[0], option, values[-1]])  # given twice: the last wins
        if option.startswith("--") and len(option) > 6:
            cases.append(base + [option[:-2], values[0]])  # an abbreviation (unique or ambiguous)
    for extra in (["--no_such_option"], ["--no_such_option", "v"], ["--no_such_option=v"], ["-x"],
                  ["--tolerence", "0.9,0.9"], ["--keep_aspect_ration"], ["extra"], ["extra1", "extra2"],
                  ["--mean", "-0.5,0.5,0.5", "--keep_aspect_ration"], ["--quant"], ["--model_"],
                  ["--mean", "-0.5,1,1", "--scale", "-1,1,1"], ["--mean=-0.5,1,1", "--pixel_format", "gray"],
                  ["--pixel_format", "rgba", "--mean", "1,2,3"], ["--resize_dims", "64,x"],
                  ["--preprocess_list", "1,a"], ["--customization_format", "YUV_NV12"],
                  ["--customization_format", "RGB_PACKED", "--fuse_preprocess"], ["--io_alone"],
                  ["--patterns_count", "{a:1}"], ["-o", "table"], ["--calibration_table", "t"]):
        cases.append(base + extra)
    unique = []
    for case in cases:
        if case not in unique:
            unique.append(case)
    return unique


def _built(tool: str, real: RealTool):
    namespace = dict(real.namespace)
    _run(real.build, namespace)
    return namespace["parser"]


@pytest.mark.parametrize("tool", sorted(BASE))
def test_double_parses_every_generated_command_line_as_1_7_does(wheel_root, tool):
    real = RealTool(wheel_root, tool)
    double_parser = model_transform.build_parser() if tool == "model_transform" else {
        "run_calibration": run_calibration.build_parser, "model_deploy": model_deploy.build_parser,
        "model_runner": model_runner.build_parser}[tool]()
    cases = generated_cases(tool, _built(tool, real), double_parser)
    assert len(cases) > 100, len(cases)
    configure = tool == "model_transform"
    differences, kinds = [], set()
    for argv in cases:
        expected = outcome(real.parse, argv, real.configure if configure else None)
        got = outcome(DOUBLE_PARSE[tool], argv, _double_configure if configure else None)
        kinds.add(expected[0] if expected[0] != "exit" else f"exit {expected[1]}")
        if got != expected:
            differences.append((argv, expected, got))
    assert not differences, "\n\n".join(f"{argv}\n real:   {e}\n double: {g}" for argv, e, g in differences[:5])
    # The cases reached every kind of outcome (a generator that only made errors would prove little).
    assert {"ok", "exit 2", "exit 0"} <= kinds, kinds
    if tool == "model_transform":
        assert "raise" in kinds  # the TypeError of `unknown_params += unknown_args`, KeyError of str2shape


def test_the_real_option_sets_are_the_doubles(wheel_root):
    """Names, defaults, nargs and choices of every option, side by side (a readable first check)."""
    for tool in BASE:
        real = _built(tool, RealTool(wheel_root, tool))
        double = {"model_transform": model_transform.build_parser, "run_calibration": run_calibration.build_parser,
                  "model_deploy": model_deploy.build_parser, "model_runner": model_runner.build_parser}[tool]()

        def table(parser):
            return sorted((tuple(a.option_strings) or (a.dest,), repr(a.default), repr(a.nargs),
                           repr(sorted(map(str, a.choices)) if a.choices else None), a.required,
                           getattr(a.type, "__name__", repr(a.type))) for a in parser._actions)

        assert table(double) == table(real), tool


# ----------------------------------------------------- the same outcomes through the wrapper commands

PROCESS_CASES = [
    ("model_transform", ["--tolerence", "0.9,0.9"], 'TypeError: can only concatenate str (not "list") to str'),
    ("model_transform", ["--keep_aspect_ration"], "ValueError: could not convert string to float: '--keep_aspect_ration'"),
    ("model_transform", ["--scale", "-0.5,1,1"], "model_transform.py: error: argument --scale: expected one argument"),
    ("model_transform", ["--input_shapes", "[[[1]]]"], "KeyError: 'not shape list:[[[1]]]'"),
    ("run_calibration", ["--search", "x"], "run_calibration.py: error: unrecognized arguments: --search x"),
    ("model_deploy", ["--opt", "3"], "model_deploy.py: error: argument --opt: invalid choice: 3 (choose from 1, 2)"),
    ("model_deploy", ["--fazzy_match"], "model_deploy.py: error: unrecognized arguments: --fazzy_match"),
    ("model_deploy", ["--io_alone"], "RuntimeError: DEPRECATED, please use --addr_mode io_alone"),
    ("model_runner", ["--dump_all"], None),  # an abbreviation argparse accepts: fails later, on the missing input
]


@pytest.mark.parametrize("tool, extra, last_line", PROCESS_CASES)
def test_wrapper_commands_end_like_1_7(wheel_root, tmp_path, tool, extra, last_line):
    """Run as processes through bin/ (the wheel's wrapper): exit 1, and 1.7's last line."""
    argv = BASE[tool] + extra
    real = RealTool(wheel_root, tool)
    expected = outcome(real.parse, argv, real.configure if tool == "model_transform" else None)
    result = subprocess.run([tool] + argv, cwd=tmp_path, env=double_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    if last_line is None:
        assert expected[0] == "ok" and "No such file or directory: 'in.npz'" in lines[-1]
        return
    assert lines[-1] == last_line
    if expected[0] == "exit":
        assert result.stderr == expected[3]  # the whole usage message, byte for byte
    else:
        kind, message = (expected[1], expected[2]) if expected[0] == "raise" else expected[2][1:]
        assert last_line == f"{kind}: {message}" or last_line == f"{kind}: {message!r}"
