"""Move files in and out of a container or VM as tar streams, extracting only what is safe.

What comes back from a container is not trusted: the toolchain image could be damaged or not
ours, and a model name ends up in file names. ``extract_tar_stream`` therefore writes regular files
and folders only, strictly inside the destination, and refuses (with ``unsafe_archive``) any
member that is absolute, climbs with ``..``, names a drive or uses a backslash (a separator on
Windows), is a device, FIFO or a link pointing outside, or goes past the size limits. Links that
stay inside are skipped, not created: results never need them, and a created link is how a later
member writes through it ("a -> /etc", then "a/passwd"). Permissions keep only the exec bit.

Python's own ``tarfile`` filter="data" would do much of this but exists only from 3.11.4/3.12
and 3.10 must work; this module does not depend on it.

``tar_directory`` builds the upload stream: names relative, no owners, stable order.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Iterable, Iterator

from wizard.core.messages import WizardError

MAX_TOTAL_BYTES = 8 * 1024**3  # a run's work/ is ~100 MB; 8 GB means something is wrong
MAX_FILE_BYTES = 4 * 1024**3
MAX_MEMBERS = 100_000
CHUNK = 1024 * 1024


@dataclass
class ExtractReport:
    files: list[str] = field(default_factory=list)  # relative POSIX names written
    skipped: list[str] = field(default_factory=list)  # in-tree links, not created
    bytes_written: int = 0


class IterStream(io.RawIOBase):
    """A read-only file over an iterator of byte chunks (docker's get_archive gives chunks)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buffer))
        b[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _refuse(member: str, reason: str) -> WizardError:
    return WizardError.of("unsafe_archive", member=member[:200], reason=reason)


def safe_member_name(name: str, strip_components: int = 0) -> PurePosixPath | None:
    """The relative path a member may be written to, or raise. None when stripped to nothing."""
    if not name or "\x00" in name:
        raise _refuse(repr(name), "empty or NUL in name")
    if "\\" in name:
        raise _refuse(name, "backslash in name")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise _refuse(name, "absolute path")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise _refuse(name, "climbs out with ..")
    if any(":" in p for p in parts):
        # A colon is a drive or an NTFS alternate data stream on Windows.
        raise _refuse(name, "colon in name")
    parts = parts[strip_components:]
    if not parts:
        return None
    return PurePosixPath(*parts)


def _inside(root: Path, target: Path) -> bool:
    try:
        target.relative_to(root)
        return True
    except ValueError:
        return False


def _no_link_on_the_way(root: Path, rel: PurePosixPath) -> Path:
    """Refuse when any existing component of the target is a symlink (pre-existing ones too)."""
    current = root
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            raise _refuse(str(rel), "path goes through a link")
    return current


def extract_tar_stream(
    stream: BinaryIO | Iterable[bytes],
    dest: str | Path,
    *,
    strip_components: int = 0,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_members: int = MAX_MEMBERS,
    on_bytes: Callable[[int], None] | None = None,
) -> ExtractReport:
    """Extract a tar stream (file object or chunk iterator) into ``dest``, refusing anything unsafe.

    Raises WizardError("unsafe_archive") at the first unsafe member; what was written before it
    stays (all inside ``dest``). ``on_bytes`` gets the running total, for progress events.
    """
    fileobj = stream if hasattr(stream, "read") else io.BufferedReader(IterStream(stream), CHUNK)  # type: ignore[arg-type]
    root = Path(dest)
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    report = ExtractReport()
    count = 0
    try:
        archive = tarfile.open(fileobj=fileobj, mode="r|*")  # type: ignore[call-overload]
    except tarfile.TarError as exc:
        raise _refuse("(archive)", f"not a tar stream: {exc}") from None
    with archive:
        try:
            for member in archive:
                count += 1
                if count > max_members:
                    raise _refuse(member.name, f"more than {max_members} entries")
                _extract_one(archive, member, root, strip_components, report,
                             max_total_bytes, max_file_bytes, on_bytes)
        except tarfile.TarError as exc:
            raise _refuse("(archive)", f"damaged tar stream: {exc}") from None
        except OSError as exc:  # disk full, a file where a folder is expected...
            raise WizardError.of("output_not_writable", path=str(root), detail=str(exc)) from None
    return report


def _extract_one(archive, member, root, strip_components, report, max_total, max_file, on_bytes):
    rel = safe_member_name(member.name, strip_components)
    if rel is None:
        return
    target = root / Path(*rel.parts)
    if member.isdir():
        _no_link_on_the_way(root, rel)
        target.mkdir(parents=True, exist_ok=True)
        return
    if member.issym() or member.islnk():
        link = member.linkname
        if member.issym():
            resolved = os.path.normpath(os.path.join(os.path.dirname(str(rel)), link))
        else:  # hard link names are relative to the archive root
            resolved = os.path.normpath(link)
        if (
            link.startswith("/")
            or "\\" in link
            or (len(link) > 1 and link[1] == ":")
            or resolved == ".."
            or resolved.startswith("../")
        ):
            raise _refuse(member.name, f"link pointing outside ({link})")
        report.skipped.append(str(rel))
        return
    if not member.isreg():
        raise _refuse(member.name, "device, FIFO or other special file")
    if member.size > max_file:
        raise _refuse(member.name, f"file larger than {max_file} bytes")
    if report.bytes_written + member.size > max_total:
        raise _refuse(member.name, f"archive larger than {max_total} bytes")
    _no_link_on_the_way(root, rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not _inside(root, target.parent.resolve()):
        raise _refuse(member.name, "path leaves the destination")
    source = archive.extractfile(member)
    tmp = target.with_name(target.name + ".partial")
    written = 0
    with open(tmp, "wb") as out:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                break
            written += len(chunk)
            if written > member.size:  # the header lied
                out.close()
                tmp.unlink()
                raise _refuse(member.name, "more data than its header says")
            out.write(chunk)
            if on_bytes:
                on_bytes(report.bytes_written + written)
    os.replace(tmp, target)  # never leaves a half-written result under the real name
    os.chmod(target, 0o755 if member.mode & 0o111 else 0o644)
    if member.mtime:
        os.utime(target, (member.mtime, member.mtime))
    report.bytes_written += written
    report.files.append(str(rel))


def tar_directory(
    src: str | Path,
    *,
    arcname: str = "",
    exclude: Callable[[str], bool] | None = None,
) -> Iterator[tuple[str, Path]]:
    """(archive name, path) pairs for every regular file and folder under ``src``, sorted.

    ``exclude(relative_posix_name)`` drops a file or a whole folder. Symlinks are not followed:
    a staged workspace has none, and following one could upload a file from elsewhere.
    """
    src = Path(src)
    prefix = arcname.strip("/")
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        here = Path(dirpath)
        rel_dir = here.relative_to(src).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        kept = []
        for d in dirnames:
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if (exclude and exclude(rel)) or (here / d).is_symlink():
                continue
            kept.append(d)
            yield (f"{prefix}/{rel}" if prefix else rel), here / d
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            path = here / name
            if (exclude and exclude(rel)) or not stat.S_ISREG(path.lstat().st_mode):
                continue
            yield (f"{prefix}/{rel}" if prefix else rel), path


def write_tar(entries: Iterable[tuple[str, Path]], out: BinaryIO) -> int:
    """Write a tar of ``entries`` into ``out``; returns the number of content bytes.

    Owners are 0/root and modes normalised, so the container's user can read everything and
    nothing from the host's accounts leaks into the image.
    """
    total = 0
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        for name, path in entries:
            info = archive.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if info.isdir():
                info.mode = 0o755
                archive.addfile(info)
            else:
                info.mode = 0o755 if info.mode & 0o111 else 0o644
                with open(path, "rb") as f:
                    archive.addfile(info, f)
                total += info.size
    return total
