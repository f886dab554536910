"""Configure the relying party's entity (run with reference.settings_rp).

Idempotent: keys are made once and kept (they live in the RP's sqlite file),
the rest is rewritten on every run. run.py calls it twice: first to make the
keys (their public federation part goes to the TA), then again once the TA
has issued the RP's trust mark, to publish it.
"""
import json

from django.core.management.base import BaseCommand

from spid_cie_oidc.entity.jwks import create_jwk, public_jwk_from_private_jwk
from spid_cie_oidc.entity.models import (
    FederationEntityConfiguration,
    FetchedEntityStatement,
    TrustChain,
)

from reference import env


def core_keys():
    """The RP's OpenID Connect keys. The package picks them by `use`
    (entity/utils.py:get_key reads jwk['use'] and fails without it): the
    `sig` one signs the request object and the client assertion, the `enc`
    one decrypts the userinfo JWE (relying_party/oidc/__init__.py)."""
    sig = create_jwk()
    sig["use"] = "sig"
    enc = create_jwk()
    enc["use"] = "enc"
    return [sig, enc]


def public(jwk):
    pub = public_jwk_from_private_jwk(jwk)
    if "use" in jwk:
        pub["use"] = jwk["use"]
    return pub


class Command(BaseCommand):
    help = "Create or update the relying party's FederationEntityConfiguration"

    def add_arguments(self, parser):
        parser.add_argument(
            "--rotate-keys", action="store_true", help="make new keys even if some exist"
        )

    def handle(self, *args, **opts):
        conf = FederationEntityConfiguration.objects.filter(sub=env.RP_URL).first()
        if conf is None:
            conf = FederationEntityConfiguration(sub=env.RP_URL)
            opts["rotate_keys"] = True
        if opts["rotate_keys"]:
            conf.jwks_fed = [create_jwk()]
            conf.jwks_core = core_keys()

        core_public = [public(k) for k in conf.jwks_core]
        conf.entity_type = "openid_relying_party"
        conf.authority_hints = [env.TA_URL]
        conf.default_signature_alg = "RS256"
        conf.metadata = {
            # What the OP learns about this client, after the TA's policy.
            # The package itself reads only client_id, redirect_uris,
            # response_types and jwks from here (views/rp_begin.py).
            "openid_relying_party": {
                "application_type": "web",
                "client_id": env.RP_URL,
                "client_registration_types": ["automatic"],
                "client_name": "spid-cie-oidc reference RP",
                "organization_name": "spid-cie-oidc reference RP",
                "contacts": ["ops@rp.example.org"],
                "grant_types": ["authorization_code", "refresh_token"],
                "redirect_uris": [env.RP_CALLBACK],
                "response_types": ["code"],
                "subject_type": "pairwise",
                "token_endpoint_auth_method": "private_key_jwt",
                "id_token_signed_response_alg": "RS256",
                "userinfo_signed_response_alg": "RS256",
                # The package's defaults for JWE (entity/settings.py
                # DEFAULT_JWE_ALG / DEFAULT_JWE_ENC). The RP code does not
                # read these: it decrypts whatever alg/enc the JWE header
                # names, if in ENCRYPTION_ALG_VALUES_SUPPORTED.
                "userinfo_encrypted_response_alg": "RSA-OAEP",
                "userinfo_encrypted_response_enc": "A256CBC-HS512",
                # inline keys only: the package's jwks.json / jwks.jose views
                # assume the RP lives under /oidc/rp/, which this one doesn't
                "jwks": {"keys": core_public},
            },
            "federation_entity": {
                "organization_name": "spid-cie-oidc reference RP",
                "homepage_uri": env.base(env.RP_URL),
                "contacts": ["ops@rp.example.org"],
                "federation_resolve_endpoint": f"{env.base(env.RP_URL)}/resolve",
            },
        }
        if env.RP_TRUST_MARK_FILE.exists():
            conf.trust_marks = [json.loads(env.RP_TRUST_MARK_FILE.read_text())]
        else:
            conf.trust_marks = []
        conf.is_active = True
        # the package's validators: RP metadata schema (RPMetadataSpid),
        # private keys, metadata algs
        conf.full_clean()
        conf.save()

        # Forget resolved trust chains (the OP's): the RP reuses one until
        # min(exp of the OP's and the TA's entity configurations), so after a
        # change of the OP's keys or metadata it would keep the old ones.
        # They are caches; the RP rebuilds them at the next sign-in.
        TrustChain.objects.all().delete()
        FetchedEntityStatement.objects.all().delete()

        env.RP_FED_JWKS_FILE.write_text(json.dumps({"keys": conf.public_jwks}, indent=2))
        self.stdout.write(
            f"RP {conf.sub}: fed kid {conf.kids}, core kids "
            f"{[(k['kid'], k['use']) for k in conf.jwks_core]}, "
            f"trust marks {len(conf.trust_marks)}"
        )
