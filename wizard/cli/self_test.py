"""``recamera-wizard --self-test``: is everything the app needs really there?

Run on the frozen app (CI, after every build; a workshop helper on an attendee's laptop) and from
a checkout. Every check exercises the thing it names instead of only importing it: the ONNX
checker runs its C++ part, Pillow encodes a JPEG, paramiko loads a key through cryptography, Qt
opens a window on a platform plugin and renders it, the Japanese translation is loaded.

One line per check, ``[ OK ]`` or ``[FAIL]``, then a verdict. ``[INFO]`` lines (Docker on this
computer) never change the verdict: the app cannot bundle Docker, and a laptop without it can
still convert over SSH. Exit code 0 only when every check passed.
"""

from __future__ import annotations

import io
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TextIO

# The PySide6 modules the GUI cannot start without. (SVG icons need no Python module, only
# Qt's svg image-format plugin: check_qt_images looks for that.)
REQUIRED_QT_MODULES = ("QtCore", "QtGui", "QtWidgets")
# The platform plugin a person's desktop uses, per OS (the CI runs offscreen, so it is looked
# for on disk instead of being loaded).
NATIVE_PLATFORM_PLUGIN = {"windows": "qwindows", "macos": "qcocoa", "linux": "qxcb"}
PRESET_SUFFIXES = (".json",)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
ICON_SUFFIXES = (".png", ".svg", ".ico", ".icns")
# Written at the bundle root by packaging/recamera-wizard.spec (bundle_config.MANIFEST_NAME).
BUNDLE_MANIFEST = "recamera-wizard-bundle.json"


class CheckFailed(Exception):
    """A check ran and found something missing or wrong (the message says what)."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    info: bool = False  # informational lines never fail the self-test
    seconds: float = 0.0

    def line(self) -> str:
        tag = "[INFO]" if self.info else ("[ OK ]" if self.ok else "[FAIL]")
        return f"{tag} {self.name}: {self.detail}"


def _os_kind() -> str:
    from wizard.core.app_dirs import os_kind

    return os_kind()


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


# --- checks that need no Qt -----------------------------------------------------------------------


def check_core() -> str:
    import pkgutil

    import wizard.core
    from wizard.core import messages

    names = [info.name for info in pkgutil.walk_packages(wizard.core.__path__, "wizard.core.")]
    if not names:
        raise CheckFailed("no wizard.core modules found (the bundle lost them)")
    for name in names:
        __import__(name)
    for code in ("first_run_docker_missing_windows", "file_not_found"):
        if code not in messages.CATALOGUE:
            raise CheckFailed(f"message catalogue has no {code!r}: a catalogue_*.py was not bundled")
    ja, _ = messages.render("file_not_found", {"path": "x"}, "ja")
    if "見つかりません" not in ja:
        raise CheckFailed(f"Japanese messages render wrongly: {ja!r}")
    return f"{len(names)} modules, {len(messages.CATALOGUE)} messages in en+ja"


def _utf8_mode() -> bool:
    return bool(sys.flags.utf8_mode)


def check_text_encoding() -> str:
    """The frozen app runs in UTF-8 mode (the spec's "X utf8" option): files and tool output are
    UTF-8 whatever the OS's code page (cp932 on a Japanese Windows)."""
    import locale

    encoding = locale.getpreferredencoding(False)
    if is_frozen() and not _utf8_mode():
        raise CheckFailed(f"UTF-8 mode is off; text files would be read as {encoding}")
    sample = "変換ウィザード ✓"
    with tempfile.TemporaryDirectory(prefix="recamera-self-test-") as tmp:
        path = Path(tmp) / "utf8.txt"
        path.write_text(sample, encoding="utf-8")
        if path.read_text(encoding="utf-8") != sample:
            raise CheckFailed("UTF-8 text did not survive a round trip through a file")
    return f"UTF-8 mode {'on' if _utf8_mode() else 'off'}, default text encoding {encoding}"


def check_cli() -> str:
    from wizard.cli.parser import build_parser

    parser = build_parser()
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    steps = sorted(actions[0].choices) if actions else []
    if not steps:
        raise CheckFailed("the command line has no steps")
    return f"{len(steps)} steps ({', '.join(steps)})"


def check_numpy() -> str:
    import numpy as np

    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    product = a @ a.T  # goes through the bundled BLAS
    if float(product[2, 2]) != 8.0**2 + 9.0**2 + 10.0**2 + 11.0**2:
        raise CheckFailed(f"wrong matrix product {product[2, 2]}")
    return f"numpy {np.__version__}"


def check_pillow() -> str:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    encoded = io.BytesIO()
    image.save(encoded, "JPEG", quality=90)
    again = Image.open(io.BytesIO(encoded.getvalue()))
    again.load()
    if again.size != (64, 48) or again.format != "JPEG":
        raise CheckFailed(f"JPEG round trip gave {again.format} {again.size}")
    png = io.BytesIO()
    again.save(png, "PNG")
    import PIL

    return f"Pillow {PIL.__version__}, JPEG and PNG codecs work"


def check_onnx() -> str:
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [
            helper.make_node("Transpose", ["images"], ["nhwc"], perm=[0, 2, 3, 1]),
            helper.make_node("Relu", ["nhwc"], ["output0"]),
        ],
        "self_test",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 8, 6])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 8, 6, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    # full_check and shape inference run the compiled onnx_cpp2py_export extension, not only Python.
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(onnx.load_from_string(model.SerializeToString()))
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in inferred.graph.value_info}
    if shapes.get("nhwc") != [1, 8, 6, 3]:
        raise CheckFailed(f"shape inference gave {shapes}")
    return f"onnx {onnx.__version__}, checker and shape inference work"


