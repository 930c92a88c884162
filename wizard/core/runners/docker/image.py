"""The toolchain image users run conversions in: ``recamera-wizard/toolchain:<tpu_mlir version>``.

Built FROM a pinned ``sophgo/tpuc_dev`` tag (v3.1 = Ubuntu 22.04 + Python 3.10, the guide's)
with ``pip install tpu_mlir[onnx]==<pinned>``: the wheel carries the tools, so no source build
(where most of the guide's 20-45 minutes go), and ``[onnx]`` rather than ``[all]``, which pulls
torch/tensorflow/paddle (GBs, and paddlepaddle 2.5.0 can fail to install).

Three ways to get it: ``build`` (pulls the base image with layer/byte progress, then builds),
``load`` (from a ``docker save`` tarball, for offline workshops), or it is already there.
The Dockerfile is made by a pure function (``dockerfile_text``) and tested by value.

Every function takes a docker client (``docker.from_env()``) and is blocking; progress comes out
as ``Progress``/``LogLine`` events on the "image" step.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from wizard import __version__
from wizard.core.events import Event, LogLine, Progress, StepFinished, StepStarted
from wizard.core.messages import WizardError
from wizard.core.user_paths import check_input_file
from wizard.core.plan.recipe import DEFAULT_BASE_IMAGE, DEFAULT_TOOLCHAIN_IMAGE, DEFAULT_TPU_MLIR_VERSION

IMAGE_REPOSITORY = "recamera-wizard/toolchain"
STEP = "image"
LABEL_PREFIX = "org.recamera-wizard"
# Estimated: the tpuc_dev base (several GB unpacked) + the tpu_mlir wheel and its deps + room for
# the build's intermediate layer. Checked before pulling so a user learns it up front, not at 90%.
IMAGE_DISK_NEED_GB = 15

_VERSION_RE = re.compile(r"^[0-9]+(\.[0-9]+){0,3}([a-z]+[0-9]*)?(\.post[0-9]+)?$")
# repository[:tag][@sha256:digest], lower case, as Docker accepts; nothing a Dockerfile could misread.
_IMAGE_RE = re.compile(
    r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$"
)


def check_image_reference(reference: str) -> str:
    """``reference`` when Docker would accept it as an image name, else WizardError with the rule
    (before the engine answers "invalid reference format" as an API error)."""
    if not isinstance(reference, str) or len(reference) > 255 or not _IMAGE_RE.match(reference):
        raise WizardError.of("invalid_image_reference", value=str(reference), example=DEFAULT_TOOLCHAIN_IMAGE)
    return reference


@dataclass(frozen=True)
class ToolchainImageSpec:
    """What goes into a toolchain image: the base image and the pinned tpu_mlir version."""

    base_image: str = DEFAULT_BASE_IMAGE
    tpu_mlir_version: str = DEFAULT_TPU_MLIR_VERSION

    def __post_init__(self) -> None:
        if not _VERSION_RE.match(self.tpu_mlir_version):
            raise WizardError.of("invalid_image_setting", value=self.tpu_mlir_version,
                                 what="tpu_mlir version", example=DEFAULT_TPU_MLIR_VERSION)
        if not _IMAGE_RE.match(self.base_image) or ":" not in self.base_image.split("/")[-1]:
            # A tag (or digest) is required: an unpinned base would change under the user.
            raise WizardError.of("invalid_image_setting", value=self.base_image,
                                 what="base image (with a tag)", example=DEFAULT_BASE_IMAGE)

    @property
    def tag(self) -> str:
        """The default pair keeps the short tag the recipe uses; other bases are named in it."""
        if self.base_image == DEFAULT_BASE_IMAGE:
            return f"{IMAGE_REPOSITORY}:{self.tpu_mlir_version}"
        base_tag = self.base_image.split("@")[0].rsplit(":", 1)[-1]
        return f"{IMAGE_REPOSITORY}:{self.tpu_mlir_version}-{base_tag}"

    @property
    def labels(self) -> dict[str, str]:
        return {
            f"{LABEL_PREFIX}.base-image": self.base_image,
            f"{LABEL_PREFIX}.tpu-mlir": self.tpu_mlir_version,
            f"{LABEL_PREFIX}.wizard-version": __version__,
        }


# Requirements of a tpu_mlir version that have no CPython 3.10 wheel: pip compiles them from source
# in the build, which needs a C compiler and the Python headers (sophgo/tpuc_dev has both). Each
# gets its own build step, so the progress names it and a failure there says what it needs.
SOURCE_BUILT = {"1.7": ("pycocotools==2.0.6",)}  # every other pin of tpu_mlir[onnx]==1.7 has a cp310 wheel
_PIP = "python3 -m pip install --no-cache-dir --disable-pip-version-check"


@dataclass(frozen=True)
class BuildStep:
    """One instruction of the toolchain image's Dockerfile, and what the progress calls it."""

    name: str
    instruction: str
    compiles: str = ""  # the requirement this step compiles from source, if it does


