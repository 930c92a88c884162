"""The model_runner batch every backend shares: files sent, the driver's trimming, its lines, errors.

No toolchain runs here: the driver's functions are called directly (it is standard-library
Python), lines are fed as the driver prints them, and errors are built from them.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from wizard.core.detections.backends import backend_for
from wizard.core.detections.backends import batch_driver as driver
from wizard.core.detections.backends.batch import (
    MARKER,
    BatchReader,
    model_files,
    parse_marker,
    remote_batch,
)
from wizard.core.detections.backends.local_docker import DockerModelRunner
from wizard.core.detections.backends.native import NativeModelRunner
from wizard.core.detections.check import ModelRunnerJob
from wizard.core.detections.report import PICTURES_DIR, REPORT_FILE
from wizard.core.detections.service import outcome_of
from wizard.core.events import LogLine, Progress
from wizard.core.messages import WizardError, problem
from wizard.core.runners.bundle import DETECTIONS_DIR, DETECTIONS_REPORT
from wizard.core.runners.factory import RunnerSpec

HEAD = "/model.23/cv2.0/cv2.0.2/Conv_output_0"
CLS = "/model.23/cv3.0/cv3.0.2/Conv_output_0"


def _job(tmp_path: Path, n: int = 2, **options) -> ModelRunnerJob:
    return ModelRunnerJob(model=tmp_path / "m_sym_int8.cvimodel", inputs=tuple(tmp_path / f"{i}.npz" for i in range(n)),
                          outputs=tuple(tmp_path / f"o{i}.npz" for i in range(n)), work_dir=tmp_path,
                          names=tuple(f"picture {i}.jpg" for i in range(n)), **options)


def test_the_driver_keeps_the_heads_f32_over_the_internal_int8_and_drops_the_rest(tmp_path):
    names = [HEAD + "_Conv", HEAD + "_Conv_f32", CLS + "_Conv", CLS + "_Conv_f32", "_ui8", "/model.4/Split_output_0_Split"]
    assert driver.kept_names(names, [HEAD, CLS]) == [HEAD + "_Conv_f32", CLS + "_Conv_f32"]
    assert driver.kept_names([HEAD + "_Conv", CLS + "_Conv", "x"], [HEAD, CLS]) == [HEAD + "_Conv", CLS + "_Conv"]
    assert driver.kept_names(names[:2] + ["x"], []) == [HEAD + "_Conv_f32", "x"]  # float side: all but the twin
    arrays = {name: np.full((1, 4, 2, 2), i, dtype=np.float32) for i, name in enumerate(names)}
    np.savez(tmp_path / "raw.npz", **arrays)
    size = driver.trim_npz(str(tmp_path / "raw.npz"), str(tmp_path / "kept.npz"), [HEAD, CLS])
    with np.load(tmp_path / "kept.npz") as kept:
        assert sorted(kept.files) == sorted([HEAD + "_Conv_f32", CLS + "_Conv_f32"])
        assert np.array_equal(kept[HEAD + "_Conv_f32"], arrays[HEAD + "_Conv_f32"])
    assert size == (tmp_path / "kept.npz").stat().st_size
    with zipfile.ZipFile(tmp_path / "kept.npz") as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    assert not list(tmp_path.glob("*.part"))


def test_a_top_mlir_travels_with_its_weights_and_files_named_after_it(tmp_path):
    (tmp_path / "m.mlir").write_text('module @m attributes {module.weight_file = "m_top_f32_all_weight.npz"} {}\n')
    with pytest.raises(WizardError) as missing:
        model_files(tmp_path / "m.mlir")
    assert missing.value.problem.code == "detections_model_files_missing"
    (tmp_path / "m_top_f32_all_weight.npz").write_bytes(b"w")
    (tmp_path / "m.mlir.extra.json").write_text("{}")
    (tmp_path / "other.npz").write_bytes(b"o")
    assert [n for n, _ in model_files(tmp_path / "m.mlir")] == ["m.mlir", "m_top_f32_all_weight.npz", "m.mlir.extra.json"]
    job = ModelRunnerJob(model=tmp_path / "m.mlir", inputs=(tmp_path / "a.npz",), outputs=(tmp_path / "b.npz",),
                         work_dir=tmp_path, keep=(HEAD,), side="float")
    batch = remote_batch(job)
    document = json.loads(batch.documents["job.json"])
    assert document == {"tool": "model_runner.py", "model": "m.mlir", "work_dir": ".", "inputs": ["in/000.npz"],
                        "outputs": ["out/000.npz"], "keep": [HEAD], "cancel_file": "cancelled"}
    assert batch.documents["batch_driver.py"] == Path(driver.__file__).read_bytes()


def test_marker_lines_and_what_they_mean():
    assert parse_marker(f"{MARKER} done 3 1234") .__dict__ == {"kind": "done", "index": 3, "exit_code": None,
                                                              "out_of_memory": False, "size": 1234}
    assert parse_marker(f"{MARKER} failed 0 1 oom").out_of_memory
    assert parse_marker(f"{MARKER} failed 0 1 -").exit_code == 1
    assert parse_marker(f"{MARKER} end").kind == "end"
    for line in ("model_runner.py --input x", f"{MARKER} done x", f"{MARKER} what 1", f"{MARKER}done 1"):
        assert parse_marker(line) is None


def _feed(reader: BatchReader, lines: list[str]) -> list:
    events = []
    for line in lines:
        events += list(reader.feed(line))
    return events


def test_progress_comes_after_each_output_and_errors_name_the_picture(tmp_path):
    reader = BatchReader(_job(tmp_path), "Docker (image)")
    fetched = []
    events = []
    for line in [f"{MARKER} start 0", "Saving ...", f"{MARKER} done 0 10"]:
        events += list(reader.feed(line, lambda marker: fetched.append((marker.index, len(events)))))
    assert [type(e) for e in events] == [LogLine, Progress] and fetched == [(0, 1)]
    assert (events[1].done, events[1].total) == (1, 2)
    _feed(reader, [f"{MARKER} start 1", "Error, invalid cvimodel file", "python3: model.cpp:460: Assertion `0' failed.",
                   f"{MARKER} failed 1 1 -"])
    with pytest.raises(WizardError) as failed:
        reader.check_finished(3)
    p = failed.value.problem
    assert p.code == "detections_runner_failed" and p.params["picture"] == "picture 1.jpg"
    assert p.params["exit_code"] == 1 and "invalid cvimodel file" in p.params["detail"]
    assert "Saving" not in p.params["detail"]  # only the failing picture's lines

    oom = BatchReader(_job(tmp_path), "the VM")
    _feed(oom, [f"{MARKER} start 0", f"{MARKER} failed 0 1 oom"])  # exit 1 (the launcher), cgroup count up
    assert oom.error(3).problem.code == "detections_runner_out_of_memory"
    assert oom.error(3).problem.params["picture"] == "picture 0.jpg"
    killed = BatchReader(_job(tmp_path), "Docker")
    _feed(killed, [f"{MARKER} start 1"])  # the whole container killed: no marker, engine says OOM
    assert killed.error(137).problem.code == "detections_runner_out_of_memory"
    assert killed.error(137).problem.params["picture"] == "picture 1.jpg"
    missing = BatchReader(_job(tmp_path), "here")
    _feed(missing, [f"{MARKER} start 0", "model_runner.py: [Errno 2] No such file or directory", f"{MARKER} failed 0 127 -"])
    assert missing.error(3).problem.code == "detections_toolchain_missing"
    never = BatchReader(_job(tmp_path), "Docker")
    _feed(never, ["exec: python3: not found"])
    assert never.error(127).problem.code == "detections_runner_not_started"
    assert "python3: not found" in never.error(127).problem.params["detail"]
    complete = BatchReader(_job(tmp_path, 1), "here")
    _feed(complete, [f"{MARKER} start 0", f"{MARKER} done 0 5", f"{MARKER} end"])
    complete.check_finished(0)
    short = BatchReader(_job(tmp_path, 2), "here")
    _feed(short, [f"{MARKER} start 0", f"{MARKER} done 0 5"])
    with pytest.raises(WizardError):
        short.check_finished(0)  # exit 0 but an output missing is no success


def test_the_outcome_of_each_problem_sets_the_exit_code():
    assert outcome_of(problem("detections_cancelled")) == "cancelled"
    assert outcome_of(problem("detections_runner_out_of_memory", picture="a", model="m", where="w")) == "toolchain"
    assert outcome_of(problem("toolchain_image_missing", image="x", needed_gb=4)) == "infrastructure"
    assert outcome_of(problem("vm_unreachable", target="t", detail="d")) == "infrastructure"
    assert outcome_of(problem("docker_not_running", where="w")) == "infrastructure"
    assert outcome_of(problem("detections_heads_classify")) == "blocked"
    assert outcome_of(problem("detections_run_no_model", path="p", verdict="v")) == "blocked"


def test_the_backend_follows_the_spec_or_where_the_conversion_ran():
    assert isinstance(backend_for(RunnerSpec(backend="docker"), "img"), DockerModelRunner)
    assert backend_for(RunnerSpec(backend="docker", image="mine"), "img").image == "mine"
    assert backend_for(None, "img", {"backend": "docker"}).image == "img"
    vm = backend_for(None, "img", {"backend": "ssh", "where": "me@127.0.0.1:2222"})
    assert (vm.where, vm.image) == ("me@127.0.0.1:2222", "img")
    native = backend_for(None, "img", {"backend": "native", "toolchain_image": {
        "native": {"kind": "python-venv", "path": "/opt/envs/tpu-mlir-1.7"}}})
    assert isinstance(native, NativeModelRunner) and native.bin_dir == Path("/opt/envs/tpu-mlir-1.7/bin")
    assert backend_for(None, "img", {"backend": "native", "toolchain_image": {
        "native": {"kind": "existing", "path": "/usr/local/tpu/bin"}}}).bin_dir == Path("/usr/local/tpu/bin")
    for spec, results in ((None, {"backend": "ssh-native"}), (RunnerSpec(backend="ssh"), {})):
        with pytest.raises(WizardError):
            backend_for(spec, "img", results)


def test_the_run_folder_knows_the_checks_files():
    assert (DETECTIONS_REPORT, DETECTIONS_DIR) == (REPORT_FILE, PICTURES_DIR)
