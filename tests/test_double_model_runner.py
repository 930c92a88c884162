"""The double's model_runner: 1.7's command, input checks and output names; heads that decode to a scene.

Toolchain: the double only (tests/toolchain_double), run as processes through its wrapper commands.
The heads are decoded here with numpy and the Ultralytics math (DFL softmax expectation,
sigmoid scores, anchors at cell centres), independently of the double's encoder, and compared
with the scene the test asked for. Names and input rules were checked on the real 1.7 tools
(docs: detections.md, toolchain.md).
"""

from __future__ import annotations

import json
import subprocess

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("onnx")

from toolchain_double.helpers import (  # noqa: E402
    TOOLS_DIR, YOLO11_HEADS, calibrate_cmd, deploy_cmd, double_env, make_workspace, transform_cmd,
)

SIZE = 96  # a multiple of 32 whose 3*S (288) is not one of 64: the aligned row is 320 bytes
ALIGNED_ROW = 320
STRIDES = (8, 16, 32)
HEADS = [h + "_Conv" for h in YOLO11_HEADS]
SCENE = {
    "boxes": [
        {"class": 2, "score": 0.9, "xyxy": [0.05, 0.05, 0.45, 0.40]},
        {"class": 1, "score": 0.7, "xyxy": [0.55, 0.50, 0.95, 0.95]},
        {"class": 0, "score": 0.5, "xyxy": [0.10, 0.60, 0.30, 0.90]},
    ],
    "int8": {"lose": [2], "shift": {"0": [0.05, 0.0]}, "score": {"1": 0.35},
             "extra": [{"class": 1, "score": 0.8, "xyxy": [0.60, 0.08, 0.90, 0.30]}]},
}
DEFAULT_FLOAT = [  # the README's default scene, as the float side must show it
    (0, 0.92, [0.10, 0.15, 0.35, 0.60]), (1, 0.85, [0.55, 0.10, 0.80, 0.30]), (2, 0.78, [0.40, 0.55, 0.70, 0.90]),
    (0, 0.66, [0.75, 0.55, 0.95, 0.80]), (1, 0.88, [0.05, 0.70, 0.25, 0.95]),
]


