"""``recamera-wizard convert``: the whole conversion, headless.

Stages the workspace (as ``plan`` does) into RUN_DIR/workspace, runs it in the toolchain image
(local Docker, a Linux VM over SSH, or without Docker in a Python 3.10 environment here or on the
VM), brings the results back and leaves in RUN_DIR the model,
convert.log, results.json, recipe.json and reproduce.sh.

After a successful conversion it runs the detection check (``compare``) where the conversion ran,
and prints its agreement figure; ``--no-detection-check`` skips it. The exit code stays the
conversion's when the check cannot finish (it says why and how to run it again).

Exit codes: 0 converted, 2 blocked input, 3 the toolchain failed (including out of memory),
4 Docker/SSH could not be used, 130 cancelled (Ctrl-C stops and removes the container first;
a second Ctrl-C leaves at once).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from wizard.cli.where import runner_spec
from wizard.core import messages
from wizard.core.runners.status import Verdict

# Files a run folder may already hold: a run folder can be converted again (the cache makes
# that cheap), but a folder with anything else in it is refused so nothing of the user's is hit.


def register(subparsers: argparse._SubParsersAction) -> None:
    from wizard.cli.plan import add_choice_arguments
    from wizard.cli.where import add_native_arguments, add_ssh_arguments

    parser = subparsers.add_parser(
        "convert",
        help="convert a model end to end in the toolchain image (Docker or SSH)",
        description="Stage, run and collect a conversion. RUN_DIR receives the .cvimodel, "
        "convert.log, results.json, recipe.json and reproduce.sh.",
    )
    add_choice_arguments(parser, sources_required=False)
    parser.add_argument("--out", required=True, metavar="RUN_DIR", help="run folder to create")
    where = parser.add_argument_group("where it runs")
    where.add_argument("--backend", choices=("docker", "ssh", "native", "ssh-native"), default="docker",
                       help="local Docker (default), a Linux VM over SSH with Docker (uploads your model and images), "
                       "or without Docker: native (this Linux computer) or ssh-native (the VM) in a Python 3.10 environment")
    where.add_argument("--image", metavar="TAG", help="toolchain image (same as --toolchain-image)")
    add_ssh_arguments(where)
    where.add_argument("--allow-setup", action="store_true",
                       help="let the wizard install/start Docker on the VM when it needs it (native backends: apt-get install "
                       "python3.10-venv, python3.10-dev, gcc as needed)")
    where.add_argument("--build-image-on-vm", action="store_true",
                       help="build the toolchain image on the VM when it is missing (several GB, 10-30 min)")
    add_native_arguments(where)
    where.add_argument("--keep-remote", action="store_true",
                       help="keep the container / VM folder after the run (for debugging)")
    parser.add_argument("--resume", action="store_true",
                        help="re-attach to the run in RUN_DIR started earlier (after the app or terminal closed)")
    parser.add_argument("--no-cache", action="store_true", help="do not reuse or store calibration results")
    check = parser.add_argument_group("the detection check (after a successful conversion)")
    check.add_argument("--no-detection-check", action="store_true",
                       help="do not compare the original and the INT8 model's detections afterwards "
                       "(later: recamera-wizard compare RUN_DIR)")
    check.add_argument("--check-count", type=int, default=None, metavar="N",
                       help="pictures for the detection check (default 12; ~20 s each at 640 px)")
    check.add_argument("--check-pictures", metavar="DIR", help="check with the pictures of this folder")
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
        self.verdict = ""  # the conversion's, once its Result came

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
        elif isinstance(event, Result) and "outcome" in event.details:  # the detection check's
            if event.details.get("report"):
                from wizard.cli.compare import print_summary

                print_summary(Path(event.details["report"]), self.out, brief=True)
        elif isinstance(event, Result):
            self.verdict = str(event.details.get("verdict") or "")
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


def run(args: argparse.Namespace) -> int:
    from wizard.core.runners.bundle import check_run_dir
    from wizard.core.runners.run_folder import claimed_run_dir, refuse_if_a_run_is_going

    printer = EventPrinter(args.json_events, verbose=args.verbose)
    run_dir = Path(args.out)
    if not args.resume:
        from wizard.core.plan.workspace import check_output_outside_images

        if getattr(args, "images", None):
            check_output_outside_images(run_dir, args.images)  # never a lock file among the photos
        check_run_dir(run_dir)  # before the lock file is made in it: nothing of the user's is hit
    elif not run_dir.is_dir():
        return _run_claimed(args, printer, run_dir)  # nothing to lock: reattach says what is wrong
    # One conversion per run folder, staging included; a second one is refused at once.
    with claimed_run_dir(run_dir):
        if not args.resume:
            refuse_if_a_run_is_going(run_dir)
        try:
            code = _run_claimed(args, printer, run_dir)
        except KeyboardInterrupt:
            # Ctrl-C before the run began (_drive handles it once the run is going).
            from wizard.cli.output import EXIT_CANCELLED
            from wizard.core.runners.run_folder import record_cancelled_before_run

            if not args.resume:
                record_cancelled_before_run(run_dir, backend=args.backend, where=args.host or "local",
                                            image=args.image or getattr(args, "toolchain_image", None) or "")
            printer_problem(printer, messages.problem("conversion_cancelled_before_run", "warning",
                                                      path=str(run_dir)))
            return EXIT_CANCELLED
    if printer.verdict == Verdict.SUCCESS and not args.no_detection_check:
        return _detection_check(args, printer, run_dir, code)
    return code


def _detection_check(args: argparse.Namespace, printer: "EventPrinter", run_dir: Path, code: int) -> int:
    """The check of the model just converted, where it was converted (the same spec); it claims
    the run folder itself. A check that cannot finish leaves the conversion's exit code."""
    from wizard.cli.compare import drive
    from wizard.cli.output import EXIT_CANCELLED
    from wizard.core.detections.check import DEFAULT_PICTURES
    from wizard.core.detections.service import OUTCOME_CANCELLED, OUTCOME_CHECKED, run_check

    check = run_check(run_dir, spec=runner_spec(args), pictures_dir=args.check_pictures,
                      count=args.check_count or DEFAULT_PICTURES)
    checked = drive(check, printer)
    if check.outcome == OUTCOME_CANCELLED or checked == EXIT_CANCELLED:
        return EXIT_CANCELLED
    if check.outcome != OUTCOME_CHECKED:
        printer_problem(printer, messages.problem("cli_convert_check_failed", "warning", run=str(run_dir)))
    return code


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

    if args.backend in ("ssh", "ssh-native"):
        # Usage problems first: before 100 images are prepared for nothing.
        if not args.host:
            raise messages.WizardError.of("ssh_host_required")
        for var in (args.password_env, args.key_passphrase_env):
            if var and os.environ.get(var) is None:
                raise messages.WizardError.of("password_env_missing", var=var)
    if args.image:
        args.toolchain_image = args.image
    if getattr(args, "toolchain_image", None):
        from wizard.core.runners.docker.image import check_image_reference

        check_image_reference(args.toolchain_image)  # a usage error: before Docker or staging
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

    from wizard.cli.output import ImagesProgress

    on_progress = None if args.json_events else ImagesProgress()
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
    from wizard.cli.output import EXIT_CANCELLED, follow, verdict_exit_code

    if not follow(events, job.cancel, printer):  # the second Ctrl-C: the job's clean-up has run
        _say_stopped_at_once(job, printer)
        return EXIT_CANCELLED
    return verdict_exit_code(job.verdict)


def _say_stopped_at_once(job, printer: EventPrinter) -> None:
    """After the second Ctrl-C: what the record says and what was kept."""
    from wizard.core.plan.recipe import LOG_FILE

    printer_problem(printer, messages.problem("conversion_stopped_at_once", "warning", path=str(job.run_dir),
                                              log=str(job.run_dir / LOG_FILE)))
    if getattr(job, "earlier_run", None) is not None:
        printer_problem(printer, messages.problem("earlier_run_kept", "info", path=str(job.earlier_run)))
