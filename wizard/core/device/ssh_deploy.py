"""Deploy over SSH/SFTP (paramiko): for firmware without chunked HTTP upload, or by preference.

The active model lives in ``<base>/Models`` (``<base>/MODEL`` on firmware up to 0.2.0; recamera.md).
``base`` is ``/userdata`` on the camera and a parameter so tests map it to a temporary folder.
Each file goes to a temporary name in the same folder, is checked (size, then md5sum on the
camera or a read-back), and only then renamed over the active file with posix-rename, so an
interrupted transfer never leaves a half-written model active.

``/userdata/Models`` belongs to root on the camera, so when the SSH user cannot write there the
files are staged in the user's home folder, checked there, and moved into place with
``sudo -S`` (the password goes to sudo's stdin over the encrypted channel, never on a command
line; the camera's default user has sudo, recamera.md).

Connection, host keys and authentication are wizard.core.ssh's (the same code the VM runner
uses): an unknown camera is refused with its SHA256 fingerprint so the user can confirm it
(``accept_fingerprint``, then remembered in the app's known_hosts); a changed key is refused
outright. Only the messages differ: they speak of the camera, not of a VM.
"""

from __future__ import annotations

import hashlib
import posixpath
import secrets
import shlex
import stat as stat_mod
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from wizard.core.device.client import CAMERA_COPY_DIR, COPY_INFO, COPY_MODEL
from wizard.core.device.errors import Cancelled, DeviceError
from wizard.core.device.lines import line
from wizard.core.events import Event, LogLine, Progress, StepFinished, StepStarted
from wizard.core.messages import WizardError, problem
from wizard.core.ssh.connection import ConnectionLost, SshConnection, SshTarget
from wizard.core.ssh.host_keys import HostKeyChanged, HostKeyUnknown
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings

