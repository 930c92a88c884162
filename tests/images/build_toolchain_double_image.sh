#!/usr/bin/env bash
# Build the Docker image the integration tests run conversions in:
#
#     bash tests/images/build_toolchain_double_image.sh            # build when missing or stale
#     bash tests/images/build_toolchain_double_image.sh --force    # rebuild from the cached rootfs
#
# Why this and not a Dockerfile: this workplace (and CI) has no container registry, so there is
# no base image to build FROM. Debian's package mirror IS reachable, so we debootstrap a minimal
# bookworm root with python3 (the double is stdlib-only), install the TPU-MLIR test double into
# it and `docker import` the tree. The result honours the same contract as the user-facing
# recamera-wizard/toolchain image: `bash convert.sh` in /workspace with the tool commands on PATH.
#
# Idempotent: the image carries a label with a digest of tests/toolchain_double/ and of this
# script; when the existing image has the same digest nothing is done. The debootstrapped root is
# cached (as a tarball) under $RECAMERA_WIZARD_TEST_CACHE (default ~/.cache/recamera-wizard-test),
# so a rebuild after changing the double takes seconds, not minutes.
#
# Needs: root (debootstrap and chroot), debootstrap, docker, tar. Prints progress lines.
set -euo pipefail

TAG="${RECAMERA_WIZARD_TEST_IMAGE:-recamera-wizard-test/toolchain-double:latest}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
CACHE="${RECAMERA_WIZARD_TEST_CACHE:-${HOME:-/root}/.cache/recamera-wizard-test}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DOUBLE="$REPO/tests/toolchain_double"
PREFIX=/opt/tpu_mlir_double
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

say() { echo "[test-image] $*"; }

if [[ ! -f "$DOUBLE/install.sh" ]]; then
  say "tests/toolchain_double/install.sh is missing: cannot build $TAG" >&2
  exit 2
fi

# Digest of what goes into the image: the double's files and this script.
digest="$(cd "$REPO" && find tests/toolchain_double tests/images/build_toolchain_double_image.sh \
  -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z \
  | xargs -0 sha256sum | sha256sum | cut -c1-16)"

if [[ $FORCE == 0 ]]; then
  have="$(docker image inspect -f '{{ index .Config.Labels "org.recamera-wizard.double-digest" }}' "$TAG" 2>/dev/null || true)"
  if [[ "$have" == "$digest" ]]; then
    say "$TAG is up to date (double digest $digest)"
    exit 0
  fi
fi

mkdir -p "$CACHE"
BASE_TAR="$CACHE/$SUITE-minbase-python3.tar"
if [[ ! -s "$BASE_TAR" ]]; then
  command -v debootstrap >/dev/null || { say "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }
  say "debootstrapping a minimal Debian $SUITE with python3 (a few minutes, once)..."
  tmp_root="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
  trap 'rm -rf "$tmp_root"' EXIT
  debootstrap --variant=minbase --include=python3 "$SUITE" "$tmp_root" "$MIRROR" \
    | sed -u 's/^/[test-image] debootstrap: /'
  # Keep the image small: nothing below is needed to run python scripts.
  rm -rf "$tmp_root"/var/lib/apt/lists/* "$tmp_root"/var/cache/apt/* \
         "$tmp_root"/usr/share/doc/* "$tmp_root"/usr/share/man/* "$tmp_root"/usr/share/info/* \
         "$tmp_root"/usr/share/locale/* "$tmp_root"/var/log/*
  tar -C "$tmp_root" --numeric-owner -cf "$BASE_TAR.partial" .
  mv "$BASE_TAR.partial" "$BASE_TAR"  # atomic: an interrupted run never leaves a half tarball
  rm -rf "$tmp_root"
  trap - EXIT
  say "cached the base root at $BASE_TAR ($(du -h "$BASE_TAR" | cut -f1))"
else
  say "using the cached base root $BASE_TAR"
fi

root="$(mktemp -d "$CACHE/image.XXXXXX")"
trap 'rm -rf "$root"' EXIT
tar -C "$root" --numeric-owner -xf "$BASE_TAR"

# Install the double from inside the root (chroot) so its scripts use the image's python3,
# not the host's.
say "installing the toolchain double into $PREFIX"
mkdir -p "$root/tmp/toolchain_double"
cp -r "$DOUBLE/." "$root/tmp/toolchain_double/"
chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root \
  sh /tmp/toolchain_double/install.sh "$PREFIX" /usr/local/bin
rm -rf "$root/tmp/toolchain_double"
mkdir -p "$root/workspace"

previous="$(docker image inspect -f '{{ .Id }}' "$TAG" 2>/dev/null || true)"
say "importing into Docker as $TAG"
tar -C "$root" --numeric-owner -c . | docker import \
  --change "ENV PATH=$PREFIX/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV LANG=C.UTF-8" \
  --change "WORKDIR /workspace" \
  --change "CMD [\"bash\"]" \
  --change "LABEL org.recamera-wizard.double-digest=$digest" \
  --change "LABEL org.recamera-wizard.test-double=true" \
  - "$TAG" >/dev/null
# The image it replaces is left untagged: remove it (only if nothing, e.g. a container, uses it).
if [[ -n "$previous" && "$previous" != "$(docker image inspect -f '{{ .Id }}' "$TAG")" ]]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi
say "built $TAG ($(docker image inspect -f '{{ .Size }}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
