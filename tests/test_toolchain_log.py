"""parse_log / LogInterpreter on recorded logs in the real formats (tests/fixtures/logs)."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from wizard.core.events import LogLine, ProblemRaised, Progress, StepFinished, StepStarted
from wizard.core.toolchain.interpreter import LogInterpreter
from wizard.core.toolchain.log import parse_log

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"


def read(name: str, newline: str | None = "") -> str:
    with open(LOGS / name, encoding="utf-8", newline=newline) as fh:
        return fh.read()


def report_of(name: str):
    report = parse_log(read(name))
    data = report.to_dict()
    json.dumps(data, allow_nan=False)  # always valid JSON, whatever the numbers
    return report, data


def codes(data) -> list[str]:
    return [e["code"] for e in data["errors"]]


def test_clean_conversion():
    report, data = report_of("clean_yolo11n.log")
    assert data["ok"] is True and data["errors"] == [] and not report.failed
    assert [(s["name"], s["status"], s["exit_code"]) for s in data["steps"]] == [
        ("transform", "success", 0), ("calibrate", "success", 0), ("deploy", "success", 0)]
    assert data["steps"][0]["command"].startswith("model_transform --model_name yolo11n")
    kinds = [(c["kind"], c["tolerance"], c["passed"], c["compared"], c["passed_count"]) for c in data["compare"]]
    assert kinds == [("top_vs_onnx", [0.99, 0.99], True, 230, 230), ("tpu_vs_top", [0.8, 0.5], True, 230, 230),
                     ("model_vs_tpu", [0.99, 0.9], True, 6, 6)]
    deploy = data["compare"][1]
    assert len(deploy["tensors"]) == 230 and all(t["passed"] for t in deploy["tensors"])
    assert deploy["counts"]["similar"] + deploy["counts"]["close"] == 230
    last = deploy["tensors"][-1]
    assert last["name"] == "/model.23/cv3.2/cv3.2.2/Conv_output_0_Conv"
    assert 0.8 < last["cosine"] <= 1 and last["shape"] and last["dtype"] == "float32"
    assert data["compare"][2]["min_similarity"] == {"cosine": 1.0, "euclidean": 1.0, "sqnr": "inf"}
    assert data["compare"][2]["tensors"][0]["status"] == "EQUAL"
    assert data["compare"][2]["tensors"][0]["cosine"] is None


def test_doc_summary_block_in_the_real_format():
    _, data = report_of("real_format_compare_passed.log")
    compare = data["compare"][0]
    assert compare["passed"] is True and compare["compared"] == 230 and compare["passed_count"] == 230
    assert compare["counts"] == {"equal": 0, "close": 8, "similar": 222, "not_equal": 0, "not_similar": 0}
    assert compare["min_similarity"] == {
        "cosine": 0.9999997615814209, "euclidean": 0.9999985984103255, "sqnr": 117.06775665283203}
    close = compare["tensors"][0]
    assert (close["name"], close["status"], close["close_order"], close["cosine"]) == ("images_Cast", "CLOSE", 5, None)
    assert compare["target"] == "yolo11n_top_outputs.npz" and compare["reference"] == "yolo11n_ref_outputs.npz"
    assert data["steps"][0]["name"] == "transform"  # inferred from the _ref_outputs.npz comparison
    assert data["errors"] == []


def test_real_format_failed_comparison():
    report, data = report_of("real_format_compare_failed.log")
    compare = data["compare"][0]
    assert compare["passed"] is False and compare["failed_count"] == 1
    tensor = compare["tensors"][0]
    assert tensor == {"name": "output0_Concat", "status": "NOT_SIMILAR", "passed": False, "shape": [1, 84, 8400],
                      "dtype": "float32", "cosine": 0.761244, "euclidean": -0.602187, "sqnr": -15.988213,
                      "close_order": None}
    assert codes(data) == ["toolchain_compare_failed"]  # the [!Error] wrapper adds no second error
    assert "0.7612" in data["errors"][0]["message"] and "0.8,0.5" in data["errors"][0]["message"]
    assert report.failed


def test_deploy_compare_failed():
    _, data = report_of("deploy_compare_failed.log")
    assert codes(data) == ["toolchain_compare_failed"]
    assert data["steps"][2]["status"] == "failed" and data["steps"][2]["commands"][-1]["status"] == "failed"
    deploy = data["compare"][1]
    failing = [t["name"] for t in deploy["tensors"] if not t["passed"]]
    assert len(failing) == deploy["failed_count"] == 6
    assert all("/model.23/" in name for name in failing)
    assert deploy["min_similarity"]["cosine"] < 0.8


def test_transform_compare_failed_is_not_called_quantization():
    _, data = report_of("transform_compare_failed.log")
    assert codes(data) == ["toolchain_transform_compare_failed"]


@pytest.mark.parametrize("fixture, code, step, words", [
    ("calibration_no_inputs.log", "toolchain_no_calibration_inputs", "calibrate", ".jpg"),
    ("test_image_missing.log", "toolchain_test_image_missing", "transform", "../image/missing.jpg"),
    ("output_names_not_found.log", "toolchain_output_names_not_found", "transform", "/model.22/cv2.0/cv2.0.2/Conv_output_0"),
    ("ir_version_10.log", "toolchain_ir_version_too_new", "transform", "IR version 10"),
    ("op_not_supported_mod.log", "toolchain_op_not_supported", "transform", "Mod"),
    ("calibration_table_missing.log", "toolchain_calibration_table_missing", "deploy", "calibration table"),
    ("quantize_f16_cv181x.log", "toolchain_quantize_not_supported", "deploy", "INT8"),
    ("calibration_oom_137.log", "toolchain_out_of_memory", "calibrate", "100 calibration pictures"),
    ("calibration_killed_by_shell.log", "toolchain_out_of_memory", "calibrate", "250 instead of 500"),
    ("calibration_bad_option.log", "toolchain_bad_option", "calibrate", "--search"),
    # The REAL model_transform 1.7 (its own last lines, run by hand from the wheel): an unknown
    # option is no argparse error there (parse_known_args), but a Python error after parsing.
    ("transform_misspelled_option_with_value.log", "toolchain_misspelled_option", "transform", "--tolerance?"),
    ("transform_misspelled_flag.log", "toolchain_misspelled_option", "transform", "--keep_aspect_ration"),
    ("transform_crash_unknown.log", "toolchain_tool_error", "transform", "KeyError: '/model.10/m/m.0/attn/Reshape_output_0'"),
    ("silent_failure.log", "toolchain_step_failed", "transform", "Segmentation fault"),
])
def test_each_known_failure_gives_one_error_with_a_fix(fixture, code, step, words):
    report, data = report_of(fixture)
    assert codes(data) == [code]
    error = data["errors"][0]
    assert words in error["message"] + error["fix"]
    assert error["fix"]
    failed = [s for s in data["steps"] if s["status"] == "failed"]
    assert [s["name"] for s in failed] == [step]
    assert report.failed and not data["ok"]


def test_oom_step_exit_code():
    _, data = report_of("calibration_oom_137.log")
    assert data["steps"][-1]["exit_code"] == 137


def test_docker_permission_denied_outside_any_step():
    _, data = report_of("docker_permission_denied.log")
    assert codes(data) == ["toolchain_docker_permission_denied"]
    assert "usermod -aG docker" in data["errors"][0]["fix"]


def test_user_paste_without_markers():
    _, data = report_of("user_paste_no_markers.log")
    assert [(s["name"], s["status"], s["source"]) for s in data["steps"]] == [
        ("transform", "success", "shell"), ("calibrate", "failed", "shell")]
    assert data["steps"][1]["command"].startswith("run_calibration yolo11n.mlir")
    assert codes(data) == ["toolchain_no_calibration_inputs"]
    assert data["compare"][0]["kind"] == "top_vs_onnx" and data["compare"][0]["passed"] is True


@pytest.mark.parametrize("newline", ["", None])  # '\r' kept, or turned into line breaks by text mode
def test_tqdm_interleaved_crlf_ansi_and_long_names(newline):
    report = parse_log(read("tqdm_interleaved.log", newline))
    data = report.to_dict()
    compare = data["compare"][0]
    names = [t["name"] for t in compare["tensors"]]
    assert names == ["/model.10/m/m.0/attn/proj/conv/Conv_output_0_Conv",  # > 32 chars: kept whole
                     "/model.23/cv2.0/cv2.0.2/Conv_output_0_Conv",  # cut in two by a redraw, joined again
                     "images_Cast"]
    assert [t["status"] for t in compare["tensors"]] == ["SIMILAR", "SIMILAR", "EQUAL"]
    assert compare["tensors"][0]["euclidean"] == 0.876543 and compare["tensors"][0]["sqnr"] == 18.765432
    assert compare["tensors"][1]["shape"] == [1, 64, 80, 80]
    assert compare["min_similarity"]["cosine"] == 0.987654  # the "min_similarity" spelling too
    assert compare["passed"] is True and data["errors"] == []
    assert data["steps"] == [{"name": "deploy", "status": "success", "command": (
        "model_deploy --mlir yolo11n.mlir --quantize INT8 --processor cv181x"), "exit_code": 0, "elapsed": 41.0,
        "source": "wizard", "commands": [{"command": (
            "npz_tool.py compare yolo11n_cv181x_int8_sym_tpu_outputs.npz yolo11n_top_outputs.npz "
            "--tolerance 0.8,0.5 --except - -vv"), "status": "success"}]}]


def test_every_fixture_parses_to_valid_json_without_raising():
    for path in sorted(LOGS.glob("*.log")):
        data = parse_log(path.read_bytes()).to_dict("ja")
        json.dumps(data, allow_nan=False)
        for error in data["errors"]:
            assert error["message"] and error["fix"], path.name


def test_bytes_and_garbage_never_raise():
    parse_log(b"\xff\xfe\x00garbage\r\r\n[Running]: \n[\n]\n    (\nmin_similiarity = (a, b)\n")
    report = parse_log("npz compare FAILED.\n")
    assert report.failed  # a stray FAILED line still counts


# ------------------------------------------------------------------------------- streaming

def feed_all(interpreter: LogInterpreter, text: str, stream: str = "stdout"):
    events = []
    for line in text.split("\n"):
        events.extend(interpreter.feed(line, stream))
    return events


def test_streaming_events_for_a_clean_run():
    text = read("clean_yolo11n.log")
    interpreter = LogInterpreter()
    events = feed_all(interpreter, text)
    events += interpreter.finish(0)
    assert sum(isinstance(e, LogLine) for e in events) == len(text.split("\n"))
    assert [(e.step, e.command.split()[0]) for e in events if isinstance(e, StepStarted)] == [
        ("transform", "model_transform"), ("calibrate", "run_calibration"), ("deploy", "model_deploy")]
    finished = [e for e in events if isinstance(e, StepFinished)]
    assert [(e.step, e.ok, e.exit_code) for e in finished] == [
        ("transform", True, 0), ("calibrate", True, 0), ("deploy", True, 0)]
    assert not [e for e in events if isinstance(e, ProblemRaised)]
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress and all(0.0 <= e.fraction <= 1.0 for e in progress)
    calibrate = [e for e in progress if e.step == "calibrate"]
    assert calibrate[-1].fraction == 1.0
    assert any(e.text.startswith("activation_collect_and_calc_th for op: ") for e in calibrate)
    fractions = [e.fraction for e in calibrate]
    assert fractions == sorted(fractions)  # the calibration phases add up to one rising bar
    lines = [e for e in events if isinstance(e, LogLine)]
    assert {e.step for e in lines if "npz_tool.py compare" in e.text} == {"transform", "deploy"}


def test_progress_from_a_tqdm_line():
    interpreter = LogInterpreter()
    interpreter.feed("[wizard] step deploy started: model_deploy --mlir x.mlir")
    events = interpreter.feed("\rcompare /model.0/conv/Conv_output_0_Conv:  50%|█████     | 115/230 [00:11<00:11, 10.39it/s]",
                              "stderr")
    line, progress = events
    assert isinstance(line, LogLine) and line.stream == "stderr" and line.step == "deploy"
    assert line.text.startswith("compare /model.0/conv")
    assert (progress.step, progress.fraction, progress.done, progress.total, progress.text) == (
        "deploy", 0.5, 115, 230, "compare /model.0/conv/Conv_output_0_Conv")


def test_streaming_lines_split_at_carriage_returns_like_the_runners():
    """The runners' LineSplitter ends a line at every '\\r': a cut stdout line arrives in pieces."""
    raw = LOGS.joinpath("tqdm_interleaved.log").read_bytes().decode("utf-8")
    interpreter = LogInterpreter()
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        interpreter.feed(line)
    interpreter.finish(0)
    names = [t.name for t in interpreter.report.compare[0].tensors]
    assert "/model.23/cv2.0/cv2.0.2/Conv_output_0_Conv" in names and len(names) == 3


