#!/usr/bin/env python3
"""The webhooks benchmark (issue #17), run by `just bench`.

Per backend (a fresh SQLite file, a fresh PostgreSQL database): starts a
release `roster serve` with a receiver on loopback allowed, makes a head coach,
a club and an athlete, then measures

1. a member PATCH (sequential, one connection) without any webhook endpoint,
2. the same PATCH with one endpoint subscribed to every event (the receiver
   answers 204 at once), alternating with (1) in rounds so both see the same
   machine,
3. the delivery lag of 1 000 `member.updated` events sent over one minute:
   the time the receiver got each one minus the event's own `timestamp`.

Prints p50/p99 of each and the ratio the issue bounds (PATCH with an endpoint
at most 10 % slower at p50; lag p99 under 2 s).

Usage: scripts/bench-webhooks.py [--backends sqlite,postgres] [--events 1000] [--seconds 60]
Env: ROSTER_BIN (a release binary; built when unset), PGHOST_FOR_TESTS / PGPORT_FOR_TESTS.
"""

import argparse
import datetime as dt
import http.client
import http.server
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "BenchPass123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """One keep-alive connection to the server."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = None

    def call(self, method, path, body=None):
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body) if body is not None else None
        try:
            self.conn.request(method, path, payload, headers)
            res = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed an idle keep-alive connection: open another.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request(method, path, payload, headers)
            res = self.conn.getresponse()
        data = res.read()
        return res.status, (json.loads(data) if data else None)

    def ok(self, method, path, body=None, expect=(200, 201, 204)):
        status, data = self.call(method, path, body)
        if status not in expect:
            sys.exit(f"{method} {path} answered {status}: {data}")
        return data

    def account(self, first_name):
        email = f"{first_name.lower()}.{random.randrange(1 << 30)}@bench.example"
        body = {"email": email, "password": PASSWORD, "first_name": first_name}
        self.ok("POST", "/api/v1/auth/signup", body)
        self.token = self.ok("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})["access_token"]
        return email


class Receiver(http.server.ThreadingHTTPServer):
    """Records when each delivery arrived and the event's own timestamp."""

    daemon_threads = True

    def __init__(self):
        self.arrivals = []  # (received at, event timestamp, type)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        now = time.time()
        self.send_response(204)
        self.end_headers()
        event = json.loads(body)
        stamp = dt.datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
        with self.server.lock:
            self.server.arrivals.append((now, stamp, event["type"]))

    def log_message(self, *args):
        pass


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def patch_times(api, path, n):
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        api.ok("PATCH", path, {"member_level": f"level-{i % 7}-{random.randrange(1 << 20)}"})
        times.append(time.perf_counter() - t0)
    return times


def bench(backend, url, bin_path, events, seconds):
    work = tempfile.mkdtemp()
    port = free_port()
    env = dict(os.environ)
    env.update({
        "ROSTER__DATABASE__URL": url,
        "ROSTER__SERVER__BIND": f"127.0.0.1:{port}",
        "ROSTER__RATE_LIMIT__ENABLED": "false",
        "ROSTER__LOG__LEVEL": "warn",
        "ROSTER__AUTH__JWT_SECRET": "bench-secret-bench-secret-bench-secret-02",
        "ROSTER__MAIL__DIR": f"{work}/mail",
        "ROSTER__WEBHOOKS__ALLOW_NETWORKS": "127.0.0.0/8",
    })
    server = subprocess.Popen([bin_path, "serve"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(f"{work}/server.log", "w"))
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        for _ in range(400):
            try:
                if Api(port).call("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        head = Api(port)
        head.account("Head")
        org_id = head.ok("POST", "/api/v1/organizations", {"name": "Bench Club"})["org_id"]
        athlete = Api(port)
        athlete_email = athlete.account("Athlete")
        user_id = head.ok("POST", f"/api/v1/organizations/{org_id}/members", {"email": athlete_email})["user_id"]
        path = f"/api/v1/organizations/{org_id}/members/{user_id}"
        patch_times(head, path, 50)  # warm up

        # Rounds alternate without and with the endpoint (enabled / disabled),
        # so both halves see the same machine load.
        hook = head.ok("POST", f"/api/v1/organizations/{org_id}/webhooks",
                       {"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook", "event_types": []})
        hook_path = f"/api/v1/organizations/{org_id}/webhooks/{hook['webhook_id']}"
        without, with_hook = [], []
        for _ in range(5):
            head.ok("PATCH", hook_path, {"enabled": False})
            without += patch_times(head, path, 100)
            head.ok("PATCH", hook_path, {"enabled": True})
            with_hook += patch_times(head, path, 100)
        p50_without, p50_with = statistics.median(without), statistics.median(with_hook)
        print(f"== {backend}")
        print(f"member PATCH, no endpoint      p50={p50_without * 1000:.2f} ms p99={quantile(without, .99) * 1000:.2f} ms"
              f" (n={len(without)})")
        print(f"member PATCH, one endpoint     p50={p50_with * 1000:.2f} ms p99={quantile(with_hook, .99) * 1000:.2f} ms"
              f" (n={len(with_hook)}); p50 ratio {p50_with / p50_without:.3f}")

        # The lag of `events` events paced over `seconds`.
        # Let the deliveries of the rounds above drain first.
        settle = time.time() + 120
        while time.time() < settle:
            with receiver.lock:
                before = len(receiver.arrivals)
            time.sleep(3)
            with receiver.lock:
                if len(receiver.arrivals) == before:
                    break
        start = time.time()
        for i in range(events):
            due = start + i * seconds / events
            time.sleep(max(0.0, due - time.time()))
            head.ok("PATCH", path, {"member_level": f"lag-{i}"})
        deadline = time.time() + 30
        while time.time() < deadline:
            with receiver.lock:
                got = [a for a in receiver.arrivals if a[2] == "member.updated" and a[1] >= start - 1]
            if len(got) >= events:
                break
            time.sleep(0.1)
        lags = [received - stamp for received, stamp, _ in got]
        print(f"delivery lag, {events} events in {seconds} s: received {len(got)}, "
              f"p50={statistics.median(lags) * 1000:.0f} ms p99={quantile(lags, .99) * 1000:.0f} ms "
              f"max={max(lags) * 1000:.0f} ms")
    finally:
        server.terminate()
        server.wait()
        receiver.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    bin_path = os.environ.get("ROSTER_BIN")
    if not bin_path:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "roster-api"], check=True)
        bin_path = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "roster")
    pg = (os.environ.get("PGHOST_FOR_TESTS", "127.0.0.1"), os.environ.get("PGPORT_FOR_TESTS", "5432"))
    for backend in args.backends.split(","):
        if backend == "sqlite":
            bench("sqlite", f"sqlite://{tempfile.mkdtemp()}/bench.db", bin_path, args.events, args.seconds)
        elif backend == "postgres":
            db = f"roster_bench_hooks_{int(time.time())}_{random.randrange(1 << 16)}"
            psql = ["psql", "-q", "-h", pg[0], "-p", pg[1], "-U", "postgres", "-d", "postgres", "-c"]
            subprocess.run(psql + [f"CREATE DATABASE {db}"], check=True)
            try:
                bench("postgres", f"postgres://postgres@{pg[0]}:{pg[1]}/{db}", bin_path, args.events, args.seconds)
            finally:
                subprocess.run(psql + [f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=False)
        else:
            sys.exit(f"unknown backend {backend}")


if __name__ == "__main__":
    main()
