"""Push, SMS and voice fallbacks for offers and messages no device has acknowledged.

The texts carry no crisis content (DESIGN.md invariant 6). Each send is
claimed first (an offer's step by its Delivery row, a message's by a
conditional update), so two workers cannot both send, and the alert's state
is re-checked right before sending, so nobody is paged for an alert that was
already taken, cancelled or resolved. An offer follows its person's ladder
(messaging/actions/paging.py, docs/paging.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from foundation.transports import ProviderRefused, TransportError, load_backend
from foundation.transports.sms import send_sms, try_send_sms
from foundation.transports.twilio import public_url
from foundation.transports.voice import place_call
from messaging import scheduling
from messaging.actions.events import send_event_on_commit
from messaging.actions.push import check_push_endpoint
from messaging.event_types import PAGING_HEALTH_CHANGED
from messaging.models import (
    Alert,
    Conversation,
    Delivery,
    EventSequence,
    Offer,
    Participant,
    PushSubscription,
    Transport,
)
from messaging.selectors import paging as paging_selectors
from messaging.selectors.paging import Step
from network.models import Membership, Person, SwapRequest
from network.rule_settings import quiet_hours_in_effect
from network.selectors.rota import OffCall, on_call_state

logger = logging.getLogger(__name__)


# --- the ladder of a page (issue 17): one step's send, and which steps are due ---------------
# An offer's ladder is below; a test page's is in messaging/actions/paging.py, on the same engine.

STATUS_HOOK_PATH = "/hooks/twilio/status/"


def _finish(
    delivery: Delivery, *, status: str, permanent: bool = False, detail: str = "", sid: str | None = None
) -> None:
    delivery.status, delivery.permanent, delivery.detail = status, permanent, detail[:64]
    delivery.provider_sid = sid or None
    delivery.status_at = timezone.now()
    delivery.save(update_fields=["status", "permanent", "detail", "provider_sid", "status_at"])


def _error_detail(exc: Exception) -> str:
    """A short code, never the provider's text (it can quote the number)."""
    if isinstance(exc, ProviderRefused):
        return exc.code
    if isinstance(exc, TransportError):
        return "permanent" if exc.permanent else "temporary"
    return "error"


def send_step(delivery: Delivery, *, person: Person, push: dict[str, str], sms_text: str) -> Delivery:
    """Send one claimed step and record what came of it. Never raises: a
    failure is recorded on the delivery (``permanent`` moves the ladder on)."""
    if delivery.transport == Transport.PUSH:
        outcome = push_to_person_outcome(person_id=person.pk, **push)
        if outcome == "none":
            _finish(delivery, status=Delivery.Status.SKIPPED, detail="no subscription")
        elif outcome == "failed":
            _finish(delivery, status=Delivery.Status.FAILED, permanent=True, detail="push failed")
        else:
            _finish(delivery, status=Delivery.Status.SENT)
        return delivery
    to = person.phone_number.as_e164 if person.phone_number else ""
    if not to:
        _finish(delivery, status=Delivery.Status.FAILED, permanent=True, detail="no number")
        return delivery
    try:
        if delivery.transport == Transport.SMS:
            sid = send_sms(to=to, body=sms_text, status_callback=public_url(STATUS_HOOK_PATH))
        else:
            sid = place_call(
                to=to,
                url=public_url(f"/hooks/twilio/voice/{delivery.token}/"),
                status_callback=public_url(STATUS_HOOK_PATH),
            )
    except Exception as exc:
        # Temporary or not, the next step goes at once (someone is waiting;
        # the same provider again is no retry worth the wait); only a
        # permanent one marks the number as failing (reachability).
        label = "SMS" if delivery.transport == Transport.SMS else "Voice"
        logger.warning("%s page to person %s failed: %s", label, person.pk, _error_detail(exc))
        permanent = not isinstance(exc, TransportError) or exc.permanent
        _finish(delivery, status=Delivery.Status.FAILED, permanent=permanent, detail=_error_detail(exc))
        return delivery
    _finish(delivery, status=Delivery.Status.QUEUED if sid else Delivery.Status.SENT, sid=sid)
    return delivery


def run_ladder(
    *,
    steps: list[Step],
    base: datetime,
    now: datetime,
    sent: dict[str, Delivery],
    claim: Callable[[str], Delivery | None],
    still_wanted: Callable[[], bool],
    send: Callable[[Delivery], Delivery],
) -> list[str]:
    """Send every step of a page that is due at ``now``: at base +
    after_seconds, or at once after the step before failed for good.
    ``sent`` is what earlier runs sent (by transport). Returns the
    transports it sent."""
    done: list[str] = []
    previous_failed = False
    for step in steps:
        existing = sent.get(step.transport)
        if existing is not None:
            previous_failed = existing.failed
            continue
        if not previous_failed and now < base + timedelta(seconds=step.after_seconds):
            break
        delivery = claim(step.transport)
        if delivery is None:
            break
        if not still_wanted():
            _finish(delivery, status=Delivery.Status.SKIPPED, detail="no longer wanted")
            break
        send(delivery)
        done.append(step.transport)
        if delivery.failed:
            notify_paging_failure(person_id=delivery.person_id)
        previous_failed = delivery.failed
    return done


