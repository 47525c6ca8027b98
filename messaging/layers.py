"""The channel layer: channels_redis's RedisPubSubChannelLayer, told to wake
every local socket when its Redis connection comes back.

Why pub/sub (the numbers are in docs/performance.md): a socket's consumer waits
on an in-process queue instead of a blocking Redis read, so sockets cost a
third less idle CPU, the pool never runs out under thousands of handshakes,
and a slow Redis read can no longer drop a socket; fan-out to three sockets is
about three times faster at the framework floor. What pub/sub gives up is
buffering: a message published while a process is not subscribed (Redis
restarting) is gone. Here that costs nothing but latency, because the layer
only carries wake-up hints and every socket reads its events from PostgreSQL
(DESIGN.md invariants 1 and 2), provided the sockets are told to read after
an outage. That is the one thing this module adds.

Hand-written because no library does it: channels_redis 4.3 accepts
``on_reconnect`` but never calls it, and redis-py's PubSub only re-subscribes
on reconnect. The subclass hooks redis-py's documented connect callback
(``PubSub.on_connect``, run on every reconnect of the subscriber connection)
and otherwise uses the library as it is. It also sends many group messages
in one pipelined batch, which the library has no call for.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels_redis import pubsub
from channels_redis.utils import _wrap_close, decode_hosts
from redis.asyncio.client import PubSub

logger = logging.getLogger(__name__)


class _ReconnectingPubSub(PubSub):
    def __init__(self, *args: Any, on_reconnect: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_reconnect = on_reconnect

    async def on_connect(self, connection: Any) -> None:
        # Called after a reconnect only: redis-py registers it once the first
        # connection is made. Re-subscribe first, then wake.
        await super().on_connect(connection)
        self._on_reconnect()


class _Shard(pubsub.RedisSingleShardConnection):
    async def publish_many(self, items: list[tuple[str, bytes]]) -> None:
        """Every PUBLISH in one pipelined round trip (the library sends one at
        a time, each awaiting its reply under the connection lock)."""
        async with self._lock:
            self._ensure_redis()
            pipe = self._redis.pipeline(transaction=False)
            for channel, data in items:
                pipe.publish(channel, data)
            await pipe.execute()

    def _ensure_redis(self) -> None:
        if self._redis is None:
            super()._ensure_redis()
            self._pubsub = _ReconnectingPubSub(self._redis.connection_pool, on_reconnect=self._wake_everyone)

    def _wake_everyone(self) -> None:
        layer = self.channel_layer
        message = layer.reconnect_message
        if message is None:
            return
        data = layer.channel_layer.serialize(message)
        for queue in layer.channels.values():
            queue.put_nowait(data)
        logger.warning("channel layer reconnected to Redis; woke %d local sockets", len(layer.channels))


class _LoopLayer(pubsub.RedisPubSubLoopLayer):
    def __init__(self, *args: Any, reconnect_message: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reconnect_message = reconnect_message
        self._shards = [_Shard(host, self) for host in decode_hosts(kwargs.get("hosts"))]

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        by_shard: dict[_Shard, list[tuple[str, bytes]]] = {}
        for group, message in messages:
            channel = self._get_group_channel_name(group)
            by_shard.setdefault(self._get_shard(channel), []).append(
                (channel, self.channel_layer.serialize(message))
            )
        await asyncio.gather(*(shard.publish_many(items) for shard, items in by_shard.items()))


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """CONFIG as channels_redis's, plus ``reconnect_message``: sent to every
    channel of this process each time its subscriber connection to Redis is
    re-established (None: nothing). Adds ``group_send_many``: a message to
    each of many groups in one pipelined round trip per shard (a wake-up of
    a 1,000-member group was 1,000 sequential round trips)."""

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        await self._get_layer().group_send_many(messages)

    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
            return layer
