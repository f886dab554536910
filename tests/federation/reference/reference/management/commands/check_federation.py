"""Check the running federation with the package's own verification code.

Run with reference.settings_rp while both servers run (run.py does it). Each
check prints PASS or FAIL; the last line is "N passed, N failed".

Without --op: the TA's and RP's entity configurations, the TA's fetch, list,
resolve and trust mark status endpoints for the RP.
With --op: also our OP's entity configuration, its subordinate statement,
the trust chain the RP builds for it (what the sign-in does first) and the
authorization request the RP then sends (decoded and printed).
"""
import json
from urllib.parse import parse_qs, urlsplit

import requests
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from spid_cie_oidc.entity.jwtse import unpad_jwt_head, unpad_jwt_payload, verify_jws
from spid_cie_oidc.entity.statements import EntityConfiguration, TrustMark
from spid_cie_oidc.entity.trust_chain_operations import get_or_create_trust_chain

from reference import env

TIMEOUT = 10


def get(url, **kw):
    r = requests.get(url, timeout=TIMEOUT, **kw)
    if r.status_code != 200:
        raise AssertionError(f"GET {url}: HTTP {r.status_code} {r.text[:300]}")
    return r


def fetch_ec(entity_id):
    """As entity/statements.py:get_entity_configurations does."""
    url = f"{entity_id if entity_id.endswith('/') else entity_id + '/'}.well-known/openid-federation"
    r = get(url)
    ec = EntityConfiguration(r.text)  # checks typ entity-statement+jwt and kid
    ec.validate_by_itself()
    return ec, r


