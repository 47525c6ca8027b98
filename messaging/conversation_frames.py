"""The websocket's conversation frames: message.send, message.receipt,
typing and presence.query, and the channel-layer messages that serve them.

A mixin of messaging.consumers.RealtimeConsumer, as thin as the rest of it:
each frame is translated to the same entry point the REST API calls
(messaging.actions.conversations) or to a channel-layer message, and a
refused action becomes an error frame (RealtimeConsumer._run_action).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from django.utils import timezone

from messaging import frames
from messaging.realtime import group_for_person

# How long a presence.query waits for a person's sockets to answer.
PRESENCE_PROBE_SECONDS = 0.5


class ConversationFrames:
    """Needs from the consumer: person, channel_layer, channel_name,
    typing_limit, presence_limit, send_frame and _run_action."""

    person: Any
    channel_layer: Any
    channel_name: str
    typing_limit: Any
    presence_limit: Any
    presence_waiting: dict[int, bool]
    presence_timers: set[asyncio.Future[None]]

    if TYPE_CHECKING:

        async def send_frame(self, frame: dict[str, Any]) -> None: ...

        async def _run_action(self, fn: Any, *args: Any, ref: Any) -> Any: ...

    async def on_message_send(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("id")
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 200:
            await self.send_frame(
                frames.error(
                    code="missing_id", detail="message.send needs a client-made 'id' (1 to 200 characters)."
                )
            )
            return
        sent = await self._run_action(self._send_message, frame, client_id, ref=client_id)
        if sent is not None:
            await self.send_frame(
                frames.message_sent(
                    ref=client_id,
                    conversation_id=str(sent.message.conversation_id),
                    message_id=str(sent.message.pk),
                    order=sent.message.order,
                    created=sent.created,
                )
            )

    def _send_message(self, frame: dict[str, Any], client_id: str) -> Any:
        from messaging.actions.conversations import check_send_message

        return check_send_message(
            person=self.person,
            conversation_id=frame.get("conversation_id"),
            text=frame.get("text"),
            client_key=client_id,
        )

    async def on_message_receipt(self, frame: dict[str, Any]) -> None:
        ref = frame.get("id")
        row = await self._run_action(self._update_receipts, frame, ref=ref)
        if row is not None:
            await self.send_frame(
                frames.receipts(
                    ref=ref,
                    conversation_id=str(row.conversation_id),
                    delivered_through=row.delivered_through,
                    read_through=row.read_through,
                )
            )

    def _update_receipts(self, frame: dict[str, Any]) -> Any:
        from messaging.actions.conversations import check_update_receipts

        body = {k: v for k, v in frame.items() if k in ("delivered_through", "read_through")}
        return check_update_receipts(
            person=self.person, conversation_id=frame.get("conversation_id"), body=body
        )

    async def on_typing(self, frame: dict[str, Any]) -> None:
        """Relayed to the others' sockets over the channel layer; never stored.
        Past the limit (ws_limits.TypingLimit) frames are dropped quietly."""
        state = frame.get("state")
        if state not in ("start", "stop"):
            await self.send_frame(
                frames.error(code="invalid_frame", detail="'state' is start or stop.", ref=frame.get("id"))
            )
            return
        if not self.typing_limit.allow(str(frame.get("conversation_id"))[:64]):
            return
        others = await self._run_action(
            self._typing_audience, frame.get("conversation_id"), ref=frame.get("id")
        )
        for person_id in others or []:
            await self.channel_layer.group_send(
                group_for_person(person_id),
                {
                    "type": "conversation.typing",
                    "conversation_id": str(frame["conversation_id"]),
                    "person_id": self.person.pk,
                    "display_name": self.person.display_name,
                    "state": state,
                },
            )

    def _typing_audience(self, conversation_id: Any) -> list[int]:
        from messaging.selectors import conversations as sel

        conversation = sel.access_conversation_by_id(person=self.person, conversation_id=conversation_id)
        return [pid for pid in sel.participant_ids(conversation=conversation) if pid != self.person.pk]

    async def on_presence_query(self, frame: dict[str, Any]) -> None:
        """Ask the sockets of each person whether they are there (over the
        channel layer: nothing is stored), then answer one presence frame per
        person once they replied or PRESENCE_PROBE_SECONDS passed."""
        person_ids = frame.get("person_ids")
        if (
            not isinstance(person_ids, list)
            or not 1 <= len(person_ids) <= 50
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in person_ids)
        ):
            await self.send_frame(
                frames.error(
                    code="invalid_frame", detail="'person_ids' is a list of 1 to 50 ids.", ref=frame.get("id")
                )
            )
            return
        if not self.presence_limit.take():
            await self.send_frame(
                frames.error(
                    code="rate_limited",
                    detail="Too many presence queries. Ask again in a few seconds.",
                    ref=frame.get("id"),
                )
            )
            return
        on_call = await database_sync_to_async(self._on_call_among)(person_ids)
        waiting = getattr(self, "presence_waiting", None)
        if waiting is None:
            waiting = self.presence_waiting = {}
        for person_id, is_on_call in on_call.items():
            waiting[person_id] = is_on_call
            await self.channel_layer.group_send(
                group_for_person(person_id), {"type": "presence.probe", "reply_to": self.channel_name}
            )
        timers = getattr(self, "presence_timers", None)
        if timers is None:
            timers = self.presence_timers = set()
        timer = asyncio.ensure_future(self._presence_timeout(list(on_call)))
        timers.add(timer)
        timer.add_done_callback(timers.discard)

    def _on_call_among(self, person_ids: list[int]) -> dict[int, bool]:
        from messaging.selectors.conversations import on_call_among

        return on_call_among(person=self.person, person_ids=person_ids, at=timezone.now())

    async def _presence_timeout(self, person_ids: list[int]) -> None:
        await asyncio.sleep(PRESENCE_PROBE_SECONDS)
        for person_id in person_ids:
            if person_id in self.presence_waiting:
                on_call = self.presence_waiting.pop(person_id)
                with contextlib.suppress(Exception):
                    await self.send_frame(frames.presence(person_id=person_id, online=False, on_call=on_call))

    # Channel-layer messages.
    async def conversation_typing(self, message: dict[str, Any]) -> None:
        if message["person_id"] != self.person.pk:
            await self.send_frame(
                frames.typing(
                    conversation_id=message["conversation_id"],
                    person_id=message["person_id"],
                    display_name=message["display_name"],
                    state=message["state"],
                )
            )

    async def presence_probe(self, message: dict[str, Any]) -> None:
        await self.channel_layer.send(
            message["reply_to"], {"type": "presence.here", "person_id": self.person.pk}
        )

    async def presence_here(self, message: dict[str, Any]) -> None:
        waiting = getattr(self, "presence_waiting", {})
        if message["person_id"] in waiting:
            on_call = waiting.pop(message["person_id"])
            await self.send_frame(
                frames.presence(person_id=message["person_id"], online=True, on_call=on_call)
            )
