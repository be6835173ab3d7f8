#!/usr/bin/env python3
"""What one API request costs against the SQL it sends (PostgreSQL only).

Captures the statements one GET sends to the database (the server's log at
`log_min_duration_statement = 0`, set for a moment with ALTER SYSTEM and
reset after; the polls of the server's background workers in that moment
are left out, and the statements kept are printed), writes them with their
parameter values as one pgbench transaction, and then measures in rounds:
each round loads the API with wrk and right after replays the statements
with `pgbench -M prepared`, both at CONNECTIONS for SECONDS. It prints each
round and the medians; the ratio read is the median of the rounds' ratios,
so that the machine's drift (its speed moves by up to half within minutes)
falls on both sides of each ratio instead of on one of them.

Usage: bench-sql.py URL TOKEN DATABASE CONNECTIONS SECONDS [LABEL]
TOKEN is an access token, or a console session cookie (`roster_session=…`);
LABEL names the request in the output (default `API`).
Env: BENCH_SQL_ROUNDS (default 3),
     PG_LOG (the server's log file, default /var/log/postgresql/postgresql-15-main.log),
     PGHOST_FOR_TESTS / PGPORT_FOR_TESTS (default 127.0.0.1:5432).
"""

import os
import re
import statistics
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


def auth_header(token):
    if token.startswith("roster_session="):
        return "Cookie", token
    return "Authorization", f"Bearer {token}"


def get(url, token):
    name, value = auth_header(token)
    request = urllib.request.Request(url, headers={name: value})
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


def api_rps(url, token, conns, seconds):
    """The API's requests per second under wrk (2 threads)."""
    name, value = auth_header(token)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "-H", f"{name}: {value}", url],
        check=True, capture_output=True, text=True,
    ).stdout
    if re.search(r"Non-2xx|Socket errors", out):
        sys.exit(f"wrk saw errors against {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def sql_tps(script, database, conns, seconds):
    """The statements' transactions per second under pgbench -M prepared."""
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-h", HOST, "-p", PORT, "-U", "postgres", "-c", conns, "-j", "2",
         "-T", seconds, "-f", script, database],
        check=True, capture_output=True, text=True,
    ).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def main():
    url, token, database, conns, seconds = sys.argv[1:6]
    label = sys.argv[6] if len(sys.argv) > 6 else "API"
    rounds = int(os.environ.get("BENCH_SQL_ROUNDS", "3"))
    statements = capture(url, token, database)
    if not statements:
        sys.exit(f"no statement of {database} in {LOG}: is the log there and readable?")
    for sql in statements:
        print(f"    {' '.join(sql.split())[:100]}")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        for sql in statements:
            script.write(" ".join(sql.split()).rstrip(";") + ";\n")
    apis, sqls, ratios = [], [], []
    try:
        for round_ in range(1, rounds + 1):
            api = api_rps(url, token, conns, seconds)
            tps = sql_tps(script.name, database, conns, seconds)
            apis.append(api)
            sqls.append(tps)
            ratios.append(tps / api)
            print(f"    round {round_}: {label} {api:.0f} req/s, SQL {tps:.0f} tps: {tps / api:.2f}x")
    finally:
        os.unlink(script.name)
    print(f"  raw SQL of that page: {len(statements)} statements a request; -c {conns}, {rounds} rounds of "
          f"{seconds}s each, medians: {label} {statistics.median(apis):.0f} req/s, pgbench -M prepared "
          f"{statistics.median(sqls):.0f} tps; SQL/{label} {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
