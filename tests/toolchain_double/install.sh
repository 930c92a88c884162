#!/bin/sh
# Install the TPU-MLIR TEST DOUBLE into a prefix (default /opt/tpu_mlir_double) and link its
# commands into a bin directory on PATH (default /usr/local/bin).
#
#   sh tests/toolchain_double/install.sh [PREFIX] [BIN_DIR]
#
# Used only by test images (e.g. a Debian image with nothing but python3). Never ship it to users.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-/opt/tpu_mlir_double}
bindir=${2:-/usr/local/bin}
command -v python3 >/dev/null 2>&1 || { echo "install.sh: python3 is required" >&2; exit 1; }
mkdir -p "$prefix/bin" "$bindir"
rm -rf "$prefix/tpu_mlir_double"
cp -R "$here/tpu_mlir_double" "$prefix/tpu_mlir_double"
find "$prefix/tpu_mlir_double" -name '__pycache__' -prune -exec rm -rf {} +
cp "$here/README.md" "$prefix/README.md"
for tool in model_transform run_calibration model_deploy model_tool npz_tool.py; do
    cp "$here/bin/$tool" "$prefix/bin/$tool"
    chmod 755 "$prefix/bin/$tool"
done
# Wheels since 2024-01 expose both spellings; keep that.
for tool in model_transform run_calibration model_deploy; do
    ln -sf "$tool" "$prefix/bin/$tool.py"
done
for tool in model_transform model_transform.py run_calibration run_calibration.py model_deploy \
            model_deploy.py model_tool npz_tool.py; do
    ln -sf "$prefix/bin/$tool" "$bindir/$tool"
done
echo "TPU-MLIR test double installed in $prefix (commands linked into $bindir)"
