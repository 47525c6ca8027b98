"""Thin REST views: parse, call a selector or action, serialise."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans import actions, exports, selectors
from crisisplans.access import grace_period_for, relationship
from crisisplans.models import AccessRecord, Audience, Plan, SectionConsent
from crisisplans.reading import PlanReading, read_break_glass_reason, read_comments, read_plan_content
from crisisplans.sections import SECTION_NAMES
from crisisplans.serializers import (
    AccessRecordOut,
    BreakGlassIn,
    BreakGlassOut,
    CoAuthorIn,
    CoAuthorOut,
    CommentIn,
    CommentOut,
    ComparisonOut,
    ConsentSerializer,
    CopingStrategyIn,
    CopingStrategyOut,
    DeleteAccountIn,
    NoticeOut,
    PlanCreateIn,
    PlanOut,
    PlanPolicySerializer,
    ReadingOut,
    RevisionIn,
    RevisionOut,
    SignOffIn,
    SignOffOut,
)
from foundation.pagination import Pagination
from foundation.problems import Conflict
from network.idempotency import idempotent
from network.models import Person

API = AccessRecord.Channel.API


def _plan_body(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "owner": plan.owner,
        "created_at": plan.created_at,
        "active_revision": plan.active_revision.number if plan.active_revision else None,
        "review_due_at": plan.review_due_at,
        "review_prompted_at": plan.review_prompted_at,
    }


def _reading_body(reading: PlanReading) -> dict[str, Any]:
    return {
        "plan": _plan_body(reading.plan),
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
        return Response(PlanOut([_plan_body(plan) for plan in plans], many=True).data)

    @extend_schema(request=PlanCreateIn, responses={201: PlanOut})
    @idempotent
    def post(self, request: Request) -> Response:
        data = PlanCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        plan = actions.do_create_plan(owner=request.user, sections=data.validated_data["sections"])
        return Response(PlanOut(_plan_body(plan)).data, status=status.HTTP_201_CREATED)


class PlanDetailApi(APIView):
    """The signed-off plan: the sections you may read now, and why. Logged."""

    @extend_schema(responses=ReadingOut)
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_plan_by_id(person=request.user, plan_id=plan_id)
        reading = read_plan_content(
            reader=request.user, plan=plan, revision=plan.active_revision, channel=API
        )
        return Response(ReadingOut(_reading_body(reading)).data)


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
        reading = read_plan_content(reader=request.user, plan=revision.plan, revision=revision, channel=API)
        return Response(ReadingOut(_reading_body(reading)).data)


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
            name: read_plan_content(
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
            CommentOut(read_comments(reader=request.user, plan=plan, channel=API), many=True).data
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


class CoAuthorListApi(APIView):
    @extend_schema(responses=CoAuthorOut(many=True))
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_co_written_plan_by_id(person=request.user, plan_id=plan_id)
        current = plan.co_authors.filter(removed_at__isnull=True).select_related("person")
        return Response(CoAuthorOut(current, many=True).data)

    @extend_schema(request=CoAuthorIn, responses={201: CoAuthorOut})
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        data = CoAuthorIn(data=request.data)
        data.is_valid(raise_exception=True)
        person = Person.objects.filter(pk=data.validated_data["person"]).first()
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


def _consent_body(plan: Plan) -> dict[str, list[str]]:
    body: dict[str, list[str]] = {audience: [] for audience in Audience.values}
    current = SectionConsent.objects.filter(plan=plan, withdrawn_at__isnull=True).order_by("section")
    for audience, section in current.values_list("audience", "section"):
        body[audience].append(section)
    return body


class ConsentApi(APIView):
    """Who may read which section. Only the owner sees or changes it."""

    @extend_schema(responses=ConsentSerializer)
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        return Response(ConsentSerializer(_consent_body(plan)).data)

    @extend_schema(request=ConsentSerializer, responses=ConsentSerializer)
    def put(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        data = ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        for audience, sections in data.validated_data.items():
            actions.do_set_consent(owner=request.user, plan=plan, audience=audience, sections=sections)
        return Response(ConsentSerializer(_consent_body(plan)).data)


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
        reading = read_plan_content(
            reader=request.user, plan=plan, revision=plan.active_revision, channel=API
        )
        body = {"break_glass": break_glass, "reading": _reading_body(reading)}
        return Response(BreakGlassOut(body).data, status=status.HTTP_201_CREATED)


class AccessLogApi(APIView):
    """Who read your plan, in which role, why and when. Owner only."""

    # drf-spectacular documents the page shape only for views with a pagination_class.
    pagination_class = Pagination

    @extend_schema(responses=AccessRecordOut(many=True))
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_own_plan_by_id(person=request.user, plan_id=plan_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.access_log_of(plan=plan), request, view=self) or []
        names = dict(
            Person.objects.filter(pk__in={r.reader_id for r in page}).values_list("pk", "display_name")
        )
        out = AccessRecordOut(page, many=True, context={"reader_names": names})
        return paginator.get_paginated_response(out.data)


class PrintablePlanApi(APIView):
    """The signed-off plan as a printable HTML page (sections you may read). Logged."""

    @extend_schema(responses={(200, "text/html"): OpenApiTypes.STR})
    def get(self, request: Request, plan_id: int) -> HttpResponse:
        plan = selectors.access_plan_by_id(person=request.user, plan_id=plan_id)
        html = exports.printable_html(reader=request.user, plan=plan)
        return HttpResponse(html, content_type="text/html; charset=utf-8")


class NoConsentToExport(Conflict):
    default_detail = "The owner has not consented to any section being exported to a care record."
    default_code = "consent_required"


class FhirExportApi(APIView):
    """A FHIR R5 CarePlan (CareTeam contained) with only the sections the
    owner consented to export. For the owner and facilitators over them."""

    @extend_schema(responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR CarePlan")})
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_plan_by_id(person=request.user, plan_id=plan_id)
        standing = relationship(person=request.user, plan=plan)
        if not (standing.is_owner or standing.is_facilitator):
            raise PermissionDenied("Only the owner and their facilitators export plans.")
        care_plan = exports.fhir_care_plan(reader=request.user, plan=plan)
        if care_plan is None:
            raise NoConsentToExport
        return Response(care_plan, content_type="application/fhir+json")


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
                notice.reason = read_break_glass_reason(  # type: ignore[attr-defined]
                    owner=request.user, break_glass=notice.break_glass, channel=API
                )
        return paginator.get_paginated_response(NoticeOut(page, many=True).data)


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
        network = selectors.access_network_by_id(
            person=request.user, network_id=data.validated_data["network"]
        )
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
        network = selectors.access_network_by_id(person=request.user, network_id=network_id)
        hours = grace_period_for(network_id=network.pk).total_seconds() // 3600
        return Response(PlanPolicySerializer({"alert_grace_hours": int(hours)}).data)

    @extend_schema(request=PlanPolicySerializer, responses=PlanPolicySerializer)
    def put(self, request: Request, network_id: int) -> Response:
        network = selectors.access_network_by_id(person=request.user, network_id=network_id)
        data = PlanPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = actions.do_set_plan_policy(person=request.user, network=network, **data.validated_data)
        return Response(PlanPolicySerializer(policy).data)


class MyDataApi(APIView):
    """Everything held about you, as JSON. Reading your plan here is logged."""

    @extend_schema(responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="all your data")})
    def get(self, request: Request) -> Response:
        return Response(exports.my_data(person=request.user))


class DeleteAccountApi(APIView):
    """Delete your account: you are removed and your plan becomes unreadable
    for good. What others need stays, without your name."""

    @extend_schema(request=DeleteAccountIn, responses={204: None})
    def post(self, request: Request) -> Response:
        data = DeleteAccountIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_delete_account(person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
