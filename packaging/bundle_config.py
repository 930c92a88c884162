"""What goes into the frozen app, as plain functions the spec and the tests both use.

The PyInstaller spec (``recamera-wizard.spec``) stays a thin script over this module, so the
choices (names, data files, excludes, icons) are testable without running PyInstaller, and one
spec serves Windows, macOS and Linux (Electrum keeps one spec per OS; ours differ only in the
last step: a Windows one-folder app, a macOS .app bundle, a Linux one-folder build).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

PACKAGING_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGING_DIR.parent
RESOURCES_DIR = REPO_ROOT / "resources"
WIZARD_DIR = REPO_ROOT / "wizard"

APP_NAME = "reCamera Model Wizard"  # what the user sees: .app name, Start menu, installer
EXE_NAME = "recamera-wizard"  # the one-folder directory and the executable, as on the CLI
CLI_EXE_NAME = "recamera-wizard-cli"  # Windows only: a console twin for --self-test and steps
BUNDLE_ID = "org.recamera-wizard.wizard"
# An instructor's workshop kit (wizard.core.workshop.kit.KIT_SUFFIX): the packaged apps register
# it so a double-click opens the kit (Windows: the installer's ProgID runs `--kit "%1"`; macOS:
# Launch Services sends the app a file-open event, handled in wizard/gui/app.py).
KIT_EXTENSION = "rcwkit"
KIT_UTI = "org.recamera-wizard.kit"
KIT_TYPE_NAME = "reCamera workshop kit"

# resources/ lands at the bundle root under this name, i.e. sys._MEIPASS/resources, mirroring
# <checkout>/resources, so wizard.resources finds it the same way frozen and from source.
RESOURCES_DEST = "resources"
COMPILED_TRANSLATIONS_DIR = REPO_ROOT / "build" / "translations"

# Qt modules the app never needs. Each costs megabytes (WebEngine alone is ~150 MB). A module
# the wizard's own sources import is never excluded (see qt_modules_imported), so the GUI
# engineer can start using one without editing this list.
UNUSED_QT_MODULES = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtDataVisualization",
    "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLabsStyleKit",
    "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetworkAuth", "QtNfc", "QtPdf",
    "QtPdfWidgets", "QtPositioning", "QtQml", "QtQmlFeatures", "QtQuick", "QtQuick3D",
    "QtQuickControls2", "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml",
    "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine",
    "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore",
    "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
)

# Python packages that are installed for development but must not ride along: onnxruntime is a
# test-only dependency (~40 MB); other Qt bindings would make PyInstaller refuse to build.
EXCLUDED_PACKAGES = (
    "onnxruntime",
    "pytest", "_pytest", "pytestqt", "pluggy", "hypothesis",
    "tests", "test", "unittest.test", "lib2to3", "idlelib", "tkinter", "_tkinter", "turtledemo",
    "PyQt5", "PyQt6", "PySide2", "sip",
    "matplotlib", "scipy", "pandas", "IPython", "jedi", "notebook", "sphinx", "docutils",
    "onnx.backend.test", "numpy.f2py", "numpy.distutils",
)

# Modules nothing imports by name, so the analysis cannot see them.
EXTRA_HIDDEN_IMPORTS = (
    "qasync",  # picks its Qt binding with importlib at import time
    "docker.transport.unixconn",
    "docker.transport.sshconn",  # ssh:// DOCKER_HOST, used with the paramiko already bundled
    "paramiko.ed25519key",
    "paramiko.ecdsakey",
    "PIL.JpegImagePlugin",
    "PIL.PngImagePlugin",
)
WINDOWS_HIDDEN_IMPORTS = (
    # Docker Desktop on Windows listens on a named pipe; the SDK reaches it through pywin32.
    "docker.transport.npipeconn",
    "docker.transport.npipesocket",
    "win32file", "win32pipe", "win32api", "win32event", "pywintypes",
)

# Qt's own translations (qtbase_*.qm, ...) for every language weigh ~20 MB; the app speaks
# English and Japanese only.
KEPT_QT_TRANSLATION_LANGUAGES = ("en", "ja")


def app_version() -> str:
    """wizard.__version__, read without importing the package (the spec runs in PyInstaller)."""
    text = (WIZARD_DIR / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
    if not match:
        raise RuntimeError("wizard/__init__.py has no __version__")
    return match.group(1)


def numeric_version(version: str) -> str:
    """Windows file versions and macOS CFBundleVersion want digits and dots only: 0.1.0rc1 -> 0.1.0."""
    parts = re.findall(r"\d+", version.split("+")[0])[:3]
    while len(parts) < 3:
        parts.append("0")
    return ".".join(parts)


def target_os(platform: str | None = None) -> str:
    platform = platform or sys.platform
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "macos"
    return "linux"


def qt_modules_imported(source_dir: Path = WIZARD_DIR) -> set[str]:
    """The PySide6 submodules (``QtWidgets``...) that the wizard's own sources import."""
    used: set[str] = set()
    for path in source_dir.rglob("*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue  # a file being edited right now by someone else; the build will say more
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "PySide6":
                    names = [f"PySide6.{alias.name}" for alias in node.names]
                else:
                    names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "PySide6" and len(parts) > 1:
                    used.add(parts[1])
            # String literals too: importlib.import_module("PySide6.QtSvg") and the like.
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                match = re.fullmatch(r"PySide6\.(Qt\w+)", node.value)
                if match:
                    used.add(match.group(1))
    return used


def excludes(source_dir: Path = WIZARD_DIR) -> list[str]:
    used = qt_modules_imported(source_dir)
    qt = [f"PySide6.{name}" for name in UNUSED_QT_MODULES if name not in used]
    return [*EXCLUDED_PACKAGES, *qt]


def hidden_imports(platform: str | None = None) -> list[str]:
    names = list(EXTRA_HIDDEN_IMPORTS)
    if target_os(platform) == "windows":
        names += WINDOWS_HIDDEN_IMPORTS
    return names


def _is_bundled_resource(path: Path) -> bool:
    if "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
        return False
    # Linguist sources stay out: the bundle carries the compiled .qm (compile_translations).
    # With a .ts beside it, wizard.gui.i18n compares mtimes, and a .ts copied after its .qm
    # would send it looking for lrelease, which the bundle does not have: the window would
    # stay in English.
    if path.suffix == ".ts":
        return False
    return not path.name.startswith(".")  # .DS_Store, .gitkeep, editor swap files


def resource_datas(resources_dir: Path = RESOURCES_DIR, dest: str = RESOURCES_DEST) -> list[tuple[str, str]]:
    """(source file, destination folder) pairs for every file of resources/, tree kept as is."""
    pairs = []
    if not resources_dir.is_dir():
        return pairs
    for path in sorted(resources_dir.rglob("*")):
        if path.is_file() and _is_bundled_resource(path.relative_to(resources_dir)):
            rel_parent = path.parent.relative_to(resources_dir)
            target = Path(dest, rel_parent).as_posix()
            pairs.append((str(path), target))
    return pairs


# A list of every resource file put in the bundle, with its size, at the bundle root. The
# frozen app's --self-test compares the bundle against it (wizard/cli/self_test.py reads this name).
MANIFEST_NAME = "recamera-wizard-bundle.json"


def write_manifest(pairs: list[tuple[str, str]], path: Path, version: str) -> Path:
    import json

    files = {}
    for src, dest in pairs:
        files[f"{dest}/{Path(src).name}"] = Path(src).stat().st_size
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": version, "files": dict(sorted(files.items()))}, indent=1),
                    encoding="utf-8")
    return path


