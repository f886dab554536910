"""Scenario "slowloris": a few hundred connections send their request headers one
byte at a time (and a few send a body slowly), never finishing.

Promises: meanwhile /healthz and a page (the customer-area sign-in form) answer
within a second; the server closes the slow-header connections within its header
timeout (about 10 s; we allow 15 s) and the slow-body ones within its body timeout
(about 30 s; we allow 40 s).
"""

from __future__ import annotations

import resource
import selectors
import socket
import threading
import time

import requests

from faultlib import Figures, Missing, People, Server, TempDir, log, make_db

HEADER_LIMIT = 15.0
BODY_LIMIT = 40.0
FAST_LIMIT = 1.0


def run(backend: str, conns: int, keep=False) -> Figures:
    fig = Figures("slowloris", backend)
    conns = max(conns, 50)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < conns + 200:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, conns + 1000), hard))
        except (ValueError, OSError) as e:
            raise Missing(f"open-file limit {soft} too low for {conns} connections") from e
    tmp = TempDir()
    data = tmp.sub("data")
    db = make_db(backend, data)
    server = Server(db, data)
    socks = []
    try:
        server.start()
        n_body = max(10, conns // 15)
        n_head = conns - n_body
        opened = time.monotonic()
        head = b"GET /account/sign-in HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slowloris\r\nX-Slow: " + b"a" * 10000
        for i in range(conns):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.setblocking(False)
            kind = "body" if i < n_body else "head"
            if kind == "body":
                # Complete headers, then a body that never ends.
                s.sendall(b"POST /account/sign-in HTTP/1.1\r\nHost: localhost\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n")
            socks.append({"sock": s, "kind": kind, "pos": 0, "closed": None, "opened": time.monotonic()})
        log(f"  slowloris: {n_head} slow-header and {n_body} slow-body connections open")
        fast = []  # (what, seconds, status)
        stop = threading.Event()

        def ordinary():
            while not stop.is_set():
                for path in ("/healthz", "/account/sign-in"):
                    t0 = time.monotonic()
                    try:
                        st = requests.get(server.base + path, timeout=30).status_code
                    except requests.RequestException as e:
                        st = type(e).__name__
                    fast.append((path, time.monotonic() - t0, st))
                time.sleep(0.25)

        t = threading.Thread(target=ordinary)
        t.start()
        # epoll, not select(): descriptors may be numbered beyond FD_SETSIZE.
        sel = selectors.DefaultSelector()
        for c in socks:
            sel.register(c["sock"], selectors.EVENT_READ, c)
        deadline = opened + BODY_LIMIT + 5
        last_byte = 0.0
        while time.monotonic() < deadline and any(c["closed"] is None for c in socks):
            now = time.monotonic()
            # Closed by the server? (readable: an answer such as 408, or EOF)
            for key, _ in sel.select(0.2):
                c = key.data
                try:
                    chunk = c["sock"].recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if not chunk or chunk.startswith(b"HTTP/1.1 408") or b"\r\n\r\n" in chunk:
                    c["closed"] = time.monotonic() - c["opened"]
                    c["answer"] = chunk[:12]
                    sel.unregister(c["sock"])
            if now - last_byte >= 1.0:
                last_byte = now
                for c in [c for c in socks if c["closed"] is None]:
                    try:
                        if c["kind"] == "head":
                            c["sock"].send(head[c["pos"]:c["pos"] + 1])
                        else:
                            c["sock"].send(b"a")
                        c["pos"] += 1
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        c["closed"] = time.monotonic() - c["opened"]
                        c["answer"] = b"reset"
                        sel.unregister(c["sock"])
        stop.set()
        t.join(40)
        sel.close()
        heads = [c for c in socks if c["kind"] == "head"]
        bodies = [c for c in socks if c["kind"] == "body"]
        head_open = [c for c in heads if c["closed"] is None or c["closed"] > HEADER_LIMIT]
        body_open = [c for c in bodies if c["closed"] is None or c["closed"] > BODY_LIMIT]
        slow_fast = [f for f in fast if f[1] > FAST_LIMIT or f[2] != 200]
        if head_open:
            fig.fail(f"{len(head_open)} of {len(heads)} slow-header connections still open after {HEADER_LIMIT:.0f} s")
        if body_open:
            fig.fail(f"{len(body_open)} of {len(bodies)} slow-body connections still open after {BODY_LIMIT:.0f} s")
        if slow_fast:
            fig.fail(f"{len(slow_fast)} of {len(fast)} ordinary requests slower than {FAST_LIMIT:.0f} s or failed, "
                     f"e.g. {[(p, round(s, 2), st) for p, s, st in slow_fast[:5]]}")
        if not fast:
            fig.fail("no ordinary request was made")
        if not server.alive():
            fig.fail("identity-web died")

        def closed_stats(cs):
            times = sorted(c["closed"] for c in cs if c["closed"] is not None)
            if not times:
                return "none closed"
            return f"{len(times)}/{len(cs)} closed, median {times[len(times) // 2]:.1f} s, max {times[-1]:.1f} s"

        fig.values = {
            "slow-header connections": f"{len(heads)} ({closed_stats(heads)})",
            "slow-body connections": f"{len(bodies)} ({closed_stats(bodies)})",
            "ordinary requests": len(fast),
            "ordinary max s": f"{max((f[1] for f in fast), default=0):.2f}",
            "ordinary slow/failed": len(slow_fast),
        }
        return fig
    finally:
        for c in socks:
            try:
                c["sock"].close()
            except OSError:
                pass
        server.kill9()
        db.drop()
        tmp.cleanup(keep)
