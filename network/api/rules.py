"""Members amend their network's rules: proposals, votes, ratification, the rules' history."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.idempotency import idempotent
from network import rule_settings, selectors
from network.actions import rules as rule_actions
from network.models import RuleChangeProposal
from network.selectors import FACILITATORS
from network.selectors import rules as rule_selectors
from network.serializers.rules import RuleProposalIn, RuleProposalOut, RulesOut, SendBackIn, VoteIn, VoteOut


def _proposal_out(request: Request, proposal: RuleChangeProposal, code: int = status.HTTP_200_OK) -> Response:
    proposal = rule_selectors.with_my_vote(
        rule_selectors.proposals_of(network=proposal.network), person=request.user
    ).get(pk=proposal.pk)
    return Response(RuleProposalOut(proposal).data, status=code)


class RuleProposalListApi(ListAPIView):
    """Proposals to change this network's rules, newest first (members of the network);
    propose one (any current member). Windows that have ended are counted on read."""

    serializer_class = RuleProposalOut

    def get_queryset(self) -> QuerySet[RuleChangeProposal]:
        network = selectors.access_network_by_id(
            person=self.request.user, network_id=self.kwargs["network_id"]
        )
        rule_actions.do_close_due_proposals(network=network)
        return rule_selectors.with_my_vote(
            rule_selectors.proposals_of(network=network), person=self.request.user
        )

    @extend_schema(request=RuleProposalIn, responses={201: RuleProposalOut})
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        network = selectors.access_network_by_id(person=request.user, network_id=network_id)
        data = RuleProposalIn(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = rule_actions.do_propose_rule_change(
            network=network,
            proposer=request.user,
            changes=data.validated_data["changes"],
            house_rules=data.validated_data.get("house_rules"),
            reason=data.validated_data["reason"],
            voting_days=data.validated_data.get("voting_days"),
        )
        return _proposal_out(request, proposal, status.HTTP_201_CREATED)


class RuleVoteApi(APIView):
    @extend_schema(request=VoteIn, responses={201: VoteOut})
    def post(self, request: Request, proposal_id: int) -> Response:
        """Any current member votes once, while the window is open (409 after, or twice)."""
        proposal = rule_selectors.access_proposal_by_id(person=request.user, proposal_id=proposal_id)
        data = VoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        rule_actions.do_close_proposal(proposal=proposal)
        vote = rule_actions.do_vote(
            proposal=proposal, member=request.user, choice=data.validated_data["choice"]
        )
        return Response(VoteOut(vote).data, status=status.HTTP_201_CREATED)


class RuleRatifyApi(APIView):
    @extend_schema(request=None, responses=RuleProposalOut)
    def post(self, request: Request, proposal_id: int) -> Response:
        """Facilitators: ratify a passed proposal; it takes effect at once, from the next alert on."""
        proposal = rule_selectors.access_proposal_by_id(
            person=request.user, proposal_id=proposal_id, roles=FACILITATORS
        )
        proposal = rule_actions.do_ratify(proposal=proposal, actor=request.user)
        return _proposal_out(request, proposal)


class RuleSendBackApi(APIView):
    @extend_schema(request=SendBackIn, responses=RuleProposalOut)
    def post(self, request: Request, proposal_id: int) -> Response:
        """Facilitators: send a passed proposal back, with a reason the members see."""
        proposal = rule_selectors.access_proposal_by_id(
            person=request.user, proposal_id=proposal_id, roles=FACILITATORS
        )
        data = SendBackIn(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = rule_actions.do_send_back(
            proposal=proposal, actor=request.user, reason=data.validated_data["reason"]
        )
        return _proposal_out(request, proposal)


class RulesApi(APIView):
    @extend_schema(responses=RulesOut)
    def get(self, request: Request, network_id: int) -> Response:
        """The network's rules now and every version before: who proposed, the vote, who ratified, when."""
        network = selectors.access_network_by_id(person=request.user, network_id=network_id)
        rule_actions.do_close_due_proposals(network=network)
        rules = rule_selectors.current_rules(network=network)
        body = {
            "version": rules.version,
            "settings": rules.settings,
            "house_rules": rules.house_rules,
            "safety_floor": settings.RULES_SAFETY_FLOOR,
            "proposable": [setting.describe() for setting in rule_settings.registered()],
            "voting_days": settings.RULES_VOTING_DAYS_DEFAULT,
            "history": rules.history,
        }
        return Response(RulesOut(body).data)
