#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts the satchel binary on a new profile under the test X server, waits
# for its window, saves a screenshot of it as a test artefact
# ($SATCHEL_BUILD_DIR/tests/screenshots/first-run.png) and checks that the
# picture shows something (not one flat colour) at the window's size.

set -euo pipefail

if [ -z "${DISPLAY:-}" ]; then
  if [ -n "${SATCHEL_TEST_REQUIRE_SERVERS:-}" ]; then
    echo "no display: the test servers should have started Xvfb" >&2
    exit 1
  fi
  echo "skipped: needs a display (run with build-aux/test)"
  exit 77
fi

profile=$(mktemp -d)
out_dir="$SATCHEL_BUILD_DIR/tests/screenshots"
shot="$out_dir/first-run.png"
mkdir -p "$out_dir"
rm -f "$shot"

"$SATCHEL_BIN" --profile "$profile" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$profile"' EXIT

# Other UI tests may have windows titled Satchel on the same display at the
# same time: take the one whose _NET_WM_PID is this process.
find_window () {
  local id
  for id in $(xwininfo -root -tree 2>/dev/null | awk '/"Satchel"/ && /1000x700/ { print $1 }'); do
    if xprop -id "$id" _NET_WM_PID 2>/dev/null | grep -qx "_NET_WM_PID(CARDINAL) = $pid"; then
      echo "$id"
      return
    fi
  done
}

window=""
for _ in $(seq 1 100); do
  window=$(find_window)
  [ -n "$window" ] && break
  kill -0 $pid 2>/dev/null || { echo "satchel exited before it showed a window" >&2; exit 1; }
  sleep 0.1
done
if [ -z "$window" ]; then
  echo "no 1000x700 window titled Satchel appeared" >&2
  xwininfo -root -tree >&2 || true
  exit 1
fi

# Give it time to draw its first frames, then take the screen (there is no
# window manager: the window is at its own position) and cut the window out.
sleep 1.5
geometry=$(xwininfo -id "$window" | awk '/Absolute upper-left X/ { x = $NF }
  /Absolute upper-left Y/ { y = $NF } /Width:/ { w = $NF } /Height:/ { h = $NF }
  END { printf "%dx%d+%d+%d", w, h, x, y }')
timeout 30 import -window root -crop "$geometry" +repage "$shot"

size=$(identify -format '%wx%h' "$shot")
spread=$(convert "$shot" -colorspace Gray -format '%[fx:standard_deviation]' info:)
echo "screenshot: $shot ($size, grey standard deviation $spread)"
[ "$size" = "1000x700" ] || { echo "unexpected size $size" >&2; exit 1; }
awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || { echo "the window looks blank" >&2; exit 1; }
