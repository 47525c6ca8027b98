"""Development: the embedded default that ``make run`` uses."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import VAPID_PRIVATE_KEY, VAPID_SUBJECT, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)

# Web Push: with no VAPID_PRIVATE_KEY, one key generated into var/ the first
# time (and kept), so the app can subscribe. Pushes still go to PUSH_BACKEND,
# the console unless the environment says otherwise.
if not VAPID_PRIVATE_KEY:
    from foundation.transports.push import ensure_vapid_key_file

    VAPID_PRIVATE_KEY = str(ensure_vapid_key_file(VAR_DIR / "vapid_private.pem"))
VAPID_SUBJECT = VAPID_SUBJECT or "mailto:dev@localhost"
