"""Device messages: finding the reCamera, uploading a model, switching the flow, SSH, live check."""

from wizard.core.messages import Entry

ENTRIES = {
    "device_unreachable": Entry(
        en="The reCamera at {address} does not answer ({detail}).",
        en_fix="Check the USB-C cable (use a data cable, not a charge-only one) and wait until the "
        "camera has finished booting (about one minute). On Windows, pick the \"UsbNcm Host Device\" "
        "driver for the new network adapter in Device Manager. Then check the address: 192.168.42.1 "
        "over USB, or recamera.local / the camera's Wi-Fi address.",
        ja="{address} の reCamera から応答がありません（{detail}）。",
        ja_fix="USB-C ケーブル（充電専用ではなくデータ通信対応のもの）を確認し、カメラの起動完了（約1分）を"
        "待ってください。Windows ではデバイスマネージャーで新しいネットワークアダプターに「UsbNcm Host Device」"
        "ドライバーを手動で選んでください。そのうえでアドレスを確認してください（USB 接続は 192.168.42.1、"
        "または recamera.local / カメラの Wi-Fi アドレス）。",
    ),
    "device_timeout": Entry(
        en="The reCamera at {address} stopped answering during {step} ({detail}).",
        en_fix="Check that the cable is firmly connected and the camera did not restart, then try "
        "again. The model that was active before is still in place.",
        ja="{step} の途中で {address} の reCamera が応答しなくなりました（{detail}）。",
        ja_fix="ケーブルがしっかり接続されているか、カメラが再起動していないかを確認して、もう一度"
        "お試しください。以前のモデルはそのまま有効です。",
    ),
    "device_not_recamera": Entry(
        en="{address} answers, but it does not look like a reCamera ({detail}).",
        en_fix="Check the address: over USB the camera is 192.168.42.1. Another device may be using "
        "this address on your network.",
        ja="{address} は応答しましたが、reCamera ではないようです（{detail}）。",
        ja_fix="アドレスを確認してください（USB 接続では 192.168.42.1）。ネットワーク上の別の機器が"
        "このアドレスを使っている可能性があります。",
    ),
    "device_https_only": Entry(
        en="The reCamera at {address} redirects to HTTPS ({detail}); this version of the wizard "
        "talks plain HTTP only.",
        en_fix="Use the SSH method instead (--method ssh), or upload the model in the camera's web "
        "page.",
        ja="{address} の reCamera は HTTPS へリダイレクトしています（{detail}）。このバージョンの"
        "ウィザードは HTTP のみに対応しています。",
        ja_fix="代わりに SSH 方式（--method ssh）を使うか、カメラのウェブページからモデルを"
        "アップロードしてください。",
    ),
    "device_first_login": Entry(
        en="The reCamera at {address} still waits for its first login and password change.",
        en_fix="Open http://{address}/ in a browser, log in as recamera / recamera and choose a new "
        "password (8-32 characters with letters, digits and a symbol). Then deploy again.",
        ja="{address} の reCamera は初回ログイン（パスワード変更）がまだ済んでいません。",
        ja_fix="ブラウザで http://{address}/ を開き、recamera / recamera でログインして新しい"
        "パスワード（英字・数字・記号を含む 8〜32 文字）を設定してから、もう一度デプロイしてください。",
    ),
    "device_login_required": Entry(
        en="The reCamera at {address} asks for a login before it accepts {step}.",
        en_fix="Give the camera's user name with --user and put its password in an environment "
        "variable named by --password-env (for example: set RECAMERA_PASSWORD, then "
        "--password-env RECAMERA_PASSWORD).",
        ja="{address} の reCamera は {step} の前にログインを求めています。",
        ja_fix="--user でユーザー名を指定し、パスワードを環境変数に入れてその名前を --password-env で"
        "指定してください（例: RECAMERA_PASSWORD を設定して --password-env RECAMERA_PASSWORD）。",
    ),
    "device_login_failed": Entry(
        en="The reCamera at {address} refused the login for user {user} ({detail}).",
        en_fix="Check the user name and password (the one you chose at the first web login). After "
        "5 wrong tries the camera blocks logins for one minute.",
        ja="{address} の reCamera がユーザー {user} のログインを拒否しました（{detail}）。",
        ja_fix="ユーザー名とパスワード（初回ウェブログインで設定したもの）を確認してください。"
        "5 回続けて間違えると 1 分間ログインできなくなります。",
    ),
    "device_password_env_missing": Entry(
        en="The environment variable {name} named by --password-env is not set.",
        en_fix="Set it to the camera's password before running the command, or leave out "
        "--password-env if the camera does not need a login.",
        ja="--password-env で指定された環境変数 {name} が設定されていません。",
        ja_fix="コマンドを実行する前にカメラのパスワードを設定するか、ログイン不要なら "
        "--password-env を外してください。",
    ),
    "device_bad_address": Entry(
        en="{address} is not a usable device address.",
        en_fix="Give a host name or IP address, optionally with a port: 192.168.42.1 or "
        "192.168.42.1:80.",
        ja="{address} はデバイスのアドレスとして使えません。",
        ja_fix="ホスト名または IP アドレス（必要ならポート付き）を指定してください: 192.168.42.1 "
        "または 192.168.42.1:80。",
    ),
    "device_api_error": Entry(
        en="The reCamera refused {step}: {detail}",
        en_fix="Try again. If it keeps failing, restart the camera; the model that was active "
        "before is still in place.",
        ja="reCamera が {step} を拒否しました: {detail}",
        ja_fix="もう一度お試しください。繰り返し失敗する場合はカメラを再起動してください。以前の"
        "モデルはそのまま有効です。",
    ),
    "deploy_not_cvimodel": Entry(
        en="{path} is not a .cvimodel file ({detail}); nothing was sent to the camera.",
        en_fix="Pick the .cvimodel produced by the conversion step (for example "
        "yolo11n_cv181x_int8.cvimodel), not the .onnx or .mlir file.",
        ja="{path} は .cvimodel ファイルではありません（{detail}）。カメラには何も送信していません。",
        ja_fix="変換ステップで作られた .cvimodel（例: yolo11n_cv181x_int8.cvimodel）を選んでください。"
        ".onnx や .mlir ではありません。",
    ),
    "deploy_model_damaged": Entry(
        en="{detail} Nothing was sent to the camera; its current model stays.",
        en_fix="Copy the model again from the conversion's run folder, or convert again.",
        ja="{detail} カメラには何も送信していません。カメラの今のモデルはそのままです。",
        ja_fix="変換の実行フォルダからモデルをもう一度コピーするか、変換し直してください。",
    ),
    "deploy_model_not_for_decoder": Entry(
        en="{detail} The reCamera could not detect anything with it, so nothing was sent to the camera.",
        en_fix="{fix}",
        ja="{detail} このモデルでは reCamera は何も検出できないため、カメラには何も送信していません。",
        ja_fix="{fix}",
    ),
    "deploy_wrong_chip": Entry(
        en="{path} was built for {chip}, but the reCamera needs cv181x; nothing was sent to the "
        "camera.",
        en_fix="Convert the model again with the processor set to cv181x.",
        ja="{path} は {chip} 向けに作られていますが、reCamera には cv181x 向けが必要です。カメラには"
        "何も送信していません。",
        ja_fix="プロセッサを cv181x にしてモデルをもう一度変換してください。",
    ),
    "deploy_no_classes": Entry(
        en="No class names for {path}: the camera would label every box N/A.",
        en_fix="Give --classes-from with the ONNX model you converted (Ultralytics exports keep the "
        "names), or list them with --classes person,car,dog.",
        ja="{path} のクラス名がありません。このままではカメラの検出結果がすべて N/A と表示されます。",
        ja_fix="変換元の ONNX モデルを --classes-from で指定する（Ultralytics の出力には名前が含まれます）"
        "か、--classes person,car,dog のように列挙してください。",
    ),
    "deploy_chunked_unsupported": Entry(
        en="The camera's firmware ({version}) does not accept uploads in parts, so the model cannot "
        "be sent over HTTP safely.",
        en_fix="Use the SSH method (--method ssh), or update the camera's firmware in its web page "
        "(System > Update).",
        ja="カメラのファームウェア（{version}）は分割アップロードに対応していないため、HTTP では安全に"
        "モデルを送れません。",
        ja_fix="SSH 方式（--method ssh）を使うか、カメラのウェブページ（システム > アップデート）で"
        "ファームウェアを更新してください。",
    ),
    "deploy_upload_interrupted": Entry(
        en="The upload stopped at {done} of {total} bytes ({detail}). The model that was active "
        "before is still in place.",
        en_fix="Check the cable and run the deploy again; it starts over from the beginning.",
        ja="アップロードが {total} バイト中 {done} バイトで止まりました（{detail}）。以前のモデルは"
        "そのまま有効です。",
        ja_fix="ケーブルを確認して、もう一度デプロイしてください（最初からやり直します）。",
    ),
    "deploy_verify_failed": Entry(
        en="The model on the camera does not match {path} ({detail}).",
        en_fix="Deploy again. If it fails twice, check free space on the camera (/userdata) and "
        "try the SSH method.",
        ja="カメラ上のモデルが {path} と一致しません（{detail}）。",
        ja_fix="もう一度デプロイしてください。2 回続けて失敗する場合は、カメラの空き容量（/userdata）を"
        "確認し、SSH 方式をお試しください。",
    ),
    "deploy_cancelled": Entry(
        en="The deploy was cancelled during {step}. The model that was active before is still in "
        "place.",
        en_fix="",
        ja="{step} の途中でデプロイを中止しました。以前のモデルはそのまま有効です。",
        ja_fix="",
    ),
    "deploy_done": Entry(
        en="{model_name} is now the active model on {address} ({classes_count} classes).",
        en_fix="",
        ja="{model_name} が {address} で有効なモデルになりました（クラス数 {classes_count}）。",
        ja_fix="",
    ),
    "flow_unreachable": Entry(
        en="The model was uploaded, but the Node-RED editor at {address} does not answer "
        "({detail}), so the camera still runs its previous model.",
        en_fix="Wait until Node-RED has started (the camera's web page shows it), check "
        "--node-red-port (default 1880), then deploy again.",
        ja="モデルはアップロードしましたが、{address} の Node-RED が応答しないため（{detail}）、"
        "カメラは以前のモデルのまま動いています。",
        ja_fix="Node-RED の起動を待ち（カメラのウェブページで確認できます）、--node-red-port"
        "（既定値 1880）を確認してから、もう一度デプロイしてください。",
    ),
    "flow_no_model_node": Entry(
        en="The camera's Node-RED flow has no model node, so nothing would use the new model.",
        en_fix="Open Node-RED (http://{address}:1880), add a camera node and a model node from the "
        "sscma group, deploy, then run this again.",
        ja="カメラの Node-RED フローに model ノードがないため、新しいモデルが使われません。",
        ja_fix="Node-RED（http://{address}:1880）を開き、sscma グループの camera ノードと model ノードを"
        "追加してデプロイしてから、もう一度実行してください。",
    ),
    "flow_many_model_nodes": Entry(
        en="The camera's Node-RED flow has {count} model nodes; the camera can run only one.",
        en_fix="Delete the extra model nodes in Node-RED (http://{address}:1880), deploy, then run "
        "this again.",
        ja="カメラの Node-RED フローに model ノードが {count} 個あります。カメラが動かせるのは 1 つだけです。",
        ja_fix="Node-RED（http://{address}:1880）で余分な model ノードを削除してデプロイしてから、"
        "もう一度実行してください。",
    ),
    "flow_changed_meanwhile": Entry(
        en="The Node-RED flow on the camera changed while the wizard was editing it.",
        en_fix="Close the Node-RED editor tab (or finish your edit there), then deploy again.",
        ja="ウィザードの編集中にカメラの Node-RED フローが変更されました。",
        ja_fix="Node-RED エディターのタブを閉じる（またはそちらの編集を完了する）と、もう一度"
        "デプロイしてください。",
    ),
    "flow_rejected": Entry(
        en="Node-RED on the camera refused the new flow ({detail}).",
        en_fix="Your previous flow is saved in {backup}; run 'recamera-wizard deploy --restore' to "
        "put it back, or open Node-RED to check for errors.",
        ja="カメラの Node-RED が新しいフローを受け付けませんでした（{detail}）。",
        ja_fix="以前のフローは {backup} に保存されています。'recamera-wizard deploy --restore' で"
        "元に戻すか、Node-RED を開いてエラーを確認してください。",
    ),
    "flow_no_backup": Entry(
        en="There is no saved flow for {address} in {state_dir} to restore.",
        en_fix="A flow is saved each time the wizard switches the camera's model; deploy once "
        "first, or restore by hand in Node-RED.",
        ja="{state_dir} に {address} の保存済みフローがないため、元に戻せません。",
        ja_fix="フローはウィザードがモデルを切り替えるたびに保存されます。先に一度デプロイするか、"
        "Node-RED で手動で戻してください。",
    ),
    "flow_restored": Entry(
        en="The previous Node-RED flow from {backup} is active again on {address}.",
        en_fix="",
        ja="{backup} に保存していた以前の Node-RED フローを {address} で元に戻しました。",
        ja_fix="",
    ),
    "ssh_disabled": Entry(
        en="SSH is turned off on the reCamera at {address}.",
        en_fix="Turn it on in the camera's web page (Security > SSH), or use the HTTP method "
        "(--method http, the default).",
        ja="{address} の reCamera では SSH が無効になっています。",
        ja_fix="カメラのウェブページ（セキュリティ > SSH）で有効にするか、HTTP 方式（--method http、"
        "既定）を使ってください。",
    ),
    "ssh_unreachable": Entry(
        en="Cannot open an SSH connection to {address} ({detail}).",
        en_fix="Check that SSH is turned on in the camera's web page (it is off by default since "
        "OS 0.2.1), or use the HTTP method.",
        ja="{address} に SSH 接続できません（{detail}）。",
        ja_fix="カメラのウェブページで SSH が有効か確認してください（OS 0.2.1 以降は既定で無効）。"
        "または HTTP 方式を使ってください。",
    ),
    "ssh_auth_failed": Entry(
        en="The camera refused the SSH login for user {user} ({detail}).",
        en_fix="Check the user name and the password (the one chosen at the first web login) or "
        "the key file.",
        ja="カメラがユーザー {user} の SSH ログインを拒否しました（{detail}）。",
        ja_fix="ユーザー名とパスワード（初回ウェブログインで設定したもの）または鍵ファイルを確認してください。",
    ),
    "ssh_host_unknown": Entry(
        en="The camera at {address} is not in your known hosts yet. Its key fingerprint is "
        "{fingerprint}.",
        en_fix="If this is your camera, confirm the fingerprint: run again with --accept-host-key "
        "{fingerprint} (the key is then remembered).",
        ja="{address} のカメラはまだ既知のホストに登録されていません。鍵のフィンガープリントは "
        "{fingerprint} です。",
        ja_fix="ご自分のカメラであれば、--accept-host-key {fingerprint} を付けてもう一度実行して"
        "確認してください（鍵は記憶されます）。",
    ),
    "ssh_host_changed": Entry(
        en="The SSH key of {address} changed (now {fingerprint}); the connection was refused.",
        en_fix="This happens after a factory reset or reflash, or if another device took the "
        "address. If you reset the camera, remove its line from {known_hosts} and try again.",
        ja="{address} の SSH 鍵が変わりました（現在 {fingerprint}）。接続を拒否しました。",
        ja_fix="初期化や再書き込みの後、または別の機器がこのアドレスを使っている場合に起こります。"
        "カメラを初期化したのであれば {known_hosts} から該当行を削除して、もう一度お試しください。",
    ),
    "ssh_remote_failed": Entry(
        en="A step on the camera failed over SSH: {detail}",
        en_fix="Check free space in /userdata and that the user may write to {remote_dir} "
        "(sudo may be needed).",
        ja="SSH でのカメラ上の処理が失敗しました: {detail}",
        ja_fix="/userdata の空き容量と、ユーザーが {remote_dir} に書き込めるかを確認してください"
        "（sudo が必要な場合があります）。",
    ),
    "ssh_sudo_failed": Entry(
        en="User {user} may not write to {remote_dir}, and moving the model there with sudo failed "
        "({detail}).",
        en_fix="Give the camera password with --password-env (sudo asks for it), or log in as a user "
        "who may write to {remote_dir}.",
        ja="ユーザー {user} は {remote_dir} に書き込めず、sudo でのモデル移動も失敗しました（{detail}）。",
        ja_fix="--password-env でカメラのパスワードを指定する（sudo が求めます）か、{remote_dir} に"
        "書き込めるユーザーでログインしてください。",
    ),
    "live_unreachable": Entry(
        en="No live results from {url} ({detail}).",
        en_fix="The model node serves results only while the flow runs: wait a few seconds after "
        "the deploy and try the check again.",
        ja="{url} からライブ結果を受け取れません（{detail}）。",
        ja_fix="model ノードはフロー実行中のみ結果を配信します。デプロイ後数秒待ってから、もう一度"
        "確認してください。",
    ),
    "live_no_frames": Entry(
        en="The camera sent no result frames within {seconds} s.",
        en_fix="Check that the flow's camera node is connected to the model node and that nothing "
        "else uses the camera.",
        ja="{seconds} 秒以内にカメラから結果フレームが届きませんでした。",
        ja_fix="フローの camera ノードが model ノードにつながっているか、ほかにカメラを使っている"
        "ものがないかを確認してください。",
    ),
}
