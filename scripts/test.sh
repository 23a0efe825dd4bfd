#!/usr/bin/env bash
# Set up and run the whole test suite (Qt offscreen; slow end-to-end tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
exec python3 -m pytest -q "$@"
