"""Keeping what a deploy replaces, and putting it back (``recamera-wizard deploy --restore``).

Keeping (called by the deploy before its upload changes anything):
  1. read the camera's active model.cvimodel and model.json (getModelFile/getModelInfo over HTTP,
     SFTP over SSH) into a restore point on this computer (backup.py);
  2. where space allows, also keep a copy on the camera, in /userdata/wizard-backup/ (fileMgr
     over HTTP, which needs the login; cp over SSH). Free space is checked first (fileMgr/list
     reports it on the root, ``df`` over SSH): the copy plus the upload's .tmp plus
     :data:`MARGIN` must fit, so keeping a copy never makes the deploy itself run out of room.
     The camera holds one such copy (the newest); this computer holds one per deploy.

Restoring: the newest restore point not restored yet. Its model goes back exactly as it was
kept (the same upload as a deploy, then a read-back: md5 of the file, text of model.json), from
the copy on this computer, or from the camera's copy when the local one is missing or damaged;
then its Node-RED flow (or, for a deploy that did not switch, the current flow again so the
camera loads the model file). A failed restore says what the camera has now and where the
previous model still is.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Protocol

from wizard.core.device import backup
from wizard.core.device.address import DEFAULT_HOST, DEFAULT_NODE_RED_PORT, DeviceAddress
from wizard.core.device.client import CHUNK_SIZE, ReCameraClient, UploadReport
from wizard.core.device.errors import Cancelled, DeviceError
from wizard.core.device.lines import line
from wizard.core.device.nodered_client import NodeRedClient
from wizard.core.events import Event, LogLine, ProblemRaised, Progress, Result, StepFinished, StepStarted
from wizard.core.messages import Problem, WizardError, problem

MARGIN = 8 * 1024 * 1024  # bytes left free in /userdata after the copy and the upload's .tmp


class CameraFiles(Protocol):
    """What keeping and restoring need from the camera: ReCameraClient (HTTP) and SshDeployer."""

    def read_active(self) -> tuple[bytes | None, str]:
        """(model.cvimodel bytes or None when this firmware cannot send them, model.json text)."""

    def free_space(self) -> int | None:
        """Free bytes in /userdata, None when the camera does not say."""

    def copy_on_camera(self, data: bytes, info_text: str) -> tuple[str, str | None]:
        """Keep a copy in /userdata/wizard-backup; the camera paths of the model and model.json."""

    def fetch_copy(self, path: str) -> bytes:
        """The bytes of a copy made by copy_on_camera."""


def _reason(exc: DeviceError) -> str:
    params = exc.problem.params
    return f"{params.get('step', '')}: {params.get('detail') or exc.problem.message}".lstrip(": ")


def keep_previous(point: backup.RestorePoint, camera: CameraFiles, new_size: int) -> Iterator[Event]:
    """Fill ``point`` with the camera's active model before a deploy replaces it. Never fails the
    deploy: what cannot be kept is said (a warning) and the deploy goes on."""
    try:
        data, info_text = camera.read_active()
    except DeviceError as exc:
        point.not_kept(_reason(exc))
        yield ProblemRaised(problem("deploy_not_kept", "warning", reason=point.not_kept_reason), step="upload")
        return
    if data is None:
        point.not_kept("getModelFile: HTTP 404")
        yield ProblemRaised(problem("deploy_not_kept", "warning", reason=point.not_kept_reason), step="upload")
        return
    md5 = hashlib.md5(data).hexdigest()
    point.keep_model(data, info_text, md5, _model_name(info_text))
    yield LogLine(line("deploy_line_kept_here", size=len(data), md5=md5, folder=str(point.folder)),
                  step="upload", stream="runner")
    needed = len(data) + len(info_text.encode("utf-8")) + new_size + MARGIN
    try:
        free = camera.free_space()
    except DeviceError as exc:
        code = ("deploy_no_copy_needs_login" if exc.problem.code in ("device_login_required", "device_login_failed")
                else "deploy_no_copy_space_unknown")
        yield ProblemRaised(problem(code, "info", detail=_reason(exc)) if code.endswith("unknown")
                            else problem(code, "info"), step="upload")
        return
    if free is None:
        yield ProblemRaised(problem("deploy_no_copy_space_unknown", "info", detail="fileMgr/list: no free"),
                            step="upload")
        return
    if free < needed:
        yield ProblemRaised(problem("deploy_no_copy_on_camera", "info", free=free, needed=needed), step="upload")
        return
    try:
        point.device_copy, point.device_info_copy = camera.copy_on_camera(data, info_text)
    except DeviceError as exc:
        yield ProblemRaised(problem("deploy_no_copy_space_unknown", "info", detail=_reason(exc)), step="upload")
        return
    point.save()
    yield LogLine(line("deploy_line_kept_on_camera", device_copy=point.device_copy, free=free),
                  step="upload", stream="runner")


def _model_name(info_text: str) -> str:
    try:
        name = json.loads(info_text).get("model_name", "")
    except (ValueError, AttributeError):
        return ""
    return name if isinstance(name, str) else ""


def kept_note(point: backup.RestorePoint, address: str) -> Problem:
    """Where the model a deploy replaced is kept (said at the end of every deploy that changed
    something on the camera)."""
    if point.model_md5 is None:
        return problem("deploy_not_kept", "info", reason=point.not_kept_reason or "-")
    if point.device_copy:
        return problem("deploy_kept_both", "info", folder=str(point.folder),
                       device_copy=f"{address}:{point.device_copy}")
    return problem("deploy_kept", "info", folder=str(point.folder))


# ---------------------------------------------------------------------------------------------
# Restore


@dataclass(frozen=True)
class RestoreRequest:
    """How to reach the camera for a restore (the connection fields of a DeployRequest)."""

    device: str = DEFAULT_HOST
    method: str = "http"
    user: str | None = None
    node_red_port: int = DEFAULT_NODE_RED_PORT
    ssh_port: int = 22
    remote_base: str = "/userdata"
    accept_host_key: str | None = None
    known_hosts: str | None = None
    system_known_hosts: bool = True
    ssh_key: str | None = None
    ssh_sudo: str = "auto"
    state_dir: str | None = None
    chunk_size: int = CHUNK_SIZE


def ssh_deployer(request, address: DeviceAddress, password: str | None, state_dir: str):
    """The SshDeployer for a DeployRequest or RestoreRequest (same field names)."""
    from wizard.core.device.ssh_deploy import SshDeployer  # paramiko is slow to import: SSH only

    return SshDeployer(
        address.host,
        port=request.ssh_port,
        user=request.user or "recamera",
        password=password,
        key_filename=request.ssh_key,
        known_hosts=request.known_hosts or str(Path(state_dir) / "known_hosts"),
        use_system_known_hosts=request.system_known_hosts,
        accept_fingerprint=request.accept_host_key,
        remote_base=request.remote_base,
        sudo=request.ssh_sudo,
    )


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _intact_model(point: backup.RestorePoint, camera: CameraFiles, address: str) -> Iterator[Event | Path]:
    """Yields notes, then (last) the path of an intact copy of the kept model, or raises."""
    if point.model_file.is_file():
        found = _md5(point.model_file.read_bytes())
        if found == point.model_md5:
            yield point.model_file
            return
        yield ProblemRaised(problem("restore_copy_damaged", "warning", where=str(point.model_file), found=found,
                                    expected=point.model_md5), step="restore")
    if point.device_copy:
        try:
            data = camera.fetch_copy(point.device_copy)
        except DeviceError as exc:
            yield ProblemRaised(replace(exc.problem, severity="warning"), step="restore")
        else:
            if _md5(data) == point.model_md5:
                fetched = point.folder / "model.from-camera.cvimodel"
                fetched.write_bytes(data)
                yield fetched
                return
            yield ProblemRaised(problem("restore_copy_damaged", "warning", where=f"{address}:{point.device_copy}",
                                        found=_md5(data), expected=point.model_md5), step="restore")
    raise WizardError(problem("restore_nothing_left", folder=str(point.folder),
                              device_copy=f"{address}:{point.device_copy}" if point.device_copy else "-"))


def restore_previous(
    request: RestoreRequest,
    *,
    password: str | None = None,
    cancel: threading.Event | None = None,
    client: ReCameraClient | None = None,
) -> Iterator[Event]:
    """Put back the model and flow the newest deploy replaced; repeating walks further back."""
    address = DeviceAddress.parse(request.device)
    state = str(request.state_dir or backup.default_state_dir())
    yield StepStarted("restore")
    folder = backup.latest_point(state, str(address))
    if folder is None:
        p = problem("restore_nothing_saved", address=str(address), state_dir=state)
        yield ProblemRaised(p, step="restore")
        yield StepFinished("restore", ok=False)
        yield Result(ok=False, run_dir=state, details={"failure": "input", "code": p.code})
        return
    try:
        point = backup.load_point(folder)
    except (OSError, ValueError, TypeError) as exc:
        p = problem("restore_unreadable", folder=str(folder), detail=str(exc) or type(exc).__name__)
        yield ProblemRaised(p, step="restore")
        yield StepFinished("restore", ok=False)
        yield Result(ok=False, run_dir=state,
                     details={"failure": "input", "code": p.code, "restore_point": str(folder)})
        return

    details: dict[str, Any] = {"device": str(address), "restore_point": str(folder), "model_back": False,
                               "flow_back": False, "model_md5": point.model_md5}
    own_client = client is None
    client = client or ReCameraClient(address, user=request.user, password=password)
    deployer = ssh_deployer(request, address, password, state) if request.method == "ssh" else None
    camera: CameraFiles = deployer if deployer is not None else client
    step = "restore"
    outcome: Problem | None = None
    failure = ""
    t0 = time.monotonic()
    try:
        if deployer is not None:
            deployer.connect()
            deployer.remote_dir = deployer.choose_remote_dir()
        if point.model_md5:
            source: Path | None = None
            for item in _intact_model(point, camera, str(address)):
                if isinstance(item, Path):
                    source = item
                else:
                    yield item
            assert source is not None
            info_text = point.info_file.read_text(encoding="utf-8") if point.info_kept else ""
            if deployer is not None:
                for event in deployer.deploy(source, info_text, point.model_md5, cancel=cancel):
                    if isinstance(event, StepStarted):
                        step = event.step
                    yield event
            else:
                yield from _http_put_back(client, source, info_text, point, cancel, request.chunk_size)
            details["model_back"] = True
            step = "restore"
            yield ProblemRaised(problem("restore_model_back", "info", model_name=point.model_name or source.name,
                                        md5=point.model_md5), step="restore")
            if not info_text:
                yield ProblemRaised(problem("restore_no_model_json_before", "info"), step="restore")
        yield StepFinished("restore", ok=True, elapsed=time.monotonic() - t0)
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        step = "switch"
        yield from _put_back_flow(point, address, request.node_red_port, details)
    except (Cancelled, KeyboardInterrupt):
        outcome, failure = problem("restore_cancelled", "warning", step=step), "cancelled"
    except WizardError as exc:
        outcome, failure = exc.problem, "device" if isinstance(exc, DeviceError) else "input"
    finally:
        if deployer is not None:
            deployer.close()
        if own_client:
            client.close()
    if outcome is not None:
        yield ProblemRaised(outcome, step=step)
        yield StepFinished(step, ok=False)
        for note in _where_notes(point, details):
            yield ProblemRaised(note, step="")
        yield Result(ok=False, run_dir=state, details={**details, "failure": failure, "code": outcome.code})
        return
    point.mark_restored()  # so a second --restore goes one step further back
    yield ProblemRaised(problem("restore_done", "info", address=str(address), saved_at=point.saved_at), step="")
    yield Result(ok=True, run_dir=state, details=details)


def _http_put_back(client: ReCameraClient, source: Path, info_text: str, point: backup.RestorePoint,
                   cancel: threading.Event | None, chunk_size: int) -> Iterator[Event]:
    report = UploadReport(total=0, chunks=0, md5="")
    for done, total in client.iter_upload(source, info_text, chunk_size=chunk_size, cancel=cancel, report=report):
        yield Progress("restore", done / total if total else 1.0, line("deploy_line_progress", done=done, total=total),
                       done, total)
    data = client.model_file()
    if data is not None and _md5(data) != point.model_md5:
        raise DeviceError(problem("deploy_verify_md5", path=str(source), remote_md5=_md5(data),
                                  local_md5=point.model_md5))
    if data is not None:
        yield LogLine(line("deploy_line_readback_ok", size=len(data), md5=point.model_md5), step="restore",
                      stream="runner")
    if info_text and client.model_info_text() != info_text:
        raise DeviceError(problem("deploy_verify_json", path=str(point.info_file), field="model.json",
                                  found="(other text)", expected="(the kept text)"))


def _put_back_flow(point: backup.RestorePoint, address: DeviceAddress, port: int, details) -> Iterator[Event]:
    nodered = NodeRedClient(address.host, port)
    yield StepStarted("switch", command=f"POST http://{nodered.address}/flows")
    t0 = time.monotonic()
    try:
        rev, current = nodered.get_flows()
        try:
            flows = point.load_flow() if point.has_flow else current
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise WizardError(problem("restore_unreadable", folder=str(point.flow_file), detail=str(exc))) from None
        # A full deploy restarts the model node, which loads the model file again: needed even
        # when the flow itself is unchanged (a deploy that did not switch the flow).
        details["flow_rev"] = nodered.deploy_flows(flows, rev, backup=str(point.flow_file))
    finally:
        nodered.close()
    details["flow_back"] = True
    if not point.has_flow:
        yield LogLine(line("deploy_line_flow_reloaded"), step="switch", stream="runner")
    yield StepFinished("switch", ok=True, elapsed=time.monotonic() - t0)


def _where_notes(point: backup.RestorePoint, details: dict[str, Any]) -> list[Problem]:
    address = details["device"]
    notes = [problem("restore_failed_model_back_flow_not", "info", address=address) if details["model_back"]
             else problem("restore_failed_unchanged", "info", address=address)]
    if point.model_md5 and point.model_file.is_file():
        if point.device_copy:
            notes.append(problem("restore_where_both", "info", folder=str(point.folder),
                                 device_copy=f"{address}:{point.device_copy}"))
        else:
            notes.append(problem("restore_where", "info", folder=str(point.folder)))
    return notes
