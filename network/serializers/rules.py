from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from network.models import RuleChangeProposal, RuleVote, validate_escalation_steps
from network.serializers.membership import (
    EmergencyRouteSerializer,
    EscalationStepSerializer,
    _django_validator,
)


class RuleChangesIn(serializers.Serializer):
    escalation_steps = EscalationStepSerializer(many=True, required=False)
    size_cap = serializers.IntegerField(min_value=1, max_value=500, required=False)
    vote_quorum_percent = serializers.IntegerField(
        min_value=1, max_value=100, required=False, help_text="share of current members who must vote"
    )
    vote_majority_percent = serializers.IntegerField(
        min_value=0,
        max_value=99,
        required=False,
        help_text="a change passes with more than this share of yes",
    )
    emergency_routes = EmergencyRouteSerializer(
        many=True, required=False, help_text="always refused: emergency routes are under the safety floor"
    )

    def validate_escalation_steps(self, value: list[Any]) -> list[dict[str, Any]]:
        steps = [dict(step) for step in value]
        _django_validator(validate_escalation_steps)(steps)
        return steps


class RuleProposalIn(serializers.Serializer):
    changes = RuleChangesIn(required=False, default=dict)
    house_rules = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10000,
        help_text="the whole new text; leave out to keep it",
    )
    reason = serializers.CharField(max_length=2000)
    voting_days = serializers.IntegerField(min_value=1, max_value=28, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["changes"] = {key: _plain(value) for key, value in attrs.get("changes", {}).items()}
        if not attrs["changes"] and "house_rules" not in attrs:
            raise serializers.ValidationError("Propose at least one change: a setting or the house rules.")
        return attrs


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(item) for item in value]
    return value


class VoteIn(serializers.Serializer):
    choice = serializers.ChoiceField(choices=RuleVote.Choice.choices)


class SendBackIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="the members see it")


class RulePersonRef(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class VoteCounts(serializers.Serializer):
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    abstain = serializers.IntegerField()
    eligible = serializers.IntegerField(allow_null=True, help_text="current members when voting closed")


class VoteOut(serializers.ModelSerializer):
    class Meta:
        model = RuleVote
        fields = ["id", "proposal", "choice", "at"]


class RuleProposalOut(serializers.ModelSerializer):
    proposer = RulePersonRef(allow_null=True)
    decided_by = RulePersonRef(allow_null=True)
    changes = RuleChangesIn()
    house_rules = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField()
    my_vote = serializers.SerializerMethodField()

    class Meta:
        model = RuleChangeProposal
        fields = [
            "id",
            "network",
            "state",
            "proposer",
            "reason",
            "changes",
            "house_rules",
            "created_at",
            "voting_opens_at",
            "voting_closes_at",
            "quorum_percent",
            "majority_percent",
            "votes",
            "my_vote",
            "closed_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "version",
            "applied_at",
            "previous",
        ]

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="null: the house rules stay as they are")
    )
    def get_house_rules(self, proposal: RuleChangeProposal) -> str | None:
        return proposal.house_rules if proposal.changes_house_rules else None

    @extend_schema_field(VoteCounts)
    def get_votes(self, proposal: RuleChangeProposal) -> dict[str, Any]:
        if proposal.closed_at is not None:
            counts = (proposal.yes_count, proposal.no_count, proposal.abstain_count)
        else:
            counts = (
                getattr(proposal, "live_yes", 0),
                getattr(proposal, "live_no", 0),
                getattr(proposal, "live_abstain", 0),
            )
        return {"yes": counts[0], "no": counts[1], "abstain": counts[2], "eligible": proposal.eligible_count}

    @extend_schema_field(serializers.ChoiceField(choices=RuleVote.Choice.choices, allow_null=True))
    def get_my_vote(self, proposal: RuleChangeProposal) -> str | None:
        mine = getattr(proposal, "my_votes", None)
        return mine[0].choice if mine else None


class RuleSettingsOut(serializers.Serializer):
    escalation_steps = EscalationStepSerializer(many=True)
    size_cap = serializers.IntegerField()
    emergency_routes = EmergencyRouteSerializer(many=True)
    vote_quorum_percent = serializers.IntegerField()
    vote_majority_percent = serializers.IntegerField()


class RulesOut(serializers.Serializer):
    version = serializers.IntegerField(help_text="0: the rules the network was set up with")
    settings = RuleSettingsOut()
    house_rules = serializers.CharField(allow_null=True)
    safety_floor = serializers.DictField(help_text="the service's limits no vote can cross")
    history = RuleProposalOut(many=True, help_text="every applied version, newest first")
