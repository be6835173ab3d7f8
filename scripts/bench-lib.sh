# Shared by the bench scripts (sourced, not run): the binary, a work folder,
# the PostgreSQL database of a run and the clean-up that stops the server
# and drops that database whatever way the script ends.
#
# A script sets `pg_prefix` (its databases' name prefix) and `backends`, then
# sources this file, defines `bench_backend NAME URL` and calls
# `bench_each_backend`.

pg_host=${PGHOST_FOR_TESTS:-127.0.0.1}
pg_port=${PGPORT_FOR_TESTS:-5432}
# The server reaches PostgreSQL on this machine over loopback TCP without TLS,
# as the test suite does and as a database on the same host should be reached
# (docs/operations.md): libpq's default, `prefer`, encrypts every message on
# both sides, which cost the roster pages about a tenth of their requests/s
# here (docs/performance.md). BENCH_PG_SSLMODE=prefer measures with TLS; the
# pgbench replays (bench-sql.py) read the same setting from PGSSLMODE.
export PGSSLMODE=${BENCH_PG_SSLMODE:-disable}

command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
if [ -n "${ROSTER_BIN:-}" ]; then
  bin=$ROSTER_BIN # an already built release binary
else
  cargo build --release -q -p roster-api
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/roster
fi

work=$(mktemp -d)
pg_db="${pg_prefix}_$(date +%s)_$RANDOM"
pg_created=""
server_pid=""
bench_cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_created" ]; then
    psql -q -h "$pg_host" -p "$pg_port" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap bench_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

# Points the server's settings at database URL on a free port (and sets
# `base`), as every bench serves: no rate limits, a fixed token secret,
# mail to files in the work folder.
bench_server_env() {
  local port; port=$(free_port)
  base="http://127.0.0.1:$port"
  export ROSTER__DATABASE__URL=$1 ROSTER__SERVER__BIND=127.0.0.1:$port ROSTER__RATE_LIMIT__ENABLED=false \
    ROSTER__LOG__LEVEL=warn ROSTER__AUTH__JWT_SECRET=bench-secret-bench-secret-bench-secret-01 \
    ROSTER__MAIL__DIR=$work/mail
}

# Waits until the server at `base` answers /readyz (at most SECONDS, default
# 10); ends the run if it does not.
bench_wait_ready() {
  for _ in $(seq 1 $((${1:-10} * 20))); do curl -sf "$base/readyz" >/dev/null && return 0; sleep 0.05; done
  echo "the server at $base did not become ready" >&2
  exit 1
}

# The answer of a login as EMAIL with the seed's `password` (JSON).
bench_login() {
  curl -sf -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$password\"}"
}

# Migrates and seeds the bench's organizations with BINARY ($orgs of
# $per_org athletes and one of $big), then reads the seed's ids, e-mails and
# `password` into the shell.
bench_seed() {
  (cd "$work" && "$1" migrate >/dev/null)
  (cd "$work" && "$1" seed --orgs "$orgs" --athletes-per-org "$per_org" --big-org "$big" --seed 42) > "$work/seed.env"
  # shellcheck disable=SC1091
  source "$work/seed.env"
}

# Runs `bench_backend NAME URL` for each of `$backends`: a file in the work
# folder for SQLite, a fresh database for PostgreSQL (started if it is down).
bench_each_backend() {
  for backend in $backends; do
    case $backend in
      sqlite) bench_backend sqlite "sqlite://$work/bench.db" ;;
      postgres)
        if ! pg_isready -q -h "$pg_host" -p "$pg_port"; then
          pg_ctlcluster --skip-systemctl-redirect 15 main start || true
          for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p "$pg_port" && break; sleep 1; done
        fi
        psql -q -h "$pg_host" -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE $pg_db" >/dev/null
        pg_created=1
        bench_backend postgres "postgres://postgres@$pg_host:$pg_port/$pg_db?sslmode=$PGSSLMODE"
        ;;
      *) echo "unknown backend $backend" >&2; exit 2 ;;
    esac
  done
}
