"""Production: every secret comes from the environment, and a missing one stops
the process. ``manage.py check --deploy`` passes with no warnings (tested)."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, database_pool, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"].update(database_pool(env, DATABASES["default"]))
REDIS_URL = env.str("REDIS_URL")

# X-Forwarded-Proto is believed only when a proxy is really in front (the
# same NUM_PROXIES that client addresses use); with the app port published
# directly a client could write it and skip the HTTPS redirect.
if REST_FRAMEWORK["NUM_PROXIES"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Orchestrators' liveness and readiness probes speak plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
SMS_BACKEND = env.str("SMS_BACKEND", default="foundation.transports.sms.TwilioSmsBackend")
# Plan master keys never have a default in production (crisisplans/crypto.py).
PLAN_MASTER_KEYS = env.list("PLAN_MASTER_KEYS")
ERASURE_LEDGER_PATH = env.str("ERASURE_LEDGER_PATH", default="/var/lib/crisisnet/erasures/erasures.log")
PUSH_BACKEND = env.str("PUSH_BACKEND", default="foundation.transports.push.WebPushBackend")
# A system check stops the service when a provider's settings are blank.
REQUIRE_REAL_TRANSPORTS = True

# --- Operations (issue 17, docs/operations.md) ---
from .base import LOGGING, use_log_format  # noqa: E402

# Database figures for /metrics: django-prometheus's wrapper of the same engine
# (it counts queries, errors and connections; the driver and pool are Django's).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends.", 1
)
# The scraper speaks plain HTTP inside the deployment's network, as the probes do.
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]
# One JSON object per log line, from web, workers and beat alike.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
CELERY_WORKER_HIJACK_ROOT_LOGGER = use_log_format(LOGGING, LOG_FORMAT)
