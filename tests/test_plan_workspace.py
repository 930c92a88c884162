"""stage_workspace and `recamera-wizard plan` on real files: a sample model, generated images."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.core.messages import WizardError
from wizard.core.plan.choices import choices_from_recipe
from wizard.core.plan.commands import cache_keys, recipe_commands, render_convert_script
from wizard.core.plan.workspace import stage_workspace
from wizard.core.plan.choices import ConversionChoices
from wizard.core.plan.workspace import PlanBlocked
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.images.samples import generate_sample_images
from wizard.core.model.samples import write_sample_model

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources")
    model = write_sample_model(root / "yolo11n.onnx", family="yolo11", imgsz=(320, 320))
    images = root / "photos"
    generate_sample_images(images, 60, size=(400, 300), seed=3)
    return model, images


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_stage_workspace_lays_out_everything_the_toolchain_needs(sources, tmp_path):
    model, images = sources
    before = _tree_digest(images)
    staged = stage_workspace(ConversionChoices(model=str(model), images=str(images),
                                                    out=str(tmp_path / "ws"), calibration_count=40))
    ws = staged.workdir
    recipe = staged.recipe
    assert (ws / "model" / "yolo11n.onnx").is_file()
    assert len(list((ws / "calibration").glob("*.jpg"))) == 40 == recipe.calibration_images
    assert (ws / "image" / "test.jpg").is_file()
    assert ConversionRecipe.load(ws / "recipe.json") == recipe
    assert (ws / "convert.sh").read_text() == render_convert_script(recipe)
    assert os.access(ws / "convert.sh", os.X_OK)
    assert not [p for p in ws.iterdir() if p.name.startswith(".staging")]
    # From the inspected model, not from defaults.
    assert recipe.input_shape == (1, 3, 320, 320)
    assert recipe.output_names == tuple(
        f"/model.23/{b}.{i}/{b}.{i}.2/Conv_output_0" for i in range(3) for b in ("cv2", "cv3")
    )
    assert recipe.class_names == ("person", "car", "dog")
    assert recipe.family == "yolo11" and recipe.task == "detect"
    transform = recipe_commands(recipe)[0]
    assert transform.argv[transform.argv.index("--input_shapes") + 1] == "[[1,3,320,320]]"
    # Hashes are of what was staged.
    assert recipe.model_sha256 == hashlib.sha256((ws / recipe.model_file).read_bytes()).hexdigest()
    assert not recipe.model_converted
    assert _tree_digest(images) == before, "the source images must never change"


def test_recipe_reload_reproduces_the_same_plan(sources, tmp_path):
    model, images = sources
    first = stage_workspace(ConversionChoices(model=str(model), images=str(images),
                                                   out=str(tmp_path / "a"), calibration_count=30,
                                                   tolerance=(0.85, 0.45)))
    again = stage_workspace(choices_from_recipe(first.recipe, str(tmp_path / "b")))
    assert recipe_commands(again.recipe) == recipe_commands(first.recipe)
    assert cache_keys(again.recipe) == cache_keys(first.recipe)


def test_a_model_too_new_for_the_toolchain_is_staged_as_a_converted_copy(sources, tmp_path):
    import onnx

    _, images = sources
    new = write_sample_model(tmp_path / "new.onnx", family="yolo11", imgsz=(320, 320), ir_version=10,
                             opset=21)
    staged = stage_workspace(ConversionChoices(model=str(new), images=str(images),
                                                    out=str(tmp_path / "ws"), calibration_count=20))
    assert staged.recipe.model_converted
    copy = onnx.load(str(staged.workdir / staged.recipe.model_file))
    assert copy.ir_version <= 8
    assert max(o.version for o in copy.opset_import if o.domain in ("", "ai.onnx")) <= 17
    assert onnx.load(str(new)).ir_version == 10, "the source model is untouched"
    assert "model_ir_too_new" in [p.code for p in staged.problems] or staged.problems


def test_blocked_plan_leaves_an_earlier_workspace_intact(sources, tmp_path):
    model, images = sources
    ws = tmp_path / "ws"
    stage_workspace(ConversionChoices(model=str(model), images=str(images), out=str(ws),
                                           calibration_count=20))
    before = _tree_digest(ws)
    with pytest.raises(PlanBlocked) as blocked:
        stage_workspace(ConversionChoices(model=str(model), images=str(images), out=str(ws),
                                               quantize="F16"))
    assert [p.code for p in blocked.value.errors] == ["plan_quantize_unsupported"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PlanBlocked) as no_images:
        stage_workspace(ConversionChoices(model=str(model), images=str(empty), out=str(ws)))
    assert no_images.value.errors
    assert _tree_digest(ws) == before


def test_output_folder_with_someone_elses_files_is_refused(sources, tmp_path):
    model, images = sources
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(WizardError) as caught:
        stage_workspace(ConversionChoices(model=str(model), images=str(images), out=str(out)))
    assert caught.value.problem.code == "output_not_empty"
    assert (out / "thesis.docx").read_text() == "precious"
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]


def test_output_names_not_in_the_graph_are_refused_before_the_toolchain(sources, tmp_path):
    model, images = sources
    with pytest.raises(PlanBlocked) as blocked:
        stage_workspace(ConversionChoices(model=str(model), images=str(images),
                                               out=str(tmp_path / "ws"),
                                               output_names=("/model.22/cv2.0/cv2.0.2/Conv_output_0",)))
    assert blocked.value.errors[0].code == "plan_output_names_missing"
    assert "/model.22/cv2.0" in blocked.value.errors[0].message


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def test_plan_cli_with_a_hostile_model_name(sources, tmp_path):
    model, images = sources
    hostile = tmp_path / "a b;rm -rf ~ $(touch pwned).onnx"
    hostile.write_bytes(model.read_bytes())
    result = _cli("plan", "--model", str(hostile), "--images", str(images), "--out",
                  str(tmp_path / "ws"), "--calibration-count", "15", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["recipe"]["name"] == "a_b_rm_-rf_touch_pwned"
    assert data["recipe"]["display_name"] == "a b;rm -rf ~ $(touch pwned)"
    script = (tmp_path / "ws" / "convert.sh").read_text()
    assert "$(touch" not in script and "rm -rf" not in script
    assert subprocess.run(["bash", "-n", str(tmp_path / "ws" / "convert.sh")]).returncode == 0
    assert [c["step"] for c in data["commands"]] == ["transform", "calibrate", "deploy"]


def test_plan_cli_refuses_invalid_combinations_with_exit_2_in_both_languages(sources, tmp_path):
    model, images = sources
    args = ("plan", "--model", str(model), "--images", str(images), "--out", str(tmp_path / "ws"),
            "--no-fuse-preprocess", "--customization-format", "RGB_PACKED")
    result = _cli(*args)
    assert result.returncode == 2
    assert "Fuse preprocessing" in result.stderr and "Traceback" not in result.stderr
    ja = _cli("--lang", "ja", *args)
    assert ja.returncode == 2 and "前処理" in ja.stderr
    assert not (tmp_path / "ws").exists()


def test_plan_cli_recipe_round_trip_with_an_override(sources, tmp_path):
    model, images = sources
    first = _cli("plan", "--model", str(model), "--images", str(images), "--out", str(tmp_path / "a"),
                 "--calibration-count", "12", "--json")
    assert first.returncode == 0, first.stderr
    second = _cli("plan", "--recipe", str(tmp_path / "a" / "recipe.json"), "--out", str(tmp_path / "b"),
                  "--tolerance", "0.85,0.45", "--json")
    assert second.returncode == 0, second.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert b["recipe"]["calibration_count"] == 12
    assert b["recipe"]["tolerance"] == [0.85, 0.45]
    assert a["commands"][:2] == b["commands"][:2]
    assert "--tolerance" in b["commands"][2]["argv"] and "--tolerance" not in a["commands"][2]["argv"]


def test_plan_cli_missing_model_is_a_message_not_a_traceback(tmp_path):
    result = _cli("plan", "--model", str(tmp_path / "nope.onnx"), "--images", str(tmp_path),
                  "--out", str(tmp_path / "ws"))
    assert result.returncode == 2
    assert "nope.onnx does not exist" in result.stderr and "Traceback" not in result.stderr
