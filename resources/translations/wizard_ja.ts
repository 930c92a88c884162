<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja" sourcelanguage="en">
<context>
    <name>ConvertPage</name>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="127"/>
        <source>Set up the toolchain (first time only)</source>
        <translation>ツールチェーンを用意する（初回のみ）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="185"/>
        <source>Setting up the toolchain (first time only)…</source>
        <translation>ツールチェーンを用意しています（初回のみ）…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="117"/>
        <source>Converting</source>
        <translation>変換中</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="119"/>
        <source>Three steps turn your model into a reCamera model. You can close the window: the conversion goes on, and the wizard reconnects to it when you open it again.</source>
        <translation>3 つのステップでモデルを reCamera 用に変換します。ウィンドウを閉じても変換は続き、次にウィザードを開いたときに再接続します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="122"/>
        <source>1. Read the model (model_transform)</source>
        <translation>1. モデルを読み込む（model_transform）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="123"/>
        <source>2. Measure it on your pictures (run_calibration)</source>
        <translation>2. 写真で値の範囲を測る（run_calibration）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="124"/>
        <source>3. Build and check the reCamera model (model_deploy)</source>
        <translation>3. reCamera 用モデルを作って確認する（model_deploy）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="128"/>
        <source>Steps</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="129"/>
        <source>Log</source>
        <translation>ログ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="130"/>
        <source>Start conversion</source>
        <translation>変換を開始</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="131"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="137"/>
        <source>waiting</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="138"/>
        <source>running…</source>
        <translation>実行中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="139"/>
        <source>✔ done</source>
        <translation>✔ 完了</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="140"/>
        <source>✖ failed</source>
        <translation>✖ 失敗</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="141"/>
        <source>✔ reused from the last run</source>
        <translation>✔ 前回の結果を再利用</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="164"/>
        <source>(about %1 left)</source>
        <translation>（残り約 %1）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="174"/>
        <source>Preparing the workspace…</source>
        <translation>作業フォルダを準備しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="175"/>
        <source>Checking the toolchain…</source>
        <translation>ツールチェーンを確認しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="176"/>
        <source>Uploading to the cloud machine…</source>
        <translation>クラウドマシンにアップロードしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="177"/>
        <source>Bringing the results back…</source>
        <translation>結果を取得しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="178"/>
        <source>Cleaning up…</source>
        <translation>後片付けをしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="179"/>
        <source>Step 1 of 3 is running…</source>
        <translation>ステップ 1/3 を実行中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="180"/>
        <source>Step 2 of 3 is running…</source>
        <translation>ステップ 2/3 を実行中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="181"/>
        <source>Step 3 of 3 is running…</source>
        <translation>ステップ 3/3 を実行中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="184"/>
        <source>Running…</source>
        <translation>実行中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="186"/>
        <source>Finished. Click Next to see the results.</source>
        <translation>完了しました。「次へ」で結果を確認できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="188"/>
        <source>The conversion did not succeed. Click Next to see what to try.</source>
        <translation>変換はうまくいきませんでした。「次へ」で対処方法を確認できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="190"/>
        <source>Cancelled. Nothing is running any more.</source>
        <translation>キャンセルしました。実行中の処理はもうありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="192"/>
        <source>Ready to start.</source>
        <translation>開始できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/convert.py" line="316"/>
        <source>Stopping…</source>
        <translation>停止しています…</translation>
    </message>
    <message>
        <source>Waiting: you are next. The conversion starts as soon as the server has a free place.</source>
        <translation>待機中: 次はあなたの番です。サーバーに空きができしだい変換が始まります。</translation>
    </message>
    <message>
        <source>Waiting: %1 ahead of you.</source>
        <translation>待機中: あなたの前に %1 件あります。</translation>
    </message>
    <message>
        <source>The workshop&apos;s server runs %1 conversions at once.</source>
        <translation>ワークショップのサーバーは同時に %1 件まで変換します。</translation>
    </message>
    <message>
        <source>Cancelled while waiting: your place in the queue was given up.</source>
        <translation>待機中に取り消しました。キューでの順番は取り消されました。</translation>
    </message>
</context>
<context>
    <name>DetectionGallery</name>
    <message>
        <source>agreement</source>
        <translation>一致度</translation>
    </message>
    <message>
        <source>%1 kept · %2 missed · %3 extra</source>
        <translation>一致 %1 · 見逃し %2 · 余分 %3</translation>
    </message>
    <message>
        <source>%1 changed class</source>
        <translation>クラス変化 %1</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>チェック中…</translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation>まだチェックしていません</translation>
    </message>
    <message>
        <source>as good as the original</source>
        <translation>元のモデルと同等</translation>
    </message>
    <message>
        <source>some detections change</source>
        <translation>一部の検出が変わります</translation>
    </message>
    <message>
        <source>detections change a lot</source>
        <translation>検出が大きく変わります</translation>
    </message>
    <message>
        <source>nothing found to compare</source>
        <translation>比較できる検出がありません</translation>
    </message>
    <message>
        <source>INT8 still finds %1 of the original&apos;s %2 boxes (recall %3)</source>
        <translation>元のモデルの %2 個のボックスのうち %1 個を INT8 でも検出（再現率 %3）</translation>
    </message>
    <message>
        <source>%1 of INT8&apos;s %2 boxes are also the original&apos;s (precision %3)</source>
        <translation>INT8 の %2 個のボックスのうち %1 個は元のモデルにもあります（適合率 %3）</translation>
    </message>
    <message>
        <source>checked on %1 pictures</source>
        <translation>%1 枚の画像でチェック</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>クラス</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>元のモデル</translation>
    </message>
    <message>
        <source>INT8</source>
        <translation>INT8</translation>
    </message>
    <message>
        <source>Kept</source>
        <translation>一致</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>再現率</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>適合率</translation>
    </message>
    <message>
        <source>Agreement</source>
        <translation>一致度</translation>
    </message>
    <message>
        <source>Click to enlarge</source>
        <translation>クリックで拡大</translation>
    </message>
    <message>
        <source>The drawing of this picture is missing.</source>
        <translation>この画像の描画が見つかりません。</translation>
    </message>
    <message>
        <source>← Worse</source>
        <translation>← 差が大きい</translation>
    </message>
    <message>
        <source>Better →</source>
        <translation>差が小さい →</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>kept boxes overlap %1 on average (IoU)</source>
        <translation>一致したボックスの重なりは平均 %1（IoU）</translation>
    </message>
    <message>
        <source>scores moved %1 on average, at most %2</source>
        <translation>スコアの変化は平均 %1、最大 %2</translation>
    </message>
    <message>
        <source>%1 missed box(es) were found just below the score threshold</source>
        <translation>見逃しのうち %1 個は、スコアしきい値のすぐ下で見つかっていました</translation>
    </message>
    <message>
        <source>Left: the original model. Right: the INT8 model, as the camera will run it. A dashed white box is one the INT8 model lost (missed); a doubled magenta box is one only the INT8 model found (extra, or a changed class).</source>
        <translation>左: 元のモデル。右: カメラで動く INT8 モデル。白い破線のボックスは INT8 モデルが失ったもの（見逃し）、二重のマゼンタのボックスは INT8 モデルだけが見つけたもの（余分、またはクラス変化）です。</translation>
    </message>
