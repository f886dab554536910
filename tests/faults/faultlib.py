"""Shared machinery of the fault suite: the binaries, a server process that can be
killed and restarted on the same database, the operator CLI, the two databases
(SQLite through the stdlib, PostgreSQL through psql), test people and companies
with valid tax codes, and the SQL invariants every scenario checks.

Everything missing (a binary, psql, a PostgreSQL server, root for tmpfs) raises
`Missing`, which the runner reports as a failure: the suite never skips quietly.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/identity-target"))
PROFILE = os.environ.get("FAULTS_PROFILE", "debug")
# FAULTS_BIN_DIR: a directory holding both binaries (e.g. copies of another build).
BIN_DIR = os.environ.get("FAULTS_BIN_DIR", os.path.join(TARGET, PROFILE))
WEB = os.path.join(BIN_DIR, "identity-web")
ADMIN = os.path.join(BIN_DIR, "identity-admin")
PG_ADMIN_URL = os.environ.get("FAULTS_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Ver0-Sicura!x"
LOGIN_DOMAIN = "identita.example.it"


class Missing(Exception):
    """Something the suite needs is not there: a failure, never a skip."""


class Broken(Exception):
    """A promise of the system is broken."""


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def require_binaries():
    for b in (WEB, ADMIN):
        if not os.access(b, os.X_OK):
            raise Missing(
                f"{b} not found: build with CARGO_TARGET_DIR={TARGET} "
                "cargo build -p identity-web -p identity-admin"
            )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Databases


class Database:
    """One database the app runs on; `rows(sql)` answers a list of dicts."""

    backend = ""
    url = ""

    def rows(self, sql: str) -> list[dict]:
        raise NotImplementedError

    def scalar(self, sql: str):
        r = self.rows(sql)
        if not r:
            return None
        return next(iter(r[0].values()))

    def drop(self):
        pass


class SqliteDb(Database):
    backend = "sqlite"

    def __init__(self, data_dir: str):
        self.path = os.path.join(data_dir, "identity.db")
        self.url = f"sqlite://{self.path}"

    def rows(self, sql):
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql).fetchall()]
        finally:
            con.close()


def psql(url: str, sql: str, timeout=60) -> str:
    if not shutil.which("psql"):
        raise Missing("psql not found (apt-get install postgresql-client)")
    p = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
        capture_output=True, text=True, timeout=timeout,
    )
    if p.returncode != 0:
        raise RuntimeError(f"psql failed: {p.stderr.strip()}")
    return p.stdout


class PostgresDb(Database):
    backend = "postgres"

    def __init__(self, admin_url: str = PG_ADMIN_URL, name: str | None = None):
        self.admin_url = admin_url
        self.name = name or f"identity_faults_{int(time.time())}_{os.getpid()}_{random.randrange(10**6)}"
        try:
            psql(admin_url, f"CREATE DATABASE {self.name}")
        except RuntimeError as e:
            raise Missing(f"PostgreSQL at {admin_url} is not usable: {e}") from e
        base = admin_url.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"

    def rows(self, sql):
        out = psql(self.url, f"SELECT coalesce(json_agg(t), '[]'::json) FROM ({sql}) t")
        return json.loads(out)

    def drop(self):
        try:
            psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        except Exception as e:  # noqa: BLE001 - cleanup is best effort
            log("could not drop", self.name, e)


def drop_stale_pg_databases(admin_url=PG_ADMIN_URL, older_than=7200):
    """Drops identity_faults_<epoch>_... databases of earlier runs (two hours old)."""
    try:
        out = psql(admin_url, "SELECT datname FROM pg_database WHERE datname LIKE 'identity\\_faults\\_%'")
    except Exception:  # noqa: BLE001
        return
    now = time.time()
    for name in out.split():
        parts = name.split("_")
        if len(parts) > 2 and parts[2].isdigit() and now - int(parts[2]) > older_than:
            psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_db(backend: str, data_dir: str) -> Database:
    if backend == "sqlite":
        return SqliteDb(data_dir)
    return PostgresDb()


# --------------------------------------------------------------------------
# The server process


class Server:
    """identity-web on a fixed port, on one database; kill -9 and restart."""

    def __init__(self, db: Database, data_dir: str, extra_env: dict | None = None, port: int | None = None,
                 log_dir: str | None = None):
        self.db = db
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({
            "IDENTITY_DATABASE_URL": db.url,
            "IDENTITY_DATA_DIR": data_dir,
            "IDENTITY_LISTEN": f"127.0.0.1:{self.port}",
            "IDENTITY_PUBLIC_URL": f"http://localhost:{self.port}",
            "IDENTITY_JOBS_INTERVAL_SECS": "0",
            "IDENTITY_TWO_PERSON_APPROVAL": "false",
            "RUST_LOG": "info,sqlx=warn",
        })
        self.env.pop("IDENTITY_CONFIG", None)
        self.env.update(extra_env or {})
        self.proc: subprocess.Popen | None = None
        self.logfile = os.path.join(log_dir or os.path.dirname(data_dir.rstrip("/")), f"web-{self.port}.log")
        self.starts = 0

    def start(self, wait=True, timeout=60.0) -> float:
        """Starts the server; returns seconds until /readyz answered 200."""
        assert self.proc is None or self.proc.poll() is not None
        self.starts += 1
        out = open(self.logfile, "ab")
        out.write(f"\n===== start {self.starts} at {time.ctime()} =====\n".encode())
        out.flush()
        t0 = time.monotonic()
        self.proc = subprocess.Popen([WEB], env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=self.data_dir)
        out.close()
        if wait:
            self.wait_ready(timeout, t0)
        return time.monotonic() - t0

    def wait_ready(self, timeout=60.0, t0=None):
        t0 = t0 or time.monotonic()
        last = None
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise Broken(f"identity-web exited with {self.proc.returncode} at start; see {self.logfile}:\n{self.tail()}")
            try:
                r = requests.get(self.base + "/readyz", timeout=2)
                if r.status_code == 200:
                    return time.monotonic() - t0
                last = r.status_code
            except requests.RequestException as e:
                last = e
            time.sleep(0.05)
        raise Broken(f"identity-web not ready after {timeout}s (last: {last}); see {self.logfile}:\n{self.tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def tail(self, n=30) -> str:
        try:
            with open(self.logfile, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""

    def log_contains(self, needle: str) -> bool:
        try:
            with open(self.logfile, "rb") as f:
                return needle.encode() in f.read()
        except OSError:
            return False

    def admin(self, *args, token: str | None = None, check=True) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if token:
            env["IDENTITY_OPERATOR_TOKEN"] = token
        else:
            env.pop("IDENTITY_OPERATOR_TOKEN", None)
        p = subprocess.run([ADMIN, *args], env=env, capture_output=True, text=True, timeout=120,
                           cwd=self.data_dir, stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            raise RuntimeError(f"identity-admin {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()} {p.stdout.strip()}")
        return p


def setup_operator_and_client(server: Server) -> tuple[str, str]:
    """The first admin (its token) and an API client with holders:read/write (its token)."""
    op = json.loads(server.admin("--json", "operator", "add", "faults", "--role", "admin").stdout)
    op_token = op["token"]
    cl = json.loads(server.admin("--json", "api-client", "add", "faults",
                                 "--scope", "holders:read", "--scope", "holders:write",
                                 token=op_token).stdout)
    return op_token, cl["token"]


# --------------------------------------------------------------------------
# Test people and companies (valid, mutually consistent data)

FAMILY = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
          "Greco", "Bruno", "Gallo", "Conti", "Deluca", "Mancini", "Costa", "Giordano", "Rizzo",
          "Lombardi", "Moretti"]
GIVEN_M = ["Mario", "Luca", "Marco", "Giuseppe", "Paolo", "Andrea", "Stefano", "Roberto", "Davide", "Simone"]
GIVEN_F = ["Anna", "Giulia", "Laura", "Sara", "Chiara", "Paola", "Elena", "Silvia", "Marta", "Valentina"]
MONTHS = "ABCDEHLMPRST"
ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]


def _consonants(s):
    return [c for c in s.upper() if c.isalpha() and c not in "AEIOU"]


def _vowels(s):
    return [c for c in s.upper() if c in "AEIOU"]


def _three(letters, s):
    return "".join((letters + _vowels(s) + list("XXX"))[:3])


def tax_code(family, given, year, month, day, female, place="H501"):
    """The codice fiscale (as crates/identity-testkit/src/people_csv.rs computes it)."""
    surname = _three(_consonants(family), family)
    c = _consonants(given)
    if len(c) >= 4:
        c = [c[0], c[2], c[3]]
    name = _three(c, given)
    d = day + 40 if female else day
    first15 = f"{surname}{name}{year % 100:02d}{MONTHS[month - 1]}{d:02d}{place}"
    total = 0
    for i, ch in enumerate(first15):
        v = int(ch) if ch.isdigit() else ord(ch) - ord("A")
        total += ODD[v] if i % 2 == 0 else v
    return first15 + chr(ord("A") + total % 26)


def vat_number(serial: int, office: int = 1) -> str:
    """An 11-digit partita IVA: a 7-digit serial, the 3-digit office of the Agenzia
    delle Entrate (001-100) and the Luhn-like check digit."""
    digits = [int(c) for c in f"{serial % 10**7:07d}{office:03d}"]
    s = 0
    for i, d in enumerate(digits):
        if i % 2 == 0:
            s += d
        else:
            dd = d * 2
            s += dd - 9 if dd > 9 else dd
    return "".join(map(str, digits)) + str((10 - s % 10) % 10)


class People:
    """Distinct people and companies: a run-unique base so reruns on one database
    never collide."""

    def __init__(self):
        self.lock = threading.Lock()
        self.n = random.randrange(0, 10**6) * 1000
        self.tag = uuid.uuid4().hex[:8]

    def _next(self):
        with self.lock:
            self.n += 1
            return self.n

    def person(self) -> dict:
        i = self._next()
        female = i % 2 == 1
        family = FAMILY[i % 20]
        given = (GIVEN_F if female else GIVEN_M)[(i // 20) % 10]
        # 200 combinations per day, over 50 years of birth dates.
        import datetime
        date = datetime.date(1950, 1, 1) + datetime.timedelta(days=(i // 200) % 18000)
        cf = tax_code(family, given, date.year, date.month, date.day, female)
        email = f"p{i}.{self.tag}@example.it"
        return {
            "subject_kind": "persona_fisica", "given_name": given, "family_name": family,
            "tax_code": cf, "birth_date": date.isoformat(), "sex": "F" if female else "M",
            "birth_place": "Roma", "birth_province": "RM",
            "street": f"Via del Corso {i % 300 + 1}", "postal_code": "00186",
            "municipality": "Roma", "province": "RM",
            "email": email, "email_confirm": email, "phone": f"+39 333 {i % 10**7:07d}",
            "password": PASSWORD, "password_confirm": PASSWORD, "privacy_notice": True,
            "consents": {"marketing": bool(i % 2), "profiling": False, "third_parties": False},
            "lang": "it" if i % 3 else "en",
        }

    def company(self) -> dict:
        i = self._next()
        vat = vat_number(1_000_000 + i % 9_000_000, 1 + (i // 9_000_000 + i) % 100)
        email = f"c{i}.{self.tag}@example.it"
        return {
            "subject_kind": "azienda", "company_name": f"Guasti {i} S.r.l.",
            "vat_number": vat, "tax_code": vat, "sdi_code": "ABC1234",
            "street": f"Via Nazionale {i % 300 + 1}", "postal_code": "00184",
            "municipality": "Roma", "province": "RM",
            "email": email, "email_confirm": email, "phone": f"+39 06 {i % 10**7:07d}",
            "password": PASSWORD, "password_confirm": PASSWORD, "privacy_notice": True,
            "consents": {"marketing": False, "profiling": False, "third_parties": False},
            "lang": "it",
        }


# --------------------------------------------------------------------------
# Pages: a browser with cookies and the form's CSRF token

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    if not m:
        raise RuntimeError("no CSRF field on the page")
    return m.group(1)


def sign_in_customer(base: str, login_id: str, password: str = PASSWORD, timeout=30) -> requests.Session | None:
    """Signs in to the customer area; the session when the server acknowledged
    it (303 to /account with a session cookie), None when it refused."""
    s = requests.Session()
    r = s.get(base + "/account/sign-in", timeout=timeout)
    if r.status_code != 200:
        return None
    token = csrf_of(r.text)
    r = s.post(base + "/account/sign-in", data={"csrf": token, "login_id": login_id, "password": password},
               allow_redirects=False, timeout=timeout)
    if r.status_code in (302, 303) and r.headers.get("location", "").startswith("/account"):
        return s
    return None


# --------------------------------------------------------------------------
# Invariants: nothing half-written

INVARIANTS = {
    "holder without a login":
        "SELECT h.id FROM holders h WHERE NOT EXISTS (SELECT 1 FROM logins l WHERE l.holder_id = h.id)",
    "login without its holder":
        "SELECT l.number FROM logins l WHERE NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = l.holder_id)",
    "holder without its registration audit record":
        "SELECT h.id FROM holders h WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.holder_id = h.id "
        "AND a.event IN ('holder.registered', 'holder.imported'))",
    "registered holder without its confirmation mail":
        "SELECT h.id FROM holders h WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.holder_id = h.id AND a.event = 'holder.registered') "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.template = 'registration_confirmed' AND o.to_address = h.email)",
    "registered holder without its first password":
        "SELECT h.id FROM holders h WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.holder_id = h.id AND a.event = 'holder.registered') "
        "AND NOT EXISTS (SELECT 1 FROM logins l JOIN passwords p ON p.login_number = l.number WHERE l.holder_id = h.id)",
    "registered holder without its three consent decisions":
        "SELECT h.id FROM holders h WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.holder_id = h.id AND a.event = 'holder.registered') "
        "AND (SELECT COUNT(*) FROM consents c WHERE c.holder_id = h.id) < 3",
    "api.holder_registered without its holder":
        "SELECT a.holder_id FROM audit_log a WHERE a.event = 'api.holder_registered' "
        "AND NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = a.holder_id)",
    "password without its login":
        "SELECT p.login_number FROM passwords p WHERE NOT EXISTS (SELECT 1 FROM logins l WHERE l.number = p.login_number)",
    "two current passwords":
        "SELECT login_number FROM passwords WHERE retired_at IS NULL GROUP BY login_number HAVING COUNT(*) > 1",
    "identity without its holder":
        "SELECT i.id FROM identities i WHERE NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = i.holder_id)",
    "identity without its login":
        "SELECT i.id FROM identities i WHERE NOT EXISTS (SELECT 1 FROM logins l WHERE l.number = i.username)",
    "session without holder or login":
        "SELECT s.id FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = s.holder_id) "
        "OR NOT EXISTS (SELECT 1 FROM logins l WHERE l.number = s.login_number)",
    "session without its session.started record":
        "SELECT s.id FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.holder_id = s.holder_id "
        "AND a.event = 'session.started' AND a.details LIKE '%' || s.id || '%')",
    "single-use code without its holder":
        "SELECT c.code_hash FROM one_time_codes c WHERE NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = c.holder_id)",
    "consent without its holder":
        "SELECT c.holder_id FROM consents c WHERE NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = c.holder_id)",
    "access record without its holder":
        "SELECT r.id FROM access_records r WHERE NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = r.holder_id)",
    "authorization code without holder or identity":
        "SELECT c.code_hash FROM authorization_codes c WHERE NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = c.holder_id) "
        "OR NOT EXISTS (SELECT 1 FROM identities i WHERE i.id = c.identity_id)",
    "access token without holder or identity":
        "SELECT t.token_hash FROM oidc_access_tokens t WHERE NOT EXISTS (SELECT 1 FROM holders h WHERE h.id = t.holder_id) "
        "OR NOT EXISTS (SELECT 1 FROM identities i WHERE i.id = t.identity_id)",
    "outbox message in an unknown state":
        "SELECT id FROM outbox WHERE status NOT IN ('pending', 'sent', 'failed')",
}


def check_invariants(db: Database) -> dict[str, list]:
    """Every invariant broken, with up to 5 offending keys each."""
    broken = {}
    for name, sql in INVARIANTS.items():
        rows = db.rows(sql)
        if rows:
            broken[name] = [next(iter(r.values())) for r in rows[:5]] + ([f"... {len(rows)} in all"] if len(rows) > 5 else [])
    return broken


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@dataclass
class Figures:
    """One row of the final table."""
    scenario: str
    backend: str
    values: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def fail(self, msg: str):
        log(f"  FAIL [{self.scenario}/{self.backend}] {msg}")
        self.failures.append(msg)


class TempDir:
    def __init__(self, prefix="identity-faults-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def sub(self, name):
        p = os.path.join(self.path, name)
        os.makedirs(p, exist_ok=True)
        return p

    def cleanup(self, keep=False):
        if not keep:
            shutil.rmtree(self.path, ignore_errors=True)
