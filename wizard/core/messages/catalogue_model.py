"""Messages about the ONNX model: reading it, its input, its version, its YOLO head, preparing a copy."""

from wizard.core.messages import Entry

_REEXPORT = "model.export(format='onnx', imgsz=640, opset=17, dynamic=False)"

ENTRIES = {
    # --- reading the file -------------------------------------------------------------------
    "model_empty": Entry(
        en="{path} is empty (0 bytes), so it holds no model.",
        en_fix="Export the model again, or copy the .onnx file again; the copy may have failed.",
        ja="{path} は空（0 バイト）で、モデルが入っていません。",
        ja_fix="モデルをもう一度エクスポートするか、.onnx ファイルをコピーし直してください（コピーに失敗した可能性があります）。",
    ),
    "model_not_onnx": Entry(
        en="{path} is not an ONNX model: its contents do not have the ONNX format.",
        en_fix="Pick the .onnx file exported from your model, e.g. with Ultralytics: " + _REEXPORT + ".",
        ja="{path} は ONNX モデルではありません（中身が ONNX 形式になっていません）。",
        ja_fix="モデルからエクスポートした .onnx ファイルを選んでください。例（Ultralytics）: " + _REEXPORT,
    ),
    "model_is_text": Entry(
        en="{path} is a text file, not an ONNX model (ONNX files are binary).",
        en_fix="Pick the .onnx file exported from your model, e.g. with Ultralytics: " + _REEXPORT + ".",
        ja="{path} はテキストファイルで、ONNX モデルではありません（ONNX ファイルはバイナリ形式です）。",
        ja_fix="モデルからエクスポートした .onnx ファイルを選んでください。例（Ultralytics）: " + _REEXPORT,
    ),
    "model_is_pytorch": Entry(
        en="{path} is a PyTorch file (.pt), not an ONNX model.",
        en_fix="Export it to ONNX first: yolo export model=best.pt format=onnx imgsz=640 opset=17, "
        "then pick the .onnx file.",
        ja="{path} は PyTorch のファイル（.pt）で、ONNX モデルではありません。",
        ja_fix="先に ONNX へエクスポートしてください: yolo export model=best.pt format=onnx imgsz=640 opset=17。"
        "その後 .onnx ファイルを選んでください。",
    ),
    "model_is_folder": Entry(
        en="{path} is a folder, not an ONNX model file.",
        en_fix="Pick the .onnx file inside it (Ultralytics saves it next to best.pt in runs/detect/train/weights).",
        ja="{path} はフォルダで、ONNX モデルのファイルではありません。",
        ja_fix="その中の .onnx ファイルを選んでください（Ultralytics は runs/detect/train/weights の best.pt の隣に保存します）。",
    ),
    "model_truncated": Entry(
        en="{path} is incomplete: the file ends in the middle of the model ({size} bytes read).",
        en_fix="The download or copy was cut off. Copy or download the file again, or export it again.",
        ja="{path} は途中で切れています（{size} バイトで終わっており、モデルが最後までありません）。",
        ja_fix="ダウンロードまたはコピーが途中で止まったようです。ファイルをもう一度コピー・ダウンロードするか、エクスポートし直してください。",
    ),
    "model_damaged": Entry(
        en="{path} is damaged: it starts like an ONNX model, but parts of it cannot be read.",
        en_fix="The file was corrupted (download, copy or disk). Copy or download it again, or export it again.",
        ja="{path} は壊れています。ONNX モデルとして始まっていますが、一部を読み取れません。",
        ja_fix="ダウンロード・コピー・ディスクのどこかでファイルが壊れました。もう一度コピー・ダウンロードするか、エクスポートし直してください。",
    ),
    "model_unreadable": Entry(
        en="{path} cannot be read: {detail}",
        en_fix="Check that the file is not locked by another program and that you may read it.",
        ja="{path} を読み込めません: {detail}",
        ja_fix="他のプログラムがファイルを使用していないか、読み取り権限があるかを確認してください。",
    ),
    "model_external_data": Entry(
        en="{path} keeps its weights in separate files ({files}); the wizard needs a single .onnx file.",
        en_fix="Save it as one file: onnx.save(onnx.load('{path}'), 'single.onnx', save_as_external_data=False), "
        "then pick single.onnx.",
        ja="{path} は重みを別ファイル（{files}）に保存しています。ウィザードには 1 つの .onnx ファイルが必要です。",
        ja_fix="1 ファイルにまとめて保存してください: onnx.save(onnx.load('{path}'), 'single.onnx', "
        "save_as_external_data=False)。その後 single.onnx を選んでください。",
    ),
    # --- the input ----------------------------------------------------------------------------
    "model_no_input": Entry(
        en="{path} has no image input.",
        en_fix="Export the model again with Ultralytics: " + _REEXPORT + ".",
        ja="{path} には画像の入力がありません。",
        ja_fix="Ultralytics でモデルをエクスポートし直してください: " + _REEXPORT,
    ),
    "model_multiple_inputs": Entry(
        en="{path} has {count} inputs ({inputs}); the reCamera feeds a model exactly one image.",
        en_fix="Export a model with a single image input, e.g. with Ultralytics: " + _REEXPORT + ".",
        ja="{path} には入力が {count} 個（{inputs}）あります。reCamera がモデルに渡せるのは画像 1 枚だけです。",
        ja_fix="画像入力が 1 つだけのモデルをエクスポートしてください。例（Ultralytics）: " + _REEXPORT,
    ),
    "model_input_rank": Entry(
        en="The input {input} of {path} has shape [{shape}], not an image batch [N, C, H, W].",
        en_fix="Export an image model whose input is [1, 3, height, width], e.g. " + _REEXPORT + ".",
        ja="{path} の入力 {input} の形は [{shape}] で、画像バッチ [N, C, H, W] ではありません。",
        ja_fix="入力が [1, 3, 高さ, 幅] の画像モデルをエクスポートしてください。例: " + _REEXPORT,
    ),
    "model_input_channels": Entry(
        en="The input {input} of {path} takes {channels}-channel images; the reCamera camera gives 3-channel RGB.",
        en_fix="Train and export the model for 3-channel RGB images (Ultralytics default: channels=3).",
        ja="{path} の入力 {input} は {channels} チャンネルの画像を受け取ります。reCamera のカメラは 3 チャンネル（RGB）です。",
        ja_fix="3 チャンネル RGB 画像用にモデルを学習・エクスポートしてください（Ultralytics の既定は channels=3）。",
    ),
    "model_dynamic_input": Entry(
        en="The input {input} of {path} has a variable size [{shape}]; the toolchain needs fixed numbers.",
        en_fix="Export again with a fixed size: model.export(format='onnx', dynamic=False, imgsz=640).",
        ja="{path} の入力 {input} のサイズが固定されていません [{shape}]。変換ツールには固定のサイズが必要です。",
        ja_fix="サイズを固定してエクスポートし直してください: model.export(format='onnx', dynamic=False, imgsz=640)",
    ),
    "model_input_size": Entry(
        en="{path} takes {height}x{width} images (height x width); the toolchain needs both to be multiples of 32.",
        en_fix="Export again with imgsz=[{suggest_height}, {suggest_width}] "
        "(model.export(format='onnx', imgsz=[{suggest_height}, {suggest_width}])).",
        ja="{path} の入力画像は {height}x{width}（高さ x 幅）です。変換ツールでは高さと幅がどちらも 32 の倍数である必要があります。",
        ja_fix="imgsz=[{suggest_height}, {suggest_width}] でエクスポートし直してください"
        "（model.export(format='onnx', imgsz=[{suggest_height}, {suggest_width}])）。",
    ),
    # --- ONNX version -------------------------------------------------------------------------
    "model_needs_downgrade": Entry(
        en="{path} uses ONNX IR {ir_version} / opset {opset}; the toolchain accepts at most IR {max_ir} / "
        "opset {max_opset}. The wizard will convert a copy (your file is not changed).",
        en_fix="Nothing to do. To skip the conversion, export with opset={max_opset}.",
        ja="{path} は ONNX IR {ir_version} / opset {opset} です。変換ツールが扱えるのは IR {max_ir} / opset {max_opset} "
        "までなので、ウィザードがコピーを変換して使います（元のファイルは変更しません）。",
        ja_fix="操作は不要です。この変換を省くには opset={max_opset} でエクスポートしてください。",
    ),
    "model_version_too_new": Entry(
        en="{path} uses ONNX IR {ir_version} / opset {opset}, newer than this wizard's ONNX {onnx_version} "
        "can convert (up to IR {known_ir} / opset {known_opset}).",
        en_fix="Export again with an older opset: model.export(format='onnx', opset={max_opset}).",
        ja="{path} は ONNX IR {ir_version} / opset {opset} で、このウィザードの ONNX {onnx_version} が変換できる範囲"
        "（IR {known_ir} / opset {known_opset} まで）より新しい形式です。",
        ja_fix="古い opset でエクスポートし直してください: model.export(format='onnx', opset={max_opset})",
    ),
    # --- what kind of model -------------------------------------------------------------------
    "model_unsupported_family": Entry(
        en="{path} is a {family} model. Its operators {ops} are not supported on the reCamera (cv181x): "
        "the toolchain stops with \"Op not support\".",
        en_fix="Use a YOLO11 or YOLOv8 model instead, e.g. train yolo11n.pt and export it: " + _REEXPORT + ".",
        ja="{path} は {family} モデルです。含まれる演算子 {ops} は reCamera（cv181x）では使えず、"
        "変換ツールが \"Op not support\" で止まります。",
        ja_fix="代わりに YOLO11 または YOLOv8 のモデルを使ってください。例: yolo11n.pt を学習して " + _REEXPORT
        + " でエクスポート。",
    ),
    "model_unsupported_ops": Entry(
        en="{path} contains operators the reCamera toolchain cannot convert: {ops}.",
        en_fix="Export the model without them (standard ONNX operators only, opset 17), "
        "or use a YOLO11 / YOLOv8 model.",
        ja="{path} には reCamera の変換ツールが扱えない演算子が含まれています: {ops}",
        ja_fix="それらを含まない形（標準の ONNX 演算子のみ、opset 17）でエクスポートするか、"
        "YOLO11 / YOLOv8 のモデルを使ってください。",
    ),
    "model_not_yolo": Entry(
        en="{path} does not look like an Ultralytics YOLO model: its detection head "
        "(/model.<N>/cv2.<i>/cv2.<i>.2/Conv ...) was not found, so the wizard cannot choose the output tensors.",
        en_fix="Name the output tensors yourself (graph outputs: {outputs}), or export the model with Ultralytics.",
        ja="{path} は Ultralytics YOLO のモデルではないようです。検出ヘッド（/model.<N>/cv2.<i>/cv2.<i>.2/Conv など）が"
        "見つからないため、出力テンソルを自動で選べません。",
        ja_fix="出力テンソル名を指定してください（グラフの出力: {outputs}）。または Ultralytics でエクスポートしてください。",
    ),
    "model_head_not_found": Entry(
        en="{path} is an Ultralytics model, but its six head convolutions (/model.<N>/cv2.<i>/cv2.<i>.2/Conv ...) "
        "were not found, so the wizard cuts at the graph outputs {outputs}. The box decoding is then quantized "
        "too, which costs accuracy, and the reCamera YOLO decoder may not read the result.",
        en_fix="Export again with a recent Ultralytics (" + _REEXPORT + "), or name the six head outputs yourself.",
        ja="{path} は Ultralytics のモデルですが、ヘッドの 6 つの畳み込み（/model.<N>/cv2.<i>/cv2.<i>.2/Conv など）が"
        "見つからないため、グラフの出力 {outputs} で切り出します。ボックスのデコード部分まで量子化されて精度が落ち、"
        "reCamera の YOLO デコーダが結果を読めない可能性があります。",
        ja_fix="新しい Ultralytics でエクスポートし直す（" + _REEXPORT + "）か、ヘッドの 6 つの出力名を指定してください。",
    ),
    "model_output_not_found": Entry(
        en="{path} has no tensor named {names}; the toolchain would stop with \"Error, can't find [...] in model\".",
        en_fix="Check the spelling of the output names; tensors near the end of the graph include {outputs}.",
        ja="{path} には {names} という名前のテンソルがありません。このままでは変換ツールが "
        "\"Error, can't find [...] in model\" で止まります。",
        ja_fix="出力名のつづりを確認してください。グラフの出力付近のテンソル: {outputs}",
    ),
    "model_family_unknown": Entry(
        en="{path}: the YOLO version could not be recognised; the head outputs found are used, "
        "but the reCamera decoder is made for YOLO11 and YOLOv8.",
        en_fix="If detections look wrong on the device, export a YOLO11 or YOLOv8 model instead.",
        ja="{path}: YOLO のバージョンを判別できませんでした。見つかったヘッド出力を使いますが、"
        "reCamera のデコーダは YOLO11 と YOLOv8 用です。",
        ja_fix="デバイスで検出結果がおかしい場合は、YOLO11 または YOLOv8 のモデルをエクスポートして使ってください。",
    ),
    "model_classify": Entry(
        en="{path} is a classification model; the reCamera YOLO decoder expects detection, "
        "so the wizard converts up to the graph output {outputs} and the device app must read it as class scores.",
        en_fix="For boxes on the device, use a detection model (yolo11n.pt, task=detect).",
        ja="{path} は分類モデルです。reCamera の YOLO デコーダは検出モデル用のため、グラフの出力 {outputs} までを変換します。"
        "デバイス側ではクラスのスコアとして読む必要があります。",
        ja_fix="デバイスで枠（ボックス）を出すには検出モデル（yolo11n.pt、task=detect）を使ってください。",
    ),
    "model_task_partial": Entry(
        en="{path} is a {task} model; the reCamera decoder reads boxes and classes only, "
        "so the {extra} are not converted.",
        en_fix="Nothing to do if boxes are enough; otherwise the device app needs its own {task} decoder.",
        ja="{path} は {task} モデルです。reCamera のデコーダはボックスとクラスだけを読むため、{extra} は変換されません。",
        ja_fix="ボックスだけで足りる場合は操作不要です。必要な場合はデバイス側に {task} 用のデコーダが必要です。",
    ),
    "model_no_class_names": Entry(
        en="{path} has no class names, so labels on the device will show N/A-<id>.",
        en_fix="Enter the class names in the wizard (one per line), or export with Ultralytics, which stores them.",
        ja="{path} にはクラス名がないため、デバイスのラベルは N/A-<番号> と表示されます。",
        ja_fix="ウィザードでクラス名を 1 行に 1 つずつ入力するか、クラス名を保存する Ultralytics でエクスポートしてください。",
    ),
    "model_class_count_mismatch": Entry(
        en="{path} lists {names_count} class names but its head predicts {head_count} classes.",
        en_fix="Check that the class names belong to this model; labels beyond the list show N/A-<id>.",
        ja="{path} のクラス名は {names_count} 個ですが、ヘッドは {head_count} クラスを出力します。",
        ja_fix="クラス名がこのモデルのものか確認してください。一覧にないクラスは N/A-<番号> と表示されます。",
    ),
    # --- preparing the copy for the toolchain ------------------------------------------------
    "model_prepare_same_path": Entry(
        en="The converted copy would overwrite the original model {path}.",
        en_fix="Choose a different output folder; the wizard never changes your original file.",
        ja="変換したコピーが元のモデル {path} を上書きしてしまいます。",
        ja_fix="別の出力フォルダを選んでください。ウィザードは元のファイルを変更しません。",
    ),
    "model_ir_features": Entry(
        en="{path} uses features that need ONNX IR {needed_ir} or newer ({features}), "
        "so it cannot be brought down to IR {max_ir} for the toolchain.",
        en_fix="Export again without them, with opset 17 and float32 weights: " + _REEXPORT + ".",
        ja="{path} は ONNX IR {needed_ir} 以降が必要な機能（{features}）を使っているため、"
        "変換ツール向けの IR {max_ir} に下げられません。",
        ja_fix="それらを使わず、opset 17・float32 の重みでエクスポートし直してください: " + _REEXPORT,
    ),
    "model_has_functions": Entry(
        en="{path} contains ONNX local functions ({functions}); their operators cannot be converted to opset {opset}.",
        en_fix="Export the model again directly with opset {opset}: model.export(format='onnx', opset={opset}).",
        ja="{path} には ONNX のローカル関数（{functions}）が含まれており、その中の演算子を opset {opset} に変換できません。",
        ja_fix="opset {opset} を指定して直接エクスポートし直してください: model.export(format='onnx', opset={opset})",
    ),
    "model_op_too_new": Entry(
        en="{path} uses the operator {op}, which does not exist yet in opset {opset} that the toolchain reads, "
        "so the model cannot be converted down.",
        en_fix="Export the model again with opset {opset}; the exporter then builds {op} from older operators: "
        "model.export(format='onnx', opset={opset}).",
        ja="{path} は演算子 {op} を使っていますが、変換ツールが読む opset {opset} にはまだ {op} がないため、"
        "モデルを古い形式に変換できません。",
        ja_fix="opset {opset} でエクスポートし直してください（{op} が古い演算子の組み合わせで書き出されます）: "
        "model.export(format='onnx', opset={opset})",
    ),
    "model_op_feature_too_new": Entry(
        en="{path}: the operator {op} (node {node}) uses {feature}, which opset {opset} does not have, "
        "so the model cannot be converted down.",
        en_fix="Export the model again directly with opset {opset}: model.export(format='onnx', opset={opset}).",
        ja="{path}: 演算子 {op}（ノード {node}）が opset {opset} にはない機能 {feature} を使っているため、"
        "モデルを古い形式に変換できません。",
        ja_fix="opset {opset} を指定して直接エクスポートし直してください: model.export(format='onnx', opset={opset})",
    ),
    "model_convert_failed": Entry(
        en="{path} could not be converted to opset {opset}: {detail}",
        en_fix="Export the model again directly with opset {opset}: model.export(format='onnx', opset={opset}).",
        ja="{path} を opset {opset} に変換できませんでした: {detail}",
        ja_fix="opset {opset} を指定して直接エクスポートし直してください: model.export(format='onnx', opset={opset})",
    ),
    "model_convert_check_failed": Entry(
        en="The converted copy of {path} is not a valid ONNX model: {detail}",
        en_fix="Export the model again directly with opset {opset}: model.export(format='onnx', opset={opset}).",
        ja="{path} を変換したコピーが正しい ONNX モデルになりませんでした: {detail}",
        ja_fix="opset {opset} を指定して直接エクスポートし直してください: model.export(format='onnx', opset={opset})",
    ),
    "model_copy_failed": Entry(
        en="The model {path} could not be copied to {target}: {detail}",
        en_fix="Check that the output folder is writable and has free space.",
        ja="モデル {path} を {target} にコピーできませんでした: {detail}",
        ja_fix="出力フォルダに書き込み権限と空き容量があるか確認してください。",
    ),
}