def build_steps(spec: ToolchainImageSpec) -> list[BuildStep]:
    """The Dockerfile's instructions in order (pure: tested by value)."""
    labels = " \\\n      ".join(f'{k}="{v}"' for k, v in spec.labels.items())
    steps = [BuildStep(f"base image {spec.base_image}", f"FROM {spec.base_image}")]
    for requirement in SOURCE_BUILT.get(spec.tpu_mlir_version, ()):
        # --no-deps: only the compilation happens here; its dependencies are resolved with
        # tpu_mlir's own pins in the next step, exactly as a single install would.
        steps.append(BuildStep(f"compiling {requirement} from source (it has no Python 3.10 wheel)",
                               f'RUN {_PIP} --no-deps "{requirement}"', compiles=requirement))
    steps += [
        BuildStep(f"installing tpu_mlir[onnx]=={spec.tpu_mlir_version} and checking its tools",
                  f"RUN {_PIP} \\\n"
                  f'      "tpu_mlir[onnx]=={spec.tpu_mlir_version}" \\\n'
                  " && model_transform --help > /dev/null \\\n"
                  " && run_calibration --help > /dev/null \\\n"
                  " && model_deploy --help > /dev/null"),
        BuildStep("labels", f"LABEL {labels}"),
        BuildStep("working folder", "WORKDIR /workspace"),
        BuildStep("default command", 'CMD ["bash"]'),
    ]
    return steps


_COMMENTS = {
    "FROM": "",
    "compiles": "# No Python 3.10 wheel: pip compiles it (needs gcc and the Python headers, both in sophgo/tpuc_dev).\n",
    "tpu_mlir": "# The wheel carries the tools (no source build); [onnx] avoids torch/tensorflow/paddle.\n",
}


def dockerfile_text(spec: ToolchainImageSpec) -> str:
    """The Dockerfile of a toolchain image (pure: tested by value)."""
    text = f"# Generated by reCamera Model Wizard {__version__}: the TPU-MLIR toolchain, ONNX front end only.\n"
    for step in build_steps(spec):
        if step.compiles:
            text += _COMMENTS["compiles"]
        elif "tpu_mlir[onnx]" in step.instruction:
            text += _COMMENTS["tpu_mlir"]
        text += step.instruction + "\n"
    return text


def spec_for_tag(tag: str) -> ToolchainImageSpec:
    """The spec whose image is ``tag`` (the recipe stores only the tag)."""
    if not tag.startswith(IMAGE_REPOSITORY + ":"):
        raise WizardError.of("invalid_image_setting", value=tag, what="toolchain image to build",
                             example=ToolchainImageSpec().tag)
    version, _, base_tag = tag.split(":", 1)[1].partition("-")
    if not base_tag:
        return ToolchainImageSpec(tpu_mlir_version=version)
    base_repo = DEFAULT_BASE_IMAGE.rsplit(":", 1)[0]
    return ToolchainImageSpec(base_image=f"{base_repo}:{base_tag}", tpu_mlir_version=version)


# --- What is there ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageStatus:
    tag: str
    present: bool
    image_id: str = ""
    size: int = 0
    created: str = ""
    repo_digests: tuple[str, ...] = ()
    labels: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "present": self.present,
            "id": self.image_id,
            "size": self.size,
            "created": self.created,
            "repo_digests": list(self.repo_digests),
            "labels": dict(self.labels or {}),
        }


