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
- fileMgr (main/include/api_file.h; Go: internal/handler/file.go): ``list``, ``mkdir``,
  ``upload``, ``download`` with a ``path`` relative to /userdata; registered with ``REG_API``, so
  they need the token. Names starting with "." are refused. ``list`` of the root reports
  ``total``/``used``/``free`` bytes (Go supervisor; the C++ one omits them). ``upload`` takes
  multipart ``file`` parts and answers ``{"uploads": [{filename, status, size}], "count"}``.

Every answer is checked against wizard.core.device.answers before a field is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import quote

from wizard.core.checksums import md5_file
from wizard.core.device import answers
from wizard.core.device.address import DeviceAddress
from wizard.core.device.auth import encrypt_password
from wizard.core.device.errors import Cancelled, DeviceError, UploadInterrupted
from wizard.core.device.http_link import Dropped, Garbled, HttpLink, Reply, Unreachable
from wizard.core.messages import Problem, problem

CHUNK_SIZE = 512 * 1024  # www/src/api/device/index.ts: CHUNK_SIZE = 512 * 1024
USERDATA = "/userdata"  # fileMgr paths are relative to it (api_file.h _local_dir)
# The copy of the replaced model a deploy keeps on the camera (restore.py), under /userdata;
# fileMgr refuses names starting with ".", so the folder is a visible one.
CAMERA_COPY_DIR = "wizard-backup"
COPY_MODEL = "previous.cvimodel"
COPY_INFO = "previous.json"
OCTET_STREAM = "application/octet-stream"


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
    model_info_issue: Problem | None = None  # the active model.json could not be read

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
    replies: list[answers.UploadData] = field(default_factory=list)
    last_chunk_sent: bool = False  # the request that makes the device rename .tmp has left


