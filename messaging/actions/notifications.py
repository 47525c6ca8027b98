"""Push and SMS fallbacks for offers and messages no device has acknowledged.

The texts carry no crisis content (DESIGN.md invariant 6). Each send is
claimed first with a conditional update (so two workers cannot both send),
and the alert's state is re-checked right before sending, so nobody is paged
for an alert that was already taken, cancelled or resolved.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from foundation.transports import TransportError, load_backend
from foundation.transports.sms import try_send_sms
from messaging import scheduling
from messaging.actions.push import check_push_endpoint
from messaging.models import Alert, Conversation, EventSequence, Offer, Participant, PushSubscription
from network.models import Membership, Person, SwapRequest

logger = logging.getLogger(__name__)


def notification_text(*, network_name: str) -> str:
    return f"Someone in {network_name} needs support. Open the app."


def _offer_still_wanted(offer: Offer) -> bool:
    offer.refresh_from_db(fields=["state"])
    if offer.state != Offer.State.PENDING:
        return False
    state = Alert.objects.filter(pk=offer.alert_id).values_list("state", flat=True).first()
    if offer.kind == Offer.Kind.HANDOVER:
        return state == Alert.State.TAKEN
    return state == Alert.State.OPEN


def _delivered(offer: Offer) -> bool:
    acked = (
        EventSequence.objects.filter(person_id=offer.person_id).values_list("acked_seq", flat=True).first()
    )
    return offer.event_seq is not None and acked is not None and acked >= offer.event_seq


def do_send_offer_fallbacks(*, offer_id: int, now: datetime | None = None) -> str:
    """Push once the offer has waited ALERT_PUSH_AFTER_SECONDS unacknowledged,
    SMS once the push has waited ALERT_SMS_AFTER_PUSH_SECONDS. Returns what it
    sent ("", "push", "sms")."""
    now = now or timezone.now()
    offer = Offer.objects.select_related("network", "person").filter(pk=offer_id).first()
    if offer is None or not _offer_still_wanted(offer):
        return ""
    if _delivered(offer):
        Offer.objects.filter(pk=offer.pk, delivered_at__isnull=True).update(delivered_at=now)
        return ""
    push_due = offer.notified_at + timedelta(seconds=settings.ALERT_PUSH_AFTER_SECONDS)
    if offer.push_sent_at is None:
        if now < push_due:
            return ""
        if not Offer.objects.filter(pk=offer.pk, push_sent_at__isnull=True).update(push_sent_at=now):
            return ""
        pushed = not _offer_still_wanted(offer) or _push(offer)
        # The push transport failed: text now, not after waiting on a push nobody got.
        if not pushed and Offer.objects.filter(pk=offer.pk, sms_sent_at__isnull=True).update(sms_sent_at=now):
            _sms(offer)
            return "sms"
        return "push"
    sms_due = offer.push_sent_at + timedelta(seconds=settings.ALERT_SMS_AFTER_PUSH_SECONDS)
    if offer.sms_sent_at is None and now >= sms_due:
        if not Offer.objects.filter(pk=offer.pk, sms_sent_at__isnull=True).update(sms_sent_at=now):
            return ""
        if _offer_still_wanted(offer):
            _sms(offer)
        return "sms"
    return ""


def push_to_person(*, person_id: int, title: str, body: str, url: str = "/") -> bool:
    """Web Push to every subscription of the person; a subscription the
    provider says is gone for good is dropped. Shared by alerts and messages.
    ``url`` is where the app opens when the notification is tapped: an opaque
    id at most, never content.
    Returns False when the push transport failed for every subscription (or
    cannot send at all), so the caller falls through to SMS; a person with no
    subscription is not a failure. Errors are logged, never raised."""
    # Not to a device whose sign-in has expired (it is purged within the hour).
    subscriptions = list(
        PushSubscription.objects.filter(person_id=person_id).exclude(device__expiry__lte=timezone.now())
    )
    if not subscriptions:
        return True
    try:
        backend = load_backend(settings.PUSH_BACKEND)
    except TransportError as exc:
        logger.warning("push to person %s failed: %s", person_id, exc.message)
        return False
    sent = 0
    for subscription in subscriptions:
        try:
            # Rows saved before the endpoint rules (issue 12) are checked again
            # here, right before the worker would POST to them.
            check_push_endpoint(subscription.endpoint)
        except ValidationError:
            logger.warning("push subscription %s refused at send time; dropped", subscription.pk)
            subscription.delete()
            continue
        try:
            backend.notify(
                endpoint=subscription.endpoint,
                p256dh=subscription.p256dh,
                auth=subscription.auth,
                title=title,
                body=body,
                url=url,
            )
        except TransportError as exc:
            if exc.permanent:
                subscription.delete()
            logger.warning("push to person %s failed: %s", person_id, exc.message)
        except Exception:
            # A backend bug must not cost the page: log it and fall through.
            logger.exception("push to person %s failed", person_id)
        else:
            sent += 1
    return sent > 0


def sms_to_person(*, person: Person, body: str) -> bool:
    """Text the person; returns whether the provider took it. Errors are
    logged, never raised (the SMS is the last transport)."""
    return try_send_sms(to=person.phone_number.as_e164, body=body) is None


def _push(offer: Offer) -> bool:
    return push_to_person(
        person_id=offer.person_id,
        title="Peer support",
        body=notification_text(network_name=offer.network.name),
        url=f"/#/alerts/{offer.alert_id}",
    )


def _sms(offer: Offer) -> bool:
    return sms_to_person(person=offer.person, body=notification_text(network_name=offer.network.name))


def offers_needing_fallback(*, now: datetime) -> list[int]:
    push_before = now - timedelta(seconds=settings.ALERT_PUSH_AFTER_SECONDS)
    sms_before = now - timedelta(seconds=settings.ALERT_SMS_AFTER_PUSH_SECONDS)
    return list(
        Offer.objects.filter(state=Offer.State.PENDING, delivered_at__isnull=True)
        .filter(
            Q(push_sent_at__isnull=True, notified_at__lte=push_before)
            | Q(sms_sent_at__isnull=True, push_sent_at__lte=sms_before)
        )
        .order_by("notified_at", "pk")
        .values_list("pk", flat=True)[:500]
    )


# --- messages no device has acknowledged ---------------------------------------------


def message_notification_text(*, network_name: str) -> str:
    """No content, no sender: only that there is something to read."""
    return f"You have a new message in {network_name}. Open the app."


def on_commit_check_message_delivery(*, conversation_id: Any, pending_since: datetime) -> None:
    """Two tasks per message (push time, SMS time), each checking every
    participant of the conversation still waiting: not two per recipient,
    since each publish is a Redis round trip inside the sender's request."""
    push_at = pending_since + timedelta(seconds=settings.MESSAGE_PUSH_AFTER_SECONDS)
    sms_at = push_at + timedelta(seconds=settings.MESSAGE_SMS_AFTER_PUSH_SECONDS)
    for eta in (push_at, sms_at):
        transaction.on_commit(
            lambda eta=eta: scheduling._enqueue("send_conversation_fallbacks", (str(conversation_id),), eta)
        )


