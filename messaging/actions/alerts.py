"""Every write of an alert's life: raise, offer, accept, decline, cancel,
hand over, make contact, resolve, and the escalation steps.

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
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from crisisplans import crypto
from crisisplans.actions import do_prompt_review_after_crisis
from crisisplans.selectors import aftercare_for
from foundation.problems import Conflict, UnprocessableRequest
from messaging import recipients, scheduling
from messaging.actions.conversations import do_open_alert_conversation
from messaging.event_types import (
    ALERT_OFFERED,
    ALERT_REMINDER,
    ALERT_STATUS,
    ALERT_WITHDRAWN,
    FOLLOW_UP_DUE,
    person_ref,
)
from messaging.events import send_event_on_commit
from messaging.models import Alert, AlertDebrief, EscalationStepRun, FollowUp, Offer
from network.actions import do_record_alert_offers, do_record_alert_response
from network.models import Network, Person
from network.selectors import shared_networks

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


def _lock(alert_id: Any) -> Alert:
    return (
        Alert.objects.select_for_update(of=("self",))
        .select_related("network", "member", "taken_by")
        .get(pk=alert_id)
    )


def _steps(alert: Alert) -> list[dict[str, Any]]:
    return alert.policy["steps"]


def _final_step(alert: Alert) -> int:
    """The step that tells staff and shows the emergency routes; later
    numbers are re-notifications."""
    return len(_steps(alert))


# --- events ------------------------------------------------------------------


def _staff_stage(alert: Alert) -> str:
    return "staff_unreachable" if alert.staff_unreachable else "staff_told"


def _status(alert: Alert, *, stage: str) -> None:
    """Tell the member (and whoever holds the alert) where it stands, as REST
    shows it (the taker stays named once it is resolved)."""
    data = {
        "alert_id": str(alert.pk),
        "state": alert.state,
        "stage": stage,
        "step": alert.step,
        "offered_count": alert.offers.count(),
        "taken_by": person_ref(alert.taken_by),
        "staff_told": alert.staff_notified_at is not None,
        "staff_unreachable": alert.staff_unreachable,
        "emergency_routes": alert.policy["emergency_routes"] if alert.emergency_routes_shown_at else None,
    }
    people = [pid for pid in (alert.member_id, alert.taken_by_id) if pid is not None]
    send_event_on_commit(event_type=ALERT_STATUS, data=data, person_ids=people)


def _offered_data(alert: Alert, *, network: Network, kind: str, step: int, reminder: bool) -> dict[str, Any]:
    return {
        "alert_id": str(alert.pk),
        "network": {"id": network.pk, "name": network.name},
        "member": person_ref(alert.member) or {"id": 0, "display_name": "A member"},
        "urgency": alert.urgency,
        "kind": kind,
        "step": step,
        "reminder": reminder,
    }


def _notify_offer(alert: Alert, offer: Offer, *, reminder: bool = False) -> None:
    data = _offered_data(alert, network=offer.network, kind=offer.kind, step=offer.step, reminder=reminder)
    sequences = send_event_on_commit(event_type=ALERT_OFFERED, data=data, person_ids=[offer.person_id])
    offer.event_seq = sequences[offer.person_id]


def _withdraw_pending(alert: Alert, *, reason: str, now: datetime, keep: Offer | None = None) -> None:
    pending = list(alert.offers.filter(state=Offer.State.PENDING).exclude(pk=getattr(keep, "pk", None)))
    if not pending:
        return
    Offer.objects.filter(pk__in=[o.pk for o in pending]).update(state=Offer.State.WITHDRAWN, responded_at=now)
    send_event_on_commit(
        event_type=ALERT_WITHDRAWN,
        data={"alert_id": str(alert.pk), "reason": reason},
        person_ids=[o.person_id for o in pending],
    )


# --- raising -------------------------------------------------------------------


@dataclass(frozen=True)
class Raised:
    alert: Alert
    created: bool


def _fingerprint(**fields: Any) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


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
    fingerprint = _fingerprint(
        network=network.pk, all=route_all_networks, message=message, urgency=urgency, location=location
    )
    existing = _same_key_or_open(member=member, client_key=client_key, fingerprint=fingerprint)
    if existing is not None:
        return Raised(alert=existing, created=False)

    if route_all_networks:
        from network.selectors import current_memberships

        network_ids = [network.pk] + [
            m.network_id
            for m in current_memberships(person=member).order_by("joined_at")
            if m.network_id != network.pk
        ]
    else:
        network_ids = [network.pk]
    policy = {
        "steps": list(network.escalation_steps),
        "renotify_seconds": settings.ALERT_STAFF_RENOTIFY_SECONDS,
        "parallel_offers": settings.ALERT_PARALLEL_OFFERS,
        "emergency_routes": list(network.emergency_routes),
    }
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
                sealed = crypto.encrypt(
                    owner_id=member.pk,
                    purpose=ALERT_DETAILS_PURPOSE,
                    payload={"message": message, "location": location},
                )
                alert.sealed_key_id, alert.sealed_details = sealed.data_key_id, sealed.ciphertext
            alert.save()
            _run_step(alert, step=0, due_at=now, now=now)
            _status(alert, stage="offered" if alert.offers.exists() else "finding_someone")
    except IntegrityError:
        # A concurrent retry with the same key won the insert: answer as a retry.
        existing = Alert.objects.get(member=member, client_key=client_key)
        if existing.request_fingerprint != fingerprint:
            raise AlertKeyReused from None
        return Raised(alert=existing, created=False)
    return Raised(alert=alert, created=True)


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


# --- escalation ----------------------------------------------------------------


def _offer_to_all(
    alert: Alert, *, chosen: list[tuple[Person, Network]], kind: str, step: int, now: datetime
) -> int:
    """Offer the alert to each chosen person at once: one numbered event per
    network (the offer reads the same for everyone reached through it), one
    insert for the offers and one for the rota's record of them. The caller
    holds the alert's row lock, so nobody else is offering it meanwhile."""
    if not chosen:
        return 0
    by_network: dict[int, tuple[Network, list[int]]] = {}
    for person, network in chosen:
        by_network.setdefault(network.pk, (network, []))[1].append(person.pk)
    sequences: dict[int, int] = {}
    for network, person_ids in by_network.values():
        data = _offered_data(alert, network=network, kind=kind, step=step, reminder=False)
        sequences |= send_event_on_commit(event_type=ALERT_OFFERED, data=data, person_ids=person_ids)
    Offer.objects.bulk_create(
        [
            Offer(
                alert=alert,
                person=person,
                network=network,
                kind=kind,
                step=step,
                offered_at=now,
                notified_at=now,
                event_seq=sequences[person.pk],
            )
            for person, network in chosen
        ]
    )
    do_record_alert_offers(offers=chosen, at=now)
    scheduling.on_commit_check_delivery(alert=alert, notified_at=now)
    return len(chosen)