def check_sample_model() -> str:
    import onnx

    from wizard.core.model.samples import write_sample_model

    with tempfile.TemporaryDirectory(prefix="recamera-self-test-") as tmp:
        path = write_sample_model(Path(tmp) / "sample.onnx")
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
        size = Path(path).stat().st_size
    return f"built a {len(model.graph.node)}-node sample YOLO model ({size // 1024} KiB)"


def check_paramiko() -> str:
    import paramiko
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    loaded = paramiko.Ed25519Key.from_private_key(io.StringIO(pem))
    if loaded.get_name() != "ssh-ed25519":
        raise CheckFailed(f"loaded key is {loaded.get_name()}")
    import bcrypt  # noqa: F401 - paramiko needs it for passphrase-protected keys
    import nacl.signing  # noqa: F401 - and PyNaCl for ed25519 signatures

    return f"paramiko {paramiko.__version__}, ed25519 keys load"


def check_docker_sdk() -> str:
    import docker
    from docker import transport

    if _os_kind() == "windows":
        # Docker Desktop on Windows is a named pipe; without pywin32 the SDK silently lacks it.
        if not hasattr(transport, "NpipeHTTPAdapter"):
            raise CheckFailed("the named-pipe transport is missing (pywin32 not bundled)")
        base_url = "npipe:////./pipe/recamera_self_test_no_such_pipe"
    else:
        base_url = "unix:///nonexistent/recamera-self-test.sock"
    # An explicit API version means no request is made: this checks the client builds its
    # transport, and nothing is contacted.
    client = docker.APIClient(base_url=base_url, version="1.41", timeout=1)
    client.close()
    return f"docker SDK {docker.__version__}, {base_url.split(':')[0]} transport ready"


# The keychain backend a person's desktop should end up with (style rule 8: passwords live there).
NATIVE_KEYRING_MODULE = {"windows": "keyring.backends.Windows", "macos": "keyring.backends.macOS"}


def check_keychain() -> str:
    import importlib
    import importlib.metadata

    import keyring

    # keyring finds its backends through package metadata (entry points): a bundle that lost the
    # dist-info silently falls back to "no keychain", and saved passwords are never remembered.
    registered = [ep.value for ep in importlib.metadata.entry_points(group="keyring.backends")]
    if not registered:
        raise CheckFailed("keyring's backends are not registered (its package metadata is missing)")
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    expected = NATIVE_KEYRING_MODULE.get(_os_kind())
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return f"backend {name} (chosen by PYTHON_KEYRING_BACKEND)"
    if expected and not type(backend).__module__.startswith(expected):
        raise CheckFailed(f"the system keychain is not used (got {name}): saved passwords would be lost")
    if _os_kind() == "linux":
        importlib.import_module("keyring.backends.SecretService")  # the desktop's, when there is one
    return f"backend {name}, {len(registered)} registered"