</context>
<context>
    <name>DetectionPanel</name>
    <message>
        <source>Detections on your pictures</source>
        <translation>あなたの画像での検出</translation>
    </message>
    <message>
        <source>Detection check: your objects, original vs INT8</source>
        <translation>検出チェック: 元のモデルと INT8 で物体を比べる</translation>
    </message>
    <message>
        <source>The wizard runs the original model and the converted INT8 model on the same pictures, decodes their boxes as the camera does, and matches them box by box. No labels are needed: the original model&apos;s boxes are the reference.</source>
        <translation>ウィザードは元のモデルと変換した INT8 モデルを同じ画像で動かし、カメラと同じ方法でボックスをデコードして、ボックスごとに照合します。ラベルは要りません。元のモデルのボックスを基準にします。</translation>
    </message>
    <message>
        <source>Pictures:</source>
        <translation>画像の枚数:</translation>
    </message>
    <message>
        <source>Use a folder of check pictures…</source>
        <translation>チェック用の画像フォルダを使う…</translation>
    </message>
    <message>
        <source>Use the calibration pictures</source>
        <translation>キャリブレーション画像を使う</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Show the toolchain&apos;s messages</source>
        <translation>ツールチェーンのメッセージを表示</translation>
    </message>
    <message>
        <source>What to try for better detections</source>
        <translation>検出を良くするために試すこと</translation>
    </message>
    <message>
        <source>Pictures, most changed first (click to enlarge)</source>
        <translation>画像（差の大きい順、クリックで拡大）</translation>
    </message>
    <message>
        <source>Per class</source>
        <translation>クラスごと</translation>
    </message>
    <message>
        <source>Checking with the pictures in %1</source>
        <translation>%1 の画像でチェックします</translation>
    </message>
    <message>
        <source>Checking with the test picture and a varied sample of the calibration pictures.</source>
        <translation>テスト画像と、キャリブレーション画像から選んだ多様な画像でチェックします。</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>もう一度チェック</translation>
    </message>
    <message>
        <source>Check detections</source>
        <translation>検出をチェック</translation>
    </message>
    <message>
        <source>Folder of check pictures</source>
        <translation>チェック用の画像フォルダ</translation>
    </message>
    <message>
        <source>Starting the detection check…</source>
        <translation>検出チェックを始めています…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>停止しています…</translation>
    </message>
    <message>
        <source>%v of %m pictures</source>
        <translation>%m 枚中 %v 枚</translation>
    </message>
    <message>
        <source>%1 so far</source>
        <translation>経過 %1</translation>
    </message>
    <message>
        <source>Decode with my camera&apos;s thresholds (read from its Node-RED flow at %1)</source>
        <translation>カメラのしきい値でデコードする（%1 の Node-RED フローから読み取ります）</translation>
    </message>
    <message>
        <source>your camera&apos;s flow</source>
        <translation>カメラのフローの値</translation>
    </message>
    <message>
        <source>chosen by you</source>
        <translation>あなたが指定した値</translation>
    </message>
    <message>
        <source>the camera&apos;s factory flow</source>
        <translation>カメラの出荷時フローの値</translation>
    </message>
    <message>
        <source>the camera&apos;s model node defaults</source>
        <translation>カメラのモデルノードの既定値</translation>
    </message>
    <message>
        <source>Boxes decoded with a score above %1 and an NMS IoU of %2 (%3).</source>
        <translation>スコア %1 超、NMS の IoU %2 でボックスをデコードしました（%3）。</translation>
    </message>
    <message>
        <source>Reading the thresholds in your camera&apos;s flow…</source>
        <translation>カメラのフローからしきい値を読み取っています…</translation>
    </message>
</context>
<context>
    <name>DevicePage</name>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="103"/>
        <source>Put it on your reCamera</source>
        <translation>reCamera に入れる</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="105"/>
        <source>Connect the reCamera with its USB-C cable (or use its network address). The wizard uploads the model, makes the camera use it, and checks that it detects something.</source>
        <translation>reCamera を USB-C ケーブルでつなぐ（またはネットワークアドレスを使う）と、ウィザードがモデルをアップロードし、カメラがそのモデルを使うよう切り替え、検出できるか確認します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="108"/>
        <source>Deploying from the wizard is coming in a later version. For now, upload the .cvimodel from the output folder with the reCamera&apos;s web page (Model → Upload).</source>
        <translation>ウィザードからのデプロイは今後のバージョンで対応します。今は出力フォルダの .cvimodel を reCamera の Web ページ（Model → Upload）からアップロードしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="110"/>
        <source>Camera</source>
        <translation>カメラ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="111"/>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="111"/>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="111"/>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="113"/>
        <source>the password you set on the camera&apos;s web page</source>
        <translation>カメラの Web ページで設定したパスワード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="114"/>
        <source>Check the live picture after deploying</source>
        <translation>デプロイ後にライブ映像で確認する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="116"/>
        <source>Over USB the camera is 192.168.42.1. On Windows, if it is not found, pick the &quot;UsbNcm Host Device&quot; driver for it in the Device Manager.</source>
        <translation>USB 接続ではカメラのアドレスは 192.168.42.1 です。Windows で見つからない場合は、デバイスマネージャーで「UsbNcm Host Device」ドライバーを選んでください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="118"/>
        <source>Deploy to the camera</source>
        <translation>カメラにデプロイ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="119"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="125"/>
        <source>There is no converted model to deploy yet.</source>
        <translation>デプロイできる変換済みモデルがまだありません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="165"/>
        <source>✖ The step “%1” failed.</source>
        <translation>✖ ステップ「%1」が失敗しました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="178"/>
        <location filename="../../wizard/gui/pages/device.py" line="191"/>
        <source>Not deployed.</source>
        <translation>デプロイされていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="180"/>
        <source>Cancelled.</source>
        <translation>キャンセルしました。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="183"/>
        <source>✔ The camera now runs your model.</source>
        <translation>✔ カメラはあなたのモデルで動いています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="198"/>
        <source>Looking for the camera…</source>
        <translation>カメラを探しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="199"/>
        <source>Uploading the model…</source>
        <translation>モデルをアップロードしています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="200"/>
        <source>Checking the upload…</source>
        <translation>アップロードを確認しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="201"/>
        <source>Switching the camera to the new model…</source>
        <translation>カメラを新しいモデルに切り替えています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/device.py" line="202"/>
        <source>Checking the live picture…</source>
        <translation>ライブ映像を確認しています…</translation>
    </message>
