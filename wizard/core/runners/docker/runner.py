"""Run a staged workspace in the local Docker engine (the docker SDK, blocking; style rule 6).

One container per run, named ``recamera-wizard-<run_id>`` and labelled, so a run can be found
again after the app was closed (``DockerRunner.reattach``) and so stray ones can be listed.

Files move through the Docker API only: the workspace goes in with ``put_archive`` (a tar stream)
and what the user needs of ``work/`` (wizard.core.plan.kept_files) comes back with
``get_archive``, extracted by ``safe_tar``; the rest goes with the container. No bind mounts: a
Windows path with spaces or Japanese characters, Docker Desktop's file-sharing settings and
host/VM path translation then simply do not matter.

The container runs ``bash convert.sh`` under Docker's init (tini) so SIGTERM reaches bash at once
(bash as PID 1 would ignore it and every cancel would wait for the kill timeout).
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from wizard.core.events import Event, LogLine, Progress, ProblemRaised, StepFinished, StepStarted
from wizard.core.messages import Problem, WizardError, problem, say
from wizard.core.plan.kept_files import LISTING_FILE, brought_back, is_brought_back, parse_listing
from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE, RECIPE_FILE, WORK_DIR, ConversionRecipe
from wizard.core.toolchain.output_events import OutputEvents
from wizard.core.runners.protocol import RunFacts, RunHandle, Runner
from wizard.core.runners.safe_tar import extract_tar_stream, tar_directory, write_tar

CONTAINER_PREFIX = "recamera-wizard-"
LABEL_ROLE = "org.recamera-wizard.role"
LABEL_RUN_ID = "org.recamera-wizard.run-id"
LABEL_IMAGE = "org.recamera-wizard.image"
ROLE = "conversion"
REMOTE_WORKSPACE = "/workspace"
# Docker's stop: SIGTERM, then SIGKILL after this many seconds. Well inside the 10 s a cancel may
# take, leaving time to remove the container.
STOP_TIMEOUT = 4
# Calibration holds every preprocessed image in memory (toolchain.md): ~4.9 MB per 640x640 input
# plus the toolchain itself; 200 images were seen at ~2 GB RSS.
BASE_MEMORY_BYTES = 1.0e9
MIN_FREE_DISK_BYTES = 2 * 1024**3


# --- Reaching the engine -------------------------------------------------------------------


def _engine_where() -> str:
    host = os.environ.get("DOCKER_HOST")
    if host:
        return host
    if sys.platform.startswith("win"):
        return "npipe:////./pipe/docker_engine"
    return "unix:///var/run/docker.sock"


def _docker_installed(platform: str) -> bool:
    if shutil.which("docker"):
        return True
    if platform == "darwin":
        return os.path.isdir("/Applications/Docker.app")
    if platform.startswith("win"):
        program_files = os.environ.get("ProgramFiles", r"C:\Program Files")
        return os.path.isdir(os.path.join(program_files, "Docker", "Docker"))
    return os.path.exists("/var/run/docker.sock") or os.path.exists("/usr/bin/dockerd")


def _chain_text(exc: BaseException) -> str:
    parts = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " | ".join(parts)


def classify_engine_error(
    text: str, *, platform: str | None = None, installed: bool = True, where: str = ""
) -> Problem:
    """Which user-facing problem an engine connection error is (pure: tested by value)."""
    platform = platform or sys.platform
    where = where or _engine_where()
    lowered = text.lower()
    if "permission denied" in lowered or "permissionerror" in lowered or "access is denied" in lowered:
        code = "docker_permission_denied_linux" if platform.startswith("linux") else "docker_permission_denied_desktop"
        return problem(code, where=where)
    if not installed:
        return problem("docker_not_installed")
    unreachable = ("connection refused", "no such file", "filenotfounderror", "connectionrefused",
                   "cannot find the file", "connection aborted", "failed to establish",
                   "timed out", "name or service not known", "error while fetching server api version")
    if any(marker in lowered for marker in unreachable):
        return problem("docker_not_running", where=where)
    return problem("docker_error", detail=text.splitlines()[0][:300] if text else "unknown")


def connect(timeout: int = 60):
    """A docker client that answered a ping, or a WizardError that says what to do."""
    try:
        import docker
    except ImportError as exc:  # a broken install, not the user's Docker
        raise WizardError.of("backend_unavailable", backend="docker", detail=str(exc)) from None
    if os.environ.get("DOCKER_HOST"):
        # An explicit engine (with its TLS settings) is the only one tried.
        attempts = [lambda: docker.from_env(timeout=timeout)]
    else:
        # docker.from_env() knows only the default socket; Docker Desktop's non-admin install,
        # OrbStack, Colima and rootless Docker listen elsewhere (or behind a docker context).
        from wizard.core.runners.docker.engines import docker_host_candidates

        attempts = [
            (lambda url=url: docker.DockerClient(base_url=url, version="auto", timeout=timeout))
            for url in docker_host_candidates()
        ]
    first_error: BaseException | None = None
    for attempt in attempts:
        try:
            client = attempt()
            client.ping()
            return client
        except Exception as exc:  # noqa: BLE001 - docker, requests, urllib3 and OS errors all mean "can't reach"
            first_error = first_error or exc
    raise WizardError(classify_engine_error(
        _chain_text(first_error) if first_error else "no engine address to try",
        installed=_docker_installed(sys.platform))) from None


def memory_needed(recipe: ConversionRecipe | None) -> int:
    if recipe is None:
        return int(BASE_MEMORY_BYTES)
    from wizard.core.plan.choices import CALIBRATION_BYTES_PER_PIXEL

    height, width = (recipe.input_shape[-2], recipe.input_shape[-1]) if len(recipe.input_shape) >= 2 else (640, 640)
    per_image = height * width * CALIBRATION_BYTES_PER_PIXEL
    return int(BASE_MEMORY_BYTES + recipe.calibration_count * per_image)


def memory_warning(mem_total: int, recipe: ConversionRecipe | None) -> Problem | None:
    """A warning when the engine has less memory than calibration is likely to use."""
    needed = memory_needed(recipe)
    if not mem_total or mem_total >= needed or recipe is None:
        return None
    per_image = (needed - BASE_MEMORY_BYTES) / max(1, recipe.calibration_count)
    suggest = max(10, int((mem_total * 0.8 - BASE_MEMORY_BYTES) / per_image)) if per_image else 10
    return problem("docker_low_memory", "warning", mem_gb=f"{mem_total / 1e9:.1f}",
                   need_gb=f"{needed / 1e9:.1f}", count=recipe.calibration_count,
                   suggest=min(suggest, recipe.calibration_count))


def _api_error_problem(exc: BaseException) -> Problem:
    """A Docker API failure in the middle of a run, as the problem a user can act on."""
    import requests

    text = str(getattr(exc, "explanation", None) or exc).strip()
    if "no space left" in text.lower():
        return problem("docker_out_of_disk", free_gb="0",
                       needed_gb=f"{MIN_FREE_DISK_BYTES / 1024**3:.0f}")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return classify_engine_error(_chain_text(exc))
    return problem("docker_error", detail=(text.splitlines() or ["unknown"])[0][:300])


def _seconds_between(started: str | None, finished: str | None) -> float | None:
    """Seconds between two of the engine's RFC 3339 timestamps (nanosecond digits allowed)."""
    from datetime import datetime

    def parse(text: str) -> datetime:
        head, _, frac = text.rstrip("Z").partition(".")
        micros = (frac + "000000")[:6]
        return datetime.strptime(f"{head}.{micros}", "%Y-%m-%dT%H:%M:%S.%f")

    try:
        return (parse(str(finished)) - parse(str(started))).total_seconds()
    except (TypeError, ValueError):
        return None


