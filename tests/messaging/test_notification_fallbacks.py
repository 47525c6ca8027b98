"""Push then SMS for offers no device acknowledged; never for taken or
cancelled alerts; never any crisis content in the text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from messaging import tasks
from messaging.actions import alerts
from messaging.actions.push import do_subscribe_push
from messaging.events import do_ack_events
from messaging.models import Offer
from messaging.transports import push, sms

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
    texts = {m.body for m in sms.outbox} | {p.body for p in push.outbox}
    assert texts == {f"Someone in {crisis.network.name} needs support. Open the app."}
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
