from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rest_framework import serializers

from network.models import CalendarFeed, Shift, ShiftException, SwapRequest
from network.serializers.fields import WallClockTimeField


class ShiftIn(serializers.Serializer):
    person = serializers.IntegerField(help_text="person id of a ready member of this network")
    start_date = serializers.DateField(help_text="first day, in the network's local time")
    start_time = WallClockTimeField(help_text="local wall-clock start, e.g. 20:00")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=2 * 24 * 60)
    rrule = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text="RFC 5545 RRULE body, e.g. FREQ=WEEKLY;BYDAY=FR. Empty for a one-off shift (an override).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ShiftOut(serializers.ModelSerializer):
    person_id = serializers.IntegerField()
    display_name = serializers.CharField(source="person.display_name")
    start_time = WallClockTimeField()
    duration_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = [
            "id",
            "person_id",
            "display_name",
            "start_date",
            "start_time",
            "duration_minutes",
            "rrule",
            "note",
        ]

    def get_duration_minutes(self, shift: Shift) -> int:
        return int(shift.duration / timedelta(minutes=1))


class ShiftSwapIn(serializers.Serializer):
    occurrence_start = serializers.DateTimeField(help_text="start of the occurrence, as the rota lists it")
    taken_by = serializers.IntegerField(help_text="person id of the ready member asked to take it over")


class SwapRequestOut(serializers.ModelSerializer):
    shift_id = serializers.IntegerField()
    network_id = serializers.IntegerField(source="shift.network_id")
    occurrence_end = serializers.SerializerMethodField()
    shift_person_id = serializers.IntegerField(source="shift.person_id")
    shift_display_name = serializers.CharField(source="shift.person.display_name")
    asked_id = serializers.IntegerField()
    asked_display_name = serializers.CharField(source="asked.display_name")
    asked_by_id = serializers.IntegerField(allow_null=True)
    asked_by_display_name = serializers.CharField(
        source="asked_by.display_name", allow_null=True, default=None
    )

    class Meta:
        model = SwapRequest
        fields = [
            "id",
            "shift_id",
            "network_id",
            "occurrence_start",
            "occurrence_end",
            "shift_person_id",
            "shift_display_name",
            "asked_id",
            "asked_display_name",
            "asked_by_id",
            "asked_by_display_name",
            "state",
            "created_at",
            "answered_at",
        ]

    def get_occurrence_end(self, request: SwapRequest) -> datetime:
        return request.occurrence_start + request.shift.duration


class ShiftCancelIn(serializers.Serializer):
    occurrence_start = serializers.DateTimeField()


class ShiftExceptionOut(serializers.ModelSerializer):
    shift_id = serializers.IntegerField()
    taken_by_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = ShiftException
        fields = ["id", "shift_id", "occurrence_start", "kind", "taken_by_id", "created_at"]


# Six weeks: the desk's month grid (weeks x days) fits in one request.
ROTA_MAX_SPAN = timedelta(days=42)
ROTA_SPAN_ERROR = "After start, and at most 42 days later."


class RotaQueryIn(serializers.Serializer):
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    mine = serializers.BooleanField(required=False, default=False)
    cancelled = serializers.BooleanField(
        required=False,
        default=False,
        help_text="also list cancelled occurrences (marked `cancelled`), to draw them on a calendar",
    )
    asks = serializers.BooleanField(
        required=False,
        default=False,
        help_text="fill in each occurrence's `pending_swap` (else it is null)",
    )

    def validate(self, data: dict) -> dict:  # type: ignore[type-arg]
        if (
            "start" in data
            and "end" in data
            and not data["start"] < data["end"] <= data["start"] + ROTA_MAX_SPAN
        ):
            raise serializers.ValidationError({"end": [ROTA_SPAN_ERROR]})
        return data


class PendingSwapOut(serializers.Serializer):
    id = serializers.IntegerField()
    asked_id = serializers.IntegerField()
    asked_display_name = serializers.CharField(source="asked.display_name")
    asked_by_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class RotaEntryOut(serializers.Serializer):
    shift_id = serializers.IntegerField(source="occurrence.shift.pk")
    start = serializers.DateTimeField(source="occurrence.start")
    end = serializers.DateTimeField(source="occurrence.end")
    person_id = serializers.IntegerField(source="person.pk")
    display_name = serializers.CharField(source="person.display_name")
    swapped = serializers.BooleanField(source="occurrence.swapped")
    original_person_id = serializers.IntegerField(source="original_person.pk")
    original_display_name = serializers.CharField(source="original_person.display_name")
    cancelled = serializers.BooleanField(source="occurrence.cancelled")
    pending_swap = PendingSwapOut(
        allow_null=True,
        help_text="with `asks=true`: the ask to cover this occurrence still waiting for an answer, where "
        "you may see it (you manage the network, asked, were asked or hold the shift); nothing has "
        "changed yet. Null without `asks=true`.",
    )


class OnCallCandidateOut(serializers.Serializer):
    person_id = serializers.IntegerField(source="pk")
    display_name = serializers.CharField()


class OnCallOut(serializers.Serializer):
    # In UTC: the network's zone has no RFC 3339 offset for a far-off `at`
    # (London before 1847 was -00:01:15).
    at = serializers.DateTimeField(default_timezone=UTC)
    candidates = OnCallCandidateOut(many=True, help_text="in the order alerts would be offered")


class RotaGapOut(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class PeerBalanceOut(serializers.Serializer):
    person_id = serializers.IntegerField(source="person.pk")
    display_name = serializers.CharField(source="person.display_name")
    on_call_hours = serializers.FloatField(help_text="over the next four weeks")
    offered = serializers.IntegerField(help_text="alerts offered over the last four weeks")
    accepted = serializers.IntegerField()
    declined = serializers.IntegerField()
    no_answer = serializers.IntegerField()


class RotaReportOut(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    gap_hours = serializers.FloatField()
    gaps = RotaGapOut(many=True)
    peers = PeerBalanceOut(many=True)


class CalendarFeedIn(serializers.Serializer):
    network = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=CalendarFeed.Scope.choices)


class CalendarFeedOut(serializers.ModelSerializer):
    network_id = serializers.IntegerField()

    class Meta:
        model = CalendarFeed
        fields = ["id", "network_id", "scope", "created_at"]


class CalendarFeedCreatedOut(CalendarFeedOut):
    url = serializers.CharField(help_text="private: shown once; revoke the feed to kill it")

    class Meta(CalendarFeedOut.Meta):
        fields = [*CalendarFeedOut.Meta.fields, "url"]
