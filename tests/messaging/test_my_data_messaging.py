"""GET /my-data/ holds what messaging keeps about the person too: alerts they
raised (their own words decrypted for them) and took, messages they sent,
debriefs they wrote, blocks, reports, push subscriptions (the host only) and
check-ins. Other people's words never appear in it: of a conversation, only
the person's own messages."""

from __future__ import annotations

import json

import pytest

from messaging.models import Conversation
from tests.messaging.conftest import send_message

pytestmark = pytest.mark.django_db

ALERT_WORDS = "canary-alert-words: I am on the bridge"
PEER_WORDS = "canary-peer-words: on my way"
MEMBER_WORDS = "canary-member-words: thank you for coming"
DEBRIEF_WORDS = "canary-debrief: we talked for an hour"
MEMBER_DEBRIEF = "canary-member-debrief: it helped"


@pytest.fixture
def lived(api, crisis):
    """Amara raised an alert that Bea took; they talked; both wrote debriefs;
    Amara blocked Cleo, reported one of Bea's messages, has a push
    subscription and checked in on Dan."""
    amara, bea, cleo, dan = crisis.member, *crisis.peers[:3]
    raised = api(amara).post(
        "/api/v1/alerts/", {"message": ALERT_WORDS}, format="json", HTTP_IDEMPOTENCY_KEY="a-1"
    )
    alert_id = raised.json()["id"]
    assert api(bea).post(f"/api/v1/alerts/{alert_id}/accept/").status_code == 200
    conversation_id = str(Conversation.objects.get(alert_id=alert_id).pk)
    peer_message = send_message(api(bea), conversation_id, PEER_WORDS, "b-1")
    send_message(api(amara), conversation_id, MEMBER_WORDS, "m-1")
    resolved = api(bea).post(
        f"/api/v1/alerts/{alert_id}/resolve/",
        {"debrief": {"how_it_went": DEBRIEF_WORDS, "emergency_services": "avoided"}},
        format="json",
    )
    assert resolved.status_code == 200
    assert (
        api(amara)
        .post(
            f"/api/v1/alerts/{alert_id}/debrief/",
            {"how_it_went": MEMBER_DEBRIEF, "emergency_services": "avoided"},
            format="json",
        )
        .status_code
        == 201
    )
    assert api(amara).post("/api/v1/blocks/", {"person_id": cleo.pk}, format="json").status_code == 201
    report_url = f"/api/v1/conversations/{conversation_id}/messages/{peer_message['id']}/report/"
    assert api(amara).post(report_url, {"reason": "unkind"}, format="json").status_code == 201
    subscription = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/secret-token",
        "p256dh": "k",
        "auth": "s",
    }
    assert api(amara).post("/api/v1/push-subscriptions/", subscription, format="json").status_code == 201
    check_in = api(amara).post(
        "/api/v1/check-ins/", {"person_id": dan.pk}, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert check_in.status_code == 201, check_in.json()
    return alert_id, conversation_id


def my_data(api, person) -> dict:
    response = api(person).get("/api/v1/my-data/")
    assert response.status_code == 200
    return response.json()


def test_the_member_export_holds_everything_of_theirs_in_messaging(api, crisis, lived):
    alert_id, conversation_id = lived
    mine = my_data(api, crisis.member)["messaging"]

    [raised] = mine["alerts_raised"]
    assert (raised["id"], raised["state"], raised["message"]) == (alert_id, "resolved", ALERT_WORDS)
    assert raised["raised_at"]
    assert raised["taken_at"]
    assert raised["closed_at"]
    assert [(m["conversation_id"], m["text"]) for m in mine["messages_sent"] if m["kind"] == "text"] == [
        (conversation_id, MEMBER_WORDS)
    ]
    assert [m["kind"] for m in mine["messages_sent"]] == ["text", "check_in"]
    assert [d["how_it_went"] for d in mine["debriefs_written"]] == [MEMBER_DEBRIEF]
    assert [b["blocked_id"] for b in mine["blocks"]] == [crisis.peers[1].pk]
    assert [r["reason"] for r in mine["reports"]] == ["unkind"]
    assert [p["endpoint_host"] for p in mine["push_subscriptions"]] == ["fcm.googleapis.com"]
    assert [c["recipient_id"] for c in mine["check_ins_sent"]] == [crisis.peers[2].pk]


def test_the_peer_export_holds_the_alert_they_took_with_states_and_times_only(api, crisis, lived):
    alert_id, _ = lived
    bea = crisis.peers[0]
    theirs = my_data(api, bea)["messaging"]

    assert theirs["alerts_raised"] == []
    [offer] = [o for o in theirs["alerts_offered"] if o["alert_id"] == alert_id]
    assert offer["state"] == "accepted"
    assert offer["offered_at"]
    assert offer["responded_at"]
    [taken] = theirs["alerts_taken"]
    assert (taken["id"], taken["state"]) == (alert_id, "resolved")
    assert [m["text"] for m in theirs["messages_sent"]] == [PEER_WORDS]
    assert [d["how_it_went"] for d in theirs["debriefs_written"]] == [DEBRIEF_WORDS]


def test_nothing_of_another_persons_leaks_into_an_export(api, crisis, lived):
    member_export = json.dumps(my_data(api, crisis.member))
    peer_export = json.dumps(my_data(api, crisis.peers[0]))
    for words in (PEER_WORDS, DEBRIEF_WORDS):
        assert words not in member_export
    for words in (ALERT_WORDS, MEMBER_WORDS, MEMBER_DEBRIEF):
        assert words not in peer_export
    assert "secret-token" not in member_export
    bystander = json.dumps(my_data(api, crisis.peers[3]))
    assert "canary" not in bystander
