"""Settings shared by both roles; settings_ta.py and settings_rp.py add theirs.

Modelled on the upstream examples (examples/*/settingslocal.py.example in
italia/spid-cie-oidc-django), trimmed to what the two roles need.
"""
import aiohttp

from . import env

BASE_DIR = env.HERE
env.STATE_DIR.mkdir(parents=True, exist_ok=True)

# A local test harness: a fixed key and DEBUG (so runserver serves the apps'
# static files, which the RP pages load).
SECRET_KEY = "reference-harness-not-a-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# The package's own user model: the RP stores the released claims in
# User.attributes, and StaffToken (TA) points at it.
AUTH_USER_MODEL = "spid_cie_oidc_accounts.User"

COMMON_APPS = [
    "spid_cie_oidc.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # templates the package's pages extend (bootstrap-italia-base.html),
    # from the PyPI package design-django-theme
    "bootstrap_italia_template",
    "spid_cie_oidc.entity",
    # this project: only for its management commands (setup_ta, setup_rp,
    # check_federation)
    "reference",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
# The package turns timestamps into datetimes with
# make_aware(datetime.fromtimestamp(ts)): the naive local time of the process
# read in Django's TIME_ZONE. Both are UTC here (run.py also sets TZ=UTC for
# the servers) so that exp/iat comparisons are not shifted by hours.
TIME_ZONE = "UTC"

# The trust anchor of both roles (the TA is its own).
OIDCFED_DEFAULT_TRUST_ANCHOR = env.TA_URL
OIDCFED_TRUST_ANCHOR = env.TA_URL
OIDCFED_TRUST_ANCHORS = [env.TA_URL]

# aiohttp client used for every federation fetch (entity configurations,
# fetch endpoint). "ssl": True is the package default; it is irrelevant for
# http:// URLs, so plain http on 127.0.0.1 works without patches.
HTTPC_TIMEOUT = 8
HTTPC_PARAMS = {
    "connection": {"ssl": True},
    "session": {"timeout": aiohttp.ClientTimeout(total=HTTPC_TIMEOUT)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "default": {"format": "%(asctime)s %(name)-12s %(levelname)-8s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "default"},
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # DEBUG shows the RP's decoded tokens and every federation request
        "spid_cie_oidc": {"handlers": ["console"], "level": "DEBUG", "propagate": False},
    },
}
