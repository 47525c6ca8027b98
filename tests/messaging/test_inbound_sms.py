"""Texting in (issue 17): "1" takes the alert the sender was texted, first
accept winning; a raise word raises an alert as the button does; nothing
from anyone else changes anything or tells them anything. Requests are
signed as Twilio signs them (foundation/transports/twilio.py)."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from foundation.transports import sms
from foundation.transports.twilio import public_url, signature_for
from messaging import tasks
from messaging.actions import alerts, inbound
from messaging.models import Alert, EscalationStepRun, Event, Offer, TestPage
from network.models import Membership
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PATH = "/hooks/twilio/sms/"
S = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = "twilio-test-token"
    # Twilio signs the public address, not the one the request arrived at.
    settings.PUBLIC_BASE_URL = "https://crisis.example"


def text_in(client, *, sender, body: str, sid: str | None = None, signature: str | None = None):
    number = sender if isinstance(sender, str) else sender.phone_number.as_e164
    params = {
        "From": number,
        "To": "+447700900000",
        "Body": body,
        "MessageSid": sid or f"SM{uuid.uuid4().hex}",
        "AccountSid": "AC" + "0" * 32,
    }
    if signature is None:
        signature = signature_for(public_url(PATH), params)
    return client.post(PATH, params, HTTP_X_TWILIO_SIGNATURE=signature)


def replies(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return [message.text for message in root.findall("Message")]


def texted(crisis) -> Alert:
    """An alert whose offers (Bea, Cleo, Dan) went out by SMS: no device
    acknowledged them, so the fallbacks pushed, then texted."""
    alert = crisis.raise_alert(message="I took too many")
    tasks.sweep(now=crisis.now + 10 * S)
    tasks.sweep(now=crisis.now + 40 * S)
    assert {m.to for m in sms.outbox} == {p.phone_number.as_e164 for p in crisis.peers[:3]}
    sms.outbox.clear()
    return alert


def test_a_texted_peer_replying_1_takes_the_alert(client, crisis):
    alert = texted(crisis)
    bea, cleo = crisis.peers[:2]
    assert replies(text_in(client, sender=bea, body="1")) == [inbound.TAKEN]
    alert.refresh_from_db()
    assert (alert.state, alert.taken_by) == (Alert.State.TAKEN, bea)
    # Exactly as "I've got this": the others stop being paged.
    assert Offer.objects.get(alert=alert, person=cleo).state == Offer.State.WITHDRAWN
    assert Event.objects.filter(person=crisis.member, type="alert.status").exists()


@pytest.mark.parametrize("body", ["1.", " 1 ", "1 .\n"])
def test_1_may_come_with_a_full_stop_or_spaces(client, crisis, body):
    alert = texted(crisis)
    assert replies(text_in(client, sender=crisis.peers[1], body=body)) == [inbound.TAKEN]
    alert.refresh_from_db()
    assert alert.taken_by == crisis.peers[1]


def test_the_second_replier_is_told_someone_else_took_it(client, crisis):
    alert = texted(crisis)
    bea, cleo = crisis.peers[:2]
    text_in(client, sender=cleo, body="1")
    assert replies(text_in(client, sender=bea, body="1")) == [inbound.TAKEN_BY_SOMEONE_ELSE]
    alert.refresh_from_db()
    assert alert.taken_by == cleo


def test_a_reply_carries_no_crisis_content_or_name(client, crisis):
    texted(crisis)
    (reply,) = replies(text_in(client, sender=crisis.peers[0], body="1"))
    assert "too many" not in reply
    assert crisis.member.display_name not in reply


def test_an_offer_that_was_never_texted_is_not_taken_by_a_reply(client, crisis):
    alert = crisis.raise_alert()  # offered in the app only: no fallback has run
    bea = crisis.peers[0]
    assert replies(text_in(client, sender=bea, body="1")) == [inbound.NOTHING_WAITING]
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN
    assert Offer.objects.get(alert=alert, person=bea).state == Offer.State.PENDING


def test_someone_not_offered_the_alert_takes_nothing(client, crisis):
    alert = texted(crisis)
    eve = crisis.peers[3]  # on call, but not among the first three asked
    assert not Offer.objects.filter(alert=alert, person=eve).exists()
    assert replies(text_in(client, sender=eve, body="1")) == [inbound.NOTHING_WAITING]
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN


def test_the_most_recently_notified_texted_offer_is_the_one_taken(client, crisis):
    from tests.messaging.conftest import make_crisis

    first = texted(crisis)
    other = make_crisis()
    # Bea is on call in a second network too, and is texted its alert later.
    bea = crisis.peers[0]
    Membership.objects.create(person=bea, network=other.network, role=Membership.Role.MEMBER)
    second = other.raise_alert()
    offer = Offer.objects.create(
        alert=second, person=bea, network=other.network, step=0, notified_at=crisis.now + 90 * S
    )
    Offer.objects.filter(pk=offer.pk).update(sms_sent_at=crisis.now + 90 * S)
    assert replies(text_in(client, sender=bea, body="1")) == [inbound.TAKEN]
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.taken_by, first.state) == (bea, Alert.State.OPEN)


def test_a_pending_handover_texted_to_a_peer_is_taken_by_reply(client, crisis):
    alert = texted(crisis)
    bea, eve = crisis.peers[0], crisis.peers[3]
    alerts.do_accept_alert(alert_id=alert.pk, person=bea)
    offer = alerts.do_hand_over_alert(alert_id=alert.pk, person=bea, to=eve)
    Offer.objects.filter(pk=offer.pk).update(sms_sent_at=crisis.now + 61 * S)
    assert replies(text_in(client, sender=eve, body="1")) == [inbound.TAKEN]
    alert.refresh_from_db()
    assert alert.taken_by == eve


def test_1_acknowledges_a_pending_test_page_when_no_alert_is_waiting(client, crisis):
    dan = crisis.peers[2]
    test_page = TestPage.objects.create(person=dan)
    assert replies(text_in(client, sender=dan, body="1")) == [inbound.TEST_PAGE_REACHED]
    test_page.refresh_from_db()
    assert test_page.acknowledged_at is not None
    assert test_page.acknowledged_via == TestPage.Via.SMS
    # Acknowledged once: a second "1" finds nothing waiting.
    assert replies(text_in(client, sender=dan, body="1")) == [inbound.NOTHING_WAITING]


def test_an_old_test_page_is_not_acknowledged_by_a_late_reply(client, crisis, settings):
    dan = crisis.peers[2]
    old = TestPage.objects.create(
        person=dan, created_at=crisis.now - timedelta(seconds=settings.PAGING_TEST_ACK_SECONDS + 60)
    )
    assert replies(text_in(client, sender=dan, body="1")) == [inbound.NOTHING_WAITING]
    old.refresh_from_db()
    assert old.acknowledged_at is None


def test_a_texted_alert_comes_before_a_test_page(client, crisis):
    alert = texted(crisis)
    bea = crisis.peers[0]
    test_page = TestPage.objects.create(person=bea)
    assert replies(text_in(client, sender=bea, body="1")) == [inbound.TAKEN]
    alert.refresh_from_db()
    test_page.refresh_from_db()
    assert (alert.taken_by, test_page.acknowledged_at) == (bea, None)


def test_an_unknown_number_gets_an_empty_answer_and_changes_nothing(client, crisis):
    alert = texted(crisis)
    for body in ("1", "HELP", "hello"):
        assert replies(text_in(client, sender="+447700999999", body=body)) == []
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "bm90IGEgc2lnbmF0dXJl",
        # Signed for the address the request arrived at, not the public one.
        signature_for("http://testserver" + PATH, {"From": "x"}),
    ],
)
def test_a_request_without_twilios_signature_is_refused_and_changes_nothing(client, crisis, signature):
    alert = texted(crisis)
    response = text_in(client, sender=crisis.peers[0], body="1", signature=signature)
    assert response.status_code == 403
    assert b"signature" not in response.content.lower()
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN
    assert not sms.outbox


def test_a_signature_for_other_fields_is_refused(client, crisis):
    alert = texted(crisis)
    params = {"From": crisis.peers[0].phone_number.as_e164, "Body": "2", "MessageSid": "SM1"}
    signature = signature_for(public_url(PATH), params)
    response = client.post(PATH, {**params, "Body": "1"}, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN


def test_without_an_auth_token_nothing_is_believed(client, crisis, settings):
    alert = texted(crisis)
    settings.TWILIO_AUTH_TOKEN = ""
    response = text_in(client, sender=crisis.peers[0], body="1", signature="anything")
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN


def test_only_post_is_answered(client):
    assert client.get(PATH).status_code == 405


def test_help_raises_an_alert_in_the_default_network_and_gives_the_emergency_routes(client, crisis):
    (reply,) = replies(text_in(client, sender=crisis.member, body=" help "))
    alert = Alert.objects.get(member=crisis.member)
    assert alert.network == crisis.network
    assert alert.offers.filter(state=Offer.State.PENDING).count() == 3  # paged as the button pages
    assert reply.startswith(inbound.FINDING_SOMEONE)
    assert "If you are in danger now: Emergency services 999; " in reply
    assert "Samaritans 116 123" in reply
    assert "Shout, text 85258" in reply
    # GSM-7 only, within two segments (153 characters each once split).
    assert reply.isascii()
    assert len(reply) <= 2 * 153


def test_help_acts_once_per_text_and_a_second_help_returns_the_open_alert(client, crisis):
    first = replies(text_in(client, sender=crisis.member, body="HELP", sid="SMretried"))
    alert = Alert.objects.get(member=crisis.member)
    offered = set(alert.offers.values_list("pk", "notified_at"))
    # Twilio's retry of the same text gets the same answer and does nothing.
    assert replies(text_in(client, sender=crisis.member, body="HELP", sid="SMretried")) == first
    # A second text: the alert already open, nobody paged again.
    assert replies(text_in(client, sender=crisis.member, body="Help", sid="SMsecond")) == first
    assert list(Alert.objects.filter(member=crisis.member)) == [alert]
    assert set(alert.offers.values_list("pk", "notified_at")) == offered
    assert EscalationStepRun.objects.filter(alert=alert).count() == 1


def test_help_while_someone_holds_the_alert_says_so(client, crisis):
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=crisis.peers[0])
    (reply,) = replies(text_in(client, sender=crisis.member, body="HELP"))
    assert reply.startswith(inbound.ALREADY_TAKEN_FOR_YOU)
    assert "999" in reply
    assert Alert.objects.filter(member=crisis.member).count() == 1


def test_the_raise_words_come_from_the_settings(client, crisis, settings):
    settings.SMS_RAISE_WORDS = ["SUPPORT"]
    assert replies(text_in(client, sender=crisis.member, body="help")) == [inbound.help_text()]
    assert not Alert.objects.exists()
    replies(text_in(client, sender=crisis.member, body="support"))
    assert Alert.objects.filter(member=crisis.member).count() == 1
    assert "text SUPPORT" in inbound.help_text()


def test_help_from_someone_in_no_network_changes_nothing_and_says_nothing(client, crisis):
    former = PersonFactory(display_name="Gus")
    Membership.objects.create(person=former, network=crisis.network, role=Membership.Role.MEMBER)
    Membership.objects.filter(person=former).update(left_at=crisis.now)
    stranger = PersonFactory(display_name="Hal")
    for person in (former, stranger):
        assert replies(text_in(client, sender=person, body="HELP")) == []
        assert replies(text_in(client, sender=person, body="hello")) == []
    assert not Alert.objects.exists()


def test_help_from_a_deactivated_account_changes_nothing(client, crisis):
    crisis.member.is_active = False
    crisis.member.save(update_fields=["is_active"])
    assert replies(text_in(client, sender=crisis.member, body="HELP")) == []
    assert not Alert.objects.exists()


def test_anything_else_gets_the_short_help_and_changes_nothing(client, crisis):
    alert = texted(crisis)
    assert replies(text_in(client, sender=crisis.peers[0], body="yes I can")) == [inbound.help_text()]
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN


def test_replies_to_one_number_are_limited_but_the_text_still_acts(client, crisis, settings):
    settings.SMS_REPLIES_PER_HOUR = 2
    member = crisis.member
    assert replies(text_in(client, sender=member, body="hi")) == [inbound.help_text()]
    assert replies(text_in(client, sender=member, body="hi")) == [inbound.help_text()]
    assert replies(text_in(client, sender=member, body="hi")) == []
    # A raise is never refused, even when no reply can be sent.
    assert replies(text_in(client, sender=member, body="HELP")) == []
    assert Alert.objects.filter(member=member, state=Alert.State.OPEN).count() == 1
    # Another number has its own count.
    assert replies(text_in(client, sender=crisis.peers[0], body="hi")) == [inbound.help_text()]


def test_a_text_that_failed_midway_can_be_retried(client, crisis, monkeypatch):
    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr("messaging.hooks.inbound.do_answer_text", broken)
    client.raise_request_exception = False
    assert text_in(client, sender=crisis.member, body="HELP", sid="SMflaky").status_code == 500
    monkeypatch.undo()
    assert replies(text_in(client, sender=crisis.member, body="HELP", sid="SMflaky"))[0].startswith(
        inbound.FINDING_SOMEONE
    )
    assert len(calls) == 1
    assert Alert.objects.filter(member=crisis.member).count() == 1


def test_every_twilio_hook_refuses_an_unsigned_request_and_needs_no_csrf_token(crisis):
    """The matrix of /hooks/twilio/: Twilio's signature is each hook's only
    authentication, so an unsigned POST is refused and a signed one from
    Twilio (which has no CSRF cookie) is not."""
    from django.test import Client

    from messaging.hooks.urls import urlpatterns

    twilio = Client(enforce_csrf_checks=True)
    for pattern in urlpatterns:
        path = "/hooks/twilio/" + str(pattern.pattern).replace("<str:token>", "some-token")
        params = {"From": "+447700999999", "Body": "hello", "MessageSid": "SM0", "CallSid": "CA0"}
        assert twilio.post(path, params).status_code == 403, path
        assert twilio.post(path, params, HTTP_X_TWILIO_SIGNATURE="bm9wZQ==").status_code == 403, path
        signed = twilio.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature_for(public_url(path), params))
        assert signed.status_code != 403, path
