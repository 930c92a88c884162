"""The message catalogue: every code in both languages, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from wizard.core import messages


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", sorted(messages.CATALOGUE))
def test_entry_complete_in_both_languages(code):
    entry = messages.CATALOGUE[code]
    assert entry.en.strip() and entry.ja.strip(), code
    assert _fields(entry.en) == _fields(entry.ja), f"{code}: placeholders differ between en and ja"
    assert _fields(entry.en_fix) == _fields(entry.ja_fix), f"{code}: fix placeholders differ"
    assert bool(entry.en_fix.strip()) == bool(entry.ja_fix.strip()), code
    # Japanese text must really be Japanese, not a copy of the English.
    assert entry.ja != entry.en
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in entry.ja), code


def test_problem_renders_in_current_and_explicit_language():
    p = messages.problem("file_not_found", path="/tmp/x.onnx")
    assert p.message == "/tmp/x.onnx does not exist."
    assert "見つかりません" in p.text("ja")[0]
    messages.set_language("ja")
    assert p.to_dict()["message"].startswith("/tmp/x.onnx")
    assert "見つかりません" in p.to_dict()["message"]


def test_unknown_code_is_refused_at_creation():
    with pytest.raises(KeyError):
        messages.problem("no_such_code")
