"""The plan's pure half, tested by value: recipe, command lines, validation, cache keys, convert.sh."""

from __future__ import annotations

import os
import shlex
import subprocess
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from wizard.core.messages import WizardError
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.plan.choices import build_recipe, resolved_aligned_input, safe_name, validate_choices
from wizard.core.plan.commands import cache_keys, expected_outputs, recipe_commands, render_convert_script
from wizard.core.model.inspect import ModelReport
from wizard.core.plan.choices import ConversionChoices

HEAD = tuple(
    f"/model.23/{branch}.{i}/{branch}.{i}.2/Conv_output_0" for i in range(3) for branch in ("cv2", "cv3")
)

# The guide's Steps 5.2-5.4 (../shared/seeds, toolchain.md), verbatim.
GUIDE = {
    "transform": """model_transform --model_name yolo11n --model_def yolo11n_v8.onnx
  --input_shapes "[[1,3,640,640]]" --mean "0.0,0.0,0.0"
  --scale "0.0039216,0.0039216,0.0039216" --keep_aspect_ratio --pixel_format rgb
  --output_names "/model.23/cv2.0/cv2.0.2/Conv_output_0,/model.23/cv3.0/cv3.0.2/Conv_output_0,/model.23/cv2.1/cv2.1.2/Conv_output_0,/model.23/cv3.1/cv3.1.2/Conv_output_0,/model.23/cv2.2/cv2.2.2/Conv_output_0,/model.23/cv3.2/cv3.2.2/Conv_output_0"
  --test_input ../image/test.jpg --test_result yolo11n_top_outputs.npz --mlir yolo11n.mlir""",
    "calibrate": "run_calibration yolo11n.mlir --dataset ../COCO2017 --input_num 100 -o yolo11n_calib_table",
    "deploy": """model_deploy --mlir yolo11n.mlir --quantize INT8 --quant_input --processor cv181x
  --calibration_table yolo11n_calib_table --test_input ../image/test.jpg
  --test_reference yolo11n_top_outputs.npz --customization_format RGB_PACKED
  --fuse_preprocess --aligned_input --model yolo11n_sym_int8.cvimodel""",
}
# Options whose values are paths: the guide's layout differs from the workspace's, by design.
WORKSPACE_PATHS = {
    ("transform", "--model_def"): "../model/yolo11n.onnx",
    ("calibrate", "--dataset"): "../calibration",
}


def _options(argv) -> tuple[str, list[tuple[str, str | None]]]:
    """(tool, [(option, value or None for flags)]) with positional arguments as ("", value)."""
    tool, rest = argv[0], list(argv[1:])
    pairs: list[tuple[str, str | None]] = []
    while rest:
        token = rest.pop(0)
        if token.startswith("-"):
            value = rest.pop(0) if rest and not rest[0].startswith("-") else None
            pairs.append((token, value))
        else:
            pairs.append(("", token))
    return tool, pairs


def yolo11n_report(**changes) -> ModelReport:
    report = ModelReport(
        path="/models/yolo11n.onnx",
        family="yolo11",
        task="detect",
        input_name="images",
        input_shape=(1, 3, 640, 640),
        ir_version=8,
        opset=17,
        output_names=HEAD,
        graph_outputs=("output0",),
        class_names=("person", "bicycle"),
    )
    return replace(report, **changes)


def yolo11n_recipe(**choice_changes) -> ConversionRecipe:
    choices = ConversionChoices(model="/models/yolo11n.onnx", images="/photos", out="/ws", **choice_changes)
    return build_recipe(
        choices,
        yolo11n_report(),
        model_file="model/yolo11n.onnx",
        model_sha256="m" * 64,
        model_converted=False,
        source_model_sha256="m" * 64,
        calibration_images=100,
        images_sha256="i" * 64,
        test_image_sha256="t" * 64,
        source_test_image="/photos/a.jpg",
    )


def test_default_yolo11n_commands_match_the_guide_option_by_option():
    commands = {c.step: c for c in recipe_commands(yolo11n_recipe())}
    assert list(commands) == ["transform", "calibrate", "deploy"]
    for step, guide_text in GUIDE.items():
        guide_tool, guide_options = _options(shlex.split(guide_text))
        tool, options = _options(commands[step].argv)
        assert tool == guide_tool
        expected = [
            (opt, WORKSPACE_PATHS.get((step, opt), value)) for opt, value in guide_options
        ]
        assert options == expected, step


