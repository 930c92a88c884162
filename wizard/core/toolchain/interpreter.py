"""The live interpreter: tool output, one line at a time, into typed events and a LogReport.

    LogInterpreter().feed(line, stream="stdout", redraw=False) -> list[Event]
    LogInterpreter().finish(exit_code) -> list[Event]

Every line gives one LogLine, except a redraw (a line ended by a lone '\r', see
wizard.core.toolchain.lines) that is nothing but a progress bar: that one gives only Progress.

The wizard's convert.sh (wizard.core.plan.commands) frames each toolchain step with marker lines:
    [wizard] step <name> started: <command>
    [wizard] step <name> ran out of memory: <what the kernel's OOM-kill count says>
    [wizard] step <name> finished rc=<N> elapsed=<seconds>
    [wizard] step <name> skipped (cached)
where <name> is one of wizard.core.events.TOOLCHAIN_STEPS.

What the tools print is described in docs/toolchain.md ("What the tools print"); the formats
come from tpu-mlir's utils/mlir_shell.py (``[Running]:`` / ``[Success]:`` /
``RuntimeError: [!Error]:``) and numpy_helper/tensor_compare.py + npz_compare.py (the per-tensor
lines ``"[{:<32}] {:>12} [{:>6}]"`` and the summary). The failures it recognises are in
wizard.core.toolchain.known_failures; what it reports is wizard.core.toolchain.log_report.
"""

from __future__ import annotations

import math
import re
from collections import deque

from wizard.core.events import Event, LogLine, ProblemRaised, Progress, StepFinished, StepStarted
from wizard.core.messages import Problem, problem
from wizard.core.toolchain.known_failures import Context, out_of_memory, recognise
from wizard.core.toolchain.log_report import CompareResult, LogReport, StepRecord, SubCommand, TensorResult
from wizard.core.toolchain.terminal import Draw, clean, visible

STEP_MARKER_PREFIX = "[wizard] step "
OOM_EXIT_CODES = (137, -9)  # SIGKILL seen through a shell (128 + 9) or by a direct parent


def is_log_line(text: str, redraw: bool) -> bool:
    """Whether a line goes into the log: all but a redraw that is nothing but a progress bar."""
    return not redraw or bool(clean(text)[0])


# --------------------------------------------------------------------------------------------
# Structure of a log
# --------------------------------------------------------------------------------------------

_MARKER_RE = re.compile(
    r"^\[wizard\] step (?P<step>\w+) (?:(?P<started>started)(?:: ?(?P<cmd>.*))?"
    r"|finished rc=(?P<rc>-?\d+)(?: elapsed=(?P<elapsed>[\d.]+))?|(?P<skipped>skipped)\b.*"
    r"|(?P<oom>ran out of memory)\b.*)\s*$"
)
# The calibration picture count, read from run_calibration's command line (the memory message).
_INPUT_NUM_RE = re.compile(r"--input_num[ =]'?(\d+)")
# A command line typed at a prompt ("$ ", "user@host:dir# ") or traced by "set -x" ("+ ").
_SHELL_CMD_RE = re.compile(
    r"^(?:(?:\S*[$#>]|\++)\s+)?(?P<cmd>(?:python3?\s+)?(?:\S*/)?"
    r"(?P<tool>model_transform|run_calibration|model_deploy)(?:\.py)?(?:\s.*)?)$"
)
_TOOL_STEP = {"model_transform": "transform", "run_calibration": "calibrate", "model_deploy": "deploy"}
_RUNNING_PREFIX, _SUCCESS_PREFIX, _ERROR_PREFIX = "[Running]:", "[Success]:", "RuntimeError: [!Error]:"