# Python files that are sent somewhere else to run (the toolchain's machine), not imported here:
# the frozen app must carry them as source files.
SOURCE_FILES_SENT = ("wizard/core/detections/backends/batch_driver.py",)


def package_datas(package_dir: Path = WIZARD_DIR) -> list[tuple[str, str]]:
    """Non-Python files inside the wizard package (e.g. wizard/gui/tour_data/*.log.gz), read
    from the checkout: an installed copy may lack whatever pyproject's package-data omits; and
    the Python files the app sends to the toolchain's machine (SOURCE_FILES_SENT)."""
    pairs = []
    for path in sorted(package_dir.rglob("*")):
        rel = path.relative_to(package_dir.parent)
        if rel.as_posix() in SOURCE_FILES_SENT:
            pairs.append((str(path), rel.parent.as_posix()))
        elif path.is_file() and path.suffix not in (".py", ".pyc", ".pyo") and _is_bundled_resource(rel):
            pairs.append((str(path), rel.parent.as_posix()))
    return pairs


def find_lrelease() -> str | None:
    """Qt Linguist's compiler: shipped inside the PySide6 wheel, or on PATH."""
    try:
        import PySide6
    except ImportError:
        PySide6 = None
    if PySide6 is not None:
        base = Path(PySide6.__file__).resolve().parent
        for candidate in (base / "lrelease", base / "lrelease.exe",
                          base / "Qt" / "bin" / "lrelease", base / "Qt" / "libexec" / "lrelease",
                          base / "lrelease.app" / "Contents" / "MacOS" / "lrelease"):
            if candidate.is_file():
                return str(candidate)
    for name in ("pyside6-lrelease", "lrelease"):
        found = shutil.which(name)
        if found:
            return found
    return None


