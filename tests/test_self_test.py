"""``recamera-wizard --self-test``: the verdict, the lines, and that it catches what is missing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.cli import self_test
from wizard.core.app.first_run import FirstRunReport
from wizard.core.messages import problem

REPO_ROOT = Path(__file__).resolve().parent.parent


def passing():
    return "fine"


def failing():
    raise self_test.CheckFailed("the thing is missing")


def crashing():
    raise RuntimeError("boom")


def test_all_passing_checks_exit_0_with_a_verdict():
    out = io.StringIO()
    code = self_test.run_self_test(out, include_docker=False, checks=[("a", passing), ("b", passing)])
    lines = out.getvalue().splitlines()
    assert code == 0
    assert lines[0].startswith("reCamera Model Wizard ")
    assert lines[1:3] == ["[ OK ] a: fine", "[ OK ] b: fine"]
    assert lines[-1] == "Self-test PASSED: all 2 checks OK."


def test_one_failure_or_crash_fails_the_verdict_and_every_check_still_runs():
    out = io.StringIO()
    code = self_test.run_self_test(
        out, include_docker=False, checks=[("a", failing), ("b", crashing), ("c", passing)]
    )
    text = out.getvalue()
    assert code == 1
    assert "[FAIL] a: the thing is missing" in text
    assert "[FAIL] b: RuntimeError: boom (test_self_test.py:" in text  # where, not a traceback
    assert "[ OK ] c: fine" in text
    assert text.splitlines()[-1] == "Self-test FAILED: 2 of 3 checks failed (a, b)."


def test_docker_problems_are_info_and_never_fail_the_verdict(monkeypatch):
    report = FirstRunReport(
        os="linux", docker_found=None, engine_host=None, engine_running=False,
        toolchain_image="img", toolchain_image_present=None, base_image_present=None,
        problems=(problem("first_run_docker_missing_linux", url="https://docs.docker.com/engine/install/"),),
    )
    monkeypatch.setattr("wizard.core.app.first_run.check_first_run", lambda **kw: report)
    out = io.StringIO()
    code = self_test.run_self_test(out, include_docker=True, checks=[("a", passing)])
    assert code == 0
    assert "[INFO] Docker: Docker not found" in out.getvalue()
    assert "[INFO] Docker: Docker is not installed." in out.getvalue()


@pytest.fixture
def fake_resources(tmp_path, monkeypatch):
    from wizard import resources

    root = tmp_path / "resources"
    for sub in ("styles", "icons", "translations", "samples", "presets"):
        (root / sub).mkdir(parents=True)
    monkeypatch.setenv("RECAMERA_WIZARD_RESOURCES", str(root))
    resources.resources_dir.cache_clear()
    yield root
    resources.resources_dir.cache_clear()


def test_resource_checks_name_what_is_missing(fake_resources):
    with pytest.raises(self_test.CheckFailed, match="no style sheets"):
        self_test.check_styles()
    assert self_test.check_presets() == "none shipped (presets/ is empty)"  # optional content
    with pytest.raises(self_test.CheckFailed, match="no Japanese translation"):
        self_test.check_translation_files()
    sample_check = dict(self_test.CHECKS)["sample images"]
    with pytest.raises(self_test.CheckFailed, match="no sample images"):
        sample_check()
    assert "RECAMERA_WIZARD_RESOURCES" in self_test.check_resources()


def test_a_broken_preset_is_caught(fake_resources):
    (fake_resources / "presets" / "good.json").write_text(json.dumps({"name": "yolo11n"}))
    assert self_test.check_presets() == "1 presets, all valid JSON"
    (fake_resources / "presets" / "broken.json").write_text("{not json")
    with pytest.raises(self_test.CheckFailed, match="broken.json is not valid JSON"):
        self_test.check_presets()


def test_a_frozen_app_needs_the_compiled_translation(fake_resources, monkeypatch):
    (fake_resources / "translations" / "wizard_ja.ts").write_text("<TS/>")
    assert "wizard_ja.ts" in self_test.check_translation_files()  # from source: lrelease exists
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(self_test.CheckFailed, match="no compiled Japanese translation"):
        self_test.check_translation_files()


def test_a_frozen_bundle_is_compared_with_its_build_manifest(tmp_path, monkeypatch):
    bundle = tmp_path / "_internal"
    (bundle / "resources" / "styles").mkdir(parents=True)
    (bundle / "resources" / "styles" / "wizard.qss").write_text("QWidget {}")
    (bundle / "resources" / "icons").mkdir()
    (bundle / "resources" / "icons" / "app.png").write_bytes(b"12345")
    (bundle / self_test.BUNDLE_MANIFEST).write_text(json.dumps({"version": "0", "files": {
        "resources/styles/wizard.qss": 10, "resources/icons/app.png": 5}}))
    assert self_test.check_bundle_complete() == "from source: no bundle to compare"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert self_test.check_bundle_complete() == "all 2 bundled data files present and intact"
    (bundle / "resources" / "icons" / "app.png").write_bytes(b"123")  # truncated by a bad unzip
    (bundle / "resources" / "styles" / "wizard.qss").unlink()
    with pytest.raises(self_test.CheckFailed, match="2 of 2 files missing or damaged"):
        self_test.check_bundle_complete()
    (bundle / self_test.BUNDLE_MANIFEST).unlink()
    with pytest.raises(self_test.CheckFailed, match="not built by packaging/build.py"):
        self_test.check_bundle_complete()


def test_keychain_must_be_the_systems_on_windows_and_macos(monkeypatch):
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(self_test, "_os_kind", lambda: "windows")
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(self_test.CheckFailed, match="system keychain is not used"):
        self_test.check_keychain()
    vault = type("WinVaultKeyring", (), {"__module__": "keyring.backends.Windows"})
    monkeypatch.setattr(keyring, "get_keyring", lambda: vault())
    assert self_test.check_keychain().startswith("backend keyring.backends.Windows.WinVaultKeyring")
    monkeypatch.setattr(self_test, "_os_kind", lambda: "macos")
    with pytest.raises(self_test.CheckFailed):
        self_test.check_keychain()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    assert "chosen by PYTHON_KEYRING_BACKEND" in self_test.check_keychain()


def test_a_frozen_app_must_run_in_utf8_mode(monkeypatch):
    assert "default text encoding" in self_test.check_text_encoding()  # from source: reported
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(self_test, "_utf8_mode", lambda: False)
    with pytest.raises(self_test.CheckFailed, match="UTF-8 mode is off"):
        self_test.check_text_encoding()
    monkeypatch.setattr(self_test, "_utf8_mode", lambda: True)
    assert self_test.check_text_encoding().startswith("UTF-8 mode on")


def test_no_display_means_offscreen_on_linux(monkeypatch):
    monkeypatch.setattr(self_test, "_os_kind", lambda: "linux")
    assert self_test._choose_qt_platform({}) == "offscreen"
    assert self_test._choose_qt_platform({"DISPLAY": ":99"}) is None
    assert self_test._choose_qt_platform({"QT_QPA_PLATFORM": "xcb"}) is None
    monkeypatch.setattr(self_test, "_os_kind", lambda: "windows")
    assert self_test._choose_qt_platform({}) is None  # Windows/macOS always have a desktop


def test_library_checks_really_exercise_their_libraries():
    # These run for real here: the same code the frozen app runs.
    assert "checker and shape inference work" in self_test.check_onnx()
    assert "JPEG and PNG codecs work" in self_test.check_pillow()
    assert "ed25519 keys load" in self_test.check_paramiko()
    assert "transport ready" in self_test.check_docker_sdk()
    assert "sample YOLO model" in self_test.check_sample_model()
    assert "modules" in self_test.check_core()
    assert "loopback echo works" in self_test.check_websockets()


def _run_cli_self_test(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RECAMERA_WIZARD_RESOURCES"}
    env.update(QT_QPA_PLATFORM="offscreen", **env_extra)
    return subprocess.run([sys.executable, "-m", "wizard", "--self-test"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.gui
def test_self_test_from_the_checkout_passes(tmp_path):
    result = _run_cli_self_test({"RECAMERA_WIZARD_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Self-test PASSED" in result.stdout
    assert "[FAIL]" not in result.stdout
    assert "(from source," in result.stdout.splitlines()[0]


@pytest.mark.gui
def test_self_test_from_the_checkout_fails_without_resources(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run_cli_self_test({"RECAMERA_WIZARD_HOME": str(tmp_path / "home"),
                                 "RECAMERA_WIZARD_RESOURCES": str(empty)})
    assert result.returncode == 1
    assert "[FAIL] styles: no style sheets" in result.stdout
    assert "[FAIL] sample images: no sample images" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Self-test FAILED:")
