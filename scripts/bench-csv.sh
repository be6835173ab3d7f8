#!/usr/bin/env bash
# The many-athletes benchmark (`just bench` runs it after scripts/bench.sh):
# on a release binary, seeds a fresh SQLite file and a fresh PostgreSQL
# database with one 10 000-athlete organization, starts `roster serve`, then
# times, once each, as the head coach:
#   - the CSV export of the whole organization (and the server's memory growth:
#     VmHWM, the resident peak, before and after);
#   - a dry-run import of 5 000 of those rows (`update_only`), as exported (each
#     row `unchanged`) and with a label added to each (each row an `update`);
#   - a bulk request adding a label to 500 athletes.
#
# Usage: scripts/bench-csv.sh
# Env: BENCH_BIG_ORG (10000), BENCH_BACKENDS ("sqlite postgres"), ROSTER_BIN (skip the build),
#      PGHOST_FOR_TESTS / PGPORT_FOR_TESTS (the local PostgreSQL, default 127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
big=${BENCH_BIG_ORG:-10000}
backends=${BENCH_BACKENDS:-sqlite postgres}
password=SeedPass123

pg_prefix=roster_bench_csv
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh

kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# Checks the status of the last request (`$work/status`) and prints its time.
timed() {
  local label=$1 expected=$2 out
  out=$(cat "$work/status")
  local status=${out%% *} seconds=${out##* }
  if [ "$status" != "$expected" ]; then echo "$label: answered $status: $(head -c 400 "$work/body")" >&2; exit 1; fi
  printf '%-40s %6.2f s\n' "$label" "$seconds"
}

bench_backend() {
  local name=$1 url=$2
  bench_server_env "$url"
  echo "== $name"
  (cd "$work" && "$bin" migrate >/dev/null)
  (cd "$work" && "$bin" seed --orgs 0 --big-org "$big" --seed 42 2>/dev/null) > "$work/seed.env"
  # shellcheck disable=SC1091
  source "$work/seed.env"
  (cd "$work" && exec "$bin" serve) & server_pid=$!
  bench_wait_ready
  local token auth org
  token=$(bench_login "$big_head_coach_email" | json_field access_token)
  auth="Authorization: Bearer $token"
  org="$base/api/v1/organizations/$big_org_id"

  local peak_before; peak_before=$(kib "$server_pid" VmHWM)
  curl -s -o "$work/members.csv" -w '%{http_code} %{time_total}' -H "$auth" "$org/members.csv" > "$work/status"
  cp "$work/members.csv" "$work/body"
  timed "export, $big_athletes athletes" 200
  local peak_after; peak_after=$(kib "$server_pid" VmHWM)
  echo "  $(($(wc -l < "$work/members.csv") - 1)) lines; server peak memory (VmHWM) $((peak_before / 1024)) -> $((peak_after / 1024)) MiB (+$(((peak_after - peak_before) / 1024)) MiB)"

  python3 - "$work/members.csv" "$work/5000.csv" "$work/5000-changed.csv" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as src, open(sys.argv[2], "w", newline="", encoding="utf-8") as dst, \
        open(sys.argv[3], "w", newline="", encoding="utf-8") as changed:
    rows = csv.reader(src)
    out = csv.writer(dst, lineterminator="\r\n")
    out_changed = csv.writer(changed, lineterminator="\r\n")
    for i, row in enumerate(rows):
        if i > 5000:
            break
        out.writerow(row)
        if i > 0:
            # Every row gains a label: each one is an update.
            at = header.index("labels")
            row[at] = row[at] + ";@imported" if row[at] else "'@imported"
        else:
            header = row
        out_changed.writerow(row)
EOF
  curl -s -o "$work/body" -w '%{http_code} %{time_total}' -H "$auth" -F "file=@$work/5000.csv;type=text/csv" \
    -F mode=update_only -F dry_run=true "$org/imports" > "$work/status"
  timed "dry-run import, 5000 rows" 200
  python3 -c 'import json,sys; print("  totals:", json.load(open(sys.argv[1]))["totals"])' "$work/body"
  curl -s -o "$work/body" -w '%{http_code} %{time_total}' -H "$auth" -F "file=@$work/5000-changed.csv;type=text/csv" \
    -F mode=update_only -F dry_run=true "$org/imports" > "$work/status"
  timed "dry-run import, 5000 rows, each an update" 200
  python3 -c 'import json,sys; print("  totals:", json.load(open(sys.argv[1]))["totals"])' "$work/body"

  local ids="" cursor=""
  for _ in 1 2 3; do
    curl -sf -H "$auth" "$org/members?limit=200${cursor:+&cursor=$cursor}" > "$work/page.json"
    ids+=$(python3 -c 'import json,sys; print("".join(m["user_id"] + "," for m in json.load(open(sys.argv[1]))["data"]))' "$work/page.json")
    cursor=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["next_cursor"] or "")' "$work/page.json")
  done
  python3 -c 'import json,sys; ids=[i for i in sys.argv[1].split(",") if i][:500]; print(json.dumps({"user_ids": ids, "action": "add_labels", "params": {"labels": ["@bench"]}}))' "$ids" > "$work/bulk.json"
  curl -s -o "$work/body" -w '%{http_code} %{time_total}' -H "$auth" -H 'content-type: application/json' \
    --data-binary "@$work/bulk.json" "$org/members/bulk" > "$work/status"
  timed "bulk add_labels, 500 athletes" 200
  python3 -c 'import json,sys,collections; print("  outcomes:", dict(collections.Counter(r["outcome"] for r in json.load(open(sys.argv[1]))["results"])))' "$work/body"
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
}

bench_each_backend
