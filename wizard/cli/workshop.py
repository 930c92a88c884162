"""``recamera-wizard workshop ...``: workshop mode, headless.

The instructor:
    workshop prepare-server --host admin@vm [--slots 4] [--image-tarball FILE | --build-image]
                            [--attendee-account workshop --attendee-key KEY.pub]
    workshop make-kit --out KIT.rcwkit --title "..." --host workshop@vm [--preset ...] [--unlock ...]
    workshop status --kit KIT.rcwkit [--json]
    workshop show-kit KIT.rcwkit [--json]
The attendee (the GUI does the same through wizard.core.workshop.attendee):
    workshop convert --kit KIT.rcwkit --out RUN_DIR (--model M.onnx --images DIR | --samples)
    workshop convert --kit KIT.rcwkit --out RUN_DIR --resume

Exit codes as ``convert``: 0 done, 2 blocked (a refused kit, a locked option...), 3 the toolchain
failed, 4 the server could not be used, 130 cancelled.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from wizard.core import messages


def register(subparsers: argparse._SubParsersAction) -> None:
    from wizard.cli.plan import add_choice_arguments

    parser = subparsers.add_parser("workshop", help="workshop mode: one shared server for a room (kit, queue, status)",
                                   description="Prepare a shared server, make a workshop kit, convert "
                                   "through it as an attendee, and see the room's status.")
    actions = parser.add_subparsers(dest="workshop_action", metavar="<action>", required=True)

    prep = actions.add_parser("prepare-server", help="set the shared server up (Docker, image, account, queue)")
    _ssh_arguments(prep, host=True, accept=True)
    _workshop_arguments(prep)
    prep.add_argument("--image", default=None, metavar="TAG", help="toolchain image (default recamera-wizard/toolchain:1.7)")
    prep.add_argument("--image-tarball", metavar="FILE", help="load the image from this `docker save` file (offline rooms)")
    prep.add_argument("--build-image", action="store_true", help="build the image on the server when missing (internet)")
    prep.add_argument("--attendee-account", metavar="NAME", help="create this login for attendees (needs root or sudo)")
    prep.add_argument("--attendee-key", action="append", default=[], metavar="KEY.pub",
                      help="authorize this public key for the attendees' login (repeatable)")
    prep.add_argument("--attendee-password-env", metavar="VAR",
                      help="environment variable holding the attendees' login password")
    prep.add_argument("--attendee-home", metavar="DIR", help=argparse.SUPPRESS)  # tests: a home under tmp
    prep.add_argument("--attendee-accounts", type=int, default=0, metavar="N",
                      help="one account per attendee (PREFIX01..PREFIXNN), without Docker: attendees cannot reach "
                      "each other's files even from a terminal (needs root or sudo; instead of --attendee-account)")
    prep.add_argument("--account-prefix", default="attendee", metavar="PREFIX",
                      help="the attendee accounts' names start with this (default attendee)")
    prep.add_argument("--accounts-sheet", metavar="FILE",
                      help="give each new attendee account a password, written to FILE here (for the seat cards)")
    prep.set_defaults(handler=run_prepare_server)

    make = actions.add_parser("make-kit", help="check the server and write the workshop kit",
                              description="--model/--images here are the kit's optional SAMPLES; the option "
                              "flags set the kit's options (all locked unless --unlock).")
    make.add_argument("--out", required=True, metavar="KIT.rcwkit")
    make.add_argument("--title", required=True)
    _ssh_arguments(make, host=True, accept=True)
    _workshop_arguments(make, slots_default=None)
    add_choice_arguments(make, sources_required=False)
    make.add_argument("--unlock", default="", metavar="OPTION,...",
                      help="options attendees may change (e.g. calibration_count,tolerance); all others are locked")
    make.add_argument("--lock-camera", action="store_true", help="attendees may not change the camera address")
    make.add_argument("--lock-language", action="store_true", help="attendees may not change the language")
    make.add_argument("--image", dest="toolchain_image", metavar="TAG", help="same as --toolchain-image")
    make.add_argument("--image-tarball", metavar="FILE", help="the image's `docker save` file for offline rooms")
    make.add_argument("--camera-host", default="192.168.42.1")
    make.add_argument("--camera-user", default="recamera")
    make.add_argument("--language", choices=messages.LANGUAGES, help="the kit's language (default: the attendee's)")
    make.add_argument("--json", action="store_true")
    make.set_defaults(handler=run_make_kit)

    show = actions.add_parser("show-kit", help="check a kit and show what it holds")
    show.add_argument("kit", metavar="KIT.rcwkit")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show_kit)

    status = actions.add_parser("status", help="every attendee's job and the server's load")
    status.add_argument("--kit", required=True, metavar="KIT.rcwkit")
    status.add_argument("--login", metavar="NAME",
                        help="a room with one account per attendee: your account on the server (root, or with sudo)")
    _ssh_arguments(status)
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=run_status)

    convert = actions.add_parser("convert", help="convert as an attendee, through the kit's shared server")
    convert.add_argument("--kit", metavar="KIT.rcwkit", help="the workshop kit (default on --resume: the run's)")
    convert.add_argument("--out", required=True, metavar="RUN_DIR")
    convert.add_argument("--attendee", help="your name, as the instructor sees it (default: your login name)")
    convert.add_argument("--account", metavar="NAME",
                         help="your account on the room's server, when the workshop gives each attendee one")
    convert.add_argument("--samples", action="store_true", help="use the kit's sample model and pictures")
    add_choice_arguments(convert, sources_required=False)
    _ssh_arguments(convert)
    convert.add_argument("--resume", action="store_true", help="re-attach to the run in RUN_DIR")
    convert.add_argument("--no-cache", action="store_true", help="do not reuse or store calibration results")
    convert.add_argument("--json-events", action="store_true", help="print every event as one JSON line")
    convert.add_argument("-v", "--verbose", action="store_true", help="also print every toolchain line")
    convert.set_defaults(handler=run_convert)


def _ssh_arguments(parser: argparse.ArgumentParser, host: bool = False, accept: bool = False) -> None:
    group = parser.add_argument_group("the server login")
    if host:
        group.add_argument("--host", required=True, metavar="USER@HOST[:PORT]")
    group.add_argument("--key", metavar="FILE", help="SSH private key")
    group.add_argument("--password-env", metavar="VAR", help="environment variable holding the SSH password")
    group.add_argument("--key-passphrase-env", metavar="VAR", help="environment variable holding the key's passphrase")
    if accept:
        group.add_argument("--accept-host-key", metavar="SHA256:...", help="confirm the server's host key fingerprint")


def _workshop_arguments(parser: argparse.ArgumentParser, slots_default: int | None = 2) -> None:
    from wizard.core.workshop.server_layout import DEFAULT_WORKSHOP_ID

    parser.add_argument("--workshop", default=DEFAULT_WORKSHOP_ID, metavar="ID",
                        help=f"the workshop's name on the server (default {DEFAULT_WORKSHOP_ID})")
    parser.add_argument("--slots", type=int, default=slots_default, metavar="N",
                        help="conversions the server runs at once" + (" (default: the server's)" if slots_default is None
                                                                      else f" (default {slots_default})"))


def _env_secret(var: str | None) -> str | None:
    if not var:
        return None
    value = os.environ.get(var)
    if value is None:
        raise messages.WizardError.of("password_env_missing", var=var)
    return value


def _credentials(args: argparse.Namespace):
    """The login the options name (secrets from their environment variables)."""
    from wizard.core.ssh.options import SshCredentials

    return SshCredentials(key_file=args.key, password=_env_secret(args.password_env),
                          key_passphrase=_env_secret(args.key_passphrase_env))


def _host_keys(args: argparse.Namespace):
    """The default known_hosts files, and ``--accept-host-key`` where the command has it."""
    from wizard.core.ssh.options import HostKeyPolicy

    return HostKeyPolicy(accept_fingerprint=getattr(args, "accept_host_key", None) or None)


def _explicit_options(args: argparse.Namespace) -> dict:
    from wizard.core.workshop.kit import OPTION_NAMES

    return {name: getattr(args, name) for name in OPTION_NAMES if getattr(args, name, None) is not None}


def _refuse(args: argparse.Namespace, names: tuple[str, ...], why: str) -> int | None:
    for name in names:
        if getattr(args, name, None) not in (None, False):
            flag = "--" + name.replace("_", "-")
            print(f"error: {flag} {why}", file=sys.stderr)
            return 1
    return None


def _print_problems(problems) -> None:
    from wizard.cli.output import print_problem

    for p in problems:
        print_problem(p)


# --- prepare-server ---------------------------------------------------------------------------------


def run_prepare_server(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_INFRASTRUCTURE
    from wizard.cli.convert import EventPrinter
    from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
    from wizard.core.workshop.server_setup import ServerPlan, prepare_server, read_public_key

    plan = ServerPlan(
        workshop_id=args.workshop, slots=args.slots, image=args.image or DEFAULT_TOOLCHAIN_IMAGE,
        image_tarball=Path(args.image_tarball) if args.image_tarball else None, build_image=args.build_image,
        account=args.attendee_account, account_keys=tuple(read_public_key(k) for k in args.attendee_key),
        account_password=_env_secret(args.attendee_password_env), account_home=args.attendee_home,
        attendee_accounts=args.attendee_accounts, account_prefix=args.account_prefix,
        accounts_sheet=Path(args.accounts_sheet) if args.accounts_sheet else None,
    )
    printer = EventPrinter(json_events=False)
    try:
        for event in prepare_server(args.host, plan, credentials=_credentials(args), host_keys=_host_keys(args)):
            printer(event)
    except messages.WizardError as exc:
        from wizard.cli.output import print_problem

        print_problem(exc.problem)
        return EXIT_INFRASTRUCTURE
    return 0


# --- make-kit ---------------------------------------------------------------------------------------


def run_make_kit(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_BLOCKED, print_json, print_problem
    from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
    from wizard.core.workshop.kit import KitCamera
    from wizard.core.workshop.kit_maker import KitDraft, KitNotMade, make_kit

    refused = _refuse(args, ("recipe", "name", "test_image", "seed", "output_names"),
                      "is about one model: a kit's options are for every attendee")
    if refused is not None:
        return refused
    draft = KitDraft(
        title=args.title, preset=args.preset or "recamera-default", options=_explicit_options(args),
        unlocked=frozenset(n.strip() for n in args.unlock.split(",") if n.strip()),
        lock_camera=args.lock_camera, lock_language=args.lock_language, workshop_id=args.workshop, slots=args.slots,
        image=args.toolchain_image or DEFAULT_TOOLCHAIN_IMAGE,
        image_tarball=Path(args.image_tarball) if args.image_tarball else None,
        sample_model=Path(args.model) if args.model else None, sample_images=Path(args.images) if args.images else None,
        camera=KitCamera(host=args.camera_host, user=args.camera_user), language=args.language,
    )
    try:
        kit, warnings = make_kit(args.out, args.host, draft, credentials=_credentials(args), host_keys=_host_keys(args))
    except KitNotMade as failed:
        if args.json:
            print_json({"ok": False, "problems": [p.to_dict() for p in failed.problems]})
        else:
            _print_problems(failed.problems)
            print_problem(failed.problem)
        return EXIT_BLOCKED
    if args.json:
        print_json({"ok": True, "path": str(kit.path), "checksum": kit.checksum, "kit": kit.content.model_dump(mode="json"),
                    "problems": [p.to_dict() for p in warnings]})
        return 0
    _print_problems(warnings)
    print_problem(messages.problem("kit_ready", "info", path=str(kit.path), title=kit.title, checksum=kit.checksum),
                  sys.stdout)
    return 0


def run_show_kit(args: argparse.Namespace) -> int:
    from wizard.cli.output import print_json
    from wizard.core.workshop.kit import read_kit

    kit = read_kit(args.kit)  # a refused kit is a WizardError: printed with its reason, exit 2
    content = kit.content
    if args.json:
        print_json({"ok": True, "checksum": kit.checksum, "kit": content.model_dump(mode="json")})
        return 0
    lines = [
        f"{content.title}",
        f"  kit:       {content.kit_id} ({kit.checksum}), format {content.schema_version}, made {content.created}",
        f"  server:    {content.server.target}  {content.server.host_key_fingerprint}",
        f"  workshop:  {content.server.workshop_id}, {content.server.slots} at once",
        f"  accounts:  {content.server.accounts}{' (' + content.server.account_hint + ')' if content.server.account_hint else ''}",
        f"  image:     {content.toolchain.image} {content.toolchain.image_id or ''} {content.toolchain.tarball or ''}",
        f"  preset:    {content.preset}",
    ]
    for name, value in sorted(content.options.items()):
        lines.append(f"    {name} = {value!r}{'  (locked)' if kit.is_locked(name) else ''}")
    lines.append(f"  samples:   {content.samples.model or '-'}, {len(content.samples.images)} pictures")
    lines.append(f"  camera:    {content.camera.user}@{content.camera.host}; language {content.language or '-'}")
    print("\n".join(lines))
    return 0


# --- status -----------------------------------------------------------------------------------------


def run_status(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_INFRASTRUCTURE, print_json, print_problem
    from wizard.core.workshop.kit import read_kit
    from wizard.core.workshop.status import fetch_status

    kit = read_kit(args.kit)
    try:
        room = fetch_status(kit, lang=messages.current_language(), credentials=_credentials(args), login=args.login)
    except messages.WizardError as exc:
        print_problem(exc.problem)
        return EXIT_INFRASTRUCTURE
    if args.json:
        print_json(room.to_dict())
        return 0
    print(format_room(room))
    return 0


def format_room(room) -> str:
    lines = [room.server_summary()]
    if not room.jobs:
        lines.append(messages.render("workshop_status_empty")[0])
    for job in room.jobs:
        ticket = f"#{job.ticket}" if job.ticket is not None else "-"
        elapsed = f"{job.elapsed:.0f} s" if job.elapsed is not None else ""
        lines.append(f"  {ticket:>4}  {job.attendee[:24]:<24}  {job.label()}  {elapsed}")
    return "\n".join(lines)


# --- convert (an attendee) --------------------------------------------------------------------------


class WorkshopEventPrinter:
    """convert's printer, plus the queue's events in plain words."""

    def __init__(self, json_events: bool, verbose: bool = False):
        from wizard.cli.convert import EventPrinter

        self.inner = EventPrinter(json_events, verbose=verbose)

    @property
    def json_events(self) -> bool:
        return self.inner.json_events

    def __call__(self, event) -> None:
        from wizard.core.events import QueueAdmitted, QueueLeft, QueueWaiting

        if not self.inner.json_events:
            if isinstance(event, QueueWaiting):
                print(messages.render("workshop_queue_waiting", {"ahead": event.ahead, "slots": event.slots})[0],
                      file=sys.stdout, flush=True)
                return
            if isinstance(event, QueueAdmitted):
                print(messages.render("workshop_queue_admitted", {"slot": event.slot, "slots": event.slots,
                                                                  "waited": int(event.waited)})[0], flush=True)
                return
            if isinstance(event, QueueLeft):
                print(messages.render("workshop_queue_left", {"ticket": event.ticket})[0], flush=True)
                return
        self.inner(event)


def run_convert(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_BLOCKED, EXIT_INFRASTRUCTURE
    from wizard.cli.convert import _drive, printer_problem
    from wizard.core.plan.workspace import PlanBlocked
    from wizard.core.workshop.attendee import resume_conversion, start_conversion
    from wizard.core.workshop.kit import read_kit

    refused = _refuse(args, ("recipe", "preset", "toolchain_image"), "is set by the workshop kit")
    if refused is not None:
        return refused
    printer = WorkshopEventPrinter(args.json_events, verbose=args.verbose)
    cache = False if args.no_cache else None
    kit = read_kit(args.kit) if args.kit else None  # a refused kit: its reason, exit 2
    if kit is not None and kit.content.language and args.lang is None:
        messages.set_language(kit.content.language)
    login = _credentials(args)
    if args.resume:
        try:
            job = resume_conversion(args.out, kit=kit, cache=cache, credentials=login)
        except messages.WizardError as exc:
            if exc.problem.code == "run_already_finished":
                printer_problem(printer, messages.Problem(exc.problem.code, "info", exc.problem.params))
                return 0
            printer_problem(printer, exc.problem)
            return EXIT_BLOCKED
        return _drive(job, job.resume(), printer)
    if kit is None:
        print("error: --kit KIT.rcwkit is needed to start a conversion", file=sys.stderr)
        return 1

    def on_progress(phase: str, done: int, total: int) -> None:
        if not args.json_events and phase == "images" and total and (done == total or done % 25 == 0):
            print(f"    images {done}/{total}", file=sys.stderr, flush=True)

    try:
        job = start_conversion(
            kit, run_dir=args.out, attendee=args.attendee or getpass.getuser(), model=args.model, images=args.images,
            use_samples=args.samples, name=args.name, test_image=args.test_image, output_names=args.output_names,
            overrides=_explicit_options(args), on_progress=on_progress, cache=cache, credentials=login,
            account=args.account)
    except PlanBlocked as blocked:
        for p in blocked.errors + blocked.warnings:
            printer_problem(printer, p)
        return EXIT_BLOCKED
    except messages.WizardError as exc:
        printer_problem(printer, exc.problem)
        return EXIT_INFRASTRUCTURE if exc.problem.code.startswith("vm_") else EXIT_BLOCKED
    return _drive(job, job.events(), printer)
