#!/usr/bin/env bash
# Run the test suite against a throwaway PostgreSQL server: initdb into a temporary folder,
# serve on a free loopback port, run pytest with CNHT_TEST_DATABASE_URL, stop and clean up.
# Installs Debian's postgresql package when no server binaries are found (needs root for that).
set -euo pipefail
cd "$(dirname "$0")/.."

find_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PGBIN="${PGBIN:-$(find_pgbin)}"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "== installing PostgreSQL (Debian package postgresql)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PGBIN="$(find_pgbin)"
fi

WORK="$(mktemp -d /tmp/cnht-pg.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
AS=()
if [ "$(id -u)" = "0" ]; then  # initdb refuses to run as root
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$WORK" postgres
  chown postgres "$WORK"
  AS=(runuser -u postgres --)
fi

cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -k $WORK -c fsync=off -c full_page_writes=off" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres cnht_test
echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"

export CNHT_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/cnht_test"
PYTHON="${PYTHON:-.venv/bin/python}"
"$PYTHON" -m pytest "$@"
