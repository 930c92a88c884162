"""Messages of the plan: choices that cannot work together, refused before anything runs."""

from wizard.core.messages import Entry

ENTRIES = {
    "plan_cancelled": Entry(
        en="Staging the workspace {out} was cancelled.",
        en_fix="What {out} held before is as it was (a folder made for it was removed again); "
        "start again when you are ready.",
        ja="ワークスペース {out} の準備をキャンセルしました。",
        ja_fix="{out} に以前からあったものはそのままです（このために作ったフォルダは削除しました）。"
        "準備ができたらもう一度開始してください。",
    ),
    "recipe_unreadable": Entry(
        en="{path} is not a recipe the wizard can read ({detail}).",
        en_fix="Pick the recipe.json saved by the wizard, or start a new conversion.",
        ja="{path} はウィザードが読めるレシピではありません（{detail}）。",
        ja_fix="ウィザードが保存した recipe.json を選ぶか、新しい変換を始めてください。",
    ),
}

ENTRIES.update({
    "plan_unknown_processor": Entry(
        en="The toolchain does not know the processor \"{processor}\".",
        en_fix="Pick one of: {known}. Every reCamera is cv181x.",
        ja="ツールチェーンはプロセッサ「{processor}」を知りません。",
        ja_fix="次から選んでください: {known}。reCamera はすべて cv181x です。",
    ),
    "plan_quantize_unsupported": Entry(
        en="{processor} cannot run {quantize} models (the toolchain would stop with "
           "\"raw format not support current type\").",
        en_fix="Choose one of: {allowed}. For the reCamera, INT8 is the usual choice.",
        ja="{processor} は {quantize} モデルを実行できません（ツールチェーンは "
           "\"raw format not support current type\" で止まります）。",
        ja_fix="次から選んでください: {allowed}。reCamera では通常 INT8 を使います。",
    ),
    "plan_aligned_needs_fuse": Entry(
        en="\"Aligned input\" only works when preprocessing is fused into the model.",
        en_fix="Turn on \"Fuse preprocessing\", or turn off \"Aligned input\".",
        ja="「アラインされた入力」は前処理をモデルに統合したときだけ使えます。",
        ja_fix="「前処理の統合」をオンにするか、「アラインされた入力」をオフにしてください。",
    ),
    "plan_customization_needs_fuse": Entry(
        en="The input format {format} only applies when preprocessing is fused into the model.",
        en_fix="Turn on \"Fuse preprocessing\", or clear the input format.",
        ja="入力フォーマット {format} は前処理をモデルに統合したときだけ有効です。",
        ja_fix="「前処理の統合」をオンにするか、入力フォーマットを空にしてください。",
    ),
    "plan_aligned_cv18xx_only": Entry(
        en="\"Aligned input\" exists only on CV18xx processors, not on {processor}.",
        en_fix="Turn off \"Aligned input\" for {processor}.",
        ja="「アラインされた入力」は CV18xx プロセッサ専用で、{processor} にはありません。",
        ja_fix="{processor} では「アラインされた入力」をオフにしてください。",
    ),
    "plan_bad_customization_format": Entry(
        en="\"{format}\" is not an input format the toolchain accepts.",
        en_fix="Choose one of: {allowed}. The reCamera uses RGB_PACKED.",
        ja="「{format}」はツールチェーンが受け付ける入力フォーマットではありません。",
        ja_fix="次から選んでください: {allowed}。reCamera は RGB_PACKED を使います。",
    ),
    "plan_bad_pixel_format": Entry(
        en="\"{format}\" is not a pixel format the toolchain accepts.",
        en_fix="Choose one of: {allowed}. YOLO models trained with Ultralytics use rgb.",
        ja="「{format}」はツールチェーンが受け付けるピクセルフォーマットではありません。",
        ja_fix="次から選んでください: {allowed}。Ultralytics で学習した YOLO は rgb です。",
    ),
    "plan_bad_mean_scale": Entry(
        en="{option} has {count} values but the model's input has {channels} channels.",
        en_fix="Give one value per channel, separated by commas (e.g. 0.0,0.0,0.0).",
        ja="{option} の値は {count} 個ですが、モデルの入力は {channels} チャンネルです。",
        ja_fix="チャンネルごとに 1 つずつ、カンマ区切りで指定してください（例: 0.0,0.0,0.0）。",
    ),
    "plan_bad_tolerance": Entry(
        en="The tolerance {tolerance} is not two numbers between 0 and 1.",
        en_fix="Use cosine,euclidean such as 0.8,0.5 (the toolchain's default) or 0.85,0.45.",
        ja="許容値 {tolerance} は 0〜1 の 2 つの数値ではありません。",
        ja_fix="0.8,0.5（既定）や 0.85,0.45 のように「コサイン,ユークリッド」で指定してください。",
    ),
    "plan_bad_count": Entry(
        en="The calibration count {count} is out of range.",
        en_fix="Use between 1 and {maximum} images; 100 is a good balance.",
        ja="キャリブレーション枚数 {count} は範囲外です。",
        ja_fix="1〜{maximum} 枚の範囲で指定してください。100 枚がよいバランスです。",
    ),
    "plan_calibration_memory": Entry(
        en="Calibrating with {count} images holds about {gigabytes} GB in memory; "
           "machines with less RAM end the run without a message.",
        en_fix="Use fewer images (100 is usually enough) or a machine with more memory.",
        ja="{count} 枚でキャリブレーションすると約 {gigabytes} GB のメモリを使います。"
           "メモリが足りないと何も表示されずに終了します。",
        ja_fix="枚数を減らす（通常は 100 枚で十分）か、メモリの多いマシンを使ってください。",
    ),
    "plan_output_names_required": Entry(
        en="{path} is not a YOLO model the wizard recognises, so it cannot pick the output tensors.",
        en_fix="Name the output tensors yourself (expert options → output names).",
        ja="{path} はウィザードが認識できる YOLO モデルではないため、出力テンソルを選べません。",
        ja_fix="出力テンソル名を自分で指定してください（エキスパート設定 → 出力名）。",
    ),
    "plan_bad_output_names": Entry(
        en="An output name is empty.",
        en_fix="Give the tensor names separated by commas, without empty entries.",
        ja="空の出力名があります。",
        ja_fix="テンソル名を空の項目なしでカンマ区切りで指定してください。",
    ),
    "plan_output_names_missing": Entry(
        en="{path} has no tensor named: {names}. The toolchain would stop with "
           "\"Error, can't find [...] in model\".",
        en_fix="Check the spelling, or clear the output names to let the wizard find the YOLO head.",
        ja="{path} には次の名前のテンソルがありません: {names}。ツールチェーンは "
           "\"Error, can't find [...] in model\" で止まります。",
        ja_fix="綴りを確認するか、出力名を空にしてウィザードに YOLO ヘッドを探させてください。",
    ),
})

ENTRIES.update({
    "preset_unknown": Entry(
        en="There is no preset called \"{preset}\".",
        en_fix="Choose one of: {known}.",
        ja="「{preset}」というプリセットはありません。",
        ja_fix="次から選んでください: {known}。",
    ),
    "preset_unreadable": Entry(
        en="The preset file {path} cannot be read ({detail}).",
        en_fix="Reinstall the app, or remove the file if you added it yourself.",
        ja="プリセットファイル {path} を読み込めません（{detail}）。",
        ja_fix="アプリを再インストールするか、自分で追加したファイルなら削除してください。",
    ),
})
