#!/usr/bin/env bash
# CI for the installer: build the bundle and the .deb, install the .deb, run the
# installed app's --version and --self-test in a clean environment (no LD_LIBRARY_PATH,
# nothing of the checkout on any path), once offscreen and once in a real X window under
# Xvfb, and check that every library it loaded from outside the bundle comes from the
# .deb's Depends (or what those depend on); finally install it into a minimal Debian
# chroot that has nothing else and run the self-test there. Fails on any miss and on the
# size targets.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUNDLE_LIMIT_MB=200
DEB_LIMIT_MB=80
PY=.venv/bin/python
version=$("$PY" -c 'import sys; sys.path.insert(0, "packaging"); import common; print(common.read_version())')
arch=$(dpkg --print-architecture)
deb="dist/plm-desktop_${version}_${arch}.deb"

echo "== packaging: make package"
started=$(date +%s)
make package
build_seconds=$(( $(date +%s) - started ))

bundle_mb=$(( $(du -sb --apparent-size dist/plm-desktop | cut -f1) / 1000000 ))
deb_mb=$(( $(stat -c %s "$deb") / 1000000 ))
echo "== packaging: build took ${build_seconds} s; bundle ${bundle_mb} MB, .deb ${deb_mb} MB"
if [ "$bundle_mb" -ge "$BUNDLE_LIMIT_MB" ] || [ "$deb_mb" -ge "$DEB_LIMIT_MB" ]; then
  echo "packaging: over the size targets (bundle < ${BUNDLE_LIMIT_MB} MB, .deb < ${DEB_LIMIT_MB} MB)" >&2
  exit 1
fi

echo "== packaging: the .deb's control file"
dpkg-deb --field "$deb" Package Version Architecture Depends Installed-Size
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ]

work=$(mktemp -d)
installed_here=0
cleanup() {
  if [ "$installed_here" = 1 ]; then dpkg -r plm-desktop >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== packaging: install"
if [ "$(id -u)" -eq 0 ]; then
  dpkg -i "$deb"
  installed_here=1
  prefix=""
else
  # Without root, unpack into a private root instead; the launcher symlink points at
  # /opt, so call the bundle's executable directly.
  dpkg -x "$deb" "$work/root"
  prefix="$work/root"
fi
app_dir="$prefix/opt/plm-desktop"
launcher="$prefix/usr/bin/plm-desktop"
[ -n "$prefix" ] && launcher="$app_dir/plm-desktop"
for f in "$prefix/usr/share/applications/plm-desktop.desktop" \
         "$prefix/usr/share/icons/hicolor/256x256/apps/plm-desktop.png"; do
  [ -f "$f" ] || { echo "packaging: $f is missing from the package" >&2; exit 1; }
done
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$prefix/usr/share/applications/plm-desktop.desktop"
fi

# The clean environment of a desktop session: no variables of this shell or the venv.
clean_env=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$work/home" "LANG=C.UTF-8")
mkdir -p "$work/home"

echo "== packaging: installed plm-desktop --version"
reported=$(cd "$work" && "${clean_env[@]}" "$launcher" --version)
echo "$reported"
[ "$reported" = "plm-desktop $version" ] || {
  echo "packaging: --version says '$reported', expected 'plm-desktop $version'" >&2; exit 1; }

echo "== packaging: installed plm-desktop --self-test (offscreen)"
(cd "$work" && "${clean_env[@]}" LD_DEBUG=libs LD_DEBUG_OUTPUT="$work/ld-offscreen" \
  "$launcher" --self-test)

echo "== packaging: installed plm-desktop --self-test (X11 window under Xvfb)"
(cd "$work" && xvfb-run -a -s "-screen 0 1440x900x24" \
  bash -c 'exec env -i PATH="$1" HOME="$2" LANG=C.UTF-8 DISPLAY="$DISPLAY" \
    XAUTHORITY="$XAUTHORITY" QT_QPA_PLATFORM=xcb LD_DEBUG=libs LD_DEBUG_OUTPUT="$3" \
    "$4" --self-test' _ "/usr/local/bin:/usr/bin:/bin" "$work/home" "$work/ld-xcb" "$launcher")

echo "== packaging: libraries from outside the bundle vs Depends"
cat "$work"/ld-* > "$work/loaded.log"
"$PY" packaging/linux/libdeps.py check "$app_dir" --loaded "$work/loaded.log"

echo "== packaging: the .deb on a minimal Debian with only its Depends"
bash packaging/linux/check-minimal-system.sh "$deb"

echo "packaging: ok (build ${build_seconds} s, bundle ${bundle_mb} MB, .deb ${deb_mb} MB)"
