#!/usr/bin/env bash
# The scale benchmark (`just bench-scale`), PostgreSQL only: runs
# scripts/bench.sh twice on a release binary, once on the usual seed (100
# organizations of 1 000 athletes plus one of 10 000: 110 000 memberships)
# and once on 10 000 organizations of 100 plus the same 10 000-athlete one
# (1 010 000 memberships), loading the big organization's filtered page and
# `sort=attention` page each time, and prints each one's p50 at the larger
# size against the smaller (the target: within 1.3x).
#
# Usage: scripts/bench-scale.sh [duration_seconds] [connections]
# Env: ROSTER_BIN (skip the build), BENCH_SCALE_ORGS (10000), BENCH_SCALE_PER_ORG (100).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
conns=${2:-16}
if [ -z "${ROSTER_BIN:-}" ]; then
  cargo build --release -q -p roster-api
  export ROSTER_BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/roster
fi
export BENCH_BACKENDS=postgres BENCH_NO_SQL=1 BENCH_BIG_ORG=10000
export BENCH_ONLY='^(filtered page \+ profile_status, 10k org|sort=attention \+ profile_status, 10k org)$'
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() {
  local label=$1 orgs=$2 per_org=$3
  echo "== $label: $orgs organizations of $per_org and one of $BENCH_BIG_ORG"
  BENCH_ORGS=$orgs BENCH_ATHLETES_PER_ORG=$per_org scripts/bench.sh "$duration" "$conns" | tee "$out/$label"
}

# p50 in milliseconds of the scenario whose line starts with $2 in file $1.
p50_ms() {
  awk -v s="$2" 'index($0, s) == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^p50=/) { v = substr($i, 5) } }
    END { if (v ~ /us$/) print substr(v, 1, length(v) - 2) / 1000; else if (v ~ /ms$/) print substr(v, 1, length(v) - 2);
          else if (v ~ /s$/) print substr(v, 1, length(v) - 1) * 1000 }' "$1"
}

run small 100 1000
run large "${BENCH_SCALE_ORGS:-10000}" "${BENCH_SCALE_PER_ORG:-100}"
echo "== p50 at 1 010 000 memberships against 110 000 (target: within 1.3x)"
for scenario in "filtered page + profile_status, 10k org" "sort=attention + profile_status, 10k org"; do
  small=$(p50_ms "$out/small" "$scenario"); large=$(p50_ms "$out/large" "$scenario")
  awk -v s="$scenario" -v a="$small" -v b="$large" 'BEGIN { printf "%-44s %7.2f ms -> %7.2f ms  %.2fx\n", s, a, b, b / a }'
done
