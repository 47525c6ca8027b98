"""The on-call rota: recurring and one-off shifts, exceptions (swaps, cancellations),
swap requests, the reminders sent, alert offers (for fairness and the per-shift
cap) and private calendar feeds."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone as dj_timezone

from network.models.networks import Network
from network.models.people import Person


class Shift(models.Model):
    """A shift in the network's local wall-clock time.

    ``rrule`` is an RFC 5545 RRULE (without the ``RRULE:`` prefix) expanded from
    ``start_date`` + ``start_time`` as a *local* time, so a weekly 20:00 shift
    stays at 20:00 across daylight-saving changes. Empty ``rrule``: a one-off shift.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="shifts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shifts")
    start_date = models.DateField()
    start_time = models.TimeField()
    duration = models.DurationField(help_text="wall-clock length, e.g. 12:00:00 for 20:00 to 08:00")
    rrule = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [models.Index(fields=["network", "is_active"])]

    def __str__(self) -> str:
        return f"shift of {self.person} in {self.network}"

    MAX_DURATION = timedelta(days=2)


class ShiftException(models.Model):
    """One occurrence changed: taken over by another peer (a swap) or cancelled."""

    class Kind(models.TextChoices):
        SWAP = "swap", "Taken over by another peer"
        CANCEL = "cancel", "Cancelled"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="exceptions")
    occurrence_start = models.DateTimeField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    taken_by = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shift", "occurrence_start"], name="one_exception_per_occurrence")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.shift_id} at {self.occurrence_start}"


class AlertOffer(models.Model):
    """An alert offered to a peer (recorded by the alerts app), and their answer."""

    class Response(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        NO_ANSWER = "no_answer", "No answer"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alert_offers")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="alert_offers")
    offered_at = models.DateTimeField()
    response = models.CharField(max_length=12, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["network", "person", "-offered_at"])]

    def __str__(self) -> str:
        return f"offer to {self.person_id} at {self.offered_at}"


class CalendarFeed(models.Model):
    """A private iCal URL. Only a keyed hash of the token is stored; revoking kills the URL."""

    class Scope(models.TextChoices):
        MY_SHIFTS = "my_shifts", "My shifts"
        NETWORK_ROTA = "network_rota", "The network's rota"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="calendar_feeds")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=16, choices=Scope.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.scope} feed of {self.person_id}"


class SwapRequest(models.Model):
    """A peer (or a navigator/facilitator) asks another ready peer to take one
    occurrence. Nothing changes on the rota until the asked person accepts: only
    then is the ShiftException (kind swap) written."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="swap_requests")
    occurrence_start = models.DateTimeField()
    asked = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="swap_requests_to_me")
    asked_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=dj_timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "occurrence_start"],
                condition=models.Q(state="pending"),
                name="one_pending_swap_request_per_occurrence",
            )
        ]
        indexes = [models.Index(fields=["asked", "state"])]

    def __str__(self) -> str:
        return f"swap request {self.state} of {self.shift_id} at {self.occurrence_start}"


class ShiftReminder(models.Model):
    """A reminder of one occurrence to the person on it: before it starts, or the
    note when it ends. The row is written before anything is sent and is unique
    per (person, shift, occurrence, kind), so a second sweep, a second worker or
    a retry cannot send it twice; one found too late is written as skipped."""

    class Kind(models.TextChoices):
        STARTING = "starting", "Shift starting soon"
        ENDED = "ended", "Shift ended"

    class State(models.TextChoices):
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped: found too late"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="reminders")
    occurrence_start = models.DateTimeField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "shift", "occurrence_start", "kind"], name="one_reminder_per_occurrence"
            )
        ]
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"{self.kind} reminder to {self.person_id} of {self.shift_id} at {self.occurrence_start}"
