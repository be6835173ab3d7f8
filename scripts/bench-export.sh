#!/usr/bin/env bash
# The data export benchmark (issue #19): a release `roster serve` on a fresh
# SQLite file (or PostgreSQL with BENCH_BACKEND=postgres), one account with
# N activities (default 5 000) posted through the API, then `GET /me/export`
# with curl. Prints the export's wall time, its size, and the server's
# resident memory before and at its highest during the export (VmRSS sampled
# every 10 ms from /proc).
#
# Usage: scripts/bench-export.sh [activities]
# Env: ROSTER_BIN (skip the build and use this binary), BENCH_BACKEND (sqlite | postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
backend=${BENCH_BACKEND:-sqlite}
if [ -n "${ROSTER_BIN:-}" ]; then
  bin=$ROSTER_BIN
else
  cargo build --release -q -p roster-api
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/roster
fi
work=$(mktemp -d)
pg_db=""
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$pg_db" ] && psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$backend" = postgres ]; then
  pg_db="roster_export_$(date +%s)_$RANDOM"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $pg_db" >/dev/null
  url="postgres://postgres@127.0.0.1/$pg_db?sslmode=disable"
else
  url="sqlite://$work/roster.db"
fi
port=$((20000 + RANDOM % 20000))
ROSTER__DATABASE__URL=$url ROSTER__SERVER__BIND=127.0.0.1:$port ROSTER__RATE_LIMIT__ENABLED=false \
  ROSTER__AUTH__JWT_SECRET=bench-secret-bench-secret-bench-secret-0 ROSTER__MAIL__TRANSPORT=log \
  ROSTER__LOG__LEVEL=warn "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port/api/v1"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

json() { sed -E "s/.*\"$1\":\"([^\"]+)\".*/\\1/"; }
head=$(curl -sf "$base/auth/signup" -H 'content-type: application/json' \
  -d '{"email":"export.head@example.com","password":"Secret123","first_name":"Head"}' | json access_token)
org=$(curl -sf "$base/organizations" -H "authorization: Bearer $head" -H 'content-type: application/json' \
  -d '{"name":"Bench Club"}' | json org_id)
signup=$(curl -sf "$base/auth/signup" -H 'content-type: application/json' \
  -d '{"email":"export.bench@example.com","password":"Secret123","first_name":"Bench"}')
token=$(printf '%s' "$signup" | json access_token)
user=$(printf '%s' "$signup" | json user_id)
curl -sf -o /dev/null "$base/organizations/$org/members" -H "authorization: Bearer $head" \
  -H 'content-type: application/json' -d "{\"user_id\":\"$user\"}"
echo "posting $n activities ..."
seq 1 "$n" | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$base/organizations/$org/members/$user/activities" \
  -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"sport":"run","start_time":"2026-01-01T06:00:00Z","distance_m":10000.5,"duration_s":3000,"title":"Morning run {}","source":"garmin","external_id":"bench-{}"}' \
  | sort | uniq -c

rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
before=$(rss)
peak=$before
( while kill -0 "$server_pid" 2>/dev/null; do r=$(rss); echo "$r"; sleep 0.01; done ) >"$work/rss" &
sampler=$!
start=$(date +%s.%N)
curl -sf -o "$work/export.zip" "$base/me/export" -H "authorization: Bearer $token" -H 'X-Roster-Password: Secret123'
end=$(date +%s.%N)
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss" | tail -1)
files=$(python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(len(z.namelist()))" "$work/export.zip")
printf 'backend=%s activities=%s export=%.2fs size=%s bytes files=%s rss_before=%s KiB rss_peak=%s KiB growth=%s KiB\n' \
  "$backend" "$n" "$(echo "$end - $start" | bc)" "$(stat -c %s "$work/export.zip")" "$files" "$before" "$peak" "$((peak - before))"
