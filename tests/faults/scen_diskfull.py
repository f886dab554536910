"""Scenario "disk-full": SQLite's data directory fills up.

The data directory is a small tmpfs (mount -t tmpfs, so this needs root). After a
few registrations, a filler file takes every free byte. Then writes (API
registrations, a sign-in post, which writes its throttle and audit records) must
answer a clear error — 503 with Retry-After (or 507), never a panic, never the
process gone — while /healthz stays 200. The filler is removed: writes succeed
again without a restart, PRAGMA integrity_check says ok, every acknowledged
registration is there and nothing is half-written.
"""

from __future__ import annotations

import errno
import os
import subprocess
import time

import requests

from faultlib import (
    Figures, Missing, People, Server, SqliteDb, TempDir, check_invariants, log,
    setup_operator_and_client, sign_in_customer,
)

SIZE = "24m"


def fill(path: str) -> int:
    """Writes until ENOSPC; the bytes written."""
    written = 0
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 512, 1):
            block = b"\0" * chunk
            while True:
                try:
                    f.write(block)
                    written += chunk
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    return written


def run(backend: str, cycles: int, keep=False) -> Figures:
    fig = Figures("disk-full", backend)
    if os.geteuid() != 0:
        raise Missing("the disk-full scenario mounts a tmpfs: run as root")
    tmp = TempDir()
    mnt = tmp.sub("mnt")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", mnt], capture_output=True, text=True)
    if p.returncode != 0:
        raise Missing(f"cannot mount a tmpfs: {p.stderr.strip()}")
    server = None
    try:
        data = os.path.join(mnt, "data")
        os.makedirs(data)
        db = SqliteDb(data)
        server = Server(db, data, log_dir=tmp.path)
        server.start()
        _, token = setup_operator_and_client(server)
        people = People()
        auth = {"Authorization": f"Bearer {token}"}
        acked = []
        logins = []
        refused = []  # tax codes of registrations answered with an error

        def register():
            body = people.person()
            try:
                r = requests.post(server.base + "/api/v1/holders", json=body, headers=auth, timeout=30)
            except requests.RequestException:
                refused.append(body["tax_code"])
                raise
            if r.status_code == 201:
                acked.append(r.json()["holder_id"])
                logins.append(r.json()["login_id"])
            else:
                refused.append(body["tax_code"])
            return r

        for _ in range(5):
            r = register()
            if r.status_code != 201:
                fig.fail(f"registration before the disk filled answered {r.status_code}")
        statuses = {}
        unclear = []
        recovered_in = []
        after_free = []
        for c in range(1, cycles + 1):
            filler = os.path.join(mnt, "filler")
            n = fill(filler)
            log(f"  disk-full cycle {c}: filled {n >> 20} MiB")
            t_end = time.monotonic() + 8
            while time.monotonic() < t_end:
                for kind in ("register", "sign-in", "healthz"):
                    try:
                        if kind == "register":
                            r = register()
                        elif kind == "sign-in":
                            s = requests.Session()
                            page = s.get(server.base + "/account/sign-in", timeout=30)
                            import re
                            m = re.search(r'name="csrf" value="([^"]+)"', page.text)
                            r = s.post(server.base + "/account/sign-in", allow_redirects=False, timeout=30,
                                       data={"csrf": m.group(1) if m else "", "login_id": logins[0], "password": "Wrong-Passw0rd!"})
                        else:
                            r = requests.get(server.base + "/healthz", timeout=30)
                        status, retry = r.status_code, r.headers.get("retry-after")
                    except requests.RequestException as e:
                        status, retry = type(e).__name__, None
                        if statuses.get(f"{kind} {status}", 0) == 0:
                            log(f"  {kind}: {e}")
                    key = f"{kind} {status}"
                    statuses[key] = statuses.get(key, 0) + 1
                    if kind == "healthz" and status != 200:
                        unclear.append(key)
                    elif kind == "register" and status not in (201, 503, 507):
                        unclear.append(key)
                    elif kind == "sign-in" and status not in (401, 503, 507, 429):
                        unclear.append(key)
                    elif status in (503, 507) and not retry and status == 503:
                        unclear.append(key + " without Retry-After")
                time.sleep(0.2)
            if not server.alive():
                fig.fail(f"cycle {c}: identity-web died while the disk was full:\n{server.tail()}")
                break
            os.remove(filler)
            t0 = time.monotonic()
            ok = False
            while time.monotonic() - t0 < 30:
                try:
                    if register().status_code == 201:
                        ok = True
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.5)
            if not ok:
                fig.fail(f"cycle {c}: no registration succeeded within 30 s of freeing the space")
            recovered_in.append(time.monotonic() - t0)
            # Once writes work again, they all work: no connection left broken.
            for _ in range(40):
                try:
                    st = register().status_code
                except requests.RequestException as e:
                    st = type(e).__name__
                if st != 201:
                    after_free.append(st)
            for _ in range(10):
                if sign_in_customer(server.base, logins[0]) is None:
                    after_free.append("sign-in refused")
        if unclear:
            kinds = sorted(set(unclear))
            fig.fail(f"{len(unclear)} unclear answer(s) while the disk was full: {kinds}")
        if server.log_contains("panicked"):
            fig.fail("identity-web panicked (see its log)")
        alive = server.alive()
        server.stop()
        integrity = db.scalar("PRAGMA integrity_check")
        if integrity != "ok":
            fig.fail(f"PRAGMA integrity_check: {integrity}")
        holders = {r["id"] for r in db.rows("SELECT id FROM holders")}
        lost = [h for h in acked if h not in holders]
        if lost:
            fig.fail(f"{len(lost)} acknowledged registration(s) lost")
        stored = {r["tax_code"] for r in db.rows("SELECT tax_code FROM holders")}
        stored_but_refused = [t for t in refused if t in stored]
        if stored_but_refused:
            fig.fail(f"{len(stored_but_refused)} registration(s) answered with an error were stored all the same, "
                     f"e.g. {stored_but_refused[:3]}")
        if after_free:
            fig.fail(f"{len(after_free)} of 50 writes failed after the space was freed and writes had worked again: "
                     f"{sorted(set(map(str, after_free)))}")
        broken = check_invariants(db)
        for name, keys in broken.items():
            fig.fail(f"invariant broken: {name}: {keys}")
        fig.values = {
            "cycles": cycles,
            "answers while full": ", ".join(f"{k}:{v}" for k, v in sorted(statuses.items())),
            "unclear answers": len(unclear),
            "process alive": alive,
            "writes ok again after s (max)": f"{max(recovered_in):.1f}" if recovered_in else "-",
            "integrity_check": integrity,
            "writes failed after recovery": len(after_free),
            "answered error but stored": len(stored_but_refused),
            "registrations acknowledged": len(acked),
            "lost": len(lost),
            "half-written": len(broken),
        }
        return fig
    finally:
        if server:
            server.kill9()
        subprocess.run(["umount", "-l", mnt], capture_output=True)
        tmp.cleanup(keep)
