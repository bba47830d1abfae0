#!/usr/bin/env bash
# Wrap "dist/PLM Desktop.app" in a compressed disk image with an Applications link.
#
# UNTESTED: written for macOS's hdiutil from its manual; it cannot run on the Linux
# machine where the rest of the packaging is tested. The .app is not signed or
# notarised here: Gatekeeper will ask founders to confirm the first start (right-click,
# Open) until a Developer ID signature is added.
#
# Usage: make-dmg.sh APP_PATH VERSION OUT_DIR  (packaging/build.py passes all three,
# the version read from plm_desktop/__init__.py)
set -euo pipefail
app="$1"; version="$2"; out_dir="$3"
name="$(basename "$app" .app)"
[ -d "$app" ] || { echo "make-dmg: no app bundle at $app" >&2; exit 1; }

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"

dmg="$out_dir/plm-desktop-$version.dmg"
rm -f "$dmg"
hdiutil create -volname "$name $version" -srcfolder "$staging" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 "$dmg"
echo "make-dmg: $dmg"
