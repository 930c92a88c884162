"""``recamera-wizard compare RUN_DIR``: the detection check of a finished conversion, headless.

Runs the original model (the top MLIR) and the converted .cvimodel (the CV18xx simulator) with the
toolchain's model_runner on the same pictures, where the conversion ran, decodes both as the
camera does and prints a verdict in plain words: how many of the original's boxes INT8 still
finds, per class, the worst pictures, what to try, and where the side-by-side pictures are.

Exit codes: 0 checked (whatever the agreement), 2 the run or the pictures cannot be checked (or
the camera named by --thresholds-from-camera gave no thresholds),
3 model_runner failed (crash, out of memory), 4 Docker/SSH/the environment could not be used,
130 cancelled (Ctrl-C stops and removes the container; a second Ctrl-C leaves at once).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from wizard.core import messages

WORST_SHOWN = 5
SEVERITY_OF_VERDICT = {"detections_verdict_good": "info", "detections_verdict_fair": "warning",
                       "detections_verdict_poor": "warning", "detections_verdict_nothing": "warning"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="check what quantization did to the detections, on your own pictures",
        description="Run the original and the converted model of RUN_DIR on the same pictures (the test "
        "picture and a varied sample of the calibration pictures, or a folder of yours; no labels needed), "
        "match their boxes and write RUN_DIR/detections.json and RUN_DIR/detections/.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="the run folder a conversion wrote (convert --out)")
    parser.add_argument("--pictures", metavar="DIR", help="check with the pictures of this folder instead")
    parser.add_argument("--count", type=int, default=None, metavar="N",
                        help="how many pictures (default 12; the simulator takes ~20 s a picture at 640 px)")
    parser.add_argument("--score", type=float, default=None, metavar="0.45",
                        help="score threshold (default: the camera's model node, 0.45)")
    parser.add_argument("--iou", type=float, default=None, metavar="0.25",
                        help="NMS IoU threshold (default: the camera's model node, 0.25)")
    parser.add_argument("--thresholds-from-camera", nargs="?", const="", default=None, metavar="HOST[:PORT]",
                        help="use the thresholds of the model node in your camera's Node-RED flow (default "
                        "address 192.168.42.1; --score/--iou still override one of them)")
    parser.add_argument("--node-red-port", type=int, default=None, metavar="PORT",
                        help="the camera's Node-RED port (default 1880)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print model_runner's own lines")
    _add_where_arguments(parser)
    parser.set_defaults(handler=run)


def _add_where_arguments(parser: argparse.ArgumentParser) -> None:
    """Where model_runner runs: as ``convert``'s options (default: where the conversion ran)."""
    from wizard.cli.where import add_ssh_arguments

    where = parser.add_argument_group("where it runs (default: where the conversion ran)")
    where.add_argument("--backend", choices=("docker", "ssh"), default=None,
                       help="local Docker or the Linux VM over SSH")
    where.add_argument("--image", metavar="TAG", help="toolchain image (default: the conversion's)")
    add_ssh_arguments(where)


def _spec(args: argparse.Namespace):
    """The RunnerSpec the options name, or None: the check then runs where results.json says."""
    import os

    from wizard.cli.where import runner_spec

    if args.backend is None and not args.image and not args.host:
        return None
    for var in (args.password_env, args.key_passphrase_env):
        if var and os.environ.get(var) is None:
            raise messages.WizardError.of("password_env_missing", var=var)
    run_dir = Path(args.run_dir)
    args.backend = args.backend or ("ssh" if args.host else _recorded_backend(run_dir))
    args.host = args.host or _recorded_host(run_dir)
    return runner_spec(args, image=args.image or "")


