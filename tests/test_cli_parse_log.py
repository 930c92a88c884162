"""recamera-wizard parse-log / check-model, run as a user would (python -m wizard ...)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cvimodel_factory import double_cvimodel  # a real .cvimodel from the double's writer (model_tool reads it)

REPO = Path(__file__).resolve().parent.parent
LOGS = REPO / "tests" / "fixtures" / "logs"


def wizard(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), RECAMERA_WIZARD_LANG="en")
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=60)


def test_clean_log_exits_0_with_json():
    result = wizard("parse-log", str(LOGS / "clean_yolo11n.log"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["errors"] == []
    assert [c["kind"] for c in data["compare"]] == ["top_vs_onnx", "tpu_vs_top", "model_vs_tpu"]
    assert data["compare"][2]["min_similarity"]["sqnr"] == "inf"


@pytest.mark.parametrize("fixture, code", [
    ("deploy_compare_failed.log", "toolchain_compare_failed"),
    ("calibration_oom_137.log", "toolchain_out_of_memory"),
    ("calibration_no_inputs.log", "toolchain_no_calibration_inputs"),
    ("docker_permission_denied.log", "toolchain_docker_permission_denied"),
])
def test_failed_logs_exit_3_with_the_error(fixture, code):
    result = wizard("parse-log", str(LOGS / fixture), "--json")
    assert result.returncode == 3
    assert [e["code"] for e in json.loads(result.stdout)["errors"]] == [code]


def test_log_from_standard_input():
    env = dict(os.environ, PYTHONPATH=str(REPO), RECAMERA_WIZARD_LANG="en")
    result = subprocess.run([sys.executable, "-m", "wizard", "parse-log", "-", "--json"], cwd=REPO, env=env,
                            input=(LOGS / "calibration_no_inputs.log").read_bytes(), capture_output=True, timeout=60)
    assert result.returncode == 3
    assert [e["code"] for e in json.loads(result.stdout)["errors"]] == ["toolchain_no_calibration_inputs"]


def test_human_summary():
    result = wizard("parse-log", str(LOGS / "deploy_compare_failed.log"))
    assert result.returncode == 3
    out = result.stdout
    assert "deploy     FAILED (rc=1)" in out
    assert "INT8 vs float [0.8,0.5]: FAILED, 224/230 tensors" in out
    assert "failing: /model.23/cv2.0/cv2.0.2/Conv_output_0_Conv (NOT_SIMILAR" in out
    assert "error: Accuracy check failed" in out and "→ " in out
    assert "The log shows a failed conversion." in out


def test_human_summary_in_japanese():
    result = wizard("--lang", "ja", "parse-log", str(LOGS / "calibration_oom_137.log"))
    assert result.returncode == 3
    assert "エラー:" in result.stdout and "メモリ" in result.stdout


def test_missing_log_is_a_plain_message(tmp_path):
    result = wizard("parse-log", str(tmp_path / "nope.log"))
    assert result.returncode == 2
    assert "nope.log does not exist" in result.stderr and "Traceback" not in result.stderr
    folder = wizard("parse-log", str(tmp_path))
    assert folder.returncode == 2 and "is a folder, but a file is needed here" in folder.stderr
    assert "Traceback" not in folder.stderr


def test_check_model_sound_file(tmp_path):
    path = double_cvimodel(tmp_path / "yolo11n.cvimodel")
    result = wizard("check-model", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["ok"], data["chip"], data["version"], data["md5_ok"]) == (True, "cv181x", "1.4", True)
    human = wizard("check-model", str(path))
    assert human.returncode == 0 and "Processor: cv181x" in human.stdout and "The model file is sound." in human.stdout


def test_check_model_wrong_chip_and_any(tmp_path):
    path = double_cvimodel(tmp_path / "m.cvimodel", chip="cv180x")
    refused = wizard("check-model", str(path))
    assert refused.returncode == 2 and "built for cv180x" in refused.stdout
    assert wizard("check-model", str(path), "--chip", "cv180x").returncode == 0
    assert wizard("check-model", str(path), "--chip", "any").returncode == 0


def test_check_model_refuses_bad_files(tmp_path):
    onnx_like = tmp_path / "m.onnx"
    onnx_like.write_bytes(b"\x08\x08\x12\x07pytorch" + b"\0" * 64)
    result = wizard("check-model", str(onnx_like), "--json")
    assert result.returncode == 2
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["cvimodel_is_onnx"]
    missing = wizard("check-model", str(tmp_path / "none.cvimodel"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr + missing.stdout


def test_double_output_passes_check_model(tmp_path):
    """End to end: the toolchain double's log parses clean and its model checks sound."""
    pytest.importorskip("onnx")
    from toolchain_double.helpers import calibrate_cmd, deploy_cmd, double_env, make_workspace, transform_cmd

    ws = make_workspace(tmp_path)
    work = ws / "Workspace"
    log = bytearray()
    for cmd in (transform_cmd(), calibrate_cmd(), deploy_cmd()):
        proc = subprocess.run(cmd, cwd=work, env=double_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        log += proc.stdout
        assert proc.returncode == 0
    (work / "convert.log").write_bytes(bytes(log))
    parsed = wizard("parse-log", str(work / "convert.log"), "--json")
    assert parsed.returncode == 0, parsed.stdout
    assert [s["name"] for s in json.loads(parsed.stdout)["steps"]] == ["transform", "calibrate", "deploy"]
    assert wizard("check-model", str(work / "yolo11n_sym_int8.cvimodel")).returncode == 0


@pytest.mark.parametrize("content, code", [(b"", "empty"), (b"\n \n", "empty"),
                                           (bytes(range(256)) * 40, "not a conversion log"),
                                           (b"Dear diary, today I converted nothing.\n", "not a conversion log")])
def test_something_that_is_not_a_conversion_log_is_never_called_clean(tmp_path, content, code):
    """No toolchain: the text itself is the input."""
    import subprocess
    import sys

    from conftest import REPO_ROOT

    path = tmp_path / "convert.log"
    path.write_bytes(content)
    for extra in ((), ("--json",)):
        result = subprocess.run([sys.executable, "-m", "wizard", "parse-log", str(path), *extra], capture_output=True,
                                text=True, timeout=60, cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT)})
        assert result.returncode == 2, result.stdout + result.stderr
        assert "no problem" not in result.stdout
        assert code in result.stderr and str(path) in result.stderr
        assert "Traceback" not in result.stderr
