"""Every write of membership: joining, invitations, leaving, removal, transfer,
readiness, sharing and availability. Each change is recorded in MembershipChange.

Every change is announced with the ``membership_changed`` signal from
``_record``, inside the change's transaction; messaging persists the realtime
events in that same transaction (network must not import messaging).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber
from rest_framework.exceptions import ValidationError

from foundation.problems import Conflict
from foundation.transports.sms import try_send_sms
from network import rule_settings
from network.models import (
    Invitation,
    JoinRequest,
    Membership,
    MembershipChange,
    Network,
    Person,
    Shift,
)
from network.signals import membership_changed

# Facilitators are the professional backing, not part of the nine-and-a-navigator.
ROLES_COUNTED_FOR_CAP = (Membership.Role.MEMBER, Membership.Role.NAVIGATOR)


@dataclass(frozen=True)
class Joined:
    membership: Membership
    over_size_cap: bool


def _record(
    *,
    network: Network,
    kind: str,
    person: Person | None,
    actor: Person | None,
    reason: str = "",
    **extra: Any,
) -> MembershipChange:
    with transaction.atomic():
        change = MembershipChange.objects.create(
            network=network, kind=kind, person=person, actor=actor, reason=reason, **extra
        )
        membership_changed.send(sender=MembershipChange, change=change)
    return change


def _size(network: Network) -> int:
    return Membership.objects.filter(
        network=network, left_at__isnull=True, role__in=ROLES_COUNTED_FOR_CAP
    ).count()


def _add_member(
    *, network: Network, person: Person, role: str, actor: Person | None, kind: str, reason: str
) -> Joined:
    """Create the membership; over the soft cap it still joins, and the history says so."""
    # Lock the network row so two joins cannot both miss the cap crossing.
    Network.objects.select_for_update().filter(pk=network.pk).first()
    if Membership.objects.filter(network=network, person=person, left_at__isnull=True).exists():
        raise Conflict(f"{person} is already in {network}.")
    membership = Membership.objects.create(network=network, person=person, role=role)
    _record(network=network, kind=kind, person=person, actor=actor, reason=reason)
    over = role in ROLES_COUNTED_FOR_CAP and _size(network) > network.size_cap
    if over:
        _record(
            network=network,
            kind=MembershipChange.Kind.OVER_SIZE_CAP,
            person=person,
            actor=actor,
            reason=f"{_size(network)} people, soft cap {network.size_cap}",
        )
    return Joined(membership=membership, over_size_cap=over)


def _end_membership(*, membership: Membership, at: datetime) -> None:
    membership.left_at = at
    membership.available_until = None
    membership.save(update_fields=["left_at", "available_until"])
    # Their shifts stop; the person's own data (plan, map) is theirs and stays.
    Shift.objects.filter(network=membership.network, person=membership.person, is_active=True).update(
        is_active=False
    )


def do_request_to_join(*, person: Person, network: Network, note: str = "") -> JoinRequest:
    with transaction.atomic():
        if Membership.objects.filter(network=network, person=person, left_at__isnull=True).exists():
            raise Conflict("You are already in this network.")
        try:
            with transaction.atomic():
                join_request = JoinRequest.objects.create(person=person, network=network, note=note.strip())
        except IntegrityError:
            raise Conflict("You have already asked to join; a navigator will answer.") from None
        _record(
            network=network,
            kind=MembershipChange.Kind.JOIN_REQUESTED,
            person=person,
            actor=person,
            reason=note,
        )
    return join_request


def _decide(join_request: JoinRequest) -> JoinRequest:
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequest.Status.PENDING:
        raise Conflict(f"This request was already {locked.status}.")
    return locked


def do_accept_join_request(*, join_request: JoinRequest, actor: Person, reason: str = "") -> Joined:
    with transaction.atomic():
        locked = _decide(join_request)
        joined = _add_member(
            network=locked.network,
            person=locked.person,
            role=Membership.Role.MEMBER,
            actor=actor,
            kind=MembershipChange.Kind.JOIN_ACCEPTED,
            reason=reason,
        )
        locked.status = JoinRequest.Status.ACCEPTED
        locked.decided_by, locked.decided_at, locked.decision_reason = actor, timezone.now(), reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return joined


def do_decline_join_request(*, join_request: JoinRequest, actor: Person, reason: str = "") -> JoinRequest:
    with transaction.atomic():
        locked = _decide(join_request)
        locked.status = JoinRequest.Status.DECLINED
        locked.decided_by, locked.decided_at, locked.decision_reason = actor, timezone.now(), reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        _record(
            network=locked.network,
            kind=MembershipChange.Kind.JOIN_DECLINED,
            person=locked.person,
            actor=actor,
            reason=reason,
        )
    return locked


def do_invite(
    *,
    network: Network,
    phone_number: PhoneNumber,
    actor: Person,
    role: str = Membership.Role.MEMBER,
    note: str = "",
) -> Invitation:
    with transaction.atomic():
        if Membership.objects.filter(
            network=network, person__phone_number=phone_number, left_at__isnull=True
        ).exists():
            raise Conflict("That person is already in this network.")
        if Invitation.objects.filter(
            network=network, phone_number=phone_number, status=Invitation.Status.PENDING
        ).exists():
            raise Conflict("That number already has an invitation waiting.")
        invitation = Invitation.objects.create(
            network=network, phone_number=phone_number, role=role, note=note.strip(), invited_by=actor
        )
        invitee = Person.objects.filter(phone_number=phone_number).first()
        _record(
            network=network,
            kind=MembershipChange.Kind.INVITED,
            person=invitee,
            actor=actor,
            reason=note,
            invited_phone_number=phone_number,
        )
        # No names or notes in the text (least data): the app shows the rest.
        body = f"You have been invited to join {network.name}. Open the app to accept."
        transaction.on_commit(lambda: try_send_sms(to=phone_number.as_e164, body=body))
    return invitation


def _answer_invitation(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.status != Invitation.Status.PENDING:
        raise Conflict(f"This invitation was already {locked.status}.")
    return locked


def do_accept_invitation(*, invitation: Invitation, person: Person) -> Joined:
    with transaction.atomic():
        locked = _answer_invitation(invitation)
        joined = _add_member(
            network=locked.network,
            person=person,
            role=locked.role,
            actor=person,
            kind=MembershipChange.Kind.INVITATION_ACCEPTED,
            reason="",
        )
        locked.status, locked.decided_at = Invitation.Status.ACCEPTED, timezone.now()
        locked.save(update_fields=["status", "decided_at"])
    return joined


def do_decline_invitation(*, invitation: Invitation, person: Person) -> Invitation:
    with transaction.atomic():
        locked = _answer_invitation(invitation)
        locked.status, locked.decided_at = Invitation.Status.DECLINED, timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        _record(
            network=locked.network,
            kind=MembershipChange.Kind.INVITATION_DECLINED,
            person=person,
            actor=person,
        )
    return locked


def do_leave_network(*, membership: Membership, reason: str = "") -> None:
    with transaction.atomic():
        _end_membership(membership=membership, at=timezone.now())
        _record(
            network=membership.network,
            kind=MembershipChange.Kind.LEFT,
            person=membership.person,
            actor=membership.person,
            reason=reason,
        )


def do_remove_member(*, membership: Membership, actor: Person, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": ["Say why: the history keeps it."]})
    with transaction.atomic():
        _end_membership(membership=membership, at=timezone.now())
        _record(
            network=membership.network,
            kind=MembershipChange.Kind.REMOVED,
            person=membership.person,
            actor=actor,
            reason=reason,
        )


def do_transfer_member(*, membership: Membership, to_network: Network, actor: Person, reason: str) -> Joined:
    """Move a person to another network keeping their role; their own data stays theirs."""
    if to_network.pk == membership.network_id:
        raise ValidationError({"to_network": ["That is the network they are already in."]})
    if not reason.strip():
        raise ValidationError({"reason": ["Say why: the history keeps it."]})
    with transaction.atomic():
        _end_membership(membership=membership, at=timezone.now())
        _record(
            network=membership.network,
            kind=MembershipChange.Kind.TRANSFERRED_OUT,
            person=membership.person,
            actor=actor,
            reason=f"to {to_network.name}: {reason}",
        )
        joined = _add_member(
            network=to_network,
            person=membership.person,
            role=membership.role,
            actor=actor,
            kind=MembershipChange.Kind.TRANSFERRED_IN,
            reason=f"from {membership.network.name}: {reason}",
        )
    return joined


def do_set_readiness(*, membership: Membership, actor: Person, ready: bool, reason: str = "") -> Membership:
    with transaction.atomic():
        if ready:
            membership.ready_for_on_call_at = membership.ready_for_on_call_at or timezone.now()
            membership.ready_marked_by = actor
        else:
            membership.ready_for_on_call_at = None
            membership.ready_marked_by = None
            # Not ready means off the rota: their recurring shifts end.
            Shift.objects.filter(network=membership.network, person=membership.person, is_active=True).update(
                is_active=False
            )
        membership.save(update_fields=["ready_for_on_call_at", "ready_marked_by"])
        _record(
            network=membership.network,
            kind=MembershipChange.Kind.MARKED_READY if ready else MembershipChange.Kind.MARKED_NOT_READY,
            person=membership.person,
            actor=actor,
            reason=reason,
        )
    return membership


def do_update_my_membership(
    *,
    membership: Membership,
    share_phone_number: bool | None = None,
    quiet_hours_start: time | None = None,
    quiet_hours_end: time | None = None,
    clear_quiet_hours: bool = False,
    max_alerts_per_shift: int | None = None,
) -> Membership:
    """A member's own choices in one network: what they share, quiet hours, their cap."""
    fields: list[str] = []
    if share_phone_number is not None:
        membership.share_phone_number = share_phone_number
        fields.append("share_phone_number")
    if clear_quiet_hours:
        membership.quiet_hours_start = membership.quiet_hours_end = None
        fields += ["quiet_hours_start", "quiet_hours_end"]
    elif quiet_hours_start is not None or quiet_hours_end is not None:
        if quiet_hours_start is None or quiet_hours_end is None or quiet_hours_start == quiet_hours_end:
            raise ValidationError({"quiet_hours": ["Give a start and a different end."]})
        membership.quiet_hours_start, membership.quiet_hours_end = quiet_hours_start, quiet_hours_end
        fields += ["quiet_hours_start", "quiet_hours_end"]
    if max_alerts_per_shift is not None:
        membership.max_alerts_per_shift = max_alerts_per_shift
        fields.append("max_alerts_per_shift")
    if fields:
        membership.save(update_fields=fields)
    return membership


