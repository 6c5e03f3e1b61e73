#!/usr/bin/env bash
# A throwaway Postgres for the tests: `source .ci/postgres.sh` starts one listening on 127.0.0.1
# only (data in a temporary folder) and exports GATEREVIEW_TEST_DATABASE_URL; `pg_stop` stops it
# and removes the folder. When Postgres cannot be had, the URL stays unset and the Postgres
# tests skip, saying why.
pg_start() {
  if ! command -v initdb >/dev/null 2>&1 && [ ! -x /usr/lib/postgresql/*/bin/initdb ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) \
      >/dev/null 2>&1 || { echo "CI: postgresql could not be installed"; return 0; }
  fi
  local bin
  bin=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
  PG_DIR=$(mktemp -d)
  local port
  port=$(python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  local as=()
  if [ "$(id -u)" = 0 ]; then  # initdb refuses to run as root
    chown postgres "$PG_DIR" && as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -A trust -U gatereview >/dev/null \
    || { echo "CI: initdb failed"; return 0; }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=200" start >/dev/null \
    || { echo "CI: Postgres did not start"; cat "$PG_DIR/log"; return 0; }
  PG_BIN=$bin
  PG_AS=("${as[@]}")
  export GATEREVIEW_TEST_DATABASE_URL="postgresql://gatereview@127.0.0.1:$port/postgres"
  echo "CI: Postgres on 127.0.0.1:$port"
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1
    rm -rf "$PG_DIR"
  fi
}
