"""Verdicts of a finished conversion, in plain words."""

from wizard.core.messages import Entry

ENTRIES = {
    "results_similarity_passed": Entry(
        en="The INT8 model matches the original closely enough: lowest cosine similarity {cosine}, "
           "euclidean {euclidean}, SQNR {sqnr} dB (required: {tolerance}).",
        en_fix="",
        ja="INT8 モデルは元のモデルと十分に一致しています: コサイン類似度の最小値 {cosine}、"
           "ユークリッド {euclidean}、SQNR {sqnr} dB（基準: {tolerance}）。",
        ja_fix="",
    ),
    "results_similarity_failed": Entry(
        en="Quantization changed the model's outputs too much: lowest cosine similarity {cosine}, "
           "euclidean {euclidean}, SQNR {sqnr} dB (required: {tolerance}).",
        en_fix="Use more and more varied calibration images that look like what the camera will "
               "see, check the model's head outputs, or try the BF16 preset.",
        ja="量子化によってモデルの出力が大きく変わりました: コサイン類似度の最小値 {cosine}、"
           "ユークリッド {euclidean}、SQNR {sqnr} dB（基準: {tolerance}）。",
        ja_fix="カメラが実際に写すものに近い、多様なキャリブレーション画像を増やすか、"
               "モデルのヘッド出力を確認するか、BF16 プリセットを試してください。",
    ),
}
