from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from network.models import Device
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def authed(api_client, token: str):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api_client


def test_it_rejects_requests_without_a_token(api):
    response = api(None).get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Token"


def test_tokens_are_stored_hashed(member):
    device, token = sign_in(member)
    assert token not in device.digest
    assert not Device.objects.filter(digest=token).exists()


def test_a_person_lists_their_own_devices_only(api, member, outsider):
    sign_in(member, "tablet")
    sign_in(outsider, "their phone")
    client = api(member)
    names = sorted(d["name"] for d in client.get("/api/v1/me/devices/").json()["results"])
    assert names == ["phone", "tablet"]


def test_the_current_device_is_marked(api, member):
    client = api(member)
    sign_in(member, "tablet")
    devices = client.get("/api/v1/me/devices/").json()["results"]
    assert [d["name"] for d in devices if d["current"]] == ["phone"]


def test_revoking_a_device_stops_its_token(api, member):
    _, token = sign_in(member, "lost phone")
    lost = authed(api(None), token)
    assert lost.get("/api/v1/me/").status_code == 200
    device_id = next(
        d["id"] for d in api(member).get("/api/v1/me/devices/").json()["results"] if d["name"] == "lost phone"
    )
    assert api(member).delete(f"/api/v1/me/devices/{device_id}/").status_code == 204
    assert lost.get("/api/v1/me/").status_code == 401


def test_it_answers_404_for_someone_elses_device(api, member, outsider):
    theirs, _ = sign_in(outsider)
    response = api(member).delete(f"/api/v1/me/devices/{theirs.public_id}/")
    assert response.status_code == 404
    assert Device.objects.filter(pk=theirs.pk).exists()


def test_sign_out_revokes_the_current_device(api, member):
    _, token = sign_in(member)
    client = authed(api(None), token)
    assert client.post("/api/v1/auth/sign-out/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_an_expired_token_is_refused(api, member):
    device, token = sign_in(member)
    Device.objects.filter(pk=device.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert authed(api(None), token).get("/api/v1/me/").status_code == 401


def test_tokens_expire_after_thirty_days(member):
    device, _ = sign_in(member)
    assert timedelta(days=29) < device.expiry - timezone.now() <= timedelta(days=30)


def test_a_person_renames_themself(api, member):
    response = api(member).patch("/api/v1/me/", {"display_name": "  Amara O. "}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Amara O."


def test_an_empty_display_name_is_refused(api, member):
    response = api(member).patch("/api/v1/me/", {"display_name": ""}, format="json")
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.display_name == "Amara"


def test_a_request_marks_the_device_seen_at_most_once_a_minute(api, member):
    device, token = sign_in(member, "tablet")
    client = authed(api(None), token)
    assert client.get("/api/v1/me/").status_code == 200
    device.refresh_from_db()
    first_seen = device.last_seen_at
    assert first_seen is not None
    assert timezone.now() - first_seen < timedelta(seconds=30)

    assert client.get("/api/v1/me/").status_code == 200
    device.refresh_from_db()
    assert device.last_seen_at == first_seen

    Device.objects.filter(pk=device.pk).update(last_seen_at=first_seen - timedelta(minutes=2))
    assert client.get("/api/v1/me/").status_code == 200
    device.refresh_from_db()
    assert device.last_seen_at > first_seen
