"""Shift reminders (issue 15): the person on an occurrence hears shortly before
it starts (SHIFT_REMINDER_BEFORE_MINUTES) and gets a note when it ends.

A periodic task (network.tasks.send_shift_reminders, every minute) finds what
is due from the database, so a dead worker or a late beat loses nothing: each
sweep looks back LOOK_BACK for reminders not yet recorded. Each reminder is a
ShiftReminder row, inserted before anything is sent and unique per (person,
shift, occurrence_start, kind): a second sweep, a second worker or a retry
finds the row (or waits on the other's insert and then finds it) and sends
nothing. The event commits with the row (messaging's receiver of
``shift_reminder_due`` writes it in the same transaction); the push goes after
commit, at most once. A reminder found more than LATE after it was due is
recorded as skipped and not sent (nobody is paged at 03:40 for a 03:00 start).
Nobody who is no longer a ready member of the shift's network is reminded.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from network.models import Membership, Shift, ShiftException, ShiftReminder
from network.recurrence import MAX_SHIFT, Occurrence, expand
from network.signals import shift_reminder_due

logger = logging.getLogger(__name__)

# A reminder found later than this after it was due is recorded as skipped.
LATE = timedelta(minutes=15)
# How far back a sweep looks for reminders never recorded (after an outage);
# older ones were too late anyway and are not recorded at all.
LOOK_BACK = timedelta(hours=2)


@dataclass(frozen=True)
class Due:
    person_id: int
    occurrence: Occurrence
    kind: str
    due_at: datetime

    @property
    def key(self) -> tuple[int, int, datetime, str]:
        return (self.person_id, self.occurrence.shift.pk, self.occurrence.start, self.kind)


def before() -> timedelta:
    return timedelta(minutes=settings.SHIFT_REMINDER_BEFORE_MINUTES)


def reminders_due(*, now: datetime) -> list[Due]:
    """Every reminder due in [now - LOOK_BACK, now] not yet recorded, to the
    person on the occurrence (the taker of a swapped one; a cancelled one has
    nobody), oldest first. Readiness is checked when sending."""
    lead = before()
    since = now - LOOK_BACK
    until = now + lead
    # A one-off shift that started before the window can reach into it by at
    # most MAX_SHIFT (a day's slack for time zones); recurring ones are expanded.
    one_off_before = (since - MAX_SHIFT).date() - timedelta(days=1)
    shifts = list(
        Shift.objects.filter(is_active=True, start_date__lte=until.date() + timedelta(days=1))
        .exclude(rrule="", start_date__lt=one_off_before)
        .select_related("network")
    )
    if not shifts:
        return []
    exceptions = list(
        ShiftException.objects.filter(
            shift__in=shifts,
            occurrence_start__gt=since - MAX_SHIFT,
            occurrence_start__lte=until + timedelta(seconds=1),
        )
    )
    by_network: dict[int, list[Shift]] = defaultdict(list)
    for shift in shifts:
        by_network[shift.network_id].append(shift)
    due: list[Due] = []
    for network_shifts in by_network.values():
        network = network_shifts[0].network
        for occurrence in expand(
            shifts=network_shifts,
            exceptions=exceptions,
            tz=network.tzinfo,
            start=since,
            end=until + timedelta(seconds=1),
        ):
            starting_at = occurrence.start - lead
            if since <= starting_at <= now:
                due.append(Due(occurrence.person_id, occurrence, ShiftReminder.Kind.STARTING, starting_at))
            if since <= occurrence.end <= now:
                due.append(Due(occurrence.person_id, occurrence, ShiftReminder.Kind.ENDED, occurrence.end))
    if not due:
        return []
    recorded = set(
        ShiftReminder.objects.filter(
            shift__in={d.occurrence.shift.pk for d in due},
            occurrence_start__gte=min(d.occurrence.start for d in due),
            occurrence_start__lte=max(d.occurrence.start for d in due),
        ).values_list("person_id", "shift_id", "occurrence_start", "kind")
    )
    due = [d for d in due if d.key not in recorded]
    due.sort(key=lambda d: (d.due_at, d.occurrence.shift.pk, d.kind))
    return due


def _ready(due: list[Due]) -> set[tuple[int, int]]:
    """(network id, person id) of the ready, current, active members among them."""
    return set(
        Membership.objects.filter(
            person_id__in={d.person_id for d in due},
            network_id__in={d.occurrence.shift.network_id for d in due},
            left_at__isnull=True,
            ready_for_on_call_at__isnull=False,
            person__is_active=True,
        ).values_list("network_id", "person_id")
    )


def _record(due: Due, *, state: str, now: datetime) -> bool:
    """Insert the row and, if it is to be sent, hand it to the receivers in the
    same transaction. False when another sweep already recorded it."""
    occurrence = due.occurrence
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = ShiftReminder.objects.create(
                    person_id=due.person_id,
                    shift=occurrence.shift,
                    occurrence_start=occurrence.start,
                    kind=due.kind,
                    state=state,
                    due_at=due.due_at,
                    created_at=now,
                )
        except IntegrityError:
            return False
        if state == ShiftReminder.State.SENT:
            shift_reminder_due.send(
                sender=ShiftReminder, reminder=row, start=occurrence.start, end=occurrence.end
            )
    return True


def do_send_due_shift_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Send (or record as skipped) every reminder due now. Returns counts."""
    now = now or timezone.now()
    due = reminders_due(now=now)
    counts = {"sent": 0, "skipped": 0}
    if not due:
        return counts
    ready = _ready(due)
    for item in due:
        if (item.occurrence.shift.network_id, item.person_id) not in ready:
            continue
        state = ShiftReminder.State.SKIPPED if now - item.due_at > LATE else ShiftReminder.State.SENT
        try:
            if _record(item, state=state, now=now):
                counts[state] += 1
        except Exception:
            # Nothing was committed for this one: the next sweep tries it again.
            logger.exception("shift reminder %s failed", item.key)
    if counts["sent"] or counts["skipped"]:
        # The once-a-minute task is otherwise silent (messaging.logs ROUTINE_TASKS).
        logger.info("shift reminders: sent=%d skipped=%d", counts["sent"], counts["skipped"])
    return counts
