"""One SSH connection (to the user's VM, or to the camera): host-key policy, authentication,
commands, SFTP.

Host keys are checked as OpenSSH does (wizard.core.ssh.host_keys), against the user's
~/.ssh/known_hosts (read only) and the app's own known_hosts file (the only one the app writes):
  * a key on record that matches: connect;
  * no key on record for the host: ``HostKeyUnknown`` carrying the SHA256 fingerprint exactly as
    ``ssh`` prints it. The user compares it with the VM's console and accepts; the app then
    connects again with ``accept_fingerprint=<that fingerprint>``, which records the key in the
    app's file. Accepting a fingerprint (not "whatever key comes") means a key swapped between
    the question and the answer is still refused.
  * a different key on record: ``HostKeyChanged``, always refused, never stored.

Secrets: a password lives only in memory (never in a log, an event or a command line; sudo gets
it on stdin). paramiko is blocking: the GUI calls this from an executor thread.
"""

from __future__ import annotations

import logging
import select
import shlex
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import paramiko

from wizard.core.messages import WizardError
from wizard.core.ssh.host_keys import HostKeyChanged, HostKeyStore, HostKeyUnknown, fingerprint
from wizard.core.ssh.options import SshCredentials, SshTimings
from wizard.core.ssh.target import SshTarget
from wizard.core.user_paths import input_file_problem

# paramiko reports a dropped socket from its own thread through logging; with no handler Python
# prints it raw on stderr ("Socket exception: Connection reset by peer"). The runner reports the
# drop as a typed event instead; an app that configures logging still gets paramiko's records.
logging.getLogger("paramiko").addHandler(logging.NullHandler())

# Errors that mean "the connection is gone" (as opposed to "the command failed").
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    paramiko.SSHException,
    EOFError,
    OSError,  # socket.error, ConnectionResetError, BrokenPipeError, TimeoutError
)


class ConnectionLost(Exception):
    """The SSH transport went away while a command or transfer was in flight."""


@dataclass
class CommandResult:
    exit_code: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


