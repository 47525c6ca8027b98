"""Thin REST views of a network's coping-strategy library and plan policy."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans import actions, selectors
from crisisplans.rule_settings import PLAN_GRACE_HOURS
from crisisplans.serializers import CopingStrategyIn, CopingStrategyOut, PlanPolicySerializer
from foundation.idempotency import idempotent
from foundation.pagination import Pagination
from network.rule_settings import require_within_floor
from network.selectors import access_network_by_id


class CopingStrategyListApi(APIView):
    """The shared libraries of your networks: what worked for members."""

    pagination_class = Pagination  # documents the page shape in the schema

    @extend_schema(responses=CopingStrategyOut(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        queryset = selectors.coping_strategies_for(person=request.user)
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        return paginator.get_paginated_response(CopingStrategyOut(page, many=True).data)

    @extend_schema(request=CopingStrategyIn, responses={201: CopingStrategyOut})
    @idempotent
    def post(self, request: Request) -> Response:
        data = CopingStrategyIn(data=request.data)
        data.is_valid(raise_exception=True)
        network = access_network_by_id(person=request.user, network_id=data.validated_data["network"])
        strategy = actions.do_add_coping_strategy(
            author=request.user,
            network=network,
            text=data.validated_data["text"],
            show_author=data.validated_data["show_author"],
        )
        return Response(CopingStrategyOut(strategy).data, status=status.HTTP_201_CREATED)


class PlanPolicyApi(APIView):
    """A network's plan settings (the on-call peer's grace period)."""

    @extend_schema(responses=PlanPolicySerializer)
    def get(self, request: Request, network_id: int) -> Response:
        network = access_network_by_id(person=request.user, network_id=network_id)
        hours = selectors.grace_period_for(network_id=network.pk).total_seconds() // 3600
        return Response(PlanPolicySerializer({"alert_grace_hours": int(hours)}).data)

    @extend_schema(request=PlanPolicySerializer, responses=PlanPolicySerializer)
    def put(self, request: Request, network_id: int) -> Response:
        network = access_network_by_id(person=request.user, network_id=network_id)
        data = PlanPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            # Who may set it is the action's rule (403 first); then the service's
            # safety floor, which binds a direct change as much as a vote.
            policy = actions.do_set_plan_policy(person=request.user, network=network, **data.validated_data)
            require_within_floor({PLAN_GRACE_HOURS: policy.alert_grace_hours}, proposal=False)
        return Response(PlanPolicySerializer(policy).data)
