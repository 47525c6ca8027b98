"""Paging (issue 17): each person's notification rules, every send of a page
and its delivery receipts, test pages, and reachability flags.

A person with no ``NotificationRule`` rows follows settings.PAGING_DEFAULT_RULES;
the rows, once saved, are their whole ladder (messaging/actions/paging.py).
A ``Delivery`` row is written for every push, SMS and voice send of an offer
or a test page, so receipts (messaging/hooks/status.py) have something to
land on and the navigator's desk can see whose pages fail. Nothing here holds
crisis content: a delivery's ``detail`` is a provider's error code.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Transport(models.TextChoices):
    PUSH = "push", "Push notification"
    SMS = "sms", "Text message"
    VOICE = "voice", "Voice call"


class NotificationRule(models.Model):
    """One step of a person's ladder: ``transport`` at ``after_seconds`` after
    the page was sent, in ``position`` order."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    transport = models.CharField(max_length=8, choices=Transport.choices)
    after_seconds = models.PositiveIntegerField()

    class Meta:
        ordering = ["person", "position"]
        constraints = [
            models.UniqueConstraint(fields=["person", "position"], name="one_rule_per_position"),
            models.UniqueConstraint(fields=["person", "transport"], name="one_rule_per_transport"),
            models.CheckConstraint(condition=models.Q(position__lte=2), name="at_most_three_rules"),
        ]

    def __str__(self) -> str:
        return f"rule {self.position} of {self.person_id}: {self.transport} at {self.after_seconds}s"


class TestPage(models.Model):
    """A page a person sent themself to see that it reaches them."""

    class Via(models.TextChoices):
        APP = "app", "In the app"
        SMS = "sms", "By text reply"
        VOICE = "voice", "By phone"

    # Not a test case, whatever pytest thinks of the name.
    __test__ = False

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=8, choices=Via.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "created_at"])]

    def __str__(self) -> str:
        return f"test page {self.pk} of {self.person_id}"


def _delivery_token() -> str:
    return secrets.token_urlsafe(24)


class Delivery(models.Model):
    """One send of a page (an offer's or a test page's) by one transport, and
    what the provider later said about it."""

    class Status(models.TextChoices):
        SENT = "sent", "Handed to the provider"
        QUEUED = "queued", "Queued by the provider"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        UNDELIVERED = "undelivered", "Undelivered"
        RINGING = "ringing", "Ringing"
        ANSWERED = "answered", "Answered"
        COMPLETED = "completed", "Call completed"
        BUSY = "busy", "Busy"
        NO_ANSWER = "no-answer", "Not answered"
        SKIPPED = "skipped", "Not sent (nothing to send to)"

    FAILED_STATUSES = frozenset({"failed", "undelivered", "busy", "no-answer"})

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(
        "messaging.Offer", on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    test_page = models.ForeignKey(
        TestPage, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    transport = models.CharField(max_length=8, choices=Transport.choices)
    # The offer's times_notified when sent: a re-notification pages again, and
    # the unique constraints below are each send's claim (two workers cannot
    # both send the same step).
    round = models.PositiveIntegerField(default=1)
    # The voice call's TwiML URL carries it (/hooks/twilio/voice/<token>/):
    # unguessable, so the URL alone names one call and nothing else.
    token = models.CharField(max_length=64, unique=True, default=_delivery_token)
    provider_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    permanent = models.BooleanField(default=False, help_text="failed for good: the next step runs at once")
    # A provider's short error code or reason ("21211", "push: 410"), never text sent.
    detail = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["person", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer__isnull=True) | models.Q(test_page__isnull=True),
                name="a_delivery_pages_one_thing",
            ),
            models.UniqueConstraint(
                fields=["offer", "transport", "round"],
                condition=models.Q(offer__isnull=False),
                name="each_offer_step_sent_once",
            ),
            models.UniqueConstraint(
                fields=["test_page", "transport"],
                condition=models.Q(test_page__isnull=False),
                name="each_test_page_step_sent_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transport} delivery {self.pk} ({self.status})"

    @property
    def failed(self) -> bool:
        return self.status in self.FAILED_STATUSES


class ReachabilityFlag(models.Model):
    """Something that may keep a person's pages from reaching them, found
    before their shift. Open while ``cleared_at`` is null; one open per code."""

    class Code(models.TextChoices):
        TEST_PAGE_OVERDUE = "test_page_overdue", "No test page acknowledged lately"
        TEST_PAGE_UNACKNOWLEDGED = "test_page_unacknowledged", "The last test page was not acknowledged"
        NO_WORKING_CHANNEL = "no_working_channel", "No way to page them works"
        PAGES_FAILING = "pages_failing", "Their last pages failed"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=32, choices=Code.choices)
    raised_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "code"],
                condition=models.Q(cleared_at__isnull=True),
                name="one_open_flag_per_person_and_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} flag of {self.person_id}"
