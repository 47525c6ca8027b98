"""The realtime side of the event pipeline: the channel layer's group names
and the wake-up that tells a person's sockets to read their new events.

A wake-up is a hint, never the data (messaging.actions.events persists every
event before it wakes anyone). Group names must match ``^[a-zA-Z0-9._-]+$``
and stay under 100 characters.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def group_for_person(person_id: int) -> str:
    return f"person.{person_id}"


def group_for_device(device_digest: str) -> str:
    # A prefix of the token hash: unique in practice, short, and no secret.
    return f"device.{device_digest[:40]}"


WAKE_MESSAGE = {"type": "events.available"}


def wake(*, person_ids: Iterable[int], frames: dict[int, dict[str, Any]] | None = None) -> None:
    """Tell each person's sockets to read new events. At-most-once by design.

    With ``frames`` (each person's committed event, as event_frame gives it)
    the wake-up carries a copy of the event, so a socket that has sent
    everything before it sends it without reading the database (a broadcast
    to a thousand people is a thousand reads otherwise). A socket that is
    behind, or a wake-up without a frame, reads from the database as before.

    On the service's layer every wake-up of a change goes out from the calling
    thread as one pipelined batch (``group_send_many_blocking``); any other
    layer gets one event loop and a group_send per person."""
    layer = get_channel_layer()
    ids = list(person_ids)
    if layer is None or not ids:
        return
    try:
        blocking = getattr(layer, "group_send_many_blocking", None)
        if blocking is not None:
            # The service's layer (messaging.layers): from this thread, one round trip.
            frames = frames or {}
            blocking([(group_for_person(pid), _wake_message(frames.get(pid))) for pid in ids])
        else:
            async_to_sync(_wake_all)(layer, ids, frames or {})
    except Exception:
        # The events are committed; sockets that miss this hint catch up on
        # their next wake, their periodic check, or their reconnect.
        logger.warning("could not wake the sockets of %d people", len(ids), exc_info=True)


def _wake_message(frame: dict[str, Any] | None) -> dict[str, Any]:
    return WAKE_MESSAGE if frame is None else {**WAKE_MESSAGE, "event": frame}


async def _wake_all(layer: Any, ids: list[int], frames: dict[int, dict[str, Any]]) -> None:
    """Any other channel layer: a group_send per person."""
    results = await asyncio.gather(
        *(layer.group_send(group_for_person(pid), _wake_message(frames.get(pid))) for pid in ids),
        return_exceptions=True,
    )
    for pid, result in zip(ids, results, strict=True):
        if isinstance(result, BaseException):
            logger.warning("could not wake the sockets of person %s: %r", pid, result)
