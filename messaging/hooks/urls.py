"""Mounted at /hooks/twilio/ (config/urls.py): form-encoded POSTs from Twilio,
answered with TwiML, outside the JSON API (/api/v1/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from messaging.hooks import inbound, status, voice

urlpatterns: list[URLPattern] = [
    path("sms/", inbound.inbound_sms, name="twilio-inbound-sms"),
    path("status/", status.status_callback, name="twilio-status"),
    path("voice/<str:token>/", voice.voice_page, name="twilio-voice-page"),
    path("voice/<str:token>/gather/", voice.voice_gather, name="twilio-voice-gather"),
]
