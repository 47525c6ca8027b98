"""Mounted at /hooks/twilio/ (config/urls.py): form-encoded POSTs from Twilio,
answered with TwiML, outside the JSON API (/api/v1/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from messaging.hooks import inbound, status

urlpatterns: list[URLPattern] = [
    path("sms/", inbound.inbound_sms, name="twilio-inbound-sms"),
    path("status/", status.status_callback, name="twilio-status"),
]
