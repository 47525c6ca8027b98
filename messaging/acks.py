"""Group commit for the sockets' acks.

A 1,000-member group message comes back as 1,000 acks within a few
milliseconds. Written one UPDATE each through ``database_sync_to_async``
(which runs every consumer's database work on one thread), they queued for
seconds, and every socket waiting on its ack's write could not take its next
frame: the bench's broadcast spent most of its time here (docs/performance.md).
Here the acks that arrive while one write is in flight are written together
by the next one, so a burst costs a couple of statements and no socket waits
longer than about two writes. A socket is told ``acked`` only once its ack is
committed, as before.

Hand-written because it is a few lines on top of asyncio, and no library
does group commit for Django's ORM.
"""

from __future__ import annotations

import asyncio
import weakref

from channels.db import database_sync_to_async

from messaging.actions import events

_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AckWriter] = weakref.WeakKeyDictionary()


class AckWriter:
    """The acks of one event loop's sockets, written a batch at a time."""

    def __init__(self) -> None:
        self.pending: dict[int, int] = {}
        self.waiting: list[tuple[int, asyncio.Future[bool]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def ack(self, *, person_id: int, seq: int) -> bool:
        """Record the ack; returns once it is committed, with whether it was a
        sequence number the person was sent. Raises what the write raised."""
        self.pending[person_id] = max(seq, self.pending.get(person_id, seq))
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.waiting.append((person_id, done))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.ensure_future(self._write())
        return await done

    async def _write(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, {}
            waiting, self.waiting = self.waiting, []
            try:
                valid = await database_sync_to_async(events.do_ack_many)(batch)
            except Exception as error:  # every socket in the batch hears of it
                for _, done in waiting:
                    if not done.done():
                        done.set_exception(error)
                continue
            for person_id, done in waiting:
                if not done.done():
                    done.set_result(person_id in valid)


def ack_writer() -> AckWriter:
    """The writer for the running event loop (daphne runs one; tests start many)."""
    loop = asyncio.get_running_loop()
    writer = _by_loop.get(loop)
    if writer is None:
        writer = _by_loop[loop] = AckWriter()
    return writer