def check_websockets() -> str:
    """The device live check speaks WebSocket: echo one message over loopback."""
    import threading

    from websockets.sync.client import connect
    from websockets.sync.server import serve

    def echo(connection) -> None:
        for message in connection:
            connection.send(message)

    with serve(echo, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with connect(f"ws://127.0.0.1:{port}", open_timeout=5, close_timeout=2) as client:
                client.send("reCamera")
                reply = client.recv(timeout=5)
        finally:
            server.shutdown()
            thread.join(timeout=5)
    if reply != "reCamera":
        raise CheckFailed(f"loopback echo returned {reply!r}")
    import websockets

    return f"websockets {websockets.__version__}, loopback echo works"


def check_resources() -> str:
    from wizard.resources import resources_dir

    root = resources_dir()
    if not root.is_dir():
        raise CheckFailed(f"no resources folder (looked for {root})")
    how = "bundle" if is_frozen() else "checkout"
    if os.environ.get("RECAMERA_WIZARD_RESOURCES"):
        how = "RECAMERA_WIZARD_RESOURCES"
    return f"{root} ({how})"


def _files(folder: Path, suffixes: Iterable[str]) -> list[Path]:
    if not folder.is_dir():
        return []
    wanted = tuple(suffixes)
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in wanted)


def _resource_check(sub: str, suffixes: tuple[str, ...], what: str) -> Callable[[], str]:
    def check() -> str:
        from wizard.resources import resource_path

        folder = resource_path(sub)
        found = _files(folder, suffixes)
        if not found:
            raise CheckFailed(f"no {what} in {folder}")
        return f"{len(found)} in {folder.name}/ ({', '.join(p.name for p in found[:4])}{', ...' if len(found) > 4 else ''})"

    check.__name__ = f"check_{sub}"
    return check


def check_bundle_complete() -> str:
    """Frozen: every data file listed at build time (resources/, package data) is there, at its size."""
    if not is_frozen():
        return "from source: no bundle to compare"
    manifest = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / BUNDLE_MANIFEST
    if not manifest.is_file():
        raise CheckFailed(f"{manifest.name} is missing: the bundle was not built by packaging/build.py")
    listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    root = manifest.parent
    wrong = [name for name, size in listed.items()
             if not (root / name).is_file() or (root / name).stat().st_size != size]
    if wrong:
        raise CheckFailed(f"{len(wrong)} of {len(listed)} files missing or damaged: {', '.join(wrong[:5])}")
    return f"all {len(listed)} bundled data files present and intact"


def check_presets() -> str:
    from wizard.resources import resource_path

    folder = resource_path("presets")
    found = _files(folder, PRESET_SUFFIXES)
    if not found:
        # Presets are optional content; a bundle that lost them is caught by check_bundle_complete.
        return f"none shipped ({folder.name}/ is empty)"
    for path in found:
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise CheckFailed(f"{path.name} is not valid JSON: {exc}") from exc
    return f"{len(found)} presets, all valid JSON"


def check_translation_files() -> str:
    from wizard.resources import resource_path

    folder = resource_path("translations")
    ts = _files(folder, (".ts",))
    qm = _files(folder, (".qm",))
    if is_frozen() and not any("ja" in p.stem for p in qm):
        # A bundle has no lrelease to compile a .ts at start-up: the .qm must be inside.
        raise CheckFailed(f"no compiled Japanese translation (.qm) in {folder}")
    if not any("ja" in p.stem for p in ts + qm):
        raise CheckFailed(f"no Japanese translation (.ts or .qm) in {folder}")
    return f"{', '.join(p.name for p in ts + qm)}"


# --- Qt checks (one QApplication for all of them) -------------------------------------------------


def _choose_qt_platform(env: dict | None = None) -> str | None:
    """Use the offscreen platform where there is no display, so the check never hangs or aborts."""
    env = os.environ if env is None else env
    if env.get("QT_QPA_PLATFORM"):
        return None
    if _os_kind() == "linux" and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return "offscreen"
    return None


