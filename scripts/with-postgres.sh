#!/usr/bin/env bash
# Runs a command with ROSTER_TEST_POSTGRES_URL pointing at a fresh database on
# the local PostgreSQL (started if it is down), and drops the database after.
# Usage: scripts/with-postgres.sh cargo test --workspace
set -euo pipefail
host=${PGHOST_FOR_TESTS:-127.0.0.1}
port=${PGPORT_FOR_TESTS:-5432}
if ! pg_isready -q -h "$host" -p "$port"; then
  echo "PostgreSQL is down on $host:$port; starting the local cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect 15 main start || true
  for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
fi
pg_isready -h "$host" -p "$port" >&2
db="roster_ci_$(date +%s)_$RANDOM"
psql -q -h "$host" -p "$port" -U postgres -d postgres -c "CREATE DATABASE $db" >/dev/null
cleanup() { psql -q -h "$host" -p "$port" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true; }
trap cleanup EXIT
# No TLS on loopback: a test server whose database was dropped keeps
# reconnecting in its pool's background threads, and with TLS those attempts
# ran into OpenSSL's exit-time cleanup once (a SIGSEGV after every test passed).
export ROSTER_TEST_POSTGRES_URL="postgres://postgres@$host:$port/$db?sslmode=disable"
echo "ROSTER_TEST_POSTGRES_URL=$ROSTER_TEST_POSTGRES_URL" >&2
"$@"
