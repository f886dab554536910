#!/usr/bin/env python3
"""Run the Italian government's reference SPID/CIE OIDC federation entities
(PyPI spid-cie-oidc 1.6.3, unmodified) as a trust anchor and a relying party
around our OP. Standard library only; the reference code runs in a venv.

  python3 run.py                 set up, start TA and RP, check them, stop
  python3 run.py --serve         set up, start, check, keep serving (Ctrl-C)
  python3 run.py --setup-only    install and configure, start nothing
  python3 run.py --op-jwks F     register the OP with these federation keys
                                 (else read from OP_URL's entity configuration)
  python3 run.py --stand-in-op   run the package's own provider app at OP_URL in
                                 place of ours and sign in through it end to end

Environment: TA_URL (http://127.0.0.1:8101/), RP_URL (http://127.0.0.1:8102/),
OP_URL (http://127.0.0.1:8100), REFERENCE_STATE_DIR (./state),
REFERENCE_VENV ($HOME/.cache/spid-reference-venv).
See NOTES.md for what the reference RP and TA expect of the OP.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Same defaults as reference/env.py, which the Django side reads.
TA_URL = os.environ.get("TA_URL", "http://127.0.0.1:8101/")
RP_URL = os.environ.get("RP_URL", "http://127.0.0.1:8102/")
OP_URL = os.environ.get("OP_URL", "http://127.0.0.1:8100")
STATE_DIR = Path(os.environ.get("REFERENCE_STATE_DIR", str(HERE / "state"))).resolve()
VENV = Path(
    os.environ.get("REFERENCE_VENV", str(Path.home() / ".cache" / "spid-reference-venv"))
)
PY = VENV / "bin" / "python"
REQUIREMENTS = HERE / "requirements.txt"
SETTINGS = {
    "ta": "reference.settings_ta",
    "rp": "reference.settings_rp",
    "op": "reference.settings_op",  # the stand-in OP, only with --stand-in-op
}
URLS = {"ta": TA_URL, "rp": RP_URL, "op": OP_URL}


def log(msg):
    print(f"[reference] {msg}", flush=True)


def child_env(role=None):
    e = dict(os.environ)
    e.update(
        TA_URL=TA_URL,
        RP_URL=RP_URL,
        OP_URL=OP_URL,
        REFERENCE_STATE_DIR=str(STATE_DIR),
        # the package mixes naive local time and Django's TIME_ZONE (UTC)
        TZ="UTC",
        PYTHONUNBUFFERED="1",
    )
    if role:
        e["DJANGO_SETTINGS_MODULE"] = SETTINGS[role]
    return e


def ensure_venv():
    """Create the venv and install the pinned packages, unless already there."""
    if not PY.exists():
        log(f"creating venv {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = [
        line.strip()
        for line in REQUIREMENTS.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # compare with what is installed, so a ready venv needs no network
    probe = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for req in json.loads(sys.argv[1]):\n"
        "    name, ver = req.split('==')\n"
        "    try: out[req] = m.version(name) == ver\n"
        "    except m.PackageNotFoundError: out[req] = False\n"
        "print(json.dumps(out))\n"
    )
    res = subprocess.run(
        [str(PY), "-c", probe, json.dumps(wanted)], capture_output=True, text=True, check=True
    )
    missing = [k for k, ok in json.loads(res.stdout).items() if not ok]
    if missing:
        log(f"installing {len(missing)} pinned packages into {VENV}")
        subprocess.run(
            [str(PY), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True
        )


def manage(role, *args, check=True):
    cmd = [str(PY), str(HERE / "manage.py"), *args]
    return subprocess.run(cmd, cwd=HERE, env=child_env(role), check=check)


def http_get(url, timeout=2.0):
    """(status, content type, body) or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode(errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def wk(entity_id):
    """Where the package looks for an entity configuration: it adds a '/'
    to the entity id if missing (entity/statements.py)."""
    return entity_id.rstrip("/") + "/.well-known/openid-federation"


def op_reachable():
    r = http_get(wk(OP_URL))
    return bool(r and r[0] == 200)


def setup(op_jwks, stand_in):
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    for role in ("ta", "rp") + (("op",) if stand_in else ()):
        manage(role, "migrate", "--noinput", "-v", "0")
    # 1. RP keys (the TA needs the RP's public federation keys)
    manage("rp", "setup_rp")
    if stand_in:
        manage("op", "setup_op")
        op_jwks = op_jwks or str(STATE_DIR / "standin_op_jwks.json")
    # 2. TA: itself, trust mark profiles, the RP and the OP as subordinates
    args = ["setup_ta"]
    if op_jwks:
        args += ["--op-jwks", str(Path(op_jwks).resolve())]
    manage("ta", *args)
    # 3. RP again: publish the trust mark the TA just issued
    manage("rp", "setup_rp")
    if stand_in:
        manage("op", "setup_op")


def start_servers(roles):
    procs = {}
    for role in roles:
        u = urllib.parse.urlsplit(URLS[role])
        logfile = open(STATE_DIR / f"{role}.log", "ab")
        # --noreload: one process per server, the one we stop by its pid
        p = subprocess.Popen(
            [str(PY), str(HERE / "manage.py"), "runserver", f"{u.hostname}:{u.port}",
             "--noreload"],
            cwd=HERE, env=child_env(role), stdout=logfile, stderr=subprocess.STDOUT,
        )
        procs[role] = p
        log(f"{role.upper()} started, pid {p.pid}, log {STATE_DIR / (role + '.log')}")
    return procs


def stop_servers(procs):
    for role, p in procs.items():
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log(f"{role.upper()} stopped")


def wait_ready(procs, timeout=60.0):
    deadline = time.monotonic() + timeout
    pending = dict(procs)
    while pending:
        for role, p in list(pending.items()):
            if p.poll() is not None:
                raise SystemExit(
                    f"{role.upper()} exited with {p.returncode}; see {STATE_DIR / (role + '.log')}"
                )
            r = http_get(wk(URLS[role]))
            if r and r[0] == 200 and r[1].startswith("application/entity-statement+jwt"):
                log(f"{role.upper()} answers at {wk(URLS[role])}")
                del pending[role]
        if pending and time.monotonic() > deadline:
            raise SystemExit(f"not ready after {timeout}s: {', '.join(pending)}")
        if pending:
            time.sleep(0.3)


def print_urls():
    begin = RP_URL.rstrip("/") + "/oidc/rp/authorization?" + urllib.parse.urlencode(
        {"provider": OP_URL, "profile": "spid"}
    )
    print(
        f"""
Trust anchor   {TA_URL}
  entity configuration  {wk(TA_URL)}
  fetch                 {TA_URL.rstrip('/')}/fetch?sub={RP_URL}
  resolve               {TA_URL.rstrip('/')}/resolve?sub={RP_URL}&trust_anchor={TA_URL}
  list                  {TA_URL.rstrip('/')}/list
  admin                 {TA_URL.rstrip('/')}/admin/  (admin / admin)
Relying party  {RP_URL}
  entity configuration  {wk(RP_URL)}
  landing page          {RP_URL.rstrip('/')}/oidc/rp/landing
  sign in with our OP   {begin}
  after sign-in         {RP_URL.rstrip('/')}/oidc/rp/echo_attributes
Our OP         {OP_URL}  (expected at {wk(OP_URL)})
  authority_hints       ["{TA_URL}"]
  trust mark from TA    {STATE_DIR / 'op_trust_mark.json'}
State          {STATE_DIR}
""",
        flush=True,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--setup-only", action="store_true", help="install and configure only")
    mode.add_argument("--serve", action="store_true", help="keep the servers running")
    ap.add_argument("--op-jwks", metavar="FILE", help="the OP's federation public JWKS")
    ap.add_argument(
        "--stand-in-op", action="store_true",
        help="serve the package's provider app at OP_URL instead of ours, and sign in "
        "through it end to end (checks this harness, not our OP)",
    )
    ap.add_argument("--no-setup", action="store_true", help="start with the existing state")
    ap.add_argument("--reset", action="store_true", help="delete the state directory first")
    ap.add_argument(
        "--check-op", choices=("auto", "yes", "no"), default="auto",
        help="also check our OP and the RP's trust chain to it (auto: if it answers)",
    )
    args = ap.parse_args()

    if args.reset and STATE_DIR.exists():
        shutil.rmtree(STATE_DIR)
    ensure_venv()
    if not args.no_setup:
        setup(args.op_jwks, args.stand_in_op)
    if args.setup_only:
        print_urls()
        return 0

    if args.stand_in_op and op_reachable():
        raise SystemExit(f"something already answers at {wk(OP_URL)}; stop it for --stand-in-op")
    procs = start_servers(("ta", "rp") + (("op",) if args.stand_in_op else ()))
    # stop the servers on Ctrl-C / SIGTERM too
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    status = 0
    try:
        wait_ready(procs)
        check_op = args.check_op == "yes" or (args.check_op == "auto" and op_reachable())
        if args.check_op == "auto" and not check_op:
            log(f"OP not answering at {wk(OP_URL)}: checking TA and RP only")
        cmd = ["check_federation"] + (["--op"] if check_op else [])
        status = manage("rp", *cmd, check=False).returncode
        if args.stand_in_op and status == 0:
            status = manage("rp", "e2e_signin", "--login", "standin", check=False).returncode
        print_urls()
        if args.serve:
            log("serving; Ctrl-C to stop")
            while all(p.poll() is None for p in procs.values()):
                time.sleep(1)
            log("a server exited")
            status = 1
    except KeyboardInterrupt:
        pass
    finally:
        stop_servers(procs)
    return status


if __name__ == "__main__":
    sys.exit(main())
