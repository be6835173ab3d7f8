#!/usr/bin/env bash
# Two release binaries against one seeded database, taking turns: what a
# change does to speed, with the machine's drift between runs shared by both.
# Seeds each backend once with NEW (`roster seed`, as `just bench` does),
# then for each round serves OLD and NEW in turn on it and loads the same
# scenarios with wrk: the filtered roster page, `sort=attention`, an athlete
# profile, and the console's Athletes page and profile. Prints one line per
# binary, round and scenario.
#
# Usage: scripts/bench-ab.sh OLD_BINARY NEW_BINARY [rounds] [duration_seconds] [connections]
# Env: BENCH_ORGS, BENCH_ATHLETES_PER_ORG, BENCH_BIG_ORG, BENCH_BACKENDS ("sqlite postgres").
# Both binaries must share the schema (no migration between them).
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?old binary}
new=${2:?new binary}
rounds=${3:-2}
duration=${4:-8}
conns=${5:-16}
orgs=${BENCH_ORGS:-100}
per_org=${BENCH_ATHLETES_PER_ORG:-1000}
big=${BENCH_BIG_ORG:-10000}
backends=${BENCH_BACKENDS:-sqlite postgres}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
pg_prefix=roster_ab
ROSTER_BIN=$new
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

serve() {
  (cd "$work" && exec "$1" serve) & server_pid=$!
  bench_wait_ready
}

stop() { kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""; }

load() {
  local label=$1 header=$2 path=$3
  curl -sf -o /dev/null -H "$header" "$base$path" || { echo "$label: GET $path failed" >&2; exit 1; }
  wrk -t2 -c"$conns" -d2s -H "$header" "$base$path" >/dev/null # warm-up
  local out; out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -H "$header" "$base$path")
  printf '%-8s %-5s round %s  %-34s p50=%-9s p99=%-9s rps=%s\n' "$backend_name" "$which" "$round" "$label" \
    "$(awk '$1 == "50%" { print $2 }' <<<"$out")" "$(awk '$1 == "99%" { print $2 }' <<<"$out")" \
    "$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")"
}

bench_backend() {
  backend_name=$1
  bench_server_env "$2"
  bench_seed "$new"
  local filter="status=active&label=@marathon&limit=50&include_profile_status=true&assigned_to_coach_id=$big_coach_id"
  for round in $(seq 1 "$rounds"); do
    for which in old new; do
      if [ "$which" = old ]; then serve "$old"; else serve "$new"; fi
      local session token cookie
      session=$(bench_login "$big_head_coach_email")
      token=$(json_field access_token <<<"$session")
      cookie="roster_session=$(json_field refresh_token <<<"$session")"
      load "filtered page, 10k org" "Authorization: Bearer $token" \
        "/api/v1/organizations/$big_org_id/members?$filter"
      load "sort=attention, 10k org" "Authorization: Bearer $token" \
        "/api/v1/organizations/$big_org_id/members?sort=attention&limit=50&include_profile_status=true"
      load "athlete profile, 10k org" "Authorization: Bearer $token" \
        "/api/v1/organizations/$big_org_id/members/$big_athlete_id/profile"
      load "console Athletes page, 10k org" "Cookie: $cookie" "/athletes"
      load "console profile, 10k org" "Cookie: $cookie" "/athletes/$big_athlete_id"
      stop
    done
  done
}

bench_each_backend
