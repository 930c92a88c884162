"""The console scripts of the tpu_mlir wheel (tpu_mlir/__init__.py + tpu_mlir/entry.py).

Every command a user types (`model_transform`, `model_transform.py`, `model_tool`, ...) is one
wrapper: it extends PATH, replaces PYTHONPATH, forces OMP_NUM_THREADS=4, sets TPUC_ROOT, runs
`python3 <tool>.py ARGS` (or the binary) as a child and `exit(1)` when the child returns
anything but 0. So an argparse error (2), an abort (-6) or an out-of-memory SIGKILL (-9) all
come back as exit status 1, and no shell prints "Killed": the shell's own child exited normally.

The fault spec's top-level "launcher": "direct" runs the tool script in place instead (exec, no
child), as a source build's PATH does: exit codes and signals then reach the caller unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tpu_mlir_double.common import load_fault_spec

# command name -> the script in tools/ (the wheel: python/tools/<x>.py, or bin/<x> for binaries)
TOOLS = {
    "model_transform": "model_transform.py", "run_calibration": "run_calibration.py",
    "model_deploy": "model_deploy.py", "model_runner": "model_runner.py", "npz_tool": "npz_tool.py",
    "model_tool": "model_tool",
}


def tool_script(root: str, command: str) -> str:
    name = command[:-3] if command.endswith(".py") else command
    if name not in TOOLS:
        raise SystemExit(f"tpu_mlir_double: no tool is called {command!r}")
    return os.path.join(root, "tools", TOOLS[name])


def main(argv: list[str]) -> int:
    root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    script = tool_script(root, os.path.basename(argv[0]))
    # Exactly as tpu_mlir/__init__.py: PATH is appended to without a separator before the first
    # new entry, PYTHONPATH is replaced, the thread count is forced.
    os.environ["PATH"] = os.environ.get("PATH", "") + f"{root}/bin:{root}/tools:"
    os.environ["PYTHONPATH"] = f"{root}/:"
    os.environ["OMP_NUM_THREADS"] = "4"
    os.environ["TPUC_ROOT"] = root
    command = [sys.executable, script] + argv[1:]
    if load_fault_spec().get("launcher") == "direct":
        sys.stdout.flush()
        os.execv(sys.executable, command)
    process = subprocess.Popen(command)
    return_code = process.wait()
    if return_code != 0:
        return 1
    return 0