class Command(BaseCommand):
    help = "Check the TA and RP (and optionally our OP) over HTTP"

    def add_arguments(self, parser):
        parser.add_argument("--op", action="store_true", help="check our OP too")

    def run_check(self, name, fn):
        try:
            detail = fn()
        except Exception as e:
            self.failed += 1
            self.stdout.write(f"FAIL {name}: {e!r}")
            return None
        self.passed += 1
        self.stdout.write(f"PASS {name}" + (f": {detail}" if isinstance(detail, str) else ""))
        return detail if detail is not None else True

    def handle(self, *args, **opts):
        self.passed = self.failed = 0
        s = {}  # what later checks need from earlier ones

        def ta_ec():
            ec, r = fetch_ec(env.TA_URL)
            assert ec.payload["iss"] == ec.payload["sub"] == env.TA_URL, ec.payload["sub"]
            assert r.headers["Content-Type"] == "application/entity-statement+jwt"
            fe = ec.payload["metadata"]["federation_entity"]
            for k in ("federation_fetch_endpoint", "federation_list_endpoint",
                      "federation_resolve_endpoint", "federation_trust_mark_status_endpoint"):
                assert fe.get(k), k
            s["ta"] = ec
            return f"iss=sub={ec.sub} kid={ec.kids} fetch={fe['federation_fetch_endpoint']}"

        def rp_ec():
            ec, _ = fetch_ec(env.RP_URL)
            assert ec.payload["iss"] == ec.payload["sub"] == env.RP_URL
            assert ec.payload["authority_hints"] == [env.TA_URL], ec.payload["authority_hints"]
            md = ec.payload["metadata"]["openid_relying_party"]
            assert md["client_id"] == env.RP_URL
            assert {k["use"] for k in md["jwks"]["keys"]} == {"sig", "enc"}
            s["rp"] = ec
            return f"sub={ec.sub} redirect_uris={md['redirect_uris']}"

        def rp_trust_mark():
            tms = s["rp"].payload.get("trust_marks", [])
            assert tms, "no trust_marks in the RP's entity configuration"
            tm = TrustMark(tms[0]["trust_mark"])
            assert tm.id == env.RP_TRUST_MARK_ID and tm.sub == env.RP_URL and tm.iss == env.TA_URL
            tm.validate_by(s["ta"])
            s["rp_tm"] = tms[0]["trust_mark"]
            return f"{tm.id} header={tm.header}"

        def fetch_rp():
            r = get(env.TA_FETCH, params={"sub": env.RP_URL})
            assert r.headers["Content-Type"] == "application/entity-statement+jwt"
            s["ta"].validate_descendant_statement(r.text)
            p = unpad_jwt_payload(r.text)
            assert p["iss"] == env.TA_URL and p["sub"] == env.RP_URL, (p["iss"], p["sub"])
            # the RP's EC must verify with the keys the TA vouches for
            s["rp"].validate_by_superior_statement(r.text, s["ta"])
            assert s["rp"].is_valid
            return (f"iss={p['iss']} sub={p['sub']} policy="
                    f"{json.dumps(p.get('metadata_policy'))} trust_marks={len(p.get('trust_marks', []))}")

        def ta_list():
            subs = get(env.TA_LIST).json()
            assert env.RP_URL in subs, subs
            return f"{subs}"

        def resolve(sub, staff):
            headers = {}
            if staff:
                # only a staff token makes the TA build a chain it has not cached
                headers["Authorization"] = env.TA_STAFF_TOKEN_FILE.read_text().strip()
            r = get(env.TA_RESOLVE, params={"sub": sub, "trust_anchor": env.TA_URL},
                    headers=headers)
            assert r.headers["Content-Type"] == "application/resolve-response+jwt"
            h = unpad_jwt_head(r.text)
            assert h.get("typ") == "resolve-response+jwt", h
            p = verify_jws(r.text, s["ta"].jwks[s["ta"].kids.index(h["kid"])])
            assert p["iss"] == env.TA_URL and p["sub"] == sub
            return p

        def resolve_rp():
            resolve(env.RP_URL, staff=True)  # builds and caches the chain in the TA
            p = resolve(env.RP_URL, staff=False)  # served from the cache
            assert "openid_relying_party" in p["metadata"], p["metadata"].keys()
            assert len(p["trust_chain"]) >= 2
            return (f"metadata types {sorted(p['metadata'])}, chain of "
                    f"{len(p['trust_chain'])} statements, trust_marks "
                    f"{[t['trust_mark_type'] for t in p['trust_marks']]}")

        def tm_status():
            r = requests.post(env.TA_TRUST_MARK_STATUS, data={"trust_mark": s["rp_tm"]},
                              timeout=TIMEOUT)
            assert r.status_code == 200, r.status_code
            h = unpad_jwt_head(r.text)
            p = verify_jws(r.text, s["ta"].jwks[s["ta"].kids.index(h["kid"])])
            assert p["status"] == "active", p
            return f"typ={h.get('typ')} status={p['status']}"

        self.run_check("TA entity configuration", ta_ec)
        if "ta" not in s:
            raise CommandError("the TA does not answer; nothing else to check")
        self.run_check("RP entity configuration", rp_ec)
        if "rp" in s:
            self.run_check("RP trust mark issued by the TA", rp_trust_mark)
            self.run_check("TA fetch endpoint ?sub=RP", fetch_rp)
            self.run_check("TA list endpoint", ta_list)
            self.run_check("TA resolve endpoint ?sub=RP", resolve_rp)
        if "rp_tm" in s:
            self.run_check("TA trust mark status for the RP's mark", tm_status)

        if opts["op"]:
            self.check_op(s)

        self.stdout.write(f"{self.passed} passed, {self.failed} failed")
        if self.failed:
            raise SystemExit(1)

    def check_op(self, s):
        def op_ec():
            ec, _ = fetch_ec(env.OP_URL)
            p = ec.payload
            assert p["iss"] == p["sub"] == env.OP_URL, (p["iss"], p["sub"])
            assert env.TA_URL in p.get("authority_hints", []), p.get("authority_hints")
            s["op"] = ec
            return f"sub={ec.sub} kid={ec.kids} metadata types {sorted(p.get('metadata', {}))}"

        def fetch_op():
            r = get(env.TA_FETCH, params={"sub": env.OP_URL})
            s["ta"].validate_descendant_statement(r.text)
            s["op"].validate_by_superior_statement(r.text, s["ta"])
            assert s["op"].is_valid, "the OP's EC does not verify with the keys the TA has for it"
            p = unpad_jwt_payload(r.text)
            return f"policy={json.dumps(p.get('metadata_policy'))}"

        def op_chain():
            # exactly what the RP's /oidc/rp/authorization does first
            # (relying_party/views/__init__.py:get_oidc_op)
            tc = get_or_create_trust_chain(
                subject=env.OP_URL, trust_anchor=env.TA_URL, force=True
            )
            assert tc and tc.is_valid, tc
            md = tc.metadata.get("openid_provider")
            assert md, "no openid_provider metadata after policy"
            for k in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks"):
                assert md.get(k), f"metadata.openid_provider.{k} missing"
            for k in ("revocation_endpoint", "introspection_endpoint"):
                if not md.get(k):
                    self.stdout.write(f"  note: no {k} (RP logout / introspection pages need it)")
            s["op_md"] = md
            self.stdout.write("  final openid_provider metadata:\n" + json.dumps(md, indent=2))
            return f"exp={tc.exp.isoformat()} parties={tc.parties_involved}"

        def begin():
            # the RP's sign-in start, in-process: a 302 to the OP
            c = Client()
            r = c.get("/oidc/rp/authorization", {"provider": env.OP_URL, "profile": "spid"},
                      HTTP_HOST=f"{env.host(env.RP_URL)}:{env.port(env.RP_URL)}")
            assert r.status_code == 302, f"HTTP {r.status_code}: {r.content[:500]!r}"
            loc = r["Location"]
            u = urlsplit(loc)
            assert loc.startswith(s["op_md"]["authorization_endpoint"]), loc
            q = {k: v[0] for k, v in parse_qs(u.query).items()}
            ro = q.pop("request")
            self.stdout.write("  query parameters (besides request): " + json.dumps(q, indent=2))
            self.stdout.write("  request object header: " + json.dumps(unpad_jwt_head(ro)))
            self.stdout.write("  request object claims: "
                              + json.dumps(unpad_jwt_payload(ro), indent=2))
            return f"302 to {u.scheme}://{u.netloc}{u.path}"

        if self.run_check("OP entity configuration", op_ec) is None:
            return
        if self.run_check("TA fetch endpoint ?sub=OP", fetch_op) is None:
            return
        if self.run_check("RP builds the OP's trust chain", op_chain) is None:
            return
        self.run_check("RP authorization request to the OP", begin)
