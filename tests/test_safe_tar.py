"""safe_tar refuses hostile archives and writes nothing outside the destination."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from wizard.core.messages import WizardError
from wizard.core.runners.safe_tar import extract_tar_stream, tar_directory, write_tar


def _tar(*members: tuple[tarfile.TarInfo, bytes | None]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            else:
                t.addfile(info)
    return buf.getvalue()


def _file(name: str, data: bytes = b"hello", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.mode = mode
    return info, data


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def _chunks(data: bytes, size: int = 7):
    # Odd chunk sizes, like a socket gives, to exercise the stream adapter.
    for i in range(0, len(data), size):
        yield data[i : i + size]


def _all_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_normal_archive_from_chunks(tmp_path):
    data = _tar(_special("work", tarfile.DIRTYPE), _file("work/a.cvimodel", b"C" * 3000),
                _file("work/run.sh", b"#!/bin/sh\n", 0o4755), _file("work/sub/b.npz", b"npz"))
    seen = []
    report = extract_tar_stream(_chunks(data), tmp_path / "out", on_bytes=seen.append)
    out = tmp_path / "out"
    assert sorted(report.files) == ["work/a.cvimodel", "work/run.sh", "work/sub/b.npz"]
    assert (out / "work/a.cvimodel").read_bytes() == b"C" * 3000
    assert report.bytes_written == 3000 + 10 + 3
    assert seen and seen[-1] == report.bytes_written
    mode = (out / "work/run.sh").stat().st_mode
    assert mode & 0o111 and not mode & 0o4000  # exec kept, setuid dropped
    assert not list(out.rglob("*.partial"))


def test_strip_components(tmp_path):
    data = _tar(_file("work/x.txt"), _file("work/d/y.txt"))
    extract_tar_stream(io.BytesIO(data), tmp_path, strip_components=1)
    assert _all_files(tmp_path) == {"x.txt", "d", "d/y.txt"}


@pytest.mark.parametrize(
    "member, reason",
    [
        (_file("/etc/evil"), "absolute"),
        (_file("../evil"), ".."),
        (_file("work/../../evil"), ".."),
        (_file("C:/evil"), "absolute"),
        (_file("work\\..\\evil"), "backslash"),
        (_file("work/file.txt:stream"), "colon"),
        (_special("work/link", tarfile.SYMTYPE, "/etc/passwd"), "outside"),
        (_special("work/link", tarfile.SYMTYPE, "../../etc"), "outside"),
        (_special("work/hard", tarfile.LNKTYPE, "../outside"), "outside"),
        (_special("work/hard", tarfile.LNKTYPE, "/etc/shadow"), "outside"),
        (_special("work/dev", tarfile.CHRTYPE), "device"),
        (_special("work/blk", tarfile.BLKTYPE), "device"),
        (_special("work/fifo", tarfile.FIFOTYPE), "FIFO"),
    ],
)
def test_hostile_members_refused_and_nothing_written_outside(tmp_path, member, reason):
    dest = tmp_path / "dest"
    before = _all_files(tmp_path)
    data = _tar(_file("work/ok.txt"), member)
    with pytest.raises(WizardError) as err:
        extract_tar_stream(io.BytesIO(data), dest)
    assert err.value.problem.code == "unsafe_archive"
    assert reason in err.value.problem.message
    after = _all_files(tmp_path)
    assert {p for p in after - before if not p.startswith("dest")} == set()
    assert not (tmp_path / "evil").exists()


def test_link_then_write_through_it_is_harmless(tmp_path):
    # The classic two-step: an in-tree-looking link, then a member written "through" it.
    outside = tmp_path / "outside"
    outside.mkdir()
    data = _tar(_special("work/a", tarfile.SYMTYPE, "."), _file("work/a/x.txt", b"in"))
    report = extract_tar_stream(io.BytesIO(data), tmp_path / "dest")
    assert report.skipped == ["work/a"]
    assert not (tmp_path / "dest/work/a").is_symlink()
    assert (tmp_path / "dest/work/a/x.txt").read_bytes() == b"in"


def test_existing_symlink_in_destination_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    (dest / "work").mkdir(parents=True)
    os.symlink(outside, dest / "work" / "sub")
    with pytest.raises(WizardError, match="link"):
        extract_tar_stream(io.BytesIO(_tar(_file("work/sub/x.txt"))), dest)
    assert list(outside.iterdir()) == []


def test_size_limits(tmp_path):
    with pytest.raises(WizardError, match="larger than 100"):
        extract_tar_stream(io.BytesIO(_tar(_file("big", b"x" * 101))), tmp_path, max_file_bytes=100)
    with pytest.raises(WizardError, match="archive larger"):
        extract_tar_stream(
            io.BytesIO(_tar(_file("a", b"x" * 60), _file("b", b"x" * 60))), tmp_path / "t",
            max_total_bytes=100,
        )
    many = _tar(*[_file(f"f{i}", b"") for i in range(6)])
    with pytest.raises(WizardError, match="more than 5 entries"):
        extract_tar_stream(io.BytesIO(many), tmp_path / "m", max_members=5)


def test_not_a_tar_and_truncated(tmp_path):
    with pytest.raises(WizardError) as err:
        extract_tar_stream(io.BytesIO(b"this is not a tar archive" * 40), tmp_path)
    assert err.value.problem.code == "unsafe_archive"
    data = _tar(_file("work/a", b"y" * 5000))
    with pytest.raises(WizardError):
        extract_tar_stream(io.BytesIO(data[:1500]), tmp_path / "t")
    assert not (tmp_path / "t/work/a").exists()  # a truncated file never appears under its name


def test_upload_tar_roundtrip_keeps_unicode_and_skips_links(tmp_path):
    src = tmp_path / "ワーク スペース"
    (src / "model").mkdir(parents=True)
    (src / "model/m.onnx").write_bytes(b"onnx")
    (src / "calibration").mkdir()
    (src / "calibration/画像 1.jpg").write_bytes(b"jpg")
    (src / "work").mkdir()
    (src / "work/old").write_bytes(b"old")
    os.symlink("/etc/passwd", src / "model/link")
    entries = list(tar_directory(src, arcname="workspace", exclude=lambda rel: rel == "work"))
    names = [n for n, _ in entries]
    assert names == ["workspace/calibration", "workspace/model", "workspace/calibration/画像 1.jpg",
                     "workspace/model/m.onnx"]
    buf = io.BytesIO()
    assert write_tar(entries, buf) == 7
    buf.seek(0)
    extract_tar_stream(buf, tmp_path / "back")
    assert (tmp_path / "back/workspace/calibration/画像 1.jpg").read_bytes() == b"jpg"
    buf.seek(0)
    assert all(m.uid == 0 and m.uname == "root" for m in tarfile.open(fileobj=buf))
