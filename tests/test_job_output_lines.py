"""Raw output bytes to lines by the one rule (wizard.core.toolchain.lines): chunk boundaries,
UTF-8 split across chunks, \\r redraws (progress lines, not log lines). No toolchain involved."""

from __future__ import annotations

from wizard.core.events import LogLine, Progress
from wizard.core.toolchain.lines import LineSplitter, split_text
from wizard.core.toolchain.output_events import OutputEvents


def _lines(chunks: list[bytes]):
    splitter = LineSplitter()
    lines = []
    for chunk in chunks:
        lines += splitter.feed(chunk)
    return lines + splitter.flush()


def _split(chunks: list[bytes]) -> list[str]:
    return [line.text for line in _lines(chunks)]


def test_lines_across_chunks_and_crlf():
    assert _split([b"ab", b"c\nde", b"f\r", b"\nlast"]) == ["abc", "def", "last"]
    assert [line.redraw for line in _lines([b"ab", b"c\nde", b"f\r", b"\nlast"])] == [False, False, False]


def test_carriage_return_redraws_are_lines_for_progress_not_for_the_log():
    data = b"calib:  10%|#  | 1/10\rcalib:  20%|## | 2/10\rcalib: 100%|###| 10/10\n"
    lines = _lines([data])
    assert [line.text for line in lines] == ["calib:  10%|#  | 1/10", "calib:  20%|## | 2/10", "calib: 100%|###| 10/10"]
    assert [line.redraw for line in lines] == [True, True, False]
    assert sum(line.size for line in lines) == len(data)


def test_a_final_carriage_return_waits_for_its_line_feed():
    splitter = LineSplitter()
    assert splitter.feed(b"bar 50%\r") == []  # "\r\n" or a redraw: the next byte says
    (line,) = splitter.feed(b"\n")
    assert (line.text, line.redraw, line.size) == ("bar 50%", False, 9)
    assert splitter.feed(b"bar 60%\r") == [] and splitter.flush()[0].redraw


def test_whole_texts_split_by_the_same_rule():
    data = "a\r\nbar 1/2\rbar 2/2\nend"
    assert [(line.text, line.redraw) for line in split_text(data)] == [
        ("a", False), ("bar 1/2", True), ("bar 2/2", False), ("end", False)]
    assert [(line.text, line.redraw) for line in _lines([data.encode()])] == [
        (line.text, line.redraw) for line in split_text(data)]


def test_utf8_split_inside_a_character():
    text = "変換 ✓\n".encode("utf-8")
    assert _split([text[:1], text[1:4], text[4:]]) == ["変換 ✓"]


def test_invalid_bytes_do_not_raise():
    assert _split([b"bad \xff\xfe bytes\n"]) == ["bad \ufffd\ufffd bytes"]


def test_empty_lines_kept():
    assert _split([b"a\n\nb\n"]) == ["a", "", "b"]


def test_output_events_show_a_bar_once_and_count_only_log_lines():
    """What a runner hands on: every redraw is progress; the log gets the bar's last state."""
    bar = "".join(f"\rcalib: {10 * i:3d}%|{'#' * i:10}| {i}/10 [00:0{i}<00:01, 1.00it/s]" for i in range(1, 11))
    data = ("[wizard] step calibrate started: run_calibration x.mlir\n" + bar + "\nafter\n").encode()
    output = OutputEvents()
    events = list(output.feed_bytes(data, "stderr")) + list(output.flush())
    logged = [e.text for e in events if isinstance(e, LogLine)]
    assert logged[0].startswith("[wizard] step calibrate") and logged[-1] == "after"
    assert len(logged) == 3 and logged[1].startswith("calib: 100%")
    assert [e.done for e in events if isinstance(e, Progress)] == list(range(1, 11))
    assert output.lines == 3


def test_a_reattach_skips_the_log_lines_already_shown_and_their_redraws():
    data = b"one\nbar: 50%|#   | 1/2 [00:01<00:01, 1.0it/s]\rbar: 100%|####| 2/2 [00:02<00:00, 1.0it/s]\ntwo\nthree\n"
    output = OutputEvents(skip_lines=2)
    events = list(output.feed_bytes(data, "stdout"))
    assert [e.text for e in events if isinstance(e, LogLine)] == ["two", "three"]
    assert not [e for e in events if isinstance(e, Progress)]


def test_a_redraw_holding_other_text_stays_a_log_line():
    """On SSH stdout and stderr share one log: a bar's '\\r' can cut a printed line in two."""
    data = b"    euclidean_similarity   = 0.876543\rcompare x:  33%|###    | 1/3 [00:00<00:01,  1.52it/s]\r\n"
    events = list(OutputEvents().feed_bytes(data, "stdout"))
    assert [e.text for e in events if isinstance(e, LogLine)] == [
        "    euclidean_similarity   = 0.876543", "compare x:  33%|###    | 1/3 [00:00<00:01,  1.52it/s]"]