class _Qt:
    """Lazily created QApplication shared by the Qt checks."""

    app = None

    @classmethod
    def application(cls):
        if cls.app is None:
            chosen = _choose_qt_platform()
            if chosen:
                os.environ["QT_QPA_PLATFORM"] = chosen
            from PySide6.QtWidgets import QApplication

            cls.app = QApplication.instance() or QApplication(["recamera-wizard-self-test"])
        return cls.app


def check_qt_modules() -> str:
    import importlib

    import PySide6

    for name in REQUIRED_QT_MODULES:
        importlib.import_module(f"PySide6.{name}")
    return f"PySide6 {PySide6.__version__}: {', '.join(REQUIRED_QT_MODULES)}"


def _plugin_dirs() -> list[Path]:
    from PySide6.QtCore import QCoreApplication, QLibraryInfo

    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))]
    dirs += [Path(p) for p in QCoreApplication.libraryPaths()]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        # Where PyInstaller put Qt's plugins differs per OS (PySide6/plugins, PySide6/Qt/plugins).
        dirs += [p.parent for p in Path(bundle).rglob("platforms") if p.is_dir()]
    seen, unique = set(), []
    for d in dirs:
        if str(d) not in seen:
            seen.add(str(d))
            unique.append(d)
    return unique


def check_qt_platform() -> str:
    app = _Qt.application()
    from PySide6.QtWidgets import QLabel

    native = NATIVE_PLATFORM_PLUGIN[_os_kind()]
    plugin_files = []
    for folder in _plugin_dirs():
        platforms = folder / "platforms"
        if platforms.is_dir():
            plugin_files += [p for p in platforms.iterdir() if native in p.name]
    if not plugin_files:
        raise CheckFailed(f"the {native} platform plugin (the desktop's) is not in {[str(d) for d in _plugin_dirs()]}")
    label = QLabel("reCamera Model Wizard — 変換ウィザード")
    label.resize(320, 40)
    label.show()
    app.processEvents()
    picture = label.grab()
    label.close()
    if picture.isNull() or picture.width() < 10:
        raise CheckFailed("a window could not be drawn")
    return f"running on '{app.platformName()}', {native} plugin present, a window renders"


def check_qt_images() -> str:
    _Qt.application()
    from PySide6.QtGui import QIcon, QImageReader, QPixmap

    formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"png", "jpg", "svg"} - formats
    if missing:
        raise CheckFailed(f"Qt cannot read {sorted(missing)} images (image format plugins missing)")
    from wizard.resources import resource_path

    icons = _files(resource_path("icons"), (".png", ".svg"))
    if not icons:
        raise CheckFailed(f"no .png/.svg icons in {resource_path('icons')}")
    broken = [p.name for p in icons if QIcon(str(p)).pixmap(32, 32).isNull() and QPixmap(str(p)).isNull()]
    if broken:
        raise CheckFailed(f"icons Qt cannot draw: {broken}")
    return f"{len(icons)} icons draw; formats png, jpg, svg"


def check_styles() -> str:
    _Qt.application()
    from wizard.resources import resource_path

    sheets = _files(resource_path("styles"), (".qss",))
    if not sheets:
        raise CheckFailed(f"no style sheets (*.qss) in {resource_path('styles')}")
    for sheet in sheets:
        if not sheet.read_text(encoding="utf-8").strip():
            raise CheckFailed(f"{sheet.name} is empty")
    return f"{len(sheets)} style sheets ({', '.join(p.name for p in sheets)})"


def check_translation_ja() -> str:
    app = _Qt.application()
    from PySide6.QtCore import QTranslator

    from wizard.gui import i18n

    path = i18n.qm_path("ja")
    if path is None:
        raise CheckFailed("no Japanese .qm could be found or compiled")
    translator = QTranslator()
    if not translator.load(str(path)) or translator.isEmpty():
        raise CheckFailed(f"{path} does not load as a Qt translation")
    app.installTranslator(translator)
    app.removeTranslator(translator)
    # Qt's own texts (dialog buttons はい/いいえ) come from qtbase_ja.qm where Qt looks for them.
    from PySide6.QtCore import QLibraryInfo

    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator()
    if not qt_translator.load("qtbase_ja", qt_dir):
        raise CheckFailed(f"Qt's own Japanese texts (qtbase_ja.qm) are not in {qt_dir}")
    return f"{path.name} loads ({path.stat().st_size} bytes), and Qt's qtbase_ja"


