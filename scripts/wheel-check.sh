#!/usr/bin/env bash
# The wheel, installed into a new virtual environment and used from a folder outside the checkout,
# runs `cnht init-db`, `cnht demo` and `cnht serve` (templates, migrations, catalogues and static
# files all come from the installed package).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${1:-.venv/bin/python}"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$PYTHON" -m pip wheel -q --no-deps -w "$WORK/dist" .
WHEEL="$(ls "$WORK"/dist/cnht_portal-*.whl)"
"$PYTHON" -m zipfile -l "$WHEEL" >"$WORK/contents.txt"
for part in cnht/web/templates/base.html cnht/migrations/env.py cnht/translations/en/LC_MESSAGES/messages.mo \
            cnht/static/style.css vnsearch/data/synonyms.txt cnht/enterprises/templates/enterprises/profile.html; do
  grep -q "^$part " "$WORK/contents.txt" || { echo "wheel lacks $part"; exit 1; }
done
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q -c requirements/constraints.txt "$WHEEL"

cd "$WORK"  # nothing from the checkout from here on
export CNHT_INSTANCE_PATH="$WORK/instance"
"$WORK/venv/bin/cnht" init-db
"$WORK/venv/bin/cnht" demo >/dev/null
PORT="$("$WORK/venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$WORK/venv/bin/cnht" serve --host 127.0.0.1 --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
# the page is read whole before it is searched: `curl | grep -q` under pipefail fails at random once a page
# outgrows the pipe buffer (grep stops at the first match, curl gets SIGPIPE)
check() {
  local body
  body="$(curl -fs "http://127.0.0.1:$PORT$1")" || { echo "FAILED: $1 did not answer 200"; cat "$WORK/serve.log"; exit 1; }
  grep -q "$2" <<<"$body" || { echo "FAILED: $1 lacks '$2'"; cat "$WORK/serve.log"; exit 1; }
}
check "/" "Cổng thông tin"
check "/search?q=khuon+ep+nhua" "search"
check "/statistics?lang=en" "Supporting-industry statistics"
check "/api/v1/search?q=co+khi" '"total"'
check "/login" "csrf_token"
echo "wheel-check: the installed wheel serves the portal from $WORK"
