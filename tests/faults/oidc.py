"""A holder with an active digital identity (level 1), reached through the pages and
the operator CLI as a person would, and a service provider using the OpenID
Connect code flow with PKCE and client_secret_basic.

The single-use codes (email confirmation, SMS) are read from the outbox rows
before the worker delivers them: the server runs with a long delivery interval.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import urllib.parse

import requests

from faultlib import PASSWORD, Broken, Server, csrf_of, sign_in_customer, sql_str

CLIENT_ID = "http://localhost:9/rp"
REDIRECT = "http://localhost:9/rp/callback"
L1 = "https://www.spid.gov.it/SpidL1"


def _outbox_code(server: Server, to: str, template_like: str) -> str:
    rows = server.db.rows(
        f"SELECT params FROM outbox WHERE to_address = {sql_str(to)} AND template LIKE {sql_str(template_like)} "
        "ORDER BY created_at DESC")
    for r in rows:
        code = json.loads(r["params"]).get("code")
        if code:
            return code
    raise Broken(f"no {template_like} code for {to} in the outbox")


def active_identity(server: Server, api_token: str, op_token: str, body: dict) -> dict:
    """Registers `body`, confirms its email, requests the identity with the SMS
    code and has an operator verify it. Returns holder_id, login_id, identity_id."""
    base = server.base
    r = requests.post(base + "/api/v1/holders", json=body, timeout=30, headers={"Authorization": f"Bearer {api_token}"})
    if r.status_code != 201:
        raise Broken(f"identity holder registration answered {r.status_code}: {r.text[:300]}")
    holder_id, login_id = r.json()["holder_id"], r.json()["login_id"]
    s = sign_in_customer(base, login_id)
    if s is None:
        raise Broken("identity holder could not sign in to the customer area")
    code = _outbox_code(server, body["email"], "registration_confirmed")
    page = s.get(base + "/account/verify-email", params={"code": code}, timeout=30)
    r = s.post(base + "/account/verify-email", data={"csrf": csrf_of(page.text), "code": code}, timeout=30)
    if r.status_code != 200:
        raise Broken(f"email confirmation answered {r.status_code}")
    page = s.get(base + "/account/identity", timeout=30)
    r = s.post(base + "/account/identity/send", data={"csrf": csrf_of(page.text), "username": login_id}, timeout=30)
    if r.status_code != 200:
        raise Broken(f"identity SMS code request answered {r.status_code}: {r.text[:300]}")
    phone_rows = server.db.rows(
        "SELECT params, to_address FROM outbox WHERE template LIKE 'sms%' ORDER BY created_at DESC")
    sms = None
    for row in phone_rows:
        p = json.loads(row["params"])
        if p.get("code"):
            sms = p["code"]
            break
    if not sms:
        raise Broken("no SMS code in the outbox")
    r = s.post(base + "/account/identity", data={"csrf": csrf_of(r.text), "username": login_id, "code": sms},
               allow_redirects=False, timeout=30)
    if r.status_code not in (302, 303):
        raise Broken(f"identity request answered {r.status_code}: {r.text[:300]}")
    identity_id = server.db.scalar(f"SELECT id FROM identities WHERE holder_id = {sql_str(holder_id)}")
    if not identity_id:
        raise Broken("no identity after the request")
    server.admin("identity", "verify", identity_id, "--method", "in-person", "--document-type", "identity-card",
                 "--document-number", "CA12345AB", "--issuer", "Comune di Roma", "--expires", "2031-05-01",
                 "--evidence", "desk-42/2026", token=op_token)
    state = server.db.scalar(f"SELECT state FROM identities WHERE id = {sql_str(identity_id)}")
    if state != "active":
        raise Broken(f"identity {identity_id} is {state} after verification")
    return {"holder_id": holder_id, "login_id": login_id, "identity_id": identity_id}


def add_service_provider(server: Server, op_token: str) -> str:
    """Registers the service provider (level 1, client secret); its secret."""
    out = server.admin("--json", "sp", "add", "--client-id", CLIENT_ID, "--name", "Comune di Prova",
                       "--redirect-uri", REDIRECT, "--client-secret", "--attribute", "fiscal_number",
                       "--level", "1", token=op_token).stdout
    return json.loads(out)["client_secret"]


def discovery(server: Server) -> dict:
    r = requests.get(server.base + "/.well-known/openid-configuration", timeout=10)
    r.raise_for_status()
    return r.json()


def _local(server: Server, url: str) -> str:
    """An endpoint of the provider's discovery document, on the address we reach it at."""
    parsed = urllib.parse.urlsplit(url)
    return server.base + parsed.path + (("?" + parsed.query) if parsed.query else "")


