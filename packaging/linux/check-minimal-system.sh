#!/usr/bin/env bash
# Prove the .deb needs nothing beyond its Depends: install it with apt into a minimal
# Debian 12 system (debootstrap --variant=minbase, no Recommends) and run the installed
# app's --version and --self-test there, offscreen and in an X11 window (an Xvfb server
# on the host, its socket bound into the chroot).
#
# Needs root, debootstrap and the Debian mirror. The freshly bootstrapped base system is
# kept as a tarball (PLM_MINBASE_CACHE, default /var/cache/plm-desktop/bookworm-minbase.tgz):
# about 2 min to make the first time, seconds to unpack after that.
#
# Usage: check-minimal-system.sh DEB
set -euo pipefail
deb="$(realpath "$1")"
suite=bookworm
mirror=http://deb.debian.org/debian
cache="${PLM_MINBASE_CACHE:-/var/cache/plm-desktop/${suite}-minbase.tgz}"

if [ "$(id -u)" -ne 0 ]; then
  echo "check-minimal-system: needs root (chroot); skipped" >&2
  exit 0
fi
if ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap \
    >/dev/null
fi

root="$(mktemp -d /tmp/plm-minroot.XXXXXX)"
xvfb_pid=""
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  for mounted in "$root/tmp/.X11-unix" "$root/proc"; do
    mountpoint -q "$mounted" && umount "$mounted"
  done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

started=$(date +%s)
if [ -s "$cache" ]; then
  tar -C "$root" -xzf "$cache"
else
  echo "== minimal system: debootstrap $suite minbase (kept afterwards in $cache)"
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >/dev/null
  mkdir -p "$(dirname "$cache")"
  tar -C "$root" -czf "$cache.part" . && mv "$cache.part" "$cache"
fi
echo "== minimal system: base ready in $(( $(date +%s) - started )) s"

mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/"
chroot "$root" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb")" >/dev/null 2>&1
if chroot "$root" dpkg-query -W -f '${Status}' libfribidi0 2>/dev/null | grep -q "ok installed"; then
  echo "check-minimal-system: a Recommends was installed; the check would prove less" >&2
  exit 1
fi
echo "== minimal system: installed with only its Depends:" \
  "$(chroot "$root" dpkg-query -W -f '${Depends}' plm-desktop)"

in_root=(chroot "$root" env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8)
"${in_root[@]}" bash -c 'cd /tmp && plm-desktop --version'
echo "== minimal system: --self-test offscreen"
"${in_root[@]}" bash -c 'cd /tmp && plm-desktop --self-test'

echo "== minimal system: --self-test in an X11 window"
display=:$(( 90 + RANDOM % 100 ))
Xvfb "$display" -ac -nolisten tcp -screen 0 1440x900x24 >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
"${in_root[@]}" DISPLAY="$display" QT_QPA_PLATFORM=xcb bash -c 'cd /tmp && plm-desktop --self-test'

echo "check-minimal-system: ok in $(( $(date +%s) - started )) s"
