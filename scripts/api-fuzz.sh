#!/usr/bin/env bash
# schemathesis against the running portal's OpenAPI document, anonymous and with a staff token, on a
# throwaway instance with the demo data. Every check (server errors, schema conformance, status codes
# the document does not list, negative data accepted…) must pass: a failure is fixed in the product.
#
#   scripts/api-fuzz.sh            (make api-fuzz)   MAX_EXAMPLES=20 MAX_TIME=150 (seconds per run) by default
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
ST_VENV=${ST_VENV:-/tmp/cnht-schemathesis}
ST_VERSION=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-20}
MAX_TIME=${MAX_TIME:-150}

if ! "$ST_VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$ST_VERSION"; then
  python3 -m venv "$ST_VENV"  # its own environment: its dependencies are not the portal's
  "$ST_VENV/bin/pip" install -q "schemathesis==$ST_VERSION"
fi

inst=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export CNHT_INSTANCE_PATH=$inst CNHT_RATE_LIMIT_MATCH=100000/minute CNHT_RATE_LIMIT_INQUIRY=100000/minute \
  CNHT_RATE_LIMIT_LOGIN=100000/minute CNHT_RATE_LIMIT_REGISTER=100000/minute
"$BIN/cnht" init-db >/dev/null
"$BIN/cnht" demo --count 120 >/dev/null
token=$("$BIN/python" - <<'PY'
from cnht import create_app
from cnht.accounts.auth import issue_api_token
from cnht.accounts.services import create_account
from cnht.db import get_db

app = create_app()
with app.app_context():
    with get_db().sessionmaker() as s:
        user = create_account(s, email="fuzz-staff@example.vn", password="Fuzz-Staff-2026!", role="staff")
        token = issue_api_token(user)
        s.commit()
print(token)
PY
)
"$BIN/cnht" serve --port "$port" >"$inst/serve.log" 2>&1 &
server=$!
# on failure the server's log is shown before the instance goes: a crashed server leaves its stack there
# (a native crash: faulthandler's "Current thread" block names the code that crashed; the rest is idle threads)
trap 'rc=$?; [ $rc -ne 0 ] && { echo "-- server log (crash and tail)"; grep -E -A40 "Fatal Python error|Current thread" "$inst/serve.log" | head -80; tail -30 "$inst/serve.log"; cp "$inst/serve.log" "${FUZZ_LOG:-/tmp/cnht-api-fuzz-serve.log}" 2>/dev/null || true; }; kill $server 2>/dev/null || true; rm -rf "$inst"; exit $rc' EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done

# Generated strings are UTF-8 text, as the API documents (application/json; charset=utf-8): a lone
# surrogate is not text. The server survives one anyway (it is dropped; tests/functional/test_probe_findings.py).
# One check is left out, with its reason: ensure_resource_availability reads any 404 after a create as "the
# created resource is gone", but POST /requirements/{id}/connections answers 404 for the *firm named in the
# body* when it does not exist — the requirement just created is there (the test suite checks both cases).
# positive_data_acceptance is left out too: some rules a valid request must meet cannot be written in
# OpenAPI 3.0 — a tax code's check digit, an end date on or after the start, an interpreter table's
# language — so a generated "valid" body is refused with 422 by design. Schema-violating requests
# accepted (negative_data_rejection), server errors and response conformance stay checked.
run() {
  "$ST_VENV/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" --checks all \
    --exclude-checks ensure_resource_availability,positive_data_acceptance --generation-codec utf-8 --max-examples "$MAX_EXAMPLES" --workers 1 --max-time "$MAX_TIME" --seed 7 "$@"
}
echo "-- anonymous"
run
echo "-- with a staff token"
run --header "Authorization: Bearer $token"
if grep -q -E "Traceback|Fatal Python error" "$inst/serve.log"; then
  echo "server errors in the log:"; grep -E -B2 -A20 "Traceback|Fatal Python error" "$inst/serve.log" | head -80
  exit 1
fi
