#!/usr/bin/env bash
# Starts the app; on a machine with no screen (a server, CI) it starts it on a virtual
# one so the command still works, and says so.
set -euo pipefail
app="$1"; shift
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No screen found: starting PLM Desktop on a virtual X display (xvfb-run)." >&2
  exec xvfb-run -a -s "-screen 0 1440x900x24" "$app" "$@"
fi
exec "$app" "$@"
