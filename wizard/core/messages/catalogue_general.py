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
    "path_is_folder": Entry(
        en="{path} is a folder, but a file is needed here.",
        en_fix="Pick the file itself, not the folder it is in.",
        ja="{path} はフォルダですが、ここではファイルが必要です。",
        ja_fix="フォルダではなく、ファイルそのものを選んでください。",
    ),
    "path_link_loop": Entry(
        en="{path} is a symbolic link that leads back to itself (a link loop).",
        en_fix="Point the link at the real file or folder, or pick that one directly.",
        ja="{path} は自分自身に戻るシンボリックリンクです（リンクのループ）。",
        ja_fix="リンクを実際のファイルやフォルダに向けるか、そちらを直接選んでください。",
    ),
    "path_broken_link": Entry(
        en="{path} is a symbolic link, and what it points to ({target}) is missing.",
        en_fix="Point the link at the real file or folder (a drive may be disconnected), or pick that one directly.",
        ja="{path} は {target} へのシンボリックリンクですが、リンク先がありません。",
        ja_fix="リンクを実際のファイルやフォルダに向けるか（ドライブが外れている可能性があります）、そちらを直接選んでください。",
    ),
    "path_is_fifo": Entry(
        en="{path} is a named pipe (FIFO), not a file: reading it would wait for another program.",
        en_fix="Pick a regular file.",
        ja="{path} は名前付きパイプ（FIFO）で、ファイルではありません。読むと別のプログラムを待ち続けます。",
        ja_fix="通常のファイルを選んでください。",
    ),
    "path_is_special": Entry(
        en="{path} is a device or socket, not a regular file.",
        en_fix="Pick a regular file.",
        ja="{path} はデバイスまたはソケットで、通常のファイルではありません。",
        ja_fix="通常のファイルを選んでください。",
    ),
    "path_empty": Entry(
        en="{path} is empty (0 bytes).",
        en_fix="Pick the file again; the copy or download may not have finished.",
        ja="{path} は空です（0 バイト）。",
        ja_fix="ファイルを選び直してください。コピーやダウンロードが終わっていない可能性があります。",
    ),
    "path_no_permission": Entry(
        en="You may not read {path}.",
        en_fix="Check its permissions (or its owner), or copy it to a folder of yours and pick the copy.",
        ja="{path} を読み取る権限がありません。",
        ja_fix="アクセス権（または所有者）を確認するか、自分のフォルダにコピーしてそれを選んでください。",
    ),
    "path_unreadable": Entry(
        en="{path} cannot be read: {detail}",
        en_fix="Check that the drive is connected and the path is right, then try again.",
        ja="{path} を読み込めません: {detail}",
        ja_fix="ドライブの接続とパスを確認してから、もう一度お試しください。",
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
