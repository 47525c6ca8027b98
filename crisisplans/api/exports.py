"""Thin REST views of the exports: printable plan, FHIR CarePlan, my data."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans import actions, selectors
from foundation.problems import Conflict


class PrintablePlanApi(APIView):
    """The signed-off plan as a printable HTML page (sections you may read). Logged."""

    @extend_schema(responses={(200, "text/html"): OpenApiTypes.STR})
    def get(self, request: Request, plan_id: int) -> HttpResponse:
        plan = selectors.access_plan_by_id(person=request.user, plan_id=plan_id)
        html = actions.printable_html(reader=request.user, plan=plan)
        return HttpResponse(html, content_type="text/html; charset=utf-8")


class NoConsentToExport(Conflict):
    default_detail = "The owner has not consented to any section being exported to a care record."
    default_code = "consent_required"


class FhirExportApi(APIView):
    """A FHIR R5 CarePlan (CareTeam contained) with only the sections the
    owner consented to export. For the owner and facilitators over them."""

    @extend_schema(responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR CarePlan")})
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.access_exportable_plan_by_id(person=request.user, plan_id=plan_id)
        care_plan = actions.fhir_care_plan(reader=request.user, plan=plan)
        if care_plan is None:
            raise NoConsentToExport
        return Response(care_plan, content_type="application/fhir+json")


class MyDataApi(APIView):
    """Everything held about you, as JSON. Reading your plan here is logged."""

    @extend_schema(responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="all your data")})
    def get(self, request: Request) -> Response:
        return Response(actions.my_data(person=request.user))
