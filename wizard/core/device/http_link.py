"""One HTTP exchange with the camera (its supervisor web service or its Node-RED), through httpx,
with every failure sorted into one of three kinds the callers turn into messages:

- :class:`Unreachable`: no TCP connection at all (refused, no route, connect timeout);
- :class:`Dropped`: connected, then the link broke or went quiet before the reply was complete;
- :class:`Garbled`: a reply came but it is not HTTP as it should be (a malformed status or header
  line, such as a header value with a stray CR or LF; a body shorter than its Content-Length).

No keep-alive: the camera is one small device on a point-to-point link, a fresh connection per
request costs nothing there, and it rules out reusing a socket the device closed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import re

import httpx

# Seconds. A short connect timeout gives the "check the cable" message quickly; the read timeout
# is longer because the device may be busy writing to flash.
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_TIMEOUT = 15.0


class Unreachable(Exception):
    """Could not open a TCP connection at all."""


class Dropped(Exception):
    """The connection opened but broke or timed out before a full reply arrived."""


class Garbled(Exception):
    """The reply is not well-formed HTTP; ``part`` names what was wrong, ``expected`` what should
    have come, ``found`` what did."""

    def __init__(self, part: str, expected: str, found: str):
        super().__init__(f"{part}: expected {expected}, found {found}")
        self.part = part
        self.expected = expected
        self.found = found


@dataclass(frozen=True)
class Reply:
    status: int
    headers: httpx.Headers
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "reset" in lowered:
        return "the connection was reset"
    return text.splitlines()[0][:200]


class HttpLink:
    """Blocking HTTP to one ``host:port``. Thread-compatible: one request at a time per link."""

    def __init__(self, host: str, port: int, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        url_host = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{url_host}:{port}"
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.base_url,
                limits=httpx.Limits(max_keepalive_connections=0),
                follow_redirects=False,  # a redirect to HTTPS is reported, not followed
                trust_env=False,  # a proxy from the environment must never see the camera's traffic
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def exchange(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        files: list[tuple[str, tuple[str | None, Any] | tuple[str | None, Any, str]]] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Reply:
        read = timeout or self.timeout
        limits = httpx.Timeout(connect=self.connect_timeout, read=read, write=read, pool=self.connect_timeout)
        try:
            with self._http().stream(method, path, json=json, files=files, headers=dict(headers or {}),
                                     timeout=limits) as response:
                status, head = response.status_code, response.headers
                try:
                    body = response.read()
                except httpx.RemoteProtocolError as exc:
                    # The head arrived and announced a length the body did not reach.
                    announced = head.get("Content-Length", "?")
                    got = re.search(r"received (\d+) bytes", str(exc))
                    raise Garbled("body", f"{announced} bytes (Content-Length)",
                                  f"{got.group(1)} bytes" if got else _describe(exc)) from None
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    raise Dropped(_describe(exc)) from None
        except (Garbled, Dropped):
            raise
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unreachable(_describe(exc)) from None
        except httpx.RemoteProtocolError as exc:
            text = str(exc)
            if text.startswith("Server disconnected"):
                raise Dropped("the device closed the connection") from None
            # h11 refused the status line or a header line (e.g. a header value with a bare CR).
            line = re.search(r"bytearray\((b'.*'|b\".*\")\)", text, re.S)
            found = f"{text.split(':')[0]}: {line.group(1)[1:]}" if line else text.splitlines()[0]
            raise Garbled("HTTP head", "HTTP/1.1 status and header lines", found[:120]) from None
        except httpx.HTTPError as exc:  # timeouts, resets, anything else on the way
            raise Dropped(_describe(exc)) from None
        return Reply(status, head, body)
