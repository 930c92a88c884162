"""``recamera-wizard inspect`` as a user runs it: a subprocess, its output and its exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.core.model.samples import write_sample_model

REPO_ROOT = Path(__file__).resolve().parent.parent
SIZE = (96, 128)
HEAD = [f"/model.23/{b}.{i}/{b}.{i}.2/Conv_output_0" for i in range(3) for b in ("cv2", "cv3")]


def wizard(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("RECAMERA_WIZARD_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=REPO_ROOT, env=env, timeout=120)


@pytest.fixture(scope="module")
def good_model(tmp_path_factory) -> Path:
    return write_sample_model(tmp_path_factory.mktemp("cli") / "yolo11n.onnx", imgsz=SIZE)


def test_json_report_of_a_good_model(good_model):
    result = wizard("inspect", str(good_model), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["family"] == "yolo11" and data["task"] == "detect"
    assert data["input"] == {"name": "images", "shape": [1, 3, 96, 128]}
    assert data["ir_version"] == 8 and data["opset"] == 17
    assert data["output_names"] == HEAD
    assert data["class_names"] == ["person", "car", "dog"]
    assert data["problems"] == [] and data["convertible"] is True


def test_json_report_of_a_blocked_model_exits_2(tmp_path):
    path = write_sample_model(tmp_path / "dyn.onnx", dynamic=True, imgsz=SIZE)
    result = wizard("inspect", str(path), "--json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert [p["code"] for p in data["problems"]] == ["model_dynamic_input"]
    issue = data["problems"][0]
    assert set(issue) == {"code", "severity", "params", "message", "fix"}
    assert issue["severity"] == "error" and str(path) in issue["message"] and "dynamic=False" in issue["fix"]


def test_warnings_alone_do_not_block(tmp_path):
    path = write_sample_model(tmp_path / "new.onnx", ir_version=10, opset=21, imgsz=SIZE)
    result = wizard("inspect", str(path), "--json")
    assert result.returncode == 0
    assert [p["severity"] for p in json.loads(result.stdout)["problems"]] == ["warning"]


@pytest.mark.parametrize("make", ["truncated", "text", "missing", "empty"])
def test_broken_files_exit_2_without_a_traceback(tmp_path, good_model, make):
    path = tmp_path / "model.onnx"
    if make == "truncated":
        data = good_model.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif make == "text":
        path.write_text("this is not a model\n")
    elif make == "empty":
        path.write_bytes(b"")
    result = wizard("inspect", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert str(path) in result.stdout and "error:" in result.stdout


def test_human_summary_in_english(good_model):
    result = wizard("--lang", "en", "inspect", str(good_model))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Family: yolo11" in out and "Task: detect" in out
    assert "images [1x3x96x128]" in out and "IR 8, opset 17" in out
    assert all(name in out for name in HEAD)
    assert out.index(HEAD[0]) < out.index(HEAD[1]) < out.index(HEAD[5])
    assert "person, car, dog" in out and "Ready to convert." in out


def test_japanese_output(tmp_path):
    path = write_sample_model(tmp_path / "odd.onnx", imgsz=(100, 130))
    result = wizard("--lang", "ja", "inspect", str(path))
    assert result.returncode == 2
    out = result.stdout
    assert "ファミリー: yolo11" in out
    assert "エラー:" in out and "32 の倍数" in out and "imgsz=[96, 128]" in out
    assert "変換できません" in out


def test_japanese_json_messages(tmp_path):
    path = write_sample_model(tmp_path / "m.onnx", metadata=False, imgsz=SIZE)
    result = wizard("--lang", "ja", "inspect", str(path), "--json")
    assert result.returncode == 0
    (issue,) = json.loads(result.stdout)["problems"]
    assert issue["code"] == "model_no_class_names" and "クラス名" in issue["message"]


def test_output_names_override(tmp_path):
    path = write_sample_model(tmp_path / "plain.onnx", family="plain", imgsz=SIZE)
    ok = wizard("inspect", str(path), "--json", "--output-names", "output")
    assert ok.returncode == 0 and json.loads(ok.stdout)["output_names"] == ["output"]
    bad = wizard("inspect", str(path), "--json", "--output-names", "output,no_such_tensor")
    assert bad.returncode == 2
    assert [p["code"] for p in json.loads(bad.stdout)["problems"]] == ["model_output_not_found"]
