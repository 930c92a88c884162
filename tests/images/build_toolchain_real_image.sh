#!/usr/bin/env bash
# Build the Docker image with the REAL TPU-MLIR 1.7 that the real-toolchain tests run in:
#
#     bash tests/images/build_toolchain_real_image.sh --python PREFIX             # build when missing
#     bash tests/images/build_toolchain_real_image.sh --python PREFIX --print-tag # only say the tag
#     bash tests/images/build_toolchain_real_image.sh --python PREFIX --force     # build again
#
# PREFIX is a CPython 3.10 installation on this machine (e.g. `pyenv prefix 3.10.13`); the
# tests find one (tests/real_toolchain.py). The tpu_mlir wheel needs exactly CPython 3.10 and
# there is no registry here (no sophgo/tpuc_dev), so the image is made like the double's: the
# same minimal Debian root (debootstrap, cached), plus gcc and libc6-dev (pycocotools 2.0.6 has
# no wheel and compiles from source), plus that CPython copied in at the SAME prefix (a venv and
# the interpreter's own paths keep working) with any shared library it needs that the root
# lacks, plus a venv with `pip install "setuptools<70" "tpu_mlir[onnx]==1.7"`. Two fixes, as in
# a hand install (toolchain.md "The real wheel here"): setuptools<70 keeps pkg_resources, which
# the launcher imports; and on a glibc newer than 2.35 the wheel's bundled Ubuntu 22.04
# lib/third_party/libc.so.6 and libm.so.6 are moved aside (every tool fails on them otherwise).
#
# The image honours the user-facing image's contract: `bash convert.sh` in /workspace with the
# wheel's commands (model_transform, run_calibration, model_deploy, model_tool...) on PATH.
#
# Wheels are downloaded once, with the same interpreter, into $CACHE/wheels and installed from
# there (no index) inside the build. The tag carries a digest of the inputs (this script, the
# interpreter's version and prefix, the requirements): recamera-wizard-test/toolchain-real:1.7-<digest>.
# A present image with that tag is reused. The candidate image is smoke-checked (the three
# tools' --help and model_tool) before it gets the tag. Needs root, docker, tar, and debootstrap
# (through the double's build script) when the base root is not cached yet. Prints progress lines "[real-image] ...".
set -euo pipefail

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
CACHE="${RECAMERA_WIZARD_TEST_CACHE:-${HOME:-/root}/.cache/recamera-wizard-test}"
REPO_TAG="recamera-wizard-test/toolchain-real"
VENV=/opt/tpu_mlir
TPU_MLIR_REQUIREMENT="tpu_mlir[onnx]==1.7"
SETUPTOOLS_REQUIREMENT="setuptools<70"
# pycocotools 2.0.6 is built without build isolation (from the wheel folder, no index): its
# build requirements are installed first. numpy is tpu_mlir 1.7's own pin.
BUILD_REQUIREMENTS=("$SETUPTOOLS_REQUIREMENT" "wheel" "cython<3.1" "numpy==1.24.3")
PYCOCOTOOLS_REQUIREMENT="pycocotools==2.0.6"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="$HERE/$(basename "${BASH_SOURCE[0]}")"

PREFIX=""
PRINT_TAG=0
FORCE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --python) PREFIX="${2:-}"; shift 2 ;;
    --print-tag) PRINT_TAG=1; shift ;;
    --force) FORCE=1; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

say() { echo "[real-image] $*"; }

if [[ -z "$PREFIX" || ! -x "$PREFIX/bin/python3.10" ]]; then
  say "--python PREFIX must name a CPython 3.10 installation (PREFIX/bin/python3.10)" >&2
  exit 2
fi
PY="$PREFIX/bin/python3.10"
PY_VERSION="$("$PY" -c 'import sys; print(sys.version.split()[0])')"
case "$PY_VERSION" in 3.10.*) ;; *) say "$PY is Python $PY_VERSION, not 3.10" >&2; exit 2 ;; esac

digest="$( { cat "$SCRIPT"; echo "$PY_VERSION $PREFIX $SUITE"; echo "$TPU_MLIR_REQUIREMENT"; } \
  | sha256sum | cut -c1-12)"
TAG="$REPO_TAG:1.7-$digest"
if [[ $PRINT_TAG == 1 ]]; then
  echo "$TAG"
  exit 0
