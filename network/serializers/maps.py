from __future__ import annotations

from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from network.actions import Outcome
from network.models import Asset, AssetReport, Tie
from network.serializers.fields import WallClockTimeField


class TieIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Tie.Kind.choices)
    label = serializers.CharField(max_length=120)
    relationship = serializers.CharField(max_length=60, required=False, allow_blank=True)
    strength = serializers.ChoiceField(choices=Tie.Strength.choices, required=False)
    direction = serializers.ChoiceField(choices=Tie.Direction.choices, required=False)
    visibility = serializers.ChoiceField(
        choices=Tie.Visibility.choices, required=False, help_text="default: only_me"
    )
    linked_person = serializers.IntegerField(required=False, allow_null=True, help_text="a fellow member")
    linked_asset = serializers.IntegerField(required=False, allow_null=True, help_text="a directory entry")


class TieUpdateIn(TieIn):
    kind = serializers.ChoiceField(choices=Tie.Kind.choices, required=False)
    label = serializers.CharField(max_length=120, required=False)


class TieOut(serializers.ModelSerializer):
    linked_person_id = serializers.IntegerField(allow_null=True)
    linked_asset_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Tie
        fields = [
            "id",
            "owner_id",
            "kind",
            "label",
            "relationship",
            "strength",
            "direction",
            "visibility",
            "linked_person_id",
            "linked_asset_id",
            "created_at",
            "updated_at",
        ]


class OpeningTimeSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=["MO", "TU", "WE", "TH", "FR", "SA", "SU"])
    opens_at = WallClockTimeField()
    closes_at = WallClockTimeField()


class AssetIn(serializers.Serializer):
    organization_name = serializers.CharField(max_length=200)
    service_name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    location_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    phone = PhoneNumberField(required=False, allow_blank=True)
    url = serializers.URLField(required=False, allow_blank=True)
    opening_times = OpeningTimeSerializer(many=True, required=False)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=20
    )
    is_formal_service = serializers.BooleanField(required=False)
    is_closed = serializers.BooleanField(required=False)

    def validate_opening_times(self, rows: list[dict]) -> list[dict]:  # type: ignore[type-arg]
        return [
            {
                "weekday": r["weekday"],
                "opens_at": r["opens_at"].isoformat("minutes"),
                "closes_at": r["closes_at"].isoformat("minutes"),
            }
            for r in rows
        ]


class AssetUpdateIn(AssetIn):
    organization_name = serializers.CharField(max_length=200, required=False)
    service_name = serializers.CharField(max_length=200, required=False)


class AssetOut(serializers.ModelSerializer):
    network_id = serializers.IntegerField()
    opening_times = OpeningTimeSerializer(many=True)
    categories = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Asset
        fields = [
            "id",
            "hsds_id",
            "network_id",
            "organization_name",
            "service_name",
            "description",
            "location_name",
            "address",
            "postal_code",
            "phone",
            "url",
            "opening_times",
            "categories",
            "is_formal_service",
            "is_closed",
            "last_checked_at",
        ]


class HsdsImportOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    not_kept = serializers.ListField(
        child=serializers.CharField(),
        help_text="JSON paths of what the file holds that the directory has no place for (the first 100)",
    )
    not_kept_count = serializers.IntegerField()


class AssetReportIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AssetReport.Kind.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AssetReportOut(serializers.ModelSerializer):
    asset_id = serializers.IntegerField()
    service_name = serializers.CharField(source="asset.service_name")

    class Meta:
        model = AssetReport
        fields = [
            "id",
            "asset_id",
            "service_name",
            "kind",
            "note",
            "status",
            "created_at",
            "resolved_at",
            "resolution_note",
        ]


class AssetReportResolveIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class GraphNodeOut(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.CharField(help_text="network, person, service, asset, or a tie kind")
    label = serializers.CharField()


class GraphEdgeOut(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    kind = serializers.CharField(help_text="membership, listed_in, tie or uses")
    role = serializers.CharField(required=False)
    strength = serializers.IntegerField(required=False)
    direction = serializers.CharField(required=False)


class GraphOut(serializers.Serializer):
    nodes = GraphNodeOut(many=True)
    edges = GraphEdgeOut(many=True)


class HealthPersonOut(serializers.Serializer):
    person_id = serializers.IntegerField(source="pk")
    display_name = serializers.CharField()


class HealthAssetOut(serializers.Serializer):
    id = serializers.IntegerField()
    service_name = serializers.CharField()
    last_checked_at = serializers.DateTimeField(allow_null=True)


class HealthOut(serializers.Serializer):
    network_id = serializers.IntegerField(source="network.pk")
    size = serializers.IntegerField()
    size_cap = serializers.IntegerField(source="network.size_cap")
    over_size_cap = serializers.BooleanField()
    isolated_members = HealthPersonOut(many=True, help_text="members with one visible tie or none")
    in_several_networks = HealthPersonOut(many=True)
    on_call_gap_hours_next_4_weeks = serializers.FloatField()
    stale_assets = HealthAssetOut(many=True, help_text="open entries not checked for 12 months")
