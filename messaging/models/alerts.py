"""Crisis alerts: the alert, who it was offered to, debriefs, follow-ups.

The escalation state lives here, in the database (DESIGN.md invariant 4): the
policy snapshot, the current step and when the next one is due. Celery ETA
tasks and the periodic sweep only ask "is a step due?"; the answer and the
compare-and-set on ``step`` happen under a row lock in messaging.actions.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from foundation.sealing import SealedTextField


class Alert(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Finding someone"
        TAKEN = "taken", "Taken by a peer"
        RESOLVED = "resolved", "Resolved"
        CANCELLED = "cancelled", "Cancelled by the member"

    class Urgency(models.TextChoices):
        STRUGGLING = "struggling", "Struggling"
        URGENT = "urgent", "Urgent"
        VERY_URGENT = "very_urgent", "Very urgent"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="alerts_raised"
    )
    network = models.ForeignKey("network.Network", on_delete=models.PROTECT, related_name="alerts")
    # The networks whose peers are offered it: the one raised in, or all the member's.
    routing_network_ids = models.JSONField(default=list)
    client_key = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.URGENT)
    # The member's words and location are crisis content: encrypted with the
    # member's data key (crisisplans.crypto), never in events or notifications.
    sealed_key_id = models.UUIDField(null=True, blank=True)
    sealed_details = models.BinaryField(null=True, blank=True)

    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN, db_index=True)
    policy = models.JSONField(help_text="the network's escalation policy when the alert was raised")
    step = models.PositiveIntegerField(default=0)
    next_step_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    staff_notified_at = models.DateTimeField(null=True, blank=True)
    emergency_routes_shown_at = models.DateTimeField(null=True, blank=True)

    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts_taken",
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    contact_check_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    contact_reminded_at = models.DateTimeField(null=True, blank=True)

    raised_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "client_key"], name="alert_client_key_once_per_member"),
            # Invariant: only an open alert escalates.
            models.CheckConstraint(
                condition=models.Q(state="open") | models.Q(next_step_due_at__isnull=True),
                name="only_open_alerts_escalate",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="taken") | models.Q(taken_by__isnull=False),
                name="a_taken_alert_has_a_taker",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_step_due_at"])]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.state})"

    @property
    def is_closed(self) -> bool:
        return self.state in (self.State.RESOLVED, self.State.CANCELLED)

    @property
    def staff_unreachable(self) -> bool:
        """The staff step ran and nobody there could be asked: the member is
        shown the emergency routes and told so, never that staff were told."""
        return self.emergency_routes_shown_at is not None and self.staff_notified_at is None


class Offer(models.Model):
    """An alert offered to one person: who, at which step, and what came of it."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn (taken by someone else, cancelled or resolved)"

    class Kind(models.TextChoices):
        PEER = "peer", "On-call peer or member"
        STAFF = "staff", "Navigator or staff"
        HANDOVER = "handover", "Handed over by the peer who held it"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="offers")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    network = models.ForeignKey("network.Network", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PEER)
    step = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    offered_at = models.DateTimeField(default=timezone.now)
    # When it was last sent (re-notifications move it); fallbacks count from here.
    notified_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    # When an accepted offer stopped being the one holding the alert (handed
    # over or returned); the plan access grace period counts from here.
    released_at = models.DateTimeField(null=True, blank=True)
    # Private: never shown to the member. The decliner's own words (often about
    # themself: "unwell", "at work"): sealed with their data key.
    decline_reason = SealedTextField(
        owner=("person_id",), purpose="messaging.offer.decline_reason", max_length=280, blank=True
    )
    # Delivery: the event's sequence number for this person; it is delivered
    # once one of their devices acks it. Push, then SMS, if it is not.
    event_seq = models.BigIntegerField(null=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    push_sent_at = models.DateTimeField(null=True, blank=True)
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    times_notified = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "person"], name="one_offer_per_person")]
        indexes = [models.Index(fields=["state", "offered_at"])]

    def __str__(self) -> str:
        return f"offer of {self.alert_id} to {self.person_id} ({self.state})"


class EscalationStepRun(models.Model):
    """Proof that a step ran, once: the unique constraint backs the
    compare-and-set, and tests and the auditor count these rows."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="step_runs")
    step = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    ran_at = models.DateTimeField()
    offered = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "step"], name="each_step_runs_once")]

    def __str__(self) -> str:
        return f"step {self.step} of {self.alert_id}"


class AlertDebrief(models.Model):
    class Outcome(models.TextChoices):
        AVOIDED = "avoided", "A&E or a 999 call was avoided"
        NEEDED = "needed", "A&E or a 999 call was needed"
        NOT_APPLICABLE = "not_applicable", "Neither"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="debriefs")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Whoever writes it, a debrief is about the member's crisis: sealed with
    # the alert member's data key (as the alert's details are), so deleting
    # the member's account shreds every side's account of it. Written after
    # the member's account is gone, it is sealed with the author's.
    how_it_went = SealedTextField(
        owner=("alert.member_id", "author_id"),
        purpose="messaging.alertdebrief.how_it_went",
        max_length=2000,
        blank=True,
    )
    emergency_services = models.CharField(max_length=16, choices=Outcome.choices)
    follow_up_wanted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "author"], name="one_debrief_per_side")]

    def __str__(self) -> str:
        return f"debrief of {self.alert_id}"


class FollowUp(models.Model):
    """A check-in after an alert, when and from whom the member's plan asks."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="follow_ups")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    check_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(db_index=True)
    prompted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"follow-up of {self.alert_id}"


class PushSubscription(models.Model):
    """A Web Push subscription of one device's browser or app."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The signed-in device that registered it: signing that device out (from
    # anywhere) or its expiry deletes the Device row, and the pushes stop with
    # it. Null for rows registered before subscriptions knew their device.
    device = models.ForeignKey(
        "network.Device", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"push subscription of {self.person_id}"