def compile_translations(
    ts_dir: Path = RESOURCES_DIR / "translations",
    out_dir: Path = COMPILED_TRANSLATIONS_DIR,
) -> list[Path]:
    """Compile every .ts in resources/translations to .qm (the .qm files are not committed).

    A .qm already beside its .ts in resources/ (e.g. built by the GUI engineer's tooling) is
    bundled as it is by resource_datas; the compiled copies here go to the same bundle folder.
    """
    ts_files = sorted(ts_dir.glob("*.ts")) if ts_dir.is_dir() else []
    if not ts_files:
        return []
    lrelease = find_lrelease()
    if lrelease is None:
        raise RuntimeError("lrelease not found: install PySide6 (it ships Qt Linguist's lrelease)")
    out_dir.mkdir(parents=True, exist_ok=True)
    compiled = []
    for ts in ts_files:
        qm = out_dir / (ts.stem + ".qm")
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
        compiled.append(qm)
    return compiled


def translation_datas(compiled: list[Path], dest: str = RESOURCES_DEST) -> list[tuple[str, str]]:
    return [(str(qm), f"{dest}/translations") for qm in compiled]


def keep_qt_translation(dest_path: str) -> bool:
    """Filter for Qt's own translation files collected by PyInstaller's PySide6 hook."""
    parts = Path(dest_path).parts
    name = Path(dest_path).name
    if not name.endswith(".qm") or "PySide6" not in parts or "translations" not in parts:
        return True  # the app's own translations and everything else are always kept
    # qtbase_ja.qm, qt_help_pt_BR.qm, qtwebengine_zh_CN.qm: the language is the last _xx part.
    match = re.search(r"_([a-z]{2,3})(?:_[A-Za-z]{2,4})?\.qm$", name)
    return match is None or match.group(1) in KEPT_QT_TRANSLATION_LANGUAGES


# Qt libraries that PySide6's hook drags in only through plugins the wizard never loads: the
# virtual keyboard input context (QtQuick + QtQml, ~20 MB) and the PDF image format (QtPdf).
# Each group goes only while the app's own sources do not import the matching Python module.
PLUGIN_ONLY_QT_LIBRARIES = {
    "QtQuick": ("Quick", "VirtualKeyboard"),
    "QtQml": ("Qml",),
    "QtPdf": ("Pdf",),
}
PLUGINS_NEEDING = {
    "QtQuick": ("virtualkeyboard",),
    "QtPdf": ("qpdf",),
}


def unused_qt_binary_filter(source_dir: Path = WIZARD_DIR) -> Callable[[str], bool]:
    """A predicate on bundle paths: True for Qt libraries/plugins the app does not use."""
    used = qt_modules_imported(source_dir)
    if "QtQuick" in used:
        used.add("QtQml")  # Quick is built on Qml
    lib_stems = [stem for module, stems in PLUGIN_ONLY_QT_LIBRARIES.items() if module not in used
                 for stem in stems]
    plugin_words = [word for module, words in PLUGINS_NEEDING.items() if module not in used
                    for word in words]
    # libQt6Quick.so.6 (Linux), Qt6Quick.dll (Windows), QtQuick.framework/... (macOS).
    lib_pattern = re.compile(
        r"(?:^|[/\\])(?:lib)?Qt6?(?:%s)\w*(?:\.so[.\d]*|\.dll|\.dylib|\.framework(?:[/\\]|$))"
        % "|".join(map(re.escape, lib_stems))
    ) if lib_stems else None

    def is_unused(dest_path: str) -> bool:
        normalized = dest_path.replace("\\", "/")
        parts = normalized.split("/")
        if "PySide6" not in parts:
            return False
        if "plugins" in parts:
            name = parts[-1].lower()
            return any(word in name for word in plugin_words)
        return bool(lib_pattern and lib_pattern.search(normalized))

    return is_unused


