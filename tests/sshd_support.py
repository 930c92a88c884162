"""A real OpenSSH server on 127.0.0.1 for the SSH integration tests.

Each server gets its own host key, user key, config and home folder, all generated under the
test's tmp folder at test time (no key is ever committed). sshd runs in the foreground
(``-D -e``) as the current user, listening only on 127.0.0.1 on a free port.

The login user is whoever runs the tests (root on the dev machines and CI). Its HOME is
overridden with sshd's ``SetEnv`` so every "remote" file lands in tmp, never in the real home.
``without_docker=True`` also overrides PATH with a folder of symlinks to every command on the
normal PATH except ``docker``: that is how a VM without Docker is simulated on a machine that
has it, without touching the machine.

Needs /usr/sbin/sshd (Debian: openssh-server) and ssh-keygen (openssh-client). sshd refuses to
start without its privilege-separation folder /run/sshd; it is created when we are root.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import require_component

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
INSTALL_HINT = "install the openssh-server and openssh-client packages (apt-get install openssh-server)"


def sshd_available() -> tuple[bool, str]:
    if not (os.path.exists(SSHD) and os.access(SSHD, os.X_OK)):
        return False, f"{SSHD} not found"
    if not shutil.which(SSH_KEYGEN):
        return False, "ssh-keygen not found"
    privsep = Path("/run/sshd")
    if not privsep.is_dir():
        if os.geteuid() == 0:
            privsep.mkdir(mode=0o755, parents=True, exist_ok=True)
        else:
            return False, "/run/sshd (sshd's privilege separation folder) is missing and we are not root"
    return True, ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keygen(path: Path, kind: str = "ed25519") -> Path:
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", kind, "-N", "", "-C", "wizard-test", "-f", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return path


def _path_without_docker(dest: Path) -> str:
    """A folder of symlinks to every command on PATH except docker (a VM without Docker)."""
    dest.mkdir(parents=True, exist_ok=True)
    for folder in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            if name == "docker" or name.startswith("docker-") or name.startswith("dockerd"):
                continue
            link = dest / name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(os.path.join(folder, name))
    return str(dest)


@dataclass
class SshServer:
    """One running sshd; restart() brings it back on the same port (optionally a new host key)."""

    root: Path
    port: int
    user: str
    home: Path
    host_key: Path
    client_key: Path
    password_auth: bool = False
    without_docker: bool = False
    # Other accounts log in too, each with its own home and ~/.ssh/authorized_keys (the test's
    # login keeps its HOME in tmp and its key file): a workshop with one account per attendee.
    per_user_logins: bool = False
    process: subprocess.Popen | None = None
    log_path: Path = field(default=Path())

    @property
    def target(self) -> str:
        return f"{self.user}@127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        env = [f"HOME={self.home}"]
        if self.without_docker:
            env.append(f"PATH={_path_without_docker(self.root / 'bin-without-docker')}")
        config = self.root / "sshd_config"
        keys = f"{self.root / 'authorized_keys'}" + (" .ssh/authorized_keys" if self.per_user_logins else "")
        set_env = ["SetEnv " + " ".join(env)]
        if self.per_user_logins:  # Match last: everything after it belongs to the Match block
            set_env = [f"Match User {self.user}", "  SetEnv " + " ".join(env)]
        config.write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1",
                    f"Port {self.port}",
                    f"HostKey {self.host_key}",
                    f"AuthorizedKeysFile {keys}",
                    f"PidFile {self.root / 'sshd.pid'}",
                    "PermitRootLogin yes",
                    f"PasswordAuthentication {'yes' if self.password_auth else 'no'}",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "StrictModes no",
                    "UsePAM no",
                    "Subsystem sftp internal-sftp",
                    "ClientAliveInterval 5",
                    "MaxStartups 50",
                    "LogLevel VERBOSE",
                    *set_env,
                    "",
                ]
            )
        )
        return config

    def start(self) -> None:
        config = self._write_config()
        self.log_path = self.root / "sshd.log"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited: {self.log_path.read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(4).startswith(b"SSH-"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"sshd did not listen on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self, new_host_key: bool = False) -> None:
        self.stop()
        if new_host_key:
            for p in (self.host_key, self.host_key.with_suffix(".pub")):
                p.unlink(missing_ok=True)
            keygen(self.host_key)
        self.start()

    def session_pids(self) -> list[int]:
        """Every sshd process serving a connection (the listener's sshd descendants: the
        privileged monitor AND the session child that owns the socket; killing only the monitor
        can leave the connection up). Kill them to drop every session like a network cut."""
        if not self.process:
            return []
        found: list[int] = []
        parents = [self.process.pid]
        while parents:
            parent = parents.pop()
            out = subprocess.run(["ps", "-o", "pid=,comm=", "--ppid", str(parent)], capture_output=True, text=True).stdout
            for row in out.splitlines():
                pid, _, comm = row.strip().partition(" ")
                if comm.strip().startswith("sshd"):
                    found.append(int(pid))
                    parents.append(int(pid))
        return found

    def host_public_key_line(self) -> str:
        return self.host_key.with_suffix(".pub").read_text().strip()

    def fingerprint(self) -> str:
        out = subprocess.run(
            [SSH_KEYGEN, "-l", "-E", "sha256", "-f", str(self.host_key.with_suffix(".pub"))],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return out.split()[1]  # "256 SHA256:xxxx comment (ED25519)"


def make_server(
    tmp: Path, password_auth: bool = False, without_docker: bool = False, home: Path | None = None,
    per_user_logins: bool = False,
) -> SshServer:
    ok, why = sshd_available()
    require_component(ok, "OpenSSH server (sshd)", f"{why}; {INSTALL_HINT}")
    tmp.mkdir(parents=True, exist_ok=True)
    if home is None:  # another login (password_user) brings its own home
        home = tmp / "home"
        home.mkdir(exist_ok=True)
    host_key = keygen(tmp / "host_ed25519")
    client_key = keygen(tmp / "client_ed25519")
    (tmp / "authorized_keys").write_text(client_key.with_suffix(".pub").read_text())
    server = SshServer(
        root=tmp,
        port=free_port(),
        user=getpass.getuser(),
        home=home,
        host_key=host_key,
        client_key=client_key,
        password_auth=password_auth,
        without_docker=without_docker,
        per_user_logins=per_user_logins,
    )
    server.start()
    return server


def login_options(server: SshServer, tmp: Path, **options) -> dict:
    """A runner's ``credentials``, ``host_keys`` and ``timings`` for this test sshd: the server's
    client key and no SSH agent of the machine, the test's own known_hosts files with the host key
    accepted, short polls. ``options`` by field name override those (``key_file=None``,
    ``accept_fingerprint=None``, ``reconnect_timeout=2``...); any other option is passed on as it
    is (``image``, ``setup_consent``...)."""
    from dataclasses import fields

    from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings

    groups = {
        "credentials": (SshCredentials, {"key_file": server.client_key, "allow_agent": False}),
        "host_keys": (HostKeyPolicy, {"app_known_hosts": tmp / "app_known_hosts",
                                      "user_known_hosts": tmp / "user_known_hosts",
                                      "accept_fingerprint": server.fingerprint()}),
        "timings": (SshTimings, {"poll_interval": 0.2, "reconnect_timeout": 60, "connect_timeout": 10}),
    }
    rest = {}
    for name, value in options.items():
        group = next((g for g in groups.values() if name in {f.name for f in fields(g[0])}), None)
        if group is None:
            rest[name] = value
        else:
            group[1][name] = value
    return {**{key: kind(**values) for key, (kind, values) in groups.items()}, **rest}


@dataclass
class PasswordUser:
    name: str
    password: str  # random, made at test time, only ever in memory
    home: Path


def create_password_user() -> PasswordUser:
    """A throw-away local account with a random password (sshd without PAM checks /etc/shadow).

    Only as root. The account is not in the docker group, which the docker-access check also uses.
    """
    import secrets

    require_component(os.geteuid() == 0, "root (to create a throw-away login)", "run the ssh tests as root")
    require_component(bool(shutil.which("useradd")), "useradd", "install the passwd package")
    name = "wizt" + secrets.token_hex(4)
    password = secrets.token_urlsafe(18)
    home = Path("/tmp") / f"{name}-home"
    subprocess.run(["useradd", "-M", "-d", str(home), "-s", "/bin/bash", name], check=True)
    home.mkdir(mode=0o700)
    shutil.chown(home, name, name)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    return PasswordUser(name, password, home)


def delete_password_user(user: PasswordUser) -> None:
    # Its leftover processes (a session's shell), by id: only the test ever ran anything as it.
    listed = subprocess.run(["ps", "-o", "pid=", "-u", user.name], capture_output=True, text=True).stdout
    for pid in listed.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    subprocess.run(["userdel", "-f", user.name], capture_output=True)  # -f: even if a session lingers
    shutil.rmtree(user.home, ignore_errors=True)


@pytest.fixture
def password_user():
    user = create_password_user()
    yield user
    delete_password_user(user)


@pytest.fixture
def sshd_server(tmp_path):
    server = make_server(tmp_path / "sshd")
    yield server
    server.stop()


@pytest.fixture
def sshd_factory(tmp_path):
    """Start servers with options: ``sshd_factory(password_auth=True, without_docker=True)``."""
    servers: list[SshServer] = []

    def start(**options) -> SshServer:
        server = make_server(tmp_path / f"sshd{len(servers)}", **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
