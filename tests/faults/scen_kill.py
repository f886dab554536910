"""Scenario "kill": kill -9 identity-web at a random moment under concurrent work,
restart it on the same database, and check that every acknowledged change is
there and that nothing is half-written.

Work kinds, in parallel threads:
  - registrations through the JSON API, people (valid tax codes) and companies
    (VAT numbers with their check digit): acknowledged = 201;
  - customer-area password sign-ins through the pages (GET the form for its CSRF
    token, POST it): acknowledged = 303 to /account with a session cookie; the
    session must still open /account after the restart;
  - contact changes through PATCH /api/v1/holders/{id} (a new street each time,
    one thread per holder set, so the order is known): acknowledged = 200; after
    the restart the street is the last acknowledged one or a later attempted one,
    and each change has its audit record and its "data changed" mail.
"""

from __future__ import annotations

import random
import threading
import time

import requests

from faultlib import (
    LOGIN_DOMAIN, Broken, Figures, People, Server, TempDir, check_invariants, log, make_db,
    setup_operator_and_client, sign_in_customer, sql_str,
)


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.registered = []   # (holder_id, login_number, email, tax_code)
        self.sessions = []     # (trial, requests.Session, login_id)
        self.patches = {}      # holder_id -> [(value, acked)]
        self.attempts = 0
        self.refused = {}      # status -> count (answers that were not acknowledgements)

    def refuse(self, what):
        with self.lock:
            self.refused[what] = self.refused.get(what, 0) + 1


def api_register(base, token, body, timeout=30):
    return requests.post(base + "/api/v1/holders", json=body, timeout=timeout,
                         headers={"Authorization": f"Bearer {token}"})


def register_worker(server: Server, token: str, people: People, ledger: Ledger, stop: threading.Event, company_every: int):
    i = 0
    while not stop.is_set():
        i += 1
        body = people.company() if i % company_every == 0 else people.person()
        with ledger.lock:
            ledger.attempts += 1
        try:
            r = api_register(server.base, token, body)
        except requests.RequestException:
            ledger.refuse("no answer")
            continue
        if r.status_code == 201:
            j = r.json()
            number = int(j["login_id"].split("@")[0])
            with ledger.lock:
                ledger.registered.append((j["holder_id"], number, body["email"], body["tax_code"]))
        else:
            ledger.refuse(f"register {r.status_code}")
            if r.status_code == 422:
                log("  unexpected 422:", r.text[:300])
            if r.status_code >= 500 and r.status_code != 503:
                log("  registration answered", r.status_code, r.text[:200])
            time.sleep(0.05)


def sign_in_worker(server: Server, ledger: Ledger, stop: threading.Event, trial: int, pool):
    while not stop.is_set():
        login_id = random.choice(pool)
        with ledger.lock:
            ledger.attempts += 1
        try:
            s = sign_in_customer(server.base, login_id)
        except (requests.RequestException, RuntimeError):
            ledger.refuse("no answer")
            continue
        if s is None:
            ledger.refuse("sign-in refused")
            time.sleep(0.05)
            continue
        with ledger.lock:
            ledger.sessions.append((trial, s, login_id))


