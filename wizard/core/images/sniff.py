"""What a file is, from its first bytes (never from its name).

Pure byte checks, no decoder: cheap enough for the GUI's live counts over a folder of thousands.
"""

from __future__ import annotations

from pathlib import Path

IMAGE_KINDS = {"jpeg", "png", "gif", "bmp", "tiff", "webp", "ppm", "jpeg2000", "avif", "heic",
               "jxl", "qoi", "psd", "ico"}
_MAGIC_BYTES_NEEDED = 64


def read_head(path: Path) -> bytes:
    """The first bytes of ``path``: as many as :func:`detect_kind` looks at."""
    with open(path, "rb") as handle:
        return handle.read(_MAGIC_BYTES_NEEDED)


def detect_kind(head: bytes) -> str:
    """What a file is, from its first bytes (never from its name)."""
    if not head:
        return "empty"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"BM") and len(head) >= 18:
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:2] in (b"P1", b"P2", b"P3", b"P4", b"P5", b"P6") and head[2:3] in (b"\n", b" ", b"\r", b"\t"):
        return "ppm"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(b"\xff\x4f\xff\x51"):
        return "jpeg2000"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL \r\n\x87\n"):
        return "jxl"
    if head.startswith(b"qoif"):
        return "qoi"
    if head.startswith(b"8BPS"):
        return "psd"
    if head[:4] == b"\x00\x00\x01\x00":
        return "ico"
    if head[4:8] == b"ftyp":
        return _iso_media_kind(head)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head[:4] == b"RIFF":
        return "riff"
    if _looks_like_text(head):
        return "text"
    return "unknown"


def _iso_media_kind(head: bytes) -> str:
    """HEIC, AVIF and MP4/MOV share the ISO box layout; the ftyp brands tell them apart."""
    box_size = int.from_bytes(head[0:4], "big")
    brands = {head[8:12]}
    end = min(box_size, len(head)) if box_size >= 16 else len(head)
    brands.update(head[i:i + 4] for i in range(16, end - 3, 4))
    if brands & {b"avif", b"avis"}:
        return "avif"
    if brands & {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}:
        return "heic"
    return "video"


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)


# Human label for a kind in messages (kept in English: they are format names).
KIND_LABELS = {
    "text": "text", "pdf": "a PDF document", "zip": "a ZIP archive", "video": "a video",
    "riff": "audio or video (RIFF)", "unknown": "unknown data", "heic": "HEIC", "avif": "AVIF",
    "jxl": "JPEG XL", "psd": "Photoshop (PSD)", "ico": "an icon (ICO)",
}
