"""Deploy over SSH/SFTP (paramiko): for firmware without chunked HTTP upload, or by preference.

The active model lives in ``<base>/Models`` (``<base>/MODEL`` on firmware up to 0.2.0; recamera.md).
``base`` is ``/userdata`` on the camera and a parameter so tests map it to a temporary folder.
Each file goes to a temporary name in the same folder, is checked (size, then md5sum on the
camera or a read-back), and only then renamed over the active file with posix-rename, so an
interrupted transfer never leaves a half-written model active.

Host keys: checked against known_hosts. An unknown camera is refused with its SHA256 fingerprint
so the user can confirm it (``accept_fingerprint``); a changed key is refused outright.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import secrets
import shlex
import socket
import stat as stat_mod
import threading
import time
from pathlib import Path
from typing import Iterator

from wizard.core.device.client import Cancelled, DeviceError
from wizard.core.events import Event, LogLine, Progress, StepFinished, StepStarted
from wizard.core.messages import problem

BLOCK = 256 * 1024


def fingerprint(key) -> str:
    """OpenSSH-style ``SHA256:...`` fingerprint of a paramiko key."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class HostKeyUnknown(DeviceError):
    def __init__(self, problem_, fingerprint_: str):
        super().__init__(problem_)
        self.fingerprint = fingerprint_


def _known_host_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