def patch_worker(server: Server, token: str, ledger: Ledger, stop: threading.Event, holders, counter):
    while not stop.is_set():
        hid = random.choice(holders)
        value = f"Via dei Guasti {next(counter)}"
        entry = [value, False]
        with ledger.lock:
            ledger.patches.setdefault(hid, []).append(entry)
            ledger.attempts += 1
        try:
            r = requests.patch(f"{server.base}/api/v1/holders/{hid}", json={"street": value}, timeout=30,
                               headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException:
            ledger.refuse("no answer")
            continue
        if r.status_code == 200:
            entry[1] = True
        else:
            ledger.refuse(f"patch {r.status_code}")
            time.sleep(0.05)


def verify(server: Server, ledger: Ledger, trial: int, fig: Figures) -> tuple[int, int]:
    """(lost, half-written) after a restart; failures recorded in `fig`."""
    db = server.db
    lost = 0
    holders = {r["id"]: r for r in db.rows("SELECT id, tax_code, email, street FROM holders")}
    logins = {int(r["number"]): r["holder_id"] for r in db.rows("SELECT number, holder_id FROM logins")}
    api_audited = {r["holder_id"] for r in db.rows(
        "SELECT holder_id FROM audit_log WHERE event = 'api.holder_registered'")}
    mails = {}
    for r in db.rows("SELECT to_address, params FROM outbox WHERE template = 'registration_confirmed'"):
        mails.setdefault(r["to_address"], []).append(r["params"])
    with ledger.lock:
        registered = list(ledger.registered)
        sessions = [s for s in ledger.sessions if s[0] == trial]
        patches = {k: list(v) for k, v in ledger.patches.items()}
    half = 0
    for hid, number, email, cf in registered:
        h = holders.get(hid)
        if h is None:
            lost += 1
            fig.fail(f"trial {trial}: acknowledged registration {hid} ({cf}) is missing")
            continue
        if h["tax_code"] != cf:
            fig.fail(f"trial {trial}: holder {hid} has tax code {h['tax_code']}, acknowledged {cf}")
        if logins.get(number) != hid:
            lost += 1
            fig.fail(f"trial {trial}: acknowledged login {number} of {hid} is missing")
        if hid not in api_audited:
            half += 1
            fig.fail(f"trial {trial}: registration {hid} has no api.holder_registered record")
        login_id = f"{number}@{LOGIN_DOMAIN}"
        if not any(login_id in p for p in mails.get(email, [])):
            half += 1
            fig.fail(f"trial {trial}: registration {hid} has no confirmation mail with {login_id}")
    # A sample through the API as well: the restarted app serves what it acknowledged.
    for hid, *_ in random.sample(registered, min(3, len(registered))):
        if hid in holders:
            r = requests.get(f"{server.base}/api/v1/holders/{hid}", timeout=10,
                             headers={"Authorization": f"Bearer {server.api_token}"})
            if r.status_code != 200:
                fig.fail(f"trial {trial}: GET /api/v1/holders/{hid} after restart answered {r.status_code}")
    for _, s, login_id in sessions:
        r = s.get(server.base + "/account", allow_redirects=False, timeout=10)
        if r.status_code != 200:
            lost += 1
            fig.fail(f"trial {trial}: acknowledged sign-in of {login_id} lost its session (/account answered {r.status_code})")
    for hid, tries in patches.items():
        acked = [i for i, (_, ok) in enumerate(tries) if ok]
        allowed = {v for v, _ in tries[acked[-1]:]} if acked else {v for v, _ in tries} | {None}
        street = holders.get(hid, {}).get("street")
        if acked and street not in allowed:
            lost += 1
            fig.fail(f"trial {trial}: holder {hid} street is {street!r}; last acknowledged {tries[acked[-1]][0]!r}")
        elif not acked and street not in allowed and not (street or "").startswith("Via del Corso"):
            fig.fail(f"trial {trial}: holder {hid} street is {street!r}, never sent")
    if patches:
        ids = ",".join(sql_str(h) for h in patches)
        audits = {r["holder_id"]: int(r["n"]) for r in db.rows(
            f"SELECT holder_id, COUNT(*) AS n FROM audit_log WHERE event = 'holder.contacts_changed' "
            f"AND holder_id IN ({ids}) GROUP BY holder_id")}
        emails = {hid: holders[hid]["email"] for hid in patches if hid in holders}
        mails_n = {r["to_address"]: int(r["n"]) for r in db.rows(
            "SELECT to_address, COUNT(*) AS n FROM outbox WHERE template = 'data_changed' GROUP BY to_address")}
        for hid, tries in patches.items():
            a = audits.get(hid, 0)
            m = mails_n.get(emails.get(hid), 0)
            acked = sum(1 for _, ok in tries if ok)
            if a != m:
                half += 1
                fig.fail(f"trial {trial}: holder {hid}: {a} contacts_changed records but {m} data_changed mails")
            if a < acked:
                lost += 1
                fig.fail(f"trial {trial}: holder {hid}: {acked} acknowledged changes but {a} audit records")
    broken = check_invariants(db)
    for name, keys in broken.items():
        half += 1
        fig.fail(f"trial {trial}: invariant broken: {name}: {keys}")
    return lost, half


def run(backend: str, trials: int, keep=False) -> Figures:
    fig = Figures("kill -9", backend)
    tmp = TempDir()
    data = tmp.sub("data")
    db = make_db(backend, data)
    server = Server(db, data)
    try:
        server.start()
        _, api_token = setup_operator_and_client(server)
        server.api_token = api_token
        people = People()
        ledger = Ledger()
        # A pool of holders for the sign-ins and the contact changes.
        pool = []
        for _ in range(6):
            body = people.person()
            r = api_register(server.base, api_token, body)
            if r.status_code != 201:
                raise Broken(f"setup registration answered {r.status_code}: {r.text[:300]}")
            pool.append((r.json()["holder_id"], r.json()["login_id"]))
        ledger.registered.clear()
        counter = iter(range(1, 10**9))
        restart_times, acked_total, lost_total, half_total = [], 0, 0, 0
        for trial in range(1, trials + 1):
            before = len(ledger.registered) + len(ledger.sessions) + sum(
                1 for t in ledger.patches.values() for _, ok in t if ok)
            stop = threading.Event()
            threads = [
                threading.Thread(target=register_worker, args=(server, api_token, people, ledger, stop, 2)),
                threading.Thread(target=register_worker, args=(server, api_token, people, ledger, stop, 3)),
                threading.Thread(target=register_worker, args=(server, api_token, people, ledger, stop, 1000)),
                threading.Thread(target=sign_in_worker, args=(server, ledger, stop, trial, [p[1] for p in pool])),
                threading.Thread(target=patch_worker, args=(server, api_token, ledger, stop, [p[0] for p in pool[:3]], counter)),
                threading.Thread(target=patch_worker, args=(server, api_token, ledger, stop, [p[0] for p in pool[3:]], counter)),
            ]
            for t in threads:
                t.start()
            time.sleep(random.uniform(0.5, 3.0))
            server.kill9()
            stop.set()
            for t in threads:
                t.join(60)
            restart = server.start()
            restart_times.append(restart)
            after = len(ledger.registered) + len(ledger.sessions) + sum(
                1 for t in ledger.patches.values() for _, ok in t if ok)
            lost, half = verify(server, ledger, trial, fig)
            acked_total += after - before
            lost_total += lost
            half_total += half
            log(f"  kill {backend} trial {trial}/{trials}: acknowledged {after - before}, lost {lost}, "
                f"half-written {half}, restart {restart:.2f}s")
        fig.values = {
            "trials": trials,
            "acknowledged": acked_total,
            "registrations": len(ledger.registered),
            "sign-ins": len(ledger.sessions),
            "contact changes": sum(1 for t in ledger.patches.values() for _, ok in t if ok),
            "lost": lost_total,
            "half-written": half_total,
            "restart s (max)": f"{max(restart_times):.2f}" if restart_times else "-",
            "restart s (mean)": f"{sum(restart_times) / len(restart_times):.2f}" if restart_times else "-",
            "not acknowledged": sum(ledger.refused.values()),
        }
        if acked_total == 0:
            fig.fail("no work was acknowledged at all: the scenario checked nothing")
        return fig
    finally:
        server.kill9()
        db.drop()
        tmp.cleanup(keep)
