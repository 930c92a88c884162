"""The TPU-MLIR test double honours the v1.7 contract (docs/toolchain.md), run as real processes.

Toolchain: the double only (tests/toolchain_double), through its wheel-like wrapper commands.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import subprocess
import sys
import time
import zipfile

import pytest

pytest.importorskip("onnx")  # the tiny test models are built with onnx on the host

from toolchain_double.helpers import (  # noqa: E402
    BIN_DIR, DOUBLE_ROOT, YOLO11_HEADS, calibrate_cmd, deploy_cmd, double_env, make_workspace, transform_cmd,
)


def run(cmd, cwd, env=None, timeout=60):
    # Bytes, decoded by hand: text mode would turn the progress bars' '\r' into newlines.
    result = subprocess.run(cmd, cwd=cwd, env=env or double_env(), capture_output=True, timeout=timeout)
    result.stdout, result.stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    return result


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path)


def convert(ws, env=None, tools=("model_transform", "run_calibration", "model_deploy")):
    work = ws / "Workspace"
    results = [run(transform_cmd(tool=tools[0]), work, env)]
    if results[-1].returncode == 0:
        results.append(run(calibrate_cmd(tool=tools[1]), work, env))
    if results[-1].returncode == 0:
        results.append(run(deploy_cmd(tool=tools[2]), work, env))
    return results


def test_full_conversion_writes_the_real_files_and_a_valid_cvimodel(ws):
    started = time.monotonic()
    transform, calibrate, deploy = convert(ws)
    assert time.monotonic() - started < 20  # "fast by default"
    for result in (transform, calibrate, deploy):
        assert result.returncode == 0, result.stdout + result.stderr
    work = ws / "Workspace"
    for name in ("yolo11n.mlir", "yolo11n_origin.mlir", "yolo11n_top_outputs.npz", "yolo11n_in_f32.npz",
                 "yolo11n_top_f32_all_weight.npz", "yolo11n_calib_table", "yolo11n_in_ori.npz",
                 "yolo11n_sym_int8.cvimodel", "yolo11n_cv181x_int8_sym_tpu.mlir", "yolo11n_cv181x_int8_sym_final.mlir"):
        assert (work / name).is_file(), name
    # 1.7 removes its file_mark()ed intermediates unless --debug, and the untuned <table>.1.
    for name in ("yolo11n_ref_outputs.npz", "yolo11n_calib_table.1", "yolo11n_cv181x_int8_sym_tpu_outputs.npz",
                 "yolo11n_cv181x_int8_sym_model_outputs.npz"):
        assert not (work / name).exists(), name
    table = (work / "yolo11n_calib_table").read_text()
    assert table.startswith("# genetated time: ") and "\n# tune number: 5\n###\n" in table
    op_lines = [line.split() for line in table.splitlines() if not line.startswith("#")]
    assert ["/model.23/cv3.2/cv3.2.2/Conv_output_0_Conv"] == [p[0] for p in op_lines if "cv3.2.2" in p[0]]
    assert all(len(p) == 4 for p in op_lines)

    data = (work / "yolo11n_sym_int8.cvimodel").read_bytes()
    magic, body_size, major, minor = struct.unpack_from("<8sIBB", data)
    assert magic == b"CviModel" and (major, minor) == (1, 4)
    assert data[14:30] == hashlib.md5(data[48:]).digest()
    assert data[30:46] == b"cv181x".ljust(16, b"\0")
    assert body_size <= len(data) - 48
    assert 64 * 1024 < len(data) < 8 * 1024 * 1024

    # The printed formats the log parser relies on.
    out = transform.stdout
    assert "[Running]: npz_tool.py compare yolo11n_top_outputs.npz yolo11n_ref_outputs.npz --tolerance 0.99,0.99 --except - -vv " in out
    assert "[Success]: npz_tool.py compare" in out
    assert "[/model.23/cv3.2/cv3.2.2/Conv_output_0_Conv]      SIMILAR [PASSED]" in out or \
        "[/model.23/cv3.2/cv3.2.2/Conv_output_0_Conv]        CLOSE [PASSED]" in out
    assert "npz compare PASSED." in out and "min_similiarity = (" in out
    assert "input_num = 5, ref = 5" in calibrate.stdout and "real input_num = 5" in calibrate.stdout
    assert "- INFO : \n  load_config Preprocess args : \n" in calibrate.stdout  # 1.7 logs to stdout
    assert "activation_collect_and_calc_th for op: " in calibrate.stderr and "\r" in calibrate.stderr
    assert "--tolerance 0.8,0.5" in deploy.stdout and "--tolerance 0.99,0.90" in deploy.stdout
    assert "min_similiarity = (1.0, 1.0, inf)" in deploy.stdout  # cvimodel vs tpu: all EQUAL
    assert "100%|██████████|" in deploy.stderr

    info = run(["model_tool", "--info", "yolo11n_sym_int8.cvimodel"], work)
    assert info.returncode == 0 and "For cv181x chip ONLY" in info.stdout


def test_npz_files_are_loadable_npz(ws):
    np = pytest.importorskip("numpy")
    work = ws / "Workspace"
    assert [run(c, work).returncode for c in (transform_cmd(), calibrate_cmd(), deploy_cmd(extra=["--debug"]))] == [0, 0, 0]
    top = np.load(work / "yolo11n_top_outputs.npz")
    assert "/model.23/cv2.0/cv2.0.2/Conv_output_0_Conv" in top.files
    assert top[top.files[0]].dtype == np.float32
    assert np.load(work / "yolo11n_in_f32.npz")["images"].shape == (1, 3, 64, 64)
    assert zipfile.is_zipfile(work / "yolo11n_cv181x_int8_sym_tpu_outputs.npz")


def test_py_suffixed_commands_behave_the_same(ws):
    results = convert(ws, tools=("model_transform.py", "run_calibration.py", "model_deploy.py"))
    assert [r.returncode for r in results] == [0, 0, 0]


def test_deterministic_output(tmp_path):
    logs = []
    for i in range(2):
        ws = make_workspace(tmp_path / str(i))
        stdout = convert(ws)[2].stdout
        stdout = re.sub(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d - ", "", stdout, flags=re.M)  # logger time stamps
        logs.append(re.sub(r" Build at [\d: -]+ For", " For", stdout))  # the simulator shows the model's build time
    assert "SIMILAR [PASSED]" in logs[0]
    assert logs[0] == logs[1]


@pytest.mark.parametrize("option", ["--search", "--cali_method", "--inference_num", "--processor"])
def test_run_calibration_rejects_options_newer_than_1_7(ws, option):
    work = ws / "Workspace"
    assert run(transform_cmd(), work).returncode == 0
    result = run(calibrate_cmd() + [option, "x"], work)
    assert result.returncode == 1  # argparse exits 2; the wheel's wrapper turns any failure into 1
    assert f"unrecognized arguments: {option} x" in result.stderr


def test_model_deploy_accepts_chip_and_processor(ws):
    work = ws / "Workspace"
    assert run(transform_cmd(), work).returncode == 0 and run(calibrate_cmd(), work).returncode == 0
    cmd = [("--chip" if part == "--processor" else part) for part in deploy_cmd()]
    assert run(cmd, work).returncode == 0
    assert run(deploy_cmd(extra=["--no_such_option"]), work).returncode == 1  # via the wrapper


def test_bm_target_writes_a_bmodel(ws):
    work = ws / "Workspace"
    run(transform_cmd(), work)
    run(calibrate_cmd(), work)
    cmd = deploy_cmd(processor="bm1684x")
    cmd[cmd.index("yolo11n_sym_int8.cvimodel")] = "yolo11n.bmodel"
    result = run(cmd, work)
    assert result.returncode == 0, result.stderr
    assert (work / "yolo11n.bmodel").read_bytes()[:4] == struct.pack("<I", 0xFF55AAEE)


# ------------------------------------------------------------------------------- real failures

def test_missing_test_image(ws):
    result = run(transform_cmd(test_input="../image/missing.jpg"), ws / "Workspace")
    assert result.returncode == 1
    assert "../image/missing.jpg doesn't existed !!!" in result.stdout


@pytest.mark.parametrize("ext", [".bmp", ".JPG", ".img"])
def test_test_input_extension_must_be_jpg_png_npy_npz(ws, ext):
    (ws / "image" / f"test{ext}").write_bytes(b"x")
    result = run(transform_cmd(test_input=f"../image/test{ext}"), ws / "Workspace")
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("AssertionError")


def test_wrong_output_names(ws):
    heads = [h.replace("model.23", "model.22") for h in YOLO11_HEADS]
    result = run(transform_cmd(heads=heads), ws / "Workspace")
    assert result.returncode == 1
    assert "RuntimeError: Error, can't find ['/model.22/cv2.0/cv2.0.2/Conv_output_0'," in result.stderr
    assert not (ws / "Workspace" / "yolo11n.mlir").exists()


def test_ir_version_10_is_refused(tmp_path):
    ws = make_workspace(tmp_path, ir_version=10)
    result = run(transform_cmd(), ws / "Workspace")
    assert result.returncode == 1
    assert "Unsupported model IR version: 10, max supported IR version: 9" in result.stderr


def test_mod_op_is_not_supported(tmp_path):
    ws = make_workspace(tmp_path, extra_op="Mod")
    result = run(transform_cmd(), ws / "Workspace")
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("RuntimeError: Op not support:{'Mod'}")


def test_not_an_onnx_file(ws):
    (ws / "model" / "yolo11n.onnx").write_bytes(b"\x00\x01garbage")
    result = run(transform_cmd(), ws / "Workspace")
    assert result.returncode == 1 and "DecodeError" in result.stderr


def test_calibration_without_accepted_images(tmp_path):
    ws = make_workspace(tmp_path, image_ext=".img")
    work = ws / "Workspace"
    assert run(transform_cmd(), work).returncode == 0
    result = run(calibrate_cmd(), work)
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("RuntimeError: There is no inputs")


def test_calibration_finds_images_recursively_case_insensitive(tmp_path):
    ws = make_workspace(tmp_path, images=0)
    (ws / "COCO2017" / "sub").mkdir()
    (ws / "COCO2017" / "sub" / "A.JPEG").write_bytes(b"x")
    (ws / "COCO2017" / "b.BMP").write_bytes(b"x")
    (ws / "COCO2017" / "c.img").write_bytes(b"x")
    work = ws / "Workspace"
    run(transform_cmd(), work)
    result = run(calibrate_cmd(input_num=0), work)
    assert result.returncode == 0
    assert "input_num = 2, ref = 2" in result.stdout


def test_no_tune_means_no_dot_one_table(ws):
    work = ws / "Workspace"
    run(transform_cmd(), work)
    assert run(calibrate_cmd() + ["--tune_num", "0"], work).returncode == 0
    assert (work / "yolo11n_calib_table").exists() and not (work / "yolo11n_calib_table.1").exists()


@pytest.mark.parametrize("quantize", ["F16", "F32"])
def test_float_quantize_on_cv181x(ws, quantize):
    work = ws / "Workspace"
    run(transform_cmd(), work)
    run(calibrate_cmd(), work)
    result = run(deploy_cmd(quantize=quantize), work)
    assert result.returncode == 1
    assert "raw format not support current type" in result.stderr
    assert "RuntimeError: [!Error]: tpuc-opt yolo11n.mlir" in result.stderr
    assert not (work / "yolo11n_sym_int8.cvimodel").exists()


def test_missing_calibration_table(ws):
    work = ws / "Workspace"
    run(transform_cmd(), work)
    result = run(deploy_cmd(table="nope_table"), work)
    assert result.returncode == 1
    assert "can't open calibration table file!" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("RuntimeError: [!Error]: tpuc-opt")


def test_aligned_input_needs_fuse_preprocess(ws):
    work = ws / "Workspace"
    run(transform_cmd(), work)
    run(calibrate_cmd(), work)
    cmd = [p for p in deploy_cmd() if p not in ("--fuse_preprocess", "--customization_format", "RGB_PACKED")]
    result = run(cmd, work)
    assert result.returncode == 1
    assert "aligned_input requires fuse_preprocess" in result.stderr


def test_customization_format_needs_fuse_preprocess(ws):
    work = ws / "Workspace"
    run(transform_cmd(), work)
    run(calibrate_cmd(), work)
    cmd = [p for p in deploy_cmd() if p not in ("--fuse_preprocess", "--aligned_input")]
    result = run(cmd, work)
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("AssertionError")


# ------------------------------------------------------------------------------- injected faults

def test_fault_compare_fail_in_deploy(ws):
    env = double_env(fault={"deploy": {"compare": "fail"}})
    transform, calibrate, deploy = convert(ws, env)
    assert transform.returncode == 0 and calibrate.returncode == 0
    assert deploy.returncode == 1
    assert "NOT_SIMLIAR [FAILED]" in deploy.stdout
    assert "npz compare FAILED." in deploy.stdout
    assert deploy.stderr.rstrip().splitlines()[-1].startswith("RuntimeError: [!Error]: npz_tool.py compare")
    assert not (ws / "Workspace" / "yolo11n_sym_int8.cvimodel").exists()


def test_fault_crash_from_a_file_in_a_parent_directory(ws):
    (ws / "toolchain_double_faults.json").write_text(json.dumps({"transform": {"crash": "RuntimeError: injected"}}))
    result = run(transform_cmd(), ws / "Workspace")
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("RuntimeError: injected")


def test_fault_exit_137_without_a_message(ws):
    """The tool dies with 137; the wheel's wrapper reports it as 1 (test_double_launcher: direct)."""
    env = double_env(fault={"calibrate": {"exit": 137}})
    transform, calibrate = convert(ws, env)
    assert calibrate.returncode == 1
    assert "Error" not in calibrate.stdout + calibrate.stderr
    assert not (ws / "Workspace" / "yolo11n_calib_table").exists()


