"""Produced model files: .cvimodel with a valid header, .bmodel for bm targets.

.cvimodel header (docs/toolchain.md): magic "CviModel", uint32 LE body_size, major, minor,
md5[16] = MD5(file[48:]), chip[16] NUL-padded, padding[2] = 48 bytes; then a body of body_size
bytes (a flatbuffer in the real file) and the weight/cmdbuf sections.
Version 1.4: the header of a real cv181x model from sophgo/tdl_models reads 1.4; tpu-mlir's
--model_version help names 1.2 as an older one. The wizard's checker accepts any 1.x.
"""

from __future__ import annotations

import hashlib
import struct

CVIMODEL_MAJOR, CVIMODEL_MINOR = 1, 4
HEADER_SIZE = 48
BMODEL_MAGIC = struct.pack("<I", 0xFF55AAEE)


def _filler(size: int, seed: bytes) -> bytes:
    block = hashlib.sha256(seed).digest() * 128  # 4 KiB of non-zero, incompressible-looking bytes
    reps, rest = divmod(size, len(block))
    return block * reps + block[:rest]


def cvimodel_bytes(chip: str, body_size: int, weight_size: int, seed: str) -> bytes:
    body = _filler(body_size, b"body" + seed.encode())
    weights = _filler(weight_size, b"weight" + seed.encode())
    payload = body + weights
    md5 = hashlib.md5(payload).digest()
    chip_field = chip.encode("ascii")[:16].ljust(16, b"\0")
    header = b"CviModel" + struct.pack("<IBB", body_size, CVIMODEL_MAJOR, CVIMODEL_MINOR) + md5 + chip_field + b"\0\0"
    assert len(header) == HEADER_SIZE
    return header + payload


def bmodel_bytes(chip: str, size: int, seed: str) -> bytes:
    return BMODEL_MAGIC + chip.encode().ljust(16, b"\0") + _filler(size, seed.encode())


def model_sizes(onnx_size: int, nodes: int) -> tuple[int, int]:
    """INT8 weights are about a quarter of the FP32 ONNX; the body grows with the op count."""
    body = 4096 + 96 * max(1, nodes)
    weights = max(64 * 1024, onnx_size // 4)
    return body, weights
