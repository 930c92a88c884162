"""Messages of workshop mode: the kit, the shared server, the queue and the room's status."""

from wizard.core.messages import Entry

ENTRIES = {
    # --- the kit -----------------------------------------------------------------------------------
    "kit_not_a_kit": Entry(
        en="{path} is not a workshop kit ({detail}).",
        en_fix="Open the .rcwkit file the instructor handed out; if it is that file, ask for a fresh copy.",
        ja="{path} はワークショップキットではありません（{detail}）。",
        ja_fix="講師が配布した .rcwkit ファイルを開いてください。そのファイルで表示される場合は、新しいコピーをもらってください。",
    ),
    "kit_damaged": Entry(
        en="The workshop kit {path} is damaged ({detail}).",
        en_fix="Copy it again from the instructor's USB stick or the course page.",
        ja="ワークショップキット {path} は壊れています（{detail}）。",
        ja_fix="講師の USB メモリーやコースのページからもう一度コピーしてください。",
    ),
    "kit_changed": Entry(
        en="The workshop kit {path} was changed or damaged after the instructor made it: its checksum does not match its contents.",
        en_fix="Use an unmodified copy from the instructor. To change a kit, make a new one with: recamera-wizard workshop make-kit.",
        ja="ワークショップキット {path} は講師が作成した後に変更されたか壊れています（チェックサムが内容と一致しません）。",
        ja_fix="講師から受け取った変更されていないコピーを使ってください。キットを変えるには recamera-wizard workshop make-kit で新しく作り直してください。",
    ),
    "kit_newer_version": Entry(
        en="The workshop kit {path} uses kit format {version}, made by wizard {made_with}; this app ({app_version}) reads kit format {supported} and older.",
        en_fix="Update the reCamera Model Wizard to the version the instructor uses, or ask for a kit made for version {app_version}.",
        ja="ワークショップキット {path} はキット形式 {version}（ウィザード {made_with} で作成）です。このアプリ（{app_version}）が読めるのは形式 {supported} までです。",
        ja_fix="reCamera Model Wizard を講師と同じバージョンに更新するか、バージョン {app_version} 用のキットを作ってもらってください。",
    ),
    "kit_invalid": Entry(
        en="The workshop kit {path} cannot be used: {detail}",
        en_fix="Ask the instructor to make the kit again with: recamera-wizard workshop make-kit.",
        ja="ワークショップキット {path} は使えません: {detail}",
        ja_fix="recamera-wizard workshop make-kit でキットを作り直すよう講師に依頼してください。",
    ),
    "kit_option_unknown": Entry(
        en="'{option}' is not a conversion option a workshop kit sets.",
        en_fix="Use one of: {known}.",
        ja="'{option}' はワークショップキットで設定できる変換オプションではありません。",
        ja_fix="次のいずれかを使ってください: {known}",
    ),
    "kit_choice_locked": Entry(
        en="The workshop \"{title}\" fixes the option {option}: it cannot be changed here.",
        en_fix="Leave it as the kit sets it; ask the instructor if your model needs another value.",
        ja="ワークショップ「{title}」ではオプション {option} が固定されているため変更できません。",
        ja_fix="キットの設定のままにしてください。別の値が必要な場合は講師に相談してください。",
    ),
    "kit_samples_missing": Entry(
        en="The workshop kit \"{title}\" has no sample model or pictures.",
        en_fix="Choose your own model (.onnx) and a folder of pictures.",
        ja="ワークショップキット「{title}」にはサンプルのモデルや画像が入っていません。",
        ja_fix="自分のモデル（.onnx）と画像フォルダーを選んでください。",
    ),
    "kit_no_sample_images": Entry(
        en="{path} holds no pictures (.jpg, .png, ...) to put into the kit.",
        en_fix="Choose the folder that holds the sample pictures themselves.",
        ja="{path} にはキットに入れる画像（.jpg、.png など）がありません。",
        ja_fix="サンプル画像そのものが入っているフォルダーを選んでください。",
    ),
    "kit_too_many_images": Entry(
        en="{path} holds more than {maximum} pictures: too many for a kit every attendee copies.",
        en_fix="Put a selection of at most {maximum} pictures (100 are enough for calibration) into a folder of its own.",
        ja="{path} の画像が {maximum} 枚を超えています。全員がコピーするキットには多すぎます。",
        ja_fix="{maximum} 枚以下（キャリブレーションには 100 枚で十分です）を選んで別のフォルダーに入れてください。",
    ),
    "kit_host_key_mismatch": Entry(
        en="The server {host} presented the host key {fingerprint}, not the {expected} pinned in the workshop kit. The connection was refused.",
        en_fix="Tell the instructor. If the server was rebuilt they must make a new kit; otherwise someone may be intercepting the connection: do not go on.",
        ja="サーバー {host} のホスト鍵は {fingerprint} で、ワークショップキットに固定された {expected} ではありません。接続を拒否しました。",
        ja_fix="講師に伝えてください。サーバーを作り直した場合は新しいキットが必要です。そうでなければ通信が盗聴されている可能性があるので続けないでください。",
    ),
    "kit_image_differs": Entry(
        en="The toolchain image {image} on {target} is not the one the workshop kit names (kit: {expected}, server: {found}).",
        en_fix="Instructor: load the kit's image on the server (workshop prepare-server --image-tarball FILE) or make the kit again for the server's image.",
        ja="{target} のツールチェーンイメージ {image} はワークショップキットが指定するものと異なります（キット: {expected}、サーバー: {found}）。",
        ja_fix="講師の方へ: キットのイメージをサーバーに読み込む（workshop prepare-server --image-tarball FILE）か、サーバーのイメージに合わせてキットを作り直してください。",
    ),
    "kit_tarball_other_image": Entry(
        en="{path} holds the image {found}, not the workshop kit's {expected}. Nothing was loaded.",
        en_fix="Use the tarball named in the kit ({tarball}) from the instructor's USB stick.",
        ja="{path} に入っているイメージは {found} で、ワークショップキットの {expected} ではありません。何も読み込んでいません。",
        ja_fix="講師の USB メモリーにある、キットに書かれたファイル（{tarball}）を使ってください。",
    ),
    "kit_tarball_unreadable": Entry(
        en="{path} is not a Docker image tarball made by `docker save` ({detail}).",
        en_fix="Copy the file again; make one with: docker save -o FILE.tar IMAGE.",
        ja="{path} は `docker save` で作られた Docker イメージの tar ファイルではありません（{detail}）。",
        ja_fix="ファイルをもう一度コピーしてください。作成方法: docker save -o FILE.tar IMAGE",
    ),
    "kit_no_image_id": Entry(
        en="The workshop kit does not name a toolchain image ID, so {path} cannot be checked against it.",
        en_fix="Load it without --kit, or ask the instructor for a kit made with --image-tarball.",
        ja="ワークショップキットにツールチェーンイメージの ID がないため、{path} を照合できません。",
        ja_fix="--kit を付けずに読み込むか、--image-tarball を指定して作ったキットを講師にもらってください。",
    ),
    "kit_ready": Entry(
        en="Workshop kit written: {path} (\"{title}\", checksum {checksum}).",
        en_fix="Hand it out (USB stick, course page); attendees open it with: recamera-wizard --kit {path}",
        ja="ワークショップキットを作成しました: {path}（「{title}」、チェックサム {checksum}）。",
        ja_fix="USB メモリーやコースのページで配布してください。受講者は recamera-wizard --kit {path} で開きます。",
    ),
    # --- the shared server -------------------------------------------------------------------------
    "workshop_bad_id": Entry(
        en="'{value}' is not a workshop name: use 1-40 lower-case letters, digits, '_' or '-', starting with a letter or digit.",
        en_fix="For example: ws-2026-osaka.",
        ja="'{value}' はワークショップ名に使えません。英小文字・数字・'_'・'-' を 1〜40 文字（先頭は英数字）で指定してください。",
        ja_fix="例: ws-2026-osaka",
    ),
    "workshop_bad_slots": Entry(
        en="{value} is not a number of conversions the server can run at once (1 to {maximum}).",
        en_fix="Give a number from 1 to {maximum}; about one per 3 GB of the server's memory.",
        ja="{value} はサーバーで同時に実行する変換の数として使えません（1〜{maximum}）。",
        ja_fix="1〜{maximum} の数を指定してください。目安はサーバーのメモリー 3 GB ごとに 1 つです。",
    ),
    "workshop_not_prepared": Entry(
        en="The server {target} is not set up for the workshop '{workshop}' (no queue there).",
        en_fix="Run once: recamera-wizard workshop prepare-server --host {target} --workshop {workshop}",
        ja="サーバー {target} はワークショップ '{workshop}' 用に準備されていません（キューがありません）。",
        ja_fix="一度だけ次を実行してください: recamera-wizard workshop prepare-server --host {target} --workshop {workshop}",
    ),
    "workshop_slots_differ": Entry(
        en="The server {target} runs {server_slots} conversions at once, but the kit asks for {kit_slots}.",
        en_fix="Make the kit for {server_slots} conversions at once (the kit maker's \"Conversions at once\", or "
               "--slots {server_slots}), or run prepare-server again with --slots {kit_slots}.",
        ja="サーバー {target} の同時変換数は {server_slots} ですが、キットでは {kit_slots} になっています。",
        ja_fix="同時変換数 {server_slots} でキットを作る（キット作成の「同時変換数」、または --slots {server_slots}）か、"
               "--slots {kit_slots} で prepare-server をもう一度実行してください。",
    ),
    "workshop_memory_low": Entry(
        en="{slots} conversions at once need about {need_gb} GB of memory on {target}; it has {have_gb} GB, enough for {fits}.",
        en_fix="Choose {fits} conversions at once (\"Conversions at once\" or --slots {fits}; the others wait in the "
               "queue), fewer calibration images, or a server with more memory.",
        ja="{target} で {slots} 件を同時に変換するには約 {need_gb} GB のメモリーが必要ですが、{have_gb} GB しかありません（{fits} 件分）。",
        ja_fix="同時変換数を {fits} にする（「同時変換数」または --slots {fits}。残りはキューで待ちます）、"
               "キャリブレーション画像を減らす、またはメモリーの多いサーバーを使ってください。",
    ),
    "workshop_disk_low": Entry(
        en="{slots} conversions at once need about {need_gb} GB of free disk on {target}; it has {free_gb} GB.",
        en_fix="Free disk space on the server (docker system prune removes unused images) or choose fewer "
               "conversions at once (\"Conversions at once\" or --slots).",
        ja="{target} で {slots} 件を同時に変換するには約 {need_gb} GB の空きディスクが必要ですが、{free_gb} GB しかありません。",
        ja_fix="サーバーの空き容量を増やす（docker system prune で未使用のイメージを削除）か、同時変換数"
               "（「同時変換数」または --slots）を減らしてください。",
    ),
    "workshop_image_missing": Entry(
        en="The toolchain image {image} is not on the server {target}.",
        en_fix="Instructor: run workshop prepare-server with --image-tarball FILE (offline) or --build-image (needs internet on the server).",
        ja="ツールチェーンイメージ {image} がサーバー {target} にありません。",
        ja_fix="講師の方へ: workshop prepare-server を --image-tarball FILE（オフライン）または --build-image（サーバーにインターネット接続が必要）付きで実行してください。",
    ),
    "workshop_flock_missing": Entry(
        en="The server {target} has no flock command, which the workshop queue needs.",
        en_fix="Install it on the server: sudo apt-get install util-linux",
        ja="サーバー {target} に、ワークショップのキューに必要な flock コマンドがありません。",
        ja_fix="サーバーにインストールしてください: sudo apt-get install util-linux",
    ),
    "workshop_needs_root": Entry(
        en="Creating the attendee account {user} on {target} needs root or sudo, and this login ({login}) has neither.",
        en_fix="Log in as root or a user with sudo (give --password-env for sudo's password), or create the account yourself.",
        ja="{target} に受講者用アカウント {user} を作るには root か sudo が必要ですが、このログイン（{login}）にはどちらもありません。",
        ja_fix="root または sudo を使えるユーザーでログインする（sudo のパスワードは --password-env で指定）か、アカウントを自分で作成してください。",
    ),
    "workshop_bad_account": Entry(
        en="'{value}' is not an account name for attendees (lower-case letters, digits, '_' and '-', at most 32).",
        en_fix="For example: workshop",
        ja="'{value}' は受講者用のアカウント名に使えません（英小文字・数字・'_'・'-'、32 文字まで）。",
        ja_fix="例: workshop",
    ),
    "workshop_key_unreadable": Entry(
        en="{path} is not an SSH public key ({detail}).",
        en_fix="Give the .pub file of the key attendees (or you) log in with, e.g. ~/.ssh/id_ed25519.pub.",
        ja="{path} は SSH 公開鍵ではありません（{detail}）。",
        ja_fix="ログインに使う鍵の .pub ファイル（例: ~/.ssh/id_ed25519.pub）を指定してください。",
    ),
    "workshop_step_failed": Entry(
        en="Setting up {target} failed at \"{step}\": {detail}",
        en_fix="Fix the cause shown and run prepare-server again: steps already done are skipped.",
        ja="{target} の準備が「{step}」で失敗しました: {detail}",
        ja_fix="表示された原因を解決してから prepare-server をもう一度実行してください。完了済みの手順は省略されます。",
    ),
    "workshop_server_ready": Entry(
        en="The server {target} is ready for the workshop '{workshop}': {slots} conversions at once, toolchain image {image}.",
        en_fix="Next: recamera-wizard workshop make-kit --host {target} --workshop {workshop} --out KIT.rcwkit",
        ja="サーバー {target} はワークショップ '{workshop}' の準備ができました: 同時変換数 {slots}、ツールチェーンイメージ {image}。",
        ja_fix="次に: recamera-wizard workshop make-kit --host {target} --workshop {workshop} --out KIT.rcwkit",
    ),
    "workshop_check_failed": Entry(
        en="The kit was not written: the server {target} is not ready ({count} problem(s) above).",
        en_fix="Fix them (most are fixed by running workshop prepare-server) and make the kit again.",
        ja="キットは作成していません: サーバー {target} の準備ができていません（上の {count} 件の問題）。",
        ja_fix="問題を解決して（多くは workshop prepare-server で直ります）、もう一度キットを作ってください。",
    ),
    "workshop_bad_attendee": Entry(
        en="'{value}' cannot be shown as an attendee's name (1 to 80 characters, no line breaks).",
        en_fix="Give a name of 1 to 80 characters on one line (the window's name field, or --attendee).",
        ja="'{value}' は受講者名として表示できません（1〜80 文字、改行なし）。",
        ja_fix="1〜80 文字で改行のない名前を指定してください（ウィンドウの名前欄、または --attendee）。",
    ),
    "workshop_not_a_workshop_run": Entry(
        en="{path} is not a workshop conversion (its job record says backend '{backend}').",
        en_fix="Resume it with: recamera-wizard convert --resume --out {path}",
        ja="{path} はワークショップの変換ではありません（ジョブ記録のバックエンドは '{backend}'）。",
        ja_fix="次で再開してください: recamera-wizard convert --resume --out {path}",
    ),
    "workshop_resume_other_kit": Entry(
        en="{path} was started with another workshop kit ({expected}), not {kit}.",
        en_fix="Resume it with the kit it was started with, or leave out --kit.",
        ja="{path} は別のワークショップキット（{expected}）で開始されたもので、{kit} ではありません。",
        ja_fix="開始時のキットで再開するか、--kit を省略してください。",
    ),
    "workshop_status_failed": Entry(
        en="The status of the workshop could not be read from {target}: {detail}",
        en_fix="Check that the server is set up (workshop prepare-server) and reachable, then try again.",
        ja="{target} からワークショップの状況を読み取れませんでした: {detail}",
        ja_fix="サーバーが準備済み（workshop prepare-server）で接続できることを確認して、もう一度試してください。",
    ),
    # --- the queue and the room, as shown to people -------------------------------------------------
    "workshop_queue_waiting": Entry(
        en="Waiting for the shared server: {ahead} ahead of you (it runs {slots} at once).",
        en_fix="",
        ja="共有サーバーの順番待ち: あなたの前に {ahead} 人（同時に {slots} 件まで実行）。",
        ja_fix="",
    ),
    "workshop_queue_admitted": Entry(
        en="Your turn: the conversion starts now (slot {slot} of {slots}, after {waited} s in the queue).",
        en_fix="",
        ja="あなたの番です。変換を開始します（{slots} 枠中 {slot} 番、待ち時間 {waited} 秒）。",
        ja_fix="",
    ),
    "workshop_queue_left": Entry(
        en="You left the queue (ticket {ticket}); nothing ran on the server.",
        en_fix="",
        ja="順番待ちから外れました（整理番号 {ticket}）。サーバーでは何も実行していません。",
        ja_fix="",
    ),
    "workshop_state_starting": Entry(en="starting", en_fix="", ja="開始中", ja_fix=""),
    "workshop_state_waiting": Entry(en="waiting: {ahead} ahead", en_fix="", ja="待機中: 前に {ahead} 人", ja_fix=""),
    "workshop_state_running": Entry(en="running: {step}", en_fix="", ja="実行中: {step}", ja_fix=""),
    "workshop_state_done": Entry(en="done: {verdict}", en_fix="", ja="完了: {verdict}", ja_fix=""),
    "workshop_state_failed": Entry(en="failed: {cause}", en_fix="", ja="失敗: {cause}", ja_fix=""),
    "workshop_state_cancelled": Entry(en="cancelled", en_fix="", ja="キャンセル", ja_fix=""),
    "workshop_state_vanished": Entry(
        en="stopped without a result (the server restarted, or the job was killed)", en_fix="",
        ja="結果なしで停止（サーバーの再起動またはジョブの強制終了）", ja_fix=""),
    "workshop_verdict_success": Entry(en="converted", en_fix="", ja="変換成功", ja_fix=""),
    "workshop_cause_exit": Entry(en="{step} ended with exit code {code}", en_fix="",
                                 ja="{step} が終了コード {code} で終了", ja_fix=""),
    "workshop_status_server": Entry(
        en="Server {target}: {running} of {slots} slots busy, {waiting} waiting; load {load}; memory {mem_used} of {mem_total} GB used; {disk_free} GB disk free.",
        en_fix="",
        ja="サーバー {target}: {slots} 枠中 {running} 枠使用中、待機 {waiting} 件、負荷 {load}、メモリー {mem_total} GB 中 {mem_used} GB 使用、空きディスク {disk_free} GB。",
        ja_fix="",
    ),
    # --- one account per attendee ------------------------------------------------------------------
    "workshop_accounts_or_account": Entry(
        en="Choose one: --attendee-accounts N (one account per attendee) or --attendee-account NAME (one login they share).",
        en_fix="For a room where attendees must not see each other's files, use --attendee-accounts.",
        ja="--attendee-accounts N（受講者ごとのアカウント）か --attendee-account NAME（全員で共有するログイン）のどちらか一方を指定してください。",
        ja_fix="受講者どうしがお互いのファイルを見られないようにするには --attendee-accounts を使ってください。",
    ),
    "workshop_bad_account_count": Entry(
        en="{value} is not a number of attendee accounts (1 to {maximum}).",
        en_fix="Give one account per seat, for example --attendee-accounts 20.",
        ja="{value} は受講者アカウントの数として使えません（1〜{maximum}）。",
        ja_fix="席の数だけ指定してください。例: --attendee-accounts 20",
    ),
    "workshop_accounts_no_login": Entry(
        en="The attendee accounts would have no way to log in: neither a key (--attendee-key) nor a password sheet (--accounts-sheet) was given.",
        en_fix="Add --accounts-sheet FILE: each new account gets a password, written to that file on this computer for the seat cards.",
        ja="受講者アカウントにログインする手段がありません。鍵（--attendee-key）もパスワード表（--accounts-sheet）も指定されていません。",
        ja_fix="--accounts-sheet FILE を付けてください。新しいアカウントごとにパスワードが作られ、席カード用にこのコンピューターのそのファイルに書き出されます。",
    ),
    "workshop_tools_missing": Entry(
        en="The server {target} lacks what one account per attendee needs: {tools}.",
        en_fix="Install them on the server: sudo apt-get install sudo util-linux",
        ja="サーバー {target} には、受講者ごとのアカウントに必要な次のものがありません: {tools}",
        ja_fix="サーバーにインストールしてください: sudo apt-get install sudo util-linux",
    ),
    "workshop_account_needed": Entry(
        en="This workshop gives every attendee their own account ({hint}): say which one is yours.",
        en_fix="Type the account name from your seat card (command line: --account NAME), and its password or key.",
        ja="このワークショップでは受講者ごとに自分のアカウント（{hint}）があります。どれがあなたのものか指定してください。",
        ja_fix="席カードに書かれたアカウント名（コマンドラインでは --account NAME）と、そのパスワードまたは鍵を入力してください。",
    ),
    "workshop_gatekeeper_refused": Entry(
        en="The account {account} may not start conversions in workshop {workshop} on {target} ({detail}).",
        en_fix="Check the account name on your seat card. Instructor: run workshop prepare-server --attendee-accounts again; it adds missing accounts to the workshop.",
        ja="アカウント {account} は {target} のワークショップ {workshop} で変換を開始できません（{detail}）。",
        ja_fix="席カードのアカウント名を確かめてください。講師の方へ: workshop prepare-server --attendee-accounts をもう一度実行すると、足りないアカウントがワークショップに加わります。",
    ),
    "workshop_status_login_needed": Entry(
        en="In this workshop every attendee has their own account, so the room's status on {target} needs the instructor's login there (root, or an account with sudo).",
        en_fix="Give it with --login NAME (and --password-env for sudo's password), or in the window's Login field.",
        ja="このワークショップは受講者ごとにアカウントがあるため、{target} の教室の状況を見るには講師のログイン（root または sudo が使えるアカウント）が必要です。",
        ja_fix="--login NAME（sudo のパスワードは --password-env）で、またはウィンドウのログイン欄で指定してください。",
    ),
    "workshop_status_needs_root": Entry(
        en="The login {login} on {target} cannot read the room's status without sudo's password.",
        en_fix="Give the password (--password-env VAR, or the window's password field), or log in as root.",
        ja="{target} のログイン {login} では、sudo のパスワードなしに教室の状況を読めません。",
        ja_fix="パスワードを指定する（--password-env VAR またはウィンドウのパスワード欄）か、root でログインしてください。",
    ),
    "workshop_image_other": Entry(
        en="Workshop {workshop} on {target} runs the toolchain image {server_image}, not {image}.",
        en_fix="Make the kit with --image {server_image}, or run workshop prepare-server again with --image {image}.",
        ja="{target} のワークショップ {workshop} が使うツールチェーンイメージは {image} ではなく {server_image} です。",
        ja_fix="--image {server_image} でキットを作るか、--image {image} を付けて workshop prepare-server をもう一度実行してください。",
    ),
    "workshop_status_empty": Entry(en="No attendee has started a conversion yet.", en_fix="",
                                   ja="まだ誰も変換を開始していません。", ja_fix=""),
}
