#!/usr/bin/env bash
# Contract test: schemathesis (every check: its default) against the OpenAPI document the
# server serves (/api/v1/openapi.json), on SQLite and on a fresh PostgreSQL
# database. A seeded club (scripts/contract/seed.py) gives it real ids and the
# head coach's token, so it gets past 404s. What a schema cannot express is
# configured, with the reason, in scripts/contract/schemathesis.toml.
#
# Usage: scripts/contract-test.sh [sqlite|postgres|both]   (default: both)
# Environment: CONTRACT_MAX_EXAMPLES (per operation, default 30),
#              CONTRACT_MAX_TIME (seconds per backend, default 300),
#              CONTRACT_PHASES (default examples,coverage,fuzzing,stateful).
# Reports (JUnit, NDJSON) go to $CARGO_TARGET_DIR/contract/<backend>/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
which_backends=${1:-both}
target=${CARGO_TARGET_DIR:-$root/target}
schemathesis_version=4.32.5
venv=$root/target/contract-venv

if [ "$("$venv/bin/st" --version 2>/dev/null)" != "st, version $schemathesis_version" ]; then
  echo "=== installing schemathesis $schemathesis_version into $venv" >&2
  # --clear: a venv left from elsewhere (a moved target dir) keeps scripts
  # that point at its old path.
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$schemathesis_version"
fi

cargo build --quiet -p roster-api --bin roster
bin=$target/debug/roster

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run_backend() {
  local backend=$1 dir port url pid status=0
  dir=$(mktemp -d)
  port=$(free_port)
  case $backend in
    sqlite) url="sqlite://$dir/roster.db" ;;
    # scripts/with-postgres.sh made a fresh database (and drops it).
    postgres) url=$ROSTER_TEST_POSTGRES_URL ;;
  esac
  echo "=== contract test on $backend (port $port, logs in $dir)" >&2
  ROSTER__SERVER__BIND="127.0.0.1:$port" ROSTER__DATABASE__URL="$url" \
    ROSTER__AUTH__JWT_SECRET="contract-test-secret-contract-test-secret" \
    ROSTER__RATE_LIMIT__ENABLED=false ROSTER__MAIL__TRANSPORT=file ROSTER__MAIL__DIR="$dir/mail" \
    ROSTER__LOG__LEVEL=warn "$bin" serve >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  local base="http://127.0.0.1:$port" seeded
  if seeded=$(python3 scripts/contract/seed.py "$base"); then
    local reports="$target/contract/$backend"
    mkdir -p "$reports"
    # The seeded ids reach the configuration as ${VARIABLES}. One worker:
    # with two threads, hypothesis parses lambda sources concurrently and
    # CPython 3.11.7's ast.parse is not thread-safe ("SystemError: AST
    # constructor recursion depth mismatch" ended runs that had no failure).
    env $seeded "$venv/bin/st" --config-file scripts/contract/schemathesis.toml run \
      "$base/api/v1/openapi.json" \
      --phases "${CONTRACT_PHASES:-examples,coverage,fuzzing,stateful}" \
      --max-examples "${CONTRACT_MAX_EXAMPLES:-30}" \
      --max-time "${CONTRACT_MAX_TIME:-300}" \
      --seed "${CONTRACT_SEED:-1}" \
      --workers 1 \
      --report junit,ndjson --report-dir "$reports" \
      > "$reports/output.txt" 2>&1 || status=$?
    cat "$reports/output.txt"
    # A run whose token died halfway tested nothing behind the 401s: the head
    # coach's token must still be good at the end.
    local head_token alive
    head_token=$(printf '%s\n' $seeded | sed -n 's/^HEAD_TOKEN=//p')
    alive=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $head_token" "$base/api/v1/auth/me")
    if [ "$alive" != 200 ]; then
      echo "contract test on $backend: the head coach's token died during the run (/auth/me: $alive)" >&2
      status=1
    fi
  else
    status=1
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if grep -q "panicked" "$dir/server.log"; then
    echo "the server panicked on $backend:" >&2
    grep -A3 "panicked" "$dir/server.log" >&2
    status=1
  fi
  [ $status -eq 0 ] && rm -rf "$dir"
  return $status
}

on_postgres() {
  if [ -n "${ROSTER_TEST_POSTGRES_URL:-}" ]; then
    run_backend postgres
  else
    scripts/with-postgres.sh "$0" postgres
  fi
}

failed=()
case $which_backends in
  sqlite) run_backend sqlite || failed+=(sqlite) ;;
  postgres) on_postgres || failed+=(postgres) ;;
  both)
    run_backend sqlite || failed+=(sqlite)
    on_postgres || failed+=(postgres)
    ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
if [ ${#failed[@]} -gt 0 ]; then
  echo "contract test FAILED on: ${failed[*]}" >&2
  exit 1
fi
echo "contract test passed on: $which_backends"
