"""Deploy a .cvimodel to the reCamera: plan (pure, checks the input), then run (events).

    plan = plan_deploy(DeployRequest(model_path=..., device="192.168.42.1", classes=(...)))
    for event in run_deploy(plan, password=..., cancel=threading.Event()):
        ...  # StepStarted / Progress / LogLine / ProblemRaised / StepFinished / Result

``plan_deploy`` raises :class:`WizardError` for bad input before any packet is sent.
``run_deploy`` never raises for device problems: it yields ProblemRaised and a failed Result whose
``details["failure"]`` is "input" (blocked, exit 2) or "device" (infrastructure, exit 4).
The steps: discover -> upload -> verify -> switch (Node-RED) -> check (optional live frames).
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
from wizard.core.device.client import (
    CHUNK_SIZE,
    DEFAULT_HOST,
    DEFAULT_LIVE_PORT,
    DEFAULT_NODE_RED_PORT,
    Cancelled,
    DeviceAddress,
    DeviceError,
    ReCameraClient,
    UploadReport,
    file_md5,
)
from wizard.core.device.nodered_client import FlowConflict, NodeRedClient
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
        return tuple(request.classes), "--classes"
    if request.classes_from:
        names = _class_names_from_onnx(Path(request.classes_from))
        if names:
            return names, str(request.classes_from)
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
    )


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


def run_deploy(
    plan: DeployPlan,
    *,
    password: str | None = None,
    cancel: threading.Event | None = None,
    client: ReCameraClient | None = None,
) -> Iterator[Event]:
    """Run the plan, yielding events. The password is only handed to the clients, never emitted."""
    request = plan.request
    details: dict[str, Any] = {"device": str(plan.address), "method": request.method, "model_md5": plan.md5,
                               "uploaded": False, "switched": False}
    client = client or ReCameraClient(plan.address, user=request.user, password=password)
    step = "discover"
    started = time.monotonic()
    try:
        # -- discover --------------------------------------------------------------------
        yield StepStarted("discover", command=f"GET http://{plan.address}/api/version")
        t0 = time.monotonic()
        status = None
        try:
            status = client.discover()
        except DeviceError as exc:
            if request.method != "ssh" or exc.problem.code not in ("device_unreachable", "device_https_only",
                                                                    "device_not_recamera"):
                raise
            # SSH deploys can work without the web service (down, or HTTPS-only); say so, go on.
            yield ProblemRaised(replace(exc.problem, severity="warning"), step="discover")
        if status is not None:
            details["device_status"] = status.to_dict()
            yield LogLine(f"reCamera firmware {status.version or 'unknown'} at {plan.address}", step="discover",
                          stream="runner")
            if status.model_info:
                yield LogLine(f"active model before deploy: {status.model_info.get('model_name', '?')}",
                              step="discover", stream="runner")
            if status.first_login:
                yield ProblemRaised(problem("device_first_login", "warning", address=str(plan.address)),
                                    step="discover")
            if request.method == "ssh" and status.ssh_enabled is False:
                raise WizardError(problem("ssh_disabled", address=str(plan.address)))
        yield StepFinished("discover", ok=True, elapsed=time.monotonic() - t0)

        # -- upload + verify -------------------------------------------------------------
        step = "upload"
        uploader = (_http_upload(plan, client, cancel, details) if request.method == "http"
                    else _ssh_upload(plan, password, cancel, details))
        for event in uploader:
            if isinstance(event, StepStarted):
                step = event.step  # "upload", then "verify": a failure is reported on the right step
            yield event
        details["uploaded"] = True

        # -- switch ----------------------------------------------------------------------
        if request.switch_flow:
            step = "switch"
            yield from _switch_flow(plan, details, details.get("remote_model_path", plan.remote_model_path))
            details["switched"] = True

        # -- check -----------------------------------------------------------------------
        if request.check_live:
            step = "check"
            yield from _live_check(plan, details)
    except _StepFailed as failed:
        yield ProblemRaised(failed.problem, step=failed.step)
        yield StepFinished(failed.step, ok=False)
        yield Result(ok=False, run_dir=plan.state_dir, details={**details, "failure": failed.failure,
                                                                 "code": failed.problem.code})
        return
    except Cancelled:
        p = problem("deploy_cancelled", "warning", step=step)
        yield ProblemRaised(p, step=step)
        yield StepFinished(step, ok=False)
        yield Result(ok=False, run_dir=plan.state_dir, details={**details, "failure": "cancelled", "code": p.code})
        return
    except WizardError as exc:
        yield ProblemRaised(exc.problem, step=step)
        yield StepFinished(step, ok=False)
        yield Result(ok=False, run_dir=plan.state_dir, details={**details, "failure": _failure_kind(exc),
                                                                 "code": exc.problem.code})
        return
    done = problem("deploy_done", "info", model_name=plan.model_info["model_name"], address=str(plan.address),
                   classes_count=len(plan.classes))
    yield ProblemRaised(done, step="")
    details["elapsed"] = time.monotonic() - started
    yield Result(ok=True, run_dir=plan.state_dir,
                 model_path=details.get("remote_model_path", plan.remote_model_path), details=details)


def _http_upload(plan: DeployPlan, client: ReCameraClient, cancel, details) -> Iterator[Event]:
    yield StepStarted("upload", command=f"POST http://{plan.address}/api/deviceMgr/uploadModel "
                                        f"({len(plan.chunks)} x {plan.request.chunk_size // 1024} KB)")
    t0 = time.monotonic()
    # One request per iteration, in this thread: each Progress reaches the caller as soon as its
    # chunk is acknowledged, and a cancel is seen before the next chunk is sent.
    report = UploadReport(total=0, chunks=0, md5="")
    for done, total in client.iter_upload(plan.model_path, plan.model_info, chunk_size=plan.request.chunk_size,
                                          cancel=cancel, report=report):
        yield Progress("upload", done / total if total else 1.0, f"{done}/{total} bytes", done, total)

    details["chunks"] = report.chunks
    if report.md5 != plan.md5:  # the file changed on disk while we were sending it
        raise DeviceError(problem("deploy_verify_failed", path=str(plan.model_path),
                                  detail="the local file changed during the upload"))
    yield StepFinished("upload", ok=True, elapsed=time.monotonic() - t0)

    yield StepStarted("verify", command=f"GET http://{plan.address}/api/deviceMgr/getModelInfo")
    t0 = time.monotonic()
    found = client.model_info()
    issues = model_json.matches(plan.model_info, found)
    if issues:
        raise DeviceError(problem("deploy_verify_failed", path=str(plan.model_path), detail="; ".join(issues)))
    details["model_info"] = found
    yield LogLine(f"model.json on the camera: {found.get('model_name')} with {len(found.get('classes', []))} classes",
                  step="verify", stream="runner")
    if plan.request.verify_readback:
        data = client.model_file()
        if data is None:
            yield LogLine("this firmware cannot send the model back; model.json was checked", step="verify",
                          stream="runner")
            yield StepFinished("verify", ok=True, elapsed=time.monotonic() - t0)
            return
        remote_md5 = hashlib.md5(data).hexdigest()
        if remote_md5 != plan.md5:
            raise DeviceError(problem("deploy_verify_failed", path=str(plan.model_path),
                                      detail=f"md5 {remote_md5} on the camera, {plan.md5} here"))
        yield LogLine(f"read back {len(data)} bytes, md5 {remote_md5} matches", step="verify", stream="runner")
    yield StepFinished("verify", ok=True, elapsed=time.monotonic() - t0)


def _ssh_upload(plan: DeployPlan, password, cancel, details) -> Iterator[Event]:
    from wizard.core.device.ssh_deploy import SshDeployer

    request = plan.request
    deployer = SshDeployer(
        plan.address.host,
        port=request.ssh_port,
        user=request.user or "recamera",
        password=password,
        key_filename=request.ssh_key,
        known_hosts=request.known_hosts or str(Path(plan.state_dir) / "known_hosts"),
        use_system_known_hosts=request.system_known_hosts,
        accept_fingerprint=request.accept_host_key,
        remote_base=request.remote_base,
        sudo=request.ssh_sudo,
    )
    try:
        yield from deployer.deploy(plan.model_path, model_json.dumps(plan.model_info), plan.md5, cancel=cancel)
    finally:
        deployer.close()
    details["remote_dir"] = deployer.remote_dir
    # The flow must point at where SSH really wrote (MODEL/ on old firmware).
    details["remote_model_path"] = f"{deployer.remote_dir}/{ACTIVE_MODEL}"


def _switch_flow(plan: DeployPlan, details, uri: str) -> Iterator[Event]:
    nodered = NodeRedClient(plan.address.host, plan.request.node_red_port)
    yield StepStarted("switch", command=f"POST http://{nodered.address}/flows")
    t0 = time.monotonic()
    for attempt in range(2):
        rev, current = nodered.get_flows()
        try:
            switch = flow_edit.switch_model(current, uri, plan.model_info["model_name"], plan.classes)
        except flow_edit.FlowEditError as exc:
            raise DeviceError(problem(exc.code, address=plan.address.host, **exc.params)) from None
        saved = backup.save_flow_backup(plan.state_dir, str(plan.address), rev, current)
        details["flow_backup"] = str(saved)
        yield LogLine(f"previous flow saved to {saved}", step="switch", stream="runner")
        try:
            new_rev = nodered.deploy_flows(switch.flows, rev, backup=str(saved))
        except FlowConflict:
            saved.unlink(missing_ok=True)  # that backup was of a flow that is no longer current
            details.pop("flow_backup", None)
            if attempt:
                raise
            yield LogLine("the flow changed meanwhile; reading it again", step="switch", stream="runner")
            continue
        details.update(flow_rev=new_rev, model_node=switch.node_id, old_uri=switch.old_uri, new_uri=switch.new_uri)
        yield LogLine(f"model node {switch.node_id}: uri {switch.old_uri or '(default)'} -> {switch.new_uri}",
                      step="switch", stream="runner")
        break
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
        yield LogLine(f"frame with boxes: {saved}", step="check", stream="runner")
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
    except DeviceError as exc:
        yield ProblemRaised(exc.problem, step="check")
        yield StepFinished("check", ok=False)
        yield Result(ok=False, run_dir=state, details={"failure": "device", "code": exc.problem.code})
        return
    saved = check.save_annotated(Path(state) / "live")
    yield LogLine(check.describe(), step="check", stream="runner")
    yield StepFinished("check", ok=True, elapsed=time.monotonic() - t0)
    yield Result(ok=True, run_dir=state, details={"live": {**check.summary(),
                                                           "annotated_frame": str(saved) if saved else None}})


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


# ---------------------------------------------------------------------------------------------
# Restore


def restore_flow(
    device: str = DEFAULT_HOST,
    *,
    node_red_port: int = DEFAULT_NODE_RED_PORT,
    state_dir: str | None = None,
) -> Iterator[Event]:
    """Put back the flow saved before the last switch (one action). Repeating walks further back."""
    address = DeviceAddress.parse(device)
    state = str(state_dir or backup.default_state_dir())
    yield StepStarted("restore")
    saved = backup.latest_flow_backup(state, str(address))
    if saved is None:
        p = problem("flow_no_backup", address=str(address), state_dir=state)
        yield ProblemRaised(p, step="restore")
        yield StepFinished("restore", ok=False)
        yield Result(ok=False, run_dir=state, details={"failure": "input", "code": p.code})
        return
    nodered = NodeRedClient(address.host, node_red_port)
    try:
        flows = backup.load_flow_backup(saved)
        rev, _current = nodered.get_flows()
        new_rev = nodered.deploy_flows(flows, rev, backup=str(saved))
    except (DeviceError, ValueError, KeyError) as exc:
        p = exc.problem if isinstance(exc, DeviceError) else problem(
            "flow_rejected", detail=f"unreadable backup: {exc}", backup=str(saved))
        yield ProblemRaised(p, step="restore")
        yield StepFinished("restore", ok=False)
        yield Result(ok=False, run_dir=state, details={"failure": "device" if isinstance(exc, DeviceError) else "input",
                                                       "code": p.code, "backup": str(saved)})
        return
    used = saved.with_name(saved.name + ".restored")
    saved.replace(used)  # so a second --restore goes one step further back
    summary = flow_edit.model_node_summary(flows)
    yield ProblemRaised(problem("flow_restored", "info", backup=str(used), address=str(address)), step="restore")
    yield StepFinished("restore", ok=True)
    yield Result(ok=True, run_dir=state, details={"backup": str(used), "flow_rev": new_rev, "model_node": summary})


def collect(events: Sequence[Event] | Iterator[Event]) -> list[Event]:
    """Exhaust an event iterator into a list (handy in tests and simple callers)."""
    return list(events)


__all__ = [
    "DeployRequest",
    "DeployPlan",
    "plan_deploy",
    "run_deploy",
    "restore_flow",
    "run_live_check",
    "check_model_file",
    "plan_chunks",
]
