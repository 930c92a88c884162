"""Where an SSH login goes: ``user@host[:port]``, parsed and written as OpenSSH does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wizard.core.messages import WizardError

DEFAULT_PORT = 22


@dataclass(frozen=True)
class SshTarget:
    user: str
    host: str
    port: int = DEFAULT_PORT

    @classmethod
    def parse(cls, text: str) -> "SshTarget":
        """``user@host``, ``user@host:port`` or ``user@[v6addr]:port``."""
        m = re.fullmatch(r"\s*([^@\s]+)@(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?\s*", text or "")
        if not m:
            raise WizardError.of("vm_bad_target", target=text)
        user, host, port = m.group(1), m.group(2).strip("[]"), int(m.group(3) or DEFAULT_PORT)
        if not 0 < port < 65536:
            raise WizardError.of("vm_bad_target", target=text)
        return cls(user, host, port)

    @property
    def known_hosts_name(self) -> str:
        """How OpenSSH names the host in known_hosts: ``host``, or ``[host]:port`` off port 22."""
        return self.host if self.port == DEFAULT_PORT else f"[{self.host}]:{self.port}"

    @property
    def address(self) -> str:
        """``host:port`` (an IPv6 host in brackets), without the login."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.user}@{self.address}"