</context>
<context>
    <name>ImagesPage</name>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="142"/>
        <source>Calibration pictures</source>
        <translation>キャリブレーション画像</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="144"/>
        <source>The converter measures your model on real pictures to choose its 8-bit ranges. Use pictures like the ones the camera will see: the same places, light and objects. Labels are not needed.</source>
        <translation>変換ツールは実際の写真でモデルを動かし、8 ビットの値の範囲を決めます。カメラが写すものに近い写真（同じ場所・明るさ・対象物）を使ってください。ラベルは不要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="147"/>
        <source>Drop a folder or a .zip of pictures here</source>
        <translation>写真のフォルダか .zip をここにドロップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="148"/>
        <source>Choose folder…</source>
        <translation>フォルダを選ぶ…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="149"/>
        <source>Choose .zip…</source>
        <translation>.zip を選ぶ…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="150"/>
        <source>Pictures used for calibration:</source>
        <translation>キャリブレーションに使う枚数：</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="152"/>
        <source>100 is a good start. More can help a little but takes longer and needs more memory (about 5 MB per picture).</source>
        <translation>まずは 100 枚がおすすめです。増やすと少し良くなることがありますが、時間とメモリ（1 枚あたり約 5 MB）が多く必要になります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="154"/>
        <source>Test picture</source>
        <translation>テスト画像</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="155"/>
        <source>Use selected as test picture</source>
        <translation>選んだ画像をテスト画像にする</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="156"/>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="156"/>
        <source>Why it is not used</source>
        <translation>使わない理由</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="162"/>
        <source>No folder chosen yet.</source>
        <translation>フォルダがまだ選ばれていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="170"/>
        <source>Choose the folder with your pictures</source>
        <translation>写真が入っているフォルダを選ぶ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="175"/>
        <source>Choose a .zip of pictures</source>
        <translation>写真の .zip を選ぶ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="176"/>
        <source>Zip archive (*.zip)</source>
        <translation>Zip アーカイブ (*.zip)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/pages/images.py" line="288"/>
        <source>Checking %n file(s)…</source>
        <translation>
            <numerusform>%n 個のファイルを確認しています…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/pages/images.py" line="294"/>
        <source>%n usable</source>
        <translation>
            <numerusform>使える画像 %n 枚</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/pages/images.py" line="295"/>
        <source>%n rejected</source>
        <translation>
            <numerusform>使えない画像 %n 枚</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/pages/images.py" line="296"/>
        <source>%n duplicate(s)</source>
        <translation>
            <numerusform>重複 %n 枚</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/pages/images.py" line="297"/>
        <source>%n will be used</source>
        <translation>
            <numerusform>%n 枚を使用</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="299"/>
        <source>not enough</source>
        <translation>足りません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="312"/>
        <source>same picture as %1</source>
        <translation>%1 と同じ画像</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/pages/images.py" line="318"/>
        <source>Not used (%n)</source>
        <translation>
            <numerusform>使わない画像（%n）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="325"/>
        <source>The converter compares the original and the converted model on this picture: %1</source>
        <translation>変換前と変換後のモデルをこの画像で比べます：%1</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/images.py" line="331"/>
        <source>Chosen automatically once the pictures are checked; select one in the grid to change it.</source>
        <translation>画像の確認が終わると自動で選ばれます。変えたいときは一覧から選んでください。</translation>
    </message>
    <message>
        <source>Use the workshop&apos;s sample pictures</source>
        <translation>ワークショップのサンプル写真を使う</translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="156"/>
        <source>Search the log…</source>
        <translation>ログを検索…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="157"/>
        <source>Copy log</source>
        <translation>ログをコピー</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/widgets.py" line="190"/>
        <source>… %n line(s) not shown live (search or copy the log to see every line)</source>
        <translation>
            <numerusform>… %n 行はライブ表示を省略しました（すべての行はログの検索かコピーで確認できます）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/widgets.py" line="216"/>
        <source>%n matching line(s)</source>
        <translation>
            <numerusform>一致 %n 行</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="195"/>
        <location filename="../../wizard/gui/main_window.py" line="200"/>
        <source>Next</source>
        <translation>次へ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="196"/>
        <source>Next: convert</source>
        <translation>次へ：変換する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="197"/>
        <source>See the results</source>
        <translation>結果を見る</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="198"/>
        <source>Next: put it on the camera</source>
        <translation>次へ：カメラに入れる</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="261"/>
        <location filename="../../wizard/gui/main_window.py" line="262"/>
        <location filename="../../wizard/gui/main_window.py" line="296"/>
        <location filename="../../wizard/gui/main_window.py" line="314"/>
        <source>reCamera Model Wizard</source>
        <translation>reCamera モデルウィザード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="263"/>
        <source>Language:</source>
        <translation>言語：</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="265"/>
        <source>Welcome</source>
        <translation>はじめに</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="266"/>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="267"/>
        <source>Calibration pictures</source>
        <translation>キャリブレーション画像</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="268"/>
        <source>Target and options</source>
        <translation>ターゲットと設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="269"/>
        <source>Where to run</source>
        <translation>実行場所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="270"/>
        <source>Convert</source>
        <translation>変換</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="271"/>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="272"/>
        <source>Camera</source>
        <translation>カメラ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="276"/>
        <source>Back</source>
        <translation>戻る</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="277"/>
        <source>Start over</source>
        <translation>最初からやり直す</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="315"/>
        <source>A conversion is running. Close the window anyway?</source>
        <translation>変換を実行中です。ウィンドウを閉じますか？</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/main_window.py" line="317"/>
        <source>The conversion keeps running in the background; open the wizard again to see it finish.</source>
        <translation>変換はバックグラウンドで続きます。ウィザードをもう一度開くと、終わるところを確認できます。</translation>
    </message>
    <message>
        <source>Open workshop kit</source>
        <translation>ワークショップキットを開く</translation>
    </message>
    <message>
        <source>Workshop kit (*.rcwkit)</source>
        <translation>ワークショップキット (*.rcwkit)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>Open workshop kit…</source>
        <translation>ワークショップキットを開く…</translation>
    </message>
    <message>
        <source>Workshop room status…</source>
        <translation>ワークショップ会場の状況…</translation>
    </message>
    <message>
        <source>To reconnect, type the password of the workshop&apos;s server again:</source>
        <translation>再接続するには、ワークショップのサーバーのパスワードをもう一度入力してください:</translation>
    </message>
    <message>
        <source>Make a workshop kit…</source>
        <translation>ワークショップキットを作る…</translation>
    </message>