def image_status(client, tag: str) -> ImageStatus:
    import docker.errors

    check_image_reference(tag)
    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return ImageStatus(tag=tag, present=False)
    except docker.errors.APIError as exc:
        raise WizardError.of("docker_error", detail=_short(exc)) from None
    attrs = image.attrs
    return ImageStatus(
        tag=tag,
        present=True,
        image_id=image.id,
        size=int(attrs.get("Size") or 0),
        created=str(attrs.get("Created") or ""),
        repo_digests=tuple(attrs.get("RepoDigests") or ()),
        labels=dict((attrs.get("Config") or {}).get("Labels") or {}),
    )


def require_image(client, tag: str) -> ImageStatus:
    """The image's status, or the "missing: here is how to get it" error."""
    status = image_status(client, tag)
    if not status.present:
        raise WizardError.of("toolchain_image_missing", image=tag, needed_gb=IMAGE_DISK_NEED_GB)
    return status


def engine_free_bytes(client) -> int | None:
    """Free bytes where the engine keeps images, when that is visible from here.

    On Linux with a local engine the data root is a local folder. With Docker Desktop it lives in
    a VM this process cannot see: None (unknown), and the check is skipped rather than guessed.
    """
    try:
        root = client.info().get("DockerRootDir") or ""
    except Exception:  # noqa: BLE001 - an engine that can't answer info fails later, clearly
        return None
    base_url = str(getattr(getattr(client, "api", None), "base_url", ""))
    local = base_url.startswith(("http+docker://localhost", "http+unix://", "unix://"))
    if not local or not root or not os.path.isdir(root):
        return None
    try:
        return shutil.disk_usage(root).free
    except OSError:
        return None


def check_disk_for_image(free_bytes: int | None, needed_gb: int = IMAGE_DISK_NEED_GB) -> None:
    if free_bytes is None:
        return
    if free_bytes < needed_gb * 1024**3:
        raise WizardError.of("image_needs_disk", needed_gb=needed_gb,
                             free_gb=f"{free_bytes / 1024**3:.1f}")


# --- Pull ------------------------------------------------------------------------------------


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


class PullProgress:
    """Folds docker's per-layer pull messages into one Progress (pure: tested with recordings).

    Download counts for 80 % of the bar and unpacking for 20 %: on a home connection the
    download is what takes the time.
    """

    def __init__(self, image: str):
        self.image = image
        self.layers: dict[str, dict[str, Any]] = {}
        self._last = 0.0  # a bar never goes backwards, even when a new layer's size turns up

    def feed(self, message: dict[str, Any]) -> Progress | None:
        if "error" in message:
            raise WizardError.of("image_pull_failed", image=self.image,
                                 detail=str(message.get("error"))[:300])
        layer_id = message.get("id")
        status = str(message.get("status") or "")
        detail = message.get("progressDetail") or {}
        if not layer_id or layer_id == self.image.rsplit(":", 1)[-1] or status.startswith("Pulling from"):
            return None
        layer = self.layers.setdefault(layer_id, {"total": 0, "down": 0, "extract": 0, "done": False})
        if status == "Downloading" and detail.get("total"):
            layer["total"] = int(detail["total"])
            layer["down"] = int(detail.get("current") or 0)
        elif status in ("Download complete", "Verifying Checksum"):
            layer["down"] = layer["total"]
        elif status == "Extracting" and detail.get("total"):
            layer["total"] = layer["total"] or int(detail["total"])
            layer["down"] = layer["total"]
            layer["extract"] = int(detail.get("current") or 0)
        elif status in ("Pull complete", "Already exists"):
            layer["down"] = layer["extract"] = layer["total"]
            layer["done"] = True
        return self.progress()

    def progress(self) -> Progress:
        total = sum(layer["total"] for layer in self.layers.values())
        down = sum(layer["down"] for layer in self.layers.values())
        extracted = sum(layer["extract"] for layer in self.layers.values())
        done = sum(1 for layer in self.layers.values() if layer["done"])
        n = len(self.layers)
        if total:
            fraction = min(1.0, 0.8 * down / total + 0.2 * extracted / total)
        else:
            fraction = None  # sizes not known yet ("Already exists" layers carry none)
        if done == n and n:
            fraction = 1.0
        if fraction is not None:
            fraction = self._last = max(self._last, fraction)
        text = f"{self.image}: {done}/{n} layers, {_gb(down)} of {_gb(total)}" if total else (
            f"{self.image}: {done}/{n} layers")
        return Progress(step=STEP, fraction=fraction, text=text, done=down, total=total or None)


