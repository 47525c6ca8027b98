"""Load clients. Each runs in its own process (multiprocessing, spawn) and
never imports Django: it talks to the servers only over loopback sockets.

- ``hold``: holds many websockets, answers heartbeats, acks offers and records
  the arrival time of every frame it is told to watch.
- ``fire_http`` / ``fire_ws``: open-loop senders (REST posts, floor frames). Request ``i`` is sent at
  ``start + i / rate`` whether or not earlier ones were answered, and latency
  is measured from that scheduled time (no coordinated omission).

All times are ``time.time()``: one clock for every process on the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

WATCHED = ("alert.offered", "alert.withdrawn", "message.new", "bench")
# Frames the phone acknowledges, as the app does for what it has shown.
ACKED = ("alert.offered", "message.new")
# A failed handshake is tried again, as the app does, after 1 s and then 2 s:
# daphne drops a handshake the app has not accepted within 5 s
# (--websocket_connect_timeout), which happens when thousands open at once.
HANDSHAKE_ATTEMPTS = 3


def raise_open_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@dataclass(frozen=True)
class Target:
    ident: int  # person id (or socket number for the baselines)
    url: str
    token: str | None = None


class Holder:
    def __init__(self, targets: list[Target], *, ack: bool, concurrency: int) -> None:
        self.targets = targets
        self.ack = ack
        self.concurrency = concurrency
        self.records: list[tuple[float, int, str, str]] = []
        self.sockets: list[Any] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.failed = 0
        self.failures: Counter[str] = Counter()
        self.retried = 0
        self.dropped = 0

    async def connect_all(self) -> tuple[int, int]:
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(self.concurrency)

        async def one(target: Target) -> None:
            headers = {"Authorization": f"Token {target.token}"} if target.token else None
            for attempt in range(HANDSHAKE_ATTEMPTS):
                async with gate:
                    try:
                        ws = await connect(
                            target.url,
                            additional_headers=headers,
                            ping_interval=None,
                            open_timeout=120,
                            close_timeout=2,
                            max_queue=None,
                        )
                        # The first frame is the server's hello: the socket is fully set up.
                        await asyncio.wait_for(ws.recv(), timeout=120)
                    except Exception as error:
                        reason = f"{type(error).__name__}: {error}"[:120]
                    else:
                        self.sockets.append(ws)
                        self.tasks.append(asyncio.ensure_future(self.read(ws, target.ident)))
                        return
                # As the app does: try again after a pause, longer each time.
                self.retried += 1
                await asyncio.sleep(attempt + 1)
            self.retried -= 1  # the last failure was not followed by a retry
            self.failed += 1
            self.failures[reason] += 1

        await asyncio.gather(*(one(t) for t in self.targets))
        if self.failures or self.retried:
            print(
                f"[clients] {self.retried} handshakes retried, {self.failed} failed after "
                f"{HANDSHAKE_ATTEMPTS} attempts: {dict(self.failures)}",
                file=sys.stderr,
                flush=True,
            )
        return len(self.sockets), self.failed, self.retried

    async def read(self, ws: Any, ident: int) -> None:
        try:
            async for raw in ws:
                now = time.time()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "ping":
                    await ws.send('{"type":"pong"}')
                elif kind in WATCHED:
                    data = frame.get("data") or {}
                    key = str(data.get("alert_id") or data.get("message_id") or frame.get("k", ""))
                    self.records.append((now, ident, kind, key))
                    if self.ack and kind in ACKED:
                        await ws.send(json.dumps({"type": "ack", "seq": frame["seq"]}))
        except Exception:
            pass
        self.dropped += 1

    async def close_all(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


def hold(conn: Connection, targets: list[Target], ack: bool = True, concurrency: int = 40) -> None:
    """Commands on ``conn``: "connect" -> (ok, failed); "drain" -> records;
    "status" -> (open, dropped); "close" -> None and the process ends."""
    raise_open_file_limit()

    async def main() -> None:
        holder = Holder(targets, ack=ack, concurrency=concurrency)
        loop = asyncio.get_running_loop()
        try:
            while True:
                ready = await loop.run_in_executor(None, conn.poll, 0.5)
                if not ready:
                    continue
                command = conn.recv()
                if command == "connect":
                    conn.send(await holder.connect_all())
                elif command == "drain":
                    records, holder.records = holder.records, []
                    conn.send(records)
                elif command == "status":
                    conn.send((len(holder.sockets) - holder.dropped, holder.dropped))
                elif command == "close":
                    await holder.close_all()
                    conn.send(None)
                    return
        finally:
            with contextlib.suppress(Exception):
                await holder.close_all()

    asyncio.run(main())


@dataclass(frozen=True)
class Post:
    """One open-loop POST: an alert raised or a message sent."""

    key: str  # the Idempotency-Key, unique per request
    token: str
    path: str
    body: dict[str, Any]


def fire_http(conn: Connection, base_url: str, posts: list[Post], rate: float, start_at: float) -> None:
    """POST open-loop; sends [(key, scheduled, answered, status, id of what was created)]."""
    import aiohttp

    raise_open_file_limit()

    async def main() -> list[tuple[str, float, float, int, str]]:
        results: list[tuple[str, float, float, int, str]] = []
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

            async def one(item: Post, scheduled: float) -> None:
                headers = {"Authorization": f"Token {item.token}", "Idempotency-Key": item.key}
                try:
                    async with session.post(
                        f"{base_url}{item.path}", json=item.body, headers=headers
                    ) as response:
                        body = await response.json(content_type=None)
                        status = response.status
                        created_id = str(body.get("id", "")) if isinstance(body, dict) else ""
                except Exception:
                    status, created_id = 0, ""
                results.append((item.key, scheduled, time.time(), status, created_id))

            pending = []
            for i, item in enumerate(posts):
                scheduled = start_at + i / rate
                await asyncio.sleep(max(0.0, scheduled - time.time()))
                pending.append(asyncio.ensure_future(one(item, scheduled)))
            await asyncio.gather(*pending)
        return results

    conn.send(asyncio.run(main()))


def fire_ws(conn: Connection, url: str, fires: list[tuple[str, str]], rate: float, start_at: float) -> None:
    """Send ``{"type": "fire", "group": g, "k": key}`` frames open-loop over one
    websocket; sends [(key, scheduled)]."""
    from websockets.asyncio.client import connect

    async def main() -> list[tuple[str, float]]:
        sent = []
        async with connect(url, ping_interval=None, max_queue=None) as ws:
            await ws.recv()
            for i, (group, key) in enumerate(fires):
                scheduled = start_at + i / rate
                await asyncio.sleep(max(0.0, scheduled - time.time()))
                await ws.send(json.dumps({"type": "fire", "group": group, "k": key}))
                sent.append((key, scheduled))
            await asyncio.sleep(0.5)
        return sent

    conn.send(asyncio.run(main()))
