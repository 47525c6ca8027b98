"""Personal maps (ecomap ties) and the community asset directory (HSDS-shaped)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone as dj_timezone
from phonenumber_field.modelfields import PhoneNumberField

from foundation.sealing import SealedTextField
from network.models.networks import Network
from network.models.people import Person


class Asset(models.Model):
    """A community resource, shaped like Open Referral HSDS: an organisation's
    service at a location, with a phone, opening times and categories."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="assets")
    hsds_id = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="the HSDS service id: kept through export and import (network/hsds.py)",
    )
    organization_name = models.CharField(max_length=200)
    service_name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    location_name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    phone = PhoneNumberField(blank=True)
    url = models.URLField(blank=True)
    opening_times = models.JSONField(
        default=list,
        blank=True,
        help_text='HSDS-like schedule rows: {"weekday": "MO", "opens_at", "closes_at"}',
    )
    categories = models.JSONField(default=list, blank=True)
    is_formal_service = models.BooleanField(default=True, help_text="false for informal assets")
    is_closed = models.BooleanField(default=False)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "hsds_id"], name="asset_hsds_id_unique_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.service_name} ({self.organization_name})"


class AssetReport(models.Model):
    """A member's report that a directory entry is wrong or closed."""

    class Kind(models.TextChoices):
        WRONG = "wrong", "Details are wrong"
        CLOSED = "closed", "Closed"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FIXED = "fixed", "Fixed"
        MARKED_CLOSED = "marked_closed", "Entry marked closed"
        DISMISSED = "dismissed", "Dismissed"

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="reports")
    reported_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    note = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=dj_timezone.now)
    resolved_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, max_length=2000)

    def __str__(self) -> str:
        return f"{self.kind} report on {self.asset_id}"


class Tie(models.Model):
    """One tie in a member's personal map (ecomap). Owned by the person, not a
    network: leaving or moving network keeps it."""

    class Kind(models.TextChoices):
        PERSON = "person", "A person (friend, family, acquaintance)"
        PLACE = "place", "A place"
        FORMAL_SERVICE = "formal_service", "A formal service"
        INFORMAL_ASSET = "informal_asset", "An informal asset (a skill, a neighbour who helps)"

    class Strength(models.IntegerChoices):
        WEAK = 1, "Weak"
        MODERATE = 2, "Moderate"
        STRONG = 3, "Strong"
        STRESSFUL = -1, "Stressful"

    class Direction(models.TextChoices):
        TO_ME = "to_me", "They support me"
        FROM_ME = "from_me", "I support them"
        BOTH = "both", "Both ways"
        NONE = "none", "Neither"

    class Visibility(models.TextChoices):
        ONLY_ME = "only_me", "Only me"
        MY_NAVIGATOR = "my_navigator", "Me and my navigator"
        MY_NETWORK = "my_network", "My network"

    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ties")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Who is in a person's life is theirs: sealed with the owner's data key
    # (foundation/sealing.py), so deleting their account shreds it.
    label = SealedTextField(owner=("owner_id",), purpose="network.tie.label", max_length=120)
    relationship = SealedTextField(
        owner=("owner_id",),
        purpose="network.tie.relationship",
        max_length=60,
        blank=True,
        help_text="friend, sister, GP...",
    )
    strength = models.SmallIntegerField(choices=Strength.choices, default=Strength.MODERATE)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.BOTH)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.ONLY_ME)
    linked_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="a fellow member, when the tie is to one",
    )
    linked_asset = models.ForeignKey(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ties",
        help_text="a directory entry this person uses",
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self) -> str:
        return f"tie {self.pk} of {self.owner_id}"  # no label: str() ends up in logs