# --- The runner --------------------------------------------------------------------------------


class DockerRunner(Runner):
    backend = "docker"

    def __init__(
        self,
        image: str = DEFAULT_TOOLCHAIN_IMAGE,
        run_id: str = "",
        *,
        recipe: ConversionRecipe | None = None,
        client: Any = None,
        skip_lines: int = 0,
        stop_timeout: int = STOP_TIMEOUT,
    ) -> None:
        if not run_id:
            from wizard.core.runners.protocol import new_run_id

            run_id = new_run_id()
        self.image = image
        self.run_id = run_id
        self.recipe = recipe
        self.skip_lines = skip_lines
        self.stop_timeout = stop_timeout
        self._facts = RunFacts()
        self.uploaded_bytes = 0  # tar stream size, for the upload benchmark
        self.downloaded_bytes = 0  # files brought back from work/, for the benchmark
        self.exit_code: int | None = None
        self.container_seconds: float | None = None  # the engine's own start-to-exit time
        self._cancel_requested = threading.Event()
        self._detached = threading.Event()
        self._log_response: Any = None
        self._log_socket: Any = None
        self._client = client
        self._container: Any = None
        self._lock = threading.Lock()
        self._started = False

    # -- helpers --

    @property
    def container_name(self) -> str:
        return CONTAINER_PREFIX + self.run_id

    @property
    def client(self):
        if self._client is None:
            self._client = connect()
        return self._client

    @property
    def handle(self) -> RunHandle:
        return RunHandle(backend=self.backend, run_id=self.run_id, where=os.environ.get("DOCKER_HOST", "local"))

    @property
    def log_offset(self) -> int:
        return 0  # the engine keeps the container's whole log: a re-attach reads it again

    @property
    def facts(self) -> RunFacts:
        return self._facts

    @classmethod
    def reattach(cls, run_id: str, *, image: str = DEFAULT_TOOLCHAIN_IMAGE, skip_lines: int = 0,
                 recipe: ConversionRecipe | None = None, client: Any = None) -> "DockerRunner":
        """A runner for a run started earlier (maybe by an app that was closed since)."""
        import docker.errors

        runner = cls(image, run_id, recipe=recipe, client=client, skip_lines=skip_lines)
        try:
            runner._container = runner.client.containers.get(runner.container_name)
        except docker.errors.NotFound:
            raise WizardError.of("run_not_found", run_id=run_id, path="-") from None
        labels = runner._container.labels or {}
        if labels.get(LABEL_ROLE) != ROLE:
            raise WizardError.of("run_not_found", run_id=run_id, path="-")
        if runner._container.status == "created":
            # Never started: the app stopped during upload, so the copy may be incomplete.
            # Starting it could convert half a workspace; remove it and let the user start again.
            runner._remove_container()
            raise WizardError.of("run_not_found", run_id=run_id, path="-")
        runner._started = True
        from wizard.core.runners.docker.image import image_record, image_status

        status = image_status(runner.client, image)
        if status.present:  # for reproduce.sh: the exact image, as a fresh run records it
            runner._facts.image = image_record(status)
        return runner

    @staticmethod
    def list_runs(client: Any = None) -> list[dict[str, Any]]:
        """Every conversion container on this engine (the job list, and stray-container cleanup)."""
        client = client or connect()
        found = []
        for c in client.containers.list(all=True, filters={"label": f"{LABEL_ROLE}={ROLE}"}):
            found.append({"run_id": (c.labels or {}).get(LABEL_RUN_ID, ""), "name": c.name,
                          "status": c.status, "image": (c.labels or {}).get(LABEL_IMAGE, "")})
        return found

    # -- protocol --

    def prepare(self) -> Iterator[Event]:
        from wizard.core.runners.docker.image import engine_free_bytes, image_record, require_image

        yield StepStarted(step="prepare", command="docker: check engine, image, memory and disk")
        started = time.monotonic()
        client = self.client
        try:
            version = client.version()
            info = client.info()
        except Exception as exc:  # noqa: BLE001 - same meaning as a failed ping
            raise WizardError(classify_engine_error(_chain_text(exc))) from None
        yield LogLine(text=say("line_docker_engine", version=version.get("Version", "?"),
                                os=info.get("OperatingSystem", "?"), cpus=info.get("NCPU", "?"),
                                memory_gb=f"{(info.get('MemTotal') or 0) / 1e9:.1f}"), step="prepare", stream="runner")
        status = require_image(client, self.image)
        self._facts.image = image_record(status)
        yield LogLine(text=say("line_docker_image", image=self.image, image_id=status.image_id[:19]), step="prepare",
                      stream="runner")
        warning = memory_warning(int(info.get("MemTotal") or 0), self.recipe)
        if warning:
            yield ProblemRaised(problem=warning, step="prepare")
        free = engine_free_bytes(client)
        if free is not None and free < MIN_FREE_DISK_BYTES:
            raise WizardError.of("docker_out_of_disk", free_gb=f"{free / 1024**3:.1f}",
                                 needed_gb=f"{MIN_FREE_DISK_BYTES / 1024**3:.0f}")
        yield StepFinished(step="prepare", ok=True, elapsed=time.monotonic() - started)

    def upload(self, workspace: Path) -> Iterator[Event]:
        """Create the run's container and copy the workspace into it (without work/ outputs
        other than cached ones: whatever is in the local work/ goes, so cache stamps travel)."""
        import docker.errors
        import requests

        workspace = Path(workspace)
        yield StepStarted(step="upload", command=f"copy {workspace.name} into {self.container_name}")
        started = time.monotonic()
        client = self.client
        try:
            container = client.containers.create(
                self.image,
                command=["bash", "convert.sh"],
                name=self.container_name,
                working_dir=REMOTE_WORKSPACE,
                labels={LABEL_ROLE: ROLE, LABEL_RUN_ID: self.run_id, LABEL_IMAGE: self.image},
                init=True,
                detach=True,
            )
        except docker.errors.ImageNotFound:
            from wizard.core.runners.docker.image import IMAGE_DISK_NEED_GB

            raise WizardError.of("toolchain_image_missing", image=self.image, needed_gb=IMAGE_DISK_NEED_GB) from None
        except docker.errors.APIError as exc:
            if getattr(exc, "status_code", None) == 409:
                raise WizardError.of("run_already_exists", run_id=self.run_id) from None
            raise WizardError(_api_error_problem(exc)) from None
        with self._lock:
            self._container = container
        if self._cancel_requested.is_set():  # cancelled while creating: don't leave it behind
            self._remove_container()
            yield StepFinished(step="upload", ok=False)
            return

        # Build the tar on local disk first (fast), then stream it with byte progress. The upload
        # is one blocking call; it runs in a thread so this generator can report progress.
        spool = tempfile.TemporaryFile()
        entries = [("workspace", workspace)] + list(
            tar_directory(workspace, arcname="workspace", exclude=lambda rel: rel.startswith(".staging-"))
        )
        write_tar(entries, spool)
        size = spool.tell()
        spool.seek(0)
        self.uploaded_bytes = size
        updates: "queue.Queue[tuple[str, Any]]" = queue.Queue()

        def chunks() -> Iterator[bytes]:
            sent = 0
            while True:
                block = spool.read(1024 * 1024)
                if not block or self._cancel_requested.is_set():
                    return
                sent += len(block)
                updates.put(("bytes", sent))
                yield block

        def work() -> None:
            try:
                container.put_archive("/", chunks())
            except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
                updates.put(("error", exc))
            finally:
                updates.put(("end", None))

        thread = threading.Thread(target=work, name=f"upload-{self.run_id}", daemon=True)
        thread.start()
        error: BaseException | None = None
        last = -1.0
        while True:
            kind, value = updates.get()
            if kind == "end":
                break
            if kind == "error":
                error = value
                continue
            fraction = value / size if size else 1.0
            if fraction - last >= 0.02 or value == size:
                last = fraction
                yield Progress(step="upload", fraction=fraction, done=value, total=size,
                               text=f"{value / 1e6:.1f} of {size / 1e6:.1f} MB")
        thread.join()
        spool.close()
        if self._cancel_requested.is_set():
            yield StepFinished(step="upload", ok=False)
            return
        if error is not None:
            raise WizardError(_api_error_problem(error))
        yield StepFinished(step="upload", ok=True, elapsed=time.monotonic() - started)

    def _log_frames(self) -> Iterator[tuple[str, bytes]]:
        """(stream, payload) frames of the container's log from the start, following it.

        docker-py's own ``logs(stream=True)`` drops which stream a frame came from; the engine's
        multiplexed format (8-byte header: stream id, 3 zero bytes, big-endian length) keeps it.
        """
        api = self.client.api
        if not all(hasattr(api, name) for name in ("_get", "_url", "_raise_for_status")):
            # A docker SDK whose internals moved: still live, only without the stream's name.
            for chunk in self._container.logs(stream=True, follow=True):
                yield "stdout", chunk
            return
        response = api._get(
            api._url("/containers/{0}/logs", self._container.id),
            params={"stdout": 1, "stderr": 1, "follow": 1, "timestamps": 0},
            stream=True,
        )
        api._raise_for_status(response)
        self._log_response = response
        if self._detached.is_set():
            response.close()
            return
        try:
            sock = api._get_raw_response_socket(response)
            self._log_socket = sock
            api._disable_socket_timeout(sock)  # a quiet 10-minute calibration is not a timeout
        except Exception:  # noqa: BLE001 - only a read timeout would follow, not wrong data
            pass
        streams = {1: "stdout", 2: "stderr"}
        while True:
            header = response.raw.read(8)
            if len(header) < 8:
                return
            kind, length = struct.unpack(">BxxxL", header)
            if not length:
                continue
            payload = b""
            while len(payload) < length:
                more = response.raw.read(length - len(payload))
                if not more:
                    return
                payload += more
            yield streams.get(kind, "stdout"), payload

    def run(self) -> Iterator[Event]:
        import docker.errors
        import requests

        if self._container is None:
            raise WizardError.of("run_not_found", run_id=self.run_id, path="-")
        started = time.monotonic()
        output = OutputEvents(skip_lines=self.skip_lines)
        self.output = output
        try:
            # Started before anything is yielded: a caller that stops iterating (detach) after
            # the first event must leave a running conversion, not a created-only container.
            if not self._started:
                if self._cancel_requested.is_set():
                    yield StepFinished(step="convert", ok=False, elapsed=0.0)
                    return
                self._container.start()
                self._started = True
            yield StepStarted(step="convert", command="bash convert.sh")
            # The log stream can end while the container still runs (a dropped connection to a
            # remote engine, an engine restart): follow again, skipping the frames already
            # seen (the log is replayed from its start, frame for frame), until it has exited.
            # Once it has exited, one more pass picks up whatever a drop just before the end hid
            # (a finished container's log is read to its end at once; it is small).
            frames_seen = 0
            exited = False
            while True:
                skip = frames_seen
                try:
                    for stream, payload in self._log_frames():
                        if skip:
                            skip -= 1
                            continue
                        frames_seen += 1
                        yield from output.feed_bytes(payload, stream)
                except Exception:  # noqa: BLE001 - a read on the connection detach() closed
                    if not self._detached.is_set():
                        raise
                if self._detached.is_set():
                    return  # the conversion goes on; a re-attach streams the rest
                if exited or self._cancel_requested.is_set():
                    break
                self._container.reload()
                if self._container.status != "running":
                    exited = True
                else:
                    time.sleep(0.5)
            yield from output.flush()
            result = self._container.wait(timeout=60)
            self._container.reload()
            state = self._container.attrs.get("State") or {}
            self.exit_code = int(result.get("StatusCode", state.get("ExitCode", -1)))
            self._facts.oom_killed = bool(state.get("OOMKilled"))
            self.container_seconds = _seconds_between(state.get("StartedAt"), state.get("FinishedAt"))
        except (docker.errors.NotFound, docker.errors.APIError, requests.exceptions.RequestException) as exc:
            if self._cancel_requested.is_set():
                self.exit_code = None
            else:
                raise WizardError(_api_error_problem(exc)) from None
        if self._cancel_requested.is_set():
            yield StepFinished(step="convert", ok=False, exit_code=None, elapsed=time.monotonic() - started)
            return
        # Exit 137 / OOMKilled is turned into the memory message by the job (shared with SSH).
        yield from output.finish(self.exit_code)
        yield StepFinished(step="convert", ok=self.exit_code == 0, exit_code=self.exit_code,
                           elapsed=time.monotonic() - started)

    def download(self, run_dir: Path) -> Iterator[Event]:
        """Bring back from the container's work/ what the user and the later steps need
        (wizard.core.plan.kept_files), one file at a time, into ``run_dir``/work (``run_dir`` is
        the local workspace). The rest stays in the container until cleanup removes it."""
        import docker.errors
        import requests

        if self._container is None:
            raise WizardError.of("run_not_found", run_id=self.run_id, path=str(run_dir))
        yield StepStarted(step="download", command=f"copy the results in {WORK_DIR}/ from {self.container_name}")
        started = time.monotonic()
        work = Path(run_dir) / WORK_DIR
        recipe = self.recipe or ConversionRecipe.load(Path(run_dir) / RECIPE_FILE)

        def fetch(rel: str) -> tuple[int, int] | None:
            """(files, bytes) extracted for one path of work/; None when it is not there."""
            try:
                stream, _stat = self._container.get_archive(f"{REMOTE_WORKSPACE}/{WORK_DIR}/{rel}")
            except docker.errors.NotFound:
                return None
            report = extract_tar_stream(stream, work / PurePosixPath(rel).parent)
            return len(report.files), report.bytes_written

        try:
            listing = fetch(LISTING_FILE)
            present = parse_listing((work / LISTING_FILE).read_text(encoding="utf-8", errors="replace")) if listing else {}
            # Without a listing (convert.sh cut short), each path is simply tried.
            wanted = [rel for rel in brought_back(recipe) if rel != LISTING_FILE and (
                not present or rel in present or any(p.startswith(rel + "/") for p in present))]
            total = sum(size for path, size in present.items() if is_brought_back(path, recipe))
            files = written = 0
            found = listing is not None
            for rel in wanted:
                got = fetch(rel)
                if got is not None:
                    found = True
                    files, written = files + got[0], written + got[1]
                    yield Progress(step="download", fraction=min(1.0, written / total) if total else None,
                                   done=written, total=total or None, text=f"{rel}: {written / 1e6:.1f} MB")
        except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
            raise WizardError(_api_error_problem(exc)) from None
        if not found:
            # convert.sh makes work/.done first thing; nothing means it never started.
            yield StepFinished(step="download", ok=False, elapsed=time.monotonic() - started)
            return
        self.downloaded_bytes = written
        yield Progress(step="download", fraction=1.0, done=written, total=total or None,
                       text=f"{files} files, {written / 1e6:.1f} MB")
        yield StepFinished(step="download", ok=True, elapsed=time.monotonic() - started)

    def detach(self) -> None:
        """Stop following the log (any thread) and leave the container running."""
        self._detached.set()
        # shutdown() (not close) is what wakes a recv() blocked in another thread.
        sock, response = self._log_socket, self._log_response
        for action in (lambda: sock.shutdown(socket.SHUT_RDWR), lambda: response.close()):
            try:
                action()
            except Exception:  # noqa: BLE001 - not open (yet), or already closed
                pass

    def cancel(self) -> None:
        """SIGTERM (via tini) then SIGKILL after ``stop_timeout`` s, then remove. Any thread."""
        self._cancel_requested.set()
        self._remove_container(stop_first=True)

    def _remove_container(self, stop_first: bool = False) -> None:
        import docker.errors
        import requests

        with self._lock:
            container = self._container
        if container is None:
            return
        try:
            if stop_first:
                container.stop(timeout=self.stop_timeout)
        except (docker.errors.NotFound, docker.errors.APIError, requests.exceptions.RequestException):
            pass
        try:
            container.remove(force=True, v=True)  # v: anonymous volumes an image might declare
        except docker.errors.NotFound:
            pass
        except (docker.errors.APIError, requests.exceptions.RequestException):
            # "removal already in progress" from a concurrent cleanup; nothing left to do here.
            pass

    def cleanup(self, keep_remote: bool = False) -> Iterator[Event]:
        yield StepStarted(step="cleanup", command=f"remove {self.container_name}")
        if not keep_remote:
            self._remove_container(stop_first=False)
        else:
            yield LogLine(text=say("line_docker_kept", name=self.container_name), step="cleanup", stream="runner")
        yield StepFinished(step="cleanup", ok=True)