class Availability:
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    ROTA_ONLY = "rota_only"
    CHOICES = (AVAILABLE, UNAVAILABLE, ROTA_ONLY)


def do_set_availability(
    *, membership: Membership, state: str, until: datetime | None = None, now: datetime | None = None
) -> Membership:
    """ "Available now until", "I can't right now until", or back to the rota only."""
    now = now or timezone.now()
    if state not in Availability.CHOICES:
        raise ValidationError({"state": [f"One of {', '.join(Availability.CHOICES)}."]})
    if state != Availability.ROTA_ONLY and (until is None or until <= now):
        raise ValidationError({"until": ["Give a time in the future."]})
    if state == Availability.AVAILABLE and not membership.is_ready:
        raise ValidationError({"state": ["A facilitator marks you ready before you can go on call."]})
    membership.available_from = membership.available_until = membership.unavailable_until = None
    if state == Availability.AVAILABLE:
        membership.available_from, membership.available_until = now, until
    elif state == Availability.UNAVAILABLE:
        membership.unavailable_until = until
    membership.save(update_fields=["available_from", "available_until", "unavailable_until"])
    return membership


def do_update_network(*, network: Network, **fields: Any) -> Network:
    """Settings a navigator or facilitator may change (validated by the caller's serializer
    and again by the model's validators). A setting the network's rules hold is refused
    beyond the service's safety floor, whoever changes it (network/rule_settings.py);
    emergency routes stay the managers' to set directly."""
    rule_settings.require_within_floor(fields, proposal=False)
    for name, value in fields.items():
        setattr(network, name, value)
    try:
        network.full_clean(exclude=["slug"])
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    network.save(update_fields=list(fields))
    return network
