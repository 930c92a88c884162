"""Host keys, checked as OpenSSH does: the SHA256 fingerprint, the known_hosts files, and the two
refusals (a host seen for the first time, a host whose key changed).

Two files are consulted: the user's ~/.ssh/known_hosts (read only) and the app's own file (the only
one the app writes). The VM runner and the camera's SSH deploy both use this module, so the rules
that keep a swapped key out exist once.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import paramiko

from wizard.core.messages import WizardError, problem

if TYPE_CHECKING:
    from wizard.core.ssh.target import SshTarget


def fingerprint(key: paramiko.PKey) -> str:
    """The SHA256 fingerprint as OpenSSH prints it: ``SHA256:`` + unpadded base64."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class HostKeyUnknown(WizardError):
    def __init__(self, target: SshTarget, key: paramiko.PKey):
        self.target = target
        self.key = key
        self.fingerprint = fingerprint(key)
        self.key_type = key.get_name()
        super().__init__(
            problem(
                "vm_host_key_unknown",
                host=target.known_hosts_name,
                fingerprint=self.fingerprint,
                key_type=self.key_type,
            )
        )


class HostKeyChanged(WizardError):
    def __init__(self, target: SshTarget, key: paramiko.PKey, where: str):
        self.target = target
        self.key = key
        self.fingerprint = fingerprint(key)
        self.file = where
        super().__init__(
            problem("vm_host_key_changed", host=target.known_hosts_name, fingerprint=self.fingerprint, file=where)
        )


class HostKeyStore:
    """known_hosts lookups over the user's file (read only) and the app's file (read/write).

    ``trust_user_file=False`` consults the app's file alone (tests, and a user who wants the
    wizard's trust kept apart from their own ssh's).
    """

    def __init__(self, app_file: Path, user_file: Path | None = None, *, trust_user_file: bool = True):
        self.app_file = Path(app_file)
        self.user_file = Path(user_file) if user_file is not None else Path.home() / ".ssh" / "known_hosts"
        self.trust_user_file = trust_user_file
        self._lock = threading.Lock()

    def _load(self, path: Path) -> paramiko.HostKeys:
        keys = paramiko.HostKeys()
        try:
            keys.load(str(path))
        except FileNotFoundError:
            pass
        except (OSError, paramiko.SSHException, UnicodeDecodeError):
            pass  # an unreadable file gives no trust, and must not stop a connection to a known host
        return keys

    def known(self, target: SshTarget) -> list[tuple[str, paramiko.PKey, str]]:
        """(key type, key, file) for every key on record for the host, user's file first."""
        found = []
        files = (self.user_file, self.app_file) if self.trust_user_file else (self.app_file,)
        for path in files:
            entry = self._load(path).lookup(target.known_hosts_name)
            if entry:
                for key_type in entry.keys():
                    found.append((key_type, entry[key_type], str(path)))
        return found

    def check(self, target: SshTarget, key: paramiko.PKey) -> tuple[str, str]:
        """("known" | "unknown" | "changed", file of the conflicting record)."""
        records = self.known(target)
        for key_type, known_key, path in records:
            if key_type == key.get_name() and known_key.asbytes() == key.asbytes():
                return "known", path
        # OpenSSH: a key of a type on record that differs is a change; so is a new type when the
        # server was made to prefer the recorded type and still offered another (we prefer it).
        for _key_type, _known, path in records:
            return "changed", path
        return "unknown", ""

    def accept(self, target: SshTarget, key: paramiko.PKey) -> None:
        """Record the key in the app's file (hashed host name, as OpenSSH's HashKnownHosts)."""
        with self._lock:
            self.app_file.parent.mkdir(parents=True, exist_ok=True)
            name = paramiko.HostKeys.hash_host(target.known_hosts_name)
            line = f"{name} {key.get_name()} {key.get_base64()}\n"
            fd = os.open(self.app_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="ascii") as f:
                f.write(line)
