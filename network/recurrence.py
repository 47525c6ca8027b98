"""Expanding shifts into occurrences, in the network's local wall-clock time.

Pure functions over already-loaded rows (no queries), so the rota, the feeds,
the report and ``on_call_candidates`` all share one definition of "on call".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from network.models import Shift, ShiftException

# Shifts longer than this are refused, so a window query can look back a fixed span.
MAX_SHIFT = Shift.MAX_DURATION


class InvalidRecurrence(ValueError):
    pass


def parse_rrule(rule: str, *, start_date: date, start_time: time):  # type: ignore[no-untyped-def]
    """Parse an RFC 5545 RRULE body against a naive local start; raise InvalidRecurrence."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise InvalidRecurrence("empty rule")
    if any(part in text.upper() for part in ("DTSTART", "\n", "EXDATE", "RDATE")):
        raise InvalidRecurrence("give only the RRULE body, e.g. FREQ=WEEKLY;BYDAY=SU")
    try:
        return rrulestr(text, dtstart=datetime.combine(start_date, start_time))
    except (ValueError, TypeError) as exc:
        raise InvalidRecurrence(str(exc)) from None


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach the zone to a local wall-clock time. In the repeated hour of an
    autumn change the first (summer-time) instant is meant; a spring-gap time
    maps to the instant the clock would have shown it."""
    return naive.replace(tzinfo=tz, fold=0)


@dataclass(frozen=True)
class Occurrence:
    shift: Shift
    start: datetime
    end: datetime
    person_id: int
    original_person_id: int
    swapped: bool
    cancelled: bool = False

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def _local_starts(shift: Shift, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    naive_from = start.astimezone(tz).replace(tzinfo=None) - shift.duration - timedelta(days=1)
    naive_to = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    first = datetime.combine(shift.start_date, shift.start_time)
    if not shift.rrule:
        return [first] if naive_from <= first <= naive_to else []
    rule = parse_rrule(shift.rrule, start_date=shift.start_date, start_time=shift.start_time)
    return list(rule.between(naive_from, naive_to, inc=True))


def expand(
    *,
    shifts: Iterable[Shift],
    exceptions: Iterable[ShiftException],
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    with_cancelled: bool = False,
) -> list[Occurrence]:
    """Occurrences overlapping [start, end), swaps applied and cancellations dropped
    (kept, marked ``cancelled``, with ``with_cancelled``: for drawing the rota;
    never for deciding who is on call), ordered by start."""
    by_key = {(e.shift_id, e.occurrence_start): e for e in exceptions}
    out: list[Occurrence] = []
    for shift in shifts:
        for local_start in _local_starts(shift, tz, start, end):
            occ_start = localize(local_start, tz)
            occ_end = localize(local_start + shift.duration, tz)
            if occ_end <= start or occ_start >= end:
                continue
            exception = by_key.get((shift.pk, occ_start))
            cancelled = exception is not None and exception.kind == ShiftException.Kind.CANCEL
            if cancelled and not with_cancelled:
                continue
            swapped = not cancelled and exception is not None and exception.taken_by_id is not None
            person_id = exception.taken_by_id if swapped and exception else shift.person_id
            out.append(
                Occurrence(
                    shift=shift,
                    start=occ_start,
                    end=occ_end,
                    person_id=person_id,  # type: ignore[arg-type]
                    original_person_id=shift.person_id,
                    swapped=swapped,
                    cancelled=cancelled,
                )
            )
    out.sort(key=lambda o: (o.start, o.shift.pk))
    return out


def occurrence_exists(shift: Shift, tz: ZoneInfo, at: datetime) -> bool:
    """Does an occurrence of the shift start exactly at ``at``?"""
    return any(localize(s, tz) == at for s in _local_starts(shift, tz, at, at + timedelta(seconds=1)))


def gaps(
    occurrences: Iterable[Occurrence], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Stretches of [start, end) covered by no occurrence."""
    spans = sorted((max(o.start, start), min(o.end, end)) for o in occurrences)
    out: list[tuple[datetime, datetime]] = []
    cursor = start
    for span_start, span_end in spans:
        if span_start > cursor:
            out.append((cursor, span_start))
        cursor = max(cursor, span_end)
    if cursor < end:
        out.append((cursor, end))
    return out
