#!/usr/bin/env bash
# The roster load benchmark (`just bench`): builds a release binary, seeds a
# fresh SQLite file and a fresh PostgreSQL database with `roster seed`
# (default: 100 organizations of 1 000 athletes and one of 10 000), starts
# `roster serve` on a free loopback port with rate limits off, and runs wrk
# (bounded duration, loopback only) against the roster and an athlete profile
# (the seed adds 12 weeks of activities, race goals, zones, integrations and plans
# to the big organization and the first regular one). Prints, per backend,
# the seeding time, then p50, p99 and requests/s for each scenario (for a
# console page, in place of the total: its size in bytes and how many static
# files it links), and the server's resident memory (VmRSS and peak VmHWM from /proc).
#
# Usage: scripts/bench.sh [duration_seconds] [connections]
# Env: BENCH_ORGS, BENCH_ATHLETES_PER_ORG, BENCH_BIG_ORG, BENCH_BACKENDS ("sqlite postgres"),
#      ROSTER_BIN (skip the build and use this binary),
#      BENCH_ONLY (an extended regex: run only the scenarios whose label matches it),
#      BENCH_NO_SQL (skip replaying the SQL of the filtered page and of the console's Athletes page
#      with pgbench on PostgreSQL, scripts/bench-sql.py; BENCH_SQL_ROUNDS sets its rounds, default 3),
#      PGHOST_FOR_TESTS / PGPORT_FOR_TESTS (the local PostgreSQL, default 127.0.0.1:5432),
#      BENCH_PG_SSLMODE (libpq sslmode to it, default disable: see scripts/bench-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
conns=${2:-16}
orgs=${BENCH_ORGS:-100}
per_org=${BENCH_ATHLETES_PER_ORG:-1000}
big=${BENCH_BIG_ORG:-10000}
backends=${BENCH_BACKENDS:-sqlite postgres}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v pgbench >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }
pg_prefix=roster_bench
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

rss_mib() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
pss_mib() { awk '$1 == "Pss:" { printf "%.1f", $2 / 1024 }' "/proc/$1/smaps_rollup"; }

login() { bench_login "$1" | json_field access_token; }

# The console's session cookie for an account (a session's refresh token).
console_cookie() {
  echo "roster_session=$(bench_login "$1" | json_field refresh_token)"
}

# One scenario: checks the answer is 200 once, then loads it with wrk. An API
# scenario passes an access token; a console page (`page`) its cookie, and
# reports the HTML's size and the static files it links.
scenario() { load "$1" "Authorization: Bearer $2" "$3"; }
page() { load "$1" "Cookie: $2" "$3"; }

load() {
  local label=$1 header=$2 path=$3
  if [ -n "${BENCH_ONLY:-}" ] && ! grep -Eq -- "$BENCH_ONLY" <<<"$label"; then return 0; fi
  local status; status=$(curl -s -o "$work/check.json" -w '%{http_code}' -H "$header" "$base$path")
  if [ "$status" != 200 ]; then echo "$label: GET $path answered $status: $(head -c 300 "$work/check.json")" >&2; exit 1; fi
  local total
  if [[ $header == Cookie:* ]]; then
    total="$(wc -c < "$work/check.json")B,$(grep -oE '(href|src)="/static/[^"]+"' "$work/check.json" | sort -u | wc -l)static"
  else
    total=$(python3 -c "import json,sys; print(json.load(sys.stdin).get('total', '-'))" < "$work/check.json")
  fi
  local out; out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -H "$header" "$base$path")
  local p50 p99 rps errors
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  rps=$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' ' | tr '\n' ';' || true)
  printf '%-44s total=%-6s p50=%-9s p99=%-9s rps=%-9s %s\n' "$label" "$total" "$p50" "$p99" "$rps" "$errors"
  last_rps=$rps
}

