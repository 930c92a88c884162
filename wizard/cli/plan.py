"""``recamera-wizard plan``: stage a self-contained conversion workspace (recipe.json + convert.sh)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from wizard.core import messages
from wizard.core.app.target import DEFAULT_TARGET


def _float_list(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip() != "")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None


def _tolerance(text: str) -> tuple[float, float]:
    values = _float_list(text)
    if len(values) != 2:
        raise argparse.ArgumentTypeError(f"expected two numbers like 0.8,0.5, got {text!r}")
    return values[0], values[1]


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


def add_choice_arguments(parser: argparse.ArgumentParser, *, sources_required: bool = True) -> None:
    """The conversion choices, named like the toolchain's own options. Shared with ``convert``."""
    req = sources_required
    parser.add_argument("--model", required=req, help="the trained model (.onnx)")
    parser.add_argument("--images", required=req, help="folder of calibration images")
    parser.add_argument("--test-image", help="image used to compare float and quantized outputs "
                        "(default: a representative calibration image)")
    parser.add_argument("--processor", default=None, choices=sorted(DEFAULT_TARGET.processors),
                        help=f"target processor (default {DEFAULT_TARGET.processor}: every reCamera)")
    parser.add_argument("--calibration-count", type=int, default=None,
                        help="how many calibration images to use (default 100)")
    parser.add_argument("--name", help="model name (default: the model file's name)")
    parser.add_argument("--recipe", help="start from a saved recipe.json; other options override it")
    parser.add_argument("--preset", help="start from a named set of options "
                        "(recamera-default, recamera-strict-check, recamera-bf16, "
                        "unfused-preprocessing); other options override it")
    expert = parser.add_argument_group("expert options (named like the toolchain's)")
    expert.add_argument("--quantize", type=str.upper, help="INT8 (default) or BF16 on cv181x")
    expert.add_argument("--tolerance", type=_tolerance, help="model_deploy cosine,euclidean "
                        "tolerance (toolchain default 0.8,0.5)")
    expert.add_argument("--output-names", type=_names, help="comma-separated output tensors "
                        "(default: the YOLO head found in the graph)")
    expert.add_argument("--mean", type=_float_list, help="per-channel mean (default 0.0,0.0,0.0)")
    expert.add_argument("--scale", type=_float_list,
                        help="per-channel scale (default 0.0039216 each, i.e. 1/255)")
    expert.add_argument("--pixel-format", help="rgb (default), bgr, gray or rgba")
    expert.add_argument("--no-keep-aspect-ratio", dest="keep_aspect_ratio", action="store_false",
                        default=None, help="stretch instead of letterboxing")
    expert.add_argument("--customization-format", help="input layout with fused preprocessing "
                        "(default RGB_PACKED)")
    expert.add_argument("--no-fuse-preprocess", dest="fuse_preprocess", action="store_false",
                        default=None, help="keep preprocessing outside the model")
    expert.add_argument("--no-aligned-input", dest="aligned_input", action="store_false",
                        default=None, help="do not align input rows for the camera's VPSS")
    expert.add_argument("--no-quant-input", dest="quant_input", action="store_false",
                        default=None, help="keep a float input")
    expert.add_argument("--toolchain-image", help="Docker image with TPU-MLIR "
                        "(default recamera-wizard/toolchain:1.7)")
    expert.add_argument("--seed", type=int, default=None,
                        help="seed for sampling calibration images (default 0)")


def choices_from_args(args: argparse.Namespace, out: str):
    """ConversionChoices from parsed flags, on top of ``--recipe`` when one is given."""
    from wizard.core.plan.choices import ConversionChoices, choices_from_recipe
    from wizard.core.plan.recipe import ConversionRecipe

    if getattr(args, "recipe", None):
        base = choices_from_recipe(ConversionRecipe.load(args.recipe), out)
    else:
        if not args.model or not args.images:
            raise messages.WizardError.of("cli_sources_required")
        base = ConversionChoices(model=args.model, images=args.images, out=out)
    overrides = {
        "model": args.model,
        "images": args.images,
        "test_image": args.test_image,
        "processor": args.processor,
        "calibration_count": args.calibration_count,
        "name": args.name,
        "quantize": args.quantize,
        "tolerance": args.tolerance,
        "output_names": args.output_names,
        "mean": args.mean,
        "scale": args.scale,
        "pixel_format": args.pixel_format,
        "keep_aspect_ratio": args.keep_aspect_ratio,
        "customization_format": args.customization_format,
        "fuse_preprocess": args.fuse_preprocess,
        "aligned_input": args.aligned_input,
        "quant_input": args.quant_input,
        "toolchain_image": args.toolchain_image,
        "seed": args.seed,
    }
    explicit = {k: v for k, v in overrides.items() if v is not None}
    if getattr(args, "preset", None):
        from wizard.core.plan.presets import apply_preset, get_preset

        base = apply_preset(base, get_preset(args.preset), explicit=set(explicit))
    choices = replace(base, **explicit)
    if args.fuse_preprocess is False and args.aligned_input is None and not args.recipe:
        # Turning fusion off turns its dependants off too, unless the user asked for them.
        choices = replace(choices, aligned_input=False)
    return choices


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="stage a conversion workspace: prepared model and images, recipe.json, convert.sh",
        description="Stage a self-contained workspace in --out. Run its convert.sh inside the "
        "TPU-MLIR toolchain image to convert the model.",
    )
    add_choice_arguments(parser, sources_required=False)
    parser.add_argument("--out", required=True, help="workspace folder to create")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from wizard.cli.output import EXIT_BLOCKED, ImagesProgress, print_json, print_problem
    from wizard.core.plan.commands import recipe_commands
    from wizard.core.plan.workspace import PlanBlocked, stage_workspace

    choices = choices_from_args(args, args.out)

    on_progress = None if args.json else ImagesProgress()
    try:
        staged = stage_workspace(choices, on_progress=on_progress)
    except KeyboardInterrupt:
        from wizard.cli.output import EXIT_CANCELLED

        print_problem(messages.problem("plan_cancelled", "warning", out=str(args.out)))
        return EXIT_CANCELLED
    except PlanBlocked as blocked:
        if args.json:
            print_json({"ok": False, "problems": [p.to_dict() for p in blocked.errors + blocked.warnings]})
        else:
            for p in blocked.errors + blocked.warnings:
                print_problem(p)
        return EXIT_BLOCKED
    recipe = staged.recipe
    commands = recipe_commands(recipe)
    if args.json:
        from dataclasses import asdict

        print_json({
            "ok": True,
            "workdir": str(staged.workdir),
            "recipe": asdict(recipe),
            "commands": [{"step": c.step, "argv": list(c.argv)} for c in commands],
            "problems": [p.to_dict() for p in staged.problems],
        })
        return 0
    for p in staged.problems:
        print_problem(p)
    print(messages.say("cli_plan_ready", path=staged.workdir))
    if recipe.model_converted:
        print("  " + messages.say("cli_plan_converted_copy"))
    print("  " + messages.say("cli_plan_images", count=recipe.calibration_images))
    for command in commands:
        print(f"  [{command.step}] {command.shell}")
    print(messages.say("cli_plan_run_inside", command=f"bash {staged.workdir / 'convert.sh'}"))
    return 0
