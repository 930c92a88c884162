"""What every model_runner backend shares: the batch it sends, the lines it reads back, its errors.

A backend runs ``batch_driver.py`` (standard library only) where the toolchain is. This module
builds the driver's job (``job.json``) and the files that go with it, reads the driver's marker
lines out of the output stream, and turns a failure into the WizardError the user sees: which
picture, which model, the tool's last lines, and out of memory told apart from a crash.

Files of a batch sent to a container or a VM, under one folder (``BATCH_DIR`` in a container):

    job.json, batch_driver.py
    <model>                 the .cvimodel or the top .mlir, under its own name
    <weight file>           a top MLIR's weights (``module.weight_file``, named relative to the
                            folder model_runner runs in, so the folder is the work folder's twin)
    <model>.*               files named after the model beside it (what a toolchain keeps with it)
    in/NNN.npz              the inputs, in order
    out/NNN.npz             written there: the outputs, trimmed to the tensors the check reads
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, Sequence

from wizard.core.detections.check import MODEL_RUNNER_STEP, ModelRunnerJob, weight_file_of
from wizard.core.events import Event, LogLine, Progress
from wizard.core.messages import WizardError

DRIVER_FILE = "batch_driver.py"
JOB_FILE = "job.json"
CANCEL_FILE = "cancelled"
MARKER = "@@recamera-wizard-detections"  # batch_driver.MARKER (the driver is not imported: it is sent)
TOOL = "model_runner.py"  # the name every TPU-MLIR exposes (wheel and source build)
TAIL_LINES = 12  # lines of the tool's output an error quotes (the last few that say something)
ERROR_DETAIL_CHARS = 600


def driver_source() -> bytes:
    """The driver's source, sent as it is. It is read from beside this module, so an app bundle
    must carry it as a file (a frozen app keeps modules as bytecode only)."""
    path = Path(__file__).with_name(DRIVER_FILE)
    try:
        return path.read_bytes()
    except OSError:
        raise WizardError.of("detections_driver_missing", path=str(path)) from None


def input_name(index: int) -> str:
    return f"in/{index:03d}.npz"


def output_name(index: int) -> str:
    return f"out/{index:03d}.npz"


def model_files(model: Path) -> list[tuple[str, Path]]:
    """(name in the batch folder, local file) of the model and what must travel with it."""
    model = Path(model)
    files = [(model.name, model)]
    if model.suffix == ".mlir":
        weights = weight_file_of(model)
        if weights is not None:
            relative = PurePosixPath(weights.relative_to(model.parent).as_posix())
            if relative.is_absolute() or ".." in relative.parts or not weights.is_file():
                raise WizardError.of("detections_model_files_missing", path=str(weights))
            files.append((str(relative), weights))
    companions = sorted(p for p in model.parent.glob(model.name + ".*") if p.is_file())
    files += [(p.name, p) for p in companions]
    return files


def job_document(job: ModelRunnerJob, *, model: str, work_dir: str, inputs: Sequence[str],
                 outputs: Sequence[str], cancel_file: str | None = CANCEL_FILE) -> bytes:
    return json.dumps({"tool": TOOL, "model": model, "work_dir": work_dir, "inputs": list(inputs),
                       "outputs": list(outputs), "keep": list(job.keep), "cancel_file": cancel_file},
                      indent=1).encode("utf-8")


@dataclass
class Batch:
    """A batch to send: ``files`` (name in the batch folder -> local file) and ``documents``
    (name -> bytes: job.json and the driver)."""

    files: list[tuple[str, Path]]
    documents: dict[str, bytes]

    @property
    def bytes_out(self) -> int:
        return sum(p.stat().st_size for _, p in self.files) + sum(len(d) for d in self.documents.values())


@contextlib.contextmanager
def batch_entries(batch: Batch, prefix: str = "") -> Iterator[list[tuple[str, Path]]]:
    """(archive name, local path) of everything in ``batch``, folders first (a tar stream must
    make them before their files), the documents written to a temporary folder meanwhile."""
    with tempfile.TemporaryDirectory(prefix="wizard-batch-") as folder:
        entries = []
        for name, data in batch.documents.items():
            (Path(folder) / name).write_bytes(data)
            entries.append((name, Path(folder) / name))
        entries += batch.files
        if prefix:
            entries = [(f"{prefix}/{name}", path) for name, path in entries]
        folders: dict[str, Path] = {}
        for name, path in entries:
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folders.setdefault("/".join(parts[:depth]), path.parent)
        yield list(folders.items()) + entries


def remote_batch(job: ModelRunnerJob) -> Batch:
    """The batch for a container or a VM: everything under one folder, relative names."""
    files = model_files(job.model) + [(input_name(i), Path(p)) for i, p in enumerate(job.inputs)]
    document = job_document(job, model=job.model.name, work_dir=".",
                            inputs=[input_name(i) for i in range(len(job.inputs))],
                            outputs=[output_name(i) for i in range(len(job.inputs))])
    return Batch(files, {JOB_FILE: document, DRIVER_FILE: driver_source()})


# ---------------------------------------------------------------------------------------------
# Reading the output back
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    kind: str  # start | done | failed | cancelled | end
    index: int = -1
    exit_code: int | None = None
    out_of_memory: bool = False
    size: int = 0


def parse_marker(line: str) -> Marker | None:
    if not line.startswith(MARKER + " "):
        return None
    words = line[len(MARKER) + 1:].split()
    try:
        kind = words[0]
        if kind == "end":
            return Marker("end")
        index = int(words[1])
        if kind == "done":
            return Marker("done", index, size=int(words[2]) if len(words) > 2 else 0)
        if kind == "failed":
            return Marker("failed", index, exit_code=int(words[2]), out_of_memory=words[3:4] == ["oom"])
        if kind in ("start", "cancelled"):
            return Marker(kind, index)
    except (IndexError, ValueError):
        return None
    return None


@dataclass
class BatchReader:
    """Feeds the driver's output lines; yields LogLine for the tool's lines, and tells a backend
    which output is ready (``on_done``) before the Progress of that picture goes out."""

    job: ModelRunnerJob
    where: str
    tail: list[str] = field(default_factory=list)
    current: int = -1
    done: int = 0
    failed: Marker | None = None
    cancelled: bool = False
    ended: bool = False

    def feed(self, line: str, on_done=None) -> Iterator[Event]:
        marker = parse_marker(line)
        if marker is None:
            if line.strip():
                self.tail.append(line.rstrip())
                del self.tail[:-TAIL_LINES * 4]
            yield LogLine(line, step=MODEL_RUNNER_STEP, stream="stdout")
            return
        if marker.kind == "start":
            self.current = marker.index
            self.tail = []
        elif marker.kind == "done":
            if on_done is not None:
                on_done(marker)
            self.done = marker.index + 1
            total = len(self.job.inputs)
            yield Progress(MODEL_RUNNER_STEP, self.done / total, done=self.done, total=total)
        elif marker.kind == "failed":
            self.failed = marker
        elif marker.kind == "cancelled":
            self.cancelled = True
        elif marker.kind == "end":
            self.ended = True

    def picture(self, index: int | None = None) -> str:
        index = self.current if index is None else index
        if 0 <= index < len(self.job.names):
            return self.job.names[index]
        if 0 <= index < len(self.job.inputs):
            return Path(self.job.inputs[index]).name
        return "?"

    def error(self, exit_code: int | None, *, out_of_memory: bool = False) -> WizardError:
        """Why the batch stopped, naming the picture: out of memory, or the tool's last lines."""
        marker = self.failed
        index = marker.index if marker else self.current
        code = marker.exit_code if marker else exit_code
        if out_of_memory or (marker is not None and marker.out_of_memory) or code in (137, -9):
            return WizardError.of("detections_runner_out_of_memory", picture=self.picture(max(index, 0)),
                                  model=self.job.model.name, where=self.where)
        if marker is None and self.current < 0:  # the driver never got to a picture
            return WizardError.of("detections_runner_not_started", where=self.where,
                                  exit_code="?" if code is None else code, detail=self.detail())
        if code == 127 and any(TOOL in line for line in self.tail[-3:]):
            return WizardError.of("detections_toolchain_missing", tool=TOOL, where=self.where)
        return WizardError.of("detections_runner_failed", picture=self.picture(index), model=self.job.model.name,
                              where=self.where, exit_code="?" if code is None else code, detail=self.detail())

    def detail(self) -> str:
        lines = [line for line in self.tail if line.strip()][-TAIL_LINES:]
        text = " | ".join(line.strip() for line in lines) or "(no output)"
        return text[-ERROR_DETAIL_CHARS:]

    def check_finished(self, exit_code: int | None, *, out_of_memory: bool = False) -> None:
        """Raise unless every output arrived (the cancel is the caller's to tell)."""
        if self.failed is not None or exit_code not in (0, None) or self.done < len(self.job.inputs):
            raise self.error(exit_code, out_of_memory=out_of_memory)
