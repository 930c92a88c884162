"""A loopback-only reCamera simulator for tests and benchmarks.

Three servers on 127.0.0.1, each on a free port:
- the supervisor web API (port 80 on the camera): version, userMgr/login, userMgr/queryUserInfo,
  deviceMgr/getModelInfo, getModelFile, uploadModel (chunked and single), queryServiceStatus;
- the Node-RED admin API (1880 on the camera): GET/POST /flows with rev, /flows/state;
- the model node's WebSocket (8090 on the camera): JSON result frames with a JPEG.

It follows recamera.md and the sources cited in wizard/core/device/client.py. Where the real
device is lax it is stricter on purpose (an offset gap or a missing offset/size part is refused;
the C++ supervisor would fseek past the end and leave a hole) so client bugs show up here.

Fault injection: drop the connection mid-chunk (read part of the body, then reset), refuse
uploads, slow every reply, emulate the old firmware that ignores offset/size, require a token;
and any wrong answer on demand (``sim.misbehave(path, ...)``): another JSON document, a body that
is not JSON, a reply shorter than its Content-Length, raw bytes with a broken header line, a
reply that comes too late.

The supervisor's file manager (fileMgr list/mkdir/upload/download under /userdata, token needed)
reports total/used/free on the root; ``sim.free_bytes`` sets what it reports.

It refuses to bind anything but 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from wizard.core.device.auth import decrypt_password

LOOPBACK = "127.0.0.1"
FACTORY_MODEL_URI = "/usr/share/supervisor/models/yolo11n_cv181x_int8.cvimodel"


def _check_loopback(host: str) -> None:
    if host != LOOPBACK:
        raise ValueError(f"the simulator binds only {LOOPBACK}, not {host!r}")


def make_cvimodel(path: Path, *, chip: str = "cv181x", body: bytes | None = None, size: int = 0,
                  num_classes: int = 80) -> Path:
    """A real .cvimodel (the toolchain double's writer: header, cvi.model flatbuffer, sections; the
    real model_tool reads it) with the six YOLO11 head outputs of a guide-built 640 px model.
    ``size`` pads the weight section to about that many bytes; ``body`` seeds the section bytes."""
    from cvimodel_factory import double_cvimodel

    return double_cvimodel(path, chip=chip, num_classes=num_classes, file_size=size,
                           seed=hashlib.sha256(body or b"").hexdigest())


def default_flows() -> list[dict[str, Any]]:
    """The factory flow shape (sscma-example-sg200x www/src/utils/index.ts DefaultFlowData),
    with the factory yolo11n uri and non-default thresholds so tests can see they are kept."""
    return [
        {"id": "30a71ccb9b1d15ef", "type": "tab", "label": "Flow 1", "disabled": False, "info": "", "env": []},
        {"id": "9d4b3a6a5e8eaea6", "type": "sscma", "host": "localhost", "mqttport": "1883", "apiport": "80",
         "clientid": "recamera", "username": "", "password": ""},
        {"id": "144cb94c134b5e2a", "type": "camera", "z": "30a71ccb9b1d15ef", "option": 0, "light": False,
         "client": "9d4b3a6a5e8eaea6", "x": 150, "y": 140, "wires": [["a7f38a5be039ae97"]]},
        {"id": "a7f38a5be039ae97", "type": "model", "z": "30a71ccb9b1d15ef", "name": "", "uri": FACTORY_MODEL_URI,
         "model": "YOLO11n Detection", "tscore": 0.62, "tiou": 0.33, "debug": True, "trace": False,
         "counting": False, "classes": "person,bicycle,car", "splitter": "0,0,0,0",
         "client": "9d4b3a6a5e8eaea6", "x": 350, "y": 140, "wires": [["b1"]]},
        {"id": "b1", "type": "preview", "z": "30a71ccb9b1d15ef", "active": True, "pass": False, "x": 550,
         "y": 140, "wires": []},
    ]


@dataclass
class Faults:
    drop_upload_skip: int = 0  # upload requests to let through before dropping
    drop_upload_count: int = 0  # how many upload requests to drop after that
    refuse_uploads: bool = False
    delay: float = 0.0  # seconds added before every supervisor reply
    legacy_upload: bool = False  # firmware that ignores offset/size and writes <dir>/<filename>
    require_auth: bool = False  # Go supervisor: uploadModel/getModel* need a token
    userinfo_needs_auth: bool = False  # C++ api_user.h REG_API(queryUserInfo)
    nodered_down: bool = False  # Node-RED answers 503
    no_model_file_api: bool = False  # firmware without getModelFile (404)
    corrupt_upload: bool = False  # flip one byte of the stored model (a bad flash write)
    nodered_conflicts: int = 0  # POST /flows calls answered 409 as if someone deployed in between


_UNSET = object()


@dataclass
class Misbehaviour:
    """One wrong answer (see ReCameraSimulator.misbehave)."""

    json: Any = _UNSET  # this JSON document instead of the right answer
    body: bytes | None = None  # these bytes as the body (Content-Type application/json all the same)
    raw: bytes | None = None  # written to the socket as they are: status line, headers, body
    declared_length: int | None = None  # announce this Content-Length, send the body, close
    delay: float = 0.0  # seconds before answering at all
    pass_through: bool = False  # after the delay, answer correctly (a slow camera, not a wrong one)
    method: str = ""  # only requests with this method ("POST"...); "" = any
    skip: int = 0  # requests to this path answered correctly first
    times: int = 1_000_000  # how many requests misbehave after that
    seen: int = 0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body_size: int
    info: dict[str, Any] = field(default_factory=dict)


class ReCameraSimulator:
    """Start with ``with ReCameraSimulator(tmp_path) as sim:``; ports in sim.http_port etc."""

    def __init__(self, root: Path, host: str = LOOPBACK, *, version: str = "0.2.2", first_login: bool = False,
                 ssh_enabled: bool = True, user: str = "recamera", password: str = "recamera",
                 frames_per_connection: int = 5, with_websocket: bool = True):
        _check_loopback(host)
        self.host = host
        self.root = Path(root)
        self.userdata = self.root / "userdata"
        self.models_dir = self.userdata / "Models"
        self.factory_dir = self.root / "usr/share/supervisor/models"
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self.factory_dir.mkdir(parents=True, exist_ok=True)
        self.version = version
        self.first_login = first_login
        self.ssh_enabled = ssh_enabled
        self.user = user
        self.password = password  # the simulated device's own password (test data, not a secret)
        self.frames_per_connection = frames_per_connection
        self.with_websocket = with_websocket
        self.faults = Faults()
        self.requests: list[Recorded] = []
        self.nodered_requests: list[Recorded] = []
        self.tokens: set[str] = set()
        self.login_failures = 0
        self.locked_until = 0.0
        self.flow_state = "start"
        self.flows = default_flows()
        self.rev = self._rev(self.flows)
        self.deploys: list[dict[str, Any]] = []
        self.loaded_model: dict[str, Any] = {}
        self.misbehaviours: dict[str, Misbehaviour] = {}
        self.free_bytes: int | None = 6 * 1024**3  # what fileMgr/list reports; None: not reported
        self.file_requests: list[Recorded] = []
        self._lock = threading.RLock()
        self._upload_requests = 0
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._ws_server = None
        # Factory model and a previous custom model already active, like a used camera.
        make_cvimodel(self.factory_dir / "yolo11n_cv181x_int8.cvimodel", size=4096)
        (self.factory_dir / "yolo11n_cv181x_int8.json").write_text(json.dumps(
            {"model_id": "10001", "model_name": "YOLO11n Detection", "classes": ["person", "bicycle", "car"]}))
        make_cvimodel(self.active_model, body=b"previous-model" * 100)
        self.active_info.write_text(json.dumps({"model_id": "0", "model_name": "previous.cvimodel",
                                                "classes": ["old_a", "old_b"]}))
        self._reload_model()

    # -- paths -------------------------------------------------------------------------------
    @property
    def active_model(self) -> Path:
        return self.models_dir / "model.cvimodel"

    @property
    def active_info(self) -> Path:
        return self.models_dir / "model.json"

    def device_path(self, uri: str) -> Path:
        """Map a path on the camera to the simulator's folders."""
        if not uri:
            return self.active_model
        if uri.startswith("/userdata/"):
            return self.userdata / uri[len("/userdata/"):]
        return self.root / uri.lstrip("/")

    @staticmethod
    def _rev(flows: list[dict[str, Any]]) -> str:
        return hashlib.sha1(json.dumps(flows, sort_keys=True).encode()).hexdigest()[:16]

    def model_node(self) -> dict[str, Any]:
        return next(n for n in self.flows if n.get("type") == "model")

    def misbehave(self, path: str, **how: Any) -> Misbehaviour:
        """Answer requests to ``path`` (e.g. "/api/deviceMgr/getModelInfo", "/flows") wrongly."""
        self.misbehaviours[path] = Misbehaviour(**how)
        return self.misbehaviours[path]

    def _misbehaviour(self, path: str, method: str) -> Misbehaviour | None:
        with self._lock:
            bad = self.misbehaviours.get(path)
            if bad is None or (bad.method and bad.method != method):
                return None
            bad.seen += 1
            return bad if bad.skip < bad.seen <= bad.skip + bad.times else None

    def upload_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/api/deviceMgr/uploadModel")]

    def _reload_model(self) -> None:
        """What sscma-node does on a (re)deploy: load the node's uri and model.json's classes."""
        node = next((n for n in self.flows if n.get("type") == "model" and not n.get("d")), None)
        if node is None:
            self.loaded_model = {}
            return
        path = self.device_path(str(node.get("uri", "")))
        info_path = path.with_suffix(".json")
        classes: list[str] = []
        if info_path.exists():
            try:
                classes = list(json.loads(info_path.read_text()).get("classes", []))
            except ValueError:
                classes = []
        if not classes:
            classes = [c for c in str(node.get("classes", "")).split(",") if c]
        data = path.read_bytes() if path.exists() else b""
        self.loaded_model = {"path": str(path), "md5": hashlib.md5(data).hexdigest() if data else "",
                             "classes": classes, "tscore": node.get("tscore"), "tiou": node.get("tiou")}

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> "ReCameraSimulator":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self.http_port = self._serve(_SupervisorHandler)
        self.nodered_port = self._serve(_NodeRedHandler)
        self.ws_port = self._start_ws() if self.with_websocket else 0

    def _serve(self, handler_cls) -> int:
        sim = self

        class Handler(handler_cls):
            simulator = sim

        server = _QuietServer((self.host, 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  name=f"sim-{handler_cls.__name__}", daemon=True)
        thread.start()
        self._servers.append(server)
        self._threads.append(thread)
        return server.server_address[1]

    def _start_ws(self) -> int:
        from websockets.sync.server import serve

        self._ws_server = serve(self._ws_session, self.host, 0)
        thread = threading.Thread(target=self._ws_server.serve_forever, name="sim-ws", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self._ws_server.socket.getsockname()[1]

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        if self._ws_server is not None:
            self._ws_server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)

    @property
    def device(self) -> str:
        return f"{self.host}:{self.http_port}"

    # -- WebSocket ---------------------------------------------------------------------------
    def _ws_session(self, websocket) -> None:
        for index in range(self.frames_per_connection):
            try:
                websocket.send(json.dumps(self.make_frame(index)))
            except Exception:
                return
            time.sleep(0.02)

    def make_frame(self, index: int) -> dict[str, Any]:
        from PIL import Image, ImageDraw

        width, height = 640, 360
        image = Image.new("RGB", (width, height), (40 + index * 10 % 200, 90, 140))
        ImageDraw.Draw(image).rectangle([200, 100, 320, 260], fill=(220, 200, 40))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=70)
        labels = list(self.loaded_model.get("classes", []))
        cls = 0  # one object of the model's first class
        # boxes [cx, cy, w, h, score, class] (recamera.md; node-red-contrib-sscma model.html help);
        # perf [[pre, infer, post]] in ms, as sscma-node's MQTT/JSON replies carry it.
        return {
            "type": 1,
            "name": "invoke",
            "code": 0,
            "data": {
                "count": index,
                "image": base64.b64encode(buffer.getvalue()).decode("ascii"),
                "boxes": [[260, 180, 120, 160, 87, cls]],
                "labels": labels[:1] if labels else [],
                "resolution": [width, height],
                "perf": [[12, 46, 1]],
            },
        }


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A client that gave up (a timeout test) makes the late reply fail with a broken pipe:
        # expected, so not printed; anything else still is.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _parse_multipart(body: bytes, content_type: str) -> list[dict[str, Any]] | None:
    marker = "boundary="
    if "multipart/form-data" not in content_type or marker not in content_type:
        return None
    boundary = content_type.split(marker, 1)[1].split(";")[0].strip().strip('"').encode()
    parts = []
    for chunk in body.split(b"--" + boundary):
        if chunk in (b"", b"--", b"--\r\n") or chunk.startswith(b"--"):
            continue
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        name = filename = ""
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line.lower().startswith("content-disposition"):
                for item in line.split(";"):
                    item = item.strip()
                    if item.startswith("name="):
                        name = item[5:].strip('"')
                    elif item.startswith("filename="):
                        filename = item[9:].strip('"')
        parts.append({"name": name, "filename": filename, "data": data})
    return parts


