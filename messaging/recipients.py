"""Who an alert is offered to at each step (reads only), and the one rule of
who may ever be offered, handed or shown a member's alert.

``eligibility_for`` is that rule (DESIGN.md invariant 5): never the member,
never anyone the member's plan says must not be contacted, never anyone the
member blocked, never an inactive account. Every path that offers or gives an
alert to a person (first offer, decline moving on, escalation steps, re-offer
after a missed contact, hand-over, staff re-pages, the on-duty fallback) asks
it, and so do the selectors deciding who may see an alert.

Order within a step: the people the member's plan asks for first (in the
plan's order), then the rota's fair order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from crisisplans.actions import contact_routing_for
from messaging.models import Block
from network.models import Membership, Network, Person
from network.selectors import available_members, on_call_candidates

ON_CALL = "on_call"
AVAILABLE_MEMBERS = "available_members"
NAVIGATORS_AND_STAFF = "navigators_and_staff"
STAFF = "staff"  # the final step: always ends with a professional, if one can be reached


@dataclass(frozen=True)
class Eligibility:
    """Who may be offered, handed or shown one member's alert."""

    member_id: int | None
    excluded: frozenset[int]
    contact_in_order: tuple[int, ...] = ()

    def allows(self, person: Person | int) -> bool:
        if isinstance(person, Person):
            if not person.is_active:
                return False
            person = person.pk
        return person != self.member_id and person not in self.excluded


# Why the service read the member's contacts, as their access log says it
# (AccessRecord.reason_ref; the app puts each in words: js/texts/plan.js).
WHY_ROUTING = "routing a crisis alert"  # whom to offer, re-page or hand over to
WHY_SHOWING = "checking who may see an alert"  # a list, the board, a board event


def eligibility_for(*, member_id: int | None, why: str = WHY_ROUTING) -> Eligibility:
    """The member's exclusions, read now (a block or a plan change made
    mid-alert applies to the next offer, re-page or hand-over). ``why`` goes
    into the member's access log: WHY_ROUTING when choosing whom to ask,
    WHY_SHOWING when only checking who may see the alert."""
    member = Person.objects.filter(pk=member_id).first() if member_id is not None else None
    if member is None:
        # A member who deleted their account has no plan or blocks left.
        return Eligibility(member_id=member_id, excluded=frozenset())
    routing = contact_routing_for(owner=member, why=why)
    blocked = Block.objects.filter(blocker_id=member_id).values_list("blocked_id", flat=True)
    return Eligibility(
        member_id=member_id,
        excluded=frozenset(routing.do_not_contact) | frozenset(blocked),
        contact_in_order=routing.contact_in_order,
    )


def _eligible(
    rule: Eligibility, people: Iterable[tuple[Person, Network]], *, ordered: bool = True
) -> list[tuple[Person, Network]]:
    seen: set[int] = set()
    eligible: list[tuple[Person, Network]] = []
    for person, network in people:
        if person.pk in seen or not rule.allows(person):
            continue
        seen.add(person.pk)
        eligible.append((person, network))
    if ordered:
        preferred = {pid: rank for rank, pid in enumerate(rule.contact_in_order)}
        # A stable sort keeps the rota's fair order among equals.
        eligible.sort(key=lambda pair: preferred.get(pair[0].pk, len(preferred)))
    return eligible


def _networks(network_ids: list[int]) -> list[Network]:
    by_id = Network.objects.in_bulk(network_ids)
    return [by_id[nid] for nid in network_ids if nid in by_id]


def candidates_for(
    *, audience: str, member_id: int | None, network_ids: list[int], at: datetime
) -> list[tuple[Person, Network]]:
    """The people an alert at this step may be offered to, best first, each with
    the network they are reached through."""
    networks = _networks(network_ids)
    rule = eligibility_for(member_id=member_id)
    if audience == ON_CALL:
        return _eligible(rule, [(p, n) for n in networks for p in on_call_candidates(network=n, at=at)])
    if audience == AVAILABLE_MEMBERS:
        return _eligible(rule, [(p, n) for n in networks for p in available_members(network=n, at=at)])
    if audience == NAVIGATORS_AND_STAFF:
        roles = (Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR)
        return _eligible(rule, _with_roles(networks, roles))
    if audience == STAFF:
        return _staff(rule, networks=networks)
    raise ValueError(f"unknown audience {audience!r}")


def _with_roles(networks: list[Network], roles: tuple[str, ...]) -> list[tuple[Person, Network]]:
    memberships = (
        Membership.objects.filter(
            network__in=networks, role__in=roles, left_at__isnull=True, person__is_active=True
        )
        .select_related("person", "network")
        .order_by("network_id", "role", "joined_at")
    )
    return [(m.person, m.network) for m in memberships]


def on_duty_staff() -> list[Person]:
    """The service's on-duty staff: members of the auth group named by
    ``SERVICE_ON_DUTY_STAFF_GROUP``, the backstop of every network whose own
    staff step has nobody who may be asked."""
    name = settings.SERVICE_ON_DUTY_STAFF_GROUP
    if not name:
        return []
    return list(Person.objects.filter(groups__name=name, is_active=True).order_by("pk").distinct())


def _staff(rule: Eligibility, *, networks: list[Network]) -> list[tuple[Person, Network]]:
    """The professionals of the member's networks; if none may be asked, its
    navigators; if none either, the service's on-duty staff (reached through
    the alert's own network). All through the member's exclusions."""
    found = _eligible(rule, _with_roles(networks, (Membership.Role.FACILITATOR,)), ordered=False)
    if not found:
        found = _eligible(rule, _with_roles(networks, (Membership.Role.NAVIGATOR,)), ordered=False)
    if not found and networks:
        found = _eligible(rule, [(p, networks[0]) for p in on_duty_staff()], ordered=False)
    return found


def staff_step_health(*, network: Network) -> dict[str, object]:
    """Who this network's staff step can reach, whatever the member: its
    facilitators, else its navigators, else the on-duty staff. ``problems``
    names ``no_staff_step`` (none of its own) and ``no_facilitator``."""
    facilitators = Membership.objects.filter(
        network=network, role=Membership.Role.FACILITATOR, left_at__isnull=True, person__is_active=True
    ).count()
    navigators = Membership.objects.filter(
        network=network, role=Membership.Role.NAVIGATOR, left_at__isnull=True, person__is_active=True
    ).count()
    problems = []
    if facilitators + navigators == 0:
        problems.append("no_staff_step")
    elif facilitators == 0:
        problems.append("no_facilitator")
    return {
        "network_id": network.pk,
        "staff_step": {
            "facilitators": facilitators,
            "navigators": navigators,
            "on_duty_fallback": len(on_duty_staff()),
        },
        "problems": problems,
    }


def networks_without_a_staff_step() -> list[Network]:
    """Networks with no facilitator or navigator at all (for operators)."""
    staffed = Membership.objects.filter(
        role__in=[Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR],
        left_at__isnull=True,
        person__is_active=True,
    ).values("network_id")
    return list(Network.objects.exclude(pk__in=staffed).order_by("name"))
