"""Messages of the native backend: TPU-MLIR in a Python environment, without Docker."""

from wizard.core.messages import Entry

ENTRIES = {
    # --- what the host lacks ---------------------------------------------------------------
    "native_not_linux": Entry(
        en="The toolchain can run without Docker only on Linux; {where} runs {os}.",
        en_fix="Use Docker, or on Windows run the wizard inside WSL2 with Ubuntu 22.04 (wsl --install -d Ubuntu-22.04).",
        ja="Docker なしでツールチェーンを動かせるのは Linux だけです。{where} は {os} です。",
        ja_fix="Docker を使うか、Windows では WSL2 の Ubuntu 22.04（wsl --install -d Ubuntu-22.04）の中でウィザードを動かしてください。",
    ),
    "native_arch_unsupported": Entry(
        en="TPU-MLIR is built for x86-64 only; {where} is {arch}.",
        en_fix="Run the conversion on an x86-64 computer or VM (for example an Ubuntu 22.04 cloud VM), or with Docker on one.",
        ja="TPU-MLIR は x86-64 向けにしか提供されていません。{where} は {arch} です。",
        ja_fix="x86-64 のコンピューターや VM（例: Ubuntu 22.04 のクラウド VM）で、または Docker で変換してください。",
    ),
    "native_python_missing": Entry(
        en="No CPython 3.10 was found on {where} (found: {found}). TPU-MLIR needs exactly Python 3.10.",
        en_fix="Ubuntu 22.04: sudo apt-get install python3.10 python3.10-venv python3.10-dev. Elsewhere: install 3.10 with "
        "pyenv (pyenv install 3.10.13) and choose its python (command line: --python ~/.pyenv/versions/3.10.13/bin/python3.10), or use Docker.",
        ja="{where} に CPython 3.10 が見つかりません（見つかったもの: {found}）。TPU-MLIR には Python 3.10 が必要です。",
        ja_fix="Ubuntu 22.04 では sudo apt-get install python3.10 python3.10-venv python3.10-dev を実行してください。それ以外では "
        "pyenv で 3.10 を入れて（pyenv install 3.10.13）その python を選ぶ（コマンドラインでは --python ~/.pyenv/versions/3.10.13/bin/python3.10）か、Docker を使ってください。",
    ),
    "native_python_not_310": Entry(
        en="The chosen Python {python} is {version}, not 3.10: TPU-MLIR's modules are built for Python 3.10 only.",
        en_fix="Choose a CPython 3.10 (for example /usr/bin/python3.10 on Ubuntu 22.04, or one installed with pyenv), "
        "or leave the choice empty to let the wizard find one.",
        ja="選んだ Python {python} は {version} で、3.10 ではありません。TPU-MLIR のモジュールは Python 3.10 専用です。",
        ja_fix="CPython 3.10（Ubuntu 22.04 の /usr/bin/python3.10 や pyenv で入れたもの）を選ぶか、空欄にしてウィザードに探させてください。",
    ),
    "native_venv_missing": Entry(
        en="{python} cannot create virtual environments: its ensurepip module is missing.",
        en_fix="Install it: sudo apt-get install python3.10-venv (or let the wizard do it; command line: --allow-setup).",
        ja="{python} では仮想環境を作れません（ensurepip モジュールがありません）。",
        ja_fix="sudo apt-get install python3.10-venv でインストールしてください（ウィザードに任せることもできます。コマンドラインでは --allow-setup）。",
    ),
    "native_python_headers_missing": Entry(
        en="Python.h for {python} is missing: pycocotools 2.0.6, which TPU-MLIR needs, has to be compiled and needs it.",
        en_fix="Install it: sudo apt-get install python3.10-dev (or let the wizard do it; command line: --allow-setup).",
        ja="{python} の Python.h がありません。TPU-MLIR が使う pycocotools 2.0.6 はコンパイルが必要で、その際に使います。",
        ja_fix="sudo apt-get install python3.10-dev でインストールしてください（ウィザードに任せることもできます。コマンドラインでは --allow-setup）。",
    ),
    "native_compiler_missing": Entry(
        en="The C compiler {compiler} is not installed on {where}: pycocotools 2.0.6, which TPU-MLIR needs, is compiled from source with it ({python}).",
        en_fix="Install it: sudo apt-get install gcc (or let the wizard do it; command line: --allow-setup).",
        ja="{where} に C コンパイラー {compiler} がありません。TPU-MLIR が使う pycocotools 2.0.6 はこれでソースからビルドされます（{python}）。",
        ja_fix="sudo apt-get install gcc でインストールしてください（ウィザードに任せることもできます。コマンドラインでは --allow-setup）。",
    ),
    "native_disk_low": Entry(
        en="Only {free_gb} GB is free for the toolchain in {path} on {where}; it needs about {need_gb} GB.",
        en_fix="Free some disk space (or choose another folder for environments), then try again.",
        ja="{where} の {path} に空きが {free_gb} GB しかありません。ツールチェーンには約 {need_gb} GB 必要です。",
        ja_fix="ディスクの空きを増やす（または環境を置く別のフォルダーを選ぶ）してから、やり直してください。",
    ),
    "native_toolchain_bin_invalid": Entry(
        en="{path} on {where} does not hold a TPU-MLIR (missing: {missing}).",
        en_fix="Choose the bin folder of a TPU-MLIR installation (the one holding model_transform), or let the wizard make its own environment.",
        ja="{where} の {path} に TPU-MLIR がありません（不足: {missing}）。",
        ja_fix="TPU-MLIR の bin フォルダー（model_transform があるもの）を選ぶか、ウィザードに環境を作らせてください。",
    ),
    # --- the set-up --------------------------------------------------------------------------
    "native_setup_consent": Entry(
        en="To run TPU-MLIR without Docker, {where} needs system packages. The wizard would run: {commands}",
        en_fix="Agree to let the wizard run these commands (it asks for your password for sudo; it is used once and never stored), or run them yourself.",
        ja="Docker なしで TPU-MLIR を動かすには、{where} にシステムパッケージが必要です。ウィザードは次を実行します: {commands}",
        ja_fix="ウィザードにこれらのコマンドの実行を許可してください（sudo 用のパスワードを一度だけ使い、保存しません）。または自分で実行してください。",
    ),
    "native_setup_unsupported": Entry(
        en="The wizard cannot install {packages} on {where} ({os}) by itself.",
        en_fix="Install a CPython 3.10 with venv, its headers and a C compiler yourself (for example with pyenv: pyenv install 3.10.13), then choose it; or use Docker.",
        ja="{where}（{os}）には {packages} をウィザードが自動でインストールできません。",
        ja_fix="venv とヘッダー付きの CPython 3.10 と C コンパイラーを自分で用意し（例: pyenv install 3.10.13）、それを選んでください。または Docker を使ってください。",
    ),
    "native_sudo_password": Entry(
        en="Installing the packages on {where} needs administrator rights: sudo asks for the password of {user}.",
        en_fix="Enter the password of {user} (it goes only to sudo and is never stored), or run this yourself in a terminal: {commands}",
        ja="{where} へのパッケージのインストールには管理者権限が必要です。sudo が {user} のパスワードを求めています。",
        ja_fix="{user} のパスワードを入力してください（sudo にだけ渡され、保存されません）。または端末で自分で実行してください: {commands}",
    ),
    "native_setup_failed": Entry(
        en="Installing the packages on {where} failed at '{step}': {detail}",
        en_fix="Run the commands yourself in a terminal to see the full message: {commands}",
        ja="{where} へのパッケージのインストールが「{step}」で失敗しました: {detail}",
        ja_fix="端末で次のコマンドを自分で実行し、詳しいメッセージを確認してください: {commands}",
    ),
    # --- the environment ---------------------------------------------------------------------
    "native_env_consent": Entry(
        en="The wizard will create a Python environment with TPU-MLIR {version} in {path} on {where}: "
        "it downloads about {download_mb} MB from PyPI and uses about {size_gb} GB of disk. This takes a few minutes, once.",
        en_fix="Agree to create it (command line: --create-environment). Later conversions reuse it.",
        ja="ウィザードは {where} の {path} に TPU-MLIR {version} の Python 環境を作ります。"
        "PyPI から約 {download_mb} MB をダウンロードし、ディスクを約 {size_gb} GB 使います。最初の一度だけ数分かかります。",
        ja_fix="作成を許可してください（コマンドラインでは --create-environment）。以降の変換ではこれを再利用します。",
    ),
    "native_env_missing": Entry(
        en="The TPU-MLIR {version} environment does not exist yet on {where} ({path}).",
        en_fix="Let the wizard create it: it downloads about {download_mb} MB from PyPI and uses about {size_gb} GB (command line: --create-environment).",
        ja="{where} に TPU-MLIR {version} の環境がまだありません（{path}）。",
        ja_fix="ウィザードに作らせてください。PyPI から約 {download_mb} MB をダウンロードし、約 {size_gb} GB 使います（コマンドラインでは --create-environment）。",
    ),
    "native_env_incomplete": Entry(
        en="The environment in {path} on {where} is incomplete (an earlier set-up was interrupted), so it is not used.",
        en_fix="Let the wizard create it again: the incomplete one is removed first (command line: --create-environment).",
        ja="{where} の {path} にある環境は不完全です（以前のセットアップが中断されました）。そのため使いません。",
        ja_fix="ウィザードに作り直させてください。不完全な環境は先に削除されます（コマンドラインでは --create-environment）。",
    ),
    "native_env_build_failed": Entry(
        en="Creating the environment in {path} on {where} failed: {detail}",
        en_fix="Check that {where} can reach PyPI (pypi.org, files.pythonhosted.org; set HTTPS_PROXY if you need a proxy) and has free disk space, "
        "then try again: the half-made environment is removed first. The full output is in the log above.",
        ja="{where} の {path} への環境の作成に失敗しました: {detail}",
        ja_fix="{where} から PyPI（pypi.org、files.pythonhosted.org）に接続できること（プロキシが必要なら HTTPS_PROXY を設定）と、"
        "ディスクの空きを確認してから、やり直してください。作りかけの環境は先に削除されます。詳しい出力は上のログにあります。",
    ),
    "native_env_created": Entry(
        en="Created the TPU-MLIR environment in {path} on {where} in {seconds} s.",
        en_fix="",
        ja="{where} の {path} に TPU-MLIR の環境を作成しました（{seconds} 秒）。",
        ja_fix="",
    ),
    "native_version_mismatch": Entry(
        en="The recipe asks for TPU-MLIR {recipe_version}, but this runner was set up for {version}.",
        en_fix="Start the conversion again: the wizard then prepares the environment for {recipe_version}.",
        ja="レシピは TPU-MLIR {recipe_version} を指定していますが、この実行環境は {version} 用に準備されました。",
        ja_fix="変換をもう一度開始してください。ウィザードが {recipe_version} 用の環境を準備します。",
    ),
    "native_low_memory": Entry(
        en="{where} has {mem_gb} GB of memory; calibrating {count} images needs about {need_gb} GB.",
        en_fix="Use fewer calibration images (e.g. {suggest}), or close other programs before converting.",
        ja="{where} のメモリは {mem_gb} GB です。{count} 枚のキャリブレーションには約 {need_gb} GB 必要です。",
        ja_fix="キャリブレーション画像を減らす（例: {suggest} 枚）か、変換の前に他のプログラムを閉じてください。",
    ),
    # --- running -----------------------------------------------------------------------------
    "native_command_timeout": Entry(
        en="A command on {where} did not finish within {seconds} s.",
        en_fix="Check that the computer is not overloaded (top), then try again.",
        ja="{where} のコマンドが {seconds} 秒以内に終わりませんでした。",
        ja_fix="コンピューターが過負荷でないか（top）確認してから、やり直してください。",
    ),
    "native_command_failed": Entry(
        en="'{what}' failed on {where}: {detail}",
        en_fix="Check free disk space and that the run folder is writable, then try again.",
        ja="{where} で「{what}」に失敗しました: {detail}",
        ja_fix="ディスクの空きと、実行フォルダーに書き込めることを確認してから、やり直してください。",
    ),
    "native_job_not_started": Entry(
        en="The conversion did not start on {where}: {detail}",
        en_fix="Check free disk space and that /bin/sh and bash are installed, then try again.",
        ja="{where} で変換が開始されませんでした: {detail}",
        ja_fix="ディスクの空きと、/bin/sh と bash があることを確認してから、やり直してください。",
    ),
    "native_job_vanished": Entry(
        en="The conversion on {where} stopped without finishing (its process is gone: was the computer restarted, or out of memory?).",
        en_fix="Start the conversion again; finished steps are reused. If it happens again, use fewer calibration images.",
        ja="{where} の変換が完了せずに止まりました（プロセスがありません。再起動やメモリ不足の可能性があります）。",
        ja_fix="変換をもう一度開始してください。完了したステップは再利用されます。繰り返す場合はキャリブレーション画像を減らしてください。",
    ),
    "native_run_not_found": Entry(
        en="The run {run_id} is not in {path} any more.",
        en_fix="Start the conversion again; its folder may have been moved or deleted.",
        ja="実行 {run_id} が {path} にもうありません。",
        ja_fix="変換をもう一度開始してください。フォルダーが移動または削除された可能性があります。",
    ),
    "native_cleanup_failed": Entry(
        en="Could not remove the run's files in {path}: {detail}",
        en_fix="Delete the folder yourself when no conversion is running.",
        ja="{path} の実行用ファイルを削除できませんでした: {detail}",
        ja_fix="変換が動いていないときに、そのフォルダーを自分で削除してください。",
    ),
}
