"""The one websocket endpoint, /ws/v1/. Thin: authenticate, join groups,
translate frames to actions and channel-layer messages to frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from messaging import events, frames
from messaging.events import group_for_device, group_for_person
from network.models import Device

logger = logging.getLogger(__name__)

CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_SESSION_ENDED = 4401  # device revoked or expired: sign in again
CLOSE_HEARTBEAT_MISSED = 4408

# Revocation normally arrives as a channel-layer message, which is at-most-once;
# every this many heartbeats the socket also asks the database.
DEVICE_RECHECK_EVERY_BEATS = 4
# Events read from the database per query while catching up.
CATCH_UP_BATCH = 200


def parse_cursor(query_string: bytes) -> int | None:
    """The ``after`` query parameter: the last sequence number the client has.
    None when absent; ValueError when malformed."""
    values = parse_qs(query_string.decode("latin1")).get("after")
    if not values:
        return None
    if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 18:
        raise ValueError("malformed cursor")
    return int(values[0])


class RealtimeConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.person = self.scope.get("user")
        self.device: Device | None = self.scope.get("device")
        if self.person is None or not self.person.is_authenticated or self.device is None:
            # Closing before accept refuses the handshake (HTTP 403).
            await self.close()
            return
        self.groups_joined = [group_for_person(self.person.pk), group_for_device(self.device.digest)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.last_heard = time.monotonic()
        self.heartbeat_seconds = float(settings.WEBSOCKET_HEARTBEAT_SECONDS)
        self.delivery_lock = asyncio.Lock()
        # Joined the person's group before reading the position, so an event
        # committed from here on either is in the catch-up or wakes us.
        position = await database_sync_to_async(events.position_of)(person_id=self.person.pk)
        await self.send_frame(
            frames.hello(
                person_id=self.person.pk,
                display_name=self.person.display_name,
                device_id=self.device.public_id,
                heartbeat_seconds=self.heartbeat_seconds,
                last_seq=position.last_seq,
                now=timezone.now(),
            )
        )
        try:
            cursor = parse_cursor(self.scope.get("query_string", b""))
        except ValueError:
            cursor = -1
        if cursor is None:
            self.sent_through = position.last_seq
        elif events.cursor_is_resumable(after=cursor, position=position):
            self.sent_through = cursor
        else:
            self.sent_through = position.last_seq
            await self.send_frame(frames.resync_required(last_seq=position.last_seq))
        await self.deliver_pending()
        self.heartbeat = asyncio.ensure_future(self.beat())

    async def disconnect(self, code: int) -> None:
        heartbeat = getattr(self, "heartbeat", None)
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.WEBSOCKET_MAX_FRAME_BYTES:
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        self.last_heard = time.monotonic()
        if text_data is None:
            await self.send_frame(frames.error(code="binary_not_supported", detail="Send JSON text frames."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.send_frame(frames.error(code="invalid_json", detail="The frame is not valid JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_frame(
                frames.error(code="invalid_frame", detail="A frame is a JSON object with a string 'type'.")
            )
            return
        handler = self.frame_handlers.get(frame["type"])
        if handler is None:
            await self.send_frame(
                frames.error(
                    code="unknown_type",
                    detail=f"Unknown frame type {frame['type'][:40]!r}.",
                    ref=frame.get("id"),
                )
            )
            return
        await handler(self, frame)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_frame(frames.pong(now=timezone.now()))

    async def on_pong(self, frame: dict[str, Any]) -> None:
        """Any frame counts as a sign of life; a pong needs no answer."""

    async def on_ack(self, frame: dict[str, Any]) -> None:
        seq = frame.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq > self.sent_through:
            await self.send_frame(
                frames.error(
                    code="invalid_ack", detail="Ack a sequence number you were sent.", ref=frame.get("id")
                )
            )
            return
        await database_sync_to_async(events.do_ack_events)(person_id=self.person.pk, seq=seq)
        await self.send_frame(frames.acked(seq=seq))

    frame_handlers = {"ping": on_ping, "pong": on_pong, "ack": on_ack}

    async def deliver_pending(self) -> None:
        """Send every stored event newer than what this socket has sent, in order."""
        async with self.delivery_lock:
            while True:
                batch = await database_sync_to_async(events.events_after)(
                    person_id=self.person.pk, after=self.sent_through, limit=CATCH_UP_BATCH
                )
                for event in batch:
                    await self.send_frame(events.event_frame(event))
                    self.sent_through = event.seq
                if len(batch) < CATCH_UP_BATCH:
                    return

    async def beat(self) -> None:
        """Ping every heartbeat interval; a client silent for two intervals is
        gone (so the push and SMS fallbacks apply), and a device that expired or
        was revoked loses its socket."""
        beats = 0
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            beats += 1
            if time.monotonic() - self.last_heard > 2 * self.heartbeat_seconds:
                await self.close(code=CLOSE_HEARTBEAT_MISSED)
                return
            if not await self.device_still_valid(recheck_database=beats % DEVICE_RECHECK_EVERY_BEATS == 0):
                await self.close(code=CLOSE_SESSION_ENDED)
                return
            await self.send_frame(frames.ping(now=timezone.now()))

    async def device_still_valid(self, *, recheck_database: bool) -> bool:
        assert self.device is not None
        if recheck_database:
            found, expiry = await self._current_expiry()
            if not found:
                return False
            self.device.expiry = expiry
        return self.device.expiry is None or self.device.expiry > timezone.now()

    @database_sync_to_async
    def _current_expiry(self) -> tuple[bool, datetime | None]:
        assert self.device is not None
        row = Device.objects.filter(digest=self.device.digest).values_list("expiry", flat=True)
        found = list(row)
        return (True, found[0]) if found else (False, None)

    # Channel-layer messages.
    async def session_revoked(self, message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SESSION_ENDED)

    async def events_available(self, message: dict[str, Any]) -> None:
        await self.deliver_pending()
