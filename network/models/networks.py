"""Networks, memberships, how people join and leave, and the history of every change."""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as dj_timezone
from phonenumber_field.modelfields import PhoneNumberField

from foundation.sealing import SealedTextField
from network.models.people import Person

ESCALATION_AUDIENCES = ("on_call", "available_members", "navigators_and_staff")
MAX_ESCALATION_STEPS = 10


def default_emergency_routes() -> list[dict[str, str]]:
    # UK defaults (DESIGN.md section 1): the network is not an emergency service.
    return [
        {"label": "Emergency services", "number": "999", "how": "call"},
        {"label": "NHS 111, mental health option", "number": "111", "how": "call"},
        {"label": "Samaritans", "number": "116 123", "how": "call"},
        {"label": "Shout", "number": "85258", "how": "text"},
    ]


def default_escalation_steps() -> list[dict[str, Any]]:
    return [
        {"audience": "on_call", "wait_seconds": 120},
        {"audience": "available_members", "wait_seconds": 180},
        {"audience": "navigators_and_staff", "wait_seconds": 300},
    ]


def validate_escalation_steps(value: Any) -> None:
    """A short list of {"audience", "wait_seconds"}; the alerts app snapshots it."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ESCALATION_STEPS:
        raise ValidationError(f"Give 1 to {MAX_ESCALATION_STEPS} escalation steps.")
    for index, step in enumerate(value):
        if not isinstance(step, dict) or set(step) != {"audience", "wait_seconds"}:
            raise ValidationError(f"Step {index}: give exactly 'audience' and 'wait_seconds'.")
        if step["audience"] not in ESCALATION_AUDIENCES:
            raise ValidationError(f"Step {index}: audience must be one of {', '.join(ESCALATION_AUDIENCES)}.")
        wait = step["wait_seconds"]
        if isinstance(wait, bool) or not isinstance(wait, int) or not 0 < wait <= 24 * 3600:
            raise ValidationError(f"Step {index}: wait_seconds must be a whole number from 1 to 86400.")


def validate_emergency_routes(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Give at least one emergency route: every alert path ends with one.")
    for index, route in enumerate(value):
        if not isinstance(route, dict) or set(route) != {"label", "number", "how"}:
            raise ValidationError(f"Route {index}: give exactly 'label', 'number' and 'how'.")
        if route["how"] not in ("call", "text"):
            raise ValidationError(f"Route {index}: 'how' is 'call' or 'text'.")
        if not all(isinstance(route[k], str) and route[k].strip() for k in ("label", "number")):
            raise ValidationError(f"Route {index}: label and number must not be empty.")


def default_first_contact_seconds() -> int:
    # The service-wide default until a network sets its own (a rule its members may change).
    return settings.ALERT_FIRST_CONTACT_SECONDS


def validate_time_range(value: Any) -> None:
    """None, or {"start": "HH:MM", "end": "HH:MM"} with two different times
    (network local time; an end before the start wraps past midnight)."""
    if value is None:
        return
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise ValidationError('Give null or {"start": "HH:MM", "end": "HH:MM"}.')
    try:
        start, end = (time.fromisoformat(value[k]) for k in ("start", "end"))
    except (TypeError, ValueError):
        raise ValidationError("Give each time as HH:MM.") from None
    if any(len(value[k]) != 5 for k in ("start", "end")):
        raise ValidationError("Give each time as HH:MM.")
    if start == end:
        raise ValidationError("Give a start and a different end.")


def time_range_of(value: Any) -> tuple[time, time] | None:
    """A stored time range (validate_time_range) as two times, or None."""
    if not value:
        return None
    return time.fromisoformat(value["start"]), time.fromisoformat(value["end"])


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known time zone.") from None


class Network(models.Model):
    class Kind(models.TextChoices):
        PEER_SUPPORT_GROUP = "peer_support_group", "Peer-support group (SUN style)"
        LIVING_SUPPORT = "living_support", "Local living-support network (KeyRing style)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    area = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="Europe/London", validators=[validate_timezone])
    created_at = models.DateTimeField(default=dj_timezone.now)
    size_cap = models.PositiveSmallIntegerField(
        default=10, help_text="soft: going over warns the navigator, it never refuses a member"
    )
    emergency_routes = models.JSONField(
        default=default_emergency_routes, validators=[validate_emergency_routes]
    )
    escalation_steps = models.JSONField(
        default=default_escalation_steps, validators=[validate_escalation_steps]
    )
    # The network's own rule for passing a change to its rules (network/models/rules.py).
    vote_quorum_percent = models.PositiveSmallIntegerField(
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="share of members who vote",
    )
    vote_majority_percent = models.PositiveSmallIntegerField(
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(99)],
        help_text="a change passes with more than this share of yes among yes and no",
    )
    # Settings the alerts and conversations enforce (messaging reads them; the
    # network's members may change them by a vote, within the safety floor).
    first_contact_seconds = models.PositiveIntegerField(
        default=default_first_contact_seconds,
        help_text="seconds a peer who took an alert has to get in touch before a reminder",
    )
    direct_messages = models.BooleanField(
        default=True,
        help_text="off: members of this network cannot start or send direct messages to each other",
    )
    max_alerts_per_shift = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="a ceiling: a peer's own cap of alerts per shift counts only up to it",
    )
    default_quiet_hours = models.JSONField(
        null=True,
        blank=True,
        default=None,
        validators=[validate_time_range],
        help_text="quiet hours for members who set none of their own (network local time)",
    )

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        NAVIGATOR = "navigator", "Navigator"
        FACILITATOR = "facilitator", "Facilitator / staff"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=dj_timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    # What this member shares with fellow members of this network (off by default).
    share_phone_number = models.BooleanField(default=False)

    # Marked by a facilitator (training done, plan written); only ready people go on call.
    ready_for_on_call_at = models.DateTimeField(null=True, blank=True)
    ready_marked_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Availability beyond the rota.
    available_from = models.DateTimeField(null=True, blank=True)
    available_until = models.DateTimeField(null=True, blank=True, help_text="'available now until'")
    unavailable_until = models.DateTimeField(
        null=True, blank=True, help_text="'I can't right now': off call, no penalty"
    )
    quiet_hours_start = models.TimeField(null=True, blank=True, help_text="network local time")
    quiet_hours_end = models.TimeField(null=True, blank=True, help_text="network local time")
    max_alerts_per_shift = models.PositiveSmallIntegerField(default=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "network"],
                condition=models.Q(left_at__isnull=True),
                name="one_current_membership_per_network",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.network} as {self.role}"

    @property
    def is_ready(self) -> bool:
        return self.ready_for_on_call_at is not None


class JoinRequest(models.Model):
    """Self-referral: a person asks to join; a navigator or facilitator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="join_requests")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="join_requests")
    # The applicant's words and the decision about them are the applicant's:
    # sealed with their data key (foundation/sealing.py).
    note = SealedTextField(
        owner=("person_id",), purpose="network.joinrequest.note", blank=True, max_length=2000
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=dj_timezone.now)
    decided_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = SealedTextField(
        owner=("person_id",), purpose="network.joinrequest.decision_reason", blank=True, max_length=2000
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "network"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request_per_network",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} asks to join {self.network}"


class Invitation(models.Model):
    """A navigator invites a phone number; the person with that number accepts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="invitations")
    phone_number = PhoneNumberField(db_index=True)
    role = models.CharField(max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    # The invitee has no account (or key) yet: sealed with the inviter's.
    note = SealedTextField(
        owner=("invited_by_id",), purpose="network.invitation.note", blank=True, max_length=2000
    )
    invited_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=dj_timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation to {self.network}"


class MembershipChange(models.Model):
    """The history of a network's membership: who changed what, when and why."""

    class Kind(models.TextChoices):
        JOIN_REQUESTED = "join_requested", "Asked to join"
        JOIN_ACCEPTED = "join_accepted", "Join request accepted"
        JOIN_DECLINED = "join_declined", "Join request declined"
        INVITED = "invited", "Invited"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        INVITATION_DECLINED = "invitation_declined", "Invitation declined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        TRANSFERRED_OUT = "transferred_out", "Transferred to another network"
        TRANSFERRED_IN = "transferred_in", "Transferred from another network"
        MARKED_READY = "marked_ready", "Marked ready for on call"
        MARKED_NOT_READY = "marked_not_ready", "Marked not ready for on call"
        OVER_SIZE_CAP = "over_size_cap", "Network went over its size cap"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="membership_changes")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    invited_phone_number = PhoneNumberField(blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    # Why someone joined, left or was removed is about that person: sealed with
    # their data key, so their account's deletion shreds it; a change with no
    # person yet (an invitation) with the actor's.
    reason = SealedTextField(
        owner=("person_id", "actor_id"),
        purpose="network.membershipchange.reason",
        blank=True,
        max_length=2000,
    )
    at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [models.Index(fields=["network", "-at"])]

    def __str__(self) -> str:
        return f"{self.kind} in {self.network} at {self.at:%Y-%m-%d %H:%M}"
