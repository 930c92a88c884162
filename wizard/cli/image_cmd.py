"""``recamera-wizard toolchain-image status|build|load TARBALL|remove``: the toolchain image.

The image conversions run in: ``recamera-wizard/toolchain:<tpu_mlir version>``, built FROM a
pinned sophgo/tpuc_dev tag with ``pip install tpu_mlir[onnx]``. ``build`` needs internet (Docker
Hub and PyPI) and about 15 GB; ``load`` takes a ``docker save`` file for offline workshops.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "toolchain-image",
        help="show, build, load or remove the TPU-MLIR toolchain image",
        description="Manage the Docker image that conversions run in.",
    )
    parser.add_argument("action", choices=("status", "build", "load", "remove", "dockerfile"),
                        help="status: is it there; build: pull the base and build it (internet); "
                        "load: from a 'docker save' file; remove; dockerfile: print the Dockerfile")
    parser.add_argument("tarball", nargs="?", help="for load: the file made by 'docker save'")
    parser.add_argument("--image", metavar="TAG", default=None,
                        help="image tag (default recamera-wizard/toolchain:1.7)")
    parser.add_argument("--tpu-mlir", metavar="VERSION", help="for build: the tpu_mlir version to pin")
    parser.add_argument("--base", metavar="IMAGE:TAG", help="for build: the base image (default sophgo/tpuc_dev:v3.1)")
    parser.add_argument("--kit", metavar="KIT.rcwkit",
                        help="for load: a workshop kit; the tarball must hold the kit's image (checked before loading)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def _spec(args):
    from wizard.core.runners.docker.image import ToolchainImageSpec, spec_for_tag

    if args.tpu_mlir or args.base:
        default = ToolchainImageSpec()
        return ToolchainImageSpec(base_image=args.base or default.base_image,
                                  tpu_mlir_version=args.tpu_mlir or default.tpu_mlir_version)
    return spec_for_tag(args.image) if args.image else ToolchainImageSpec()


def run(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_BLOCKED, EXIT_INFRASTRUCTURE, print_json, print_problem
    from wizard.cli.convert import EventPrinter
    from wizard.core.messages import WizardError
    from wizard.core.plan.recipe import DEFAULT_TOOLCHAIN_IMAGE
    from wizard.core.runners.docker import image as ti

    tag = args.image or DEFAULT_TOOLCHAIN_IMAGE
    if args.action == "dockerfile":
        sys.stdout.write(ti.dockerfile_text(_spec(args)))
        return 0
    if args.action == "load" and not args.tarball:
        print("error: load needs the file: recamera-wizard toolchain-image load FILE.tar", file=sys.stderr)
        return EXIT_BLOCKED
    from wizard.core.runners.docker.runner import connect

    try:
        ti.check_image_reference(tag)  # before Docker answers "invalid reference format"
        client = connect()
    except WizardError as exc:
        print_problem(exc.problem)
        return EXIT_BLOCKED if exc.problem.code == "invalid_image_reference" else EXIT_INFRASTRUCTURE
    printer = EventPrinter(json_events=args.json)
    try:
        if args.action == "status":
            status = ti.image_status(client, tag)
            if args.json:
                print_json(status.to_dict())
            elif status.present:
                print(f"{tag}: present, {status.size / 1e9:.2f} GB, id {status.image_id}")
                for key, value in sorted((status.labels or {}).items()):
                    if key.startswith(ti.LABEL_PREFIX):
                        print(f"  {key.split('.')[-1]}: {value}")
            else:
                print_problem(WizardError.of("toolchain_image_missing", image=tag,
                                             needed_gb=ti.IMAGE_DISK_NEED_GB).problem, sys.stdout)
            return 0 if status.present else 1
        if args.action == "build":
            spec = _spec(args)
            for event in ti.build_image(client, spec):
                printer(event)
            return 0
        if args.action == "load":
            if args.kit:
                from wizard.core.workshop.offline_image import load_for_kit

                events = load_for_kit(client, args.tarball, args.kit)
            else:
                events = ti.load_image(client, args.tarball, expected_tag=args.image)
            for event in events:
                printer(event)
            return 0
        if args.action == "remove":
            removed = ti.remove_image(client, tag)
            if args.json:
                print_json({"tag": tag, "removed": removed})
            else:
                print(f"{tag}: {'removed' if removed else 'was not there'}")
            return 0
    except WizardError as exc:
        if args.json:
            print(json.dumps({"ok": False, "problem": exc.problem.to_dict()}, ensure_ascii=False))
        else:
            print_problem(exc.problem)
        code = exc.problem.code
        return EXIT_BLOCKED if code.startswith("path_") or code in ("file_not_found", "invalid_image_setting", "invalid_image_reference",
                                        "image_load_failed",
                                        "image_loaded_other") or code.startswith("kit_") else EXIT_INFRASTRUCTURE
    return 0
