"""The job's pure parts and the calibration cache, without Docker."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from wizard.core import app_dirs
from wizard.core.plan.recipe import ConversionRecipe
from wizard.core.runners.calibration_cache import CalibrationCache, is_deploy_output
from wizard.core.runners.docker.runner import classify_engine_error, memory_warning
from wizard.cli.output import verdict_exit_code
from wizard.core.runners.bundle import reproduce_script
from wizard.core.runners.record import JobRecord


def _recipe(**changes) -> ConversionRecipe:
    base = dict(name="yolo11n", model_file="model/yolo11n.onnx", model_sha256="a" * 64,
                images_sha256="b" * 64, test_image_sha256="c" * 64, calibration_count=100,
                calibration_images=100)
    base.update(changes)
    return ConversionRecipe(**base)


# --- verdicts and records -----------------------------------------------------------------------


def test_verdicts_map_to_the_cli_exit_codes():
    assert [verdict_exit_code(v) for v in ("success", "conversion_failed", "infrastructure_failed", "cancelled")] \
        == [0, 3, 4, 130]


def test_the_status_words_are_the_strings_run_folders_keep(tmp_path, monkeypatch):
    """runners/status.py's words are job.json's and results.json's exact strings: a record saved
    with them reads back as them, an old record written as bare strings loads and compares equal,
    and they print as the saved word (in a message's params, an f-string, JSON)."""
    import json

    from wizard.core.runners.status import RecordState, Verdict

    assert [v.value for v in Verdict] == ["success", "conversion_failed", "infrastructure_failed", "cancelled"]
    assert [s.value for s in RecordState] == ["created", "running", "finished"]
    assert (f"{Verdict.CONVERSION_FAILED}", str(RecordState.RUNNING), json.dumps([Verdict.SUCCESS])) == (
        "conversion_failed", "running", '["success"]')
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    JobRecord(run_id="20261122-000000-abcdef", backend="docker", where="local", run_dir=str(run_dir),
              image="img:1", state=RecordState.FINISHED, verdict=Verdict.CANCELLED).save()
    saved = json.loads((run_dir / "job.json").read_text(encoding="utf-8"))
    assert (saved["state"], saved["verdict"]) == ("finished", "cancelled")
    (run_dir / "job.json").write_text(json.dumps({**saved, "state": "running", "verdict": ""}), encoding="utf-8")
    old = JobRecord.load(run_dir)
    assert old.state == RecordState.RUNNING and old.state != RecordState.FINISHED


def test_job_record_round_trip_and_history(tmp_path, monkeypatch):
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path / "home"))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    JobRecord(run_id="20261122-000000-abcdef", backend="docker", where="local", run_dir=str(run_dir),
              image="img:1", log_lines=42).save()
    loaded = JobRecord.load(run_dir)
    assert (loaded.run_id, loaded.log_lines, loaded.handle.backend) == ("20261122-000000-abcdef", 42, "docker")
    assert (tmp_path / "home" / "data" / "jobs" / "20261122-000000-abcdef.json").is_file()


def test_unreadable_job_record_is_a_clear_error(tmp_path):
    from wizard.core.messages import WizardError

    (tmp_path / "job.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(WizardError) as err:
        JobRecord.load(tmp_path)
    assert err.value.problem.code == "job_record_unreadable"


# --- reproduce.sh ------------------------------------------------------------------------------


def test_reproduce_script_pins_the_image_and_quotes_everything():
    image = {"tag": "recamera-wizard/toolchain:1.7", "id": "sha256:" + "d" * 64, "repo_digests": [],
             "labels": {"org.recamera-wizard.base-image": "sophgo/tpuc_dev:v3.1",
                        "org.recamera-wizard.tpu-mlir": "1.7"}}
    text = reproduce_script(_recipe(), image)
    assert "IMAGE_TAG=recamera-wizard/toolchain:1.7\n" in text
    assert f"IMAGE_ID=sha256:{'d' * 64}\n" in text
    assert "built FROM sophgo/tpuc_dev:v3.1 with tpu_mlir[onnx]==1.7" in text
    assert "docker cp" in text and " -v " not in text  # no bind mounts, like the runner
    assert "--exclude=workspace/work" in text  # every step runs again
    result = subprocess.run(["bash", "-n"], input=text, text=True, capture_output=True)
    assert result.returncode == 0, result.stderr


def test_reproduce_script_with_a_hostile_tag_stays_one_word():
    text = reproduce_script(_recipe(), {"tag": "x'; rm -rf / #", "id": ""})
    assert "IMAGE_TAG='x'\"'\"'; rm -rf / #'" in text
    assert subprocess.run(["bash", "-n"], input=text, text=True).returncode == 0


# --- engine errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, platform, installed, code",
    [
        ("Error while fetching server API version: ('Connection aborted.', PermissionError(13, 'Permission denied'))",
         "linux", True, "docker_permission_denied_linux"),
        ("Error while fetching server API version: ('Connection aborted.', PermissionError(13, 'Permission denied'))",
         "darwin", True, "docker_permission_denied_desktop"),
        ("Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))",
         "linux", True, "docker_not_running"),
        ("Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))",
         "linux", False, "docker_not_installed"),
        ("Error while fetching server API version: (2, 'CreateFile', 'The system cannot find the file specified.')",
         "win32", True, "docker_not_running"),
        ("ConnectionRefusedError: [Errno 111] Connection refused", "linux", True, "docker_not_running"),
        ("500 Server Error: something odd", "linux", True, "docker_error"),
    ],
)
def test_engine_errors_become_the_right_problem(text, platform, installed, code):
    problem = classify_engine_error(text, platform=platform, installed=installed, where="unix:///x.sock")
    assert problem.code == code
    if code == "docker_permission_denied_linux":
        assert "sudo usermod -aG docker $USER" in problem.fix and "log out" in problem.fix
    if code == "docker_permission_denied_desktop":
        assert "Docker Desktop" in problem.fix


