"""Messages of the runners: the Docker engine, the toolchain image, a run and its results."""

from wizard.core.messages import Entry

ENTRIES = {
    # --- The Docker engine -------------------------------------------------------------------
    "docker_not_installed": Entry(
        en="Docker is not installed on this computer.",
        en_fix="Install Docker Desktop (Windows, macOS) or Docker Engine (Linux), start it, "
        "then try again. Or run the conversion on a Linux machine over SSH.",
        ja="このコンピュータに Docker がインストールされていません。",
        ja_fix="Docker Desktop（Windows、macOS）または Docker Engine（Linux）をインストールして起動し、"
        "もう一度お試しください。SSH で Linux マシン上で変換することもできます。",
    ),
    "docker_not_running": Entry(
        en="Docker is installed but its engine is not running (cannot reach {where}).",
        en_fix="Start Docker Desktop and wait until it says it is running "
        "(Linux: sudo systemctl start docker), then try again.",
        ja="Docker はインストールされていますが、エンジンが動いていません（{where} に接続できません）。",
        ja_fix="Docker Desktop を起動し、実行中と表示されるまで待ってからもう一度お試しください"
        "（Linux: sudo systemctl start docker）。",
    ),
    "docker_permission_denied_linux": Entry(
        en="You are not allowed to use Docker: permission denied on {where}.",
        en_fix="Add yourself to the docker group: sudo usermod -aG docker $USER — "
        "then log out and log in again (or restart) and try again.",
        ja="Docker を使う権限がありません（{where} へのアクセスが拒否されました）。",
        ja_fix="docker グループに自分を追加してください: sudo usermod -aG docker $USER — "
        "その後ログアウトして再ログイン（または再起動）し、もう一度お試しください。",
    ),
    "docker_permission_denied_desktop": Entry(
        en="You are not allowed to use Docker: permission denied on {where}.",
        en_fix="Start Docker Desktop (as the same user that runs the wizard) and wait until it "
        "is running, then try again.",
        ja="Docker を使う権限がありません（{where} へのアクセスが拒否されました）。",
        ja_fix="ウィザードと同じユーザーで Docker Desktop を起動し、実行中になるまで待ってから"
        "もう一度お試しください。",
    ),
    "invalid_image_reference": Entry(
        en="{value} is not an image name Docker accepts.",
        en_fix="Image names are lower-case letters, digits and the separators . _ - in parts "
        "joined by /, optionally after a registry (host[:port]/), then an optional :tag of up to "
        "128 letters, digits, _ . - (not starting with . or -), e.g. {example}.",
        ja="{value} は Docker が受け付けるイメージ名ではありません。",
        ja_fix="イメージ名は小文字の英字・数字と区切り文字 . _ - からなる部分を / でつないだもので、"
        "先頭にレジストリ（host[:port]/）を付けられます。その後ろに任意で :タグ（英数字と _ . - で"
        "128 文字まで、. や - で始めない）を付けます。例: {example}",
    ),
    "docker_error": Entry(
        en="Docker reported an error: {detail}",
        en_fix="Check that Docker is running and has free disk space, then try again.",
        ja="Docker がエラーを報告しました: {detail}",
        ja_fix="Docker が動いていて空き容量があることを確認し、もう一度お試しください。",
    ),
    "docker_out_of_disk": Entry(
        en="Docker has too little free disk space: {free_gb} GB free, about {needed_gb} GB needed.",
        en_fix="Free some space (docker system prune removes unused images and containers; "
        "Docker Desktop: Settings > Resources > disk size), then try again.",
        ja="Docker の空きディスク容量が足りません: 空き {free_gb} GB、必要な容量は約 {needed_gb} GB です。",
        ja_fix="容量を空けてから（docker system prune で未使用のイメージとコンテナを削除できます。"
        "Docker Desktop: 設定 > Resources > ディスクサイズ）、もう一度お試しください。",
    ),
    "docker_low_memory": Entry(
        en="Docker can use {mem_gb} GB of memory; calibrating {count} images needs about {need_gb} GB.",
        en_fix="Use fewer calibration images (e.g. {suggest}) or give Docker more memory "
        "(Docker Desktop: Settings > Resources > Memory).",
        ja="Docker が使えるメモリは {mem_gb} GB です。{count} 枚のキャリブレーションには約 {need_gb} GB 必要です。",
        ja_fix="キャリブレーション画像を減らす（例: {suggest} 枚）か、Docker のメモリを増やしてください"
        "（Docker Desktop: 設定 > Resources > Memory）。",
    ),
    # --- The toolchain image -----------------------------------------------------------------
    "toolchain_image_missing": Entry(
        en="The toolchain image {image} is not on this computer yet.",
        en_fix="Get it once (it needs internet and about {needed_gb} GB of disk): "
        "recamera-wizard toolchain-image build — or, offline, load a saved copy: "
        "recamera-wizard toolchain-image load FILE.tar",
        ja="ツールチェーンのイメージ {image} がまだこのコンピュータにありません。",
        ja_fix="一度だけ取得してください（インターネット接続と約 {needed_gb} GB のディスクが必要です）: "
        "recamera-wizard toolchain-image build — オフラインの場合は保存済みのファイルを読み込みます: "
        "recamera-wizard toolchain-image load FILE.tar",
    ),
    "image_needs_disk": Entry(
        en="Getting the toolchain image needs about {needed_gb} GB of free disk; Docker has {free_gb} GB.",
        en_fix="Free some disk space (docker system prune), or load the image from a saved file "
        "on a machine with more space.",
        ja="ツールチェーンのイメージの取得には約 {needed_gb} GB の空き容量が必要ですが、Docker の空きは {free_gb} GB です。",
        ja_fix="ディスクの空きを増やす（docker system prune）か、容量のあるマシンで保存済みファイルから"
        "イメージを読み込んでください。",
    ),
    "image_pull_failed": Entry(
        en="Could not download {image}: {detail}",
        en_fix="Check the internet connection (and any proxy set in Docker), then try again. "
        "Offline: recamera-wizard toolchain-image load FILE.tar",
        ja="{image} をダウンロードできませんでした: {detail}",
        ja_fix="インターネット接続（と Docker のプロキシ設定）を確認してもう一度お試しください。"
        "オフラインの場合: recamera-wizard toolchain-image load FILE.tar",
    ),
    "image_build_failed": Entry(
        en="Could not build the toolchain image {image}: {detail}",
        en_fix="Check the internet connection (pip must reach PyPI), then run "
        "recamera-wizard toolchain-image build again.",
        ja="ツールチェーンのイメージ {image} を作成できませんでした: {detail}",
        ja_fix="インターネット接続（pip が PyPI に届くこと）を確認し、"
        "recamera-wizard toolchain-image build をもう一度実行してください。",
    ),
    "image_build_needs_compiler": Entry(
        en="Building the toolchain image {image} failed while compiling {requirement} from source "
        "(tpu_mlir {version} needs it, and it has no Python 3.10 wheel): {detail}",
        en_fix="Compiling it needs a C compiler (gcc) and the Python 3.10 headers (python3.10-dev). "
        "sophgo/tpuc_dev, the default base image, has both: build FROM it, or add them to your base "
        "image, then build again.",
        ja="ツールチェーンのイメージ {image} の作成中、{requirement} のソースからのコンパイルに失敗しました"
        "（tpu_mlir {version} が必要とし、Python 3.10 用の wheel がありません）: {detail}",
        ja_fix="コンパイルには C コンパイラ（gcc）と Python 3.10 のヘッダ（python3.10-dev）が必要です。"
        "既定のベースイメージ sophgo/tpuc_dev には両方が入っています。これを FROM にするか、"
        "お使いのベースイメージに追加してから、もう一度作成してください。",
    ),
    "image_load_failed": Entry(
        en="Could not load a toolchain image from {path}: {detail}",
        en_fix="Use a file made by 'docker save' of the toolchain image (copy it again if it "
        "may be damaged).",
        ja="{path} からツールチェーンのイメージを読み込めませんでした: {detail}",
        ja_fix="ツールチェーンのイメージを 'docker save' で保存したファイルを使ってください"
        "（壊れている可能性があればもう一度コピーしてください）。",
    ),
    "image_loaded_other": Entry(
        en="{path} held {loaded}, not the toolchain image {image}.",
        en_fix="Load the file saved from {image}, or choose that image in the settings.",
        ja="{path} に入っていたのは {loaded} で、ツールチェーンのイメージ {image} ではありません。",
        ja_fix="{image} を保存したファイルを読み込むか、設定でそのイメージを選んでください。",
    ),
    "invalid_image_setting": Entry(
        en="{value} is not a valid {what}.",
        en_fix="Use the default, or a value like {example}.",
        ja="{value} は有効な {what} ではありません。",
        ja_fix="既定値か、{example} のような値を使ってください。",
    ),
    # --- A run -------------------------------------------------------------------------------
    "toolchain_failed": Entry(
        en="The toolchain failed in step {step} (exit code {exit_code}).",
        en_fix="Read the error above; the full log is in {log}.",
        ja="ツールチェーンがステップ {step} で失敗しました（終了コード {exit_code}）。",
        ja_fix="上のエラーを確認してください。詳しいログは {log} にあります。",
    ),
    "conversion_cancelled": Entry(
        en="The conversion was cancelled; its container was removed.",
        en_fix="Start it again when you are ready. It starts from the beginning: what the "
        "toolchain did before the cancel was not kept.",
        ja="変換をキャンセルしました。コンテナは削除されました。",
        ja_fix="準備ができたらもう一度開始してください。キャンセル前にツールチェーンが行った処理は"
        "保存されていないため、最初からやり直しになります。",
    ),
    "conversion_cancelled_reusing": Entry(
        en="The conversion was cancelled; its container was removed.",
        en_fix="Start it again when you are ready. These steps had results from before this run "
        "and will be skipped: {steps}; the others run again (what the toolchain did before the "
        "cancel was not kept).",
        ja="変換をキャンセルしました。コンテナは削除されました。",
        ja_fix="準備ができたらもう一度開始してください。次のステップは今回より前の結果があるため"
        "省略されます: {steps}。それ以外のステップはもう一度実行されます（キャンセル前にツールチェーンが"
        "行った処理は保存されていません）。",
    ),
    "conversion_stopped_at_once": Entry(
        en="Stopped at once: the run in {path} is recorded as cancelled (job.json, results.json); "
        "its log so far is in {log}.",
        en_fix="Start it again when you are ready.",
        ja="ただちに停止しました。{path} の実行はキャンセルとして記録しました（job.json、results.json）。"
        "ここまでのログは {log} にあります。",
        ja_fix="準備ができたらもう一度開始してください。",
    ),
    "conversion_cancelled_before_run": Entry(
        en="Cancelled before the conversion started (while checking and preparing the inputs). "
        "Nothing was converted.",
        en_fix="What {path} held before (an earlier result, if any) is untouched; the cancel is "
        "recorded in its job.json only when it had none. Start again when you are ready.",
        ja="変換を始める前（入力の確認と準備の途中）にキャンセルしました。何も変換していません。",
        ja_fix="{path} に以前からあったもの（以前の結果があればそれも）はそのままです。job.json が"
        "なかった場合だけ、キャンセルを job.json に記録しました。準備ができたらもう一度開始してください。",
    ),
    "run_dir_write_failed": Entry(
        en="The results could not be written into the run folder {path}: {detail}",
        en_fix="Free some space on that drive (or pick a run folder on another drive with --out) "
        "and convert again. The run is recorded as failed in {path}/job.json.",
        ja="実行フォルダ {path} に結果を書き込めませんでした: {detail}",
        ja_fix="そのドライブの空きを増やすか（または --out で別のドライブの実行フォルダを選び）、"
        "もう一度変換してください。この実行は {path}/job.json に失敗として記録しています。",
    ),
    "run_not_found": Entry(
        en="The conversion {run_id} is no longer running (its container is gone).",
        en_fix="Start the conversion again; the inputs are still in {path}.",
        ja="変換 {run_id} はもう実行されていません（コンテナがありません）。",
        ja_fix="もう一度変換を開始してください。入力は {path} に残っています。",
    ),
    "run_already_finished": Entry(
        en="The conversion {run_id} has already finished ({verdict}); there is nothing to re-attach to.",
        en_fix="Its results are in {path} (results.json, convert.log).",
        ja="変換 {run_id} はすでに終了しています（{verdict}）。再接続するものはありません。",
        ja_fix="結果は {path} にあります（results.json、convert.log）。",
    ),
    "run_already_exists": Entry(
        en="A conversion named {run_id} already exists in Docker.",
        en_fix="Wait for it to finish or cancel it, or start with another output folder.",
        ja="{run_id} という名前の変換がすでに Docker 上にあります。",
        ja_fix="終了を待つかキャンセルするか、別の出力フォルダで開始してください。",
    ),
    "run_dir_busy": Entry(
        en="Another conversion is using the run folder {path} right now.",
        en_fix="Wait until it has finished, or convert into another folder (--out). Two runs in "
        "one folder would mix their logs and results.",
        ja="実行フォルダ {path} は、いま別の変換が使用中です。",
        ja_fix="その変換が終わるまで待つか、別のフォルダ（--out）に変換してください。1 つのフォルダで"
        "2 つの変換を行うと、ログや結果が混ざってしまいます。",
    ),
    "run_dir_has_running_run": Entry(
        en="The run folder {path} belongs to the conversion {run_id}, which is recorded as still running.",
        en_fix="Follow it to its end with --resume (if it is gone, --resume says so and records it), "
        "or convert into another folder (--out).",
        ja="実行フォルダ {path} は、実行中と記録されている変換 {run_id} のものです。",
        ja_fix="--resume で最後まで追うか（もう無い場合は --resume がそう伝えて記録します）、"
        "別のフォルダ（--out）に変換してください。",
    ),
    "earlier_run_kept": Entry(
        en="The earlier run's files in this folder (its model if it made one, its log and results) "
        "were kept in {path}.",
        en_fix="Use them from there, or run again; they are replaced only when a run in this folder succeeds.",
        ja="このフォルダにあった以前の実行のファイル（モデルがあればモデル、ログ、結果）は {path} に残しています。",
        ja_fix="そこから使うか、もう一度実行してください。このフォルダでの変換が成功したときにだけ置き換えます。",
    ),
    "earlier_run_replaced": Entry(
        en="The earlier result in {path} was replaced by this run's.",
        en_fix="",
        ja="{path} にあった以前の結果を、今回の結果で置き換えました。",
        ja_fix="",
    ),
    "job_record_unreadable": Entry(
        en="{path} is not a conversion record the wizard can read ({detail}).",
        en_fix="Pick the run folder the wizard created (it contains job.json).",
        ja="{path} はウィザードが読める変換の記録ではありません（{detail}）。",
        ja_fix="ウィザードが作成した実行フォルダ（job.json があるもの）を選んでください。",
    ),
    "model_missing_after_run": Entry(
        en="The toolchain finished but {path} was not produced.",
        en_fix="Read the log {log} for the last error and report it with the run folder.",
        ja="ツールチェーンは終了しましたが {path} が作成されませんでした。",
        ja_fix="ログ {log} の最後のエラーを確認し、実行フォルダを添えて報告してください。",
    ),
    "calibration_reused": Entry(
        en="Reusing the calibration of an earlier run with the same model and images.",
        en_fix="",
        ja="同じモデルと画像による以前のキャリブレーション結果を再利用します。",
        ja_fix="",
    ),
    "unsafe_archive": Entry(
        en="Refused a downloaded file: {member} ({reason}).",
        en_fix="Nothing outside the run folder was written. If this repeats, the toolchain "
        "image may be damaged: get it again (recamera-wizard toolchain-image build).",
        ja="ダウンロードしたファイルを拒否しました: {member}（{reason}）。",
        ja_fix="実行フォルダの外には何も書き込まれていません。繰り返す場合はツールチェーンのイメージが"
        "壊れている可能性があります。取得し直してください（recamera-wizard toolchain-image build）。",
    ),
    "ssh_host_required": Entry(
        en="--backend ssh needs the machine to run on.",
        en_fix="Add --host USER@HOST[:PORT] and --key FILE (or --password-env VAR).",
        ja="--backend ssh には実行先のマシンの指定が必要です。",
        ja_fix="--host USER@HOST[:PORT] と --key FILE（または --password-env VAR）を追加してください。",
    ),
    "password_env_missing": Entry(
        en="The environment variable {var} (for the SSH password) is not set.",
        en_fix="Set it in this shell first (it keeps the password out of the command line and logs).",
        ja="SSH パスワード用の環境変数 {var} が設定されていません。",
        ja_fix="先にこのシェルで設定してください（パスワードをコマンドラインやログに残さないためです）。",
    ),
    "backend_unavailable": Entry(
        en="The {backend} backend cannot be used: {detail}",
        en_fix="Use --backend docker, or update the wizard.",
        ja="{backend} バックエンドは使えません: {detail}",
        ja_fix="--backend docker を使うか、ウィザードを更新してください。",
    ),
}
