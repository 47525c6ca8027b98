"""Crisis and support plans: revisions, sign-off, co-authors, consent, access log.

Plan content (revisions, comments, break-glass reasons) is stored only as
ciphertext sealed with the owner's data key (see crypto.py), with the data
key's id beside it. Everything else here is metadata that holds no words the
member wrote.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from crisisplans.sections import Section
from foundation.sealing import SealedTextField
from network.models import Network


class ImmutableRecord(Exception):
    """Raised on any attempt to change a record the application may only add."""


class DataKey(models.Model):
    """A member's data key, wrapped by a master key that lives only in the
    environment. Deleting this row makes their plan unreadable in the live
    system at once; backups taken before keep it until they expire, and a
    restore re-applies deletions from the erasure ledger (reapply_erasures)."""

    key_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    master_key_id = models.CharField(max_length=64)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    rewrapped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"data key {self.key_id} under {self.master_key_id}"


class PlanPolicy(models.Model):
    """Per-network plan settings. Kept here rather than on Network so the
    network app stays unaware of plans; a network without a row uses
    settings.PLAN_ALERT_GRACE_DEFAULT."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="plan_policy")
    alert_grace_hours = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(168)],
        help_text="hours an on-call peer keeps reading after the accepted alert closes",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"plan policy of {self.network}"


class Plan(models.Model):
    """One plan per member; its active revision is the one the owner signed off."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crisis_plan"
    )
    created_at = models.DateTimeField(default=timezone.now)
    active_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_due_at = models.DateTimeField(null=True, blank=True)
    review_prompted_at = models.DateTimeField(
        null=True, blank=True, help_text="set after a crisis; cleared by the next sign-off"
    )

    def __str__(self) -> str:
        return f"plan {self.pk}"


class Revision(models.Model):
    """An immutable version of the whole plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    changed_sections = models.JSONField(default=list, help_text="names only, never content")
    data_key_id = models.UUIDField()
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_revision_number_per_plan")
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of plan {self.plan_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord("A revision never changes; write a new one.")
        super().save(*args, **kwargs)


class SignOff(models.Model):
    """The owner made this revision the active plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sign_offs")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="sign_offs")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    review_due_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"sign-off of {self.revision}"


class CoAuthor(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="co_authors")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "person"],
                condition=models.Q(removed_at__isnull=True),
                name="one_current_co_authorship",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} co-writes plan {self.plan_id}"


class Comment(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=32, choices=Section.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    data_key_id = models.UUIDField()
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on plan {self.plan_id}"


class Audience(models.TextChoices):
    CO_AUTHORS = "co_authors", "Co-authors"
    ALERT_PEER = "alert_peer", "The on-call peer who accepted my alert"
    NAVIGATOR = "navigator", "My navigator"
    CARE_EXPORT = "care_export", "FHIR export for my care coordinator"


class SectionConsent(models.Model):
    """The owner lets an audience read a section. Withdrawing sets
    ``withdrawn_at``; the history stays."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="consents")
    audience = models.CharField(max_length=16, choices=Audience.choices)
    section = models.CharField(max_length=32, choices=Section.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "audience", "section"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_current_consent_per_section",
            )
        ]

    def __str__(self) -> str:
        return f"{self.audience} may read {self.section} of plan {self.plan_id}"


class BreakGlass(models.Model):
    """A facilitator read a plan without consent, giving a reason (sealed
    with the owner's key, since it may describe them)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="break_glasses")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    data_key_id = models.UUIDField()
    reason_ciphertext = models.BinaryField()

    def __str__(self) -> str:
        return f"break-glass {self.pk} on plan {self.plan_id}"


class OwnerNotice(models.Model):
    """Something the owner must be told. The text a transport sends is
    content-free; the details are in the app."""

    class Kind(models.TextChoices):
        BREAK_GLASS = "break_glass", "A facilitator read your plan without consent"
        REVIEW_AFTER_CRISIS = "review_after_crisis", "Review your plan after a crisis"
        REVIEW_DUE = "review_due", "Your plan's review date has come"
        CO_AUTHOR_ENDED = "co_author_ended", "A co-author no longer shares a network with you"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    break_glass = models.ForeignKey(BreakGlass, null=True, blank=True, on_delete=models.CASCADE)
    alert_id = models.CharField(max_length=64, blank=True)
    co_author = models.ForeignKey(CoAuthor, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The owner's event is written with the notice (same transaction). Only a
    # break-glass read is also texted; these track that text until it is sent
    # or the provider refuses it for good.
    text_due_at = models.DateTimeField(
        null=True, blank=True, help_text="when the sweep (next) tries the text; null when none is owed"
    )
    text_attempts = models.PositiveSmallIntegerField(default=0)
    texted_at = models.DateTimeField(null=True, blank=True)
    text_failed_at = models.DateTimeField(null=True, blank=True, help_text="the provider refused it for good")

    TEXTED_KINDS = frozenset({Kind.BREAK_GLASS})

    class Meta:
        indexes = [models.Index(fields=["text_due_at"], name="notice_text_due")]

    def __str__(self) -> str:
        return f"{self.kind} notice for {self.owner_id}"


class CopingStrategy(models.Model):
    """A network's shared library: what worked for members, with or without their name."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="coping_strategies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_author = models.BooleanField(default=False)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "coping strategies"

    def __str__(self) -> str:
        return self.text[:40]


