"""Progress lines the runners write into the log view (one-line texts read with messages.say())."""

from wizard.core.messages import Entry

ENTRIES = {
    "line_vm_reconnected": Entry(en="reconnected to {target}", en_fix="", ja="{target} に再接続しました", ja_fix=""),
    "line_vm_connected": Entry(en="connected to {target}", en_fix="", ja="{target} に接続しました", ja_fix=""),
    "line_setup_step": Entry(en="set-up on {target}: {step}", en_fix="", ja="{target} のセットアップ: {step}", ja_fix=""),
    "line_vm_uploaded": Entry(en="uploaded {files} files ({bytes} bytes, {compressed} compressed) to {folder}", en_fix="", ja="{files} 個のファイル（{bytes} バイト、圧縮後 {compressed}）を {folder} にアップロードしました", ja_fix=""),
    "line_vm_downloaded": Entry(en="downloaded {files} files, {checked} SHA-256 checksums verified", en_fix="", ja="{files} 個のファイルをダウンロードし、{checked} 個の SHA-256 チェックサムを確認しました", ja_fix=""),
    "line_vm_kept": Entry(en="kept on the VM: {target}:{folder}", en_fix="", ja="VM に残しました: {target}:{folder}", ja_fix=""),
    "line_native_in_place": Entry(en="the conversion runs in {folder} (nothing to upload)", en_fix="", ja="変換は {folder} で実行します（アップロード不要）", ja_fix=""),
    "line_native_results_in_place": Entry(en="the results are already in {folder}", en_fix="", ja="結果はすでに {folder} にあります", ja_fix=""),
    "line_kept": Entry(en="kept: {folder}", en_fix="", ja="残しました: {folder}", ja_fix=""),
    "line_native_toolchain_bin": Entry(en="using the TPU-MLIR in {folder} on {where}", en_fix="", ja="{where} の {folder} にある TPU-MLIR を使います", ja_fix=""),
    "line_native_python": Entry(en="Python {version} at {path}", en_fix="", ja="Python {version}（場所: {path}）", ja_fix=""),
    "line_native_environment": Entry(en="TPU-MLIR {version} environment: {path}", en_fix="", ja="TPU-MLIR {version} の環境: {path}", ja_fix=""),
    "line_docker_engine": Entry(en="Docker engine {version} ({os}, {cpus} CPUs, {memory_gb} GB memory)", en_fix="", ja="Docker エンジン {version}（{os}、CPU {cpus} 個、メモリ {memory_gb} GB）", ja_fix=""),
    "line_docker_image": Entry(en="toolchain image {image} ({image_id})", en_fix="", ja="ツールチェーンのイメージ {image}（{image_id}）", ja_fix=""),
    "line_docker_kept": Entry(en="kept container {name}", en_fix="", ja="コンテナ {name} を残しました", ja_fix=""),
}
