"""Scenario "db-restart": the PostgreSQL server restarts under load.

A private PostgreSQL cluster (initdb/pg_ctl as the postgres user, in a temporary
directory, on a free port) so the shared server is never touched. identity-web
runs on it under steady registrations and reads; the cluster is stopped
(`pg_ctl stop -m immediate`, a crash) for a few seconds and started again.

Promises: while the database is down, requests that need it answer 503 with
Retry-After (never another 5xx, never a hang beyond a few seconds) and /readyz
answers 503 while /healthz stays 200; once it is back the app recovers without a
restart; every acknowledged registration is there; nothing half-written.
"""

from __future__ import annotations

import glob
import os
import re
import pwd
import shutil
import subprocess
import threading
import time

import requests

from faultlib import (
    PASSWORD, Database, Figures, Missing, People, Server, TempDir, check_invariants, free_port, log, psql,
    setup_operator_and_client,
)

HANG = 6.0  # seconds: slower than this during the outage is a hang (the pool waits 5 s for a connection)


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise Missing(f"{name} not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


class PrivateCluster:
    def __init__(self, root: str):
        try:
            pwd.getpwnam("postgres")
        except KeyError as e:
            raise Missing("no postgres user to run a private cluster as") from e
        if not shutil.which("runuser"):
            raise Missing("runuser not found")
        self.root = root
        self.data = os.path.join(root, "pgdata")
        self.port = free_port()
        self.logfile = os.path.join(root, "postgres.log")
        shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
        self._pg(pg_bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args, check=True):
        p = subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: {p.stderr.strip()} {p.stdout.strip()}")
        return p

    def start(self):
        self._pg(pg_bin("pg_ctl"), "-D", self.data, "-l", self.logfile, "-w", "-o",
                 f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on", "start")

    def crash(self):
        self._pg(pg_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop")

    def destroy(self):
        self._pg(pg_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop", check=False)


class ClusterDb(Database):
    backend = "postgres"

    def __init__(self, cluster: PrivateCluster):
        psql(cluster.url, "CREATE DATABASE identity_faults")
        self.url = cluster.url.rsplit("/", 1)[0] + "/identity_faults"

    def rows(self, sql):
        import json
        return json.loads(psql(self.url, f"SELECT coalesce(json_agg(t), '[]'::json) FROM ({sql}) t"))


class Probe:
    """Requests sent all along, each recorded with the phase it was sent in."""

    def __init__(self, server: Server, token: str, people: People):
        self.server = server
        self.token = token
        self.people = people
        self.phase = "before"
        self.phase_since = time.monotonic()
        self.lock = threading.Lock()
        self.log = []  # (phase, kind, status or exception name, seconds, retry_after)
        self.acked = []
        self.stop = threading.Event()
        self.login_id = ""

    def record(self, kind, fn):
        phase = self.phase
        t0 = time.monotonic()
        try:
            r = fn()
            status, retry = r.status_code, r.headers.get("retry-after")
        except requests.RequestException as e:
            r, status, retry = None, type(e).__name__, None
        with self.lock:
            self.log.append((phase, kind, status, time.monotonic() - t0, retry, t0 - self.phase_since))
        return r

    def worker(self, kind):
        b = self.server.base
        auth = {"Authorization": f"Bearer {self.token}"}
        while not self.stop.is_set():
            if kind == "register":
                body = self.people.person()
                r = self.record(kind, lambda: requests.post(b + "/api/v1/holders", json=body, headers=auth, timeout=15))
                if r is not None and r.status_code == 201:
                    with self.lock:
                        self.acked.append(r.json()["holder_id"])
            elif kind == "readyz":
                self.record(kind, lambda: requests.get(b + "/readyz", timeout=15))
            elif kind == "healthz":
                self.record(kind, lambda: requests.get(b + "/healthz", timeout=15))
            elif kind == "page":
                # A page that needs the database: the customer-area sign-in, with
                # the form's CSRF token and the right password.
                s = requests.Session()
                page = self.record("sign-in form", lambda: s.get(b + "/account/sign-in", timeout=15))
                m = re.search(r'name="csrf" value="([^"]+)"', page.text) if page is not None else None
                if m:
                    form = {"csrf": m.group(1), "login_id": self.login_id, "password": PASSWORD}
                    self.record("sign-in", lambda: s.post(b + "/account/sign-in", data=form, allow_redirects=False, timeout=15))
            elif kind == "api-read":
                hid = self.acked[0] if self.acked else "00000000-0000-0000-0000-000000000000"
                self.record(kind, lambda: requests.get(f"{b}/api/v1/holders/{hid}", headers=auth, timeout=15))
            time.sleep(0.1)


def run(backend: str, restarts: int, keep=False) -> Figures:
    fig = Figures("db-restart", backend)
    tmp = TempDir()
    os.chmod(tmp.path, 0o755)
    cluster = PrivateCluster(tmp.sub("pg"))
    server = None
    probe = None
    try:
        cluster.start()
        db = ClusterDb(cluster)
        data = tmp.sub("data")
        server = Server(db, data)
        server.start()
        _, token = setup_operator_and_client(server)
        probe = Probe(server, token, People())
        first = requests.post(server.base + "/api/v1/holders", json=probe.people.person(), timeout=30,
                              headers={"Authorization": f"Bearer {token}"})
        if first.status_code != 201:
            raise RuntimeError(f"setup registration answered {first.status_code}: {first.text[:200]}")
        probe.login_id = first.json()["login_id"]
        probe.acked.append(first.json()["holder_id"])
        threads = [threading.Thread(target=probe.worker, args=(k,))
                   for k in ("register", "register", "readyz", "healthz", "page", "api-read")]
        for t in threads:
            t.start()
        ready_times = []
        for n in range(1, restarts + 1):
            time.sleep(3)
            probe.phase, probe.phase_since = "outage", time.monotonic()
            cluster.crash()
            log(f"  db-restart {n}: PostgreSQL down")
            time.sleep(8)
            probe.phase, probe.phase_since = "restarting", time.monotonic()
            cluster.start()
            t0 = time.monotonic()
            log(f"  db-restart {n}: PostgreSQL up again")
            ready = None
            while time.monotonic() - t0 < 60:
                try:
                    if requests.get(server.base + "/readyz", timeout=5).status_code == 200:
                        ready = time.monotonic() - t0
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.1)
            if ready is None:
                fig.fail(f"restart {n}: /readyz not 200 within 60 s of PostgreSQL coming back")
                ready_times.append(float("inf"))
            else:
                ready_times.append(ready)
            probe.phase, probe.phase_since = "after", time.monotonic()
            time.sleep(4)
        probe.stop.set()
        for t in threads:
            t.join(30)
        if not server.alive():
            fig.fail("identity-web exited during the outage")
        with probe.lock:
            entries = list(probe.log)
        outage = [e for e in entries if e[0] == "outage"]
        after = [e for e in entries if e[0] == "after"]
        bad_outage = [e for e in outage if e[1] != "healthz" and not isinstance(e[2], int)]
        restarting = [e for e in entries if e[0] == "restarting"]
        other5xx_outage = [e for e in outage + restarting if isinstance(e[2], int) and e[2] >= 500 and e[2] != 503]
        hangs = [e for e in outage if e[3] > HANG]
        no_retry_after = [e for e in outage if e[2] == 503 and not e[4] and e[1] != "readyz"]
        readyz_outage = [e[2] for e in outage if e[1] == "readyz"]
        healthz_bad = [e for e in entries if e[1] == "healthz" and e[2] != 200]
        # Once /readyz is 200 again: never another 5xx, never unanswered; a 503
        # (a pooled connection found dead) only in the first 2 s.
        after_5xx = [e for e in after if not isinstance(e[2], int) or (e[2] >= 500 and e[2] != 503)
                     or (e[2] == 503 and e[5] > 2.0)]
        after_503 = [e for e in after if e[2] == 503]
        if other5xx_outage:
            fig.fail(f"{len(other5xx_outage)} answer(s) during the outage were 5xx other than 503, e.g. "
                     f"{sorted({(e[1], e[2]) for e in other5xx_outage})}")
        if bad_outage:
            fig.fail(f"requests during the outage got no answer: {sorted({(e[1], e[2]) for e in bad_outage})}")
        if hangs:
            fig.fail(f"{len(hangs)} request(s) during the outage took more than {HANG:.0f} s: "
                     f"{[(e[1], e[2], round(e[3], 1)) for e in hangs[:5]]}")
        if no_retry_after:
            fig.fail(f"{len(no_retry_after)} 503 answer(s) without Retry-After, e.g. {sorted({e[1] for e in no_retry_after})}")
        if readyz_outage and 503 not in readyz_outage:
            fig.fail(f"/readyz during the outage answered {sorted(set(map(str, readyz_outage)))}, never 503")
        if healthz_bad:
            fig.fail(f"/healthz failed {len(healthz_bad)} time(s): {sorted({str(e[2]) for e in healthz_bad})}")
        if after_5xx:
            fig.fail(f"{len(after_5xx)} failed request(s) after /readyz was 200 again (5xx other than 503, no answer, "
                     f"or 503 later than 2 s): {sorted({(e[1], str(e[2]), round(e[5], 1)) for e in after_5xx})}")
        ok_after = [e for e in after if e[1] == "register" and e[2] == 201]
        if not ok_after:
            fig.fail("no registration succeeded after the database came back: the app did not recover")
        holders = {r["id"] for r in db.rows("SELECT id FROM holders")}
        lost = [h for h in probe.acked if h not in holders]
        if lost:
            fig.fail(f"{len(lost)} acknowledged registration(s) lost: {lost[:5]}")
        broken = check_invariants(db)
        for name, keys in broken.items():
            fig.fail(f"invariant broken: {name}: {keys}")
        statuses = {}
        for e in outage:
            k = f"{e[1]} {e[2]}"
            statuses[k] = statuses.get(k, 0) + 1
        fig.values = {
            "restarts": restarts,
            "requests during outage": len(outage),
            "outage answers": ", ".join(f"{k}:{v}" for k, v in sorted(statuses.items())),
            "5xx other than 503 during": len(other5xx_outage),
            "failed after ready (see promise)": len(after_5xx),
            "503 after ready (first 2 s)": len(after_503),
            "slowest answer during outage s": f"{max((e[3] for e in outage), default=0):.2f}",
            "time to ready again s (max)": f"{max(ready_times):.2f}" if ready_times else "-",
            "registrations acknowledged": len(probe.acked),
            "lost": len(lost),
            "half-written": len(broken),
        }
        return fig
    finally:
        if probe:
            probe.stop.set()
        if server:
            server.kill9()
        cluster.destroy()
        tmp.cleanup(keep)
