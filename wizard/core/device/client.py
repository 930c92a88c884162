"""ReCameraClient: the blocking client of the camera's "supervisor" web service (port 80).

Every call blocks; the GUI runs them through an executor, the CLI calls them directly.

Facts and where they come from (Seeed-Studio/sscma-example-sg200x, solutions/supervisor/):
- Paths are ``/api/<group>/<name>``; the model calls are in group ``deviceMgr`` and registered
  with ``REG_API_NO_AUTH`` (main/include/api_device.h), ``version`` has no group
  (main/include/api_base.h). Replies are ``{"code": 0, "msg": "OK", "data": ...}``
  (main/include/http_interface.h ``response()``); ``code`` != 0 is a refusal.
- ``getModelInfo`` returns ``data.model_info`` = the raw text of model.json, or "" when there is
  none (main/src/api_device.cpp). ``getModelFile`` replies with the active model file itself.
- ``uploadModel`` (main/src/api_device.cpp, newer firmware): multipart parts ``model_file``,
  ``offset``, ``size``, ``model_info``. Chunked when offset >= 0 and size > 0: offset 0 creates
  ``model.cvimodel.tmp``, later chunks fseek+write into it, the chunk with offset+len >= size
  renames the .tmp over model.cvimodel (and model_info's .tmp over model.json). Each chunk's reply
  has ``data.received`` = offset + len. Older firmware (same file, earlier commit) ignores
  offset/size and writes each part to ``<model_dir>/<filename>``: its reply has no ``received``,
  which is how we detect it after the first chunk, before anything active is touched (chunks are
  sent with filename "blob", as the browser does, so the old firmware writes a harmless file).
- The web client (www/src/api/device/index.ts ``uploadModelApi``) sends 512 KB chunks, appends
  model_file, offset, size, and model_info only with the last chunk; files up to one chunk go in a
  single request with model_file + model_info and no offset/size.
- Login: ``POST /api/userMgr/login {"userName","password"}`` with the password encrypted as in
  :mod:`wizard.core.device.auth`; the reply's ``data.token`` goes raw in the ``Authorization``
  header (api_base.h ``get_param(req, "Authorization")``). The newest (Go) supervisor answers HTTP
  401 without a token (internal/middleware/middleware.go) and requires it for uploadModel
  (internal/server/server.go); ``queryUserInfo`` stays open there (needed for firstLogin).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from wizard.core.device._http import Dropped, Reply, Unreachable, exchange
from wizard.core.checksums import md5_file
from wizard.core.device.auth import encrypt_password
from wizard.core.messages import WizardError, problem

DEFAULT_HOST = "192.168.42.1"  # USB NCM address of the camera (recamera.md); only a default.
DEFAULT_HTTP_PORT = 80
DEFAULT_NODE_RED_PORT = 1880
DEFAULT_LIVE_PORT = 8090
CHUNK_SIZE = 512 * 1024  # www/src/api/device/index.ts: CHUNK_SIZE = 512 * 1024


class DeviceError(WizardError):
    """A problem with the device or the link to it (CLI exit code 4), not with the user's input."""


class UploadInterrupted(DeviceError):
    """The connection broke during the upload; the device's active model was not replaced."""

    def __init__(self, problem_, done: int, total: int):
        super().__init__(problem_)
        self.done = done
        self.total = total


class Cancelled(Exception):
    """The caller's cancel event was set between two requests."""