def _participant_still_wanted(row: Participant, now: datetime) -> bool:
    """Re-read right before each send: still unseen, not muted, still in it."""
    row.refresh_from_db(fields=["pending_since", "pending_event_seq", "muted", "muted_until"])
    if row.pending_since is None or row.is_muted(now=now):
        return False
    if row.conversation.kind == Conversation.Kind.GROUP:
        return Membership.objects.filter(
            person_id=row.person_id, network_id=row.conversation.network_id, left_at__isnull=True
        ).exists()
    return True


def _participant_acked(row: Participant) -> bool:
    acked = EventSequence.objects.filter(person_id=row.person_id).values_list("acked_seq", flat=True).first()
    return row.pending_event_seq is not None and acked is not None and acked >= row.pending_event_seq


def do_send_message_fallbacks(*, participant_id: int, now: datetime | None = None) -> str:
    """Push once a message has waited MESSAGE_PUSH_AFTER_SECONDS with no
    device acking its event, SMS once the push has waited
    MESSAGE_SMS_AFTER_PUSH_SECONDS (alert and direct conversations only: a
    group chat does not text everyone's phone). One notification covers
    every message since the first unseen one. Each send is claimed with a
    conditional update, so two workers cannot both send. Returns what it
    sent ("", "push", "sms")."""
    now = now or timezone.now()
    row = (
        Participant.objects.select_related("conversation__network", "person")
        .filter(pk=participant_id)
        .first()
    )
    if row is None or not _participant_still_wanted(row, now):
        return ""
    if _participant_acked(row):
        Participant.objects.filter(pk=row.pk, pending_event_seq=row.pending_event_seq).update(
            pending_event_seq=None, pending_since=None
        )
        return ""
    assert row.pending_since is not None
    claim = Participant.objects.filter(pk=row.pk, pending_since=row.pending_since)
    if row.push_sent_at is None:
        if now < row.pending_since + timedelta(seconds=settings.MESSAGE_PUSH_AFTER_SECONDS):
            return ""
        if not claim.filter(push_sent_at__isnull=True).update(push_sent_at=now):
            return ""
        pushed = not _participant_still_wanted(row, now) or _push_message(row)
        if pushed or row.conversation.kind == Conversation.Kind.GROUP:
            return "push"
        # The push transport failed: text now, not after waiting on a push nobody got.
        if not claim.filter(sms_sent_at__isnull=True).update(sms_sent_at=now):
            return "push"
        _sms_message(row)
        return "sms"
    if row.conversation.kind == Conversation.Kind.GROUP or row.sms_sent_at is not None:
        return ""
    if now < row.push_sent_at + timedelta(seconds=settings.MESSAGE_SMS_AFTER_PUSH_SECONDS):
        return ""
    if not claim.filter(sms_sent_at__isnull=True).update(sms_sent_at=now):
        return ""
    if _participant_still_wanted(row, now):
        _sms_message(row)
    return "sms"


