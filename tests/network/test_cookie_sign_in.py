"""The web app's credential: the device token in an HttpOnly, Secure,
SameSite=Strict cookie the page never sees, with CSRF checked on every write
made with it (network/auth.py says why)."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from foundation.transports import sms
from network.models import Device

pytestmark = pytest.mark.django_db

NUMBER = "+447700800121"
COOKIE = "__Host-device"


def browser() -> APIClient:
    # A browser: keeps cookies, and Django's CSRF check is not skipped as in plain test clients.
    return APIClient(enforce_csrf_checks=True)


def cookie_sign_in(client: APIClient) -> dict:
    client.post("/api/v1/auth/code/", {"phone_number": NUMBER}, format="json")
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    response = client.post(
        "/api/v1/auth/sign-in/",
        {
            "phone_number": NUMBER,
            "code": code,
            "device_name": "Chrome on Android (web app)",
            "credential": "cookie",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response


def test_a_cookie_sign_in_sets_an_http_only_strict_secure_cookie_and_shows_no_token():
    client = browser()
    response = cookie_sign_in(client)
    assert response.json()["token"] is None
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["secure"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["expires"]
    assert response.cookies["csrftoken"]["samesite"] == "Strict"
    # The cookie is the device's token: the device list names it and marks it.
    devices = client.get("/api/v1/me/devices/").json()["results"]
    assert [(d["name"], d["current"]) for d in devices] == [("Chrome on Android (web app)", True)]


def test_a_token_sign_in_still_answers_with_the_token_and_sets_no_cookie():
    client = browser()
    client.post("/api/v1/auth/code/", {"phone_number": NUMBER}, format="json")
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    response = client.post("/api/v1/auth/sign-in/", {"phone_number": NUMBER, "code": code}, format="json")
    assert response.json()["token"]
    assert COOKIE not in response.cookies


def test_an_unknown_credential_kind_is_a_clear_error_and_signs_nobody_in():
    client = browser()
    client.post("/api/v1/auth/code/", {"phone_number": NUMBER}, format="json")
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    response = client.post(
        "/api/v1/auth/sign-in/",
        {"phone_number": NUMBER, "code": code, "credential": "localStorage"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "credential"
    assert not Device.objects.exists()


def test_reads_with_the_cookie_need_no_csrf_header_but_writes_do():
    client = browser()
    cookie_sign_in(client)
    assert client.get("/api/v1/me/").status_code == 200

    refused = client.patch("/api/v1/me/", {"display_name": "Mallory"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["type"] == "about:blank#csrf_failed"
    assert client.get("/api/v1/me/").json()["display_name"] != "Mallory"

    token = client.cookies["csrftoken"].value
    allowed = client.patch("/api/v1/me/", {"display_name": "Amara"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 200
    assert allowed.json()["display_name"] == "Amara"


def test_a_write_from_another_site_is_refused_even_with_the_csrf_token():
    client = browser()
    cookie_sign_in(client)
    token = client.cookies["csrftoken"].value
    response = client.patch(
        "/api/v1/me/",
        {"display_name": "Mallory"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="https://evil.example",
        secure=True,
    )
    assert response.status_code == 403
    assert response.json()["type"] == "about:blank#csrf_failed"


def test_an_alert_raised_with_the_cookie_needs_the_csrf_header_too(network):
    from network.models import Membership, Person

    client = browser()
    cookie_sign_in(client)
    Membership.objects.create(person=Person.objects.get(phone_number=NUMBER), network=network, role="member")
    body = {"message": "bad night"}
    refused = client.post("/api/v1/alerts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert refused.status_code == 403
    token = client.cookies["csrftoken"].value
    raised = client.post(
        "/api/v1/alerts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1", HTTP_X_CSRFTOKEN=token
    )
    assert raised.status_code == 201


def test_signing_out_revokes_the_device_removes_the_cookie_and_clears_the_site():
    client = browser()
    cookie_sign_in(client)
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/auth/sign-out/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 204
    assert response.cookies[COOKIE].value == ""
    assert response.cookies[COOKIE]["max-age"] == 0
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert not Device.objects.exists()
    assert client.get("/api/v1/me/").status_code == 401


def test_a_revoked_devices_cookie_is_refused():
    client = browser()
    cookie_sign_in(client)
    Device.objects.all().delete()
    assert client.get("/api/v1/me/").status_code == 401


def test_the_websocket_ticket_can_be_had_with_the_cookie():
    client = browser()
    cookie_sign_in(client)
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/auth/ws-ticket/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    assert response.json()["url"].startswith("/ws/v1/?ticket=")