class SshConnection:
    """A connected, authenticated SSH transport to ``target``."""

    def __init__(
        self,
        target: SshTarget,
        credentials: SshCredentials,
        host_keys: HostKeyStore,
        *,
        accept_fingerprint: str | None = None,
        timings: SshTimings = SshTimings(),
    ):
        """``host_keys``: a HostKeyPolicy's store, or a store of its own kind (the workshop kit's
        pinned key). Of ``timings``, the connect timeout and the keepalive interval count here."""
        self.target = target
        self.credentials = credentials
        self.host_keys = host_keys
        self.accept_fingerprint = accept_fingerprint
        self.connect_timeout = timings.connect_timeout
        self.keepalive_seconds = timings.keepalive_seconds
        self.transport: paramiko.Transport | None = None
        self._sftp: paramiko.SFTPClient | None = None

    # --- connecting ----------------------------------------------------------------------------

    def connect(self) -> "SshConnection":
        self.close()
        try:
            sock = socket.create_connection((self.target.host, self.target.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise WizardError.of("vm_unreachable", target=str(self.target), detail=_reason(exc)) from None
        transport = paramiko.Transport(sock)
        transport.banner_timeout = self.connect_timeout
        transport.auth_timeout = self.connect_timeout
        # Like OpenSSH (and paramiko's SSHClient): ask for the key type on record first, so a
        # host with several keys is not mistaken for a changed one.
        known_types = [kt for kt, _k, _p in self.host_keys.known(self.target)]
        if known_types:
            options = transport.get_security_options()
            options.key_types = [*dict.fromkeys(t for t in known_types if t in options.key_types)] + [
                t for t in options.key_types if t not in known_types
            ]
        try:
            transport.start_client(timeout=self.connect_timeout)
        except CONNECTION_ERRORS as exc:
            transport.close()
            raise WizardError.of("vm_unreachable", target=str(self.target), detail=_reason(exc)) from None
        try:
            self._verify_host_key(transport)
            self._authenticate(transport)
        except BaseException:
            transport.close()
            raise
        transport.set_keepalive(self.keepalive_seconds)
        self.transport = transport
        return self

    def _verify_host_key(self, transport: paramiko.Transport) -> None:
        key = transport.get_remote_server_key()
        status, where = self.host_keys.check(self.target, key)
        if status == "known":
            return
        if status == "changed":
            raise HostKeyChanged(self.target, key, where)
        if self.accept_fingerprint and self.accept_fingerprint.strip() == fingerprint(key):
            self.host_keys.accept(self.target, key)
            return
        raise HostKeyUnknown(self.target, key)

    def _authenticate(self, transport: paramiko.Transport) -> None:
        creds, user = self.credentials, self.target.user
        tried: list[str] = []
        if creds.key_file:
            pkey = _load_private_key(Path(creds.key_file).expanduser(), creds.key_passphrase)
            tried.append("key")
            if self._try(lambda: transport.auth_publickey(user, pkey)):
                return
        if creds.allow_agent:
            try:
                agent_keys = paramiko.Agent().get_keys()
            except (paramiko.SSHException, OSError):
                agent_keys = ()
            for agent_key in agent_keys:
                tried.append("agent")
                if self._try(lambda k=agent_key: transport.auth_publickey(user, k)):
                    return
        if creds.look_for_keys:
            for default_key in _default_key_files():
                try:
                    pkey = _load_private_key(default_key, None)
                except WizardError:  # encrypted or unreadable: ssh would skip it too
                    continue
                tried.append("key")
                if self._try(lambda k=pkey: transport.auth_publickey(user, k)):
                    return
        if creds.password is not None:
            tried.append("password")
            if self._try(lambda: transport.auth_password(user, creds.password)):
                return
        raise WizardError.of("vm_auth_failed", target=str(self.target), methods=", ".join(dict.fromkeys(tried)) or "none")

    @staticmethod
    def _try(auth: Callable[[], object]) -> bool:
        try:
            auth()
            return True
        except paramiko.AuthenticationException:
            return False
        except CONNECTION_ERRORS:
            return False

    @property
    def alive(self) -> bool:
        return self.transport is not None and self.transport.is_active()

    def close(self) -> None:
        if self._sftp is not None:
            try:
                self._sftp.close()
            except Exception:  # closing a dead channel: nothing to save
                pass
            self._sftp = None
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def _require(self) -> paramiko.Transport:
        if not self.alive:
            raise ConnectionLost("not connected")
        assert self.transport is not None
        return self.transport

    # --- commands ------------------------------------------------------------------------------

    def run(
        self,
        command: str,
        *,
        stdin: bytes | Callable[[BinaryIO], None] | None = None,
        stdout_to: BinaryIO | None = None,
        timeout: float | None = 120.0,
    ) -> CommandResult:
        """Run one command line (built by remote_shell, quoted) and wait for its exit code.

        ``stdin`` is bytes, or a function that writes a stream into the channel (the upload tar).
        ``stdout_to`` receives stdout as it arrives (the download tar) instead of memory.
        Raises ConnectionLost when the transport dies before the exit code arrives.
        """
        try:
            channel = self._require().open_session(timeout=self.connect_timeout)
        except CONNECTION_ERRORS as exc:
            raise ConnectionLost(str(exc)) from None
        out, err = bytearray(), bytearray()
        try:
            channel.exec_command(as_posix_sh(command))
            if stdin is not None:
                writer = _ChannelWriter(channel)
                try:
                    if callable(stdin):
                        stdin(writer)
                    else:
                        writer.write(stdin)
                except CONNECTION_ERRORS:
                    # The remote command ended early (tar on a full disk...): its exit status and
                    # stderr say why, unless the whole connection is gone.
                    if not self.alive:
                        raise
            if not channel.closed:
                channel.shutdown_write()
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                readable, _, _ = select.select([channel], [], [], 0.5)
                while channel.recv_ready():
                    chunk = channel.recv(65536)
                    if stdout_to is not None:
                        stdout_to.write(chunk)
                    else:
                        out += chunk
                while channel.recv_stderr_ready():
                    err += channel.recv_stderr(65536)
                if channel.exit_status_ready() and not channel.recv_ready() and not channel.recv_stderr_ready():
                    break
                if channel.closed and not channel.exit_status_ready():
                    raise ConnectionLost("channel closed without an exit status")
                if not self.alive:
                    raise ConnectionLost("transport closed")
                if deadline is not None and time.monotonic() > deadline:
                    raise WizardError.of("vm_command_timeout", target=str(self.target), seconds=int(timeout or 0))
            code = channel.recv_exit_status()
        except CONNECTION_ERRORS as exc:
            raise ConnectionLost(str(exc)) from None
        finally:
            channel.close()
        return CommandResult(code, bytes(out), bytes(err))

    def stream(self, command: str, *, stdin: bytes | None = None, idle_timeout: float = 1800.0):
        """Run a long command and yield its output in chunks as it comes (stderr folded into the
        same stream, in arrival order); the generator's return value is the exit code.

        ``idle_timeout``: no output for that long means the command is stuck (a docker build's
        pip step can be quiet for minutes, so the default is generous).
        """
        try:
            channel = self._require().open_session(timeout=self.connect_timeout)
        except CONNECTION_ERRORS as exc:
            raise ConnectionLost(str(exc)) from None
        try:
            channel.set_combine_stderr(True)
            channel.exec_command(as_posix_sh(command))
            if stdin is not None:
                channel.sendall(stdin)
            channel.shutdown_write()
            last = time.monotonic()
            while True:
                select.select([channel], [], [], 0.5)
                got = False
                while channel.recv_ready():
                    chunk = channel.recv(65536)
                    if chunk:
                        got = True
                        yield chunk
                if got:
                    last = time.monotonic()
                if channel.exit_status_ready() and not channel.recv_ready():
                    break
                if channel.closed and not channel.exit_status_ready():
                    raise ConnectionLost("channel closed without an exit status")
                if not self.alive:
                    raise ConnectionLost("transport closed")
                if time.monotonic() - last > idle_timeout:
                    raise WizardError.of("vm_command_timeout", target=str(self.target), seconds=int(idle_timeout))
            return channel.recv_exit_status()
        except CONNECTION_ERRORS as exc:
            raise ConnectionLost(str(exc)) from None
        finally:
            channel.close()

    def sftp(self) -> paramiko.SFTPClient:
        if self._sftp is None:
            try:
                self._sftp = paramiko.SFTPClient.from_transport(self._require())
            except CONNECTION_ERRORS as exc:
                if not self.alive:
                    raise ConnectionLost(str(exc)) from None
                raise WizardError.of("vm_sftp_unavailable", target=str(self.target), detail=_reason(exc)) from None
            assert self._sftp is not None
            self._sftp.get_channel().settimeout(60)
        return self._sftp


def as_posix_sh(command: str) -> str:
    """Run a command line under /bin/sh whatever the login shell is (fish, tcsh, zsh...): the
    commands are written (and unit-tested) for POSIX sh. Single quotes survive every common login
    shell's parsing of this outer layer; the quoting inside is then sh's own."""
    return "sh -c " + shlex.quote(command)


class _ChannelWriter:
    """A write-only file over a channel's stdin, for tarfile's streaming mode."""

    def __init__(self, channel: paramiko.Channel):
        self.channel = channel

    def write(self, data: bytes) -> int:
        if data:
            self.channel.sendall(data)
        return len(data)

    def flush(self) -> None:
        pass


def _default_key_files() -> list[Path]:
    folder = Path.home() / ".ssh"
    return [folder / name for name in ("id_ed25519", "id_ecdsa", "id_rsa") if (folder / name).is_file()]


def _load_private_key(path: Path, passphrase: str | None) -> paramiko.PKey:
    unusable = input_file_problem(path)
    if unusable is not None:
        raise WizardError(unusable)
    last: Exception | None = None
    for cls in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return cls.from_private_key_file(str(path), password=passphrase)
        except paramiko.PasswordRequiredException:
            raise WizardError.of("vm_key_passphrase", path=str(path)) from None
        except (paramiko.SSHException, ValueError) as exc:
            last = exc
        except OSError as exc:
            raise WizardError.of("vm_key_unreadable", path=str(path), detail=_reason(exc)) from None
    detail = str(last) if last else "unknown key format"
    if passphrase is not None and "password" in detail.lower():
        raise WizardError.of("vm_key_passphrase", path=str(path))
    raise WizardError.of("vm_key_unreadable", path=str(path), detail=detail)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
