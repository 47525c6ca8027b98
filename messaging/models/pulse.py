"""The network's pulse (issue 16, co-assessment): one short question a month
that members may answer on a 1 to 5 scale, with optional words of their own.

Only ever read in aggregate (messaging/selectors/report.py). The answer keeps
its person for one reason: a member answers once a month, so the unique
constraint needs them; no API returns anyone's answer but their own. The
words are sealed with the member's data key, so deleting their account
shreds them (the person is set to null and their data key is gone); the
scale stays, tied to nobody.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from foundation.sealing import SealedTextField

SCALE = range(1, 6)


class PulseQuestion(models.Model):
    """What a network asks its members each month. At most one is active per
    network; a changed text is a new question (its answers are counted apart)."""

    network = models.ForeignKey("network.Network", on_delete=models.CASCADE, related_name="pulse_questions")
    text = models.CharField(max_length=200)
    low_label = models.CharField(max_length=40)
    high_label = models.CharField(max_length=40)
    active = models.BooleanField(default=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network"], condition=models.Q(active=True), name="one_active_pulse_question"
            )
        ]

    def __str__(self) -> str:
        return f"pulse question of network {self.network_id} ({'on' if self.active else 'off'})"


class PulseAnswer(models.Model):
    question = models.ForeignKey(PulseQuestion, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The month answered for: its first day, in the network's timezone.
    period = models.DateField()
    scale = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    words = SealedTextField(
        owner=("person_id",), purpose="messaging.pulseanswer.words", max_length=1000, blank=True
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "person", "period"], name="one_pulse_answer_a_month"),
            models.CheckConstraint(condition=models.Q(scale__gte=1, scale__lte=5), name="pulse_scale_1_to_5"),
        ]
        indexes = [models.Index(fields=["question", "period"])]

    def __str__(self) -> str:
        return f"pulse answer to {self.question_id} for {self.period:%Y-%m}"
