"""The toolchain's letterbox in numpy, the two model inputs from its pixels, and boxes mapped back.

Most tests use no toolchain. ``test_same_pixels_as_the_real_toolchain`` runs the REAL TPU-MLIR 1.7
``utils/preprocess.py`` (and OpenCV 4.8) in the toolchain's own Python, in the real toolchain image
(tests/real_toolchain.py, as every real test finds it).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from docker_support import docker_client  # noqa: F401 (fixture)
from real_toolchain import toolchain_real_image  # noqa: F401 (fixture)
from wizard.core.detections.letterbox import (
    Placement,
    Preprocess,
    float_input,
    fused_input,
    int8_side_input,
    letterbox,
    load_npz,
    load_rgb,
    resize_bilinear,
    save_npz,
)
from wizard.core.messages import WizardError


def _picture(width: int, height: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_resize_is_opencv_bilinear_by_hand():
    # One row 0, 255 widened to 4: source positions -0.25, 0.25, 0.75, 1.25 -> clamp, 1/4, 3/4, clamp.
    row = np.array([[[0], [255]]], dtype=np.uint8)
    assert resize_bilinear(row, 4, 1)[0, :, 0].tolist() == [0, 64, 191, 255]
    # Halving averages 2x2 blocks with rounding: (1 + 2 + 3 + 5 + 2) >> 2 = 3.
    block = np.array([[[1], [2]], [[3], [5]]], dtype=np.uint8)
    assert resize_bilinear(block, 1, 1)[0, 0, 0] == 3
    same = _picture(7, 5)
    assert np.array_equal(resize_bilinear(same, 7, 5), same)


@pytest.mark.parametrize(
    "width, height, size, scaled, offset",
    [
        (480, 640, 640, (480, 640), (80, 0)),  # portrait
        (640, 480, 640, (640, 480), (0, 80)),  # landscape
        (1000, 1000, 640, (640, 640), (0, 0)),  # square
        (300, 200, 320, (320, 213), (0, 53)),  # 213.33 truncated, not rounded; (320-213)//2
        (200, 300, 320, (213, 320), (53, 0)),
        (100, 50, 320, (320, 160), (0, 80)),  # enlarged
    ],
)
@pytest.mark.parametrize("pad", [0, 114])
def test_letterbox_places_the_picture_like_the_toolchain(width, height, size, scaled, offset, pad):
    picture = _picture(width, height)
    pre = Preprocess(height=size, width=size, pad_value=pad)
    canvas, placement = letterbox(picture, pre)
    assert canvas.shape == (size, size, 3) and canvas.dtype == np.uint8
    assert (placement.scaled_width, placement.scaled_height) == scaled
    assert (placement.offset_x, placement.offset_y) == offset
    x0, y0 = offset
    inside = canvas[y0:y0 + scaled[1], x0:x0 + scaled[0]]
    assert np.array_equal(inside, resize_bilinear(picture, *scaled))
    mask = np.ones((size, size), dtype=bool)
    mask[y0:y0 + scaled[1], x0:x0 + scaled[0]] = False
    assert np.all(canvas[mask] == pad)


def test_stretch_without_keep_aspect_ratio():
    canvas, placement = letterbox(_picture(300, 100), Preprocess(320, 320, keep_aspect_ratio=False))
    assert placement == Placement(300, 100, 320, 320, 0, 0, 320, 320)
    assert np.array_equal(canvas, resize_bilinear(_picture(300, 100), 320, 320))


@pytest.mark.parametrize("width, height", [(480, 640), (640, 480), (500, 500), (1919, 1081)])
def test_boxes_map_back_to_the_original_and_round_trip(width, height):
    _, placement = letterbox(_picture(width, height), Preprocess(640, 640))
    whole = placement.to_input([[0, 0, width, height]])[0]
    assert whole.tolist() == pytest.approx([placement.offset_x, placement.offset_y,
                                            placement.offset_x + placement.scaled_width,
                                            placement.offset_y + placement.scaled_height])
    boxes = np.array([[0, 0, width, height], [10.5, 20, 100, 200.25], [width / 3, height / 2, width - 1, height - 2]])
    np.testing.assert_allclose(placement.to_source(placement.to_input(boxes)), boxes, atol=1e-9)
    # A box reaching into the padding is clipped to the picture.
    spill = placement.to_source([[-20, -20, 700, 700]])[0]
    assert spill.tolist() == [0, 0, width, height]


def test_both_inputs_come_from_the_same_pixels():
    canvas, _ = letterbox(_picture(333, 222), Preprocess(352, 352, pad_value=114))
    pre = Preprocess(352, 352, pad_value=114)
    raw = fused_input(canvas, pre)
    # 3 * 352 = 1056 bytes per row, aligned to 64 -> 1088, zero-filled.
    assert raw.shape == (1, 1, 352, 1088) and raw.dtype == np.uint8
    assert np.all(raw[0, 0, :, 1056:] == 0)
    y, x = 200, 17
    assert raw[0, 0, y, 3 * x:3 * x + 3].tolist() == canvas[y, x].tolist()  # RGB, packed
    images = float_input(canvas, pre)
    assert images.shape == (1, 3, 352, 352) and images.dtype == np.float32
    assert images[0, :, y, x].tolist() == [np.float32(v) * np.float32(0.0039216) for v in canvas[y, x]]
    unpacked = raw[0, 0, :, :1056].reshape(352, 352, 3)
    assert np.array_equal(float_input(unpacked, pre), images)
    bgr = float_input(canvas, Preprocess(352, 352, pixel_format="bgr", mean=(1, 2, 3), scale=(0.5, 0.25, 1)))
    b, g, r = (float(v) for v in canvas[y, x][::-1])
    assert bgr[0, :, y, x].tolist() == [(b - 1) * 0.5, (g - 2) * 0.25, r - 3]


def test_inputs_keyed_as_model_deploy_names_them():
    canvas = np.zeros((640, 640, 3), dtype=np.uint8)
    fused = int8_side_input(canvas, Preprocess())
    assert list(fused) == ["images_raw"] and fused["images_raw"].shape == (1, 1, 640, 1920)
    unfused = int8_side_input(canvas, Preprocess(fused=False))
    assert list(unfused) == ["images"] and unfused["images"].shape == (1, 3, 640, 640)
    not_aligned = fused_input(canvas, Preprocess(aligned=False))
    assert not_aligned.shape == (1, 640, 640, 3)


def test_preprocess_from_a_recipe():
    from wizard.core.plan.recipe import ConversionRecipe

    recipe = ConversionRecipe(name="m", input_shape=(1, 3, 320, 320))
    pre = Preprocess.from_recipe(recipe)
    assert (pre.height, pre.width, pre.pad_value, pre.pixel_format, pre.fused, pre.aligned) == (
        320, 320, 0, "rgb", True, True)
    assert pre.scale == (0.0039216,) * 3
    with pytest.raises(WizardError) as error:
        Preprocess(pixel_format="gray")
    assert error.value.problem.code == "detections_unsupported_input"


def test_load_rgb_turns_the_picture_upright(tmp_path):
    picture = Image.fromarray(_picture(40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    picture.save(tmp_path / "phone.jpg", exif=exif)
    assert load_rgb(tmp_path / "phone.jpg").shape == (40, 20, 3)
    Image.fromarray(_picture(40, 20)).convert("RGBA").save(tmp_path / "alpha.png")
    assert load_rgb(tmp_path / "alpha.png").shape == (20, 40, 3)
    (tmp_path / "text.jpg").write_text("not a picture")
    with pytest.raises(WizardError) as error:
        load_rgb(tmp_path / "text.jpg")
    assert error.value.problem.code == "detections_picture_unreadable"


def test_npz_round_trip_and_damaged_file(tmp_path):
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b/c_Conv": np.ones(2, dtype=np.uint8)}
    path = save_npz(tmp_path / "x.npz", arrays)
    loaded = load_npz(path)
    assert list(loaded) == ["a", "b/c_Conv"]
    assert all(np.array_equal(loaded[k], arrays[k]) for k in arrays)
    assert list(load_npz(path, ("b/c_Conv", "missing"))) == ["b/c_Conv"]
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]  # no temporary file left
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(WizardError) as error:
        load_npz(path)
    assert error.value.problem.code == "detections_outputs_unreadable"


# --- against the real toolchain -------------------------------------------------------------------

_TOOLCHAIN_SCRIPT = textwrap.dedent("""
    import importlib.util, json, os, sys
    import numpy as np
    root = os.path.dirname(importlib.util.find_spec("tpu_mlir").origin)
    sys.path.insert(0, os.path.join(root, "python"))
    from utils.preprocess import preprocess
    job = json.loads(sys.argv[1])
    out = {}
    for i, (path, size, pad) in enumerate(job):
        common = dict(input_shapes=[[1, 3, size, size]], resize_dims=f"{size},{size}",
                      keep_aspect_ratio=True, pixel_format="rgb", pad_value=pad, pad_type="center")
        float_pre = preprocess()
        float_pre.config(mean="0,0,0", scale="0.0039216,0.0039216,0.0039216", **common)
        out[f"images_{i}"] = float_pre.run(path)
        fused = preprocess()
        fused.config(fuse_pre=True, customization_format="RGB_PACKED", aligned=True, chip="cv181x", **common)
        out[f"raw_{i}"] = fused.run(path)
    np.savez(os.environ["OUT"], **out)
