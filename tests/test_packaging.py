"""Packaging: what goes into the frozen app, and (slow) a real Linux build smoke-tested under Xvfb.

The fast tests check packaging/bundle_config.py, which the PyInstaller spec is a thin script over,
against the checkout as it is. The slow test builds dist/ for real with PyInstaller and runs
packaging/smoke_test.sh on it: --self-test, then the GUI tour, on an X display.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import require_component

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGING = REPO_ROOT / "packaging"
SPEC = PACKAGING / "recamera-wizard.spec"
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "build-apps.yml"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cfg = _load("bundle_config", PACKAGING / "bundle_config.py")


def test_spec_is_valid_python_and_uses_the_shared_config():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    called = {node.func.id for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"} <= called
    source = SPEC.read_text(encoding="utf-8")
    assert "upx=True" not in source  # UPX breaks Qt plugins and slows the build
    assert "cfg.resource_datas()" in source and "cfg.excludes()" in source


def test_resource_datas_cover_resources_and_land_under_resources():
    pairs = cfg.resource_datas()
    assert pairs, "resources/ is empty?"
    sources = {Path(src) for src, _ in pairs}
    for src, dest in pairs:
        path = Path(src)
        assert path.is_file(), src
        # Same relative place in the bundle as in the checkout: wizard.resources finds both.
        rel_parent = path.parent.relative_to(cfg.RESOURCES_DIR)
        assert dest == Path("resources", rel_parent).as_posix()
        assert path.suffix != ".ts" and "__pycache__" not in path.parts
    expected = {p for p in cfg.RESOURCES_DIR.rglob("*")
                if p.is_file() and p.suffix not in (".ts", ".pyc") and not p.name.startswith(".")
                and "__pycache__" not in p.parts}
    assert sources == expected


def test_bundle_manifest_lists_every_resource_with_its_size(tmp_path):
    import json

    from wizard.cli import self_test

    assert cfg.MANIFEST_NAME == self_test.BUNDLE_MANIFEST  # the name the frozen self-test reads
    pairs = cfg.resource_datas()
    manifest = json.loads(cfg.write_manifest(pairs, tmp_path / "m.json", "9.9").read_text())
    assert manifest["version"] == "9.9"
    assert len(manifest["files"]) == len(pairs)
    for src, dest in pairs:
        assert manifest["files"][f"{dest}/{Path(src).name}"] == Path(src).stat().st_size


def test_package_data_files_come_from_the_checkout():
    pairs = cfg.package_datas()
    sent = {REPO_ROOT / name for name in cfg.SOURCE_FILES_SENT}
    for src, dest in pairs:
        assert Path(src).is_file() and (not src.endswith(".py") or Path(src) in sent)
        assert dest == Path(src).parent.relative_to(REPO_ROOT).as_posix()  # e.g. wizard/gui/tour_data
    expected = {p for p in (REPO_ROOT / "wizard").rglob("*")
                if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
                and not p.name.startswith(".")}
    assert {Path(src) for src, _ in pairs} == expected | sent
    assert all(p.is_file() for p in sent)  # the detection check's driver, run on the toolchain's machine


def test_resource_datas_skip_linguist_sources_and_junk(tmp_path):
    (tmp_path / "translations").mkdir()
    (tmp_path / "translations" / "wizard_ja.ts").write_text("<TS/>")
    (tmp_path / "translations" / "wizard_ja.qm").write_bytes(b"qm")
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / ".DS_Store").write_bytes(b"x")
    (tmp_path / "icons" / "app.png").write_bytes(b"png")
    pairs = cfg.resource_datas(tmp_path)
    assert sorted((Path(s).name, d) for s, d in pairs) == [
        ("app.png", "resources/icons"), ("wizard_ja.qm", "resources/translations")]


def test_translations_compile_with_the_lrelease_from_pyside6(tmp_path):
    require_component(cfg.find_lrelease() is not None, "lrelease", "pip install pyside6")
    ts_dir = tmp_path / "ts"
    ts_dir.mkdir()
    (ts_dir / "wizard_ja.ts").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="ja_JP">\n'
        "<context><name>WelcomePage</name><message><source>Start</source>"
        "<translation>開始</translation></message></context>\n</TS>\n", encoding="utf-8")
    compiled = cfg.compile_translations(ts_dir, tmp_path / "qm")
    assert [p.name for p in compiled] == ["wizard_ja.qm"]
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(compiled[0]))
    assert translator.translate("WelcomePage", "Start") == "開始"
    assert cfg.translation_datas(compiled) == [(str(compiled[0]), "resources/translations")]


def test_qt_modules_the_app_imports_are_never_excluded(tmp_path):
    (tmp_path / "a.py").write_text(
        "from PySide6.QtWidgets import QWidget\nimport PySide6.QtSvg\nfrom PySide6 import QtCharts, QtGui\n"
        "import importlib\nimportlib.import_module('PySide6.QtMultimedia')\n")
    (tmp_path / "broken.py").write_text("def (:\n")  # half-written by someone: ignored, not fatal
    assert cfg.qt_modules_imported(tmp_path) == {"QtWidgets", "QtSvg", "QtCharts", "QtGui", "QtMultimedia"}
    excluded = cfg.excludes(tmp_path)
    assert "PySide6.QtCharts" not in excluded and "PySide6.QtMultimedia" not in excluded
    assert "PySide6.QtWebEngineCore" in excluded and "onnxruntime" in excluded


def test_excludes_keep_everything_the_wizard_really_uses():
    used = cfg.qt_modules_imported()
    assert {"QtCore", "QtWidgets"} <= used  # the scan sees the real GUI
    excluded = set(cfg.excludes())
    assert not {f"PySide6.{m}" for m in used} & excluded
    for needed in ("docker", "paramiko", "onnx", "numpy", "PIL", "qasync", "wizard", "requests"):
        assert needed not in excluded
    assert {"onnxruntime", "pytest", "PyQt5", "tkinter"} <= excluded


def test_unused_qt_libraries_are_dropped_on_every_os():
    unused = cfg.unused_qt_binary_filter(Path("/nonexistent"))  # a GUI importing nothing
    for path in ("PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6QmlModels.so.6",
                 "PySide6\\Qt6Pdf.dll", "PySide6/Qt6VirtualKeyboard.dll",
                 "PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick",
                 "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
                 "PySide6/Qt/plugins/imageformats/qpdf.dll"):
        assert unused(path), path
    for path in ("PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Widgets.so.6",
                 "PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/Qt/plugins/imageformats/libqsvg.so",
                 "PySide6/Qt/plugins/platforms/qwindows.dll", "PySide6/Qt/lib/QtCore.framework/QtCore",
                 "resources/icons/app.png", "PySide6/QtQuick.abi3.so"):
        assert not unused(path), path


def test_a_gui_using_quick_keeps_quick_and_qml(tmp_path):
    (tmp_path / "q.py").write_text("from PySide6.QtQuick import QQuickView\n")
    unused = cfg.unused_qt_binary_filter(tmp_path)
    assert not unused("PySide6/Qt/lib/libQt6Quick.so.6")
    assert not unused("PySide6/Qt/lib/libQt6Qml.so.6")
    assert unused("PySide6/Qt/lib/libQt6Pdf.so.6")


def test_only_english_and_japanese_qt_translations_are_kept():
    keep = cfg.keep_qt_translation
    assert keep("PySide6/Qt/translations/qtbase_ja.qm") and keep("PySide6/Qt/translations/qt_en.qm")
    assert not keep("PySide6/Qt/translations/qtbase_de.qm")
    assert not keep("PySide6/Qt/translations/qt_help_pt_BR.qm")
    assert keep("resources/translations/wizard_fr.qm")  # the app's own files are never filtered


def test_version_and_macos_info_plist():
    import wizard

    assert cfg.app_version() == wizard.__version__
    assert cfg.numeric_version("1.2.3rc1") == "1.2.3" and cfg.numeric_version("2.0") == "2.0.0"
    plist = cfg.macos_info_plist(wizard.__version__, "12.0")
    assert plist["CFBundleIdentifier"] == cfg.BUNDLE_ID
    assert plist["CFBundleShortVersionString"] == wizard.__version__
    assert plist["NSHighResolutionCapable"] is True
    assert plist["LSMinimumSystemVersion"] == "12.0"
    # Without a readable QtCore the floor falls back instead of guessing from this machine.
    assert cfg.macos_minimum_system_version(None) == "12.0"
    assert cfg.macos_minimum_system_version("/nonexistent/QtCore", "13.0") == "13.0"


def test_windows_version_info_is_a_python_expression_with_four_numbers():
    text = cfg.windows_version_info_text("0.1.0")
    tree = ast.parse(text, mode="eval")
    assert isinstance(tree.body, ast.Call) and tree.body.func.id == "VSVersionInfo"
    assert "filevers=(0, 1, 0, 0)" in text and "'OriginalFilename', 'recamera-wizard.exe'" in text


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_app_icon_exists_and_is_big_enough(platform):
    from PIL import Image

    icon = cfg.app_icon(platform)
    assert icon.is_file(), icon
    with Image.open(icon) as image:
        width = max(size[0] for size in image.info["sizes"]) if icon.suffix == ".ico" else image.width
    assert width >= (512 if platform == "darwin" else 256), (icon, width)


def test_fallback_icon_is_the_drawn_one():
    from PIL import Image, ImageChops

    icons = _load("make_icon", PACKAGING / "icons" / "make_icon.py")
    with Image.open(cfg.FALLBACK_ICON) as committed:
        assert committed.size == (icons.SIZE, icons.SIZE)
        assert ImageChops.difference(committed.convert("RGBA"), icons.draw()).getbbox() is None
    assert cfg.FALLBACK_ICON.stat().st_size < 1_000_000


def test_launcher_survives_a_windowed_start_without_stdout(tmp_path, monkeypatch):
    launcher = _load("launcher", PACKAGING / "launcher.py")
    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    launcher._give_windowed_app_somewhere_to_print()
    print("hello from a windowed app")
    sys.stdout.flush()
    log = tmp_path / "logs" / "app-console.log"
    assert "hello from a windowed app" in log.read_text(encoding="utf-8")
    sys.stdout.close()


def test_launcher_drops_the_finder_process_serial_number(monkeypatch):
    launcher = _load("launcher", PACKAGING / "launcher.py")
    monkeypatch.setattr(sys, "argv", ["recamera-wizard", "-psn_0_12345", "--lang", "ja"])
    launcher._drop_finder_process_serial_number()
    assert sys.argv == ["recamera-wizard", "--lang", "ja"]


def test_scripts_are_valid_shell():
    for script in (PACKAGING / "smoke_test.sh", PACKAGING / "macos" / "make_dmg.sh"):
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, (script, result.stderr)
        assert os.access(script, os.X_OK), f"{script} is not executable"


def test_windows_zip_has_the_folder_and_the_first_open_steps(tmp_path):
    import zipfile

    build = _load("packaging_build", PACKAGING / "build.py")
    app = tmp_path / "recamera-wizard"
    (app / "_internal").mkdir(parents=True)
    (app / "recamera-wizard.exe").write_bytes(b"MZ")
    (app / "_internal" / "python311.dll").write_bytes(b"dll")
    archive = build.zip_folder(app, tmp_path / "app.zip", readme=PACKAGING / "windows" / "first-open.txt")
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        assert {"READ ME FIRST.txt", "recamera-wizard/recamera-wizard.exe",
                "recamera-wizard/_internal/python311.dll"} <= names
        readme = zf.read("READ ME FIRST.txt")
    assert readme.startswith(b"\xef\xbb\xbf") and b"\r\n" in readme and b"\n\n" not in readme
    text = readme.decode("utf-8-sig")
    assert "Run anyway" in text and "詳細情報" in text


def test_first_open_texts_match_the_users_readme():
    mac = (PACKAGING / "macos" / "first-open.txt").read_text(encoding="utf-8")
    assert "Open Anyway" in mac and "このまま開く" in mac and "xattr -dr com.apple.quarantine" in mac
    assert "first-open.txt" in (PACKAGING / "macos" / "make_dmg.sh").read_text(encoding="utf-8")
    readme = (PACKAGING.parent / "README.md").read_text(encoding="utf-8")
    for phrase in ("Open Anyway", "More info", "Run anyway", "このまま開く", "詳細情報"):
        assert phrase in readme, phrase


def test_inno_setup_script_installs_the_one_folder_app():
    iss = (PACKAGING / "windows" / "recamera-wizard.iss").read_text(encoding="utf-8")
    assert 'Source: "{#SourceDir}\\*"' in iss and "recursesubdirs" in iss
    assert "PrivilegesRequired=lowest" in iss  # no admin needed on workshop laptops
    assert 'Languages\\Japanese.isl' in iss
    assert f'#define AppExe "{cfg.EXE_NAME}.exe"' in iss
    # build.py passes these; the script must read exactly these names.
    build = (PACKAGING / "build.py").read_text(encoding="utf-8")
    for define in ("AppVersion", "SourceDir", "OutputDir", "OutputBaseFilename", "IconFile"):
        assert f"/D{define}=" in build and "{#" + define + "}" in iss, define


def test_workflow_builds_selftests_and_uploads_on_each_os():
    text = WORKFLOW.read_text(encoding="utf-8")
    # Action versions that exist (checked by hand against their repositories' tags).
    for action in ("actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4"):
        assert f"uses: {action}" in text, action
    for runner in ("windows-latest", "macos-latest", "macos-15-intel", "ubuntu-24.04"):
        assert f"os: {runner}" in text, runner
    assert 'python-version: "3.11"' in text
    assert "python packaging/build.py" in text and "bash packaging/smoke_test.sh" in text
    assert "recamera-wizard.exe --self-test" in text  # the windowed exe, as double-clicked
    assert "QT_QPA_PLATFORM: offscreen" in text
    for pattern in ("dist/*.zip", "dist/*-setup.exe", "dist/*.dmg", "dist/*.tar.gz"):
        assert pattern in text, pattern
    try:
        import yaml
    except ImportError:
        return  # the text checks above still ran; PyYAML is not a dependency of the project
    workflow = yaml.safe_load(text)
    job = workflow["jobs"]["build"]
    assert {e["os"] for e in job["strategy"]["matrix"]["include"]} == {
        "windows-latest", "macos-latest", "macos-15-intel", "ubuntu-24.04"}
    assert all(isinstance(step, dict) and ("run" in step or "uses" in step) for step in job["steps"])


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.slow
@pytest.mark.gui
def test_real_linux_build_passes_the_smoke_test(tmp_path):
    """Build the one-folder Linux app with PyInstaller and run it as a person would, on X."""
    require_component(importlib.util.find_spec("PyInstaller") is not None, "PyInstaller",
                      'pip install -e ".[packaging]"')
    require_component(bool(os.environ.get("DISPLAY")) or shutil.which("xvfb-run") is not None,
                      "an X display or xvfb-run", "apt install xvfb xauth")
    # PyInstaller reads Linux binaries' dependencies with objdump.
    require_component(shutil.which("objdump") is not None, "objdump", "apt install binutils")
    dist, work = tmp_path / "dist", tmp_path / "work"
    started = time.monotonic()
    build = subprocess.run(
        [sys.executable, str(PACKAGING / "build.py"), "--dist", str(dist), "--work", str(work),
         "--no-archive", "--no-self-test"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    build_seconds = time.monotonic() - started
    app = dist / "recamera-wizard"
    size_mb = _dir_size(app) / 1e6
    print(f"\nLinux build: {build_seconds:.0f} s, {size_mb:.0f} MB")  # shown with pytest -s / -rA

    # What must not ride along: the test-only runtime and Qt's browser engine.
    internal = app / "_internal"
    assert not (internal / "onnxruntime").exists()
    assert not list(internal.rglob("*WebEngine*"))
    assert not list(internal.rglob("libQt6Quick.so*"))  # neither the library nor a dangling link
    dangling = [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []
    assert (internal / "resources" / "styles").is_dir()
    assert list((internal / "resources" / "translations").glob("*ja*.qm")), "Japanese .qm not bundled"
    assert size_mb < 350, f"the app grew to {size_mb:.0f} MB: check excludes"

    shots = tmp_path / "shots"
    env = dict(os.environ, SMOKE_OUT=str(shots))
    smoke = subprocess.run(["bash", str(PACKAGING / "smoke_test.sh"), str(app)], env=env,
                           capture_output=True, text=True, timeout=600)
    output = smoke.stdout + smoke.stderr
    assert smoke.returncode == 0, output[-6000:]
    assert "Self-test PASSED" in output and "smoke: PASSED" in output
    english, japanese = sorted((shots / "en").glob("*.png")), sorted((shots / "ja").glob("*.png"))
    assert len(english) >= 5 and len(japanese) == len(english), (english, japanese)
    from PIL import Image, ImageChops

    with Image.open(english[0]) as en_page, Image.open(japanese[0]) as ja_page:
        assert en_page.width >= 640 and en_page.height >= 400
        # The same page in the other language really differs (the translation was applied).
        assert ImageChops.difference(en_page.convert("RGB"), ja_page.convert("RGB")).getbbox() is not None


class _Recorder:
    """Stands in for PyInstaller's spec builders: records what the spec asks for."""

    def __init__(self):
        self.calls = []

    def builder(self, kind):
        recorder = self

        class Built:
            def __init__(self, *args, **kwargs):
                self.args, self.kwargs = args, kwargs
                recorder.calls.append((kind, self))
                if kind == "Analysis":
                    self.scripts, self.pure = ["launcher"], []
                    self.datas = [(dest, src, "DATA") for src, dest in kwargs["datas"]] + [
                        ("PySide6/Qt/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
                        ("PySide6/Qt/translations/qtbase_ja.qm", "/x/qtbase_ja.qm", "DATA"),
                        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
                    ]
                    self.binaries = [
                        ("PySide6/Qt/lib/libQt6Quick.so.6", "/x/libQt6Quick.so.6", "BINARY"),
                        ("PySide6/Qt/lib/libQt6Widgets.so.6", "/x/libQt6Widgets.so.6", "BINARY"),
                    ]

        return Built

    def of(self, kind):
        return [built for k, built in self.calls if k == kind]


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_spec_runs_for_each_os_with_the_right_executables(platform, tmp_path, monkeypatch):
    """Run the spec itself with recording stand-ins for PyInstaller's builders, per OS."""
    import types

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda package, **kw: [f"{package}.cli.tour"]
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setitem(sys.modules, "bundle_config", cfg)
    monkeypatch.setattr(sys, "platform", platform)
    recorder = _Recorder()
    namespace = {name: recorder.builder(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    namespace.update(SPECPATH=str(PACKAGING), workpath=str(tmp_path), DISTPATH=str(tmp_path / "dist"),
                     __file__=str(SPEC))
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)

    (analysis,) = recorder.of("Analysis")
    assert "wizard.cli.tour" in analysis.kwargs["hiddenimports"] and "qasync" in analysis.kwargs["hiddenimports"]
    assert "onnxruntime" in analysis.kwargs["excludes"]
    manifest = tmp_path / cfg.MANIFEST_NAME
    assert (str(manifest), ".") in analysis.kwargs["datas"] and manifest.is_file()
    # The filters ran: German Qt strings, the Quick library and its top-level link are gone.
    dests = {d for d, _, _ in analysis.datas} | {d for d, _, _ in analysis.binaries}
    assert "PySide6/Qt/translations/qtbase_ja.qm" in dests and "PySide6/Qt/lib/libQt6Widgets.so.6" in dests
    assert not {"PySide6/Qt/translations/qtbase_de.qm", "libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6"} & dests

    exes = {built.kwargs["name"]: built.kwargs for built in recorder.of("EXE")}
    (collect,) = recorder.of("COLLECT")
    assert collect.kwargs["name"] == "recamera-wizard" and collect.kwargs["upx"] is False
    assert all(kw["exclude_binaries"] and not kw["upx"] for kw in exes.values())  # one-folder
    # Every executable runs Python in UTF-8 mode (cp932 on Japanese Windows otherwise).
    assert all(("X utf8", None, "OPTION") in built.args[2] for built in recorder.of("EXE"))
    bundles = recorder.of("BUNDLE")
    if platform == "win32":
        assert exes["recamera-wizard"]["console"] is False  # double-clicked: no console window
        assert exes["recamera-wizard-cli"]["console"] is True  # --self-test and the CLI steps
        assert exes["recamera-wizard"]["icon"].endswith(".ico")
        version_file = Path(exes["recamera-wizard"]["version"])
        assert "FileVersion" in version_file.read_text(encoding="utf-8")
        assert bundles == []
    elif platform == "darwin":
        assert list(exes) == ["recamera-wizard"] and exes["recamera-wizard"]["console"] is False
        (bundle,) = bundles
        assert bundle.kwargs["name"] == "reCamera Model Wizard.app"
        assert bundle.kwargs["bundle_identifier"] == cfg.BUNDLE_ID
        plist = bundle.kwargs["info_plist"]
        assert plist["NSHighResolutionCapable"] is True and plist["LSMinimumSystemVersion"]
        assert Path(bundle.kwargs["icon"]).is_file()
    else:
        assert list(exes) == ["recamera-wizard"] and exes["recamera-wizard"]["console"] is True
        assert exes["recamera-wizard"]["icon"] is None and bundles == []


def _iss_defines(iss: str) -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "(.*)"$', iss, flags=re.MULTILINE))


def _iss_section(iss: str, name: str) -> list[str]:
    lines, inside = [], False
    for line in iss.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            inside = stripped == f"[{name}]"
        elif inside and stripped and not stripped.startswith(";"):
            lines.append(stripped)
    return lines


def _iss_entry(line: str, defines: dict[str, str]) -> dict[str, str]:
    """One Inno Setup entry ('Name: value; Name: "a ""quoted"" value"'), its {#defines} expanded."""
    fields = {}
    for name, value in re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)', line):
        value = value.strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace('""', '"')
        fields[name] = re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], value)
    return fields


