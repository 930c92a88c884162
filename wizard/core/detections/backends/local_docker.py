"""model_runner in the local Docker engine: one container of the toolchain image per batch.

The container is created from the recipe's toolchain image (the one the conversion ran in), the
batch (model, its weights, the inputs, the driver) goes in with ``put_archive`` and each output
comes back with ``get_archive`` as soon as the driver says it is complete, as the conversion's
DockerRunner moves files: through the Docker API only, no bind mounts (paths with spaces or
Japanese characters, Docker Desktop's file sharing do not matter). The docker SDK is blocking:
like every runner, this is called from a worker thread (the GUI) or the CLI's main thread.

Cancel (any thread): the container is removed at once (SIGKILL); the log stream then ends. The
container runs under Docker's init so the driver gets signals; it is named
``recamera-wizard-<run id>`` and labelled role=detection-check, so a stray one can be found.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from wizard.core.detections.backends.batch import (
    DRIVER_FILE,
    JOB_FILE,
    BatchReader,
    Marker,
    batch_entries,
    output_name,
    remote_batch,
)
from wizard.core.detections.check import ModelRunnerJob
from wizard.core.events import Event, LogLine
from wizard.core.messages import WizardError
from wizard.core.runners.protocol import new_run_id
from wizard.core.runners.safe_tar import write_tar
from wizard.core.toolchain.lines import LineSplitter

BATCH_DIR = "/detections"
ROLE = "detection-check"
LABEL_ROLE = "org.recamera-wizard.role"
LABEL_RUN_ID = "org.recamera-wizard.run-id"
CONTAINER_PREFIX = "recamera-wizard-"


class DockerModelRunner:
    """``ModelRunnerBackend`` on the local engine (or the one DOCKER_HOST names)."""

    where = "Docker"

    def __init__(self, image: str, *, client: Any = None, run_id: str = "") -> None:
        self.image = image
        self.run_id = run_id or new_run_id()
        self._client = client
        self._container: Any = None
        self._lock = threading.Lock()
        self._cancel_requested = threading.Event()
        self.bytes_sent = 0  # tar bytes into containers, for the benchmark
        self.bytes_received = 0  # tar bytes of outputs out of them
        self.containers = 0

    @property
    def client(self):
        if self._client is None:
            from wizard.core.runners.docker.runner import connect  # the docker SDK: imported when used

            self._client = connect()
        return self._client

    def cancel(self) -> None:
        self._cancel_requested.set()
        self._remove()

    def run_model_runner(self, job: ModelRunnerJob) -> Iterator[Event]:
        from wizard.core.runners.docker.image import require_image

        if self._cancel_requested.is_set():
            return
        client = self.client
        require_image(client, self.image)
        batch = remote_batch(job)
        name = f"{CONTAINER_PREFIX}{self.run_id}-{job.side}"
        container = self._create(client, name)
        try:
            yield LogLine(f"model_runner in {name} ({self.image}): {len(job.inputs)} pictures, {job.model.name}",
                          step="model_runner", stream="runner")
            self._put(container, batch)
            if self._cancel_requested.is_set():
                return
            container.start()
            reader = BatchReader(job, f"{self.where} ({self.image})")

            def fetch(marker: Marker) -> None:
                self._fetch(container, marker.index, Path(job.outputs[marker.index]))

            splitter = LineSplitter()
            try:
                for chunk in container.logs(stream=True, follow=True):
                    for line in splitter.feed(chunk):
                        yield from reader.feed(line.text, fetch)
                for line in splitter.flush():
                    yield from reader.feed(line.text, fetch)
            except Exception as exc:  # noqa: BLE001 - the stream a cancel cut, or the engine's error
                if self._cancel_requested.is_set():
                    return
                raise _api_error(exc) from None
            if self._cancel_requested.is_set():
                return
            exit_code, oom = self._exit_state(container)
            reader.check_finished(exit_code, out_of_memory=oom)
        finally:
            self._remove()

    # -- the docker calls ----------------------------------------------------------------------

    def _create(self, client, name: str):
        import docker.errors

        try:
            container = client.containers.create(
                self.image, command=["python3", DRIVER_FILE, JOB_FILE], name=name, working_dir=BATCH_DIR,
                labels={LABEL_ROLE: ROLE, LABEL_RUN_ID: self.run_id}, init=True, detach=True)
        except docker.errors.ImageNotFound:
            from wizard.core.runners.docker.image import IMAGE_DISK_NEED_GB

            raise WizardError.of("toolchain_image_missing", image=self.image, needed_gb=IMAGE_DISK_NEED_GB) from None
        except Exception as exc:  # noqa: BLE001 - APIError, a dropped connection: the engine's words
            raise _api_error(exc) from None
        self.containers += 1
        with self._lock:
            self._container = container
        if self._cancel_requested.is_set():
            self._remove()
        return container

    def _put(self, container, batch) -> None:
        with tempfile.TemporaryFile() as spool:
            with batch_entries(batch, BATCH_DIR.strip("/")) as entries:
                write_tar(entries, spool)
            self.bytes_sent += spool.tell()
            spool.seek(0)
            try:
                container.put_archive("/", spool.read())
            except Exception as exc:  # noqa: BLE001
                if not self._cancel_requested.is_set():
                    raise _api_error(exc) from None

    def _fetch(self, container, index: int, target: Path) -> None:
        """outputs[index] out of the container into ``target`` (atomically: the check reads it)."""
        try:
            stream, _ = container.get_archive(f"{BATCH_DIR}/{output_name(index)}")
            data = b"".join(stream)
        except Exception as exc:  # noqa: BLE001
            raise _api_error(exc) from None
        self.bytes_received += len(data)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            member = next((m for m in archive.getmembers() if m.isfile()), None)
            source = archive.extractfile(member) if member is not None else None
            if source is None:
                raise WizardError.of("detections_runner_no_output", path=str(target))
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(source.read())
            os.replace(temporary, target)

    def _exit_state(self, container) -> tuple[int | None, bool]:
        try:
            result = container.wait(timeout=60)
            container.reload()
        except Exception as exc:  # noqa: BLE001
            if self._cancel_requested.is_set():
                return None, False
            raise _api_error(exc) from None
        state = container.attrs.get("State") or {}
        return int(result.get("StatusCode", state.get("ExitCode", -1))), bool(state.get("OOMKilled"))

    def _remove(self) -> None:
        with self._lock:
            container, self._container = self._container, None
        if container is None:
            return
        for attempt in range(3):
            try:
                container.remove(force=True, v=True)
                return
            except Exception as exc:  # noqa: BLE001 - gone already, or "removal in progress"
                if "no such container" in str(exc).lower() or "404" in str(exc):
                    return
                time.sleep(0.2 * (attempt + 1))


def _api_error(exc: BaseException) -> WizardError:
    """An engine failure in the user's terms (engine gone, disk full, or Docker's own words)."""
    if isinstance(exc, WizardError):
        return exc
    from wizard.core.runners.docker.runner import classify_engine_error

    text = str(getattr(exc, "explanation", None) or exc).strip()
    if "no space left" in text.lower():
        return WizardError.of("docker_error", detail=text.splitlines()[0][:300], log="-")
    if "connection" in type(exc).__name__.lower() or "connection" in text.lower():
        return WizardError(classify_engine_error(f"{type(exc).__name__}: {text}"))
    return WizardError.of("docker_error", detail=(text.splitlines() or ["unknown"])[0][:300], log="-")
