#!/usr/bin/env bash
# Measures, on a release build: start-up to ready, idle resident memory, and
# the throughput of POST /auth/login and GET /organizations/{id}, on SQLite
# and on PostgreSQL (a fresh database on the local server).
# Usage: scripts/bench-foundation.sh [duration_seconds] [connections]
# Env: ROSTER_BIN (skip the build and use this binary)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
conns=${2:-16}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ -n "${ROSTER_BIN:-}" ]; then
  bin=$ROSTER_BIN # an already built release binary
else
  cargo build --release -q -p roster-api
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/roster
fi
work=$(mktemp -d)
port=18080
base="http://127.0.0.1:$port"
pg_db="roster_bench_$RANDOM"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
# VmRSS counts every resident page the process maps (shared libraries whole),
# Pss splits shared pages among the processes that map them.
memory() {
  awk '$1 == "VmRSS:" { printf "VmRSS %.1f MiB", $2 / 1024 }' "/proc/$1/status"
  awk '$1 == "Pss:" { printf ", Pss %.1f MiB\n", $2 / 1024 }' "/proc/$1/smaps_rollup"
}

bench_backend() {
  local name=$1 url=$2
  export ROSTER__DATABASE__URL=$url ROSTER__SERVER__BIND=127.0.0.1:$port ROSTER__RATE_LIMIT__ENABLED=false \
    ROSTER__LOG__LEVEL=warn ROSTER__AUTH__JWT_SECRET=bench-secret-bench-secret-bench-secret-01
  (cd "$work" && "$bin" migrate >/dev/null)
  local t0; t0=$(now_ms)
  (cd "$work" && exec "$bin" serve) & server_pid=$!
  until curl -sf "$base/readyz" >/dev/null; do sleep 0.005; done
  local ready_ms=$(( $(now_ms) - t0 ))
  sleep 1
  local idle; idle=$(memory "$server_pid")

  local email="bench.$RANDOM@example.com"
  curl -sf -X POST "$base/api/v1/auth/signup" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"Secret123\",\"first_name\":\"Bench\"}" > "$work/session.json"
  local token; token=$(python3 -c "import json;print(json.load(open('$work/session.json'))['access_token'])")
  local org; org=$(curl -sf -X POST "$base/api/v1/organizations" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"name":"Bench Club"}' | python3 -c "import json,sys;print(json.load(sys.stdin)['org_id'])")

  cat > "$work/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"email":"$email","password":"Secret123"}'
wrk.headers["Content-Type"] = "application/json"
LUA
  echo "== $name"
  echo "start-up to ready: ${ready_ms} ms; idle: $idle"
  echo "-- POST /api/v1/auth/login (Argon2id verify per request), $conns connections, ${duration}s"
  wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$work/login.lua" "$base/api/v1/auth/login" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "-- GET /api/v1/organizations/{id}, $conns connections, ${duration}s"
  wrk -t2 -c"$conns" -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/api/v1/organizations/$org" \
    | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "after the load: $(memory "$server_pid")"
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
}

bench_backend sqlite "sqlite://$work/bench.db"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $pg_db" >/dev/null
bench_backend postgres "postgres://postgres@127.0.0.1:5432/$pg_db"