def test_fault_slow_step_with_few_images_still_redraws_twice_a_second(tmp_path):
    ws = make_workspace(tmp_path, images=1)
    work = ws / "Workspace"
    run(transform_cmd(), work)
    result = run(calibrate_cmd(), work, double_env(fault={"calibrate": {"slow_seconds": 3}}))
    assert result.returncode == 0
    redraws = result.stderr.count("\r")
    assert redraws >= 3 / 0.5, redraws


def test_npz_tool_and_model_tool(ws):
    work = ws / "Workspace"
    run(transform_cmd() + ["--debug"], work)  # keeps yolo11n_ref_outputs.npz
    same = run(["npz_tool.py", "compare", "yolo11n_top_outputs.npz", "yolo11n_ref_outputs.npz", "--tolerance",
                "0.99,0.99", "--except", "-", "-vv"], work)
    assert same.returncode == 0 and "npz compare PASSED." in same.stdout
    missing = run(["npz_tool.py", "compare", "nope.npz", "yolo11n_ref_outputs.npz"], work)
    assert missing.returncode == 1 and "No such file" in missing.stderr
    not_a_model = run(["model_tool", "--info", "yolo11n.mlir"], work)
    assert not_a_model.returncode == 1 and "not a cvimodel" in not_a_model.stderr


