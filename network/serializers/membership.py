from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from network.actions import Availability
from network.models import (
    Invitation,
    JoinRequest,
    Membership,
    MembershipChange,
    Network,
    validate_emergency_routes,
    validate_escalation_steps,
    validate_time_range,
)
from network.models.networks import validate_timezone
from network.selectors import OffCall
from network.serializers.fields import WallClockTimeField


def _django_validator(validator: Any) -> Any:
    def run(value: Any) -> None:
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    return run


class EmergencyRouteSerializer(serializers.Serializer):
    label = serializers.CharField()
    number = serializers.CharField()
    how = serializers.ChoiceField(choices=["call", "text"])


class EscalationStepSerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=["on_call", "available_members", "navigators_and_staff"])
    wait_seconds = serializers.IntegerField(min_value=1, max_value=86400)


class NetworkOut(serializers.ModelSerializer):
    emergency_routes = EmergencyRouteSerializer(many=True)
    escalation_steps = EscalationStepSerializer(many=True)
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "area",
            "description",
            "timezone",
            "size_cap",
            "emergency_routes",
            "escalation_steps",
            "first_contact_seconds",
            "direct_messages",
            "max_alerts_per_shift",
            "default_quiet_hours",
            "my_role",
        ]

    def get_my_role(self, network: Network) -> str | None:
        return getattr(network, "viewer_role", None)


class NetworkUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    area = serializers.CharField(max_length=120, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    timezone = serializers.CharField(
        max_length=64, required=False, validators=[_django_validator(validate_timezone)]
    )
    size_cap = serializers.IntegerField(min_value=1, max_value=500, required=False)
    emergency_routes = serializers.JSONField(
        required=False,
        validators=[_django_validator(validate_emergency_routes)],
        help_text='[{"label", "number", "how": "call" | "text"}]',
    )
    escalation_steps = serializers.JSONField(
        required=False,
        validators=[_django_validator(validate_escalation_steps)],
        help_text='[{"audience": "on_call", "available_members" or "navigators_and_staff", "wait_seconds"}]',
    )
    first_contact_seconds = serializers.IntegerField(
        required=False, help_text="within the safety floor (GET networks/{id}/rules/)"
    )
    direct_messages = serializers.BooleanField(required=False)
    max_alerts_per_shift = serializers.IntegerField(
        required=False, help_text="a ceiling on each peer's own cap, within the safety floor"
    )
    default_quiet_hours = serializers.JSONField(
        required=False,
        allow_null=True,
        validators=[_django_validator(validate_time_range)],
        help_text='{"start": "HH:MM", "end": "HH:MM"} or null: quiet hours for members who set none',
    )


class MemberOut(serializers.ModelSerializer):
    """What a fellow member sees: a display name, and only what this member shares."""

    person_id = serializers.IntegerField()
    display_name = serializers.CharField(source="person.display_name")
    phone_number = serializers.SerializerMethodField()
    ready_for_on_call = serializers.BooleanField(source="is_ready")

    class Meta:
        model = Membership
        fields = ["id", "person_id", "display_name", "role", "joined_at", "phone_number", "ready_for_on_call"]

    def get_phone_number(self, membership: Membership) -> str | None:
        request = self.context.get("request")
        mine = request is not None and request.user.pk == membership.person_id
        return membership.person.phone_number.as_e164 if membership.share_phone_number or mine else None


class MyMembershipOut(serializers.ModelSerializer):
    """My choices in one network, and whether an alert would be offered to me now
    (``on_call``: a ``selectors.OnCallState`` the view attaches)."""

    network = NetworkOut(read_only=True)
    ready_for_on_call = serializers.BooleanField(source="is_ready")
    quiet_hours_start = WallClockTimeField(allow_null=True)
    quiet_hours_end = WallClockTimeField(allow_null=True)
    on_call_now = serializers.BooleanField(
        source="on_call.on_call",
        help_text="an alert in this network would be offered to me now (the rota or 'available until', "
        "less 'I can't right now', quiet hours and my cap of alerts per shift)",
    )
    on_call_because = serializers.ChoiceField(
        source="on_call.because",
        choices=["rota", "available"],
        allow_null=True,
        help_text="rota: a shift of mine (or one I took over) is running; available: I said "
        "'available now until'. Null when not on call",
    )
    on_call_until = serializers.DateTimeField(
        source="on_call.until",
        allow_null=True,
        help_text="when being on call ends: back-to-back shifts and 'available until' to the first "
        "break, cut short by my quiet hours. Null when not on call",
    )
    off_call_because = serializers.ChoiceField(
        source="on_call.off_because",
        choices=OffCall.CHOICES,
        allow_null=True,
        help_text="why not on call now: not_ready (a facilitator has not marked me ready), not_on_call "
        "(no shift and not available), unavailable ('I can't right now' until unavailable_until), "
        "quiet_hours, alert_cap (max_alerts_per_shift reached this shift). Null when on call",
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "network",
            "role",
            "joined_at",
            "share_phone_number",
            "ready_for_on_call",
            "available_from",
            "available_until",
            "unavailable_until",
            "quiet_hours_start",
            "quiet_hours_end",
            "max_alerts_per_shift",
            "on_call_now",
            "on_call_because",
            "on_call_until",
            "off_call_because",
        ]


class MyMembershipIn(serializers.Serializer):
    share_phone_number = serializers.BooleanField(required=False)
    quiet_hours_start = WallClockTimeField(required=False, allow_null=True)
    quiet_hours_end = WallClockTimeField(required=False, allow_null=True)
    max_alerts_per_shift = serializers.IntegerField(required=False, min_value=1, max_value=20)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        start, end = data.pop("quiet_hours_start", ...), data.pop("quiet_hours_end", ...)
        if start is None and end is None:
            data["clear_quiet_hours"] = True
        elif start is not ... or end is not ...:
            data["quiet_hours_start"] = None if start is ... else start
            data["quiet_hours_end"] = None if end is ... else end
        return data


class AvailabilityIn(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=Availability.CHOICES,
        help_text="available: on call until `until`; unavailable: 'I can't right now' until `until`; "
        "rota_only: back to the rota alone",
    )
    until = serializers.DateTimeField(required=False, allow_null=True)


class JoinRequestIn(serializers.Serializer):
    network = serializers.SlugField(help_text="the network's slug")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class JoinRequestOut(serializers.ModelSerializer):
    network_id = serializers.IntegerField()
    network_name = serializers.CharField(source="network.name")
    person_id = serializers.IntegerField()
    display_name = serializers.CharField(source="person.display_name")

    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "network_id",
            "network_name",
            "person_id",
            "display_name",
            "note",
            "status",
            "created_at",
            "decided_at",
            "decision_reason",
        ]


class MembershipReasonIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RemovalReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class JoinedOut(serializers.Serializer):
    membership = MemberOut()
    over_size_cap = serializers.BooleanField(help_text="the network is now over its soft size cap")
    warning = serializers.CharField(allow_null=True)


class InvitationIn(serializers.Serializer):
    phone_number = PhoneNumberField()
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class InvitationOut(serializers.ModelSerializer):
    network_id = serializers.IntegerField()
    network_name = serializers.CharField(source="network.name")
    invited_by_name = serializers.CharField(source="invited_by.display_name", allow_null=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "network_id",
            "network_name",
            "phone_number",
            "role",
            "note",
            "status",
            "invited_by_name",
            "created_at",
            "decided_at",
        ]


class MembershipTransferIn(serializers.Serializer):
    to_network = serializers.IntegerField()
    reason = serializers.CharField(max_length=2000)


class ReadinessIn(serializers.Serializer):
    ready = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MembershipChangeOut(serializers.ModelSerializer):
    person_id = serializers.IntegerField(allow_null=True)
    person_name = serializers.CharField(source="person.display_name", allow_null=True, default=None)
    actor_id = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField(source="actor.display_name", allow_null=True, default=None)
    invited_phone_number = serializers.SerializerMethodField(
        help_text="for an invitation: the number invited (E.164), so a change with no person yet "
        "still says who; null otherwise"
    )

    class Meta:
        model = MembershipChange
        fields = [
            "id",
            "kind",
            "person_id",
            "person_name",
            "actor_id",
            "actor_name",
            "invited_phone_number",
            "reason",
            "at",
        ]

    def get_invited_phone_number(self, change: MembershipChange) -> str | None:
        return change.invited_phone_number.as_e164 if change.invited_phone_number else None
