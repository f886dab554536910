"""Configure the stand-in OP (run with reference.settings_op); see
settings_op.py. Idempotent, keys made once. Writes the OP's public
federation keys to state/standin_op_jwks.json for `setup_ta --op-jwks`, and
publishes the TA's trust mark for it when state/op_trust_mark.json exists.
"""
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from spid_cie_oidc.entity.jwks import create_jwk, public_jwk_from_private_jwk
from spid_cie_oidc.entity.models import FederationEntityConfiguration

from reference import env

STANDIN_JWKS_FILE = env.STATE_DIR / "standin_op_jwks.json"
USERNAME = "standin"
PASSWORD = "standin-password"
# the user the stand-in OP signs in, with SPID claim names as keys
ATTRIBUTES = {
    "given_name": "Mario",
    "family_name": "Rossi",
    "email": "mario.rossi@example.org",
    "https://attributes.eid.gov.it/fiscal_number": "TINIT-RSSMRA80A01H501U",
}


class Command(BaseCommand):
    help = "Create or update the stand-in OP's entity and its one user"

    def handle(self, *args, **opts):
        conf = FederationEntityConfiguration.objects.filter(sub=env.OP_URL).first()
        if conf is None:
            sig = create_jwk()
            sig["use"] = "sig"
            conf = FederationEntityConfiguration(
                sub=env.OP_URL, jwks_fed=[create_jwk()], jwks_core=[sig]
            )
        b = env.base(env.OP_URL)
        core_public = []
        for k in conf.jwks_core:
            pub = public_jwk_from_private_jwk(k)
            pub["use"] = k.get("use", "sig")
            core_public.append(pub)
        algs = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
        enc_algs = ["RSA-OAEP", "RSA-OAEP-256"]
        encs = ["A128CBC-HS256", "A256CBC-HS512"]
        conf.entity_type = "openid_provider"
        conf.authority_hints = [env.TA_URL]
        conf.metadata = {
            # every field of entity/schemas/op_metadata.py:OPMetadataSpid
            "openid_provider": {
                "issuer": env.OP_URL,
                "organization_name": "stand-in OP (spid-cie-oidc provider app)",
                "op_name": "stand-in OP",
                "authorization_endpoint": f"{b}/oidc/op/authorization",
                "token_endpoint": f"{b}/oidc/op/token",
                "userinfo_endpoint": f"{b}/oidc/op/userinfo",
                "introspection_endpoint": f"{b}/oidc/op/introspection",
                "revocation_endpoint": f"{b}/oidc/op/revocation",
                "jwks": {"keys": core_public},
                "scopes_supported": ["openid", "offline_access"],
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "acr_values_supported": [
                    "https://www.spid.gov.it/SpidL1",
                    "https://www.spid.gov.it/SpidL2",
                    "https://www.spid.gov.it/SpidL3",
                ],
                "subject_types_supported": ["pairwise"],
                "claims_parameter_supported": True,
                "request_parameter_supported": True,
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "token_endpoint_auth_signing_alg_values_supported": algs,
                "id_token_signing_alg_values_supported": algs,
                "id_token_encryption_alg_values_supported": enc_algs,
                "id_token_encryption_enc_values_supported": encs,
                "userinfo_signing_alg_values_supported": algs,
                "userinfo_encryption_alg_values_supported": enc_algs,
                "userinfo_encryption_enc_values_supported": encs,
                "request_object_signing_alg_values_supported": algs,
                "request_object_encryption_alg_values_supported": enc_algs,
                "request_object_encryption_enc_values_supported": encs,
                "client_registration_types_supported": ["automatic"],
            },
            "federation_entity": {
                "organization_name": "stand-in OP",
                "homepage_uri": b,
                "contacts": ["ops@op.example.org"],
            },
        }
        conf.trust_marks = (
            [json.loads(env.OP_TRUST_MARK_FILE.read_text())]
            if env.OP_TRUST_MARK_FILE.exists() else []
        )
        conf.is_active = True
        conf.full_clean()  # includes the OPMetadataSpid schema
        conf.save()
        STANDIN_JWKS_FILE.write_text(json.dumps({"keys": conf.public_jwks}, indent=2))

        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first() or User(username=USERNAME)
        user.set_password(PASSWORD)
        user.email = ATTRIBUTES["email"]
        user.attributes = dict(ATTRIBUTES)
        user.save()
        self.stdout.write(
            f"stand-in OP {conf.sub}: fed kid {conf.kids}, user {USERNAME}/{PASSWORD}"
        )
