"""What a caller chooses about an SSH connection, in three small values: how to log in
(``SshCredentials``), which host keys to trust (``HostKeyPolicy``) and how long to wait
(``SshTimings``).

The VM runners, the workshop, the detection check's VM backend and the camera's SSH deploy all
take these, so a new login option is added once. No paramiko here: the CLI and the GUI build
these values without paying for its import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.core.ssh.host_keys import HostKeyStore


def default_app_known_hosts() -> Path:
    """The app's own known_hosts file (the only one it writes)."""
    from wizard.core import app_dirs

    return app_dirs.data_dir() / "known_hosts"


@dataclass(frozen=True)
class SshCredentials:
    """How to log in: a key file (and its passphrase), the SSH agent, and/or a password. Secrets
    live in memory only (never in repr, a log, an event or a command line)."""

    key_file: Path | None = None
    key_passphrase: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)  # also what sudo -S gets, on stdin
    allow_agent: bool = True
    look_for_keys: bool = False  # also try ~/.ssh/id_* without a passphrase, as ssh does

    def __post_init__(self) -> None:
        if not isinstance(self.key_file, (Path, type(None))):  # a str from a command line or a form
            object.__setattr__(self, "key_file", Path(self.key_file) if self.key_file else None)


@dataclass(frozen=True)
class HostKeyPolicy:
    """Which host keys are trusted: those in ``user_known_hosts`` (default ~/.ssh/known_hosts, read
    only, consulted unless ``trust_user_file`` is False) and ``app_known_hosts`` (default
    <app data>/known_hosts). An unknown key is refused with its fingerprint; once the user
    accepted it, ``accept_fingerprint`` records it in the app's file. A changed key is always
    refused."""

    app_known_hosts: Path | None = None
    user_known_hosts: Path | None = None
    trust_user_file: bool = True
    accept_fingerprint: str | None = None

    def store(self) -> "HostKeyStore":
        from wizard.core.ssh.host_keys import HostKeyStore  # paramiko: imported when used

        return HostKeyStore(Path(self.app_known_hosts) if self.app_known_hosts else default_app_known_hosts(),
                            Path(self.user_known_hosts) if self.user_known_hosts else None,
                            trust_user_file=self.trust_user_file)


@dataclass(frozen=True)
class SshTimings:
    """How long to wait, in seconds: for a connection (``connect_timeout``), between keepalives,
    for a dropped connection to come back (``reconnect_timeout``, backing off up to 15 s between
    tries), and between two looks at a remote run's log (``poll_interval``)."""

    connect_timeout: float = 15.0
    keepalive_seconds: int = 15
    reconnect_timeout: float = 300.0
    poll_interval: float = 0.5


__all__ = ["HostKeyPolicy", "SshCredentials", "SshTimings", "default_app_known_hosts"]
