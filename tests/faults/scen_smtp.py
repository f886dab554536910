"""Scenario "smtp": the mail server goes down and comes back, and the app is
killed once while it delivers.

An aiosmtpd server we control receives the mail (IDENTITY_MAIL__TRANSPORT=smtp,
no TLS, a one-second delivery interval). Registrations run all along; the SMTP
server is stopped while they go on, then started again answering slowly, and
identity-web gets kill -9 while it is delivering; then it restarts and SMTP
answers at full speed. At the end, every mail of the outbox must have reached
the server: counted expected / delivered / duplicated by Message-ID (each mail's
Message-ID is fixed by its outbox row). Promise: none missing, and a mail received
twice only ever with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
import time

import requests

from faultlib import (
    Broken, Figures, Missing, People, Server, TempDir, free_port, log, make_db,
    setup_operator_and_client,
)

try:
    from aiosmtpd.controller import Controller
except ImportError as e:  # pragma: no cover - reported as a failure
    Controller = None
    IMPORT_ERROR = e


class Recorder:
    """The SMTP server's handler: every message received, with an optional delay."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (message_id, to, subject)
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append((str(msg.get("Message-ID", "")).strip(), ",".join(envelope.rcpt_tos),
                                  str(msg.get("Subject", ""))))
        # Kept, but acknowledged late: a sender killed now never learns it was
        # delivered and sends it again (at-least-once; same Message-ID).
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def count(self):
        with self.lock:
            return len(self.received)


class Smtp:
    def __init__(self, port, recorder):
        self.port = port
        self.recorder = recorder
        self.controller = None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


def run(backend: str, rounds: int, keep=False) -> Figures:
    if Controller is None:
        raise Missing(f"aiosmtpd is not installed ({IMPORT_ERROR}): pip install aiosmtpd")
    fig = Figures("smtp", backend)
    tmp = TempDir()
    data = tmp.sub("data")
    db = make_db(backend, data)
    recorder = Recorder()
    smtp = Smtp(free_port(), recorder)
    server = Server(db, data, extra_env={
        "IDENTITY_MAIL__TRANSPORT": "smtp",
        "IDENTITY_MAIL__SMTP__HOST": "127.0.0.1",
        "IDENTITY_MAIL__SMTP__PORT": str(smtp.port),
        "IDENTITY_MAIL__SMTP__SECURITY": "none",
        "IDENTITY_MAIL__DELIVERY_INTERVAL_SECS": "1",
    })
    people = People()
    acked = []
    lock = threading.Lock()
    stop = threading.Event()

    def registrations(token):
        while not stop.is_set():
            body = people.person() if len(acked) % 3 else people.company()
            try:
                r = requests.post(server.base + "/api/v1/holders", json=body, timeout=30,
                                  headers={"Authorization": f"Bearer {token}"})
            except requests.RequestException:
                time.sleep(0.1)
                continue
            if r.status_code == 201:
                with lock:
                    acked.append(body["email"])
            time.sleep(0.2)

    try:
        smtp.start()
        server.start()
        _, token = setup_operator_and_client(server)
        kills = 0
        outage_total = 0.0
        for rnd in range(1, rounds + 1):
            stop.clear()
            worker = threading.Thread(target=registrations, args=(token,))
            worker.start()
            time.sleep(2)
            # SMTP down while registrations go on.
            smtp.stop()
            t_down = time.monotonic()
            log(f"  smtp round {rnd}: SMTP down")
            time.sleep(5)
            # Back, but slow: the app is killed in the middle of a delivery batch.
            recorder.delay = 0.4
            smtp.start()
            outage_total += time.monotonic() - t_down
            seen = recorder.count()
            deadline = time.monotonic() + 60
            while recorder.count() < seen + 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            if recorder.count() < seen + 2:
                fig.fail(f"round {rnd}: no delivery within 60 s of SMTP coming back")
            server.kill9()
            kills += 1
            log(f"  smtp round {rnd}: identity-web killed during delivery ({recorder.count() - seen} received since SMTP came back)")
            recorder.delay = 0.0
            server.start()
            time.sleep(2)
            stop.set()
            worker.join(60)
        # Wait for the outbox to drain: failed attempts retry after 30 s, a lease
        # held by the killed process ends after 45 s.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            pending = db.scalar("SELECT COUNT(*) AS n FROM outbox WHERE status <> 'sent' AND template NOT LIKE 'sms%'")
            if int(pending) == 0:
                break
            time.sleep(1)
        time.sleep(2)
        rows = db.rows("SELECT id, to_address, template, status FROM outbox WHERE template NOT LIKE 'sms%'")
        expected = {r["id"]: r for r in rows}
        with recorder.lock:
            received = list(recorder.received)
        by_id = {}
        for mid, to, subj in received:
            m = re.match(r"<([0-9a-fA-F-]{36})@", mid)
            key = m.group(1) if m else None
            by_id.setdefault(key, []).append((to, subj))
        unknown = by_id.pop(None, [])
        delivered = [i for i in expected if i in by_id]
        missing = [i for i in expected if i not in by_id]
        duplicated = {i: len(v) for i, v in by_id.items() if len(v) > 1}
        strangers = [i for i in by_id if i not in expected]
        # The same mail under two Message-IDs would show as one address receiving
        # one template more often than the outbox holds it.
        per_to_expected = {}
        for r in rows:
            per_to_expected[(r["to_address"], r["template"])] = per_to_expected.get((r["to_address"], r["template"]), 0) + 1
        distinct_ids_per_to = {}
        for i, v in by_id.items():
            if i in expected:
                k = (expected[i]["to_address"], expected[i]["template"])
                distinct_ids_per_to[k] = distinct_ids_per_to.get(k, 0) + 1
        for mail in acked:
            if (mail, "registration_confirmed") not in per_to_expected:
                fig.fail(f"acknowledged registration of {mail} has no confirmation mail in the outbox")
        if missing:
            fig.fail(f"{len(missing)} mail(s) never delivered, e.g. {[expected[i]['to_address'] + ' ' + expected[i]['status'] for i in missing[:5]]}")
        if unknown:
            fig.fail(f"{len(unknown)} mail(s) received without an outbox Message-ID: {unknown[:3]}")
        if strangers:
            fig.fail(f"{len(strangers)} Message-ID(s) match no outbox row: {strangers[:3]}")
        for k, n in distinct_ids_per_to.items():
            if n > per_to_expected.get(k, 0):
                fig.fail(f"{k} received under {n} Message-IDs for {per_to_expected.get(k, 0)} outbox rows")
        if not server.alive():
            fig.fail("identity-web is not running at the end")
        fig.values = {
            "rounds (SMTP outage + kill -9)": rounds,
            "registrations acknowledged": len(acked),
            "mail expected": len(expected),
            "mail delivered": len(delivered),
            "mail missing": len(missing),
            "duplicated (same Message-ID)": sum(n - 1 for n in duplicated.values()),
            "received in all": len(received),
            "SMTP outage s": f"{outage_total:.0f}",
        }
        if len(expected) == 0:
            fig.fail("no mail was expected: the scenario checked nothing")
        return fig
    finally:
        stop.set()
        server.kill9()
        smtp.stop()
        db.drop()
        tmp.cleanup(keep)
