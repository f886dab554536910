"""Configure the trust anchor (run with reference.settings_ta).

- its own FederationEntityConfiguration, with the federation API endpoints;
- two trust mark profiles (FederationEntityProfile): one for public SPID
  relying parties, one for SPID providers;
- its subordinates (FederationDescendant + contact + assigned profile): the
  RP, and our OP when its federation keys are known (--op-jwks FILE, or
  fetched from OP_URL/.well-known/openid-federation);
- a superuser and a StaffToken: the resolve endpoint only builds a new trust
  chain for callers presenting one (entity/views.py:resolve_entity_statement).

Idempotent: the TA's keys are made once and kept.
"""
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from spid_cie_oidc.authority.models import (
    FederationDescendant,
    FederationDescendantContact,
    FederationEntityAssignedProfile,
    FederationEntityProfile,
)
from spid_cie_oidc.entity.jwks import create_jwk
from spid_cie_oidc.entity.models import (
    FederationEntityConfiguration,
    FetchedEntityStatement,
    StaffToken,
    TrustChain,
)
from spid_cie_oidc.entity.schemas.op_metadata import OPMetadataSpid
from spid_cie_oidc.entity.statements import EntityConfiguration, get_entity_configurations
from spid_cie_oidc.entity.validators import validate_public_jwks

from reference import env


def read_jwks(path):
    data = json.loads(open(path).read())
    keys = data["keys"] if isinstance(data, dict) else data
    # a descendant's jwks must be public keys (authority/models.py validator)
    validate_public_jwks(keys)
    return keys