def _offer_next_candidates(
    alert: Alert, *, step: int, audience: str, limit: int | None, now: datetime
) -> int:
    """Offer to the best candidates of this step not yet offered, up to
    ``limit`` pending at once (None: everyone). Returns how many were offered."""
    pending = alert.offers.filter(state=Offer.State.PENDING).count()
    room = None if limit is None else max(limit - pending, 0)
    if room == 0:
        return 0
    already = set(alert.offers.values_list("person_id", flat=True))
    kind = (
        Offer.Kind.STAFF
        if audience in (recipients.STAFF, recipients.NAVIGATORS_AND_STAFF)
        else Offer.Kind.PEER
    )
    candidates = recipients.candidates_for(
        audience=audience, member_id=alert.member_id, network_ids=alert.routing_network_ids, at=now
    )
    chosen = [(person, network) for person, network in candidates if person.pk not in already][:room]
    return _offer_to_all(alert, chosen=chosen, kind=kind, step=step, now=now)


def _run_step(alert: Alert, *, step: int, due_at: datetime, now: datetime) -> None:
    """Run ``step`` of a locked, open alert and set when the next is due. A step
    that finds nobody new to offer moves straight on to the next."""
    while True:
        final = _final_step(alert)
        offered = 0
        if step < final:
            spec = _steps(alert)[step]
            limit = alert.policy["parallel_offers"] if spec["audience"] == recipients.ON_CALL else None
            offered = _offer_next_candidates(
                alert, step=step, audience=spec["audience"], limit=limit, now=now
            )
            wait = timedelta(seconds=spec["wait_seconds"])
        elif step == final:
            offered = _offer_next_candidates(alert, step=step, audience=recipients.STAFF, limit=None, now=now)
            _note_staff_reached(alert, now=now)
            alert.emergency_routes_shown_at = alert.emergency_routes_shown_at or now
            wait = timedelta(seconds=alert.policy["renotify_seconds"])
        else:
            offered = _renotify_staff(alert, step=step, now=now)
            _note_staff_reached(alert, now=now)
            wait = timedelta(seconds=alert.policy["renotify_seconds"])
        EscalationStepRun.objects.create(alert=alert, step=step, due_at=due_at, ran_at=now, offered=offered)
        alert.step = step
        alert.next_step_due_at = now + wait
        alert.save(
            update_fields=["step", "next_step_due_at", "staff_notified_at", "emergency_routes_shown_at"]
        )
        if offered == 0 and step < final and not alert.offers.filter(state=Offer.State.PENDING).exists():
            step, due_at = step + 1, now
            continue
        break
    scheduling.on_commit_run_step(alert_id=alert.pk, step=alert.step + 1, due_at=alert.next_step_due_at)


