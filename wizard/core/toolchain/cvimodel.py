"""Check a produced .cvimodel from its header (toolchain.md, "The .cvimodel file").

What deploy and the runners rely on:

    check_cvimodel(path) -> CviModelReport   # never raises for bad files: problems instead
    CviModelReport: ok, chip, size, version, body_size, problems, to_dict()

Layout (cvi runtime model.hpp): ``char magic[8] = "CviModel"; uint32 body_size (LE); char major,
minor; char md5[16]; char chip[16]; char padding[2]`` = 48 bytes from version 1.1 on; version 1.0
headers stop before ``chip`` (32 bytes). A flatbuffer of body_size bytes follows, then the weight
and command-buffer sections, so a sound file is at least header + body_size bytes long.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.core.messages import Problem, problem
from wizard.core.toolchain.processors import PROCESSORS, RECAMERA_PROCESSOR

MAGIC = b"CviModel"
HEADER_SIZE = 48
HEADER_SIZE_V1_0 = 32
KNOWN_MAJOR = 1
_FIXED = struct.Struct("<8sIBB16s")  # magic, body_size, major, minor, md5 (the part every version has)
_ONNX_PREFIX = b"\x08"  # ModelProto field 1 (ir_version, varint) comes first in every exported ONNX
_BMODEL_MAGIC = struct.pack("<I", 0xFF55AAEE)
_CHUNK = 1 << 20


@dataclass
class CviModelReport:
    path: str
    size: int = 0
    version: str | None = None
    body_size: int | None = None
    chip: str | None = None
    md5_ok: bool | None = None  # None: not checked (no md5 field, or the header was unusable)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def header_size(self) -> int | None:
        if self.version is None:
            return None
        return HEADER_SIZE_V1_0 if self.version == "1.0" else HEADER_SIZE

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "path": self.path, "ok": self.ok, "size": self.size, "version": self.version,
            "header_size": self.header_size, "body_size": self.body_size, "chip": self.chip,
            "md5_ok": self.md5_ok, "problems": [p.to_dict(lang) for p in self.problems],
        }


def _describe_start(data: bytes) -> str:
    text = "".join(chr(b) if 32 <= b < 127 else "." for b in data[:8])
    return f'"{text}" ({data[:8].hex(" ")})'


def _looks_like_onnx(data: bytes) -> bool:
    # A tiny structural test: field 1 varint, then field 2..8 of ModelProto (producer, graph...).
    return data[:1] == _ONNX_PREFIX and len(data) > 3 and data[2] in (0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42)


def check_cvimodel(path: str | Path, expect_chip: str | None = None) -> CviModelReport:
    """Validate the header of a .cvimodel; ``expect_chip`` (e.g. "cv181x") refuses other targets."""
    path = Path(path)
    report = CviModelReport(path=str(path))
    where = str(path)
    add = report.problems.append
    try:
        report.size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(HEADER_SIZE)
    except FileNotFoundError:
        add(problem("file_not_found", path=where))
        return report
    except IsADirectoryError:
        add(problem("cvimodel_unreadable", path=where, detail="it is a folder"))
        return report
    except OSError as exc:
        add(problem("cvimodel_unreadable", path=where, detail=exc.strerror or str(exc)))
        return report

    if report.size == 0:
        add(problem("cvimodel_empty", path=where))
        return report
    if not head.startswith(MAGIC):
        if head.startswith(_BMODEL_MAGIC):
            add(problem("cvimodel_is_bmodel", path=where))
        elif _looks_like_onnx(head):
            add(problem("cvimodel_is_onnx", path=where))
        elif MAGIC.startswith(head):
            add(problem("cvimodel_truncated", path=where, size=report.size, expected=HEADER_SIZE))
        else:
            add(problem("cvimodel_not_cvimodel", path=where, found=_describe_start(head)))
        return report
    if len(head) < HEADER_SIZE_V1_0:
        add(problem("cvimodel_truncated", path=where, size=report.size, expected=HEADER_SIZE_V1_0))
        return report

    _magic, body_size, major, minor, md5 = _FIXED.unpack_from(head)
    report.version = f"{major}.{minor}"
    report.body_size = body_size
    if major != KNOWN_MAJOR:
        add(problem("cvimodel_bad_version", path=where, version=report.version))
        return report
    header_size = report.header_size or HEADER_SIZE
    if len(head) < header_size:
        add(problem("cvimodel_truncated", path=where, size=report.size, expected=header_size))
        return report

    if header_size == HEADER_SIZE:
        raw_chip = head[30:46]
        name, _, rest = raw_chip.partition(b"\0")
        if not name or rest.strip(b"\0") or not all(0x21 <= b < 0x7F for b in name):
            add(problem("cvimodel_bad_chip", path=where))
        else:
            report.chip = name.decode("ascii")
            if report.chip.lower() not in PROCESSORS:
                add(problem("cvimodel_unknown_chip", path=where, chip=report.chip))
            elif expect_chip and report.chip.lower() != expect_chip.lower():
                add(problem("cvimodel_wrong_chip", path=where, chip=report.chip, expected=expect_chip))
    elif expect_chip:
        # A 1.0 header names no chip: it predates cv181x support, so it cannot be for the reCamera.
        add(problem("cvimodel_wrong_chip", path=where, chip="?", expected=expect_chip))

    if body_size == 0:
        add(problem("cvimodel_no_body", path=where))
    elif body_size > report.size - header_size:
        add(problem("cvimodel_truncated", path=where, size=report.size, expected=header_size + body_size))

    if header_size == HEADER_SIZE and report.ok:
        report.md5_ok = _md5_matches(path, header_size, md5)
        if report.md5_ok is False:
            # toolchain.md: md5 "appears to be MD5(file[48:])", inferred from CV18xxCodegen.cpp and
            # not verified against every toolchain version. A mismatch may mean our reading of the
            # field is wrong rather than the file, so it warns instead of blocking a deploy.
            add(problem("cvimodel_md5_mismatch", severity="warning", path=where))
    return report


def _md5_matches(path: Path, offset: int, expected: bytes) -> bool | None:
    digest = hashlib.md5()
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.digest() == expected


def check_for_recamera(path: str | Path) -> CviModelReport:
    """The check deploy uses: a sound .cvimodel built for every reCamera's processor."""
    return check_cvimodel(path, expect_chip=RECAMERA_PROCESSOR)
