"""The public pages of plan shares, at /s/ on the service's origin (config/urls.py)."""

from __future__ import annotations

from django.urls import path

from crisisplans.api import share_pages

urlpatterns = [
    path("", share_pages.share_form, name="plan-share-form"),
    path("<str:code>", share_pages.share_page, name="plan-share-page"),
    path("<str:code>/fhir", share_pages.share_fhir, name="plan-share-fhir"),
]
