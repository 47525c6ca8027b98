"""Push then SMS for offers no device acknowledged; never for taken or
cancelled alerts; never any crisis content in the text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from foundation.transports import push, sms
from messaging import tasks
from messaging.actions import alerts
from messaging.actions.events import do_ack_events
from messaging.actions.push import do_subscribe_push
from messaging.models import Offer

pytestmark = pytest.mark.django_db

S = timedelta(seconds=1)


@pytest.fixture
def subscribed(crisis):
    for person in crisis.peers:
        do_subscribe_push(
            person=person, endpoint=f"https://push.example.test/{person.pk}", p256dh="k", auth="a"
        )
    return crisis


def test_an_unacknowledged_offer_gets_a_push_then_an_sms(subscribed):
    crisis = subscribed
    crisis.raise_alert(message="I took too many")
    assert tasks.sweep(now=crisis.now + 9 * S)["fallbacks"] == 0
    assert tasks.sweep(now=crisis.now + 10 * S)["fallbacks"] == 3
    assert len(push.outbox) == 3
    assert not sms.outbox
    assert tasks.sweep(now=crisis.now + 29 * S)["fallbacks"] == 0
    assert tasks.sweep(now=crisis.now + 30 * S)["fallbacks"] == 3
    assert sorted(m.to for m in sms.outbox) == sorted(p.phone_number.as_e164 for p in crisis.peers[:3])
    assert {p.body for p in push.outbox} == {f"Someone in {crisis.network.name} needs support. Open the app."}
    # Issue 17: the text says a reply "1" takes it; still no crisis content.
    assert {m.body for m in sms.outbox} == {
        f"Someone in {crisis.network.name} needs support. Reply 1 to take it, or open the app."
    }
    assert tasks.sweep(now=crisis.now + 300 * S)["fallbacks"] == 0  # once each


def test_an_acknowledged_offer_gets_no_push(subscribed):
    crisis = subscribed
    alert = crisis.raise_alert()
    bea = crisis.peers[0]
    offer = Offer.objects.get(alert=alert, person=bea)
    do_ack_events(person_id=bea.pk, seq=offer.event_seq)
    tasks.sweep(now=crisis.now + 10 * S)
    assert sorted(p.endpoint for p in push.outbox) == sorted(
        f"https://push.example.test/{p.pk}" for p in crisis.peers[1:3]
    )
    assert Offer.objects.get(pk=offer.pk).delivered_at is not None


def test_nobody_is_paged_for_a_taken_alert(subscribed):
    crisis = subscribed
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=crisis.peers[0], now=crisis.now + 5 * S)
    tasks.sweep(now=crisis.now + 60 * S)
    assert not push.outbox
    assert not sms.outbox


def test_nobody_is_paged_for_a_cancelled_alert_even_by_a_late_task(subscribed):
    crisis = subscribed
    alert = crisis.raise_alert()
    alerts.do_cancel_alert(alert_id=alert.pk, person=crisis.member, now=crisis.now + 5 * S)
    assert tasks.send_alert_fallbacks(str(alert.pk)) == 0  # the ETA task arriving after the cancel
    assert not push.outbox
    assert not sms.outbox


def test_a_fallback_task_arriving_twice_sends_once(subscribed, monkeypatch):
    crisis = subscribed
    alert = crisis.raise_alert()
    offer = alert.offers.first()
    from messaging.actions import notifications

    later = crisis.now + 10 * S
    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=later) == "push"
    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=later) == ""
    assert len(push.outbox) == 1


def test_the_alerts_eta_task_pushes_every_unacknowledged_offer(subscribed):
    crisis = subscribed
    alert = crisis.raise_alert()
    Offer.objects.filter(alert=alert).update(notified_at=crisis.now - 11 * S)  # the ETA has come
    assert tasks.send_alert_fallbacks(str(alert.pk)) == 3
    assert len(push.outbox) == 3


# --- a failing transport falls through to the next one -----------------------------------------


@pytest.fixture
def unreachable_push_service(settings, monkeypatch):
    """Web Push configured as in production, but the push service cannot be
    reached (only the outside world is faked: pywebpush's HTTP call)."""
    import pywebpush
    import requests

    settings.PUSH_BACKEND = "foundation.transports.push.WebPushBackend"
    settings.VAPID_PRIVATE_KEY = "a-vapid-private-key"
    settings.VAPID_SUBJECT = "mailto:ops@example.org"
    tried = []

    def refuse(*, subscription_info, **kwargs):
        tried.append(subscription_info["endpoint"])
        raise requests.exceptions.ConnectionError("connection refused")

    monkeypatch.setattr(pywebpush, "webpush", refuse)
    return tried


def test_an_offer_whose_push_service_is_down_is_texted_at_once(subscribed, unreachable_push_service, caplog):
    crisis = subscribed
    crisis.raise_alert()
    with caplog.at_level("WARNING"):
        assert tasks.sweep(now=crisis.now + 10 * S)["fallbacks"] == 3
    assert len(unreachable_push_service) == 3
    assert sorted(m.to for m in sms.outbox) == sorted(p.phone_number.as_e164 for p in crisis.peers[:3])
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert any("push" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)
    tasks.sweep(now=crisis.now + 300 * S)
    assert len(sms.outbox) == 3  # texted once, not again when the SMS would have been due


@pytest.mark.parametrize(
    "backend",
    [
        "foundation.transports.push.WebPushBackend",  # with no VAPID settings
        "foundation.transports.push.NoSuchBackend",
    ],
)
def test_a_misconfigured_push_backend_never_raises_and_the_sms_still_goes(subscribed, settings, backend):
    crisis = subscribed
    settings.PUSH_BACKEND = backend
    settings.VAPID_PRIVATE_KEY = settings.VAPID_SUBJECT = ""
    alert = crisis.raise_alert()
    offer = alert.offers.order_by("pk").first()
    from messaging.actions import notifications

    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 10 * S) == "sms"
    assert [m.to for m in sms.outbox] == [offer.person.phone_number.as_e164]