""")


@pytest.mark.real_toolchain
@pytest.mark.docker
def test_same_pixels_as_the_real_toolchain(tmp_path, docker_client, toolchain_real_image):
    from real_toolchain import run_in_image

    job = []
    for i, (width, height, size, pad) in enumerate([(480, 640, 640, 0), (640, 480, 640, 114), (1001, 333, 320, 0),
                                                   (299, 301, 320, 114), (100, 60, 640, 0)]):
        rng = np.random.default_rng(i)
        # Smooth content plus noise: both the interpolation and the rounding are exercised.
        yy, xx = np.mgrid[0:height, 0:width]
        base = (np.sin(xx / 7.0) * 100 + np.cos(yy / 5.0) * 100 + 128)[..., None] + rng.normal(0, 20, (height, width, 3))
        Image.fromarray(base.clip(0, 255).astype(np.uint8)).save(tmp_path / f"p{i}.png")
        job.append((f"/data/p{i}.png", size, pad))
    (tmp_path / "preprocess.py").write_text(_TOOLCHAIN_SCRIPT, encoding="utf-8")
    (tmp_path / "job.json").write_text(json.dumps(job), encoding="utf-8")
    code, log = run_in_image(docker_client, toolchain_real_image, tmp_path,
                             'OUT=/data/toolchain.npz python3 preprocess.py "$(cat job.json)"', timeout=300)
    assert code == 0, log[-3000:]
    theirs = np.load(tmp_path / "toolchain.npz")
    for i, (path, size, pad) in enumerate(job):
        pre = Preprocess(size, size, pad_value=pad)
        canvas, _ = letterbox(load_rgb(tmp_path / Path(path).name), pre)
        assert np.array_equal(fused_input(canvas, pre), theirs[f"raw_{i}"]), path
        assert np.array_equal(float_input(canvas, pre), theirs[f"images_{i}"]), path
