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


def test_a_saved_problem_renders_again_in_the_other_language():
    """to_dict keeps the params, so a problem saved in English shows in Japanese later."""
    from wizard.core.messages import Problem, problem

    saved = problem("vm_disk_low", "warning", free_gb=3, target="me@vm", need_gb=15).to_dict("en")
    assert saved["params"] == {"free_gb": 3, "target": "me@vm", "need_gb": 15}
    again = Problem.from_dict(saved)
    assert again == problem("vm_disk_low", "warning", free_gb=3, target="me@vm", need_gb=15)
    assert "3 GB" in again.text("ja")[0] and "me@vm" in again.text("ja")[0]


def test_a_problem_saved_without_params_shows_its_saved_text():
    from wizard.core.messages import Problem

    old = Problem.from_dict({"code": "vm_disk_low", "severity": "warning", "message": "Only 3 GB", "fix": "Free space"})
    assert old.code == "saved_problem" and old.text("ja")[0].endswith("Only 3 GB → Free space")


def test_language_comes_from_one_place():
    from wizard.core.messages import language_from_environment

    assert language_from_environment({"LANG": "ja_JP.UTF-8"}) == "ja"
    assert language_from_environment({"RECAMERA_WIZARD_LANG": "en", "LANG": "ja_JP.UTF-8"}) == "en"
    assert language_from_environment({}) is None


def test_a_detail_that_is_a_sentence_does_not_double_the_punctuation():
    """Every entry that places {detail} mid-sentence, rendered with a detail that is itself a
    sentence (as a nested problem's message is): never ".)" or ".;" or ". ." from it."""
    import re

    from wizard.core import messages

    sentence_en, sentence_ja = "x.cvimodel is empty (0 bytes).", "x.cvimodel は空です（0 バイト）。"
    checked = 0
    for code, entry in messages.CATALOGUE.items():
        if "{detail}" not in entry.en:
            continue
        for lang, sentence in (("en", sentence_en), ("ja", sentence_ja)):
            text, _ = messages.render(code, {"detail": sentence}, lang)
            assert not re.search(r"[.。][)）;；:,]|[.。]\s*[.。]", text), (code, lang, text)
        checked += 1
    assert checked > 10
