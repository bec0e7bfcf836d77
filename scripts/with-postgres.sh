#!/usr/bin/env bash
# Runs a command against PostgreSQL.
#
# When DATABASE_URL names a PostgreSQL server, runs the command as it is. Otherwise installs
# PostgreSQL from Debian's packages if it is absent, starts a throwaway server (tuned for tests:
# no fsync) on a free local port from PGPORT_TEST (default 55432), runs the command with
# DATABASE_URL pointing at it, and stops and deletes the server however the command ends.
# pytest-django creates one test database per pytest-xdist worker on that server.
set -euo pipefail
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  exec "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/system-deps.sh" postgres
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=$(mktemp -d /tmp/sightline-pg.XXXXXX)
PORT=${PGPORT_TEST:-55432}
port_busy() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
while port_busy "$PORT" || [ -e "/tmp/.s.PGSQL.$PORT" ]; do PORT=$((PORT + 1)); done
RUNAS=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the server runs as the postgres user.
  chown postgres "$DATA"
  RUNAS=(su postgres -s /bin/bash -c)
fi
run() { if [ ${#RUNAS[@]} -gt 0 ]; then "${RUNAS[@]}" "$*"; else bash -c "$*"; fi; }
cleanup() {
  run "$PGBIN/pg_ctl -D $DATA -m immediate -w stop" >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
run "$PGBIN/initdb -D $DATA -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
OPTS="-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
OPTS="$OPTS -c full_page_writes=off -c max_connections=100 -c shared_buffers=256MB"
if ! run "$PGBIN/pg_ctl -D $DATA -o '$OPTS' -l $DATA/log -w -t 60 start" >/dev/null; then
  echo "PostgreSQL did not start:" >&2
  cat "$DATA/log" >&2 || true
  exit 1
fi
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') test server on port $PORT"
status=0
"$@" || status=$?
exit $status
