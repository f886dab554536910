"""Trust anchor: spid_cie_oidc.authority (fetch, list, trust mark status)
plus spid_cie_oidc.entity (its own entity configuration, resolve) and the
onboarding tools (handy to validate an entity configuration or OP metadata
by hand at /onboarding/tools/...)."""
from .settings_common import *  # noqa: F401,F403
from . import env

ROLE = "ta"
INSTALLED_APPS = COMMON_APPS + [  # noqa: F405
    "spid_cie_oidc.authority",
    "spid_cie_oidc.onboarding",
]
ROOT_URLCONF = "reference.urls_ta"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(env.STATE_DIR / "ta.sqlite3"),
    }
}

# Cookies ignore ports: the TA, the RP and the OP all live on 127.0.0.1, so
# each needs its own cookie names or they overwrite each other's sessions.
SESSION_COOKIE_NAME = "reference_ta_sessionid"
CSRF_COOKIE_NAME = "reference_ta_csrftoken"
