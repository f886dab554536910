"""A service provider built on Python authlib, an independent OpenID Connect
client, driven by tests/e2e/tests/oidc/authlib.rs in three steps:

  keygen     prints a new ES256 key pair: {"private": JWK, "public": JWKS}
  authorize  prints the authorization URL with PKCE S256, state and nonce,
             plain and as a signed request object (and one forged)
  exchange   with CODE, exchanges it by private_key_jwt, validates the ID
             token, reads userinfo, refreshes, revokes; prints what it saw

Configuration comes from the environment (ISSUER, CLIENT_ID, REDIRECT_URI,
PRIVATE_JWK, and the step's own values); the output is one JSON document.
"""

import base64
import hashlib
import json
import os
import sys
import time
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwk, jwt
from joserfc.errors import JoseError

L2 = "https://www.spid.gov.it/SpidL2"


def env(name):
    return os.environ[name]


def metadata():
    return requests.get(env("ISSUER") + "/.well-known/openid-configuration", timeout=10).json()


def session(meta, private_jwk):
    s = OAuth2Session(
        env("CLIENT_ID"),
        jwk.ECKey.import_key(private_jwk),
        scope="openid offline_access",
        redirect_uri=env("REDIRECT_URI"),
        token_endpoint_auth_method="private_key_jwt",
        revocation_endpoint_auth_method="private_key_jwt",
        code_challenge_method="S256",
    )
    s.register_client_auth_method(
        PrivateKeyJWT(meta["token_endpoint"], headers={"kid": private_jwk["kid"]}, alg="ES256")
    )
    return s


def keygen():
    key = jwk.ECKey.generate_key("P-256", parameters={"alg": "ES256", "use": "sig"}, private=True)
    private = key.as_dict(private=True)
    public = key.as_dict(private=False)
    public["kid"] = private["kid"] = key.thumbprint()
    return {"private": private, "public": {"keys": [public]}}


def authorize():
    meta = metadata()
    s = session(meta, json.loads(env("PRIVATE_JWK")))
    verifier = generate_token(64)
    nonce = generate_token(20)
    claims = {"userinfo": {"given_name": None, "https://attributes.eid.gov.it/fiscal_number": None}}
    url, state = s.create_authorization_url(
        meta["authorization_endpoint"],
        code_verifier=verifier,
        nonce=nonce,
        acr_values=L2,
        claims=json.dumps(claims),
    )
    # The same request as a signed request object (OpenID Connect Core 6.1),
    # and one signed with a key the provider does not know.
    private = json.loads(env("PRIVATE_JWK"))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    now = int(time.time())
    inner = {
        "iss": env("CLIENT_ID"),
        "aud": env("ISSUER"),
        "iat": now,
        "exp": now + 300,
        "client_id": env("CLIENT_ID"),
        "response_type": "code",
        "redirect_uri": env("REDIRECT_URI"),
        "scope": "openid offline_access",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "acr_values": L2,
        "claims": claims,
    }

    def signed_url(key_dict):
        key = jwk.ECKey.import_key(key_dict)
        token = jwt.encode({"alg": "ES256", "kid": key_dict["kid"]}, inner, key)
        query = urlencode(
            {"client_id": env("CLIENT_ID"), "response_type": "code", "scope": "openid", "request": token}
        )
        return meta["authorization_endpoint"] + "?" + query

    return {
        "url": url,
        "signed_url": signed_url(private),
        "forged_url": signed_url(keygen()["private"]),
        "state": state,
        "verifier": verifier,
        "nonce": nonce,
    }


def at_hash(token):
    digest = hashlib.sha256(token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def error_of(call):
    """The OAuth error code a call ends with, or "accepted"."""
    try:
        call()
        return "accepted"
    except Exception as e:  # authlib raises OAuthError carrying the error code
        return getattr(e, "error", str(e))


def exchange():
    meta = metadata()
    private = json.loads(env("PRIVATE_JWK"))
    s = session(meta, private)
    token = s.fetch_token(meta["token_endpoint"], code=env("CODE"), code_verifier=env("VERIFIER"))
    keys = jwk.KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    claims = decoded.claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": env("ISSUER")},
        aud={"essential": True, "value": env("CLIENT_ID")},
        nonce={"essential": True, "value": env("NONCE")},
        exp={"essential": True},
    ).validate(claims)
    assert claims["at_hash"] == at_hash(token["access_token"]), "at_hash"
    head, body, signature = token["id_token"].split(".")
    forged = ".".join([head, body, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])
    try:
        jwt.decode(forged, keys, algorithms=["RS256"])
        tampered_rejected = False
    except JoseError:
        tampered_rejected = True
    info = s.get(meta["userinfo_endpoint"]).json()
    refreshed = s.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    rotated = refreshed["refresh_token"] != token["refresh_token"]
    # Another key than the registered one: invalid_client.
    other = session(meta, keygen()["private"])
    wrong_key = error_of(lambda: other.refresh_token(meta["token_endpoint"], refresh_token=refreshed["refresh_token"]))
    revoked = s.revoke_token(
        meta["revocation_endpoint"], token=refreshed["access_token"], token_type_hint="access_token"
    )
    after = requests.get(
        meta["userinfo_endpoint"],
        headers={"Authorization": "Bearer " + refreshed["access_token"]},
        timeout=10,
    )
    # The first refresh token again: refused, and its family revoked.
    stale = error_of(lambda: s.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"]))
    family = error_of(lambda: s.refresh_token(meta["token_endpoint"], refresh_token=refreshed["refresh_token"]))
    return {
        "acr": claims["acr"],
        "sub": claims["sub"],
        "exp_in_future": claims["exp"] > time.time(),
        "userinfo": info,
        "tampered_rejected": tampered_rejected,
        "rotated": rotated,
        "stale_refresh": stale,
        "family_after_reuse": family,
        "wrong_key": wrong_key,
        "revoke_status": revoked.status_code,
        "userinfo_after_revoke": after.status_code,
    }


if __name__ == "__main__":
    step = {"keygen": keygen, "authorize": authorize, "exchange": exchange}[sys.argv[1]]
    print(json.dumps(step()))
