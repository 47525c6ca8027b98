"""Every write of the rota: shifts, swaps and cancellations, alert offers and
responses (recorded by the alerts app), and private calendar feeds."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from foundation.problems import Conflict
from network.actions.auth import _keyed_hash
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
from network.recurrence import InvalidRecurrence, occurrence_exists, parse_rrule
from network.signals import swap_request_changed


def _ready_member(*, network: Network, person: Person, field: str) -> Membership:
    membership = Membership.objects.filter(network=network, person=person, left_at__isnull=True).first()
    if membership is None:
        raise ValidationError({field: ["Not a member of this network."]})
    if not membership.is_ready:
        raise ValidationError({field: ["Not yet marked ready for on call by a facilitator."]})
    return membership


def _check_shape(*, start_date: date, start_time: time, duration: timedelta, rrule: str) -> str:
    if not timedelta(minutes=15) <= duration <= Shift.MAX_DURATION:
        raise ValidationError({"duration": ["A shift lasts from 15 minutes to 2 days."]})
    if not rrule.strip():
        return ""
    try:
        parse_rrule(rrule, start_date=start_date, start_time=start_time)
    except InvalidRecurrence as exc:
        raise ValidationError({"rrule": [f"Not a valid RFC 5545 RRULE: {exc}"]}) from None
    body = rrule.strip()
    return body[6:] if body.upper().startswith("RRULE:") else body


def do_create_shift(
    *,
    network: Network,
    person: Person,
    start_date: date,
    start_time: time,
    duration: timedelta,
    actor: Person,
    rrule: str = "",
    note: str = "",
) -> Shift:
    """A recurring shift (``rrule`` set) or a one-off override (``rrule`` empty)."""
    _ready_member(network=network, person=person, field="person")
    rule = _check_shape(start_date=start_date, start_time=start_time, duration=duration, rrule=rrule)
    return Shift.objects.create(
        network=network,
        person=person,
        start_date=start_date,
        start_time=start_time,
        duration=duration,
        rrule=rule,
        note=note,
        created_by=actor,
    )


def do_end_shift(*, shift: Shift) -> None:
    shift.is_active = False
    shift.save(update_fields=["is_active"])


def _check_occurrence(shift: Shift, occurrence_start: datetime) -> None:
    if not shift.is_active or not occurrence_exists(shift, shift.network.tzinfo, occurrence_start):
        raise ValidationError({"occurrence_start": ["This shift has no occurrence starting then."]})


def _check_swap(*, shift: Shift, occurrence_start: datetime, taken_by: Person) -> None:
    _check_occurrence(shift, occurrence_start)
    if taken_by.pk == shift.person_id:
        raise ValidationError({"taken_by": ["That is the person already on this shift."]})
    _ready_member(network=shift.network, person=taken_by, field="taken_by")


def do_swap_shift(
    *, shift: Shift, occurrence_start: datetime, taken_by: Person, actor: Person
) -> ShiftException:
    """Write the swap itself: ``taken_by`` is on call for this occurrence, and the
    rota and both people's calendar feeds show who took it from whom. Only
    ``do_accept_swap_request`` calls it, once the person taking the shift agreed
    (a swap never happens to someone without asking them)."""
    _check_swap(shift=shift, occurrence_start=occurrence_start, taken_by=taken_by)
    with transaction.atomic():
        exception, created = ShiftException.objects.select_for_update().get_or_create(
            shift=shift,
            occurrence_start=occurrence_start,
            defaults={"kind": ShiftException.Kind.SWAP, "taken_by": taken_by, "created_by": actor},
        )
        if not created:
            raise Conflict("This occurrence was already swapped or cancelled.")
    return exception


def do_ask_for_cover(
    *, shift: Shift, occurrence_start: datetime, asked: Person, actor: Person
) -> SwapRequest:
    """Ask a ready peer to take one occurrence. Pending until they answer: it
    changes nobody's rota, feed or on-call state. One pending ask per occurrence."""
    _check_swap(shift=shift, occurrence_start=occurrence_start, taken_by=asked)
    if ShiftException.objects.filter(shift=shift, occurrence_start=occurrence_start).exists():
        raise Conflict("This occurrence was already swapped or cancelled.")
    with transaction.atomic():
        Shift.objects.select_for_update().filter(pk=shift.pk).first()
        if SwapRequest.objects.filter(
            shift=shift, occurrence_start=occurrence_start, state=SwapRequest.State.PENDING
        ).exists():
            raise Conflict("Someone has already been asked to cover this occurrence; withdraw that first.")
        request = SwapRequest.objects.create(
            shift=shift, occurrence_start=occurrence_start, asked=asked, asked_by=actor
        )
        # The asked peer hears of it (messaging.receivers), committed with the ask.
        swap_request_changed.send(sender=SwapRequest, request=request, change="requested")
        return request


