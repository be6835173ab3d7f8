#!/usr/bin/env python3
"""What one API request costs against the SQL it sends (PostgreSQL only).

Captures the statements one GET sends to the database (the server's log at
`log_min_duration_statement = 0`, set for a moment with ALTER SYSTEM and
reset after; the polls of the server's background workers in that moment
are left out, and the statements kept are printed), writes them with their parameter values as one pgbench
transaction, replays it with `pgbench -M prepared` at the API scenario's
concurrency, and prints the transactions per second beside the API's
requests per second (`scripts/bench.sh` passes that figure in).

Usage: bench-sql.py URL TOKEN DATABASE API_RPS CONNECTIONS SECONDS [LABEL]
TOKEN is an access token, or a console session cookie (`roster_session=…`);
LABEL names the request in the output (default `API`).
Env: PG_LOG (the server's log file, default /var/log/postgresql/postgresql-15-main.log),
     PGHOST_FOR_TESTS / PGPORT_FOR_TESTS (default 127.0.0.1:5432).
"""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HOST = os.environ.get("PGHOST_FOR_TESTS", "127.0.0.1")
PORT = os.environ.get("PGPORT_FOR_TESTS", "5432")
LOG = os.environ.get("PG_LOG", "/var/log/postgresql/postgresql-15-main.log")

# `2026-12-06 13:35:00.123 UTC [1234] postgres@db LOG:  duration: 0.1 ms  execute s1: SELECT ...`
ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[(\d+)\] (\S*)@(\S*) (\w+):  (.*)$")
STATEMENT = re.compile(r"^duration: [\d.]+ ms  (?:execute [^:]*|statement): (.*)$", re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
# What the server's own workers send while the request runs (the mail and
# webhook outboxes' polls, the status refresher's sweep): not the request's.
WORKERS = re.compile(r'FROM "outbox"|FROM "webhook_deliveries"|"webhooks_pending"|SELECT DISTINCT "member_statuses"')


def psql(sql):
    subprocess.run(["psql", "-qAt", "-h", HOST, "-p", PORT, "-U", "postgres", "-d", "postgres", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def get(url, token):
    if token.startswith("roster_session="):
        headers = {"Cookie": token}
    else:
        headers = {"Authorization": f"Bearer {token}"}
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, response.status
        response.read()


def entries(text):
    """The log's entries as (pid, database, level, message), continuation lines joined."""
    current = None
    for line in text.splitlines():
        m = ENTRY.match(line)
        if m:
            if current:
                yield current
            current = [m.group(1), m.group(3), m.group(4), m.group(5)]
        elif current and line.startswith("\t"):
            current[3] += "\n" + line[1:]
    if current:
        yield current


def capture(url, token, database):
    """The statements (with literal parameters) of one request to `url`."""
    get(url, token)  # warm: the session and the server's prepared statements
    psql("ALTER SYSTEM SET log_min_duration_statement = 0")
    psql("SELECT pg_reload_conf()")
    try:
        time.sleep(0.5)
        start = os.path.getsize(LOG)
        get(url, token)
        time.sleep(0.5)
    finally:
        psql("ALTER SYSTEM RESET log_min_duration_statement")
        psql("SELECT pg_reload_conf()")
    with open(LOG, encoding="utf-8", errors="replace") as log:
        log.seek(start)
        text = log.read()
    statements = []
    for _, db, level, message in entries(text):
        if db != database:
            continue
        if level == "LOG":
            m = STATEMENT.match(message)
            if m:
                statements.append(m.group(1).strip())
        elif level == "DETAIL" and message.startswith("parameters:") and statements:
            values = dict(PARAM.findall(message))
            statements[-1] = re.sub(
                r"\$(\d+)\b", lambda p: values.get(p.group(1), p.group(0)), statements[-1]
            )
    return [sql for sql in statements if not WORKERS.search(sql)]


def main():
    url, token, database, api_rps, conns, seconds = sys.argv[1:7]
    label = sys.argv[7] if len(sys.argv) > 7 else "API"
    statements = capture(url, token, database)
    if not statements:
        sys.exit(f"no statement of {database} in {LOG}: is the log there and readable?")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        for sql in statements:
            script.write(" ".join(sql.split()).rstrip(";") + ";\n")
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-h", HOST, "-p", PORT, "-U", "postgres", "-c", conns, "-j", "2",
         "-T", seconds, "-f", script.name, database],
        check=True, capture_output=True, text=True,
    ).stdout
    os.unlink(script.name)
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", out).group(1)
    api = float(api_rps)
    for sql in statements:
        print(f"    {' '.join(sql.split())[:100]}")
    print(f"  raw SQL of that page: {len(statements)} statements a request; pgbench -M prepared -c {conns}: "
          f"{tps:.0f} tps (latency {latency} ms); {label} {api:.0f} req/s; SQL/{label} {tps / api:.2f}x")


if __name__ == "__main__":
    main()
