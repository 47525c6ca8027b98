"""Reads of a person's event stream: where it stands, whether a cursor can
resume, the events after a cursor, and an event as a websocket frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Min

from messaging.models import Event, EventSequence


@dataclass(frozen=True)
class Position:
    """Where a person's event stream stands."""

    last_seq: int
    oldest_seq: int  # the oldest event still kept; last_seq + 1 when none are


def position_of(*, person_id: int) -> Position:
    last_seq = (
        EventSequence.objects.filter(person_id=person_id).values_list("last_seq", flat=True).first() or 0
    )
    oldest = Event.objects.filter(person_id=person_id).aggregate(oldest=Min("seq"))["oldest"]
    return Position(last_seq=last_seq, oldest_seq=oldest if oldest is not None else last_seq + 1)


def cursor_is_resumable(*, after: int, position: Position) -> bool:
    """A client at ``after`` can catch up only if nothing newer was purged and
    the cursor is not from the future (another database, a reset phone)."""
    return position.oldest_seq - 1 <= after <= position.last_seq


def events_after(*, person_id: int, after: int, limit: int) -> list[Event]:
    return list(Event.objects.filter(person_id=person_id, seq__gt=after).order_by("seq")[:limit])


def event_frame(event: Event) -> dict[str, Any]:
    return {
        "type": event.type,
        "seq": event.seq,
        "event_id": str(event.id),
        "at": event.created_at.isoformat(),
        "data": event.data,
    }
