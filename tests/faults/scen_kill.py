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
    and each change has its audit record and its "data changed" mail;
  - selfcare password sign-ins of a holder with an active digital identity
    (level 1): acknowledged = 303 to /selfcare; the session still opens /selfcare
    after the restart and each one left its access record;
  - selfcare changes: the level-1 access-notification switch flipped through its
    form, one change at a time: after the restart it is the last acknowledged
    value or a later attempted one, and each change has its audit record;
  - OpenID Connect code flow of a registered service provider (PKCE,
    client_secret_basic): the code reaching the redirect URI and the token
    answer are acknowledgements; after the restart every acknowledged access
    token still works at userinfo, every acknowledged code never exchanged is
    exchangeable once, and no code is ever exchangeable twice.
"""

from __future__ import annotations

import random
import threading
import time

import requests

import oidc
from faultlib import (
    LOGIN_DOMAIN, Broken, csrf_of, Figures, People, Server, TempDir, check_invariants, log, make_db,
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
        self.selfcare = []     # (trial, requests.Session)
        self.codes = []        # dicts: trial, code, verifier, sent, token
        self.twice = 0         # codes exchanged twice
        self.notify = []       # [value, acked]: the selfcare access-notification switch (level 1)

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


def selfcare_worker(server: Server, ledger: Ledger, stop: threading.Event, trial: int, login_id: str):
    while not stop.is_set():
        with ledger.lock:
            ledger.attempts += 1
        try:
            s, r = oidc.sign_in_selfcare(server, login_id)
        except (requests.RequestException, RuntimeError):
            ledger.refuse("no answer")
            continue
        if s is None:
            ledger.refuse(f"selfcare sign-in {r.status_code}")
            time.sleep(0.05)
            continue
        with ledger.lock:
            ledger.selfcare.append((trial, s))


def selfcare_change_worker(server: Server, ledger: Ledger, stop: threading.Event, login_id: str):
    """Flips the level-1 access-notification switch in the selfcare, one change
    at a time (the order is known)."""
    s = None
    while not stop.is_set():
        try:
            if s is None:
                s, _ = oidc.sign_in_selfcare(server, login_id)
                if s is None:
                    ledger.refuse("selfcare sign-in refused")
                    time.sleep(0.05)
                    continue
            page = s.get(server.base + "/selfcare/accesses", timeout=30)
            if page.status_code != 200:
                ledger.refuse(f"selfcare accesses {page.status_code}")
                s = None
                continue
            with ledger.lock:
                value = not ledger.notify[-1][0] if ledger.notify else True
                entry = [value, False]
                ledger.notify.append(entry)
                ledger.attempts += 1
            form = {"csrf": csrf_of(page.text)}
            if value:
                form["level1"] = "on"
            r = s.post(server.base + "/selfcare/notifications", data=form, allow_redirects=False, timeout=30)
        except (requests.RequestException, RuntimeError):
            ledger.refuse("no answer")
            s = None
            continue
        if r.status_code == 303 and "notifications_saved" in r.headers.get("set-cookie", ""):
            entry[1] = True
        else:
            ledger.refuse(f"selfcare change {r.status_code}")
            s = None  # a new, fresh sign-in
            time.sleep(0.05)


def oidc_worker(server: Server, ledger: Ledger, stop: threading.Event, trial: int, login_id: str, disco, secret):
    while not stop.is_set():
        with ledger.lock:
            ledger.attempts += 1
        try:
            got = oidc.authorize(server, disco, login_id)
        except (requests.RequestException, RuntimeError):
            ledger.refuse("no answer")
            continue
        if got is None:
            ledger.refuse("authorization not completed")
            time.sleep(0.05)
            continue
        entry = {"trial": trial, "code": got[0], "verifier": got[1], "sent": False, "token": None}
        with ledger.lock:
            ledger.codes.append(entry)
        if stop.is_set():
            break
        entry["sent"] = True
        try:
            r = oidc.exchange(server, disco, secret, got[0], got[1])
        except requests.RequestException:
            ledger.refuse("no answer")
            continue
        if r.status_code == 200:
            entry["token"] = r.json()["access_token"]
        else:
            ledger.refuse(f"token {r.status_code}")


def verify_identity_work(server: Server, ledger: Ledger, trial: int, fig: Figures) -> tuple[int, int]:
    """Selfcare sign-ins and OpenID Connect codes and tokens after a restart."""
    lost = 0
    twice = 0
    with ledger.lock:
        selfcare = [s for t, s in ledger.selfcare if t == trial]
        all_selfcare = len(ledger.selfcare)
        codes = [c for c in ledger.codes if c["trial"] == trial]
        all_codes = len(ledger.codes)
    for s in selfcare:
        r = s.get(server.base + "/selfcare", allow_redirects=False, timeout=10)
        if r.status_code != 200:
            lost += 1
            fig.fail(f"trial {trial}: acknowledged selfcare sign-in lost its session (/selfcare answered {r.status_code})")
    hid = server.identity["holder_id"]
    records = {r["service"]: int(r["n"]) for r in server.db.rows(
        f"SELECT service, COUNT(*) AS n FROM access_records WHERE holder_id = {sql_str(hid)} GROUP BY service")}
    if records.get("selfcare", 0) < all_selfcare:
        lost += 1
        fig.fail(f"trial {trial}: {all_selfcare} acknowledged selfcare sign-ins but {records.get('selfcare', 0)} access records")
    if records.get("Comune di Prova", 0) < all_codes:
        lost += 1
        fig.fail(f"trial {trial}: {all_codes} codes issued after a sign-in but {records.get('Comune di Prova', 0)} access records")
    with ledger.lock:
        notify = list(ledger.notify)
    acked = [i for i, (_, ok) in enumerate(notify) if ok]
    if acked:
        allowed = {v for v, _ in notify[acked[-1]:]}
        bits = server.db.scalar(f"SELECT notify_levels FROM identity_credentials "
                                f"WHERE identity_id = {sql_str(server.identity['identity_id'])}")
        if bool(int(bits) & 1) not in allowed:
            lost += 1
            fig.fail(f"trial {trial}: the level-1 access notification is {bool(int(bits) & 1)}, "
                     f"last acknowledged {notify[acked[-1]][0]}")
    # A flip is surely a change when the attempt before it was acknowledged too
    # (after an unacknowledged one the switch may already be where it goes, and
    # the page then changes nothing).
    n_acked = sum(1 for i, (_, ok) in enumerate(notify) if ok and (notify[i - 1][1] if i else True))
    n_audit = int(server.db.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE event = 'credential.access_notification'"))
    if n_audit < n_acked:
        lost += 1
        fig.fail(f"trial {trial}: {n_acked} acknowledged selfcare changes (after an acknowledged one) but {n_audit} audit records")
    disco, secret = server.disco, server.sp_secret
    # Tokens first: presenting their code again revokes them.
    for c in codes:
        if c["token"]:
            r = oidc.userinfo(server, disco, c["token"])
            if r.status_code != 200:
                lost += 1
                fig.fail(f"trial {trial}: acknowledged access token refused at userinfo after the restart ({r.status_code})")
    for c in codes:
        if c["token"]:
            r = oidc.exchange(server, disco, secret, c["code"], c["verifier"])
            if r.status_code == 200:
                twice += 1
                fig.fail(f"trial {trial}: a code exchanged before the crash was exchanged again after it")
            continue
        first = oidc.exchange(server, disco, secret, c["code"], c["verifier"])
        if first.status_code != 200 and not c["sent"]:
            lost += 1
            fig.fail(f"trial {trial}: an issued code never presented was refused after the restart "
                     f"({first.status_code} {first.text[:120]})")
        if first.status_code == 200:
            c["token"] = first.json()["access_token"]
        second = oidc.exchange(server, disco, secret, c["code"], c["verifier"])
        if second.status_code == 200:
            twice += 1
            fig.fail(f"trial {trial}: a code was exchanged twice after the restart")
    with ledger.lock:
        ledger.twice += twice
    return lost, twice


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
    # Each acknowledged customer-area sign-in has its sign_in.ok audit record.
    ok_records = int(db.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE event = 'sign_in.ok'"))
    with ledger.lock:
        all_sign_ins = len(ledger.sessions)
    if ok_records < all_sign_ins:
        lost += 1
        fig.fail(f"trial {trial}: {all_sign_ins} acknowledged sign-ins but {ok_records} sign_in.ok audit records")
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
    more_lost, twice = verify_identity_work(server, ledger, trial, fig)
    # The sessions of this trial are checked: close their connections (no
    # descriptor leak over 30 trials).
    with ledger.lock:
        for t, s, *_ in ledger.sessions + ledger.selfcare:
            if t == trial:
                s.close()
    return lost + more_lost, half + twice


def run(backend: str, trials: int, keep=False) -> Figures:
    fig = Figures("kill -9", backend)
    tmp = TempDir()
    data = tmp.sub("data")
    db = make_db(backend, data)
    # File mail, delivered rarely: the setup reads its single-use codes from the outbox.
    server = Server(db, data, extra_env={"IDENTITY_MAIL__DELIVERY_INTERVAL_SECS": "3600"})
    try:
        server.start()
        op_token, api_token = setup_operator_and_client(server)
        server.api_token = api_token
        people = People()
        ledger = Ledger()
        server.identity = oidc.active_identity(server, api_token, op_token, people.person())
        server.sp_secret = oidc.add_service_provider(server, op_token)
        server.disco = oidc.discovery(server)
        identity_login = server.identity["login_id"]
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
        def acked_count():
            with ledger.lock:
                return (len(ledger.registered) + len(ledger.sessions) + len(ledger.selfcare)
                        + sum(1 for _, ok in ledger.notify if ok)
                        + len(ledger.codes) + sum(1 for c in ledger.codes if c["token"])
                        + sum(1 for t in ledger.patches.values() for _, ok in t if ok))

        for trial in range(1, trials + 1):
            before = acked_count()
            stop = threading.Event()
            threads = [
                threading.Thread(target=register_worker, args=(server, api_token, people, ledger, stop, 2)),
                threading.Thread(target=register_worker, args=(server, api_token, people, ledger, stop, 3)),
                threading.Thread(target=register_worker, args=(server, api_token, people, ledger, stop, 1000)),
                threading.Thread(target=sign_in_worker, args=(server, ledger, stop, trial, [p[1] for p in pool])),
                threading.Thread(target=patch_worker, args=(server, api_token, ledger, stop, [p[0] for p in pool[:3]], counter)),
                threading.Thread(target=patch_worker, args=(server, api_token, ledger, stop, [p[0] for p in pool[3:]], counter)),
                threading.Thread(target=selfcare_worker, args=(server, ledger, stop, trial, identity_login)),
                threading.Thread(target=selfcare_change_worker, args=(server, ledger, stop, identity_login)),
                threading.Thread(target=oidc_worker, args=(server, ledger, stop, trial, identity_login,
                                                           server.disco, server.sp_secret)),
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
            after = acked_count()
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
            "selfcare sign-ins": len(ledger.selfcare),
            "selfcare changes": sum(1 for _, ok in ledger.notify if ok),
            "OIDC codes issued": len(ledger.codes),
            "OIDC tokens (some after the restart)": sum(1 for c in ledger.codes if c["token"]),
            "codes exchanged twice": ledger.twice,
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
