"""Conversions with the REAL TPU-MLIR 1.7 through the real Docker engine (DockerRunner).

Toolchain: REAL (recamera-wizard-test/toolchain-real:1.7-<digest>, built from a CPython 3.10 on
this machine by tests/real_toolchain.py), never the double. Models: the designed-weights
detectors of tests/detecting_model.py (YOLO11- and YOLOv8-shaped, 320 px), so a test can check
that the INT8 cvimodel still finds the planted squares, on the CV18xx simulator (model_runner).
One converted run per model is shared by the tests of this module (each takes ~10-20 s).
"""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import pytest

from detecting_model import decode_heads, make_pictures, match_detections, run_onnx, write_detecting_model
from docker_support import cli, docker_client, run_containers  # noqa: F401 (fixtures)
from real_toolchain import cvimodel_heads, model_tool_info, run_cvimodel, run_in_image, toolchain_real_image  # noqa: F401
from wizard.core.runners.docker.runner import DockerRunner

pytestmark = [pytest.mark.real_toolchain, pytest.mark.docker, pytest.mark.slow]

SIZE = 320
CALIBRATION = 12


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Both detecting models, 12 calibration pictures and 6 held-out ones (with their truth)."""
    root = tmp_path_factory.mktemp("real-inputs")
    models = {family: write_detecting_model(root / f"{family}.onnx", SIZE, family) for family in ("yolo11", "yolov8")}
    make_pictures(root / "calibration", CALIBRATION, SIZE, seed=0)
    held_out = make_pictures(root / "held_out", 6, SIZE, seed=1)
    return {"models": models, "calibration": root / "calibration", "held_out": root / "held_out",
            "truth": held_out, "root": root}


def _convert(model: Path, images: Path, run_dir: Path, image: str, home: Path, *extra: str):
    return cli(["convert", "--model", str(model), "--images", str(images), "--calibration-count",
                str(CALIBRATION), "--out", str(run_dir), "--image", image, *extra],
               env={"RECAMERA_WIZARD_HOME": str(home)}, timeout=900)


@pytest.fixture(scope="module")
def yolo11_run(inputs, toolchain_real_image, tmp_path_factory):
    base = tmp_path_factory.mktemp("real-runs")
    run_dir, home = base / "yolo11 run", base / "home"
    result = _convert(inputs["models"]["yolo11"], inputs["calibration"], run_dir, toolchain_real_image, home)
    return result, run_dir, home


def _results(run_dir: Path) -> dict:
    return json.loads((run_dir / "results.json").read_text(encoding="utf-8"))


def _logged_min_similarity(log: str) -> list[tuple[float, float, float]]:
    """Every ``min_similiarity = (cos, euclid, sqnr)`` line the real npz_tool printed, in order."""
    found = re.findall(r"min_similiarity = \(([^,]+), ([^,]+), ([^)]+)\)", log)
    return [tuple(float(v) for v in row) for row in found]  # type: ignore[misc]


def test_yolo11_conversion_with_the_real_tools_leaves_a_complete_bundle(yolo11_run, toolchain_real_image,
                                                                       docker_client):
    result, run_dir, _ = yolo11_run
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    assert "Traceback" not in result.stderr
    model = run_dir / "yolo11_sym_int8.cvimodel"
    data = model.read_bytes()
    assert data[:8] == b"CviModel" and data[30:46].split(b"\0")[0] == b"cv181x"
    assert struct.unpack("<I", data[8:12])[0] > 0
    for name in ("convert.log", "recipe.json", "reproduce.sh", "job.json", "results.json"):
        assert (run_dir / name).is_file(), name
    log = (run_dir / "convert.log").read_text(encoding="utf-8")
    # The real tools ran: the wheel's tpuc-opt passes and its own version banner.
    assert "[Running]: tpuc-opt yolo11_origin.mlir" in log and "[Success]: tpuc-opt" in log
    assert "--codegen=\"model_file=yolo11_sym_int8.cvimodel" in log
    results = _results(run_dir)
    assert results["verdict"] == "success" and results["exit_code"] == 0
    assert [s["name"] for s in results["steps"]] == ["transform", "calibrate", "deploy"]
    assert all(s["status"] == "success" for s in results["steps"])
    # The parsed figures are the ones the real npz_tool printed, one compare per check.
    compares = results["compare"]
    assert [(c["step"], c["kind"]) for c in compares][:2] == [("transform", "top_vs_onnx"), ("deploy", "tpu_vs_top")]
    logged = _logged_min_similarity(log)
    assert len(logged) == len(compares) == 3
    for compare, (cosine, euclid, _) in zip(compares, logged):
        assert compare["passed"] is True
        assert compare["min_similarity"]["cosine"] == pytest.approx(cosine)
        assert compare["min_similarity"]["euclidean"] == pytest.approx(euclid)
    tpu_vs_top = compares[1]
    assert tpu_vs_top["tolerance"] == [0.8, 0.5] and tpu_vs_top["compared"] == 6
    assert tpu_vs_top["min_similarity"]["cosine"] > 0.99  # designed weights: INT8 is near-exact
    assert results["model_check"]["ok"] is True and results["model_check"]["chip"] == "cv181x"
    assert results["toolchain_image"]["id"] == docker_client.images.get(toolchain_real_image).id
    assert "IMAGE_ID=sha256:" in (run_dir / "reproduce.sh").read_text(encoding="utf-8")
    record = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    assert record["state"] == "finished" and run_containers(docker_client, record["run_id"]) == []


def test_the_run_folder_keeps_what_is_needed_and_says_what_stayed_behind(yolo11_run, inputs, toolchain_real_image,
                                                                         docker_client, tmp_path):
    """Issue 10.6 with the real tools: work/ in the run folder holds the model, the top MLIR with
    the weight file it names, the calibration table, the toolchain's preprocessed test picture
    and the stamps; results.json lists the rest (the float reference first) with its size; and
    the float model runs from what came back: the real model_runner on the downloaded top MLIR
    gives the heads onnxruntime gives."""
    from PIL import Image

    _, run_dir, _ = yolo11_run
    work = run_dir / "workspace" / "work"
    local = {p.relative_to(work).as_posix(): p.stat().st_size for p in work.rglob("*") if p.is_file()}
    assert set(local) - {".done/transform", ".done/calibrate", ".done/deploy"} == {
        "yolo11_sym_int8.cvimodel", "yolo11.mlir", "yolo11_top_f32_all_weight.npz", "yolo11_calib_table",
        "yolo11_in_ori.npz", ".listing"}, sorted(local)
    record = _results(run_dir)["work_files"]
    left = {entry["path"]: entry["bytes"] for entry in record["left_out"]}
    assert left["yolo11_top_outputs.npz"] > local["yolo11_sym_int8.cvimodel"]  # every tensor of the graph
    assert {"yolo11_in_f32.npz", "yolo11_origin.mlir"} <= set(left)
    assert record["brought_back_bytes"] == sum(size for name, size in local.items() if name != ".listing")
    assert (run_dir / "yolo11_sym_int8.cvimodel").stat().st_ino == (work / "yolo11_sym_int8.cvimodel").stat().st_ino
    weights = re.search(r'module\.weight_file\s*=\s*"([^"]+)"', (work / "yolo11.mlir").read_text()).group(1)
    assert weights in local  # what model_runner needs beside the MLIR

    import numpy as np

    name = sorted(inputs["truth"])[0]
    picture = Image.open(inputs["held_out"] / name)
    float_run = tmp_path / "float"
    shutil.copytree(work, float_run)
    pixels = np.asarray(picture.convert("RGB"), dtype=np.float32).transpose(2, 0, 1)[None] * 0.0039216
    np.savez(float_run / "in.npz", images=pixels)
    code, log = run_in_image(docker_client, toolchain_real_image, float_run,
                             "model_runner --input in.npz --model yolo11.mlir --output out.npz")
    assert code == 0, log
    with np.load(float_run / "out.npz") as out:
        mlir_heads = {k[: -len("_Conv")]: out[k] for k in out.files if k.endswith(".2/Conv_output_0_Conv")}
    onnx_heads = {k: v for k, v in run_onnx(inputs["models"]["yolo11"], picture).items() if k != "output0"}
    assert sorted(mlir_heads) == sorted(onnx_heads) and len(onnx_heads) == 6
    for key, value in onnx_heads.items():
        assert np.allclose(mlir_heads[key], value, atol=2e-3), key


def test_the_real_model_tool_reads_the_converted_model(yolo11_run, toolchain_real_image, docker_client):
    _, run_dir, _ = yolo11_run
    code, info = model_tool_info(docker_client, toolchain_real_image, run_dir / "yolo11_sym_int8.cvimodel")
    assert code == 0, info
    assert "Cvimodel Version: 1.4.0" in info and "For cv181x chip ONLY" in info
    assert "Mlir Version: v1.7" in info
    assert "/model.23/cv3.2/cv3.2.2/Conv_output_0_Conv" in info  # the heads, kept by the cut


def test_the_int8_model_finds_the_planted_objects_the_float_model_finds(yolo11_run, inputs, toolchain_real_image,
                                                                        docker_client, tmp_path):
    """Pictures the calibration never saw: float (onnxruntime) finds every square; the INT8
    cvimodel on the simulator finds at least 90 % of them at the right place, few extras."""
    from PIL import Image

    _, run_dir, _ = yolo11_run
    pictures = {name: Image.open(inputs["held_out"] / name) for name in inputs["truth"]}
    planted = sum(len(v) for v in inputs["truth"].values())
    float_missed = sum(len(match_detections(inputs["truth"][name], decode_heads(
        {k: v for k, v in run_onnx(inputs["models"]["yolo11"], picture).items() if k != "output0"}))[1])
        for name, picture in pictures.items())
    assert float_missed == 0
    outputs, _ = run_cvimodel(docker_client, toolchain_real_image, run_dir / "yolo11_sym_int8.cvimodel",
                              pictures, SIZE, tmp_path / "runner")
    found = missed = extra = 0
    for name, tensors in outputs.items():
        heads = cvimodel_heads(tensors)
        assert len(heads) == 6, sorted(tensors)
        pairs, lost, more = match_detections(inputs["truth"][name], decode_heads(heads))
        found, missed, extra = found + len(pairs), missed + len(lost), extra + len(more)
    assert found + missed == planted
    assert found >= 0.9 * planted, (found, planted)
    assert extra <= max(1, planted // 10)


def test_a_yolov8_shaped_model_converts_and_detects(inputs, toolchain_real_image, docker_client, tmp_path):
    from PIL import Image

    run_dir = tmp_path / "yolov8 run"
    result = _convert(inputs["models"]["yolov8"], inputs["calibration"], run_dir, toolchain_real_image,
                      tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    recipe = json.loads((run_dir / "recipe.json").read_text(encoding="utf-8"))
    assert recipe["output_names"][0] == "/model.22/cv2.0/cv2.0.2/Conv_output_0"
    assert _results(run_dir)["verdict"] == "success"
    model = run_dir / "yolov8_sym_int8.cvimodel"
    code, info = model_tool_info(docker_client, toolchain_real_image, model)
    assert code == 0 and "For cv181x chip ONLY" in info, info
    first = sorted(inputs["truth"])[:2]
    outputs, _ = run_cvimodel(docker_client, toolchain_real_image, model,
                              {n: Image.open(inputs["held_out"] / n) for n in first}, SIZE, tmp_path / "runner")
    for name in first:
        pairs, lost, _ = match_detections(inputs["truth"][name], decode_heads(cvimodel_heads(outputs[name])))
        assert not lost, (name, lost)


def test_a_deploy_only_change_skips_the_real_calibration(yolo11_run, inputs, toolchain_real_image):
    first, run_dir, home = yolo11_run
    assert first.returncode == 0
    second = run_dir.parent / "tolerance run"
    result = _convert(inputs["models"]["yolo11"], inputs["calibration"], second, toolchain_real_image, home,
                      "--tolerance", "0.85,0.45")
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    log = (second / "convert.log").read_text(encoding="utf-8")
    # model_transform remakes its float reference (runs do not bring it back: kept_files.py);
    # the calibration made from the same MLIR is still skipped.
    assert "[wizard] step transform finished rc=0" in log
    assert "[wizard] step calibrate skipped (cached)" in log
    assert "run_calibration" not in log and "activation_collect_and_calc_th" not in log
    assert "--tolerance 0.85,0.45" in log  # the real model_deploy ran with the new option
    results = _results(second)
    assert results["calibration_cache"]["restored"] is True and results["verdict"] == "success"
    assert (second / "yolo11_sym_int8.cvimodel").read_bytes()[:8] == b"CviModel"


# --- real failures -------------------------------------------------------------------------------


def _stage(model: Path, images: Path, workspace: Path, image: str, count: int = CALIBRATION):
    from wizard.core.plan.choices import ConversionChoices
    from wizard.core.plan.workspace import stage_workspace

    return stage_workspace(ConversionChoices(model=str(model), images=str(images), out=str(workspace),
                                             calibration_count=count, toolchain_image=image))


def _run_job(run_dir: Path, runner):
    from wizard.core.events import ProblemRaised
    from wizard.core.runners.job import ConversionJob

    job = ConversionJob(runner, run_dir, cache=False)
    events = list(job.events())
    problems = [e.problem for e in events if isinstance(e, ProblemRaised)]
    return job, problems, (run_dir / "convert.log").read_text(encoding="utf-8")


def test_a_calibration_folder_of_img_files_gives_the_no_inputs_message(inputs, toolchain_real_image, tmp_path,
                                                                      docker_client):
    """The wizard itself converts .img files; a workspace whose calibration folder holds only
    .img files (renamed by hand) makes the real run_calibration stop with "There is no inputs"."""
    staged = _stage(inputs["models"]["yolo11"], inputs["calibration"], tmp_path / "run" / "workspace",
                    toolchain_real_image)
    for picture in (staged.workdir / "calibration").iterdir():
        picture.rename(picture.with_suffix(".img"))
    runner = DockerRunner(toolchain_real_image, recipe=staged.recipe)
    job, problems, log = _run_job(tmp_path / "run", runner)
    assert "RuntimeError: There is no inputs" in log  # the real tool's own words
    assert job.verdict == "conversion_failed"
    no_inputs = next(p for p in problems if p.code == "toolchain_no_calibration_inputs")
    assert ".img" in no_inputs.fix
    assert "[wizard] step transform finished rc=0" in log and "[wizard] step deploy" not in log
    assert run_containers(docker_client, runner.run_id) == []


def test_a_wrong_output_name_gives_the_cant_find_message(inputs, toolchain_real_image, tmp_path):
    """The staged model is swapped for the YOLOv8-shaped one (heads at model.22): the real
    model_transform cannot find the model.23 names the plan asked for."""
    staged = _stage(inputs["models"]["yolo11"], inputs["calibration"], tmp_path / "run" / "workspace",
                    toolchain_real_image)
    shutil.copy2(inputs["models"]["yolov8"], staged.workdir / "model" / "yolo11.onnx")
    job, problems, log = _run_job(tmp_path / "run", DockerRunner(toolchain_real_image, recipe=staged.recipe))
    assert "Error, can't find" in log and "/model.23/cv2.0/cv2.0.2/Conv_output_0" in log
    assert job.verdict == "conversion_failed"
    wrong = next(p for p in problems if p.code == "toolchain_output_names_not_found")
    assert "model.23" in wrong.message and "model.22" in wrong.message


class MemoryLimitedDockerRunner(DockerRunner):
    """A DockerRunner whose container gets a hard memory limit (no swap) before it starts: the
    kernel's OOM killer then stops the real calibration, as on a small Docker Desktop."""

    def __init__(self, image: str, memory_bytes: int, **options):
        super().__init__(image, **options)
        self.memory_bytes = memory_bytes

    def upload(self, workspace):
        yield from super().upload(workspace)
        if self._container is not None:
            self._container.update(mem_limit=self.memory_bytes, memswap_limit=self.memory_bytes)


