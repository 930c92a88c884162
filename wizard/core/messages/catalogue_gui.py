"""Messages of the wizard flow: why the Next button is not available yet, and what to do."""

from wizard.core.messages import Entry

ENTRIES = {
    "flow_pick_model": Entry(
        en="No model is chosen yet.",
        en_fix="Drop your trained YOLO .onnx file here, or click “Choose model…”.",
        ja="モデルがまだ選ばれていません。",
        ja_fix="学習済みの YOLO .onnx ファイルをここにドロップするか、「モデルを選ぶ…」を押してください。",
    ),
    "flow_model_inspecting": Entry(
        en="The model is still being checked.",
        en_fix="Wait a moment; the result appears here.",
        ja="モデルを確認しています。",
        ja_fix="しばらくお待ちください。結果はここに表示されます。",
    ),
    "flow_pick_images": Entry(
        en="No calibration images are chosen yet.",
        en_fix="Choose a folder or a .zip with pictures like the ones the camera will see.",
        ja="キャリブレーション画像がまだ選ばれていません。",
        ja_fix="カメラが写すものに近い写真が入ったフォルダか .zip を選んでください。",
    ),
    "flow_images_scanning": Entry(
        en="The images are still being checked.",
        en_fix="Wait until the counts stop changing.",
        ja="画像を確認しています。",
        ja_fix="件数が止まるまでお待ちください。",
    ),
    "flow_too_few_images": Entry(
        en="Only {usable} usable images were found; at least {minimum} are needed.",
        en_fix="Add more pictures (JPEG or PNG) to the folder, or pick another folder.",
        ja="使える画像が {usable} 枚しかありません。{minimum} 枚以上必要です。",
        ja_fix="フォルダに写真（JPEG か PNG）を追加するか、別のフォルダを選んでください。",
    ),
    "flow_pick_test_image": Entry(
        en="No test image is chosen.",
        en_fix="Click a picture in the grid and choose “Use selected as test picture”.",
        ja="テスト画像が選ばれていません。",
        ja_fix="一覧の写真をクリックして「選んだ画像をテスト画像にする」を選んでください。",
    ),
    "flow_pick_output": Entry(
        en="No output folder is chosen.",
        en_fix="Choose where the converted model should be saved.",
        ja="出力フォルダが選ばれていません。",
        ja_fix="変換したモデルを保存する場所を選んでください。",
    ),
    "flow_docker_not_ready": Entry(
        en="Docker is not ready on this computer.",
        en_fix="Start Docker Desktop (or install it), then click “Check again”.",
        ja="このコンピュータで Docker が使えません。",
        ja_fix="Docker Desktop を起動（またはインストール）してから「もう一度確認」を押してください。",
    ),
    "flow_toolchain_missing": Entry(
        en="The conversion toolchain is not on this computer yet.",
        en_fix="Click “Get the toolchain” (it is downloaded once, then reused).",
        ja="変換ツールチェーンがまだこのコンピュータにありません。",
        ja_fix="「ツールチェーンを用意する」を押してください（一度だけダウンロードされ、以後は再利用されます）。",
    ),
    "flow_checking": Entry(
        en="Still checking…",
        en_fix="Wait a moment.",
        ja="確認しています…",
        ja_fix="しばらくお待ちください。",
    ),
    "flow_ssh_incomplete": Entry(
        en="The cloud machine is not fully described.",
        en_fix="Fill in the host, the user name and a key file or a password.",
        ja="クラウドマシンの情報が足りません。",
        ja_fix="ホスト名、ユーザー名、鍵ファイルかパスワードを入力してください。",
    ),
    "flow_ssh_not_tested": Entry(
        en="The connection to {host} has not been tested yet.",
        en_fix="Click “Test connection”.",
        ja="{host} への接続をまだ試していません。",
        ja_fix="「接続テスト」を押してください。",
    ),
    "flow_workshop_key_missing": Entry(
        en="No key file is chosen to sign in to the workshop's server {server}.",
        en_fix="Choose the key file your instructor gave you, or sign in with a password.",
        ja="ワークショップのサーバー {server} にサインインする鍵ファイルが選ばれていません。",
        ja_fix="講師から受け取った鍵ファイルを選ぶか、パスワードでサインインしてください。",
    ),
    "flow_workshop_password_missing": Entry(
        en="No password is given to sign in to the workshop's server {server}.",
        en_fix="Type the password your instructor gave you (it is kept only while the wizard is open).",
        ja="ワークショップのサーバー {server} にサインインするパスワードが入力されていません。",
        ja_fix="講師から受け取ったパスワードを入力してください（ウィザードを開いている間だけ保持します）。",
    ),
    "flow_native_needs_linux_windows": Entry(
        en="Without Docker, the converter runs only on Linux, and this computer runs Windows.",
        en_fix="Install WSL2 with Ubuntu 22.04 (wsl --install -d Ubuntu-22.04), start the wizard inside it and choose "
        "this again; or use Docker, or your cloud machine (it can run without Docker too).",
        ja="Docker なしで変換できるのは Linux だけです。このコンピュータは Windows です。",
        ja_fix="WSL2 の Ubuntu 22.04（wsl --install -d Ubuntu-22.04）を入れ、その中でウィザードを起動してから選び直してください。"
        "または Docker か、クラウドマシン（Docker なしでも動かせます）を使ってください。",
    ),
    "flow_native_needs_linux_macos": Entry(
        en="Without Docker, the converter runs only on Linux, and this computer runs macOS.",
        en_fix="Use Docker Desktop, or your cloud machine (it can run without Docker too).",
        ja="Docker なしで変換できるのは Linux だけです。このコンピュータは macOS です。",
        ja_fix="Docker Desktop か、クラウドマシン（Docker なしでも動かせます）を使ってください。",
    ),
    "flow_native_not_checked": Entry(
        en="This computer has not been checked yet for converting without Docker.",
        en_fix="Click “Check this computer” (it changes nothing).",
        ja="Docker なしで変換できるか、このコンピュータをまだ確認していません。",
        ja_fix="「このコンピュータを確認」を押してください（何も変更しません）。",
    ),
    "flow_native_not_ready": Entry(
        en="{where} cannot convert without Docker yet.",
        en_fix="Do what the check above says, then check again.",
        ja="{where} ではまだ Docker なしで変換できません。",
        ja_fix="上の確認結果に書かれたことを行ってから、もう一度確認してください。",
    ),
    "flow_native_setup_consent": Entry(
        en="{where} needs system packages first, and the wizard may not install them yet.",
        en_fix="Tick “Let the wizard run these commands”, or run them yourself and check again.",
        ja="{where} には先にシステムパッケージが必要ですが、ウィザードによるインストールがまだ許可されていません。",
        ja_fix="「これらのコマンドの実行をウィザードに許可する」にチェックを入れるか、自分で実行してからもう一度確認してください。",
    ),
    "flow_native_env_consent": Entry(
        en="The TPU-MLIR environment on {where} does not exist yet, and the wizard may not create it yet.",
        en_fix="Tick “Create the environment” (it is made once and reused).",
        ja="{where} に TPU-MLIR の環境がまだなく、ウィザードによる作成もまだ許可されていません。",
        ja_fix="「環境を作成する」にチェックを入れてください（一度だけ作られ、以後は再利用されます）。",
    ),
    "flow_job_running": Entry(
        en="The conversion is still running.",
        en_fix="Wait for it to finish, or click Cancel.",
        ja="変換を実行中です。",
        ja_fix="終わるまで待つか、「キャンセル」を押してください。",
    ),
    "flow_job_not_started": Entry(
        en="The conversion has not run yet.",
        en_fix="Click “Start conversion”.",
        ja="変換はまだ実行されていません。",
        ja_fix="「変換を開始」を押してください。",
    ),
    "flow_job_cancelled": Entry(
        en="The conversion was cancelled.",
        en_fix="Start it again, or go back and change the options.",
        ja="変換はキャンセルされました。",
        ja_fix="もう一度開始するか、戻って設定を変えてください。",
    ),
    "flow_conversion_failed": Entry(
        en="The conversion did not produce a model that can be deployed.",
        en_fix="Follow the suggestions above, then go back and convert again.",
        ja="デプロイできるモデルは作られませんでした。",
        ja_fix="上の提案に従ってから、戻ってもう一度変換してください。",
    ),
    "flow_pick_recipe": Entry(
        en="No saved recipe is chosen.",
        en_fix="Click “Open saved recipe…” and pick a recipe.json.",
        ja="保存したレシピが選ばれていません。",
        ja_fix="「保存したレシピを開く…」を押して recipe.json を選んでください。",
    ),
    "flow_pick_run": Entry(
        en="No earlier run is chosen.",
        en_fix="Pick one in the list of recent runs.",
        ja="以前の実行が選ばれていません。",
        ja_fix="最近の実行の一覧から選んでください。",
    ),
    "keychain_unavailable": Entry(
        en="The system keychain cannot be used here ({detail}); the password is not saved.",
        en_fix="Enter the password each time, or use a key file instead.",
        ja="システムのキーチェーンが使えないため（{detail}）、パスワードは保存されません。",
        ja_fix="毎回パスワードを入力するか、鍵ファイルを使ってください。",
    ),
    "unexpected_error": Entry(
        en="Something unexpected went wrong: {detail}",
        en_fix="Your files were not changed. The details are in {log}; please send it with a report.",
        ja="予期しない問題が起きました: {detail}",
        ja_fix="ファイルは変更されていません。詳細は {log} にあります。報告の際に添えてください。",
    ),
}
