# roster's developer verbs. Every recipe is plain shell, so it also runs without `just`
# (install it with `cargo install --locked just`).

# Run the server on the embedded default (SQLite under data/).
run:
    cargo run --release

# The README's test command (SQLite; PostgreSQL runs are skipped and say so).
test:
    cargo test --workspace

# Every test, also on a fresh PostgreSQL database on the local server.
test-pg:
    scripts/with-postgres.sh cargo test --workspace

# schemathesis (every check) against the served OpenAPI document, on SQLite and a fresh PostgreSQL
# database; installs itself into target/contract-venv. Args: [sqlite|postgres|both].
contract *args:
    scripts/contract-test.sh {{args}}

# Formatting and lints, as CI runs them.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

fmt:
    cargo fmt --all

# roster-domain must not depend on diesel, actix, tokio or r2d2.
check-layers:
    scripts/check-layers.sh

# Create the demo club and print its logins.
demo:
    cargo run --release -- demo

# Apply migrations without serving.
migrate:
    cargo run --release -- migrate

# Start-up time, idle memory, login and organization-read throughput on both backends.
bench-foundation:
    scripts/bench-foundation.sh

# Roster load benchmark on a release build, both backends: seeds 100 x 1 000 athletes and a 10 000-athlete
# organization, then prints p50, p99, requests/s and server memory; then the CSV export, a 5 000-row dry-run
# import and a 500-athlete bulk action, timed once each (scripts/bench-csv.sh); then a member PATCH with and
# without a webhook endpoint and the delivery lag of 1 000 events in a minute (scripts/bench-webhooks.py).
# Args: [duration_s] [connections].
bench *args:
    scripts/bench.sh {{args}}
    scripts/bench-csv.sh
    scripts/bench-webhooks.py

# PostgreSQL at scale: the 10 000-athlete organization's filtered page and sort=attention, p50 on
# 110 000 memberships against 1 010 000 (10 000 organizations of 100). Args: [duration_s] [connections].
bench-scale *args:
    scripts/bench-scale.sh {{args}}

# Server instructions a request (callgrind) for each release binary given, on one PostgreSQL seed:
# a change's cost without the machine's drift.
bench-instructions +binaries:
    scripts/bench-instructions.sh {{binaries}}

# Everything CI runs.
ci:
    .ci/run
