from __future__ import annotations

from django.urls import path

from crisisplans.api import account, coauthors, consent, exports, library, notices, plans, shares

urlpatterns = [
    path("plans/", plans.PlanListApi.as_view(), name="plan-list"),
    path("plans/<int:plan_id>/", plans.PlanDetailApi.as_view(), name="plan-detail"),
    path("plans/<int:plan_id>/revisions/", plans.RevisionListApi.as_view(), name="plan-revisions"),
    path("plans/<int:plan_id>/revisions/compare/", plans.RevisionCompareApi.as_view(), name="plan-compare"),
    path(
        "plans/<int:plan_id>/revisions/<int:number>/", plans.RevisionDetailApi.as_view(), name="plan-revision"
    ),
    path(
        "plans/<int:plan_id>/revisions/<int:number>/sign-off/",
        plans.SignOffApi.as_view(),
        name="plan-sign-off",
    ),
    path("plans/<int:plan_id>/comments/", plans.CommentListApi.as_view(), name="plan-comments"),
    path("plans/<int:plan_id>/co-authors/", coauthors.CoAuthorListApi.as_view(), name="plan-co-authors"),
    path(
        "plans/<int:plan_id>/co-authors/<int:person_id>/",
        coauthors.CoAuthorRemoveApi.as_view(),
        name="plan-co-author-remove",
    ),
    path("plans/<int:plan_id>/consent/", consent.ConsentApi.as_view(), name="plan-consent"),
    path("plans/<int:plan_id>/break-glass/", consent.BreakGlassApi.as_view(), name="plan-break-glass"),
    path("plans/<int:plan_id>/access-log/", plans.AccessLogApi.as_view(), name="plan-access-log"),
    path("plans/<int:plan_id>/print/", exports.PrintablePlanApi.as_view(), name="plan-print"),
    path("plans/<int:plan_id>/fhir/", exports.FhirExportApi.as_view(), name="plan-fhir"),
    path("plans/<int:plan_id>/shares/", shares.PlanShareListApi.as_view(), name="plan-shares"),
    path("plan-shares/<int:share_id>/", shares.PlanShareDetailApi.as_view(), name="plan-share-detail"),
    path("plan-shares/<int:share_id>/revoke/", shares.PlanShareRevokeApi.as_view(), name="plan-share-revoke"),
    path("plan-notices/", notices.NoticeListApi.as_view(), name="plan-notices"),
    path("coping-strategies/", library.CopingStrategyListApi.as_view(), name="coping-strategies"),
    path("networks/<int:network_id>/plan-policy/", library.PlanPolicyApi.as_view(), name="plan-policy"),
    path("my-data/", exports.MyDataApi.as_view(), name="my-data"),
    path("my-account/delete/", account.DeleteAccountApi.as_view(), name="my-account-delete"),
]