def test_streaming_kill_without_finished_marker():
    interpreter = LogInterpreter()
    feed_all(interpreter, "[wizard] step calibrate started: run_calibration x.mlir\ninput_num = 500, ref = 500")
    events = interpreter.finish(137)
    finished = [e for e in events if isinstance(e, StepFinished)]
    problems = [e for e in events if isinstance(e, ProblemRaised)]
    assert [(e.step, e.ok, e.exit_code) for e in finished] == [("calibrate", False, 137)]
    assert [p.problem.code for p in problems] == ["toolchain_killed_oom"]
    assert problems[0].step == "calibrate"


def test_streaming_problem_raised_once_at_the_line_that_shows_it():
    interpreter = LogInterpreter()
    events = feed_all(interpreter, read("calibration_no_inputs.log"))
    raised = [e for e in events if isinstance(e, ProblemRaised)]
    assert [(e.problem.code, e.step) for e in raised] == [("toolchain_no_calibration_inputs", "calibrate")]
    assert interpreter.finish(1) == []  # nothing new: the cause is already known


def test_finish_with_a_failure_and_no_output_names_the_last_lines():
    interpreter = LogInterpreter()
    feed_all(interpreter, "something went sideways\nreally sideways")
    events = interpreter.finish(2)
    assert [e.problem.code for e in events if isinstance(e, ProblemRaised)] == ["toolchain_step_failed"]
    assert "really sideways" in events[-1].problem.message


