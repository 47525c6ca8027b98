"""The network report (issue 16): query in, figures out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from messaging.selectors.report import (
    MONTHS_CHOOSABLE,
    QUARTERS_CHOOSABLE,
    Period,
    choosable_periods,
    default_period,
    local_today,
    parse_period,
)


class ReportQueryIn(serializers.Serializer):
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "a month (YYYY-MM) or a quarter (YYYY-Qn) in the network's timezone, one of the report's "
            "``periods``; default: the last full month"
        ),
    )

    def validate_period(self, value: str) -> Period:
        network = self.context["network"]
        now = self.context["now"]
        try:
            period = parse_period(value)
        except ValueError:
            raise serializers.ValidationError(
                "A period is a month (2026-11) or a quarter (2026-Q4)."
            ) from None
        if period.start > local_today(network, now):
            raise serializers.ValidationError("That period has not started yet.")
        if period not in choosable_periods(network=network, now=now):
            if period.end <= network.created_at.astimezone(network.tzinfo).date():
                raise serializers.ValidationError("The network did not exist yet in that period.")
            raise serializers.ValidationError(
                f"A report covers one of the last {MONTHS_CHOOSABLE} months or {QUARTERS_CHOOSABLE} quarters."
            )
        return period

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        period = attrs.get("period") or default_period(
            network=self.context["network"], now=self.context["now"]
        )
        return {"period": period}


class PeriodChoiceOut(serializers.Serializer):
    key = serializers.CharField(help_text="2026-11 (a month) or 2026-Q4 (a quarter)")
    label = serializers.CharField(help_text="November 2026, or Q4 2026 (October to December)")


class PeriodOut(PeriodChoiceOut):
    start = serializers.DateField(help_text="the first day")
    end = serializers.DateField(help_text="the last day, included")
    in_progress = serializers.BooleanField(
        help_text="the period has not ended: its figures count alerts raised before today"
    )


class CountOut(serializers.Serializer):
    value = serializers.IntegerField(
        allow_null=True, help_text="null when suppressed (fewer than suppress_below)"
    )
    suppressed = serializers.BooleanField()
    text = serializers.CharField(help_text='the number, or "fewer than 5"')


class TimingOut(serializers.Serializer):
    p50_seconds = serializers.FloatField(allow_null=True)
    p90_seconds = serializers.FloatField(allow_null=True)


class TakenByOut(serializers.Serializer):
    peer = CountOut()
    navigator = CountOut()
    staff = CountOut()
    not_taken = CountOut()


class SharesOut(serializers.Serializer):
    peer = serializers.FloatField(allow_null=True)
    navigator = serializers.FloatField(allow_null=True)
    staff = serializers.FloatField(allow_null=True)


class OutcomesOut(serializers.Serializer):
    avoided = CountOut(help_text="alerts whose debrief says A&E or a 999 call was avoided")
    needed = CountOut(help_text="alerts whose debrief says A&E or a 999 call was needed")
    none_recorded = CountOut(help_text="alerts with neither in a debrief")


class PeerLoadOut(serializers.Serializer):
    person_id = serializers.IntegerField()
    display_name = serializers.CharField()
    offers = serializers.IntegerField()
    takes = serializers.IntegerField()
    on_call_hours = serializers.FloatField()


class ScalePointOut(serializers.Serializer):
    value = serializers.IntegerField(help_text="1 (the low label) to 5 (the high label)")
    count = CountOut()


class PulseSummaryOut(serializers.Serializer):
    question_text = serializers.CharField()
    answered = CountOut()
    scale = serializers.SerializerMethodField()
    average = serializers.FloatField(
        allow_null=True,
        help_text=(
            "null with fewer answers than suppress_below, or where it would give a suppressed count away"
        ),
    )
    written = CountOut(help_text="answers with words")
    words = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text=(
            "the answers' words, unattributed and shuffled: navigators and facilitators only, and only when "
            "at least suppress_below answered (otherwise null)"
        ),
    )

    @extend_schema_field(ScalePointOut(many=True))
    def get_scale(self, pulse: Any) -> list[dict[str, Any]]:
        return [ScalePointOut({"value": value, "count": cell}).data for value, cell in pulse.scale]


class NetworkReportOut(serializers.Serializer):
    network_id = serializers.IntegerField()
    period = serializers.SerializerMethodField()
    periods = PeriodChoiceOut(many=True, help_text="the periods to choose from, newest first")
    suppress_below = serializers.IntegerField()
    alerts_raised = CountOut()
    cancelled = CountOut()
    taken_by = TakenByOut()
    shares = SharesOut(help_text="of the alerts raised; null when too few alerts or the count is suppressed")
    to_first_offer = TimingOut()
    to_taken = TimingOut()
    to_first_contact = TimingOut()
    outcomes = OutcomesOut()
    follow_ups_done = CountOut()
    load_evenness_gini = serializers.FloatField(
        allow_null=True, help_text="Gini coefficient of takes across peers: 0 even, towards 1 uneven"
    )
    gap_hours = serializers.FloatField(help_text="hours in the period (so far) with nobody on call")
    pulse = PulseSummaryOut(
        allow_null=True,
        help_text="the members' answers to the network's monthly question; null if never asked",
    )
    peers = PeerLoadOut(
        many=True, allow_null=True, help_text="per-person load; null for members (navigators only)"
    )

    @extend_schema_field(PeriodOut)
    def get_period(self, report: Any) -> dict[str, Any]:
        period = report.period
        return PeriodOut(
            {
                "key": period.key,
                "label": period.label,
                "start": period.start,
                "end": period.end - timedelta(days=1),
                "in_progress": report.in_progress,
            }
        ).data
