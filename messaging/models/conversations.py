"""Conversations between people: alert, direct and group, and their messages.

Message text is crisis-adjacent content: it is stored only encrypted
(crisisplans.crypto, under the author's data key), never in events, push or
SMS texts, logs or Redis. The order of a message within its conversation is
assigned by the server under a lock on the conversation row (``last_order``),
so it is gap-free and follows commit order, like per-person event sequences.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Conversation(models.Model):
    class Kind(models.TextChoices):
        ALERT = "alert", "The member and whoever holds their alert"
        DIRECT = "direct", "Two people who share a network"
        GROUP = "group", "The whole network (the group that meets)"
        PROPOSAL = "proposal", "The network's members discussing a proposed change to its rules"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Alert: the alert's network. Direct: the network the two shared when it
    # started (reports go to its facilitators). Group: the network.
    # Proposal: the proposal's network; one discussion per rule-change proposal.
    network = models.ForeignKey("network.Network", on_delete=models.CASCADE, related_name="+")
    alert = models.OneToOneField(
        "messaging.Alert", on_delete=models.CASCADE, null=True, blank=True, related_name="conversation"
    )
    rule_proposal = models.OneToOneField(
        "network.RuleChangeProposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="discussion",
    )
    # "low-high" person ids: one direct conversation per pair of people.
    pair_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    last_order = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network"], condition=Q(kind="group"), name="one_group_conversation_per_network"
            ),
            models.CheckConstraint(
                condition=~Q(kind="alert") | Q(alert__isnull=False), name="an_alert_conversation_has_an_alert"
            ),
            models.CheckConstraint(
                condition=~Q(kind="proposal") | Q(rule_proposal__isnull=False),
                name="a_proposal_conversation_has_a_proposal",
            ),
            models.CheckConstraint(
                condition=~Q(kind="direct") | Q(pair_key__isnull=False),
                name="a_direct_conversation_has_a_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} conversation {self.pk}"


class Participant(models.Model):
    """One person in one conversation: their read and delivery watermarks,
    mute, and the state of the offline fallback for what they have not seen."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)
    delivered_through = models.BigIntegerField(default=0)
    read_through = models.BigIntegerField(default=0)
    muted = models.BooleanField(default=False)
    muted_until = models.DateTimeField(null=True, blank=True)
    # Offline fallback: the first message event this person has not acked.
    # Cleared when a device acks it or they read; push then SMS otherwise.
    pending_event_seq = models.BigIntegerField(null=True, blank=True)
    pending_since = models.DateTimeField(null=True, blank=True, db_index=True)
    push_sent_at = models.DateTimeField(null=True, blank=True)
    sms_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "person"], name="one_participant_row_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.conversation_id}"

    def is_muted(self, *, now: datetime | None = None) -> bool:
        at = now or timezone.now()
        return self.muted and (self.muted_until is None or self.muted_until > at)


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "A message"
        CHECK_IN = "check_in", "Thinking of you"
        FOLLOW_UP = "follow_up", "The follow-up check-in after an alert"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    order = models.BigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    client_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    # Sealed under the author's data key; the owner id is kept apart from
    # ``author`` so the text stays readable if the author row goes.
    sealed_owner_id = models.BigIntegerField(null=True, blank=True)
    sealed_key_id = models.UUIDField(null=True, blank=True)
    sealed_text = models.BinaryField(null=True, blank=True)
    follow_up = models.OneToOneField(
        "messaging.FollowUp", on_delete=models.SET_NULL, null=True, blank=True, related_name="check_in"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # A deleted message keeps its row (and its order, so there are no gaps)
    # but loses its text.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "order"], name="one_message_per_order"),
            models.UniqueConstraint(fields=["author", "client_id"], name="message_client_id_once_per_author"),
        ]

    def __str__(self) -> str:
        return f"message {self.order} of {self.conversation_id}"


class MessagingPreference(models.Model):
    """A person's choice about direct messages (absent row: they are on)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    direct_messages = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"messaging preference of {self.person_id}"


class Block(models.Model):
    """``blocker`` does not want direct messages or check-ins from ``blocked``."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class MessageReport(models.Model):
    class Reason(models.TextChoices):
        UNKIND = "unkind", "Unkind or abusive"
        UNSAFE = "unsafe", "Worried about someone's safety"
        SPAM = "spam", "Spam"
        OTHER = "other", "Something else"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    network = models.ForeignKey("network.Network", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="report_once")]

    def __str__(self) -> str:
        return f"report of {self.message_id}"


class MessageRetention(models.Model):
    """How long a network keeps messages (absent row: the settings default).
    Lives here, keyed to the network, because network/ must not import
    messaging."""

    network = models.OneToOneField(
        "network.Network", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    days = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.network_id} keeps messages {self.days} days"
