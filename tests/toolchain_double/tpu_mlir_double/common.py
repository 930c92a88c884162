"""Shared pieces of the double: log formats, tqdm-like bars, fault injection, pseudo values.

Everything printed here copies what the real tools print (see docs/toolchain.md, "What the tools
print"), because the wizard's log parser is tested against this output.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Callable, Iterable

from tpu_mlir_double import VERSION

FAULTS_FILE = "toolchain_double_faults.json"
FAULTS_ENV = "TOOLCHAIN_DOUBLE_FAULTS"
FAULT_SEARCH_LEVELS = 3  # the current directory and up to 3 parents (a run dir sits below the workspace)


class ToolExit(Exception):
    """Ends a tool with an exit code after its messages were printed."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


# By default every stdout line is flushed at once, so logs have one stable order. The real tools
# print() without flushing: into a pipe or file their stdout is block-buffered, and the output of
# the sub-commands they run (npz_tool.py compare, tpuc-opt) overtakes their own buffered
# "[Running]:" lines. The fault {"<step>": {"buffered_stdout": true}} reproduces that order.
# The buffer is emulated (not left to Python) so PYTHONUNBUFFERED in the environment cannot undo it.
STDOUT_BLOCK = 8192  # io.DEFAULT_BUFFER_SIZE: a full block is written as is, even mid-line
_buffered = False
_parent_output = bytearray()
_child_output: list[str] | None = None  # what a sub-command "process" prints, written at its exit


def configure_output(faults: dict) -> None:
    global _buffered
    _buffered = bool(faults.get("buffered_stdout"))


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    os.write(sys.stdout.fileno(), data)


def flush_stdout() -> None:
    """At a normal exit the interpreter flushes what is left; a SIGKILL loses it."""
    if _parent_output:
        _write_stdout(bytes(_parent_output))
        _parent_output.clear()


def out(line: str = "") -> None:
    if _child_output is not None:
        _child_output.append(line + "\n")
    elif _buffered:
        _parent_output.extend((line + "\n").encode("utf-8"))
        while len(_parent_output) >= STDOUT_BLOCK:
            _write_stdout(bytes(_parent_output[:STDOUT_BLOCK]))
            del _parent_output[:STDOUT_BLOCK]
    else:
        print(line, flush=True)


def err(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def log_info(message: str, logger: str = "INFO") -> None:
    """utils/log_setting.py format: '%(asctime)s - %(levelname)s : %(message)s'.

    1.7's setup_logger() gives every logger a StreamHandler(sys.stdout): log lines go to stdout,
    and the handler flushes after each record, which also pushes out any print() output that
    was still waiting in the block buffer.
    """
    stamp = datetime.datetime.now().strftime("%Y/%m/%d %H:%M:%S")
    out(f"{stamp} - {logger} : {message}")
    if _buffered and _child_output is None:
        flush_stdout()


def banner() -> None:
    log_info(f"TPU-MLIR {VERSION}")


def fail_with_traceback(tool: str, exc_line: str, frames: Iterable[tuple[int, str, str]] = (), code: int = 1):
    """Print a Python traceback as an uncaught exception in the real tool would, then exit."""
    path = f"/usr/local/lib/python3.10/dist-packages/tpu_mlir/python/tools/{tool}"
    err("Traceback (most recent call last):\n")
    err(f'  File "{path}", line 400, in <module>\n')
    for line_no, where, source in frames:
        err(f'  File "{where}", line {line_no}, in {source}\n')
    err(exc_line.rstrip("\n") + "\n")
    raise ToolExit(code)


def command_string(cmd: list[str]) -> str:
    # mlir_shell._os_system joins with a trailing space: "[Running]: a b c "
    return "".join(f"{part} " for part in cmd)


def run_wrapped(tool: str, cmd: list[str], body: Callable[[], bool]) -> None:
    """mlir_shell._os_system: '[Running]: <cmd>', then '[Success]: <cmd>' or the RuntimeError."""
    global _child_output
    cmd_str = command_string(cmd)
    out(f"[Running]: {cmd_str}")
    if _buffered:
        # os.system(): the child writes straight to the shared stdout when it exits, ahead of
        # whatever the parent still holds in its buffer.
        _child_output = []
        try:
            ok = body()
        finally:
            text, _child_output = "".join(_child_output), None
            if text:
                _write_stdout(text.encode("utf-8"))
    else:
        ok = body()
    if ok:
        out(f"[Success]: {cmd_str}")
        return
    fail_with_traceback(
        tool,
        f"RuntimeError: [!Error]: {cmd_str}",
        frames=[(419, "/usr/local/lib/python3.10/dist-packages/tpu_mlir/python/utils/mlir_shell.py", "_os_system")],
    )


# ---------------------------------------------------------------------------------------------
# Fault injection
# ---------------------------------------------------------------------------------------------

def load_fault_spec() -> dict:
    """The whole fault spec: $TOOLCHAIN_DOUBLE_FAULTS (JSON text, or a path to a JSON file),
    else the first toolchain_double_faults.json in the current directory or up to 3 parents."""
    raw = os.environ.get(FAULTS_ENV, "").strip()
    data = None
    if raw:
        data = json.loads(raw) if raw.startswith("{") else json.loads(Path(raw).read_text())
    else:
        here = Path.cwd()
        for directory in [here, *list(here.parents)[:FAULT_SEARCH_LEVELS]]:
            candidate = directory / FAULTS_FILE
            if candidate.is_file():
                data = json.loads(candidate.read_text())
                break
    return data if isinstance(data, dict) else {}


def load_faults(step: str) -> dict:
    """Faults for one step ("transform", "calibrate", "deploy", "model_tool")."""
    step_faults = load_fault_spec().get(step) or {}
    return step_faults if isinstance(step_faults, dict) else {}


def apply_exit_fault(faults: dict) -> None:
    """{"exit": 137}: die with no message, as the kernel OOM killer leaves it.

    {"signal": "KILL"} sends a real SIGKILL instead (a shell then reports 137; a direct
    subprocess parent sees -9).
    """
    if faults.get("signal"):
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), getattr(signal, "SIG" + str(faults["signal"]).upper()))
    if "exit" in faults:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(faults["exit"]))


