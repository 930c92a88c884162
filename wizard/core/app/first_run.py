"""First-run checks of what the app cannot bundle: Docker and the TPU-MLIR toolchain image.

Three questions, each answered on this computer only (no network: download addresses are text
in the messages, never fetched):

1. Is Docker installed?  ``docker`` on PATH, or where Docker Desktop installs itself. A
   double-clicked macOS app gets a minimal PATH (/usr/bin:/bin:...), so /usr/local/bin/docker
   and Docker.app are looked for directly.
2. Is its engine running?  A ping through the docker SDK with a short timeout, on the engine
   the user's own ``docker`` command would use: DOCKER_HOST, else the current docker context,
   else the OS's usual sockets (macOS Docker Desktop's ~/.docker/run/docker.sock among them).
3. Is the toolchain image here?  Only asked when the engine answered.

Blocking (a socket ping): the GUI calls :func:`check_first_run` in an executor.
"""

from __future__ import annotations

import os
import platform as platform_module
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Protocol

from wizard.core.app_dirs import home_dir, os_kind
from wizard.core.messages import Problem, problem
from wizard.core.plan.recipe import DEFAULT_BASE_IMAGE, DEFAULT_TOOLCHAIN_IMAGE
from wizard.core.runners.docker.engines import current_context_host, docker_host_candidates
from wizard.core.runners.docker.image import IMAGE_DISK_NEED_GB

# Shown to the user as text; the app never opens or fetches them.
DOCKER_DOWNLOAD_URLS = {
    "windows": "https://docs.docker.com/desktop/setup/install/windows-install/",
    "macos": "https://docs.docker.com/desktop/setup/install/mac-install/",
    "linux": "https://docs.docker.com/engine/install/",
}

DEFAULT_TIMEOUT = 3.0  # seconds; a running engine answers a ping in milliseconds


class Engine(Protocol):
    """The two things asked of a Docker engine here (the docker SDK, or a test double)."""

    def ping(self) -> bool: ...

    def has_image(self, name: str) -> bool: ...

    def close(self) -> None: ...


Connect = Callable[[str, float], Engine]


