"""Thin REST views of a plan's co-writing circle."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans import actions, selectors
from crisisplans.serializers import CoAuthorIn, CoAuthorOut


class CoAuthorListApi(APIView):
    @extend_schema(responses=CoAuthorOut(many=True))
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_co_written_plan_by_id(person=request.user, plan_id=plan_id)
        return Response(CoAuthorOut(selectors.current_co_authors(plan=plan), many=True).data)

    @extend_schema(request=CoAuthorIn, responses={201: CoAuthorOut})
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        data = CoAuthorIn(data=request.data)
        data.is_valid(raise_exception=True)
        person = selectors.person_to_invite(person_id=data.validated_data["person"])
        if person is None:
            raise ValidationError({"person": ["Invite someone from your networks."]})
        co_author = actions.do_invite_co_author(owner=request.user, plan=plan, person=person)
        return Response(CoAuthorOut(co_author).data, status=status.HTTP_201_CREATED)


class CoAuthorRemoveApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, plan_id: int, person_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        actions.do_remove_co_author(owner=request.user, plan=plan, person_id=person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