@dataclass(frozen=True)
class DeviceAddress:
    host: str
    port: int = DEFAULT_HTTP_PORT

    @classmethod
    def parse(cls, text: str | None, default_port: int = DEFAULT_HTTP_PORT) -> "DeviceAddress":
        """``host``, ``host:port`` or ``[v6]:port``; bad input is a WizardError, not a traceback."""
        text = (text or DEFAULT_HOST).strip()
        host, port = text, default_port
        if text.startswith("["):
            end = text.find("]")
            if end < 0:
                raise WizardError.of("device_bad_address", address=text)
            host, rest = text[1:end], text[end + 1 :]
            if rest:
                if not rest.startswith(":"):
                    raise WizardError.of("device_bad_address", address=text)
                port = _parse_port(rest[1:], text)
        elif text.count(":") == 1:
            host, port_text = text.split(":")
            port = _parse_port(port_text, text)
        for scheme in ("http://", "https://"):
            if host.startswith(scheme):
                raise WizardError.of("device_bad_address", address=text)
        if not host or any(ch.isspace() or ch in "/?#@" for ch in host):
            raise WizardError.of("device_bad_address", address=text)
        return cls(host, port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_HTTP_PORT else f"{host}:{self.port}"


def _parse_port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise WizardError.of("device_bad_address", address=whole)
    return int(text)


@dataclass(frozen=True)
class DeviceStatus:
    """What discovery learned. ``None`` means "the device did not say"."""

    address: str
    reachable: bool
    version: str = ""
    first_login: bool | None = None
    ssh_enabled: bool | None = None
    user_name: str = ""
    login_required: bool = False  # the device answered 401 to queryUserInfo without a token
    model_info: Mapping[str, Any] | None = None

    def notes(self, method: str = "http") -> list:
        """What the user should know before deploying (Problems, for the GUI's device page)."""
        found = []
        if self.first_login:
            found.append(problem("device_first_login", "warning", address=self.address))
        if method == "ssh" and self.ssh_enabled is False:
            found.append(problem("ssh_disabled", "error", address=self.address))
        if self.login_required:
            found.append(problem("device_login_required", "info", address=self.address, step="uploadModel"))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "reachable": self.reachable,
            "version": self.version,
            "first_login": self.first_login,
            "ssh_enabled": self.ssh_enabled,
            "user_name": self.user_name,
            "login_required": self.login_required,
            "model_info": dict(self.model_info) if self.model_info is not None else None,
        }


@dataclass
class UploadReport:
    total: int
    chunks: int
    md5: str
    replies: list[Mapping[str, Any]] = field(default_factory=list)


