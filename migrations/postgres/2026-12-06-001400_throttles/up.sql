-- Counters behind the per-account user-lookup limit and the failed-login
-- slowdown. They live in the database, not in a server's memory, so several
-- servers on one database share them. Rows are small and short-lived: each
-- use of a key rewrites its row, and stale rows are deleted as they are met.

-- A fixed window per key: `hits` requests since `window_start`.
CREATE TABLE rate_windows (
    key TEXT NOT NULL PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL
);
CREATE INDEX rate_windows_window_start ON rate_windows (window_start);

-- Failed logins per key (an account's e-mail or a client address): how many
-- in a row, the last one, and until when further attempts are refused.
CREATE TABLE login_failures (
    key TEXT NOT NULL PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);
CREATE INDEX login_failures_last_failure_at ON login_failures (last_failure_at);

-- Addresses an account has signed in from: a throttled account still accepts
-- attempts from them, so strangers failing cannot lock its owner out.
CREATE TABLE login_known_addresses (
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    last_login_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account, address)
);
CREATE INDEX login_known_addresses_last_login_at ON login_known_addresses (last_login_at);