def test_output_file_names_follow_the_guide_and_processor():
    assert expected_outputs(yolo11n_recipe()) == {
        "mlir": "work/yolo11n.mlir",
        "weights": "work/yolo11n_top_f32_all_weight.npz",
        "top_outputs": "work/yolo11n_top_outputs.npz",
        "calibration_table": "work/yolo11n_calib_table",
        "model": "work/yolo11n_sym_int8.cvimodel",
    }
    bm = yolo11n_recipe(processor="bm1684x", aligned_input=False)
    assert expected_outputs(bm)["model"] == "work/yolo11n_int8.bmodel"
    bf16 = yolo11n_recipe(quantize="BF16")
    assert expected_outputs(bf16)["model"] == "work/yolo11n_bf16.cvimodel"


def test_bf16_skips_calibration_and_the_table():
    commands = recipe_commands(yolo11n_recipe(quantize="BF16"))
    assert [c.step for c in commands] == ["transform", "deploy"]
    assert "--calibration_table" not in commands[-1].argv
    assert "calibrate" not in cache_keys(yolo11n_recipe(quantize="BF16"))


def test_expert_options_reach_the_commands():
    recipe = yolo11n_recipe(
        tolerance=(0.85, 0.45), mean=(1.0, 2.0, 3.0), scale=(0.5, 0.5, 0.5), pixel_format="bgr",
        keep_aspect_ratio=False, fuse_preprocess=False, aligned_input=False, quant_input=False,
        output_names=("a", "b"), calibration_count=20,
    )
    transform, _, deploy = recipe_commands(recipe)
    t = dict(_options(transform.argv)[1])
    assert t["--mean"] == "1.0,2.0,3.0" and t["--scale"] == "0.5,0.5,0.5"
    assert t["--pixel_format"] == "bgr" and t["--output_names"] == "a,b"
    assert "--keep_aspect_ratio" not in t
    d = dict(_options(deploy.argv)[1])
    assert d["--tolerance"] == "0.85,0.45"
    for flag in ("--fuse_preprocess", "--aligned_input", "--quant_input", "--customization_format"):
        assert flag not in d


def test_negative_values_are_written_joined_to_their_option():
    """model_transform 1.7's --mean/--scale take an optional value (nargs='?'): "--mean -0.5,..."
    would read the value as an unknown option, so it is written "--mean=-0.5,..." (both forms
    are accepted for positive values; those keep the guide's spelling)."""
    transform = recipe_commands(yolo11n_recipe(mean=(-0.5, -0.5, -0.5), scale=(-1.0, 0.5, 0.5)))[0]
    assert "--mean=-0.5,-0.5,-0.5" in transform.argv and "--scale=-1.0,0.5,0.5" in transform.argv
    assert "--mean" not in transform.argv and "--scale" not in transform.argv
    assert "--mean=-0.5,-0.5,-0.5" in transform.shell
    guide = recipe_commands(yolo11n_recipe())[0].argv
    assert guide[guide.index("--mean") + 1] == "0.0,0.0,0.0"


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"processor": "cv999"}, "plan_unknown_processor"),
        ({"quantize": "F16"}, "plan_quantize_unsupported"),
        ({"quantize": "F32"}, "plan_quantize_unsupported"),
        ({"fuse_preprocess": False, "aligned_input": True}, "plan_aligned_needs_fuse"),
        ({"fuse_preprocess": False, "aligned_input": False, "customization_format": "RGB_PACKED"},
         "plan_customization_needs_fuse"),
        ({"processor": "bm1684x", "aligned_input": True}, "plan_aligned_cv18xx_only"),
        ({"customization_format": "RGB_SIDEWAYS"}, "plan_bad_customization_format"),
        ({"pixel_format": "cmyk"}, "plan_bad_pixel_format"),
        ({"mean": (0.0, 0.0)}, "plan_bad_mean_scale"),
        ({"tolerance": (1.5, 0.5)}, "plan_bad_tolerance"),
        ({"calibration_count": 0}, "plan_bad_count"),
        ({"output_names": ("a", " ")}, "plan_bad_output_names"),
    ],
)
def test_invalid_combinations_are_refused_at_plan_time(changes, code):
    choices = ConversionChoices(model="m.onnx", images="imgs", out="ws", **changes)
    problems = validate_choices(choices, yolo11n_report())
    assert code in [p.code for p in problems if p.is_error]
    first = next(p for p in problems if p.code == code)
    assert first.message and first.fix and first.text("ja")[0] != first.message


def test_default_choices_are_valid_and_bm_targets_default_to_unaligned():
    assert validate_choices(ConversionChoices(model="m", images="i", out="o"), yolo11n_report()) == []
    bm = ConversionChoices(model="m", images="i", out="o", processor="bm1684x")
    assert validate_choices(bm, yolo11n_report()) == []
    assert resolved_aligned_input(bm) is False