</context>
<context>
    <name>ModelPage</name>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="72"/>
        <source>Your model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="74"/>
        <source>Pick the .onnx file exported from Ultralytics (for example with model.export(format=&quot;onnx&quot;)). The wizard reads it and tells you what it found.</source>
        <translation>Ultralytics から書き出した .onnx ファイル（例：model.export(format=&quot;onnx&quot;)）を選んでください。ウィザードが読み込み、わかったことを表示します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="76"/>
        <source>Drop your .onnx model here</source>
        <translation>.onnx モデルをここにドロップ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="77"/>
        <source>Choose model…</source>
        <translation>モデルを選ぶ…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="78"/>
        <source>What the wizard found</source>
        <translation>ウィザードが見つけたこと</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="79"/>
        <source>Model family</source>
        <translation>モデルの種類</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="80"/>
        <source>Task</source>
        <translation>タスク</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="81"/>
        <source>Input size</source>
        <translation>入力サイズ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="82"/>
        <source>ONNX version</source>
        <translation>ONNX バージョン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="83"/>
        <source>Classes</source>
        <translation>クラス</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="84"/>
        <source>Head outputs</source>
        <translation>ヘッド出力</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="85"/>
        <source>Edit output names (experts)</source>
        <translation>出力名を編集する（上級者向け）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="87"/>
        <source>One tensor name per line, in the order the camera&apos;s decoder expects. Leave it as found unless you know your model&apos;s head is different.</source>
        <translation>1 行に 1 つのテンソル名を、カメラのデコーダーが期待する順に書きます。モデルのヘッドが違うとわかっている場合以外は、そのままにしてください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="96"/>
        <source>Choose your model</source>
        <translation>モデルを選ぶ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="97"/>
        <source>ONNX model (*.onnx)</source>
        <translation>ONNX モデル (*.onnx)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="128"/>
        <source>No model chosen yet.</source>
        <translation>モデルがまだ選ばれていません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="134"/>
        <source>not recognised</source>
        <translation>判別できません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="138"/>
        <source>object detection</source>
        <translation>物体検出</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="139"/>
        <source>segmentation</source>
        <translation>セグメンテーション</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="140"/>
        <source>pose estimation</source>
        <translation>姿勢推定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="141"/>
        <source>classification</source>
        <translation>分類</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="142"/>
        <source>rotated boxes (OBB)</source>
        <translation>回転ボックス（OBB）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="146"/>
        <source>%1 × %2 pixels</source>
        <translation>%1 × %2 ピクセル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="150"/>
        <source>IR %1, opset %2</source>
        <translation>IR %1、opset %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../../wizard/gui/pages/model.py" line="155"/>
        <source>%n class(es): </source>
        <translation>
            <numerusform>%n クラス：</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="157"/>
        <source>no class names in the file</source>
        <translation>ファイルにクラス名がありません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/model.py" line="159"/>
        <source>none found</source>
        <translation>見つかりません</translation>
    </message>
    <message>
        <source>Use the workshop&apos;s sample model</source>
        <translation>ワークショップのサンプルモデルを使う</translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <source>The converted model, as the camera will read it</source>
        <translation>変換したモデル（カメラが読み取る内容）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="105"/>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="107"/>
        <source>The converter ran the original and the converted model on your test picture and compared every layer. 1.0 means identical.</source>
        <translation>テスト画像で変換前と変換後のモデルを動かし、各層を比べました。1.0 は完全に同じという意味です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="109"/>
        <source>Closest match of the worst layer</source>
        <translation>最も差が大きい層の一致度</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="110"/>
        <source>What to try</source>
        <translation>試すこと</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="111"/>
        <source>Tensor</source>
        <translation>テンソル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="111"/>
        <source>Result</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="111"/>
        <source>Cosine</source>
        <translation>コサイン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="111"/>
        <source>Euclidean</source>
        <translation>ユークリッド</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="112"/>
        <source>SQNR (dB)</source>
        <translation>SQNR (dB)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="112"/>
        <source>Passed</source>
        <translation>合格</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="113"/>
        <source>Open output folder</source>
        <translation>出力フォルダを開く</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="114"/>
        <source>Save recipe…</source>
        <translation>レシピを保存…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="115"/>
        <source>Export reproducible bundle…</source>
        <translation>再現用バンドルを書き出す…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="137"/>
        <source>✔ Your model is ready for the reCamera</source>
        <translation>✔ reCamera 用モデルができました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="139"/>
        <source>The converted model gives nearly the same answers as the original on your test picture.</source>
        <translation>テスト画像では、変換後のモデルは元のモデルとほぼ同じ結果を出しています。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="141"/>
        <source>The conversion was cancelled</source>
        <translation>変換はキャンセルされました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="142"/>
        <source>Nothing was produced. Start it again when you are ready.</source>
        <translation>何も作られていません。準備ができたらもう一度開始してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="144"/>
        <source>✖ The conversion could not run</source>
        <translation>✖ 変換を実行できませんでした</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="145"/>
        <source>The problem is in the set-up, not in your model. See below.</source>
        <translation>問題はモデルではなく実行環境にあります。下を見てください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="147"/>
        <source>✖ The converted model differs too much from the original</source>
        <translation>✖ 変換後のモデルが元のモデルと違いすぎます</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="149"/>
        <source>It would detect noticeably worse than your original model. The suggestions below usually fix it.</source>
        <translation>元のモデルより検出精度がはっきり落ちます。たいていは下の提案で解決します。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="157"/>
        <source>Cosine similarity</source>
        <translation>コサイン類似度</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="157"/>
        <source>Euclidean similarity</source>
        <translation>ユークリッド類似度</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="158"/>
        <source>Signal-to-noise (SQNR)</source>
        <translation>信号対雑音比（SQNR）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="164"/>
        <source>needs more than %1</source>
        <translation>%1 より大きい必要があります</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="181"/>
        <source>yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="181"/>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="208"/>
        <source>Save recipe</source>
        <translation>レシピを保存</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="209"/>
        <source>Wizard recipe (*.json)</source>
        <translation>ウィザードのレシピ (*.json)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="212"/>
        <source>Recipe saved to %1</source>
        <translation>レシピを %1 に保存しました</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="216"/>
        <source>Export reproducible bundle</source>
        <translation>再現用バンドルを書き出す</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="217"/>
        <source>Zip archive (*.zip)</source>
        <translation>Zip アーカイブ (*.zip)</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="222"/>
        <source>Exporting…</source>
        <translation>書き出しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/results.py" line="226"/>
        <source>Bundle saved to %1</source>
        <translation>バンドルを %1 に保存しました</translation>
    </message>
</context>
<context>
    <name>RoomStatusDialog</name>
    <message>
        <source>One account per attendee (%1): nobody sees another&apos;s files.</source>
        <translation>受講者ごとのアカウント（%1）: ほかの人のファイルは誰にも見えません。</translation>
    </message>
    <message>
        <source>Your own login on the room&apos;s server (root, or an account with sudo: the password field is sudo&apos;s password too), not an attendee&apos;s. With a key file, the password field is the key&apos;s passphrase. Kept in memory only.</source>
        <translation>会場のサーバーへのあなた自身のログイン（root または sudo が使えるアカウント。パスワード欄は sudo のパスワードにも使います）で、受講者のアカウントではありません。鍵ファイルを指定した場合、パスワード欄は鍵のパスフレーズです。メモリー上にだけ保持します。</translation>
    </message>
    <message>
        <source>Login:</source>
        <translation>ログイン:</translation>
    </message>
    <message>
        <source>Every attendee of this room has their own account: the room&apos;s status needs yours on the server (root, or an account with sudo).</source>
        <translation>この教室では受講者ごとにアカウントがあるため、教室の状況を見るにはサーバー上のあなたのアカウント（root または sudo が使えるアカウント）が必要です。</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 時間 %2 分</translation>
    </message>
    <message>
        <source>Workshop kit of the room</source>
        <translation>会場のワークショップキット</translation>
    </message>
    <message>
        <source>Workshop kit (*.rcwkit)</source>
        <translation>ワークショップキット (*.rcwkit)</translation>
    </message>
    <message>
        <source>SSH private key</source>
        <translation>SSH 秘密鍵</translation>
    </message>
    <message>
        <source>Updating by itself is paused: press Refresh to try again.</source>
        <translation>自動更新を停止しました。「更新」を押すともう一度試します。</translation>
    </message>
    <message>
        <source>(place %1 in line)</source>
        <translation>（順番 %1 番目）</translation>
    </message>
    <message>
        <source>Updated at %1; again every %2 s while this is open.</source>
        <translation>%1 に更新。開いている間は %2 秒ごとに更新します。</translation>
    </message>
    <message>
        <source>No workshop kit is open: choose the kit of the room.</source>
        <translation>ワークショップキットが開かれていません。会場のキットを選んでください。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Server %2, workshop %3, %4 at once&lt;br&gt;Host key %5 (pinned by the kit)</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;サーバー %2、ワークショップ %3、同時に %4 件&lt;br&gt;ホスト鍵 %5（キットで固定）</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>更新中…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Workshop room status</source>
        <translation>ワークショップ会場の状況</translation>
    </message>
    <message>
        <source>Choose kit…</source>
        <translation>キットを選ぶ…</translation>
    </message>
    <message>
        <source>Key file:</source>
        <translation>鍵ファイル:</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>パスワード:</translation>
    </message>
    <message>
        <source>optional: your SSH agent and default keys are tried</source>
        <translation>省略可: SSH エージェントと既定の鍵を試します</translation>
    </message>
    <message>
        <source>The login of the room's server (yours or the attendees' account). With a key file, the password field is the key's passphrase. Kept in memory only.</source>
        <translation>会場のサーバーへのログイン（あなたのアカウントまたは受講者用アカウント）。鍵ファイルを指定した場合、パスワード欄は鍵のパスフレーズです。メモリー上にだけ保持します。</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>整理番号</translation>
    </message>
    <message>
        <source>Attendee</source>
        <translation>受講者</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Elapsed</source>
        <translation>経過時間</translation>
    </message>
    <message>
        <source>Waited</source>
        <translation>待ち時間</translation>
    </message>
