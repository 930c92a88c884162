"""The processors TPU-MLIR can target, and what each accepts.

Facts from sophgo/tpu-mlir v1.7 (model_deploy.py, toolchain.md): cv18xx targets produce
``.cvimodel`` and take INT8 (symmetric) or BF16 only; bm16xx targets produce ``.bmodel``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Processor:
    name: str
    family: str  # "cv18xx" or "bm16xx"
    quantize_modes: tuple[str, ...]
    label_en: str
    label_ja: str

    @property
    def model_extension(self) -> str:
        return ".cvimodel" if self.family == "cv18xx" else ".bmodel"

    @property
    def supports_fuse_preprocess(self) -> bool:
        return True

    def label(self, lang: str = "en") -> str:
        return self.label_ja if lang == "ja" else self.label_en


_CV = ("INT8", "BF16")
_BM = ("INT8", "F16", "BF16", "F32", "W8F16", "W8BF16", "W4F16", "W4BF16", "INT4")

PROCESSORS: dict[str, Processor] = {
    p.name: p
    for p in (
        Processor("cv181x", "cv18xx", _CV, "cv181x (every reCamera)", "cv181x（すべての reCamera）"),
        Processor("cv180x", "cv18xx", _CV, "cv180x", "cv180x"),
        Processor("cv182x", "cv18xx", _CV, "cv182x", "cv182x"),
        Processor("cv183x", "cv18xx", _CV, "cv183x", "cv183x"),
        Processor("bm1684x", "bm16xx", _BM, "bm1684x", "bm1684x"),
        Processor("bm1684", "bm16xx", ("INT8", "F32"), "bm1684", "bm1684"),
        Processor("bm1688", "bm16xx", _BM, "bm1688", "bm1688"),
        Processor("bm1690", "bm16xx", _BM, "bm1690", "bm1690"),
        Processor("mars3", "bm16xx", _BM, "mars3", "mars3"),
        # cv186x is compiled by the BM1688 backend in tpu-mlir and produces a .bmodel.
        Processor("cv186x", "bm16xx", _BM, "cv186x", "cv186x"),
    )
}

RECAMERA_PROCESSOR = "cv181x"


def get_processor(name: str) -> Processor | None:
    return PROCESSORS.get(name.lower())
