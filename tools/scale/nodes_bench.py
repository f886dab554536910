#!/usr/bin/env python3
"""One node against two on the same PostgreSQL database, driven by wrk.

    python3 tools/scale/nodes_bench.py --database-url postgres://postgres@127.0.0.1:5432/scale_100k \
        --holders 100000 [--secs 15] [--server target/release/identity-web]

The database is one `scale-populate` filled (its logins all have the test
password). Two kinds of load, each first on one node with 8 connections, then on
two nodes with 4 connections each (two wrk processes at once):

- password sign-ins (apps/identity-web/benches/wrk/sign_in.lua: the CSRF pair,
  logins that never meet a throttle, only `303 -> /account` counts);
- `GET /account` with a signed-in session (a cookie per connection).

For each: answers per second, the nodes' CPU per answer (from /proc/<pid>/stat),
the PostgreSQL backends' CPU per answer (the backends serving that database, from
pg_stat_activity), wrk's own CPU, and what the rest of the machine used. On two
cores two nodes cannot be faster than one; what this shows is what a node costs
the shared database per request and what each extra node adds (pool
connections, a second process), which is what a capacity model needs.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import http.cookiejar

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LUA = os.path.join(ROOT, "apps/identity-web/benches/wrk/sign_in.lua")
PASSWORD = "Ver0-Sicura!x"
DOMAIN = "test.example.it"
FIRST_LOGIN = 100_000_000
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    """User + system CPU seconds of a process (0 if gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except OSError:
        return 0.0


def machine_cpu():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    values = [int(v) for v in parts]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    out = subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def backend_pids(url):
    database = urllib.parse.urlparse(url).path.lstrip("/")
    rows = psql(url, f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()")
    return [int(p) for p in rows.split()] if rows else []


class Node:
    def __init__(self, server, url, keys, workdir, name):
        self.port = free_port()
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        env = dict(os.environ)
        env.update({
            "IDENTITY_DATABASE_URL": url,
            "IDENTITY_LISTEN": f"127.0.0.1:{self.port}",
            "IDENTITY_DATA_DIR": self.dir,
            "IDENTITY_LOGIN_DOMAIN": DOMAIN,
            "IDENTITY_TOTP_KEYS": keys,
            "IDENTITY_CLIENT_IP_HEADER": "x-forwarded-for",
            "IDENTITY_JOBS_INTERVAL_SECS": "0",
            "RUST_LOG": "warn",
        })
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen([server], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"node {name} did not get ready (log in {self.dir})")

    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def csrf_of(node):
    with urllib.request.urlopen(node.url() + "/account/sign-in") as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            m = re.match(r"csrf=([^;]+)", header)
            if m:
                return m.group(1)
    raise SystemExit("no csrf cookie on the sign-in page")


def session_cookie(node, login):
    """Signs `login` in through the page; the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(node.url() + "/account/sign-in").read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf": token, "login_id": login, "password": PASSWORD}).encode()
    opener.open(urllib.request.Request(node.url() + "/account/sign-in", data=data, headers={"X-Forwarded-For": "10.200.0.1"}))
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar if c.name != "csrf")
    if not cookies:
        raise SystemExit(f"{login} did not sign in")
    return cookies


ACCOUNT_LUA = """
local cookies = {}
local n = 0
function init(args)
  for line in io.lines(args[1]) do table.insert(cookies, line) end
end
function request()
  n = n % #cookies + 1
  return wrk.format("GET", "/account", { ["Host"] = "localhost", ["Cookie"] = cookies[n] })
end
local ok, bad = 0, 0
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("RESULT duration_us=%d requests=%d signed_in=0 failed=0 socket_errors=%d p50_us=%d p99_us=%d max_us=%d statuses=\\n",
    summary.duration, summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def run_wrk(targets, secs, nodes, url):
    """targets: (node, connections, script, args); runs them at once."""
    procs = []
    before_nodes = [cpu_of(n.proc.pid) for n in nodes]
    pids = backend_pids(url)
    before_db = sum(cpu_of(p) for p in pids)
    before_machine = machine_cpu()
    start = time.time()
    for node, conns, script, args in targets:
        cmd = ["wrk", "-t1", f"-c{conns}", f"-d{secs}s", "-s", script, node.url(), "--"] + args
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = []
    wrk_cpu = 0.0
    for p in procs:
        out, _ = p.communicate()
        outputs.append(out)
    wall = time.time() - start
    # Children's CPU: the wrk processes just waited for.
    usage = os.times()
    wrk_cpu = usage.children_user + usage.children_system - run_wrk.children_before
    run_wrk.children_before = usage.children_user + usage.children_system
    nodes_cpu = sum(cpu_of(n.proc.pid) for n in nodes) - sum(before_nodes)
    db_cpu = sum(cpu_of(p) for p in pids) - before_db
    machine = machine_cpu() - before_machine
    results = []
    for out in outputs:
        m = re.search(r"RESULT (.*)", out)
        if not m:
            raise SystemExit("wrk said:\n" + out)
        results.append(dict(kv.split("=", 1) for kv in m.group(1).split()))
    return results, wall, nodes_cpu, db_cpu, wrk_cpu, machine


run_wrk.children_before = 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--holders", type=int, required=True)
    ap.add_argument("--secs", type=int, default=15)
    ap.add_argument("--server", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release/identity-web"))
    a = ap.parse_args()
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    work = tempfile.mkdtemp(prefix="nodes-bench-")
    keys = json.dumps(["k1:" + base64.b64encode(os.urandom(32)).decode()])
    nodes = [Node(a.server, a.database_url, keys, work, "a"), Node(a.server, a.database_url, keys, work, "b")]
    try:
        # Sign-in data: logins spread over the range, an address each.
        data = os.path.join(work, "sign_in.data")
        with open(data, "w") as f:
            f.write(f"csrf {csrf_of(nodes[0])}\n")
            for k in range(128):
                i = (k * 7919 + 101) % a.holders
                f.write(f"login {FIRST_LOGIN + 3 * i}@{DOMAIN} 10.{k // 250}.{k % 250}.9\n")
        cookies = os.path.join(work, "cookies")
        with open(cookies, "w") as f:
            for k in range(16):
                i = (k * 6007 + 7) % a.holders
                f.write(session_cookie(nodes[k % 2], f"{FIRST_LOGIN + 3 * i}@{DOMAIN}") + "\n")
        account = os.path.join(work, "account.lua")
        with open(account, "w") as f:
            f.write(ACCOUNT_LUA)
        print(f"| load | nodes | answers/s | node CPU per answer | PostgreSQL CPU per answer | wrk CPU (s) | other CPU (s) | p50 / p99 (ms) | failed |")
        print("|---|---|---|---|---|---|---|---|---|")
        for load, script, args in [
            ("password sign-in", LUA, [data, PASSWORD, "1"]),
            ("GET /account", account, [cookies]),
        ]:
            for count in (1, 2):
                used = nodes[:count]
                targets = [(n, 8 // count, script, args) for n in used]
                results, wall, nodes_cpu, db_cpu, wrk_cpu, machine = run_wrk(targets, a.secs, used, a.database_url)
                if load == "password sign-in":
                    answered = sum(int(r["signed_in"]) for r in results)
                    failed = sum(int(r["failed"]) + int(r["socket_errors"]) for r in results)
                else:
                    answered = sum(int(r["requests"]) for r in results)
                    failed = sum(int(r["socket_errors"]) for r in results)
                rate = answered / a.secs
                p50 = max(int(r["p50_us"]) for r in results) / 1000
                p99 = max(int(r["p99_us"]) for r in results) / 1000
                other = machine - nodes_cpu - db_cpu - wrk_cpu
                print(f"| {load} | {count} | {rate:.1f} | {nodes_cpu / max(answered, 1) * 1000:.2f} ms | "
                      f"{db_cpu / max(answered, 1) * 1000:.2f} ms | {wrk_cpu:.2f} | {other:.2f} | {p50:.1f} / {p99:.1f} | {failed} |")
                sys.stdout.flush()
    finally:
        for n in nodes:
            n.stop()


if __name__ == "__main__":
    main()
