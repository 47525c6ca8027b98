"""Push subscriptions: only https endpoints of real push services, and a
subscription never moves between people (issue 12, item 8), and it belongs
to the device that registered it (issue 14).

Found from outside: loopback, private and link-local endpoints were accepted,
and the worker would POST to them; registering another person's endpoint
moved it (and their alerts' pushes) to you."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from foundation.transports import TransportError, push
from foundation.transports.push import WebPushBackend, b64url, ensure_vapid_key_file
from messaging.actions.notifications import push_to_person
from messaging.actions.push import do_subscribe_push
from messaging.models import PushSubscription
from network.actions import do_purge_expired_login_material, do_revoke_device
from network.models import Device
from tests.conftest import sign_in

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


# --- the VAPID public key the app subscribes with (issue 14) ------------------------------

KEY_URL = "/api/v1/push/vapid-public-key/"


def new_vapid_key() -> tuple[ec.EllipticCurvePrivateKey, str]:
    """A P-256 key and the applicationServerKey a browser needs for it."""
    key = ec.generate_private_key(ec.SECP256R1())
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return key, b64url(point)


def raw_form(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def pem_form(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_the_url_has_its_name():
    assert reverse("push-vapid-public-key") == KEY_URL


@pytest.mark.parametrize("who", ["member", "peer", "navigator", "staff", "outsider"])
def test_every_signed_in_person_gets_the_public_key_derived_from_the_private_key(api, request, who):
    key, public_key = new_vapid_key()
    with override_settings(VAPID_PRIVATE_KEY=raw_form(key), VAPID_PUBLIC_KEY=""):
        response = api(request.getfixturevalue(who)).get(KEY_URL)
    assert response.status_code == 200, response.content
    assert response.json() == {"public_key": public_key}
    point = base64.urlsafe_b64decode(public_key + "=" * (-len(public_key) % 4))
    # What PushManager.subscribe takes as applicationServerKey: the uncompressed point.
    assert len(point) == 65
    assert point[0] == 4


@pytest.mark.parametrize("form", ["pem file", "pem text", "raw", "der"])
def test_each_form_of_private_key_gives_the_same_public_key(api, member, tmp_path, form):
    key, public_key = new_vapid_key()
    if form == "pem file":
        (tmp_path / "vapid.pem").write_text(pem_form(key))
        value = str(tmp_path / "vapid.pem")
    elif form == "pem text":
        value = pem_form(key)
    elif form == "raw":
        value = raw_form(key)
    else:
        value = b64url(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    with override_settings(VAPID_PRIVATE_KEY=value):
        assert api(member).get(KEY_URL).json() == {"public_key": public_key}


def test_a_public_key_that_is_set_is_served_as_it_is(api, member):
    key, public_key = new_vapid_key()
    with override_settings(VAPID_PRIVATE_KEY=raw_form(key), VAPID_PUBLIC_KEY=public_key):
        assert api(member).get(KEY_URL).json() == {"public_key": public_key}


def test_without_a_vapid_key_push_is_not_configured(api, member):
    # The test settings configure no push.
    response = api(member).get(KEY_URL)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "about:blank#push_not_configured"
    # A public key alone cannot sign anything: still not configured.
    _, public_key = new_vapid_key()
    with override_settings(VAPID_PUBLIC_KEY=public_key):
        assert api(member).get(KEY_URL).status_code == 404


def test_anonymous_gets_401(api):
    key, _ = new_vapid_key()
    with override_settings(VAPID_PRIVATE_KEY=raw_form(key)):
        response = api(None).get(KEY_URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_the_key_endpoint_is_in_the_openapi_schema(api):
    schema = yaml.safe_load(api(None).get("/api/v1/schema/").content)
    operation = schema["paths"][KEY_URL]["get"]
    assert set(operation["responses"]) >= {"200", "404"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schema["components"]["schemas"][ok.rsplit("/", 1)[1]]["required"] == ["public_key"]


def test_the_development_key_is_generated_once_and_kept(tmp_path):
    path = tmp_path / "var" / "vapid_private.pem"
    assert ensure_vapid_key_file(path) == path
    first = path.read_text()
    assert "BEGIN PRIVATE KEY" in first
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only
    ensure_vapid_key_file(path)
    assert path.read_text() == first
    assert [p.name for p in path.parent.iterdir()] == ["vapid_private.pem"]


def test_make_run_settings_generate_a_key_the_app_can_subscribe_with():
    """config.settings.local with no VAPID settings: a key in var/ and a subject."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAPID_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "from foundation.transports.push import vapid_public_key; "
        "print(json.dumps([settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT, vapid_public_key()]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    private_key, subject, public_key = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(private_key) == Path(settings.VAR_DIR) / "vapid_private.pem"
    assert subject == "mailto:dev@localhost"
    point = base64.urlsafe_b64decode(public_key + "=" * (-len(public_key) % 4))
    assert len(point) == 65
    assert point[0] == 4