class SshDeployer:
    def __init__(
        self,
        host: str,
        *,
        port: int = 22,
        user: str = "recamera",
        password: str | None = None,
        key_filename: str | None = None,
        known_hosts: str | None = None,
        use_system_known_hosts: bool = True,
        accept_fingerprint: str | None = None,
        remote_base: str = "/userdata",
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.user = user
        self._password = password
        self.key_filename = key_filename
        self.known_hosts = Path(known_hosts).expanduser() if known_hosts else Path.home() / ".ssh" / "known_hosts"
        self.use_system_known_hosts = use_system_known_hosts
        self.accept_fingerprint = accept_fingerprint
        self.remote_base = remote_base.rstrip("/") or "/"
        self.timeout = timeout
        self.remote_dir = posixpath.join(self.remote_base, "Models")
        self._client = None
        self._sftp = None

    def __repr__(self) -> str:
        return f"SshDeployer({self.host!r}, port={self.port}, user={self.user!r})"

    @property
    def address(self) -> str:
        return _known_host_name(self.host, self.port)

    # -- connection --------------------------------------------------------------------------
    def connect(self) -> None:
        import paramiko

        deployer = self

        class _ConfirmOrRefuse(paramiko.MissingHostKeyPolicy):
            """Unknown key: accept only the fingerprint the user confirmed; remember it."""

            def missing_host_key(self, client, hostname, key):
                found = fingerprint(key)
                if deployer.accept_fingerprint and deployer.accept_fingerprint.strip() == found:
                    client.get_host_keys().add(hostname, key.get_name(), key)
                    deployer.known_hosts.parent.mkdir(parents=True, exist_ok=True)
                    with deployer.known_hosts.open("a", encoding="utf-8") as handle:
                        handle.write(f"{hostname} {key.get_name()} {key.get_base64()}\n")
                    return
                raise HostKeyUnknown(problem("ssh_host_unknown", address=deployer.address, fingerprint=found), found)

        client = paramiko.SSHClient()
        if self.use_system_known_hosts:
            try:
                client.load_system_host_keys()
            except OSError:
                pass
        if self.known_hosts.exists():
            client.load_host_keys(str(self.known_hosts))
        client.set_missing_host_key_policy(_ConfirmOrRefuse())
        explicit = self._password is not None or self.key_filename is not None
        try:
            client.connect(
                self.host, port=self.port, username=self.user, password=self._password,
                key_filename=self.key_filename, timeout=self.timeout, banner_timeout=self.timeout,
                auth_timeout=self.timeout, allow_agent=not explicit, look_for_keys=not explicit,
            )
        except HostKeyUnknown:
            client.close()
            raise
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise DeviceError(problem("ssh_host_changed", address=self.address, fingerprint=fingerprint(exc.key),
                                      known_hosts=str(self.known_hosts))) from None
        except paramiko.AuthenticationException as exc:
            client.close()
            raise DeviceError(problem("ssh_auth_failed", user=self.user, detail=str(exc) or "refused")) from None
        except (OSError, socket.timeout, paramiko.SSHException) as exc:
            client.close()
            raise DeviceError(problem("ssh_unreachable", address=self.address, detail=str(exc) or type(exc).__name__)) from None
        self._client = client
        self._sftp = client.open_sftp()

    def close(self) -> None:
        if self._sftp is not None:
            self._sftp.close()
            self._sftp = None
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- helpers -----------------------------------------------------------------------------
    def _is_dir(self, path: str) -> bool:
        try:
            return stat_mod.S_ISDIR(self._sftp.stat(path).st_mode)
        except OSError:
            return False

    def choose_remote_dir(self) -> str:
        models = posixpath.join(self.remote_base, "Models")
        legacy = posixpath.join(self.remote_base, "MODEL")
        if self._is_dir(models):
            return models
        if self._is_dir(legacy):  # firmware <= 0.2.0
            return legacy
        self._sftp.mkdir(models)
        return models

    def _remote_md5(self, path: str) -> str | None:
        """md5sum on the camera (BusyBox has it); None when it cannot run."""
        try:
            _stdin, stdout, _stderr = self._client.exec_command(f"md5sum {shlex.quote(path)}", timeout=60)
            output = stdout.read().decode("utf-8", "replace")
            if stdout.channel.recv_exit_status() != 0:
                return None
        except Exception:  # no exec channel (sftp-only account): fall back to a read-back
            return None
        word = output.split()[0] if output.split() else ""
        return word.lower() if len(word) == 32 else None

    def _readback_md5(self, path: str) -> str:
        digest = hashlib.md5()
        with self._sftp.open(path, "rb") as handle:
            handle.prefetch()
            for block in iter(lambda: handle.read(BLOCK), b""):
                digest.update(block)
        return digest.hexdigest()

    def _fail(self, detail: str) -> DeviceError:
        return DeviceError(problem("ssh_remote_failed", detail=detail, remote_dir=self.remote_dir))

    # -- deploy ------------------------------------------------------------------------------
    def deploy(self, model_path: Path, model_json_text: str, md5: str, *,
               cancel: threading.Event | None = None) -> Iterator[Event]:
        """Upload + verify + activate; yields events (steps "upload" and "verify")."""
        yield StepStarted("upload", command=f"sftp {self.user}@{self.address}")
        t0 = time.monotonic()
        if self._client is None:
            self.connect()
        try:
            self.remote_dir = self.choose_remote_dir()
        except OSError as exc:
            raise self._fail(f"cannot use {self.remote_base}/Models: {exc}") from None
        yield LogLine(f"remote folder {self.remote_dir}", step="upload", stream="runner")
        tag = secrets.token_hex(4)
        tmp_model = posixpath.join(self.remote_dir, f".model.cvimodel.{tag}.tmp")
        tmp_info = posixpath.join(self.remote_dir, f".model.json.{tag}.tmp")
        final_model = posixpath.join(self.remote_dir, "model.cvimodel")
        final_info = posixpath.join(self.remote_dir, "model.json")
        total = model_path.stat().st_size
        done = 0
        try:
            with model_path.open("rb") as local, self._sftp.open(tmp_model, "wb") as remote:
                remote.set_pipelined(True)
                for block in iter(lambda: local.read(BLOCK), b""):
                    if cancel is not None and cancel.is_set():
                        raise Cancelled()
                    remote.write(block)
                    done += len(block)
                    yield Progress("upload", done / total if total else 1.0, f"{done}/{total} bytes", done, total)
            with self._sftp.open(tmp_info, "wb") as remote:
                remote.write(model_json_text.encode("utf-8"))
            yield StepFinished("upload", ok=True, elapsed=time.monotonic() - t0)

            yield StepStarted("verify", command=f"md5sum {tmp_model}")
            t0 = time.monotonic()
            size = self._sftp.stat(tmp_model).st_size
            if size != total:
                raise self._fail(f"{tmp_model} has {size} bytes, expected {total}")
            remote_md5 = self._remote_md5(tmp_model)
            how = "md5sum on the camera"
            if remote_md5 is None:
                remote_md5, how = self._readback_md5(tmp_model), "read back"
            if remote_md5 != md5:
                raise DeviceError(problem("deploy_verify_failed", path=str(model_path),
                                          detail=f"md5 {remote_md5} on the camera, {md5} here"))
            with self._sftp.open(tmp_info, "rb") as handle:
                if handle.read().decode("utf-8") != model_json_text:
                    raise self._fail("model.json differs after writing")
            yield LogLine(f"{total} bytes, md5 {md5} confirmed ({how})", step="verify", stream="runner")
            # Both checked: now replace the active files (atomic rename on the same filesystem).
            self._sftp.posix_rename(tmp_model, final_model)
            self._sftp.posix_rename(tmp_info, final_info)
            yield StepFinished("verify", ok=True, elapsed=time.monotonic() - t0)
        except (Cancelled, DeviceError):
            self._cleanup(tmp_model, tmp_info)
            raise
        except (OSError, EOFError) as exc:
            self._cleanup(tmp_model, tmp_info)
            raise self._fail(str(exc) or type(exc).__name__) from None

    def _cleanup(self, *paths: str) -> None:
        for path in paths:
            try:
                self._sftp.remove(path)
            except Exception:  # best effort: the connection may be gone
                pass
