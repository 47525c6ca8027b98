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
in one pipelined batch from sync code, which the library has no call for.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import redis
import redis.sentinel
from channels_redis import pubsub
from channels_redis.utils import _consistent_hash, _wrap_close, decode_hosts
from redis.asyncio.client import PubSub
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

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


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """CONFIG as channels_redis's, plus ``reconnect_message``: sent to every
    channel of this process each time its subscriber connection to Redis is
    re-established (None: nothing). Adds ``group_send_many_blocking``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._publishers: list[redis.Redis] | None = None
        self._publishers_lock = threading.Lock()

    def group_send_many_blocking(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """A message to each of many groups, from sync code (a request's or a
        task's thread): one pipelined round trip per shard, on this thread.

        Wake-ups used to go through ``async_to_sync``, which in the web process
        waits for the event loop the sockets run on. Under load (the bench's
        messages at 25/s, 2,000 sockets) the loop was 90 % busy, each request
        thread sat in that wait holding its database connection, and the pool
        ran dry: 503s. Publishing here needs neither the loop nor a new
        connection per call (a Celery task's ``async_to_sync`` opened one).
        The channel names and the serialization are the layer's own, so a
        consumer cannot tell these messages from ``group_send``'s."""
        publishers = self._blocking_publishers()
        prefix = self._kwargs.get("prefix", "asgi")
        by_shard: dict[int, list[tuple[str, bytes]]] = {}
        for group, message in messages:
            channel = f"{prefix}__group__{group}"  # RedisPubSubLoopLayer._get_group_channel_name
            by_shard.setdefault(_consistent_hash(channel, len(publishers)), []).append(
                (channel, self.serialize(message))
            )
        for index, items in by_shard.items():
            pipe = publishers[index].pipeline(transaction=False)
            for channel, data in items:
                pipe.publish(channel, data)
            pipe.execute()

    def _blocking_publishers(self) -> list[redis.Redis]:
        with self._publishers_lock:
            if self._publishers is None:
                hosts = decode_hosts(self._kwargs.get("hosts", self._args[0] if self._args else None))
                self._publishers = [redis.Redis(connection_pool=_blocking_pool(host)) for host in hosts]
            return self._publishers

    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
            return layer


# Seconds a blocking publish may wait for Redis before the wake-up is given up
# (it is a hint: the sockets catch up from the database).
BLOCKING_TIMEOUT_SECONDS = 2.0


def _blocking_pool(host: dict[str, Any]) -> redis.ConnectionPool:
    """channels_redis.utils.create_pool for redis-py's blocking client."""
    host = {
        "socket_connect_timeout": BLOCKING_TIMEOUT_SECONDS,
        "socket_timeout": BLOCKING_TIMEOUT_SECONDS,
        **host,
    }
    # The host's retry policy is redis.asyncio's; the blocking client needs its
    # own. A couple of quick tries: a stale pooled connection after a Redis
    # restart costs one reconnect, and a Redis that is down costs the caller
    # little, since the wake-up is only a hint.
    if "retry" in host:
        host["retry"] = Retry(ExponentialBackoff(cap=0.2, base=0.02), 2)
    if "address" in host:
        return redis.ConnectionPool.from_url(host.pop("address"), **host)
    master_name = host.pop("master_name", None)
    if master_name is not None:
        sentinels = redis.sentinel.Sentinel(
            host.pop("sentinels"), sentinel_kwargs=host.pop("sentinel_kwargs", None)
        )
        return redis.sentinel.SentinelConnectionPool(master_name, sentinels, **host)
    return redis.ConnectionPool(**host)
