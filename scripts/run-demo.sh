#!/usr/bin/env bash
# Set up, build the demo database (five regions) once, and open it in the desktop app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DB=demo/alliance-desk-demo.sqlite
mkdir -p demo
[ -f "$DB" ] || python3 -m cli demo --db "$DB"
exec python3 -m cli --db "$DB" "$@"