_TENSOR_RE = re.compile(
    r"^\[(?P<name>.*)\]\s+(?P<status>EQUAL|CLOSE|SIMILAR|NOT_EQUAL|NOT_MATCH|NOT_SIMLIAR|NOT_SIMILAR)"
    r"\s+\[\s*(?P<result>PASSED|FAILED)\]\s*$"
)
_SHAPE_RE = re.compile(r"^\s+\((?P<shape>[\d,\s]*)\)\s+(?P<dtype>\w+)\s*$")
_SIM_RE = re.compile(r"^\s+(?P<key>cosine_similarity|euclidean_similarity|sqnr_similarity)\s*=\s*(?P<value>\S+)")
_CLOSE_RE = re.compile(r"^\s+close order\s*=\s*(?P<order>\d+)")
_SUMMARY_RES = [
    (re.compile(r"^(\d+) compared$"), "compared"),
    (re.compile(r"^(\d+) passed$"), "passed_count"),
    (re.compile(r"^(\d+) failed$"), "failed_count"),
]
_COUNTS1_RE = re.compile(r"^\s*(\d+) equal, (\d+) close, (\d+) similar$")
_COUNTS2_RE = re.compile(r"^\s*(\d+) not equal, (\d+) not similar$")
_MIN_RE = re.compile(r"^min_simil(?:i)?arity\s*=\s*\((?P<values>[^)]*)\)")
_COMPARE_CMD_RE = re.compile(r"npz_tool\.py compare (?P<target>\S+) (?P<reference>\S+)")
# In a [Running] line, or in a step command shell-quoted by convert.sh ("--tolerance 0.85\,0.45").
_TOLERANCE_OPTION_RE = re.compile(r"--tolerance[ =]'?([-\d.eE]+)\\?,([-\d.eE]+)")
_EXCEPTION_RE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Interrupt|Exit)\b:?")

_STEP_HINTS = (  # (substring, step) for logs without wizard markers or shell command lines
    ("_origin.mlir", "transform"), ("Mlir file generated", "transform"), ("Onnxsim opt", "transform"),
    ("_ref_outputs.npz", "transform"),
    ("input_num = ", "calibrate"), ("activation_collect_and_calc_th", "calibrate"), ("There is no inputs", "calibrate"),
    ("--import-calibration-table", "deploy"), ("--convert-top-to-tpu", "deploy"), ("--codegen", "deploy"),
    ("_tpu_outputs.npz", "deploy"), ("Add preprocess, set the following params", "deploy"),
)


def _tolerance_in(command: str) -> tuple[float, float] | None:
    match = _TOLERANCE_OPTION_RE.search(command)
    return (float(match.group(1)), float(match.group(2))) if match else None


def _number(text: str) -> float | None:
    try:
        return float(text.strip().rstrip(","))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# The interpreter
# --------------------------------------------------------------------------------------------

_CALIBRATION_PHASES = (  # calibration prints several bars; map them onto one 0..1 progress
    ("prepare data", 0.0, 0.3), ("load", 0.0, 0.3), ("activation_collect", 0.3, 0.85), ("tune", 0.85, 1.0),
)
_RECENT_LINES = 3  # the "last meaningful lines" shown with a failure nobody recognised