def _note_staff_reached(alert: Alert, *, now: datetime) -> None:
    """ "Staff told" means a professional was offered it (DESIGN.md invariant 5);
    until then every round says nobody at the staff step could be reached."""
    if alert.staff_notified_at is not None:
        return
    if alert.offers.filter(kind=Offer.Kind.STAFF).exists():
        alert.staff_notified_at = now
        return
    logger.warning(
        "alert %s: nobody at the staff step of network %s (%s) could be reached; the member is shown "
        "the emergency routes. Give the network a facilitator or navigator, or staff the on-duty "
        "group %r.",
        alert.pk,
        alert.network_id,
        alert.network.name,
        settings.SERVICE_ON_DUTY_STAFF_GROUP,
    )


def _renotify_staff(alert: Alert, *, step: int, now: datetime) -> int:
    """Page the staff again (and anyone newly on call): never silent. A
    professional who declined or was passed over is asked again each round;
    with no professional to ask, the peers who were asked are."""
    offered = _offer_next_candidates(alert, step=step, audience=recipients.STAFF, limit=None, now=now)
    offered += _offer_next_candidates(
        alert, step=step, audience=recipients.ON_CALL, limit=alert.policy["parallel_offers"], now=now
    )
    staff = alert.offers.filter(kind=Offer.Kind.STAFF)
    if not staff.exists():
        # Nobody at the staff step could be reached: the people already asked
        # are asked again each round rather than nobody.
        staff = alert.offers.filter(kind=Offer.Kind.PEER)
    _repage(alert, staff.exclude(state=Offer.State.ACCEPTED), now=now)
    return offered


def _repage(alert: Alert, offers: Any, *, now: datetime) -> None:
    """Offer it again to people who were offered it before, as pending, with a
    fresh notification (and fresh push and SMS fallbacks), if the member's
    exclusions still allow them."""
    rule = recipients.eligibility_for(member_id=alert.member_id)
    for offer in offers.select_related("network", "person"):
        if not rule.allows(offer.person):
            continue
        offer.state, offer.responded_at = Offer.State.PENDING, None
        _notify_offer(alert, offer, reminder=True)
        offer.notified_at, offer.times_notified = now, offer.times_notified + 1
        offer.push_sent_at = offer.sms_sent_at = offer.delivered_at = None
        offer.save(
            update_fields=[
                "state",
                "responded_at",
                "event_seq",
                "notified_at",
                "times_notified",
                "push_sent_at",
                "sms_sent_at",
                "delivered_at",
            ]
        )
        scheduling.on_commit_check_delivery(alert=alert, notified_at=now)


