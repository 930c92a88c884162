"""``recamera-wizard convert``: the whole conversion, headless.

Stages the workspace (as ``plan`` does) into RUN_DIR/workspace, runs it in the toolchain image
(local Docker, or a Linux VM over SSH), brings the results back and leaves in RUN_DIR the model,
convert.log, results.json, recipe.json and reproduce.sh.

Exit codes: 0 converted, 2 blocked input, 3 the toolchain failed (including out of memory),
4 Docker/SSH could not be used, 130 cancelled (Ctrl-C stops and removes the container first;
a second Ctrl-C leaves at once).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from wizard.core import messages

# Files a run folder may already hold: a run folder can be converted again (the cache makes
# that cheap), but a folder with anything else in it is refused so nothing of the user's is hit.


def register(subparsers: argparse._SubParsersAction) -> None:
    from wizard.cli.plan import add_choice_arguments

    parser = subparsers.add_parser(
        "convert",
        help="convert a model end to end in the toolchain image (Docker or SSH)",
        description="Stage, run and collect a conversion. RUN_DIR receives the .cvimodel, "
        "convert.log, results.json, recipe.json and reproduce.sh.",
    )
    add_choice_arguments(parser, sources_required=False)
    parser.add_argument("--out", required=True, metavar="RUN_DIR", help="run folder to create")
    where = parser.add_argument_group("where it runs")
    where.add_argument("--backend", choices=("docker", "ssh"), default="docker",
                       help="local Docker (default) or a Linux VM over SSH (uploads your model and images)")
    where.add_argument("--image", metavar="TAG", help="toolchain image (same as --toolchain-image)")
    where.add_argument("--host", metavar="USER@HOST[:PORT]", help="the VM, for --backend ssh")
    where.add_argument("--key", metavar="FILE", help="SSH private key")
    where.add_argument("--password-env", metavar="VAR",
                       help="name of an environment variable holding the SSH password (never pass it as an argument)")
    where.add_argument("--accept-host-key", metavar="SHA256:...",
                       help="confirm the VM's host key fingerprint (shown on first contact)")
    where.add_argument("--allow-setup", action="store_true",
                       help="let the wizard install/start Docker on the VM when it needs it")
    where.add_argument("--build-image-on-vm", action="store_true",
                       help="build the toolchain image on the VM when it is missing (several GB, 10-30 min)")
    where.add_argument("--key-passphrase-env", metavar="VAR",
                       help="name of an environment variable holding the SSH key's passphrase")
    where.add_argument("--keep-remote", action="store_true",
                       help="keep the container / VM folder after the run (for debugging)")
    parser.add_argument("--resume", action="store_true",
                        help="re-attach to the run in RUN_DIR started earlier (after the app or terminal closed)")
    parser.add_argument("--no-cache", action="store_true", help="do not reuse or store calibration results")
    parser.add_argument("--json-events", action="store_true", help="print every event as one JSON line")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print every line the toolchain prints (always saved in RUN_DIR/convert.log)")
    parser.set_defaults(handler=run)


# --- printing ---------------------------------------------------------------------------------


class EventPrinter:
    """Readable lines for a terminal; progress throttled so a log stays readable when piped."""

    def __init__(self, json_events: bool, out=None, err=None, verbose: bool = False):
        self.json_events = json_events
        self.verbose = verbose
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._last_progress: dict[str, int] = {}

    def __call__(self, event) -> None:
        from wizard.cli.output import print_problem
        from wizard.core.events import LogLine, Progress, ProblemRaised, Result, StepFinished, StepStarted, event_to_dict

        if self.json_events:
            self.out.write(json.dumps(event_to_dict(event), ensure_ascii=False, default=str) + "\n")
            self.out.flush()
            return
        if isinstance(event, StepStarted):
            command = f": {event.command}" if event.command else ""
            print(f"==> {event.step}{command}", file=self.out, flush=True)
        elif isinstance(event, StepFinished):
            if event.skipped:
                text = messages.say("cli_step_reused")
                print(f"<== {event.step}: {text}", file=self.out, flush=True)
            elif event.ok:
                print(f"<== {event.step}: ok ({event.elapsed:.1f} s)", file=self.out, flush=True)
            else:
                code = f" (exit {event.exit_code})" if event.exit_code is not None else ""
                print(f"<== {event.step}: {messages.say('cli_step_failed')}{code}", file=self.out, flush=True)
        elif isinstance(event, LogLine):
            if "%|" in event.text or not (self.verbose or event.stream == "runner"):
                return  # progress redraws are shown as Progress lines; the rest is in convert.log
            prefix = "    " if event.stream != "runner" else "    [runner] "
            print(prefix + event.text, file=self.out, flush=True)
        elif isinstance(event, Progress):
            if event.fraction is None:
                return
            decile = int(event.fraction * 10)
            if self._last_progress.get(event.step) == decile:
                return
            self._last_progress[event.step] = decile
            detail = f" {event.text}" if event.text else ""
            print(f"    [{event.step} {event.fraction * 100:3.0f}%]{detail}", file=self.err, flush=True)
        elif isinstance(event, ProblemRaised):
            print_problem(event.problem, self.err)
        elif isinstance(event, Result):
            self._print_similarity(Path(event.run_dir) / "results.json")
            print(messages.say("cli_log_path", path=Path(event.run_dir) / "convert.log"), file=self.out)
            if event.ok:
                print(messages.say("cli_model_path", path=event.model_path), file=self.out)
            print(messages.say("cli_results_path", path=Path(event.run_dir) / "results.json"), file=self.out)


    def _print_similarity(self, results_path: Path) -> None:
        from wizard.cli.output import print_problem
        from wizard.core.toolchain.similarity import similarity_summary

        try:
            summary = similarity_summary(json.loads(results_path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return  # no results (the run stopped before the toolchain): the problems said why
        if summary is not None:
            print_problem(summary.verdict(), self.out)


# --- the command ------------------------------------------------------------------------------


def runner_spec(args) -> "RunnerSpec":
    """The command line's choice of where to run, as the factory's spec (secrets from the
    environment variables the user named, never from the command line)."""
    from wizard.core.runners.factory import RunnerSpec

    def secret(var: str | None) -> str | None:
        return os.environ.get(var) if var else None

    return RunnerSpec(backend=args.backend, host=args.host or "", key_file=args.key,
                      password=secret(args.password_env), key_passphrase=secret(args.key_passphrase_env),
                      accept_fingerprint=args.accept_host_key, setup_consent=args.allow_setup,
                      build_image=args.build_image_on_vm)


def run(args: argparse.Namespace) -> int:
    from wizard.core.runners.bundle import check_run_dir
    from wizard.core.runners.run_folder import claimed_run_dir

    printer = EventPrinter(args.json_events, verbose=args.verbose)
    run_dir = Path(args.out)
    if not args.resume:
        check_run_dir(run_dir)  # before the lock file is made in it: nothing of the user's is hit
    elif not run_dir.is_dir():
        return _run_claimed(args, printer, run_dir)  # nothing to lock: reattach says what is wrong
    # One conversion per run folder, staging included; a second one is refused at once.
    with claimed_run_dir(run_dir):
        return _run_claimed(args, printer, run_dir)


def _run_claimed(args: argparse.Namespace, printer: "EventPrinter", run_dir: Path) -> int:
    from wizard.cli.output import EXIT_BLOCKED, EXIT_INFRASTRUCTURE
    from wizard.cli.plan import choices_from_args
    from wizard.core.runners.bundle import WORKSPACE_DIR
    from wizard.core.runners.factory import build_runner
    from wizard.core.runners.job import ConversionJob, reattach
    from wizard.core.runners.protocol import new_run_id

    cache = False if args.no_cache else None
    if args.resume:
        try:
            job = reattach(run_dir, cache=cache, spec=runner_spec(args))
        except messages.WizardError as exc:
            if exc.problem.code == "run_already_finished":
                printer_problem(printer, messages.Problem(exc.problem.code, "info", exc.problem.params))
                return 0
            printer_problem(printer, exc.problem)
            return EXIT_INFRASTRUCTURE if exc.problem.code == "run_not_found" else EXIT_BLOCKED
        return _drive(job, job.resume(), printer)

    if args.backend == "ssh":
        # Usage problems first: before 100 images are prepared for nothing.
        if not args.host:
            raise messages.WizardError.of("ssh_host_required")
        for var in (args.password_env, args.key_passphrase_env):
            if var and os.environ.get(var) is None:
                raise messages.WizardError.of("password_env_missing", var=var)
    if args.image:
        args.toolchain_image = args.image
    if args.backend == "docker":
        # Fail in a second, not after preparing 100 images, when Docker can't be used at all.
        from wizard.core.runners.docker.runner import connect

        try:
            connect()
        except messages.WizardError as exc:
            printer_problem(printer, exc.problem)
            return EXIT_INFRASTRUCTURE
    choices = choices_from_args(args, str(run_dir / WORKSPACE_DIR))

    from wizard.core.plan.workspace import PlanBlocked, stage_workspace

    def on_progress(phase: str, done: int, total: int) -> None:
        if not args.json_events and phase == "images" and total and (done == total or done % 25 == 0):
            print(f"    images {done}/{total}", file=sys.stderr, flush=True)

    try:
        staged = stage_workspace(choices, on_progress=on_progress)
    except PlanBlocked as blocked:
        for p in blocked.errors + blocked.warnings:
            printer_problem(printer, p)
        return EXIT_BLOCKED
    for p in staged.problems:
        printer_problem(printer, p)
    try:
        runner = build_runner(runner_spec(args), staged.recipe, new_run_id())
    except messages.WizardError as exc:
        printer_problem(printer, exc.problem)
        return EXIT_INFRASTRUCTURE
    job = ConversionJob(runner, run_dir, cache=cache, keep_remote=args.keep_remote)
    return _drive(job, job.events(), printer)


def printer_problem(printer: EventPrinter, problem) -> None:
    from wizard.cli.output import print_problem
    from wizard.core.events import ProblemRaised

    if printer.json_events:
        printer(ProblemRaised(problem=problem))
    else:
        print_problem(problem)


def _drive(job, events, printer: EventPrinter) -> int:
    """Print events until the job ends. The first Ctrl-C cancels (container stopped and removed,
    verdict "cancelled"); a second one leaves at once (the job still removes the container)."""
    from wizard.cli.output import EXIT_CANCELLED, verdict_exit_code

    interrupts = {"n": 0}
    previous = None

    def on_sigint(signum, frame):  # noqa: ARG001
        interrupts["n"] += 1
        if interrupts["n"] > 1:
            raise KeyboardInterrupt
        print("\n" + messages.say("cli_cancelling"), file=sys.stderr, flush=True)
        # docker stop blocks for seconds: not in a signal handler, which interrupts the reader.
        threading.Thread(target=job.cancel, name="cancel", daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        for event in events:
            printer(event)
    except KeyboardInterrupt:
        events.close()  # runs the job's cleanup
        return EXIT_CANCELLED
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return verdict_exit_code(job.verdict)
