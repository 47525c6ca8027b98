"""Tests: the same engines as production when DATABASE_URL and REDIS_URL are set
(CI), the embedded defaults otherwise. Never a real SMS or push provider."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, WEB_PUSH_ALLOWED_HOSTS

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
