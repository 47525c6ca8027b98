"""Push and SMS fallbacks for offers no device has acknowledged.

The texts carry no crisis content (DESIGN.md invariant 6). Each send is
claimed first with a conditional update (so two workers cannot both send),
and the alert's state is re-checked right before sending, so nobody is paged
for an alert that was already taken, cancelled or resolved.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from messaging.actions.push import check_push_endpoint
from messaging.models import Alert, EventSequence, Offer, PushSubscription
from messaging.transports import TransportError, load_backend
from network.models import Person

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


def push_to_person(*, person_id: int, title: str, body: str) -> bool:
    """Web Push to every subscription of the person; a subscription the
    provider says is gone for good is dropped. Shared by alerts and messages.
    Returns False when the push transport failed for every subscription (or
    cannot send at all), so the caller falls through to SMS; a person with no
    subscription is not a failure. Errors are logged, never raised."""
    subscriptions = list(PushSubscription.objects.filter(person_id=person_id))
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
            backend.send(
                endpoint=subscription.endpoint,
                p256dh=subscription.p256dh,
                auth=subscription.auth,
                title=title,
                body=body,
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
    try:
        load_backend(settings.SMS_BACKEND).send(to=person.phone_number.as_e164, body=body)
    except TransportError as exc:
        logger.warning("SMS to person %s failed: %s", person.pk, exc.message)
        return False
    except Exception:
        logger.exception("SMS to person %s failed", person.pk)
        return False
    return True


def _push(offer: Offer) -> bool:
    return push_to_person(
        person_id=offer.person_id,
        title="Peer support",
        body=notification_text(network_name=offer.network.name),
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
