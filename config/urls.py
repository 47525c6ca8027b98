from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from config import health, metrics

api_v1 = [
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from its own URL, so the
    # page has no inline script and keeps the strict CSP (config/edge.py).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("network.urls")),
    path("", include("crisisplans.urls")),
    path("", include("messaging.urls")),
]

# Every admin page says whom it is for: the service's operators, who see
# metadata and never what a member wrote (each app's admin.py).
admin.site.site_header = admin.site.site_title = "CrisisNet operators"
admin.site.index_title = (
    "For operators only: metadata, never plan or message content. "
    "Navigators and facilitators work at the desk in the app (/#/desk), under the service's rules"
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Prometheus figures, for the operator's scraper only (config/metrics.py).
    path("metrics", metrics.metrics, name="metrics"),
    # A member's plan share, for someone without an account (issue 18): the QR
    # code's link and the form to type its code (crisisplans/share_urls.py).
    path("s/", include("crisisplans.share_urls")),
    # Twilio's webhooks: delivery receipts, SMS replies, voice pages (issue 17).
    path("hooks/twilio/", include("messaging.hooks.urls")),
]

handler400 = "foundation.problems.bad_request"
handler403 = "foundation.problems.permission_denied"
handler404 = "foundation.problems.not_found"
handler500 = "foundation.problems.server_error"