def test_non_yolo_model_needs_output_names_and_big_sets_warn_about_memory():
    plain = yolo11n_report(family="unknown", task="unknown", output_names=())
    codes = [p.code for p in validate_choices(ConversionChoices("m", "i", "o"), plain)]
    assert "plan_output_names_required" in codes
    given = ConversionChoices("m", "i", "o", output_names=("logits",))
    assert validate_choices(given, plain) == []
    big = validate_choices(ConversionChoices("m", "i", "o", calibration_count=500), yolo11n_report())
    assert [(p.code, p.severity) for p in big] == [("plan_calibration_memory", "warning")]


def test_model_problems_pass_through_validation():
    from wizard.core.messages import problem

    blocked = yolo11n_report(problems=(problem("file_not_found", path="x"),))
    assert [p.code for p in validate_choices(ConversionChoices("m", "i", "o"), blocked)] == [
        "file_not_found"
    ]


def test_cache_keys_change_exactly_with_their_step_inputs():
    base = cache_keys(yolo11n_recipe())
    deploy_only = cache_keys(yolo11n_recipe(tolerance=(0.85, 0.45)))
    assert deploy_only["transform"] == base["transform"]
    assert deploy_only["calibrate"] == base["calibrate"]
    assert deploy_only["deploy"] != base["deploy"]
    other_processor = cache_keys(yolo11n_recipe(processor="cv180x"))
    assert other_processor["calibrate"] == base["calibrate"] and other_processor["deploy"] != base["deploy"]
    other_images = cache_keys(replace(yolo11n_recipe(), images_sha256="j" * 64))
    assert other_images["transform"] == base["transform"]
    assert other_images["calibrate"] != base["calibrate"] and other_images["deploy"] != base["deploy"]
    other_mean = cache_keys(yolo11n_recipe(mean=(1.0, 1.0, 1.0)))
    assert len({other_mean[k] for k in base} & set(base.values())) == 0


def test_recipe_round_trips_through_json(tmp_path):
    recipe = yolo11n_recipe(tolerance=(0.85, 0.45))
    recipe.save(tmp_path / "recipe.json")
    again = ConversionRecipe.load(tmp_path / "recipe.json")
    assert again == recipe
    assert recipe_commands(again) == recipe_commands(recipe)


def test_unreadable_recipe_is_a_clear_error(tmp_path):
    bad = tmp_path / "recipe.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(WizardError) as caught:
        ConversionRecipe.load(bad)
    assert caught.value.problem.code == "recipe_unreadable"
    assert str(bad) in caught.value.problem.message


def test_safe_name_strips_everything_a_shell_or_file_system_could_trip_on():
    assert safe_name("a b;rm -rf ~") == "a_b_rm_-rf"
    assert safe_name("$(touch pwned)") == "touch_pwned"
    assert safe_name("写真") == "model"
    assert safe_name("yolo11n") == "yolo11n"


# ------------------------------------------------------------------------------------------------
# convert.sh, run for real by bash with stand-in tools that record what they were given.
# ------------------------------------------------------------------------------------------------

FAKE_TOOL = textwrap.dedent(
    """\
    #!/usr/bin/env python3
    import json, os, sys
    name = os.path.basename(sys.argv[0])
    with open(os.environ["FAKE_TOOL_LOG"], "a") as log:
        log.write(json.dumps([name] + sys.argv[1:]) + "\\n")
    fail = os.environ.get("FAKE_TOOL_FAIL", "")
    if fail and name.startswith(fail):
        print("RuntimeError: There is no inputs")
        sys.exit(int(os.environ.get("FAKE_TOOL_RC", "1")))
    args = sys.argv[1:]
    for flag in ("--mlir", "-o", "--model", "--test_result"):
        if flag in args and (name.startswith("model_transform") or flag not in ("--mlir", "--test_result")):
            open(args[args.index(flag) + 1], "w").write("x")
    if name.startswith("model_transform"):  # the weight file the top MLIR names
        open(args[args.index("--model_name") + 1] + "_top_f32_all_weight.npz", "w").write("x")
    """
)


def _fake_toolchain(tmp_path: Path, suffix: str = "") -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("model_transform", "run_calibration", "model_deploy"):
        path = bin_dir / (tool + suffix)
        path.write_text(FAKE_TOOL)
        path.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}:/usr/bin:/bin"
    env["FAKE_TOOL_LOG"] = str(tmp_path / "calls.jsonl")
    return env


def _run_script(workspace: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(workspace / "convert.sh")], env=env, capture_output=True,
                          text=True, cwd="/")


