"""Deploy a .cvimodel to the reCamera: plan (pure, checks the input), then run (events).

    plan = plan_deploy(DeployRequest(model_path=..., device="192.168.42.1", classes=(...)))
    for event in run_deploy(plan, password=..., cancel=threading.Event()):
        ...  # StepStarted / Progress / LogLine / ProblemRaised / StepFinished / Result

``plan_deploy`` raises :class:`WizardError` for bad input before any packet is sent.
``run_deploy`` never raises for device problems: it yields ProblemRaised and a failed Result whose
``details["failure"]`` is "input" (blocked, exit 2) or "device" (infrastructure, exit 4).
The steps: discover -> upload -> verify -> switch (Node-RED) -> check (optional live frames).
Before the upload changes anything, the camera's current model, model.json and (at the switch)
flow are kept in a restore point (backup.py, restore.py), so ``deploy --restore`` brings them back.

Every way out (done, failed, cancelled, Ctrl-C) ends with a note of what was done on the camera
and what was kept where (``_state_note``, ``_kept_note``): a stopped deploy never leaves the user
guessing which model runs.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Literal, Sequence

from wizard.core.device import backup, model_json
from wizard.core.device import nodered_flow as flow_edit
from wizard.core.device.address import DEFAULT_HOST, DEFAULT_LIVE_PORT, DEFAULT_NODE_RED_PORT, DeviceAddress
from wizard.core.device.client import CHUNK_SIZE, ReCameraClient, UploadReport, file_md5
from wizard.core.device.errors import Cancelled, DeviceError
from wizard.core.device.nodered_client import FlowConflict, NodeRedClient
from wizard.core.device.lines import line
from wizard.core.device.restore import keep_previous, kept_note, ssh_deployer
from wizard.core.events import Event, LogLine, ProblemRaised, Progress, Result, StepFinished, StepStarted
from wizard.core.messages import Problem, WizardError, problem
from wizard.core.toolchain.processors import RECAMERA_PROCESSOR

Method = Literal["http", "ssh"]
DEFAULT_REMOTE_BASE = "/userdata"
# Where the supervisor keeps the active model (recamera.md; firmware <= 0.2.0 used MODEL/).
MODELS_DIR = "Models"
LEGACY_MODELS_DIR = "MODEL"
ACTIVE_MODEL = "model.cvimodel"
ACTIVE_INFO = "model.json"


@dataclass(frozen=True)
class DeployRequest:
    """The user's choices. Everything the GUI or CLI collects; no secrets (password separate)."""

    model_path: str
    device: str = DEFAULT_HOST
    method: Method = "http"
    classes: tuple[str, ...] | None = None
    classes_from: str | None = None
    model_name: str | None = None
    node_red_port: int = DEFAULT_NODE_RED_PORT
    switch_flow: bool = True
    check_live: bool = False
    live_port: int = DEFAULT_LIVE_PORT
    live_frames: int = 3
    user: str | None = None
    ssh_port: int = 22
    remote_base: str = DEFAULT_REMOTE_BASE
    accept_host_key: str | None = None
    known_hosts: str | None = None  # default: <state_dir>/known_hosts (plus ~/.ssh/known_hosts read-only)
    system_known_hosts: bool = True
    ssh_key: str | None = None
    ssh_sudo: str = "auto"  # "auto": sudo only when the user cannot write to the model folder
    state_dir: str | None = None
    verify_readback: bool = True
    chunk_size: int = CHUNK_SIZE
    # (score, NMS IoU) for the flow's model node: None = the ones the run's detection check used
    # (its detections.json beside the model), else the flow's own stay.
    thresholds: tuple[float, float] | None = None