def chunk_parts(data: bytes, offset: int, total: int, info_text: str | None) -> list:
    """One chunk's multipart parts in the web UI's order: model_file, offset, size, model_info."""
    parts: list = [("model_file", ("blob", data, OCTET_STREAM)), ("offset", (None, str(offset))),
                   ("size", (None, str(total)))]
    if info_text is not None:
        parts.append(("model_info", (None, info_text)))
    return parts


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
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self.chunk_retries = chunk_retries
        self._link = HttpLink(self.address.host, self.address.port, connect_timeout=connect_timeout, timeout=timeout)

    def __repr__(self) -> str:  # keeps the password out of logs and tracebacks
        return f"ReCameraClient({str(self.address)!r}, user={self.user!r})"

    def close(self) -> None:
        self._link.close()

    def __enter__(self) -> "ReCameraClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def can_log_in(self) -> bool:
        return self._password is not None or self._token is not None

    # -- low level -------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, step: str, json_body: Any = None, files: list | None = None,
              timeout: float | None = None) -> Reply:
        headers = {"Accept": "application/json, */*"}
        if self._token:
            headers["Authorization"] = self._token
        address = str(self.address)
        try:
            return self._link.exchange(method, path, json=json_body, files=files, headers=headers, timeout=timeout)
        except Unreachable as exc:
            raise DeviceError(problem("device_unreachable", address=address, detail=str(exc))) from None
        except Dropped as exc:
            raise DeviceError(problem("device_timeout", address=address, step=step, detail=str(exc))) from None
        except Garbled as exc:
            raise DeviceError(problem("device_unexpected_answer", address=address, step=step, field=exc.part,
                                      expected=exc.expected, found=exc.found)) from None

    def _reply(self, method: str, path: str, *, step: str, json_body: Any = None, files: list | None = None,
               timeout: float | None = None, allow_login: bool = True) -> Reply:
        reply = self._send(method, path, step=step, json_body=json_body, files=files, timeout=timeout)
        if reply.status == 401 and allow_login:
            if self._password is None:
                raise DeviceError(problem("device_login_required", address=str(self.address), step=step))
            self.login()
            return self._reply(method, path, step=step, json_body=json_body, files=files, timeout=timeout,
                               allow_login=False)
        if reply.status in (301, 302, 307, 308) and reply.header("Location").startswith("https:"):
            raise DeviceError(problem("device_https_only", address=str(self.address), detail=reply.header("Location")))
        if reply.status == 401:
            raise DeviceError(problem("device_login_required", address=str(self.address), step=step))
        return reply

    def _data(self, reply: Reply, step: str) -> Any:
        """The ``data`` of a supervisor envelope; a refusal (code != 0) is device_api_error."""
        address = str(self.address)
        payload = answers.decode_json(reply.body, reply.status, address=address, step=step)
        envelope = answers.check(answers.Envelope, payload, address=address, step=step)
        if envelope.code != 0:
            raise DeviceError(problem("device_api_error", step=step, detail=envelope.msg or f"code {envelope.code}"))
        return envelope.data

    def _api(self, method: str, path: str, model: type[answers.M], *, step: str, json_body: Any = None,
             files: list | None = None, timeout: float | None = None, allow_login: bool = True) -> answers.M:
        reply = self._reply(method, path, step=step, json_body=json_body, files=files, timeout=timeout,
                            allow_login=allow_login)
        data = self._data(reply, step)
        return answers.check(model, data, address=str(self.address), step=step, prefix="data")

    # -- account ---------------------------------------------------------------------------
    def login(self) -> None:
        """Get a token (api_user.h ``login``); the password is encrypted, never logged."""
        if self._password is None:
            raise DeviceError(problem("device_login_required", address=str(self.address), step="login"))
        body = {"userName": self.user, "password": encrypt_password(self._password)}
        try:
            data = self._api("POST", "/api/userMgr/login", answers.LoginData, json_body=body, step="login",
                             allow_login=False)
        except DeviceError as exc:
            if exc.problem.code == "device_api_error":
                raise DeviceError(problem("device_login_failed", address=str(self.address), user=self.user,
                                          detail=exc.problem.params.get("detail", ""))) from None
            raise
        self._token = data.token

    # -- discovery -------------------------------------------------------------------------
    def version(self) -> str:
        reply = self._reply("GET", "/api/version", step="version")
        data = self._data(reply, "version")
        return answers.check(answers.VersionData, {"value": data}, address=str(self.address), step="version",
                             prefix="data").text

    def user_info(self) -> answers.UserInfo | None:
        """queryUserInfo, or None when this firmware wants a token for it and we have none."""
        try:
            return self._api("GET", "/api/userMgr/queryUserInfo", answers.UserInfo, step="queryUserInfo")
        except DeviceError as exc:
            if exc.problem.code == "device_login_required":
                return None
            raise

    def discover(self) -> DeviceStatus:
        """Reachable? firmware version, first-login pending, SSH enabled, current model.json."""
        version = self.version()  # raises device_unreachable with the cable/driver hint
        info = self.user_info()
        model, issue = None, None
        try:
            model = self.model_info()
        except DeviceError as exc:
            # The model.json about to be replaced may be anything (written by hand, by an old
            # tool): say so, but do not stop the deploy that replaces it.
            if exc.problem.code == "device_unexpected_answer":
                issue = exc.problem
            elif exc.problem.code != "device_login_required":
                raise
        return DeviceStatus(
            address=str(self.address),
            reachable=True,
            version=version,
            first_login=info.firstLogin if info else None,
            ssh_enabled=info.sshEnabled if info else None,
            user_name=info.userName if info else "",
            login_required=info is None,
            model_info=model,
            model_info_issue=issue,
        )

    # -- model -----------------------------------------------------------------------------
    def model_info_text(self) -> str:
        """The active model.json exactly as stored ("" when the device has none)."""
        return self._api("GET", "/api/deviceMgr/getModelInfo", answers.ModelInfoData, step="getModelInfo").model_info

    def model_info(self) -> dict[str, Any] | None:
        """The active model.json, parsed and checked (model_name, classes...); None when absent."""
        text = self.model_info_text()
        if not text:
            return None
        answers.check_json_text(answers.ModelJson, text, address=str(self.address), step="getModelInfo",
                                what="data.model_info")
        return json.loads(text)  # the checked document itself, key order kept

    def model_file(self) -> bytes | None:
        """The active model's bytes (getModelFile), for a read-back check and the restore copy;
        None when this firmware has no such call (HTTP 404)."""
        reply = self._reply("GET", "/api/deviceMgr/getModelFile", step="getModelFile", timeout=self.upload_timeout)
        if reply.status == 404:
            return None
        if reply.status != 200 or reply.header("Content-Type").startswith("application/json"):
            self._data(reply, "getModelFile")  # raises with the device's message
            raise DeviceError(problem("device_unexpected_answer", address=str(self.address), step="getModelFile",
                                      field="body", expected="the model file", found=f"HTTP {reply.status}"))
        return reply.body

    def upload_model(
        self,
        path: str | Path,
        model_info: Mapping[str, Any] | str,
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
        model_info: Mapping[str, Any] | str,
        *,
        chunk_size: int = CHUNK_SIZE,
        cancel: threading.Event | None = None,
        report: UploadReport | None = None,
    ) -> Iterator[tuple[int, int]]:
        """Like upload_model, yielding (bytes acknowledged, total) after each request, so the
        caller can emit progress and cancel between chunks in its own thread. ``model_info`` as a
        string is sent as is (a restore puts back the exact text it kept)."""
        path = Path(path)
        total = path.stat().st_size
        info_text = model_info if isinstance(model_info, str) else json.dumps(dict(model_info), ensure_ascii=False)
        digest = hashlib.md5()
        report = report if report is not None else UploadReport(total=0, chunks=0, md5="")
        report.total = total
        with path.open("rb") as handle:
            if total <= chunk_size:
                data = handle.read()
                digest.update(data)
                parts = [("model_file", (path.name, data, OCTET_STREAM)), ("model_info", (None, info_text))]
                report.last_chunk_sent = True
                reply = self._send_part(parts, 0, total, cancel)
                if reply.legacy:  # old firmware: wrote <model_dir>/<filename> and activated nothing
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
                last = offset + chunk_size >= total  # same test as the web client
                parts = chunk_parts(data, offset, total, info_text if last else None)
                report.last_chunk_sent = last
                reply = self._send_part(parts, offset, total, cancel)
                if reply.received is None:  # old firmware ignores offset/size
                    raise DeviceError(problem("deploy_chunked_unsupported", version=self._safe_version()))
                if reply.received != offset + len(data):
                    raise DeviceError(problem("device_unexpected_answer", address=str(self.address),
                                              step="uploadModel", field="data.received",
                                              expected=str(offset + len(data)), found=str(reply.received)))
                report.replies.append(reply)
                report.chunks += 1
                offset += len(data)
                if offset >= total:
                    report.md5 = digest.hexdigest()
                yield offset, total

    def _send_part(self, parts: list, offset: int, total: int, cancel: threading.Event | None) -> answers.UploadData:
        last_error = ""
        for _attempt in range(self.chunk_retries + 1):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            try:
                return self._api("POST", "/api/deviceMgr/uploadModel", answers.UploadData, files=parts,
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

    # -- what a restore point needs (restore.CameraFiles) --------------------------------------
    def read_active(self) -> tuple[bytes | None, str]:
        return self.model_file(), self.model_info_text()

    def free_space(self) -> int | None:
        if not self.can_log_in:  # fileMgr needs the token: do not even ask without a password
            raise DeviceError(problem("device_login_required", address=str(self.address), step="fileMgr/list"))
        return self.list_folder("").free

    def copy_on_camera(self, data: bytes, info_text: str) -> tuple[str, str | None]:
        if CAMERA_COPY_DIR not in {d.name for d in self.list_folder("").directories}:
            self.make_folder(CAMERA_COPY_DIR)
        self.put_file(CAMERA_COPY_DIR, COPY_MODEL, data)
        info_path = None
        if info_text:  # fileMgr skips empty parts: there is nothing to copy then anyway
            self.put_file(CAMERA_COPY_DIR, COPY_INFO, info_text.encode("utf-8"))
            info_path = f"{USERDATA}/{CAMERA_COPY_DIR}/{COPY_INFO}"
        return f"{USERDATA}/{CAMERA_COPY_DIR}/{COPY_MODEL}", info_path

    def fetch_copy(self, path: str) -> bytes:
        if not path.startswith(USERDATA + "/"):
            raise DeviceError(problem("device_api_error", step="fileMgr/download",
                                      detail=f"{path} is not in {USERDATA}"))
        return self.get_file(path[len(USERDATA) + 1:])

    # -- files in /userdata (fileMgr; needs the login) ---------------------------------------
    def list_folder(self, path: str = "") -> answers.FileListData:
        """A folder under /userdata; the root ("") also reports free space on new firmware."""
        return self._api("POST", "/api/fileMgr/list", answers.FileListData, step="fileMgr/list",
                         json_body={"storage": "local", "path": path})

    def make_folder(self, path: str) -> None:
        self._api("POST", "/api/fileMgr/mkdir", answers.FolderData, step="fileMgr/mkdir",
                  json_body={"storage": "local", "path": path})

    def put_file(self, folder: str, name: str, data: bytes) -> None:
        """Write ``folder/name`` under /userdata (one request; the file is replaced)."""
        sent = self._api("POST", f"/api/fileMgr/upload?path={quote(folder)}&storage=local", answers.FileUploadData,
                         step="fileMgr/upload", files=[("file", (name, data, OCTET_STREAM))],
                         timeout=self.upload_timeout)
        mine = next((u for u in sent.uploads if u.filename == name), None)
        complete = mine is not None and mine.status == "success" and mine.size in (None, len(data))
        if sent.count < 1 or not complete:
            raise DeviceError(problem("device_unexpected_answer", address=str(self.address), step="fileMgr/upload",
                                      field="data.uploads", expected=f"{name}: success, {len(data)} bytes",
                                      found=answers.short(sent.model_dump())))

    def get_file(self, path: str) -> bytes:
        """The bytes of ``path`` under /userdata (fileMgr/download)."""
        reply = self._reply("GET", f"/api/fileMgr/download?path={quote(path)}&storage=local",
                            step="fileMgr/download", timeout=self.upload_timeout)
        if reply.status != 200 or reply.header("Content-Type").startswith("application/json"):
            self._data(reply, "fileMgr/download")  # raises with the device's message
            raise DeviceError(problem("device_unexpected_answer", address=str(self.address), step="fileMgr/download",
                                      field="body", expected="the file", found=f"HTTP {reply.status}"))
        return reply.body


def file_md5(path: str | os.PathLike) -> str:
    return md5_file(path)