class AppendOnlyQuerySet(models.QuerySet["AccessRecord"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableRecord("Access records cannot be changed.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise ImmutableRecord("Access records cannot be deleted.")


class AccessRecord(models.Model):
    """Who read plan content, in which role, why and when. Append-only: the
    model refuses updates and deletes, and on PostgreSQL a trigger does too
    (migration 0002). The people and plan are plain ids without database
    constraints, so deleting an account neither cascades into nor blocks on
    this log; a deleted reader is then just an id that names nobody."""

    class Reason(models.TextChoices):
        OWNER = "owner", "Owner"
        CO_AUTHOR = "co_author", "Co-author"
        NAVIGATOR = "navigator", "Navigator"
        ALERT = "alert", "On-call peer for an accepted alert"
        BREAK_GLASS = "break_glass", "Break-glass"
        CARE_EXPORT = "care_export", "Export the owner consented to"
        SYSTEM = "system", "The service itself (routing an alert)"
        SHARE = "share", "Someone opened a share the owner made"

    class Channel(models.TextChoices):
        API = "api", "API"
        EXPORT = "export", "Export"
        REALTIME = "realtime", "Realtime push"
        SYSTEM = "system", "Internal"
        SHARE = "share", "Shared page"

    plan = models.ForeignKey(Plan, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    reader_role = models.CharField(
        max_length=32, help_text="owner, co_author, navigator, member, facilitator..."
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    reason_ref = models.CharField(max_length=64, blank=True, help_text="alert id or break-glass id")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    revision_number = models.PositiveIntegerField(null=True)
    sections = models.JSONField(default=list)
    reader_agent = models.CharField(
        max_length=64,
        blank=True,
        help_text='a share\'s reader, coarsely: "Chrome on Android"; never an address',
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["plan", "-created_at"])]

    def __str__(self) -> str:
        return f"access {self.pk} to plan {self.plan_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord("Access records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableRecord("Access records cannot be deleted.")


class PlanShare(models.Model):
    """A time-limited, read-only view of chosen sections of the owner's
    signed-off plan for someone without an account (a clinician in A&E),
    opened with a short code or the QR code of its link (issue 18).

    The code is 10 characters of Crockford base32: 32**10 = 2**50, about
    1.1e15 codes. It is stored only as a keyed hash (HMAC-SHA256 under the
    service's SECRET_KEY, as sign-in codes are), which is how an open finds
    the share, and sealed under the owner's data key so the owner can show
    it again while the share lives; the sealed copy is wiped when the share
    is revoked, and by the purge task once it has expired.

    Guessing: wrong codes are limited per client address
    (PLAN_SHARE_WRONG_CODES_PER_HOUR, 20 by default) and a share lives at most
    7 days (168 hours), so one address gets at most 20 x 168 = 3,360 guesses
    in a share's whole life. With 10,000 shares live at once across the
    service, each guess hits one with probability 10,000 / 2**50 = 8.9e-12,
    so one address's chance over those 7 days is about 3e-8, and even 10,000
    addresses together (3.4e7 guesses) have about 3e-4.

    What an open shows is computed from the current state every time: the
    sections still chosen (``sections``, changed by the owner) that the
    active revision holds, so a section withdrawn from the share, a newer
    sign-off or a deleted plan (the share goes with it) takes effect on the
    next open of every live share.
    """

    class Length(models.IntegerChoices):
        HOUR = 1, "1 hour"
        DAY = 24, "24 hours"
        WEEK = 168, "7 days"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shares")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sections = models.JSONField(default=list, help_text="section names only, never content")
    show_name = models.BooleanField(default=False, help_text="the page shows the owner's first name")
    label = SealedTextField(
        owner=("owner_id",), purpose="crisisplans.share.label", max_length=80, blank=True, default=""
    )
    code_hash = models.CharField(max_length=64, unique=True)
    code = SealedTextField(
        owner=("owner_id",),
        purpose="crisisplans.share.code",
        blank=True,
        default="",
        help_text="sealed for the owner; wiped when revoked or expired",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    code_wiped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["plan", "-created_at"], name="share_plan_created")]

    def __str__(self) -> str:
        return f"share {self.pk} of plan {self.plan_id}"

    def is_live(self, at: Any = None) -> bool:
        return self.revoked_at is None and self.expires_at > (at or timezone.now())
