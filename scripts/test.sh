#!/usr/bin/env bash
# Set up and run the whole test suite (Qt offscreen; slow end-to-end tests included) on SQLite and,
# when a PostgreSQL server is available, on PostgreSQL too:
#   - ALLIANCE_DESK_TEST_PG_URL set: that server is used (its role must be allowed to CREATE DATABASE);
#   - otherwise a private throwaway server is started on 127.0.0.1 (initdb in a temporary folder, a free
#     port, fsync off) from Debian's PostgreSQL packages (scripts/setup.sh installs them), and stopped
#     and removed when the tests end;
#   - if that cannot be done (no PostgreSQL here, or ALLIANCE_DESK_TEST_PG=0), a note says so and the
#     PostgreSQL cases are skipped; everything else runs as usual (ALLIANCE_DESK_TEST_PG_REQUIRED=1,
#     as CI sets it, makes that an error instead).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen

PG_DIR=""
PG_BIN=""
AS_PG=()

pg_note() {
  if [ "${ALLIANCE_DESK_TEST_PG_REQUIRED:-0}" = "1" ]; then
    echo "PostgreSQL: $* — and ALLIANCE_DESK_TEST_PG_REQUIRED=1: stopping." >&2
    exit 3
  fi
  echo "PostgreSQL: $* — the PostgreSQL test cases are skipped; SQLite runs as usual." >&2
}

pg_stop() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

pg_start() {
  if [ -n "${ALLIANCE_DESK_TEST_PG_URL:-}" ]; then
    echo "PostgreSQL: using the server in ALLIANCE_DESK_TEST_PG_URL"
    return 0
  fi
  if [ "${ALLIANCE_DESK_TEST_PG:-1}" = "0" ]; then
    pg_note "not started (ALLIANCE_DESK_TEST_PG=0)"
    return 0
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$PG_BIN" ] && command -v initdb >/dev/null 2>&1; then PG_BIN=$(dirname "$(command -v initdb)"); fi
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    pg_note "no initdb/pg_ctl found (Debian/Ubuntu: apt-get install postgresql)"
    return 0
  fi
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/alliance-desk-pg.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then  # the server refuses to run as root
    if ! id postgres >/dev/null 2>&1 || ! command -v runuser >/dev/null 2>&1; then
      pg_note "running as root without a postgres user to run the server"
      rm -rf "$PG_DIR"; PG_DIR=""
      return 0
    fi
    chown postgres "$PG_DIR"
    AS_PG=(runuser -u postgres --)
  fi
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if ! "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-locale \
        >"$PG_DIR/initdb.log" 2>&1; then
    pg_note "initdb failed ($(tail -n 1 "$PG_DIR/initdb.log"))"
    rm -rf "$PG_DIR"; PG_DIR=""
    return 0
  fi
  if ! "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null 2>&1; then
    pg_note "the server did not start ($(tail -n 1 "$PG_DIR/server.log" 2>/dev/null))"
    pg_stop; PG_DIR=""
    return 0
  fi
  export ALLIANCE_DESK_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL: private test server $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

trap pg_stop EXIT
pg_start
set +e
python3 -m pytest -q "$@"
status=$?
set -e
exit $status