def check_qasync() -> str:
    app = _Qt.application()
    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    try:

        async def roundtrip() -> int:
            await asyncio.sleep(0.01)
            return await asyncio.get_running_loop().run_in_executor(None, lambda: 6 * 7)

        value = loop.run_until_complete(roundtrip())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    if value != 42:
        raise CheckFailed(f"executor round trip returned {value}")
    return f"qasync on {qasync.QtModuleName}: the Qt event loop runs coroutines and executor calls"


def check_gui() -> str:
    from wizard.gui.app import run_app

    if not callable(run_app):
        raise CheckFailed("wizard.gui.app.run_app is not callable")
    return "wizard.gui.app imports"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("core", check_core),
    ("command line", check_cli),
    ("text encoding", check_text_encoding),
    ("numpy", check_numpy),
    ("Pillow", check_pillow),
    ("onnx", check_onnx),
    ("sample model builder", check_sample_model),
    ("paramiko", check_paramiko),
    ("docker SDK", check_docker_sdk),
    ("keychain", check_keychain),
    ("websockets", check_websockets),
    ("resources", check_resources),
    ("bundle contents", check_bundle_complete),
    ("styles", check_styles),
    ("icons", check_qt_images),
    ("translations", check_translation_files),
    ("sample images", _resource_check("samples", IMAGE_SUFFIXES, "sample images")),
    ("presets", check_presets),
    ("PySide6", check_qt_modules),
    ("Qt platform", check_qt_platform),
    ("Japanese translation", check_translation_ja),
    ("qasync", check_qasync),
    ("GUI", check_gui),
)


def run_checks(checks: Iterable[tuple[str, Callable[[], str]]] = CHECKS) -> list[CheckResult]:
    results = []
    for name, check in checks:
        started = time.monotonic()
        try:
            detail = check()
            ok = True
        except CheckFailed as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # noqa: BLE001 - any crash is a failed check, never a crash here
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f" ({Path(last.filename).name}:{last.lineno})"
            detail, ok = f"{type(exc).__name__}: {exc}{where}", False
        results.append(CheckResult(name, ok, detail, seconds=time.monotonic() - started))
    return results


def docker_info_lines() -> list[CheckResult]:
    """What the first-run check says about Docker here: shown, never failing the self-test."""
    try:
        from wizard.core.app.first_run import check_first_run

        report = check_first_run(timeout=2.0)
    except Exception as exc:  # noqa: BLE001
        return [CheckResult("Docker", False, f"could not check: {exc}", info=True)]
    lines = [CheckResult("Docker", report.ok, report.summary(), info=True)]
    for problem in report.problems:
        message, fix = problem.text()
        lines.append(CheckResult("Docker", False, f"{message} {fix}".strip(), info=True))
    return lines


def header() -> str:
    from wizard import __version__

    return (
        f"reCamera Model Wizard {__version__} self-test "
        f"({'frozen app' if is_frozen() else 'from source'}, Python {platform.python_version()}, "
        f"{_os_kind()} {platform.machine()})"
    )


def run_self_test(stream: TextIO | None = None, include_docker: bool = True,
                  checks: Iterable[tuple[str, Callable[[], str]]] = CHECKS) -> int:
    """Print one line per check and a verdict; return 0 only if every check passed."""
    out = stream or sys.stdout
    print(header(), file=out, flush=True)
    results = []
    for name, check in checks:
        (result,) = run_checks([(name, check)])
        results.append(result)
        print(result.line(), file=out, flush=True)  # line by line: a hang shows where it is
    if include_docker:
        for line in docker_info_lines():
            print(line.line(), file=out, flush=True)
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"Self-test FAILED: {len(failed)} of {len(results)} checks failed "
              f"({', '.join(r.name for r in failed)}).", file=out, flush=True)
        return 1
    print(f"Self-test PASSED: all {len(results)} checks OK.", file=out, flush=True)
    return 0