@dataclass(frozen=True)
class DeployPlan:
    request: DeployRequest
    address: DeviceAddress
    model_path: Path
    size: int
    md5: str
    classes: tuple[str, ...]
    class_source: str
    model_info: dict[str, Any]
    remote_model_path: str
    chunks: tuple[tuple[int, int], ...]
    steps: tuple[str, ...]
    state_dir: str
    thresholds: tuple[float, float] | None = None  # written to the model node with the switch

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": str(self.model_path),
            "device": str(self.address),
            "method": self.request.method,
            "size": self.size,
            "md5": self.md5,
            "classes": list(self.classes),
            "class_source": self.class_source,
            "model_info": self.model_info,
            "remote_model_path": self.remote_model_path,
            "chunks": len(self.chunks),
            "steps": list(self.steps),
            "state_dir": self.state_dir,
            "thresholds": list(self.thresholds) if self.thresholds else None,
        }


# ---------------------------------------------------------------------------------------------
# Plan


# A file that is a .cvimodel but damaged on its way (cut, changed, appended to): "copy it again".
_DAMAGE_CODES = frozenset({"cvimodel_md5_mismatch", "cvimodel_body_unreadable", "cvimodel_sections_truncated",
                           "cvimodel_trailing_bytes", "cvimodel_chip_mismatch", "cvimodel_no_program"})


def check_model_file(path: Path) -> str:
    """Refuse anything but a sound cv181x .cvimodel the camera's YOLO decoder reads, before a single
    byte goes to the camera (the same check as ``check-model``).

    Returns the chip name ("" for a format-1.0 header, which has no chip field: the camera judges).
    """
    from wizard.core.toolchain.cvimodel import check_cvimodel

    if not path.is_file():
        raise WizardError.of("file_not_found", path=str(path))
    report = check_cvimodel(path, require_decoder=True)
    chip = (report.chip or "").strip().lower()
    if chip and chip != RECAMERA_PROCESSOR:
        raise WizardError.of("deploy_wrong_chip", path=str(path), chip=chip)
    errors = [p for p in report.problems if p.is_error]
    if errors:
        first = errors[0]
        if first.code in _DAMAGE_CODES:
            raise WizardError.of("deploy_model_damaged", path=str(path), detail=first.message)
        if first.code.startswith("cvimodel_decoder_"):
            raise WizardError.of("deploy_model_not_for_decoder", path=str(path), detail=first.message,
                                 fix=first.fix)
        raise WizardError.of("deploy_not_cvimodel", path=str(path), detail=first.message)
    return chip


def resolve_classes(request: DeployRequest) -> tuple[tuple[str, ...], str]:
    if request.classes:
        return model_json.check_classes(request.classes), "--classes"
    if request.classes_from:
        names = _class_names_from_onnx(Path(request.classes_from))
        if names:
            return model_json.check_classes(names), str(request.classes_from)
    raise WizardError.of("deploy_no_classes", path=request.model_path)


def _class_names_from_onnx(path: Path) -> tuple[str, ...]:
    if not path.is_file():
        raise WizardError.of("file_not_found", path=str(path))
    from wizard.core.model.inspect import inspect_model

    report = inspect_model(path)
    errors = [p for p in report.problems if p.is_error]
    if not report.class_names and errors:
        raise WizardError(errors[0])
    return tuple(report.class_names)


def plan_chunks(size: int, chunk_size: int = CHUNK_SIZE) -> tuple[tuple[int, int], ...]:
    """(offset, length) of each request, as www/src/api/device/index.ts slices the file."""
    if size <= chunk_size:
        return ((0, size),)
    return tuple((offset, min(chunk_size, size - offset)) for offset in range(0, size, chunk_size))


def plan_deploy(request: DeployRequest) -> DeployPlan:
    """Check the input and fix every value the run will use. Sends nothing."""
    address = DeviceAddress.parse(request.device)
    if request.method not in ("http", "ssh"):
        raise WizardError.of("device_bad_address", address=f"--method {request.method}")
    model_path = Path(request.model_path).expanduser()
    check_model_file(model_path)
    classes, source = resolve_classes(request)
    size = model_path.stat().st_size
    md5 = file_md5(model_path)
    info = model_json.build_model_info(model_path, classes, md5=md5, model_name=request.model_name)
    base = request.remote_base.rstrip("/") or "/"
    remote_model = f"{base}/{MODELS_DIR}/{ACTIVE_MODEL}"
    steps = ["discover", "upload", "verify"]
    if request.switch_flow:
        steps.append("switch")
    if request.check_live:
        steps.append("check")
    state_dir = str(request.state_dir or backup.default_state_dir())
    return DeployPlan(
        request=request,
        address=address,
        model_path=model_path,
        size=size,
        md5=md5,
        classes=classes,
        class_source=source,
        model_info=info,
        remote_model_path=remote_model,
        chunks=plan_chunks(size, request.chunk_size) if request.method == "http" else ((0, size),),
        steps=tuple(steps),
        state_dir=state_dir,
        thresholds=request.thresholds or checked_thresholds(model_path),
    )


