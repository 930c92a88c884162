"""The typed settings store: recent models, hosts and runs, last options, language.

Saved as JSON in the app data folder (``RECAMERA_WIZARD_HOME`` overrides it). Secrets — SSH
passwords and key passphrases — never reach this file or a log: they go to the OS keychain through
``keyring`` (:class:`SecretStore`), and tests install a fake keyring backend.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from wizard.core.app_dirs import app_home

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
SETTINGS_FORMAT = 1
MAX_RECENT = 10
KEYRING_SERVICE = "recamera-wizard"

# Field names that must never be stored, whatever a caller passes in ``last_options``.
_SECRET_WORDS = ("password", "passphrase", "secret", "token")


@dataclass
class RecentHost:
    host: str
    user: str
    port: int = 22
    key_path: str = ""

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


@dataclass
class ActiveJob:
    """The job record of a conversion that may still be running (re-attached on next start)."""

    backend: str
    run_id: str
    where: str = ""
    run_dir: str = ""
    started: float = 0.0


@dataclass
class Settings:
    language: str | None = None  # None = follow the OS
    recent_models: list[str] = field(default_factory=list)
    recent_image_sources: list[str] = field(default_factory=list)
    recent_runs: list[str] = field(default_factory=list)
    recent_hosts: list[RecentHost] = field(default_factory=list)
    last_options: dict[str, Any] = field(default_factory=dict)
    where: str = "local"
    device_host: str = "192.168.42.1"
    device_user: str = "recamera"
    active_job: ActiveJob | None = None
    # In a workshop: the attendee's name and how they sign in to the room's server (never a password).
    workshop_attendee: str = ""
    workshop_sign_in: str = "key"
    workshop_key_path: str = ""
    workshop_account: str = ""  # a room with one account per attendee: theirs (never its password)
    format: int = SETTINGS_FORMAT

    # -- recents -------------------------------------------------------------------------------
    @staticmethod
    def _push(items: list, value) -> None:
        if value in items:
            items.remove(value)
        items.insert(0, value)
        del items[MAX_RECENT:]

    def add_recent_model(self, path: str) -> None:
        self._push(self.recent_models, str(path))

    def add_recent_images(self, path: str) -> None:
        self._push(self.recent_image_sources, str(path))

    def add_recent_run(self, run_dir: str) -> None:
        self._push(self.recent_runs, str(run_dir))

    def add_recent_host(self, host: RecentHost) -> None:
        self.recent_hosts = [h for h in self.recent_hosts if h.key != host.key]
        self.recent_hosts.insert(0, host)
        del self.recent_hosts[MAX_RECENT:]

    def remember_options(self, options: dict[str, Any]) -> None:
        self.last_options = {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in options.items()
            if not any(word in k.lower() for word in _SECRET_WORDS)
        }

    # -- (de)serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Settings":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        settings = cls(**values)
        # Nested records arrive as dicts; a damaged entry is dropped rather than refusing to start.
        settings.recent_hosts = [
            h if isinstance(h, RecentHost) else RecentHost(**h)
            for h in settings.recent_hosts
            if isinstance(h, (RecentHost, dict)) and _fits(RecentHost, h)
        ]
        job = settings.active_job
        if isinstance(job, dict):
            settings.active_job = ActiveJob(**job) if _fits(ActiveJob, job) else None
        for name in ("recent_models", "recent_image_sources", "recent_runs"):
            value = getattr(settings, name)
            setattr(settings, name, [str(v) for v in value] if isinstance(value, list) else [])
        if not isinstance(settings.last_options, dict):
            settings.last_options = {}
        if settings.language not in (None, "en", "ja"):
            settings.language = None
        return settings


def _fits(cls, data) -> bool:
    if not isinstance(data, dict):
        return True
    names = {f.name for f in fields(cls)}
    required = {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}
    return set(data) <= names and required <= set(data)


class SettingsStore:
    """Loads and saves :class:`Settings` atomically; a damaged file means defaults, not a crash."""

    def __init__(self, home: str | Path | None = None):
        self.home = Path(home) if home is not None else app_home()
        self.path = self.home / SETTINGS_FILE

    def load(self) -> Settings:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return Settings.from_dict(data)
        except FileNotFoundError:
            return Settings()
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            # Keep the damaged file for a bug report, start with defaults.
            log.warning("settings file %s unreadable (%s); starting with defaults", self.path, exc)
            try:
                self.path.replace(self.path.with_suffix(".json.bad"))
            except OSError:
                pass
            return Settings()

    def save(self, settings: Settings) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        text = json.dumps(settings.to_dict(), ensure_ascii=False, indent=2) + "\n"
        # Write then rename, so a crash mid-write never leaves half a settings file.
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=self.home)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


class SecretStore:
    """Passwords in the OS keychain (never on disk). Every failure is reported, not raised."""

    def __init__(self, service: str = KEYRING_SERVICE):
        self.service = service

    @staticmethod
    def _keyring():
        import keyring  # imported late: a broken keychain backend must not stop the app starting

        return keyring

    def available(self) -> tuple[bool, str]:
        try:
            keyring = self._keyring()
            backend = keyring.get_keyring()
            priority = getattr(backend, "priority", 1)
            if priority is not None and float(priority) <= 0:
                return False, type(backend).__name__
            return True, type(backend).__name__
        except Exception as exc:  # noqa: BLE001 - any backend failure means "not available"
            return False, str(exc)

    def set(self, account: str, secret: str) -> bool:
        ok, _ = self.available()
        if not ok:
            return False
        try:
            self._keyring().set_password(self.service, account, secret)
            return True
        except Exception as exc:  # noqa: BLE001
            log.warning("keychain refused to store a secret: %s", type(exc).__name__)
            return False

    def get(self, account: str) -> str | None:
        try:
            return self._keyring().get_password(self.service, account)
        except Exception as exc:  # noqa: BLE001
            log.warning("keychain read failed: %s", type(exc).__name__)
            return None

    def delete(self, account: str) -> None:
        try:
            self._keyring().delete_password(self.service, account)
        except Exception:  # noqa: BLE001 - nothing stored is fine
            pass
