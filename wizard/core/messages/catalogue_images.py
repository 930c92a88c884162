"""Messages about calibration images and the test image.

Every rejection names the file and says what to do; notes (``info``) tell the user what the
wizard changed in its converted copy, never in the original.
"""

from wizard.core.messages import Entry

# Shared fix for a file that is simply not usable: the user's original stays where it is.
_REMOVE_OR_REPLACE_EN = "Replace {path} with a JPEG or PNG copy, or remove it from the folder."
_REMOVE_OR_REPLACE_JA = "{path} を JPEG か PNG で保存し直すか、フォルダから外してください。"

ENTRIES = {
    # --- why a file was not used -------------------------------------------------------------
    "image_empty": Entry(
        en="{path} is empty (0 bytes).",
        en_fix="Copy the photo again from the camera or its original location, or remove {path}.",
        ja="{path} は空のファイルです（0 バイト）。",
        ja_fix="カメラや元の場所から写真をもう一度コピーするか、{path} を取り除いてください。",
    ),
    "image_unreadable": Entry(
        en="{path} cannot be read: {detail}",
        en_fix="Check that you may read {path} (permissions, a disconnected drive), then run again.",
        ja="{path} を読み込めません: {detail}",
        ja_fix="{path} の読み取り権限やドライブの接続を確認してから、もう一度実行してください。",
    ),
    "image_not_an_image": Entry(
        en="{path} is not an image (its content looks like: {kind}).",
        en_fix=_REMOVE_OR_REPLACE_EN,
        ja="{path} は画像ではありません（中身の種類: {kind}）。",
        ja_fix=_REMOVE_OR_REPLACE_JA,
    ),
    "image_needs_conversion": Entry(
        en="{path} is a {format} photo, which this installation cannot decode. "
        "{format} needs converting to JPEG.",
        en_fix="Export {path} as JPEG (macOS Preview or Photos: File > Export; Windows Photos: "
        "Save as), or on an iPhone choose Settings > Camera > Formats > Most Compatible "
        "before taking the photos.",
        ja="{path} は {format} 形式の写真で、この環境では読み込めません。"
        "{format} は JPEG への変換が必要です。",
        ja_fix="{path} を JPEG で書き出してください（macOS のプレビュー／写真: ファイル > 書き出す、"
        "Windows のフォト: 名前を付けて保存）。iPhone では撮影前に 設定 > カメラ > フォーマット > "
        "互換性優先 を選ぶと JPEG で保存されます。",
    ),
    "image_unsupported_format": Entry(
        en="{path} is a {format} file, which the wizard does not read.",
        en_fix=_REMOVE_OR_REPLACE_EN,
        ja="{path} は {format} 形式のファイルで、ウィザードでは読み込めません。",
        ja_fix=_REMOVE_OR_REPLACE_JA,
    ),
    "image_damaged": Entry(
        en="{path} is damaged or incomplete ({detail}).",
        en_fix="Copy {path} again from the camera or its original location (the copy may have "
        "been interrupted), or remove it.",
        ja="{path} は壊れているか、途中までしかありません（{detail}）。",
        ja_fix="コピーが途中で止まった可能性があります。カメラや元の場所から {path} をもう一度"
        "コピーするか、取り除いてください。",
    ),
    "image_too_large": Entry(
        en="{path} is too large to open safely ({size}; the limit is {limit} megapixels).",
        en_fix="Shrink {path} with an image editor (a long side of 4000 pixels is plenty), "
        "or remove it.",
        ja="{path} は大きすぎるため安全に開けません（{size}、上限は {limit} メガピクセル）。",
        ja_fix="画像編集ソフトで {path} を縮小する（長辺 4000 ピクセルで十分です）か、取り除いてください。",
    ),
    "image_unsupported_colours": Entry(
        en="{path} uses a colour format ({mode}) that cannot be turned into an ordinary photo.",
        en_fix="Open {path} in an image editor and save it as an RGB JPEG, or remove it.",
        ja="{path} は通常の写真に変換できない色形式（{mode}）です。",
        ja_fix="画像編集ソフトで {path} を開き、RGB の JPEG として保存し直すか、取り除いてください。",
    ),
    "image_not_a_file": Entry(
        en="{path} is a folder, not an image file.",
        en_fix="Pick an image file (JPEG or PNG) instead of a folder.",
        ja="{path} はフォルダで、画像ファイルではありません。",
        ja_fix="フォルダではなく画像ファイル（JPEG か PNG）を選んでください。",
    ),
    # --- what the wizard changed in its copy (severity "info") -----------------------------
    "image_note_cmyk": Entry(
        en="{path}: CMYK (print) colours converted to RGB.",
        en_fix="Nothing to do; colours may differ slightly from the print original.",
        ja="{path}: CMYK（印刷用）の色を RGB に変換しました。",
        ja_fix="対応は不要です。印刷用の元画像と色が少し違うことがあります。",
    ),
    "image_note_transparency": Entry(
        en="{path}: transparent areas filled with grey.",
        en_fix="Nothing to do; grey is the colour YOLO uses for padding. Use photos without "
        "transparency if the camera never sees such areas.",
        ja="{path}: 透明な部分をグレーで塗りつぶしました。",
        ja_fix="対応は不要です（グレーは YOLO が余白に使う色です）。カメラに映らない透明部分がある"
        "画像は、透明のない写真に替えるとより正確です。",
    ),
    "image_note_high_bit_depth": Entry(
        en="{path}: {bits}-bit image scaled to 8 bits per channel.",
        en_fix="Nothing to do; the camera also delivers 8-bit images.",
        ja="{path}: {bits} ビット画像を 8 ビットに変換しました。",
        ja_fix="対応は不要です（カメラの画像も 8 ビットです）。",
    ),
    "image_note_palette": Entry(
        en="{path}: palette (indexed) colours converted to full colour.",
        en_fix="Nothing to do; for better calibration prefer real photos over graphics.",
        ja="{path}: パレット（インデックス）カラーをフルカラーに変換しました。",
        ja_fix="対応は不要です。キャリブレーションには図版より実際の写真が向いています。",
    ),
    "image_note_first_frame": Entry(
        en="{path}: has {frames} frames; only the first one is used.",
        en_fix="If another frame is more typical, save that frame as a JPEG and add it instead.",
        ja="{path}: {frames} フレームあるため、最初のフレームだけを使います。",
        ja_fix="別のフレームの方が典型的なら、そのフレームを JPEG で保存して追加してください。",
    ),
    "image_note_rotated": Entry(
        en="{path}: turned upright as its EXIF orientation says.",
        en_fix="Nothing to do; the copy looks the way photo viewers show it.",
        ja="{path}: EXIF の向き情報に従って正しい向きに回転しました。",
        ja_fix="対応は不要です。写真ビューアでの見た目と同じ向きになります。",
    ),
    "image_note_downsized": Entry(
        en="{path}: downsized from {width}×{height} to {new_width}×{new_height} pixels.",
        en_fix="Nothing to do; the model sees much smaller images anyway.",
        ja="{path}: {width}×{height} から {new_width}×{new_height} ピクセルに縮小しました。",
        ja_fix="対応は不要です。モデルはもっと小さい画像で推論します。",
    ),
    "image_note_near_duplicate": Entry(
        en="{path} looks almost identical to {other}.",
        en_fix="Near-identical frames add little; replace one with a different scene, light or distance.",
        ja="{path} は {other} とほぼ同じ画像です。",
        ja_fix="ほぼ同じ画像は効果が薄いため、場面・明るさ・距離の違う写真に差し替えてください。",
    ),
    # --- the calibration set as a whole --------------------------------------------------
    "calib_too_few_images": Entry(
        en="Only {usable} usable images in {path}; calibration needs at least {minimum}.",
        en_fix="Add photos taken where the camera will work (aim for {recommended} or more, "
        "varied scenes, light and distances), then run again.",
        ja="{path} で使える画像は {usable} 枚だけです。キャリブレーションには最低 {minimum} 枚必要です。",
        ja_fix="カメラを使う場所で撮った写真を追加してから（場面・明るさ・距離を変えて {recommended} 枚"
        "以上が目安）、もう一度実行してください。",
    ),
    "calib_few_images": Entry(
        en="Only {usable} usable images in {path}; {recommended} or more give a more accurate INT8 model.",
        en_fix="You can continue, but adding varied photos from the camera's real scenes "
        "usually improves accuracy.",
        ja="{path} で使える画像は {usable} 枚です。{recommended} 枚以上あると INT8 モデルの精度が上がります。",
        ja_fix="このまま続けられますが、カメラの実際の場面の写真を増やすと精度が上がることが多いです。",
    ),
    "calib_count_too_small": Entry(
        en="The image count is {count}; calibration needs at least {minimum} images.",
        en_fix="Raise the image count to {recommended} or more.",
        ja="画像の枚数が {count} 枚です。キャリブレーションには最低 {minimum} 枚必要です。",
        ja_fix="枚数を {recommended} 枚以上に増やしてください。",
    ),
    "calib_count_small": Entry(
        en="Only {count} images will be used; {recommended} or more (at least {minimum}) give "
        "a more accurate INT8 model.",
        en_fix="Raise the image count; the folder has more usable images.",
        ja="使う画像は {count} 枚だけです。{recommended} 枚以上（最低 {minimum} 枚）あると "
        "INT8 モデルの精度が上がります。",
        ja_fix="枚数を増やしてください。フォルダには使える画像がまだあります。",
    ),
    "calib_rejected_files": Entry(
        en="{count} files in {path} could not be used (for example {example}).",
        en_fix="See the list of rejected files and the reason for each; convert or remove them.",
        ja="{path} の {count} 個のファイルは使えませんでした（例: {example}）。",
        ja_fix="使えなかったファイルの一覧と理由を確認し、変換するか取り除いてください。",
    ),
    "calib_duplicates": Entry(
        en="{count} images in {path} are exact copies of another and were skipped (for example {example}).",
        en_fix="Nothing to do; remove the copies if you want to keep the folder tidy.",
        ja="{path} の {count} 枚は他の画像とまったく同じなので除外しました（例: {example}）。",
        ja_fix="対応は不要です。フォルダを整理したい場合はコピーを削除してください。",
    ),
    "calib_near_duplicates": Entry(
        en="{count} images look almost identical to another (for example {example}).",
        en_fix="Near-identical frames (e.g. from a video) add little; replace some with "
        "different scenes, light and distances.",
        ja="{count} 枚の画像が他の画像とほぼ同じです（例: {example}）。",
        ja_fix="ほぼ同じ画像（動画のコマなど）は効果が薄いため、場面・明るさ・距離の違う写真に"
        "一部を差し替えてください。",
    ),
    "calib_sampled": Entry(
        en="Using {count} of the {usable} usable images in {path}, picked at random (seed {seed}).",
        en_fix="Change the image count to use more or fewer; the same seed picks the same images.",
        ja="{path} の使える画像 {usable} 枚から、ランダムに {count} 枚を選びました（シード {seed}）。",
        ja_fix="枚数は変更できます。同じシードなら同じ画像が選ばれます。",
    ),
    "calib_memory_heavy": Entry(
        en="{count} calibration images need about {megabytes} MB of memory in the toolchain.",
        en_fix="Use fewer images (100 to 200 is usually enough) or give Docker/the VM more memory; "
        "otherwise the calibration may be killed without a message.",
        ja="キャリブレーション画像 {count} 枚には、ツールチェーンで約 {megabytes} MB のメモリが必要です。",
        ja_fix="枚数を減らす（通常は 100〜200 枚で十分です）か、Docker／VM のメモリを増やしてください。"
        "不足するとメッセージなしで強制終了することがあります。",
    ),
    "calib_output_inside_source": Entry(
        en="The output folder {out} is inside the image folder {path} (or is the same folder).",
        en_fix="Pick an output folder outside {path}, so the prepared copies never mix with your originals.",
        ja="出力フォルダ {out} が画像フォルダ {path} の中にあります（または同じフォルダです）。",
        ja_fix="準備したコピーが元の画像と混ざらないよう、{path} の外にある出力フォルダを選んでください。",
    ),
    "calib_output_full": Entry(
        en="There is not enough free space in {path} for the prepared images ({detail}).",
        en_fix="Nothing was left behind in {path}. Free some space on that drive, pick a folder "
        "on another drive, or ask for fewer or smaller images (--count, --max-side).",
        ja="{path} に、準備した画像を保存するための空き容量が足りません（{detail}）。",
        ja_fix="{path} には何も残していません。そのドライブの空きを増やすか、別のドライブのフォルダを"
        "選ぶか、枚数や大きさを減らしてください（--count、--max-side）。",
    ),
    "calib_output_full_previous_kept": Entry(
        en="There is not enough free space in {path} for the new set of images ({detail}). "
        "The previous set there was left as it was.",
        en_fix="The new set is written completely next to the previous one before it replaces "
        "it, so the drive needs room for both for a moment. Free some space on that drive, pick "
        "a folder on another drive, or ask for fewer or smaller images (--count, --max-side).",
        ja="{path} に、新しい画像セットを保存するための空き容量が足りません（{detail}）。"
        "以前のセットはそのまま残しています。",
        ja_fix="新しいセットは以前のセットの横に全部書き終えてから置き換えるため、一時的に両方が入る"
        "空きが必要です。そのドライブの空きを増やすか、別のドライブのフォルダを選ぶか、枚数や大きさを"
        "減らしてください（--count、--max-side）。",
    ),
    "calib_bad_max_side": Entry(
        en="--max-side {value} is not a size the wizard can use.",
        en_fix="Give the longest side in pixels, from {minimum} to {maximum} (default 1280; the "
        "toolchain resizes to the model's input anyway).",
        ja="--max-side {value} は使えない大きさです。",
        ja_fix="長い辺の画素数を {minimum}〜{maximum} の範囲で指定してください（既定は 1280。"
        "ツールチェーンはいずれにせよモデルの入力サイズに縮小します）。",
    ),
    "calib_bad_count": Entry(
        en="--count {value} is not a number of images.",
        en_fix="Give how many images to keep (100-300 is plenty), or 0 to keep every usable one.",
        ja="--count {value} は画像の枚数として使えません。",
        ja_fix="残す画像の枚数（100〜300 枚で十分）を指定するか、使える画像をすべて残すなら 0 を指定してください。",
    ),
    "calib_cancelled": Entry(
        en="Preparing the images from {path} was cancelled.",
        en_fix="Nothing was changed; start again when ready.",
        ja="{path} の画像の準備を中止しました。",
        ja_fix="何も変更されていません。準備ができたらもう一度始めてください。",
    ),
    # --- lines of the command's summary (no fix) ------------------------------------------
    "calib_summary": Entry(
        en="Prepared {accepted} calibration images in {out} "
        "({usable} usable, {rejected} rejected, {duplicates} duplicates, {ignored} ignored).",
        en_fix="",
        ja="{out} にキャリブレーション画像を {accepted} 枚用意しました"
        "（使用可能 {usable}、除外 {rejected}、重複 {duplicates}、無視 {ignored}）。",
        ja_fix="",
    ),
    "calib_summary_duplicate": Entry(
        en="{path} is the same image as {other}.",
        en_fix="",
        ja="{path} は {other} と同じ画像です。",
        ja_fix="",
    ),
    "calib_summary_ignored": Entry(
        en="{count} system files ignored (e.g. {example}).",
        en_fix="",
        ja="システムファイル {count} 個を無視しました（例: {example}）。",
        ja_fix="",
    ),
    "calib_zip_unreadable": Entry(
        en="{path} cannot be read as a zip archive ({detail}).",
        en_fix="Unpack it yourself and pick the folder, or make the zip again.",
        ja="{path} を zip アーカイブとして読み込めません（{detail}）。",
        ja_fix="自分で展開してフォルダを選ぶか、zip を作り直してください。",
    ),
    "calib_zip_too_big": Entry(
        en="{path} would unpack to {size} GB, more than the {limit} GB the wizard unpacks.",
        en_fix="Nothing was unpacked. Put only the calibration photos (100-300 is plenty) in a zip "
        "or a folder.",
        ja="{path} を展開すると {size} GB になり、ウィザードが展開する上限 {limit} GB を超えます。",
        ja_fix="何も展開していません。キャリブレーション用の写真だけ（100〜300 枚で十分）を zip か"
        "フォルダに入れてください。",
    ),
    "calib_zip_too_many_files": Entry(
        en="{path} holds {members} files, more than the {limit} the wizard unpacks.",
        en_fix="Nothing was unpacked. Put only the calibration photos (100-300 is plenty) in a zip "
        "or a folder.",
        ja="{path} には {members} 個のファイルがあり、ウィザードが展開する上限 {limit} 個を超えます。",
        ja_fix="何も展開していません。キャリブレーション用の写真だけ（100〜300 枚で十分）を zip か"
        "フォルダに入れてください。",
    ),
    "calib_zip_ratio": Entry(
        en="{member} in {path} would expand {ratio} times its packed size; photos expand at most "
        "{limit} times, so this is not a zip of photos (it may be a zip bomb).",
        en_fix="Nothing was unpacked. Make the zip again from the photos themselves, or pick the "
        "folder of photos instead.",
        ja="{path} の {member} は圧縮サイズの {ratio} 倍に展開されます。写真なら最大 {limit} 倍なので、"
        "写真の zip ではありません（zip 爆弾の可能性があります）。",
        ja_fix="何も展開していません。写真そのものから zip を作り直すか、写真のフォルダを選んでください。",
    ),
    "calib_zip_lies": Entry(
        en="{member} in {path} expands to more than the {declared} bytes its zip directory "
        "declares; unpacking was stopped there.",
        en_fix="The zip is damaged or made to deceive: make it again from the photos, or pick the "
        "folder of photos instead. What was unpacked was removed.",
        ja="{path} の {member} は zip の目録にある {declared} バイトを超えて展開されるため、そこで展開を"
        "止めました。",
        ja_fix="zip が壊れているか、偽装されています。写真から作り直すか、写真のフォルダを選んでください。"
        "展開した分は削除しました。",
    ),
    "calib_zip_temp_full": Entry(
        en="The temporary folder {temp} ran out of space while unpacking {path} ({detail}).",
        en_fix="What was unpacked was removed. Free some space there, point TMPDIR at a drive "
        "with room, or unpack the zip yourself and pick the folder.",
        ja="{path} の展開中に、一時フォルダ {temp} の空き容量がなくなりました（{detail}）。",
        ja_fix="展開した分は削除しました。空きを増やすか、TMPDIR を空きのあるドライブに向けるか、"
        "zip を自分で展開してそのフォルダを選んでください。",
    ),
    "calib_zip_temp_unwritable": Entry(
        en="{path} could not be unpacked into the temporary folder {temp} ({detail}).",
        en_fix="Point TMPDIR at a folder you can write to, or unpack the zip yourself and pick the folder.",
        ja="{path} を一時フォルダ {temp} に展開できませんでした（{detail}）。",
        ja_fix="TMPDIR を書き込めるフォルダに向けるか、zip を自分で展開してそのフォルダを選んでください。",
    ),
    "calib_zip_skipped_entries": Entry(
        en="{count} entries of {path} were skipped because they point outside the archive's "
        "folder (\"..\", an absolute path) or are links, e.g. {example}.",
        en_fix="Nothing outside the temporary folder was written. If those were photos you meant "
        "to use, unpack the zip yourself and pick the folder.",
        ja="{path} の {count} 個の項目は、アーカイブのフォルダの外を指す（\"..\" や絶対パス）か"
        "リンクのため、飛ばしました（例: {example}）。",
        ja_fix="一時フォルダの外には何も書き込んでいません。使うつもりの写真だった場合は、zip を自分で"
        "展開してそのフォルダを選んでください。",
    ),
}
