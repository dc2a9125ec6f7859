#!/usr/bin/env bash
# A throwaway PostgreSQL server for the PostgreSQL store's tests and benchmark (never for data
# that matters: trust authentication, loopback only).
#
#   eval "$(scripts/postgres.sh start [DIR])"   # prints: export QAYD_TEST_POSTGRES_URL=postgres://…
#   scripts/postgres.sh stop [DIR]
#   scripts/postgres.sh kill [DIR]   # a crash: SIGKILL to the server; `start` recovers the data
#
# DIR (default $QAYD_POSTGRES_DIR or /tmp/qayd-postgres) holds the cluster, its socket and log.
# The port is $QAYD_POSTGRES_PORT (default 54329), or the next free one when that is taken.
# Installs Debian's `postgresql` when no server is found (as root). Starting a running cluster
# only prints its URL again. Only the export line goes to stdout; progress goes to stderr.
set -euo pipefail

command=${1:-start}
dir=${2:-${QAYD_POSTGRES_DIR:-/tmp/qayd-postgres}}
data=$dir/data
database=qayd_test

log() { echo "postgres.sh: $*" >&2; }

bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
    [ "$(id -u)" = 0 ] || { log "no PostgreSQL server found; install Debian's postgresql as root"; exit 1; }
    log "installing postgresql (apt-get)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$found"
}

# Runs a server binary as the `postgres` user (the server refuses to run as root).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

url() { echo "export QAYD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$(cat "$dir/port")/$database"; }

running() { [ -f "$dir/port" ] && as_postgres "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }

bin=$(bindir)

case "$command" in
  start)
    if running; then
      log "already running in $dir"
      url
      exit 0
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    chmod 700 "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
      log "creating a cluster in $data"
      as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    port=${QAYD_POSTGRES_PORT:-54329}
    for _ in $(seq 1 100); do
      port_in_use "$port" || break
      port=$((port + 1))
    done
    port_in_use "$port" && { log "no free port found"; exit 1; }
    echo "$port" >"$dir/port"
    log "starting on 127.0.0.1:$port"
    as_postgres "$bin/pg_ctl" start -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" >&2 ||
      { tail -n 20 "$dir/server.log" >&2; exit 1; }
    if [ -z "$(as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
      as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
    fi
    url
    ;;
  stop)
    if running; then
      as_postgres "$bin/pg_ctl" stop -D "$data" -m fast -w >&2
    else
      log "not running in $dir"
    fi
    ;;
  kill)
    # What a crash test needs: the postmaster killed outright (its backends notice and exit),
    # no shutdown checkpoint. `start` brings the cluster back with crash recovery.
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      log "not running in $dir"
      exit 1
    fi
    kill -KILL "$pid"
    # Gone, or a zombie nobody reaps (a container whose init does not): either way its lock
    # files are stale, but a zombie still passes the server's "is it alive?" test. Remove them.
    for _ in $(seq 1 100); do
      state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d ' ' -f 1 || true)
      if [ -z "$state" ] || [ "$state" = Z ]; then
        rm -f "$data/postmaster.pid" "$dir"/.s.PGSQL.*.lock
        log "killed the server (pid $pid) in $dir"
        exit 0
      fi
      sleep 0.1
    done
    log "the server (pid $pid) did not die"
    exit 1
    ;;
  url)
    running || { log "not running in $dir"; exit 1; }
    url
    ;;
  *)
    echo "usage: $0 start|stop|kill|url [DIR]" >&2
    exit 2
    ;;
esac
