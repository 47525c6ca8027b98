"""Sign-in when the SMS provider fails: a clear 503 problem, never a 500
(issue 12 item 15: the compose file's blank TWILIO_* answered 500)."""

from __future__ import annotations

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse

from network.models import LoginCode

pytestmark = pytest.mark.django_db

NUMBER = "+447700800131"
CODE_URL = "/api/v1/auth/code/"


@pytest.fixture
def twilio(settings):
    settings.SMS_BACKEND = "foundation.transports.sms.TwilioSmsBackend"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "0" * 32, "token"
    settings.TWILIO_FROM_NUMBER = "+447700900000"
    return settings


def assert_sms_unavailable(response) -> dict:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank#sms_unavailable"
    assert body["status"] == 503
    assert "text" in body["detail"]
    # A code nobody received is no use to anyone: none is left waiting.
    assert not LoginCode.objects.filter(phone_number=NUMBER, used_at__isnull=True).exists()
    return body


def test_asking_for_a_code_with_twilio_unconfigured_is_a_503_problem(api, twilio):
    twilio.TWILIO_ACCOUNT_SID = twilio.TWILIO_AUTH_TOKEN = twilio.TWILIO_FROM_NUMBER = ""
    client = api(None)
    client.raise_request_exception = False
    assert_sms_unavailable(client.post(CODE_URL, {"phone_number": NUMBER}, format="json"))


def test_asking_for_a_code_while_twilio_is_down_is_a_503_problem_to_retry(api, twilio, monkeypatch):
    def server_error(self, method, url, *args, **kwargs):
        return TwilioResponse(500, '{"code": 20500, "message": "Internal Server Error", "status": 500}')

    monkeypatch.setattr(TwilioHttpClient, "request", server_error)
    client = api(None)
    client.raise_request_exception = False
    response = client.post(CODE_URL, {"phone_number": NUMBER}, format="json")
    body = assert_sms_unavailable(response)
    assert int(response["Retry-After"]) > 0
    assert body["retry_after"] == int(response["Retry-After"])


def test_asking_for_a_code_while_twilio_is_unreachable_is_a_503_problem(api, twilio, monkeypatch):
    import requests

    def unreachable(self, *args, **kwargs):
        raise requests.exceptions.ConnectionError("connection refused")

    monkeypatch.setattr(TwilioHttpClient, "request", unreachable)
    client = api(None)
    client.raise_request_exception = False
    assert_sms_unavailable(client.post(CODE_URL, {"phone_number": NUMBER}, format="json"))


def test_a_code_twilio_accepts_is_sent(api, twilio, monkeypatch):
    sent = []

    def accepted(self, method, url, *args, data=None, **kwargs):
        sent.append(data)
        return TwilioResponse(201, '{"sid": "SM' + "0" * 32 + '", "status": "queued"}')

    monkeypatch.setattr(TwilioHttpClient, "request", accepted)
    response = api(None).post(CODE_URL, {"phone_number": NUMBER}, format="json")
    assert response.status_code == 202
    assert [message["To"] for message in sent] == [NUMBER]
    assert LoginCode.objects.filter(phone_number=NUMBER, used_at__isnull=True).count() == 1
