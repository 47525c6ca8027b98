from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from messaging.serializers.alerts import PersonRef


class CheckInIn(serializers.Serializer):
    person_id = serializers.IntegerField()
    text = serializers.CharField(
        max_length=settings.MESSAGE_MAX_CHARS,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="optional: a check-in with no text reads as 'thinking of you'",
    )


class FollowUpOut(serializers.Serializer):
    id = serializers.IntegerField()
    alert_id = serializers.UUIDField()
    member = PersonRef()
    due_at = serializers.DateTimeField()
    checked_in = serializers.BooleanField()
