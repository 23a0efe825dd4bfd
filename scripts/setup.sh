#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks: Qt's runtime libraries and the Python packages.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# The real window: Qt's xcb platform plugin (PySide6 Qt/plugins/platforms/libqxcb.so and
# Qt/lib/libQt6XcbQpa.so.6) links these; the list is what `ldd` resolves there, mapped to packages
# with `dpkg -S`. Without libxcb-cursor0/-icccm4/-keysyms1 Qt stops with 'Could not load the Qt
# platform plugin "xcb"'. xvfb: tests/test_real_window.py starts the app on a real X server.
XCB_DEBS="libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libfreetype6 libpng16-16 xvfb"

# postgresql: scripts/test.sh runs the storage, import, review and lifecycle tests on a private
# PostgreSQL server as well (the office's shared-server setup); the app itself needs no server.
# fonts-noto-cjk: LibreOffice renders the exported Excel/Word files the suite checks with a system
# CJK font; without one the Chinese comes out as garbage.
DEBS="libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 poppler-utils libreoffice-calc libreoffice-writer fonts-noto-cjk postgresql"
missing=""
for p in $DEBS $XCB_DEBS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

PY=${PYTHON:-python3}
$PY -m pip install -q --disable-pip-version-check -e '.[test]'
