"""Members amend their network's rules: propose, vote, close, ratify or send back.

A ratified change is applied setting by setting through the action of the app
that owns it (network/rule_settings.py: ``do_update_network`` for the
network's own, the one ``PATCH networks/<id>/`` uses), so it takes effect from
the next alert on: running alerts carry their own snapshot of the escalation
policy and first-contact time. Adopted house rules are sealed again under the
service's key, so they outlive the member who proposed them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from foundation.problems import Conflict
from network import rule_settings
from network.actions.membership import do_update_network
from network.models import Membership, Network, Person, RuleChangeProposal, RuleVote
from network.rule_settings import BelowSafetyFloor
from network.signals import rule_proposal_changed

__all__ = ["BelowSafetyFloor"]

# The service's own account whose data key seals the adopted house rules. Data
# keys belong to people (crisisplans.models.DataKey), so a key of the service
# is the key of an account that is nobody: never a member, never signs in
# (inactive, no password), its number one no phone can have (not a valid UK
# number, so no sign-in can ask for it). A network-owned key would need a new
# kind of key row in crisisplans; this reuses the same envelope encryption and
# master-key rotation. The rules then outlive every member, while deleting the
# network still takes them with it (the proposals cascade).
SERVICE_KEY_HOLDER_NUMBER = "+440000000000"
SERVICE_KEY_HOLDER_NAME = "The service (keeps the networks' rules)"


def _service_key_holder() -> Person:
    holder = Person.objects.filter(phone_number=SERVICE_KEY_HOLDER_NUMBER).first()
    if holder is None:
        holder = Person.objects.create_user(
            SERVICE_KEY_HOLDER_NUMBER, SERVICE_KEY_HOLDER_NAME, is_active=False
        )
    return holder


def _tell(proposal: RuleChangeProposal, change: str) -> None:
    rule_proposal_changed.send(sender=RuleChangeProposal, proposal=proposal, change=change)


def do_propose_rule_change(
    *,
    network: Network,
    proposer: Person,
    changes: dict[str, Any],
    house_rules: str | None,
    reason: str,
    voting_days: int | None = None,
    now: datetime | None = None,
) -> RuleChangeProposal:
    """Any current member proposes (the caller checks membership) a change of
    registered settings (network/rule_settings.py), parsed by the caller;
    refused when it crosses the safety floor."""
    rule_settings.require_within_floor(changes)
    now = now or timezone.now()
    days = voting_days or settings.RULES_VOTING_DAYS_DEFAULT
    with transaction.atomic():
        proposal = RuleChangeProposal.objects.create(
            network=network,
            proposer=proposer,
            changes=changes,
            changes_house_rules=house_rules is not None,
            house_rules=house_rules or "",
            reason=reason,
            created_at=now,
            voting_opens_at=now,
            voting_closes_at=now + timedelta(days=days),
            quorum_percent=network.vote_quorum_percent,
            majority_percent=network.vote_majority_percent,
        )
        _tell(proposal, "proposed")
    return proposal


def do_vote(
    *, proposal: RuleChangeProposal, member: Person, choice: str, now: datetime | None = None
) -> RuleVote:
    """Once per member, while the window is open (409 otherwise)."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = RuleChangeProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != RuleChangeProposal.State.OPEN or now >= proposal.voting_closes_at:
            raise Conflict("Voting on this proposal has closed.")
        if RuleVote.objects.filter(proposal=proposal, member=member).exists():
            raise Conflict("You have already voted on this proposal.")
        vote = RuleVote.objects.create(proposal=proposal, member=member, choice=choice, at=now)
        # Members' screens show the live counts: they refetch on this (it says
        # neither who voted nor how).
        _tell(proposal, "voted")
        return vote