def test_cached_step_and_wizard_errors():
    interpreter = LogInterpreter()
    events = feed_all(interpreter, "[wizard] step calibrate skipped (cached)\n"
                                   "[wizard] step deploy started: model_deploy\n"
                                   "[wizard] error: model_deploy is not installed in this image (is tpu_mlir installed?)\n"
                                   "[wizard] step deploy finished rc=127 elapsed=0")
    skipped = [e for e in events if isinstance(e, StepFinished) and e.skipped]
    assert [e.step for e in skipped] == ["calibrate"]
    report = interpreter.report.to_dict()
    assert [s["status"] for s in report["steps"]] == ["skipped", "failed"]
    assert codes(report) == ["toolchain_not_installed"]


def test_problems_render_in_japanese():
    report = parse_log(read("calibration_oom_137.log"))
    ja = report.to_dict("ja")["errors"][0]
    assert "メモリ" in ja["message"] and ja["fix"]


def test_interpreter_is_cheap():
    lines = read("clean_yolo11n.log").split("\n")
    batch = (lines * (20000 // len(lines) + 1))[:20000]
    interpreter = LogInterpreter()
    started = time.perf_counter()
    for line in batch:
        interpreter.feed(line)
    elapsed = time.perf_counter() - started
    assert elapsed < 4.0, f"{len(batch) / elapsed:.0f} lines/s"  # the contract: 5,000 lines/s


def test_non_finite_values_become_strings():
    report = parse_log("[Running]: npz_tool.py compare a_model_outputs.npz b.npz --tolerance 0.99,0.90 --except - -vv\n"
                       "[x                               ]  NOT_SIMLIAR [FAILED]\n"
                       "    (1, 2) float32 \n"
                       "    cosine_similarity      = nan\n"
                       "    euclidean_similarity   = -inf\n"
                       "    sqnr_similarity        = inf\n"
                       "min_similiarity = (nan, -inf, inf)\n"
                       "npz compare FAILED.\n")
    data = report.to_dict()
    tensor = data["compare"][0]["tensors"][0]
    assert (tensor["cosine"], tensor["euclidean"], tensor["sqnr"]) == ("nan", "-inf", "inf")
    assert data["compare"][0]["min_similarity"] == {"cosine": "nan", "euclidean": "-inf", "sqnr": "inf"}
    assert math.isnan(report.compare[0].tensors[0].cosine)
    json.dumps(data, allow_nan=False)


def test_disk_full():
    report = parse_log("[wizard] step calibrate started: run_calibration x.mlir\n"
                       "OSError: [Errno 28] No space left on device: 'x_calib_table'\n"
                       "[wizard] step calibrate finished rc=1 elapsed=3\n")
    assert codes(report.to_dict()) == ["toolchain_disk_full"]


@pytest.mark.parametrize("fixture", ["clean_yolo11n_buffered.log", "deploy_compare_failed_buffered.log"])
def test_block_buffered_stdout_order(fixture):
    """Into a pipe the tools' print() is block-buffered: comparisons overtake their [Running] line,
    and lines are cut at 8 KiB boundaries. The report must be the same as for the flushed log."""
    buffered = parse_log(read(fixture)).to_dict()
    flushed = parse_log(read(fixture.replace("_buffered", ""))).to_dict()
    summary = lambda data: [(c["kind"], c["tolerance"], c["passed"], c["compared"], len(c["tensors"]),
                             c["failed_count"], c["min_similarity"]) for c in data["compare"]]
    assert summary(buffered) == summary(flushed)
    assert [(s["name"], s["status"]) for s in buffered["steps"]] == [(s["name"], s["status"]) for s in flushed["steps"]]
    for step in buffered["steps"]:
        commands = [c["command"] for c in step["commands"]]
        assert len(commands) == len(set(commands))  # no entry twice, though its end came first
    assert codes(buffered) == codes(flushed)
    assert [e["message"] for e in buffered["errors"]] == [e["message"] for e in flushed["errors"]]


def test_tolerance_taken_from_the_step_command_when_the_running_line_is_missing():
    report = parse_log("[wizard] step deploy started: model_deploy --mlir x.mlir --tolerance 0.85\\,0.45 --model x.cvimodel\n"
                       "[x_Conv                          ]  NOT_SIMLIAR [FAILED]\n"
                       "    cosine_similarity      = 0.700000\n"
                       "    euclidean_similarity   = 0.300000\n"
                       "    sqnr_similarity        = 3.000000\n"
                       "Target    x_cv181x_int8_sym_tpu_outputs.npz\n"
                       "Reference x_top_outputs.npz\n"
                       "npz compare FAILED.\n")
    assert "tolerance 0.85,0.45" in report.errors[0].message


def test_the_kernels_oom_kill_count_gives_the_memory_message_with_the_picture_count():
    """The wheel's launcher ends an OOM-killed tool with exit 1 and no message; convert.sh's
    marker (the cgroup's oom_kill count rose during the step) is what names the cause."""
    report = parse_log("[wizard] step calibrate started: run_calibration x.mlir --dataset ../calibration "
                       "--input_num 60 -o x_calib_table\n"
                       "2026/12/01 10:00:00 - INFO : TPU-MLIR v1.7-20240419\n"
                       "[wizard] step calibrate ran out of memory: the kernel's OOM killer ended 1 process(es)\n"
                       "[wizard] step calibrate finished rc=1 elapsed=40\n")
    data = report.to_dict()
    assert codes(data) == ["toolchain_out_of_memory"]  # not also "step failed with exit 1"
    error = data["errors"][0]
    assert "calibrate" in error["message"] and "60 calibration pictures" in error["message"]
    assert "30 instead of 60" in error["fix"]
    assert [(s["name"], s["status"], s["exit_code"]) for s in data["steps"]] == [("calibrate", "failed", 1)]


def test_a_transform_killed_for_memory_does_not_blame_the_pictures():
    report = parse_log("[wizard] step transform started: model_transform --model_name x\n"
                       "[wizard] step transform ran out of memory: the kernel's OOM killer ended 1 process(es)\n"
                       "[wizard] step transform finished rc=1 elapsed=4\n")
    assert [p.code for p in report.errors] == ["toolchain_killed_oom"]
    assert "transform" in report.errors[0].message and "more memory" in report.errors[0].fix


def test_a_pasted_model_transform_command_names_every_option_1_7_does_not_know():
    """No wizard markers (a user's paste): the shell line gives the step and its options. The
    last lines are the real model_transform 1.7's for an unknown option with a value."""
    report = parse_log("$ model_transform --model_name y --model_def y.onnx --tolerence 0.99,0.99 --cache_skp "
                       "--mean=-0.5,-0.5,-0.5 --toler 0.9,0.9 --mlir y.mlir\n"
                       + read("transform_misspelled_option_with_value.log").split("\n", 1)[1].rsplit("[wizard]", 1)[0])
    assert [(p.code, p.params) for p in report.errors] == [
        ("toolchain_unknown_option", {"tool": "model_transform", "options": "--tolerence, --cache_skp"})]
    assert report.steps[0].name == "transform" and report.steps[0].status == "failed"


def test_the_same_python_error_elsewhere_is_not_called_an_option():
    report = parse_log("[wizard] step deploy started: model_deploy --mlir x.mlir\n"
                       "Traceback (most recent call last):\n"
                       '  File "model_deploy.py", line 1, in <module>\n'
                       'TypeError: can only concatenate str (not "list") to str\n'
                       "[wizard] step deploy finished rc=1 elapsed=1\n")
    assert [p.code for p in report.errors] == ["toolchain_tool_error"]
