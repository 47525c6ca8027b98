"""The two channels_redis layers the bench compares, configured alike: the
service's own (pub/sub, config/settings/base.py) and the core layer it used
before, with the same reconnecting hosts."""

from __future__ import annotations

from typing import Any

from config.settings.base import channel_layer_host, redis_channel_layer

# The service's layer first: escalation (scenario 5) runs on the first only.
LAYERS = ("pubsub", "core")


def channel_layers(*, layer: str, redis_url: str, prefix: str) -> dict[str, Any]:
    if layer == "pubsub":
        return {"default": redis_channel_layer([redis_url], prefix=prefix)}
    if layer == "core":
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [channel_layer_host(redis_url)],
                    "prefix": prefix,
                    "capacity": 1500,
                    "expiry": 60,
                },
            }
        }
    raise ValueError(f"BENCH_CHANNEL_LAYER must be one of {LAYERS}, not {layer!r}")
