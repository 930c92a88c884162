"""First-run messages: what the app cannot bundle (Docker, the toolchain image), per OS.

Download addresses are passed as the {url} parameter, shown as text only: the app never opens
them by itself.
"""

from wizard.core.messages import Entry

ENTRIES = {
    "first_run_docker_missing_windows": Entry(
        en="Docker Desktop is not installed on this PC. The wizard needs it to convert models on this computer.",
        en_fix="Install Docker Desktop for Windows ({url}), start it once, then check again. "
        "Or convert on a Linux computer over SSH instead.",
        ja="このPCには Docker Desktop がインストールされていません。このコンピューターでモデルを変換するには Docker Desktop が必要です。",
        ja_fix="Docker Desktop for Windows（{url}）をインストールして一度起動してから、もう一度確認してください。"
        "または、SSH で接続した Linux コンピューターで変換することもできます。",
    ),
    "first_run_docker_missing_macos": Entry(
        en="Docker Desktop is not installed on this Mac. The wizard needs it to convert models on this computer.",
        en_fix="Install Docker Desktop for Mac ({url}), choosing the Apple silicon or Intel download to "
        "match your Mac, start it once, then check again. "
        "Or convert on a Linux computer over SSH instead.",
        ja="この Mac には Docker Desktop がインストールされていません。このコンピューターでモデルを変換するには Docker Desktop が必要です。",
        ja_fix="Docker Desktop for Mac（{url}）を、お使いの Mac に合わせて Apple シリコン版または Intel 版でインストールし、"
        "一度起動してから、もう一度確認してください。"
        "または、SSH で接続した Linux コンピューターで変換することもできます。",
    ),
    "first_run_docker_missing_linux": Entry(
        en="Docker is not installed. The wizard needs it to convert models on this computer.",
        en_fix="Install it with 'sudo apt install docker.io' (Debian/Ubuntu; other systems: {url}), "
        "add yourself to the docker group with 'sudo usermod -aG docker $USER', log out and in, "
        "then check again.",
        ja="Docker がインストールされていません。このコンピューターでモデルを変換するには Docker が必要です。",
        ja_fix="「sudo apt install docker.io」でインストールし（Debian/Ubuntu の場合。その他のシステムは {url}）、"
        "「sudo usermod -aG docker $USER」で docker グループに自分を追加して、ログインし直してから"
        "もう一度確認してください。",
    ),
    "first_run_engine_stopped_desktop": Entry(
        en="Docker Desktop is installed ({where}) but its engine is not running.",
        en_fix="Start Docker Desktop and wait until it says the engine is running (this can take a minute), "
        "then check again. On Windows, if it asks to install or update WSL 2, follow its steps "
        "and restart the PC.",
        ja="Docker Desktop はインストールされていますが（{where}）、エンジンが起動していません。",
        ja_fix="Docker Desktop を起動し、エンジンが起動中と表示されるまで待ってから（1分ほどかかることがあります）、"
        "もう一度確認してください。Windows で WSL 2 のインストールや更新を求められた場合は、"
        "その手順に従ってから PC を再起動してください。",
    ),
    "first_run_engine_stopped_linux": Entry(
        en="Docker is installed ({where}) but the Docker engine is not running.",
        en_fix="Start it with 'sudo systemctl start docker' (and 'sudo systemctl enable docker' to start "
        "it at boot), then check again.",
        ja="Docker はインストールされていますが（{where}）、Docker エンジンが起動していません。",
        ja_fix="「sudo systemctl start docker」で起動し（起動時に自動で立ち上げるには「sudo systemctl enable docker」）、"
        "もう一度確認してください。",
    ),
    "first_run_docker_permission": Entry(
        en="The Docker engine is running, but your user account is not allowed to use it ({detail}).",
        en_fix="Run 'sudo usermod -aG docker $USER', log out and log in again, then check again.",
        ja="Docker エンジンは起動していますが、このユーザーアカウントには使用する権限がありません（{detail}）。",
        ja_fix="「sudo usermod -aG docker $USER」を実行し、ログアウトしてログインし直してから、"
        "もう一度確認してください。",
    ),
    "first_run_engine_error": Entry(
        en="Docker did not answer as expected at {where}: {detail}",
        en_fix="Restart Docker (Docker Desktop: Troubleshoot → Restart), then check again.",
        ja="{where} の Docker から想定外の応答がありました: {detail}",
        ja_fix="Docker を再起動してから（Docker Desktop の場合は「Troubleshoot」→「Restart」）、"
        "もう一度確認してください。",
    ),
    "first_run_toolchain_missing": Entry(
        en="The TPU-MLIR toolchain image ({image}) is not on this computer yet.",
        en_fix="The wizard downloads {base} (several GB) and prepares it: with 'Get the toolchain' "
        "where you choose where to convert, or at the first conversion. It needs {needed_gb} GB of "
        "free disk and takes 10 to 30 minutes; keep the computer online and plugged in. Later "
        "conversions reuse it.",
        ja="TPU-MLIR ツールチェーンのイメージ（{image}）はまだこのコンピューターにありません。",
        ja_fix="ウィザードが {base}（数GB）をダウンロードして準備します。変換する場所を選ぶページの"
        "「ツールチェーンを用意する」、または最初の変換で行われます。{needed_gb} GB の空きディスクが必要で、"
        "10〜30分ほどかかります。ネットワークと電源につないだままにしてください。2回目以降の変換では"
        "再利用されます。",
    ),
    "first_run_toolchain_needs_build": Entry(
        en="The toolchain base image {base} is here; {image} is not prepared yet.",
        en_fix="The wizard prepares it from {base} in a few minutes ('Get the toolchain', or at the "
        "first conversion), with no large download.",
        ja="ツールチェーンのベースイメージ {base} はありますが、{image} はまだ準備されていません。",
        ja_fix="ウィザードが {base} から数分で準備します（「ツールチェーンを用意する」、または最初の変換時）。"
        "大きなダウンロードはありません。",
    ),
    "first_run_apple_silicon": Entry(
        en="This Mac has an Apple silicon chip; the TPU-MLIR toolchain is built for Intel (x86-64) "
        "and runs under emulation, several times slower.",
        en_fix="In Docker Desktop, open Settings → General and turn on 'Use Rosetta for x86_64/amd64 "
        "emulation on Apple Silicon'. Give Docker at least 8 GB of memory (Settings → Resources).",
        ja="この Mac は Apple シリコンを搭載しています。TPU-MLIR ツールチェーンは Intel（x86-64）向けのため、"
        "エミュレーションで動作し、数倍時間がかかります。",
        ja_fix="Docker Desktop の「Settings」→「General」で「Use Rosetta for x86_64/amd64 emulation on "
        "Apple Silicon」をオンにしてください。また「Settings」→「Resources」で Docker に 8 GB 以上の"
        "メモリを割り当ててください。",
    ),
}