def test_memory_warning_suggests_fewer_images():
    recipe = _recipe(calibration_count=400, input_shape=(1, 3, 640, 640))
    warning = memory_warning(int(1.5e9), recipe)
    assert warning is not None and warning.severity == "warning"
    assert warning.params["count"] == 400 and 10 <= warning.params["suggest"] < 400
    assert memory_warning(int(16e9), recipe) is None


# --- calibration cache -------------------------------------------------------------------------


def _fake_work(workspace: Path, recipe: ConversionRecipe, *, calibrated: bool = True) -> None:
    from wizard.core.plan.commands import cache_keys

    keys = cache_keys(recipe)
    work = workspace / "work"
    (work / ".done").mkdir(parents=True)
    for name in ("yolo11n.mlir", "yolo11n_origin.mlir", "yolo11n_top_f32_all_weight.npz",
                 "yolo11n_top_outputs.npz", "yolo11n_calib_table", "yolo11n_in_f32.npz"):
        (work / name).write_text(name)
    for name in ("yolo11n_sym_int8.cvimodel", "yolo11n_cv181x_int8_sym_tpu.mlir",
                 "yolo11n_cv181x_int8_sym_final.mlir", "yolo11n_cv181x_int8_sym_tpu_outputs.npz"):
        (work / name).write_text("deploy output")
    (work / ".done" / "transform").write_text(keys["transform"])
    if calibrated:
        (work / ".done" / "calibrate").write_text(keys["calibrate"])
    (work / ".done" / "deploy").write_text(keys["deploy"])


def test_cache_keeps_transform_and_calibration_not_deploy(tmp_path):
    recipe = _recipe()
    cache = CalibrationCache(tmp_path / "cache")
    _fake_work(tmp_path / "a", recipe)
    assert cache.store(tmp_path / "a", recipe)
    # A new workspace that differs only in deploy options gets the same entry.
    changed = _recipe(tolerance=(0.85, 0.45), aligned_input=False)
    assert cache.restore(tmp_path / "b", changed)
    restored = sorted(p.relative_to(tmp_path / "b" / "work").as_posix()
                      for p in (tmp_path / "b" / "work").rglob("*") if p.is_file())
    assert restored == [".done/calibrate", ".done/transform", "yolo11n.mlir", "yolo11n_calib_table",
                        "yolo11n_in_f32.npz", "yolo11n_origin.mlir", "yolo11n_top_f32_all_weight.npz",
                        "yolo11n_top_outputs.npz"]


def test_cache_key_changes_with_images_and_count(tmp_path):
    cache = CalibrationCache(tmp_path / "cache")
    recipe = _recipe()
    _fake_work(tmp_path / "a", recipe)
    cache.store(tmp_path / "a", recipe)
    assert not cache.restore(tmp_path / "b", _recipe(images_sha256="e" * 64))
    assert not cache.restore(tmp_path / "c", _recipe(calibration_count=50))
    assert not (tmp_path / "b" / "work").exists()


