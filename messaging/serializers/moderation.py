from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from messaging.models import MessageReport
from messaging.serializers.alerts import PersonRef
from messaging.serializers.conversations import AUTHOR_DELETED_HELP, NetworkRef


class ReportIn(serializers.Serializer):
    reason = serializers.ChoiceField(choices=MessageReport.Reason.choices)


class ReportedMessageOut(serializers.Serializer):
    id = serializers.UUIDField()
    conversation_id = serializers.UUIDField()
    order = serializers.IntegerField()
    author = PersonRef(allow_null=True)
    author_deleted = serializers.BooleanField(help_text=AUTHOR_DELETED_HELP)
    text = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class ReportOut(serializers.Serializer):
    id = serializers.IntegerField()
    network = NetworkRef()
    reason = serializers.ChoiceField(choices=MessageReport.Reason.choices)
    reporter = PersonRef()
    created_at = serializers.DateTimeField()
    message = ReportedMessageOut(required=False, help_text="only for the network's facilitators")


class PreferenceIn(serializers.Serializer):
    direct_messages = serializers.BooleanField()


class PreferenceOut(serializers.Serializer):
    direct_messages = serializers.BooleanField()


class BlockOut(serializers.Serializer):
    person = PersonRef()
    created_at = serializers.DateTimeField()


class RetentionIn(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=settings.MESSAGE_RETENTION_MIN_DAYS, max_value=settings.MESSAGE_RETENTION_MAX_DAYS
    )


class RetentionOut(serializers.Serializer):
    network_id = serializers.IntegerField()
    days = serializers.IntegerField()