class _BaseHandler(BaseHTTPRequestHandler):
    simulator: ReCameraSimulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, status: int, payload: Any = None, *, raw: bytes | None = None,
              content_type: str = "application/json") -> None:
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _misbehaved(self) -> bool:
        """Give the wrong answer set up for this path, if any (the request body is read first)."""
        bad = self.simulator._misbehaviour(urlsplit(self.path).path, self.command)
        if bad is None:
            return False
        if bad.pass_through:
            time.sleep(bad.delay)
            return False
        if self.command == "POST":
            self._body()
        if bad.delay:
            time.sleep(bad.delay)
        if bad.raw is not None:
            self.wfile.write(bad.raw)
            self.close_connection = True
            return True
        body = bad.body if bad.body is not None else json.dumps(None if bad.json is _UNSET else bad.json).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(bad.declared_length if bad.declared_length is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)
        if bad.declared_length is not None:
            self.close_connection = True
        return True

    def _reset(self) -> None:
        """Close with RST, like a camera that lost power or a cable pulled mid-transfer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


class _SupervisorHandler(_BaseHandler):
    def _ok(self, data: Any = None, **extra: Any) -> None:
        self._send(200, {"code": 0, "msg": "OK", "data": {} if data is None else data, **extra})

    def _fail(self, msg: str) -> None:
        self._send(200, {"code": -1, "msg": msg, "data": {}})

    def _authorized(self) -> bool:
        return self.headers.get("Authorization", "") in self.simulator.tokens

    def _record(self, body_size: int, **info: Any) -> None:
        self.simulator.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body_size, info))

    def do_GET(self) -> None:
        sim = self.simulator
        path = urlsplit(self.path).path
        self._record(0)
        if self._misbehaved():
            return
        if sim.faults.delay:
            time.sleep(sim.faults.delay)
        if path.startswith("/api/fileMgr/"):
            return self._files(path, {})
        if path == "/api/version":
            self._ok(sim.version, uptime=1000, timestamp=int(time.time()))
        elif path == "/api/userMgr/queryUserInfo":
            if sim.faults.userinfo_needs_auth and not self._authorized():
                return self._send(401, {"code": -1, "msg": "Unauthorized"})
            self._ok({"userName": sim.user, "firstLogin": sim.first_login, "sshEnabled": sim.ssh_enabled})
        elif path == "/api/deviceMgr/queryServiceStatus":
            self._ok({"sscmaNode": 0, "nodeRed": 0, "system": 0})
        elif path == "/api/deviceMgr/getModelInfo":
            if sim.faults.require_auth and not self._authorized():
                return self._send(401, {"code": -1, "msg": "Unauthorized"})
            text = sim.active_info.read_text() if sim.active_info.exists() else ""
            self._ok({"model_info": text})
        elif path == "/api/deviceMgr/getModelFile" and sim.faults.no_model_file_api:
            self._send(404, {"code": -1, "msg": "API not implemented"})
        elif path == "/api/deviceMgr/getModelFile":
            if sim.faults.require_auth and not self._authorized():
                return self._send(401, {"code": -1, "msg": "Unauthorized"})
            if not sim.active_model.exists():
                return self._fail("Invalid model file.")
            self._send(200, raw=sim.active_model.read_bytes(), content_type="application/octet-stream")
        else:
            self._send(404, {"code": -1, "msg": "API not implemented"})

    def do_POST(self) -> None:
        sim = self.simulator
        path = urlsplit(self.path).path
        if self._misbehaved():
            return self._record(0, misbehaved=True)
        if sim.faults.delay:
            time.sleep(sim.faults.delay)
        if path == "/api/deviceMgr/uploadModel":
            return self._upload()
        body = self._body()
        self._record(len(body))
        if path == "/api/userMgr/login":
            return self._login(body)
        if path.startswith("/api/fileMgr/"):
            return self._files(path, self._params(body))
        self._send(404, {"code": -1, "msg": "API not implemented"})

    def _params(self, body: bytes) -> dict[str, Any]:
        """fileMgr reads its parameters from the query, a JSON body or a form (api_file.h getParam)."""
        params: dict[str, Any] = dict(parse_qsl(urlsplit(self.path).query))
        content_type = self.headers.get("Content-Type", "")
        if "application/json" in content_type and body:
            try:
                params.update(json.loads(body))
            except ValueError:
                pass
        elif "multipart/form-data" in content_type:
            params["_parts"] = _parse_multipart(body, content_type) or []
        return params

    def _files(self, path: str, params: dict[str, Any]) -> None:
        """fileMgr (api_file.h / internal/handler/file.go), rooted at /userdata, token needed."""
        sim = self.simulator
        if not self._authorized():
            return self._send(401, {"code": -1, "msg": "Unauthorized"})
        if not params:
            params = dict(parse_qsl(urlsplit(self.path).query))
        name = path.rsplit("/", 1)[-1]
        relative = str(params.get("path", "")).strip("/")
        sim.file_requests.append(Recorded(self.command, self.path, dict(self.headers.items()), 0,
                                          {"call": name, "path": relative}))
        if any(part.startswith(".") for part in relative.split("/") if part) or ".." in relative:
            return self._fail("Invalid path.")
        target = sim.userdata / relative if relative else sim.userdata
        if name == "list":
            if not target.is_dir():
                return self._fail("Path does not exist.")
            data: dict[str, Any] = {"path": relative, "storage": "local", "directories": [], "files": []}
            for entry in sorted(target.iterdir()):
                if entry.name.startswith("."):
                    continue
                kind = "directories" if entry.is_dir() else "files"
                data[kind].append({"name": entry.name, "type": kind[:-1] if kind == "files" else "directory",
                                   "size": entry.stat().st_size if entry.is_file() else 0, "modified": 0})
            if not relative and sim.free_bytes is not None:
                data.update(total=8 * 1024**3, free=sim.free_bytes, used=8 * 1024**3 - sim.free_bytes)
            return self._ok(data)
        if name == "mkdir":
            if target.exists():
                return self._fail("Path already exists.")
            target.mkdir(parents=True)
            return self._ok({"path": relative, "storage": "local"})
        if name == "upload":
            if not target.is_dir():
                return self._fail("Upload directory does not exist.")
            results, count = [], 0
            for part in params.get("_parts", []):
                if part["name"] != "file" or not part["filename"]:
                    continue
                (target / part["filename"]).write_bytes(part["data"])
                results.append({"filename": part["filename"], "status": "success", "size": len(part["data"]),
                                "storage": "local"})
                count += 1
            if not count:
                return self._send(200, {"code": -1, "msg": "Upload failed.", "data": {"uploads": results, "count": 0}})
            return self._ok({"uploads": results, "count": count, "storage": "local"})
        if name == "download":
            if not target.is_file():
                return self._fail("File does not exist.")
            return self._send(200, raw=target.read_bytes(), content_type="application/octet-stream")
        self._send(404, {"code": -1, "msg": "API not implemented"})

    def _login(self, body: bytes) -> None:
        sim = self.simulator
        if time.time() < sim.locked_until:
            return self._fail("Too many failed attempts, try again in 60 seconds.")
        try:
            request = json.loads(body)
            password = decrypt_password(request.get("password", ""))
        except (ValueError, UnicodeDecodeError):
            password, request = None, {}
        if request.get("userName") != sim.user or password != sim.password:
            sim.login_failures += 1
            if sim.login_failures >= 5:  # recamera.md: 5 failures lock login for 60 s
                sim.locked_until = time.time() + 60
            return self._fail("Incorrect username or password.")
        sim.login_failures = 0
        token = secrets.token_hex(16)
        sim.tokens.add(token)
        self._ok({"token": token, "expire": 3 * 24 * 3600})

    def _upload(self) -> None:
        sim = self.simulator
        length = int(self.headers.get("Content-Length") or 0)
        with sim._lock:
            sim._upload_requests += 1
            number = sim._upload_requests
        faults = sim.faults
        if faults.drop_upload_count and faults.drop_upload_skip < number <= faults.drop_upload_skip + faults.drop_upload_count:
            self.rfile.read(max(1, length // 3))  # part of the chunk arrives, then the link dies
            self._record(length, dropped=True)
            return self._reset()
        body = self.rfile.read(length) if length else b""
        if faults.require_auth and not self._authorized():
            self._record(len(body), refused="auth")
            return self._send(401, {"code": -1, "msg": "Unauthorized"})
        parts = _parse_multipart(body, self.headers.get("Content-Type", ""))
        info: dict[str, Any] = {}
        self._record(len(body), **info)
        record = sim.requests[-1].info
        if faults.refuse_uploads:
            record["refused"] = "fault"
            return self._fail("Failed to open model file for writing.")
        if not parts:
            record["refused"] = "no parts"
            return self._fail("No model file or model info provided.")
        named = {p["name"]: p for p in parts}
        if faults.legacy_upload:
            # Old supervisor (api_device.cpp, early commit): each model_file part is written to
            # <model_dir>/<filename>; no .tmp, no offset, no "received" in the reply.
            written = []
            for part in parts:
                if part["name"] == "model_file" and part["filename"] and part["data"]:
                    (sim.models_dir / part["filename"]).write_bytes(part["data"])
                    written.append(part["filename"])
            return self._ok({"list": written, "count": len(written)})
        offset_part, size_part = named.get("offset"), named.get("size")
        model_part, info_part = named.get("model_file"), named.get("model_info")
        record.update(offset=offset_part and offset_part["data"].decode(), size=size_part and size_part["data"].decode(),
                      length=len(model_part["data"]) if model_part else 0, has_info=info_part is not None)
        tmp_model = sim.active_model.with_name("model.cvimodel.tmp")
        tmp_info = sim.active_info.with_name("model.json.tmp")
        data: dict[str, Any] = {}
        if (offset_part is None) != (size_part is None):
            record["refused"] = "missing part"
            return self._fail("offset and size must be sent together.")
        if offset_part is not None:
            try:
                offset, total = int(offset_part["data"]), int(size_part["data"])
            except ValueError:
                record["refused"] = "bad number"
                return self._fail("Failed to parse offset or size.")
            if model_part is None or not model_part["data"]:
                record["refused"] = "missing part"
                return self._fail("No model file chunk provided.")
            chunk = model_part["data"]
            have = tmp_model.stat().st_size if tmp_model.exists() else None
            if offset != 0 and have != offset:
                # Stricter than the device (which fseeks past the end): refuse gaps and overlaps.
                record["refused"] = "offset gap"
                return self._fail(f"Offset {offset} does not follow the {have or 0} bytes received.")
            if offset + len(chunk) > total:
                record["refused"] = "past size"
                return self._fail("Chunk goes past the announced size.")
            mode = "wb" if offset == 0 else "r+b"
            with open(tmp_model, mode) as handle:
                handle.seek(offset)
                handle.write(chunk)
            data.update(offset=offset + len(chunk), received=offset + len(chunk))
            if offset + len(chunk) < total:
                return self._ok(data)
            if info_part is not None and info_part["data"]:
                tmp_info.write_bytes(info_part["data"])
            if faults.corrupt_upload:
                with open(tmp_model, "r+b") as handle:
                    handle.seek(100)
                    byte = handle.read(1)
                    handle.seek(100)
                    handle.write(bytes([byte[0] ^ 0xFF]))
            tmp_model.replace(sim.active_model)
            data["list"] = [{"model_file": "/userdata/Models/model.cvimodel"}]
            if info_part is not None and info_part["data"]:
                tmp_info.replace(sim.active_info)
                data["list"].append({"model_info": "/userdata/Models/model.json"})
            return self._ok(data)
        # Single request ("legacy mode" in the newer supervisor).
        if model_part is None and info_part is None:
            record["refused"] = "no parts"
            return self._fail("No model file or model info provided.")
        data["list"] = []
        if model_part is not None and model_part["data"]:
            tmp_model.write_bytes(model_part["data"])
            tmp_model.replace(sim.active_model)
            data["list"].append({"model_file": "/userdata/Models/model.cvimodel"})
        if info_part is not None and info_part["data"]:
            tmp_info.write_bytes(info_part["data"])
            tmp_info.replace(sim.active_info)
            data["list"].append({"model_info": "/userdata/Models/model.json"})
        self._ok(data)


class _NodeRedHandler(_BaseHandler):
    def _record(self, body_size: int, **info: Any) -> None:
        self.simulator.nodered_requests.append(
            Recorded(self.command, self.path, dict(self.headers.items()), body_size, info))

    def do_GET(self) -> None:
        sim = self.simulator
        self._record(0)
        if self._misbehaved():
            return
        if sim.faults.nodered_down:
            return self._send(503, {"error": "starting"})
        path = urlsplit(self.path).path
        if path == "/flows":
            if self.headers.get("Node-RED-API-Version") == "v2":
                return self._send(200, {"rev": sim.rev, "flows": sim.flows})
            return self._send(200, sim.flows)
        if path == "/flows/state":
            return self._send(200, {"state": sim.flow_state})
        self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        sim = self.simulator
        if self._misbehaved():
            return self._record(0, misbehaved=True)
        body = self._body()
        path = urlsplit(self.path).path
        self._record(len(body), deployment_type=self.headers.get("Node-RED-Deployment-Type", ""))
        if sim.faults.nodered_down:
            return self._send(503, {"error": "starting"})
        try:
            payload = json.loads(body)
        except ValueError:
            return self._send(400, {"code": "invalid_request", "message": "Invalid JSON"})
        if path == "/flows/state":
            sim.flow_state = payload.get("state", sim.flow_state)
            return self._send(200, {"state": sim.flow_state})
        if path != "/flows":
            return self._send(404, {"error": "not found"})
        if sim.faults.nodered_conflicts:
            sim.faults.nodered_conflicts -= 1
            with sim._lock:  # another editor deployed: the flow (and so its rev) changed
                sim.flows = sim.flows + [{"id": f"other-{len(sim.flows)}", "type": "comment", "z": sim.flows[0]["id"]}]
                sim.rev = sim._rev(sim.flows)
            return self._send(409, {"code": "version_mismatch", "message": "Error"})
        if isinstance(payload, dict):
            if "rev" in payload and payload["rev"] != sim.rev:
                return self._send(409, {"code": "version_mismatch", "message": "Error"})
            flows = payload.get("flows")
        else:
            flows = payload
        if not isinstance(flows, list) or not all(isinstance(n, dict) and "id" in n and "type" in n for n in flows):
            return self._send(400, {"code": "invalid_request", "message": "Invalid flow configuration"})
        with sim._lock:
            sim.flows = flows
            sim.rev = sim._rev(flows)
            sim.deploys.append({"type": self.headers.get("Node-RED-Deployment-Type", "full"), "rev": sim.rev})
            sim._reload_model()
        self._send(200, {"rev": sim.rev})


def closed_loopback_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
