"""Checksums of files, read in 1 MiB blocks (models and image sets can be large)."""

from __future__ import annotations

import hashlib
import os

BLOCK = 1 << 20


def file_digest(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    return file_digest(path, "sha256")


def md5_file(path: str | os.PathLike) -> str:
    """MD5 where a device or format asks for it (model.json checksum, cvimodel header)."""
    return file_digest(path, "md5")
