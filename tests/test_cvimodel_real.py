"""check_cvimodel and the body reader on REAL cvimodels, compared with the REAL ``model_tool --info``.

Toolchain: the REAL tpu_mlir 1.7 wheel (tests/tpu_mlir_wheel.py): its bin/tpuc-opt builds the models
(tests/cvimodel_factory.py, the guide's options) and its bin/model_tool reads them. No Python 3.10
is needed. Without the wheel these skip, under CI=true they fail (conftest.require_component).
The double's writer is checked against the real model_tool here too.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cvimodel_factory import (YoloSpec, appended, box_first_heads, build_cvimodel, cut, double_cvimodel, filler_body,
                              flip_byte, model_tool_info, require_wheel, yolo11_heads)
from wizard.core.toolchain.cvimodel import check_cvimodel, check_for_recamera

pytestmark = pytest.mark.real_toolchain
REPO = Path(__file__).resolve().parent.parent

VARIANTS = {
    "guide_int8": YoloSpec(),
    "yolo11n_like_320": YoloSpec(size=320, num_classes=80, name="yolo11n"),
    "quant_output": YoloSpec(quant_output=True),
    "bf16_unfused": YoloSpec(quantize="BF16", fuse_preprocess=False),
    "box_first": YoloSpec(heads=box_first_heads(2)),
    "three_outputs": YoloSpec(heads=yolo11_heads(2)[:3]),
}


@pytest.fixture(scope="session")
def wheel():
    return require_wheel()


@pytest.fixture(scope="session")
def real_models(wheel):
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = build_cvimodel(VARIANTS[name], root=wheel)
        return built[name]

    return get


def parse_info(text: str) -> dict:
    """What ``model_tool --info`` prints (tools/model_tool/cv_tool.hpp), as data."""
    info: dict = {"sections": [], "tensors": []}
    lines = text.splitlines()
    for line in lines:
        if m := re.match(r"Mlir Version: (\S+)", line):
            info["mlir_version"] = m.group(1)
        elif m := re.match(r"Cvimodel Version: (\S+)", line):
            info["version"] = m.group(1)
        elif m := re.match(r"For (\S+) chip ONLY", line):
            info["chip"] = m.group(1)
        elif m := re.match(r"CviModel Need ION Memory Size: \((\S+) MB\)", line):
            info["ion_mb"] = m.group(1)
        elif m := re.match(r"\s+(private_gmem_size|shared_gmem_size|batch_num)\s*: (\d+)", line):
            info[m.group(1)] = int(m.group(2))
        elif (m := re.match(r"\s{4}(inputs|outputs)\s+: (.*)", line)) and m.group(1) not in info:
            info[m.group(1)] = m.group(2).split(",")
    section_at = lines.index("Sections:") + 2
    for line in lines[section_at:]:
        if not line.strip():
            break
        _id, kind, name, size, offset, md5 = line.split()
        info["sections"].append((kind, name, int(size), int(offset), md5))
    tensor_at = next(i for i, line in enumerate(lines) if line.strip() == "tensor_map  :") + 2
    for line in lines[tensor_at:]:
        if not line.strip():
            break
        _id, offset, dtype, n, c, h, w, qscale, mem, name = line.split(None, 9)
        info["tensors"].append((name, int(offset), dtype, (int(n), int(c), int(h), int(w)), qscale, mem))
    return info


def assert_reader_agrees(path: Path, wheel: Path) -> None:
    done = model_tool_info(path, wheel)
    assert done.returncode == 0, done.stderr
    info = parse_info(done.stdout)
    report = check_cvimodel(path)
    body, program = report.body, report.body.programs[0]
    assert (body.mlir_version, body.version, body.target) == (info["mlir_version"], info["version"], info["chip"])
    assert f"{report.ion_memory / (1024 * 1024):.2f}" == info["ion_mb"]
    assert (program.private_gmem, program.shared_gmem) == (info["private_gmem_size"], info["shared_gmem_size"])
    assert [t.name for t in report.inputs] == info["inputs"]
    assert [t.name for t in report.outputs] == info["outputs"]
    data = path.read_bytes()
    start = 48 + report.body_size
    assert [(s.type, s.name, s.size, s.offset) for s in body.sections] == [x[:4] for x in info["sections"]]
    for section, (*_rest, md5) in zip(body.sections, info["sections"]):
        assert hashlib.md5(data[start + section.offset:start + section.offset + section.size]).hexdigest() == md5
    mine = []
    for t in program.tensors:
        qscale = t.qscale or 0.0
        shown = "-" if qscale <= 0.000001 or qscale > 400.0 else f"{qscale:f}"
        mine.append((t.name, ctypes.c_int32(t.offset).value, t.dtype, t.shape[:4], shown, t.memory))
    assert mine == info["tensors"]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_reader_agrees_with_the_real_model_tool(real_models, wheel, variant):
    path = real_models(variant)
    assert_reader_agrees(path, wheel)
    report = check_cvimodel(path)
    # Confirmed on every real 1.7 model: md5 = MD5(file[48:]), padding "Cv", sections end at EOF.
    assert report.ok and report.md5_ok is True and report.padding == "Cv", report.problems
    assert report.body.mlir_version == "v1.7-20240419" and report.version == "1.4"


def test_decoder_verdicts_on_real_models(real_models):
    guide = check_for_recamera(real_models("guide_int8"))
    assert guide.ok and guide.problems == []
    assert (guide.decoder.layout, guide.decoder.input_size, guide.decoder.num_classes) == ("interleaved", 64, 2)
    assert guide.inputs[0].name == "images_raw" and guide.inputs[0].shape == (1, 64, 64, 3)
    assert [t.name for t in guide.outputs][0] == "/model.23/cv2.0/cv2.0.2/Conv_output_0_Conv_f32"
    big = check_for_recamera(real_models("yolo11n_like_320"))
    assert big.ok and (big.decoder.input_size, big.decoder.num_classes) == (320, 80)
    assert [t.shape for t in big.outputs][:2] == [(1, 64, 40, 40), (1, 80, 40, 40)]
    quantized = check_for_recamera(real_models("quant_output"))
    assert quantized.ok and [p.code for p in quantized.problems] == ["cvimodel_decoder_int8_outputs"]
    assert all(t.dtype == "int8" and 0 < t.qscale < 1 for t in quantized.outputs)
    bf16 = check_for_recamera(real_models("bf16_unfused"))
    assert bf16.ok and bf16.inputs[0].dtype == "fp32" and bf16.inputs[0].shape == (1, 3, 64, 64)
    box_first = check_for_recamera(real_models("box_first"))
    assert box_first.ok and box_first.decoder.layout == "box_first"
    three = check_for_recamera(real_models("three_outputs"))
    assert [p.code for p in three.problems] == ["cvimodel_decoder_output_count"] and not three.ok
    assert check_cvimodel(real_models("three_outputs")).ok  # sound file, just not for the YOLO decoder


def test_the_doubles_model_is_read_by_the_real_model_tool(wheel, tmp_path):
    assert_reader_agrees(double_cvimodel(tmp_path / "guide.cvimodel"), wheel)
    assert_reader_agrees(double_cvimodel(tmp_path / "int8.cvimodel", quant_output=True, size=320), wheel)
    assert_reader_agrees(double_cvimodel(tmp_path / "nchw.cvimodel", fuse_preprocess=False), wheel)


def test_damaged_real_models_are_refused(real_models, tmp_path):
    model = real_models("guide_int8")
    assert [p.code for p in check_cvimodel(cut(model, tmp_path / "cut.cvimodel")).problems] == [
        "cvimodel_sections_truncated"]
    assert [p.code for p in check_cvimodel(flip_byte(model, tmp_path / "flip.cvimodel")).problems] == [
        "cvimodel_md5_mismatch"]
    assert [p.code for p in check_cvimodel(filler_body(model, tmp_path / "filler.cvimodel")).problems] == [
        "cvimodel_body_unreadable"]
    assert [p.code for p in check_cvimodel(appended(model, tmp_path / "more.cvimodel")).problems] == [
        "cvimodel_trailing_bytes"]


def _check_model(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), RECAMERA_WIZARD_LANG="en")
    return subprocess.run([sys.executable, "-m", "wizard", "check-model", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=60)


def test_check_model_cli_on_real_models(real_models, tmp_path):
    sound = _check_model(str(real_models("guide_int8")))
    assert sound.returncode == 0, sound.stdout + sound.stderr
    assert "Checksum: matches" in sound.stdout and "MB of ION memory" in sound.stdout
    assert "Built for cv181x by TPU-MLIR v1.7-20240419" in sound.stdout
    assert "YOLO11 decoder" in sound.stdout and sound.stdout.rstrip().endswith("The model file is sound.")
    damaged = _check_model(str(flip_byte(real_models("guide_int8"), tmp_path / "flip.cvimodel")))
    assert damaged.returncode == 2 and "Checksum: does not match" in damaged.stdout and "damaged" in damaged.stdout
    assert "is sound" not in damaged.stdout and damaged.stdout.rstrip().endswith("The model file cannot be used.")
    three = _check_model(str(real_models("three_outputs")))
    assert three.returncode == 2 and "has 3 outputs" in three.stdout
    assert _check_model(str(real_models("three_outputs")), "--decoder", "any").returncode == 0


@pytest.mark.parametrize("extra", [[], ["--quant_output"]])
def test_the_doubles_model_deploy_output_is_read_by_the_real_model_tool(wheel, tmp_path, extra):
    """The double's model_deploy (the guide's three commands), then the REAL model_tool on its file."""
    pytest.importorskip("onnx")
    from toolchain_double.helpers import (YOLO11_HEADS, calibrate_cmd, deploy_cmd, double_env, make_workspace,
                                          transform_cmd)

    ws = make_workspace(tmp_path)
    env = double_env()
    for cmd in (transform_cmd(), calibrate_cmd(), deploy_cmd(extra=extra)):
        done = subprocess.run(cmd, cwd=ws / "Workspace", env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    model = ws / "Workspace" / "yolo11n_sym_int8.cvimodel"
    assert_reader_agrees(model, wheel)
    report = check_for_recamera(model)
    assert report.ok and report.inputs[0].name == "images_raw" and report.decoder.input_size == 64
    suffix = "" if extra else "_f32"
    assert [t.name for t in report.outputs] == [f"{h}_Conv{suffix}" for h in YOLO11_HEADS]