</context>
<context>
    <name>SimilarityChart</name>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="256"/>
        <source>cosine similarity per tensor, worst first</source>
        <translation>テンソルごとのコサイン類似度（低い順）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/widgets.py" line="260"/>
        <source>No comparison yet</source>
        <translation>まだ比較結果がありません</translation>
    </message>
</context>
<context>
    <name>TargetPage</name>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="188"/>
        <source>Target and options</source>
        <translation>ターゲットと設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="190"/>
        <source>The defaults are the ones from Seeed&apos;s reCamera guide and work for most models. Change them only if you know why.</source>
        <translation>初期値は Seeed の reCamera ガイドと同じで、ほとんどのモデルで使えます。理由がわかっているときだけ変更してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="192"/>
        <source>Basic</source>
        <translation>基本</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="193"/>
        <source>Expert options</source>
        <translation>上級者向け設定</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="195"/>
        <source>Preset</source>
        <translation>プリセット</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="196"/>
        <source>Ready-made sets of the options below. Picking one fills them in; you can still change any of them.</source>
        <translation>下の設定をまとめて選べる組み合わせです。選ぶと設定が入力されますが、あとから個別に変更できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="198"/>
        <source>Processor</source>
        <translation>プロセッサ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="199"/>
        <source>The chip the model will run on. Every reCamera uses cv181x; the others are for other Sophgo boards.</source>
        <translation>モデルを動かすチップです。reCamera はすべて cv181x です。ほかは Sophgo の別のボード用です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="201"/>
        <source>Number format</source>
        <translation>数値形式</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="202"/>
        <source>INT8 is fast and what the reCamera is made for. BF16 is more exact but much slower. Formats the chip cannot run are not offered.</source>
        <translation>INT8 は高速で、reCamera に最適です。BF16 はより正確ですが、かなり遅くなります。チップで動かせない形式は選べません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="204"/>
        <source>Model name</source>
        <translation>モデル名</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="205"/>
        <source>Used for the file names. Letters, digits, &apos;-&apos; and &apos;_&apos; are kept; other characters are replaced.</source>
        <translation>ファイル名に使われます。英字・数字・「-」「_」以外の文字は置き換えられます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="207"/>
        <source>Save to</source>
        <translation>保存先</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="208"/>
        <source>A new, empty folder. The converted model, the recipe and the log are saved here.</source>
        <translation>新しい空のフォルダ。変換したモデル、レシピ、ログがここに保存されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="209"/>
        <source>Pixel format</source>
        <translation>ピクセル形式</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="210"/>
        <source>Colour order the model was trained with. YOLO models use rgb (--pixel_format).</source>
        <translation>学習時の色の並び順です。YOLO モデルは rgb です（--pixel_format）。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="211"/>
        <source>Keep aspect ratio</source>
        <translation>縦横比を保つ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="212"/>
        <source>Pad pictures instead of stretching them, as Ultralytics does (--keep_aspect_ratio).</source>
        <translation>Ultralytics と同じく、画像を引き伸ばさずに余白で埋めます（--keep_aspect_ratio）。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="213"/>
        <source>Fuse preprocessing</source>
        <translation>前処理の統合</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="214"/>
        <source>Let the chip resize and normalise camera frames itself (--fuse_preprocess). Needed for the reCamera&apos;s camera pipeline.</source>
        <translation>カメラ画像のリサイズと正規化をチップ自身に任せます（--fuse_preprocess）。reCamera のカメラ処理に必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="216"/>
        <source>Aligned input</source>
        <translation>アラインされた入力</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="217"/>
        <source>Lay out the input the way the camera hardware delivers it (--aligned_input). Needs fused preprocessing; CV18xx chips only.</source>
        <translation>カメラのハードウェアが渡す形に入力を並べます（--aligned_input）。前処理の統合が必要で、CV18xx チップ専用です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="219"/>
        <source>Camera frame format</source>
        <translation>カメラ画像の形式</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="220"/>
        <source>The format of the frames the camera hands to the model (--customization_format). Needs fused preprocessing.</source>
        <translation>カメラがモデルに渡す画像の形式です（--customization_format）。前処理の統合が必要です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="222"/>
        <source>8-bit input</source>
        <translation>8 ビット入力</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="223"/>
        <source>Feed the model 8-bit pixels directly, skipping a conversion on the chip (--quant_input).</source>
        <translation>8 ビットのピクセルをそのままモデルに渡し、チップ上の変換を省きます（--quant_input）。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="224"/>
        <source>Pass threshold</source>
        <translation>合格のしきい値</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="225"/>
        <source>Minimum cosine and euclidean similarity between the original and the converted model for the check to pass (--tolerance). The toolchain&apos;s default is 0.80 and 0.50.</source>
        <translation>確認に合格するために必要な、変換前後のモデルのコサイン類似度とユークリッド類似度の最小値です（--tolerance）。ツールチェーンの既定値は 0.80 と 0.50 です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="227"/>
        <source>Mean</source>
        <translation>平均値（mean）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="228"/>
        <source>Subtracted from each colour channel before scaling; YOLO uses 0,0,0 (--mean).</source>
        <translation>スケーリング前に各色チャンネルから引く値です。YOLO は 0,0,0 です（--mean）。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="229"/>
        <source>Scale</source>
        <translation>スケール</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="230"/>
        <source>Multiplies each channel; YOLO uses 1/255 = 0.0039216 (--scale).</source>
        <translation>各チャンネルに掛ける値です。YOLO は 1/255 = 0.0039216 です（--scale）。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="235"/>
        <source>Choose…</source>
        <translation>選ぶ…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="236"/>
        <source>Pad, don&apos;t stretch</source>
        <translation>引き伸ばさず余白で埋める</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="237"/>
        <source>On the chip</source>
        <translation>チップで行う</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="238"/>
        <source>Aligned</source>
        <translation>アラインする</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="239"/>
        <source>8-bit pixels in</source>
        <translation>8 ビットのピクセルを入力</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="240"/>
        <source>Use my own:</source>
        <translation>自分で指定：</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="241"/>
        <source>Automatic (RGB_PACKED with fused preprocessing)</source>
        <translation>自動（前処理の統合時は RGB_PACKED）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="242"/>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="244"/>
        <source>Choose a preset…</source>
        <translation>プリセットを選ぶ…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="258"/>
        <source>Hide expert options</source>
        <translation>上級者向け設定を隠す</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="258"/>
        <source>Show expert options</source>
        <translation>上級者向け設定を表示</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="331"/>
        <source>Choose where to save the model</source>
        <translation>モデルの保存先を選ぶ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/target.py" line="374"/>
        <source>Not possible with the other options chosen</source>
        <translation>ほかの設定との組み合わせでは選べません</translation>
    </message>
    <message>
        <source>Workshop: %1. Options marked &quot;set by your instructor&quot; cannot be changed here.</source>
        <translation>ワークショップ: %1。「講師が設定しました」と書かれた設定はここでは変更できません。</translation>
    </message>
    <message>
        <source>Set by your instructor.</source>
        <translation>講師が設定しました。</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="69"/>
        <source>Turn your YOLO model into a reCamera model</source>
        <translation>YOLO モデルを reCamera 用に変換しましょう</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="71"/>
        <source>This wizard checks your trained .onnx model, prepares calibration pictures, converts the model with Sophgo&apos;s TPU-MLIR toolchain, shows how close the result is to the original, and puts it on your reCamera. Nothing is changed in your own files.</source>
        <translation>このウィザードは、学習済みの .onnx モデルを確認し、キャリブレーション画像を準備し、Sophgo の TPU-MLIR ツールチェーンで変換して、元のモデルとどれだけ近いかを示し、reCamera に入れます。あなたのファイルは変更されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="74"/>
        <source>New conversion</source>
        <translation>新しく変換する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="75"/>
        <source>Open saved recipe…</source>
        <translation>保存したレシピを開く…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="76"/>
        <source>Recent runs</source>
        <translation>最近の実行</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="77"/>
        <source>No conversions yet. Your runs will be listed here.</source>
        <translation>まだ変換していません。実行するとここに表示されます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="78"/>
        <source>Open results</source>
        <translation>結果を開く</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="79"/>
        <source>A conversion is still running</source>
        <translation>変換がまだ実行中です</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="81"/>
        <source>A conversion started earlier may still be running. Reconnect to see its progress and results.</source>
        <translation>以前に開始した変換がまだ実行中かもしれません。再接続すると進み具合と結果を確認できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="82"/>
        <source>Reconnect</source>
        <translation>再接続</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="112"/>
        <source>Open saved recipe</source>
        <translation>保存したレシピを開く</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/welcome.py" line="112"/>
        <source>Wizard recipe (recipe.json *.json)</source>
        <translation>ウィザードのレシピ (recipe.json *.json)</translation>
    </message>
    <message>
        <source>Open workshop kit…</source>
        <translation>ワークショップキットを開く…</translation>
    </message>