def _calls(tmp_path: Path) -> list[list[str]]:
    import json

    log = tmp_path / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _write_workspace(tmp_path: Path, recipe) -> Path:
    workspace = tmp_path / "my workspace 作業"
    workspace.mkdir()
    (workspace / "convert.sh").write_text(render_convert_script(recipe))
    return workspace


def test_convert_script_passes_exact_arguments_even_for_hostile_values(tmp_path):
    hostile = "$(touch pwned); `touch pwned2` 'x\" && rm -rf ~"
    recipe = replace(yolo11n_recipe(output_names=(hostile, "b")), name="a_b")
    workspace = _write_workspace(tmp_path, recipe)
    env = _fake_toolchain(tmp_path)
    result = _run_script(workspace, env)
    assert result.returncode == 0, result.stderr
    calls = _calls(tmp_path)
    assert calls == [list(c.argv) for c in recipe_commands(recipe)]
    assert not list(Path("/").glob("pwned*")) and not list(workspace.rglob("pwned*"))
    lines = result.stdout.splitlines()
    # The started line shows the command exactly as one would type it again.
    assert lines[0] == "[wizard] step transform started: " + recipe_commands(recipe)[0].shell
    assert "[wizard] step deploy finished rc=0 elapsed=" in result.stdout
    assert lines[-1] == "[wizard] done: work/a_b_sym_int8.cvimodel"


def test_convert_script_skips_steps_whose_stamp_matches_and_redoes_changed_ones(tmp_path):
    recipe = yolo11n_recipe()
    workspace = _write_workspace(tmp_path, recipe)
    env = _fake_toolchain(tmp_path)
    assert _run_script(workspace, env).returncode == 0
    assert [c[0] for c in _calls(tmp_path)] == ["model_transform", "run_calibration", "model_deploy"]

    # Only a deploy option changes: transform and calibration come from the stamps.
    (tmp_path / "calls.jsonl").unlink()
    changed = yolo11n_recipe(tolerance=(0.85, 0.45))
    (workspace / "convert.sh").write_text(render_convert_script(changed))
    result = _run_script(workspace, env)
    assert result.returncode == 0
    assert "[wizard] step transform skipped (cached)" in result.stdout
    assert "[wizard] step calibrate skipped (cached)" in result.stdout
    assert [c[0] for c in _calls(tmp_path)] == ["model_deploy"]

    # A stamp whose output went missing does not count.
    (tmp_path / "calls.jsonl").unlink()
    (workspace / "work" / "yolo11n_calib_table").unlink()
    assert _run_script(workspace, env).returncode == 0
    assert [c[0] for c in _calls(tmp_path)] == ["run_calibration", "model_deploy"]


def test_remaking_the_float_reference_keeps_the_calibration(tmp_path):
    """Runs do not bring model_transform's float reference back (kept_files.py): a later run
    from a cache entry or the same folder runs model_transform again (same key, same MLIR), but
    still skips the calibration made from that MLIR; deploy runs when its own key changed."""
    recipe = yolo11n_recipe()
    workspace = _write_workspace(tmp_path, recipe)
    env = _fake_toolchain(tmp_path)
    assert _run_script(workspace, env).returncode == 0
    (workspace / "work" / "yolo11n_top_outputs.npz").unlink()
    (tmp_path / "calls.jsonl").unlink()
    (workspace / "convert.sh").write_text(render_convert_script(yolo11n_recipe(tolerance=(0.85, 0.45))))
    result = _run_script(workspace, env)
    assert result.returncode == 0, result.stderr
    assert [c[0] for c in _calls(tmp_path)] == ["model_transform", "model_deploy"]
    assert "[wizard] step calibrate skipped (cached)" in result.stdout
    # A changed transform key is new input: everything after it runs again.
    (tmp_path / "calls.jsonl").unlink()
    (workspace / "convert.sh").write_text(render_convert_script(yolo11n_recipe(tolerance=(0.85, 0.45),
                                                                               pixel_format="bgr")))
    assert _run_script(workspace, env).returncode == 0
    assert [c[0] for c in _calls(tmp_path)] == ["model_transform", "run_calibration", "model_deploy"]


def test_the_script_leaves_a_listing_of_work(tmp_path):
    """work/.listing: "<bytes><TAB><path>" for every file, also after a failed step."""
    from wizard.core.plan.kept_files import LISTING_FILE, parse_listing

    workspace = _write_workspace(tmp_path, yolo11n_recipe())
    env = dict(_fake_toolchain(tmp_path), FAKE_TOOL_FAIL="run_calibration")
    assert _run_script(workspace, env).returncode == 1
    listing = parse_listing((workspace / "work" / LISTING_FILE).read_text())
    assert listing == {"yolo11n.mlir": 1, "yolo11n_top_f32_all_weight.npz": 1, "yolo11n_top_outputs.npz": 1,
                       ".done/transform": 24}