def do_run_due_step(*, alert_id: Any, step: int, now: datetime | None = None) -> bool:
    """Run ``step`` if, and only if, it is the next step of an open alert and
    it is due. Safe to call any number of times, early, late or concurrently:
    it runs once. Returns whether it ran."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = _lock(alert_id)
        if (
            alert.state != Alert.State.OPEN
            or alert.step + 1 != step
            or alert.next_step_due_at is None
            or alert.next_step_due_at > now
        ):
            return False
        due_at = alert.next_step_due_at
        _run_step(alert, step=step, due_at=due_at, now=now)
        _status(alert, stage=_staff_stage(alert) if step >= _final_step(alert) else "next_step")
    return True


# --- the peer's side -------------------------------------------------------------


def _release_holder(alert: Alert, *, reason: str, now: datetime, tell: bool = True) -> None:
    """The peer holding the alert stops holding it (handed over, or it came
    back to escalation): their accepted offer ends, from which the plan access
    grace period counts, and they are told why."""
    holder = alert.offers.filter(person_id=alert.taken_by_id, state=Offer.State.ACCEPTED).first()
    if holder is not None:
        holder.state, holder.released_at = Offer.State.WITHDRAWN, now
        holder.save(update_fields=["state", "released_at"])
    if tell:
        send_event_on_commit(
            event_type=ALERT_WITHDRAWN,
            data={"alert_id": str(alert.pk), "reason": reason},
            person_ids=[alert.taken_by_id],
        )


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
        alert = _lock(alert_id)
        offer = _offer_of(alert, person)
        if not recipients.eligibility_for(member_id=alert.member_id).allows(person):
            # Excluded since it was offered (a block, a plan change): not theirs to take.
            raise AlertNotOpen
        handover = offer.kind == Offer.Kind.HANDOVER and offer.state == Offer.State.PENDING
        if handover and alert.state == Alert.State.TAKEN:
            _release_holder(alert, reason="handed_over", now=now)
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
        alert.contact_check_due_at = now + timedelta(seconds=settings.ALERT_FIRST_CONTACT_SECONDS)
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
        _withdraw_pending(alert, reason="taken", now=now)
        _record_response(person=person, network=offer.network, at=now, response="accepted")
        _status(alert, stage="taken")
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
        alert = _lock(alert_id)
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
            _offer_to_the_next(alert, now=now)
    return alert


def _offer_to_the_next(alert: Alert, *, now: datetime) -> None:
    """Someone asked about a locked, open alert will not answer (declined,
    or their account went): offer the next of this step at once, and if
    nobody is left waiting to answer, move on now rather than wait."""
    step = alert.step
    if step < _final_step(alert):
        spec = _steps(alert)[step]
        limit = alert.policy["parallel_offers"] if spec["audience"] == recipients.ON_CALL else None
        _offer_next_candidates(alert, step=step, audience=spec["audience"], limit=limit, now=now)
    if not alert.offers.filter(state=Offer.State.PENDING).exists():
        _run_step(alert, step=step + 1, due_at=now, now=now)
        _status(alert, stage=_staff_stage(alert) if alert.step >= _final_step(alert) else "next_step")
    else:
        _status(alert, stage="offered")


def do_confirm_contact(*, alert_id: Any, person: Person, now: datetime | None = None) -> Alert:
    """The peer who holds the alert has reached the member (a message or a call)."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = _lock(alert_id)
        if alert.state != Alert.State.TAKEN or alert.taken_by_id != person.pk:
            raise NotYours
        if alert.first_contact_at is None:
            alert.first_contact_at, alert.contact_check_due_at = now, None
            alert.save(update_fields=["first_contact_at", "contact_check_due_at"])
    return alert


def do_check_contact(*, alert_id: Any, now: datetime | None = None) -> str:
    """Taken but no first contact: remind the peer once, then put the alert
    back into escalation. Returns what it did ("", "reminded", "returned")."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = _lock(alert_id)
        if (
            alert.state != Alert.State.TAKEN
            or alert.first_contact_at is not None
            or alert.contact_check_due_at is None
            or alert.contact_check_due_at > now
        ):
            return ""
        if alert.contact_reminded_at is None:
            returns_at = now + timedelta(seconds=settings.ALERT_RETURN_AFTER_REMINDER_SECONDS)
            alert.contact_reminded_at, alert.contact_check_due_at = now, returns_at
            alert.save(update_fields=["contact_reminded_at", "contact_check_due_at"])
            send_event_on_commit(
                event_type=ALERT_REMINDER,
                data={"alert_id": str(alert.pk), "returns_at": returns_at.isoformat()},
                person_ids=[alert.taken_by_id],
            )
            scheduling.on_commit_check_contact(alert_id=alert.pk, due_at=returns_at)
            return "reminded"
        _return_to_escalation(alert, now=now)
        return "returned"


def _return_to_escalation(alert: Alert, *, now: datetime, tell_holder: bool = True) -> None:
    """The holder of a locked, taken alert stops holding it and it is looked
    for again at once: a missed first contact, or the holder's account going."""
    _release_holder(alert, reason="returned", now=now, tell=tell_holder)
    holder_id = alert.taken_by_id
    alert.state, alert.taken_by, alert.taken_at = Alert.State.OPEN, None, None
    alert.contact_check_due_at = alert.contact_reminded_at = None
    alert.save(update_fields=["state", "taken_by", "taken_at", "contact_check_due_at", "contact_reminded_at"])
    # Everyone who was told "taken" hears it needs someone again.
    _repage(alert, alert.offers.filter(state=Offer.State.WITHDRAWN).exclude(person_id=holder_id), now=now)
    _run_step(alert, step=alert.step + 1, due_at=now, now=now)
    _status(alert, stage="returned")