</context>
<context>
    <name>WherePage</name>
    <message>
        <source>Your account</source>
        <translation>あなたのアカウント</translation>
    </message>
    <message>
        <source>In this room everyone has their own account: nobody else can see your files or results.</source>
        <translation>この教室では一人ひとりに自分のアカウントがあります。あなたのファイルや結果をほかの人が見ることはできません。</translation>
    </message>
    <message>
        <source>on your seat card, e.g. {hint}</source>
        <translation>席カードに書かれています（例: {hint}）</translation>
    </message>
    <message>
        <source>on your seat card</source>
        <translation>席カードに書かれています</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="189"/>
        <source>The converter is a Linux program: it runs in a container (Docker), or on Linux also in a Python environment without Docker. It needs about 4 GB of memory and takes a few minutes.</source>
        <translation>変換ツールは Linux プログラムです。コンテナ（Docker）で動かすほか、Linux では Docker なしで Python 環境でも動かせます。約 4 GB のメモリが必要で、数分かかります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="192"/>
        <source>On this computer without Docker (Linux with Python 3.10)</source>
        <translation>このコンピュータで Docker なしで（Python 3.10 がある Linux）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="195"/>
        <source>This computer, without Docker</source>
        <translation>このコンピュータ（Docker なし）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="197"/>
        <source>The converter runs in a Python environment on this computer instead of a container: it needs CPython 3.10, about 2 GB of disk once and about 4 GB of memory. The check changes nothing.</source>
        <translation>変換ツールをコンテナではなく、このコンピュータの Python 環境で動かします。CPython 3.10、最初に約 2 GB のディスク、約 4 GB のメモリが必要です。確認では何も変更しません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="199"/>
        <source>Check this computer</source>
        <translation>このコンピュータを確認</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="201"/>
        <source>The toolchain on the machine:</source>
        <translation>マシン上のツールチェーン:</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="202"/>
        <source>Docker on the machine</source>
        <translation>マシンの Docker</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="203"/>
        <source>A Python environment on the machine (no Docker)</source>
        <translation>マシンの Python 環境（Docker なし）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="386"/>
        <source>Checking this computer…</source>
        <translation>このコンピュータを確認しています…</translation>
    </message>
    <message>
        <source>Password or key passphrase</source>
        <translation>パスワードまたは鍵のパスフレーズ</translation>
    </message>
    <message>
        <source>If the toolchain image is missing there, let the machine build it (10-20 min)</source>
        <translation>ツールチェーンのイメージがなければ、そのマシンでビルドさせる（10〜20 分）</translation>
    </message>
    <message>
        <source>%1 GB free</source>
        <translation>空き %1 GB</translation>
    </message>
    <message>
        <source>Docker ready</source>
        <translation>Docker 使用可能</translation>
    </message>
    <message>
        <source>Docker not usable yet</source>
        <translation>Docker はまだ使えません</translation>
    </message>
    <message>
        <source>toolchain image present</source>
        <translation>ツールチェーンのイメージあり</translation>
    </message>
    <message>
        <source>toolchain image missing</source>
        <translation>ツールチェーンのイメージなし</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="137"/>
        <source>Where to run the conversion</source>
        <translation>変換を実行する場所</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="141"/>
        <source>On this computer (Docker)</source>
        <translation>このコンピュータで実行（Docker）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="142"/>
        <source>On my own cloud machine (SSH)</source>
        <translation>自分のクラウドマシンで実行（SSH）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="143"/>
        <source>This computer</source>
        <translation>このコンピュータ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="144"/>
        <source>Cloud machine</source>
        <translation>クラウドマシン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="145"/>
        <source>Check again</source>
        <translation>もう一度確認</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="146"/>
        <source>Get the toolchain</source>
        <translation>ツールチェーンを用意する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="148"/>
        <source>Your model and calibration pictures are uploaded to this machine for the conversion, and removed from it afterwards. Use only a machine you trust.</source>
        <translation>変換のため、モデルとキャリブレーション画像はこのマシンにアップロードされ、終わったら削除されます。信頼できるマシンだけを使ってください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="150"/>
        <source>Host</source>
        <translation>ホスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="150"/>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="150"/>
        <source>User</source>
        <translation>ユーザー</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="150"/>
        <source>Key file</source>
        <translation>鍵ファイル</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="151"/>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="153"/>
        <source>e.g. ~/.ssh/id_ed25519 (optional)</source>
        <translation>例：~/.ssh/id_ed25519（省略可）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="154"/>
        <source>only if the machine asks for one</source>
        <translation>マシンが求める場合のみ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="155"/>
        <source>Choose…</source>
        <translation>選ぶ…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="156"/>
        <source>Remember the password in the system keychain</source>
        <translation>パスワードをシステムのキーチェーンに保存する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="157"/>
        <source>If Docker is missing on the machine, let the wizard install it (uses sudo)</source>
        <translation>マシンに Docker がなければ、ウィザードにインストールさせる（sudo を使います）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="158"/>
        <source>Test connection</source>
        <translation>接続テスト</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="239"/>
        <source>Getting the toolchain failed.</source>
        <translation>ツールチェーンを用意できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="255"/>
        <source>Docker: checking…</source>
        <translation>Docker：確認中…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="258"/>
        <source>Docker: ✔ running</source>
        <translation>Docker：✔ 動作中</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="258"/>
        <source>Docker: ✖ not available</source>
        <translation>Docker：✖ 使えません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="260"/>
        <source>Toolchain: ✔ ready</source>
        <translation>ツールチェーン：✔ 準備完了</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="261"/>
        <source>Toolchain: ✖ not on this computer yet</source>
        <translation>ツールチェーン：✖ まだこのコンピュータにありません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="280"/>
        <source>Choose your private key</source>
        <translation>秘密鍵を選ぶ</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="292"/>
        <source>Connecting…</source>
        <translation>接続しています…</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="308"/>
        <source>Not connected.</source>
        <translation>接続できませんでした。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="315"/>
        <source>✔ Connected: %1</source>
        <translation>✔ 接続しました：%1</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="335"/>
        <source>New machine</source>
        <translation>初めて接続するマシン</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="336"/>
        <source>This is the first connection to %1. Is this its fingerprint?</source>
        <translation>%1 に初めて接続します。このフィンガープリントで合っていますか？</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/where.py" line="339"/>
        <source>Your cloud provider&apos;s console shows it (ssh-keygen -lf on the machine). If it differs, do not connect.</source>
        <translation>クラウド事業者のコンソール（またはマシン上の ssh-keygen -lf）で確認できます。違っていたら接続しないでください。</translation>
    </message>
    <message>
        <source>The workshop&apos;s server</source>
        <translation>ワークショップのサーバー</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>サーバー</translation>
    </message>
    <message>
        <source>Host key</source>
        <translation>ホスト鍵</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>あなたの名前</translation>
    </message>
    <message>
        <source>Sign in with</source>
        <translation>サインイン方法</translation>
    </message>
    <message>
        <source>a key file</source>
        <translation>鍵ファイル</translation>
    </message>
    <message>
        <source>a password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>the key file your instructor gave you</source>
        <translation>講師から受け取った鍵ファイル</translation>
    </message>
    <message>
        <source>as your instructor will see it</source>
        <translation>講師の画面に表示される名前</translation>
    </message>
    <message>
        <source>Where the conversion runs</source>
        <translation>変換を実行する場所</translation>
    </message>
    <message>
        <source>Your instructor set up one server for the room: your conversion runs there. When every place on it is busy, yours waits in line, and the next page shows how many are ahead of you.</source>
        <translation>講師が教室用のサーバーを 1 台用意しました。変換はそこで実行されます。空きがないときは順番待ちになり、次のページにあなたの前に何件あるかが表示されます。</translation>
    </message>
    <message>
        <source>Set by your instructor.</source>
        <translation>講師が設定しました。</translation>
    </message>
    <message>
        <source>Your model and pictures are uploaded to this server for the conversion, and removed from it afterwards. The wizard connects only if the server shows the host key of the kit.</source>
        <translation>変換のため、モデルと写真をこのサーバーにアップロードし、終わったら削除します。ウィザードは、サーバーがキットのホスト鍵を示したときだけ接続します。</translation>
    </message>
    <message>
        <source>Key passphrase</source>
        <translation>鍵のパスフレーズ</translation>
    </message>
    <message>
        <source>the password your instructor gave you</source>
        <translation>講師から受け取ったパスワード</translation>
    </message>
    <message>
        <source>only if your key has one</source>
        <translation>鍵に設定している場合のみ</translation>
    </message>
