#!/usr/bin/env bash
# Runs a command against PostgreSQL. Uses DATABASE_URL when it names a PostgreSQL server;
# otherwise starts a throwaway server on a free local port and stops it afterwards.
set -euo pipefail
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  exec "$@"
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=$(mktemp -d /tmp/sightline-pg.XXXXXX)
PORT=${PGPORT_TEST:-55432}
while (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do PORT=$((PORT + 1)); done
RUNAS=()
if [ "$(id -u)" -eq 0 ]; then chown postgres "$DATA"; RUNAS=(su postgres -c); fi
run() { if [ ${#RUNAS[@]} -gt 0 ]; then "${RUNAS[@]}" "$*"; else bash -c "$*"; fi; }
run "$PGBIN/initdb -D $DATA -A trust -U postgres" >/dev/null
run "$PGBIN/pg_ctl -D $DATA -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' -l $DATA/log -w start" >/dev/null
cleanup() { run "$PGBIN/pg_ctl -D $DATA -m fast stop" >/dev/null 2>&1 || true; rm -rf "$DATA"; }
trap cleanup EXIT
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL test server on port $PORT"
"$@"