def pull_image(client, image: str, *, check_disk: bool = True) -> Iterator[Event]:
    """Pull ``image`` (repository:tag) with progress. Never used by the tests against a registry."""
    import docker.errors
    import requests

    if check_disk:
        check_disk_for_image(engine_free_bytes(client))
    repository, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "latest")
    yield StepStarted(step=STEP, command=f"docker pull {image}")
    folder = PullProgress(image)
    last = -1.0
    try:
        for message in client.api.pull(repository, tag=tag, stream=True, decode=True):
            progress = folder.feed(message)
            # ~200 updates for a whole pull is plenty for a bar; thousands would flood a GUI.
            if progress and progress.fraction is not None and progress.fraction - last >= 0.005:
                last = progress.fraction
                yield progress
    except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
        raise WizardError.of("image_pull_failed", image=image, detail=_short(exc)) from None
    yield StepFinished(step=STEP, ok=True)


def compiler_complaint(tail: list[str]) -> str:
    """The line of a failed build's output that shows the compiler missing or failing, if any."""
    for line in reversed(tail):
        if re.search(r"\b(gcc|cc|x86_64-linux-gnu-gcc)\b.*(failed|not found)|Python\.h|command '.*gcc'", line):
            return line.strip()
    return ""


def _short(exc: BaseException) -> str:
    text = getattr(exc, "explanation", None) or str(exc)
    return str(text).strip().splitlines()[0][:300] if str(text).strip() else type(exc).__name__


# --- Build -----------------------------------------------------------------------------------

_STEP_RE = re.compile(r"^Step (\d+)/(\d+) :")


class BuildProgress:
    """The classic builder's "Step N/M" lines as Progress named after the step (pure: tested with
    recorded output), and what a failed build needs said: a step that compiles a requirement from
    source fails for want of a compiler far more often than for anything else.

    ``spec`` None: a Dockerfile the wizard did not make (the steps are then shown by their line).
    """

    def __init__(self, spec: ToolchainImageSpec | None):
        self.spec = spec
        self.steps = build_steps(spec) if spec else []
        self.current: BuildStep | None = None

    def feed(self, line: str) -> Progress | None:
        match = _STEP_RE.match(line)
        if not match:
            return None
        n, total = int(match.group(1)), int(match.group(2))
        self.current = self.steps[n - 1] if total == len(self.steps) and 0 < n <= total else None
        text = f"step {n}/{total}: {self.current.name}" if self.current else line
        return Progress(step=STEP, fraction=(n - 1) / total, text=text, done=n, total=total)

    def failure(self, image: str, detail: str) -> WizardError | None:
        """The error for a build that failed in a step compiling from source; None otherwise."""
        if self.current is None or not self.current.compiles or self.spec is None:
            return None
        return WizardError.of("image_build_needs_compiler", image=image, requirement=self.current.compiles,
                              version=self.spec.tpu_mlir_version, detail=detail[:300])


def build_image(client, spec: ToolchainImageSpec | None = None) -> Iterator[Event]:
    """Pull the base (if missing) and build the toolchain image, streaming the build's output."""
    import docker.errors
    import requests

    spec = spec or ToolchainImageSpec()
    check_disk_for_image(engine_free_bytes(client))
    if not image_status(client, spec.base_image).present:
        yield from pull_image(client, spec.base_image, check_disk=False)
    yield StepStarted(step=STEP, command=f"docker build -t {spec.tag} (FROM {spec.base_image})")
    dockerfile = dockerfile_text(spec).encode("utf-8")
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as archive:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        archive.addfile(info, io.BytesIO(dockerfile))
    context.seek(0)
    image_id = ""
    progress = BuildProgress(spec)
    tail: list[str] = []  # the last lines: a compiler's complaint comes just before the error
    try:
        stream = client.api.build(fileobj=context, custom_context=True, tag=spec.tag, rm=True,
                                  forcerm=True, pull=False, decode=True)
        for message in stream:
            if "error" in message:
                detail = str(message["error"]).strip()
                raise progress.failure(spec.tag, compiler_complaint(tail) or detail) or WizardError.of(
                    "image_build_failed", image=spec.tag, detail=detail[:300])
            if "aux" in message and isinstance(message["aux"], dict):
                image_id = message["aux"].get("ID", image_id)
            text = str(message.get("stream") or message.get("status") or "").rstrip("\n")
            for line in text.splitlines():
                tail = (tail + [line])[-40:]
                yield LogLine(text=line, step=STEP, stream="runner")
                step = progress.feed(line)
                if step is not None:
                    yield step
    except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
        raise WizardError.of("image_build_failed", image=spec.tag, detail=_short(exc)) from None
    yield Progress(step=STEP, fraction=1.0, text=f"built {spec.tag}")
    yield StepFinished(step=STEP, ok=True)