class _Multipart:
    """multipart/form-data body as a browser's FormData would send it."""

    def __init__(self) -> None:
        self.boundary = "----reCameraWizard" + uuid.uuid4().hex
        self._parts: list[bytes] = []

    def field(self, name: str, value: str) -> None:
        self._parts.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )

    def file(self, name: str, filename: str, data: bytes) -> None:
        self._parts.append(
            (
                f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )

    def body(self) -> bytes:
        return b"".join(self._parts) + f"--{self.boundary}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"


class ReCameraClient:
    """Blocking client of one camera's supervisor API. Never logs or stores the password."""

    def __init__(
        self,
        address: DeviceAddress | str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        connect_timeout: float = 3.0,
        timeout: float = 15.0,
        upload_timeout: float = 60.0,
        chunk_retries: int = 2,
    ) -> None:
        self.address = address if isinstance(address, DeviceAddress) else DeviceAddress.parse(address)
        self.user = user or "recamera"  # default account per recamera.md; a setting, not a secret
        self._password = password
        self._token: str | None = None
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self.chunk_retries = chunk_retries

    def __repr__(self) -> str:  # keeps the password out of logs and tracebacks
        return f"ReCameraClient({str(self.address)!r}, user={self.user!r})"

    # -- low level -------------------------------------------------------------------------
    def _raw(self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None,
             *, step: str, timeout: float | None = None) -> Reply:
        all_headers = {"Accept": "application/json, */*"}
        all_headers.update(headers or {})
        if self._token:
            all_headers["Authorization"] = self._token
        try:
            return exchange(
                self.address.host, self.address.port, method, path, body, all_headers,
                connect_timeout=self.connect_timeout, timeout=timeout or self.timeout,
            )
        except Unreachable as exc:
            raise DeviceError(problem("device_unreachable", address=str(self.address), detail=str(exc))) from None

    def _api(self, method: str, path: str, *, json_body: Any = None, body: bytes | None = None,
             content_type: str = "", step: str, timeout: float | None = None, allow_login: bool = True) -> Any:
        headers = {}
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        try:
            reply = self._raw(method, path, body, headers, step=step, timeout=timeout)
        except Dropped as exc:
            raise DeviceError(problem("device_timeout", address=str(self.address), step=step, detail=str(exc))) from None
        if reply.status == 401 and allow_login:
            if self._password is None:
                raise DeviceError(problem("device_login_required", address=str(self.address), step=step))
            self.login()
            return self._api(method, path, json_body=json_body, body=body, content_type=content_type,
                             step=step, timeout=timeout, allow_login=False)
        return self._decode(reply, step)

    def _decode(self, reply: Reply, step: str) -> Any:
        if reply.status in (301, 302, 307, 308) and reply.header("Location").startswith("https:"):
            raise DeviceError(problem("device_https_only", address=str(self.address), detail=reply.header("Location")))
        if reply.status == 401:
            raise DeviceError(problem("device_login_required", address=str(self.address), step=step))
        try:
            payload = json.loads(reply.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DeviceError(problem("device_not_recamera", address=str(self.address),
                                      detail=f"HTTP {reply.status}, not a JSON reply")) from None
        if not isinstance(payload, dict) or "code" not in payload:
            raise DeviceError(problem("device_not_recamera", address=str(self.address),
                                      detail=f"HTTP {reply.status}, unexpected reply"))
        if payload.get("code") != 0:
            raise DeviceError(problem("device_api_error", step=step, detail=payload.get("msg") or f"code {payload.get('code')}"))
        return payload.get("data")

    # -- account ---------------------------------------------------------------------------
    def login(self) -> None:
        """Get a token (api_user.h ``login``); the password is encrypted, never logged."""
        if self._password is None:
            raise DeviceError(problem("device_login_required", address=str(self.address), step="login"))
        body = {"userName": self.user, "password": encrypt_password(self._password)}
        try:
            data = self._api("POST", "/api/userMgr/login", json_body=body, step="login", allow_login=False)
        except DeviceError as exc:
            if exc.problem.code == "device_api_error":
                raise DeviceError(problem("device_login_failed", address=str(self.address), user=self.user,
                                          detail=exc.problem.params.get("detail", ""))) from None
            raise
        token = (data or {}).get("token") if isinstance(data, dict) else None
        if not token:
            raise DeviceError(problem("device_login_failed", address=str(self.address), user=self.user,
                                      detail="no token in the reply"))
        self._token = str(token)

    # -- discovery -------------------------------------------------------------------------
    def version(self) -> str:
        data = self._api("GET", "/api/version", step="version")
        # C++ supervisor: data is the version string; Go supervisor: {"version": ...}.
        if isinstance(data, dict):
            return str(data.get("version", ""))
        return str(data or "")

    def user_info(self) -> dict[str, Any] | None:
        """queryUserInfo, or None when this firmware wants a token for it and we have none."""
        try:
            data = self._api("GET", "/api/userMgr/queryUserInfo", step="queryUserInfo")
        except DeviceError as exc:
            if exc.problem.code == "device_login_required":
                return None
            raise
        return data if isinstance(data, dict) else {}

    def discover(self) -> DeviceStatus:
        """Reachable? firmware version, first-login pending, SSH enabled, current model.json."""
        version = self.version()  # raises device_unreachable with the cable/driver hint
        info = self.user_info()
        model = None
        try:
            model = self.model_info()
        except DeviceError as exc:
            if exc.problem.code != "device_login_required":
                raise
        return DeviceStatus(
            address=str(self.address),
            reachable=True,
            version=version,
            first_login=_as_bool(info.get("firstLogin")) if info else None,
            ssh_enabled=_as_bool(info.get("sshEnabled")) if info else None,
            user_name=str(info.get("userName", "")) if info else "",
            login_required=info is None,
            model_info=model,
        )

    # -- model -----------------------------------------------------------------------------
    def model_info(self) -> dict[str, Any] | None:
        """The active model.json, parsed; None when the device has none."""
        data = self._api("GET", "/api/deviceMgr/getModelInfo", step="getModelInfo")
        text = (data or {}).get("model_info", "") if isinstance(data, dict) else ""
        if not text:
            return None
        if isinstance(text, dict):
            return text
        try:
            parsed = json.loads(text)
        except ValueError:
            return {"_raw": text}
        return parsed if isinstance(parsed, dict) else {"_raw": text}

    def model_file(self) -> bytes | None:
        """The active model's bytes (getModelFile), for a read-back check after upload;
        None when this firmware has no such call (HTTP 404)."""
        try:
            reply = self._raw("GET", "/api/deviceMgr/getModelFile", step="getModelFile", timeout=self.upload_timeout)
        except Dropped as exc:
            raise DeviceError(problem("device_timeout", address=str(self.address), step="getModelFile", detail=str(exc))) from None
        if reply.status == 401 and self._password is not None and not self._token:
            self.login()
            return self.model_file()
        if reply.status == 404:
            return None
        if reply.status != 200 or reply.header("Content-Type").startswith("application/json"):
            self._decode(reply, "getModelFile")  # raises with the device's message
            raise DeviceError(problem("device_api_error", step="getModelFile", detail=f"HTTP {reply.status}"))
        return reply.body

    def upload_model(
        self,
        path: str | Path,
        model_info: Mapping[str, Any],
        *,
        chunk_size: int = CHUNK_SIZE,
        on_chunk: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> UploadReport:
        """Send model.cvimodel + model.json the way the web UI does. Raises UploadInterrupted."""
        report = UploadReport(total=0, chunks=0, md5="")
        for done, total in self.iter_upload(path, model_info, chunk_size=chunk_size, cancel=cancel, report=report):
            if on_chunk:
                on_chunk(done, total)
        return report

    def iter_upload(
        self,
        path: str | Path,
        model_info: Mapping[str, Any],
        *,
        chunk_size: int = CHUNK_SIZE,
        cancel: threading.Event | None = None,
        report: UploadReport | None = None,
    ) -> Iterator[tuple[int, int]]:
        """Like upload_model, yielding (bytes acknowledged, total) after each request, so the
        caller can emit progress and cancel between chunks in its own thread."""
        path = Path(path)
        total = path.stat().st_size
        info_text = json.dumps(dict(model_info), ensure_ascii=False)
        digest = hashlib.md5()
        report = report if report is not None else UploadReport(total=0, chunks=0, md5="")
        report.total = total
        with path.open("rb") as handle:
            if total <= chunk_size:
                data = handle.read()
                digest.update(data)
                form = _Multipart()
                form.file("model_file", path.name, data)
                form.field("model_info", info_text)
                reply = self._send_part(form, 0, total, cancel)
                listed = reply.get("list", []) if isinstance(reply, dict) else []
                if any(isinstance(item, str) for item in listed):
                    # Old firmware: wrote <model_dir>/<filename> and activated nothing.
                    raise DeviceError(problem("deploy_chunked_unsupported", version=self._safe_version()))
                report.replies.append(reply)
                report.chunks = 1
                report.md5 = digest.hexdigest()
                yield total, total
                return
            offset = 0
            while offset < total:
                data = handle.read(chunk_size)
                digest.update(data)
                form = _Multipart()
                form.file("model_file", "blob", data)
                form.field("offset", str(offset))
                form.field("size", str(total))
                if offset + chunk_size >= total:  # same test as the web client
                    form.field("model_info", info_text)
                reply = self._send_part(form, offset, total, cancel)
                received = reply.get("received") if isinstance(reply, dict) else None
                if received != offset + len(data):
                    raise DeviceError(problem("deploy_chunked_unsupported", version=self._safe_version()))
                report.replies.append(reply)
                report.chunks += 1
                offset += len(data)
                if offset >= total:
                    report.md5 = digest.hexdigest()
                yield offset, total

    def _send_part(self, form: _Multipart, offset: int, total: int, cancel: threading.Event | None) -> Any:
        body = form.body()
        last_error = ""
        for _attempt in range(self.chunk_retries + 1):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            try:
                return self._api("POST", "/api/deviceMgr/uploadModel", body=body, content_type=form.content_type,
                                 step="uploadModel", timeout=self.upload_timeout)
            except DeviceError as exc:
                # Resending a chunk at the same offset is safe: the device fseeks to the offset.
                if exc.problem.code not in ("device_timeout", "device_unreachable"):
                    raise
                last_error = str(exc.problem.params.get("detail", ""))
        raise UploadInterrupted(
            problem("deploy_upload_interrupted", done=offset, total=total, detail=last_error), offset, total
        )

    def _safe_version(self) -> str:
        try:
            return self.version() or "unknown"
        except DeviceError:
            return "unknown"


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return None


def file_md5(path: str | os.PathLike) -> str:
    return md5_file(path)
