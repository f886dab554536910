"""Sign in at the reference RP through the OP, as a browser would, and check
the page the RP shows afterwards (run with reference.settings_rp while the
TA, the RP and the OP run).

The OP's own pages differ from OP to OP; `--login standin` knows the stand-in
OP's (the package's provider app: a login form, then a consent form). For
another OP, add a function like `login_standin` that starts from the OP's
authorization URL and returns the response redirecting to the RP's callback.
"""
import re
from urllib.parse import urlencode, urljoin

import requests
from django.core.management.base import BaseCommand, CommandError

from reference import env

TIMEOUT = 30


def hidden_inputs(html):
    """name -> value of every <input> in the page (good enough for Django
    forms: csrfmiddlewaretoken and hidden fields)."""
    out = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            out[name.group(1)] = value.group(1) if value else ""
    return out


def login_standin(s, authz_url, username, password):
    r = s.get(authz_url, timeout=TIMEOUT, allow_redirects=False)
    if r.status_code != 200:
        raise CommandError(f"OP authorization page: HTTP {r.status_code} {r.headers}")
    form = hidden_inputs(r.text)
    form.update(username=username, password=password)
    # the form posts back to the authorization endpoint (without the query)
    r = s.post(authz_url.split("?")[0], data=form, timeout=TIMEOUT,
               allow_redirects=False, headers={"Referer": authz_url})
    if r.status_code != 302:
        raise CommandError(f"OP login: HTTP {r.status_code}")
    consent_url = urljoin(authz_url, r.headers["Location"])
    r = s.get(consent_url, timeout=TIMEOUT)
    form = hidden_inputs(r.text)
    r = s.post(consent_url, data=form, timeout=TIMEOUT, allow_redirects=False,
               headers={"Referer": consent_url})
    if r.status_code != 302:
        raise CommandError(f"OP consent: HTTP {r.status_code}")
    return r


LOGINS = {"standin": login_standin}


class Command(BaseCommand):
    help = "Sign in at the RP with the OP and check the attributes page"

    def add_arguments(self, parser):
        parser.add_argument("--login", choices=sorted(LOGINS), default="standin")
        parser.add_argument("--username", default="standin")
        parser.add_argument("--password", default="standin-password")
        parser.add_argument("--expect-fiscal-number", default="TINIT-RSSMRA80A01H501U")
        parser.add_argument("--scope", default="openid",
                            help='e.g. "openid offline_access" to get a refresh token')

    def handle(self, *args, **o):
        s = requests.Session()
        begin = env.RP_BEGIN + "?" + urlencode(
            {"provider": env.OP_URL, "profile": "spid", "scope": o["scope"]}
        )
        r = s.get(begin, timeout=TIMEOUT, allow_redirects=False)
        if r.status_code != 302:
            raise CommandError(f"RP begin: HTTP {r.status_code}: {r.text[:500]}")
        authz_url = r.headers["Location"]
        self.stdout.write(f"RP -> OP: {authz_url[:120]}...")

        r = LOGINS[o["login"]](s, authz_url, o["username"], o["password"])
        callback = r.headers["Location"]
        self.stdout.write(f"OP -> RP: {callback}")
        if not callback.startswith(env.RP_CALLBACK):
            raise CommandError(f"the OP did not redirect to the RP's callback: {callback}")

        # the RP's callback: token request, userinfo, then a 302 to the page
        r = s.get(callback, timeout=TIMEOUT, allow_redirects=False)
        if r.status_code != 302:
            raise CommandError(
                f"RP callback: HTTP {r.status_code} (see state/rp.log): "
                + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text))[-600:]
            )
        page_url = urljoin(callback, r.headers["Location"])
        r = s.get(page_url, timeout=TIMEOUT)
        attrs = dict(
            re.findall(r"<dt>\s*([^<:]+):\s*</dt>\s*<dd>\s*([^<]*?)\s*</dd>", r.text)
        )
        self.stdout.write(f"RP page {page_url}: {attrs}")
        want = o["expect_fiscal_number"]
        if attrs.get("fiscal_number") != want:
            raise CommandError(f"fiscal_number {attrs.get('fiscal_number')!r} != {want!r}")
        self.stdout.write("e2e sign-in: 1 passed, 0 failed")
