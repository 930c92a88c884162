"""Every window string is translatable and translated: the Japanese .ts is complete and current."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import test_gui_support  # noqa: F401 - picks the Qt platform before a QApplication exists
from wizard.resources import resource_path

TS = resource_path("translations", "wizard_ja.ts")
GUI = Path(__file__).resolve().parent.parent / "wizard" / "gui"


def _messages():
    root = ET.parse(TS).getroot()
    for context in root.iter("context"):
        for message in context.iter("message"):
            yield context.find("name").text, message


def test_japanese_ts_has_no_unfinished_or_empty_entry():
    count = 0
    for context, message in _messages():
        translation = message.find("translation")
        assert translation.get("type") not in ("unfinished", "obsolete", "vanished"), (context, message.find("source").text)
        if message.get("numerus") == "yes":
            forms = [f.text for f in translation.findall("numerusform")]
            assert forms and all(f and f.strip() for f in forms)
            assert all("%n" in f for f in forms), message.find("source").text
        else:
            assert translation.text and translation.text.strip()
            source = message.find("source").text
            for placeholder in ("%1", "%2"):
                assert (placeholder in source) == (placeholder in translation.text), source
        count += 1
    assert count > 200


def test_ts_is_current_with_the_sources(tmp_path):
    """lupdate over wizard/gui finds no string the .ts lacks (a new self.tr() needs a translation)."""
    import PySide6

    tool = Path(PySide6.__file__).parent / "lupdate"
    if not tool.exists():
        tool = shutil.which("pyside6-lupdate")
    assert tool, "lupdate ships with PySide6"
    copy = tmp_path / "wizard_ja.ts"
    shutil.copy(TS, copy)
    sources = sorted(str(p) for p in GUI.rglob("*.py"))
    result = subprocess.run([str(tool), *sources, "-ts", str(copy)], capture_output=True, text=True, check=True)
    assert "(0 new and" in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.mark.gui
def test_compiled_translation_is_loaded_and_used(qapp, tmp_path, monkeypatch):
    from PySide6.QtCore import QCoreApplication

    from wizard.core import messages
    from wizard.gui import i18n

    monkeypatch.setenv("RECAMERA_WIZARD_HOME", str(tmp_path))
    qm = i18n.qm_path("ja")
    assert qm is not None and qm.exists() and qm.stat().st_size > 1000
    translations = i18n.Translations()
    translations.set_language("ja")
    try:
        assert QCoreApplication.translate("ModelPage", "Your model") == "モデル"
        assert messages.current_language() == "ja"
        # Qt's own dialog buttons follow too (qtbase_ja from PySide6).
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox()
        box.setStandardButtons(QMessageBox.StandardButton.Yes)
        assert "はい" in box.button(QMessageBox.StandardButton.Yes).text()
    finally:
        translations.set_language("en")
    assert QCoreApplication.translate("ModelPage", "Your model") == "Your model"
