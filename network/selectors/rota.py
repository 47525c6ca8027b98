"""Reads of the rota: who is on call, the expanded rota, the report and calendar feeds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from icalendar import Calendar, Event
from rest_framework.exceptions import NotFound

from network.models import (
    AlertOffer,
    CalendarFeed,
    Membership,
    Network,
    Person,
    Shift,
    ShiftException,
    SwapRequest,
)
from network.recurrence import MAX_SHIFT, Occurrence, expand, gaps, localize
from network.rule_settings import quiet_hours_in_effect
from network.selectors.core import MANAGERS, _require_role

REPORT_SPAN = timedelta(weeks=4)


def _quiet_hours(membership: Membership, network: Network) -> tuple[time, time] | None:
    """The member's own quiet hours, else the network's default for members who
    set none (a rule of the network's: network/rule_settings.py)."""
    return quiet_hours_in_effect(
        own=(membership.quiet_hours_start, membership.quiet_hours_end), network=network
    )


def _alert_cap(membership: Membership, network: Network) -> int:
    """The member's own cap of alerts per shift, up to the network's ceiling."""
    return min(membership.max_alerts_per_shift, network.max_alerts_per_shift)


def _in_quiet_hours(membership: Membership, network: Network, local: time) -> bool:
    hours = _quiet_hours(membership, network)
    if hours is None:
        return False
    start, end = hours
    if start < end:
        return start <= local < end
    return local >= start or local < end  # wraps past midnight


def _occurrences(
    *, network: Network, start: datetime, end: datetime, with_cancelled: bool = False
) -> list[Occurrence]:
    shifts = list(Shift.objects.filter(network=network, is_active=True))
    exceptions = ShiftException.objects.filter(
        shift__network=network, occurrence_start__gt=start - MAX_SHIFT, occurrence_start__lt=end
    )
    return expand(
        shifts=shifts,
        exceptions=exceptions,
        tz=network.tzinfo,
        start=start,
        end=end,
        with_cancelled=with_cancelled,
    )


def on_call_candidates(*, network: Network, at: datetime) -> list[Person]:
    """Who can be offered an alert in ``network`` at ``at``: ready current members
    who are on a rota shift (swaps applied) or marked themselves available, minus
    anyone who said "I can't right now", is in their quiet hours, or has reached
    their cap of alerts for this shift. Least recently offered first (never
    offered first of all), then longest in the network.

    Four queries whatever the network's size.
    """
    return _candidates(network=network, at=at, on_call_only=True)


def available_members(*, network: Network, at: datetime) -> list[Person]:
    """The wider circle for the "available_members" escalation step: every ready
    current member, on call or not, except those who said "I can't right now",
    are in their quiet hours, or have reached their cap during a shift. Same
    fair order and query count as ``on_call_candidates``."""
    return _candidates(network=network, at=at, on_call_only=False)


def _candidates(*, network: Network, at: datetime, on_call_only: bool) -> list[Person]:
    last_offered = (
        AlertOffer.objects.filter(network=network, person=OuterRef("person_id"))
        .order_by("-offered_at")
        .values("offered_at")[:1]
    )
    memberships = list(
        Membership.objects.filter(
            network=network, left_at__isnull=True, ready_for_on_call_at__isnull=False, person__is_active=True
        )
        .select_related("person")
        .annotate(last_offered_at=Subquery(last_offered))
    )
    on_shift_since = _on_shift_since(
        _occurrences(network=network, start=at, end=at + timedelta(microseconds=1)), at=at
    )
    recent_offers = _recent_offers(network=network, at=at)
    local_time = at.astimezone(network.tzinfo).time()
    chosen = [
        m
        for m in memberships
        if _why_not_offered(
            m,
            network=network,
            at=at,
            local_time=local_time,
            on_shift_since=on_shift_since,
            recent_offers=recent_offers,
            on_call_only=on_call_only,
        )
        is None
    ]
    never = datetime.min.replace(tzinfo=at.tzinfo)
    chosen.sort(key=lambda m: (m.last_offered_at or never, m.joined_at, m.person_id))  # type: ignore[attr-defined]
    return [m.person for m in chosen]


def _on_shift_since(occurrences: list[Occurrence], *, at: datetime) -> dict[int, datetime]:
    """person id -> when the earliest of their shifts running at ``at`` began."""
    since: dict[int, datetime] = {}
    for o in occurrences:
        if o.start <= at < o.end:
            earlier = since.get(o.person_id)
            since[o.person_id] = min(earlier, o.start) if earlier else o.start
    return since


def _recent_offers(
    *, network: Network, at: datetime, person: Person | None = None
) -> dict[int, list[datetime]]:
    offers = AlertOffer.objects.filter(network=network, offered_at__gt=at - MAX_SHIFT, offered_at__lte=at)
    if person is not None:
        offers = offers.filter(person=person)
    recent: dict[int, list[datetime]] = defaultdict(list)
    for person_id, offered_at in offers.values_list("person_id", "offered_at"):
        recent[person_id].append(offered_at)
    return recent


def _is_available(m: Membership, *, at: datetime) -> bool:
    return bool(m.available_until and m.available_until > at and (m.available_from or at) <= at)


class OffCall:
    """Why an alert would not be offered to someone now (``OnCallState.off_because``)."""

    NOT_READY = "not_ready"
    NOT_ON_CALL = "not_on_call"
    UNAVAILABLE = "unavailable"
    QUIET_HOURS = "quiet_hours"
    ALERT_CAP = "alert_cap"
    CHOICES = (NOT_READY, NOT_ON_CALL, UNAVAILABLE, QUIET_HOURS, ALERT_CAP)


def _why_not_offered(
    m: Membership,
    *,
    network: Network,
    at: datetime,
    local_time: time,
    on_shift_since: dict[int, datetime],
    recent_offers: dict[int, list[datetime]],
    on_call_only: bool,
) -> str | None:
    """None if an alert may be offered to this ready member at ``at``; else an ``OffCall`` reason.
    The one rule behind ``on_call_candidates``, ``available_members`` and ``on_call_state``."""
    windows = []
    if m.person_id in on_shift_since:
        windows.append(on_shift_since[m.person_id])
    if _is_available(m, at=at):
        windows.append(m.available_from or at)
    if m.unavailable_until and m.unavailable_until > at:
        return OffCall.UNAVAILABLE
    if on_call_only and not windows:
        return OffCall.NOT_ON_CALL
    if _in_quiet_hours(m, network, local_time):
        return OffCall.QUIET_HOURS
    # The cap counts alerts offered since this shift (or availability) began.
    if windows:
        since = min(windows)
        if sum(1 for t in recent_offers[m.person_id] if t >= since) >= _alert_cap(m, network):
            return OffCall.ALERT_CAP
    return None


@dataclass(frozen=True)
class OnCallState:
    """Would an alert in the membership's network be offered to its person now,
    why (``because``: "rota" or "available"), and until when; or why not."""

    on_call: bool
    because: str | None = None
    until: datetime | None = None
    off_because: str | None = None


# How far ahead "on call until" follows back-to-back shifts.
UNTIL_HORIZON = timedelta(days=14)


def on_call_state(*, membership: Membership, at: datetime) -> OnCallState:
    """The person's own answer to "am I on call now, and until when", by the same
    rule that picks ``on_call_candidates``. ``until`` follows their back-to-back
    shifts and "available until" to the first break, cut short by their quiet
    hours; "I can't right now" later, or reaching their cap, cannot be foreseen.

    Three queries (four if the membership's person is not loaded)."""
    network = membership.network
    person = membership.person
    if not membership.is_ready or not person.is_active or membership.left_at is not None:
        return OnCallState(on_call=False, off_because=OffCall.NOT_READY)
    mine = [
        o for o in _occurrences(network=network, start=at, end=at + UNTIL_HORIZON) if o.person_id == person.pk
    ]
    on_shift_since = _on_shift_since(mine, at=at)
    reason = _why_not_offered(
        membership,
        network=network,
        at=at,
        local_time=at.astimezone(network.tzinfo).time(),
        on_shift_since=on_shift_since,
        recent_offers=_recent_offers(network=network, at=at, person=person),
        on_call_only=True,
    )
    if reason is not None:
        return OnCallState(on_call=False, off_because=reason)
    spans = [(o.start, o.end) for o in mine]
    if _is_available(membership, at=at):
        spans.append((membership.available_from or at, membership.available_until))  # type: ignore[arg-type]
    until = at
    for start, end in sorted(spans):
        if start > until:
            break
        until = max(until, end)
    quiet = _next_quiet_start(membership, after=at)
    if quiet is not None and quiet < until:
        until = quiet
    return OnCallState(on_call=True, because="rota" if on_shift_since else "available", until=until)


def _next_quiet_start(membership: Membership, *, after: datetime) -> datetime | None:
    hours = _quiet_hours(membership, membership.network)
    if hours is None:
        return None
    tz = membership.network.tzinfo
    today = after.astimezone(tz).date()
    starts = (localize(datetime.combine(today + timedelta(days=n), hours[0]), tz) for n in range(2))
    return next(start for start in starts if start > after)


@dataclass
class RotaEntry:
    occurrence: Occurrence
    person: Person
    original_person: Person
    pending_swap: SwapRequest | None = None


def rota(
    *,
    network: Network,
    start: datetime,
    end: datetime,
    person: Person | None = None,
    with_cancelled: bool = False,
    asks_seen_by: Person | None = None,
) -> list[RotaEntry]:
    """The rota's occurrences in [start, end); with ``person``, only theirs
    (shifts they hold or took over, and ones they handed over); with
    ``with_cancelled``, cancelled ones too (marked). With ``asks_seen_by``, each
    entry carries its pending swap request where that person may see it (they
    manage the network, or asked, were asked or hold the shift)."""
    occurrences = _occurrences(network=network, start=start, end=end, with_cancelled=with_cancelled)
    if person is not None:
        occurrences = [o for o in occurrences if person.pk in (o.person_id, o.original_person_id)]
    ids = {o.person_id for o in occurrences} | {o.original_person_id for o in occurrences}
    people = Person.objects.in_bulk(ids)
    asks = _pending_asks(network=network, start=start, end=end, viewer=asks_seen_by) if asks_seen_by else {}
    return [
        RotaEntry(
            o,
            people[o.person_id],
            people[o.original_person_id],
            asks.get((o.shift.pk, o.start)),
        )
        for o in occurrences
    ]


def _pending_asks(
    *, network: Network, start: datetime, end: datetime, viewer: Person
) -> dict[tuple[int, datetime], SwapRequest]:
    asks = SwapRequest.objects.filter(
        state=SwapRequest.State.PENDING,
        shift__network=network,
        occurrence_start__gt=start - MAX_SHIFT,
        occurrence_start__lt=end,
    ).select_related("asked", "asked_by")
    role = getattr(network, "viewer_role", None) or _require_role(
        person=viewer, network_id=network.pk, roles=None
    )
    if role not in MANAGERS:
        asks = asks.filter(Q(asked=viewer) | Q(asked_by=viewer) | Q(shift__person=viewer))
    return {(a.shift_id, a.occurrence_start): a for a in asks}


def shifts_of(*, network: Network) -> QuerySet[Shift]:
    return Shift.objects.filter(network=network, is_active=True).select_related("person")


def access_shift_by_id(*, person: Person, shift_id: int, roles: tuple[str, ...] | None = None) -> Shift:
    shift = Shift.objects.filter(pk=shift_id, is_active=True).select_related("network", "person").first()
    if shift is None:
        raise NotFound
    shift.network.viewer_role = _require_role(  # type: ignore[attr-defined]
        person=person, network_id=shift.network_id, roles=roles
    )
    return shift


@dataclass
class PeerBalance:
    person: Person
    on_call_hours: float = 0.0
    offered: int = 0
    accepted: int = 0
    declined: int = 0
    no_answer: int = 0


@dataclass
class RotaReport:
    start: datetime
    end: datetime
    gaps: list[tuple[datetime, datetime]]
    peers: list[PeerBalance] = field(default_factory=list)

    @property
    def gap_hours(self) -> float:
        return sum((b - a).total_seconds() for a, b in self.gaps) / 3600


def rota_report(*, network: Network, now: datetime) -> RotaReport:
    """Gaps over the next four weeks, and per ready peer: on-call hours in those
    weeks and alerts over the last four (declines and no-answers apart)."""
    end = now + REPORT_SPAN
    occurrences = _occurrences(network=network, start=now, end=end)
    report = RotaReport(start=now, end=end, gaps=gaps(occurrences, now, end))
    balances: dict[int, PeerBalance] = {
        m.person_id: PeerBalance(person=m.person)
        for m in Membership.objects.filter(
            network=network, left_at__isnull=True, ready_for_on_call_at__isnull=False
        ).select_related("person")
    }
    # Summed as exact durations and turned into hours once: adding each
    # shift's float hours gave 335.99999999999994 for two weeks of nights.
    on_call: dict[int, timedelta] = {}
    for o in occurrences:
        if o.person_id in balances:
            on_call[o.person_id] = on_call.get(o.person_id, timedelta()) + (
                min(o.end, end) - max(o.start, now)
            )
    for person_id, held in on_call.items():
        balances[person_id].on_call_hours = round(held.total_seconds() / 3600, 2)
    offers = AlertOffer.objects.filter(
        network=network, offered_at__gte=now - REPORT_SPAN, offered_at__lte=now
    )
    for person_id, response in offers.values_list("person_id", "response"):
        if person_id not in balances:
            continue
        balance = balances[person_id]
        balance.offered += 1
        if response:
            setattr(balance, response, getattr(balance, response) + 1)
    report.peers = sorted(balances.values(), key=lambda b: (-b.on_call_hours, b.person.display_name))
    return report


def calendar_feeds_of(*, person: Person) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(person=person, revoked_at__isnull=True).select_related("network")


def access_calendar_feed_by_id(*, person: Person, feed_id: int) -> CalendarFeed:
    feed = calendar_feeds_of(person=person).filter(pk=feed_id).first()
    if feed is None:
        raise NotFound
    return feed


def calendar_feed_by_token_hash(*, token_hash: str) -> CalendarFeed:
    """A live feed whose owner is still in its network; anything else is 404."""
    feed = (
        CalendarFeed.objects.filter(token_hash=token_hash, revoked_at__isnull=True)
        .select_related("network", "person")
        .first()
    )
    if feed is None or not feed.person.is_active:
        raise NotFound
    if not Membership.objects.filter(person=feed.person, network=feed.network, left_at__isnull=True).exists():
        raise NotFound
    return feed


FEED_PAST = timedelta(days=7)
FEED_FUTURE = timedelta(days=90)


def calendar_for(*, feed: CalendarFeed, now: datetime) -> bytes:
    network = feed.network
    only = feed.person if feed.scope == CalendarFeed.Scope.MY_SHIFTS else None
    entries = rota(network=network, start=now - FEED_PAST, end=now + FEED_FUTURE, person=only)
    cal = Calendar()
    cal.add("prodid", "-//crisisnet//rota//EN")
    cal.add("version", "2.0")
    cal.add(
        "x-wr-calname", f"{network.name} on call" if only is None else f"My on-call shifts: {network.name}"
    )
    cal.add("x-wr-timezone", network.timezone)
    tz = network.tzinfo
    for entry in entries:
        o = entry.occurrence
        event = Event()
        event.add("uid", f"shift-{o.shift.pk}-{o.start.astimezone(tz):%Y%m%dT%H%M%S}@{network.slug}")
        event.add("dtstamp", now)
        event.add("dtstart", o.start.astimezone(tz))
        event.add("dtend", o.end.astimezone(tz))
        summary = f"On call: {entry.person.display_name}"
        if o.swapped:
            summary += f" (taken over from {entry.original_person.display_name})"
        event.add("summary", summary)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def swap_requests_of(*, person: Person) -> QuerySet[SwapRequest]:
    """Pending asks to ``person`` and by ``person`` in their current networks,
    soonest occurrence first."""
    networks = Membership.objects.filter(person=person, left_at__isnull=True).values("network_id")
    return (
        SwapRequest.objects.filter(state=SwapRequest.State.PENDING, shift__network_id__in=networks)
        .filter(Q(asked=person) | Q(asked_by=person) | Q(shift__person=person))
        .select_related("shift__network", "shift__person", "asked", "asked_by")
        .order_by("occurrence_start", "pk")
    )


def access_swap_request_by_id(*, person: Person, request_id: int) -> SwapRequest:
    """A swap request the person may see: they were asked, asked, hold the shift,
    or manage its network. Anyone else (another network, an uninvolved member): 404."""
    request = (
        SwapRequest.objects.filter(pk=request_id)
        .select_related("shift__network", "shift__person", "asked", "asked_by")
        .first()
    )
    if request is None:
        raise NotFound
    role = _require_role(person=person, network_id=request.shift.network_id, roles=None)
    request.shift.network.viewer_role = role  # type: ignore[attr-defined]
    involved = person.pk in (request.asked_id, request.asked_by_id, request.shift.person_id)
    if not involved and role not in MANAGERS:
        raise NotFound
    return request
