#!/bin/sh
# Install the TPU-MLIR TEST DOUBLE into a prefix (default /opt/tpu_mlir_double) and link its
# commands into a bin directory on PATH (default /usr/local/bin).
#
#   sh tests/toolchain_double/install.sh [PREFIX] [BIN_DIR]
#
# Layout as the wheel's: PREFIX/bin holds the wrapper commands (model_transform, ...,
# model_transform.py, ...), PREFIX/tools the tool scripts they run as a child.
# Used only by test images (e.g. a Debian image with nothing but python3). Never ship it to users.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-/opt/tpu_mlir_double}
bindir=${2:-/usr/local/bin}
command -v python3 >/dev/null 2>&1 || { echo "install.sh: python3 is required" >&2; exit 1; }
mkdir -p "$prefix" "$bindir"
rm -rf "$prefix/tpu_mlir_double" "$prefix/bin" "$prefix/tools"
for part in tpu_mlir_double bin tools; do
    cp -R "$here/$part" "$prefix/$part"  # -R keeps bin/'s links to the one wrapper as links
done
find "$prefix/tpu_mlir_double" -name '__pycache__' -prune -exec rm -rf {} +
cp "$here/README.md" "$prefix/README.md"
chmod 755 "$prefix/bin/tpu_mlir_wrapper" "$prefix"/tools/*
for link in "$prefix"/bin/*; do
    name=$(basename "$link")
    [ "$name" = tpu_mlir_wrapper ] && continue
    ln -sf "$prefix/bin/$name" "$bindir/$name"
done
echo "TPU-MLIR test double installed in $prefix (commands linked into $bindir)"
