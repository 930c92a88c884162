"""Raw output bytes to lines: chunk boundaries, UTF-8 split across chunks, \\r redraws."""

from __future__ import annotations

from wizard.core.toolchain.lines import LineSplitter


def _split(chunks: list[bytes]) -> list[str]:
    splitter = LineSplitter()
    lines: list[str] = []
    for chunk in chunks:
        lines += splitter.feed(chunk)
    return lines + splitter.flush()


def test_lines_across_chunks_and_crlf():
    assert _split([b"ab", b"c\nde", b"f\r", b"\nlast"]) == ["abc", "def", "last"]


def test_carriage_return_redraws_are_lines():
    data = b"calib:  10%|#  | 1/10\rcalib:  20%|## | 2/10\rcalib: 100%|###| 10/10\n"
    assert _split([data]) == ["calib:  10%|#  | 1/10", "calib:  20%|## | 2/10", "calib: 100%|###| 10/10"]


def test_utf8_split_inside_a_character():
    text = "変換 ✓\n".encode("utf-8")
    assert _split([text[:1], text[1:4], text[4:]]) == ["変換 ✓"]


def test_invalid_bytes_do_not_raise():
    assert _split([b"bad \xff\xfe bytes\n"]) == ["bad \ufffd\ufffd bytes"]


def test_empty_lines_kept():
    assert _split([b"a\n\nb\n"]) == ["a", "", "b"]