class LogInterpreter:
    """Turns tool output, one line at a time, into typed events; keeps what it saw for a report.

    Cheap per line: a handful of substring tests decide which (few) regular expressions run.
    """

    def __init__(self) -> None:
        self.report = LogReport()
        self._step: StepRecord | None = None  # the step lines currently belong to
        self._marked = False  # True once a wizard marker was seen: markers then own step boundaries
        self._compare: CompareResult | None = None
        self._tensor: TensorResult | None = None
        self._in_traceback = False
        self._step_problems = 0  # problems raised since the current step (or sub-command) began
        self._recent: deque[str] = deque(maxlen=_RECENT_LINES)
        self._seen: set[tuple[str, str]] = set()
        self._fragment: str | None = None  # the start of a line a progress redraw cut in two
        self._calibration_count: int | None = None  # run_calibration's --input_num, once seen

    # ---- public API ---------------------------------------------------------------------------
    def feed(self, line: str, stream: str = "stdout", redraw: bool = False) -> list[Event]:
        """Events for one line; ``redraw``: it ended with a lone '\\r' (wizard.core.toolchain.lines)."""
        text, draws, leading = clean(line)
        if redraw and not text:
            # Nothing but a bar drawing itself again: progress, not a log line (a line cut in two
            # before it stays pending: its continuation may follow).
            return [self._progress(draw) for draw in draws]
        events: list[Event] = []
        shown = text if not draws else visible(line)
        if self._fragment is not None:
            fragment, self._fragment = self._fragment, None
            if leading and text:
                # A block-buffered stdout line cut by a progress redraw: "[/model.23/cv2.0/Con",
                # then "\rcompare ...| 2/3 [..]v_output_0_Conv]  SIMILAR [PASSED]".
                text = fragment + text
            else:
                self._line(fragment, events)
        if text.startswith("[") and "]" not in text:
            self._fragment = text  # never a whole line of any tool: wait for its continuation
            text = ""
        step_name = self._step.name if self._step else ""
        if text.startswith(STEP_MARKER_PREFIX):
            self._marker(text, events)
            step_name = self._step.name if self._step else step_name
        elif text:
            self._line(text, events)
            step_name = self._step.name if self._step else ""
        events.insert(0, LogLine(text=shown, step=step_name,
                                 stream=stream if stream in ("stdout", "stderr", "runner") else "stdout"))
        for draw in draws:
            events.append(self._progress(draw))
        return events

    def finish(self, exit_code: int | None) -> list[Event]:
        """The run ended with exit_code (None: unknown, e.g. parsing a saved log)."""
        events: list[Event] = []
        if self._fragment is not None:
            fragment, self._fragment = self._fragment, None
            self._line(fragment, events)
        step = self._step
        if step is not None and step.status == "running" and exit_code is not None:
            # No "finished" marker: the process was killed, or the log was cut.
            self._end_step(step, exit_code, None, events)
        if exit_code not in (None, 0) and not self.report.errors:
            name = step.name if step else "conversion"
            self._raise(self._failure_problem(name, exit_code), events, name)
        self._close_inferred(final=True)
        return events

    # ---- markers and lines --------------------------------------------------------------------
    def _marker(self, text: str, events: list[Event]) -> None:
        match = _MARKER_RE.match(text)
        if not match:
            self._recent.append(text)
            return
        name = match.group("step")
        self._marked = True
        if match.group("started"):
            self._close_inferred()
            self._step = StepRecord(name=name, command=(match.group("cmd") or "").strip(), source="wizard")
            self.report.steps.append(self._step)
            self._step_problems = 0
            self._recent.clear()
            self._note_count(self._step.command)
            events.append(StepStarted(step=name, command=self._step.command))
        elif match.group("skipped"):
            self.report.steps.append(StepRecord(name=name, status="skipped", source="wizard"))
            events.append(StepFinished(step=name, ok=True, skipped=True))
        elif match.group("oom"):
            # convert.sh saw the kernel's OOM-kill count rise during the step (the wheel's
            # launcher itself says nothing but "exit 1").
            self._raise(out_of_memory(name, self._calibration_count), events, name)
        else:
            step = self._step if self._step and self._step.name == name else None
            if step is None:
                step = StepRecord(name=name, source="wizard")
                self.report.steps.append(step)
            elapsed = float(match.group("elapsed")) if match.group("elapsed") else None
            self._end_step(step, int(match.group("rc")), elapsed, events)

    def _end_step(self, step: StepRecord, rc: int, elapsed: float | None, events: list[Event]) -> None:
        step.exit_code = rc
        step.elapsed = elapsed
        step.status = "success" if rc == 0 else "failed"
        for sub in step.commands:
            if sub.status == "running":
                sub.status = "failed" if rc else "success"
        if rc != 0 and self._step_problems == 0:
            self._raise(self._failure_problem(step.name, rc), events, step.name)
        events.append(StepFinished(step=step.name, ok=rc == 0, exit_code=rc, elapsed=elapsed or 0.0))
        self._compare = None
        self._tensor = None

    def _failure_problem(self, step: str, rc: int) -> Problem:
        if rc in OOM_EXIT_CODES:
            return out_of_memory(step, self._calibration_count)
        detail = " | ".join(self._recent) or "(no output)"
        return problem("toolchain_step_failed", step=step, rc=rc, detail=detail)

    def _line(self, text: str, events: list[Event]) -> None:
        first = text[0]
        # Wrappers of sub-commands ------------------------------------------------------------
        if first == "[":
            if text.startswith(_RUNNING_PREFIX):
                self._running(text[len(_RUNNING_PREFIX):].strip(), events)
                return
            if text.startswith(_SUCCESS_PREFIX):
                self._sub_done(text[len(_SUCCESS_PREFIX):].strip(), "success")
                return
            match = _TENSOR_RE.match(text)
            if match:
                self._tensor_line(match)
                return
        elif first == " " and self._tensor is not None:
            if self._tensor_detail(text):
                return
        if not self._marked and ("model_" in text or "run_calibration" in text):
            match = _SHELL_CMD_RE.match(text)
            if match:
                self._start_inferred(_TOOL_STEP[match.group("tool")], match.group("cmd").strip(), "shell")
                return
        if self._compare is None and text.startswith(("npz compare ", "min_simil")):
            self._open_compare()  # a summary whose start was cut off the log
        if self._compare is not None and self._summary_line(text, events):
            return
        if text.startswith("Traceback (most recent call last)"):
            self._in_traceback = True
            return
        if self._in_traceback and first in " \t":
            return  # frames: never the cause, and never the "last meaningful lines"
        if text.startswith(_ERROR_PREFIX):
            self._in_traceback = False
            self._sub_done(text[len(_ERROR_PREFIX):].strip(), "failed")
            if self._step_problems == 0:
                name = self._step_name_for_problem()
                self._raise(problem("toolchain_tool_error", step=name, detail=" | ".join(self._recent) or text),
                            events, name)
            self._recent.append(text)
            return
        if not self._marked:
            self._hint_step(text)
        if self._known(text, events):
            self._in_traceback = False
            self._recent.append(text)
            return
        if self._in_traceback:
            self._in_traceback = False
            if _EXCEPTION_RE.match(text) and self._step_problems == 0:
                self._recent.append(text)
                name = self._step_name_for_problem()
                self._raise(problem("toolchain_tool_error", step=name, detail=text), events, name)
                return
        self._recent.append(text)

    def _known(self, text: str, events: list[Event]) -> bool:
        step = self._step_name_for_problem()
        found = recognise(text, Context(step, self._step.command if self._step else "", self._calibration_count))
        if found is None:
            return False
        self._raise(found, events, step)
        return True

    def _raise(self, prob: Problem, events: list[Event], step: str = "") -> None:
        self._step_problems += 1
        key = (prob.code, repr(sorted(prob.params.items())))
        if key in self._seen:
            return
        self._seen.add(key)
        self.report.problems.append(prob)
        if self._step is not None and self._step.source != "wizard" and prob.severity == "error":
            self._step.status = "failed"
        events.append(ProblemRaised(problem=prob, step=step))

    def _step_name_for_problem(self) -> str:
        return self._step.name if self._step else ""

    # ---- steps without markers ----------------------------------------------------------------
    def _note_count(self, command: str) -> None:
        if "--input_num" in command:
            match = _INPUT_NUM_RE.search(command)
            if match:
                self._calibration_count = int(match.group(1))

    def _start_inferred(self, name: str, command: str, source: str) -> None:
        self._close_inferred()
        self._note_count(command)
        self._step = StepRecord(name=name, command=command, source=source)
        self.report.steps.append(self._step)
        self._step_problems = 0

    def _hint_step(self, text: str) -> None:
        for needle, name in _STEP_HINTS:
            if needle in text:
                if self._step is None or (self._step.name != name and self._step.source == "inferred") or (
                        self._step.name == "other"):
                    self._start_inferred(name, "", "inferred")
                return

    def _close_inferred(self, final: bool = False) -> None:
        """Settle a step seen without markers: its end is only implied by what follows it."""
        step = self._step
        if step is None or step.source == "wizard" or step.status != "running":
            return
        if any(c.status == "failed" for c in step.commands):
            step.status = "failed"
        elif not final:
            step.status = "success"  # the next step started, so this one got through
        elif step.commands and all(c.status == "success" for c in step.commands):
            step.status = "success"

    def _running(self, command: str, events: list[Event]) -> None:
        if not self._marked:
            self._hint_step(command)
        if self._step is None:
            self._start_inferred("other", "", "inferred")
        self._add_sub(command)
        self._recent.append("[Running]: " + command)
        match = _COMPARE_CMD_RE.search(command) if "npz_tool.py compare" in command else None
        if match:
            tolerance = _tolerance_in(command)
            target, reference = match.group("target"), match.group("reference")
            for earlier in reversed(self.report.compare):
                # The tools print() without flushing: in a pipe, the comparison (a child process)
                # can reach the log before the "[Running]:" line that announced it.
                if not earlier.announced and (earlier.target, earlier.reference) == (target, reference):
                    earlier.announced = True
                    earlier.tolerance = tolerance or earlier.tolerance
                    break
            else:
                self._open_compare(target, reference, tolerance).announced = True

    def _add_sub(self, command: str) -> None:
        for sub in reversed(self._step.commands):
            if sub.command == command and not sub.announced:
                sub.announced = True  # its end overtook it (buffered stdout): one entry, not two
                return
        self._step.commands.append(SubCommand(command))

    def _sub_done(self, command: str, status: str) -> None:
        if self._step is None:
            self._start_inferred("other", "", "inferred")
        for sub in reversed(self._step.commands):
            if sub.command == command and sub.status == "running":
                sub.status = status
                break
        else:
            self._step.commands.append(SubCommand(command, status, announced=False))
        if status == "failed" and self._step.source != "wizard":
            self._step.status = "failed"

    # ---- comparisons --------------------------------------------------------------------------
    def _open_compare(self, target: str = "", reference: str = "", tolerance=None) -> CompareResult:
        self._compare = CompareResult(step=self._step.name if self._step else "", target=target,
                                      reference=reference, tolerance=tolerance)
        self._tensor = None
        self.report.compare.append(self._compare)
        return self._compare

    def _tensor_line(self, match: re.Match) -> None:
        compare = self._compare or self._open_compare()
        status = match.group("status")
        if status == "NOT_SIMLIAR":
            status = "NOT_SIMILAR"
        self._tensor = TensorResult(name=match.group("name").rstrip(), status=status,
                                    passed=match.group("result") == "PASSED")
        compare.tensors.append(self._tensor)

    def _tensor_detail(self, text: str) -> bool:
        tensor = self._tensor
        if "_similarity" in text:
            match = _SIM_RE.match(text)
            if match:
                value = _number(match.group("value"))
                key = match.group("key")
                if key == "cosine_similarity":
                    tensor.cosine = value
                elif key == "euclidean_similarity":
                    tensor.euclidean = value
                else:
                    tensor.sqnr = value
                return True
        if "(" in text:
            match = _SHAPE_RE.match(text)
            if match:
                tensor.shape = [int(d) for d in match.group("shape").replace(" ", "").split(",") if d]
                tensor.dtype = match.group("dtype")
                return True
        if "close order" in text:
            match = _CLOSE_RE.match(text)
            if match:
                tensor.close_order = int(match.group("order"))
                return True
        return text.startswith("    ")  # int8 statistics and the like: part of the tensor block

    def _summary_line(self, text: str, events: list[Event]) -> bool:
        compare = self._compare
        if text[0].isdigit():
            for regex, attr in _SUMMARY_RES:
                match = regex.match(text)
                if match:
                    setattr(compare, attr, int(match.group(1)))
                    self._tensor = None
                    return True
        if "equal" in text or "similar" in text:
            match = _COUNTS1_RE.match(text)
            if match:
                compare.counts.update(equal=int(match.group(1)), close=int(match.group(2)), similar=int(match.group(3)))
                return True
            match = _COUNTS2_RE.match(text)
            if match:
                compare.counts.update(not_equal=int(match.group(1)), not_similar=int(match.group(2)))
                return True
        if text.startswith("min_simil"):
            match = _MIN_RE.match(text)
            if match:
                values = [_number(v) for v in match.group("values").split(",")]
                values += [None] * (3 - len(values))
                compare.min_similarity = (values[0], values[1], values[2])
                return True
        if text.startswith("Target "):
            compare.target = compare.target or text[len("Target"):].strip()
            return True
        if text.startswith("Reference "):
            compare.reference = compare.reference or text[len("Reference"):].strip()
            return True
        if text.startswith("npz compare "):
            if "PASSED" in text:
                compare.passed = True
            elif "FAILED" in text:
                compare.passed = False
                self._compare_failed(compare, events)
            else:
                return False
            self._compare = None
            self._tensor = None
            return True
        if text == "top-k:" or text.startswith(" idx-t") or text.startswith("all-diffs") or text.startswith("  "):
            return True  # detail blocks of failing tensors
        return False

    def _compare_failed(self, compare: CompareResult, events: list[Event]) -> None:
        failing = compare.failed_tensors
        low = compare.min_similarity or (None, None, None)
        cosine = low[0] if low[0] is not None else min((t.cosine for t in failing if t.cosine is not None), default=None)
        euclid = low[1] if low[1] is not None else min(
            (t.euclidean for t in failing if t.euclidean is not None), default=None)
        params = {
            "failed": compare.failed_count if compare.failed_count is not None else len(failing),
            "compared": compare.compared if compare.compared is not None else len(compare.tensors),
            "tolerance": ",".join(f"{v:g}" for v in compare.tolerance or self._implied_tolerance(compare)),
            "cosine": _fmt(cosine), "euclidean": _fmt(euclid),
            "tensors": [t.name for t in failing[:3]] or ["?"],
        }
        code = "toolchain_transform_compare_failed" if compare.kind == "top_vs_onnx" else "toolchain_compare_failed"
        self._raise(problem(code, **params), events, compare.step)

    def _implied_tolerance(self, compare: CompareResult) -> tuple[float, float]:
        """The tolerance a comparison ran with when its "[Running]:" line has not arrived (yet)."""
        command = self._step.command if self._step else ""
        if compare.kind == "model_vs_tpu":  # hard-coded in model_deploy.py
            return (0.99, 0.85) if "--quantize_table" in command else (0.99, 0.90)
        default = (0.99, 0.99) if compare.kind == "top_vs_onnx" else (0.8, 0.5)  # the tools' defaults
        return _tolerance_in(command) or default

    # ---- progress -----------------------------------------------------------------------------
    def _progress(self, draw: Draw) -> Progress:
        step = self._step.name if self._step else ""
        fraction = draw.done / draw.total if draw.total else None
        if fraction is not None and step == "calibrate":
            lowered = draw.desc.lower()
            for needle, start, end in _CALIBRATION_PHASES:
                if needle in lowered:
                    fraction = end * fraction + start * (1.0 - fraction)  # exact at both ends
                    break
        return Progress(step=step, fraction=fraction, text=draw.desc, done=draw.done, total=draw.total)


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    if math.isinf(value) or math.isnan(value):
        return str(value)
    return f"{value:.4f}"
