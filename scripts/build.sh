#!/usr/bin/env bash
# Build the desktop app as a one-folder bundle with PyInstaller (build.spec) and smoke-test it:
#   dist/AllianceDesk/AllianceDesk --version, then tests/test_frozen.py against the bundle (schema
#   and packs, migrations, exports with the bundled font, the PostgreSQL driver, a headless window
#   screenshot, no unused Qt modules). Slow (a few minutes); not part of scripts/test.sh.
# Windows: see scripts/build-windows.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m pip install -q --disable-pip-version-check -e '.[test,build]'

rm -rf build/AllianceDesk dist/AllianceDesk
python3 -m PyInstaller --noconfirm --clean --log-level WARN build.spec

BUNDLE=dist/AllianceDesk/AllianceDesk
echo "bundle: $(du -sh dist/AllianceDesk | cut -f1) in dist/AllianceDesk/"
export QT_QPA_PLATFORM=offscreen
"$BUNDLE" --version

# the smoke tests (scripts/test.sh also starts a private PostgreSQL server for the driver test)
ALLIANCE_DESK_FROZEN="$PWD/$BUNDLE" bash scripts/test.sh tests/test_frozen.py -m slow -rs