def test_convert_script_stops_at_the_failing_step_with_its_exit_code(tmp_path):
    workspace = _write_workspace(tmp_path, yolo11n_recipe())
    env = _fake_toolchain(tmp_path)
    env.update(FAKE_TOOL_FAIL="run_calibration", FAKE_TOOL_RC="137")
    result = _run_script(workspace, env)
    assert result.returncode == 137
    assert "[wizard] step calibrate finished rc=137" in result.stdout
    assert [c[0] for c in _calls(tmp_path)] == ["model_transform", "run_calibration"]
    assert not (workspace / "work" / ".done" / "calibrate").exists()
    assert (workspace / "work" / ".done" / "transform").exists()


def test_convert_script_uses_py_names_of_source_builds_and_reports_a_missing_toolchain(tmp_path):
    workspace = _write_workspace(tmp_path, yolo11n_recipe())
    env = _fake_toolchain(tmp_path, suffix=".py")
    result = _run_script(workspace, env)
    assert result.returncode == 0, result.stderr
    assert [c[0] for c in _calls(tmp_path)] == ["model_transform.py", "run_calibration.py", "model_deploy.py"]

    env["PATH"] = "/usr/bin:/bin"
    (tmp_path / "calls.jsonl").unlink()
    import shutil

    shutil.rmtree(workspace / "work")
    result = _run_script(workspace, env)
    assert result.returncode == 127
    assert "model_transform is not installed in this image" in result.stderr
    assert "[wizard] step transform finished rc=127" in result.stdout


def test_convert_script_runs_the_tools_unbuffered(tmp_path):
    """The real tools do not flush stdout: without this their lines reach a log late and out of order."""
    workspace = _write_workspace(tmp_path, yolo11n_recipe())
    env = _fake_toolchain(tmp_path)
    env.pop("PYTHONUNBUFFERED", None)
    probe = tmp_path / "bin" / "model_transform"
    probe.write_text(FAKE_TOOL + "\nopen(os.environ['FAKE_TOOL_LOG'] + '.env', 'w').write(os.environ.get('PYTHONUNBUFFERED', ''))\n")
    assert _run_script(workspace, env).returncode == 0
    assert (tmp_path / "calls.jsonl.env").read_text() == "1"


def test_what_a_run_brings_back_and_what_it_leaves():
    """kept_files: the model, the top MLIR and its weights, the calibration, the toolchain's own
    preprocessed test picture, the stamps; the ~194 MB float reference and the rest stay."""
    from wizard.core.plan.kept_files import brought_back, parse_listing, split_listing

    recipe = yolo11n_recipe()
    assert set(brought_back(recipe)) == {
        "yolo11n_sym_int8.cvimodel", "yolo11n.mlir", "yolo11n_top_f32_all_weight.npz", "yolo11n_calib_table",
        "yolo11n_calib_table.1", "yolo11n_in_ori.npz", ".done", ".listing"}
    # A 640 px YOLO11n run's work/ as convert.sh lists it (sizes of that order; the float reference is ~194 MB).
    listing = parse_listing("\n".join(f"{size}\t{path}" for path, size in [
        ("yolo11n_top_outputs.npz", 194_254_762), ("yolo11n_in_f32.npz", 4_915_466), ("yolo11n.mlir", 178_911),
        ("yolo11n_top_f32_all_weight.npz", 10_538_262), ("yolo11n_top_f32_all_origin_weight.npz", 10_544_454),
        ("yolo11n_calib_table", 31_580), ("yolo11n_in_ori.npz", 1_229_074), ("yolo11n_sym_int8.cvimodel", 3_251_200),
        ("yolo11n_sym_int8/final.mlir", 1_003_339), (".done/transform", 24), ("../escape", 1), ("/abs", 1)]) + "\nnonsense")
    assert "../escape" not in listing and "/abs" not in listing
    files = split_listing(listing, recipe)
    assert sorted(files.brought_back) == [".done/transform", "yolo11n.mlir", "yolo11n_calib_table",
                                          "yolo11n_in_ori.npz", "yolo11n_sym_int8.cvimodel",
                                          "yolo11n_top_f32_all_weight.npz"]
    record = files.to_dict("removed")
    assert record["brought_back_bytes"] < 15_500_000 < 200_000_000 < record["left_out_bytes"]
    assert {"path": "yolo11n_top_outputs.npz", "bytes": 194_254_762} in record["left_out"]
