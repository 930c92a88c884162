#!/usr/bin/env bash
# Smoke test of the frozen Linux app, as a person would start it: on a (virtual) X display.
#   1. dist/recamera-wizard/recamera-wizard --self-test       must exit 0
#   2. dist/recamera-wizard/recamera-wizard tour --lang en|ja --out DIR/en|ja
#                                                             must exit 0 and leave PNG screenshots
# Usage: packaging/smoke_test.sh [APP_DIR] (default: dist/recamera-wizard)
# Runs itself under `xvfb-run -a` when there is no DISPLAY. Environment:
#   SMOKE_OUT=DIR          keep the screenshots there (default: a temporary folder, removed)
#   SMOKE_SKIP_TOUR=1      only the self-test (the GUI tour is not in this checkout yet)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
app_dir="${1:-$here/../dist/recamera-wizard}"
app_dir="$(cd "$app_dir" && pwd)"
exe="$app_dir/recamera-wizard"

if [ -z "${DISPLAY:-}" ] && [ -z "${SMOKE_UNDER_XVFB:-}" ]; then
  command -v xvfb-run >/dev/null || { echo "smoke: no DISPLAY and no xvfb-run (apt install xvfb xauth)" >&2; exit 2; }
  SMOKE_UNDER_XVFB=1 exec xvfb-run -a -s "-screen 0 1600x1200x24" bash "$0" "$app_dir"
fi

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
[ -x "$exe" ] || fail "no frozen app at $exe (build it: python packaging/build.py)"

# The frozen app must find everything inside itself: a checkout's resources or a developer's
# virtualenv must not stand in for what the bundle lacks.
unset RECAMERA_WIZARD_RESOURCES PYTHONPATH PYTHONHOME VIRTUAL_ENV QT_PLUGIN_PATH QT_QPA_PLATFORM_PLUGIN_PATH
# Keep the run's own files (settings, logs, caches) out of the real home.
scratch="$(mktemp -d)"
export RECAMERA_WIZARD_HOME="$scratch/home"
# The xcb platform plugin is what a Linux desktop uses: prove it loads, not only offscreen.
export QT_QPA_PLATFORM="${SMOKE_QT_QPA_PLATFORM:-xcb}"
out="${SMOKE_OUT:-$scratch/tour}"
cleanup() { rm -rf "$scratch"; }  # SMOKE_OUT, when given, is outside it and stays
trap cleanup EXIT
cd "$scratch"  # not the checkout: nothing may be found relative to it

echo "smoke: $exe --self-test (QT_QPA_PLATFORM=$QT_QPA_PLATFORM)"
start=$(date +%s)
"$exe" --self-test || fail "--self-test exited $?"
echo "smoke: self-test passed in $(( $(date +%s) - start )) s"

if [ -n "${SMOKE_SKIP_TOUR:-}" ]; then
  echo "smoke: tour skipped (SMOKE_SKIP_TOUR set)"
  exit 0
fi

# English, then Japanese: the bundled .qm files and the CJK fonts must both work frozen.
for lang in en ja; do
  dir="$out/$lang"
  mkdir -p "$dir"
  echo "smoke: $exe tour --lang $lang --out $dir"
  start=$(date +%s)
  timeout 300 "$exe" tour --lang "$lang" --out "$dir" || fail "tour ($lang) exited $?"
  count=$(find "$dir" -name '*.png' -size +1k | wc -l)
  [ "$count" -gt 0 ] || fail "the $lang tour left no screenshots in $dir"
  echo "smoke: $lang tour passed in $(( $(date +%s) - start )) s, $count screenshots in $dir"
done
echo "smoke: PASSED"
