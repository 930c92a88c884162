"""The detection check: both models on the same pictures, decoded as the camera does, compared.

    DetectionCheck(target, pictures, options, backend).run() -> Iterator[Event]
        ends with Result(ok, run_dir=out_dir, details={"report": path, "verdict": code, ...})
    thresholds_from_flows(flows) -> Thresholds | None      # the camera's own tscore/tiou
    choose_pictures(test_picture, calibration_dir, check_dir, count) -> (pictures, skipped)
    analyse_picture(layout, float_outputs, int8_outputs, options) -> PictureAnalysis  # pure

Steps:
1. Pictures: the test picture and a varied sample of the calibration pictures (default 12 in
   all), or the pictures of a folder the user names; unreadable ones are skipped with the reason.
2. Each picture is letterboxed ONCE (letterbox.py, the toolchain's own rule) and written twice:
   ``images_raw`` for the cvimodel (fused preprocessing) and ``images`` for the top MLIR.
3. A runner (``ModelRunnerBackend``, implemented by the Docker, VM and native runners) executes
   the toolchain's ``model_runner.py`` on both: the float side is the TOP MLIR run by the
   toolchain's own interpreter, not the ONNX in onnxruntime. So both sides see the toolchain's
   pixels and the float reference is exactly the one model_deploy compares against, and the app
   needs no onnxruntime (nor a second copy of the preprocessing). INT8 runs the .cvimodel on the
   CV18xx simulator (~20 s a picture at 640, ~3 s at 320).
4. Raw outputs are cached by (model digest, picture digest + preprocessing), trimmed to the six
   heads, so changing the thresholds re-decodes in milliseconds without the simulator. A report
   whose key (models, pictures, thresholds, decoder version, language) matches is reused as is.
5. Decode (decode.py), match (match.py), write detections.json and the drawings (report.py,
   draw.py), worst pictures first.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol, Sequence

import numpy as np

from wizard import __version__
from wizard.core.checksums import sha256_file
from wizard.core.detections.decode import (
    MODEL_NODE_DEFAULT,
    Detections,
    QuantParam,
    Thresholds,
    UltralyticsSettings,
    camera_candidates,
    decode_camera,
    decode_ultralytics,
    head_arrays,
    infer_quant,
)
from wizard.core.detections.heads import HeadLayout, base_name, find_heads
from wizard.core.detections.letterbox import (
    Placement,
    Preprocess,
    float_side_input,
    int8_side_input,
    letterbox,
    load_npz,
    load_rgb,
    save_npz,
)
from wizard.core.detections.match import (
    MATCH_IOU,
    PictureComparison,
    compare_picture,
    match_pairs,
    summarize,
    worst_first,
)
from wizard.core.detections.report import (
    PICTURES_DIR,
    REPORT_FILE,
    DetectionReport,
    Message,
    ModelRecord,
    Skipped,
    picture_record,
    summary_record,
)
from wizard.core.events import Event, ProblemRaised, Progress, Result
from wizard.core.messages import Problem, WizardError, current_language, problem, render

CHECK_STEP = "detections"
MODEL_RUNNER_STEP = "model_runner"
DEFAULT_PICTURES = 12
# Bump when decoding, matching or the report changes: older saved results are then not reused.
DECODER_VERSION = 1
# Near misses: INT8 boxes down to this fraction of the score threshold are looked at.
NEAR_MISS_FACTOR = 0.5
_SAMPLE_POOL = 256  # calibration pictures looked at for a varied sample
_PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


# ---------------------------------------------------------------------------------------------
# What a runner must provide
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelRunnerJob:
    """Run ``model_runner.py`` once per input on one model, in the toolchain's environment.

    ``model``: a local .cvimodel, or a top .mlir whose weight file (``module.weight_file``,
    e.g. ``<name>_top_f32_all_weight.npz``) lies beside it and is named relative to the folder
    model_runner runs in: run it from ``work_dir`` (the workspace's work/ folder).
    ``inputs[i]`` (npz) gives ``outputs[i]`` (npz), written in order.
    ``keep``: the (base) tensor names the check reads; a runner that must copy outputs back
    (SSH) may drop every other tensor (a cvimodel run dumps ~20-26). Of a kept name it must keep
    the ``_Conv_f32`` variant when there is one, else the ``_Conv`` one.
    """

    model: Path
    inputs: tuple[Path, ...]
    outputs: tuple[Path, ...]
    work_dir: Path
    keep: tuple[str, ...] = ()
    side: str = "int8"  # "int8" (the cvimodel, CV18xx simulator) or "float" (the top MLIR)
    names: tuple[str, ...] = ()  # the pictures the inputs were made from: errors name them


class ModelRunnerBackend(Protocol):
    """Implemented by the Docker, VM (SSH) and native runners; BLOCKING, like runners.protocol.

    ``run_model_runner`` yields typed events while it works: LogLine for the tool's output,
    and ``Progress(step=MODEL_RUNNER_STEP, done=i + 1, total=n)`` right after ``outputs[i]``
    exists locally (the check decodes that picture at once). It runs, for each input,
    ``model_runner.py --input IN --model MODEL --output OUT`` (no --dump_all_tensors) or an
    equivalent that loads the model once. Failures a user can meet are raised as WizardError
    with the tool's last error lines (toolchain missing, model_runner crashed, out of memory).
    ``cancel`` may be called from another thread; the run then stops at the next input.
    """

    def run_model_runner(self, job: ModelRunnerJob) -> Iterator[Event]: ...

    def cancel(self) -> None: ...


# ---------------------------------------------------------------------------------------------
# Thresholds from the camera
# ---------------------------------------------------------------------------------------------


def thresholds_from_flows(flows: Sequence[Mapping[str, Any]]) -> Thresholds | None:
    """tscore/tiou of the camera's enabled sscma model node (node-red-contrib-sscma parses them
    with parseFloat); None when there is no such node or its values are unusable.

    The hook for the live camera: the GUI/CLI read the flow with the device client
    (wizard.core.device) and pass ``CheckOptions(thresholds=thresholds_from_flows(flows))``.
    """
    from wizard.core.device.nodered_flow import model_nodes  # the device package is only needed here

    nodes = model_nodes(list(flows))
    if not nodes:
        return None
    node = nodes[0]
    try:
        score, iou = float(node.get("tscore")), float(node.get("tiou"))
    except (TypeError, ValueError):
        return None
    if not (0 < score < 1 and 0 < iou <= 1):
        return None
    return Thresholds(score, iou, "camera_flow")


# ---------------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckPicture:
    name: str  # shown to the user; unique within a check
    path: Path
    sha256: str
    role: str  # "test" | "calibration" | "check"


@dataclass(frozen=True)
class SkippedPicture:
    path: str
    problem: Problem


def _thumbnail_features(path: Path) -> np.ndarray | None:
    from PIL import Image  # slow import: only when sampling pictures

    try:
        with Image.open(path) as image:
            image.draft("RGB", (64, 64))
            small = image.convert("RGB").resize((8, 8), Image.Resampling.BOX)
    except Exception:  # noqa: BLE001 - an unreadable picture is skipped later with its reason
        return None
    pixels = np.asarray(small, dtype=np.float32) / 255.0
    return np.concatenate([pixels.ravel(), pixels.reshape(-1, 3).mean(0) * 4])


def varied_sample(paths: Sequence[Path], count: int, seed: int = 0) -> list[Path]:
    """``count`` pictures that differ most from each other (farthest-point on 8x8 thumbnails)."""
    paths = sorted(paths)
    if len(paths) <= count:
        return list(paths)
    pool = random.Random(seed).sample(paths, min(len(paths), _SAMPLE_POOL))
    features = [(p, _thumbnail_features(p)) for p in pool]
    features = [(p, f) for p, f in features if f is not None]
    if not features:
        return pool[:count]
    matrix = np.stack([f for _, f in features])
    centre = matrix.mean(0)
    chosen = [int(np.argmax(np.linalg.norm(matrix - centre, axis=1)))]
    distance = np.linalg.norm(matrix - matrix[chosen[0]], axis=1)
    while len(chosen) < min(count, len(features)):
        nxt = int(np.argmax(distance))
        chosen.append(nxt)
        distance = np.minimum(distance, np.linalg.norm(matrix - matrix[nxt], axis=1))
    return [features[i][0] for i in chosen]


def _unique_name(path: Path, taken: set[str]) -> str:
    name, n = path.name, 2
    while name in taken:
        name = f"{path.stem}_{n}{path.suffix}"
        n += 1
    taken.add(name)
    return name


def choose_pictures(test_picture: Path | None = None, calibration_dir: Path | None = None,
                    check_dir: Path | None = None, count: int = DEFAULT_PICTURES,
                    seed: int = 0) -> tuple[list[CheckPicture], list[SkippedPicture]]:
    """The pictures to check with: a folder the user chose, or the test picture plus a varied
    sample of the calibration pictures. Readability is checked when each is letterboxed."""
    chosen: list[tuple[Path, str]] = []
    skipped: list[SkippedPicture] = []
    if check_dir is not None:
        from wizard.core.images.sources import scan_sources  # the image scanner of the images layer

        found = []
        for source in scan_sources(check_dir):
            if source.ignored or not source.looks_like_image:
                continue
            if source.decodable:
                found.append(Path(source.path))
            else:
                skipped.append(SkippedPicture(source.path, problem(
                    "detections_picture_unreadable", "warning", path=source.relative, detail=source.kind)))
        chosen = [(p, "check") for p in varied_sample(found, count, seed)]
    else:
        if test_picture is not None and Path(test_picture).is_file():
            chosen.append((Path(test_picture), "test"))
        if calibration_dir is not None and Path(calibration_dir).is_dir():
            pool = [p for p in Path(calibration_dir).iterdir() if p.suffix.lower() in _PICTURE_SUFFIXES]
            chosen += [(p, "calibration") for p in varied_sample(pool, count - len(chosen), seed)]
    taken: set[str] = set()
    pictures = [CheckPicture(_unique_name(p, taken), p, sha256_file(p), role) for p, role in chosen]
    return pictures, skipped


# ---------------------------------------------------------------------------------------------
# Raw outputs, cached
# ---------------------------------------------------------------------------------------------


def picture_key(picture_sha256: str, pre: Preprocess) -> str:
    """The letterboxed input depends on the picture and on the preprocessing only."""
    spec = json.dumps(pre.to_dict(), sort_keys=True)
    return hashlib.sha256(f"{picture_sha256}\n{spec}".encode()).hexdigest()[:32]


def model_key(model: Path) -> str:
    """sha256 of a .cvimodel; for a top MLIR, of the MLIR and of its weight file together."""
    digest = hashlib.sha256(sha256_file(model).encode())
    if model.suffix == ".mlir":
        weights = weight_file_of(model)
        if weights is not None and weights.is_file():
            digest.update(sha256_file(weights).encode())
    return digest.hexdigest()


_WEIGHT_FILE = re.compile(r'module\.weight_file\s*=\s*"([^"]+)"')


def weight_file_of(mlir: Path) -> Path | None:
    """The weight npz a top MLIR names (``module.weight_file``), beside it."""
    with open(mlir, encoding="utf-8", errors="replace") as handle:
        found = _WEIGHT_FILE.search(handle.read(8192))
    return mlir.parent / found.group(1) if found else None


_BF16 = "@bf16"  # key suffix: the upper 16 bits of float32 values whose lower 16 bits are zero
_INT8 = "@int8"  # key suffix: int8 levels; their scale under the same name + _SCALE
_SCALE = "@scale"


def pack_outputs(outputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Smaller, and exact: a cvimodel's ``_f32`` outputs are BF16 values (2 bytes each), its
    int8 outputs are int8 levels times one scale (1 byte each). Anything else stays float32."""
    packed: dict[str, np.ndarray] = {}
    for key, value in outputs.items():
        value = np.asarray(value)
        if value.dtype != np.float32 or value.size == 0:
            packed[key] = value
            continue
        bits = value.view(np.uint32)
        if not np.any(bits & 0xFFFF):
            packed[key + _BF16] = (bits >> 16).astype(np.uint16)
            continue
        quant = infer_quant(value)
        if quant is not None:
            levels = np.rint(value / np.float32(quant.scale)).clip(-128, 127).astype(np.int8)
            if np.array_equal(levels.astype(np.float32) * np.float32(quant.scale), value):
                packed[key + _INT8] = levels
                packed[key + _SCALE] = np.array(quant.scale, dtype=np.float32)
                continue
        packed[key] = value
    return packed


