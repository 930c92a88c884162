"""model_runner on the user's Linux VM, in the VM's Docker with the toolchain image of the conversion.

The same VM, the same SSH policy (host keys, key, agent, password kept in memory) and the same
image as the conversion: built from the conversion's RunnerSpec. Per batch:

    upload    one tar.gz stream into ~/.recamera-wizard/runs/<id>/ (checksums verified on the
              VM, as the conversion's upload), <id> = <run id>-<side>
    run       ``docker run --rm --name recamera-wizard-<id> -v <dir>:/detections ... python3
              batch_driver.py job.json`` with its output streamed over the SSH channel; each
              output is fetched over SFTP as soon as the driver says it is complete
    cleanup   the container and the folder (files the container wrote belong to root: the
              conversion's sweeper removes them), whatever happened

Unlike a conversion this is not detached from the session: a batch is minutes, and what is
fetched is cached, so after a dropped connection running the check again continues.
Cancel (any thread): ``docker rm -f`` over a second connection; the stream then ends.
paramiko is blocking: called from a worker thread (GUI) or the CLI's main thread.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

from wizard.core.detections.backends.batch import (
    CANCEL_FILE,
    DRIVER_FILE,
    JOB_FILE,
    BatchReader,
    Marker,
    batch_entries,
    output_name,
    remote_batch,
)
from wizard.core.checksums import sha256_file
from wizard.core.detections.check import MODEL_RUNNER_STEP, ModelRunnerJob
from wizard.core.events import Event, LogLine
from wizard.core.messages import WizardError
from wizard.core.runners.protocol import new_run_id
from wizard.core.runners.safe_tar import write_tar
from wizard.core.ssh import remote_shell as rs
from wizard.core.ssh.options import HostKeyPolicy, SshCredentials, SshTimings
from wizard.core.toolchain.lines import LineSplitter

BATCH_DIR = "/detections"


class VmModelRunner:
    """``ModelRunnerBackend`` on a VM over SSH (its Docker)."""

    def __init__(self, host: str, *, image: str, credentials: SshCredentials = SshCredentials(),
                 host_keys: HostKeyPolicy = HostKeyPolicy(), timings: SshTimings = SshTimings(), run_id: str = "",
                 remote_root: str = rs.DEFAULT_REMOTE_ROOT) -> None:
        """``credentials``, ``host_keys``, ``timings``: as SshRunner's (a check needs no set-up
        consent: the VM and the image are there since the conversion ran on them)."""
        from wizard.core.ssh.connection import SshTarget  # paramiko: imported when a VM is used

        self.target = SshTarget.parse(host)
        self.image = image
        self.credentials = credentials
        self.host_keys = host_keys.store()
        self.accept_fingerprint = host_keys.accept_fingerprint
        self.timings = timings
        self.run_id = rs.check_run_id(run_id or new_run_id())
        self.remote_root = remote_root
        self.where = str(self.target)
        self._conn = None
        self._home: str | None = None
        self._cancel_requested = threading.Event()
        self._running: tuple[str, str] | None = None  # (remote folder, container id) of the batch
        self.bytes_sent = 0  # the compressed upload stream
        self.bytes_received = 0  # outputs fetched over SFTP

    @classmethod
    def from_spec(cls, spec, image: str, *, credentials: SshCredentials | None = None,
                  host_keys: HostKeyPolicy | None = None) -> "VmModelRunner":
        """From the conversion's RunnerSpec (wizard.core.runners.factory); ``credentials`` and
        ``host_keys`` replace the spec's when given."""
        return cls(spec.host, image=spec.image or image, credentials=credentials or spec.ssh_credentials(),
                   host_keys=host_keys or spec.host_key_policy())

    # -- connection ----------------------------------------------------------------------------

    def _new_connection(self):
        from wizard.core.ssh.connection import SshConnection  # paramiko: imported when used

        return SshConnection(self.target, self.credentials, self.host_keys, accept_fingerprint=self.accept_fingerprint,
                             timings=self.timings).connect()

    def _connection(self):
        if self._conn is None or not self._conn.alive:
            self._conn = self._new_connection()
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _run(self, command: str, what: str, **options: Any) -> str:
        result = self._connection().run(command, **options)
        if result.exit_code != 0:
            detail = (result.err.strip() or result.out.strip() or f"exit code {result.exit_code}").splitlines()[-1]
            if "no such image" in detail.lower():
                raise WizardError.of("vm_image_missing", image=self.image, target=self.where)
            raise WizardError.of("vm_command_failed", what=what, target=self.where, detail=detail[:300])
        return result.out

    def _remote_dir(self, batch_id: str) -> str:
        if self._home is None:
            home = self._run(rs.home_command(), "echo $HOME", timeout=30).strip()
            if not home.startswith("/"):
                raise WizardError.of("vm_command_failed", what="echo $HOME", target=self.where, detail="no home folder")
            self._home = home
        return rs.remote_run_dir(self._home, batch_id, self.remote_root)

    # -- the protocol --------------------------------------------------------------------------

    def cancel(self) -> None:
        """Remove the batch's container over a second connection (the first is mid-read)."""
        self._cancel_requested.set()
        running = self._running
        if running is None:
            return
        remote_dir, batch_id = running
        try:
            conn = self._new_connection()
        except WizardError:
            return  # unreachable: the stream's own error ends the batch
        try:
            conn.run(f"touch {rs.q(remote_dir + '/' + CANCEL_FILE)} 2>/dev/null; "
                     f"docker rm -f {rs.q(rs.container_name(batch_id))} >/dev/null 2>&1; true", timeout=30)
        except Exception:  # noqa: BLE001 - best effort: the stream ends with the connection anyway
            pass
        finally:
            conn.close()

    def run_model_runner(self, job: ModelRunnerJob) -> Iterator[Event]:
        from wizard.core.ssh.connection import CONNECTION_ERRORS, ConnectionLost  # paramiko

        if self._cancel_requested.is_set():
            return
        batch_id = rs.check_run_id(f"{self.run_id}-{job.side}")
        try:
            self._run(rs.join(["docker", "image", "inspect", "--format", "{{.Id}}", self.image]),
                      "docker image inspect", timeout=60)
            remote_dir = self._remote_dir(batch_id)
            self._running = (remote_dir, batch_id)
            yield LogLine(f"model_runner on {self.where} in {self.image}: {len(job.inputs)} pictures, {job.model.name}",
                          step=MODEL_RUNNER_STEP, stream="runner")
            self._upload(job, remote_dir)
            if self._cancel_requested.is_set():
                return
            yield from self._stream(job, remote_dir, batch_id)
        except (ConnectionLost, *CONNECTION_ERRORS) as exc:
            if self._cancel_requested.is_set():
                return
            raise WizardError.of("detections_runner_lost", where=self.where) from exc
        finally:
            self._running = None
            self._cleanup(batch_id)

    def _upload(self, job: ModelRunnerJob, remote_dir: str) -> None:
        from wizard.core.runners.vm.runner import sums_line  # paramiko: imported when used

        batch = remote_batch(job)
        # Checked on the VM before anything runs (a cut stream would give wrong outputs).
        sums = [sums_line(sha256_file(path), f"./{name}") for name, path in batch.files]
        sums += [sums_line(hashlib.sha256(data).hexdigest(), f"./{name}") for name, data in batch.documents.items()]
        batch.documents[rs.UPLOAD_SUMS] = "".join(sums).encode("utf-8")
        with batch_entries(batch) as entries, tempfile.TemporaryFile() as spool:
            with gzip.GzipFile(fileobj=spool, mode="wb", compresslevel=6, mtime=0) as gz:
                write_tar(entries, gz)  # type: ignore[arg-type]
            self.bytes_sent += spool.tell()
            spool.seek(0)
            self._run(rs.upload_command(remote_dir), "upload the pictures", timeout=600,
                      stdin=lambda channel: shutil.copyfileobj(spool, channel))

    def _stream(self, job: ModelRunnerJob, remote_dir: str, batch_id: str) -> Iterator[Event]:
        command = rs.join(["docker", "run", "--rm", "--name", rs.container_name(batch_id),
                           "-v", f"{remote_dir}:{BATCH_DIR}", "-w", BATCH_DIR, self.image,
                           "python3", DRIVER_FILE, JOB_FILE])
        reader = BatchReader(job, f"{self.where} ({self.image})")

        def fetch(marker: Marker) -> None:
            self._fetch(f"{remote_dir}/{output_name(marker.index)}", Path(job.outputs[marker.index]))

        splitter = LineSplitter()
        output = self._connection().stream(command)
        exit_code = None
        try:
            while True:
                chunk = next(output)
                for line in splitter.feed(chunk):
                    yield from reader.feed(line.text, fetch)
        except StopIteration as done:
            exit_code = done.value
        for line in splitter.flush():
            yield from reader.feed(line.text, fetch)
        if self._cancel_requested.is_set():
            return
        reader.check_finished(exit_code)

    def _fetch(self, remote: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
        os.close(handle)
        try:
            self._connection().sftp().get(remote, temporary)
            self.bytes_received += os.path.getsize(temporary)
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)

    def _cleanup(self, batch_id: str) -> None:
        """The container and the folder, over a fresh connection when the first one broke."""
        if self._home is None:
            return
        command = rs.cleanup_command(rs.remote_run_dir(self._home, batch_id, self.remote_root), batch_id, self.image)
        try:
            self._connection().run(command, timeout=300)
        except Exception:  # noqa: BLE001 - the VM is out of reach: nothing left to do from here
            pass