def sign_in_selfcare(server: Server, login_id: str, s: requests.Session | None = None, timeout=30):
    """The selfcare password sign-in (level 1); the session when acknowledged
    (303 to /selfcare or to the pending authorization)."""
    s = s or requests.Session()
    page = s.get(server.base + "/selfcare/sign-in", timeout=timeout)
    if page.status_code != 200:
        return None, page
    r = s.post(server.base + "/selfcare/sign-in", allow_redirects=False, timeout=timeout,
               data={"csrf": csrf_of(page.text), "login_id": login_id, "password": PASSWORD})
    if r.status_code in (302, 303) and "/sign-in" not in r.headers.get("location", "/sign-in"):
        return s, r
    return None, r


def authorize(server: Server, disco: dict, login_id: str, timeout=30):
    """The holder's part: authorization request, selfcare sign-in, consent.
    Returns (code, verifier) or None when some step was not answered as expected."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "scope": "openid",
        "state": secrets.token_urlsafe(12), "nonce": secrets.token_urlsafe(12),
        "code_challenge": challenge, "code_challenge_method": "S256", "acr_values": L1,
    }
    s = requests.Session()
    url = _local(server, disco["authorization_endpoint"]) + "?" + urllib.parse.urlencode(params)
    r = s.get(url, allow_redirects=False, timeout=timeout)
    page = None
    for _ in range(10):
        loc = r.headers.get("location")
        if r.status_code in (302, 303) and loc:
            if loc.startswith(REDIRECT):
                break
            r = s.get(urllib.parse.urljoin(server.base + "/", loc), allow_redirects=False, timeout=timeout)
            continue
        if r.status_code != 200:
            return None
        page = r.text
        if 'name="password"' in page:
            r = s.post(server.base + "/selfcare/sign-in", allow_redirects=False, timeout=timeout,
                       data={"csrf": csrf_of(page), "login_id": login_id, "password": PASSWORD})
            continue
        if 'id="consent"' in page:
            m = re.search(r'name="request" value="([^"]*)"', page)
            if not m:
                return None
            r = s.post(server.base + "/oidc/consent", allow_redirects=False, timeout=timeout,
                       data={"csrf": csrf_of(page), "decision": "accept", "request": m.group(1)})
            continue
        return None
    loc = r.headers.get("location", "")
    if not loc.startswith(REDIRECT):
        return None
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))
    if "code" not in q:
        return None
    return q["code"], verifier


def exchange(server: Server, disco: dict, secret: str, code: str, verifier: str, timeout=30) -> requests.Response:
    auth = base64.b64encode(
        f"{urllib.parse.quote(CLIENT_ID, safe='')}:{urllib.parse.quote(secret, safe='')}".encode()).decode()
    return requests.post(_local(server, disco["token_endpoint"]), timeout=timeout,
                         headers={"Authorization": f"Basic {auth}"},
                         data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                               "code_verifier": verifier})


def userinfo(server: Server, disco: dict, token: str, timeout=30) -> requests.Response:
    return requests.get(_local(server, disco["userinfo_endpoint"]), timeout=timeout,
                        headers={"Authorization": f"Bearer {token}"})
