"""The two channels_redis layers the bench compares, configured alike."""

from __future__ import annotations

from typing import Any

LAYERS = ("core", "pubsub")


def channel_layers(*, layer: str, redis_url: str, prefix: str) -> dict[str, Any]:
    if layer == "core":
        # The service's own configuration (config/settings/base.py).
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url], "prefix": prefix, "capacity": 1500, "expiry": 60},
            }
        }
    if layer == "pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [redis_url], "prefix": prefix},
            }
        }
    raise ValueError(f"BENCH_CHANNEL_LAYER must be one of {LAYERS}, not {layer!r}")
