"""Limits on the websocket (issue 12: 2,000 typing frames were all fanned out
to the other person; 300 sockets were open on one device token).

Only ephemeral frames are limited: typing (excess dropped quietly: a typing
indicator repeated adds nothing) and presence queries (excess answered with a
``rate_limited`` error frame, as the client waits for an answer). Alert frames
and acks are never limited: a person in crisis is never refused.

Sockets per device are counted in Redis, so every daphne process shares the
count: a sorted set per device of channel names scored by when they lapse. A
socket refreshes its entry every heartbeat and removes it on disconnect; one
whose process died lapses after a few heartbeats, so a crash never locks a
device out. Without Redis (no REDIS_URL) the count is per process.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

from django.conf import settings

SOCKETS_PER_DEVICE = 5
# A socket's entry lapses this many heartbeats after its last refresh.
SOCKET_LAPSES_AFTER_BEATS = 3


class Bucket:
    """A token bucket: ``burst`` at once, then one every ``every`` seconds."""

    def __init__(self, *, burst: int, every: float) -> None:
        self.burst = burst
        self.every = every
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) / self.every)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class TypingLimit:
    """At most two typing fan-outs at once per conversation, then one every two
    seconds; and a cap across conversations, so a flood of made-up
    conversation ids never reaches the database."""

    KEEP_CONVERSATIONS = 50

    def __init__(self) -> None:
        self.overall = Bucket(burst=5, every=1.0)
        self.per_conversation: dict[str, Bucket] = {}

    def allow(self, conversation_id: str) -> bool:
        bucket = self.per_conversation.get(conversation_id)
        if bucket is None:
            if len(self.per_conversation) >= self.KEEP_CONVERSATIONS:
                self.per_conversation.clear()
            bucket = self.per_conversation[conversation_id] = Bucket(burst=2, every=2.0)
        return bucket.take() and self.overall.take()


def presence_limit() -> Bucket:
    """Each presence query probes up to 50 people's sockets."""
    return Bucket(burst=5, every=2.0)


# Claim a place among a device's sockets, atomically across processes.
_CLAIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(ARGV[3] - ARGV[2]) + 1)
return 1
"""


class DeviceSockets:
    """The open sockets of each device."""

    def __init__(self) -> None:
        self.url = settings.REDIS_URL
        self.local: dict[str, set[str]] = {}
        self.redis: Any = None
        self.claim_script: Any = None

    def _key(self, digest: str) -> str:
        return f"ws-device-sockets:{digest}"

    def _lapse_seconds(self) -> float:
        return SOCKET_LAPSES_AFTER_BEATS * float(settings.WEBSOCKET_HEARTBEAT_SECONDS)

    async def claim(self, *, digest: str, channel_name: str) -> bool:
        """Take (or refresh) this socket's place; False when the device has no place left."""
        if not self.url:
            open_here = self.local.setdefault(digest, set())
            if channel_name not in open_here and len(open_here) >= SOCKETS_PER_DEVICE:
                return False
            open_here.add(channel_name)
            return True
        if self.redis is None:
            import redis.asyncio

            self.redis = redis.asyncio.Redis.from_url(self.url)
            self.claim_script = self.redis.register_script(_CLAIM)
        now = time.time()
        claimed = await self.claim_script(
            keys=[self._key(digest)],
            args=[channel_name, now, now + self._lapse_seconds(), SOCKETS_PER_DEVICE],
        )
        return bool(claimed)

    async def release(self, *, digest: str, channel_name: str) -> None:
        if not self.url:
            self.local.get(digest, set()).discard(channel_name)
            return
        if self.redis is not None:
            await self.redis.zrem(self._key(digest), channel_name)


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, DeviceSockets] = weakref.WeakKeyDictionary()


def device_sockets() -> DeviceSockets:
    """The registry for the running event loop (its Redis client belongs to that loop)."""
    loop = asyncio.get_running_loop()
    registry = _by_loop.get(loop)
    if registry is None:
        registry = _by_loop[loop] = DeviceSockets()
    return registry