@dataclass(frozen=True)
class FirstRunReport:
    os: str  # "windows" | "macos" | "linux"
    docker_found: str | None  # the docker CLI or Docker Desktop app found, if any
    engine_host: str | None  # the engine address that answered
    engine_running: bool
    toolchain_image: str
    toolchain_image_present: bool | None  # None: not asked (no engine)
    base_image_present: bool | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when a local conversion can start (info notes may remain)."""
        return not any(p.is_error for p in self.problems)

    def summary(self) -> str:
        """One line in English for logs and the self-test."""
        parts = [f"Docker {'at ' + self.docker_found if self.docker_found else 'not found'}"]
        if self.engine_running:
            parts.append(f"engine answers at {self.engine_host}")
        elif self.docker_found:
            parts.append("engine not answering")
        if self.toolchain_image_present is not None:
            state = "present" if self.toolchain_image_present else "not present yet"
            parts.append(f"toolchain image {self.toolchain_image} {state}")
        return "; ".join(parts)




def docker_install_candidates(kind: str, env: Mapping[str, str]) -> list[Path]:
    """Where Docker puts its CLI or app, beyond PATH, per OS."""
    home = home_dir(env)
    if kind == "windows":
        roots = [env.get("ProgramFiles") or r"C:\Program Files", env.get("ProgramW6432") or ""]
        local = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        found = []
        for root in filter(None, roots):
            found += [
                Path(root) / "Docker" / "Docker" / "Docker Desktop.exe",
                Path(root) / "Docker" / "Docker" / "resources" / "bin" / "docker.exe",
            ]
        found.append(Path(local) / "Programs" / "Docker" / "Docker" / "Docker Desktop.exe")
        return found
    if kind == "macos":
        return [
            Path("/Applications/Docker.app"),
            home / "Applications" / "Docker.app",
            Path("/usr/local/bin/docker"),
            Path("/opt/homebrew/bin/docker"),
            home / ".docker" / "bin" / "docker",
            Path("/Applications/OrbStack.app"),
            Path("/Applications/Rancher Desktop.app"),
        ]
    return [Path("/usr/bin/docker"), Path("/usr/local/bin/docker"), Path("/snap/bin/docker")]


def find_docker(
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
    which: Callable[..., str | None] = shutil.which,
    exists: Callable[[Path], bool] = Path.exists,
) -> str | None:
    """The docker CLI on PATH, else the first known install location that exists."""
    env = os.environ if env is None else env
    kind = os_kind(platform)
    on_path = which("docker", path=env.get("PATH"))
    if on_path:
        return str(on_path)
    for candidate in docker_install_candidates(kind, env):
        if exists(candidate):
            return str(candidate)
    return None


class _SdkEngine:
    """The docker SDK behind the Engine protocol."""

    def __init__(self, base_url: str, timeout: float):
        import docker

        # "auto" asks the engine its API version: a fixed one is refused by engines too old or
        # too new for it (Docker 29 dropped API < 1.44; Debian's 20.10 speaks 1.41).
        self._client = docker.DockerClient(base_url=base_url, version="auto", timeout=timeout)

    def ping(self) -> bool:
        return bool(self._client.ping())

    def has_image(self, name: str) -> bool:
        # The same question the runner asks before a conversion.
        from wizard.core.runners.docker.image import image_status

        return image_status(self._client, name).present

    def close(self) -> None:
        self._client.close()


def _sdk_connect(base_url: str, timeout: float) -> Engine:
    return _SdkEngine(base_url, timeout)


def _socket_path(host: str) -> Path | None:
    return Path(host[len("unix://"):]) if host.startswith("unix://") else None


def _is_permission_error(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, PermissionError) or "permission denied" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def check_first_run(
    *,
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
    machine: str | None = None,
    which: Callable[..., str | None] = shutil.which,
    exists: Callable[[Path], bool] = Path.exists,
    connect: Connect = _sdk_connect,
    timeout: float = DEFAULT_TIMEOUT,
    image: str = DEFAULT_TOOLCHAIN_IMAGE,
    base_image: str = DEFAULT_BASE_IMAGE,
) -> FirstRunReport:
    """Answer the three first-run questions; Problems carry the next step for this OS."""
    env = os.environ if env is None else env
    kind = os_kind(platform)
    machine = (machine or platform_module.machine()).lower()
    problems: list[Problem] = []
    if kind == "macos" and machine in ("arm64", "aarch64"):
        problems.append(problem("first_run_apple_silicon", "info"))

    found = find_docker(platform, env, which, exists)
    hosts = docker_host_candidates(platform, env)
    # A socket file on disk means an engine is installed even when the CLI is not on PATH
    # (a double-clicked macOS app's PATH misses /usr/local/bin).
    existing_sockets = [h for h in hosts if (p := _socket_path(h)) is not None and exists(p)]
    if found is None and existing_sockets:
        found = existing_sockets[0]
    explicit = bool(env.get("DOCKER_HOST")) or current_context_host(env) is not None

    def report(**kw) -> FirstRunReport:
        return FirstRunReport(os=kind, docker_found=found, toolchain_image=image,
                              problems=tuple(problems), **kw)

    if found is None and not explicit:
        problems.append(problem(f"first_run_docker_missing_{kind}", url=DOCKER_DOWNLOAD_URLS[kind]))
        return report(engine_host=None, engine_running=False,
                      toolchain_image_present=None, base_image_present=None)

    # Unix sockets that are not there cannot answer: skip them instead of waiting on each.
    to_try = [h for h in hosts if _socket_path(h) is None or h in existing_sockets] if not explicit else hosts
    engine, host, failure = None, None, None
    for candidate in to_try:
        try:
            client = connect(candidate, timeout)
            if client.ping():
                engine, host = client, candidate
                break
            client.close()
        except Exception as exc:  # noqa: BLE001 - every SDK/transport error means "not this one"
            if failure is None or _is_permission_error(exc):
                failure = (candidate, exc)

    if engine is None:
        where = found or (to_try[0] if to_try else "?")
        if failure is not None and _is_permission_error(failure[1]):
            problems.append(problem("first_run_docker_permission", detail=_short(failure[1])))
        elif kind == "linux":
            problems.append(problem("first_run_engine_stopped_linux", where=where))
        else:
            problems.append(problem("first_run_engine_stopped_desktop", where=where))
        return report(engine_host=None, engine_running=False,
                      toolchain_image_present=None, base_image_present=None)

    try:
        has_toolchain = engine.has_image(image)
        has_base = True if has_toolchain else engine.has_image(base_image)
    except Exception as exc:  # noqa: BLE001
        problems.append(problem("first_run_engine_error", where=host, detail=_short(exc)))
        return report(engine_host=host, engine_running=True,
                      toolchain_image_present=None, base_image_present=None)
    finally:
        engine.close()
    if not has_toolchain:
        code = "first_run_toolchain_needs_build" if has_base else "first_run_toolchain_missing"
        problems.append(problem(code, "info", image=image, base=base_image, needed_gb=IMAGE_DISK_NEED_GB))
    return report(engine_host=host, engine_running=True,
                  toolchain_image_present=has_toolchain, base_image_present=has_base)
