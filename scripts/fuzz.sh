#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI description with schemathesis: `npm run test:fuzz`.
# Starts the product as a user does (scripts/start.ts: embedded Temporal dev server, worker, API) on a temporary
# DATA_DIR and free ports, then runs schemathesis against /docs/json with the admin token, bounded to
# FUZZ_EXAMPLES examples per operation. Checks: no 5xx, responses match their schemas and content types, every
# status code is documented. Exit code: schemathesis's (0 when every check passed).
# schemathesis is installed, pinned, into .venv-fuzz (gitignored) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV=.venv-fuzz
EXAMPLES="${FUZZ_EXAMPLES:-25}"
log() { echo "[fuzz] $*"; }

install_schemathesis() {
  if "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then return; fi
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian splits venv (ensurepip) into python3-venv.
    rm -rf "$VENV"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    log "python3 -m venv needs Debian's python3-venv: installing it"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  fi
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

install_schemathesis

DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/order-review-fuzz-XXXXXX")"
PORT="$(free_port)"
TEMPORAL_DEV_PORT="$(free_port)"
TEMPORAL_UI_PORT="$(free_port)"
API="http://127.0.0.1:$PORT"
app_pid=""

cleanup() {
  local code=$?
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    log "stopping the product (pid $app_pid)"
    kill -INT "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$app_pid" 2>/dev/null || true
  fi
  if [ "$code" -ne 0 ] && [ -f "$DATA_DIR/start.log" ]; then
    log "the product's output:"; tail -n 40 "$DATA_DIR/start.log"
  fi
  rm -rf "$DATA_DIR"
  exit "$code"
}
trap cleanup EXIT

log "starting the product on $API (DATA_DIR $DATA_DIR)"
# The fuzzer sends hundreds of requests a minute with one token: lift the rate limits, which are not under test.
DATA_DIR="$DATA_DIR" PORT="$PORT" TEMPORAL_DEV_PORT="$TEMPORAL_DEV_PORT" TEMPORAL_UI_PORT="$TEMPORAL_UI_PORT" \
  RATE_LIMIT_PER_MINUTE=1000000 AUTH_FAILURES_PER_MINUTE=1000000 LOG_LEVEL=warn \
  node_modules/.bin/tsx scripts/start.ts >"$DATA_DIR/start.log" 2>&1 &
app_pid=$!

for _ in $(seq 1 300); do
  if curl -fsS "$API/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$app_pid" 2>/dev/null; then log "the product exited before it was ready"; exit 1; fi
  sleep 0.5
done
curl -fsS "$API/readyz" >/dev/null || { log "the product was not ready within 150 s"; exit 1; }
# With the admin token alone, every integrator and approver operation would answer 403 and never be explored:
# the admin creates one principal that holds every role, and the fuzzer uses it.
ROLES='["admin","integrator","auditor","approver:sales","approver:finance","approver:production","approver:procurement","approver:engineering","approver:management"]'
TOKEN="$(curl -fsS -X POST "$API/v1/principals" -H "Authorization: Bearer $(cat "$DATA_DIR/admin-token")" \
  -H 'content-type: application/json' -d "{\"id\":\"fuzzer\",\"name\":\"Fuzzer\",\"roles\":$ROLES}" \
  | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')"
log "ready; fuzzing $API/docs/json, $EXAMPLES examples per operation"

set +e
# One worker: schemathesis's workers are threads, and CPython 3.11.7's compile() is not thread-safe
# ("SystemError: AST constructor recursion depth mismatch" inside hypothesis, reported as a runtime error).
"$VENV/bin/schemathesis" run "$API/docs/json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$EXAMPLES" \
  --workers 1 \
  --request-timeout 40 \
  --seed "${FUZZ_SEED:-20261202}" \
  --generation-database none \
  --no-color | tee "$DATA_DIR/fuzz.log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line for CI: schemathesis's own summary ("1746 generated, 1746 passed") counts no failures.
generated=$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$DATA_DIR/fuzz.log" | tail -1)
passed=$(sed -n 's/^ *[0-9]* generated, \([0-9]*\) passed.*/\1/p' "$DATA_DIR/fuzz.log" | tail -1)
echo "fuzz: ${passed:-0} passed, $(( ${generated:-0} - ${passed:-0} )) failed"
exit "$status"
