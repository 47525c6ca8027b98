from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from messaging.models import Alert, AlertDebrief, Offer
from messaging.models.escalation import EscalationPolicy


class LocationIn(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    accuracy_m = serializers.FloatField(min_value=0, max_value=100_000, required=False)


class RaiseAlertIn(serializers.Serializer):
    network_id = serializers.IntegerField(
        required=False, help_text="the network to raise it in; default: your first network"
    )
    all_networks = serializers.BooleanField(
        default=True, help_text="offer it to the on-call peers of every network you belong to"
    )
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Alert.Urgency.choices, default=Alert.Urgency.URGENT)
    location = LocationIn(
        required=False, allow_null=True, default=None, help_text="only if you choose to share where you are"
    )


class DeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=280, required=False, allow_blank=True, default="")


class HandOverIn(serializers.Serializer):
    person_id = serializers.IntegerField()


class DebriefIn(serializers.Serializer):
    how_it_went = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    emergency_services = serializers.ChoiceField(choices=AlertDebrief.Outcome.choices)
    follow_up_wanted = serializers.BooleanField(default=False)


class ResolveIn(serializers.Serializer):
    debrief = DebriefIn(required=False, allow_null=True, default=None)


class PersonRef(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class MyOfferOut(serializers.ModelSerializer):
    class Meta:
        model = Offer
        fields = ["state", "kind", "step", "offered_at", "responded_at"]


class AlertOut(serializers.Serializer):
    """What a person may see of an alert; ``details`` only for the member and
    the peer holding it, ``emergency_routes`` once the last step has run."""

    id = serializers.UUIDField()
    network = serializers.SerializerMethodField()
    member = PersonRef(allow_null=True)
    urgency = serializers.CharField()
    state = serializers.CharField()
    step = serializers.IntegerField()
    raised_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    taken_by = PersonRef(allow_null=True)
    staff_told = serializers.SerializerMethodField()
    staff_unreachable = serializers.SerializerMethodField(
        help_text="the staff step ran and nobody there could be reached: see emergency_routes"
    )
    offered_count = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField(
        help_text="where it stands, in the words of the alert.status frame's stage (REST cannot tell "
        "next_step or returned apart from offered)"
    )
    taken_at = serializers.DateTimeField(allow_null=True)
    first_contact_at = serializers.DateTimeField(
        allow_null=True, help_text="when the holder said they made contact"
    )
    contact_due_at = serializers.DateTimeField(
        source="contact_check_due_at",
        allow_null=True,
        help_text="the holder must make contact by then, or the alert goes back to escalation",
    )
    emergency_routes = serializers.SerializerMethodField()
    my_offer = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()

    def get_network(self, alert: Alert) -> dict[str, Any]:
        return {"id": alert.network_id, "name": alert.network.name}

    def get_staff_told(self, alert: Alert) -> bool:
        return alert.staff_notified_at is not None

    def get_staff_unreachable(self, alert: Alert) -> bool:
        return alert.staff_unreachable

    def get_offered_count(self, alert: Alert) -> int:
        return alert.offers.count()

    def _has_offers(self, alert: Alert) -> bool:
        return alert.offers.exists()

    def get_stage(self, alert: Alert) -> str:
        if alert.state != Alert.State.OPEN:
            return alert.state
        if alert.staff_unreachable:
            return "staff_unreachable"
        if alert.staff_notified_at is not None:
            return "staff_told"
        return "offered" if self._has_offers(alert) else "finding_someone"

    def get_emergency_routes(self, alert: Alert) -> list[dict[str, str]] | None:
        return EscalationPolicy.of(alert).routes_json() if alert.emergency_routes_shown_at else None

    def get_my_offer(self, alert: Alert) -> dict[str, Any] | None:
        offer = self.context.get("my_offer")
        return MyOfferOut(offer).data if offer is not None else None

    def get_details(self, alert: Alert) -> dict[str, Any] | None:
        return self.context.get("details")


class StaffStepOut(serializers.Serializer):
    facilitators = serializers.IntegerField()
    navigators = serializers.IntegerField()
    on_duty_fallback = serializers.IntegerField(help_text="members of the service's on-duty staff group")


class AlertHealthOut(serializers.Serializer):
    network_id = serializers.IntegerField()
    staff_step = StaffStepOut()
    problems = serializers.ListField(
        child=serializers.ChoiceField(choices=["no_staff_step", "no_facilitator"]),
        help_text="no_staff_step: no facilitator or navigator, so alerts rely on the on-duty staff",
    )


# --- the desk's alert board (issue 15) -------------------------------------------


class BoardOfferOut(serializers.Serializer):
    """Whom an alert was offered to and what they answered (never why)."""

    person = PersonRef()
    kind = serializers.ChoiceField(choices=Offer.Kind.choices)
    step = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=Offer.State.choices,
        help_text="pending: not answered yet; withdrawn: someone else took it, or it closed",
    )
    offered_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField(allow_null=True)


class BoardDebriefOut(serializers.Serializer):
    """One side's debrief as the board shows it: who, when and the outcome.
    Never the words: they are about the member's crisis, sealed with the
    member's key, and no consent of the member covers them
    (docs/navigators.md, "The alert board")."""

    author = PersonRef(allow_null=True)
    side = serializers.ChoiceField(
        choices=["member", "supporter"], allow_null=True, help_text="null once the author's account is gone"
    )
    emergency_services = serializers.ChoiceField(choices=AlertDebrief.Outcome.choices)
    follow_up_wanted = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class BoardAlertOut(AlertOut):
    """An alert on its network's board: what AlertOut shows an overseer (no
    details, ever: the view gives none), with whom it was offered to, the debriefs of a closed
    one (their outcome, never their words), and for a facilitator the
    member's plan id (for a break-glass read). Reads the prefetched offers
    and debriefs: no query per alert."""

    offers = serializers.SerializerMethodField()
    debriefs = serializers.SerializerMethodField()
    plan_id = serializers.SerializerMethodField(
        help_text="the member's plan, for a break-glass read: facilitators only, else null"
    )

    def _offers(self, alert: Alert) -> list[Offer]:
        return list(alert.offers.all())

    def get_offered_count(self, alert: Alert) -> int:
        return len(self._offers(alert))

    def _has_offers(self, alert: Alert) -> bool:
        return bool(self._offers(alert))

    def get_my_offer(self, alert: Alert) -> dict[str, Any] | None:
        viewer = self.context["viewer"]
        mine = next((offer for offer in self._offers(alert) if offer.person_id == viewer.pk), None)
        return MyOfferOut(mine).data if mine is not None else None

    @extend_schema_field(BoardOfferOut(many=True))
    def get_offers(self, alert: Alert) -> list[dict[str, Any]]:
        return BoardOfferOut(self._offers(alert), many=True).data

    @extend_schema_field(BoardDebriefOut(many=True))
    def get_debriefs(self, alert: Alert) -> list[dict[str, Any]]:
        return [
            BoardDebriefOut(
                {
                    "author": debrief.author,
                    "side": None
                    if debrief.author_id is None
                    else "member"
                    if debrief.author_id == alert.member_id
                    else "supporter",
                    "emergency_services": debrief.emergency_services,
                    "follow_up_wanted": debrief.follow_up_wanted,
                    "created_at": debrief.created_at,
                }
            ).data
            for debrief in alert.debriefs.all()
        ]

    def get_plan_id(self, alert: Alert) -> int | None:
        return self.context.get("plan_ids", {}).get(alert.member_id)


class BoardQueryIn(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["open", "closed"], default="open", help_text="open (and taken) alerts, or closed ones"
    )
