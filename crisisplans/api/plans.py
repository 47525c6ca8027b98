"""Thin REST views of a plan, its revisions, sign-off, comments and access
log: parse, call a selector or action, serialise."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans import actions, selectors
from crisisplans.actions.reading import PlanReading
from crisisplans.models import AccessRecord, Plan
from crisisplans.sections import SECTION_NAMES
from crisisplans.serializers import (
    AccessRecordOut,
    CommentIn,
    CommentOut,
    ComparisonOut,
    PlanCreateIn,
    PlanOut,
    ReadingOut,
    RevisionIn,
    RevisionOut,
    SignOffIn,
    SignOffOut,
)
from foundation.idempotency import idempotent
from foundation.pagination import Pagination

API = AccessRecord.Channel.API


def plan_body(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "owner": plan.owner,
        "created_at": plan.created_at,
        "active_revision": plan.active_revision.number if plan.active_revision else None,
        "review_due_at": plan.review_due_at,
        "review_prompted_at": plan.review_prompted_at,
    }


def reading_body(reading: PlanReading) -> dict[str, Any]:
    return {
        "plan": plan_body(reading.plan),
        "revision": reading.revision.number if reading.revision else None,
        "sections": reading.sections,
        "withheld": reading.withheld,
        "why": {name: reading.decisions[name].why for name in reading.sections},
    }


class PlanListApi(APIView):
    """Your own plan and the plans you co-write (metadata only)."""

    @extend_schema(responses=PlanOut(many=True))
    def get(self, request: Request) -> Response:
        plans = selectors.plans_for(person=request.user)
        return Response(PlanOut([plan_body(plan) for plan in plans], many=True).data)

    @extend_schema(request=PlanCreateIn, responses={201: PlanOut})
    @idempotent
    def post(self, request: Request) -> Response:
        data = PlanCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        plan = actions.do_create_plan(owner=request.user, sections=data.validated_data["sections"])
        return Response(PlanOut(plan_body(plan)).data, status=status.HTTP_201_CREATED)


class PlanDetailApi(APIView):
    """The signed-off plan: the sections you may read now, and why. Logged."""

    @extend_schema(responses=ReadingOut)
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_plan_by_id(person=request.user, plan_id=plan_id)
        reading = actions.read_plan_content(
            reader=request.user, plan=plan, revision=plan.active_revision, channel=API
        )
        return Response(ReadingOut(reading_body(reading)).data)


class RevisionListApi(APIView):
    """Revisions (owner and co-authors). Every change is a new revision."""

    @extend_schema(responses=RevisionOut(many=True))
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_co_written_plan_by_id(person=request.user, plan_id=plan_id)
        return Response(RevisionOut(selectors.revisions_of(plan=plan), many=True).data)

    @extend_schema(request=RevisionIn, responses={201: RevisionOut})
    @idempotent
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_co_written_plan_by_id(person=request.user, plan_id=plan_id)
        data = RevisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        revision = actions.do_propose_revision(
            author=request.user, plan=plan, sections=data.validated_data["sections"]
        )
        return Response(RevisionOut(revision).data, status=status.HTTP_201_CREATED)


class RevisionDetailApi(APIView):
    """One revision's sections you may read. Logged."""

    @extend_schema(responses=ReadingOut)
    def get(self, request: Request, plan_id: int, number: int) -> Response:
        revision = selectors.access_revision_by_number(person=request.user, plan_id=plan_id, number=number)
        reading = actions.read_plan_content(
            reader=request.user, plan=revision.plan, revision=revision, channel=API
        )
        return Response(ReadingOut(reading_body(reading)).data)


class RevisionCompareApi(APIView):
    """Two revisions side by side, section by section. Logged."""

    @extend_schema(
        parameters=[
            OpenApiParameter("older", int, required=True),
            OpenApiParameter("newer", int, required=True),
        ],
        responses=ComparisonOut,
    )
    def get(self, request: Request, plan_id: int) -> Response:
        numbers = {}
        for name in ("older", "newer"):
            value = request.query_params.get(name, "")
            if not value.isdigit():
                raise ValidationError({name: ["Give a revision number."]})
            numbers[name] = int(value)
        readings = {
            name: actions.read_plan_content(
                reader=request.user,
                plan=(
                    revision := selectors.access_revision_by_number(
                        person=request.user, plan_id=plan_id, number=number
                    )
                ).plan,
                revision=revision,
                channel=API,
            )
            for name, number in numbers.items()
        }
        older, newer = readings["older"], readings["newer"]
        shown = [name for name in SECTION_NAMES if name not in older.withheld]
        body = {
            **numbers,
            "sections": [
                {
                    "section": name,
                    "changed": older.sections.get(name) != newer.sections.get(name),
                    "before": older.sections.get(name),
                    "after": newer.sections.get(name),
                }
                for name in shown
            ],
            "withheld": older.withheld,
        }
        return Response(ComparisonOut(body).data)


class SignOffApi(APIView):
    """The owner makes a revision the active plan."""

    @extend_schema(request=SignOffIn, responses={201: SignOffOut})
    def post(self, request: Request, plan_id: int, number: int) -> Response:
        revision = selectors.access_revision_by_number(person=request.user, plan_id=plan_id, number=number)
        data = SignOffIn(data=request.data)
        data.is_valid(raise_exception=True)
        sign_off = actions.do_sign_off_revision(owner=request.user, revision=revision, **data.validated_data)
        return Response(SignOffOut(sign_off).data, status=status.HTTP_201_CREATED)


class CommentListApi(APIView):
    """Comments of the co-writing circle. Reading them is logged."""

    @extend_schema(responses=CommentOut(many=True))
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_co_written_plan_by_id(person=request.user, plan_id=plan_id)
        return Response(
            CommentOut(actions.read_comments(reader=request.user, plan=plan, channel=API), many=True).data
        )

    @extend_schema(request=CommentIn, responses={201: None})
    @idempotent
    def post(self, request: Request, plan_id: int) -> Response:
        data = CommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        revision = selectors.access_revision_by_number(
            person=request.user, plan_id=plan_id, number=data.validated_data["revision"]
        )
        comment = actions.do_add_comment(
            author=request.user,
            revision=revision,
            section=data.validated_data["section"],
            text=data.validated_data["text"],
        )
        return Response({"id": comment.pk}, status=status.HTTP_201_CREATED)


class AccessLogApi(APIView):
    """Who read your plan, in which role, why and when. Owner only."""

    # drf-spectacular documents the page shape only for views with a pagination_class.
    pagination_class = Pagination

    @extend_schema(responses=AccessRecordOut(many=True))
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.access_log_of(plan=plan), request, view=self) or []
        names = selectors.display_names_of(person_ids={r.reader_id for r in page})
        labels = selectors.share_labels_of(
            plan=plan, refs={r.reason_ref for r in page if r.reason == "share"}
        )
        out = AccessRecordOut(page, many=True, context={"reader_names": names, "share_labels": labels})
        return paginator.get_paginated_response(out.data)
