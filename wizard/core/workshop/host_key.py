"""The kit's pinned host key: the server's key is known before the first connection.

An attendee never sees "unknown host key, accept?": the kit carries the key the instructor saw
when making it. No known_hosts file is read or written for a kit's server, so an old entry in the
attendee's ~/.ssh/known_hosts (a classroom IP used before) neither blocks nor weakens the pin. Any
other key is refused at once as ``KitHostKeyMismatch`` (a HostKeyChanged: never retried).
"""

from __future__ import annotations

import base64

import paramiko

from wizard.core.messages import WizardError, problem
from wizard.core.ssh.connection import HostKeyChanged, HostKeyStore, SshTarget, fingerprint
from wizard.core.workshop.kit import KitServer


class KitHostKeyMismatch(HostKeyChanged):
    def __init__(self, target: SshTarget, key: paramiko.PKey, expected: str):
        self.target = target
        self.fingerprint = fingerprint(key)
        self.expected = expected
        WizardError.__init__(self, problem("kit_host_key_mismatch", host=target.known_hosts_name,
                                           fingerprint=self.fingerprint, expected=expected))


class PinnedHostKey(HostKeyStore):
    """A host key store that trusts exactly the kit's key, for exactly the kit's server."""

    def __init__(self, server: KitServer):
        self.server = server
        self.target = server.ssh_target
        self.key = paramiko.PKey.from_type_string(server.host_key_type, base64.b64decode(server.host_key))

    def known(self, target: SshTarget) -> list[tuple[str, paramiko.PKey, str]]:
        # The key type on record is asked for first, so a server with several keys shows this one.
        if target.known_hosts_name != self.target.known_hosts_name:
            return []
        return [(self.key.get_name(), self.key, "the workshop kit")]

    def check(self, target: SshTarget, key: paramiko.PKey) -> tuple[str, str]:
        if target.known_hosts_name == self.target.known_hosts_name and key.get_name() == self.key.get_name() \
                and key.asbytes() == self.key.asbytes():
            return "known", "the workshop kit"
        raise KitHostKeyMismatch(target, key, self.server.host_key_fingerprint)

    def accept(self, target: SshTarget, key: paramiko.PKey) -> None:
        raise KitHostKeyMismatch(target, key, self.server.host_key_fingerprint)  # never: check() decides
