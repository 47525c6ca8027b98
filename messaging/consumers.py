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

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.utils import timezone
from redis.exceptions import RedisError

from foundation.problems import is_pool_timeout
from messaging import frames, ws_limits
from messaging.acks import ack_writer
from messaging.conversation_frames import ConversationFrames
from messaging.realtime import group_for_device, group_for_person
from messaging.selectors import events
from network.models import Device

logger = logging.getLogger(__name__)

# Close codes: only 1000 and 4000-4999 reach the client. Autobahn (under
# daphne) refuses RFC 6455's 1009 and 1012 from an application, and the client
# got 1011 or no close frame at all; the 4xxx codes keep those numbers' tails.
# Documented in docs/asyncapi.yaml (messaging/asyncapi.py), tested through a
# real daphne in tests/messaging/test_close_codes.py.
CLOSE_MESSAGE_TOO_BIG = 4009  # a frame over WEBSOCKET_MAX_FRAME_BYTES
CLOSE_SESSION_ENDED = 4401  # device revoked or expired: sign in again
CLOSE_HEARTBEAT_MISSED = 4408
CLOSE_SERVICE_RESTART = 4012  # the channel layer (Redis) went away: reconnect with your cursor
CLOSE_TOO_MANY_SOCKETS = 4429  # the device has ws_limits.SOCKETS_PER_DEVICE open already

CLOSE_CODES = {
    CLOSE_MESSAGE_TOO_BIG: "A frame was larger than 64 KiB. Send smaller frames.",
    CLOSE_SESSION_ENDED: "The device was signed out or expired. Sign in again.",
    CLOSE_HEARTBEAT_MISSED: "Nothing heard for two heartbeat intervals. Reconnect with your cursor.",
    CLOSE_SERVICE_RESTART: "The service lost its realtime channel. Reconnect with your cursor.",
    CLOSE_TOO_MANY_SOCKETS: "This device already has its limit of open sockets "
    f"({ws_limits.SOCKETS_PER_DEVICE}). Close one before opening another.",
}

# Revocation normally arrives as a channel-layer message, which is at-most-once;
# every this many heartbeats the socket also asks the database.
DEVICE_RECHECK_EVERY_BEATS = 4
# Events read from the database per query while catching up.
CATCH_UP_BATCH = 200


def _is_busy(exc: DatabaseError) -> bool:
    """Overloaded, not broken: no pooled connection free in time (PostgreSQL),
    or the database still locked by another writer after the busy timeout (SQLite)."""
    return is_pool_timeout(exc) or (isinstance(exc, OperationalError) and "locked" in str(exc))


def parse_cursor(query_string: bytes) -> int | None:
    """The ``after`` query parameter: the last sequence number the client has.
    None when absent; ValueError when malformed."""
    values = parse_qs(query_string.decode("latin1")).get("after")
    if not values:
        return None
    if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 18:
        raise ValueError("malformed cursor")
    return int(values[0])