def do_close_proposal(*, proposal: RuleChangeProposal, now: datetime | None = None) -> RuleChangeProposal:
    """Count an open proposal whose window has ended: passed, failed_no_quorum or
    rejected. Quorum is against the network's current members; only their votes count."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = RuleChangeProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != RuleChangeProposal.State.OPEN or now < proposal.voting_closes_at:
            return proposal
        current = Membership.objects.filter(network_id=proposal.network_id, left_at__isnull=True)
        counts = RuleVote.objects.filter(
            proposal=proposal, member_id__in=current.values("person_id")
        ).aggregate(
            yes=Count("pk", filter=Q(choice=RuleVote.Choice.YES)),
            no=Count("pk", filter=Q(choice=RuleVote.Choice.NO)),
            abstain=Count("pk", filter=Q(choice=RuleVote.Choice.ABSTAIN)),
        )
        eligible = current.count()
        cast = counts["yes"] + counts["no"] + counts["abstain"]
        if cast * 100 < proposal.quorum_percent * eligible or cast == 0:
            proposal.state = RuleChangeProposal.State.FAILED_NO_QUORUM
        elif counts["yes"] * 100 > proposal.majority_percent * (counts["yes"] + counts["no"]):
            proposal.state = RuleChangeProposal.State.PASSED
        else:
            proposal.state = RuleChangeProposal.State.REJECTED
        proposal.eligible_count = eligible
        proposal.yes_count, proposal.no_count, proposal.abstain_count = (
            counts["yes"],
            counts["no"],
            counts["abstain"],
        )
        proposal.closed_at = now
        proposal.save(
            update_fields=[
                "state",
                "eligible_count",
                "yes_count",
                "no_count",
                "abstain_count",
                "closed_at",
            ]
        )
        _tell(proposal, "closed")
    return proposal


def do_close_due_proposals(*, network: Network | None = None, now: datetime | None = None) -> int:
    """Close every open proposal whose window has ended (lazily on read, and periodically)."""
    now = now or timezone.now()
    due = RuleChangeProposal.objects.filter(state=RuleChangeProposal.State.OPEN, voting_closes_at__lte=now)
    if network is not None:
        due = due.filter(network=network)
    closed = 0
    for proposal in due:
        do_close_proposal(proposal=proposal, now=now)
        closed += 1
    return closed


def _decide(proposal: RuleChangeProposal, now: datetime) -> RuleChangeProposal:
    do_close_proposal(proposal=proposal, now=now)
    proposal = RuleChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != RuleChangeProposal.State.PASSED:
        raise Conflict(f"Only a passed proposal can be decided; this one is {proposal.get_state_display()}.")
    return proposal


def do_ratify(
    *, proposal: RuleChangeProposal, actor: Person, now: datetime | None = None
) -> RuleChangeProposal:
    """A facilitator ratifies a passed proposal; it is applied at once, through
    the same action as PATCH networks/<id>/, as the network's next rules version."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = _decide(proposal, now)
        network = Network.objects.select_for_update().get(pk=proposal.network_id)
        # The floor is checked again: it may have risen since the proposal was made.
        rule_settings.require_within_floor(proposal.changes)
        chosen = {name: rule_settings.get(name) for name in proposal.changes}
        proposal.previous = {name: setting.read(network) for name, setting in chosen.items() if setting}
        proposal.state = RuleChangeProposal.State.RATIFIED
        proposal.decided_by, proposal.decided_at = actor, now
        # Each through its owner's action, which checks the floor again: the
        # network's own fields together through do_update_network, the upper
        # apps' settings through theirs.
        own = {name: proposal.changes[name] for name, s in chosen.items() if s and s.apply is None}
        if own:
            do_update_network(network=network, **own)
        for name, setting in chosen.items():
            if setting is not None and setting.apply is not None:
                setting.apply(network, proposal.changes[name], actor)
        if proposal.changes_house_rules:
            proposal.house_rules_keeper = _service_key_holder()
            proposal.adopted_house_rules = proposal.house_rules
        latest = RuleChangeProposal.objects.filter(network=network).aggregate(v=Max("version"))["v"]
        proposal.version = (latest or 0) + 1
        proposal.state = RuleChangeProposal.State.APPLIED
        proposal.applied_at = now
        proposal.save(
            update_fields=[
                "previous",
                "state",
                "decided_by",
                "decided_at",
                "version",
                "applied_at",
                "house_rules_keeper",
                "adopted_house_rules",
            ]
        )
        _tell(proposal, "ratified")
    return proposal


def do_send_back(
    *, proposal: RuleChangeProposal, actor: Person, reason: str, now: datetime | None = None
) -> RuleChangeProposal:
    """A facilitator sends a passed proposal back with a reason the members see."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = _decide(proposal, now)
        proposal.state = RuleChangeProposal.State.SENT_BACK
        proposal.decided_by, proposal.decided_at = actor, now
        proposal.decision_reason = reason
        proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        _tell(proposal, "sent_back")
    return proposal