def test_inno_setup_script_registers_the_workshop_kit_for_a_double_click():
    from wizard.cli.parser import build_parser
    from wizard.core.workshop.kit import KIT_SUFFIX

    iss = (PACKAGING / "windows" / "recamera-wizard.iss").read_text(encoding="utf-8")
    defines = _iss_defines(iss)
    assert "ChangesAssociations=yes" in _iss_section(iss, "Setup")
    entries = [_iss_entry(line, defines) for line in _iss_section(iss, "Registry")]
    assert entries and all(e["Root"] == "HKA" for e in entries)  # per-user or all users, as installed
    values = {(e["Subkey"], e["ValueName"]): e for e in entries}
    extension, prog_id, exe = defines["KitExtension"], defines["KitProgId"], defines["AppExe"]
    assert extension == KIT_SUFFIX == "." + cfg.KIT_EXTENSION
    assert values[(rf"Software\Classes\{extension}", "")]["ValueData"] == prog_id
    assert "uninsdeletevalue" in values[(rf"Software\Classes\{extension}", "")]["Flags"]
    assert (rf"Software\Classes\{extension}\OpenWithProgids", prog_id) in values
    assert values[(rf"Software\Classes\{prog_id}", "")]["Flags"] == "uninsdeletekey"
    assert values[(rf"Software\Classes\{prog_id}\DefaultIcon", "")]["ValueData"] == rf"{{app}}\{exe},0"
    command = values[(rf"Software\Classes\{prog_id}\shell\open\command", "")]["ValueData"]
    assert command == rf'"{{app}}\{exe}" --kit "%1"'
    # What Explorer runs is the window with the kit: the real CLI parser reads it so.
    args = build_parser().parse_args(shlex.split(command.replace("%1", r"C:\Users\aiko\room 3.rcwkit"), posix=False)[1:])
    assert args.command is None and args.kit.strip('"') == r"C:\Users\aiko\room 3.rcwkit"


def test_macos_info_plist_declares_the_workshop_kit_type():
    import plistlib

    import wizard
    from wizard.core.workshop.kit import KIT_SUFFIX

    plist = plistlib.loads(plistlib.dumps(cfg.macos_info_plist(wizard.__version__, "12.0")))  # a valid plist
    exported = {t["UTTypeIdentifier"]: t for t in plist["UTExportedTypeDeclarations"]}
    kit_type = exported[cfg.KIT_UTI]
    assert kit_type["UTTypeTagSpecification"]["public.filename-extension"] == [KIT_SUFFIX.lstrip(".")]
    assert kit_type["UTTypeConformsTo"] == ["public.data"] and kit_type["UTTypeDescription"]
    documents = [d for d in plist["CFBundleDocumentTypes"] if cfg.KIT_UTI in d.get("LSItemContentTypes", [])]
    assert len(documents) == 1
    assert documents[0]["LSHandlerRank"] == "Owner" and documents[0]["CFBundleTypeRole"] == "Viewer"
    assert any(d.get("CFBundleTypeExtensions") == ["onnx"] for d in plist["CFBundleDocumentTypes"])
