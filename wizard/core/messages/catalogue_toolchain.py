"""Toolchain messages: what TPU-MLIR's logs reveal (toolchain_log) and produced-model checks (cvimodel).

Causes and fixes follow docs/toolchain.md, "Known failures and the fix a user needs".
"""

from wizard.core.messages import Entry

ENTRIES = {
    # ---- failures recognised in the toolchain's output ----------------------------------------
    "toolchain_no_calibration_inputs": Entry(
        en="Calibration found no image it can read in the calibration folder (\"There is no inputs\").",
        en_fix="Put .jpg, .png, .jpeg, .bmp or .jfif images in the calibration folder (.img and other "
        "formats are ignored): convert or rename them, then run the conversion again.",
        ja="キャリブレーション用フォルダに読み込める画像が 1 枚もありません（\"There is no inputs\"）。",
        ja_fix="キャリブレーション用フォルダに .jpg / .png / .jpeg / .bmp / .jfif の画像を入れてください"
        "（.img などは無視されます）。変換または名前の変更をしてから、もう一度変換を実行してください。",
    ),
    "toolchain_test_image_missing": Entry(
        en="The test image {path} was not found by the toolchain.",
        en_fix="Pick an existing .jpg or .png test image, then run the conversion again.",
        ja="ツールチェーンがテスト画像 {path} を見つけられませんでした。",
        ja_fix="存在する .jpg または .png のテスト画像を選び直して、もう一度変換を実行してください。",
    ),
    "toolchain_output_names_not_found": Entry(
        en="The model has no tensor named {names}: the output names do not match this model "
        "(YOLOv8 heads are model.22, YOLO11 heads model.23).",
        en_fix="Let the wizard detect the six head outputs from the model graph (Model step), "
        "or correct --output_names, then convert again.",
        ja="モデルに {names} という名前のテンソルがありません。出力名がこのモデルと合っていません"
        "（YOLOv8 のヘッドは model.22、YOLO11 は model.23）。",
        ja_fix="ウィザードの「モデル」ステップでグラフから 6 つのヘッド出力を自動検出させるか、"
        "--output_names を修正してから、もう一度変換してください。",
    ),
    "toolchain_ir_version_too_new": Entry(
        en="The ONNX file uses IR version {version}, but the toolchain's onnxruntime reads at most IR version {max}.",
        en_fix="Let the wizard prepare the model (it rewrites it to IR version 8, opset 17), "
        "or export it again with an older onnx, then convert again.",
        ja="ONNX ファイルの IR バージョンは {version} ですが、ツールチェーンの onnxruntime が読めるのは "
        "IR バージョン {max} までです。",
        ja_fix="ウィザードにモデルを準備させる（IR バージョン 8・opset 17 に書き換えます）か、"
        "古い onnx でエクスポートし直してから、もう一度変換してください。",
    ),
    "toolchain_op_not_supported": Entry(
        en="The model uses operators the cv181x toolchain cannot convert: {ops}. "
        "YOLOv10 and YOLO26 end-to-end exports do this.",
        en_fix="Use a YOLO11 or YOLOv8 model (export without end-to-end NMS), "
        "or cut the model at the six head outputs before these operators.",
        ja="モデルに cv181x のツールチェーンが変換できない演算子が含まれています: {ops}。"
        "YOLOv10 や YOLO26 のエンドツーエンド形式のエクスポートで起こります。",
        ja_fix="YOLO11 または YOLOv8 のモデル（エンドツーエンド NMS なしでエクスポート）を使うか、"
        "これらの演算子より前の 6 つのヘッド出力でモデルを切ってください。",
    ),
    "toolchain_calibration_table_missing": Entry(
        en="model_deploy could not open the calibration table.",
        en_fix="Run the calibration step again (clear the calibration cache), "
        "or check the path given to --calibration_table.",
        ja="model_deploy がキャリブレーションテーブルを開けませんでした。",
        ja_fix="キャリブレーションのキャッシュを消してキャリブレーションをやり直すか、"
        "--calibration_table に渡したパスを確認してください。",
    ),
    "toolchain_compare_failed": Entry(
        en="Accuracy check failed: {failed} of {compared} tensors differ from the float model by more than "
        "the tolerance {tolerance} (lowest cosine {cosine}, euclidean {euclidean}; first: {tensors}).",
        en_fix="Use the six head outputs as --output_names (not output0), calibrate with more and more "
        "representative images (100-500 of your own scenes), or keep the worst layers in BF16 with a "
        "quantize table.",
        ja="精度チェックに失敗しました: {compared} 個中 {failed} 個のテンソルが、浮動小数点モデルとの差が"
        "許容値 {tolerance} を超えました（最小コサイン {cosine}、ユークリッド {euclidean}、例: {tensors}）。",
        ja_fix="--output_names に output0 ではなく 6 つのヘッド出力を使う、実際の利用シーンに近い画像を"
        "増やして（100〜500 枚）キャリブレーションする、または量子化テーブルで悪い層を BF16 のまま残してください。",
    ),
    "toolchain_transform_compare_failed": Entry(
        en="The converted float model does not match the ONNX model: {failed} of {compared} tensors are below "
        "the tolerance {tolerance} (lowest cosine {cosine}, euclidean {euclidean}; first: {tensors}).",
        en_fix="This is not a quantization problem: export the ONNX again (opset 12-17, static 640x640 "
        "input, no dynamic axes) and convert again; if it persists, report it with the log file.",
        ja="変換した浮動小数点モデルが ONNX モデルと一致しません: {compared} 個中 {failed} 個のテンソルが"
        "許容値 {tolerance} を下回りました（最小コサイン {cosine}、ユークリッド {euclidean}、例: {tensors}）。",
        ja_fix="量子化の問題ではありません。ONNX を（opset 12〜17、640x640 固定入力、動的軸なしで）"
        "エクスポートし直して変換してください。続く場合はログファイルを添えて報告してください。",
    ),
    "toolchain_quantize_not_supported": Entry(
        en="The reCamera's cv181x cannot run F16 or F32 models (\"raw format not support current type\").",
        en_fix="Choose INT8 (recommended) or BF16 as the quantization.",
        ja="reCamera の cv181x は F16 や F32 のモデルを実行できません（\"raw format not support current type\"）。",
        ja_fix="量子化に INT8（推奨）または BF16 を選んでください。",
    ),
    "toolchain_aligned_input_needs_fuse": Entry(
        en="\"Aligned input\" only works together with \"fuse preprocessing\".",
        en_fix="Turn on \"fuse preprocessing\" (as the reCamera needs) or turn off \"aligned input\".",
        ja="「アライン入力」は「前処理の統合」と一緒にしか使えません。",
        ja_fix="「前処理の統合」をオンにする（reCamera では必要です）か、「アライン入力」をオフにしてください。",
    ),
    # Out of memory, however it showed: the kernel's OOM-kill count rising during a step (the
    # wheel's launcher itself only exits 1), "Killed", MemoryError, exit 137, Docker's OOMKilled.
    "toolchain_killed_oom": Entry(
        en="The {step} step ran out of memory and was stopped by the system.",
        en_fix="Give Docker or the VM more memory (8 GB or more; Docker Desktop: Settings > Resources > "
        "Memory) or close other programs, then run again. Fewer calibration images (100 is enough) "
        "also lower what calibration needs.",
        ja="{step} ステップでメモリが足りなくなり、システムによって停止されました。",
        ja_fix="Docker / VM のメモリを増やす（8 GB 以上。Docker Desktop: 設定 > Resources > Memory）か、"
        "ほかのプログラムを閉じてから、もう一度実行してください。キャリブレーション画像を減らす"
        "（100 枚で十分です）と、キャリブレーションに要るメモリも減ります。",
    ),
    "toolchain_out_of_memory": Entry(
        en="The conversion ran out of memory during {step} with {count} calibration pictures and was "
        "stopped by the system.",
        en_fix="Use fewer calibration images (e.g. {suggest} instead of {count}: calibration holds every "
        "picture in memory) or give Docker or the VM more memory (Docker Desktop: Settings > Resources > "
        "Memory), then convert again.",
        ja="{step} 中（キャリブレーション画像 {count} 枚）にメモリが不足し、システムによって変換が停止されました。",
        ja_fix="キャリブレーション画像を減らす（{count} 枚ではなく例えば {suggest} 枚。キャリブレーションは"
        "全画像をメモリに保持します）か、Docker / VM のメモリを増やして（Docker Desktop: 設定 > "
        "Resources > Memory）、もう一度変換してください。",
    ),
    "toolchain_disk_full": Entry(
        en="The disk ran full during the conversion (\"No space left on device\").",
        en_fix="Free some disk space where Docker and the run folder live (the toolchain image alone "
        "takes several GB), then run again.",
        ja="変換中にディスクがいっぱいになりました（\"No space left on device\"）。",
        ja_fix="Docker と実行フォルダがあるディスクの空き容量を増やしてから（ツールチェーンのイメージだけで"
        "数 GB 使います）、もう一度実行してください。",
    ),
    "toolchain_docker_permission_denied": Entry(
        en="Your user is not allowed to use Docker (permission denied on the Docker daemon socket).",
        en_fix="Add your user to the docker group (sudo usermod -aG docker $USER), log out and back in, "
        "then try again.",
        ja="このユーザーには Docker を使う権限がありません（Docker デーモンのソケットへのアクセスが拒否されました）。",
        ja_fix="ユーザーを docker グループに追加し（sudo usermod -aG docker $USER）、ログインし直してから"
        "もう一度実行してください。",
    ),
    "toolchain_not_installed": Entry(
        en="{tool} is not installed in the toolchain image (tpu_mlir is missing).",
        en_fix="Rebuild or pull the toolchain image from the wizard's Toolchain step, then run again.",
        ja="ツールチェーンのイメージに {tool} がインストールされていません（tpu_mlir がありません）。",
        ja_fix="ウィザードの「ツールチェーン」ステップでイメージを作り直すか取得し直してから、もう一度実行してください。",
    ),
    "toolchain_output_missing": Entry(
        en="{tool} reported success but did not write {path}.",
        en_fix="Check free disk space in the work folder and run the conversion again; "
        "if it happens again, report it with the log file.",
        ja="{tool} は成功と報告しましたが、{path} を書き出していません。",
        ja_fix="作業フォルダの空き容量を確認して、もう一度変換を実行してください。"
        "繰り返す場合はログファイルを添えて報告してください。",
    ),
    "toolchain_bad_option": Entry(
        en="{tool} refused its command line: {detail}",
        en_fix="The toolchain version does not match the options of the recipe: use the default "
        "toolchain (tpu_mlir 1.7) or remove the option from the recipe's expert settings.",
        ja="{tool} がコマンドラインを受け付けませんでした: {detail}",
        ja_fix="ツールチェーンのバージョンとレシピのオプションが合っていません。既定のツールチェーン"
        "（tpu_mlir 1.7）を使うか、レシピの上級者向け設定からそのオプションを外してください。",
    ),
    # model_transform 1.7 parses with parse_known_args: an option it does not know is no argparse
    # error but a Python error after parsing (wizard.core.toolchain.tool_options).
    "toolchain_misspelled_option": Entry(
        en="{tool} does not know the option {option}: did you mean {suggestion}? (tpu_mlir 1.7's "
        "model_transform does not refuse an unknown option: it stops later with a Python error.)",
        en_fix="Write the option as {suggestion} in the command or the recipe's expert settings, then run again.",
        ja="{tool} はオプション {option} を知りません。{suggestion} のことではありませんか（tpu_mlir 1.7 の "
        "model_transform は知らないオプションを拒否せず、後で Python のエラーで止まります）。",
        ja_fix="コマンドまたはレシピの上級者向け設定でオプションを {suggestion} と書いてから、もう一度実行してください。",
    ),
    "toolchain_unknown_option": Entry(
        en="{tool} does not know the option {options} (tpu_mlir 1.7's model_transform does not refuse "
        "an unknown option: it stops later with a Python error).",
        en_fix="Check the spelling of the option ({tool} --help lists the options of the installed "
        "version) or remove it, then run again.",
        ja="{tool} はオプション {options} を知りません（tpu_mlir 1.7 の model_transform は知らない"
        "オプションを拒否せず、後で Python のエラーで止まります）。",
        ja_fix="オプションのつづりを確かめる（{tool} --help でインストールされた版のオプションが分かります）"
        "か、そのオプションを外してから、もう一度実行してください。",
    ),
    "toolchain_step_failed": Entry(
        en="The {step} step failed (exit code {rc}). Last lines of its output: {detail}",
        en_fix="Read the lines above for the cause. If it is not clear, report it with the log file.",
        ja="{step} ステップが失敗しました（終了コード {rc}）。出力の最後の行: {detail}",
        ja_fix="上の行で原因を確認してください。分からない場合はログファイルを添えて報告してください。",
    ),
    "toolchain_tool_error": Entry(
        en="The {step} step reported an error the wizard does not recognise: {detail}",
        en_fix="Read the error above for the cause. If it is not clear, report it with the log file.",
        ja="{step} ステップが、ウィザードの知らないエラーを報告しました: {detail}",
        ja_fix="上のエラーで原因を確認してください。分からない場合はログファイルを添えて報告してください。",
    ),
    "toolchain_log_unreadable": Entry(
        en="Cannot read the log {path}: {detail}",
        en_fix="Pick the convert.log file of a run (in the run folder), or save the terminal output to a file.",
        ja="ログ {path} を読み込めません: {detail}",
        ja_fix="実行フォルダにある convert.log を選ぶか、ターミナルの出力をファイルに保存してください。",
    ),
    "toolchain_log_empty": Entry(
        en="The log {path} is empty: there is nothing to check.",
        en_fix="Pick the convert.log file of a run (in the run folder), or save the terminal output to a file.",
        ja="ログ {path} は空なので、確認できるものがありません。",
        ja_fix="実行フォルダにある convert.log を選ぶか、ターミナルの出力をファイルに保存してください。",
    ),
    "toolchain_log_not_a_log": Entry(
        en="{path} is not a conversion log: none of the steps, accuracy checks or messages that "
        "TPU-MLIR writes are in it.",
        en_fix="Pick the convert.log file of a run (in the run folder), or save the terminal output "
        "of model_transform, run_calibration and model_deploy to a file.",
        ja="{path} は変換ログではありません。TPU-MLIR が書き出すステップ、精度チェック、メッセージの"
        "どれも含まれていません。",
        ja_fix="実行フォルダにある convert.log を選ぶか、model_transform、run_calibration、model_deploy の"
        "ターミナル出力をファイルに保存してください。",
    ),
    # ---- checks of a produced .cvimodel ----------------------------------------------------------
    "cvimodel_unreadable": Entry(
        en="Cannot read {path}: {detail}",
        en_fix="Check that the file exists and that you may read it, or pick it again.",
        ja="{path} を読み込めません: {detail}",
        ja_fix="ファイルが存在し読み取り可能か確認するか、もう一度選び直してください。",
    ),
    "cvimodel_empty": Entry(
        en="{path} is empty (0 bytes).",
        en_fix="The conversion or the copy was interrupted: convert the model again.",
        ja="{path} は空です（0 バイト）。",
        ja_fix="変換かコピーが途中で止まりました。もう一度モデルを変換してください。",
    ),
    "cvimodel_is_onnx": Entry(
        en="{path} is an ONNX model, not a converted .cvimodel.",
        en_fix="Convert it first, then pick the .cvimodel the conversion produced.",
        ja="{path} は ONNX モデルで、変換済みの .cvimodel ではありません。",
        ja_fix="先に変換してから、変換で作られた .cvimodel を選んでください。",
    ),
    "cvimodel_is_bmodel": Entry(
        en="{path} is a .bmodel for a Sophgo BM chip, not a .cvimodel for the reCamera.",
        en_fix="Convert again with the processor cv181x.",
        ja="{path} は Sophgo BM チップ用の .bmodel で、reCamera 用の .cvimodel ではありません。",
        ja_fix="プロセッサに cv181x を指定して、もう一度変換してください。",
    ),
    "cvimodel_not_cvimodel": Entry(
        en="{path} is not a .cvimodel (it does not start with \"CviModel\" but with {found}).",
        en_fix="Pick the .cvimodel produced by the conversion, not another file.",
        ja="{path} は .cvimodel ではありません（先頭が \"CviModel\" ではなく {found} です）。",
        ja_fix="別のファイルではなく、変換で作られた .cvimodel を選んでください。",
    ),
    "cvimodel_truncated": Entry(
        en="{path} is cut short: it has {size} bytes, its header announces at least {expected}.",
        en_fix="The download or copy was interrupted: copy the file again, or convert again.",
        ja="{path} は途中で切れています: {size} バイトしかありませんが、ヘッダーによると {expected} バイト以上必要です。",
        ja_fix="ダウンロードかコピーが途中で止まりました。もう一度コピーするか、変換し直してください。",
    ),
    "cvimodel_no_body": Entry(
        en="{path} has a header but no model inside (body size 0).",
        en_fix="The conversion did not finish writing the model: convert again.",
        ja="{path} にはヘッダーしかなく、モデル本体がありません（本体サイズ 0）。",
        ja_fix="変換がモデルを書き終えていません。もう一度変換してください。",
    ),
    "cvimodel_bad_version": Entry(
        en="{path} has a .cvimodel version the reCamera does not know ({version}).",
        en_fix="Convert again with the default toolchain (tpu_mlir 1.7), whose models the reCamera loads.",
        ja="{path} の .cvimodel バージョン（{version}）は reCamera が知らないものです。",
        ja_fix="reCamera が読み込める既定のツールチェーン（tpu_mlir 1.7）で、もう一度変換してください。",
    ),
    "cvimodel_bad_chip": Entry(
        en="{path} has a damaged header: its processor name is not readable text.",
        en_fix="The file is corrupt: copy it again, or convert again.",
        ja="{path} のヘッダーが壊れています: プロセッサ名が読めません。",
        ja_fix="ファイルが壊れています。もう一度コピーするか、変換し直してください。",
    ),
    "cvimodel_unknown_chip": Entry(
        en="{path} was built for an unknown processor \"{chip}\".",
        en_fix="Convert again with the processor cv181x (every reCamera).",
        ja="{path} は未知のプロセッサ「{chip}」向けに作られています。",
        ja_fix="プロセッサに cv181x（すべての reCamera）を指定して、もう一度変換してください。",
    ),
    "cvimodel_wrong_chip": Entry(
        en="{path} was built for {chip}, but this device needs {expected}.",
        en_fix="Convert again with the processor {expected}.",
        ja="{path} は {chip} 向けですが、このデバイスには {expected} 向けのモデルが必要です。",
        ja_fix="プロセッサに {expected} を指定して、もう一度変換してください。",
    ),
    "cvimodel_md5_mismatch": Entry(
        en="{path} is damaged: the checksum in its header does not match its contents.",
        en_fix="Copy the file again from the run folder, or convert again. Do not send it to the camera.",
        ja="{path} は壊れています: ヘッダーのチェックサムが中身と一致しません。",
        ja_fix="実行フォルダからもう一度コピーするか、変換し直してください。カメラには送らないでください。",
    ),
    "cvimodel_body_unreadable": Entry(
        en="{path} is damaged: the model description inside it cannot be read ({detail}).",
        en_fix="Copy the file again from the run folder, or convert again.",
        ja="{path} は壊れています: 中のモデル記述を読めません（{detail}）。",
        ja_fix="実行フォルダからもう一度コピーするか、変換し直してください。",
    ),
    "cvimodel_sections_truncated": Entry(
        en="{path} is cut short: it has {size} bytes, but the weights and commands it lists need {expected}.",
        en_fix="The download or copy was interrupted: copy the file again, or convert again.",
        ja="{path} は途中で切れています: {size} バイトしかありませんが、中に記された重みと命令には {expected} バイト必要です。",
        ja_fix="ダウンロードかコピーが途中で止まりました。もう一度コピーするか、変換し直してください。",
    ),
    "cvimodel_trailing_bytes": Entry(
        en="{path} has {extra} bytes after the end of the model: something was appended to it.",
        en_fix="Copy the file again from the run folder, or convert again.",
        ja="{path} にはモデルの終わりの後に {extra} バイトの余分なデータがあります。何かが付け足されています。",
        ja_fix="実行フォルダからもう一度コピーするか、変換し直してください。",
    ),
    "cvimodel_chip_mismatch": Entry(
        en="{path} is inconsistent: its header says {chip}, the model inside says {target}.",
        en_fix="The file is damaged or was edited: convert again.",
        ja="{path} は矛盾しています: ヘッダーは {chip}、中のモデルは {target} 向けとしています。",
        ja_fix="ファイルが壊れているか書き換えられています。変換し直してください。",
    ),
    "cvimodel_no_program": Entry(
        en="{path} contains no program to run.",
        en_fix="The conversion did not finish writing the model: convert again.",
        ja="{path} には実行するプログラムが入っていません。",
        ja_fix="変換がモデルを書き終えていません。もう一度変換してください。",
    ),
    # ---- does the model fit the reCamera's YOLO decoder (SSCMA-Micro ma_model_yolo11.cpp) ---------
    "cvimodel_decoder_inputs": Entry(
        en="{path} has {count} inputs; the reCamera's YOLO detector needs a model with exactly one picture input.",
        en_fix="Convert a YOLO detection model (YOLOv8 or YOLO11) exported with one image input.",
        ja="{path} には入力が {count} 個あります。reCamera の YOLO 検出器には画像入力が 1 つだけのモデルが必要です。",
        ja_fix="画像入力が 1 つの YOLO 検出モデル（YOLOv8 または YOLO11）を変換してください。",
    ),
    "cvimodel_decoder_input_shape": Entry(
        en="The input of {path} is {shape}; the reCamera's YOLO detector needs one square picture of side "
        "a multiple of 32 (for example 1x640x640x3).",
        en_fix="Convert again with a square input size that is a multiple of 32, such as 640 or 320.",
        ja="{path} の入力は {shape} です。reCamera の YOLO 検出器には、一辺が 32 の倍数の正方形の画像"
        "（例: 1x640x640x3）が 1 枚必要です。",
        ja_fix="640 や 320 など、32 の倍数の正方形の入力サイズで変換し直してください。",
    ),
    "cvimodel_decoder_output_count": Entry(
        en="{path} has {count} outputs; the reCamera's YOLO detector reads six: a box and a class output "
        "for each of the strides 8, 16 and 32.",
        en_fix="Convert again with the six head outputs (the wizard finds them in the ONNX graph: "
        "/model.N/cv2.i/cv2.i.2/Conv_output_0 and /model.N/cv3.i/cv3.i.2/Conv_output_0).",
        ja="{path} の出力は {count} 個です。reCamera の YOLO 検出器が読むのは 6 個で、ストライド 8、16、32 の"
        "それぞれにボックス出力とクラス出力が 1 つずつです。",
        ja_fix="6 つのヘッド出力で変換し直してください（ウィザードが ONNX グラフから見つけます: "
        "/model.N/cv2.i/cv2.i.2/Conv_output_0 と /model.N/cv3.i/cv3.i.2/Conv_output_0）。",
    ),
    "cvimodel_decoder_output_shapes": Entry(
        en="The outputs of {path} do not fit the reCamera's YOLO detector for a {size}-pixel input: "
        "it expects {expected} (or the three box outputs first: {expected_box_first}), the model has {found}.",
        en_fix="Convert again with the six head outputs in the order cv2.0, cv3.0, cv2.1, cv3.1, cv2.2, cv3.2 "
        "(box = 64 channels, class = one channel per class).",
        ja="{path} の出力は、入力 {size} ピクセルの reCamera の YOLO 検出器に合いません: 必要なのは {expected}"
        "（またはボックス出力 3 つが先: {expected_box_first}）ですが、モデルは {found} です。",
        ja_fix="6 つのヘッド出力を cv2.0、cv3.0、cv2.1、cv3.1、cv2.2、cv3.2 の順で指定して変換し直してください"
        "（ボックス = 64 チャンネル、クラス = クラスごとに 1 チャンネル）。",
    ),
    "cvimodel_decoder_output_dtype": Entry(
        en="The outputs of {path} are {dtype}; the reCamera's YOLO detector reads only float32 or int8 outputs.",
        en_fix="Convert again with the INT8 preset (outputs stay float32 unless --quant_output is given).",
        ja="{path} の出力は {dtype} です。reCamera の YOLO 検出器が読めるのは float32 か int8 の出力だけです。",
        ja_fix="INT8 プリセットで変換し直してください（--quant_output を付けなければ出力は float32 のままです）。",
    ),
    "cvimodel_decoder_box_first": Entry(
        en="{path} puts the three box outputs first, so the camera reads it with its YOLOv8 decoder, whose "
        "float path takes boxes from the class tensor: boxes may be wrong.",
        en_fix="Prefer the order cv2.0, cv3.0, cv2.1, cv3.1, cv2.2, cv3.2 (read by the YOLO11 decoder).",
        ja="{path} はボックス出力 3 つが先に並んでいるため、カメラは YOLOv8 デコーダーで読みます。"
        "その float の処理はクラスのテンソルからボックスを取るため、ボックスがずれることがあります。",
        ja_fix="cv2.0、cv3.0、cv2.1、cv3.1、cv2.2、cv3.2 の順（YOLO11 デコーダーが読む順）にしてください。",
    ),
    "cvimodel_decoder_int8_outputs": Entry(
        en="{path} has int8 outputs: the camera's int8 path dequantizes class scores with the box tensor's "
        "scale (and boxes with the class scale), which lowers scores.",
        en_fix="Convert without --quant_output to keep float32 outputs (the guide's settings).",
        ja="{path} の出力は int8 です。カメラの int8 の処理はクラスのスコアをボックスのテンソルのスケールで"
        "（ボックスをクラスのスケールで）戻すため、スコアが低くなります。",
        ja_fix="--quant_output を付けずに変換して、出力を float32 のままにしてください（ガイドの設定）。",
    ),
    # ---- plain summary lines of a sound .cvimodel (Results and Camera pages, check-model) -----------
    "cvimodel_summary_build": Entry(
        en="Built for {chip} by TPU-MLIR {mlir_version} (cvimodel format {version}, {build_time}).",
        en_fix="",
        ja="TPU-MLIR {mlir_version} で {chip} 向けに作られました（cvimodel 形式 {version}、{build_time}）。",
        ja_fix="",
    ),
    "cvimodel_summary_memory": Entry(
        en="Needs {ion_mb} MB of ION memory on the camera ({weights_kb} KB of weights and commands).",
        en_fix="",
        ja="カメラ上で ION メモリを {ion_mb} MB 使います（うち重みと命令が {weights_kb} KB）。",
        ja_fix="",
    ),
    "cvimodel_summary_input": Entry(
        en="Input {name}: {shape} {dtype}{format}.",
        en_fix="",
        ja="入力 {name}: {shape} {dtype}{format}。",
        ja_fix="",
    ),
    "cvimodel_summary_input_aligned": Entry(
        en="Input {name}: {shape} {dtype}{format}, rows aligned to 64 bytes (the camera's frame layout).",
        en_fix="",
        ja="入力 {name}: {shape} {dtype}{format}、行は 64 バイト境界に揃えてあります（カメラのフレームの形式）。",
        ja_fix="",
    ),
    "cvimodel_summary_output": Entry(
        en="Output {index} {name}: {shape} {dtype}.",
        en_fix="",
        ja="出力 {index} {name}: {shape} {dtype}。",
        ja_fix="",
    ),
    "cvimodel_summary_output_quantized": Entry(
        en="Output {index} {name}: {shape} {dtype}, scale {qscale}, zero point {zero_point}.",
        en_fix="",
        ja="出力 {index} {name}: {shape} {dtype}、スケール {qscale}、ゼロ点 {zero_point}。",
        ja_fix="",
    ),
    "cvimodel_summary_fits_yolo11": Entry(
        en="Fits the reCamera's YOLO detector: {size}x{size} input, {classes} classes, box and class outputs "
        "interleaved per stride (read by its YOLO11 decoder).",
        en_fix="",
        ja="reCamera の YOLO 検出器に合います: 入力 {size}x{size}、{classes} クラス、ストライドごとにボックスと"
        "クラスの出力が交互に並んでいます（YOLO11 デコーダーで読みます）。",
        ja_fix="",
    ),
    "cvimodel_summary_fits_yolov8": Entry(
        en="Fits the reCamera's YOLO detector: {size}x{size} input, {classes} classes, the three box outputs "
        "first (read by its YOLOv8 decoder).",
        en_fix="",
        ja="reCamera の YOLO 検出器に合います: 入力 {size}x{size}、{classes} クラス、ボックス出力 3 つが先に"
        "並んでいます（YOLOv8 デコーダーで読みます）。",
        ja_fix="",
    ),
    "cvimodel_summary_no_fit": Entry(
        en="Does not fit the reCamera's YOLO detector.",
        en_fix="",
        ja="reCamera の YOLO 検出器には合いません。",
        ja_fix="",
    ),
}
