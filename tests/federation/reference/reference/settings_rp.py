"""Relying party: spid_cie_oidc.relying_party plus spid_cie_oidc.entity
(its entity configuration), signing in with our OP through the TA."""
from .settings_common import *  # noqa: F401,F403
from . import env

ROLE = "rp"
INSTALLED_APPS = COMMON_APPS + [  # noqa: F405
    "spid_cie_oidc.relying_party",
]
ROOT_URLCONF = "reference.urls_rp"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(env.STATE_DIR / "rp.sqlite3"),
    }
}

# See settings_ta.py: one host, several apps, distinct cookie names.
SESSION_COOKIE_NAME = "reference_rp_sessionid"
CSRF_COOKIE_NAME = "reference_rp_csrftoken"

# The providers this RP offers, by profile, each mapped to the trust anchor
# to resolve it with (spid_cie_oidc/relying_party/views/rp_landing.py and
# views/__init__.py:get_oidc_op). The key must be the OP's entity id exactly:
# it becomes TrustChain.sub, the RP's `provider_id`, and the value an `iss`
# in the authorization response is compared with.
OIDCFED_IDENTITY_PROVIDERS = {
    "spid": {env.OP_URL: env.TA_URL},
}
# Trust marks the RP would demand of providers; the package only applies
# this in `manage.py fetch_openid_providers` and the TA's staff-token
# resolve, not when a sign-in starts. Empty: the upstream default.
OIDCFED_REQUIRED_TRUST_MARKS = []

# Where the callback sends the signed-in user: the page listing the claims.
LOGIN_REDIRECT_URL = "/oidc/rp/echo_attributes"
LOGOUT_REDIRECT_URL = "/oidc/rp/landing"
LOGIN_URL = "/oidc/rp/landing"