class Command(BaseCommand):
    help = "Create or update the trust anchor and register the RP and the OP"

    def add_arguments(self, parser):
        parser.add_argument("--rp-jwks", default=str(env.RP_FED_JWKS_FILE))
        parser.add_argument(
            "--op-jwks",
            help="the OP's federation public keys ({'keys': [...]} or a list); "
            "without it they are read from the OP's entity configuration",
        )

    def warn(self, msg):
        self.stderr.write(self.style.WARNING(f"WARNING: {msg}"))

    def handle(self, *args, **opts):
        ta = self.setup_self()
        rp_profile, op_profile = self.setup_profiles()

        rp_keys = read_jwks(opts["rp_jwks"])
        self.register(
            ta, env.RP_URL, "reference RP", "openid_relying_party", rp_keys,
            "ops@rp.example.org", rp_profile, env.RP_TRUST_MARK_FILE,
        )

        op_keys = None
        if opts["op_jwks"]:
            op_keys = read_jwks(opts["op_jwks"])
        op_keys_from_ec = self.check_op_entity_configuration()
        if op_keys is None:
            op_keys = op_keys_from_ec
        elif op_keys_from_ec is not None and op_keys_from_ec != op_keys:
            self.warn(
                "the OP's entity configuration has other keys than --op-jwks; "
                "registering --op-jwks"
            )
        if op_keys is None:
            self.warn(
                f"OP not registered: no --op-jwks and {env.OP_URL} is not "
                "reachable. Run setup again once it is."
            )
            FederationDescendant.objects.filter(sub=env.OP_URL).update(is_active=False)
        else:
            self.register(
                ta, env.OP_URL, "our OP", "openid_provider", op_keys,
                "ops@op.example.org", op_profile, env.OP_TRUST_MARK_FILE,
            )

        self.staff_token()
        # the resolve endpoint's cache: stale once a subordinate's keys change
        TrustChain.objects.all().delete()
        FetchedEntityStatement.objects.all().delete()

    def setup_self(self):
        ta = FederationEntityConfiguration.objects.filter(sub=env.TA_URL).first()
        if ta is None:
            ta = FederationEntityConfiguration(sub=env.TA_URL, jwks_fed=[create_jwk()])
        # A TA signs with jwks_fed only; jwks_core is unused but required.
        if not ta.jwks_core:
            ta.jwks_core = [create_jwk()]
        ta.entity_type = "federation_entity"
        ta.authority_hints = []
        ta.default_signature_alg = "RS256"
        ta.metadata = {
            "federation_entity": {
                "organization_name": "spid-cie-oidc reference trust anchor",
                "homepage_uri": env.base(env.TA_URL),
                "contacts": ["ops@ta.example.org"],
                # RPs and OPs read federation_fetch_endpoint from here to get
                # the subordinate statements (entity/statements.py:
                # validate_by_superiors builds "{fetch}?sub={sub}")
                "federation_fetch_endpoint": env.TA_FETCH,
                "federation_list_endpoint": env.TA_LIST,
                "federation_resolve_endpoint": env.TA_RESOLVE,
                "federation_trust_mark_status_endpoint": env.TA_TRUST_MARK_STATUS,
            }
        }
        # the TA may issue both trust marks itself
        ta.trust_mark_issuers = {
            env.RP_TRUST_MARK_ID: [env.TA_URL],
            env.OP_TRUST_MARK_ID: [env.TA_URL],
        }
        # one level below the TA is all this federation has; as upstream
        ta.constraints = {"max_path_length": 1}
        ta.trust_marks = []
        ta.is_active = True
        ta.full_clean()
        ta.save()
        self.stdout.write(f"TA {ta.sub}: kid {ta.kids}")
        return ta

    def setup_profiles(self):
        template = {
            "organization_type": "public",
            "id_code": {"ipa_code": "reference"},
            "email": "ops@ta.example.org",
            "ref": "https://docs.italia.it/italia/spid/spid-cie-oidc-docs/",
        }
        rp_profile, _ = FederationEntityProfile.objects.update_or_create(
            profile_id=env.RP_TRUST_MARK_ID,
            defaults=dict(
                name="SPID public RP",
                profile_category="openid_relying_party",
                trust_mark_template=template,
            ),
        )
        # profile_category selects the TA's default metadata policy for the
        # subordinate statement (authority/models.py:entity_statement_as_dict
        # with authority/settings.py FEDERATION_DEFAULT_POLICY): assigning an
        # openid_provider profile puts the openid_provider policy on our OP.
        op_profile, _ = FederationEntityProfile.objects.update_or_create(
            profile_id=env.OP_TRUST_MARK_ID,
            defaults=dict(
                name="SPID OP",
                profile_category="openid_provider",
                trust_mark_template=template,
            ),
        )
        return rp_profile, op_profile

    def register(self, ta, sub, name, typ, keys, contact, profile, tm_file):
        desc, _ = FederationDescendant.objects.update_or_create(
            sub=sub,
            defaults=dict(name=name, type=typ, jwks=keys, is_active=True),
        )
        FederationDescendantContact.objects.filter(entity=desc).delete()
        FederationDescendantContact.objects.create(entity=desc, contact=contact, type="email")
        FederationEntityAssignedProfile.objects.filter(descendant=desc).delete()
        assigned = FederationEntityAssignedProfile.objects.create(
            descendant=desc, profile=profile, issuer=ta
        )
        # {"trust_mark_type", "trust_mark", "trust_mark_id", "id"}: the entry a
        # leaf puts in the `trust_marks` array of its entity configuration
        tm_file.write_text(json.dumps(assigned.trust_mark, indent=2))
        self.stdout.write(
            f"subordinate {sub} ({typ}): kids {[k.get('kid') for k in keys]}, "
            f"trust mark {profile.profile_id} -> {tm_file}"
        )

    def check_op_entity_configuration(self):
        """Fetch and check the OP's entity configuration the way the package
        does; return its federation keys, or None if unreachable. The checks
        are warnings, not errors: they are for whoever builds the OP."""
        try:
            jwt = get_entity_configurations(env.OP_URL)[0]
        except Exception as e:  # connection refused and the like
            self.stdout.write(f"OP entity configuration not fetched: {e!r}")
            return None
        if not jwt:
            self.stdout.write("OP entity configuration not fetched (no 200 answer)")
            return None
        try:
            ec = EntityConfiguration(jwt)
            ec.validate_by_itself()
        except Exception as e:
            raise CommandError(f"the OP's entity configuration is not valid: {e!r}")
        env.OP_EC_FILE.write_text(
            json.dumps({"header": ec.header, "payload": ec.payload}, indent=2)
        )
        p = ec.payload
        if p.get("sub") != env.OP_URL or p.get("iss") != env.OP_URL:
            self.warn(
                f"OP entity configuration iss/sub {p.get('iss')}/{p.get('sub')} "
                f"!= OP_URL {env.OP_URL}: the TA fetch endpoint is queried with "
                "the EC's sub and matches it exactly"
            )
        if env.TA_URL not in p.get("authority_hints", []):
            self.warn(
                f"authority_hints {p.get('authority_hints')} lacks {env.TA_URL} "
                "exactly (the onboarding validator, authority/validators.py, "
                "rejects that)"
            )
        op_md = p.get("metadata", {}).get("openid_provider")
        if not op_md:
            self.warn("no metadata.openid_provider in the OP's entity configuration")
        else:
            try:
                OPMetadataSpid(**op_md)
            except Exception as e:
                self.warn(f"metadata.openid_provider fails OPMetadataSpid: {e}")
            if not op_md.get("jwks"):
                self.warn(
                    "metadata.openid_provider has no inline jwks: the RP verifies "
                    "tokens and userinfo only with it (jwks_uri and signed_jwks_uri "
                    "break its later lookups)"
                )
        self.stdout.write(f"OP entity configuration OK, saved in {env.OP_EC_FILE}")
        return ec.jwks

    def staff_token(self):
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User.objects.create_superuser("admin", "admin@example.org", "admin")
        token = StaffToken.objects.filter(user=admin, is_active=True).first()
        if token is None:
            token = StaffToken.objects.create(user=admin)
        env.TA_STAFF_TOKEN_FILE.write_text(token.token)
