#!/usr/bin/env python3
"""The fault suite: drives the real identity-web and identity-admin binaries through
crashes and outages and checks that nothing acknowledged is lost and nothing is
half-written. See tests/faults/README.md.

    python3 tests/faults/run.py --short            # CI: a few minutes
    python3 tests/faults/run.py --long             # 30 kill trials per backend
    python3 tests/faults/run.py --short --backend sqlite --only kill

Exit status: 0 when every promise held, 1 when one was broken or something the
suite needs is missing (never a quiet skip), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import faultlib  # noqa: E402
from faultlib import Figures, Missing, log  # noqa: E402

SCENARIOS = ["kill", "smtp", "db-restart", "disk-full", "slowloris"]
# Which backends each scenario runs on.
BACKENDS = {
    "kill": ("sqlite", "postgres"),
    "smtp": ("sqlite", "postgres"),
    "db-restart": ("postgres",),
    "disk-full": ("sqlite",),
    "slowloris": ("sqlite",),
}
# (short, long) sizes.
SIZES = {
    "kill": (3, 30),          # kill -9 trials per backend
    "smtp": (1, 3),           # SMTP outage rounds per backend
    "db-restart": (1, 3),     # database restarts
    "disk-full": (1, 2),      # fill and free cycles
    "slowloris": (300, 500),  # slow connections
}


def run_one(name: str, backend: str, size: int, keep: bool) -> Figures:
    if name == "kill":
        import scen_kill
        return scen_kill.run(backend, size, keep)
    if name == "smtp":
        import scen_smtp
        return scen_smtp.run(backend, size, keep)
    if name == "db-restart":
        import scen_dbrestart
        return scen_dbrestart.run(backend, size, keep)
    if name == "disk-full":
        import scen_diskfull
        return scen_diskfull.run(backend, size, keep)
    if name == "slowloris":
        import scen_slowloris
        return scen_slowloris.run(backend, size, keep)
    raise ValueError(name)


def print_table(results: list[Figures]):
    print()
    print("=" * 100)
    print("FAULT SUITE FIGURES")
    print("=" * 100)
    for f in results:
        status = "PASS" if not f.failures else f"FAIL ({len(f.failures)})"
        print(f"{f.scenario:<12} {f.backend:<9} {status}")
        for k, v in f.values.items():
            print(f"    {k:<40} {v}")
    print("=" * 100)
    failed = [f for f in results if f.failures]
    for f in failed:
        print(f"FAILED {f.scenario} / {f.backend}:")
        for msg in f.failures[:20]:
            print(f"  - {msg}")
        if len(f.failures) > 20:
            print(f"  ... and {len(f.failures) - 20} more")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--short", action="store_true", help="CI size (the default)")
    size.add_argument("--long", action="store_true", help="30 kill trials per backend, longer outages")
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--only", choices=SCENARIOS, action="append", help="run only this scenario (repeatable)")
    ap.add_argument("--trials", type=int, help="override the size of every selected scenario")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories (logs, SQLite files)")
    args = ap.parse_args()

    long = args.long
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    chosen = args.only or SCENARIOS
    results: list[Figures] = []
    t0 = time.monotonic()
    try:
        faultlib.require_binaries()
        if "postgres" in backends:
            faultlib.drop_stale_pg_databases()
    except Missing as e:
        f = Figures("setup", "-")
        f.fail(f"MISSING: {e}")
        results.append(f)
        print_table(results)
        return 1
    for name in chosen:
        if not any(b in backends for b in BACKENDS[name]):
            # A scenario of one backend only: say so rather than leave it out silently.
            log(f"{name}: runs on {'/'.join(BACKENDS[name])} only; not selected by --backend {args.backend}")
        for backend in BACKENDS[name]:
            if backend not in backends:
                continue
            n = args.trials or SIZES[name][1 if long else 0]
            log(f"=== {name} on {backend} ({n}) ===")
            started = time.monotonic()
            try:
                fig = run_one(name, backend, n, args.keep)
            except Missing as e:
                fig = Figures(name, backend)
                fig.fail(f"MISSING: {e}")
            except Exception as e:  # noqa: BLE001 - every crash of a scenario is a failure
                fig = Figures(name, backend)
                fig.fail(f"{type(e).__name__}: {e}")
                traceback.print_exc()
            fig.values["scenario time s"] = f"{time.monotonic() - started:.0f}"
            results.append(fig)
    print_table(results)
    print(f"total time {time.monotonic() - t0:.0f}s")
    if not results:
        print("ERROR: nothing ran (check --only and --backend)")
        return 1
    return 1 if any(f.failures for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