def unpack_outputs(packed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    outputs: dict[str, np.ndarray] = {}
    for key, value in packed.items():
        if key.endswith(_BF16):
            outputs[key[: -len(_BF16)]] = (value.astype(np.uint32) << 16).view(np.float32)
        elif key.endswith(_INT8):
            name = key[: -len(_INT8)]
            outputs[name] = value.astype(np.float32) * np.float32(packed[name + _SCALE])
        elif not key.endswith(_SCALE):
            outputs[key] = value
    return outputs


class RawOutputCache:
    """Head tensors per (model, picture): ``<root>/<model key>/<picture key>.npz``, packed."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, model: str, picture: str) -> Path:
        return self.root / model[:32] / f"{picture}.npz"

    def get(self, model: str, picture: str) -> dict[str, np.ndarray] | None:
        path = self.path(model, picture)
        if not path.is_file():
            return None
        try:
            return unpack_outputs(load_npz(path))
        except (WizardError, KeyError, ValueError):
            path.unlink(missing_ok=True)  # damaged: run again rather than fail
            return None

    def put(self, model: str, picture: str, outputs: Mapping[str, np.ndarray],
            keep: Sequence[str] = ()) -> dict[str, np.ndarray]:
        """Store the tensors whose base name is in ``keep`` (all when empty); of a name with a
        ``_f32`` variant only that one (the ``_Conv`` beside it is the cvimodel's internal int8)."""
        kept = {k: v for k, v in outputs.items() if not keep or base_name(k) in keep}
        kept = {k: v for k, v in kept.items() if k.endswith("_f32") or k + "_f32" not in kept}
        save_npz(self.path(model, picture), pack_outputs(kept))
        return kept


# ---------------------------------------------------------------------------------------------
# One picture, decoded and compared (pure)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOptions:
    thresholds: Thresholds = MODEL_NODE_DEFAULT
    ultralytics: UltralyticsSettings = UltralyticsSettings()
    match_iou: float = MATCH_IOU
    count: int = DEFAULT_PICTURES
    seed: int = 0
    draw: bool = True
    lang: str | None = None  # drawings' language; None = the current one


@dataclass(frozen=True)
class PictureAnalysis:
    original: Detections  # float model, camera decoder
    int8: Detections  # INT8 model, as the camera reports it
    comparison: PictureComparison
    ultralytics_original: Detections
    int8_correct_scales: Detections | None = None  # int8-output models only
    scales_unknown: bool = False


def analyse_picture(layout: HeadLayout, float_outputs: Mapping[str, np.ndarray],
                    int8_outputs: Mapping[str, np.ndarray], options: CheckOptions = CheckOptions(),
                    quant: Mapping[str, QuantParam] | None = None) -> PictureAnalysis:
    """Decode both sides of one picture and compare them. ``quant``: int8 output scales by npz
    key, when the runner knows them; otherwise they are recovered from the values."""
    thresholds = options.thresholds
    float_arrays = head_arrays(float_outputs, layout, layout.tensors(float_outputs, "float"))
    int8_tensors = layout.tensors(int8_outputs, "int8")
    int8_arrays = head_arrays(int8_outputs, layout, int8_tensors)
    pairs = None
    unknown = False
    if int8_tensors.int8:
        found = []
        for scale, (box, cls) in zip(layout.scales, int8_arrays):
            given = quant or {}
            box_q = given.get(int8_tensors.keys[scale.box]) or infer_quant(box)
            cls_q = given.get(int8_tensors.keys[scale.cls]) or infer_quant(cls)
            found.append((box_q, cls_q))
        if all(b is not None and c is not None for b, c in found):
            pairs = found
        else:
            unknown = True
    original = decode_camera(float_arrays, layout, thresholds)
    int8 = decode_camera(int8_arrays, layout, thresholds, pairs)
    candidates = camera_candidates(int8_arrays, layout, thresholds.score * NEAR_MISS_FACTOR, pairs)
    comparison = compare_picture(original, int8, candidates, score_threshold=thresholds.score,
                                 iou_threshold=options.match_iou)
    return PictureAnalysis(
        original=original, int8=int8, comparison=comparison,
        ultralytics_original=decode_ultralytics(float_arrays, layout, options.ultralytics),
        int8_correct_scales=decode_camera(int8_arrays, layout, thresholds) if pairs else None,
        scales_unknown=unknown,
    )


def ultralytics_difference(analyses: Sequence[PictureAnalysis], thresholds: Thresholds,
                           settings: UltralyticsSettings) -> Problem | None:
    """Where Ultralytics' post-processing and the camera's differ on the original model."""
    total = camera = below = suppressed = 0
    for a in analyses:
        total += len(a.ultralytics_original)
        camera += len(a.original)
        matched = {p.float_index for p in match_pairs(a.ultralytics_original, a.original)}
        for index in range(len(a.ultralytics_original)):
            if index in matched:
                continue
            if a.ultralytics_original.scores[index] <= thresholds.score:
                below += 1
            else:
                suppressed += 1
    if total == camera and not below and not suppressed:
        return None
    return problem("detections_note_ultralytics", "info", conf=settings.conf, iou=settings.iou,
                   max_det=settings.max_det, ultralytics=total, camera=camera, below=below, suppressed=suppressed)


# ---------------------------------------------------------------------------------------------
# The whole check
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckTarget:
    """The two models of one conversion and how their input is made."""

    name: str
    cvimodel: Path
    top_mlir: Path
    preprocess: Preprocess
    out_dir: Path  # detections.json and detections/ go here
    cache_dir: Path  # raw outputs, reused across checks
    class_names: tuple[str, ...] = ()
    task: str | None = None

    @classmethod
    def from_workspace(cls, workspace: Path, recipe: Any) -> "CheckTarget":
        """For a conversion workspace (wizard.core.plan layout): models in work/."""
        from wizard.core.plan.commands import expected_outputs# the plan layer names the files

        outputs = expected_outputs(recipe)
        task = getattr(recipe, "task", None)
        return cls(
            name=recipe.name, cvimodel=workspace / outputs["model"], top_mlir=workspace / outputs["mlir"],
            preprocess=Preprocess.from_recipe(recipe), out_dir=workspace,
            cache_dir=workspace / "work" / "detections_cache",
            class_names=tuple(getattr(recipe, "class_names", ()) or ()),
            task=task if task not in (None, "", "unknown") else None,
        )


@dataclass
class _Prepared:
    picture: CheckPicture
    placement: Placement
    key: str
    int8_input: Path
    float_input: Path


class DetectionCheck:
    """Runs the check; iterate :meth:`run` (blocking; the GUI calls it in a worker thread)."""

    def __init__(self, target: CheckTarget, pictures: Sequence[CheckPicture], backend: ModelRunnerBackend,
                 options: CheckOptions = CheckOptions(), skipped: Sequence[SkippedPicture] = ()):
        self.target = target
        self.pictures = list(pictures)
        self.backend = backend
        self.options = options
        self.skipped = list(skipped)
        self.report: DetectionReport | None = None
        self._cancel_requested = False

    def cancel(self) -> None:
        self._cancel_requested = True
        self.backend.cancel()

    # -- the steps -----------------------------------------------------------------------------

    def run(self) -> Iterator[Event]:
        target, options = self.target, self.options
        lang = options.lang or current_language()
        for name in ("cvimodel", "top_mlir"):
            if not getattr(target, name).is_file():
                raise WizardError.of("file_not_found", path=str(getattr(target, name)))
        cvimodel_key, mlir_key = model_key(target.cvimodel), model_key(target.top_mlir)
        cache = RawOutputCache(target.cache_dir)
        work = target.cache_dir / "inputs"

        yield Progress(CHECK_STEP, 0.0, render("detections_progress_prepare", {"count": len(self.pictures)})[0])
        prepared = list(self._prepare(work))
        for skipped in self.skipped:
            yield ProblemRaised(skipped.problem, CHECK_STEP)
        if not prepared:
            raise WizardError.of("detections_no_pictures")

        key = self._report_key(cvimodel_key, mlir_key, prepared, lang)
        saved = self._saved_report(key)
        if saved is not None:
            self.report = saved
            yield ProblemRaised(problem("detections_report_reused", "info"), CHECK_STEP)
            yield self._result(saved)
            return

        float_outputs = yield from self._run_side("float", target.top_mlir, mlir_key, prepared, cache, keep=())
        layout = find_heads({k: v.shape for k, v in float_outputs[0].items()},
                            (target.preprocess.height, target.preprocess.width), target.task)
        analyses: dict[int, PictureAnalysis] = {}

        def on_int8(index: int, outputs: dict[str, np.ndarray]) -> None:
            analyses[index] = analyse_picture(layout, float_outputs[index], outputs, options)

        yield from self._run_side("int8", target.cvimodel, cvimodel_key, prepared, cache,
                                  keep=layout.names, on_output=on_int8)
        yield Progress(CHECK_STEP, 1.0, render("detections_progress_report", {})[0])
        self.report = self._write_report(key, layout, prepared, [analyses[i] for i in range(len(prepared))],
                                         cvimodel_key, mlir_key, lang)
        shutil.rmtree(work, ignore_errors=True)
        yield self._result(self.report)

    def _prepare(self, work: Path) -> Iterator[_Prepared]:
        pre = self.target.preprocess
        for index, picture in enumerate(self.pictures):
            try:
                canvas, placement = letterbox(load_rgb(picture.path), pre)
            except WizardError as exc:
                self.skipped.append(SkippedPicture(str(picture.path), Problem(
                    exc.problem.code, "warning", exc.problem.params)))
                continue
            key = picture_key(picture.sha256, pre)
            int8_input = save_npz(work / f"{key}_int8.npz", int8_side_input(canvas, pre))
            # Compressed: the float input has only 256 distinct values, and may travel over SSH.
            float_input = save_npz(work / f"{key}_float.npz", float_side_input(canvas, pre), compress=True)
            yield _Prepared(picture, placement, key, int8_input, float_input)

    def _run_side(self, side: str, model: Path, digest: str, prepared: Sequence[_Prepared],
                  cache: RawOutputCache, keep: Sequence[str], on_output=None):
        """Outputs of every picture on one side: from the cache, or from the runner."""
        outputs: dict[int, dict[str, np.ndarray]] = {}
        missing = []
        for index, item in enumerate(prepared):
            cached = cache.get(digest, item.key)
            if cached is not None and (not keep or all(any(base_name(k) == n for k in cached) for n in keep)):
                outputs[index] = cached
                if on_output:
                    on_output(index, cached)
            else:
                missing.append(index)
        total = len(prepared)
        if len(missing) < total:
            yield Progress(CHECK_STEP, None, render("detections_progress_cached",
                                                    {"count": total - len(missing)})[0])
        if missing:
            job = ModelRunnerJob(
                model=model,
                inputs=tuple(prepared[i].int8_input if side == "int8" else prepared[i].float_input for i in missing),
                outputs=tuple(cache.path(digest, prepared[i].key).with_suffix(".run.npz") for i in missing),
                work_dir=model.parent, keep=tuple(keep), side=side,
                names=tuple(prepared[i].picture.name for i in missing))
            started = time.monotonic()
            collected = 0
            runs = self.backend.run_model_runner(job)
            try:
                for event in runs:
                    if self._cancel_requested:
                        raise WizardError.of("detections_cancelled")
                    if isinstance(event, Progress) and event.step == MODEL_RUNNER_STEP and event.done:
                        while collected < min(event.done, len(missing)):
                            index = missing[collected]
                            outputs[index] = self._collect(job.outputs[collected], cache, digest,
                                                           prepared[index].key, keep)
                            if on_output:
                                on_output(index, outputs[index])
                            collected += 1
                        yield self._progress(side, total - len(missing) + collected, total,
                                             prepared[missing[collected - 1]].picture.name,
                                             (time.monotonic() - started) / collected * (len(missing) - collected))
                    else:
                        yield event
            except WizardError as exc:
                if self._cancel_requested and exc.problem.code != "detections_cancelled":
                    # What a cancel broke (a removed container, a closed channel) is the cancel.
                    raise WizardError.of("detections_cancelled") from None
                raise
            finally:
                close = getattr(runs, "close", None)
                if close is not None:
                    close()  # a backend's own clean-up (its container, its process) runs now
            if self._cancel_requested:
                raise WizardError.of("detections_cancelled")
            while collected < len(missing):  # a runner that reported no progress
                index = missing[collected]
                outputs[index] = self._collect(job.outputs[collected], cache, digest, prepared[index].key, keep)
                if on_output:
                    on_output(index, outputs[index])
                collected += 1
        return outputs

    def _collect(self, produced: Path, cache: RawOutputCache, digest: str, key: str,
                 keep: Sequence[str]) -> dict[str, np.ndarray]:
        if not produced.is_file():
            raise WizardError.of("detections_runner_no_output", path=str(produced))
        try:
            return cache.put(digest, key, load_npz(produced), keep)
        finally:
            produced.unlink(missing_ok=True)

    def _progress(self, side: str, done: int, total: int, name: str, remaining: float) -> Progress:
        code = "detections_progress_int8" if side == "int8" else "detections_progress_original"
        if done < total:
            minutes = remaining / 60
            eta = (render("detections_eta_minutes", {"minutes": f"{minutes:.0f}"})[0] if minutes >= 1.5
                   else render("detections_eta_seconds", {"seconds": f"{max(1, round(remaining))}"})[0])
        else:
            eta = ""
        text = render(code, {"done": done, "total": total, "name": name, "eta": eta})[0]
        # The INT8 side (the simulator) is where the time goes: it is the fraction shown.
        fraction = done / total if side == "int8" else None
        return Progress(CHECK_STEP, fraction, text, done=done, total=total)

    # -- results -------------------------------------------------------------------------------

    def _report_key(self, cvimodel_key: str, mlir_key: str, prepared: Sequence[_Prepared], lang: str) -> str:
        o = self.options
        parts = {"decoder": DECODER_VERSION, "cvimodel": cvimodel_key, "mlir": mlir_key,
                 "pictures": [p.key for p in prepared], "thresholds": o.thresholds.to_dict(),
                 "ultralytics": o.ultralytics.to_dict(), "match_iou": o.match_iou,
                 "classes": list(self.target.class_names), "lang": lang, "draw": o.draw}
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def _saved_report(self, key: str) -> DetectionReport | None:
        path = self.target.out_dir / REPORT_FILE
        if not path.is_file():
            return None
        try:
            report = DetectionReport.load(path)
        except WizardError:
            return None
        if report.key != key:
            return None
        if any(p.image and not (self.target.out_dir / p.image).is_file() for p in report.pictures):
            return None
        return report

    def _write_report(self, key: str, layout: HeadLayout, prepared: Sequence[_Prepared],
                      analyses: Sequence[PictureAnalysis], cvimodel_key: str, mlir_key: str,
                      lang: str) -> DetectionReport:
        from wizard.core.detections.draw import draw_picture, drawing_name  # PIL: only when drawing

        target, options = self.target, self.options
        comparisons = [a.comparison for a in analyses]
        summary = summarize(comparisons, [a.original for a in analyses], [a.int8 for a in analyses],
                            options.thresholds, target.class_names)
        notes = list(layout.notes())
        if any(a.int8_correct_scales is not None for a in analyses):
            notes.append(problem("detections_note_int8_outputs", "warning",
                                 camera=sum(len(a.int8) for a in analyses),
                                 correct=sum(len(a.int8_correct_scales) for a in analyses
                                             if a.int8_correct_scales is not None)))
        if any(a.scales_unknown for a in analyses):
            notes.append(problem("detections_note_int8_scales_unknown", "info"))
        difference = ultralytics_difference(analyses, options.thresholds, options.ultralytics)
        if difference is not None:
            notes.append(difference)

        drawings = target.out_dir / PICTURES_DIR
        if options.draw:
            shutil.rmtree(drawings, ignore_errors=True)  # drawings of an earlier check would mislead
        records = []
        for rank, index in enumerate(worst_first(comparisons), start=1):
            item, analysis = prepared[index], analyses[index]
            image = f"{PICTURES_DIR}/{drawing_name(rank, item.picture.name)}" if options.draw else None
            record = picture_record(
                rank=rank, name=item.picture.name, source=str(item.picture.path), sha256=item.picture.sha256,
                placement=item.placement, original=analysis.original, int8=analysis.int8,
                comparison=analysis.comparison, class_names=target.class_names,
                ultralytics_original=analysis.ultralytics_original,
                int8_correct_scales=analysis.int8_correct_scales, image=image)
            if image:
                draw_picture(record, item.picture.path, target.out_dir / image, lang=lang)
            records.append(record)
        report = DetectionReport(
            created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), wizard_version=__version__, key=key,
            model=ModelRecord(
                name=target.name, cvimodel=str(target.cvimodel), cvimodel_sha256=cvimodel_key,
                mlir=str(target.top_mlir), mlir_sha256=mlir_key, input_height=layout.input_height,
                input_width=layout.input_width, num_classes=layout.num_classes,
                class_names=list(target.class_names), task=layout.task, camera_decoder=layout.camera_decoder,
                int8_outputs=any(a.int8_correct_scales is not None or a.scales_unknown for a in analyses)),
            preprocess=target.preprocess.to_dict(), thresholds=options.thresholds.to_dict(),
            match_iou=options.match_iou, ultralytics=options.ultralytics.to_dict(),
            summary=summary_record(summary), verdict=Message.of(summary.verdict),
            drawings_lang=lang if options.draw else None,
            suggestions=[Message.of(p) for p in summary.suggestions], notes=[Message.of(p) for p in notes],
            pictures=records, skipped=[Skipped(source=s.path, message=Message.of(s.problem)) for s in self.skipped],
        )
        report.save(target.out_dir / REPORT_FILE)
        return report

    def _result(self, report: DetectionReport) -> Result:
        return Result(ok=True, run_dir=str(self.target.out_dir), model_path=str(self.target.cvimodel),
                      details={"report": str(self.target.out_dir / REPORT_FILE), "verdict": report.verdict.code,
                               "agreement": report.summary.agreement, "pictures": len(report.pictures)})

