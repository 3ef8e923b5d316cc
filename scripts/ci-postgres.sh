#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the test suite: Debian's binaries, a temp data folder, 127.0.0.1 only.
# Installs nothing (.ci/run does `apt-get install -y postgresql` first).
#
# Sourced (what .ci/run does):
#   source scripts/ci-postgres.sh
#   ci_postgres_start          # exports TEST_DATABASE_URL and CI_POSTGRES_DIR
#   TEST_DATABASE_URL=... npm test
#   ci_postgres_stop           # stops the cluster and removes its folder
# Executed:
#   eval "$(scripts/ci-postgres.sh start)"    # prints the export lines
#   scripts/ci-postgres.sh stop "$CI_POSTGRES_DIR"
#
# Settings: CI_POSTGRES_BIN (default /usr/lib/postgresql/15/bin), CI_POSTGRES_PORT (default: first free from 55432).

CI_POSTGRES_BIN="${CI_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"

# PostgreSQL refuses to run as root: the cluster belongs to the `postgres` user when we are root.
_ci_postgres_as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_ci_postgres_free_port() {
  local port="${CI_POSTGRES_PORT:-55432}"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

# Starts the cluster and exports TEST_DATABASE_URL (an admin URL: tests create one database per app) and CI_POSTGRES_DIR.
ci_postgres_start() {
  if [ ! -x "$CI_POSTGRES_BIN/initdb" ]; then
    echo "ci-postgres: no PostgreSQL in $CI_POSTGRES_BIN (apt-get install -y postgresql)" >&2
    return 1
  fi
  local dir port password
  dir="$(mktemp -d "${TMPDIR:-/tmp}/wa-pg-XXXXXX")" || return 1
  port="$(_ci_postgres_free_port)"
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" >"$dir/pwfile"
  chmod 700 "$dir"
  chmod 600 "$dir/pwfile"
  if [ "$(id -u)" = "0" ]; then chown -R postgres: "$dir"; fi
  if ! _ci_postgres_as_owner test -w "$dir"; then
    echo "ci-postgres: the postgres user cannot write $dir (set TMPDIR to a folder it can reach)" >&2
    rm -rf "$dir"
    return 1
  fi

  # Password auth over TCP; the Unix socket stays inside the private folder.
  _ci_postgres_as_owner "$CI_POSTGRES_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    return 1
  }
  rm -f "$dir/pwfile"
  # Durability settings are off: the cluster is thrown away after the run, and the machine is slow.
  _ci_postgres_as_owner "$CI_POSTGRES_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || {
    cat "$dir/server.log" >&2
    return 1
  }
  export CI_POSTGRES_DIR="$dir"
  export TEST_DATABASE_URL="postgres://postgres:$password@127.0.0.1:$port/postgres"
}

# Stops the cluster started by ci_postgres_start (or the one in folder $1) and removes its folder.
ci_postgres_stop() {
  local dir="${1:-${CI_POSTGRES_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  _ci_postgres_as_owner "$CI_POSTGRES_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$dir"
  if [ "$dir" = "${CI_POSTGRES_DIR:-}" ]; then unset CI_POSTGRES_DIR TEST_DATABASE_URL; fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      ci_postgres_start
      printf 'export CI_POSTGRES_DIR=%q\nexport TEST_DATABASE_URL=%q\n' "$CI_POSTGRES_DIR" "$TEST_DATABASE_URL"
      ;;
    stop)
      ci_postgres_stop "${2:-}"
      ;;
    *)
      echo "usage: $0 start | stop DIR   (or source it and call ci_postgres_start / ci_postgres_stop)" >&2
      exit 2
      ;;
  esac
fi
