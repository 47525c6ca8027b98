"""Reads for the messaging app, with permission checks built in."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound

from crisisplans.selectors import AcceptedAlert, grace_period_for
from messaging import recipients
from messaging.models import Alert, AlertDebrief, Block, Offer
from network.models import Membership, Network, Person


def _staff_network_ids(person: Person) -> QuerySet[Membership]:
    return Membership.objects.filter(
        person=person,
        left_at__isnull=True,
        role__in=[Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR],
    ).values("network_id")


def alerts_visible_to(*, person: Person) -> QuerySet[Alert]:
    """Alerts the person raised, was offered, or oversees as navigator or staff,
    less those of members who blocked them. (The plan's do-not-contact list is
    encrypted: ``may_see_alert`` applies it to each alert.)"""
    blocked_by = Block.objects.filter(blocked=person).values("blocker_id")
    return (
        Alert.objects.filter(
            Q(member=person) | Q(offers__person=person) | Q(network_id__in=_staff_network_ids(person))
        )
        .exclude(Q(member_id__in=blocked_by) & ~Q(member=person))
        .distinct()
        .select_related("network", "member", "taken_by")
    )


def may_see_alert(*, person: Person, alert: Alert) -> bool:
    """The member's exclusions (recipients.eligibility_for, the one rule) hold
    for seeing an alert too: nobody the member excluded ever sees it."""
    if person.pk == alert.member_id:
        return True
    return recipients.eligibility_for(member_id=alert.member_id, why=recipients.WHY_SHOWING).allows(person)


def visible_only(*, person: Person, alerts: Iterable[Alert]) -> list[Alert]:
    """``alerts`` less those ``may_see_alert`` refuses (one rule read per member)."""
    rules: dict[int | None, recipients.Eligibility] = {}
    shown = []
    for alert in alerts:
        if alert.member_id != person.pk and alert.member_id not in rules:
            rules[alert.member_id] = recipients.eligibility_for(
                member_id=alert.member_id, why=recipients.WHY_SHOWING
            )
        if alert.member_id == person.pk or rules[alert.member_id].allows(person):
            shown.append(alert)
    return shown


def access_alert_by_id(*, person: Person, alert_id: Any) -> Alert:
    """Another network's alert, or one the person has no part in or was
    excluded from by the member, answers 404."""
    try:
        key = uuid.UUID(str(alert_id))
        alert = alerts_visible_to(person=person).get(pk=key)
    except (Alert.DoesNotExist, ValueError):
        raise NotFound from None
    if not may_see_alert(person=person, alert=alert):
        raise NotFound
    return alert


def access_network_health_by_id(*, person: Person, network_id: int) -> Network:
    """A network's health, for its current navigators and facilitators and the
    service's staff; anyone else gets 404."""
    network = Network.objects.filter(pk=network_id).first()
    if network is None:
        raise NotFound
    if not person.is_staff and not _staff_network_ids(person).filter(network_id=network_id).exists():
        raise NotFound
    return network


def may_see_details(*, person: Person, alert: Alert, now: datetime | None = None) -> bool:
    """The member's words and location: the member, and the peer holding the
    alert (while it is open and for the network's grace period after)."""
    if person.pk == alert.member_id:
        return True
    now = now or timezone.now()
    return any(
        grant.closed_at is None or now < grant.closed_at + grace_period_for(network_id=grant.network_id)
        for grant in accepted_alerts(reader=person, owner_id=alert.member_id, alert_id=alert.pk)
    )


def accepted_alerts(*, reader: Person, owner_id: int | None, alert_id: Any = None) -> list[AcceptedAlert]:
    """The alerts from ``owner_id`` that ``reader`` took, with when their hold
    ended (the alert closed, or they handed it over or it came back)."""
    if owner_id is None:
        return []
    offers = Offer.objects.filter(
        person=reader, alert__member_id=owner_id, responded_at__isnull=False
    ).filter(Q(state=Offer.State.ACCEPTED) | Q(released_at__isnull=False))
    if alert_id is not None:
        offers = offers.filter(alert_id=alert_id)
    grants = []
    for offer in offers.select_related("alert"):
        closed_at = offer.released_at or offer.alert.closed_at
        grants.append(
            AcceptedAlert(
                alert_id=str(offer.alert_id),
                network_id=offer.alert.network_id,
                accepted_at=offer.responded_at,
                closed_at=closed_at,
            )
        )
    return grants


def alert_access_provider(*, reader: Person, owner: Person, at: datetime) -> Iterable[AcceptedAlert]:
    """Registered with crisisplans.selectors.access: lets the peer who took an alert read
    the consented crisis sections of the member's plan."""
    return accepted_alerts(reader=reader, owner_id=owner.pk)


def my_offer(*, person: Person, alert: Alert) -> Offer | None:
    return alert.offers.filter(person=person).first()


def pending_offer_ids(*, alert_id: Any) -> list[int]:
    """The offers of an alert still waiting for an answer: the ones a push or
    SMS fallback may be due for."""
    return list(
        Offer.objects.filter(alert_id=alert_id, state=Offer.State.PENDING).values_list("pk", flat=True)
    )


# --- the desk's alert board (issue 15) -------------------------------------------

BOARD_STATES = {
    "open": [Alert.State.OPEN, Alert.State.TAKEN],
    "closed": [Alert.State.RESOLVED, Alert.State.CANCELLED],
}


def access_board_network_by_id(*, person: Person, network_id: int) -> tuple[Network, str]:
    """A network's alert board, for its current navigators and facilitators
    (the people ``alerts_visible_to`` lets oversee its alerts); anyone else,
    service staff included, gets 404. Returns the network and the role."""
    role = (
        Membership.objects.filter(
            person=person,
            network_id=network_id,
            left_at__isnull=True,
            role__in=[Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR],
        )
        .values_list("role", flat=True)
        .first()
    )
    network = Network.objects.filter(pk=network_id).first() if role else None
    if network is None:
        raise NotFound
    return network, str(role)


def board_alerts(*, person: Person, network: Network, state: str) -> QuerySet[Alert]:
    """The network's open (or closed) alerts with their offers (and who they
    went to) and debriefs in three queries, less those of members who blocked
    the viewer; ``visible_only`` then applies the plans' do-not-contact."""
    blocked_by = Block.objects.filter(blocked=person).values("blocker_id")
    return (
        Alert.objects.filter(network=network, state__in=BOARD_STATES[state])
        .exclude(Q(member_id__in=blocked_by) & ~Q(member=person))
        .select_related("network", "member", "taken_by")
        .prefetch_related(
            Prefetch("offers", queryset=Offer.objects.select_related("person").order_by("offered_at", "pk")),
            Prefetch(
                "debriefs",
                queryset=AlertDebrief.objects.select_related("author").order_by("created_at", "pk"),
            ),
        )
    )
