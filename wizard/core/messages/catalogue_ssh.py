"""Messages of the SSH backend: connecting to the user's VM, setting it up, running there."""

from wizard.core.messages import Entry

ENTRIES = {
    "vm_bad_target": Entry(
        en="'{target}' is not an SSH address.",
        en_fix="Write it as user@host or user@host:port, for example ubuntu@203.0.113.7:22.",
        ja="'{target}' は SSH の接続先として正しくありません。",
        ja_fix="user@host または user@host:port の形で入力してください（例: ubuntu@203.0.113.7:22）。",
    ),
    "vm_unreachable": Entry(
        en="Cannot reach {target}: {detail}",
        en_fix="Check that the VM is running, the address and port are right, and its firewall allows SSH from your network.",
        ja="{target} に接続できません: {detail}",
        ja_fix="VM が起動していること、アドレスとポートが正しいこと、ファイアウォールで SSH が許可されていることを確認してください。",
    ),
    "vm_auth_failed": Entry(
        en="The VM {target} refused the login (tried: {methods}).",
        en_fix="Check the user name, choose the private key that matches the VM's authorized key, or enter the password again.",
        ja="VM {target} にログインできませんでした（試した方法: {methods}）。",
        ja_fix="ユーザー名を確認し、VM に登録した公開鍵に対応する秘密鍵を選ぶか、パスワードを入力し直してください。",
    ),
    "vm_key_unreadable": Entry(
        en="The private key {path} cannot be used: {detail}",
        en_fix="Pick the private key file (not the .pub file) that you use with ssh for this VM.",
        ja="秘密鍵 {path} を使えません: {detail}",
        ja_fix="この VM への ssh で使っている秘密鍵ファイル（.pub ではない方）を選んでください。",
    ),
    "vm_key_passphrase": Entry(
        en="The private key {path} is protected by a passphrase.",
        en_fix="Enter the key's passphrase, or load the key into your SSH agent (ssh-add) and try again.",
        ja="秘密鍵 {path} はパスフレーズで保護されています。",
        ja_fix="鍵のパスフレーズを入力するか、SSH エージェントに鍵を登録（ssh-add）してからやり直してください。",
    ),
    "vm_host_key_unknown": Entry(
        en="This is the first connection to {host}. Its {key_type} host key fingerprint is {fingerprint}.",
        en_fix="Compare it with the fingerprint shown by your VM provider's console (or `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the VM); accept only if they are identical.",
        ja="{host} への初めての接続です。ホスト鍵（{key_type}）のフィンガープリントは {fingerprint} です。",
        ja_fix="VM 提供元のコンソールに表示されるフィンガープリント（または VM 上の `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`）と比べ、完全に一致する場合だけ承認してください。",
    ),
    "vm_host_key_changed": Entry(
        en="The host key of {host} has CHANGED (now {fingerprint}); it no longer matches the one recorded in {file}. The connection was refused: someone may be intercepting it.",
        en_fix="If you rebuilt or replaced the VM, remove its old line from {file} (ssh-keygen -R '{host}' -f '{file}') and connect again; otherwise do not connect.",
        ja="{host} のホスト鍵が変わりました（現在 {fingerprint}）。{file} に記録された鍵と一致しないため接続を拒否しました。通信が盗聴されている可能性があります。",
        ja_fix="VM を作り直した・入れ替えた場合は {file} から古い行を削除（ssh-keygen -R '{host}' -f '{file}'）してから再接続してください。心当たりがなければ接続しないでください。",
    ),
    "vm_sftp_unavailable": Entry(
        en="The VM {target} does not offer file transfer (SFTP): {detail}",
        en_fix="Enable the SFTP subsystem in the VM's /etc/ssh/sshd_config (Subsystem sftp ...) and restart sshd.",
        ja="VM {target} でファイル転送（SFTP）が使えません: {detail}",
        ja_fix="VM の /etc/ssh/sshd_config で SFTP サブシステム（Subsystem sftp ...）を有効にして sshd を再起動してください。",
    ),
    "vm_connection_lost": Entry(
        en="The connection to {target} dropped; reconnecting (attempt {attempt}). The conversion keeps running on the VM.",
        en_fix="Nothing to do: the log resumes where it stopped once the connection is back.",
        ja="{target} との接続が切れました。再接続しています（{attempt} 回目）。変換は VM 上で続いています。",
        ja_fix="操作は不要です。接続が戻ると、ログは途切れた所から再開します。",
    ),
    "vm_reconnect_failed": Entry(
        en="The connection to {target} could not be restored for {seconds} s. The conversion may still be running on the VM (run {run_id}).",
        en_fix="Check your network and the VM, then re-attach to the run from the job history; nothing is lost while the VM keeps running.",
        ja="{target} との接続が {seconds} 秒間回復しませんでした。変換は VM 上でまだ動いている可能性があります（実行 {run_id}）。",
        ja_fix="ネットワークと VM を確認してから、ジョブ履歴からこの実行に再接続してください。VM が動いている限り何も失われません。",
    ),
    "vm_command_timeout": Entry(
        en="A command on {target} did not finish within {seconds} s.",
        en_fix="Check that the VM is not overloaded or out of disk space, then try again.",
        ja="{target} 上のコマンドが {seconds} 秒以内に終わりませんでした。",
        ja_fix="VM が過負荷やディスク不足になっていないか確認してから、やり直してください。",
    ),
    "vm_command_failed": Entry(
        en="'{what}' failed on {target}: {detail}",
        en_fix="Read the message above; check free disk space on the VM (df -h) and try again.",
        ja="{target} で「{what}」に失敗しました: {detail}",
        ja_fix="上のメッセージを確認し、VM の空きディスク容量（df -h）を確認してからやり直してください。",
    ),
    "vm_not_linux": Entry(
        en="{target} is not a Linux machine ({detail}).",
        en_fix="Use a Linux VM, for example Ubuntu 22.04 on x86-64, as in Seeed's guide.",
        ja="{target} は Linux マシンではありません（{detail}）。",
        ja_fix="Seeed のガイドと同じく、Linux VM（例: x86-64 の Ubuntu 22.04）を使ってください。",
    ),
    "vm_arch_not_x86": Entry(
        en="{target} is a {arch} machine; the TPU-MLIR toolchain image is built for x86-64 only.",
        en_fix="Rent an x86-64 (amd64) VM instead; ARM VMs would have to emulate it and take hours.",
        ja="{target} は {arch} マシンです。TPU-MLIR のイメージは x86-64 専用です。",
        ja_fix="x86-64（amd64）の VM を使ってください。ARM ではエミュレーションになり数時間かかります。",
    ),
    "vm_docker_missing": Entry(
        en="Docker is not installed on {target} (no 'docker' command for user {user}).",
        en_fix="Let the wizard set up the VM (it runs: apt-get install docker.io, systemctl enable --now docker, usermod -aG docker {user}), or run those commands yourself with sudo.",
        ja="{target} に Docker がインストールされていません（ユーザー {user} で 'docker' コマンドが見つかりません）。",
        ja_fix="ウィザードに VM をセットアップさせる（apt-get install docker.io、systemctl enable --now docker、usermod -aG docker {user} を実行）か、これらを sudo で自分で実行してください。",
    ),
    "vm_docker_not_running": Entry(
        en="Docker is installed on {target} but its engine is not running: {detail}",
        en_fix="Run 'sudo systemctl enable --now docker' on the VM, or let the wizard set up the VM.",
        ja="{target} に Docker はありますが、エンジンが動いていません: {detail}",
        ja_fix="VM で 'sudo systemctl enable --now docker' を実行するか、ウィザードに VM をセットアップさせてください。",
    ),
    "vm_docker_permission": Entry(
        en="User {user} on {target} may not use Docker (permission denied on the Docker socket).",
        en_fix="Add the user to the docker group: 'sudo usermod -aG docker {user}' (or let the wizard do it); the wizard then logs in again so it takes effect.",
        ja="{target} のユーザー {user} には Docker を使う権限がありません（Docker ソケットへのアクセスが拒否されました）。",
        ja_fix="ユーザーを docker グループに追加してください: 'sudo usermod -aG docker {user}'（ウィザードに任せることもできます）。反映のためウィザードが再ログインします。",
    ),
    "vm_setup_unsupported": Entry(
        en="The wizard can set up Docker only on Debian or Ubuntu; {target} runs {os}.",
        en_fix="Install Docker with your distribution's instructions, start it, and add {user} to the docker group.",
        ja="ウィザードが Docker をセットアップできるのは Debian / Ubuntu だけです。{target} は {os} です。",
        ja_fix="お使いのディストリビューションの手順で Docker をインストール・起動し、{user} を docker グループに追加してください。",
    ),
    "vm_sudo_password": Entry(
        en="Setting up {target} needs administrator rights: sudo asks for the password of {user}.",
        en_fix="Enter the password of {user} on the VM (it is sent only to sudo on the VM and never stored), or run the set-up commands yourself.",
        ja="{target} のセットアップには管理者権限が必要です。sudo が {user} のパスワードを求めています。",
        ja_fix="VM 上の {user} のパスワードを入力してください（VM の sudo にだけ送られ、保存されません）。または自分でセットアップコマンドを実行してください。",
    ),
    "vm_setup_failed": Entry(
        en="Setting up {target} failed at '{step}': {detail}",
        en_fix="Log in to the VM and run the command yourself to see the full message (for example: sudo apt-get install docker.io).",
        ja="{target} のセットアップが「{step}」で失敗しました: {detail}",
        ja_fix="VM にログインしてそのコマンドを自分で実行し、詳しいメッセージを確認してください（例: sudo apt-get install docker.io）。",
    ),
    "vm_disk_low": Entry(
        en="Only {free_gb} GB free in the home folder of {target}; a conversion needs about {need_gb} GB.",
        en_fix="Free space on the VM (docker system prune, old runs in ~/.recamera-wizard) or enlarge its disk.",
        ja="{target} のホームフォルダの空きが {free_gb} GB しかありません。変換には約 {need_gb} GB 必要です。",
        ja_fix="VM の空きを増やす（docker system prune、~/.recamera-wizard の古い実行を削除）か、ディスクを拡張してください。",
    ),
    "vm_image_missing": Entry(
        en="The toolchain image {image} is not on {target}.",
        en_fix="Let the wizard build it on the VM (about 10-20 minutes, needs internet on the VM), or build it there yourself.",
        ja="ツールチェーンのイメージ {image} が {target} にありません。",
        ja_fix="ウィザードに VM 上でビルドさせる（10〜20 分程度、VM からインターネット接続が必要）か、VM 上で自分でビルドしてください。",
    ),
    "vm_image_build_failed": Entry(
        en="Building the toolchain image {image} on {target} failed: {detail}",
        en_fix="Check that the VM can reach Docker Hub and PyPI and has about 15 GB free (df -h), then try again.",
        ja="{target} 上でツールチェーンのイメージ {image} の作成に失敗しました: {detail}",
        ja_fix="VM から Docker Hub と PyPI に接続できること、約 15 GB の空き（df -h）があることを確認してから、やり直してください。",
    ),
    "vm_upload_failed": Entry(
        en="Uploading the workspace to {target} failed: {detail}",
        en_fix="Check free disk space on the VM (df -h) and the connection, then try again.",
        ja="{target} へのワークスペースのアップロードに失敗しました: {detail}",
        ja_fix="VM の空きディスク容量（df -h）と接続を確認してから、やり直してください。",
    ),
    "vm_checksum_mismatch": Entry(
        en="{path} arrived from {target} damaged (its SHA-256 does not match the VM's).",
        en_fix="Download the results again; if it repeats, check the VM's disk.",
        ja="{target} から受け取った {path} が壊れています（SHA-256 が VM 上の値と一致しません）。",
        ja_fix="結果をもう一度ダウンロードしてください。繰り返す場合は VM のディスクを確認してください。",
    ),
    "vm_run_not_found": Entry(
        en="Run {run_id} is no longer on {target} (its folder {path} is gone).",
        en_fix="It was cleaned up or the VM was rebuilt: start the conversion again.",
        ja="実行 {run_id} は {target} にもうありません（フォルダ {path} がありません）。",
        ja_fix="削除されたか VM が作り直されています。変換をもう一度開始してください。",
    ),
    "vm_cleanup_failed": Entry(
        en="Could not remove the run folder {path} on {target}: {detail}",
        en_fix="Remove it yourself on the VM (sudo rm -rf {path}) to free its disk space.",
        ja="{target} の実行フォルダ {path} を削除できませんでした: {detail}",
        ja_fix="ディスクを空けるため、VM 上で自分で削除してください（sudo rm -rf {path}）。",
    ),
}
