"""Settings for every process of a benchmark run: the production choices that
matter for speed (DEBUG off, pooled database connections) on top of the
shared base, with the channel layer picked by ``BENCH_CHANNEL_LAYER`` so the
two channels_redis layers can be compared on the same code.

Notification fallbacks of alerts and messages are pushed out of the
measurement windows: the bench clients stand for phones that never register a
push subscription, and the figures are about the websocket path.
"""

from __future__ import annotations

from bench.layers import channel_layers
from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, REDIS_URL, database_pool, env

DEBUG = False
DATABASES["default"].update(database_pool(env, DATABASES["default"]))

CHANNEL_LAYERS = channel_layers(
    layer=env.str("BENCH_CHANNEL_LAYER", default="pubsub"),
    redis_url=REDIS_URL,
    prefix=env.str("CHANNEL_PREFIX", default="bench"),
)

SMS_BACKEND = "foundation.transports.sms.LocmemSmsBackend"
PUSH_BACKEND = "foundation.transports.push.LocmemPushBackend"
ALERT_PUSH_AFTER_SECONDS = 86400
ALERT_SMS_AFTER_PUSH_SECONDS = 86400
MESSAGE_PUSH_AFTER_SECONDS = 86400
MESSAGE_SMS_AFTER_PUSH_SECONDS = 86400
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