def run(cmd, cwd, env=None):
    result = subprocess.run(cmd, cwd=cwd, env=env or double_env(), capture_output=True, timeout=120)
    result.stdout, result.stderr = result.stdout.decode(), result.stderr.decode()
    return result


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A guide-style conversion of the 3-class sample model at 96 px: top MLIR and cvimodel."""
    from wizard.core.model.samples import write_sample_model

    ws = make_workspace(tmp_path_factory.mktemp("runner"), size=SIZE)
    write_sample_model(ws / "model" / "yolo11n.onnx", family="yolo11", imgsz=(SIZE, SIZE))
    work = ws / "Workspace"
    quant_output = [("q_int8.cvimodel" if p == "yolo11n_sym_int8.cvimodel" else p)
                    for p in deploy_cmd(extra=["--quant_output"])]
    for cmd in (transform_cmd(size=SIZE), calibrate_cmd(), deploy_cmd(), quant_output):
        result = run(cmd, work)
        assert result.returncode == 0, result.stdout + result.stderr
    return work


def model_runner(work, npz_in, model, out="out.npz", extra=(), env=None):
    result = run(["model_runner", "--input", npz_in, "--model", model, "--output", out, *extra], work, env)
    data = dict(np.load(work / out)) if result.returncode == 0 else None
    return result, data


def decode(outputs: dict, suffix: str, size: int = SIZE, conf: float = 0.05):
    """Ultralytics decode of the six heads -> [(class, score, [x1, y1, x2, y2] in pixels)]."""
    found = []
    for i, stride in enumerate(STRIDES):
        box = outputs[f"/model.23/cv2.{i}/cv2.{i}.2/Conv_output_0_Conv{suffix}"].astype(np.float64)
        cls = outputs[f"/model.23/cv3.{i}/cv3.{i}.2/Conv_output_0_Conv{suffix}"].astype(np.float64)
        grid = size // stride
        assert box.shape == (1, 64, grid, grid) and cls.shape[2:] == (grid, grid)
        logits = box.reshape(4, 16, grid, grid)
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        dist = (weights / weights.sum(axis=1, keepdims=True) * np.arange(16)[None, :, None, None]).sum(axis=1)
        scores = 1 / (1 + np.exp(-cls[0]))
        for row, col in zip(*np.nonzero(scores.max(axis=0) > conf)):
            k = int(scores[:, row, col].argmax())
            ax, ay = (col + 0.5) * stride, (row + 0.5) * stride
            l, t, r, b = dist[:, row, col] * stride
            found.append((k, float(scores[k, row, col]), [ax - l, ay - t, ax + r, ay + b]))
    return sorted(found, key=lambda d: (d[2][0], d[2][1]))


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def match(reference, candidate, threshold=0.5):
    """Greedy same-class IoU matching: (pairs, missed, extra)."""
    pairs, free = [], list(candidate)
    for ref in reference:
        best = max((c for c in free if c[0] == ref[0]), key=lambda c: iou(ref[2], c[2]), default=None)
        if best is not None and iou(ref[2], best[2]) > threshold:
            pairs.append((ref, best))
            free.remove(best)
    matched = [p[0] for p in pairs]
    return pairs, [r for r in reference if r not in matched], free


def pixels(boxes):
    return [(c, s, [v * SIZE for v in xyxy]) for c, s, xyxy in boxes]


def assert_same(found, expected, box_tol, score_tol):
    assert len(found) == len(expected), (found, expected)
    for (fc, fs, fb), (ec, es, eb) in zip(found, sorted(expected, key=lambda d: (d[2][0], d[2][1]))):
        assert fc == ec and abs(fs - es) <= score_tol, (fc, fs, ec, es)
        assert max(abs(x - y) for x, y in zip(fb, eb)) <= box_tol, (fb, eb)


# --------------------------------------------------------------------------- float side: top MLIR

def test_top_mlir_outputs_are_the_heads_in_graph_order_and_decode_to_the_default_scene(work):
    result, out = model_runner(work, "yolo11n_in_f32.npz", "yolo11n.mlir")
    assert result.returncode == 0, result.stderr
    assert list(out) == HEADS  # `<onnx tensor>_Conv`, cv2.0, cv3.0, cv2.1, ... as the graph has them
    assert out[HEADS[1]].shape == (1, 3, SIZE // 8, SIZE // 8) and out[HEADS[0]].dtype == np.float32
    assert result.stdout.endswith("\nSaving ...\n\nResult saved to:out.npz\n")
    expected = pixels([(c, s, b) for c, s, b in DEFAULT_FLOAT])
    assert_same(decode(out, ""), expected, box_tol=1e-3, score_tol=1e-5)
    assert decode(out, "", conf=1e-4) == decode(out, "")  # nothing else anywhere near a threshold


def test_dump_all_tensors_gives_every_top_tensor_and_the_input(work):
    result, out = model_runner(work, "yolo11n_in_f32.npz", "yolo11n.mlir", extra=["--dump_all_tensors"])
    assert result.returncode == 0, result.stderr
    assert set(HEADS) < set(out) and "images" in out and len(out) > 20
    assert np.array_equal(out["images"], np.load(work / "yolo11n_in_f32.npz")["images"])


# ------------------------------------------------------------------------------ INT8 side: cvimodel

def test_fused_input_npz_is_images_raw_uint8_aligned_to_64(work):
    raw = np.load(work / "yolo11n_in_ori.npz")
    assert raw.files == ["images_raw"]
    assert raw["images_raw"].dtype == np.uint8 and raw["images_raw"].shape == (1, 1, SIZE, ALIGNED_ROW)


def test_cvimodel_outputs_are_named_as_1_7_writes_them(work):
    result, out = model_runner(work, "yolo11n_in_ori.npz", "yolo11n_sym_int8.cvimodel")
    assert result.returncode == 0, result.stderr
    for head in HEADS:
        assert head + "_f32" in out and head in out  # fp32 outputs, and the int8 tensors dequantized
    assert out["_ui8"].shape == (1, 1, 1, SIZE * ALIGNED_ROW)  # the input, under the real tool's name
    assert len(set(out) - set(HEADS) - {h + "_f32" for h in HEADS} - {"_ui8"}) >= 1  # other dumped tensors
    assert "setenv:cv181x\nStart TPU Simulator for cv181x\n" in result.stdout and "device[0] closed" in result.stdout
    f32 = out[HEADS[0] + "_f32"]
    bits = f32.view(np.uint32)
    assert not (bits & 0xFFFF).any()  # BF16-representable, as the real _f32 outputs are


def test_quant_output_model_gives_int8_heads_only(work):
    result, out = model_runner(work, "yolo11n_in_ori.npz", "q_int8.cvimodel")
    assert result.returncode == 0, result.stderr
    assert set(HEADS) <= set(out) and not any(name.endswith("_f32") for name in out)


def test_default_scene_int8_differs_by_exactly_one_lost_one_extra(work):
    _, top = model_runner(work, "yolo11n_in_f32.npz", "yolo11n.mlir", out="top.npz")
    _, cvi = model_runner(work, "yolo11n_in_ori.npz", "yolo11n_sym_int8.cvimodel", out="cvi.npz")
    pairs, missed, extra = match(decode(top, ""), decode(cvi, "_f32"))
    assert (len(pairs), len(missed), len(extra)) == (4, 1, 1)
    assert [round(v / SIZE, 3) for v in missed[0][2]] == [0.05, 0.70, 0.25, 0.95]  # box 4 lost
    assert [round(v / SIZE, 2) for v in extra[0][2]] == [0.40, 0.20, 0.52, 0.40]
    by_float = {round(ref[2][0] / SIZE, 2): (ref, got) for ref, got in pairs}
    ref, got = by_float[0.55]  # box 1 moved by (0.02, 0.01) of the input
    assert got[2][0] - ref[2][0] == pytest.approx(0.02 * SIZE, abs=0.8)
    assert got[2][1] - ref[2][1] == pytest.approx(0.01 * SIZE, abs=0.8)
    assert by_float[0.40][1][1] == pytest.approx(0.40, abs=0.02)  # box 2's score lowered
    ref, got = by_float[0.10]
    assert got[1] == pytest.approx(ref[1], abs=0.02) and iou(ref[2], got[2]) > 0.95  # only INT8 noise


def test_a_scene_from_the_environment_or_next_to_the_model(work, tmp_path):
    env = double_env()
    env["TOOLCHAIN_DOUBLE_SCENE"] = json.dumps(SCENE)
    _, top = model_runner(work, "yolo11n_in_f32.npz", "yolo11n.mlir", out="s_top.npz", env=env)
    assert_same(decode(top, ""), pixels([(b["class"], b["score"], b["xyxy"]) for b in SCENE["boxes"]]), 1e-3, 1e-5)
    (work / "toolchain_double_scene.json").write_text(json.dumps(SCENE))
    try:
        _, cvi = model_runner(work, "yolo11n_in_ori.npz", "yolo11n_sym_int8.cvimodel", out="s_cvi.npz")
    finally:
        (work / "toolchain_double_scene.json").unlink()
    expected = [(2, 0.9, [0.10, 0.05, 0.50, 0.40]), (1, 0.35, [0.55, 0.50, 0.95, 0.95]),
                (1, 0.8, [0.60, 0.08, 0.90, 0.30])]
    assert_same(decode(cvi, "_f32"), pixels(expected), box_tol=1.0, score_tol=0.02)


@pytest.mark.parametrize("scene, message", [
    ({"boxes": [{"class": 3, "score": 0.5, "xyxy": [0.1, 0.1, 0.5, 0.5]}]}, "class 3 is outside the model's 3 classes"),
    ({"boxes": [{"class": 0, "score": 0.5, "xyxy": [0.5, 0.1, 0.4, 0.5]}]}, "must be normalised x1 < x2"),
    ({"boxes": [{"class": 0, "score": 0.5, "xyxy": [0.1, 0.1, 0.5, 0.5]}] * 4}, "fits no free anchor cell"),
])
def test_a_scene_that_cannot_be_encoded_is_refused(work, scene, message):
    env = double_env()
    env["TOOLCHAIN_DOUBLE_SCENE"] = json.dumps(scene)
    result, _ = model_runner(work, "yolo11n_in_f32.npz", "yolo11n.mlir", out="bad.npz", env=env)
    assert result.returncode == 1 and message in result.stderr


# ------------------------------------------------------------------------------- input checks (1.7)

@pytest.fixture(scope="module")
def inputs(work):
    np.savez(work / "small.npz", images=np.zeros((1, 3, 32, 32), np.float32))
    np.savez(work / "renamed.npz", anything=np.zeros((1, 3, SIZE, SIZE), np.float32))
    np.savez(work / "two.npz", a=np.zeros((1, 3, SIZE, SIZE), np.float32), b=np.zeros(3, np.float32))
    np.savez(work / "raw_small.npz", images_raw=np.zeros((1, 1, 32, 128), np.uint8))
    return work


def test_top_mlir_input_of_the_wrong_size_aborts_as_the_interpreter(inputs):
    result, _ = model_runner(inputs, "small.npz", "yolo11n.mlir")
    assert result.returncode == 1  # the wrapper; the tool itself aborts
    assert f"Tensor images data need size: {3 * SIZE * SIZE * 4} , but set size: {3 * 32 * 32 * 4}" in result.stderr
    assert result.stderr.rstrip().endswith("lib/Support/ModuleInterpreter.cpp:1331!")
    direct = run([str(TOOLS_DIR / "model_runner.py"), "--input", "small.npz", "--model", "yolo11n.mlir"],
                 inputs)
    assert direct.returncode == -6  # SIGABRT
    assert not list(inputs.glob("core*"))


def test_one_array_is_taken_whatever_its_key_more_need_the_input_name(inputs):
    result, out = model_runner(inputs, "renamed.npz", "yolo11n.mlir")
    assert result.returncode == 0 and list(out) == HEADS
    result, _ = model_runner(inputs, "two.npz", "yolo11n.mlir")
    assert result.returncode == 1 and result.stderr.rstrip().endswith("AssertionError")
    result, _ = model_runner(inputs, "two.npz", "yolo11n_sym_int8.cvimodel")
    assert result.returncode == 1 and result.stderr.rstrip().endswith("AssertionError")


def test_cvimodel_input_of_the_wrong_size_is_numpys_reshape_error(inputs):
    for npz_in, size in (("raw_small.npz", 32 * 128), ("small.npz", 3 * 32 * 32)):
        result, _ = model_runner(inputs, npz_in, "yolo11n_sym_int8.cvimodel")
        assert result.returncode == 1
        assert result.stderr.rstrip().endswith(
            f"ValueError: cannot reshape array of size {size} into shape (1,1,1,{SIZE * ALIGNED_ROW})")
        assert "Cmodel: bm_run_cmdbuf" not in result.stdout and "device[0] closed" in result.stdout


def test_wrong_files_fail_as_1_7(inputs):
    missing, _ = model_runner(inputs, "nope.npz", "yolo11n.mlir")
    assert missing.stderr.rstrip().endswith("FileNotFoundError: [Errno 2] No such file or directory: 'nope.npz'")
    unknown, _ = model_runner(inputs, "yolo11n_in_f32.npz", "yolo11n.txt")
    assert unknown.stderr.rstrip().endswith("RuntimeError: not support modle file:yolo11n.txt")
    (inputs / "fake.cvimodel").write_bytes(b"not a model")
    fake, _ = model_runner(inputs, "yolo11n_in_ori.npz", "fake.cvimodel")
    assert fake.returncode == 1 and "Error, invalid cvimodel file" in fake.stderr
    usage = run(["model_runner", "--input", "x.npz"], inputs)
    assert usage.returncode == 1 and "the following arguments are required: --model" in usage.stderr