def next_due(*, steps: list[Step], base: datetime, sent: dict[str, Delivery]) -> datetime | None:
    """When the page's next unsent step falls due (now, after a permanent
    failure, is ``base``); None when every step went."""
    previous_failed = False
    for step in steps:
        existing = sent.get(step.transport)
        if existing is not None:
            previous_failed = existing.failed
            continue
        return base if previous_failed else base + timedelta(seconds=step.after_seconds)
    return None


def paging_health_changed(*, person_id: int) -> None:
    for network_id, managers in paging_selectors.managers_of_person(person_id=person_id).items():
        if managers:
            send_event_on_commit(
                event_type=PAGING_HEALTH_CHANGED, data={"network_id": network_id}, person_ids=managers
            )


def notify_paging_failure(*, person_id: int) -> None:
    if transaction.get_connection().in_atomic_block:
        paging_health_changed(person_id=person_id)
    else:
        with transaction.atomic():
            paging_health_changed(person_id=person_id)


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


def offer_sms_text(*, network_name: str) -> str:
    """The page's text message: a reply "1" takes it (messaging/hooks/inbound.py)."""
    return f"Someone in {network_name} needs support. Reply 1 to take it, or open the app."


def _quiet_membership(*, person_id: int, network_id: int, now: datetime) -> Membership | None:
    """The person's membership of the network if they are in their quiet
    hours there now (their own, else the network's default), else None."""
    membership = (
        Membership.objects.select_related("network", "person")
        .filter(person_id=person_id, network_id=network_id, left_at__isnull=True)
        .first()
    )
    if membership is None:
        return None
    hours = quiet_hours_in_effect(
        own=(membership.quiet_hours_start, membership.quiet_hours_end), network=membership.network
    )
    if hours is None:
        return None
    start, end = hours
    local = now.astimezone(membership.network.tzinfo).time()
    quiet = start <= local < end if start < end else (local >= start or local < end)
    return membership if quiet else None


def _in_quiet_hours_off_call(offer: Offer, now: datetime) -> bool:
    """The person is in their quiet hours in the offer's network and not on
    call there (a rota shift or "available"): then push only, no SMS or call."""
    membership = _quiet_membership(person_id=offer.person_id, network_id=offer.network_id, now=now)
    if membership is None:
        return False
    state = on_call_state(membership=membership, at=now)
    # on_call_state says "off" in quiet hours even during a shift; a shift or
    # availability still counts as on call here, so the full ladder runs.
    return not (state.on_call or state.off_because in (OffCall.QUIET_HOURS, OffCall.ALERT_CAP))


def _offer_steps(offer: Offer, now: datetime, steps: list[Step] | None = None) -> list[Step]:
    steps = steps if steps is not None else paging_selectors.rules_for(person_id=offer.person_id)
    if any(s.transport != Transport.PUSH for s in steps) and _in_quiet_hours_off_call(offer, now):
        return [s for s in steps if s.transport == Transport.PUSH]
    return steps


def _offer_sent(offer: Offer) -> dict[str, Delivery]:
    return {d.transport: d for d in Delivery.objects.filter(offer_id=offer.pk, round=offer.times_notified)}


def do_send_offer_fallbacks(*, offer_id: int, now: datetime | None = None) -> str:
    """The person's ladder (messaging/actions/paging.py) for an offer no device
    has acknowledged: each step at notified_at + its wait, or at once after the
    step before failed for good. Returns the last transport it sent ("" for
    none)."""
    now = now or timezone.now()
    offer = Offer.objects.select_related("network", "person").filter(pk=offer_id).first()
    if offer is None or not _offer_still_wanted(offer):
        return ""
    if _delivered(offer):
        Offer.objects.filter(pk=offer.pk, delivered_at__isnull=True).update(delivered_at=now)
        return ""
    steps = _offer_steps(offer, now)
    text = notification_text(network_name=offer.network.name)
    done = run_ladder(
        steps=steps,
        base=offer.notified_at,
        now=now,
        sent=_offer_sent(offer),
        claim=lambda transport: _claim_offer_step(offer, transport, now),
        still_wanted=lambda: _offer_still_wanted(offer),
        send=lambda delivery: send_step(
            delivery,
            person=offer.person,
            push={"title": "Peer support", "body": text, "url": f"/#/alerts/{offer.alert_id}"},
            sms_text=offer_sms_text(network_name=offer.network.name),
        ),
    )
    due = next_due(steps=steps, base=offer.notified_at, sent=_offer_sent(offer))
    if done and due is not None:
        # The ETA tasks scheduled with the offer know only the default
        # timing: the person's own next step gets its own (the sweep is the net).
        scheduling._enqueue("send_alert_fallbacks", (str(offer.alert_id),), max(due, now))
    return done[-1] if done else ""


