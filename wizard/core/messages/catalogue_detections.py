"""Messages of the detection check: float vs INT8 boxes on the user's own pictures."""

from wizard.core.messages import Entry

ENTRIES = {
    "detections_write_failed": Entry(
        en="The detection check could not write its results into {path}: {detail}.",
        en_fix="Free space on that drive (the model and the conversion's results are kept), then run the "
               "check again: recamera-wizard compare {path}",
        ja="検出チェックの結果を {path} に書き込めませんでした: {detail}。",
        ja_fix="そのドライブの空きを増やしてから（モデルと変換結果は残っています）、もう一度チェックしてください: "
               "recamera-wizard compare {path}",
    ),
    # --- what the check cannot work with --------------------------------------------------------
    "detections_unsupported_input": Entry(
        en="The detection check cannot prepare pictures for this model's input ({detail}).",
        en_fix="The check supports RGB or BGR models with packed fused preprocessing, as the reCamera "
               "presets build them. The converted model itself is not affected.",
        ja="このモデルの入力に合わせて画像を用意できないため、検出チェックを行えません（{detail}）。",
        ja_fix="検出チェックが扱えるのは、reCamera プリセットで作られる RGB または BGR の packed 融合前処理の"
               "モデルです。変換したモデル自体には影響ありません。",
    ),
    "detections_not_a_run": Entry(
        en="{path} is not a run folder of the wizard (it has no recipe.json).",
        en_fix="Give the folder a conversion wrote (convert --out RUN_DIR).",
        ja="{path} はウィザードの実行フォルダではありません（recipe.json がありません）。",
        ja_fix="変換が書き出したフォルダ（convert --out RUN_DIR）を指定してください。",
    ),
    "detections_run_no_model": Entry(
        en="The run in {path} has no converted model to check (its result: {verdict}).",
        en_fix="Convert the model first: the check compares the converted model with the original.",
        ja="{path} の実行には、チェックできる変換済みモデルがありません（結果: {verdict}）。",
        ja_fix="先にモデルを変換してください。チェックは変換後のモデルと元のモデルを比べます。",
    ),
    "detections_unsupported_model": Entry(
        en="The detection check runs .cvimodel files (CV18xx, the reCamera's chip); this run made {name}.",
        en_fix="Convert for the reCamera (processor cv181x) to check the detections.",
        ja="検出チェックが実行できるのは .cvimodel（reCamera のチップ CV18xx 用）です。この実行で作られたのは "
           "{name} です。",
        ja_fix="検出を確認するには、reCamera 用（プロセッサ cv181x）に変換してください。",
    ),
    "detections_backend_unknown": Entry(
        en="The detection check cannot run where this conversion ran ({backend}).",
        en_fix="Run the check with the local Docker or the VM's Docker (--backend docker or ssh).",
        ja="この変換を実行した場所（{backend}）では検出チェックを行えません。",
        ja_fix="ローカルの Docker か VM の Docker でチェックしてください（--backend docker または ssh）。",
    ),
    "detections_camera_unreachable": Entry(
        en="The camera's Node-RED at {address} does not answer ({detail}), so its thresholds could not be read.",
        en_fix="Connect the camera (USB: 192.168.42.1) and wait until its web page shows the flow, or check "
               "without it: untick \"Decode with my camera's thresholds\" (on the command line: leave out "
               "--thresholds-from-camera, or give --score and --iou yourself).",
        ja="{address} のカメラの Node-RED が応答しないため（{detail}）、しきい値を読み取れませんでした。",
        ja_fix="カメラを接続し（USB: 192.168.42.1）、Web ページにフローが表示されるまで待ってください。"
               "カメラなしで確認するには「カメラのしきい値でデコードする」のチェックを外してください（コマンドラインでは "
               "--thresholds-from-camera を外すか、--score と --iou を指定します）。",
    ),
    "detections_camera_no_model_node": Entry(
        en="The camera at {address} has no enabled model node with usable thresholds in its Node-RED flow.",
        en_fix="Deploy a model to the camera first (the Camera page, or recamera-wizard deploy), or check with the "
               "default thresholds (untick \"Decode with my camera's thresholds\"; on the command line give "
               "--score and --iou yourself).",
        ja="{address} のカメラの Node-RED フローに、しきい値を読める有効なモデルノードがありません。",
        ja_fix="先にカメラへモデルを配置するか（「カメラ」ページ、または recamera-wizard deploy）、既定のしきい値で"
               "確認してください（「カメラのしきい値でデコードする」のチェックを外す。コマンドラインでは --score と "
               "--iou を指定）。",
    ),
    "detections_bad_thresholds": Entry(
        en="A score threshold of {score} and an IoU threshold of {iou} cannot be used.",
        en_fix="Give fractions as the camera takes them: a score between 0 and 1 (e.g. 0.45) and an IoU "
               "above 0 up to 1 (e.g. 0.25).",
        ja="スコアしきい値 {score}、IoU しきい値 {iou} は使えません。",
        ja_fix="カメラと同じく小数で指定してください。スコアは 0 と 1 の間（例 0.45）、IoU は 0 より大きく 1 以下"
               "（例 0.25）です。",
    ),
    "detections_picture_unreadable": Entry(
        en="{path} could not be read as a picture ({detail}); it was left out of the check.",
        en_fix="Use JPEG or PNG pictures.",
        ja="{path} を画像として読めなかったため、チェックから外しました（{detail}）。",
        ja_fix="JPEG または PNG の画像を使ってください。",
    ),
    "detections_outputs_unreadable": Entry(
        en="The model outputs in {path} could not be read ({detail}).",
        en_fix="Run the detection check again; the damaged file is not reused.",
        ja="{path} のモデル出力を読めませんでした（{detail}）。",
        ja_fix="検出チェックをもう一度実行してください。壊れたファイルは再利用しません。",
    ),
    "detections_outputs_missing": Entry(
        en="The {side} model's outputs have no tensor {name}.",
        en_fix="Convert the model again with the head outputs the wizard finds, so both models end in "
               "the same six tensors.",
        ja="{side} モデルの出力にテンソル {name} がありません。",
        ja_fix="ウィザードが見つけたヘッド出力でもう一度変換し、両方のモデルが同じ 6 つのテンソルで"
               "終わるようにしてください。",
    ),
    "detections_outputs_shape": Entry(
        en="The output {name} has the shape {shape}, but the detection head needs {expected}.",
        en_fix="Convert the model again with the head outputs the wizard finds.",
        ja="出力 {name} の形は {shape} ですが、検出ヘッドには {expected} が必要です。",
        ja_fix="ウィザードが見つけたヘッド出力でもう一度変換してください。",
    ),
    "detections_heads_classify": Entry(
        en="This is a classification model: it outputs class scores, not boxes, so there are no "
           "detections to compare.",
        en_fix="The similarity check of the conversion still tells how close the INT8 model is.",
        ja="これは分類モデルです。出力はクラスのスコアでボックスではないため、比較する検出がありません。",
        ja_fix="INT8 モデルがどれだけ近いかは、変換時の類似度チェックで分かります。",
    ),
    "detections_heads_obb": Entry(
        en="This is an oriented-box (OBB) model: the camera's decoders read upright boxes only, so its "
           "detections cannot be compared.",
        en_fix="Use a detect, segment or pose model for the reCamera.",
        ja="これは回転ボックス（OBB）モデルです。カメラのデコーダは回転しないボックスしか読めないため、"
           "検出を比較できません。",
        ja_fix="reCamera には detect、segment、pose のモデルを使ってください。",
    ),
    "detections_heads_output0": Entry(
        en="The model was cut at its final output ({names}) instead of the six head convolutions the "
           "camera decodes.",
        en_fix="Convert again with the head outputs the wizard finds: the camera's YOLO decoders need "
               "the box and class convolutions of each scale.",
        ja="モデルがカメラのデコードする 6 つのヘッド畳み込みではなく、最終出力（{names}）で切られています。",
        ja_fix="ウィザードが見つけたヘッド出力でもう一度変換してください。カメラの YOLO デコーダには各スケールの"
               "ボックスとクラスの畳み込みが必要です。",
    ),
    "detections_heads_end_to_end": Entry(
        en="This model has an end-to-end head (YOLOv10 or YOLO26), which the camera's decoders do not read.",
        en_fix="Use a YOLOv8 or YOLO11 model.",
        ja="このモデルには end-to-end ヘッド（YOLOv10 または YOLO26）があり、カメラのデコーダでは読めません。",
        ja_fix="YOLOv8 または YOLO11 のモデルを使ってください。",
    ),
    "detections_heads_not_found": Entry(
        en="The model's outputs are not the six detection heads (box and class for strides 8, 16 and 32) "
           "that the check and the camera decode. Found: {found}.",
        en_fix="Convert again with the head outputs the wizard finds, without editing the output list.",
        ja="モデルの出力が、チェックとカメラがデコードする 6 つの検出ヘッド（ストライド 8、16、32 の"
           "ボックスとクラス）になっていません。見つかったもの: {found}。",
        ja_fix="出力リストを手で変えずに、ウィザードが見つけたヘッド出力でもう一度変換してください。",
    ),
    "detections_heads_box_channels": Entry(
        en="The box head {name} has {channels} channels; the camera decodes 64 (4 sides x 16 bins).",
        en_fix="Use a YOLOv8 or YOLO11 model trained with the default box head (reg_max 16).",
        ja="ボックスヘッド {name} のチャンネル数は {channels} ですが、カメラがデコードするのは 64"
           "（4 辺 × 16 ビン）です。",
        ja_fix="標準のボックスヘッド（reg_max 16）で学習した YOLOv8 または YOLO11 のモデルを使ってください。",
    ),
    "detections_report_unreadable": Entry(
        en="{path} is not a detection report the wizard can read ({detail}).",
        en_fix="Run the detection check again; it writes a new report.",
        ja="{path} はウィザードが読める検出レポートではありません（{detail}）。",
        ja_fix="検出チェックをもう一度実行してください。新しいレポートを書き出します。",
    ),
    "detections_no_pictures": Entry(
        en="There is no picture the detection check can use.",
        en_fix="Give the conversion a test picture, or choose a folder of JPEG or PNG pictures to check with.",
        ja="検出チェックに使える画像がありません。",
        ja_fix="変換にテスト画像を指定するか、チェックに使う JPEG または PNG の画像フォルダを選んでください。",
    ),
    "detections_runner_no_output": Entry(
        en="model_runner finished without writing {path}.",
        en_fix="Look at the toolchain's messages above for the cause, then run the check again.",
        ja="model_runner が {path} を書き出さずに終了しました。",
        ja_fix="上に表示されたツールチェーンのメッセージで原因を確認し、もう一度チェックしてください。",
    ),
    "detections_cancelled": Entry(
        en="The detection check was stopped.",
        en_fix="Outputs of the pictures already done are kept; running it again continues from there.",
        ja="検出チェックを中止しました。",
        ja_fix="済んだ画像の出力は保存されています。もう一度実行すると、その続きから行います。",
    ),
    "detections_report_reused": Entry(
        en="This model was already checked on these pictures with these thresholds: the saved results "
           "are shown.",
        en_fix="",
        ja="このモデルは同じ画像、同じしきい値でチェック済みです。保存された結果を表示します。",
        ja_fix="",
    ),
    # --- running model_runner where the toolchain is ---------------------------------------------
    "detections_runner_failed": Entry(
        en="model_runner stopped on the picture {picture} ({model}, in {where}, exit code {exit_code}). "
           "Its last lines: {detail}",
        en_fix="If that picture is unusual, check without it (choose a folder of check pictures); otherwise "
               "look at the lines above. Pictures already done are kept: running the check again continues.",
        ja="model_runner が画像 {picture} で止まりました（{model}、{where}、終了コード {exit_code}）。"
           "最後の出力: {detail}",
        ja_fix="その画像が特殊なら、外してチェックしてください（チェック用の画像フォルダを選べます）。そうでなければ"
               "上の出力を確認してください。済んだ画像は保存されているので、もう一度実行すると続きから行います。",
    ),
    "detections_runner_out_of_memory": Entry(
        en="model_runner ran out of memory on the picture {picture} ({model}, in {where}).",
        en_fix="The CV18xx simulator needs about 2 GB for a 640 px model: give Docker (or the VM) more memory "
               "or close other programs, then run the check again; pictures already done are kept.",
        ja="model_runner が画像 {picture} でメモリ不足になりました（{model}、{where}）。",
        ja_fix="CV18xx シミュレータは 640 px のモデルで約 2 GB 必要です。Docker（または VM）のメモリを増やすか、"
               "ほかのプログラムを閉じてから、もう一度チェックしてください。済んだ画像は保存されています。",
    ),
    "detections_runner_not_started": Entry(
        en="model_runner could not be started in {where} (exit code {exit_code}): {detail}",
        en_fix="Run the check where the conversion ran: the same toolchain image (with python3 in it) "
               "or the same TPU-MLIR environment.",
        ja="{where} で model_runner を起動できませんでした（終了コード {exit_code}）: {detail}",
        ja_fix="変換を行ったのと同じ場所（python3 の入った同じツールチェーンのイメージ、または同じ TPU-MLIR 環境）で"
               "チェックしてください。",
    ),
    "detections_driver_missing": Entry(
        en="This installation of the wizard lacks {path}, which the detection check sends to the toolchain.",
        en_fix="Install the wizard again; the conversion itself is not affected.",
        ja="このウィザードのインストールには、検出チェックがツールチェーンに送る {path} がありません。",
        ja_fix="ウィザードをインストールし直してください。変換そのものには影響ありません。",
    ),
    "detections_toolchain_missing": Entry(
        en="{tool} was not found in {where}, so the models cannot be run there.",
        en_fix="Run the check where the conversion ran (the same toolchain image or TPU-MLIR environment).",
        ja="{where} に {tool} が見つからないため、そこでモデルを実行できません。",
        ja_fix="変換を行ったのと同じ場所（同じツールチェーンのイメージまたは TPU-MLIR 環境）でチェックしてください。",
    ),
    "detections_model_files_missing": Entry(
        en="{path} is missing, so the original model cannot be run.",
        en_fix="The check needs the workspace/work folder the conversion left in the run folder; convert "
               "again into this run folder to make it.",
        ja="{path} がないため、元のモデルを実行できません。",
        ja_fix="チェックには、変換が実行フォルダに残した workspace/work フォルダが必要です。この実行フォルダに"
               "もう一度変換すると作られます。",
    ),
    "detections_runner_lost": Entry(
        en="The connection to {where} was lost during the detection check.",
        en_fix="Check the network and run the check again: the pictures already done are kept.",
        ja="検出チェックの途中で {where} との接続が切れました。",
        ja_fix="ネットワークを確認して、もう一度チェックしてください。済んだ画像は保存されています。",
    ),
    # --- progress ---------------------------------------------------------------------------------
    "detections_progress_prepare": Entry(
        en="Preparing {count} pictures for both models.", en_fix="",
        ja="両方のモデル用に {count} 枚の画像を準備しています。", ja_fix="",
    ),
    "detections_progress_cached": Entry(
        en="Reusing the saved outputs of {count} pictures.", en_fix="",
        ja="{count} 枚の画像は保存済みの出力を使います。", ja_fix="",
    ),
    "detections_progress_original": Entry(
        en="Original model: picture {done} of {total} ({name}){eta}.", en_fix="",
        ja="元のモデル: {total} 枚中 {done} 枚目（{name}）{eta}。", ja_fix="",
    ),
    "detections_progress_int8": Entry(
        en="INT8 model on the simulator: picture {done} of {total} ({name}){eta}.", en_fix="",
        ja="シミュレータ上の INT8 モデル: {total} 枚中 {done} 枚目（{name}）{eta}。", ja_fix="",
    ),
    "detections_eta_minutes": Entry(
        en=", about {minutes} min left", en_fix="", ja="、残り約 {minutes} 分", ja_fix="",
    ),
    "detections_eta_seconds": Entry(
        en=", about {seconds} s left", en_fix="", ja="、残り約 {seconds} 秒", ja_fix="",
    ),
    "detections_progress_report": Entry(
        en="Comparing the detections and drawing the pictures.", en_fix="",
        ja="検出を比較し、画像を描いています。", ja_fix="",
    ),
    # --- notes shown with a comparison ------------------------------------------------------------
    "detections_note_boxes_only": Entry(
        en="This is a {task} model: the check compares its boxes; masks and keypoints are not compared.",
        en_fix="",
        ja="これは {task} モデルです。チェックではボックスを比較し、マスクやキーポイントは比較しません。",
        ja_fix="",
    ),
    "detections_note_heads_by_shape": Entry(
        en="The head outputs were recognised by their shapes, as their names are not the usual "
           "Ultralytics ones.",
        en_fix="",
        ja="ヘッド出力の名前が通常の Ultralytics の名前ではないため、形から判別しました。",
        ja_fix="",
    ),
    "detections_camera_no_decoder": Entry(
        en="In this output order the camera's YOLO decoders will not recognise the model, whatever the "
           "check shows.",
        en_fix="Convert again with the head outputs the wizard finds (box, class for each scale, "
               "in the model's own order).",
        ja="この出力の順序では、チェックの結果にかかわらず、カメラの YOLO デコーダはモデルを認識しません。",
        ja_fix="ウィザードが見つけたヘッド出力（各スケールのボックス、クラスをモデル本来の順序で）で"
               "もう一度変換してください。",
    ),
    "detections_camera_yolov8_order": Entry(
        en="The model lists all box heads before the class heads, so the camera will use its YoloV8 "
           "decoder, which reads boxes from the wrong tensor for float outputs.",
        en_fix="Convert again with the head outputs in the model's own order (box, class per scale): "
               "the camera then uses its Yolo11 decoder, the one this check reproduces.",
        ja="モデルの出力がボックスヘッドをすべてクラスヘッドより前に並べているため、カメラは YoloV8 デコーダを"
           "使います。このデコーダは float 出力のとき、間違ったテンソルからボックスを読みます。",
        ja_fix="モデル本来の順序（スケールごとにボックス、クラス）のヘッド出力でもう一度変換してください。"
               "そうするとカメラはこのチェックが再現する Yolo11 デコーダを使います。",
    ),
    "detections_note_int8_outputs": Entry(
        en="This model has int8 outputs. The camera reads them with the box and class scales swapped: "
           "the INT8 side shows what the camera reports ({camera} boxes); with the right scales it "
           "would find {correct}.",
        en_fix="Convert without --quant_output so the outputs stay float; the camera then decodes them "
               "correctly.",
        ja="このモデルの出力は int8 です。カメラはボックスとクラスのスケールを入れ替えて読みます。"
           "INT8 側はカメラが報告する結果（{camera} 個）を示しています。正しいスケールなら {correct} 個です。",
        ja_fix="--quant_output を付けずに変換して出力を float のままにすると、カメラは正しくデコードします。",
    ),
    "detections_note_int8_scales_unknown": Entry(
        en="The int8 output scales could not be recovered, so the camera's swapped-scale reading is not "
           "shown; the INT8 side uses the correct scales.",
        en_fix="",
        ja="int8 出力のスケールを復元できなかったため、カメラのスケール入れ替えの影響は示していません。"
           "INT8 側は正しいスケールで読んでいます。",
        ja_fix="",
    ),
    "detections_note_ultralytics": Entry(
        en="On the original model, Ultralytics' own post-processing (score > {conf}, class-aware NMS at "
           "IoU {iou}, at most {max_det} boxes) finds {ultralytics} boxes where the camera's decoder finds "
           "{camera}: {below} are below the camera's score threshold and {suppressed} are removed by its "
           "NMS, which ignores classes.",
        en_fix="",
        ja="元のモデルに対して、Ultralytics 自身の後処理（スコア > {conf}、IoU {iou} のクラス別 NMS、最大 "
           "{max_det} 個）は {ultralytics} 個のボックスを見つけ、カメラのデコーダは {camera} 個です。"
           "そのうち {below} 個はカメラのスコアしきい値を下回り、{suppressed} 個はクラスを区別しない"
           " NMS で消されます。",
        ja_fix="",
    ),
    # --- the verdict ------------------------------------------------------------------------------
    "detections_verdict_good": Entry(
        en="On {pictures} pictures the INT8 model finds what the original finds: {agreement} agreement "
           "(recall {recall}, precision {precision}; {missed} missed, {extra} extra).",
        en_fix="",
        ja="{pictures} 枚の画像で、INT8 モデルは元のモデルと同じものを見つけています: 一致度 {agreement}"
           "（再現率 {recall}、適合率 {precision}。見逃し {missed}、余分 {extra}）。",
        ja_fix="",
    ),
    "detections_verdict_fair": Entry(
        en="On {pictures} pictures the INT8 model mostly finds what the original finds, with some losses: "
           "{agreement} agreement (recall {recall}, precision {precision}; {missed} missed, {extra} extra).",
        en_fix="Look at the worst pictures first, then try the suggestions below.",
        ja="{pictures} 枚の画像で、INT8 モデルは元のモデルとほぼ同じものを見つけていますが、差もあります: "
           "一致度 {agreement}（再現率 {recall}、適合率 {precision}。見逃し {missed}、余分 {extra}）。",
        ja_fix="まず差の大きい画像を確認し、下の提案を試してください。",
    ),
    "detections_verdict_poor": Entry(
        en="On {pictures} pictures quantization changed the detections a lot: {agreement} agreement "
           "(recall {recall}, precision {precision}; {missed} missed, {extra} extra).",
        en_fix="Look at the worst pictures first, then try the suggestions below before deploying.",
        ja="{pictures} 枚の画像で、量子化によって検出が大きく変わりました: 一致度 {agreement}"
           "（再現率 {recall}、適合率 {precision}。見逃し {missed}、余分 {extra}）。",
        ja_fix="まず差の大きい画像を確認し、デプロイ前に下の提案を試してください。",
    ),
    "detections_verdict_nothing": Entry(
        en="Neither model found anything above the score threshold {score} on the {pictures} pictures, "
           "so there is nothing to compare.",
        en_fix="Check with pictures that show the objects the model was trained on.",
        ja="{pictures} 枚の画像で、どちらのモデルもスコアしきい値 {score} を超えるものを見つけなかったため、"
           "比較するものがありません。",
        ja_fix="モデルが学習した物体が写っている画像でチェックしてください。",
    ),
    "detections_try_calibration": Entry(
        en="Use more, and more varied, calibration pictures that look like what the camera will see "
           "(lighting, distance, background).",
        en_fix="",
        ja="カメラが実際に写すもの（明るさ、距離、背景）に近い、より多く多様なキャリブレーション画像を使ってください。",
        ja_fix="",
    ),
    "detections_try_strict_preset": Entry(
        en="Convert with the preset \"reCamera, stricter accuracy check\": more calibration pictures and "
           "a closer match required.",
        en_fix="",
        ja="プリセット「reCamera（精度チェックを厳しく）」で変換してください。キャリブレーション画像が増え、"
           "より近い一致が求められます。",
        ja_fix="",
    ),
    "detections_try_mixed_precision": Entry(
        en="Keep the layers with the lowest similarity in BF16 (mixed precision) and convert again.",
        en_fix="",
        ja="類似度の最も低い層を BF16 のまま残して（混合精度）、もう一度変換してください。",
        ja_fix="",
    ),
    "detections_try_lower_threshold": Entry(
        en="{count} of the {missed} missed boxes were found by the INT8 model just below the score "
           "threshold {current}: a threshold of {threshold} on the camera would keep them.",
        en_fix="",
        ja="見逃した {missed} 個のうち {count} 個は、INT8 モデルがスコアしきい値 {current} のすぐ下で"
           "見つけていました。カメラのしきい値を {threshold} にすると残せます。",
        ja_fix="",
    ),
    # --- drawing -------------------------------------------------------------------------------------
    "detections_label_original": Entry(
        en="original", en_fix="", ja="元のモデル", ja_fix="",
    ),
    "detections_label_int8": Entry(
        en="INT8", en_fix="", ja="INT8（量子化後）", ja_fix="",
    ),
    "detections_label_missed": Entry(
        en="missed", en_fix="", ja="見逃し", ja_fix="",
    ),
    "detections_label_extra": Entry(
        en="extra", en_fix="", ja="余分", ja_fix="",
    ),
    "detections_label_class_changed": Entry(
        en="class changed", en_fix="", ja="クラス変化", ja_fix="",
    ),
    "detections_picture_summary": Entry(
        en="{matched} kept, {missed} missed, {extra} extra, {changed} changed class",
        en_fix="",
        ja="一致 {matched}、見逃し {missed}、余分 {extra}、クラス変化 {changed}",
        ja_fix="",
    ),
    # --- the command line (recamera-wizard compare, and convert's check) ---------------------------
    "cli_compare_heading": Entry(
        en="Detection check of {run}: {pictures} pictures, the original model and the INT8 model decoded as "
           "the camera does.",
        en_fix="",
        ja="{run} の検出チェック: {pictures} 枚の画像で、元のモデルと INT8 モデルをカメラと同じ方法でデコードしました。",
        ja_fix="",
    ),
    "cli_compare_thresholds": Entry(
        en="Thresholds: score above {score}, boxes overlapping more than IoU {iou} removed ({source}). "
           "Ultralytics' own defaults, for reference: score {conf}, IoU {ref_iou}, per class.",
        en_fix="",
        ja="しきい値: スコア {score} 超、IoU {iou} を超えて重なるボックスは除去（{source}）。参考までに "
           "Ultralytics 自身の既定値: スコア {conf}、IoU {ref_iou}、クラスごと。",
        ja_fix="",
    ),
    "cli_compare_source_model_node_default": Entry(
        en="the camera's model node defaults", en_fix="", ja="カメラのモデルノードの既定値", ja_fix="",
    ),
    "cli_compare_source_factory_flow": Entry(
        en="the camera's factory flow", en_fix="", ja="カメラの出荷時のフロー", ja_fix="",
    ),
    "cli_compare_source_camera_flow": Entry(
        en="read from the camera's flow", en_fix="", ja="カメラのフローから読み取り", ja_fix="",
    ),
    "cli_compare_source_user": Entry(
        en="chosen by you", en_fix="", ja="指定した値", ja_fix="",
    ),
    "cli_compare_drift": Entry(
        en="Matched boxes: mean IoU {iou}; score change INT8 minus original {drift} on average, worst {worst}; "
           "{changed} boxes changed class.",
        en_fix="",
        ja="一致したボックス: 平均 IoU {iou}。スコアの変化（INT8 − 元）は平均 {drift}、最大 {worst}。"
           "クラスが変わったボックス {changed} 個。",
        ja_fix="",
    ),
    "cli_compare_per_class": Entry(en="Per class:", en_fix="", ja="クラスごと:", ja_fix=""),
    "cli_compare_class_line": Entry(
        en="{label}: agreement {agreement} (original {original}, INT8 {int8}, matched {matched})", en_fix="",
        ja="{label}: 一致度 {agreement}（元 {original}、INT8 {int8}、一致 {matched}）", ja_fix="",
    ),
    "cli_compare_worst": Entry(en="Pictures, worst first:", en_fix="", ja="画像（差の大きい順）:", ja_fix=""),
    "cli_compare_picture_line": Entry(
        en="{rank}. {name}: agreement {agreement}, {summary}", en_fix="",
        ja="{rank}. {name}: 一致度 {agreement}、{summary}", ja_fix="",
    ),
    "cli_compare_more_pictures": Entry(
        en="... and {count} more (all in the report)", en_fix="", ja="…ほか {count} 枚（すべてレポートにあります）", ja_fix="",
    ),
    "cli_compare_try": Entry(en="What to try:", en_fix="", ja="試せること:", ja_fix=""),
    "cli_compare_skipped": Entry(
        en="{count} pictures were left out (see the warnings above).", en_fix="",
        ja="{count} 枚の画像を外しました（上の警告を参照）。", ja_fix="",
    ),
    "cli_compare_pictures_path": Entry(
        en="Side-by-side pictures (original | INT8): {path}", en_fix="",
        ja="並べた画像（元 | INT8）: {path}", ja_fix="",
    ),
    "cli_compare_report_path": Entry(en="Report: {path}", en_fix="", ja="レポート: {path}", ja_fix=""),
    "cli_convert_check_failed": Entry(
        en="The model was converted, but the detection check did not finish.",
        en_fix="Run it again when the cause above is fixed: recamera-wizard compare \"{run}\"",
        ja="モデルは変換できましたが、検出チェックは完了しませんでした。",
        ja_fix="上の原因を直してから、もう一度実行してください: recamera-wizard compare \"{run}\"",
    ),
}
