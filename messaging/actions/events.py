"""The event pipeline's writes: persist first, then notify (DESIGN.md
invariants 1 and 2).

``send_event_on_commit`` is the only way an event reaches a person, and only
actions call it. Inside the caller's transaction it appends one row per
recipient with that person's next sequence number; after commit it asks the
channel layer to wake the recipients' sockets (messaging.realtime). A lost
wake-up costs latency, never an event, because the database is the record:
the copy of the event a wake-up carries is used only by a socket that has
sent everything before it. Acks and the retention purge are the other writes
of the stream; its reads are in messaging.selectors.events.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from messaging.event_types import EventType
from messaging.models import Event, EventSequence
from messaging.realtime import wake
from messaging.selectors.events import event_frame


def send_event_on_commit(
    *, event_type: EventType, data: dict[str, Any], person_ids: Iterable[int]
) -> dict[int, int]:
    """Persist ``data`` as an event for each person and wake them after commit.
    Returns each person's sequence number for it.

    Must run inside the transaction of the change it reports, so the change and
    its events commit or vanish together.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("send_event_on_commit must run inside the action's transaction")
    event_type.validator.validate(data)
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    now = timezone.now()
    sequences = _next_sequence_numbers(ids)
    rows = Event.objects.bulk_create(
        [
            Event(person_id=pid, seq=sequences[pid], type=event_type.name, data=data, created_at=now)
            for pid in ids
        ]
    )
    frames = {row.person_id: event_frame(row) for row in rows}
    transaction.on_commit(lambda: wake(person_ids=ids, frames=frames))
    return sequences


def _next_sequence_numbers(person_ids: list[int]) -> dict[int, int]:
    """Take the next number for each person, holding their sequence rows locked
    (in id order, so concurrent senders cannot deadlock) until commit."""
    if connection.vendor == "postgresql":
        return _next_sequence_numbers_upsert(person_ids)
    EventSequence.objects.bulk_create(
        [EventSequence(person_id=pid) for pid in person_ids], ignore_conflicts=True
    )
    list(EventSequence.objects.select_for_update().filter(person_id__in=person_ids).order_by("person_id"))
    EventSequence.objects.filter(person_id__in=person_ids).update(last_seq=F("last_seq") + 1)
    return dict(EventSequence.objects.filter(person_id__in=person_ids).values_list("person_id", "last_seq"))


# messaging_eventsequence is EventSequence's table (a test checks it).
_NEXT_SEQUENCES_SQL = """
    INSERT INTO messaging_eventsequence AS s (person_id, last_seq, acked_seq)
    SELECT t.person_id, 1, 0 FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(person_id, n)
    ORDER BY t.n
    ON CONFLICT (person_id) DO UPDATE SET last_seq = s.last_seq + 1
    RETURNING s.person_id, s.last_seq
"""


def _next_sequence_numbers_upsert(person_ids: list[int]) -> dict[int, int]:
    """The same in one statement on PostgreSQL. Hand-written because the ORM's
    upsert (``bulk_create(update_conflicts=True)``) can only copy the new row's
    values, not add one to the old. The rows are inserted or updated, and so
    locked, in the order of ``person_ids`` (sorted by the caller), which keeps
    the no-deadlock ordering of the portable path. Every event goes through
    here, and it is one round trip instead of four."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SEQUENCES_SQL, [person_ids])
        return dict(cursor.fetchall())


def do_ack_events(*, person_id: int, seq: int) -> bool:
    """Record that a device of this person has everything through ``seq``.
    Returns False for a sequence number the person was never sent."""
    return person_id in do_ack_many({person_id: seq})


def do_ack_many(acks: dict[int, int]) -> set[int]:
    """Record many people's acks (person id -> highest sequence number a device
    of theirs has) in one transaction: the sockets' group commit
    (``messaging.acks``). Returns the people whose ack was valid, that is a
    number they were sent. Rows are locked in person-id order, the order
    ``_next_sequences`` locks them in, so a batch never deadlocks with a
    transaction appending events."""
    wanted = {person_id: seq for person_id, seq in acks.items() if seq >= 0}
    if not wanted:
        return set()
    if connection.vendor == "postgresql":
        return _ack_many_postgresql(wanted)
    with transaction.atomic():
        rows = list(
            EventSequence.objects.select_for_update()
            .filter(person_id__in=wanted)
            .order_by("person_id")
            .only("person_id", "last_seq", "acked_seq")
        )
        valid = {row.person_id for row in rows if wanted[row.person_id] <= row.last_seq}
        moved = []
        for row in rows:
            if row.person_id in valid and wanted[row.person_id] > row.acked_seq:
                row.acked_seq = wanted[row.person_id]
                moved.append(row)
        EventSequence.objects.bulk_update(moved, ["acked_seq"], batch_size=500)
    return valid


# messaging_eventsequence is EventSequence's table (a test checks it).
_LOCK_SEQUENCES_SQL = """
    SELECT 1 FROM messaging_eventsequence WHERE person_id = ANY(%s) ORDER BY person_id FOR UPDATE
"""
_ACK_SQL = """
    UPDATE messaging_eventsequence AS s SET acked_seq = GREATEST(s.acked_seq, v.seq)
    FROM unnest(%s::bigint[], %s::bigint[]) AS v(person_id, seq)
    WHERE s.person_id = v.person_id AND v.seq <= s.last_seq
    RETURNING s.person_id
"""


def _ack_many_postgresql(wanted: dict[int, int]) -> set[int]:
    """The same as the portable path in two statements whatever the batch's
    size. Hand-written because the ORM's bulk_update builds a CASE arm per
    row, which cost more CPU than the write itself in the bench's broadcast."""
    people = sorted(wanted)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK_SEQUENCES_SQL, [people])
        cursor.execute(_ACK_SQL, [people, [wanted[pid] for pid in people]])
        return {row[0] for row in cursor.fetchall()}


def do_purge_old_events(*, older_than: timedelta, now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - older_than
    return Event.objects.filter(created_at__lt=cutoff).delete()[0]