def do_hand_over_alert(*, alert_id: Any, person: Person, to: Person, now: datetime | None = None) -> Offer:
    """The peer holding the alert asks another peer to take over; they stay the
    holder until the other accepts."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = _lock(alert_id)
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
        _notify_offer(alert, offer)
        offer.save()
        scheduling.on_commit_check_delivery(alert=alert, notified_at=now)
    return offer


def do_cancel_alert(*, alert_id: Any, person: Person, now: datetime | None = None) -> Alert:
    """ "I'm OK now." Everyone offered it is told at once and stops being paged."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = _lock(alert_id)
        if alert.member_id != person.pk:
            raise NotYours("Only the member who raised an alert can cancel it.")
        if alert.is_closed:
            return alert
        _cancel(alert, now=now)
        _status(alert, stage="cancelled")
    return alert


def _cancel(alert: Alert, *, now: datetime) -> None:
    holder = alert.taken_by_id
    alert.state, alert.closed_at = Alert.State.CANCELLED, now
    alert.next_step_due_at = alert.contact_check_due_at = None
    alert.save(update_fields=["state", "closed_at", "next_step_due_at", "contact_check_due_at"])
    _withdraw_pending(alert, reason="cancelled", now=now)
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
            alert = _lock(alert_id)
            if alert.state == Alert.State.TAKEN and alert.taken_by_id == person.pk:
                _return_to_escalation(alert, now=now, tell_holder=False)
        pending = Offer.objects.filter(person=person, state=Offer.State.PENDING)
        for alert_id in pending.values_list("alert_id", flat=True):
            alert = _lock(alert_id)
            if (
                alert.offers.filter(person=person, state=Offer.State.PENDING).update(
                    state=Offer.State.WITHDRAWN, responded_at=now
                )
                and alert.state == Alert.State.OPEN
            ):
                _offer_to_the_next(alert, now=now)
        for alert_id in Alert.objects.filter(
            member=person, state__in=[Alert.State.OPEN, Alert.State.TAKEN]
        ).values_list("pk", flat=True):
            alert = _lock(alert_id)
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
        alert = _lock(alert_id)
        if alert.state != Alert.State.TAKEN:
            raise AlertNotOpen("Only a taken alert can be resolved; cancel an open one.")
        if person.pk not in (alert.taken_by_id, alert.member_id):
            raise NotYours
        alert.state, alert.closed_at = Alert.State.RESOLVED, now
        alert.contact_check_due_at = None
        alert.save(update_fields=["state", "closed_at", "contact_check_due_at"])
        _withdraw_pending(alert, reason="resolved", now=now)
        if debrief is not None:
            _save_debrief(alert, person=person, debrief=debrief, now=now)
        _schedule_follow_up(alert, now=now, wanted=bool(debrief and debrief.follow_up_wanted))
        if alert.member is not None:
            do_prompt_review_after_crisis(owner=alert.member, alert_id=str(alert.pk))
        _status(alert, stage="resolved")
    return alert


def do_add_debrief(
    *, alert_id: Any, person: Person, debrief: DebriefIn, now: datetime | None = None
) -> AlertDebrief:
    """The other side's debrief, after resolution (one each)."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = _lock(alert_id)
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


def _schedule_follow_up(alert: Alert, *, now: datetime, wanted: bool) -> None:
    if alert.member is None:
        return
    aftercare = aftercare_for(owner=alert.member, why=f"scheduling the follow-up of alert {alert.pk}")
    if aftercare is not None:
        by_id = None
        for pid in aftercare.check_in_from:
            if Person.objects.filter(pk=pid, is_active=True).exists():
                by_id = pid
                break
        FollowUp.objects.create(
            alert=alert,
            member=alert.member,
            check_in_by_id=by_id or alert.taken_by_id,
            due_at=now + aftercare.check_in_after,
        )
    elif wanted and alert.taken_by_id:
        FollowUp.objects.create(
            alert=alert,
            member=alert.member,
            check_in_by_id=alert.taken_by_id,
            due_at=now + timedelta(hours=24),
        )


def do_prompt_follow_up(*, follow_up_id: int, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        claimed = FollowUp.objects.filter(pk=follow_up_id, prompted_at__isnull=True, due_at__lte=now).update(
            prompted_at=now
        )
        if not claimed:
            return False
        follow_up = FollowUp.objects.select_related("member").get(pk=follow_up_id)
        send_event_on_commit(
            event_type=FOLLOW_UP_DUE,
            data={"alert_id": str(follow_up.alert_id), "member": person_ref(follow_up.member)},
            person_ids=[follow_up.check_in_by_id],
        )
    return True
