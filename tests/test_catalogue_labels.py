"""Every button or field label a message quotes is a real label of the window, in both languages.

A message such as 'Press "Get the toolchain"' is only useful when the window has a button with
exactly that text, and its Japanese version must quote the button's Japanese text (from the .ts
file the GUI loads). Checks every catalogue entry of the areas a GUI user reads (the page flow,
first-run checks, plan options).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wizard.core import messages

TS = Path(__file__).resolve().parent.parent / "resources" / "translations" / "wizard_ja.ts"
GUI_AREAS = ("flow_", "first_run_", "plan_")
QUOTED_EN = re.compile(r"[\"“]([A-Z][^\"”]{2,40})[\"”]")


def _ts_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for message in ET.parse(TS).getroot().iter("message"):
        source, translation = message.findtext("source"), message.findtext("translation")
        if source and translation:
            labels[source.replace("&amp;", "&")] = translation
    return labels


LABELS = _ts_labels()
# The page flow and first-run messages quote only the window's labels; plan messages also quote
# the toolchain's own words (e.g. "Error, can't find ..."), checked when they are labels.
NAMES_ONLY_LABELS = ("flow_", "first_run_")
QUOTING = [(code, label) for code, entry in sorted(messages.CATALOGUE.items()) if code.startswith(GUI_AREAS)
           for label in QUOTED_EN.findall(entry.en + " " + entry.en_fix)
           if code.startswith(NAMES_ONLY_LABELS) or label in LABELS]


def test_gui_messages_quote_labels():
    assert len(QUOTING) >= 5  # the flow's messages do name buttons


@pytest.mark.parametrize("code, label", QUOTING)
def test_a_quoted_label_exists_in_the_window_and_in_japanese(code, label):
    assert label in LABELS, f"{code} quotes {label!r}, which no window label has"
    entry = messages.CATALOGUE[code]
    assert LABELS[label] in entry.ja + entry.ja_fix, \
        f"{code}: the Japanese text should quote the button as {LABELS[label]!r}"
