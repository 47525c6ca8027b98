"""Members amend their network's rules: a proposal, the members' votes, and a
facilitator's ratification. Applied proposals are the history of the rules."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as dj_timezone

from foundation.sealing import SealedTextField
from network.models.networks import Network
from network.models.people import Person


class RuleChangeProposal(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open for votes"
        PASSED = "passed", "Passed, waiting for a facilitator"
        FAILED_NO_QUORUM = "failed_no_quorum", "Not enough members voted"
        REJECTED = "rejected", "Voted down"
        RATIFIED = "ratified", "Ratified"
        SENT_BACK = "sent_back", "Sent back by a facilitator"
        APPLIED = "applied", "In effect"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="rule_proposals")
    proposer = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    # {name: value} over the registered settings (network/rule_settings.py).
    changes = models.JSONField(default=dict, blank=True)
    changes_house_rules = models.BooleanField(default=False)
    house_rules = SealedTextField(
        owner=("proposer_id",), purpose="network.rulechangeproposal.house_rules", blank=True, max_length=10000
    )
    reason = SealedTextField(
        owner=("proposer_id",), purpose="network.rulechangeproposal.reason", blank=True, max_length=2000
    )
    # The house rules as adopted, sealed again at ratification under the
    # service's own key (network/actions/rules.py, _service_key_holder): the
    # proposer's key above dies with their account, the network's rules must not.
    house_rules_keeper = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_house_rules = SealedTextField(
        owner=("house_rules_keeper_id",),
        purpose="network.rulechangeproposal.adopted_house_rules",
        blank=True,
        max_length=10000,
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=dj_timezone.now)
    voting_opens_at = models.DateTimeField(default=dj_timezone.now)
    voting_closes_at = models.DateTimeField()
    # The network's voting rule when the proposal was made.
    quorum_percent = models.PositiveSmallIntegerField()
    majority_percent = models.PositiveSmallIntegerField()
    # Counted when the window closes.
    eligible_count = models.PositiveIntegerField(null=True, blank=True)
    yes_count = models.PositiveIntegerField(null=True, blank=True)
    no_count = models.PositiveIntegerField(null=True, blank=True)
    abstain_count = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = SealedTextField(
        owner=("decided_by_id",),
        purpose="network.rulechangeproposal.decision_reason",
        blank=True,
        max_length=2000,
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True, help_text="the rules' version it made")
    previous = models.JSONField(default=dict, blank=True, help_text="the settings it replaced")

    class Meta:
        indexes = [models.Index(fields=["network", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "version"],
                condition=models.Q(version__isnull=False),
                name="one_rules_version",
            )
        ]

    def __str__(self) -> str:
        return f"rule change {self.pk} in {self.network_id} ({self.state})"


class RuleVote(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        ABSTAIN = "abstain", "Abstain"

    proposal = models.ForeignKey(RuleChangeProposal, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="one_vote_per_member")]

    def __str__(self) -> str:
        return f"{self.choice} on {self.proposal_id}"
