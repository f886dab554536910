"""Entity ids, ports and the state directory, all from the environment.

Shared by the settings modules, the management commands and (by copy of the
defaults) run.py. The package compares entity ids as exact strings, so each
id is used verbatim everywhere: as `sub` of its entity configuration, in
`authority_hints`, in FederationDescendant.sub and in the RP's provider list.
"""
import os
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent.parent

# The trust anchor and the relying party sit at the root of their own port, so
# their /.well-known/openid-federation is at the root too. The package's URL
# validation wants a dotted host: use 127.0.0.1, not localhost.
TA_URL = os.environ.get("TA_URL", "http://127.0.0.1:8101/")
RP_URL = os.environ.get("RP_URL", "http://127.0.0.1:8102/")
# Our Rust provider's entity id (no trailing slash by default: whatever it is,
# the OP must use exactly this string as `sub`/`iss` of its entity statement).
OP_URL = os.environ.get("OP_URL", "http://127.0.0.1:8100")

STATE_DIR = Path(
    os.environ.get("REFERENCE_STATE_DIR", str(HERE / "state"))
).resolve()

# Trust mark ids the trust anchor issues, in the style of the SPID examples.
RP_TRUST_MARK_ID = os.environ.get(
    "RP_TRUST_MARK_ID", "https://registry.spid.gov.it/openid_relying_party/public/"
)
OP_TRUST_MARK_ID = os.environ.get(
    "OP_TRUST_MARK_ID", "https://registry.spid.gov.it/openid_provider/public/"
)


def base(url: str) -> str:
    """The URL without its trailing slash, to append paths to."""
    return url.rstrip("/")


def port(url: str) -> int:
    return urlsplit(url).port or 80


def host(url: str) -> str:
    return urlsplit(url).hostname or "127.0.0.1"


# Where the trust anchor publishes its federation API (see urls_ta.py).
TA_FETCH = f"{base(TA_URL)}/fetch"
TA_LIST = f"{base(TA_URL)}/list"
TA_RESOLVE = f"{base(TA_URL)}/resolve"
TA_TRUST_MARK_STATUS = f"{base(TA_URL)}/trust_mark_status"

# The relying party's pages (see spid_cie_oidc/relying_party/urls.py).
RP_CALLBACK = f"{base(RP_URL)}/oidc/rp/callback"
RP_LANDING = f"{base(RP_URL)}/oidc/rp/landing"
RP_BEGIN = f"{base(RP_URL)}/oidc/rp/authorization"
RP_ECHO = f"{base(RP_URL)}/oidc/rp/echo_attributes"

# Files run.py and the commands hand to each other through the state dir.
RP_FED_JWKS_FILE = STATE_DIR / "rp_federation_jwks.json"
RP_TRUST_MARK_FILE = STATE_DIR / "rp_trust_mark.json"
OP_TRUST_MARK_FILE = STATE_DIR / "op_trust_mark.json"
OP_EC_FILE = STATE_DIR / "op_entity_configuration.json"
TA_STAFF_TOKEN_FILE = STATE_DIR / "ta_staff_token.txt"