def test_an_unreadable_private_key_is_a_permanent_transport_error():
    with (
        override_settings(VAPID_PRIVATE_KEY="not a key", VAPID_SUBJECT="mailto:ops@example.test"),
        pytest.raises(TransportError) as error,
    ):
        WebPushBackend().notify(
            endpoint="https://push.example.test/x", p256dh="BNc", auth="YXV0aA", title="t", body="b"
        )
    assert error.value.permanent


# --- a subscription belongs to the device that registered it (issue 14) -------------------
#
# Found in review: the subscription knew only the person, so a phone signed out from another
# device (or left to expire) kept receiving pushes; on a shared phone they should stop.

PHONE_ENDPOINT = "https://push.example.test/phone"
LAPTOP_ENDPOINT = "https://push.example.test/laptop"


def device_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def cookie_client(token: str) -> APIClient:
    """The web app: its device token in the HttpOnly cookie, not a header."""
    client = APIClient()
    client.cookies[settings.DEVICE_COOKIE_NAME] = token
    return client


def subscribe(client: APIClient, endpoint: str) -> None:
    response = client.post(URL, {"endpoint": endpoint, **KEYS}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("credential", [device_client, cookie_client], ids=["token header", "cookie"])
def test_subscribing_records_the_device_that_subscribed(member, credential):
    sign_in(member, "tablet")
    phone, token = sign_in(member, "phone")
    subscribe(credential(token), PHONE_ENDPOINT)
    assert PushSubscription.objects.get(endpoint=PHONE_ENDPOINT).device == phone


def test_revoking_a_device_from_another_stops_its_pushes_and_only_its(member):
    phone, phone_token = sign_in(member, "phone")
    _, laptop_token = sign_in(member, "laptop")
    laptop = device_client(laptop_token)
    subscribe(device_client(phone_token), PHONE_ENDPOINT)
    subscribe(laptop, LAPTOP_ENDPOINT)

    assert laptop.delete(f"/api/v1/me/devices/{phone.public_id}/").status_code == 204

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [LAPTOP_ENDPOINT]
    assert [s["endpoint"] for s in laptop.get(URL).json()["results"]] == [LAPTOP_ENDPOINT]
    assert push_to_person(person_id=member.pk, title="New message", body="Open the app.")
    assert [p.endpoint for p in push.outbox] == [LAPTOP_ENDPOINT]


def test_signing_out_on_the_device_deletes_its_subscription(member):
    # The app also unsubscribes the browser itself; the service must not rely on it.
    _, token = sign_in(member, "phone")
    phone = device_client(token)
    subscribe(phone, PHONE_ENDPOINT)
    assert phone.post("/api/v1/auth/sign-out/").status_code == 204
    assert not PushSubscription.objects.exists()


def test_an_expired_device_loses_its_subscription_when_it_is_purged(member):
    phone, phone_token = sign_in(member, "phone")
    _, laptop_token = sign_in(member, "laptop")
    subscribe(device_client(phone_token), PHONE_ENDPOINT)
    subscribe(device_client(laptop_token), LAPTOP_ENDPOINT)
    Device.objects.filter(pk=phone.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    do_purge_expired_login_material()

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [LAPTOP_ENDPOINT]


def test_registering_the_endpoint_again_from_a_new_sign_in_moves_it_to_that_device(member):
    """The same browser signed in again (a new device token) re-registers its
    endpoint: it follows the new sign-in, so revoking the old one keeps it."""
    old, old_token = sign_in(member, "phone")
    subscribe(device_client(old_token), PHONE_ENDPOINT)
    new, new_token = sign_in(member, "phone")
    subscribe(device_client(new_token), PHONE_ENDPOINT)
    assert PushSubscription.objects.get(endpoint=PHONE_ENDPOINT).device == new

    assert device_client(new_token).delete(f"/api/v1/me/devices/{old.public_id}/").status_code == 204
    assert PushSubscription.objects.get(endpoint=PHONE_ENDPOINT).device == new


def test_subscriptions_from_before_devices_were_recorded_are_kept(member):
    # Rows the migration found have no device: they stay until the app
    # unsubscribes or the push service says they are gone.
    subscription = do_subscribe_push(person=member, endpoint=PHONE_ENDPOINT, **KEYS)
    phone, _ = sign_in(member, "phone")
    do_revoke_device(device=phone)
    assert PushSubscription.objects.get(pk=subscription.pk).device is None


def test_a_device_whose_sign_in_expired_gets_no_push_even_before_it_is_purged(member):
    phone, phone_token = sign_in(member, "phone")
    _, laptop_token = sign_in(member, "laptop")
    subscribe(device_client(phone_token), PHONE_ENDPOINT)
    subscribe(device_client(laptop_token), LAPTOP_ENDPOINT)
    Device.objects.filter(pk=phone.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    assert push_to_person(person_id=member.pk, title="New message", body="Open the app.")

    assert [p.endpoint for p in push.outbox] == [LAPTOP_ENDPOINT]