# Where the app icon may be. The GUI engineer's icons in resources/icons come first; the
# generated fallback in packaging/icons keeps the build working before (or without) them.
ICON_CANDIDATES = {
    # .ico with 16..256 px frames; else PyInstaller resizes a PNG.
    "windows": ("app.ico", "recamera-wizard.ico", "app.png", "recamera-wizard.png"),
    # .icns, else the biggest PNG: the Retina 512@2x slot wants 1024 px.
    "macos": ("app.icns", "recamera-wizard.icns", "app-1024.png", "recamera-wizard.png", "app.png"),
    "linux": ("app.png", "recamera-wizard.png"),
}
FALLBACK_ICON = PACKAGING_DIR / "icons" / "recamera-wizard.png"


def app_icon(platform: str | None = None) -> Path:
    """The icon file handed to PyInstaller (it converts a .png to .ico/.icns with Pillow)."""
    for name in ICON_CANDIDATES[target_os(platform)]:
        for folder in (RESOURCES_DIR / "icons", PACKAGING_DIR / "icons"):
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return FALLBACK_ICON


def macos_minimum_system_version(qtcore_binary: str | None, default: str = "12.0") -> str:
    """LSMinimumSystemVersion: the oldest macOS the bundled Qt itself was built for.

    Read from QtCore's Mach-O header so it follows whatever PySide6 the build machine has
    (Qt raises its floor every few releases) instead of a number that silently goes stale.
    """
    if not qtcore_binary or not os.path.isfile(qtcore_binary):
        return default
    try:
        from PyInstaller.utils.osx import macosx_version_min

        version = macosx_version_min(qtcore_binary)
    except Exception:
        return default
    if not version or version[0] < 10:
        return default
    return ".".join(str(part) for part in version[:2])


def macos_info_plist(version: str, minimum_system: str) -> dict:
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": numeric_version(version),
        "NSHighResolutionCapable": True,
        "LSMinimumSystemVersion": minimum_system,
        "LSApplicationCategoryType": "public.app-category.developer-tools",
        # Follow the system's dark mode instead of forcing the light appearance.
        "NSRequiresAquaSystemAppearance": False,
        "NSHumanReadableCopyright": "Apache-2.0, reCamera Model Wizard developers",
        # .onnx files can be dropped on the app icon; the wizard opens them. A workshop kit is
        # the app's own document type: a double-click on it opens the kit.
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": "ONNX model",
                "CFBundleTypeRole": "Viewer",
                "LSHandlerRank": "Alternate",
                "CFBundleTypeExtensions": ["onnx"],
            },
            {
                "CFBundleTypeName": KIT_TYPE_NAME,
                "CFBundleTypeRole": "Viewer",
                "LSHandlerRank": "Owner",
                "LSItemContentTypes": [KIT_UTI],
            },
        ],
        # The kit's type is declared by this app (no other app knows it). It is a zip inside,
        # but is declared as plain data so the Archive Utility never offers to unpack it.
        "UTExportedTypeDeclarations": [
            {
                "UTTypeIdentifier": KIT_UTI,
                "UTTypeDescription": KIT_TYPE_NAME,
                "UTTypeConformsTo": ["public.data"],
                "UTTypeTagSpecification": {"public.filename-extension": [KIT_EXTENSION]},
            }
        ],
    }


def windows_version_info_text(version: str) -> str:
    """A VSVersionInfo block (the Details tab of the .exe's Properties)."""
    numbers = tuple(int(p) for p in numeric_version(version).split(".")) + (0,)
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'reCamera Model Wizard developers'),
      StringStruct('FileDescription', '{APP_NAME}'),
      StringStruct('FileVersion', '{version}'),
      StringStruct('InternalName', '{EXE_NAME}'),
      StringStruct('OriginalFilename', '{EXE_NAME}.exe'),
      StringStruct('ProductName', '{APP_NAME}'),
      StringStruct('ProductVersion', '{version}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
