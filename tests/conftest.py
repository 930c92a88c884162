"""Shared test set-up.

Components this suite needs from the machine (Docker engine, sshd, Xvfb) are looked for at test
time. When one is missing the test is skipped with the reason printed, except under CI=true, where
a missing Docker engine or sshd is a failure: CI must prove the integration tests ran.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))  # test helper modules (toolchain double, simulators)

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_component(available: bool, what: str, how_to_get: str) -> None:
    """Skip (locally) or fail (under CI=true) when a real component is missing."""
    if available:
        return
    reason = f"{what} is not available here: {how_to_get}"
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    print(f"SKIP: {reason}", file=sys.stderr)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _english_messages():
    """Every test starts in English; tests of Japanese switch explicitly."""
    from wizard.core import messages

    messages.set_language("en")
    yield
    messages.set_language("en")