bench_backend() {
  local name=$1 url=$2
  bench_server_env "$url"
  echo "== $name"
  (cd "$work" && "$bin" migrate >/dev/null)
  local t0; t0=$(date +%s.%N)
  (cd "$work" && "$bin" seed --orgs "$orgs" --athletes-per-org "$per_org" --big-org "$big" --seed 42) > "$work/seed.env"
  local t1; t1=$(date +%s.%N)
  printf 'seed: %d athletes in %s s\n' $((orgs * per_org + big)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
  # shellcheck disable=SC1091
  source "$work/seed.env"
  (cd "$work" && exec "$bin" serve) & server_pid=$!
  bench_wait_ready
  local big_token small_token
  big_token=$(login "$big_head_coach_email")
  small_token=$(login "$small_head_coach_email")
  local filter="status=active&label=@marathon&limit=50&include_profile_status=true"
  echo "-- $conns connections, ${duration}s each; big org $big_org_id ($big_athletes athletes), small org $small_org_id ($small_athletes)"
  scenario "default page, 10k org" "$big_token" "/api/v1/organizations/$big_org_id/members"
  last_rps=""
  scenario "filtered page + profile_status, 10k org" "$big_token" \
    "/api/v1/organizations/$big_org_id/members?$filter&assigned_to_coach_id=$big_coach_id"
  if [ "$name" = postgres ] && [ -n "${last_rps:-}" ] && [ -z "${BENCH_NO_SQL:-}" ]; then
    # The same page's statements replayed with pgbench: what the API adds to its SQL.
    scripts/bench-sql.py "$base/api/v1/organizations/$big_org_id/members?$filter&assigned_to_coach_id=$big_coach_id" \
      "$big_token" "$pg_db" "$conns" "$duration"
  fi
  scenario "q search (q=chen), 10k org" "$big_token" "/api/v1/organizations/$big_org_id/members?q=chen"
  scenario "filtered page + profile_status, 1k org" "$small_token" \
    "/api/v1/organizations/$small_org_id/members?$filter&assigned_to_coach_id=$small_coach_id"
  local big_group_id
  big_group_id=$(curl -sf -H "Authorization: Bearer $big_token" "$base/api/v1/organizations/$big_org_id/groups?limit=1" |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d[0]["group_id"] if d else "")')
  if [ -n "$big_group_id" ]; then
    scenario "group_id page + profile_status, 10k org" "$big_token" \
      "/api/v1/organizations/$big_org_id/members?group_id=$big_group_id&limit=50&include_profile_status=true"
  fi
  scenario "sort=attention + profile_status, 10k org" "$big_token" \
    "/api/v1/organizations/$big_org_id/members?sort=attention&limit=50&include_profile_status=true"
  scenario "sort=compliance + profile_status, 10k org" "$big_token" \
    "/api/v1/organizations/$big_org_id/members?sort=compliance&limit=50&include_profile_status=true"
  scenario "sort=-last_activity, 10k org" "$big_token" \
    "/api/v1/organizations/$big_org_id/members?sort=-last_activity&limit=50"
  scenario "attention queue, 10k org" "$big_token" "/api/v1/organizations/$big_org_id/attention?limit=50"
  if [ -n "${big_athlete_id:-}" ]; then
    scenario "athlete profile, 10k org" "$big_token" \
      "/api/v1/organizations/$big_org_id/members/$big_athlete_id/profile"
  fi
  if [ -n "${big_athlete_id:-}" ]; then
    local twelve_weeks_ago today
    twelve_weeks_ago=$(date -u -d '83 days ago' +%F); today=$(date -u +%F)
    scenario "12-week calendar, 10k org" "$big_token" \
      "/api/v1/organizations/$big_org_id/members/$big_athlete_id/calendar?from=$twelve_weeks_ago&to=$today"
  fi
  local big_cookie; big_cookie=$(console_cookie "$big_head_coach_email")
  last_rps=""
  page "console Athletes page (HTML), 10k org" "$big_cookie" "/athletes"
  if [ "$name" = postgres ] && [ -n "${last_rps:-}" ] && [ -z "${BENCH_NO_SQL:-}" ]; then
    # The page's own statements in pgbench: the most any server sending them could reach here.
    scripts/bench-sql.py "$base/athletes" "$big_cookie" "$pg_db" "$conns" "$duration" page
  fi
  if [ -n "${big_athlete_id:-}" ]; then
    page "console athlete profile (HTML), 10k org" "$big_cookie" "/athletes/$big_athlete_id"
  fi
  if [ -n "${small_athlete_id:-}" ]; then
    scenario "athlete profile, 1k org" "$small_token" \
      "/api/v1/organizations/$small_org_id/members/$small_athlete_id/profile"
  fi
  # VmRSS counts a page of SQLite's memory-mapped database once per connection
  # that mapped it; Pss counts it once, and RssAnon is the server's own heap.
  echo "server memory after load: VmRSS $(rss_mib "$server_pid" VmRSS) MiB (peak VmHWM $(rss_mib "$server_pid" VmHWM) MiB)," \
    "of it anonymous RssAnon $(rss_mib "$server_pid" RssAnon) MiB; Pss $(pss_mib "$server_pid") MiB"
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
}

bench_each_backend
