"""Build the double-click app for the OS this runs on, into dist/.

    python packaging/build.py              # build + archive (zip / dmg / tar.gz) + self-test
    python packaging/build.py --no-archive # just dist/recamera-wizard (or the .app)
    python packaging/build.py --clean      # forget PyInstaller's cache first

Needs the project and PyInstaller in the running Python: pip install -e ".[packaging]".
Outputs (VERSION from wizard.__version__):
    Windows  dist/recamera-wizard/ (recamera-wizard.exe + recamera-wizard-cli.exe)
             dist/recamera-wizard-VERSION-windows-x64.zip
             dist/recamera-wizard-VERSION-windows-x64-setup.exe (only if Inno Setup's iscc is found)
    macOS    dist/reCamera Model Wizard.app, dist/recamera-wizard-VERSION-macos-ARCH.dmg
    Linux    dist/recamera-wizard/, dist/recamera-wizard-VERSION-linux-x86_64.tar.gz
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_config as cfg  # noqa: E402

SPEC = cfg.PACKAGING_DIR / "recamera-wizard.spec"


def log(text: str) -> None:
    print(f"==> {text}", flush=True)


def arch_label() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x64", "x86_64": "x64" if cfg.target_os() == "windows" else "x86_64",
            "aarch64": "arm64"}.get(machine, machine)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def frozen_executable(dist: Path) -> Path:
    """The binary that answers --self-test (console on Windows, inside the .app on macOS)."""
    kind = cfg.target_os()
    if kind == "windows":
        return dist / cfg.EXE_NAME / f"{cfg.CLI_EXE_NAME}.exe"
    if kind == "macos":
        return dist / f"{cfg.APP_NAME}.app" / "Contents" / "MacOS" / cfg.EXE_NAME
    return dist / cfg.EXE_NAME / cfg.EXE_NAME


def run_pyinstaller(dist: Path, work: Path, clean: bool) -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        sys.exit('PyInstaller is not installed here: pip install -e ".[packaging]"')
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm",
               "--distpath", str(dist), "--workpath", str(work), "--log-level", "WARN"]
    if clean:
        command.append("--clean")
    log(" ".join(command))
    subprocess.run(command, check=True, cwd=cfg.REPO_ROOT)


def zip_folder(folder: Path, archive: Path, readme: Path | None = None) -> Path:
    # The folder itself is the top entry, so unzipping gives one "recamera-wizard" folder, with
    # the first-open steps beside it (UTF-8 with BOM and CRLF: any Windows viewer shows the
    # Japanese correctly).
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        if readme is not None:
            text = readme.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
            zf.writestr("READ ME FIRST.txt", text.encode("utf-8-sig"))
        for path in sorted(folder.rglob("*")):
            zf.write(path, path.relative_to(folder.parent))
    return archive


def find_iscc() -> str | None:
    """Inno Setup's compiler: on PATH, or where its installer (and Chocolatey's) puts it."""
    found = shutil.which("iscc")
    if found:
        return found
    for root in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles")):
        candidate = Path(root or r"C:\Program Files (x86)") / "Inno Setup 6" / "ISCC.exe"
        if candidate.is_file():
            return str(candidate)
    return None


def windows_ico(work: Path) -> Path:
    """Inno Setup needs an .ico for the installer and uninstaller; make one from the app icon."""
    source = cfg.app_icon("win32")
    if source.suffix == ".ico":
        return source
    from PIL import Image

    target = work / "recamera-wizard.ico"
    target.parent.mkdir(parents=True, exist_ok=True)
    Image.open(source).save(target, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    return target


def archive_windows(dist: Path, work: Path, version: str) -> list[Path]:
    base = f"{cfg.EXE_NAME}-{version}-windows-{arch_label()}"
    made = [zip_folder(dist / cfg.EXE_NAME, dist / f"{base}.zip",
                       readme=cfg.PACKAGING_DIR / "windows" / "first-open.txt")]
    iscc = find_iscc()
    if iscc is None:
        log("Inno Setup (iscc) not found: only the zip is made")
        return made
    subprocess.run([iscc, "/Q", f"/DAppVersion={version}", f"/DSourceDir={dist / cfg.EXE_NAME}",
                    f"/DOutputDir={dist}", f"/DOutputBaseFilename={base}-setup",
                    f"/DIconFile={windows_ico(work)}",
                    str(cfg.PACKAGING_DIR / "windows" / "recamera-wizard.iss")], check=True)
    made.append(dist / f"{base}-setup.exe")
    return made


def archive_macos(dist: Path, work: Path, version: str) -> list[Path]:
    dmg = dist / f"{cfg.EXE_NAME}-{version}-macos-{arch_label()}.dmg"
    subprocess.run(["bash", str(cfg.PACKAGING_DIR / "macos" / "make_dmg.sh"),
                    str(dist / f"{cfg.APP_NAME}.app"), str(dmg), cfg.APP_NAME], check=True)
    return [dmg]


def archive_linux(dist: Path, work: Path, version: str) -> list[Path]:
    archive = dist / f"{cfg.EXE_NAME}-{version}-linux-{arch_label()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(dist / cfg.EXE_NAME, arcname=cfg.EXE_NAME)
    return [archive]


def self_test(dist: Path) -> int:
    exe = frozen_executable(dist)
    env = dict(os.environ)
    if cfg.target_os() != "linux" or not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    log(f"{exe} --self-test")
    return subprocess.run([str(exe), "--self-test"], env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=cfg.REPO_ROOT / "dist")
    parser.add_argument("--work", type=Path, default=cfg.REPO_ROOT / "build" / "pyinstaller")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--no-archive", action="store_true", help="skip the zip/dmg/tar.gz")
    parser.add_argument("--no-self-test", action="store_true", help="skip running --self-test")
    args = parser.parse_args(argv)

    dist, work = args.dist.resolve(), args.work.resolve()
    version = cfg.app_version()
    kind = cfg.target_os()
    log(f"building reCamera Model Wizard {version} for {kind} ({arch_label()}) into {dist}")
    started = time.monotonic()
    run_pyinstaller(dist, work, args.clean)
    built = time.monotonic() - started
    app = dist / (f"{cfg.APP_NAME}.app" if kind == "macos" else cfg.EXE_NAME)
    log(f"built {app} in {built:.0f} s, {folder_size(app) / 1e6:.0f} MB")

    if not args.no_self_test:
        code = self_test(dist)
        if code != 0:
            log(f"the frozen app's self-test FAILED (exit {code})")
            return code

    if not args.no_archive:
        made = {"windows": archive_windows, "macos": archive_macos, "linux": archive_linux}[kind](dist, work, version)
        for path in made:
            log(f"made {path} ({path.stat().st_size / 1e6:.0f} MB)")
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