</context>
<context>
    <name>NativeReportView</name>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="89"/>
        <source>Let the wizard run these commands</source>
        <translation>これらのコマンドの実行をウィザードに許可する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="90"/>
        <source>Create the environment</source>
        <translation>環境を作成する</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="91"/>
        <source>Password for sudo</source>
        <translation>sudo のパスワード</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="92"/>
        <source>leave empty if sudo asks for none</source>
        <translation>sudo が求めない場合は空欄のまま</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="147"/>
        <source>The password goes only to sudo, once, and is never stored.</source>
        <translation>パスワードは sudo に一度だけ渡され、保存されません。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="148"/>
        <source>sudo on the machine gets the password entered above (leave it empty if sudo asks for none there).</source>
        <translation>マシン上の sudo には上で入力したパスワードが渡されます（sudo が求めない場合は空欄のままにしてください）。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="161"/>
        <source>After the set-up, the wizard creates a Python environment with TPU-MLIR there: it downloads about %1 MB from PyPI and uses about %2 GB of disk. This takes a few minutes, once.</source>
        <translation>セットアップの後、ウィザードはそこに TPU-MLIR の Python 環境を作ります。PyPI から約 %1 MB をダウンロードし、ディスクを約 %2 GB 使います。最初の一度だけ数分かかります。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="170"/>
        <source>✖ Not ready yet: see what to do below, then check again.</source>
        <translation>✖ まだ準備ができていません。下の対処を行ってから、もう一度確認してください。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="173"/>
        <source>Ready once you agree below.</source>
        <translation>下で許可すれば準備完了です。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="175"/>
        <source>✔ Ready to convert without Docker.</source>
        <translation>✔ Docker なしで変換できます。</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="185"/>
        <source>Python %1 (%2)</source>
        <translation>Python %1（%2）</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="187"/>
        <source>no Python 3.10 found</source>
        <translation>Python 3.10 が見つかりません</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="190"/>
        <source>%1 GB memory</source>
        <translation>メモリ %1 GB</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="192"/>
        <source>%1 GB free</source>
        <translation>空き %1 GB</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="196"/>
        <source>TPU-MLIR %1 environment ready</source>
        <translation>TPU-MLIR %1 の環境あり</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="198"/>
        <source>your own TPU-MLIR</source>
        <translation>自分で用意した TPU-MLIR</translation>
    </message>
    <message>
        <location filename="../../wizard/gui/pages/native_report.py" line="200"/>
        <source>TPU-MLIR %1 environment not made yet</source>
        <translation>TPU-MLIR %1 の環境はまだありません</translation>
    </message>
