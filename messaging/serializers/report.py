"""The network report (issue 16): query in, figures out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rest_framework import serializers

DEFAULT_DAYS = 90
MAX_SPAN_DAYS = 366


class ReportQueryIn(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="first day (YYYY-MM-DD); default: the 90 days to end"
    )
    end = serializers.DateField(required=False, help_text="last day, included (YYYY-MM-DD); default: today")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = self.context["today"]
        end = attrs.get("end") or today
        start = attrs.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"start": "The start must be on or before the end."})
        if (end - start).days + 1 > MAX_SPAN_DAYS:
            raise serializers.ValidationError({"end": f"A report covers at most {MAX_SPAN_DAYS} days."})
        return {"start": start, "end": end}


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


class NetworkReportOut(serializers.Serializer):
    network_id = serializers.IntegerField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
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
    gap_hours = serializers.FloatField(help_text="hours in the period with nobody on call")
    peers = PeerLoadOut(
        many=True, allow_null=True, help_text="per-person load; null for members (navigators only)"
    )

    def get_start(self, report: Any) -> str:
        return report.start.date().isoformat()

    def get_end(self, report: Any) -> str:
        return (report.end - timedelta(days=1)).date().isoformat()
