"""Who an alert is offered to at each step (reads only).

Order within a step: the people the member's plan asks for first (in the
plan's order), then the rota's fair order; people the plan says must not be
contacted, or whom the member blocked, never; the member never. The
professional backstop at the last step is never filtered.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from crisisplans.selectors import ContactRouting, contact_routing_for
from messaging.models import Block
from network.models import Membership, Network, Person
from network.selectors import available_members, on_call_candidates

ON_CALL = "on_call"
AVAILABLE_MEMBERS = "available_members"
NAVIGATORS_AND_STAFF = "navigators_and_staff"
STAFF = "staff"  # the final step: always ends with a professional


def _order_for_member(
    *, member_id: int | None, people: Iterable[tuple[Person, Network]]
) -> list[tuple[Person, Network]]:
    member = Person.objects.filter(pk=member_id).first() if member_id is not None else None
    # A member who deleted their account mid-alert has no plan left to route by.
    routing = (
        contact_routing_for(owner=member, why="routing a crisis alert")
        if member is not None
        else ContactRouting(contact_in_order=(), do_not_contact=frozenset())
    )
    preferred = {pid: rank for rank, pid in enumerate(routing.contact_in_order)}
    # People the member blocked are never sent their crisis either.
    blocked = set(Block.objects.filter(blocker_id=member_id).values_list("blocked_id", flat=True))
    seen: set[int] = set()
    eligible: list[tuple[Person, Network]] = []
    for person, network in people:
        excluded = person.pk == member_id or person.pk in routing.do_not_contact or person.pk in blocked
        if excluded or person.pk in seen:
            continue
        seen.add(person.pk)
        eligible.append((person, network))
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
    if audience == ON_CALL:
        pairs = [(p, n) for n in networks for p in on_call_candidates(network=n, at=at)]
        return _order_for_member(member_id=member_id, people=pairs)
    if audience == AVAILABLE_MEMBERS:
        pairs = [(p, n) for n in networks for p in available_members(network=n, at=at)]
        return _order_for_member(member_id=member_id, people=pairs)
    if audience == NAVIGATORS_AND_STAFF:
        roles = (Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR)
        return _order_for_member(member_id=member_id, people=_with_roles(networks, roles))
    if audience == STAFF:
        return _staff(member_id=member_id, networks=networks)
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


def _staff(*, member_id: int | None, networks: list[Network]) -> list[tuple[Person, Network]]:
    """The professionals of the member's networks; if a network has none, its
    navigators; if none either, the service's staff accounts. An alert path
    always ends with a human being told. The plan's do-not-contact list still
    applies to peers, never to the professional backstop."""
    found = [(p, n) for p, n in _with_roles(networks, (Membership.Role.FACILITATOR,)) if p.pk != member_id]
    if not found:
        found = [(p, n) for p, n in _with_roles(networks, (Membership.Role.NAVIGATOR,)) if p.pk != member_id]
    if not found and networks:
        staff = Person.objects.filter(is_staff=True, is_active=True).exclude(pk=member_id).order_by("pk")
        found = [(p, networks[0]) for p in staff]
    return found
