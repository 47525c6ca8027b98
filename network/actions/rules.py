"""Members amend their network's rules: propose, vote, close, ratify or send back.

A ratified change is applied through ``do_update_network``, the action that
``PATCH networks/<id>/`` uses, so it takes effect from the next alert on:
running alerts carry their own snapshot of the escalation policy.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException

from foundation.problems import Conflict
from network.actions.membership import do_update_network
from network.models import Membership, Network, Person, RuleChangeProposal, RuleVote
from network.signals import rule_proposal_changed

# The settings a proposal may change here (the upper apps own the rest).
PROPOSABLE_SETTINGS = ("escalation_steps", "size_cap", "vote_quorum_percent", "vote_majority_percent")


class BelowSafetyFloor(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "This change crosses the service's safety floor."
    default_code = "below_safety_floor"


def safety_floor_breach(changes: dict[str, Any]) -> str | None:
    """The floor rule a change would cross, in words, or None."""
    floor = settings.RULES_SAFETY_FLOOR
    if floor.get("emergency_routes_locked") and "emergency_routes" in changes:
        return "Emergency routes are always shown: no proposal may change or remove them."
    steps = changes.get("escalation_steps")
    if steps is not None:
        if len(steps) > floor["max_steps"]:
            return f"An alert may pass through at most {floor['max_steps']} escalation steps."
        if not steps or steps[-1]["audience"] != floor["last_step_audience"]:
            return "There is always a staff step: the last escalation step must reach navigators and staff."
        for index, step in enumerate(steps, start=1):
            wait = step["wait_seconds"]
            if not floor["min_wait_seconds"] <= wait <= floor["max_wait_seconds"]:
                return (
                    f"Step {index}: every wait must be between {floor['min_wait_seconds']} and "
                    f"{floor['max_wait_seconds']} seconds."
                )
    size_cap = changes.get("size_cap")
    if size_cap is not None and not floor["min_size_cap"] <= size_cap <= floor["max_size_cap"]:
        return f"The size cap must be between {floor['min_size_cap']} and {floor['max_size_cap']}."
    quorum = changes.get("vote_quorum_percent")
    if quorum is not None and not floor["min_quorum_percent"] <= quorum <= 100:
        return f"The quorum must be between {floor['min_quorum_percent']}% and 100% of members."
    majority = changes.get("vote_majority_percent")
    if majority is not None and not floor["min_majority_percent"] <= majority <= 99:
        return (
            f"The majority must be between {floor['min_majority_percent']}% and 99%: a change passes "
            "with more than that share of yes votes."
        )
    return None


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
    """Any current member proposes (the caller checks membership); refused below the floor."""
    unknown = set(changes) - set(PROPOSABLE_SETTINGS)
    breach = safety_floor_breach(changes)
    if breach:
        raise BelowSafetyFloor(breach)
    if unknown:
        raise BelowSafetyFloor(f"A proposal here may change only {', '.join(PROPOSABLE_SETTINGS)}.")
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
        return RuleVote.objects.create(proposal=proposal, member=member, choice=choice, at=now)


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
        breach = safety_floor_breach(proposal.changes)
        if breach:
            raise BelowSafetyFloor(breach)
        proposal.previous = {name: getattr(network, name) for name in proposal.changes}
        proposal.state = RuleChangeProposal.State.RATIFIED
        proposal.decided_by, proposal.decided_at = actor, now
        if proposal.changes:
            do_update_network(network=network, **proposal.changes)
        latest = RuleChangeProposal.objects.filter(network=network).aggregate(v=Max("version"))["v"]
        proposal.version = (latest or 0) + 1
        proposal.state = RuleChangeProposal.State.APPLIED
        proposal.applied_at = now
        proposal.save(
            update_fields=["previous", "state", "decided_by", "decided_at", "version", "applied_at"]
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