# --- Load and remove -------------------------------------------------------------------------


def _file_chunks(path: Path, on_bytes) -> Iterable[bytes]:
    with open(path, "rb") as f:
        sent = 0
        while True:
            chunk = f.read(1024 * 1024)
            if not chunk:
                return
            sent += len(chunk)
            on_bytes(sent)
            yield chunk


def load_image(client, tarball: str | Path, expected_tag: str | None = None) -> Iterator[Event]:
    """Load a ``docker save`` tarball (offline workshops: copy one file from a USB stick).

    Reports bytes read as Progress. When ``expected_tag`` is given and the file did not hold it,
    the user is told what it held instead.
    """
    import threading
    import queue

    import docker.errors
    import requests

    path = check_input_file(tarball)
    size = path.stat().st_size
    if not tarfile.is_tarfile(path):
        raise WizardError.of("image_load_failed", path=str(path), detail="not a tar file")
    yield StepStarted(step=STEP, command=f"docker load -i {path.name}")
    # The upload is one blocking call that reads our generator; run it in a thread so this
    # generator can hand out progress while it reads.
    updates: "queue.Queue[tuple[str, Any]]" = queue.Queue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            messages = client.api.load_image(_file_chunks(path, lambda n: updates.put(("bytes", n))),
                                             quiet=False)
            outcome["messages"] = list(messages)
        except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
            outcome["error"] = _short(exc)
        except Exception as exc:  # noqa: BLE001 - reported as the load's failure, not a traceback
            outcome["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            updates.put(("end", None))

    thread = threading.Thread(target=work, name="docker-load", daemon=True)
    thread.start()
    last = -1.0
    while True:
        kind, value = updates.get()
        if kind == "end":
            break
        fraction = value / size if size else None
        if fraction is not None and (fraction - last >= 0.01 or value == size):
            last = fraction
            yield Progress(step=STEP, fraction=fraction, text=f"read {_gb(value)} of {_gb(size)}",
                           done=value, total=size)
    thread.join()
    if "error" in outcome:
        raise WizardError.of("image_load_failed", path=str(path), detail=outcome["error"])
    loaded: list[str] = []
    for message in outcome.get("messages", []):
        if "error" in message:
            raise WizardError.of("image_load_failed", path=str(path), detail=str(message["error"])[:300])
        text = str(message.get("stream") or "").strip()
        if text:
            yield LogLine(text=text, step=STEP, stream="runner")
        for prefix in ("Loaded image: ", "Loaded image ID: "):
            if text.startswith(prefix):
                loaded.append(text[len(prefix):])
    if expected_tag and expected_tag not in loaded:
        if not image_status(client, expected_tag).present:
            raise WizardError.of("image_loaded_other", path=str(path), image=expected_tag,
                                 loaded=", ".join(loaded) or "nothing")
    yield StepFinished(step=STEP, ok=True)


def remove_image(client, tag: str) -> bool:
    """Remove the tag (and the image when no other tag uses it). False when it was not there."""
    import docker.errors

    check_image_reference(tag)
    try:
        client.images.remove(tag)
        return True
    except docker.errors.ImageNotFound:
        return False
    except docker.errors.APIError as exc:
        # e.g. a container still uses it; the user gets Docker's reason and our next step.
        raise WizardError.of("docker_error", detail=_short(exc)) from None


def image_record(status: ImageStatus) -> dict[str, Any]:
    """What a run records about its image (results.json, reproduce.sh)."""
    return {
        "tag": status.tag,
        "id": status.image_id,
        "repo_digests": list(status.repo_digests),
        "labels": dict(status.labels or {}),
    }