def _results(run_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _recorded_backend(run_dir: Path) -> str:
    return str(_results(run_dir).get("backend") or "docker")


def _recorded_host(run_dir: Path) -> str:
    results = _results(run_dir)
    return str(results.get("where") or "") if results.get("backend") == "ssh" else ""


def run(args: argparse.Namespace) -> int:
    from wizard.core.detections.check import DEFAULT_PICTURES
    from wizard.core.detections.service import run_check, user_thresholds

    thresholds = user_thresholds(args.score, args.iou, default=_camera_or_default_thresholds(args))
    check = run_check(args.run_dir, spec=_spec(args), pictures_dir=args.pictures,
                      count=args.count or DEFAULT_PICTURES, thresholds=thresholds)
    printer = CheckPrinter(json_output=args.json, verbose=args.verbose)
    return drive(check, printer)


def _camera_or_default_thresholds(args: argparse.Namespace):
    """The camera's own thresholds with --thresholds-from-camera, else the model node's defaults."""
    from wizard.core.detections.decode import MODEL_NODE_DEFAULT

    if args.thresholds_from_camera is None:
        return MODEL_NODE_DEFAULT
    from wizard.core.detections.camera_thresholds import read_camera_thresholds
    from wizard.core.device.address import DEFAULT_NODE_RED_PORT

    return read_camera_thresholds(args.thresholds_from_camera or None, args.node_red_port or DEFAULT_NODE_RED_PORT)


def drive(check, printer: "CheckPrinter") -> int:
    """Print a check's events until it ends; the exit code of its outcome. The first Ctrl-C
    cancels (the container or process is stopped); a second one leaves at once."""
    from wizard.cli.output import EXIT_CANCELLED, follow

    if not follow(check, check.cancel, printer):
        return EXIT_CANCELLED
    return exit_code(check.outcome)


def exit_code(outcome: str) -> int:
    from wizard.cli import output
    from wizard.core.detections import service

    return {service.OUTCOME_CHECKED: output.EXIT_OK, service.OUTCOME_BLOCKED: output.EXIT_BLOCKED,
            service.OUTCOME_TOOLCHAIN: output.EXIT_CONVERSION_FAILED,
            service.OUTCOME_INFRASTRUCTURE: output.EXIT_INFRASTRUCTURE,
            service.OUTCOME_CANCELLED: output.EXIT_CANCELLED}.get(outcome, output.EXIT_INFRASTRUCTURE)


class CheckPrinter:
    """A check's events for a terminal: progress per picture on stderr, problems, then the
    verdict; with ``json_output`` only the report (or the problem) as JSON on stdout."""

    def __init__(self, json_output: bool = False, verbose: bool = False, out: TextIO | None = None,
                 err: TextIO | None = None):
        self.json_output = json_output
        self.verbose = verbose
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.problems: list[messages.Problem] = []

    def __call__(self, event) -> None:
        from wizard.cli.output import print_problem
        from wizard.core.events import LogLine, ProblemRaised, Progress, Result

        if isinstance(event, ProblemRaised):
            self.problems.append(event.problem)
            if not self.json_output:
                print_problem(event.problem, self.err)
        elif isinstance(event, Progress) and not self.json_output:
            if event.text:  # one per picture and side: few enough to print each
                print(f"    [{event.step}] {event.text}", file=self.err, flush=True)
        elif isinstance(event, LogLine) and not self.json_output:
            if self.verbose or event.stream == "runner":
                prefix = "    [runner] " if event.stream == "runner" else "    "
                print(prefix + event.text, file=self.err, flush=True)
        elif isinstance(event, Result):
            if self.json_output:
                self._print_json(event)
            elif event.details.get("report"):
                print_summary(Path(event.details["report"]), self.out)

    def _print_json(self, result) -> None:
        from wizard.core.detections.report import DetectionReport

        data: dict[str, Any] = {"outcome": result.details.get("outcome"), "report_path": result.details.get("report"),
                                "drawings": result.details.get("drawings"),
                                "problems": [p.to_dict() for p in self.problems]}
        if result.details.get("report"):
            data["report"] = json.loads(DetectionReport.load(result.details["report"]).model_dump_json())
        json.dump(data, self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f} %"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.3f}"


def print_summary(report_path: Path, out: TextIO, *, worst: int = WORST_SHOWN, brief: bool = False) -> None:
    """The verdict of detections.json in plain words (the agreement figure is in it), per class,
    the worst pictures, what to try, where the pictures are. ``brief``: the verdict and the paths."""
    from wizard.cli.output import print_problem
    from wizard.core.detections.report import DetectionReport

    report = DetectionReport.load(report_path)
    s = report.summary
    say = messages.say
    if not brief:
        print("", file=out)
        print(say("cli_compare_heading", run=report_path.parent, pictures=s.pictures), file=out)
        t, u = report.thresholds, report.ultralytics
        source_code = f"cli_compare_source_{t.get('source')}"
        source = say(source_code) if source_code in messages.CATALOGUE else str(t.get("source"))
        print(say("cli_compare_thresholds", score=t.get("score"), iou=t.get("iou"), source=source,
                  conf=u.get("conf"), ref_iou=u.get("iou")), file=out)
    verdict = messages.Problem(report.verdict.code, SEVERITY_OF_VERDICT.get(report.verdict.code, "info"),
                               report.verdict.params)
    print_problem(verdict, out)
    if not brief:
        if s.mean_iou is not None:
            print(say("cli_compare_drift", iou=f"{s.mean_iou:.2f}", drift=_signed(s.mean_score_drift),
                      worst=_signed(s.worst_score_drift), changed=s.class_changes), file=out)
        classes = [c for c in s.per_class if c.original or c.int8]
        if len(classes) > 1:
            print(say("cli_compare_per_class"), file=out)
            for c in classes:
                print("  " + say("cli_compare_class_line", label=c.label, agreement=_percent(c.agreement),
                                 original=c.original, int8=c.int8, matched=c.matched), file=out)
        print(say("cli_compare_worst"), file=out)
        for picture in report.pictures[:worst]:
            summary = messages.say("detections_picture_summary", matched=len(picture.matched),
                                   missed=len(picture.missed), extra=len(picture.extra),
                                   changed=len(picture.class_changes))
            line = say("cli_compare_picture_line", rank=picture.rank, name=picture.name,
                       agreement=_percent(picture.agreement), summary=summary)
            print(f"  {line}" + (f"  ({picture.image})" if picture.image else ""), file=out)
        if len(report.pictures) > worst:
            print("  " + say("cli_compare_more_pictures", count=len(report.pictures) - worst), file=out)
        if report.suggestions:
            print(say("cli_compare_try"), file=out)
            for suggestion in report.suggestions:
                print(f"  - {suggestion.text()[0]}", file=out)
        for note in report.notes:
            print_problem(messages.Problem(note.code, note.severity, note.params), out)
        if report.skipped:
            print(say("cli_compare_skipped", count=len(report.skipped)), file=out)
    if report.pictures and report.pictures[0].image:
        print(say("cli_compare_pictures_path", path=report_path.parent / "detections"), file=out)
    print(say("cli_compare_report_path", path=report_path), file=out)