def _answer(*, request: SwapRequest, state: str) -> SwapRequest:
    """Move a pending request to ``state`` under a row lock; answered twice: 409."""
    locked = SwapRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != SwapRequest.State.PENDING:
        raise Conflict(f"This request was already {locked.state}.")
    locked.state, locked.answered_at = state, timezone.now()
    locked.save(update_fields=["state", "answered_at"])
    return locked


def do_accept_swap_request(*, request: SwapRequest) -> ShiftException:
    """The asked person says yes: now, and only now, the swap takes effect.
    Readiness and the occurrence are checked again (a facilitator may have
    unmarked them, or the occurrence been cancelled meanwhile: 409)."""
    with transaction.atomic():
        accepted = _answer(request=request, state=SwapRequest.State.ACCEPTED)
        shift = Shift.objects.select_related("network").get(pk=accepted.shift_id)
        try:
            exception = do_swap_shift(
                shift=shift,
                occurrence_start=accepted.occurrence_start,
                taken_by=request.asked,
                actor=request.asked,
            )
        except ValidationError:
            # The shift ended or the taker is no longer ready: the world changed since the ask.
            raise Conflict("This shift or your readiness for on call changed since you were asked.") from None
        swap_request_changed.send(sender=SwapRequest, request=accepted, change="accepted")
        return exception


def do_decline_swap_request(*, request: SwapRequest) -> SwapRequest:
    """The asked person says no; whoever asked (and the shift's peer) hears it."""
    with transaction.atomic():
        declined = _answer(request=request, state=SwapRequest.State.DECLINED)
        swap_request_changed.send(sender=SwapRequest, request=declined, change="declined")
        return declined


def do_withdraw_swap_request(*, request: SwapRequest) -> SwapRequest:
    """The ask is taken back; the asked peer hears it."""
    with transaction.atomic():
        withdrawn = _answer(request=request, state=SwapRequest.State.WITHDRAWN)
        swap_request_changed.send(sender=SwapRequest, request=withdrawn, change="withdrawn")
        return withdrawn


def do_cancel_occurrence(*, shift: Shift, occurrence_start: datetime, actor: Person) -> ShiftException:
    _check_occurrence(shift, occurrence_start)
    with transaction.atomic():
        exception, created = ShiftException.objects.get_or_create(
            shift=shift,
            occurrence_start=occurrence_start,
            defaults={"kind": ShiftException.Kind.CANCEL, "created_by": actor},
        )
        if not created:
            raise Conflict("This occurrence was already swapped or cancelled.")
    return exception


def do_record_alert_offer(*, person: Person, network: Network, at: datetime) -> AlertOffer:
    """Record that an alert was offered to ``person`` at ``at``. Feeds the fair
    ordering (least recently offered first) and the per-shift cap of
    ``network.selectors.on_call_candidates``."""
    return AlertOffer.objects.create(person=person, network=network, offered_at=at)


def do_record_alert_offers(*, offers: list[tuple[Person, Network]], at: datetime) -> list[AlertOffer]:
    """``do_record_alert_offer`` for each (person, network) pair, in one insert."""
    return AlertOffer.objects.bulk_create(
        [AlertOffer(person=person, network=network, offered_at=at) for person, network in offers]
    )


def do_record_alert_response(*, person: Person, network: Network, at: datetime, response: str) -> AlertOffer:
    """Record the answer to the person's latest unanswered offer in the network:
    "accepted", "declined" or "no_answer" (counted apart in the rota report)."""
    if response not in AlertOffer.Response.values:
        raise ValueError(f"response must be one of {AlertOffer.Response.values}")
    with transaction.atomic():
        offer = (
            AlertOffer.objects.select_for_update()
            .filter(person=person, network=network, response="", offered_at__lte=at)
            .order_by("-offered_at", "-pk")
            .first()
        )
        if offer is None:
            raise LookupError("No unanswered offer to this person in this network.")
        offer.response, offer.responded_at = response, at
        offer.save(update_fields=["response", "responded_at"])
    return offer


def do_create_calendar_feed(*, person: Person, network: Network, scope: str) -> tuple[CalendarFeed, str]:
    """A private feed URL token; it is shown once, only its hash is kept."""
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        person=person, network=network, scope=scope, token_hash=calendar_token_hash(token)
    )
    return feed, token


def calendar_token_hash(token: str) -> str:
    return _keyed_hash(f"calendar-feed:{token}")


def do_revoke_calendar_feed(*, feed: CalendarFeed) -> None:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
