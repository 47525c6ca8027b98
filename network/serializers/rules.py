from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from network import rule_settings
from network.models import RuleChangeProposal, RuleVote
from network.selectors.rules import adopted_text


class RuleProposalIn(serializers.Serializer):
    changes = serializers.JSONField(
        required=False,
        default=dict,
        help_text=(
            "{name: value} over the settings GET networks/{id}/rules/ lists as proposable; "
            "a value beyond the safety floor is refused with the floor's reason"
        ),
    )
    house_rules = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10000,
        help_text="the whole new text; leave out to keep it",
    )
    reason = serializers.CharField(max_length=2000)
    voting_days = serializers.IntegerField(min_value=1, max_value=28, required=False)

    def validate_changes(self, value: Any) -> dict[str, Any]:
        try:
            return rule_settings.parse_changes(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("changes") and "house_rules" not in attrs:
            raise serializers.ValidationError("Propose at least one change: a setting or the house rules.")
        return attrs


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
    changes = serializers.JSONField(help_text="{name: value}: the settings it changes")
    house_rules = serializers.SerializerMethodField()
    discussion_id = serializers.UUIDField(
        allow_null=True, read_only=True, help_text="its conversation: GET /api/v1/conversations/{id}/"
    )
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
            "discussion_id",
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
        return adopted_text(proposal) if proposal.changes_house_rules else None

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


class ProposableOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=rule_settings.KINDS)
    help = serializers.CharField()
    min = serializers.IntegerField(allow_null=True, help_text="the safety floor's lower limit")
    max = serializers.IntegerField(allow_null=True, help_text="the safety floor's upper limit")
    unit = serializers.CharField(allow_null=True)


class RulesOut(serializers.Serializer):
    version = serializers.IntegerField(help_text="0: the rules the network was set up with")
    settings = serializers.DictField(
        child=serializers.JSONField(),
        help_text="every proposable setting's value now, by name, and emergency_routes (always shown, "
        "never a proposal's to change)",
    )
    house_rules = serializers.CharField(allow_null=True)
    safety_floor = serializers.DictField(help_text="the service's limits no vote can cross")
    proposable = ProposableOut(many=True, help_text="what a proposal's changes may name, for its form")
    voting_days = serializers.IntegerField(help_text="how long a new proposal is open for votes")
    history = RuleProposalOut(many=True, help_text="every applied version, newest first")