def test_fault_slow_step_streams_progress_live(ws):
    work = ws / "Workspace"
    run(transform_cmd(), work)
    env = double_env(fault={"calibrate": {"slow_seconds": 2}})
    proc = subprocess.Popen(calibrate_cmd(), cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started = time.monotonic()
    first = proc.stderr.read(20)  # progress arrives before the step ends
    seen_at = time.monotonic() - started
    proc.communicate(timeout=30)
    total = time.monotonic() - started
    assert first and proc.returncode == 0
    assert total >= 1.9 and seen_at < total - 1.0


def test_install_sh_installs_a_working_prefix(tmp_path, ws):
    prefix, bindir = tmp_path / "opt", tmp_path / "bin"
    result = subprocess.run(["sh", str(DOUBLE_ROOT / "install.sh"), str(prefix), str(bindir)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for tool in ("model_transform", "model_transform.py", "run_calibration.py", "model_deploy", "model_tool",
                 "model_runner", "npz_tool.py"):
        assert (bindir / tool).exists(), tool
    assert (prefix / "tools" / "model_transform.py").is_file() and not (bindir / "tpu_mlir_wrapper").exists()
    env = double_env()
    env["PATH"] = f"{bindir}:/usr/bin:/bin"
    out = run(transform_cmd(), ws / "Workspace", env)
    assert out.returncode == 0, out.stderr


def test_double_uses_only_the_standard_library():
    """It must run in a bare Debian image: import every module with third-party imports blocked."""
    program = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('numpy', 'onnx', 'wizard', 'tqdm', 'onnxruntime'): raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"sys.path.insert(0, {str(DOUBLE_ROOT)!r})\n"
        "import importlib, pkgutil, tpu_mlir_double\n"
        "for m in pkgutil.iter_modules(tpu_mlir_double.__path__): importlib.import_module('tpu_mlir_double.' + m.name)\n"
    )
    result = subprocess.run([sys.executable, "-S", "-c", program], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (BIN_DIR / "model_transform").read_text().startswith("#!/usr/bin/env python3")


@pytest.mark.parametrize("family, layer", [("yolo11", 23), ("yolov8", 22)])
def test_converts_the_project_sample_models(tmp_path, family, layer):
    sample_model = pytest.importorskip("wizard.core.model.samples")
    ws = make_workspace(tmp_path)
    sample_model.write_sample_model(ws / "model" / "yolo11n.onnx", family=family, imgsz=(64, 64))
    heads = [h.replace("model.23", f"model.{layer}") for h in YOLO11_HEADS]
    work = ws / "Workspace"
    result = run(transform_cmd(heads=heads), work)
    assert result.returncode == 0, result.stderr
    assert f"[/model.{layer}/cv3.2/cv3.2.2/Conv_output_0_Conv]" in result.stdout
    assert run(calibrate_cmd(), work).returncode == 0
    assert run(deploy_cmd(), work).returncode == 0
    wrong = run(transform_cmd(heads=[h.replace(f"model.{layer}", "model.99") for h in heads]), work)
    assert "Error, can't find" in wrong.stderr


def test_sample_model_output0_with_mod_tail_is_refused(tmp_path):
    sample_model = pytest.importorskip("wizard.core.model.samples")
    ws = make_workspace(tmp_path)
    sample_model.write_sample_model(ws / "model" / "yolo11n.onnx", family="yolov10", imgsz=(64, 64))
    result = run(transform_cmd(heads=["output0"]), ws / "Workspace")
    assert result.returncode == 1
    assert "Op not support:{'Mod'}" in result.stderr
