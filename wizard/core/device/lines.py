"""Log lines of the deploy, from the message catalogue (codes + params, English and Japanese).

``messages.render`` already turns a code into text; this only adds the check that the code exists
(render would quietly print the code itself), so a typo fails the tests instead of reaching a user.
"""

from __future__ import annotations

from typing import Any

from wizard.core.messages import CATALOGUE, render


def line(code: str, **params: Any) -> str:
    """One log line in the current language."""
    if code not in CATALOGUE:
        raise KeyError(f"message code {code!r} is not in the catalogue")
    return render(code, params)[0]
