"""``recamera-wizard deploy``: send a .cvimodel to the reCamera and make it the active model.

Exit codes: 0 done, 2 blocked by the input (wrong file, no classes...), 4 device/link problem,
130 stopped (Ctrl-C). Every way out says what was done on the camera and what was kept where:
a Ctrl-C is handed to the deploy itself, which reports how far it got.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Iterator

from wizard.cli.output import EXIT_BLOCKED, EXIT_CANCELLED, EXIT_INFRASTRUCTURE, EXIT_OK, print_json, print_problem
from wizard.core import messages
from wizard.core.device.address import DEFAULT_HOST, DEFAULT_LIVE_PORT, DEFAULT_NODE_RED_PORT
from wizard.core.device.lines import line
from wizard.core.device.model_json import parse_classes_option
from wizard.core.events import Event, LogLine, ProblemRaised, Progress, Result, StepFinished, StepStarted, event_to_dict


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deploy",
        help="send a .cvimodel to the reCamera and make it the active model",
        description="Upload MODEL.cvimodel to the reCamera, write model.json with the class names, "
        "point the Node-RED model node at it and redeploy the flow. The previous flow is saved so "
        "--restore puts it back.",
    )
    parser.add_argument("model", nargs="?", help="the .cvimodel to deploy (not needed with --restore)")
    parser.add_argument("--device", default=DEFAULT_HOST, metavar="HOST[:PORT]",
                        help=f"camera address (default {DEFAULT_HOST}, port 80)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--classes-from", metavar="MODEL.onnx", help="read class names from the ONNX model's metadata")
    group.add_argument("--classes", metavar="a,b,c", help="class names, comma-separated, in training order")
    parser.add_argument("--model-name", help="name shown on the camera (default: the file name)")
    parser.add_argument("--method", choices=("http", "ssh"), default="http", help="how to send the file (default http)")
    parser.add_argument("--user", help="camera user name (default recamera)")
    parser.add_argument("--password-env", metavar="VAR",
                        help="name of an environment variable holding the camera password (never pass it directly)")
    parser.add_argument("--node-red-port", type=int, default=DEFAULT_NODE_RED_PORT, help="Node-RED port (default 1880)")
    parser.add_argument("--no-switch", action="store_true", help="upload only; do not change the Node-RED flow")
    parser.add_argument("--restore", action="store_true",
                        help="put back the model and flow the last deploy replaced (repeat to go further back)")
    parser.add_argument("--check", action="store_true",
                        help="after deploying, read a few live result frames (without a model: only the check)")
    parser.add_argument("--live-port", type=int, default=DEFAULT_LIVE_PORT, help="model node WebSocket port (default 8090)")
    parser.add_argument("--ssh-port", type=int, default=22, help="SSH port (default 22)")
    parser.add_argument("--ssh-key", metavar="FILE", help="private key for the SSH method")
    parser.add_argument("--known-hosts", metavar="FILE", help="known_hosts file for the SSH method")
    parser.add_argument("--accept-host-key", metavar="SHA256:...", help="confirm the camera's SSH key fingerprint")
    parser.add_argument("--remote-base", default="/userdata", help=argparse.SUPPRESS)  # tests map /userdata
    parser.add_argument("--state-dir",
                        help="where restore points and live frames go (default: the app data folder)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.set_defaults(handler=run)


def _exit_code(result: Result | None) -> int:
    if result is None:
        return EXIT_INFRASTRUCTURE
    if result.ok:
        return EXIT_OK
    failure = result.details.get("failure")
    if failure == "cancelled":
        return EXIT_CANCELLED
    return EXIT_BLOCKED if failure == "input" else EXIT_INFRASTRUCTURE


class _TextPrinter:
    def __init__(self) -> None:
        self._last_tenth: dict[str, int] = {}

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            print(f"== {event.step}: {event.command}" if event.command else f"== {event.step}", flush=True)
        elif isinstance(event, Progress):
            tenth = int((event.fraction or 0) * 10)
            if tenth != self._last_tenth.get(event.step):  # one line per 10 %, not per chunk
                self._last_tenth[event.step] = tenth
                print(f"   {event.step} {int((event.fraction or 0) * 100):3d}%  {event.text}", flush=True)
        elif isinstance(event, LogLine):
            print(f"   {event.text}", flush=True)
        elif isinstance(event, ProblemRaised):
            print_problem(event.problem, sys.stdout if event.problem.severity == "info" else sys.stderr)
        elif isinstance(event, StepFinished) and not event.ok:
            print(f"== {line('deploy_line_step_failed', step=event.step)}", file=sys.stderr, flush=True)


def _blocked(problem: messages.Problem, as_json: bool, code: int = EXIT_BLOCKED) -> int:
    if as_json:
        print_json({"ok": False, "problems": [problem.to_dict()]})
    else:
        print_problem(problem)
    return code


STOPPED = {"failure": "cancelled", "code": "deploy_cancelled"}  # a Result's details after a Ctrl-C


def _drain(stream: Iterator[Event], handle: Callable[[Event], None]) -> bool:
    """Hand every event to ``handle``. A Ctrl-C that lands here (between two events, while a line
    is printed) is thrown into the paused generator, which ends with what was done and what was
    kept. False when the generator could not say it any more."""
    try:
        for event in stream:
            handle(event)
        return True
    except KeyboardInterrupt:
        try:
            handle(stream.throw(KeyboardInterrupt()))
        except (StopIteration, KeyboardInterrupt):
            return False
        for event in stream:
            handle(event)
        return True


def run(args: argparse.Namespace) -> int:
    from wizard.core.device.deploy import DeployRequest, plan_deploy, run_deploy, run_live_check
    from wizard.core.device.restore import RestoreRequest, restore_previous

    events: list[dict[str, Any]] = []
    printer = _TextPrinter()
    result: Result | None = None
    last_step = ""

    def handle(event: Event) -> None:
        nonlocal result, last_step
        if isinstance(event, Result):
            result = event
        if isinstance(event, StepStarted):
            last_step = event.step
        if args.json:
            events.append(event_to_dict(event))
        else:
            printer(event)

    def consume(stream) -> None:
        if not _drain(stream, handle) and result is None:
            # Stopped where the generator could not report any more: say what is known.
            handle(ProblemRaised(messages.problem("deploy_cancelled", "warning", step=last_step or "-")))
            handle(Result(ok=False, run_dir=args.state_dir or "", details=STOPPED))

    def stopped_before_sending() -> int:
        consume(iter([ProblemRaised(messages.problem("deploy_cancelled", "warning", step="plan")),
                      ProblemRaised(messages.problem("deploy_state_unchanged", "info", address=args.device)),
                      Result(ok=False, run_dir=args.state_dir or "", details=STOPPED)]))
        if args.json:
            print_json({"ok": False, "events": events})
        return EXIT_CANCELLED

    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            return _blocked(messages.problem("device_password_env_missing", name=args.password_env), args.json)

    if args.restore:
        request = RestoreRequest(
            device=args.device, method=args.method, user=args.user, node_red_port=args.node_red_port,
            ssh_port=args.ssh_port, remote_base=args.remote_base, accept_host_key=args.accept_host_key,
            known_hosts=args.known_hosts, ssh_key=args.ssh_key, state_dir=args.state_dir,
        )
        try:
            consume(restore_previous(request, password=password))
        except messages.WizardError as exc:
            return _blocked(exc.problem, args.json)
        if args.json:
            print_json({"ok": bool(result and result.ok), "events": events})
        return _exit_code(result)

    try:
        labels = tuple(parse_classes_option(args.classes)) if args.classes else None
    except messages.WizardError as exc:
        return _blocked(exc.problem, args.json)

    if args.check and not args.model:  # only look at the live results of what runs now
        try:
            consume(run_live_check(args.device, live_port=args.live_port, state_dir=args.state_dir,
                                   labels=labels or ()))
        except messages.WizardError as exc:
            return _blocked(exc.problem, args.json)
        if args.json:
            print_json({"ok": bool(result and result.ok), "events": events,
                        "result": event_to_dict(result) if result else None})
        elif result is not None and result.ok and result.details["live"].get("annotated_frame"):
            print(f"   {line('live_line_frame_saved', path=result.details['live']['annotated_frame'])}")
        return _exit_code(result)

    if not args.model:
        return _blocked(messages.problem("file_not_found", path="(no .cvimodel given)"), args.json)
    request = DeployRequest(
        model_path=args.model,
        device=args.device,
        method=args.method,
        classes=labels,
        classes_from=args.classes_from,
        model_name=args.model_name,
        node_red_port=args.node_red_port,
        switch_flow=not args.no_switch,
        check_live=args.check,
        live_port=args.live_port,
        user=args.user,
        ssh_port=args.ssh_port,
        ssh_key=args.ssh_key,
        known_hosts=args.known_hosts,
        accept_host_key=args.accept_host_key,
        remote_base=args.remote_base,
        state_dir=args.state_dir,
    )
    try:
        plan = plan_deploy(request)
    except messages.WizardError as exc:
        return _blocked(exc.problem, args.json)
    except KeyboardInterrupt:  # reading the class names from a large ONNX can take a while
        return stopped_before_sending()
    if not args.json:
        print(line("deploy_line_plan", path=str(plan.model_path), size=plan.size, classes_count=len(plan.classes),
                   source=plan.class_source, address=str(plan.address), method=request.method), flush=True)
    consume(run_deploy(plan, password=password))
    if args.json:
        print_json({"ok": bool(result and result.ok), "plan": plan.to_dict(), "events": events,
                    "result": event_to_dict(result) if result else None})
    return _exit_code(result)
