"""A stand-in OP: the package's own provider app (spid_cie_oidc.provider),
at OP_URL, in place of our Rust OP. Only for checking this harness end to
end (run.py --stand-in-op) and for comparing wire formats with a provider
the reference RP is known to accept."""
from .settings_common import *  # noqa: F401,F403
from . import env

ROLE = "op"
INSTALLED_APPS = COMMON_APPS + [  # noqa: F405
    "spid_cie_oidc.provider",
]
ROOT_URLCONF = "reference.urls_op"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(env.STATE_DIR / "standin_op.sqlite3"),
    }
}

SESSION_COOKIE_NAME = "reference_op_sessionid"
CSRF_COOKIE_NAME = "reference_op_csrftoken"

OIDCFED_PROVIDER_PROFILE = "spid"
OIDCFED_REQUIRED_TRUST_MARKS = []
LOGIN_URL = "/oidc/op/authorization"
