"""Check a produced .cvimodel as the camera's runtime reads it (toolchain.md, "The .cvimodel file").

What deploy, check-model, the runners and the GUI rely on:

    check_cvimodel(path, expect_chip=None, require_decoder=False) -> CviModelReport  # never raises
    check_for_recamera(path) -> CviModelReport   # cv181x, and fits the camera's YOLO decoder
    CviModelReport: ok, chip, size, version, body_size, md5_ok, body, inputs, outputs, ion_memory,
                    decoder, problems, summary(), summary_lines(lang), to_dict(lang)
    summary_lines_from_dict(report_dict, lang)   # the same lines from a stored to_dict()

Layout (cvi runtime model.hpp): ``char magic[8] = "CviModel"; uint32 body_size (LE); char major,
minor; char md5[16]; char chip[16]; char padding[2]`` = 48 bytes from version 1.1 on; version 1.0
headers stop before ``chip`` (32 bytes). A flatbuffer of body_size bytes follows (the ``cvi.model``
schema, read by wizard.core.toolchain.cvimodel_schema), then the weight and command-buffer sections
it lists, each at ``header + body_size + offset``. On real tpu_mlir 1.7 models (built here by the
wheel's tpuc-opt) md5 == MD5(file[48:]) and the padding reads "Cv"; the last section ends exactly
at the end of the file. So a mismatch, a body that does not parse, or a size that disagrees with
the sections is a damaged file: an error, never sent to the camera.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from wizard.core.messages import Problem, problem, render
from wizard.core.toolchain.processors import PROCESSORS, RECAMERA_PROCESSOR
from wizard.core.toolchain.cvimodel_decoder import INTERLEAVED, DecoderFit, decoder_fit, shape_text
from wizard.core.toolchain.cvimodel_schema import BodyError, CviBody, TensorInfo, read_body

MAGIC = b"CviModel"
HEADER_SIZE = 48
HEADER_SIZE_V1_0 = 32
KNOWN_MAJOR = 1
_FIXED = struct.Struct("<8sIBB16s")  # magic, body_size, major, minor, md5 (the part every version has)
_ONNX_PREFIX = b"\x08"  # ModelProto field 1 (ir_version, varint) comes first in every exported ONNX
_BMODEL_MAGIC = struct.pack("<I", 0xFF55AAEE)
_CHUNK = 1 << 20
_MAX_BODY = 256 << 20  # far above any real body (a YOLO11n body is ~20 KB); refuse to load more


@dataclass
class CviModelReport:
    path: str
    size: int = 0
    version: str | None = None
    body_size: int | None = None
    chip: str | None = None
    padding: str | None = None  # the two bytes after the chip name ("Cv" from tpu_mlir 1.7)
    md5_ok: bool | None = None  # None: not checked (no md5 field, or the file was unusable before it)
    body: CviBody | None = None  # the decoded flatbuffer, when it parsed
    decoder: DecoderFit | None = None  # the camera's YOLO decoder verdict, when the body parsed
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def header_size(self) -> int | None:
        if self.version is None:
            return None
        return HEADER_SIZE_V1_0 if self.version == "1.0" else HEADER_SIZE

    @property
    def inputs(self) -> tuple[TensorInfo, ...]:
        return self.body.programs[0].inputs if self.body and self.body.programs else ()

    @property
    def outputs(self) -> tuple[TensorInfo, ...]:
        return self.body.programs[0].outputs if self.body and self.body.programs else ()

    @property
    def ion_memory(self) -> int | None:
        """Bytes of ION memory the camera needs for it (model_tool's figure), if the body parsed."""
        return self.body.ion_memory if self.body else None

    @property
    def fits_decoder(self) -> bool:
        return bool(self.decoder and self.decoder.fits)

    def summary(self) -> list[Problem]:
        """Plain facts for people (info Problems from the catalogue), in display order."""
        return _summary(self)

    def summary_lines(self, lang: str | None = None) -> list[str]:
        return [item.text(lang)[0] for item in self.summary()]

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        body = self.body
        return {
            "path": self.path, "ok": self.ok, "size": self.size, "version": self.version,
            "header_size": self.header_size, "body_size": self.body_size, "chip": self.chip,
            "padding": self.padding, "md5_ok": self.md5_ok,
            "model_name": body.name if body else None,
            "build_time": body.build_time if body else None,
            "mlir_version": body.mlir_version if body else None,
            "model_version": body.version if body else None,
            "target": body.target if body else None,
            "ion_memory": self.ion_memory,
            "sections": [s.to_dict() for s in body.sections] if body else [],
            "programs": len(body.programs) if body else 0,
            "inputs": [t.to_dict() for t in self.inputs],
            "outputs": [t.to_dict() for t in self.outputs],
            "decoder": self.decoder.to_dict(lang) if self.decoder else None,
            "summary": [{"code": p.code, "params": dict(p.params), "message": p.text(lang)[0]}
                        for p in self.summary()],
            "problems": [p.to_dict(lang) for p in self.problems],
        }


def summary_lines_from_dict(report: Mapping[str, Any], lang: str | None = None) -> list[str]:
    """The summary lines of a stored ``to_dict()`` (e.g. results.json "model_check"), in ``lang``."""
    return [render(item["code"], item.get("params", {}), lang)[0] for item in report.get("summary") or []]


def _describe_start(data: bytes) -> str:
    text = "".join(chr(b) if 32 <= b < 127 else "." for b in data[:8])
    return f'"{text}" ({data[:8].hex(" ")})'


def _looks_like_onnx(data: bytes) -> bool:
    # A tiny structural test: field 1 varint, then field 2..8 of ModelProto (producer, graph...).
    return data[:1] == _ONNX_PREFIX and len(data) > 3 and data[2] in (0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42)


def check_cvimodel(path: str | Path, expect_chip: str | None = None,
                   require_decoder: bool = False) -> CviModelReport:
    """Validate a .cvimodel: header, body, sections, checksum.

    ``expect_chip`` (e.g. "cv181x") refuses other targets; ``require_decoder`` makes "does not fit
    the reCamera's YOLO decoder" an error (the verdict is in ``report.decoder`` either way).
    """
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
        report.padding = head[46:48].decode("latin-1")
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
        return report
    if body_size > report.size - header_size:
        add(problem("cvimodel_truncated", path=where, size=report.size, expected=header_size + body_size))
        return report
    if body_size > _MAX_BODY:
        add(problem("cvimodel_body_unreadable", path=where, detail=f"a body of {body_size:,} bytes is not plausible"))
        return report

    truncated = _read_body(report, path, header_size, body_size)
    if header_size == HEADER_SIZE and not truncated:
        report.md5_ok = _md5_matches(path, header_size, md5)
        if report.md5_ok is False:
            add(problem("cvimodel_md5_mismatch", path=where))
    if report.body is not None and report.body.programs:
        program = report.body.programs[0]
        report.decoder = decoder_fit(program.inputs, program.outputs, where)
        if require_decoder:
            report.problems.extend(report.decoder.problems)
    elif require_decoder and report.ok:
        add(problem("cvimodel_no_program", path=where))
    return report


def _read_body(report: CviModelReport, path: Path, header_size: int, body_size: int) -> bool:
    """Decode the body and check the sections against the file size. True if the file is cut short."""
    where = str(path)
    try:
        with path.open("rb") as fh:
            fh.seek(header_size)
            data = fh.read(body_size)
    except OSError as exc:
        report.problems.append(problem("cvimodel_unreadable", path=where, detail=exc.strerror or str(exc)))
        return False
    try:
        body = read_body(data)
    except BodyError as exc:
        report.problems.append(problem("cvimodel_body_unreadable", path=where, detail=str(exc)))
        return False
    report.body = body
    if not body.programs:
        report.problems.append(problem("cvimodel_no_program", path=where))
    if body.target and report.chip and body.target.lower() != report.chip.lower():
        report.problems.append(problem("cvimodel_chip_mismatch", path=where, chip=report.chip, target=body.target))
    # Sections sit after the body at their offsets (cv_tool.hpp: binary_offset + offset).
    start = header_size + body_size
    end = max((start + s.offset + s.size for s in body.sections), default=start)
    if end > report.size:
        report.problems.append(problem("cvimodel_sections_truncated", path=where, size=report.size, expected=end))
        return True
    if end < report.size:
        report.problems.append(problem("cvimodel_trailing_bytes", path=where, extra=report.size - end))
    return False


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


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def _summary(report: CviModelReport) -> list[Problem]:
    body = report.body
    if body is None:
        return []
    lines = [problem("cvimodel_summary_build", "info", chip=body.target or report.chip or "?",
                     mlir_version=body.mlir_version or "?", version=body.version, build_time=body.build_time or "?")]
    if report.ion_memory is not None:
        weights = sum(s.size for s in body.sections)
        lines.append(problem("cvimodel_summary_memory", "info", ion_mb=f"{report.ion_memory / (1 << 20):.2f}",
                             weights_kb=f"{weights / 1024:.0f}"))
    for tensor in report.inputs:
        code = "cvimodel_summary_input_aligned" if tensor.aligned else "cvimodel_summary_input"
        lines.append(problem(code, "info", name=tensor.name, shape=shape_text(tensor.shape), dtype=tensor.dtype,
                             format=f" {tensor.pixel_format}" if tensor.pixel_format else ""))
    for index, tensor in enumerate(report.outputs):
        common = {"index": index, "name": tensor.name, "shape": shape_text(tensor.shape), "dtype": tensor.dtype}
        if tensor.dtype in ("int8", "uint8") and tensor.qscale:
            lines.append(problem("cvimodel_summary_output_quantized", "info", qscale=_number(tensor.qscale),
                                 zero_point=_number(tensor.zero_point), **common))
        else:
            lines.append(problem("cvimodel_summary_output", "info", **common))
    fit = report.decoder
    if fit is not None:
        if fit.fits:
            code = "cvimodel_summary_fits_yolo11" if fit.layout == INTERLEAVED else "cvimodel_summary_fits_yolov8"
            lines.append(problem(code, "info", size=fit.input_size, classes=fit.num_classes))
        else:
            lines.append(problem("cvimodel_summary_no_fit", "info"))
    return lines


def check_for_recamera(path: str | Path) -> CviModelReport:
    """The check deploy uses: a sound .cvimodel for every reCamera's processor that its YOLO decoder reads."""
    return check_cvimodel(path, expect_chip=RECAMERA_PROCESSOR, require_decoder=True)
