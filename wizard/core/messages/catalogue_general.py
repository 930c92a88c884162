"""General messages: files, arguments, anything not owned by one area."""

from wizard.core.messages import Entry

ENTRIES = {
    # A problem saved by an older version (text only, no params): shown as it was saved.
    "saved_problem": Entry(en="(as saved) {detail}", en_fix="", ja="（保存時の表示）{detail}", ja_fix=""),
    "file_not_found": Entry(
        en="{path} does not exist.",
        en_fix="Check the path, or pick the file again.",
        ja="{path} が見つかりません。",
        ja_fix="パスを確認するか、ファイルをもう一度選んでください。",
    ),
    "not_a_directory": Entry(
        en="{path} is not a folder.",
        en_fix="Pick a folder (or a .zip) that contains your images.",
        ja="{path} はフォルダではありません。",
        ja_fix="画像が入っているフォルダ（または .zip）を選んでください。",
    ),
    "output_not_writable": Entry(
        en="Cannot write to {path}: {detail}",
        en_fix="Pick another output folder that you can write to, with free space.",
        ja="{path} に書き込めません: {detail}",
        ja_fix="書き込み可能で空き容量のある別の出力フォルダを選んでください。",
    ),
    "output_not_empty": Entry(
        en="The output folder {path} already contains files from something else.",
        en_fix="Pick an empty folder (or a new name) so nothing of yours is overwritten.",
        ja="出力フォルダ {path} には別のファイルがすでにあります。",
        ja_fix="既存のファイルを上書きしないよう、空のフォルダ（または新しい名前）を選んでください。",
    ),
    "internal_error": Entry(
        en="Something unexpected went wrong: {detail}",
        en_fix="Your files were not changed. Please report this with the log file {log}.",
        ja="予期しないエラーが発生しました: {detail}",
        ja_fix="ファイルは変更されていません。ログファイル {log} を添えて報告してください。",
    ),
}
ENTRIES["gui_unavailable"] = Entry(
    en="The wizard window cannot open: {detail}",
    en_fix="Reinstall the app, or use the command-line steps (recamera-wizard --help).",
    ja="ウィザード画面を開けません: {detail}",
    ja_fix="アプリを再インストールするか、コマンドライン（recamera-wizard --help）を使ってください。",
)
ENTRIES["cli_sources_required"] = Entry(
    en="Both --model and --images are needed (or --recipe with a saved recipe).",
    en_fix="Add --model MODEL.onnx --images FOLDER, or --recipe recipe.json.",
    ja="--model と --images の両方が必要です（または保存済みレシピを --recipe で指定）。",
    ja_fix="--model MODEL.onnx --images フォルダ、または --recipe recipe.json を追加してください。",
)
