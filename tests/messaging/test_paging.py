"""Paging (issue 17): per-person rules, the ladder of push, SMS and voice,
delivery receipts from a fake Twilio on loopback, test pages and
reachability flags, and the API that shows them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from foundation.transports import TransportError, push, sms, voice
from foundation.transports.push import PushBackend
from messaging import tasks
from messaging.actions import notifications, paging
from messaging.actions.push import do_subscribe_push
from messaging.models import Alert, Delivery, Event, Offer, ReachabilityFlag, TestPage
from network.models import Membership
from tests.factories import nightly_shift

pytestmark = pytest.mark.django_db

S = timedelta(seconds=1)
LOCMEM_VOICE = "foundation.transports.voice.LocmemVoiceBackend"


class FailingPush(PushBackend):
    """A push service that answers 500 to everything, as the backend reports it."""

    def notify(self, **kwargs):
        raise TransportError("push service answered 500")


@pytest.fixture
def failing_push(settings):
    settings.PUSH_BACKEND = "tests.messaging.test_paging.FailingPush"


def subscribe(person):
    return do_subscribe_push(
        person=person, endpoint=f"https://push.example.test/{person.pk}", p256dh="k", auth="a"
    )


def first_offer(alert):
    return Offer.objects.select_related("person").filter(alert=alert).order_by("pk").first()


def events_of(person, type_):
    return list(Event.objects.filter(person=person, type=type_).order_by("seq"))


# --- rules and the API --------------------------------------------------------------------


def test_the_defaults_keep_todays_timing_and_add_voice_only_where_configured(api, member, settings):
    body = api(member).get("/api/v1/me/paging/").json()
    assert body["is_default"] is True
    assert (
        body["rules"]
        == body["defaults"]
        == [
            {"transport": "push", "after_seconds": 10},
            {"transport": "sms", "after_seconds": 30},
        ]
    )
    assert body["transports"]["voice"] == {"available": False, "detail": "Not set up on this service"}
    assert body["transports"]["push"] == {"available": False, "detail": "Not set up on this service"}
    assert body["transports"]["sms"] == {
        "available": True,
        "detail": f"To the number ending {member.phone_number.as_e164[-3:]}",
    }
    assert body["limits"] == {"max_steps": 3, "max_after_seconds": 1800}
    assert body["last_test_page"] is None
    assert body["reachability"] == {"reachable": True, "flags": []}
    settings.VOICE_BACKEND = LOCMEM_VOICE
    body = api(member).get("/api/v1/me/paging/").json()
    assert body["defaults"][-1] == {"transport": "voice", "after_seconds": 90}


def test_a_person_sets_their_own_ladder_and_goes_back_to_the_defaults(api, member):
    client = api(member)
    rules = [{"transport": "sms", "after_seconds": 0}, {"transport": "push", "after_seconds": 60}]
    response = client.put("/api/v1/me/paging/rules/", {"rules": rules}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["rules"] == rules
    assert response.json()["is_default"] is False
    assert client.get("/api/v1/me/paging/").json()["rules"] == rules
    response = client.delete("/api/v1/me/paging/rules/")
    assert response.status_code == 200
    assert response.json()["is_default"] is True


@pytest.mark.parametrize(
    ("rules", "code"),
    [
        ([], "invalid_rules"),
        ("push", "invalid_rules"),
        ([{"transport": "push", "after_seconds": 0}] * 4, "invalid_rules"),
        ([{"transport": "fax", "after_seconds": 0}], "invalid_transport"),
        ([{"transport": "push", "after_seconds": 1.5}], "invalid_after_seconds"),
        ([{"transport": "push", "after_seconds": "10"}], "invalid_after_seconds"),
        ([{"transport": "push", "after_seconds": 1801}], "invalid_after_seconds"),
        ([{"transport": "push", "after_seconds": -1}], "invalid_after_seconds"),
        ([{"transport": "push", "after_seconds": 0, "extra": 1}], "invalid_rules"),
        (
            [{"transport": "push", "after_seconds": 0}, {"transport": "push", "after_seconds": 10}],
            "duplicate_transport",
        ),
        (
            [{"transport": "push", "after_seconds": 30}, {"transport": "sms", "after_seconds": 10}],
            "rules_out_of_order",
        ),
        ([{"transport": "voice", "after_seconds": 0}], "voice_not_configured"),
    ],
)
def test_bad_rules_are_refused_in_the_house_shape_and_change_nothing(api, member, rules, code):
    client = api(member)
    client.put(
        "/api/v1/me/paging/rules/", {"rules": [{"transport": "sms", "after_seconds": 5}]}, format="json"
    )
    response = client.put("/api/v1/me/paging/rules/", {"rules": rules}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank#validation_error"
    assert [e["code"] for e in body["errors"]] == [code]
    assert client.get("/api/v1/me/paging/").json()["rules"] == [{"transport": "sms", "after_seconds": 5}]


def test_voice_can_be_a_step_where_it_is_configured(api, member, settings):
    settings.VOICE_BACKEND = LOCMEM_VOICE
    rules = [{"transport": "voice", "after_seconds": 0}]
    assert api(member).put("/api/v1/me/paging/rules/", {"rules": rules}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/paging/"),
        ("put", "/api/v1/me/paging/rules/"),
        ("delete", "/api/v1/me/paging/rules/"),
        ("post", "/api/v1/me/test-pages/"),
        ("get", "/api/v1/me/test-pages/1/"),
        ("post", "/api/v1/me/test-pages/1/acknowledge/"),
    ],
)
def test_paging_needs_sign_in(api, method, path):
    assert getattr(api(None), method)(path).status_code == 401


# --- test pages ------------------------------------------------------------------------


def test_a_test_page_pushes_now_texts_at_the_wait_and_is_acknowledged_in_the_app(api, member):
    subscribe(member)
    client = api(member)
    response = client.post("/api/v1/me/test-pages/")
    assert response.status_code == 201, response.json()
    page = response.json()
    assert page["state"] == "waiting"
    assert [(d["transport"], d["status"]) for d in page["deliveries"]] == [("push", "sent")]
    assert [(p.title, p.body, p.url) for p in push.outbox] == [
        ("Test page", "Test page. Tap to say it reached you.", f"/#/account/paging?test={page['id']}")
    ]
    test_page = TestPage.objects.get(pk=page["id"])
    assert tasks.sweep(now=test_page.created_at + 19 * S)["test_pages"] == 0
    assert tasks.sweep(now=test_page.created_at + 20 * S)["test_pages"] == 1
    assert [m.body for m in sms.outbox] == [
        "This is a test page from CrisisNet. Reply 1 to say it reached you."
    ]
    response = client.post(f"/api/v1/me/test-pages/{page['id']}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    assert response.json()["acknowledged_via"] == "app"
    first = response.json()["acknowledged_at"]
    again = client.post(f"/api/v1/me/test-pages/{page['id']}/acknowledge/").json()
    assert again["acknowledged_at"] == first  # the first acknowledgement stands
    assert client.get("/api/v1/me/paging/").json()["last_test_page"]["state"] == "acknowledged"
    assert [e.data for e in events_of(member, "paging.changed")][-1] == {"test_page_id": page["id"]}


def test_an_acknowledged_test_page_sends_nothing_more(api, member):
    client = api(member)
    page = client.post("/api/v1/me/test-pages/").json()
    client.post(f"/api/v1/me/test-pages/{page['id']}/acknowledge/")
    test_page = TestPage.objects.get(pk=page["id"])
    tasks.sweep(now=test_page.created_at + 60 * S)
    assert not sms.outbox


def test_test_pages_are_limited_per_hour_and_idempotent(api, member, settings):
    client = api(member)
    first = client.post("/api/v1/me/test-pages/", HTTP_IDEMPOTENCY_KEY="tp-1")
    again = client.post("/api/v1/me/test-pages/", HTTP_IDEMPOTENCY_KEY="tp-1")
    assert again.json() == first.json()
    assert TestPage.objects.filter(person=member).count() == 1
    for _ in range(settings.PAGING_TEST_PAGES_PER_HOUR - 1):
        assert client.post("/api/v1/me/test-pages/").status_code == 201
    refused = client.post("/api/v1/me/test-pages/")
    assert refused.status_code == 429
    assert refused.json()["type"] == "about:blank#throttled"
    assert TestPage.objects.filter(person=member).count() == settings.PAGING_TEST_PAGES_PER_HOUR


def test_someone_elses_test_page_is_not_found(api, member, peer):
    page = api(member).post("/api/v1/me/test-pages/").json()
    assert api(peer).get(f"/api/v1/me/test-pages/{page['id']}/").status_code == 404
    assert api(peer).post(f"/api/v1/me/test-pages/{page['id']}/acknowledge/").status_code == 404
    assert TestPage.objects.get(pk=page["id"]).acknowledged_at is None


# --- the ladder for offers ---------------------------------------------------------------


def test_a_failed_push_texts_at_once_and_a_delivered_receipt_is_recorded(crisis, failing_push, fake_twilio):
    """Done when (a), in process: push fails, the SMS goes, Twilio says delivered."""
    for person in crisis.peers:
        subscribe(person)
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 10 * S) == "sms"
    [message] = [m for m in fake_twilio.messages() if m.to == offer.person.phone_number.as_e164]
    assert (
        message.params["Body"] == "Someone in Croydon SUN needs support. Reply 1 to take it, or open the app."
    )
    assert message.params["StatusCallback"] == "http://testserver/hooks/twilio/status/"
    assert fake_twilio.deliver(message.sid, "delivered").status_code == 200
    deliveries = {d.transport: d for d in Delivery.objects.filter(offer=offer)}
    assert deliveries["push"].status == "failed"
    assert deliveries["push"].permanent
    assert deliveries["sms"].status == "delivered"
    assert deliveries["sms"].provider_sid == message.sid


def test_a_peer_who_replies_1_to_the_text_takes_the_alert(crisis, failing_push, fake_twilio):
    for person in crisis.peers:
        subscribe(person)
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 10 * S)
    [message] = [m for m in fake_twilio.messages() if m.to == offer.person.phone_number.as_e164]
    fake_twilio.deliver(message.sid, "delivered")
    answer = fake_twilio.text_in(
        offer.person.phone_number.as_e164, "1", "http://testserver/hooks/twilio/sms/"
    )
    assert answer.status_code == 200
    alert.refresh_from_db()
    assert alert.state == Alert.State.TAKEN
    assert alert.taken_by_id == offer.person_id


def test_voice_is_the_last_step_when_the_text_is_undelivered(crisis, fake_twilio):
    """Done when (b): SMS receipt "undelivered", a call at once, 1 pressed, taken."""
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 10 * S) == "push"
    assert notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S) == "sms"
    assert not fake_twilio.calls()
    [message] = [m for m in fake_twilio.messages() if m.to == offer.person.phone_number.as_e164]
    assert fake_twilio.deliver(message.sid, "undelivered", error_code="30003").status_code == 200
    sms_delivery = Delivery.objects.get(provider_sid=message.sid)
    assert (sms_delivery.status, sms_delivery.permanent, sms_delivery.detail) == (
        "undelivered",
        True,
        "30003",
    )
    [call] = fake_twilio.calls()  # at once, not at 90 s
    assert call.to == offer.person.phone_number.as_e164
    voice_delivery = Delivery.objects.get(offer=offer, transport="voice")
    assert call.params["Url"] == f"http://testserver/hooks/twilio/voice/{voice_delivery.token}/"
    assert call.params["StatusCallback"] == "http://testserver/hooks/twilio/status/"
    answer = fake_twilio.answer_call(call.sid, "1")
    assert answer.status_code == 200
    alert.refresh_from_db()
    assert (alert.state, alert.taken_by_id) == (Alert.State.TAKEN, offer.person_id)
    # The navigator's desk heard that a page failed.
    assert events_of(crisis.navigator, "paging.health_changed")


def test_a_call_not_answered_is_a_failure_the_desk_sees(crisis, fake_twilio, api):
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 90 * S)
    [call] = fake_twilio.calls()
    fake_twilio.deliver(call.sid, "no-answer")
    delivery = Delivery.objects.get(provider_sid=call.sid)
    assert (delivery.status, delivery.permanent) == ("no-answer", True)
    people = api(crisis.navigator).get(f"/api/v1/networks/{crisis.network.pk}/paging/").json()["people"]
    [row] = [p for p in people if p["person_id"] == offer.person_id]
    assert row["failures_7d"] == 1
    assert row["last_failure"]["transport"] == "voice"
    assert row["last_failure"]["status"] == "no-answer"


def test_a_number_twilio_refuses_moves_to_the_call_at_once(crisis, fake_twilio):
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    fake_twilio.refuse(offer.person.phone_number.as_e164, code=21211)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S)
    sms_delivery = Delivery.objects.get(offer=offer, transport="sms")
    assert (sms_delivery.status, sms_delivery.permanent, sms_delivery.detail) == ("failed", True, "21211")
    # Refused for calls too: the ladder ends, recorded, and nothing raised.
    assert Delivery.objects.get(offer=offer, transport="voice").status == "failed"


def test_a_taken_alert_places_no_call(crisis, fake_twilio):
    from messaging.actions import alerts

    alert = crisis.raise_alert()
    offer = first_offer(alert)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S)
    alerts.do_accept_alert(alert_id=alert.pk, person=crisis.peers[1], now=crisis.now + 31 * S)
    [message] = [m for m in fake_twilio.messages() if m.to == offer.person.phone_number.as_e164]
    fake_twilio.deliver(message.sid, "undelivered")
    tasks.sweep(now=crisis.now + 120 * S)
    assert not fake_twilio.calls()


def test_each_step_is_sent_once_however_often_it_is_asked(crisis):
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    for _ in range(3):
        notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 40 * S)
        tasks.sweep(now=crisis.now + 41 * S)
    assert Delivery.objects.filter(offer=offer).count() == 2
    assert [m.to for m in sms.outbox].count(offer.person.phone_number.as_e164) == 1


def test_a_persons_own_ladder_is_followed(crisis, settings):
    settings.VOICE_BACKEND = LOCMEM_VOICE
    bea = crisis.peers[0]
    paging.do_set_notification_rules(
        person=bea,
        rules=[{"transport": "voice", "after_seconds": 5}, {"transport": "sms", "after_seconds": 50}],
    )
    alert = crisis.raise_alert()
    offer = Offer.objects.get(alert=alert, person=bea)
    assert tasks.sweep(now=crisis.now + 4 * S)["fallbacks"] == 0
    tasks.sweep(now=crisis.now + 5 * S)
    assert [c.to for c in voice.outbox] == [bea.phone_number.as_e164]
    assert not any(m.to == bea.phone_number.as_e164 for m in sms.outbox)
    tasks.sweep(now=crisis.now + 50 * S)
    assert [m.to for m in sms.outbox].count(bea.phone_number.as_e164) == 1
    assert sorted(Delivery.objects.filter(offer=offer).values_list("transport", flat=True)) == [
        "sms",
        "voice",
    ]


def _quiet_now(person, network, now):
    local = now.astimezone(network.tzinfo)
    Membership.objects.filter(person=person, network=network).update(
        quiet_hours_start=time((local.hour - 1) % 24), quiet_hours_end=time((local.hour + 2) % 24)
    )


def test_quiet_hours_off_call_mean_push_only(crisis, settings):
    settings.VOICE_BACKEND = LOCMEM_VOICE
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    _quiet_now(offer.person, crisis.network, crisis.now)
    Membership.objects.filter(person=offer.person, network=crisis.network).update(
        available_until=None, available_from=None
    )
    tasks.sweep(now=crisis.now + 200 * S)
    assert list(Delivery.objects.filter(offer=offer).values_list("transport", flat=True)) == ["push"]
    assert not any(m.to == offer.person.phone_number.as_e164 for m in sms.outbox)
    assert not any(c.to == offer.person.phone_number.as_e164 for c in voice.outbox)
    assert voice.outbox  # the others, on call and not in quiet hours, were called


def test_quiet_hours_while_on_call_get_the_whole_ladder(crisis, settings):
    settings.VOICE_BACKEND = LOCMEM_VOICE
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    _quiet_now(offer.person, crisis.network, crisis.now)  # still marked available: on call
    tasks.sweep(now=crisis.now + 200 * S)
    assert sorted(Delivery.objects.filter(offer=offer).values_list("transport", flat=True)) == [
        "push",
        "sms",
        "voice",
    ]


# --- receipts' authentication ------------------------------------------------------------------


def test_an_unsigned_or_wrongly_signed_receipt_is_refused_and_changes_nothing(crisis, fake_twilio, client):
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S)
    [message] = [m for m in fake_twilio.messages() if m.to == offer.person.phone_number.as_e164]
    fields = {
        "MessageSid": message.sid,
        "MessageStatus": "undelivered",
        "AccountSid": fake_twilio.account_sid,
    }
    assert client.post("/hooks/twilio/status/", fields).status_code == 403
    forged = fake_twilio.post_signed(
        "http://testserver/hooks/twilio/status/", fields, auth_token="not-the-token"
    )
    assert forged.status_code == 403
    delivery = Delivery.objects.get(provider_sid=message.sid)
    assert (delivery.status, delivery.permanent) == ("queued", False)
    assert not fake_twilio.calls()


def test_a_receipt_for_a_sid_that_is_not_ours_is_answered_and_ignored(fake_twilio, db):
    answer = fake_twilio.post_signed(
        "http://testserver/hooks/twilio/status/", {"MessageSid": "SM" + "0" * 32, "MessageStatus": "failed"}
    )
    assert answer.status_code == 200
    assert not Delivery.objects.exists()


def test_a_late_queued_receipt_does_not_undo_delivered(crisis, fake_twilio):
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S)
    [message] = [m for m in fake_twilio.messages() if m.to == offer.person.phone_number.as_e164]
    fake_twilio.deliver(message.sid, "delivered")
    fake_twilio.deliver(message.sid, "sent")
    assert Delivery.objects.get(provider_sid=message.sid).status == "delivered"


# --- reachability --------------------------------------------------------------------------


def test_a_flag_is_raised_before_a_shift_and_cleared_by_an_acknowledged_test_page(crisis, api):
    """Done when (c)."""
    bea = crisis.peers[0]
    nightly_shift(crisis.network, bea, actor=crisis.staff)
    assert paging.do_check_reachability() >= 1
    [flag] = ReachabilityFlag.objects.filter(person=bea, cleared_at__isnull=True)
    assert flag.code == "test_page_overdue"
    assert flag.told_at is not None
    told = [m.body for m in sms.outbox if m.to == bea.phone_number.as_e164]
    assert told == [paging.REACHABILITY_TEXT]
    assert events_of(crisis.navigator, "paging.health_changed")[-1].data == {"network_id": crisis.network.pk}
    body = api(bea).get("/api/v1/me/paging/").json()
    assert body["reachability"]["reachable"] is False
    assert [f["code"] for f in body["reachability"]["flags"]] == ["test_page_overdue"]
    desk = api(crisis.navigator).get(f"/api/v1/networks/{crisis.network.pk}/paging/").json()["people"]
    assert desk[0]["person_id"] == bea.pk
    assert desk[0]["next_shift_at"] is not None
    # Told once, not at every run.
    paging.do_check_reachability()
    assert [m.body for m in sms.outbox if m.to == bea.phone_number.as_e164] == told
    # An acknowledged test page clears it at once, not at the next run.
    client = api(bea)
    page = client.post("/api/v1/me/test-pages/").json()
    client.post(f"/api/v1/me/test-pages/{page['id']}/acknowledge/")
    flag.refresh_from_db()
    assert flag.cleared_at is not None
    assert client.get("/api/v1/me/paging/").json()["reachability"] == {"reachable": True, "flags": []}
    assert api(crisis.navigator).get(f"/api/v1/networks/{crisis.network.pk}/paging/").json()["people"] == []


def test_an_unacknowledged_test_page_flags_its_person(crisis, api):
    bea = crisis.peers[0]
    nightly_shift(crisis.network, bea, actor=crisis.staff)
    test_page = paging.do_send_test_page(person=bea, now=crisis.now - timedelta(hours=1))
    paging.do_check_reachability(now=crisis.now)
    codes = set(
        ReachabilityFlag.objects.filter(person=bea, cleared_at__isnull=True).values_list("code", flat=True)
    )
    assert codes == {"test_page_overdue", "test_page_unacknowledged"}
    paging.do_acknowledge_test_page(test_page=test_page, via="sms")
    assert not ReachabilityFlag.objects.filter(person=bea, cleared_at__isnull=True).exists()


def test_failing_pages_flag_a_person_and_a_delivered_page_clears_it(crisis, fake_twilio):
    bea = crisis.peers[0]
    nightly_shift(crisis.network, bea, actor=crisis.staff)
    paging.do_acknowledge_test_page(test_page=paging.do_send_test_page(person=bea), via="app")
    fake_twilio.refuse(bea.phone_number.as_e164)
    alert = crisis.raise_alert()
    offer = Offer.objects.get(alert=alert, person=bea)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S)
    paging.do_check_reachability()
    codes = set(
        ReachabilityFlag.objects.filter(person=bea, cleared_at__isnull=True).values_list("code", flat=True)
    )
    assert codes == {"pages_failing", "no_working_channel"}
    fake_twilio.refused.clear()
    page = paging.do_send_test_page(person=bea, now=crisis.now + 100 * S)
    paging.do_send_test_page_steps(test_page_id=page.pk, now=crisis.now + 200 * S)
    [message] = [m for m in fake_twilio.messages() if m.to == bea.phone_number.as_e164]
    fake_twilio.deliver(message.sid, "delivered")
    codes = set(
        ReachabilityFlag.objects.filter(person=bea, cleared_at__isnull=True).values_list("code", flat=True)
    )
    assert "pages_failing" not in codes


# --- the navigator's desk -----------------------------------------------------------------------


def test_the_desk_list_is_for_the_networks_navigators_and_facilitators_only(
    api, network, member, navigator, staff, outsider, outside_navigator
):
    path = f"/api/v1/networks/{network.pk}/paging/"
    assert api(navigator).get(path).status_code == 200
    assert api(staff).get(path).status_code == 200
    assert api(member).get(path).status_code == 403
    assert api(outsider).get(path).status_code == 404
    assert api(outside_navigator).get(path).status_code == 404
    assert api(None).get(path).status_code == 401
    assert api(navigator).get("/api/v1/networks/999999/paging/").status_code == 404


def test_the_desk_list_shows_flagged_people_first(api, network, member, peer, navigator):
    ReachabilityFlag.objects.create(person=peer, code="no_working_channel")
    Delivery.objects.create(person=member, transport="sms", status="failed", permanent=True, detail="21211")
    people = api(navigator).get(f"/api/v1/networks/{network.pk}/paging/").json()["people"]
    assert [p["display_name"] for p in people] == ["Ben", "Amara"]
    assert people[0]["flags"][0]["code"] == "no_working_channel"
    assert people[0]["role"] == "member"
    assert people[0]["membership_id"]
    assert people[1]["failures_7d"] == 1
    assert people[1]["last_failure"]["status"] == "failed"


# --- metrics ------------------------------------------------------------------------------


def test_metrics_count_the_failures_receipts_report(crisis, fake_twilio):
    from messaging.metrics import _notifications

    def failed(transport):
        family = next(f for f in _notifications() if f.name == "crisisnet_notifications_failed")
        return next(
            s.value
            for s in family.samples
            if s.labels == {"transport": transport, "purpose": "alert_offer"} and s.name.endswith("_total")
        )

    alert = crisis.raise_alert()
    offer = first_offer(alert)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S)
    assert failed("sms") == 0
    [message] = [m for m in fake_twilio.messages() if m.to == offer.person.phone_number.as_e164]
    fake_twilio.deliver(message.sid, "undelivered")
    assert failed("sms") == 1
    [call] = fake_twilio.calls()
    fake_twilio.deliver(call.sid, "busy")
    assert failed("voice") == 1


def test_a_message_is_not_texted_in_its_readers_quiet_hours(api, member, peer, network, settings):
    conversation = api(member).post("/api/v1/conversations/direct/", {"person_id": peer.pk}, format="json")
    api(member).post(
        f"/api/v1/conversations/{conversation.json()['id']}/messages/",
        {"text": "are you free later?"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="m-1",
    )
    sms_at = Event.objects.get(person=peer, type="message.new").created_at + timedelta(
        seconds=settings.MESSAGE_PUSH_AFTER_SECONDS + settings.MESSAGE_SMS_AFTER_PUSH_SECONDS
    )
    _quiet_now(peer, network, sms_at)
    tasks.sweep_messages(now=sms_at - timedelta(seconds=settings.MESSAGE_SMS_AFTER_PUSH_SECONDS))
    tasks.sweep_messages(now=sms_at)
    assert not sms.outbox


def test_twilio_unreachable_moves_the_ladder_on_but_does_not_mark_the_number_failing(
    crisis, settings, twilio_unreachable
):
    settings.VOICE_BACKEND = LOCMEM_VOICE
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 30 * S)
    sms_delivery = Delivery.objects.get(offer=offer, transport="sms")
    assert (sms_delivery.status, sms_delivery.permanent, sms_delivery.detail) == (
        "failed",
        False,
        "temporary",
    )
    assert [c.to for c in voice.outbox].count(offer.person.phone_number.as_e164) == 1  # at once, not at 90 s
    assert not paging.reachability_problems(person=offer.person, now=crisis.now) & {"no_working_channel"}


def test_a_calls_progress_is_recorded_in_our_words(crisis, fake_twilio):
    alert = crisis.raise_alert()
    offer = first_offer(alert)
    notifications.do_send_offer_fallbacks(offer_id=offer.pk, now=crisis.now + 90 * S)
    [call] = [c for c in fake_twilio.calls() if c.to == offer.person.phone_number.as_e164]
    seen = []
    for status in ("initiated", "ringing", "in-progress", "completed", "busy"):
        fake_twilio.deliver(call.sid, status)
        seen.append(Delivery.objects.get(provider_sid=call.sid).status)
    assert seen == ["queued", "ringing", "answered", "completed", "completed"]  # final stays final