BLOCK = 256 * 1024


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
        sudo: str = "auto",
        sudo_command: str = "sudo",
    ) -> None:
        self.target = SshTarget(user, host, port)
        self.host = host
        self.port = port
        self.user = user
        self._password = password
        self.key_filename = key_filename
        self.host_keys = HostKeyPolicy(app_known_hosts=Path(known_hosts).expanduser() if known_hosts else None,
                                       trust_user_file=use_system_known_hosts).store()
        self.known_hosts = self.host_keys.app_file
        self.accept_fingerprint = accept_fingerprint
        self.remote_base = remote_base.rstrip("/") or "/"
        self.timeout = timeout
        if sudo not in ("auto", "always", "never"):
            raise ValueError(f"sudo must be auto, always or never, not {sudo!r}")
        self.sudo = sudo  # "auto": only when the user cannot write to the model folder
        self.sudo_command = sudo_command
        self.remote_dir = posixpath.join(self.remote_base, "Models")
        self._connection: SshConnection | None = None
        self._sftp = None
        self.replacing = False  # the active files are being (or were) replaced: past the point of no return

    def __repr__(self) -> str:
        return f"SshDeployer({self.host!r}, port={self.port}, user={self.user!r})"

    @property
    def address(self) -> str:
        return self.target.known_hosts_name

    # -- connection --------------------------------------------------------------------------
    def connect(self) -> None:
        explicit = self._password is not None or self.key_filename is not None
        credentials = SshCredentials(
            key_file=self.key_filename,
            password=self._password,
            allow_agent=not explicit,
            look_for_keys=not explicit,
        )
        connection = SshConnection(self.target, credentials, self.host_keys,
                                   accept_fingerprint=self.accept_fingerprint,
                                   timings=SshTimings(connect_timeout=self.timeout))
        try:
            connection.connect()
            self._sftp = connection.sftp()
        except HostKeyUnknown as exc:
            raise DeviceError(problem("ssh_host_unknown", address=self.address, fingerprint=exc.fingerprint)) from None
        except HostKeyChanged as exc:
            raise DeviceError(problem("ssh_host_changed", address=self.address, fingerprint=exc.fingerprint,
                                      known_hosts=exc.file)) from None
        except ConnectionLost as exc:
            connection.close()
            raise DeviceError(problem("ssh_unreachable", address=self.address, detail=str(exc))) from None
        except WizardError as exc:
            connection.close()
            raise self._camera_problem(exc) from None
        self._connection = connection

    def _camera_problem(self, exc: WizardError) -> WizardError:
        """The connection's VM-worded refusals, said about the camera."""
        params = exc.problem.params
        if exc.problem.code in ("vm_unreachable", "vm_sftp_unavailable"):
            return DeviceError(problem("ssh_unreachable", address=self.address, detail=params.get("detail", "")))
        if exc.problem.code == "vm_auth_failed":
            return DeviceError(problem("ssh_auth_failed", user=self.user, detail=params.get("methods", "")))
        return exc  # a key file that cannot be read is the user's input: its own message fits

    def close(self) -> None:
        self._sftp = None  # owned by the connection, closed with it
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- helpers -----------------------------------------------------------------------------
    def _is_dir(self, path: str) -> bool:
        try:
            return stat_mod.S_ISDIR(self._sftp.stat(path).st_mode)
        except OSError:
            return False

    def choose_remote_dir(self) -> str:
        """Models/, or MODEL/ when only that exists (firmware <= 0.2.0). Creates nothing."""
        models = posixpath.join(self.remote_base, "Models")
        legacy = posixpath.join(self.remote_base, "MODEL")
        if not self._is_dir(models) and self._is_dir(legacy):
            return legacy
        return models

    def _can_write(self, folder: str) -> bool:
        """Whether this user may create files in ``folder`` (creating it if needed)."""
        try:
            if not self._is_dir(folder):
                self._sftp.mkdir(folder)
            probe = posixpath.join(folder, f".wizard-probe-{secrets.token_hex(4)}")
            with self._sftp.open(probe, "wb"):
                pass
            self._sftp.remove(probe)
            return True
        except PermissionError:
            return False
        except OSError as exc:
            if getattr(exc, "errno", None) == 13 or "ermission denied" in str(exc):
                return False
            raise

    def _staging_dir(self) -> str:
        """A folder of the user's own (home) on the same camera, for the sudo path."""
        home = self._sftp.normalize(".")
        folder = posixpath.join(home, ".recamera-wizard")
        if not self._is_dir(folder):
            self._sftp.mkdir(folder)
        return folder

    def _sudo(self, script: str) -> None:
        """Run ``sh -c script`` as root. The password goes on stdin (sudo -S), never in argv."""
        if self._password is not None:
            command = f"{self.sudo_command} -S -p '' sh -c {shlex.quote(script)}"
        else:
            command = f"{self.sudo_command} -n sh -c {shlex.quote(script)}"
        stdin = (self._password + "\n").encode("utf-8") if self._password is not None else None
        try:
            result = self._connection.run(command, stdin=stdin, timeout=120)
        except ConnectionLost as exc:
            raise self._fail(str(exc) or "the connection was lost") from None
        if result.exit_code != 0:
            detail = result.err.strip()[:300] or f"exit status {result.exit_code}"
            raise DeviceError(problem("ssh_sudo_failed", user=self.user, detail=detail, remote_dir=self.remote_dir))

    def _remote_md5(self, path: str) -> str | None:
        """md5sum on the camera (BusyBox has it); None when it cannot run."""
        try:
            result = self._connection.run(f"md5sum {shlex.quote(path)}", timeout=60)
        except (ConnectionLost, WizardError):  # no exec channel (sftp-only account): read back instead
            return None
        if result.exit_code != 0:
            return None
        word = result.out.split()[0] if result.out.split() else ""
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

    # -- what a restore point needs (restore.CameraFiles) --------------------------------------
    def read_active(self) -> tuple[bytes | None, str]:
        """The active model.cvimodel and model.json of the folder chosen for this deploy."""
        try:
            with self._sftp.open(posixpath.join(self.remote_dir, "model.cvimodel"), "rb") as handle:
                handle.prefetch()
                data = handle.read()
        except OSError as exc:
            raise self._fail(f"{self.remote_dir}/model.cvimodel: {exc}") from None
        try:
            with self._sftp.open(posixpath.join(self.remote_dir, "model.json"), "rb") as handle:
                info = handle.read().decode("utf-8", "replace")
        except OSError:
            info = ""  # no model.json (or unreadable): nothing to keep of it
        return data, info

    def free_space(self) -> int | None:
        """Free bytes where the base folder lives (``df -k``, as BusyBox prints it)."""
        try:
            result = self._connection.run(f"df -k {shlex.quote(self.remote_base)}", timeout=30)
        except (ConnectionLost, WizardError):
            return None
        rows = [row.split() for row in result.out.splitlines()[1:] if row.split()]
        if result.exit_code != 0 or not rows:
            return None
        fields = [word for row in rows for word in row]  # a long device name wraps onto two lines
        try:
            return int(fields[-3]) * 1024  # ... 1K-blocks Used Available Use% Mounted-on
        except (ValueError, IndexError):
            return None

    def copy_on_camera(self, data: bytes, info_text: str) -> tuple[str, str | None]:
        """Copy the active files into <base>/wizard-backup on the camera (cp, with sudo when the
        user may not write there)."""
        folder = posixpath.join(self.remote_base, CAMERA_COPY_DIR)
        copy_model, copy_info = posixpath.join(folder, COPY_MODEL), posixpath.join(folder, COPY_INFO)
        q = shlex.quote
        script = f"mkdir -p {q(folder)} && cp -f {q(posixpath.join(self.remote_dir, 'model.cvimodel'))} {q(copy_model)}"
        if info_text:
            script += f" && cp -f {q(posixpath.join(self.remote_dir, 'model.json'))} {q(copy_info)}"
        try:
            direct = self.sudo == "never" or (self.sudo == "auto" and self._can_write(folder))
        except OSError:
            direct = False
        if direct:
            try:
                result = self._connection.run(script, timeout=120)
            except ConnectionLost as exc:
                raise self._fail(str(exc) or "the connection was lost") from None
            if result.exit_code != 0:
                raise self._fail(result.err.strip()[:300] or f"exit status {result.exit_code}")
        else:
            self._sudo(script)
        return copy_model, copy_info if info_text else None

    def fetch_copy(self, path: str) -> bytes:
        try:
            with self._sftp.open(path, "rb") as handle:
                handle.prefetch()
                return handle.read()
        except OSError as exc:
            raise self._fail(f"{path}: {exc}") from None

    # -- deploy ------------------------------------------------------------------------------
    def deploy(self, model_path: Path, model_json_text: str, md5: str, *,
               cancel: threading.Event | None = None,
               before_write: Callable[["SshDeployer"], Iterator[Event]] | None = None) -> Iterator[Event]:
        """Upload + verify + activate; yields events (steps "upload" and "verify").

        ``before_write`` runs once the connection is up and the folder chosen, before the first
        byte is written (the deploy keeps the camera's current model then)."""
        yield StepStarted("upload", command=f"sftp {self.user}@{self.address}")
        t0 = time.monotonic()
        self.replacing = False
        if self._connection is None:
            self.connect()
        try:
            self.remote_dir = self.choose_remote_dir()
            # On the camera /userdata/Models belongs to root (the supervisor writes it), so the
            # default user usually cannot write there: stage in the home folder, then sudo.
            staged = self.sudo == "always" or (self.sudo == "auto" and not self._can_write(self.remote_dir))
            work_dir = self._staging_dir() if staged else self.remote_dir
        except OSError as exc:
            raise self._fail(f"{self.remote_dir}: {exc}") from None
        if staged:
            yield LogLine(line("ssh_line_remote_dir_staged", remote_dir=self.remote_dir, work_dir=work_dir),
                          step="upload", stream="runner")
        else:
            yield LogLine(line("ssh_line_remote_dir", remote_dir=self.remote_dir), step="upload", stream="runner")
        if before_write is not None:
            yield from before_write(self)
        tag = secrets.token_hex(4)
        tmp_model = posixpath.join(work_dir, f".model.cvimodel.{tag}.tmp")
        tmp_info = posixpath.join(work_dir, f".model.json.{tag}.tmp")
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
                    yield Progress("upload", done / total if total else 1.0,
                                   line("deploy_line_progress", done=done, total=total), done, total)
            with self._sftp.open(tmp_info, "wb") as remote:
                remote.write(model_json_text.encode("utf-8"))
            yield StepFinished("upload", ok=True, elapsed=time.monotonic() - t0)

            yield StepStarted("verify", command=f"md5sum {tmp_model}")
            t0 = time.monotonic()
            how = self._verify(tmp_model, total, md5, model_path)
            with self._sftp.open(tmp_info, "rb") as handle:
                if handle.read().decode("utf-8", "replace") != model_json_text:
                    raise DeviceError(problem("ssh_json_mismatch", path=tmp_info))
            yield LogLine(line(how, size=total, md5=md5), step="verify", stream="runner")
            # Both checked: now replace the active files (atomic rename on the same filesystem).
            self.replacing = True
            if not staged:
                self._sftp.posix_rename(tmp_model, final_model)
                self._sftp.posix_rename(tmp_info, final_info)
            else:
                # Copy next to the target first, then rename over it: the active model is
                # replaced in one step even though the staging folder may be another filesystem.
                d = shlex.quote(self.remote_dir)
                nm, ni = shlex.quote(f"{self.remote_dir}/.model.cvimodel.{tag}.tmp"), shlex.quote(f"{self.remote_dir}/.model.json.{tag}.tmp")
                self._sudo(
                    f"mkdir -p {d} && cp -f {shlex.quote(tmp_model)} {nm} && cp -f {shlex.quote(tmp_info)} {ni} && "
                    f"mv -f {nm} {shlex.quote(final_model)} && mv -f {ni} {shlex.quote(final_info)}"
                )
                self._cleanup(tmp_model, tmp_info)
                self._verify(final_model, total, md5, model_path)
                yield LogLine(line("ssh_line_moved", remote_dir=self.remote_dir), step="verify", stream="runner")
            yield StepFinished("verify", ok=True, elapsed=time.monotonic() - t0)
        except (Cancelled, DeviceError, KeyboardInterrupt):
            self._cleanup(tmp_model, tmp_info)
            raise
        except (OSError, EOFError, ConnectionLost) as exc:
            self._cleanup(tmp_model, tmp_info)
            raise self._fail(str(exc) or type(exc).__name__) from None

    def _verify(self, path: str, total: int, md5: str, model_path: Path) -> str:
        """Size, then md5 (md5sum on the camera, else a read-back); the catalogue code of the
        line that says how it was confirmed."""
        size = self._sftp.stat(path).st_size
        if size != total:
            raise DeviceError(problem("ssh_size_mismatch", path=path, size=size, expected=total))
        remote_md5 = self._remote_md5(path)
        how = "ssh_line_verified"
        if remote_md5 is None:
            remote_md5, how = self._readback_md5(path), "ssh_line_verified_readback"
        if remote_md5 != md5:
            raise DeviceError(problem("deploy_verify_md5", path=str(model_path), remote_md5=remote_md5, local_md5=md5))
        return how

    def _cleanup(self, *paths: str) -> None:
        for path in paths:
            try:
                self._sftp.remove(path)
            except Exception:  # best effort: the connection may be gone
                pass
