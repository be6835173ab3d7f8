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

# Everything CI runs.
ci:
    .ci/run
