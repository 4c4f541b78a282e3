#!/usr/bin/env bash
# Starts a PostgreSQL server on 127.0.0.1:5432 with the role and database the store tests use,
# and prints the URL (export it as MAILSTEAD_TEST_PG_URL). Safe to run again: it starts only what
# is not running and creates only what is missing. Works as root (CI, after
# `apt-get install -y postgresql`) or as a user who can run `sudo -u postgres`.
set -euo pipefail

PG_USER=${PG_USER:-mailstead}
PG_PASSWORD=${PG_PASSWORD:-mailstead}
PG_DB=${PG_DB:-mailstead_test}
PG_PORT=${PG_PORT:-5432}
URL="postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/${PG_DB}"

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres -- "$@"
  fi
}

pg_bin() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n1)
  if [ -n "$v" ]; then echo "/usr/lib/postgresql/$v/bin"; else dirname "$(command -v initdb)"; fi
}

ready() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

start_server() {
  if command -v pg_lsclusters >/dev/null; then
    # Debian/Ubuntu packaging: use the packaged cluster, creating one if the package made none.
    local line
    line=$(pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p' | head -n1)
    if [ -z "$line" ]; then
      local v
      v=$(ls /usr/lib/postgresql | sort -V | tail -n1)
      pg_createcluster "$v" main --port "$PG_PORT" >/dev/null
      line=$(pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p' | head -n1)
    fi
    read -r ver name _ <<<"$line"
    pg_ctlcluster "$ver" "$name" start
  else
    # Elsewhere: a private cluster in a temp dir, owned by the postgres user.
    local dir=${PGDATA_DIR:-/tmp/mailstead-ci-pg}
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir" && chown postgres "$dir" 2>/dev/null || true
      as_postgres "$(pg_bin)/initdb" -D "$dir" -A trust -U postgres >/dev/null
    fi
    as_postgres "$(pg_bin)/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1" -w start >/dev/null
  fi
}

if ! ready; then start_server; fi
for _ in $(seq 1 60); do ready && break; sleep 0.5; done
ready || { echo "ci-postgres: PostgreSQL did not come up on 127.0.0.1:$PG_PORT" >&2; exit 1; }

psql_admin() { as_postgres "$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -w -v ON_ERROR_STOP=1 -qAt "$@" 2>/dev/null \
  || as_postgres "$(pg_bin)/psql" -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

# The tests create a schema each (so they can run in parallel), so the role owns its database.
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != 1 ]; then
  psql_admin -c "CREATE ROLE \"$PG_USER\" LOGIN PASSWORD '$PG_PASSWORD' CREATEDB"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\""
fi

echo "$URL"