</context>
<context>
    <name>KitMakerDialog</name>
    <message>
        <source>Tick what attendees may change; every other option is locked to the value shown.</source>
        <translation>受講者が変更してよいものにチェックを付けてください。ほかのオプションはすべて表示の値に固定されます。</translation>
    </message>
    <message>
        <source>the wizard decides</source>
        <translation>ウィザードが決める</translation>
    </message>
    <message>
        <source>on</source>
        <translation>オン</translation>
    </message>
    <message>
        <source>off</source>
        <translation>オフ</translation>
    </message>
    <message>
        <source>Save the workshop kit as</source>
        <translation>ワークショップキットの保存先</translation>
    </message>
    <message>
        <source>Workshop kit (*.rcwkit)</source>
        <translation>ワークショップキット (*.rcwkit)</translation>
    </message>
    <message>
        <source>SSH private key</source>
        <translation>SSH 秘密鍵</translation>
    </message>
    <message>
        <source>Sample model</source>
        <translation>サンプルモデル</translation>
    </message>
    <message>
        <source>ONNX model (*.onnx)</source>
        <translation>ONNX モデル (*.onnx)</translation>
    </message>
    <message>
        <source>Folder of sample pictures</source>
        <translation>サンプル画像のフォルダー</translation>
    </message>
    <message>
        <source>Toolchain image tarball (docker save)</source>
        <translation>ツールチェーンイメージの tar ファイル（docker save）</translation>
    </message>
    <message>
        <source>Image tarball (*.tar *.tar.gz *.tgz);;All files (*)</source>
        <translation>イメージの tar ファイル (*.tar *.tar.gz *.tgz);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>type the kit&apos;s title (attendees see it).</source>
        <translation>キットのタイトルを入力してください（受講者に表示されます）。</translation>
    </message>
    <message>
        <source>choose where to save the kit (Save as…).</source>
        <translation>キットの保存先を選んでください（「保存先を選ぶ…」）。</translation>
    </message>
    <message>
        <source>the folder %1 does not exist.</source>
        <translation>フォルダー %1 がありません。</translation>
    </message>
    <message>
        <source>type the toolchain image&apos;s tag.</source>
        <translation>ツールチェーンイメージのタグを入力してください。</translation>
    </message>
    <message>
        <source>%1 is not an .onnx file.</source>
        <translation>%1 は .onnx ファイルではありません。</translation>
    </message>
    <message>
        <source>there is no folder %1.</source>
        <translation>フォルダー %1 がありません。</translation>
    </message>
    <message>
        <source>type the camera&apos;s default (attendees can start from it).</source>
        <translation>カメラの既定値を入力してください（受講者はここから始めます）。</translation>
    </message>
    <message>
        <source>there is no file %1.</source>
        <translation>ファイル %1 がありません。</translation>
    </message>
    <message>
        <source>New server</source>
        <translation>初めて接続するサーバー</translation>
    </message>
    <message>
        <source>This is the first connection to %1. Is this its host key fingerprint?</source>
        <translation>%1 への初めての接続です。これはこのサーバーのホスト鍵のフィンガープリントですか？</translation>
    </message>
    <message>
        <source>The server&apos;s console shows it (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). The kit pins this key, so every attendee connects to exactly this server. If it differs, do not connect.</source>
        <translation>サーバーのコンソールで確認できます（ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub）。キットはこの鍵を固定するので、受講者は全員このサーバーにだけ接続します。違っていたら接続しないでください。</translation>
    </message>
    <message>
        <source>Checking %1 and writing the kit…</source>
        <translation>%1 を確認してキットを書き出しています…</translation>
    </message>
    <message>
        <source>✔ The kit “%1” is saved as %2 (server %3, host key %4 pinned). Hand it out on a USB stick or the course page; attendees open it with File &gt; Open workshop kit…</source>
        <translation>✔ キット「%1」を %2 に保存しました（サーバー %3、ホスト鍵 %4 を固定）。USB メモリーやコースのページで配布してください。受講者は「ファイル」&gt;「ワークショップキットを開く…」で開きます。</translation>
    </message>
    <message>
        <source>Kit made.</source>
        <translation>キットを作成しました。</translation>
    </message>
    <message>
        <source>The kit was not made.</source>
        <translation>キットは作成していません。</translation>
    </message>
    <message>
        <source>Make a workshop kit</source>
        <translation>ワークショップキットを作る</translation>
    </message>
    <message>
        <source>The kit</source>
        <translation>キット</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>タイトル:</translation>
    </message>
    <message>
        <source>e.g. reCamera workshop, room 3</source>
        <translation>例: reCamera ワークショップ 第 3 会場</translation>
    </message>
    <message>
        <source>Save as:</source>
        <translation>保存先:</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>保存先を選ぶ…</translation>
    </message>
    <message>
        <source>a .rcwkit file</source>
        <translation>.rcwkit ファイル</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>言語:</translation>
    </message>
    <message>
        <source>The attendee&apos;s</source>
        <translation>受講者の言語</translation>
    </message>
    <message>
        <source>Lock the language</source>
        <translation>言語を固定する</translation>
    </message>
    <message>
        <source>The shared server</source>
        <translation>共有サーバー</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>サーバー:</translation>
    </message>
    <message>
        <source>user@host or user@host:port (the attendees&apos; account)</source>
        <translation>user@host または user@host:port（受講者のアカウント）</translation>
    </message>
    <message>
        <source>Key file:</source>
        <translation>鍵ファイル:</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>選ぶ…</translation>
    </message>
    <message>
        <source>optional: your SSH agent is tried</source>
        <translation>省略可: SSH エージェントを試します</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>パスワード:</translation>
    </message>
    <message>
        <source>Your login to the server, to check it. With a key file, the password field is the key&apos;s passphrase. Kept in memory only, never saved, never put in the kit.</source>
        <translation>サーバーを確認するためのあなたのログインです。鍵ファイルを使う場合、パスワード欄は鍵のパスフレーズです。メモリー上にだけ保持し、保存もキットへの書き込みもしません。</translation>
    </message>
    <message>
        <source>Workshop name:</source>
        <translation>ワークショップ名:</translation>
    </message>
    <message>
        <source>Conversions at once:</source>
        <translation>同時変換数:</translation>
    </message>
    <message>
        <source>as the server was prepared</source>
        <translation>サーバーの準備時の設定</translation>
    </message>
    <message>
        <source>Toolchain image:</source>
        <translation>ツールチェーンイメージ:</translation>
    </message>
    <message>
        <source>Image tarball:</source>
        <translation>イメージの tar:</translation>
    </message>
    <message>
        <source>optional, for offline rooms (docker save file)</source>
        <translation>省略可: オフライン会場用（docker save）</translation>
    </message>
    <message>
        <source>Camera and samples</source>
        <translation>カメラとサンプル</translation>
    </message>
    <message>
        <source>Camera address:</source>
        <translation>カメラのアドレス:</translation>
    </message>
    <message>
        <source>Lock the camera address</source>
        <translation>カメラのアドレスを固定する</translation>
    </message>
    <message>
        <source>Camera user:</source>
        <translation>カメラのユーザー:</translation>
    </message>
    <message>
        <source>Sample model:</source>
        <translation>サンプルモデル:</translation>
    </message>
    <message>
        <source>optional .onnx file</source>
        <translation>省略可の .onnx ファイル</translation>
    </message>
    <message>
        <source>Sample pictures:</source>
        <translation>サンプル画像:</translation>
    </message>
    <message>
        <source>optional folder</source>
        <translation>省略可のフォルダー</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>オプション</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>プリセット:</translation>
    </message>
    <message>
        <source>With the window&apos;s changes (Target page)</source>
        <translation>ウィンドウでの変更も含める（ターゲットページ）</translation>
    </message>
    <message>
        <source>Make kit</source>
        <translation>キットを作る</translation>
    </message>
    <message>
        <source>Open this kit</source>
        <translation>このキットを開く</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <source>Aligned input</source>
        <translation>アラインされた入力</translation>
    </message>
    <message>
        <source>Calibration pictures used</source>
        <translation>使うキャリブレーション画像の数</translation>
    </message>
    <message>
        <source>Camera frame format</source>
        <translation>カメラ画像の形式</translation>
    </message>
    <message>
        <source>Fuse preprocessing</source>
        <translation>前処理の統合</translation>
    </message>
    <message>
        <source>Keep aspect ratio</source>
        <translation>縦横比を保つ</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>平均値（mean）</translation>
    </message>
    <message>
        <source>Pixel format</source>
        <translation>ピクセル形式</translation>
    </message>
    <message>
        <source>Processor</source>
        <translation>プロセッサ</translation>
    </message>
    <message>
        <source>8-bit input</source>
        <translation>8 ビット入力</translation>
    </message>
    <message>
        <source>Number format</source>
        <translation>数値形式</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>スケール</translation>
    </message>
    <message>
        <source>Pass threshold</source>
        <translation>合格のしきい値</translation>
    </message>
</context>
</TS>
