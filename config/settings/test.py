"""Tests: the same engines as production when DATABASE_URL and REDIS_URL are set
(CI), the embedded defaults otherwise. Never a real SMS or push provider."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

# Under pytest-xdist (`make test` runs two workers) each worker flushes Redis
# before and after every test, so each gets a Redis database of its own
# (1, 2, ...: 0 is a serial run's, 9 and 10 the bench's) and a channel-layer
# prefix of its own (pub/sub channels are shared by all of a server's
# databases). Set in the environment before the base settings read it, so the
# servers a test starts (daphne, celery) inherit the same.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _parts = urlsplit(os.environ["REDIS_URL"])
    os.environ["REDIS_URL"] = urlunsplit(_parts._replace(path=f"/{int(_worker[2:]) + 1}"))
    os.environ["CHANNEL_PREFIX"] = f"asgi-{_worker}"

from .base import *  # noqa: E402, F403
from .base import REST_FRAMEWORK, WEB_PUSH_ALLOWED_HOSTS  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_BACKEND = "foundation.transports.sms.LocmemSmsBackend"
PUSH_BACKEND = "foundation.transports.push.LocmemPushBackend"
# Push is not configured unless a test says so (override_settings).
VAPID_PRIVATE_KEY = VAPID_PUBLIC_KEY = VAPID_SUBJECT = ""
# The made-up push service the tests subscribe to (never contacted: locmem).
WEB_PUSH_ALLOWED_HOSTS = [*WEB_PUSH_ALLOWED_HOSTS, "push.example", "push.example.test"]
TWILIO_ACCOUNT_SID = TWILIO_AUTH_TOKEN = TWILIO_FROM_NUMBER = ""
WEBSOCKET_HEARTBEAT_SECONDS = 15.0
REST_FRAMEWORK = {**REST_FRAMEWORK}
# A fixed development key (not for production) whatever the environment says.
PLAN_MASTER_KEYS = [PLAN_DEVELOPMENT_MASTER_KEY]
