"""Settings shared by every environment, read from environment variables.

Parsing is strict: a malformed variable stops the process at start-up rather
than running with a guessed value (healthchecks.io's settings do the same).

With no configuration at all the service runs on embedded defaults: a SQLite
file under var/ and the Redis server that ``config.stack`` starts. ``REDIS_URL``
is then set by the launcher; nothing here guesses a server.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

from config.app_files import app_headers
from messaging.logs import PER_TASK_LOGGERS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
# Browser origins allowed to open the websocket. Native apps send no Origin and
# authenticate with the Authorization header instead.
WEBSOCKET_ALLOWED_ORIGINS = env.list(
    "WEBSOCKET_ALLOWED_ORIGINS",
    default=["http://localhost:8000", "http://127.0.0.1:8000"],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The web app's device token lives in an HttpOnly, SameSite=Strict cookie
# (network/auth.py says why). Secure everywhere: browsers accept Secure cookies
# from http://localhost and http://127.0.0.1, so development needs no exception;
# the __Host- prefix makes the browser refuse it without Secure and Path=/.
DEVICE_COOKIE_SECURE = env.bool("DEVICE_COOKIE_SECURE", default=True)
DEVICE_COOKIE_NAME = "__Host-device" if DEVICE_COOKIE_SECURE else "device"
CSRF_COOKIE_SECURE = DEVICE_COOKIE_SECURE
CSRF_COOKIE_SAMESITE = "Strict"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "channels",
    "foundation",
    "network",
    "crisisplans",
    "messaging",
]

MIDDLEWARE = [
    "config.edge.AccessLogMiddleware",
    "config.edge.ContentSecurityPolicyMiddleware",
    "config.edge.NoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))


def sqlite_for_concurrency(env: environ.Env, database: dict) -> dict:
    """OPTIONS for one SQLite file shared by daphne, the worker and beat.

    Python's default (a rollback journal, deferred transactions) failed at once
    with "database is locked" whenever a transaction that had read tried to
    write while another process wrote (an ack batch while the worker swept):
    SQLite gives up on such an upgrade without waiting, and the socket was
    closed. WAL lets readers and one writer run together; IMMEDIATE takes the
    write lock at BEGIN, where the busy timeout (seconds) applies.
    SQLite only: other engines get nothing."""
    if not database["ENGINE"].endswith("sqlite3"):
        return {}
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=5.0),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    **sqlite_for_concurrency(env, DATABASES["default"]),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Set by config.stack for the embedded default; required otherwise.
REDIS_URL = env.str("REDIS_URL", default="")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}


def database_pool(env: environ.Env, database: dict) -> dict:
    """PostgreSQL connections from a bounded pool (Django's psycopg pool).

    Not persistent connections (CONN_MAX_AGE): under daphne each concurrent
    sync request runs in a thread of its own, and each such thread kept its
    own connection, so a burst of requests (the benchmark's 100 alerts a
    second) opened connections until PostgreSQL refused them ("too many
    clients") and requests failed with 500. The pool caps each process;
    a request waits up to DB_POOL_TIMEOUT seconds for a connection.
    PostgreSQL only: other engines get nothing."""
    if not database["ENGINE"].endswith("postgresql"):
        return {}
    return {
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            "pool": {
                "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
                "max_size": env.int("DB_POOL_MAX_SIZE", default=16),
                "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
            }
        },
    }


def channel_layer_host(url: str) -> dict:
    """A channels_redis host that reconnects after a Redis restart instead of
    failing the first command on each stale pooled connection."""
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return {
        "address": url,
        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), 6),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "health_check_interval": 30,
        # redis-py's default pool of 100 refused handshakes past ~2,400
        # sockets on the core layer (MaxConnectionsError in group_add); the
        # pub/sub layer needs two, but a limit keeps a storm bounded.
        "max_connections": env.int("CHANNEL_REDIS_MAX_CONNECTIONS", default=2000),
    }


# The layer only carries wake-up hints; sockets read events from the database.
# Pub/sub over the core layer, by the benchmark's numbers: messaging/layers.py
# and docs/performance.md say why. Wake every socket after a Redis reconnect
# with the message messaging.realtime.WAKE_MESSAGE (a test checks they match).
RECONNECT_MESSAGE = {"type": "events.available"}


def redis_channel_layer(urls: list[str], *, prefix: str) -> dict:
    return {
        "BACKEND": "messaging.layers.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [channel_layer_host(url) for url in urls],
            "prefix": prefix,
            "reconnect_message": RECONNECT_MESSAGE,
        },
    }


CHANNEL_LAYERS = {
    "default": (
        redis_channel_layer(
            env.list("CHANNEL_REDIS_URLS", default=[REDIS_URL]),
            prefix=env.str("CHANNEL_PREFIX", default="asgi"),
        )
        if REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

AUTH_USER_MODEL = "network.Person"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default="")
if not STATIC_ROOT:
    STATIC_ROOT = str(VAR_DIR / "static")
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files from the finders when collectstatic has not been run, so
# the offline API docs work in the embedded default too.
WHITENOISE_USE_FINDERS = True
# The web app (app/public/) is served at the root of the site: / is its
# index.html, /sw.js its service worker (whose scope is then the whole site).
# Its files are not hashed, so every answer says "no-cache": the browser may
# keep a copy but asks (by ETag) before using it, and a new release is seen
# on the next load.
WHITENOISE_ROOT = BASE_DIR / "app" / "public"
WHITENOISE_INDEX_FILE = True
WHITENOISE_ALLOW_ALL_ORIGINS = False
WHITENOISE_ADD_HEADERS_FUNCTION = app_headers

PHONENUMBER_DEFAULT_REGION = "GB"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "E164"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "network.auth.DeviceTokenAuthentication",
        "network.auth.DeviceCookieAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "foundation.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "foundation.problems.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_code_number": env.str("THROTTLE_LOGIN_CODE_NUMBER", default="5/hour"),
        "login_code_address": env.str("THROTTLE_LOGIN_CODE_ADDRESS", default="30/hour"),
        "login_verify_address": env.str("THROTTLE_LOGIN_VERIFY_ADDRESS", default="60/hour"),
        # Ordinary writes, per person (config/edge.py). Never the alert flow.
        "messages": env.str("THROTTLE_MESSAGES", default="30/minute"),
        "plan_edits": env.str("THROTTLE_PLAN_EDITS", default="120/hour"),
        "membership_requests": env.str("THROTTLE_MEMBERSHIP_REQUESTS", default="20/hour"),
        "map_edits": env.str("THROTTLE_MAP_EDITS", default="120/hour"),
        "push_subscriptions": env.str("THROTTLE_PUSH_SUBSCRIPTIONS", default="20/hour"),
        "writes": env.str("THROTTLE_WRITES", default="300/hour"),
    },
    "DEFAULT_THROTTLE_CLASSES": ["config.edge.WriteRateThrottle"],
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Peer-support crisis network API",
    "DESCRIPTION": (
        "Members, networks, crisis plans and alerts. Errors are RFC 9457 problem "
        "details. The realtime protocol at /ws/v1/ is described in docs/asyncapi.yaml."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No settings: Redoc then starts from the <redoc spec-url> tag, not from an
    # inline script the strict CSP would block (config/edge.py).
    "REDOC_UI_SETTINGS": "",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Devices stay signed in for 30 days; a person sees and revokes them.
KNOX_TOKEN_MODEL = "network.Device"
# knox's own migrations create its AuthToken table even when the model is
# swapped for ours; leaving knox unmigrated creates nothing for a swapped model.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("DEVICE_TOKEN_TTL_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# One-time login codes.
LOGIN_CODE_TTL = timedelta(minutes=10)
LOGIN_CODE_MAX_GUESSES = 5

# Websocket protocol.
WEBSOCKET_TICKET_TTL = timedelta(seconds=30)
WEBSOCKET_MAX_FRAME_BYTES = 64 * 1024
WEBSOCKET_HEARTBEAT_SECONDS = env.float("WEBSOCKET_HEARTBEAT_SECONDS", default=15.0)
# Events older than this are deleted; a client whose cursor is older gets resync_required.
EVENT_RETENTION_DAYS = env.int("EVENT_RETENTION_DAYS", default=30)

# Notification transports (see foundation/transports). Development prints to the
# console; tests use locmem; production switches on Twilio by environment.
SMS_BACKEND = env.str("SMS_BACKEND", default="foundation.transports.sms.ConsoleSmsBackend")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
# Where twilio-python sends its requests (foundation/transports/twilio.py):
# Twilio's own API in production, a fake Twilio on loopback in tests.
TWILIO_API_URL = env.str("TWILIO_API_URL", default="https://api.twilio.com")
# The service's address as Twilio (and anyone outside) reaches it, behind any
# TLS proxy: status callbacks and TwiML links are built from it, and Twilio's
# webhook signatures are checked against it.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000")
# Texting in (issue 17, messaging/hooks/inbound.py): the words that raise an
# alert when a member texts one from their registered number (any case), and
# how many replies one number is sent an hour at most.
SMS_RAISE_WORDS = env.list("SMS_RAISE_WORDS", default=["HELP"])
if not [word for word in SMS_RAISE_WORDS if word.strip()]:
    raise environ.ImproperlyConfigured("SMS_RAISE_WORDS needs at least one word")
SMS_REPLIES_PER_HOUR = env.int("SMS_REPLIES_PER_HOUR", default=10)
PUSH_BACKEND = env.str("PUSH_BACKEND", default="foundation.transports.push.ConsolePushBackend")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="")
# Production refuses the console and locmem backends (foundation/checks.py).
REQUIRE_REAL_TRANSPORTS = False
# Hosts a push subscription's endpoint may name ("*." covers the subdomains):
# the worker POSTs to the endpoint, so anything else is refused
# (messaging/actions/push.py).
WEB_PUSH_ALLOWED_HOSTS = env.list(
    "WEB_PUSH_ALLOWED_HOSTS",
    default=[
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "*.notify.windows.com",
        "web.push.apple.com",
        "*.push.apple.com",
    ],
)

# Alerts (messaging/actions/alerts.py, escalation.py). How many peers are offered an alert at
# once within a step; a decline offers the next one at once.
ALERT_PARALLEL_OFFERS = env.int("ALERT_PARALLEL_OFFERS", default=3)
# After the last step, staff are paged again this often until someone takes it.
ALERT_STAFF_RENOTIFY_SECONDS = env.int("ALERT_STAFF_RENOTIFY_SECONDS", default=120)
# An offer not acknowledged by a device this long after it was sent gets a
# push notification, and an SMS this long after that.
ALERT_PUSH_AFTER_SECONDS = env.int("ALERT_PUSH_AFTER_SECONDS", default=10)
ALERT_SMS_AFTER_PUSH_SECONDS = env.int("ALERT_SMS_AFTER_PUSH_SECONDS", default=20)
# A taken alert with no first contact gets a reminder after this long, and
# goes back to escalation this long after the reminder.
ALERT_FIRST_CONTACT_SECONDS = env.int("ALERT_FIRST_CONTACT_SECONDS", default=180)
ALERT_RETURN_AFTER_REMINDER_SECONDS = env.int("ALERT_RETURN_AFTER_REMINDER_SECONDS", default=120)
# The service's on-duty staff (members of this Django auth group) are offered an
# alert whose network has nobody at its staff step who may be asked. Blank: none.
SERVICE_ON_DUTY_STAFF_GROUP = env.str("SERVICE_ON_DUTY_STAFF_GROUP", default="on-duty staff")

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
ALERT_SWEEP_SECONDS = env.float("ALERT_SWEEP_SECONDS", default=1.0)

# The network report (issue 16): any count under this is shown as "fewer than N".
REPORT_SUPPRESS_BELOW = env.int("REPORT_SUPPRESS_BELOW", default=5)

CELERY_BEAT_SCHEDULE = {
    "purge-expired-login-material": {
        "task": "network.tasks.purge_expired_login_material",
        "schedule": timedelta(hours=1),
    },
    "purge-old-events": {
        "task": "messaging.tasks.purge_old_events",
        "schedule": timedelta(hours=6),
    },
    "prompt-due-plan-reviews": {
        "task": "crisisplans.tasks.prompt_due_reviews",
        "schedule": timedelta(hours=1),
    },
    # The safety net under the ETA tasks: due escalation steps, delivery
    # fallbacks, contact checks and follow-ups, read from the database. After
    # a worker dies it is what runs the steps the dead worker held, so its
    # interval bounds how late they are (the bench's killed-worker figure).
    # Sweeps queued while no worker runs expire after 30 s, so a long outage
    # does not leave hundreds to run; not sooner: with a 2 s expiry a busy
    # worker let every sweep expire in its prefetch buffer after a kill, and
    # steps ran 22 s late in the bench.
    "sweep-due-alert-work": {
        "task": "messaging.tasks.sweep_due_alert_work",
        "schedule": timedelta(seconds=ALERT_SWEEP_SECONDS),
        "options": {"expires": 30},
    },
    # Message push/SMS fallbacks whose ETA tasks were lost: minutes matter
    # here, not seconds, and they run on the default queue, apart from alerts.
    "sweep-message-fallbacks": {
        "task": "messaging.tasks.sweep_message_fallbacks",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 20},
    },
    # Shift reminders (network/reminders.py): what is due is read from the
    # database and recorded before it is sent, so a late, lost or doubled run
    # neither loses nor repeats one.
    "send-shift-reminders": {
        "task": "network.tasks.send_shift_reminders",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
}
# The person on a shift is reminded this long before it starts (issue 15).
SHIFT_REMINDER_BEFORE_MINUTES = env.int("SHIFT_REMINDER_BEFORE_MINUTES", default=30)
CELERY_TASK_ROUTES = {
    "network.tasks.*": {"queue": "default"},
    "crisisplans.tasks.*": {"queue": "default"},
    # Message fallbacks can pile up (a group of hundreds); alert work never
    # waits behind them.
    "messaging.tasks.send_conversation_fallbacks": {"queue": "default"},
    "messaging.tasks.send_message_fallbacks": {"queue": "default"},
    "messaging.tasks.sweep_message_fallbacks": {"queue": "default"},
    "messaging.tasks.purge_old_messages": {"queue": "default"},
    "messaging.tasks.push_swap_notice": {"queue": "default"},
    "messaging.tasks.*": {"queue": "realtime"},
    "config.celery.*": {"queue": "default"},
}
CELERY_WORKER_QUEUES = ["realtime", "default"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Secrets that travel in URLs (calendar feed tokens) never reach a log line.
    "filters": {"redact_secrets": {"()": "config.logs.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        # Drop the console handler Django adds to "django" when DEBUG is on: it
        # printed every line twice, the second time unfiltered.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# Routine sweeps log nothing unless they did something (messaging/logs.py).
LOGGING["filters"]["quiet_routine_sweeps"] = {"()": "messaging.logs.QuietRoutineSweeps"}
LOGGING["loggers"].update({name: {"filters": ["quiet_routine_sweeps"]} for name in PER_TASK_LOGGERS})

# --- Crisis plans (crisisplans/, issue 4) -----------------------------------
# Master keys wrap each member's plan data key (crisisplans/crypto.py). Entries
# are "key-id:base64-of-32-bytes", comma separated; the FIRST is current and the
# rest only unwrap until `manage.py rotate_plan_master_key` has rewrapped every
# data key. The default is a fixed DEVELOPMENT key, NOT FOR PRODUCTION:
# production.py requires the variable and a deploy check rejects this key.
PLAN_DEVELOPMENT_MASTER_KEY = "dev-not-for-production:ZGV2ZWxvcG1lbnQtb25seS1wbGFuLW1hc3Rlci1rISE="
PLAN_MASTER_KEYS = env.list("PLAN_MASTER_KEYS", default=[PLAN_DEVELOPMENT_MASTER_KEY])
# The erasure ledger (crisisplans/erasures.py): outside the database, so a restore
# cannot roll it back; production puts it on its own volume (docker-compose.yml).
ERASURE_LEDGER_PATH = env.str("ERASURE_LEDGER_PATH", default=str(VAR_DIR / "erasures.log"))
# A plan's review falls due this long after sign-off unless the owner picks a date.
PLAN_REVIEW_AFTER = timedelta(days=env.int("PLAN_REVIEW_AFTER_DAYS", default=90))
# How long an on-call peer keeps reading after the alert they accepted closes,
# for networks that have not set their own (crisisplans.models.PlanPolicy).
PLAN_ALERT_GRACE_DEFAULT = timedelta(hours=env.int("PLAN_ALERT_GRACE_HOURS", default=24))
# A break-glass read opens the whole plan to that facilitator for this long.
PLAN_BREAK_GLASS_WINDOW = timedelta(minutes=env.int("PLAN_BREAK_GLASS_MINUTES", default=30))
# A break-glass text: the sweep sends it if the on-commit task has not within
# the grace; a try holds it for the lease (a worker killed mid-send frees it
# then); a temporary provider error is tried again after the retry delay.
PLAN_NOTICE_TEXT_GRACE = timedelta(seconds=30)
PLAN_NOTICE_TEXT_LEASE = timedelta(minutes=5)
PLAN_NOTICE_TEXT_RETRY = timedelta(minutes=1)

# --- network app (issue 3): distinct OpenAPI enum names for the several "kind" choice sets.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "NetworkKindEnum": "network.models.Network.Kind",
        "MembershipChangeKindEnum": "network.models.MembershipChange.Kind",
        "TieKindEnum": "network.models.Tie.Kind",
        "AssetReportKindEnum": "network.models.AssetReport.Kind",
        "ShiftExceptionKindEnum": "network.models.ShiftException.Kind",
    }
)
# Plan sections and professional roles appear under several field names in the API schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "PlanSectionEnum": "crisisplans.sections.SECTION_NAMES",
    "ProfessionalRoleEnum": "crisisplans.sections.PROFESSIONAL_ROLES",
}

# --- Conversations and messages (messaging/, issue 6) -------------------------
# The longest message, in characters (a long text message, not a letter).
MESSAGE_MAX_CHARS = env.int("MESSAGE_MAX_CHARS", default=4000)
# Offline fallback for unseen messages: push after this long without a device
# acking the message event, SMS (alert and direct conversations only) this long
# after the push. Slower than alert offers: a message is not an emergency.
MESSAGE_PUSH_AFTER_SECONDS = env.int("MESSAGE_PUSH_AFTER_SECONDS", default=120)
MESSAGE_SMS_AFTER_PUSH_SECONDS = env.int("MESSAGE_SMS_AFTER_PUSH_SECONDS", default=1800)
# How long a network keeps messages unless its facilitators choose otherwise,
# and the range they may choose from.
MESSAGE_RETENTION_DAYS_DEFAULT = env.int("MESSAGE_RETENTION_DAYS_DEFAULT", default=365)
MESSAGE_RETENTION_MIN_DAYS = 7
MESSAGE_RETENTION_MAX_DAYS = 3650
CELERY_BEAT_SCHEDULE["purge-old-messages"] = {
    "task": "messaging.tasks.purge_old_messages",
    "schedule": timedelta(hours=6),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "ConversationKindEnum": "messaging.models.Conversation.Kind",
    "MessageKindEnum": "messaging.models.Message.Kind",
    "MessageReportReasonEnum": "messaging.models.MessageReport.Reason",
}

# Members amend their network's rules (network/actions/rules.py). The safety
# floor is the service's, not a network's: no proposal may cross it.
RULES_SAFETY_FLOOR = {
    "last_step_audience": "navigators_and_staff",  # there is always a staff step, and it is last
    "min_wait_seconds": 30,
    "max_wait_seconds": 900,
    "max_steps": 6,
    "min_size_cap": 2,
    "max_size_cap": 50,
    "emergency_routes_locked": True,  # a proposal never changes or removes them
    "min_quorum_percent": 20,  # the network's own voting rule, within these bounds
    "min_majority_percent": 50,
}
RULES_VOTING_DAYS_DEFAULT = 7
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["RuleVoteChoiceEnum"] = "network.models.RuleVote.Choice"
# Every other setting a network's rules hold (network/rule_settings.py) has its
# limits here too; they bind a direct change (PATCH networks/<id>/, the plan
# policy, message retention) as much as a proposal.
RULES_SAFETY_FLOOR.update(
    {
        "min_first_contact_seconds": 60,  # a peer who took an alert gets in touch within this range
        "max_first_contact_seconds": 900,
        "min_alerts_per_shift": 1,  # the network's ceiling on a peer's own cap
        "max_alerts_per_shift": 20,
        "max_quiet_hours": 12,  # the network's default quiet hours never cover more of the day
        "min_plan_grace_hours": 0,  # how long an on-call peer keeps reading the plan after an alert
        "max_plan_grace_hours": 72,
        "min_message_retention_days": 30,  # long enough to look into a report, no longer than needed
        "max_message_retention_days": 1095,
    }
)
# Voting windows that have ended are counted even when nobody opens the app.
CELERY_BEAT_SCHEDULE["close-due-rule-proposals"] = {
    "task": "network.tasks.close_due_rule_proposals",
    "schedule": timedelta(minutes=5),
    "options": {"expires": 240},
}

# A member shows chosen parts of their plan to a clinician with a code or QR
# code, for 1 hour, 24 hours or 7 days (crisisplans/models.py PlanShare, issue
# 18). Wrong codes per client address per hour before every code is refused
# from there for the rest of the hour (the guessing arithmetic is on PlanShare).
PLAN_SHARE_WRONG_CODES_PER_HOUR = env.int("PLAN_SHARE_WRONG_CODES_PER_HOUR", default=20)
# Opens of one share from the same kind of browser, of the same revision and
# parts, within this long are one line in the access log and one event.
PLAN_SHARE_OPEN_MERGE = timedelta(minutes=5)
CELERY_BEAT_SCHEDULE["wipe-expired-plan-share-codes"] = {
    "task": "crisisplans.tasks.wipe_expired_share_codes",
    "schedule": timedelta(minutes=15),
}

# --- Operations (issue 17, docs/operations.md): metrics, the dead-man's switch, logs, errors ---
# /metrics: a scrape sends "Authorization: Bearer <METRICS_TOKEN>". Blank: only
# a loopback client of a DEBUG process is answered, everyone else gets a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# django-prometheus is used for its middleware and database wrapper only, not
# as an installed app: its AppConfig does nothing we use (no export port, no
# migration gauges) and importing it cost every worker and beat start 0.3 s,
# which a killed worker's replacement must not spend (tests/config/test_stack.py).
# Request figures: django-prometheus's pair outermost; then the request id, so
# the access log line carries it too (config/request_id.py).
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "config.request_id.RequestIdMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# The dead-man's switch: readiness fails when the escalation sweep (beat,
# every ALERT_SWEEP_SECONDS) has not run for this many seconds.
SWEEP_STALE_AFTER = env.float("SWEEP_STALE_AFTER", default=60.0)
if SWEEP_STALE_AFTER <= ALERT_SWEEP_SECONDS:
    raise environ.ImproperlyConfigured("SWEEP_STALE_AFTER must be longer than ALERT_SWEEP_SECONDS")
# An outside check (healthchecks.io's style) the sweep GETs at most once a
# minute while it runs; blank: none.
SWEEP_HEARTBEAT_URL = env.str("SWEEP_HEARTBEAT_URL", default="")
CELERY_TASK_ROUTES = {"messaging.tasks.ping_sweep_heartbeat": {"queue": "default"}, **CELERY_TASK_ROUTES}


def use_log_format(logging_config: dict, log_format: str) -> bool:
    """Point the console handler at LOG_FORMAT's formatter ("plain": the
    readable development line; "json": one JSON object per line). Returns
    whether Celery may put its own handler on the root logger: only for
    "plain"; JSON lines must come from the workers and beat too."""
    if log_format not in logging_config["formatters"]:
        choices = ", ".join(logging_config["formatters"])
        raise environ.ImproperlyConfigured(f"LOG_FORMAT must be one of {choices}")
    logging_config["handlers"]["console"]["formatter"] = log_format
    return log_format == "plain"


# Every line: the request id (or "-"), feed tokens out, phone numbers masked.
LOGGING["formatters"]["plain"]["()"] = "config.logs.PlainFormatter"
LOGGING["formatters"]["json"] = {
    "()": "config.logs.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": "time",  # ISO 8601, UTC
}
LOGGING["filters"]["request_id"] = {"()": "config.request_id.RequestIdFilter"}
LOGGING["filters"]["mask_phone_numbers"] = {"()": "config.logs.MaskPhoneNumbers"}
LOGGING["handlers"]["console"]["filters"] = [
    *LOGGING["handlers"]["console"]["filters"],
    "mask_phone_numbers",
    "request_id",
]
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
CELERY_WORKER_HIJACK_ROOT_LOGGER = use_log_format(LOGGING, LOG_FORMAT)

# Error tracking, only with a DSN (config/logs.py init_error_tracking: no
# personal data, request bodies, cookies or credentials are sent).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
from config.logs import init_error_tracking  # noqa: E402 - loaded with the settings, like LOGGING's classes

init_error_tracking(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# --- Paging (issue 17, docs/paging.md): per-person rules, voice, receipts, test pages, reachability ---
# Voice calls, the ladder's last step: off (blank) unless configured, e.g.
# "foundation.transports.voice.TwilioVoiceBackend" (the same TWILIO_* settings).
VOICE_BACKEND = env.str("VOICE_BACKEND", default="")
# A person's ladder until they set their own: a list of {"transport", "after_seconds"}.
# Empty: push at ALERT_PUSH_AFTER_SECONDS, SMS ALERT_SMS_AFTER_PUSH_SECONDS
# after that (today's timing, read when used) and, where a voice backend is
# configured, a call at PAGING_VOICE_AFTER_SECONDS.
PAGING_DEFAULT_RULES: list[dict] = []
PAGING_VOICE_AFTER_SECONDS = env.int("PAGING_VOICE_AFTER_SECONDS", default=90)
# A test page unacknowledged this long is "unacknowledged" (and flags its person).
PAGING_TEST_ACK_SECONDS = env.int("PAGING_TEST_ACK_SECONDS", default=600)
PAGING_TEST_PAGES_PER_HOUR = env.int("PAGING_TEST_PAGES_PER_HOUR", default=6)
# Reachability: people with a shift starting within this many hours are
# checked, and flagged with no acknowledged test page in PAGING_TEST_EVERY_DAYS.
PAGING_CHECK_BEFORE_SHIFT_HOURS = env.int("PAGING_CHECK_BEFORE_SHIFT_HOURS", default=24)
PAGING_TEST_EVERY_DAYS = env.int("PAGING_TEST_EVERY_DAYS", default=30)
CELERY_BEAT_SCHEDULE["check-reachability"] = {
    "task": "messaging.tasks.check_reachability",
    "schedule": timedelta(minutes=15),
    "options": {"expires": 600},
}
CELERY_TASK_ROUTES = {
    "messaging.tasks.check_reachability": {"queue": "default"},
    "messaging.tasks.send_test_page_steps": {"queue": "realtime"},
    **CELERY_TASK_ROUTES,
}

# --- The admin (issue 17, config/admin_site.py, docs/operations.md "The admin") ---
# Operators only: a password and a code from an authenticator app (django-otp),
# and a lockout after failed attempts (django-axes). The members' sign-in (SMS
# codes and device tokens) calls no authentication backend, so neither touches it.
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "config.admin.OperatorsAdminConfig"
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static", "axes"]
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "config" / "templates"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
# Axes' own documentation asks for its middleware last: it turns the lockout
# flag a failed sign-in set into the lockout answer (metrics' pair stays outermost).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_prometheus.middleware.PrometheusAfterMiddleware"),
    "axes.middleware.AxesMiddleware",
)
# Axes' backend first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="CrisisNet operators")
# The admin's device pages never show a secret or its QR code: enrolment
# prints them once, to the enrolling terminal only (manage.py operator_totp).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(hours=env.float("AXES_COOLOFF_HOURS", default=1.0))
# Two locks, each counted on its own: the phone number, from any address (so
# guessing from many addresses stops too), and the client address, for any
# number. A stranger who knows an operator's number can lock them out for the
# cool-off; another operator lifts it (manage.py axes_reset_username).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_ONLY_ADMIN_SITE = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "config.admin_site.normalised_username"
# The real client behind NUM_PROXIES trusted proxies, never a raw X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "foundation.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "config.admin_site.lockout_response"
# What was posted stays out of axes' records: the numbers are in the username
# column already, and a code or password typed into the wrong box is a secret.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp_token"]
# No start-up banner from every process (web, each worker, beat, every manage.py).
AXES_VERBOSE = False
# The schema reads like a product's (config/openapi.py): operations by area,
# each with a summary, its problem responses and the Idempotency-Key header.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "config.openapi.productise",
]
