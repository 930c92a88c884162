"""Load the Qt translations and switch language live.

The Japanese texts live in ``resources/translations/wizard_ja.ts`` (Qt Linguist format, edited by
people). The binary ``.qm`` files are build products (``*.qm`` is git-ignored): a packager builds
them next to the ``.ts``; in a checkout or a plain install they are compiled here, on first start,
with the ``lrelease`` shipped inside the PySide6 wheel, into a cache folder.

Switching installs the new translator; Qt then sends every widget a LanguageChange event and each
page re-reads its texts (``retranslate``). Problems from the core follow via messages.set_language.
"""

from __future__ import annotations

import locale
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from wizard.core import messages
from wizard.resources import resource_path

log = logging.getLogger(__name__)

LANGUAGES = {"en": "English", "ja": "日本語"}


def os_language() -> str:
    """The user's language from the environment or the OS (Japanese or else English)."""
    chosen = messages.language_from_environment()
    if chosen:
        return chosen
    try:
        if QLocale.system().language() == QLocale.Language.Japanese:
            return "ja"
    except Exception:  # noqa: BLE001 - no Qt locale data: fall back to Python's
        pass
    code = (locale.getlocale()[0] or "").lower()
    return "ja" if code.startswith("ja") else "en"


def _lrelease() -> str | None:
    import PySide6

    for candidate in (
        Path(PySide6.__file__).parent / ("lrelease.exe" if sys.platform == "win32" else "lrelease"),
        Path(PySide6.__file__).parent / "Qt" / "bin" / "lrelease",
    ):
        if candidate.exists():
            return str(candidate)
    return shutil.which("pyside6-lrelease") or shutil.which("lrelease")


def _cache_dir() -> Path:
    try:
        from wizard.core.app_dirs import app_home

        return app_home() / "cache" / "translations"
    except Exception:  # noqa: BLE001
        return Path(tempfile.gettempdir()) / "recamera-wizard-translations"


def qm_path(lang: str) -> Path | None:
    """A compiled .qm for a language, building it from the .ts when missing or stale."""
    ts = resource_path("translations", f"wizard_{lang}.ts")
    shipped = ts.with_suffix(".qm")
    if shipped.exists() and (not ts.exists() or shipped.stat().st_mtime >= ts.stat().st_mtime):
        return shipped  # a bundle or an install that built it already
    if not ts.exists():
        return None
    cached = _cache_dir() / f"wizard_{lang}.qm"
    if cached.exists() and cached.stat().st_mtime >= ts.stat().st_mtime:
        return cached
    tool = _lrelease()
    if tool is None:
        log.warning("lrelease not found; the window stays in English")
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [tool, "-silent", str(ts), "-qm", str(cached)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or not cached.exists():
        log.warning("lrelease failed for %s: %s", ts, result.stderr.strip())
        return None
    return cached


class Translations:
    """Owns the installed QTranslator (one at a time) and the current language."""

    def __init__(self) -> None:
        self.language = "en"
        self._translator: QTranslator | None = None
        self._qt_translator: QTranslator | None = None  # Qt's own texts: dialog buttons, menus

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            lang = "en"
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if self._qt_translator is not None and app is not None:
            app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        messages.set_language(lang)
        self.language = lang
        if lang != "en" and app is not None:
            path = qm_path(lang)
            translator = QTranslator(app)
            # Loaded from bytes we keep, not from the file: QTranslator maps a file into memory,
            # and a .qm rewritten by another wizard process (first start, a reinstall) would
            # then change under the running app.
            data = path.read_bytes() if path is not None else b""
            if data and translator.load(data):
                self._qm_data = data
                app.installTranslator(translator)
                self._translator = translator
            else:
                log.warning("no usable translation for %s", lang)
            from PySide6.QtCore import QLibraryInfo

            qt_translator = QTranslator(app)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt_translator.load(f"qtbase_{lang}", qt_dir):
                app.installTranslator(qt_translator)
                self._qt_translator = qt_translator
        elif app is not None:
            # Removing a translator already sends LanguageChange, but going en->en must too.
            from PySide6.QtCore import QEvent

            QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))


TRANSLATIONS = Translations()
