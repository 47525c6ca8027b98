"""Reads for the network app, with permission checks built in."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from network.models import Device, Membership, Network, Person


def devices_of(*, person: Person) -> QuerySet[Device]:
    return Device.objects.filter(user=person)


def access_device_by_id(*, person: Person, device_id: str) -> Device:
    """A device of this person by its public id; someone
    else's device answers 404 like one that does not exist."""
    if len(device_id) != Device.PUBLIC_ID_LENGTH:
        raise NotFound
    device = devices_of(person=person).filter(digest__startswith=device_id).first()
    if device is None:
        raise NotFound
    return device


def current_memberships(*, person: Person) -> QuerySet[Membership]:
    """The person's memberships now (left ones excluded), with their networks."""
    return Membership.objects.filter(person=person, left_at__isnull=True).select_related("network")


def role_in(*, person: Person, network: Network) -> str | None:
    """The person's current role in the network, or None if not a member."""
    return (
        Membership.objects.filter(person=person, network=network, left_at__isnull=True)
        .values_list("role", flat=True)
        .first()
    )


def shared_networks(*, person: Person, other: Person) -> QuerySet[Network]:
    """Networks both people currently belong to (any role)."""
    return (
        Network.objects.filter(memberships__person=person, memberships__left_at__isnull=True)
        .filter(memberships__person=other, memberships__left_at__isnull=True)
        .distinct()
    )


def people_with_role_over(*, person: Person, roles: tuple[str, ...]) -> QuerySet[Person]:
    """People holding one of ``roles`` in any network ``person`` currently belongs to
    (for example their navigators, or the facilitators who back them)."""
    network_ids = current_memberships(person=person).values("network_id")
    return Person.objects.filter(
        memberships__network_id__in=network_ids,
        memberships__role__in=roles,
        memberships__left_at__isnull=True,
    ).distinct()
