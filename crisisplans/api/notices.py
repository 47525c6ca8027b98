"""Thin REST views of the notices an owner must see."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans import actions, selectors
from crisisplans.api.plans import API
from crisisplans.serializers import NoticeOut
from foundation.pagination import Pagination


class NoticeListApi(APIView):
    """What you must know about your plan: break-glass reads (with the
    reason given) and prompts to review after a crisis."""

    pagination_class = Pagination  # documents the page shape in the schema

    @extend_schema(responses=NoticeOut(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = (
            paginator.paginate_queryset(selectors.notices_for(person=request.user), request, view=self) or []
        )
        for notice in page:
            if notice.break_glass is not None:
                notice.reason = actions.read_break_glass_reason(  # type: ignore[attr-defined]
                    owner=request.user, break_glass=notice.break_glass, channel=API
                )
        return paginator.get_paginated_response(NoticeOut(page, many=True).data)
