"""``recamera-wizard images``: run as users run it, in a subprocess, and check exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from wizard.core.images.samples import draw_scene

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_wizard(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "RECAMERA_WIZARD_LANG")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT, env=env, timeout=120,
    )


def make_folder(folder: Path, good: int, extras: bool = True) -> Path:
    folder.mkdir(parents=True)
    for i in range(good):
        draw_scene((96, 72), 500 + i).save(folder / f"photo_{i:03d}.JPG", "JPEG", quality=90)
    if extras:
        (folder / "notes.jpg").write_text("not an image", encoding="utf-8")
        (folder / ".DS_Store").write_bytes(b"\x00")
        (folder / "copy.jpg").write_bytes((folder / "photo_000.JPG").read_bytes())
    return folder


def test_json_report_and_exit_0_with_enough_images(tmp_path):
    src = make_folder(tmp_path / "src", 60)
    out = tmp_path / "out"
    result = run_wizard("images", str(src), "--out", str(out), "--count", "50", "--seed", "3", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["accepted"]) == 50
    assert data["usable_total"] == 60
    assert [r["source"] for r in data["rejected"]] == [str(src / "notes.jpg")]
    assert "not an image" in data["rejected"][0]["reason"]
    assert data["duplicates"] == [{"source": str(src / "photo_000.JPG"), "same_as": str(src / "copy.jpg")}]
    assert data["ignored"] == [str(src / ".DS_Store")]
    assert {p["code"] for p in data["problems"]} >= {"calib_sampled", "calib_rejected_files"}
    assert all(set(p) == {"code", "severity", "params", "message", "fix"} for p in data["problems"])
    for item in data["accepted"]:
        output = Path(item["output"])
        assert output.is_file() and output.suffix == ".jpg" and output.name.isascii()
        with Image.open(output) as image:
            assert image.format == "JPEG" and image.mode == "RGB"

    again = run_wizard("images", str(src), "--out", str(out), "--count", "50", "--seed", "3", "--json")
    assert again.returncode == 0, again.stderr
    assert [a["source"] for a in json.loads(again.stdout)["accepted"]] == [a["source"] for a in data["accepted"]]


def test_too_few_images_exit_2_with_the_reason(tmp_path):
    src = make_folder(tmp_path / "src", 4)
    result = run_wizard("images", str(src), "--out", str(tmp_path / "out"), "--json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert [p["code"] for p in errors] == ["calib_too_few_images"]
    assert str(src) in errors[0]["message"]


def test_few_images_warn_but_exit_0(tmp_path):
    src = make_folder(tmp_path / "src", 15, extras=False)
    result = run_wizard("images", str(src), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "Prepared 15 calibration images" in result.stdout
    assert "warning: Only 15 usable images" in result.stderr
    assert "Traceback" not in result.stderr


def test_human_output_lists_each_rejected_file_with_the_fix(tmp_path):
    src = make_folder(tmp_path / "src", 12)
    result = run_wizard("images", str(src), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert f"{src / 'notes.jpg'} is not an image" in result.stdout
    assert "remove it from the folder" in result.stdout
    assert f"{src / 'photo_000.JPG'} is the same image as {src / 'copy.jpg'}" in result.stdout


def test_output_inside_source_is_refused_with_exit_2(tmp_path):
    src = make_folder(tmp_path / "src", 12)
    result = run_wizard("images", str(src), "--out", str(src / "calib"), "--json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["problems"][0]["code"] == "calib_output_inside_source"
    assert not (src / "calib").exists()
    plain = run_wizard("images", str(src), "--out", str(src / "calib"))
    assert plain.returncode == 2
    assert "error: The output folder" in plain.stderr and "Traceback" not in plain.stderr


def test_missing_source_is_exit_2_not_a_traceback(tmp_path):
    result = run_wizard("images", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("json_flag", [False, True])
def test_japanese_output(tmp_path, json_flag):
    src = make_folder(tmp_path / "src", 12)
    args = ["--lang", "ja", "images", str(src), "--out", str(tmp_path / "out")]
    result = run_wizard(*args, *(["--json"] if json_flag else []))
    assert result.returncode == 0, result.stderr
    if json_flag:
        data = json.loads(result.stdout)
        assert "画像ではありません" in data["rejected"][0]["reason"]
        assert any("使える画像は 12 枚" in p["message"] for p in data["problems"])
    else:
        assert "キャリブレーション画像を 12 枚用意しました" in result.stdout
        assert "画像ではありません" in result.stdout
        assert "警告:" in result.stderr


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that stores raw bytes")
@pytest.mark.parametrize("json_flag", [False, True])
def test_file_names_that_are_not_utf8_do_not_crash(tmp_path, json_flag):
    src = make_folder(tmp_path / "src", 12, extras=False)
    latin1_name = os.path.join(os.fsencode(src), b"caf\xe9.jpg")  # "café.jpg" from an old camera
    with open(latin1_name, "wb") as handle:
        draw_scene((96, 72), 77).save(handle, "JPEG")
    (src / "broken.jpg").write_bytes(b"")
    os.rename(src / "broken.jpg", os.path.join(os.fsencode(src), b"bad\xff.jpg"))
    # A UTF-8 terminal: Python's strict encoder is what crashed on such names.
    result = run_wizard("images", str(src), "--out", str(tmp_path / "out"), *(["--json"] if json_flag else []),
                        PYTHONIOENCODING="utf-8:strict")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if json_flag:
        data = json.loads(result.stdout)
        assert len(data["accepted"]) == 13
        assert any(Path(a["output"]).name.startswith("calib_") and Path(a["output"]).name.isascii()
                   for a in data["accepted"])
        assert len(data["rejected"]) == 1
    else:
        assert "is empty" in result.stdout


@pytest.mark.parametrize("args, said", [(("--max-side", "-5"), "--max-side -5 is not a size"),
                                        (("--max-side", "0"), "from 32 to 8192"),
                                        (("--max-side", "100000"), "--max-side 100000"),
                                        (("--count", "-3"), "--count -3 is not a number of images")])
def test_values_out_of_range_are_refused_with_the_rule_and_nothing_is_made(tmp_path, args, said):
    import subprocess
    import sys

    from conftest import REPO_ROOT
    from wizard.core.images.samples import generate_sample_images

    photos = tmp_path / "photos"
    generate_sample_images(photos, 12, size=(160, 120))
    result = subprocess.run([sys.executable, "-m", "wizard", "images", str(photos), "--out", str(tmp_path / "out"),
                             *args], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
                            env={"PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
