#!/usr/bin/env bash
# What each of several release binaries spends on one request, in
# instructions: the server runs under `valgrind --tool=callgrind`, which
# counts the same for the same binary and input however fast the machine
# is at the moment (a timed A/B here drifts by more than a change of a few
# per cent). Seeds PostgreSQL once (`roster seed`, as `just bench` does),
# then for each binary and scenario: 30 requests of warm-up, counters
# zeroed, REQUESTS requests on one keep-alive connection, counters dumped,
# the total divided by REQUESTS. Prints one line per binary and scenario.
#
# Usage: scripts/bench-instructions.sh BINARY... (release binaries sharing the schema)
# Env: BENCH_REQUESTS (default 100), BENCH_ORGS, BENCH_ATHLETES_PER_ORG, BENCH_BIG_ORG.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 BINARY..." >&2; exit 2; }
requests=${BENCH_REQUESTS:-100}
orgs=${BENCH_ORGS:-100}
per_org=${BENCH_ATHLETES_PER_ORG:-1000}
big=${BENCH_BIG_ORG:-10000}
backends=postgres
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
pg_prefix=roster_instr
ROSTER_BIN=$1
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
binaries=("$@")

# GETs PATH COUNT times with HEADER on one connection; fails on a non-200.
get_times() {
  python3 - "$base" "$2" "$3" "$1" <<'PY'
import http.client, sys, urllib.parse
base, header, path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
url = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
name, value = header.split(": ", 1)
for _ in range(count):
    conn.request("GET", path, headers={name: value})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"GET {path} answered {response.status}")
PY
}

measure() {
  local binary=$1 label=$2 header=$3 path=$4
  rm -f "$work"/callgrind.out*
  (cd "$work" && exec valgrind -q --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
    --compress-strings=no "$binary" serve) & server_pid=$!
  bench_wait_ready 120 # valgrind starts the server some 50 times slower
  get_times 30 "$header" "$path"
  callgrind_control -z "$server_pid" >/dev/null 2>&1
  get_times "$requests" "$header" "$path"
  callgrind_control -d "$server_pid" >/dev/null 2>&1
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
  local dump total
  dump=$(ls "$work"/callgrind.out.* 2>/dev/null | head -1)
  total=$(awk '$1 == "summary:" { print $2 }' "${dump:-/dev/null}")
  [ -n "$total" ] || { echo "callgrind left no dump with a summary for $binary" >&2; exit 1; }
  printf '%-40s %-34s %9d instructions a request\n' "$(basename "$binary")" "$label" $((total / requests))
}

bench_backend() {
  bench_server_env "$2"
  bench_seed "$bin"
  local filter="status=active&label=@marathon&limit=50&include_profile_status=true&assigned_to_coach_id=$big_coach_id"
  for binary in "${binaries[@]}"; do
    # A token of this binary's own server (tokens outlive servers; the secret is shared).
    (cd "$work" && exec "$binary" serve) & server_pid=$!
    bench_wait_ready
    local token; token=$(bench_login "$big_head_coach_email" | json_field access_token)
    kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
    local header="Authorization: Bearer $token"
    measure "$binary" "filtered page, 10k org" "$header" "/api/v1/organizations/$big_org_id/members?$filter"
    measure "$binary" "sort=attention, 10k org" "$header" \
      "/api/v1/organizations/$big_org_id/members?sort=attention&limit=50&include_profile_status=true"
    measure "$binary" "attention queue, 10k org" "$header" "/api/v1/organizations/$big_org_id/attention?limit=50"
  done
}

bench_each_backend
