"""Mounted at /hooks/twilio/ (config/urls.py): form-encoded POSTs from Twilio,
answered with TwiML, outside the JSON API (/api/v1/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
