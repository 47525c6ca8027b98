"""The voice page's TwiML (issue 17): what the call says for an offer and for
a test page, and what pressing 1 does. The call itself is placed by
messaging.actions.paging; here its Delivery is made as that sends one, and
Twilio's requests are signed as Twilio signs them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from foundation.transports.twilio import public_url, signature_for
from messaging.actions import alerts, inbound
from messaging.hooks import voice
from messaging.models import Alert, Delivery, Offer, TestPage, Transport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = "twilio-test-token"
    settings.PUBLIC_BASE_URL = "https://crisis.example"


def twilio_post(client, path: str, params: dict[str, str] | None = None, *, signed: bool = True):
    params = {"CallSid": "CA" + "1" * 32, "From": "+447700900000", "To": "+447700800000", **(params or {})}
    signature = signature_for(public_url(path), params) if signed else "bm90IGl0"
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


def said(element: ET.Element) -> list[str]:
    return [say.text for say in element.iter("Say")]


@pytest.fixture
def call(crisis) -> Delivery:
    """Bea's voice page for the alert she was offered."""
    alert = crisis.raise_alert(message="I took too many")
    offer = Offer.objects.get(alert=alert, person=crisis.peers[0])
    return Delivery.objects.create(person=offer.person, offer=offer, transport=Transport.VOICE)


@pytest.fixture
def test_call(crisis) -> Delivery:
    bea = crisis.peers[0]
    test_page = TestPage.objects.create(person=bea)
    return Delivery.objects.create(person=bea, test_page=test_page, transport=Transport.VOICE)


def page_path(delivery: Delivery) -> str:
    return f"/hooks/twilio/voice/{delivery.token}/"


def gather_path(delivery: Delivery, query: str = "") -> str:
    return f"/hooks/twilio/voice/{delivery.token}/gather/{query}"


def test_an_offers_call_asks_twice_for_1_and_then_says_goodbye(client, crisis, call):
    root = twiml(twilio_post(client, page_path(call)))
    gather, after_say, hangup = list(root)
    assert gather.tag == "Gather"
    assert gather.get("numDigits") == "1"
    assert gather.get("timeout") == "10"
    assert gather.get("action") == public_url(gather_path(call))
    prompt = f"Someone in {crisis.network.name} needs support. Press 1 to take it."
    assert said(gather) == [prompt, prompt]
    assert (after_say.tag, after_say.text, hangup.tag) == ("Say", voice.NOBODY_PRESSED, "Hangup")


def test_the_call_says_no_crisis_content(client, crisis, call):
    body = twilio_post(client, page_path(call)).content.decode()
    assert "too many" not in body
    assert crisis.member.display_name not in body


def test_a_test_pages_call_asks_to_press_1(client, test_call):
    root = twiml(twilio_post(client, page_path(test_call)))
    assert said(root.find("Gather")) == [inbound.TEST_PAGE_PROMPT, inbound.TEST_PAGE_PROMPT]


def test_an_unknown_token_only_says_the_page_has_ended(client, crisis):
    root = twiml(twilio_post(client, "/hooks/twilio/voice/not-a-token/"))
    assert root.find("Gather") is None
    assert said(root) == [inbound.PAGE_ENDED]


def test_a_call_for_an_alert_someone_else_took_only_ends(client, crisis, call):
    alerts.do_accept_alert(alert_id=call.offer.alert_id, person=crisis.peers[1])
    root = twiml(twilio_post(client, page_path(call)))
    assert root.find("Gather") is None
    assert said(root) == [inbound.PAGE_ENDED]


def test_a_call_for_a_cancelled_alert_only_ends(client, crisis, call):
    alerts.do_cancel_alert(alert_id=call.offer.alert_id, person=crisis.member)
    assert said(twiml(twilio_post(client, page_path(call)))) == [inbound.PAGE_ENDED]
    root = twiml(twilio_post(client, gather_path(call), {"Digits": "1"}))
    assert said(root) == [inbound.PAGE_ENDED]
    assert Alert.objects.get(pk=call.offer.alert_id).state == Alert.State.CANCELLED


@pytest.mark.parametrize("path", [page_path, gather_path])
def test_a_request_without_twilios_signature_is_refused(client, call, path):
    response = twilio_post(client, path(call), {"Digits": "1"}, signed=False)
    assert response.status_code == 403
    assert Alert.objects.get(pk=call.offer.alert_id).state == Alert.State.OPEN


def test_pressing_1_takes_the_alert(client, crisis, call):
    root = twiml(twilio_post(client, gather_path(call), {"Digits": "1"}))
    assert said(root) == [inbound.TAKEN]
    assert root.find("Hangup") is not None
    alert = Alert.objects.get(pk=call.offer.alert_id)
    assert (alert.state, alert.taken_by) == (Alert.State.TAKEN, crisis.peers[0])
    # Exactly as "I've got this": the others stop being paged.
    assert not alert.offers.filter(state=Offer.State.PENDING).exists()
    # Twilio asking again (a retried request) hears the same.
    assert said(twiml(twilio_post(client, gather_path(call), {"Digits": "1"}))) == [inbound.TAKEN]


def test_pressing_1_after_someone_else_took_it_says_so(client, crisis, call):
    alerts.do_accept_alert(alert_id=call.offer.alert_id, person=crisis.peers[1])
    root = twiml(twilio_post(client, gather_path(call), {"Digits": "1"}))
    assert said(root) == [inbound.TAKEN_BY_SOMEONE_ELSE]
    assert Alert.objects.get(pk=call.offer.alert_id).taken_by == crisis.peers[1]


def test_pressing_1_on_a_test_page_acknowledges_it(client, test_call):
    root = twiml(twilio_post(client, gather_path(test_call), {"Digits": "1"}))
    assert said(root) == [inbound.TEST_PAGE_REACHED]
    test_page = TestPage.objects.get(pk=test_call.test_page_id)
    assert test_page.acknowledged_at is not None
    assert test_page.acknowledged_via == TestPage.Via.VOICE
    # Acknowledged: calling it again only ends.
    assert said(twiml(twilio_post(client, page_path(test_call)))) == [inbound.PAGE_ENDED]


def test_another_key_hears_the_prompt_once_more_then_goodbye(client, crisis, call):
    root = twiml(twilio_post(client, gather_path(call), {"Digits": "5"}))
    gather = root.find("Gather")
    assert gather.get("action") == public_url(gather_path(call, "?again=1"))
    assert said(gather) == [f"Someone in {crisis.network.name} needs support. Press 1 to take it."]
    root = twiml(twilio_post(client, gather_path(call, "?again=1"), {"Digits": "#"}))
    assert root.find("Gather") is None
    assert said(root) == [voice.GOODBYE]
    assert Alert.objects.get(pk=call.offer.alert_id).state == Alert.State.OPEN
    # 1 on the second asking still takes it.
    assert said(twiml(twilio_post(client, gather_path(call, "?again=1"), {"Digits": "1"}))) == [inbound.TAKEN]


def test_only_post_is_answered(client, call):
    assert client.get(page_path(call)).status_code == 405
    assert client.get(gather_path(call)).status_code == 405
