#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages that running and testing PLM Desktop needs:
# Qt's X11 and GL libraries, Xvfb for windows without a screen, a Secret Service
# (gnome-keyring on a private D-Bus) for the keyring tests, and fallback fonts for
# CJK and emoji names on cards. Installs only what is missing; a no-op when all is there.
set -euo pipefail

packages=(
  # Qt 6 xcb platform plugin and OpenGL
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  # a screen for tests and headless machines
  xvfb xauth x11-utils
  # a real Secret Service for keyring tests
  dbus dbus-x11 gnome-keyring libsecret-tools
  # fallback fonts for names the bundled font lacks (CJK, symbols and emoji)
  fonts-droid-fallback fonts-symbola
  # the .deb build
  dpkg-dev zstd
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "system-deps: not a Debian-like system; install these yourself: ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
