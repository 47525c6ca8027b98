"""Push subscriptions: only https endpoints of real push services, and a
subscription never moves between people (issue 12, item 8).

Found from outside: loopback, private and link-local endpoints were accepted,
and the worker would POST to them; registering another person's endpoint
moved it (and their alerts' pushes) to you."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.exceptions import ValidationError

from messaging.actions.push import do_subscribe_push
from messaging.models import PushSubscription

pytestmark = pytest.mark.django_db

URL = "/api/v1/push-subscriptions/"
KEYS = {"p256dh": "BNc-key", "auth": "auth-secret"}

REAL_SERVICES = [
    "https://fcm.googleapis.com/fcm/send/dXk3:APA91b",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
    "https://web.push.apple.com/QGuQyavXut",
    "https://api.push.apple.com/3/device/abc",
]

REFUSED = {
    "plain http": "http://fcm.googleapis.com/fcm/send/abc",
    "loopback name": "https://localhost/push",
    "loopback address": "https://127.0.0.1/push",
    "ipv6 loopback": "https://[::1]/push",
    "private address": "https://10.0.0.5/push",
    "link-local metadata": "https://169.254.169.254/latest/meta-data/",
    "decimal address": "https://2130706433/push",
    "userinfo": "https://user:pw@fcm.googleapis.com/fcm/send/abc",
    "userinfo to another host": "https://fcm.googleapis.com@127.0.0.1/push",
    "explicit port": "https://fcm.googleapis.com:8443/fcm/send/abc",
    "port 443 spelled out": "https://fcm.googleapis.com:443/fcm/send/abc",
    "unknown host": "https://push.attacker.example/abc",
    "lookalike suffix": "https://fcm.googleapis.com.attacker.example/abc",
    "bare wildcard parent": "https://notify.windows.com/abc",
    "suffix without dot": "https://evilpush.apple.com/abc",
}


@pytest.mark.parametrize("endpoint", REAL_SERVICES)
def test_real_push_services_are_accepted(api, member, endpoint):
    response = api(member).post(URL, {"endpoint": endpoint, **KEYS}, format="json")
    assert response.status_code == 201, response.content
    assert PushSubscription.objects.get(endpoint=endpoint).person == member


@pytest.mark.parametrize("endpoint", REFUSED.values(), ids=REFUSED.keys())
def test_endpoints_that_are_not_a_real_push_service_are_refused(api, member, endpoint):
    response = api(member).post(URL, {"endpoint": endpoint, **KEYS}, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "endpoint"
    assert not PushSubscription.objects.exists()


def test_the_allowed_hosts_are_a_setting(api, member):
    endpoint = "https://push.self-hosted.example/abc"
    assert api(member).post(URL, {"endpoint": endpoint, **KEYS}, format="json").status_code == 400
    with override_settings(WEB_PUSH_ALLOWED_HOSTS=["*.self-hosted.example", "push.self-hosted.example"]):
        assert api(member).post(URL, {"endpoint": endpoint, **KEYS}, format="json").status_code == 201


def test_another_persons_endpoint_is_refused_and_stays_theirs(api, member, peer):
    bea, cleo = member, peer
    endpoint = REAL_SERVICES[0]
    assert api(bea).post(URL, {"endpoint": endpoint, **KEYS}, format="json").status_code == 201
    stolen = api(cleo).post(URL, {"endpoint": endpoint, "p256dh": "cleo-key", "auth": "cleo"}, format="json")
    assert stolen.status_code == 409
    assert stolen["Content-Type"] == "application/problem+json"
    assert "another account" in stolen.json()["detail"]
    subscription = PushSubscription.objects.get(endpoint=endpoint)
    assert (subscription.person, subscription.p256dh, subscription.auth) == (
        bea,
        KEYS["p256dh"],
        KEYS["auth"],
    )
    assert api(cleo).get(URL).json()["results"] == []
    assert [s["endpoint"] for s in api(bea).get(URL).json()["results"]] == [endpoint]


def test_the_same_person_registering_again_keeps_one_subscription(api, member):
    endpoint = REAL_SERVICES[1]
    assert api(member).post(URL, {"endpoint": endpoint, **KEYS}, format="json").status_code == 201
    again = api(member).post(URL, {"endpoint": endpoint, "p256dh": "new-key", "auth": "new"}, format="json")
    assert again.status_code == 201
    assert PushSubscription.objects.get(endpoint=endpoint).p256dh == "new-key"


def test_the_action_refuses_a_bad_endpoint_whoever_calls_it(member):
    with pytest.raises(ValidationError):
        do_subscribe_push(person=member, endpoint="https://169.254.169.254/latest", **KEYS)
    assert not PushSubscription.objects.exists()
