"""Thin REST views of who may read the plan: consent and break-glass."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans import actions, selectors
from crisisplans.api.plans import API, reading_body
from crisisplans.serializers import BreakGlassIn, BreakGlassOut, ConsentSerializer


class ConsentApi(APIView):
    """Who may read which section. Only the owner sees or changes it."""

    @extend_schema(responses=ConsentSerializer)
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        return Response(ConsentSerializer(selectors.consents_of(plan=plan)).data)

    @extend_schema(request=ConsentSerializer, responses=ConsentSerializer)
    def put(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        data = ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        for audience, sections in data.validated_data.items():
            actions.do_set_consent(owner=request.user, plan=plan, audience=audience, sections=sections)
        return Response(ConsentSerializer(selectors.consents_of(plan=plan)).data)


class BreakGlassApi(APIView):
    """A facilitator reads the whole plan without consent, giving a reason.
    The owner is told; the read is logged as break-glass."""

    @extend_schema(request=BreakGlassIn, responses={201: BreakGlassOut})
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_plan_by_id(person=request.user, plan_id=plan_id)
        data = BreakGlassIn(data=request.data)
        data.is_valid(raise_exception=True)
        break_glass = actions.do_open_break_glass(
            reader=request.user, plan=plan, reason=data.validated_data["reason"]
        )
        reading = actions.read_plan_content(
            reader=request.user, plan=plan, revision=plan.active_revision, channel=API
        )
        body = {"break_glass": break_glass, "reading": reading_body(reading)}
        return Response(BreakGlassOut(body).data, status=status.HTTP_201_CREATED)
