# shellcheck shell=bash
# Shared set-up for scripts/run-app and scripts/run-tests (sourced, not run).
# On a fresh Debian/Ubuntu machine: installs the system packages (when run as root, otherwise it
# says what to install), creates .venv and installs the project into it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${RECAMERA_WIZARD_VENV:-$REPO_ROOT/.venv}"

# Qt's xcb platform plugin and fonts (Japanese included) for the window.
APP_APT_PACKAGES="python3 python3-venv python3-pip libegl1 libgl1 libglib2.0-0 libfontconfig1
  libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libxcb-xfixes0 fonts-noto-cjk"
# The tests also need: a virtual display, a real OpenSSH server, debootstrap for the test image,
# binutils (objdump) for the PyInstaller build test, sudo for the VM set-up test, gcc and the C
# library headers for the real TPU-MLIR environment (pycocotools 2.0.6 compiles from source),
# dash (Ubuntu's /bin/sh, the remote commands are tested in it) and flock (the workshop queue).
TEST_APT_PACKAGES="xvfb xauth openssh-server openssh-client sudo debootstrap binutils gcc libc6-dev dash util-linux"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

missing_apt_packages() {
  local missing=() pkg
  for pkg in $*; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  echo "${missing[*]:-}"
}

ensure_apt_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { log "not a Debian/Ubuntu system: install the equivalents of: $*"; return 0; }
  local missing
  missing="$(missing_apt_packages "$*")"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    log "installing system packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    log "please install these packages first (as root): apt-get install $missing"
    return 1
  fi
}

ensure_docker_engine() {
  # The Docker engine is needed to convert locally and by the integration tests.
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v dpkg-query >/dev/null 2>&1; then
    if ! command -v docker >/dev/null 2>&1; then
      log "installing the Docker engine (docker.io)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null || true
    fi
    (service docker start || systemctl start docker) >/dev/null 2>&1 || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  fi
  log "the Docker engine is not running: local conversions and the Docker tests need it"
}

ensure_venv() {
  local extras="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
  fi
  log "installing recamera-wizard$extras into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e "$REPO_ROOT$extras"
}
