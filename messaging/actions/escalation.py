"""The escalation engine: an alert's steps, run from the typed policy
snapshot it carries (messaging.models.escalation), one function per kind of
step, and the offers and status events every step sends.

The caller holds the alert's row lock (``lock_alert``) and has re-checked its
state, so a step runs at most once: ``do_run_due_step`` compares and sets
``step`` under that lock. The next step's Celery task is scheduled on commit
(messaging.scheduling); the periodic sweep finds due steps from the database
(messaging.selectors.escalation) in case a task is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging import recipients, scheduling
from messaging.actions.events import send_event_on_commit
from messaging.event_types import (
    ALERT_BOARD,
    ALERT_OFFERED,
    ALERT_REMINDER,
    ALERT_STATUS,
    ALERT_WITHDRAWN,
    network_ref,
    person_ref,
)
from messaging.models import Alert, EscalationStepRun, Offer
from messaging.models.escalation import EscalationPolicy, Step
from network.actions import do_record_alert_offers
from network.models import Membership, Network, Person

logger = logging.getLogger(__name__)


def lock_alert(alert_id: Any) -> Alert:
    return (
        Alert.objects.select_for_update(of=("self",))
        .select_related("network", "member", "taken_by")
        .get(pk=alert_id)
    )


# --- what everyone is told ----------------------------------------------------


def staff_stage(alert: Alert) -> str:
    return "staff_unreachable" if alert.staff_unreachable else "staff_told"


def send_status(alert: Alert, *, stage: str) -> None:
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
        "emergency_routes": EscalationPolicy.of(alert).routes_json()
        if alert.emergency_routes_shown_at
        else None,
        # "Ben says they have been in touch": when the holder said so.
        "first_contact_at": alert.first_contact_at.isoformat() if alert.first_contact_at else None,
    }
    people = [pid for pid in (alert.member_id, alert.taken_by_id) if pid is not None]
    send_event_on_commit(event_type=ALERT_STATUS, data=data, person_ids=people)
    send_board_event(alert, stage=stage)


def send_board_event(alert: Alert, *, stage: str) -> None:
    """The desk's alert board (issue 15): the network's navigators and
    facilitators hear that the alert moved, with no content (alert.board),
    unless the member excluded them (blocks, the plan's do-not-contact)."""
    watchers = list(
        Membership.objects.filter(
            network_id=alert.network_id,
            left_at__isnull=True,
            role__in=[Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR],
            person__is_active=True,
        ).values_list("person_id", flat=True)
    )
    if not watchers:
        return
    rule = recipients.eligibility_for(member_id=alert.member_id, why=recipients.WHY_SHOWING)
    people = [pid for pid in watchers if pid == alert.member_id or rule.allows(pid)]
    data = {
        "alert_id": str(alert.pk),
        "network": network_ref(alert.network),
        "state": alert.state,
        "stage": stage,
    }
    send_event_on_commit(event_type=ALERT_BOARD, data=data, person_ids=people)


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


def notify_offer(alert: Alert, offer: Offer, *, reminder: bool = False) -> None:
    data = _offered_data(alert, network=offer.network, kind=offer.kind, step=offer.step, reminder=reminder)
    sequences = send_event_on_commit(event_type=ALERT_OFFERED, data=data, person_ids=[offer.person_id])
    offer.event_seq = sequences[offer.person_id]


def withdraw_pending(alert: Alert, *, reason: str, now: datetime, keep: Offer | None = None) -> None:
    pending = list(alert.offers.filter(state=Offer.State.PENDING).exclude(pk=getattr(keep, "pk", None)))
    if not pending:
        return
    Offer.objects.filter(pk__in=[o.pk for o in pending]).update(state=Offer.State.WITHDRAWN, responded_at=now)
    send_event_on_commit(
        event_type=ALERT_WITHDRAWN,
        data={"alert_id": str(alert.pk), "reason": reason},
        person_ids=[o.person_id for o in pending],
    )


# --- offering -------------------------------------------------------------------


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


def _offer_staff(alert: Alert, *, step: int, now: datetime) -> tuple[int, list[int]]:
    """Offer it to the professionals the staff step may ask (recipients'
    STAFF), all at once. One not offered it yet gets a staff offer. One who
    was offered it some other way (handed it by a holder, whether or not
    they declined, or asked as a peer) has that offer made a staff offer of
    this step, so "staff told" always rests on a staff offer (DESIGN.md
    invariant 5): a hand-over to the facilitator must never leave the staff
    step with nobody to ask. Returns how many were newly offered and the
    ids of the offers made staff offers, for the caller to page."""
    candidates = recipients.candidates_for(
        audience=recipients.STAFF, member_id=alert.member_id, network_ids=alert.routing_network_ids, at=now
    )
    already = set(alert.offers.values_list("person_id", flat=True))
    chosen = [(person, network) for person, network in candidates if person.pk not in already]
    offered = _offer_to_all(alert, chosen=chosen, kind=Offer.Kind.STAFF, step=step, now=now)
    through = {person.pk: (person, network) for person, network in candidates if person.pk in already}
    other = (
        alert.offers.filter(person_id__in=list(through))
        .exclude(kind=Offer.Kind.STAFF)
        .exclude(state=Offer.State.ACCEPTED)
    )
    made_staff = []
    for offer in other:
        offer.kind, offer.step, offer.network = Offer.Kind.STAFF, step, through[offer.person_id][1]
        offer.save(update_fields=["kind", "step", "network"])
        made_staff.append(offer)
    if made_staff:
        # A staff offer like any other in the rota's record (a hand-over had none).
        do_record_alert_offers(offers=[through[offer.person_id] for offer in made_staff], at=now)
    return offered, [offer.pk for offer in made_staff]


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


def _renotify_staff(alert: Alert, *, policy: EscalationPolicy, step: int, now: datetime) -> int:
    """Page the staff again (and anyone newly on call): never silent. A
    professional who declined or was passed over is asked again each round;
    with no professional to ask, the peers who were asked are."""
    offered, made_staff = _offer_staff(alert, step=step, now=now)
    offered += len(made_staff)
    offered += _offer_next_candidates(
        alert, step=step, audience=recipients.ON_CALL, limit=policy.parallel_offers, now=now
    )
    staff = alert.offers.filter(kind=Offer.Kind.STAFF)
    if not staff.exists():
        # Nobody at the staff step could be reached: the people already asked
        # are asked again each round rather than nobody.
        staff = alert.offers.filter(kind=Offer.Kind.PEER)
    repage(alert, staff.exclude(state=Offer.State.ACCEPTED), now=now)
    return offered


def repage(alert: Alert, offers: Any, *, now: datetime) -> None:
    """Offer it again to people who were offered it before, as pending, with a
    fresh notification (and fresh push and SMS fallbacks), if the member's
    exclusions still allow them."""
    rule = recipients.eligibility_for(member_id=alert.member_id)
    for offer in offers.select_related("network", "person"):
        if not rule.allows(offer.person):
            continue
        offer.state, offer.responded_at = Offer.State.PENDING, None
        notify_offer(alert, offer, reminder=True)
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


# --- the steps ------------------------------------------------------------------


def _offer_limit(policy: EscalationPolicy, step: Step) -> int | None:
    """On-call peers are asked a few at a time; everyone else all at once."""
    return policy.parallel_offers if step.audience == recipients.ON_CALL else None


def _policy_step(
    alert: Alert, *, policy: EscalationPolicy, step: int, now: datetime
) -> tuple[int, timedelta]:
    """One of the policy's own steps: offer it to the step's audience, then
    wait the step's time."""
    spec = policy.steps[step]
    offered = _offer_next_candidates(
        alert, step=step, audience=spec.audience, limit=_offer_limit(policy, spec), now=now
    )
    return offered, spec.wait


def _staff_step(alert: Alert, *, policy: EscalationPolicy, step: int, now: datetime) -> tuple[int, timedelta]:
    """The last step: offer it to staff, and show the member the emergency
    routes whether or not a professional could be reached."""
    offered, made_staff = _offer_staff(alert, step=step, now=now)
    repage(alert, alert.offers.filter(pk__in=made_staff), now=now)
    _note_staff_reached(alert, now=now)
    alert.emergency_routes_shown_at = alert.emergency_routes_shown_at or now
    return offered + len(made_staff), policy.renotify


def _renotify_step(
    alert: Alert, *, policy: EscalationPolicy, step: int, now: datetime
) -> tuple[int, timedelta]:
    """Every round after the staff step, until someone takes it."""
    offered = _renotify_staff(alert, policy=policy, step=step, now=now)
    _note_staff_reached(alert, now=now)
    return offered, policy.renotify


StepKind = Callable[..., tuple[int, timedelta]]


def _kind_of(policy: EscalationPolicy, step: int) -> StepKind:
    if step < policy.final_step:
        return _policy_step
    if step == policy.final_step:
        return _staff_step
    return _renotify_step


def run_step(alert: Alert, *, step: int, due_at: datetime, now: datetime) -> None:
    """Run ``step`` of a locked, open alert and set when the next is due. A step
    that finds nobody new to offer moves straight on to the next."""
    policy = EscalationPolicy.of(alert)
    while True:
        offered, wait = _kind_of(policy, step)(alert, policy=policy, step=step, now=now)
        EscalationStepRun.objects.create(alert=alert, step=step, due_at=due_at, ran_at=now, offered=offered)
        alert.step = step
        alert.next_step_due_at = now + wait
        alert.save(
            update_fields=["step", "next_step_due_at", "staff_notified_at", "emergency_routes_shown_at"]
        )
        if offered == 0 and step < policy.final_step and not _anyone_pending(alert):
            step, due_at = step + 1, now
            continue
        break
    scheduling.on_commit_run_step(alert_id=alert.pk, step=alert.step + 1, due_at=alert.next_step_due_at)


def _anyone_pending(alert: Alert) -> bool:
    return alert.offers.filter(state=Offer.State.PENDING).exists()


def _stage_after(alert: Alert, *, step: int, policy: EscalationPolicy) -> str:
    return staff_stage(alert) if step >= policy.final_step else "next_step"


def offer_to_the_next(alert: Alert, *, now: datetime) -> None:
    """Someone asked about a locked, open alert will not answer (declined,
    or their account went): offer the next of this step at once, and if
    nobody is left waiting to answer, move on now rather than wait."""
    policy = EscalationPolicy.of(alert)
    step = alert.step
    if step < policy.final_step:
        spec = policy.steps[step]
        _offer_next_candidates(
            alert, step=step, audience=spec.audience, limit=_offer_limit(policy, spec), now=now
        )
    if not _anyone_pending(alert):
        run_step(alert, step=step + 1, due_at=now, now=now)
        send_status(alert, stage=_stage_after(alert, step=alert.step, policy=policy))
    else:
        send_status(alert, stage="offered")


def do_run_due_step(*, alert_id: Any, step: int, now: datetime | None = None) -> bool:
    """Run ``step`` if, and only if, it is the next step of an open alert and
    it is due. Safe to call any number of times, early, late or concurrently:
    it runs once. Returns whether it ran."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
        if (
            alert.state != Alert.State.OPEN
            or alert.step + 1 != step
            or alert.next_step_due_at is None
            or alert.next_step_due_at > now
        ):
            return False
        run_step(alert, step=step, due_at=alert.next_step_due_at, now=now)
        send_status(alert, stage=_stage_after(alert, step=step, policy=EscalationPolicy.of(alert)))
    return True


# --- a taken alert coming back ----------------------------------------------------


def release_holder(alert: Alert, *, reason: str, now: datetime, tell: bool = True) -> None:
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


def return_to_escalation(alert: Alert, *, now: datetime, tell_holder: bool = True) -> None:
    """The holder of a locked, taken alert stops holding it and it is looked
    for again at once: a missed first contact, or the holder's account going."""
    release_holder(alert, reason="returned", now=now, tell=tell_holder)
    holder_id = alert.taken_by_id
    alert.state, alert.taken_by, alert.taken_at = Alert.State.OPEN, None, None
    alert.contact_check_due_at = alert.contact_reminded_at = None
    alert.save(update_fields=["state", "taken_by", "taken_at", "contact_check_due_at", "contact_reminded_at"])
    # Everyone who was told "taken" hears it needs someone again.
    repage(alert, alert.offers.filter(state=Offer.State.WITHDRAWN).exclude(person_id=holder_id), now=now)
    run_step(alert, step=alert.step + 1, due_at=now, now=now)
    send_status(alert, stage="returned")


def do_check_contact(*, alert_id: Any, now: datetime | None = None) -> str:
    """Taken but no first contact: remind the peer once, then put the alert
    back into escalation. Returns what it did ("", "reminded", "returned")."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = lock_alert(alert_id)
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
        return_to_escalation(alert, now=now)
        return "returned"