def test_a_failing_sms_provider_is_logged_and_never_raises(subscribed, twilio_unreachable, caplog):
    """Twilio configured, but its API is unreachable: the sweep logs a warning."""
    from messaging.actions import notifications

    crisis = subscribed
    alert = crisis.raise_alert()
    offer = alert.offers.order_by("pk").first()
    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 10 * S) == "push"
    with caplog.at_level("WARNING"):
        assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S) == "sms"
    assert any("SMS" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)


def test_an_unreachable_push_service_keeps_the_subscription_and_a_gone_one_is_dropped(
    subscribed, settings, monkeypatch
):
    """Temporary (the service cannot be reached) vs permanent (410 Gone: the
    browser unsubscribed): only a permanent error forgets the subscription."""
    import pywebpush
    import requests

    from messaging.models import PushSubscription

    settings.PUSH_BACKEND = "foundation.transports.push.WebPushBackend"
    settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT = "a-vapid-private-key", "mailto:ops@example.org"
    bea, cleo = subscribed.peers[:2]

    def answer(*, subscription_info, **kwargs):
        if not subscription_info["endpoint"].endswith(f"/{bea.pk}"):
            raise requests.exceptions.ConnectTimeout("timed out")
        response = requests.Response()
        response.status_code = 410
        raise pywebpush.WebPushException("push refused", response=response)

    monkeypatch.setattr(pywebpush, "webpush", answer)
    from messaging.actions import notifications

    for person in (bea, cleo):
        notifications.push_to_person(person_id=person.pk, title="Peer support", body="Open the app.")
    assert not PushSubscription.objects.filter(person=bea).exists()
    assert PushSubscription.objects.filter(person=cleo).exists()


def test_an_unseen_direct_message_whose_push_service_is_down_is_texted_at_once(
    member, peer, api, unreachable_push_service
):
    from django.conf import settings
    from django.utils import timezone

    do_subscribe_push(person=peer, endpoint="https://push.example.test/peer", p256dh="k", auth="a")
    conversation = api(member).post("/api/v1/conversations/direct/", {"person_id": peer.pk}, format="json")
    api(member).post(
        f"/api/v1/conversations/{conversation.json()['id']}/messages/",
        {"text": "are you there?"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    push_at = timezone.now() + timedelta(seconds=settings.MESSAGE_PUSH_AFTER_SECONDS + 1)
    assert tasks.sweep_messages(now=push_at) == {"message_fallbacks": 1}
    assert unreachable_push_service == ["https://push.example.test/peer"]
    assert [m.to for m in sms.outbox] == [peer.phone_number.as_e164]
    tasks.sweep_messages(now=push_at + timedelta(days=1))
    assert len(sms.outbox) == 1


def test_a_subscription_stored_before_the_endpoint_rules_is_never_posted_to_and_is_dropped(subscribed):
    """Endpoints saved before the https-and-known-service rule (issue 12 item 8)
    are checked again right before each send: the worker never POSTs to
    loopback or a private address, and such a row is forgotten."""
    from messaging.actions import notifications
    from messaging.models import PushSubscription

    bea = subscribed.peers[0]
    PushSubscription.objects.create(person=bea, endpoint="http://127.0.0.1:6379/", p256dh="k", auth="a")
    PushSubscription.objects.create(
        person=bea, endpoint="https://169.254.169.254/latest", p256dh="k", auth="a"
    )

    assert notifications.push_to_person(person_id=bea.pk, title="Peer support", body="Open the app.")

    assert [p.endpoint for p in push.outbox] == [f"https://push.example.test/{bea.pk}"]
    assert list(PushSubscription.objects.filter(person=bea).values_list("endpoint", flat=True)) == [
        f"https://push.example.test/{bea.pk}"
    ]
