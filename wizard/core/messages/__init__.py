"""The message catalogue: every user-facing problem, in English and Japanese.

Each area of the core keeps its entries in its own module (``catalogue_<area>.py``) as a dict
``code -> Entry``; this package merges them. A :class:`Problem` carries the code and the
parameters, so a view can render it again in the other language without re-running anything.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import string
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

Severity = Literal["error", "warning", "info"]
LANGUAGES = ("en", "ja")

_language = "en"


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: what went wrong and what to do next, in both languages."""

    en: str
    en_fix: str
    ja: str
    ja_fix: str


def set_language(lang: str) -> None:
    """Choose the language in which problems render by default ("en" or "ja")."""
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {LANGUAGES}")
    _language = lang


def current_language() -> str:
    return _language


def language_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """"ja" or "en" from RECAMERA_WIZARD_LANG, LC_ALL, LC_MESSAGES or LANG; None when none is
    set (the GUI then asks the OS, the CLI takes English)."""
    environ = os.environ if environ is None else environ
    for var in ("RECAMERA_WIZARD_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return None


class _SafeParams(dict):
    """Leaves unknown placeholders visible instead of raising, so a catalogue typo never crashes."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _load_catalogue() -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("catalogue_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for code, entry in module.ENTRIES.items():
            if code in merged:
                raise RuntimeError(f"message code {code!r} defined twice (in {info.name})")
            merged[code] = entry
    return merged


CATALOGUE: dict[str, Entry] = _load_catalogue()


def render(code: str, params: Mapping[str, Any] | None = None, lang: str | None = None) -> tuple[str, str]:
    """Return ``(message, fix)`` for a code in the given (or current) language."""
    lang = lang or _language
    entry = CATALOGUE.get(code)
    values = _SafeParams({k: _display(v, k) for k, v in (params or {}).items()})
    if entry is None:
        # An unknown code is a programming error, but the user still gets something readable.
        detail = values.get("detail", code)
        return (str(detail), "")
    message, fix = (entry.en, entry.en_fix) if lang == "en" else (entry.ja, entry.ja_fix)
    formatter = string.Formatter()
    return formatter.vformat(message, (), values), formatter.vformat(fix, (), values)


def _display(value: Any, key: str = "") -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    text = str(value)
    if key == "detail" and text.endswith((".", "。")) and not text.endswith(".."):
        # A detail is often another message's sentence; templates place it mid-sentence or in
        # parentheses ("({detail}); nothing was sent"), where its full stop would double up.
        text = text[:-1]
    return text


@dataclass(frozen=True)
class Problem:
    """Something the user must know: a plain-language cause and the next step."""

    code: str
    severity: Severity = "error"
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render(self.code, self.params)[0]

    @property
    def fix(self) -> str:
        return render(self.code, self.params)[1]

    def text(self, lang: str | None = None) -> tuple[str, str]:
        return render(self.code, self.params, lang)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """For JSON: the code and params (to render it again in any language) and the text."""
        message, fix = render(self.code, self.params, lang)
        return {"code": self.code, "severity": self.severity, "params": _json_params(self.params),
                "message": message, "fix": fix}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Problem":
        """A problem saved by ``to_dict``; one saved without params (older runs) or with an unknown
        code shows its saved text."""
        code = str(data.get("code", ""))
        severity = data.get("severity") if data.get("severity") in ("error", "warning", "info") else "error"
        params = data.get("params")
        if code in CATALOGUE and isinstance(params, Mapping):
            return cls(code, severity, dict(params))
        text = str(data.get("message", ""))
        if data.get("fix"):
            text += " → " + str(data["fix"])
        return cls("saved_problem", severity, {"detail": text})


def _json_params(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
        elif isinstance(value, (list, tuple)):
            out[key] = [v if isinstance(v, (str, int, float, bool)) else str(v) for v in value]
        else:
            out[key] = str(value)
    return out


def say(code: str, **params: Any) -> str:
    """One line for a log or a label (a catalogue entry whose fix is empty), in the current
    language: runner and deploy progress lines read in the user's language too."""
    if code not in CATALOGUE:
        raise KeyError(f"message code {code!r} is not in the catalogue")
    return render(code, params)[0]


def problem(code: str, severity: Severity = "error", **params: Any) -> Problem:
    if code not in CATALOGUE:
        raise KeyError(f"message code {code!r} is not in the catalogue")
    return Problem(code=code, severity=severity, params=params)


class WizardError(Exception):
    """An error a user can meet: carries a :class:`Problem` instead of a traceback."""

    def __init__(self, problem_: Problem):
        super().__init__(problem_.message)
        self.problem = problem_

    @classmethod
    def of(cls, code: str, **params: Any) -> "WizardError":
        return cls(problem(code, "error", **params))
