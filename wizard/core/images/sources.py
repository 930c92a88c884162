"""Where the pictures come from: a folder (walked without decoding anything) or a zip of photos.

A folder is walked in sorted order, following links but not loops, passing over what operating
systems leave behind; a zip is unpacked into a temporary folder under size, count and ratio
limits, never writing outside it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from wizard.core.images.decode import can_decode, short_detail
from wizard.core.images.sniff import IMAGE_KINDS, detect_kind, read_head
from wizard.core.messages import WizardError
from wizard.core.user_paths import check_input_folder

# File and folder names that operating systems and archivers leave behind.
_SYSTEM_FILE_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"}
_SYSTEM_DIR_NAMES = {"__macosx", "$recycle.bin", "system volume information"}


@dataclass(frozen=True)
class SourceFile:
    """One entry of a source folder, found by :func:`scan_sources` without decoding anything."""

    path: str
    relative: str  # POSIX-style, relative to the scanned folder
    size: int  # bytes; 0 for ignored folders
    kind: str  # from magic bytes: "jpeg", "png", ..., "heic", "empty", "text", "unknown"
    ignored: bool = False  # system file or hidden folder: never looked at

    @property
    def looks_like_image(self) -> bool:
        """An image format by its content (whatever the name), decodable here or not."""
        return self.kind in IMAGE_KINDS

    @property
    def decodable(self) -> bool:
        """An image this installation can convert (HEIC without a plugin is not)."""
        return not self.ignored and can_decode(self.kind)


def is_system_file(name: str) -> bool:
    """Files that operating systems leave behind (also AppleDouble "._x.jpg" and dotfiles)."""
    return name.startswith(".") or name.casefold() in _SYSTEM_FILE_NAMES


def is_ignored_dir(name: str) -> bool:
    return name.startswith(".") or name.casefold() in _SYSTEM_DIR_NAMES


def walk_source(src: Path, exclude: Path | None = None) -> Iterator[tuple[Path, str, bool]]:
    """(path, relative POSIX path, ignored) for every file (and ignored folder), sorted.

    Linked folders are followed (photos are often organised with links), but a folder already
    visited (a link loop) or ``exclude`` (our own output, reachable through a link) is listed
    as ignored instead of being entered.
    """
    entries: list[tuple[str, Path, bool]] = []
    visited = {os.path.realpath(src)}
    excluded = os.path.realpath(exclude) if exclude is not None else None
    for root, dirnames, filenames in os.walk(src, followlinks=True):
        root_path = Path(root)
        kept = []
        for name in dirnames:
            path = root_path / name
            real = os.path.realpath(path)
            if is_ignored_dir(name) or real in visited or real == excluded:
                entries.append((path.relative_to(src).as_posix(), path, True))
            else:
                visited.add(real)
                kept.append(name)
        dirnames[:] = sorted(kept)
        for name in filenames:
            path = root_path / name
            entries.append((path.relative_to(src).as_posix(), path, is_system_file(name)))
    entries.sort(key=lambda entry: entry[0])
    for relative, path, ignored in entries:
        yield path, relative, ignored


def check_source_dir(src_dir: str | Path) -> Path:
    return check_input_folder(src_dir).absolute()


def scan_sources(src_dir: str | Path) -> list[SourceFile]:
    """Every file under ``src_dir`` with its size and content kind; decodes nothing."""
    src = check_source_dir(src_dir)
    found: list[SourceFile] = []
    for path, relative, ignored in walk_source(src):
        if ignored:
            size = path.stat().st_size if path.is_file() else 0
            found.append(SourceFile(str(path), relative, size, "system", ignored=True))
            continue
        try:
            size = path.stat().st_size
            kind = detect_kind(read_head(path)) if size else "empty"
        except OSError:
            size, kind = 0, "unreadable"
        found.append(SourceFile(str(path), relative, size, kind))
    return found


# A zip of photos is how many users carry a data set around (users.md). Limits keep a hostile
# or mistaken archive (a zip bomb, a whole disk backup) from filling the disk: 2 GB holds
# thousands of phone photos, far more than calibration uses; photos hardly compress (JPEG, PNG
# and HEIC are compressed already), so a member that claims to expand over 100x is not a photo.
MAX_ZIP_MEMBERS = 20_000
MAX_ZIP_BYTES = 2 * 1024**3
MAX_ZIP_RATIO = 100
_RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny members (text, a flat test image) may compress well


def is_zip_source(path: str | Path) -> bool:
    path = Path(path)
    return path.is_file() and zipfile.is_zipfile(path)


@dataclass
class ExtractedZip:
    root: Path
    skipped: list[str]  # member names never written: escaping the folder, absolute, or links


def _check_zip_directory(archive: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse from the zip's directory alone, before a byte is written."""
    total = sum(m.file_size for m in members)
    gib = round(MAX_ZIP_BYTES / 1024**3, 1)
    if len(members) > MAX_ZIP_MEMBERS:
        raise WizardError.of("calib_zip_too_many_files", path=str(archive), members=len(members),
                             limit=MAX_ZIP_MEMBERS)
    if total > MAX_ZIP_BYTES:
        raise WizardError.of("calib_zip_too_big", path=str(archive), size=_gigabytes(total), limit=gib)
    for member in members:
        if member.file_size >= _RATIO_CHECK_FROM_BYTES and member.file_size > MAX_ZIP_RATIO * max(1, member.compress_size):
            raise WizardError.of("calib_zip_ratio", path=str(archive), member=member.filename,
                                 ratio=member.file_size // max(1, member.compress_size), limit=MAX_ZIP_RATIO)


def _gigabytes(size: int) -> str:
    return f"{size / 1024**3:.1f}"


@contextlib.contextmanager
def extracted_zip(archive: Path) -> Iterator[ExtractedZip]:
    """Extract a zip of images into a temporary folder, refusing paths that escape it.

    Sizes and ratios are checked from the directory first; while writing, a member that
    expands past what the directory declared (a lying header) stops the extraction at once.
    """
    with tempfile.TemporaryDirectory(prefix="recamera-wizard-zip-") as temp:
        root = Path(temp)
        skipped: list[str] = []
        try:
            with zipfile.ZipFile(archive) as bundle:
                members = [m for m in bundle.infolist() if not m.is_dir()]
                _check_zip_directory(archive, members)
                for member in members:
                    name = member.filename.replace("\\", "/")
                    parts = [part for part in name.split("/") if part not in ("", ".")]
                    mode = (member.external_attr >> 16) & 0o170000
                    if not parts or ".." in parts or name.startswith("/") or mode == 0o120000:
                        skipped.append(member.filename)  # never written: said in a note instead
                        continue
                    target = root.joinpath(*parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _extract_member(bundle, member, target, archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
            raise WizardError.of("calib_zip_unreadable", path=str(archive), detail=short_detail(exc)) from None
        except OSError as exc:
            raise WizardError.of("calib_zip_temp_full" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
                                 else "calib_zip_temp_unwritable", path=str(archive), temp=tempfile.gettempdir(),
                                 detail=short_detail(exc)) from None
        yield ExtractedZip(root, skipped)


def _extract_member(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, archive: Path) -> None:
    budget = member.file_size
    with bundle.open(member) as source, open(target, "wb") as sink:
        while True:
            chunk = source.read(min(1 << 20, budget + 1))
            if not chunk:
                return
            budget -= len(chunk)
            if budget < 0:
                raise WizardError.of("calib_zip_lies", path=str(archive), member=member.filename,
                                     declared=member.file_size)
            sink.write(chunk)