def checked_thresholds(model_path: Path) -> tuple[float, float] | None:
    """The score and IoU thresholds the run's detection check judged the model with (its
    detections.json in the run folder beside the model): the camera then runs the model as it
    was checked. None when the run has no readable check."""
    import json

    report = Path(model_path).parent / "detections.json"
    try:
        thresholds = json.loads(report.read_text(encoding="utf-8")).get("thresholds") or {}
        score, iou = float(thresholds["score"]), float(thresholds["iou"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return (score, iou) if 0.0 < score < 1.0 and 0.0 < iou < 1.0 else None


# ---------------------------------------------------------------------------------------------
# Run


class _StepFailed(Exception):
    def __init__(self, step: str, problem_: Problem, failure: str):
        super().__init__(problem_.code)
        self.step = step
        self.problem = problem_
        self.failure = failure


def _failure_kind(exc: WizardError) -> str:
    return "device" if isinstance(exc, DeviceError) else "input"


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def _state_note(details: dict[str, Any]) -> Problem:
    """What the camera runs now, judged from how far the deploy got."""
    address = details["device"]
    if details.get("switched"):
        return problem("deploy_state_active", "info", address=address)
    if details.get("switch_sent"):
        return problem("deploy_state_switch_unknown", "info", address=address)
    if details.get("uploaded") or details.get("upload_complete"):
        return problem("deploy_state_stored_not_active", "info", address=address)
    if details.get("write_started"):
        return problem("deploy_state_upload_partial", "info", address=address, done=details.get("upload_done", 0),
                       total=details.get("upload_total", 0))
    return problem("deploy_state_unchanged", "info", address=address)


def run_deploy(
    plan: DeployPlan,
    *,
    password: str | None = None,
    cancel: threading.Event | None = None,
    client: ReCameraClient | None = None,
) -> Iterator[Event]:
    """Run the plan, yielding events. The password is only handed to the clients, never emitted.

    Ctrl-C (KeyboardInterrupt) and the cancel event end the run the same way: a warning, the
    note of what the camera runs now and what was kept, and a Result with failure "cancelled".
    """
    request = plan.request
    details: dict[str, Any] = {"device": str(plan.address), "method": request.method, "model_md5": plan.md5,
                               "uploaded": False, "switched": False}
    own_client = client is None
    client = client or ReCameraClient(plan.address, user=request.user, password=password)
    point = backup.new_point(plan.state_dir, str(plan.address), request.method)
    details["restore_point"] = str(point.folder)
    step = "discover"
    started = time.monotonic()
    outcome: Problem | None = None
    failure = ""
    try:
        # -- discover --------------------------------------------------------------------
        yield StepStarted("discover", command=f"GET http://{plan.address}/api/version")
        t0 = time.monotonic()
        status = None
        try:
            status = client.discover()
        except DeviceError as exc:
            if request.method != "ssh" or exc.problem.code not in ("device_unreachable", "device_https_only",
                                                                    "device_unexpected_answer"):
                raise
            # SSH deploys can work without the web service (down, or HTTPS-only); say so, go on.
            yield ProblemRaised(replace(exc.problem, severity="warning"), step="discover")
        if status is not None:
            details["device_status"] = status.to_dict()
            yield LogLine(line("deploy_line_firmware", version=status.version or "?", address=str(plan.address)),
                          step="discover", stream="runner")
            if status.model_info:
                yield LogLine(line("deploy_line_active_before", model_name=status.model_info.get("model_name", "?")),
                              step="discover", stream="runner")
            if status.model_info_issue is not None:
                yield ProblemRaised(replace(status.model_info_issue, severity="warning"), step="discover")
            if status.first_login:
                yield ProblemRaised(problem("device_first_login", "warning", address=str(plan.address)),
                                    step="discover")
            if request.method == "ssh" and status.ssh_enabled is False:
                raise WizardError(problem("ssh_disabled", address=str(plan.address)))
        yield StepFinished("discover", ok=True, elapsed=time.monotonic() - t0)
        _check_cancel(cancel)

        # -- upload + verify (the restore point is filled first) -------------------------
        step = "upload"
        uploader = (_http_upload(plan, client, point, cancel, details) if request.method == "http"
                    else _ssh_upload(plan, password, point, cancel, details))
        for event in uploader:
            if isinstance(event, StepStarted):
                step = event.step  # "upload", then "verify": a failure is reported on the right step
            yield event
        details["uploaded"] = True
        _check_cancel(cancel)

        # -- switch ----------------------------------------------------------------------
        if request.switch_flow:
            step = "switch"
            yield from _switch_flow(plan, point, details, details.get("remote_model_path", plan.remote_model_path))
            details["switched"] = True
            _check_cancel(cancel)

        # -- check -----------------------------------------------------------------------
        if request.check_live:
            step = "check"
            yield from _live_check(plan, details)
    except _StepFailed as failed:
        outcome, failure, step = failed.problem, failed.failure, failed.step
    except (Cancelled, KeyboardInterrupt):
        outcome, failure = problem("deploy_cancelled", "warning", step=step), "cancelled"
    except WizardError as exc:
        outcome, failure = exc.problem, _failure_kind(exc)
    except GeneratorExit:  # the caller stopped listening (the GUI gave up on a hung camera)
        if not (details.get("camera_changed") or details.get("uploaded")):
            point.discard()
        raise
    finally:
        if own_client:
            client.close()
    if outcome is not None:
        yield ProblemRaised(outcome, step=step)
        yield StepFinished(step, ok=False)
    elif request.switch_flow:
        yield ProblemRaised(problem("deploy_done", "info", model_name=plan.model_info["model_name"],
                                    address=str(plan.address), classes_count=len(plan.classes)), step="")
    yield from _closing_notes(point, details)
    if outcome is not None:
        yield Result(ok=False, run_dir=plan.state_dir, details={**details, "failure": failure, "code": outcome.code})
        return
    details["elapsed"] = time.monotonic() - started
    yield Result(ok=True, run_dir=plan.state_dir,
                 model_path=details.get("remote_model_path", plan.remote_model_path), details=details)


def _closing_notes(point: backup.RestorePoint, details: dict[str, Any]) -> Iterator[Event]:
    """What the camera runs now and what was kept where; a point of a deploy that changed
    nothing on the camera is dropped (there is nothing to restore)."""
    state = _state_note(details)
    if not details.get("switched"):  # when switched, "deploy_done" already said it
        yield ProblemRaised(state, step="")
    if state.code == "deploy_state_unchanged" or (state.code == "deploy_state_upload_partial"
                                                  and not details.get("camera_changed")):
        point.discard()
        details.pop("restore_point", None)
        return
    yield ProblemRaised(kept_note(point, details["device"]), step="")


def _http_upload(plan: DeployPlan, client: ReCameraClient, point: backup.RestorePoint, cancel,
                 details) -> Iterator[Event]:
    yield StepStarted("upload", command=f"POST http://{plan.address}/api/deviceMgr/uploadModel "
                                        f"({len(plan.chunks)} x {plan.request.chunk_size // 1024} KB)")
    t0 = time.monotonic()
    yield from keep_previous(point, client, plan.size)
    _check_cancel(cancel)
    # One request per iteration, in this thread: each Progress reaches the caller as soon as its
    # chunk is acknowledged, and a cancel is seen before the next chunk is sent.
    report = UploadReport(total=0, chunks=0, md5="")
    details.update(upload_done=0, upload_total=plan.size, write_started=True)
    try:
        for done, total in client.iter_upload(plan.model_path, plan.model_info, chunk_size=plan.request.chunk_size,
                                              cancel=cancel, report=report):
            details["upload_done"] = done
            yield Progress("upload", done / total if total else 1.0, line("deploy_line_progress", done=done, total=total),
                           done, total)
    finally:
        # Once the last part has left, the device may have renamed its .tmp over model.cvimodel.
        details["camera_changed"] = report.last_chunk_sent
    details["upload_complete"] = True
    details["chunks"] = report.chunks
    if report.md5 != plan.md5:  # the file changed on disk while we were sending it
        raise DeviceError(problem("deploy_local_file_changed", path=str(plan.model_path)))
    yield StepFinished("upload", ok=True, elapsed=time.monotonic() - t0)

    yield StepStarted("verify", command=f"GET http://{plan.address}/api/deviceMgr/getModelInfo")
    t0 = time.monotonic()
    found = client.model_info()
    mismatch = model_json.first_mismatch(plan.model_info, found)
    if mismatch:
        raise DeviceError(problem("deploy_verify_json", path=str(plan.model_path), **mismatch))
    details["model_info"] = found
    yield LogLine(line("deploy_line_model_json_checked", model_name=found.get("model_name"),
                       classes_count=len(found.get("classes", []))), step="verify", stream="runner")
    if plan.request.verify_readback:
        data = client.model_file()
        if data is None:
            yield LogLine(line("deploy_line_no_readback"), step="verify", stream="runner")
            yield StepFinished("verify", ok=True, elapsed=time.monotonic() - t0)
            return
        remote_md5 = hashlib.md5(data).hexdigest()
        if remote_md5 != plan.md5:
            raise DeviceError(problem("deploy_verify_md5", path=str(plan.model_path), remote_md5=remote_md5,
                                      local_md5=plan.md5))
        yield LogLine(line("deploy_line_readback_ok", size=len(data), md5=remote_md5), step="verify", stream="runner")
    yield StepFinished("verify", ok=True, elapsed=time.monotonic() - t0)


def _ssh_upload(plan: DeployPlan, password, point: backup.RestorePoint, cancel, details) -> Iterator[Event]:
    deployer = ssh_deployer(plan.request, plan.address, password, plan.state_dir)

    def keep(camera) -> Iterator[Event]:
        yield from keep_previous(point, camera, plan.size)
        _check_cancel(cancel)
        details.update(upload_done=0, upload_total=plan.size, write_started=True)

    try:
        for event in deployer.deploy(plan.model_path, model_json.dumps(plan.model_info), plan.md5, cancel=cancel,
                                     before_write=keep):
            if isinstance(event, Progress):
                details["upload_done"] = event.done
            if isinstance(event, StepStarted) and event.step == "verify":
                details["upload_complete"] = True
            yield event
    finally:
        details["camera_changed"] = deployer.replacing
        deployer.close()
    details["remote_dir"] = deployer.remote_dir
    # The flow must point at where SSH really wrote (MODEL/ on old firmware).
    details["remote_model_path"] = f"{deployer.remote_dir}/{ACTIVE_MODEL}"


def _switch_flow(plan: DeployPlan, point: backup.RestorePoint, details, uri: str) -> Iterator[Event]:
    nodered = NodeRedClient(plan.address.host, plan.request.node_red_port)
    yield StepStarted("switch", command=f"POST http://{nodered.address}/flows")
    t0 = time.monotonic()
    try:
        for attempt in range(2):
            rev, current = nodered.get_flows()
            try:
                switch = flow_edit.switch_model(current, uri, plan.model_info["model_name"], plan.classes,
                                                thresholds=plan.thresholds)
            except flow_edit.FlowEditError as exc:
                raise DeviceError(problem(exc.code, address=plan.address.host, **exc.params)) from None
            saved = point.keep_flow(rev, current)
            details["flow_backup"] = str(saved)
            yield LogLine(line("deploy_line_flow_saved", path=str(saved)), step="switch", stream="runner")
            details["switch_sent"] = True  # from here on, Node-RED may have switched
            try:
                new_rev = nodered.deploy_flows(switch.flows, rev, backup=str(saved))
            except FlowConflict:
                details["switch_sent"] = False  # a 409 is a definite "no"
                point.drop_flow()  # that backup was of a flow that is no longer current
                details.pop("flow_backup", None)
                if attempt:
                    raise
                yield LogLine(line("deploy_line_flow_reread"), step="switch", stream="runner")
                continue
            except DeviceError as exc:
                if exc.problem.code == "flow_rejected":
                    details["switch_sent"] = False  # refused: the flow did not change
                raise
            details.update(flow_rev=new_rev, model_node=switch.node_id, old_uri=switch.old_uri, new_uri=switch.new_uri)
            yield LogLine(line("deploy_line_node_switched", node_id=switch.node_id, old_uri=switch.old_uri or '""',
                               new_uri=switch.new_uri), step="switch", stream="runner")
            break
    finally:
        nodered.close()
    yield StepFinished("switch", ok=True, elapsed=time.monotonic() - t0)


def _live_check(plan: DeployPlan, details) -> Iterator[Event]:
    from wizard.core.device.live_check import read_live_results

    url = f"ws://{_url_host(plan.address.host)}:{plan.request.live_port}"
    yield StepStarted("check", command=f"read {plan.request.live_frames} frames from {url}")
    t0 = time.monotonic()
    check = read_live_results(url, frames=plan.request.live_frames, labels=plan.classes)
    out_dir = Path(plan.state_dir) / "live"
    saved = check.save_annotated(out_dir)
    details["live"] = {**check.summary(), "annotated_frame": str(saved) if saved else None}
    yield LogLine(check.describe(), step="check", stream="runner")
    if saved:
        yield LogLine(line("live_line_frame_saved", path=str(saved)), step="check", stream="runner")
    yield StepFinished("check", ok=True, elapsed=time.monotonic() - t0)


def run_live_check(
    device: str = DEFAULT_HOST,
    *,
    live_port: int = DEFAULT_LIVE_PORT,
    frames: int = 3,
    labels: Sequence[str] = (),
    state_dir: str | None = None,
) -> Iterator[Event]:
    """Only the live check (no upload): events, then a Result with details["live"]."""
    address = DeviceAddress.parse(device)
    state = str(state_dir or backup.default_state_dir())
    url = f"ws://{_url_host(address.host)}:{live_port}"
    yield StepStarted("check", command=f"read {frames} frames from {url}")
    t0 = time.monotonic()
    try:
        from wizard.core.device.live_check import read_live_results

        check = read_live_results(url, frames=frames, labels=labels)
    except (DeviceError, KeyboardInterrupt) as exc:
        stopped = isinstance(exc, KeyboardInterrupt)
        p = problem("deploy_cancelled", "warning", step="check") if stopped else exc.problem
        yield ProblemRaised(p, step="check")
        yield StepFinished("check", ok=False)
        yield ProblemRaised(problem("deploy_state_unchanged", "info", address=str(address)), step="")
        yield Result(ok=False, run_dir=state, details={"failure": "cancelled" if stopped else "device", "code": p.code})
        return
    saved = check.save_annotated(Path(state) / "live")
    yield LogLine(check.describe(), step="check", stream="runner")
    yield StepFinished("check", ok=True, elapsed=time.monotonic() - t0)
    yield Result(ok=True, run_dir=state, details={"live": {**check.summary(),
                                                           "annotated_frame": str(saved) if saved else None}})


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def collect(events: Sequence[Event] | Iterator[Event]) -> list[Event]:
    """Exhaust an event iterator into a list (handy in tests and simple callers)."""
    return list(events)


__all__ = [
    "DeployRequest",
    "DeployPlan",
    "plan_deploy",
    "run_deploy",
    "run_live_check",
    "check_model_file",
    "plan_chunks",
]
