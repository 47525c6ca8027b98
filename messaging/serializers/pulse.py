"""The network's pulse question and my answer (issue 16)."""

from __future__ import annotations

from rest_framework import serializers


class PulseQuestionIn(serializers.Serializer):
    text = serializers.CharField(
        max_length=200, help_text="e.g. How has the network been for you this month?"
    )
    low_label = serializers.CharField(max_length=40, help_text="what 1 means, e.g. Not good")
    high_label = serializers.CharField(max_length=40, help_text="what 5 means, e.g. Very good")


class PulseAnswerIn(serializers.Serializer):
    scale = serializers.IntegerField(min_value=1, max_value=5)
    words = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="optional, in your own words; only navigators and facilitators read them, unattributed",
    )


class PulseQuestionOut(serializers.Serializer):
    text = serializers.CharField()
    low_label = serializers.CharField()
    high_label = serializers.CharField()


class PulsePeriodOut(serializers.Serializer):
    key = serializers.CharField(help_text="the month an answer now is for, e.g. 2026-11")
    label = serializers.CharField()


class MyPulseAnswerOut(serializers.Serializer):
    scale = serializers.IntegerField()
    answered_at = serializers.DateTimeField()


class PulseOut(serializers.Serializer):
    question = PulseQuestionOut(allow_null=True, help_text="null when the network asks nothing")
    period = PulsePeriodOut()
    my_answer = MyPulseAnswerOut(
        allow_null=True, help_text="your answer this month (never your words); null if none"
    )
