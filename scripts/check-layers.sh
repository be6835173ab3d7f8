#!/usr/bin/env bash
# The domain crate must not depend on I/O layers: no diesel, actix, tokio or r2d2.
set -euo pipefail
cd "$(dirname "$0")/.."
deps=$(cargo tree -p roster-domain -e normal --prefix none --all-features | awk '{print $1}' | sort -u)
bad=$(echo "$deps" | grep -E '^(diesel|diesel_migrations|actix-.*|actix|tokio|r2d2|libsqlite3-sys|pq-sys|reqwest|lettre)$' || true)
if [ -n "$bad" ]; then
  echo "layer check FAILED: roster-domain depends on: $bad" >&2
  exit 1
fi
for crate in roster-store; do
  if cargo tree -p "$crate" -e normal --prefix none | awk '{print $1}' | grep -qE '^actix-web$'; then
    echo "layer check FAILED: $crate depends on actix-web" >&2
    exit 1
  fi
done
# The console renders pages over the domain's use cases: no SQL of its own.
direct=$(cargo tree -p roster-console -e normal --depth 1 --prefix none | awk '{print $1}' | sort -u)
if echo "$direct" | grep -qE '^(diesel|diesel_migrations|r2d2|libsqlite3-sys|pq-sys|roster-api)$'; then
  echo "layer check FAILED: roster-console depends directly on: $(echo "$direct" | grep -E '^(diesel|diesel_migrations|r2d2|libsqlite3-sys|pq-sys|roster-api)$')" >&2
  exit 1
fi
echo "layer check passed: roster-domain has no diesel/actix/tokio/r2d2; roster-store has no actix-web; roster-console has no diesel"