def _push_message(row: Participant) -> bool:
    return push_to_person(
        person_id=row.person_id,
        title="New message",
        body=message_notification_text(network_name=row.conversation.network.name),
        url=f"/#/conversations/{row.conversation_id}",
    )


def _sms_message(row: Participant) -> None:
    sms_to_person(
        person=row.person, body=message_notification_text(network_name=row.conversation.network.name)
    )


# --- the rota: shift reminders and swap requests (issue 15) ------------------------------
# Who, which shift, when, in which network: never anything about an alert.


def _local(at: datetime, network: Any) -> datetime:
    return at.astimezone(network.tzinfo)


def _day(at: datetime) -> str:
    """'Tuesday 3 March': the format does not depend on the machine's locale."""
    return f"{DAYS[at.weekday()]} {at.day} {MONTHS[at.month - 1]}"


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def shift_starting_text(*, network: Any, start: datetime) -> str:
    return f"Your on-call shift in {network.name} starts at {_local(start, network):%H:%M}."


SHIFT_ENDED_TEXT = "Your shift has ended. Thank you."


def _whose(*, owner: Any, reader_id: int, asker_id: int | None) -> str:
    if owner.pk == reader_id:
        return "your shift"
    if owner.pk == asker_id:
        return "their shift"
    return f"{owner.display_name}'s shift"


def swap_requested_text(*, request: Any) -> str:
    """To the asked peer: '<name> asked if you can take their shift on <day> at <time> in <network>.'"""
    network, owner = request.shift.network, request.shift.person
    at = _local(request.occurrence_start, network)
    asker = request.asked_by.display_name if request.asked_by else "Someone"
    whose = _whose(owner=owner, reader_id=request.asked_id, asker_id=request.asked_by_id)
    return f"{asker} asked if you can take {whose} on {_day(at)} at {at:%H:%M} in {network.name}."


def swap_answered_text(*, request: Any, reader_id: int) -> str:
    """To whoever asked and the shift's peer: yes ('will take') or no ('can't take')."""
    network, owner = request.shift.network, request.shift.person
    at = _local(request.occurrence_start, network)
    whose = "your shift" if owner.pk == reader_id else f"{owner.display_name}'s shift"
    verb = "will take" if request.state == "accepted" else "can't take"
    return f"{request.asked.display_name} {verb} {whose} on {_day(at)} at {at:%H:%M} in {network.name}."


def do_push_swap_notice(*, request_id: int, change: str) -> int:
    """The push for a swap request's change, from a task after commit: to the
    asked peer when asked (only while the ask still waits), to whoever asked and
    the shift's peer when answered. Returns how many people it pushed to."""
    request = (
        SwapRequest.objects.select_related("shift__network", "shift__person", "asked", "asked_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    if change == "requested":
        if request.state != SwapRequest.State.PENDING or request.asked_id == request.asked_by_id:
            return 0
        bodies = {request.asked_id: swap_requested_text(request=request)}
    elif change in (SwapRequest.State.ACCEPTED, SwapRequest.State.DECLINED) and request.state == change:
        readers = {request.asked_by_id, request.shift.person_id} - {None, request.asked_id}
        bodies = {pid: swap_answered_text(request=request, reader_id=pid) for pid in readers}  # type: ignore[misc]
    else:
        return 0
    for person_id, body in sorted(bodies.items()):
        push_to_person(person_id=person_id, title="On-call rota", body=body, url="/#/rota")
    return len(bodies)
