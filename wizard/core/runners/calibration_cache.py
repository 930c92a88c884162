"""Reuse transform + calibration results across runs (calibration takes 5-15 minutes).

An entry holds a run's work/ as it stood after ``run_calibration`` (the MLIR, its weight file,
the reference outputs, the calibration table) plus the ``.done/transform`` and
``.done/calibrate`` stamps, keyed by ``cache_keys(recipe)["calibrate"]``. That key changes
exactly when the model, the transform options, the images or their count change, and NOT when only
deploy options change (processor, tolerance, fuse_preprocess...).

Restoring an entry into a workspace before upload makes convert.sh skip both steps (their stamps
equal their keys and their outputs exist), so only model_deploy runs.

Deploy's own outputs are left out of an entry: a stale .cvimodel restored next to a failing deploy
would look like a result. Entries are written to a temporary folder and renamed into place, so a
crash never leaves a half entry; the oldest are pruned past ``max_entries``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from wizard.core.plan.commands import cache_keys, output_file_names
from wizard.core.plan.recipe import WORK_DIR, ConversionRecipe

DONE_DIR = ".done"
CACHED_STEPS = ("transform", "calibrate")
MAX_ENTRIES = 8
_KEY_RE = re.compile(r"^[0-9a-f]{8,64}$")


def is_deploy_output(rel: str, recipe: ConversionRecipe) -> bool:
    """True for files model_deploy writes (left out of the cache). ``rel`` is relative to work/."""
    name = rel.split("/")[-1]
    if rel == f"{DONE_DIR}/deploy":
        return True
    model = output_file_names(recipe)["model"]
    model_stem = model.rsplit(".", 1)[0]
    if name.startswith(model_stem) or name.endswith((".cvimodel", ".bmodel")):
        return True
    # Lowered/final MLIR and the TPU/model comparison outputs carry the processor or these words.
    markers = (f"_{recipe.processor}_", "_tpu", "_final", "_model_outputs", "_tensor_info", "_cpu")
    return any(m in name for m in markers)


class CalibrationCache:
    def __init__(self, root: str | Path | None = None, max_entries: int = MAX_ENTRIES):
        if root is None:
            from wizard.core.app_dirs import cache_dir

            root = cache_dir() / "calibration"
        self.root = Path(root)
        self.max_entries = max_entries

    @staticmethod
    def key(recipe: ConversionRecipe) -> str | None:
        """None for a recipe without calibration (BF16): nothing worth caching then."""
        return cache_keys(recipe).get("calibrate")

    def entry(self, recipe: ConversionRecipe) -> Path | None:
        key = self.key(recipe)
        if not key or not _KEY_RE.match(key):
            return None
        return self.root / key

    def has(self, recipe: ConversionRecipe) -> bool:
        entry = self.entry(recipe)
        return bool(entry and (entry / DONE_DIR / "calibrate").is_file())

    def restore(self, workspace: str | Path, recipe: ConversionRecipe) -> bool:
        """Copy a matching entry into ``workspace``/work. True when something was restored."""
        entry = self.entry(recipe)
        if not entry or not (entry / DONE_DIR / "calibrate").is_file():
            return False
        work = Path(workspace) / WORK_DIR
        work.mkdir(parents=True, exist_ok=True)
        for src in sorted(entry.rglob("*")):
            rel = src.relative_to(entry)
            dst = work / rel
            if src.is_dir():
                dst.mkdir(parents=True, exist_ok=True)
            elif src.is_file() and not src.is_symlink():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        # A deploy stamp from an older run in this workspace must not survive next to restored
        # inputs: deploy has to run again against them.
        (work / DONE_DIR / "deploy").unlink(missing_ok=True)
        os.utime(entry, None)  # most recently used: pruned last
        return True

    def store(self, workspace: str | Path, recipe: ConversionRecipe) -> bool:
        """Keep ``workspace``/work's transform + calibrate results when their stamps are current."""
        keys = cache_keys(recipe)
        entry = self.entry(recipe)
        work = Path(workspace) / WORK_DIR
        if entry is None:
            return False
        for step in CACHED_STEPS:
            stamp = work / DONE_DIR / step
            if not stamp.is_file() or stamp.read_text(encoding="utf-8").strip() != keys.get(step):
                return False  # that step did not finish with these inputs: nothing trustworthy
        if (entry / DONE_DIR / "calibrate").is_file():
            os.utime(entry, None)
            return True
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{entry.name}-{os.getpid()}-{time.monotonic_ns()}"
        try:
            for src in sorted(work.rglob("*")):
                rel = src.relative_to(work).as_posix()
                if src.is_symlink() or not src.is_file():
                    continue
                if rel.startswith(DONE_DIR + "/") and rel.split("/", 1)[1] not in CACHED_STEPS:
                    continue
                if is_deploy_output(rel, recipe):
                    continue
                dst = tmp / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
            try:
                os.replace(tmp, entry)
            except OSError:
                # Another run stored the same entry meanwhile: theirs is as good as ours.
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            return False  # a full cache disk must not fail the conversion
        self.prune()
        return True

    def prune(self) -> None:
        entries = [p for p in self.root.iterdir() if p.is_dir() and _KEY_RE.match(p.name)]
        entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[self.max_entries:]:
            shutil.rmtree(old, ignore_errors=True)

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
