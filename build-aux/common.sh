# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by build-aux/run and build-aux/test: install what is missing, then
# configure and build. Sourced, not run.

SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="$SOURCE_DIR/_build"

missing_packages () {
  local wanted
  wanted=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SOURCE_DIR/build-aux/debian-packages.txt")
  # shellcheck disable=SC2086
  for pkg in $wanted; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != "installed" ]; then
      printf '%s\n' "$pkg"
    fi
  done
}

ensure_packages () {
  local missing
  missing=$(missing_packages | paste -sd ' ')
  [ -z "${missing// /}" ] && return 0

  if [ "$(id -u)" -ne 0 ]; then
    echo "Satchel needs these Debian packages, which are not installed. Install them with:" >&2
    echo "  sudo apt-get install --no-install-recommends $missing" >&2
    exit 1
  fi

  echo "Installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
}

# configure_and_build DIR [MESON OPTIONS...]: quick when nothing changed.
configure_and_build () {
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$SOURCE_DIR" "$@"
  fi
  ninja -C "$dir"
}

# The environment in which the build tree runs as if installed.
export_build_environment () {
  export GSETTINGS_SCHEMA_DIR="$BUILD_DIR/data"
  export XDG_DATA_DIRS="$SOURCE_DIR/data:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
}
