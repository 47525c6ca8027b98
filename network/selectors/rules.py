"""Reads of rule proposals and the rules' history, with permission checks built in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from rest_framework.exceptions import NotFound

from network import rule_settings
from network.models import Network, Person, RuleChangeProposal, RuleVote
from network.selectors.core import _require_role


def proposals_of(*, network: Network) -> QuerySet[RuleChangeProposal]:
    """Newest first, with the live vote counts (final counts are on the row once closed)."""
    return (
        RuleChangeProposal.objects.filter(network=network)
        .select_related("proposer", "decided_by")
        .annotate(
            # Its discussion (messaging's Conversation, related_name "discussion"):
            # read through the relation, so this app imports nothing of messaging.
            discussion_id=F("discussion__id"),
            live_yes=Count("votes", filter=Q(votes__choice=RuleVote.Choice.YES)),
            live_no=Count("votes", filter=Q(votes__choice=RuleVote.Choice.NO)),
            live_abstain=Count("votes", filter=Q(votes__choice=RuleVote.Choice.ABSTAIN)),
        )
        .order_by("-created_at", "-pk")
    )


def with_my_vote(queryset: QuerySet[RuleChangeProposal], *, person: Person) -> QuerySet[RuleChangeProposal]:
    return queryset.prefetch_related(
        Prefetch("votes", queryset=RuleVote.objects.filter(member=person), to_attr="my_votes")
    )


def access_proposal_by_id(
    *, person: Person, proposal_id: int, roles: tuple[str, ...] | None = None
) -> RuleChangeProposal:
    """A proposal in one of the person's networks (404 otherwise), checked for ``roles`` (403)."""
    proposal = RuleChangeProposal.objects.filter(pk=proposal_id).select_related("network").first()
    if proposal is None:
        raise NotFound
    _require_role(person=person, network_id=proposal.network_id, roles=roles)
    return proposal


@dataclass
class Rules:
    network: Network
    version: int
    settings: dict[str, Any]
    house_rules: str | None
    history: list[RuleChangeProposal] = field(default_factory=list)


def current_rules(*, network: Network) -> Rules:
    """The rules now (version 0 is the network as it was set up) and every applied version, newest first."""
    history = list(
        proposals_of(network=network).filter(state=RuleChangeProposal.State.APPLIED).order_by("-version")
    )
    house = next((p for p in history if p.changes_house_rules), None)
    return Rules(
        network=network,
        version=history[0].version if history else 0,
        settings={
            **rule_settings.current_settings(network),
            "emergency_routes": network.emergency_routes,
        },
        house_rules=adopted_text(house) if house else "",
        history=history,
    )


def adopted_text(proposal: RuleChangeProposal) -> str:
    """The adopted text, sealed under the service's key at ratification; a
    version ratified before that was kept still reads from the proposer's."""
    if proposal.house_rules_keeper_id is None:
        return proposal.house_rules
    return proposal.adopted_house_rules