def test_unfinished_calibration_is_not_cached(tmp_path):
    cache = CalibrationCache(tmp_path / "cache")
    recipe = _recipe()
    _fake_work(tmp_path / "a", recipe, calibrated=False)
    assert not cache.store(tmp_path / "a", recipe)
    assert not cache.has(recipe)


def test_restore_drops_a_stale_deploy_stamp(tmp_path):
    cache = CalibrationCache(tmp_path / "cache")
    recipe = _recipe()
    _fake_work(tmp_path / "a", recipe)
    cache.store(tmp_path / "a", recipe)
    (tmp_path / "b" / "work" / ".done").mkdir(parents=True)
    (tmp_path / "b" / "work" / ".done" / "deploy").write_text("old")
    assert cache.restore(tmp_path / "b", recipe)
    assert not (tmp_path / "b" / "work" / ".done" / "deploy").exists()


def test_cache_prunes_oldest(tmp_path):
    cache = CalibrationCache(tmp_path / "cache", max_entries=2)
    for i in range(3):
        recipe = _recipe(images_sha256=f"{i}" * 64)
        _fake_work(tmp_path / f"w{i}", recipe)
        assert cache.store(tmp_path / f"w{i}", recipe)
    assert len([p for p in (tmp_path / "cache").iterdir() if p.is_dir()]) == 2
    assert not cache.has(_recipe(images_sha256="0" * 64))


def test_deploy_outputs_recognised():
    recipe = _recipe()
    assert is_deploy_output("yolo11n_sym_int8.cvimodel", recipe)
    assert is_deploy_output("yolo11n_cv181x_int8_sym_final.mlir", recipe)
    assert is_deploy_output(".done/deploy", recipe)
    assert not is_deploy_output("yolo11n_calib_table", recipe)
    assert not is_deploy_output("yolo11n_top_outputs.npz", recipe)


# --- app dirs ----------------------------------------------------------------------------------


def test_app_dirs_per_os():
    win = {"LOCALAPPDATA": r"C:\Users\太郎\AppData\Local", "USERPROFILE": r"C:\Users\太郎"}
    assert str(app_dirs.data_dir("win32", win)).endswith("reCameraWizard")
    assert app_dirs.cache_dir("win32", win).name == "Cache"
    mac = {"HOME": "/Users/taro"}
    assert app_dirs.data_dir("darwin", mac) == Path("/Users/taro/Library/Application Support/reCameraWizard")
    assert app_dirs.cache_dir("darwin", mac) == Path("/Users/taro/Library/Caches/reCameraWizard")
    linux = {"HOME": "/home/taro", "XDG_CACHE_HOME": "/fast/cache", "XDG_DATA_HOME": "relative/ignored"}
    assert app_dirs.cache_dir("linux", linux) == Path("/fast/cache/recamera-wizard")
    assert app_dirs.data_dir("linux", linux) == Path("/home/taro/.local/share/recamera-wizard")
    assert app_dirs.log_dir("linux", {"HOME": "/h"}) == Path("/h/.local/state/recamera-wizard/logs")
    override = {"RECAMERA_WIZARD_HOME": "/tmp/t", "LOCALAPPDATA": "C:/x"}
    assert app_dirs.cache_dir("win32", override) == Path("/tmp/t/cache")
    assert app_dirs.app_home("win32", override) == Path("/tmp/t")


def test_the_factory_builds_and_reattaches_every_backend(tmp_path):
    """One factory for the CLI, the GUI and re-attach: each backend's runner, its handle's backend
    name round-trips to the same kind of runner (no engine, VM or toolchain is contacted)."""
    from wizard.core.plan.recipe import ConversionRecipe
    from wizard.core.runners.factory import BACKENDS, RunnerSpec, attach_runner, build_runner

    recipe = ConversionRecipe(name="m")
    assert set(BACKENDS) == {"docker", "ssh", "native", "ssh-native"}
    for backend in ("ssh", "native", "ssh-native"):
        spec = RunnerSpec(backend=backend, host="me@127.0.0.1:2222", key_passphrase="pp", build_image=True)
        runner = build_runner(spec, recipe, "20260101-000000-abcdef")
        assert runner.handle.backend == backend and runner.handle.run_id == "20260101-000000-abcdef"
        again = attach_runner(spec, runner.handle, recipe, workspace=tmp_path, skip_lines=3)
        assert type(again) is type(runner) and again.handle == runner.handle
    vm = build_runner(RunnerSpec(backend="ssh", host="me@127.0.0.1:2222", key_passphrase="pp", build_image=True), recipe)
    assert vm.credentials.key_passphrase == "pp" and vm.consents.build_image  # what the GUI used to drop
