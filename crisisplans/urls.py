from __future__ import annotations

from django.urls import path

from crisisplans import api

urlpatterns = [
    path("plans/", api.PlanListApi.as_view(), name="plan-list"),
    path("plans/<int:plan_id>/", api.PlanDetailApi.as_view(), name="plan-detail"),
    path("plans/<int:plan_id>/revisions/", api.RevisionListApi.as_view(), name="plan-revisions"),
    path("plans/<int:plan_id>/revisions/compare/", api.RevisionCompareApi.as_view(), name="plan-compare"),
    path(
        "plans/<int:plan_id>/revisions/<int:number>/", api.RevisionDetailApi.as_view(), name="plan-revision"
    ),
    path(
        "plans/<int:plan_id>/revisions/<int:number>/sign-off/", api.SignOffApi.as_view(), name="plan-sign-off"
    ),
    path("plans/<int:plan_id>/comments/", api.CommentListApi.as_view(), name="plan-comments"),
    path("plans/<int:plan_id>/co-authors/", api.CoAuthorListApi.as_view(), name="plan-co-authors"),
    path(
        "plans/<int:plan_id>/co-authors/<int:person_id>/",
        api.CoAuthorRemoveApi.as_view(),
        name="plan-co-author-remove",
    ),
    path("plans/<int:plan_id>/consent/", api.ConsentApi.as_view(), name="plan-consent"),
    path("plans/<int:plan_id>/break-glass/", api.BreakGlassApi.as_view(), name="plan-break-glass"),
    path("plans/<int:plan_id>/access-log/", api.AccessLogApi.as_view(), name="plan-access-log"),
    path("plans/<int:plan_id>/print/", api.PrintablePlanApi.as_view(), name="plan-print"),
    path("plans/<int:plan_id>/fhir/", api.FhirExportApi.as_view(), name="plan-fhir"),
    path("plan-notices/", api.NoticeListApi.as_view(), name="plan-notices"),
    path("coping-strategies/", api.CopingStrategyListApi.as_view(), name="coping-strategies"),
    path("networks/<int:network_id>/plan-policy/", api.PlanPolicyApi.as_view(), name="plan-policy"),
    path("my-data/", api.MyDataApi.as_view(), name="my-data"),
    path("my-account/delete/", api.DeleteAccountApi.as_view(), name="my-account-delete"),
]
