"""The detection check of a finished run, end to end, with the toolchain DOUBLE in the real Docker engine.

Toolchain: the DOUBLE (tests/toolchain_double, in its test image), whose model_runner gives the
default scene with controlled INT8 differences (tests/detections_runs.py). Everything else is
real: `recamera-wizard compare` and `convert` as a user runs them (child processes), the run
folder a real conversion left, the Docker engine, the containers, the cache on disk.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from detections_runs import INT8_LOST, SCENE, convert, copy_run, double_image, double_inputs, double_run, scene_in_picture  # noqa: F401
from docker_support import cli, docker_client  # noqa: F401 (fixtures)
from wizard.core.detections.backends.local_docker import LABEL_ROLE, ROLE, DockerModelRunner
from wizard.core.detections.decode import Thresholds
from wizard.core.detections.report import DetectionReport
from wizard.core.detections.service import CACHE_DIR, run_check
from wizard.core.events import ProblemRaised, Progress, Result

pytestmark = [pytest.mark.docker]

LOW = ["--score", "0.25"]  # the README's threshold: 4 matched, 1 missed, 1 extra per picture


class CountingDockerRunner(DockerModelRunner):
    """The real Docker backend, counting the batches and inputs it is asked to run."""

    def __init__(self, image: str, **options):
        super().__init__(image, **options)
        self.jobs: list[tuple[str, int]] = []

    def run_model_runner(self, job):
        self.jobs.append((job.side, len(job.inputs)))
        yield from super().run_model_runner(job)


def _our_containers(client, since: float | None = None, run_id: str | None = None) -> list:
    """Detection-check containers: of one run, or created since ``since`` (the CLI's own)."""
    from datetime import datetime, timezone

    label = f"org.recamera-wizard.run-id={run_id}" if run_id else f"{LABEL_ROLE}={ROLE}"
    found = client.containers.list(all=True, filters={"label": label})
    if since is None:
        return found
    return [c for c in found
            if datetime.fromisoformat(c.attrs["Created"][:19]).replace(tzinfo=timezone.utc).timestamp() >= since - 1]


def _report(run_dir: Path) -> DetectionReport:
    return DetectionReport.load(run_dir / "detections.json")


def test_compare_finds_exactly_the_scenes_differences_on_every_picture(double_run, tmp_path, docker_client):
    run_dir = copy_run(double_run, tmp_path / "run")
    started = time.time()
    result = cli(["compare", str(run_dir), *LOW, "--json"])
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "checked" and data["report_path"] == str(run_dir / "detections.json")
    report = _report(run_dir)
    assert json.loads(report.model_dump_json()) == data["report"]
    assert len(report.pictures) == 12  # the test picture and 11 of the 12 calibration pictures
    assert any(p.name == "test.jpg" for p in report.pictures)
    expected = scene_in_picture()
    for picture in report.pictures:
        assert (len(picture.matched), len(picture.missed), len(picture.extra)) == (4, 1, 1), picture.name
        # The float side is the scene, mapped back through the letterbox (scale 1, 40 px pad).
        found = sorted((b.class_id, (b.x1, b.y1, b.x2, b.y2)) for b in picture.original)
        assert [c for c, _ in found] == sorted(c for c, _ in expected)
        for (cls, box), (want_cls, want) in zip(found, sorted(expected)):
            assert cls == want_cls and box == pytest.approx(want, abs=0.5)
        missed = picture.original[picture.missed[0]]
        assert (missed.class_id, missed.x1, missed.y1) == pytest.approx((SCENE[INT8_LOST][0], 16.0, 184.0), abs=0.5)
        extra = picture.int8[picture.extra[0]]
        assert extra.class_id == 0 and (extra.x1, extra.y1, extra.x2, extra.y2) == pytest.approx((128, 24, 166.4, 88), abs=1)
        drawing = run_dir / picture.image
        with Image.open(drawing) as image:
            assert image.format == "PNG" and image.width > 2 * 320
    s = report.summary
    assert (s.original, s.int8, s.matched, s.missed, s.extra) == (60, 60, 48, 12, 12)
    assert s.agreement == pytest.approx(0.8)
    assert sorted(p.name for p in (run_dir / "detections").iterdir()) == sorted(
        Path(p.image).name for p in report.pictures)
    assert report.thresholds == {"score": 0.25, "iou": 0.25, "source": "user"}
    assert _our_containers(docker_client, since=started) == []

    plain = cli(["compare", str(run_dir), *LOW])
    assert plain.returncode == 0 and "80% agreement" in plain.stdout, plain.stdout + plain.stderr
    assert f"Side-by-side pictures (original | INT8): {run_dir / 'detections'}" in plain.stdout
    assert "Pictures, worst first:" in plain.stdout and "1 missed, 1 extra" in plain.stdout
    ja = cli(["--lang", "ja", "compare", str(run_dir), *LOW])
    assert ja.returncode == 0 and "一致度 80%" in ja.stdout and "画像（差の大きい順）" in ja.stdout


def test_new_thresholds_re_decode_from_the_cache_without_model_runner(double_run, tmp_path, docker_client,
                                                                    double_image):
    run_dir = copy_run(double_run, tmp_path / "run")
    backend = CountingDockerRunner(double_image, client=docker_client)
    events = list(run_check(run_dir, count=4, thresholds=Thresholds(0.25, 0.25, "user"), backend=backend))
    assert isinstance(events[-1], Result) and events[-1].details["outcome"] == "checked"
    assert backend.jobs == [("float", 4), ("int8", 4)]
    assert (backend.containers, backend.bytes_sent > 0, backend.bytes_received > 0) == (2, True, True)

    # The camera's own thresholds (0.45 / 0.25), and an image that does not exist: any model_runner
    # run would now fail with "image missing", so a success proves every output came from the cache.
    again = cli(["compare", str(run_dir), "--count", "4", "--image", "recamera-wizard-test/no-such-image:0", "--json"])
    assert again.returncode == 0, again.stdout + again.stderr
    report = _report(run_dir)
    assert report.thresholds == {"score": 0.45, "iou": 0.25, "source": "model_node_default"}
    for picture in report.pictures:
        # The INT8 box at 0.40 is below 0.45 now: missed, and seen as a near miss.
        assert (len(picture.matched), len(picture.missed), len(picture.extra)) == (3, 2, 1)
        assert [n.int8_score for n in picture.near_misses] == [pytest.approx(0.40, abs=0.03)]  # INT8 noise
    assert "detections_try_lower_threshold" in [m.code for m in report.suggestions]
    assert len(list((run_dir / CACHE_DIR).rglob("*.npz"))) == 8  # 4 pictures x 2 sides, no inputs left

    # The camera's own flow (the loopback simulator's model node: 0.62 / 0.33), read by
    # --thresholds-from-camera: the report decodes with them, again from the cache alone.
    from recamera_sim import ReCameraSimulator

    with ReCameraSimulator(tmp_path / "camera") as camera:
        from_camera = cli(["compare", str(run_dir), "--count", "4", "--image", "recamera-wizard-test/no-such-image:0",
                           "--json", "--thresholds-from-camera", "127.0.0.1", "--node-red-port", str(camera.nodered_port)])
    assert from_camera.returncode == 0, from_camera.stdout + from_camera.stderr
    assert _report(run_dir).thresholds == {"score": 0.62, "iou": 0.33, "source": "camera_flow"}


def test_cancel_removes_the_container_and_a_new_check_continues(double_run, tmp_path, docker_client,
                                                               double_image):
    run_dir = copy_run(double_run, tmp_path / "run")
    backend = CountingDockerRunner(double_image, client=docker_client)
    check = run_check(run_dir, count=8, thresholds=Thresholds(0.25, 0.25, "user"), backend=backend)
    events = []
    for event in check:
        events.append(event)
        if isinstance(event, Progress) and event.text.startswith("INT8") and event.done == 1:
            started = time.monotonic()
            canceller = threading.Thread(target=check.cancel)  # as the GUI does, from another thread
            canceller.start()
            canceller.join(10)
            assert time.monotonic() - started < 10
    assert [e.problem.code for e in events if isinstance(e, ProblemRaised)][-1] == "detections_cancelled"
    assert events[-1].details["outcome"] == "cancelled" and not events[-1].ok
    assert _our_containers(docker_client, run_id=backend.run_id) == []
    assert not (run_dir / "detections.json").exists()

    resumed = CountingDockerRunner(double_image, client=docker_client)
    events = list(run_check(run_dir, count=8, thresholds=Thresholds(0.25, 0.25, "user"), backend=resumed))
    assert events[-1].details["outcome"] == "checked"
    assert resumed.jobs == [("int8", 7)]  # the float side was complete, one INT8 picture was done
    assert all((len(p.matched), len(p.missed), len(p.extra)) == (4, 1, 1) for p in _report(run_dir).pictures)


def test_a_crashing_model_runner_names_the_picture(double_run, tmp_path, docker_client):
    run_dir = copy_run(double_run, tmp_path / "run")
    for model in (run_dir / "yolo11n_sym_int8.cvimodel", run_dir / "workspace" / "work" / "yolo11n_sym_int8.cvimodel"):
        data = bytearray(model.read_bytes())
        data[:8] = b"NotAModl"  # the simulator refuses it: "Error, invalid cvimodel file", abort
        model.write_bytes(bytes(data))
    started = time.time()
    result = cli(["compare", str(run_dir), "--count", "3"])
    assert result.returncode == 3, result.stdout + result.stderr
    assert "model_runner stopped on the picture test.jpg (yolo11n_sym_int8.cvimodel" in result.stderr
    assert "invalid cvimodel file" in result.stderr and "Traceback" not in result.stderr
    assert not (run_dir / "detections.json").exists()
    assert _our_containers(docker_client, since=started) == []


# A stand-in for a simulator that needs more memory than the container has (the double's
# model_runner needs ~40 MB, too little to hit a limit quickly and surely; the real one ~2 GB at
# 640 px). It behaves as the wheel's launcher does (toolchain.md): the tool runs as a child, and
# whatever kills it, the command exits 1 and prints nothing. The kernel's OOM kill is real.
MEMORY_HOG = """#!/usr/bin/env python3
import subprocess, sys
hog = "blocks = []\\nwhile True:\\n    blocks.append(bytearray(16 * 1024 * 1024))"
sys.exit(0 if subprocess.call([sys.executable, "-c", hog]) == 0 else 1)
"""


class MemoryHogDockerRunner(DockerModelRunner):
    """The real Docker backend; its containers get a hard memory limit (no swap) and a
    model_runner.py that allocates without end, in the first folder of the image's PATH."""

    def __init__(self, image: str, memory_bytes: int, **options):
        super().__init__(image, **options)
        self.memory_bytes = memory_bytes

    def _create(self, client, name):
        container = super()._create(client, name)
        container.update(mem_limit=self.memory_bytes, memswap_limit=self.memory_bytes)
        return container

    def _put(self, container, batch):
        import io
        import tarfile

        super()._put(container, batch)
        env = dict(e.split("=", 1) for e in container.attrs["Config"]["Env"])
        first = env["PATH"].split(":")[0].strip("/")  # where the image's own model_runner.py is found
        data = MEMORY_HOG.encode()
        stream = io.BytesIO()
        with tarfile.open(fileobj=stream, mode="w") as archive:
            info = tarfile.TarInfo(f"{first}/model_runner.py")
            info.size, info.mode = len(data), 0o755
            archive.addfile(info, io.BytesIO(data))
        container.put_archive("/", stream.getvalue())


def test_out_of_memory_names_the_picture(double_run, tmp_path, docker_client, double_image):
    run_dir = copy_run(double_run, tmp_path / "run")
    backend = MemoryHogDockerRunner(double_image, 96 * 1024**2, client=docker_client)
    events = list(run_check(run_dir, count=2, backend=backend))
    problems = [e.problem for e in events if isinstance(e, ProblemRaised)]
    # Exit 1 and no output, as from the wheel's launcher: the cgroup's OOM count tells.
    assert problems[-1].code == "detections_runner_out_of_memory", problems
    assert "test.jpg" in problems[-1].message and "yolo11n.mlir" in problems[-1].message
    assert events[-1].details["outcome"] == "toolchain"
    assert _our_containers(docker_client, run_id=backend.run_id) == []


# --- bad input -----------------------------------------------------------------------------------


def test_a_folder_that_is_no_run_and_bad_thresholds_are_refused_plainly(tmp_path):
    (tmp_path / "photos").mkdir()
    result = cli(["compare", str(tmp_path / "photos")])
    assert result.returncode == 2 and "is not a run folder of the wizard" in result.stderr, result.stderr
    assert sorted(p.name for p in (tmp_path / "photos").iterdir()) == []  # nothing was made in it
    bad = cli(["compare", str(tmp_path / "photos"), "--score", "45"])
    assert bad.returncode == 2 and "cannot be used" in bad.stderr and "Traceback" not in bad.stderr


def test_a_run_without_a_model_and_a_classify_model_get_a_clear_message(double_run, tmp_path):
    failed = copy_run(double_run, tmp_path / "failed")
    results = json.loads((failed / "results.json").read_text(encoding="utf-8"))
    results.update(verdict="conversion_failed", ok=False)
    (failed / "results.json").write_text(json.dumps(results), encoding="utf-8")
    (failed / "yolo11n_sym_int8.cvimodel").unlink()
    result = cli(["compare", str(failed)])
    assert result.returncode == 2 and "has no converted model to check" in result.stderr, result.stderr

    classify = copy_run(double_run, tmp_path / "classify")
    recipe = json.loads((classify / "recipe.json").read_text(encoding="utf-8"))
    recipe["task"] = "classify"
    (classify / "recipe.json").write_text(json.dumps(recipe), encoding="utf-8")
    before = (classify / "results.json").read_bytes()
    result = cli(["compare", str(classify), "--json"])
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["outcome"] == "blocked" and [p["code"] for p in data["problems"]] == ["detections_heads_classify"]
    assert (classify / "results.json").read_bytes() == before  # the similarity results stay as they are
    assert not (classify / "detections.json").exists() and not (classify / CACHE_DIR).exists()


def test_an_unreadable_picture_is_skipped_with_its_reason(double_run, tmp_path):
    run_dir = copy_run(double_run, tmp_path / "run")
    pictures = tmp_path / "check pictures"
    pictures.mkdir()
    for source in sorted((run_dir / "workspace" / "calibration").iterdir())[:2]:
        shutil.copy(source, pictures / source.name)
    (pictures / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    result = cli(["compare", str(run_dir), "--pictures", str(pictures), *LOW, "--json"])
    assert result.returncode == 0, result.stdout + result.stderr
    report = _report(run_dir)
    assert len(report.pictures) == 2 and all(p.source.startswith(str(pictures)) for p in report.pictures)
    assert [Path(s.source).name for s in report.skipped] == ["broken.jpg"]
    assert report.skipped[0].message.code == "detections_picture_unreadable"
    assert "broken.jpg" in report.skipped[0].message.text()[0]
    missing = cli(["compare", str(run_dir), "--pictures", str(tmp_path / "nowhere")])
    assert missing.returncode == 2 and "is not a folder" in missing.stderr


# --- convert --------------------------------------------------------------------------------------


def test_convert_runs_the_check_and_prints_its_agreement(double_inputs, double_image, tmp_path):
    run_dir = tmp_path / "run"
    result = convert(*double_inputs, run_dir, double_image, tmp_path / "home", "--check-count", "2")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "==> detections" in result.stdout and "agreement (recall" in result.stdout
    report = _report(run_dir)
    assert len(report.pictures) == 2 and report.thresholds["source"] == "model_node_default"
    assert all((len(p.matched), len(p.missed), len(p.extra)) == (3, 2, 1) for p in report.pictures)

    # Converting again into the folder: accepted, and the earlier check does not pass for the new model.
    again = convert(*double_inputs, run_dir, double_image, tmp_path / "home", "--no-detection-check")
    assert again.returncode == 0, again.stdout + again.stderr[-3000:]
    assert not (run_dir / "detections.json").exists() and not (run_dir / "detections").exists()
    assert "==> detections" not in again.stdout