def test_a_real_out_of_memory_kill_gives_the_memory_message(tmp_path, toolchain_real_image, docker_client):
    """60 pictures at 640 px under a 256 MiB limit: model_transform fits, the real calibration
    (every preprocessed picture held in memory) is killed. The wrapper exits 1, no "Killed"."""
    root = tmp_path / "in"
    model = write_detecting_model(root / "yolo11.onnx", 640)
    make_pictures(root / "pictures", 60, 640, seed=2)
    staged = _stage(model, root / "pictures", tmp_path / "run" / "workspace", toolchain_real_image, count=60)
    runner = MemoryLimitedDockerRunner(toolchain_real_image, 256 * 1024**2, recipe=staged.recipe)
    job, problems, log = _run_job(tmp_path / "run", runner)
    assert "[wizard] step transform finished rc=0" in log
    assert "[wizard] step calibrate finished rc=1" in log  # the launcher's exit for any failure
    assert job.verdict == "conversion_failed" and job.exit_code == 1
    memory = [p for p in problems if p.code in ("toolchain_out_of_memory", "toolchain_killed_oom")]
    assert [p.code for p in memory] == ["toolchain_out_of_memory"], [p.code for p in problems]  # once
    assert "calibrate" in memory[0].message and "60 calibration pictures" in memory[0].message
    assert "fewer calibration images" in memory[0].fix
    # Said by the kernel's count, through convert.sh: no exit 137, no "Killed" line to go by.
    assert "[wizard] step calibrate ran out of memory" in log and "Killed" not in log
    assert run_containers(docker_client, runner.run_id) == []