fi
if [[ $FORCE == 0 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
  say "$TAG is up to date"
  exit 0
fi
[[ "$(id -u)" == 0 ]] || { say "building the image needs root (chroot)" >&2; exit 2; }
mkdir -p "$CACHE"

# --- 1. the Debian root (the double's cached one) ------------------------------------------------
# The double's build script makes and caches it (debootstrap, a few minutes the first time);
# running it also leaves the double's image up to date, which the rest of the suite needs anyway.
BASE_TAR="$CACHE/$SUITE-minbase-python3.tar"
if [[ ! -s "$BASE_TAR" ]]; then
  say "no cached Debian root yet: building the double's image, which makes it"
  RECAMERA_WIZARD_TEST_CACHE="$CACHE" DEBIAN_MIRROR="$MIRROR" bash "$HERE/build_toolchain_double_image.sh" \
    | sed -u 's/^/[real-image] /'
  [[ -s "$BASE_TAR" ]] || { say "the double's build did not leave $BASE_TAR" >&2; exit 1; }
fi

# --- 2. the wheels, downloaded once by the same interpreter ---------------------------------------
WHEELS="$CACHE/wheels"
requirements_stamp="$(printf '%s\n' "${BUILD_REQUIREMENTS[@]}" "$PYCOCOTOOLS_REQUIREMENT" "$TPU_MLIR_REQUIREMENT" \
  "$PY_VERSION" | sha256sum | cut -c1-12)"
if [[ ! -f "$WHEELS/.complete-$requirements_stamp" ]]; then
  say "downloading tpu_mlir 1.7 and its dependencies into $WHEELS (about 400 MB, once)..."
  mkdir -p "$WHEELS"
  "$PY" -m pip download --disable-pip-version-check --progress-bar off --dest "$WHEELS" \
    "${BUILD_REQUIREMENTS[@]}" "$PYCOCOTOOLS_REQUIREMENT" "$TPU_MLIR_REQUIREMENT" \
    | sed -u -n 's/^\(Collecting\|Saved\|Successfully\).*/[real-image] pip: &/p'
  touch "$WHEELS/.complete-$requirements_stamp"
else
  say "using the downloaded wheels in $WHEELS"
fi

root="$(mktemp -d "$CACHE/real-image.XXXXXX")"
trap 'rm -rf --one-file-system "$root"' EXIT
say "unpacking the Debian root"
tar -C "$root" --numeric-owner -xf "$BASE_TAR"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# --- 3. gcc and the C library headers, for pycocotools -------------------------------------------
say "installing gcc and libc6-dev into the root (apt, from $MIRROR)"
cp /etc/resolv.conf "$root/etc/resolv.conf"
echo "deb $MIRROR $SUITE main" > "$root/etc/apt/sources.list"
# apt's complaints about running in a bare chroot (no _apt sandbox, no /dev/pts, no apt-utils)
# are expected here; its real errors still show.
apt_quietly() { grep -v -e 'unsandboxed as root' -e 'apt-utils is not installed' -e 'Is /dev/pts mounted' >&2 || true; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get -qq update 2> >(apt_quietly)
in_root env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends gcc libc6-dev \
  2> >(apt_quietly) | sed -u -n 's/^Setting up \(gcc\|libc6-dev\).*/[real-image] apt: &/p'

# --- 4. the CPython 3.10, at the same prefix -----------------------------------------------------
say "copying CPython $PY_VERSION from $PREFIX (without its site-packages and test suite)"
# The interpreter's own files only: bin/python3.10*, lib/python3.10 (less site-packages, tests,
# tkinter/IDLE), include/python3.10 (Python.h, for pycocotools) and libpython3.10.
mkdir -p "$root$PREFIX"
(cd "$PREFIX" && tar --numeric-owner -cf - \
    --exclude='lib/python3.10/site-packages/*' --exclude='lib/python3.10/test' \
    --exclude='lib/python3.10/idlelib' --exclude='lib/python3.10/tkinter' \
    --exclude='lib/python3.10/lib-dynload/_tkinter*' --exclude='__pycache__' \
    bin/python3.10 $(ls -d lib/libpython3.10* 2>/dev/null) lib/python3.10 include/python3.10) \
  | tar -C "$root$PREFIX" --numeric-owner -xf -
ln -sf python3.10 "$root$PREFIX/bin/python3"
# Every folder on the way to it may be passed through by any user (pyenv's lives under /root,
# 0700): a workshop with one account per attendee runs the image as the attendee's own uid.
ancestor="$PREFIX"
while [[ "$ancestor" != "/" && -n "$ancestor" ]]; do chmod o+x "$root$ancestor"; ancestor="$(dirname "$ancestor")"; done
# Shared libraries the interpreter or its extension modules need and the root lacks: the host
# has them (the interpreter runs here), at the same paths.
copied=0
while read -r lib; do
  host_path="$(ldd "$PY" "$PREFIX"/lib/python3.10/lib-dynload/*.so 2>/dev/null \
    | awk -v l="$lib" '$1 == l && $3 ~ /^\// {print $3; exit}')"
  if [[ -n "$host_path" ]]; then
    mkdir -p "$root$(dirname "$host_path")"
    cp -L "$host_path" "$root$host_path"
    copied=$((copied + 1))
  else
    say "warning: $lib is needed by the interpreter but not found on this machine"
  fi
done < <(in_root sh -c "ldd $PREFIX/bin/python3.10 $PREFIX/lib/python3.10/lib-dynload/*.so 2>/dev/null" \
           | awk '/not found/ {print $1}' | sort -u)
say "copied $copied shared libraries the root lacked"
in_root "$PREFIX/bin/python3.10" -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, ensurepip' \
  || { say "the copied interpreter does not start in the root" >&2; exit 1; }

# --- 5. the venv with tpu_mlir -------------------------------------------------------------------
say "creating the venv $VENV"
in_root "$PREFIX/bin/python3.10" -m venv "$VENV"
mkdir -p "$root/tmp/wheels"
cp -al "$WHEELS/." "$root/tmp/wheels/" 2>/dev/null || cp -a "$WHEELS/." "$root/tmp/wheels/"
BUILD_LOG="$CACHE/real-image-pip.log"
: > "$BUILD_LOG"
pip_in_root() {
  # The whole output goes to $BUILD_LOG; the progress lines are shown, and on a failure its end.
  if ! in_root "$VENV/bin/python" -m pip install --disable-pip-version-check --no-cache-dir \
      --progress-bar off --no-index --find-links /tmp/wheels "$@" 2>&1 | tee -a "$BUILD_LOG" \
      | sed -u -n 's/^\(Processing\|Building\|Created wheel\|Successfully\).*/[real-image] pip: &/p'; then
    say "pip install $* failed; the end of $BUILD_LOG:" >&2
    tail -n 40 "$BUILD_LOG" >&2
    exit 1
  fi
}
say "installing the build requirements (${BUILD_REQUIREMENTS[*]})"
pip_in_root "${BUILD_REQUIREMENTS[@]}"
say "compiling pycocotools 2.0.6 from source with gcc (a minute or two)..."
pip_in_root --no-build-isolation "$PYCOCOTOOLS_REQUIREMENT"
say "installing $TPU_MLIR_REQUIREMENT (about 1.4 GB installed, a few minutes)..."
pip_in_root "$SETUPTOOLS_REQUIREMENT" "$TPU_MLIR_REQUIREMENT"
rm -rf "$root/tmp/wheels"

glibc="$(in_root getconf GNU_LIBC_VERSION | awk '{print $2}')"
third_party="$(in_root "$VENV/bin/python" -c 'import os, tpu_mlir; print(os.path.dirname(tpu_mlir.__file__))')/lib/third_party"
if [[ "$(printf '%s\n' "$glibc" 2.35 | sort -V | tail -n1)" != 2.35 ]]; then
  say "glibc $glibc is newer than 2.35: moving the wheel's bundled libc.so.6 and libm.so.6 aside"
  mkdir -p "$root$third_party.moved_aside"
  for lib in libc.so.6 libm.so.6; do
    [[ -e "$root$third_party/$lib" ]] && mv "$root$third_party/$lib" "$root$third_party.moved_aside/"
  done
fi

rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/root/.cache "$root"/etc/resolv.conf
mkdir -p "$root/workspace"

# --- 6. import, smoke check, tag -----------------------------------------------------------------
candidate="$REPO_TAG:candidate-$digest"
say "importing into Docker as $candidate"
tar -C "$root" --numeric-owner -c . | docker import \
  --change "ENV PATH=$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV LANG=C.UTF-8" \
  --change "WORKDIR /workspace" \
  --change "CMD [\"bash\"]" \
  --change "LABEL org.recamera-wizard.real-digest=$digest" \
  --change "LABEL org.recamera-wizard.tpu-mlir=1.7" \
  --change "LABEL org.recamera-wizard.python=$PY_VERSION" \
  - "$candidate" >/dev/null
rm -rf --one-file-system "$root"
trap - EXIT

say "smoke check: model_transform/run_calibration/model_deploy --help and model_tool in the image"
if ! docker run --rm "$candidate" bash -c '
    set -e
    for tool in model_transform run_calibration model_deploy; do
      "$tool" --help >/dev/null || { echo "$tool --help failed"; exit 1; }
    done
    out="$(model_tool 2>&1 || true)"
    case "$out" in *--info*) ;; *) echo "model_tool gave no usage: $out"; exit 1 ;; esac
    echo ok'; then
  docker rmi "$candidate" >/dev/null 2>&1 || true
  say "the smoke check failed: $TAG not tagged" >&2
  exit 1
fi
docker tag "$candidate" "$TAG"
docker rmi "$candidate" >/dev/null
# Images of earlier inputs (1.7 GB each) are replaced, not kept: remove them unless in use.
docker image ls --format '{{.Repository}}:{{.Tag}}' "$REPO_TAG" | grep -vxF "$TAG" \
  | while read -r old; do docker rmi "$old" >/dev/null 2>&1 && say "removed the replaced image $old"; done || true
say "built $TAG ($(docker image inspect -f '{{ .Size }}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