class RealtimeConsumer(ConversationFrames, AsyncWebsocketConsumer):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except RedisError:
            # The channel layer is gone (Redis restarting) and its retries are
            # spent. Close, so the client reconnects with its cursor and reads
            # what it missed from the database: a restart costs latency only.
            logger.warning("channel layer lost; closing the socket for a reconnect", exc_info=True)
            await self._stop_heartbeat()
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": CLOSE_SERVICE_RESTART})
        finally:
            # Whatever ended the consumer (an error in a handler too), its
            # heartbeat must not outlive it, pinging a dead socket and
            # querying the database every few beats.
            await self._stop_heartbeat()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels (4.2 and later) first runs close_old_connections through
        sync_to_async for every message, which puts each frame and wake-up of
        every socket in the queue of the one thread that runs the sockets'
        database work (8 % of the web process's samples in the bench's
        broadcast, ahead of the acks' own writes). Every database call here goes through
        database_sync_to_async, which closes stale connections before and
        after, on the thread that uses them, so the extra hop is skipped."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.person = self.scope.get("user")
        self.device: Device | None = self.scope.get("device")
        if self.person is None or not self.person.is_authenticated or self.device is None:
            # Closing before accept refuses the handshake (HTTP 403).
            await self.close()
            return
        self.typing_limit = ws_limits.TypingLimit()
        self.presence_limit = ws_limits.presence_limit()
        self.holds_device_place = await ws_limits.device_sockets().claim(
            digest=self.device.digest, channel_name=self.channel_name
        )
        if not self.holds_device_place:
            # Accepted first: a refused handshake carries no close code.
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
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

    async def _stop_heartbeat(self) -> None:
        heartbeat = getattr(self, "heartbeat", None)
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def disconnect(self, code: int) -> None:
        await self._stop_heartbeat()
        if getattr(self, "holds_device_place", False):
            with contextlib.suppress(RedisError):  # it lapses by itself
                await ws_limits.device_sockets().release(
                    digest=self.device.digest, channel_name=self.channel_name
                )
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
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
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
        try:
            await handler(self, frame)
        except DatabaseError as exc:
            # No database error closes a socket: the frame's transaction rolled
            # back, so it changed nothing, and the client may send it again.
            # Closing (1011) dropped the member and the peer at the moment an
            # alert was resolved, when SQLite was locked by the worker's sweep.
            if _is_busy(exc):
                logger.warning("database busy; answering a %s frame busy: %s", frame["type"], exc)
                await self.send_frame(
                    frames.error(
                        code="busy", detail="The service is busy. Try again in a moment.", ref=frame.get("id")
                    )
                )
            else:
                logger.exception("database error in a %s frame", frame["type"])
                await self.send_frame(
                    frames.error(
                        code="server_error",
                        detail="Something went wrong on our side. Try again.",
                        ref=frame.get("id"),
                    )
                )

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self.send_frame(frames.pong(now=timezone.now()))

    async def on_pong(self, frame: dict[str, Any]) -> None:
        """Any frame counts as a sign of life; a pong needs no answer."""

    async def on_ack(self, frame: dict[str, Any]) -> None:
        seq = frame.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= self.sent_through:
            await self.send_frame(
                frames.error(
                    code="invalid_ack", detail="Ack a sequence number you were sent.", ref=frame.get("id")
                )
            )
            return
        await ack_writer().ack(person_id=self.person.pk, seq=seq)
        await self.send_frame(frames.acked(seq=seq))

    # Alert frames: the same actions as the REST API, answered with a reply
    # frame (or an error frame) carrying the client's id as ``ref``.
    async def on_alert_raise(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("id")
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 200:
            await self.send_frame(
                frames.error(
                    code="missing_id", detail="alert.raise needs a client-made 'id' (1 to 200 characters)."
                )
            )
            return
        body = {key: value for key, value in frame.items() if key not in ("type", "id")}
        result = await self._run_action(self._raise_alert, body, client_id, ref=client_id)
        if result is not None:
            await self.send_frame(
                frames.alert_raised(ref=client_id, alert_id=str(result.alert.pk), created=result.created)
            )

    def _raise_alert(self, body: dict[str, Any], client_id: str) -> Any:
        from messaging.actions.alerts import check_raise_alert

        return check_raise_alert(person=self.person, body=body, client_key=client_id)

    async def _alert_frame(self, frame: dict[str, Any], action: Any, **kwargs: Any) -> None:
        ref = frame.get("id")
        alert_id = frame.get("alert_id")
        if not isinstance(alert_id, str):
            await self.send_frame(frames.error(code="invalid_frame", detail="Give the 'alert_id'.", ref=ref))
            return
        done = await self._run_action(self._alert_action, action, alert_id, kwargs, ref=ref)
        if done is not None:
            await self.send_frame(frames.reply(ref=ref, action=frame["type"], alert_id=alert_id))

    def _alert_action(self, action: Any, alert_id: str, kwargs: dict[str, Any]) -> bool:
        from messaging.selectors.alerts import access_alert_by_id

        alert = access_alert_by_id(person=self.person, alert_id=alert_id)
        action(alert_id=alert.pk, person=self.person, **kwargs)
        return True

    async def on_alert_accept(self, frame: dict[str, Any]) -> None:
        from messaging.actions.alerts import do_accept_alert

        await self._alert_frame(frame, do_accept_alert)

    async def on_alert_decline(self, frame: dict[str, Any]) -> None:
        from messaging.actions.alerts import do_decline_alert

        reason = frame.get("reason", "")
        await self._alert_frame(frame, do_decline_alert, reason=reason if isinstance(reason, str) else "")

    async def on_alert_cancel(self, frame: dict[str, Any]) -> None:
        from messaging.actions.alerts import do_cancel_alert

        await self._alert_frame(frame, do_cancel_alert)

    async def _run_action(self, fn: Any, *args: Any, ref: Any) -> Any:
        """Run a sync action; a refused one becomes an error frame and changes nothing."""
        from rest_framework.exceptions import APIException, ValidationError

        from foundation.problems import flatten_field_errors

        try:
            return await database_sync_to_async(fn)(*args)
        except ValidationError as exc:
            await self.send_frame(
                frames.error(
                    code="validation_error",
                    detail="; ".join(
                        f"{e['field']}: {e['detail']}" for e in flatten_field_errors(exc.detail)
                    ),
                    ref=ref,
                )
            )
        except APIException as exc:
            codes = exc.get_codes()
            await self.send_frame(
                frames.error(
                    code=codes if isinstance(codes, str) else exc.default_code,
                    detail=str(exc.detail),
                    ref=ref,
                )
            )
        return None

    frame_handlers = {
        "ping": on_ping,
        "pong": on_pong,
        "ack": on_ack,
        "alert.raise": on_alert_raise,
        "alert.accept": on_alert_accept,
        "alert.decline": on_alert_decline,
        "alert.cancel": on_alert_cancel,
        "message.send": ConversationFrames.on_message_send,
        "message.receipt": ConversationFrames.on_message_receipt,
        "typing": ConversationFrames.on_typing,
        "presence.query": ConversationFrames.on_presence_query,
    }

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
            recheck = beats % DEVICE_RECHECK_EVERY_BEATS == 0
            try:
                still_valid = await self.device_still_valid(recheck_database=recheck)
            except DatabaseError:
                # Busy or locked: ask again at the next recheck, keep the socket.
                logger.warning("could not recheck the device; keeping the socket", exc_info=True)
                still_valid = True
            if not still_valid:
                await self.close(code=CLOSE_SESSION_ENDED)
                return
            await self.send_frame(frames.ping(now=timezone.now()))
            try:
                await self.keep_up(recheck_database=recheck)
            except DatabaseError:
                logger.warning("could not compare the cursor; trying at the next recheck", exc_info=True)

    async def keep_up(self, *, recheck_database: bool) -> None:
        """Rejoin our groups (a restarted Redis forgot them, and channels_redis
        expires memberships after a day), keep our place among the device's
        sockets, and now and then compare our cursor with the database: a lost
        wake-up costs at most a minute, never an event."""
        try:
            for group in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
            assert self.device is not None
            await ws_limits.device_sockets().claim(digest=self.device.digest, channel_name=self.channel_name)
        except Exception:
            logger.warning("could not rejoin groups or keep the device's place", exc_info=True)
        if recheck_database:
            position = await database_sync_to_async(events.position_of)(person_id=self.person.pk)
            if position.last_seq > self.sent_through:
                await self.deliver_pending()

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
        frame = message.get("event")
        if frame is not None:
            async with self.delivery_lock:
                # The copy is sent only if it is exactly the next one; otherwise
                # the database has what came between (or already sent it).
                if frame["seq"] <= self.sent_through:
                    return
                if frame["seq"] == self.sent_through + 1:
                    await self.send_frame(frame)
                    self.sent_through = frame["seq"]
                    return
        try:
            await self.deliver_pending()
        except DatabaseError:
            # The events stay in the database; the heartbeat's recheck sends them.
            logger.warning("could not read pending events; the next recheck sends them", exc_info=True)
