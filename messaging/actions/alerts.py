"""Every write of an alert's life but the escalation steps (messaging.actions.
escalation): raise, accept, decline, cancel, hand over, make contact,
resolve, debrief and follow up.

Each function locks the alert row (select_for_update) and re-checks its state
before changing anything, so concurrent accepts, declines, steps and cancels
serialise: the first accept wins, a step runs at most once (compare-and-set
on ``step``), and nobody is offered an alert that was already taken. Events
are persisted in the same transaction; Celery fast paths are scheduled on
commit (messaging.scheduling) and the periodic sweep covers anything they miss.

``now`` is a parameter everywhere so tests drive a controlled clock.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from crisisplans import crypto
from crisisplans.actions import do_prompt_review_after_crisis
from foundation import idempotency
from foundation.problems import Conflict, UnprocessableRequest
from messaging import recipients, scheduling
from messaging.actions.conversations import do_open_alert_conversation
from messaging.actions.escalation import (
    lock_alert,
    notify_offer,
    offer_to_the_next,
    release_holder,
    return_to_escalation,
    run_step,
    send_status,
    withdraw_pending,
)
from messaging.actions.events import send_event_on_commit
from messaging.actions.follow_ups import schedule_follow_up
from messaging.event_types import ALERT_WITHDRAWN
from messaging.models import Alert, AlertDebrief, Offer
from messaging.models.escalation import EscalationPolicy
from messaging.serializers.alerts import RaiseAlertIn
from network.actions import do_record_alert_response
from network.models import Network, Person
from network.selectors import access_network_by_id, current_memberships, shared_networks

logger = logging.getLogger(__name__)

ALERT_DETAILS_PURPOSE = "alert-details"


class AlertKeyReused(UnprocessableRequest):
    default_detail = "This client id was already used for a different alert."
    default_code = "idempotency_key_reused"


class AlertNotOpen(Conflict):
    default_detail = "This alert no longer needs you."
    default_code = "alert_not_open"


class NotYours(Conflict):
    default_detail = "You do not hold this alert."
    default_code = "not_alert_holder"


class NotEligible(UnprocessableRequest):
    default_detail = "This alert cannot be handed to that person: the member has not allowed it."
    default_code = "handover_not_allowed"


# --- raising -------------------------------------------------------------------


@dataclass(frozen=True)
class Raised:
    alert: Alert
    created: bool


def check_raise_alert(*, person: Person, body: Any, client_key: str) -> Raised:
    """The entry point of both fronts (REST and the websocket's alert.raise):
    parse the client's body, find the network with the caller's access
    checked (default: their first network), then do_raise_alert."""
    parsed = RaiseAlertIn(data=body)
    parsed.is_valid(raise_exception=True)
    data = parsed.validated_data
    network_id = data.get("network_id")
    if network_id is None:
        first = current_memberships(person=person).order_by("joined_at").first()
        if first is None:
            raise ValidationError({"network_id": ["You are not in a network yet."]})
        network = first.network
    else:
        network = access_network_by_id(person=person, network_id=network_id)
    return do_raise_alert(
        member=person,
        network=network,
        route_all_networks=data["all_networks"],
        client_key=client_key,
        message=data["message"],
        urgency=data["urgency"],
        location=data["location"],
    )


def do_raise_alert(
    *,
    member: Person,
    network: Network,
    route_all_networks: bool,
    client_key: str,
    message: str = "",
    urgency: str = Alert.Urgency.URGENT,
    location: dict[str, float] | None = None,
    now: datetime | None = None,
) -> Raised:
    """Raise an alert (idempotent on ``client_key``) and offer it at once.

    ``network`` must be one the member belongs to (the caller checks with an
    access_* selector). With ``route_all_networks`` every network of the
    member is asked, with the policy and emergency routes of ``network``.

    A member who already has an alert that is not closed gets that alert back
    (``created`` False), whatever the key, network or body: nobody new is
    paged and nothing is refused (a person in crisis presses again).
    """
    now = now or timezone.now()
    fingerprint = idempotency.fingerprint(
        dict(network=network.pk, all=route_all_networks, message=message, urgency=urgency, location=location)
    )
    existing = _same_key_or_open(member=member, client_key=client_key, fingerprint=fingerprint)
    if existing is not None:
        return Raised(alert=existing, created=False)

    network_ids = _routing_network_ids(member=member, network=network, route_all_networks=route_all_networks)
    policy = EscalationPolicy.snapshot(network=network).to_json()
    try:
        with transaction.atomic():
            # One raise at a time per member: a second one waits here, then
            # finds the first and gets it back.
            Person.objects.select_for_update().filter(pk=member.pk).exists()
            existing = _same_key_or_open(member=member, client_key=client_key, fingerprint=fingerprint)
            if existing is not None:
                return Raised(alert=existing, created=False)
            alert = Alert(
                member=member,
                network=network,
                routing_network_ids=network_ids,
                client_key=client_key,
                request_fingerprint=fingerprint,
                urgency=urgency,
                policy=policy,
                step=0,
                raised_at=now,
            )
            if message or location:
                _seal_details(alert, message=message, location=location)
            alert.save()
            run_step(alert, step=0, due_at=now, now=now)
            send_status(alert, stage="offered" if alert.offers.exists() else "finding_someone")
    except IntegrityError:
        # A concurrent retry with the same key won the insert: answer as a retry.
        existing = Alert.objects.get(member=member, client_key=client_key)
        if existing.request_fingerprint != fingerprint:
            raise AlertKeyReused from None
        return Raised(alert=existing, created=False)
    return Raised(alert=alert, created=True)


def _routing_network_ids(*, member: Person, network: Network, route_all_networks: bool) -> list[int]:
    """The network raised in first, then (if asked) the member's other networks."""
    if not route_all_networks:
        return [network.pk]
    return [network.pk] + [
        m.network_id
        for m in current_memberships(person=member).order_by("joined_at")
        if m.network_id != network.pk
    ]


def _seal_details(alert: Alert, *, message: str, location: dict[str, float] | None) -> None:
    sealed = crypto.encrypt(
        owner_id=alert.member_id,
        purpose=ALERT_DETAILS_PURPOSE,
        payload={"message": message, "location": location},
    )
    alert.sealed_key_id, alert.sealed_details = sealed.data_key_id, sealed.ciphertext


def _same_key_or_open(*, member: Person, client_key: str, fingerprint: str) -> Alert | None:
    """A retry of this key (the same body, or it is an error), else the
    member's alert that is not closed yet, else None."""
    retried = Alert.objects.filter(member=member, client_key=client_key).first()
    if retried is not None:
        if retried.request_fingerprint != fingerprint:
            raise AlertKeyReused
        return retried
    return (
        Alert.objects.filter(member=member, state__in=[Alert.State.OPEN, Alert.State.TAKEN])
        .order_by("-raised_at")
        .first()
    )


def alert_details(*, alert: Alert) -> dict[str, Any]:
    """The member's words and location. Callers check who may see them."""
    if alert.sealed_details is None or alert.member_id is None:
        return {"message": "", "location": None}
    return crypto.decrypt(
        owner_id=alert.member_id,
        purpose=ALERT_DETAILS_PURPOSE,
        data_key_id=alert.sealed_key_id,
        ciphertext=bytes(alert.sealed_details),
    )


# --- the peer's side -------------------------------------------------------------


def _offer_of(alert: Alert, person: Person) -> Offer:
    offer = alert.offers.select_related("network").filter(person=person).first()
    if offer is None:
        raise AlertNotOpen
    return offer


def do_accept_alert(*, alert_id: Any, person: Person, now: datetime | None = None) -> Alert:
    """ "I've got this." The first accept wins; everyone else is told and stops
    being paged. A handover offer is accepted the same way."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
        offer = _offer_of(alert, person)
        if not recipients.eligibility_for(member_id=alert.member_id).allows(person):
            # Excluded since it was offered (a block, a plan change): not theirs to take.
            raise AlertNotOpen
        handover = offer.kind == Offer.Kind.HANDOVER and offer.state == Offer.State.PENDING
        if handover and alert.state == Alert.State.TAKEN:
            release_holder(alert, reason="handed_over", now=now)
        elif alert.state != Alert.State.OPEN or offer.state not in (
            Offer.State.PENDING,
            Offer.State.DECLINED,
        ):
            raise AlertNotOpen
        offer.state, offer.responded_at = Offer.State.ACCEPTED, now
        offer.save(update_fields=["state", "responded_at"])
        alert.state, alert.taken_by, alert.taken_at = Alert.State.TAKEN, person, now
        alert.next_step_due_at = None
        alert.first_contact_at = alert.contact_reminded_at = None
        # The network's first-contact time as it was when the alert was raised.
        alert.contact_check_due_at = now + EscalationPolicy.of(alert).first_contact
        alert.save(
            update_fields=[
                "state",
                "taken_by",
                "taken_at",
                "next_step_due_at",
                "first_contact_at",
                "contact_reminded_at",
                "contact_check_due_at",
            ]
        )
        withdraw_pending(alert, reason="taken", now=now)
        _record_response(person=person, network=offer.network, at=now, response="accepted")
        send_status(alert, stage="taken")
        # The member and whoever took it (peer, handover peer or staff) can talk.
        do_open_alert_conversation(alert=alert, holder=person, now=now)
        scheduling.on_commit_check_contact(alert_id=alert.pk, due_at=alert.contact_check_due_at)
    return alert


def _record_response(*, person: Person, network: Network, at: datetime, response: str) -> None:
    # A handover has no rota offer of its own to answer.
    with contextlib.suppress(LookupError):
        do_record_alert_response(person=person, network=network, at=at, response=response)


def do_decline_alert(
    *, alert_id: Any, person: Person, reason: str = "", now: datetime | None = None
) -> Alert:
    """ "I can't right now." No penalty; the next person is offered it at once."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
        offer = _offer_of(alert, person)
        if offer.state != Offer.State.PENDING:
            raise AlertNotOpen
        offer.state, offer.responded_at, offer.decline_reason = (
            Offer.State.DECLINED,
            now,
            reason.strip()[:280],
        )
        offer.save(update_fields=["state", "responded_at", "decline_reason"])
        _record_response(person=person, network=offer.network, at=now, response="declined")
        if alert.state == Alert.State.OPEN:
            offer_to_the_next(alert, now=now)
    return alert


def do_confirm_contact(*, alert_id: Any, person: Person, now: datetime | None = None) -> Alert:
    """The peer who holds the alert has reached the member (a message or a call)."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
        if alert.state != Alert.State.TAKEN or alert.taken_by_id != person.pk:
            raise NotYours
        if alert.first_contact_at is None:
            alert.first_contact_at, alert.contact_check_due_at = now, None
            alert.save(update_fields=["first_contact_at", "contact_check_due_at"])
            send_status(alert, stage="taken")
    return alert


def check_hand_over_alert(*, alert_id: Any, person: Person, to_person_id: Any) -> Offer:
    """Hand over to the person with this id: someone who is not an active
    person sharing a network with the holder answers 404, like an unknown id."""
    to = Person.objects.filter(pk=to_person_id, is_active=True).first()
    if to is None or not shared_networks(person=person, other=to).exists():
        raise NotFound
    return do_hand_over_alert(alert_id=alert_id, person=person, to=to)


def do_hand_over_alert(*, alert_id: Any, person: Person, to: Person, now: datetime | None = None) -> Offer:
    """The peer holding the alert asks another peer to take over; they stay the
    holder until the other accepts."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
        if alert.state != Alert.State.TAKEN or alert.taken_by_id != person.pk:
            raise NotYours
        if to.pk in (alert.member_id, person.pk):
            raise UnprocessableRequest("Hand over to another peer.")
        if not recipients.eligibility_for(member_id=alert.member_id).allows(to):
            raise NotEligible
        network = (
            shared_networks(person=alert.member, other=to).filter(pk__in=alert.routing_network_ids).first()
        )
        if network is None:
            raise UnprocessableRequest("That person is not in the member's networks.")
        offer, created = Offer.objects.get_or_create(
            alert=alert,
            person=to,
            defaults={
                "network": network,
                "kind": Offer.Kind.HANDOVER,
                "step": alert.step,
                "offered_at": now,
                "notified_at": now,
            },
        )
        if not created:
            offer.kind, offer.state, offer.notified_at, offer.network = (
                Offer.Kind.HANDOVER,
                Offer.State.PENDING,
                now,
                network,
            )
            offer.push_sent_at = offer.sms_sent_at = offer.delivered_at = None
        notify_offer(alert, offer)
        offer.save()
        scheduling.on_commit_check_delivery(alert=alert, notified_at=now)
    return offer


def do_cancel_alert(*, alert_id: Any, person: Person, now: datetime | None = None) -> Alert:
    """ "I'm OK now." Everyone offered it is told at once and stops being paged."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
        if alert.member_id != person.pk:
            raise NotYours("Only the member who raised an alert can cancel it.")
        if alert.is_closed:
            return alert
        _cancel(alert, now=now)
        send_status(alert, stage="cancelled")
    return alert


def _cancel(alert: Alert, *, now: datetime) -> None:
    holder = alert.taken_by_id
    alert.state, alert.closed_at = Alert.State.CANCELLED, now
    alert.next_step_due_at = alert.contact_check_due_at = None
    alert.save(update_fields=["state", "closed_at", "next_step_due_at", "contact_check_due_at"])
    withdraw_pending(alert, reason="cancelled", now=now)
    if holder is not None:
        send_event_on_commit(
            event_type=ALERT_WITHDRAWN,
            data={"alert_id": str(alert.pk), "reason": "cancelled"},
            person_ids=[holder],
        )


def do_release_alerts_of_departing_person(*, person: Person, now: datetime | None = None) -> None:
    """A person's account is being deleted (in that transaction). Every alert
    they hold goes back to escalation at once, as after a missed contact;
    their pending offers are withdrawn and the next person is asked; their own
    alerts that are not closed are cancelled, as if they had said "I'm OK".
    Nothing new is written for the departing person themself: their rows are
    being deleted with them."""
    now = now or timezone.now()
    with transaction.atomic():
        for alert_id in Alert.objects.filter(taken_by=person, state=Alert.State.TAKEN).values_list(
            "pk", flat=True
        ):
            alert = lock_alert(alert_id)
            if alert.state == Alert.State.TAKEN and alert.taken_by_id == person.pk:
                return_to_escalation(alert, now=now, tell_holder=False)
        pending = Offer.objects.filter(person=person, state=Offer.State.PENDING)
        for alert_id in pending.values_list("alert_id", flat=True):
            alert = lock_alert(alert_id)
            if (
                alert.offers.filter(person=person, state=Offer.State.PENDING).update(
                    state=Offer.State.WITHDRAWN, responded_at=now
                )
                and alert.state == Alert.State.OPEN
            ):
                offer_to_the_next(alert, now=now)
        for alert_id in Alert.objects.filter(
            member=person, state__in=[Alert.State.OPEN, Alert.State.TAKEN]
        ).values_list("pk", flat=True):
            alert = lock_alert(alert_id)
            if not alert.is_closed:
                _cancel(alert, now=now)


@dataclass(frozen=True)
class DebriefIn:
    how_it_went: str
    emergency_services: str
    follow_up_wanted: bool


def do_resolve_alert(
    *, alert_id: Any, person: Person, debrief: DebriefIn | None = None, now: datetime | None = None
) -> Alert:
    """The peer holding it (or the member) closes a taken alert, with their
    debrief; the follow-up check-in the plan asks for is scheduled."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
        if alert.state != Alert.State.TAKEN:
            raise AlertNotOpen("Only a taken alert can be resolved; cancel an open one.")
        if person.pk not in (alert.taken_by_id, alert.member_id):
            raise NotYours
        alert.state, alert.closed_at = Alert.State.RESOLVED, now
        alert.contact_check_due_at = None
        alert.save(update_fields=["state", "closed_at", "contact_check_due_at"])
        withdraw_pending(alert, reason="resolved", now=now)
        if debrief is not None:
            _save_debrief(alert, person=person, debrief=debrief, now=now)
        schedule_follow_up(alert, now=now, wanted=bool(debrief and debrief.follow_up_wanted))
        if alert.member is not None:
            do_prompt_review_after_crisis(owner=alert.member, alert_id=str(alert.pk))
        send_status(alert, stage="resolved")
    return alert


def do_add_debrief(
    *, alert_id: Any, person: Person, debrief: DebriefIn, now: datetime | None = None
) -> AlertDebrief:
    """The other side's debrief, after resolution (one each)."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
        if alert.state != Alert.State.RESOLVED:
            raise AlertNotOpen("Debriefs are added once the alert is resolved.")
        took_part = (
            alert.member_id == person.pk
            or alert.offers.filter(person=person, state__in=[Offer.State.ACCEPTED]).exists()
        )
        if not took_part:
            raise NotYours
        if alert.debriefs.filter(author=person).exists():
            raise Conflict("You already gave your debrief.")
        return _save_debrief(alert, person=person, debrief=debrief, now=now)


def _save_debrief(alert: Alert, *, person: Person, debrief: DebriefIn, now: datetime) -> AlertDebrief:
    return AlertDebrief.objects.create(
        alert=alert,
        author=person,
        how_it_went=debrief.how_it_went.strip(),
        emergency_services=debrief.emergency_services,
        follow_up_wanted=debrief.follow_up_wanted,
        created_at=now,
    )
