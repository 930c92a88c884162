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
    "device_unexpected_answer": Entry(
        en="The camera at {address} answered something unexpected to {step}: {field} should be "
        "{expected}, but it was {found}.",
        en_fix="Check the address and port: another device may be answering there (over USB the "
        "camera is 192.168.42.1). If it is your camera, restart it and try again; if it keeps "
        "happening, update its firmware (System > Update in its web page).",
        ja="{address} のカメラが {step} に想定外の応答を返しました: {field} は {expected} のはずですが、"
        "{found} でした。",
        ja_fix="アドレスとポートを確認してください（別の機器が応答している可能性があります。USB 接続の"
        "カメラは 192.168.42.1 です）。ご自分のカメラであれば再起動してもう一度お試しください。"
        "繰り返す場合はファームウェアを更新してください（ウェブページのシステム > アップデート）。",
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
        en_fix="Give a host name (recamera.local), an IPv4 address (192.168.42.1) or an IPv6 "
        "address (fe80::1), optionally followed by :port with a port from 1 to 65535 (an IPv6 "
        "address then goes in brackets: [fe80::1]:80). No http://, no path, no spaces.",
        ja="{address} はデバイスのアドレスとして使えません。",
        ja_fix="ホスト名（recamera.local）、IPv4 アドレス（192.168.42.1）または IPv6 アドレス"
        "（fe80::1）を指定してください。必要なら :ポート（1〜65535）を付けます（その場合 IPv6 アドレスは"
        "角かっこで囲みます: [fe80::1]:80）。http:// やパス、空白は使えません。",
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
    "deploy_cancelled": Entry(
        en="The deploy was stopped during {step} (Ctrl-C or Cancel).",
        en_fix="",
        ja="{step} の途中でデプロイを中止しました（Ctrl-C またはキャンセル）。",
        ja_fix="",
    ),
    "deploy_empty_class": Entry(
        en="Class {position} in \"{classes}\" is empty: every class after it would get the wrong id.",
        en_fix="List every class name in training order, separated by single commas and without "
        "empty entries: --classes person,car,dog.",
        ja="\"{classes}\" の {position} 番目のクラス名が空です。このままでは後ろのクラスの ID がすべてずれます。",
        ja_fix="クラス名を学習時の順に、空の項目なしでコンマ 1 つずつで区切って指定してください: "
        "--classes person,car,dog。",
    ),
    "deploy_local_file_changed": Entry(
        en="{path} changed on this computer while it was being sent, so the camera may have a mix of "
        "two versions.",
        en_fix="Wait until the file is complete (is a conversion still writing it?), then deploy again.",
        ja="送信中にこのコンピューター上の {path} が変更されたため、カメラ上のファイルが 2 つの版の混ざった"
        "ものになっている可能性があります。",
        ja_fix="ファイルが完成するのを待ってから（変換がまだ書き込んでいませんか？）、もう一度デプロイしてください。",
    ),
    "deploy_verify_md5": Entry(
        en="The model read back from the camera does not match {path}: md5 {remote_md5} on the camera, "
        "{local_md5} here.",
        en_fix="Deploy again. If it fails twice, check free space on the camera (/userdata) and "
        "try the SSH method.",
        ja="カメラから読み戻したモデルが {path} と一致しません（カメラの md5 {remote_md5}、こちらは {local_md5}）。",
        ja_fix="もう一度デプロイしてください。2 回続けて失敗する場合は、カメラの空き容量（/userdata）を"
        "確認し、SSH 方式をお試しください。",
    ),
    "deploy_verify_json": Entry(
        en="model.json on the camera does not say what was sent for {path}: {field} is {found}, "
        "expected {expected}.",
        en_fix="Deploy again. If it fails twice, restart the camera and try the SSH method.",
        ja="カメラ上の model.json が {path} の送信内容と違います: {field} は {found} ですが、{expected} の"
        "はずです。",
        ja_fix="もう一度デプロイしてください。2 回続けて失敗する場合はカメラを再起動し、SSH 方式をお試しください。",
    ),
    "deploy_state_unchanged": Entry(
        en="Nothing was changed on {address}: it still runs the model it ran before.",
        en_fix="",
        ja="{address} では何も変更していません。以前と同じモデルのまま動いています。",
        ja_fix="",
    ),
    "deploy_state_upload_partial": Entry(
        en="The upload stopped at {done} of {total} bytes. The camera writes uploads to a temporary "
        "file first, so {address} still runs the model it ran before.",
        en_fix="Run the deploy again when you are ready; it starts over from the beginning.",
        ja="アップロードは {total} バイト中 {done} バイトで止まりました。カメラはアップロードをまず一時"
        "ファイルに書き込むため、{address} は以前と同じモデルのまま動いています。",
        ja_fix="準備ができたらもう一度デプロイしてください（最初からやり直します）。",
    ),
    "deploy_state_stored_not_active": Entry(
        en="The new model file is stored on {address} but not in use: the camera runs the model it "
        "ran before until its Node-RED flow is deployed again.",
        en_fix="Deploy again to finish, or run 'recamera-wizard deploy --restore' to put the previous "
        "model file back.",
        ja="新しいモデルファイルは {address} に保存されましたが、まだ使われていません。Node-RED フローが"
        "再デプロイされるまで、カメラは以前のモデルで動きます。",
        ja_fix="もう一度デプロイして完了させるか、'recamera-wizard deploy --restore' で以前のモデル"
        "ファイルを戻してください。",
    ),
    "deploy_state_switch_unknown": Entry(
        en="The deploy stopped while Node-RED on {address} was switching to the new model: the camera "
        "may already run it, or still the previous one.",
        en_fix="Open http://{address}:1880 to see which model the model node uses, deploy again, or run "
        "'recamera-wizard deploy --restore' to go back to the previous model.",
        ja="{address} の Node-RED が新しいモデルへ切り替えている途中でデプロイが止まりました。カメラは"
        "すでに新しいモデルで動いているか、まだ以前のモデルのままです。",
        ja_fix="http://{address}:1880 を開いて model ノードがどのモデルを使っているか確認し、もう一度デプロイ"
        "するか、'recamera-wizard deploy --restore' で以前のモデルに戻してください。",
    ),
    "deploy_state_active": Entry(
        en="The new model is active on {address}.",
        en_fix="",
        ja="{address} で新しいモデルが有効になっています。",
        ja_fix="",
    ),
    "deploy_kept": Entry(
        en="The model the camera had before is kept in {folder} on this computer; "
        "'recamera-wizard deploy --restore' puts it back.",
        en_fix="",
        ja="カメラにあった以前のモデルはこのコンピューターの {folder} に保存してあります。"
        "'recamera-wizard deploy --restore' で元に戻せます。",
        ja_fix="",
    ),
    "deploy_kept_both": Entry(
        en="The model the camera had before is kept in {folder} on this computer and in {device_copy} "
        "on the camera; 'recamera-wizard deploy --restore' puts it back.",
        en_fix="",
        ja="カメラにあった以前のモデルは、このコンピューターの {folder} とカメラ上の {device_copy} に保存して"
        "あります。'recamera-wizard deploy --restore' で元に戻せます。",
        ja_fix="",
    ),
    "deploy_not_kept": Entry(
        en="The model the camera had before could not be kept ({reason}); "
        "'recamera-wizard deploy --restore' can put back only its Node-RED flow.",
        en_fix="If you need that model again, keep its .cvimodel yourself (for example from the "
        "output folder of the run that made it).",
        ja="カメラにあった以前のモデルを保存できませんでした（{reason}）。'recamera-wizard deploy --restore' "
        "で戻せるのは Node-RED フローだけです。",
        ja_fix="そのモデルが再び必要な場合は、.cvimodel をご自身で保管してください（例: それを作った実行の"
        "出力フォルダー）。",
    ),
    "deploy_no_copy_on_camera": Entry(
        en="No copy of the previous model was made on the camera: only {free} bytes are free in "
        "/userdata and {needed} are needed.",
        en_fix="",
        ja="カメラの /userdata の空きが {free} バイトしかなく {needed} バイト必要なため、以前のモデルの"
        "コピーをカメラ上には作りませんでした。",
        ja_fix="",
    ),
    "deploy_no_copy_space_unknown": Entry(
        en="No copy of the previous model was made on the camera: it does not report its free space "
        "({detail}).",
        en_fix="",
        ja="カメラが空き容量を報告しない（{detail}）ため、以前のモデルのコピーをカメラ上には作りませんでした。",
        ja_fix="",
    ),
    "deploy_no_copy_needs_login": Entry(
        en="No copy of the previous model was made on the camera: its file manager needs the camera's "
        "password (--password-env).",
        en_fix="",
        ja="カメラのファイルマネージャーにはパスワード（--password-env）が必要なため、以前のモデルの"
        "コピーをカメラ上には作りませんでした。",
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
    "restore_nothing_saved": Entry(
        en="There is nothing saved for {address} in {state_dir} to restore.",
        en_fix="The wizard keeps the camera's previous model and flow each time it deploys; deploy "
        "once first, or restore by hand in the camera's web page and in Node-RED.",
        ja="{state_dir} に {address} の保存データがないため、元に戻せません。",
        ja_fix="ウィザードはデプロイのたびにカメラの以前のモデルとフローを保存します。先に一度デプロイ"
        "するか、カメラのウェブページと Node-RED で手動で戻してください。",
    ),
    "restore_unreadable": Entry(
        en="The saved state in {folder} cannot be read ({detail}).",
        en_fix="Nothing was changed on the camera. Remove that folder to restore the one before it.",
        ja="{folder} の保存データを読み込めません（{detail}）。",
        ja_fix="カメラには何も変更していません。そのフォルダーを削除すると、その前の保存データを戻せます。",
    ),
    "restore_copy_damaged": Entry(
        en="The copy of the previous model in {where} is damaged (md5 {found}, saved as {expected}).",
        en_fix="",
        ja="{where} にある以前のモデルのコピーが壊れています（md5 {found}、保存時は {expected}）。",
        ja_fix="",
    ),
    "restore_model_back": Entry(
        en="The camera's model file is the previous one again ({model_name}, md5 {md5}).",
        en_fix="",
        ja="カメラのモデルファイルを以前のもの（{model_name}、md5 {md5}）に戻しました。",
        ja_fix="",
    ),
    "restore_no_model_json_before": Entry(
        en="The camera had no model.json before that deploy; the current one stays, since the camera "
        "offers no way to delete it.",
        en_fix="",
        ja="そのデプロイの前、カメラに model.json はありませんでした。カメラには削除する方法がないため、"
        "現在のものがそのまま残ります。",
        ja_fix="",
    ),
    "restore_done": Entry(
        en="{address} runs the model and Node-RED flow it had before the deploy of {saved_at} again.",
        en_fix="",
        ja="{address} は {saved_at} のデプロイ前のモデルと Node-RED フローに戻りました。",
        ja_fix="",
    ),
    "restore_failed_unchanged": Entry(
        en="Nothing was changed on {address}: it still runs the model it ran before this restore.",
        en_fix="",
        ja="{address} では何も変更していません。復元前と同じモデルのまま動いています。",
        ja_fix="",
    ),
    "restore_failed_model_back_flow_not": Entry(
        en="The model file on {address} is the previous one again, but its Node-RED flow was not put "
        "back, so the camera may still run the newer model until the flow is deployed again.",
        en_fix="Run 'recamera-wizard deploy --restore' again when Node-RED answers.",
        ja="{address} のモデルファイルは以前のものに戻りましたが、Node-RED フローは戻せませんでした。"
        "フローが再デプロイされるまで、カメラは新しい方のモデルで動いている可能性があります。",
        ja_fix="Node-RED が応答するようになったら、もう一度 'recamera-wizard deploy --restore' を実行して"
        "ください。",
    ),
    "restore_where": Entry(
        en="Nothing is lost: the previous model is still kept in {folder} on this computer.",
        en_fix="Run 'recamera-wizard deploy --restore' again once the camera answers.",
        ja="失われたものはありません。以前のモデルはこのコンピューターの {folder} に保存されたままです。",
        ja_fix="カメラが応答するようになったら、もう一度 'recamera-wizard deploy --restore' を実行してください。",
    ),
    "restore_where_both": Entry(
        en="Nothing is lost: the previous model is still kept in {folder} on this computer and in "
        "{device_copy} on the camera.",
        en_fix="Run 'recamera-wizard deploy --restore' again once the camera answers.",
        ja="失われたものはありません。以前のモデルはこのコンピューターの {folder} とカメラ上の "
        "{device_copy} に保存されたままです。",
        ja_fix="カメラが応答するようになったら、もう一度 'recamera-wizard deploy --restore' を実行してください。",
    ),
    "restore_nothing_left": Entry(
        en="The previous model cannot be put back: no intact copy is left (on this computer: "
        "{folder}; on the camera: {device_copy}).",
        en_fix="Deploy that model again from its .cvimodel (for example from the output folder of "
        "the run that made it).",
        ja="以前のモデルを戻せません。無傷のコピーが残っていません（このコンピューター: {folder}、"
        "カメラ: {device_copy}）。",
        ja_fix="そのモデルの .cvimodel から改めてデプロイしてください（例: それを作った実行の出力フォルダー）。",
    ),
    "restore_cancelled": Entry(
        en="The restore was stopped during {step} (Ctrl-C or Cancel).",
        en_fix="",
        ja="{step} の途中で復元を中止しました（Ctrl-C またはキャンセル）。",
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
    # -- lines of the deploy's log and of the CLI (no fix: they report, they ask nothing) ------
    "deploy_line_plan": Entry(
        en="Deploying {path} ({size} bytes, {classes_count} classes from {source}) to {address} over {method}",
        en_fix="",
        ja="{path}（{size} バイト、クラス数 {classes_count}、クラス名は {source} から）を {method} で {address} "
        "へデプロイします",
        ja_fix="",
    ),
    "deploy_line_firmware": Entry(
        en="reCamera firmware {version} at {address}",
        en_fix="",
        ja="{address} の reCamera ファームウェア {version}",
        ja_fix="",
    ),
    "deploy_line_active_before": Entry(
        en="active model before the deploy: {model_name}",
        en_fix="",
        ja="デプロイ前の有効なモデル: {model_name}",
        ja_fix="",
    ),
    "deploy_line_kept_here": Entry(
        en="the camera's current model ({size} bytes, md5 {md5}) and model.json kept in {folder}",
        en_fix="",
        ja="カメラの現在のモデル（{size} バイト、md5 {md5}）と model.json を {folder} に保存しました",
        ja_fix="",
    ),
    "deploy_line_kept_on_camera": Entry(
        en="a copy is also kept on the camera in {device_copy} ({free} bytes were free)",
        en_fix="",
        ja="カメラ上の {device_copy} にもコピーを保存しました（空き {free} バイト）",
        ja_fix="",
    ),
    "deploy_line_progress": Entry(
        en="{done}/{total} bytes",
        en_fix="",
        ja="{done}/{total} バイト",
        ja_fix="",
    ),
    "deploy_line_model_json_checked": Entry(
        en="model.json on the camera: {model_name} with {classes_count} classes",
        en_fix="",
        ja="カメラ上の model.json: {model_name}（クラス数 {classes_count}）",
        ja_fix="",
    ),
    "deploy_line_no_readback": Entry(
        en="this firmware cannot send the model back; model.json was checked",
        en_fix="",
        ja="このファームウェアはモデルを読み戻せません。model.json を確認しました",
        ja_fix="",
    ),
    "deploy_line_readback_ok": Entry(
        en="read back {size} bytes, md5 {md5} matches",
        en_fix="",
        ja="{size} バイトを読み戻しました。md5 {md5} が一致します",
        ja_fix="",
    ),
    "deploy_line_flow_saved": Entry(
        en="previous flow saved to {path}",
        en_fix="",
        ja="以前のフローを {path} に保存しました",
        ja_fix="",
    ),
    "deploy_line_flow_reread": Entry(
        en="the flow changed meanwhile; reading it again",
        en_fix="",
        ja="その間にフローが変更されたため、読み直します",
        ja_fix="",
    ),
    "deploy_line_node_switched": Entry(
        en="model node {node_id}: uri {old_uri} -> {new_uri}",
        en_fix="",
        ja="model ノード {node_id}: uri {old_uri} -> {new_uri}",
        ja_fix="",
    ),
    "deploy_line_step_failed": Entry(
        en="{step} failed",
        en_fix="",
        ja="{step} に失敗しました",
        ja_fix="",
    ),
    "deploy_line_flow_reloaded": Entry(
        en="Node-RED flow deployed again so the camera loads the model file",
        en_fix="",
        ja="カメラがモデルファイルを読み込むよう Node-RED フローを再デプロイしました",
        ja_fix="",
    ),
    "ssh_line_remote_dir": Entry(
        en="remote folder {remote_dir}",
        en_fix="",
        ja="カメラ上のフォルダー {remote_dir}",
        ja_fix="",
    ),
    "ssh_line_remote_dir_staged": Entry(
        en="remote folder {remote_dir} (staged in {work_dir}, moved with sudo)",
        en_fix="",
        ja="カメラ上のフォルダー {remote_dir}（{work_dir} に置いてから sudo で移動）",
        ja_fix="",
    ),
    "ssh_line_verified": Entry(
        en="{size} bytes, md5 {md5} confirmed by md5sum on the camera",
        en_fix="",
        ja="{size} バイト、md5 {md5} をカメラ上の md5sum で確認しました",
        ja_fix="",
    ),
    "ssh_line_verified_readback": Entry(
        en="{size} bytes, md5 {md5} confirmed by reading the file back",
        en_fix="",
        ja="{size} バイト、md5 {md5} をファイルの読み戻しで確認しました",
        ja_fix="",
    ),
    "ssh_line_moved": Entry(
        en="moved into {remote_dir} with sudo; md5 confirmed again",
        en_fix="",
        ja="sudo で {remote_dir} へ移動し、md5 を再確認しました",
        ja_fix="",
    ),
    "ssh_size_mismatch": Entry(
        en="{path} on the camera has {size} bytes after writing, {expected} were sent.",
        en_fix="Check free space in /userdata on the camera, then deploy again.",
        ja="書き込み後のカメラ上の {path} は {size} バイトですが、送ったのは {expected} バイトです。",
        ja_fix="カメラの /userdata の空き容量を確認してから、もう一度デプロイしてください。",
    ),
    "ssh_json_mismatch": Entry(
        en="{path} on the camera differs from the model.json that was sent.",
        en_fix="Check free space in /userdata on the camera, then deploy again.",
        ja="カメラ上の {path} が送った model.json と異なります。",
        ja_fix="カメラの /userdata の空き容量を確認してから、もう一度デプロイしてください。",
    ),
    "live_line_summary": Entry(
        en="{frames} live frames: inference {infer_ms} ms, detections per frame {counts}, labels {labels}",
        en_fix="",
        ja="ライブフレーム {frames} 枚: 推論 {infer_ms} ms、フレームごとの検出数 {counts}、ラベル {labels}",
        ja_fix="",
    ),
    "live_line_summary_no_timing": Entry(
        en="{frames} live frames (the camera sent no timing): detections per frame {counts}, labels {labels}",
        en_fix="",
        ja="ライブフレーム {frames} 枚（カメラは処理時間を送りませんでした）: フレームごとの検出数 {counts}、"
        "ラベル {labels}",
        ja_fix="",
    ),
    "live_line_frame_saved": Entry(
        en="frame with boxes: {path}",
        en_fix="",
        ja="枠を描いたフレーム: {path}",
        ja_fix="",
    ),
}