def _claim_offer_step(offer: Offer, transport: str, now: datetime) -> Delivery | None:
    """The step's Delivery row, or None when someone has sent it; the offer's
    push_sent_at / sms_sent_at say when its push and SMS went (metrics, admin)."""
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                person_id=offer.person_id,
                offer=offer,
                round=offer.times_notified,
                transport=transport,
                created_at=now,
                status_at=now,
            )
    except IntegrityError:
        return None
    if transport == Transport.PUSH:
        Offer.objects.filter(pk=offer.pk, push_sent_at__isnull=True).update(push_sent_at=now)
    elif transport == Transport.SMS:
        Offer.objects.filter(pk=offer.pk, sms_sent_at__isnull=True).update(sms_sent_at=now)
    return delivery


def push_to_person(*, person_id: int, title: str, body: str, url: str = "/") -> bool:
    """Web Push to every subscription of the person; False only when the push
    transport failed for every one (see ``push_to_person_outcome``)."""
    return push_to_person_outcome(person_id=person_id, title=title, body=body, url=url) != "failed"


def push_to_person_outcome(*, person_id: int, title: str, body: str, url: str = "/") -> str:
    """Web Push to every subscription of the person; a subscription the
    provider says is gone for good is dropped. Shared by alerts and messages.
    ``url`` is where the app opens when the notification is tapped: an opaque
    id at most, never content.
    Returns "failed" when the push transport failed for every subscription
    (or cannot send at all), so the caller falls through to SMS; "none" for a
    person with no subscription (not a failure), else "sent". Errors are
    logged, never raised."""
    # Not to a device whose sign-in has expired (it is purged within the hour).
    subscriptions = list(
        PushSubscription.objects.filter(person_id=person_id).exclude(device__expiry__lte=timezone.now())
    )
    if not subscriptions:
        return "none"
    try:
        backend = load_backend(settings.PUSH_BACKEND)
    except TransportError as exc:
        logger.warning("push to person %s failed: %s", person_id, exc.message)
        return "failed"
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
    return "sent" if sent else "failed"


def sms_to_person(*, person: Person, body: str) -> bool:
    """Text the person; returns whether the provider took it. Errors are
    logged, never raised (the SMS is the last transport)."""
    return try_send_sms(to=person.phone_number.as_e164, body=body) is None


def offers_needing_fallback(*, now: datetime) -> list[int]:
    """Pending, unacknowledged offers with a step of their person's ladder due:
    the sweep's net under the ETA tasks. Four queries: the earliest first
    step anyone has, the offers, their people's rules, their deliveries;
    quiet hours are left to the action."""
    # No step of any ladder comes before its first step (a failure moves a
    # later one up, never the first), so younger offers are not even read.
    earliest = paging_selectors.earliest_first_step()
    offers = list(
        Offer.objects.filter(
            state=Offer.State.PENDING,
            delivered_at__isnull=True,
            notified_at__lte=now - timedelta(seconds=earliest),
        )
        .only("pk", "person_id", "notified_at", "times_notified")
        .order_by("notified_at", "pk")[:2000]
    )
    if not offers:
        return []
    rules = paging_selectors.rules_by_person(person_ids=sorted({o.person_id for o in offers}))
    sent: dict[tuple[int, int], dict[str, Delivery]] = {}
    for d in Delivery.objects.filter(offer_id__in=[o.pk for o in offers]).only(
        "offer_id", "round", "transport", "permanent"
    ):
        sent.setdefault((d.offer_id, d.round), {})[d.transport] = d  # type: ignore[index]
    due = []
    for offer in offers:
        at = next_due(
            steps=rules[offer.person_id],
            base=offer.notified_at,
            sent=sent.get((offer.pk, offer.times_notified), {}),
        )
        if at is not None and at <= now:
            due.append(offer.pk)
    return due[:500]


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
        if not _message_quiet(row, now):
            _sms_message(row)
        return "sms"
    if row.conversation.kind == Conversation.Kind.GROUP or row.sms_sent_at is not None:
        return ""
    if now < row.push_sent_at + timedelta(seconds=settings.MESSAGE_SMS_AFTER_PUSH_SECONDS):
        return ""
    if not claim.filter(sms_sent_at__isnull=True).update(sms_sent_at=now):
        return ""
    if _participant_still_wanted(row, now) and not _message_quiet(row, now):
        _sms_message(row)
    return "sms"


def _message_quiet(row: Participant, now: datetime) -> bool:
    """No text for a message in the person's quiet hours (issue 17): the push
    went, and the app shows it when they are back."""
    network_id = row.conversation.network_id
    return _quiet_membership(person_id=row.person_id, network_id=network_id, now=now) is not None


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
