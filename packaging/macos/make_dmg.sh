#!/usr/bin/env bash
# Pack the .app into a compressed .dmg with the usual drag-to-Applications link.
#   packaging/macos/make_dmg.sh "dist/reCamera Model Wizard.app" dist/recamera-wizard-X.Y.Z-macos-arm64.dmg [VOLUME NAME]
# MACOS_CODESIGN_IDENTITY: a "Developer ID Application: ..." identity to sign with; without it the
# app is signed ad hoc ("-"), which Apple silicon requires to run at all, and users confirm the
# first open in System Settings (see "Install the app" in README.md).
set -euo pipefail

app="${1:?usage: make_dmg.sh APP DMG [VOLUME]}"
dmg="${2:?usage: make_dmg.sh APP DMG [VOLUME]}"
volume="${3:-reCamera Model Wizard}"
identity="${MACOS_CODESIGN_IDENTITY:--}"

[ -d "$app" ] || { echo "make_dmg: no app bundle at $app" >&2; exit 1; }
command -v hdiutil >/dev/null || { echo "make_dmg: hdiutil not found (macOS only)" >&2; exit 1; }

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
# ditto keeps the bundle's symlinks, permissions and extended attributes as they are.
ditto "$app" "$staging/$(basename "$app")"
ln -s /Applications "$staging/Applications"
# Gatekeeper's first-open steps, where the user is looking when they are needed.
cp "$(dirname "$0")/first-open.txt" "$staging/READ ME FIRST.txt"

# One consistent signature over the whole bundle (PyInstaller signs the pieces; a bundle whose
# seal does not match its contents is reported as "damaged" by Gatekeeper).
# No hardened runtime: it would need entitlements for Python's own extension modules and only
# matters for notarization, which needs a paid Developer ID anyway.
codesign --force --deep --timestamp=none --sign "$identity" "$staging/$(basename "$app")"
codesign --verify --deep --strict "$staging/$(basename "$app")"

rm -f "$dmg"
# hdiutil sometimes fails with "Resource busy" on CI machines right after a build: retry.
for attempt in 1 2 3 4 5; do
  if hdiutil create -volname "$volume" -srcfolder "$staging" -fs HFS+ -format UDZO \
      -imagekey zlib-level=9 -ov "$dmg"; then
    break
  fi
  [ "$attempt" = 5 ] && { echo "make_dmg: hdiutil create failed 5 times" >&2; exit 1; }
  sleep $((attempt * 5))
done
hdiutil verify "$dmg"
echo "make_dmg: wrote $dmg"
