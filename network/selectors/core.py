"""Reads of people, networks and membership, with permission checks built in."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied

from network.models import Device, Invitation, JoinRequest, Membership, MembershipChange, Network, Person


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


def networks_of(*, person: Person) -> QuerySet[Network]:
    """The networks the person currently belongs to, oldest first."""
    return Network.objects.filter(memberships__person=person, memberships__left_at__isnull=True).order_by(
        "pk"
    )


def fellow_member_by_id(*, person: Person, other_id: int) -> Person | None:
    """Someone who shares a network with ``person`` now, or None (whether they
    exist or not)."""
    other = Person.objects.filter(pk=other_id).first()
    if other is None or not shared_networks(person=person, other=other).exists():
        return None
    return other


def people_with_role_over(*, person: Person, roles: tuple[str, ...]) -> QuerySet[Person]:
    """People holding one of ``roles`` in any network ``person`` currently belongs to
    (for example their navigators, or the facilitators who back them)."""
    network_ids = current_memberships(person=person).values("network_id")
    return Person.objects.filter(
        memberships__network_id__in=network_ids,
        memberships__role__in=roles,
        memberships__left_at__isnull=True,
    ).distinct()


MANAGERS: tuple[str, ...] = (Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR)
FACILITATORS: tuple[str, ...] = (Membership.Role.FACILITATOR,)


def _require_role(*, person: Person, network_id: int, roles: tuple[str, ...] | None) -> str:
    """The person's role in the network. Not in it: 404 (its objects do not exist
    for them). In it without one of ``roles``: 403."""
    role = (
        Membership.objects.filter(person=person, network_id=network_id, left_at__isnull=True)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise NotFound
    if roles is not None and role not in roles:
        raise PermissionDenied
    return role


def access_network_by_id(*, person: Person, network_id: int, roles: tuple[str, ...] | None = None) -> Network:
    network = Network.objects.filter(pk=network_id).first()
    if network is None:
        raise NotFound
    network.viewer_role = _require_role(person=person, network_id=network.pk, roles=roles)  # type: ignore[attr-defined]
    return network


def find_network_for_self_referral(*, slug: str) -> Network:
    """Self-referral is how people join, so any signed-in person may name a network."""
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise NotFound
    return network


def access_membership_by_id(
    *, person: Person, membership_id: int, roles: tuple[str, ...] | None
) -> Membership:
    """A current membership in one of the person's networks, checked for ``roles``."""
    membership = (
        Membership.objects.filter(pk=membership_id, left_at__isnull=True)
        .select_related("person", "network")
        .first()
    )
    if membership is None:
        raise NotFound
    _require_role(person=person, network_id=membership.network_id, roles=roles)
    return membership


def my_membership(*, person: Person, network_id: int) -> Membership:
    membership = (
        Membership.objects.filter(person=person, network_id=network_id, left_at__isnull=True)
        .select_related("network")
        .first()
    )
    if membership is None:
        raise NotFound
    return membership


def access_join_request_by_id(*, person: Person, join_request_id: int) -> JoinRequest:
    join_request = JoinRequest.objects.filter(pk=join_request_id).select_related("person", "network").first()
    if join_request is None:
        raise NotFound
    _require_role(person=person, network_id=join_request.network_id, roles=MANAGERS)
    return join_request


def join_requests_of(*, network: Network) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(network=network, status=JoinRequest.Status.PENDING).select_related(
        "person"
    )


def my_join_requests(*, person: Person) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(person=person).select_related("network")


def invitations_for(*, person: Person) -> QuerySet[Invitation]:
    """Pending invitations to this person's phone number."""
    return Invitation.objects.filter(
        phone_number=person.phone_number, status=Invitation.Status.PENDING
    ).select_related("network", "invited_by")


def access_invitation_for_invitee(*, person: Person, invitation_id: int) -> Invitation:
    invitation = invitations_for(person=person).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound
    return invitation


def invitations_of(*, network: Network) -> QuerySet[Invitation]:
    return Invitation.objects.filter(network=network).select_related("invited_by")


def members_of(*, network: Network) -> QuerySet[Membership]:
    return Membership.objects.filter(network=network, left_at__isnull=True).select_related("person")


def history_of(*, network: Network) -> QuerySet[MembershipChange]:
    return MembershipChange.objects.filter(network=network).select_related("person", "actor")


def network_size(*, network: Network) -> int:
    return Membership.objects.filter(
        network=network, left_at__isnull=True, role__in=(Membership.Role.MEMBER, Membership.Role.NAVIGATOR)
    ).count()


def current_member(*, network_id: int, person_id: int) -> Person | None:
    """A person named in a request body, if they are currently in the network."""
    membership = (
        Membership.objects.filter(network_id=network_id, person_id=person_id, left_at__isnull=True)
        .select_related("person")
        .first()
    )
    return membership.person if membership else None
