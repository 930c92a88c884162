"""One blocking HTTP exchange with a device, with failures sorted into "never connected" and
"connection lost". Stdlib http.client on purpose: the wizard talks to one small device on a
point-to-point USB network, needs no connection pool, and the GUI calls all of this through an
executor anyway.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass
from typing import Mapping


class Unreachable(Exception):
    """Could not open a TCP connection at all (refused, no route, connect timeout)."""


class Dropped(Exception):
    """The connection opened but broke or timed out before a full reply arrived."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return ""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the device closed the connection"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        return "the connection was reset"
    text = str(exc) or type(exc).__name__
    return text


def exchange(
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    connect_timeout: float = 3.0,
    timeout: float = 10.0,
) -> Reply:
    # A short connect timeout gives the "check the cable" message quickly; the read timeout is
    # longer because the device may be busy writing to flash.
    conn = http.client.HTTPConnection(host, port, timeout=connect_timeout)
    try:
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as exc:
            raise Unreachable(_describe(exc)) from exc
        conn.sock.settimeout(timeout)
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}))
            response = conn.getresponse()
            data = response.read()
            return Reply(response.status, dict(response.getheaders()), data)
        except (OSError, http.client.HTTPException) as exc:
            raise Dropped(_describe(exc)) from exc
    finally:
        conn.close()
