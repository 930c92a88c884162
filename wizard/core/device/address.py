"""The camera's address as the user types it: checked against one rule before any packet is sent.

The rule: a host name (``recamera.local``), an IPv4 address (``192.168.42.1``) or an IPv6 address
(bare ``fe80::1``, or in brackets ``[fe80::1]`` when a port follows), optionally ``:port`` with a
port from 1 to 65535. Anything else (``127.0.0.1:18080:1``, a URL, a space, ``256.1.1.1``) is
refused with that rule instead of being looked up as a name.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from wizard.core.messages import WizardError

DEFAULT_HOST = "192.168.42.1"  # USB NCM address of the camera (recamera.md); only a default.
DEFAULT_HTTP_PORT = 80
DEFAULT_NODE_RED_PORT = 1880
DEFAULT_LIVE_PORT = 8090

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _bad(text: str) -> WizardError:
    return WizardError.of("device_bad_address", address=text)


def _check_host(host: str, whole: str) -> str:
    if not host:
        raise _bad(whole)
    if ":" in host:  # only IPv6 has colons in the host part
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise _bad(whole) from None
    if re.fullmatch(r"[0-9.]+", host):  # looks like IPv4: must be one (not a "name" 256.1.1.1)
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise _bad(whole) from None
    name = host[:-1] if host.endswith(".") else host
    if len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise _bad(whole)
    return host


def _check_port(text: str, whole: str) -> int:
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 65536:
        raise _bad(whole)
    return int(text)


@dataclass(frozen=True)
class DeviceAddress:
    host: str
    port: int = DEFAULT_HTTP_PORT

    @classmethod
    def parse(cls, text: str | None, default_port: int = DEFAULT_HTTP_PORT) -> "DeviceAddress":
        """``host``, ``host:port``, ``v6`` or ``[v6]:port``; bad input is a WizardError, not a traceback."""
        text = (text or DEFAULT_HOST).strip()
        if text.startswith("["):
            end = text.find("]")
            if end < 0:
                raise _bad(text)
            host, rest = text[1:end], text[end + 1:]
            if ":" not in host:
                raise _bad(text)  # brackets are for IPv6 only
            port = default_port
            if rest:
                if not rest.startswith(":"):
                    raise _bad(text)
                port = _check_port(rest[1:], text)
            return cls(_check_host(host, text), port)
        colons = text.count(":")
        if colons == 0:
            return cls(_check_host(text, text), default_port)
        if colons == 1:
            host, port_text = text.split(":")
            if ":" in host or not host:
                raise _bad(text)
            return cls(_check_host(host, text), _check_port(port_text, text))
        # Two or more colons and no brackets: the whole text must be an IPv6 address.
        return cls(_check_host(text, text), default_port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_HTTP_PORT else f"{host}:{self.port}"
