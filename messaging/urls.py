from __future__ import annotations

from django.urls import path

from messaging import api

urlpatterns = [
    path("alerts/", api.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<str:alert_id>/", api.AlertDetailApi.as_view(), name="alert-detail"),
    path("alerts/<str:alert_id>/accept/", api.AcceptAlertApi.as_view(), name="alert-accept"),
    path("alerts/<str:alert_id>/decline/", api.DeclineAlertApi.as_view(), name="alert-decline"),
    path("alerts/<str:alert_id>/cancel/", api.CancelAlertApi.as_view(), name="alert-cancel"),
    path("alerts/<str:alert_id>/contact/", api.ConfirmContactApi.as_view(), name="alert-contact"),
    path("alerts/<str:alert_id>/hand-over/", api.HandOverAlertApi.as_view(), name="alert-hand-over"),
    path("alerts/<str:alert_id>/resolve/", api.ResolveAlertApi.as_view(), name="alert-resolve"),
    path("alerts/<str:alert_id>/debrief/", api.DebriefAlertApi.as_view(), name="alert-debrief"),
    path("push-subscriptions/", api.PushSubscriptionListApi.as_view(), name="push-subscriptions"),
    path(
        "push-subscriptions/<int:subscription_id>/",
        api.PushSubscriptionDetailApi.as_view(),
        name="push-subscription-detail",
    ),
]
