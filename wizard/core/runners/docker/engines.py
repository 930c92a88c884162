"""Where the Docker engine listens on this computer: DOCKER_HOST, the current docker context, or
the sockets Docker Desktop, OrbStack, Rancher Desktop, Colima and rootless Docker use."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Mapping

from wizard.core.app_dirs import home_dir, os_kind


def current_context_host(env: Mapping[str, str]) -> str | None:
    """The engine address of the current ``docker context``, as the docker CLI would use it."""
    config_dir = Path(env.get("DOCKER_CONFIG") or home_dir(env) / ".docker")
    name = env.get("DOCKER_CONTEXT")
    if not name:
        try:
            name = json.loads((config_dir / "config.json").read_text(encoding="utf-8")).get("currentContext")
        except (OSError, ValueError, AttributeError):
            return None
    if not name or name == "default":
        return None
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest() / "meta.json"
    try:
        host = json.loads(meta.read_text(encoding="utf-8"))["Endpoints"]["docker"]["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return host or None


def docker_host_candidates(platform: str | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """Engine addresses to try, most specific first. An explicit choice (DOCKER_HOST, a context)
    is the only one tried: quietly using another engine would surprise the user."""
    env = os.environ if env is None else env
    if env.get("DOCKER_HOST"):
        return [env["DOCKER_HOST"]]
    context = current_context_host(env)
    if context:
        return [context]
    kind = os_kind(platform)
    home = home_dir(env)
    if kind == "windows":
        return ["npipe:////./pipe/docker_engine", "npipe:////./pipe/dockerDesktopLinuxEngine"]
    sockets = [Path("/var/run/docker.sock")]
    if kind == "macos":
        sockets += [
            home / ".docker" / "run" / "docker.sock",  # Docker Desktop 4.18+ default
            home / ".orbstack" / "run" / "docker.sock",
            home / ".rd" / "docker.sock",  # Rancher Desktop
            home / ".colima" / "default" / "docker.sock",
        ]
    else:
        runtime = env.get("XDG_RUNTIME_DIR")
        if runtime:
            sockets.append(Path(runtime) / "docker.sock")  # rootless Docker
        sockets.append(home / ".docker" / "desktop" / "docker.sock")  # Docker Desktop for Linux
    return [f"unix://{s.as_posix()}" for s in sockets]