def apply_crash_fault(tool: str, faults: dict) -> None:
    """{"crash": "RuntimeError: ..."}: an uncaught exception with that last line."""
    message = faults.get("crash")
    if message:
        if ":" not in str(message).split(" ")[0]:
            message = f"RuntimeError: {message}"
        fail_with_traceback(tool, str(message))


# ---------------------------------------------------------------------------------------------
# Deterministic pseudo values: derived from names so logs (and tests parsing them) are stable.
# ---------------------------------------------------------------------------------------------

def pseudo(name: str, salt: str = "") -> float:
    digest = hashlib.md5(f"{salt}\0{name}".encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little") / 2**32


def between(low: float, high: float, name: str, salt: str) -> float:
    return low + (high - low) * pseudo(name, salt)


# ---------------------------------------------------------------------------------------------
# tqdm look-alike (stderr, '\r' updates, 10-character bar as tqdm draws it without a terminal)
# ---------------------------------------------------------------------------------------------

def _fmt_time(seconds: float) -> str:
    seconds = int(seconds)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:d}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class Bar:
    BLOCKS = " ▏▎▍▌▋▊▉█"

    def __init__(self, desc: str, total: int, min_interval: float = 0.1):
        self.desc = desc
        self.total = max(0, int(total))
        self.n = 0
        self.start = time.monotonic()
        self.last_draw = -1.0
        self.drawn = -1  # the count last drawn, so close() does not repeat a finished bar
        self.min_interval = min_interval
        self._draw(force=True)

    def set_description(self, desc: str) -> None:
        self.desc = desc

    def update(self, n: int = 1) -> None:
        self.n = min(self.total, self.n + n)
        self._draw(force=self.n >= self.total)

    def _text(self) -> str:
        elapsed = time.monotonic() - self.start
        frac = self.n / self.total if self.total else 1.0
        filled = frac * 10
        full = int(filled)
        bar = "█" * full
        if full < 10:
            bar += self.BLOCKS[int((filled - full) * 8)] + " " * (9 - full)
        if self.n and elapsed > 0:
            rate = self.n / elapsed
            remaining = _fmt_time((self.total - self.n) / rate) if rate else "?"
            rate_text = f"{rate:5.2f}it/s"
        else:
            remaining, rate_text = "?", "?it/s"
        prefix = f"{self.desc}: " if self.desc else ""
        return f"{prefix}{frac * 100:3.0f}%|{bar}| {self.n}/{self.total} [{_fmt_time(elapsed)}<{remaining}, {rate_text}]"

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_draw < self.min_interval:
            return
        self.last_draw = now
        self.drawn = self.n
        err("\r" + self._text())

    def refresh(self) -> None:
        """Redraw now (the elapsed time moves on even when the count does not)."""
        self._draw(force=True)

    def close(self) -> None:
        if self.drawn != self.n:
            self._draw(force=True)
        err("\n")


HEARTBEAT_SECONDS = 0.4  # a slow step shows a sign of life at least this often


def slow_loop(total: int, slow_seconds: float, each: Callable[[int], None],
              heartbeat: Callable[[], None] | None = None) -> None:
    """Call each(i) for i in range(total), spread over slow_seconds (0 = as fast as possible).

    Between items, heartbeat() runs every HEARTBEAT_SECONDS: with few items and a long delay a
    runner must still see output arriving, or it cannot tell live streaming from a stall.
    """
    delay = (slow_seconds / total) if total and slow_seconds > 0 else 0.0
    for i in range(total):
        each(i)
        remaining = delay
        while remaining > 0:
            pause = min(remaining, HEARTBEAT_SECONDS)
            time.sleep(pause)
            remaining -= pause
            if heartbeat and remaining > 0:
                heartbeat()


def sleep_with_heartbeat(seconds: float, desc: str) -> None:
    """A slow step that still shows life every ~0.5 s, so a runner can prove it streams live."""
    if seconds <= 0:
        return
    ticks = max(1, int(seconds / 0.5))
    bar = Bar(desc, ticks, min_interval=0.0)
    for _ in range(ticks):
        time.sleep(seconds / ticks)
        bar.update()
    bar.close()


def main_guard(func: Callable[[list[str]], int]) -> Callable[[list[str] | None], int]:
    """Run a tool's body; an exception the tool does not catch ends it as Python would.

    The double reuses 1.7's own code paths where the real tool fails with a plain Python error
    (`args.unknown_params += unknown_args`, float() of a misspelt option...), so the traceback's
    last line is the real one, printed by the interpreter's own machinery.
    """
    def runner(argv: list[str] | None = None) -> int:
        try:
            return func(sys.argv[1:] if argv is None else argv) or 0
        except ToolExit as exc:
            return exc.code
        except KeyboardInterrupt:
            return 130
        except Exception:  # noqa: BLE001 - an uncaught exception of the real tool: traceback, exit 1
            flush_stdout()
            traceback.print_exc()
            sys.stderr.flush()
            return 1
        finally:
            flush_stdout()

    return runner
