"""Write, read and list .npz files without numpy: a zip of .npy members with hand-made headers."""

from __future__ import annotations

import ast
import struct
import zipfile
from typing import Mapping, Sequence

_DTYPES = {"float32": ("<f4", 4), "int8": ("|i1", 1), "uint8": ("|u1", 1), "int32": ("<i4", 4)}


def npy_bytes(shape: Sequence[int], dtype: str = "float32", data: bytes | None = None) -> bytes:
    """NPY format 1.0: magic, version, header length, a padded dict literal, raw C-order data."""
    descr, itemsize = _DTYPES[dtype]
    count = 1
    for dim in shape:
        count *= int(dim)
    shape_text = "(" + "".join(f"{int(d)}, " for d in shape).rstrip(" ")
    if len(shape) != 1:
        shape_text = shape_text.rstrip(",")
    shape_text += ")"
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}"
    # numpy pads so magic(6) + version(2) + length(2) + header + '\n' is a multiple of 64.
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    payload = data if data is not None else bytes(count * itemsize)
    if len(payload) != count * itemsize:
        raise ValueError(f"data has {len(payload)} bytes, shape {tuple(shape)} needs {count * itemsize}")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload


def pseudo_floats(count: int, seed: float) -> bytes:
    """Small deterministic float32 values (cheap: no per-element Python work for big arrays)."""
    base = [struct.pack("<f", ((i * 37 + int(seed * 1000)) % 255) / 255.0) for i in range(min(count, 256))]
    block = b"".join(base)
    reps, rest = divmod(count, len(base)) if base else (0, 0)
    return block * reps + block[: rest * 4]


def write_npz(path: str, arrays: Mapping[str, tuple[Sequence[int], str, bytes | None]]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, (shape, dtype, data) in arrays.items():
            zf.writestr(name + ".npy", npy_bytes(shape, dtype, data))


def npz_names(path: str) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [n[:-4] if n.endswith(".npy") else n for n in zf.namelist()]


class NpyArray:
    """One array of an .npz as read without numpy: its shape, numpy dtype text and raw bytes."""

    def __init__(self, shape: tuple[int, ...], descr: str, data: bytes):
        self.shape, self.descr, self.data = shape, descr, data

    @property
    def size(self) -> int:
        count = 1
        for dim in self.shape:
            count *= dim
        return count

    @property
    def dtype_name(self) -> str:
        kinds = {"f": "float", "i": "int", "u": "uint", "b": "bool"}
        kind, width = self.descr[1], int(self.descr[2:])
        return "bool" if kind == "b" else f"{kinds.get(kind, kind)}{width * 8}"


def parse_npy(blob: bytes) -> NpyArray:
    if blob[:6] != b"\x93NUMPY":
        raise ValueError("not an .npy member (bad magic)")
    major = blob[6]
    if major == 1:
        (length,), start = struct.unpack_from("<H", blob, 8), 10
    else:
        (length,), start = struct.unpack_from("<I", blob, 8), 12
    header = ast.literal_eval(blob[start:start + length].decode("latin1"))
    shape = tuple(int(d) for d in header["shape"])
    return NpyArray(shape, header["descr"], blob[start + length:])


def read_npz(path: str) -> dict[str, NpyArray]:
    """np.load(path) for the double: every member, in the file's order."""
    with zipfile.ZipFile(path) as zf:
        return {(n[:-4] if n.endswith(".npy") else n): parse_npy(zf.read(n)) for n in zf.namelist()}
