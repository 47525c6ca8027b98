"""Conversations through the REST API on the real database: alert, direct and
group conversations, idempotent sends, receipts, unread counts, mute,
direct-message rules and blocks, moderation, check-ins, reports and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.actions import alerts, moderation
from messaging.actions import conversations as actions
from messaging.models import Alert, Conversation, Event, FollowUp, Message, MessageReport, Offer, Participant
from network.models import Membership
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory

pytestmark = pytest.mark.django_db


def take(crisis, alert: Alert, person=None) -> Alert:
    person = person or alert.offers.filter(state=Offer.State.PENDING).order_by("pk").first().person
    return alerts.do_accept_alert(alert_id=alert.pk, person=person)


def send(api_client, conversation_id, text: str, key: str):
    return api_client.post(
        f"/api/v1/conversations/{conversation_id}/messages/",
        {"text": text},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def direct(api_client, person_id: int):
    return api_client.post("/api/v1/conversations/direct/", {"person_id": person_id}, format="json")


def events_of(person, type_: str) -> list[dict]:
    return list(
        Event.objects.filter(person=person, type=type_).order_by("seq").values_list("data", flat=True)
    )


# --- alert conversations -----------------------------------------------------------


def test_taking_an_alert_opens_a_conversation_between_member_and_holder(crisis, api):
    alert = take(crisis, crisis.raise_alert())
    conversation = Conversation.objects.get(alert=alert)
    assert conversation.kind == "alert"
    assert set(conversation.participants.values_list("person_id", flat=True)) == {
        crisis.member.pk,
        alert.taken_by_id,
    }
    for person in (crisis.member, alert.taken_by):
        assert events_of(person, "conversation.added")[0]["conversation_id"] == str(conversation.pk)
        listed = api(person).get("/api/v1/conversations/").json()
        assert [c["id"] for c in listed] == [str(conversation.pk)]
    # Other on-call peers and the navigator are not in it.
    other_peer = next(p for p in crisis.peers if p.pk != alert.taken_by_id)
    assert api(other_peer).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404


def test_the_holders_first_message_is_the_contact_the_alert_waits_for(crisis, api):
    alert = take(crisis, crisis.raise_alert())
    assert alert.first_contact_at is None
    conversation = Conversation.objects.get(alert=alert)
    assert send(api(crisis.member), conversation.pk, "thank you", "m-1").status_code == 201
    alert.refresh_from_db()
    assert alert.first_contact_at is None  # the member writing is not the peer reaching them
    assert send(api(alert.taken_by), conversation.pk, "I'm here. Calling you now.", "p-1").status_code == 201
    alert.refresh_from_db()
    assert alert.first_contact_at is not None
    assert alert.contact_check_due_at is None


def test_staff_who_take_an_escalated_alert_join_its_conversation(crisis, api):
    alert = crisis.raise_alert()
    for _ in range(10):
        pending = list(alert.offers.filter(state=Offer.State.PENDING).select_related("person"))
        staff_offer = next((o for o in pending if o.person_id == crisis.staff.pk), None)
        if staff_offer is not None:
            break
        for offer in pending:
            alerts.do_decline_alert(alert_id=alert.pk, person=offer.person)
    assert staff_offer is not None
    take(crisis, alert, crisis.staff)
    conversation = Conversation.objects.get(alert=alert)
    assert set(conversation.participants.values_list("person_id", flat=True)) == {
        crisis.member.pk,
        crisis.staff.pk,
    }
    assert send(api(crisis.staff), conversation.pk, "This is Fiona from the team.", "s-1").status_code == 201


def test_an_alert_conversation_is_readable_after_resolution_but_closed(crisis, api):
    alert = take(crisis, crisis.raise_alert())
    conversation = Conversation.objects.get(alert=alert)
    send(api(alert.taken_by), conversation.pk, "On my way", "p-1")
    alerts.do_resolve_alert(alert_id=alert.pk, person=alert.taken_by)
    for person in (crisis.member, alert.taken_by):
        page = api(person).get(f"/api/v1/conversations/{conversation.pk}/messages/").json()
        assert [m["text"] for m in page["results"]] == ["On my way"]
    answer = send(api(crisis.member), conversation.pk, "one more thing", "m-2")
    assert answer.status_code == 409
    assert answer.json()["type"] == "about:blank#conversation_closed"
    assert Message.objects.count() == 1


# --- sending -------------------------------------------------------------------------


def test_orders_are_assigned_by_the_server_and_a_resend_creates_nothing(member, peer, api):
    conversation_id = direct(api(member), peer.pk).json()["id"]
    first = send(api(member), conversation_id, "hello", "k-1")
    assert first.status_code == 201
    events_before = Event.objects.count()
    again = send(api(member), conversation_id, "hello", "k-1")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Message.objects.count() == 1
    assert Event.objects.count() == events_before
    second = send(api(peer), conversation_id, "hi!", "k-1")  # keys are per author
    third = send(api(member), conversation_id, "how are you?", "k-2")
    assert [first.json()["order"], second.json()["order"], third.json()["order"]] == [1, 2, 3]


def test_a_reused_key_with_other_text_is_refused_and_stores_nothing(member, peer, api):
    conversation_id = direct(api(member), peer.pk).json()["id"]
    send(api(member), conversation_id, "hello", "k-1")
    answer = send(api(member), conversation_id, "something else", "k-1")
    assert answer.status_code == 422
    assert answer.json()["type"] == "about:blank#idempotency_key_reused"
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"text": "x" * 4001}, "k"),
        ({"text": ""}, "k"),
        ({"text": "   "}, "k"),
        ({"text": 42}, "k"),
        ({}, "k"),
        ({"text": "fine"}, ""),
        ({"text": "fine"}, "x" * 201),
    ],
)
def test_bad_messages_get_one_problem_and_store_nothing(member, peer, api, body, key):
    conversation_id = direct(api(member), peer.pk).json()["id"]
    answer = api(member).post(
        f"/api/v1/conversations/{conversation_id}/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert not Message.objects.exists()
    assert Conversation.objects.get(pk=conversation_id).last_order == 0


def test_message_text_is_encrypted_at_rest(member, peer, api):
    conversation_id = direct(api(member), peer.pk).json()["id"]
    send(api(member), conversation_id, "my secret words", "k-1")
    message = Message.objects.get()
    assert b"secret" not in bytes(message.sealed_text)
    assert message.sealed_owner_id == member.pk
    assert api(peer).get(f"/api/v1/conversations/{conversation_id}/messages/").json()["results"][0][
        "text"
    ] == ("my secret words")


# --- receipts, unread, mute, history ------------------------------------------------------


def test_receipts_and_unread_counts(member, peer, api):
    conversation_id = direct(api(member), peer.pk).json()["id"]
    for n in range(3):
        send(api(member), conversation_id, f"message {n}", f"k-{n}")
    assert api(peer).get("/api/v1/conversations/").json()[0]["unread"] == 3
    assert api(member).get("/api/v1/conversations/").json()[0]["unread"] == 0

    def statuses() -> list[str]:
        page = api(member).get(f"/api/v1/conversations/{conversation_id}/messages/?after=0").json()
        return [m["status"] for m in page["results"]]

    assert statuses() == ["sent", "sent", "sent"]
    receipts = f"/api/v1/conversations/{conversation_id}/receipts/"
    assert api(peer).post(receipts, {"delivered_through": 3}, format="json").json() == {
        "delivered_through": 3,
        "read_through": 0,
    }
    assert statuses() == ["delivered", "delivered", "delivered"]
    api(peer).post(receipts, {"read_through": 2}, format="json")
    assert statuses() == ["read", "read", "delivered"]
    assert api(peer).get(f"/api/v1/conversations/{conversation_id}/").json()["unread"] == 1
    # Watermarks never move back, and an order beyond the newest is refused.
    assert api(peer).post(receipts, {"read_through": 1}, format="json").json()["read_through"] == 2
    assert api(peer).post(receipts, {"read_through": 9}, format="json").status_code == 400
    receipt = events_of(member, "message.receipt")[-1]
    assert (receipt["person"]["id"], receipt["delivered_through"], receipt["read_through"]) == (peer.pk, 3, 2)
    # Replying reads everything above it; your own message is never unread.
    send(api(peer), conversation_id, "thanks", "p-1")
    assert api(peer).get(f"/api/v1/conversations/{conversation_id}/").json()["unread"] == 0
    assert api(member).get(f"/api/v1/conversations/{conversation_id}/").json()["unread"] == 1


def test_history_pages_newest_first_and_catches_up_oldest_first(member, peer, api):
    conversation_id = direct(api(member), peer.pk).json()["id"]
    for n in range(5):
        send(api(member), conversation_id, f"m{n}", f"k-{n}")
    url = f"/api/v1/conversations/{conversation_id}/messages/"
    page = api(peer).get(url + "?page_size=2").json()
    assert [m["order"] for m in page["results"]] == [5, 4]
    page = api(peer).get(page["next"]).json()
    assert [m["order"] for m in page["results"]] == [3, 2]
    catch_up = api(peer).get(url + "?after=3").json()
    assert [m["text"] for m in catch_up["results"]] == ["m3", "m4"]
    assert api(peer).get(url + "?after=-1").status_code == 400


def test_an_alert_conversation_cannot_be_muted_by_either_side(crisis, api):
    alert = take(crisis, crisis.raise_alert())
    conversation = Conversation.objects.get(alert=alert)
    url = f"/api/v1/conversations/{conversation.pk}/mute/"
    for person in (crisis.member, alert.taken_by):
        refused = api(person).put(url, {"muted": True}, format="json")
        assert refused.status_code == 400
        assert refused.json()["errors"] == [
            {
                "field": "muted",
                "code": "alert_conversation",
                "detail": "An alert's conversation cannot be muted.",
            }
        ]
    assert not Participant.objects.filter(conversation=conversation, muted=True).exists()


def test_mute_is_remembered_and_can_be_lifted(member, peer, api):
    conversation_id = direct(api(member), peer.pk).json()["id"]
    url = f"/api/v1/conversations/{conversation_id}/mute/"
    until = (timezone.now() + timedelta(hours=8)).isoformat()
    assert api(peer).put(url, {"muted": True, "until": until}, format="json").json()["muted"] is True
    assert api(peer).get(f"/api/v1/conversations/{conversation_id}/").json()["muted"] is True
    assert api(member).get(f"/api/v1/conversations/{conversation_id}/").json()["muted"] is False
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert api(peer).put(url, {"muted": True, "until": past}, format="json").status_code == 400
    api(peer).put(url, {"muted": False}, format="json")
    assert api(peer).get(f"/api/v1/conversations/{conversation_id}/").json()["muted"] is False


# --- direct messages: off, blocks ---------------------------------------------------------


def test_direct_messages_off_stops_peers_but_not_the_navigator(member, peer, navigator, api):
    conversation_id = direct(api(peer), member.pk).json()["id"]
    api(member).put("/api/v1/messaging-preferences/", {"direct_messages": False}, format="json")
    assert api(member).get("/api/v1/messaging-preferences/").json() == {"direct_messages": False}
    refused = send(api(peer), conversation_id, "hi", "k-1")
    assert refused.status_code == 403
    assert refused.json()["type"] == "about:blank#direct_messages_closed"
    other = PersonFactory(display_name="Cal")
    MembershipFactory(person=other, network=member.memberships.first().network)
    assert direct(api(other), member.pk).status_code == 403
    navigator_conversation = direct(api(navigator), member.pk)
    assert navigator_conversation.status_code == 201
    assert send(api(navigator), navigator_conversation.json()["id"], "checking in", "n-1").status_code == 201
    # The member can still write to the peer, and turning it back on reopens.
    api(member).put("/api/v1/messaging-preferences/", {"direct_messages": True}, format="json")
    assert send(api(peer), conversation_id, "hi", "k-2").status_code == 201
    assert Message.objects.filter(author=peer).count() == 1


def test_a_block_stops_direct_messages_and_check_ins_both_ways(member, peer, api):
    conversation_id = direct(api(peer), member.pk).json()["id"]
    assert api(member).post("/api/v1/blocks/", {"person_id": peer.pk}, format="json").status_code == 201
    assert [b["person"]["id"] for b in api(member).get("/api/v1/blocks/").json()] == [peer.pk]
    assert send(api(peer), conversation_id, "hello?", "k-1").status_code == 403
    assert send(api(member), conversation_id, "go away", "k-2").status_code == 403
    check_in = api(peer).post(
        "/api/v1/check-ins/", {"person_id": member.pk}, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert check_in.status_code == 403
    assert not Message.objects.exists()
    # The refusal looks the same as direct messages off: the block is not revealed.
    assert check_in.json()["type"] == "about:blank#direct_messages_closed"
    assert api(member).delete(f"/api/v1/blocks/{peer.pk}/").status_code == 204
    assert send(api(peer), conversation_id, "hello?", "k-3").status_code == 201


def test_people_who_share_no_network_cannot_find_each_other(member, outsider, api):
    assert direct(api(member), outsider.pk).status_code == 404
    assert api(member).post("/api/v1/blocks/", {"person_id": outsider.pk}, format="json").status_code == 404
    assert (
        api(member)
        .post("/api/v1/check-ins/", {"person_id": outsider.pk}, format="json", HTTP_IDEMPOTENCY_KEY="c")
        .status_code
        == 404
    )
    assert not Conversation.objects.exists()


def test_there_is_one_direct_conversation_per_pair(member, peer, api):
    first = direct(api(member), peer.pk)
    second = direct(api(peer), member.pk)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


# --- the group conversation and moderation ------------------------------------------------


def test_one_group_conversation_per_network_moderated_by_navigators(network, member, peer, navigator, api):
    url = f"/api/v1/networks/{network.pk}/conversation/"
    group_id = api(member).get(url).json()["id"]
    assert api(peer).get(url).json()["id"] == group_id
    message_id = send(api(peer), group_id, "rude words", "k-1").json()["id"]
    mine_id = send(api(member), group_id, "oops, typo", "k-2").json()["id"]
    # Every member hears about it.
    assert events_of(navigator, "message.new")[-1]["message_id"] == mine_id
    message_url = f"/api/v1/conversations/{group_id}/messages/{message_id}/"
    assert api(member).delete(message_url).status_code == 403
    assert api(navigator).delete(message_url).status_code == 204
    assert api(member).delete(f"/api/v1/conversations/{group_id}/messages/{mine_id}/").status_code == 204
    page = api(peer).get(f"/api/v1/conversations/{group_id}/messages/?after=0").json()["results"]
    assert [(m["order"], m["text"], m["deleted"]) for m in page] == [(1, None, True), (2, None, True)]
    removed = Message.objects.get(pk=message_id)
    assert removed.sealed_text is None
    assert events_of(peer, "message.deleted")[0]["by"] == "moderator"


def test_a_navigator_cannot_remove_messages_in_a_direct_conversation(member, peer, navigator, api):
    conversation_id = direct(api(member), peer.pk).json()["id"]
    message_id = send(api(member), conversation_id, "hello", "k").json()["id"]
    url = f"/api/v1/conversations/{conversation_id}/messages/{message_id}/"
    assert api(navigator).delete(url).status_code == 404
    assert api(peer).delete(url).status_code == 403
    assert Message.objects.get().deleted_at is None


# --- check-ins ----------------------------------------------------------------------------


def test_thinking_of_you_is_a_check_in_message(member, peer, api):
    answer = api(peer).post(
        "/api/v1/check-ins/", {"person_id": member.pk}, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert answer.status_code == 201
    assert answer.json()["kind"] == "check_in"
    again = api(peer).post(
        "/api/v1/check-ins/", {"person_id": member.pk}, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert again.status_code == 200
    assert Message.objects.count() == 1
    new = events_of(member, "message.new")[-1]
    assert (new["kind"], new["author"]["id"], new["conversation_kind"]) == ("check_in", peer.pk, "direct")


def test_a_follow_up_check_in_is_a_real_message_to_the_member(crisis, api):
    from messaging import tasks

    alert = take(crisis, crisis.raise_alert())
    holder = alert.taken_by
    alerts.do_resolve_alert(
        alert_id=alert.pk,
        person=holder,
        debrief=alerts.DebriefIn(how_it_went="", emergency_services="avoided", follow_up_wanted=True),
    )
    follow_up = FollowUp.objects.get(alert=alert)
    # The member turned direct messages off: the check-in they asked for still comes.
    moderation.do_set_direct_messages(person=crisis.member, enabled=False)
    tasks.sweep(now=follow_up.due_at + timedelta(seconds=1))
    checker = follow_up.check_in_by
    assert events_of(checker, "alert.follow_up_due")[0]["alert_id"] == str(alert.pk)
    listed = api(checker).get("/api/v1/follow-ups/").json()
    assert [(f["id"], f["checked_in"]) for f in listed] == [(follow_up.pk, False)]
    url = f"/api/v1/follow-ups/{follow_up.pk}/check-in/"
    answer = api(checker).post(url, {"text": "How are you today?"}, format="json", HTTP_IDEMPOTENCY_KEY="f-1")
    assert answer.status_code == 201
    assert answer.json()["kind"] == "follow_up"
    message = Message.objects.get(follow_up=follow_up)
    assert message.conversation.kind == "direct"
    assert set(message.conversation.participants.values_list("person_id", flat=True)) == {
        crisis.member.pk,
        checker.pk,
    }
    page = api(crisis.member).get(f"/api/v1/conversations/{message.conversation_id}/messages/").json()
    assert page["results"][0]["text"] == "How are you today?"
    again = api(checker).post(url, {"text": "again"}, format="json", HTTP_IDEMPOTENCY_KEY="f-2")
    assert again.status_code == 409
    assert api(checker).get("/api/v1/follow-ups/").json()[0]["checked_in"] is True
    # Nobody else can answer someone's follow-up.
    assert (
        api(crisis.navigator).post(url, {"text": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="n").status_code
        == 404
    )


# --- reports -----------------------------------------------------------------------------


def test_a_report_reaches_the_facilitators_with_the_message(network, member, peer, navigator, staff, api):
    conversation_id = direct(api(peer), member.pk).json()["id"]
    message_id = send(api(peer), conversation_id, "something nasty", "k").json()["id"]
    url = f"/api/v1/conversations/{conversation_id}/messages/{message_id}/report/"
    assert api(member).post(url, {"reason": "nope"}, format="json").status_code == 400
    assert api(member).post(url, {"reason": "unkind"}, format="json").status_code == 201
    assert api(peer).post(url, {"reason": "unkind"}, format="json").status_code == 400  # your own
    assert MessageReport.objects.count() == 1
    reported = events_of(staff, "message.reported")
    assert [r["reason"] for r in reported] == ["unkind"]
    assert "nasty" not in str(reported)
    reports = api(staff).get("/api/v1/message-reports/").json()["results"]
    assert reports[0]["message"]["text"] == "something nasty"
    assert api(navigator).get("/api/v1/message-reports/").json()["results"] == []
    assert api(member).get("/api/v1/message-reports/").json()["results"] == []


# --- retention ---------------------------------------------------------------------------


def test_retention_deletes_old_messages_and_nothing_else(network, member, peer, staff, api):
    other_network = NetworkFactory(name="Sutton")
    a, b = PersonFactory(), PersonFactory()
    for person in (a, b):
        MembershipFactory(person=person, network=other_network)
    assert (
        api(member)
        .put(f"/api/v1/networks/{network.pk}/message-retention/", {"days": 30}, format="json")
        .status_code
        == 403
    )
    assert (
        api(staff)
        .put(f"/api/v1/networks/{network.pk}/message-retention/", {"days": 3}, format="json")
        .status_code
        == 400
    )
    answer = api(staff).put(f"/api/v1/networks/{network.pk}/message-retention/", {"days": 30}, format="json")
    assert answer.json() == {"network_id": network.pk, "days": 30}
    now = timezone.now()
    here = actions.do_start_direct_conversation(person=member, other=peer).conversation
    there = actions.do_start_direct_conversation(person=a, other=b).conversation
    old_here = actions.do_send_message(
        conversation_id=here.pk, author=member, client_id="1", text="old", now=now - timedelta(days=31)
    ).message
    kept_here = actions.do_send_message(
        conversation_id=here.pk, author=member, client_id="2", text="recent", now=now - timedelta(days=29)
    ).message
    # The other network keeps the default (365 days): 31 days old stays.
    kept_there = actions.do_send_message(
        conversation_id=there.pk, author=a, client_id="1", text="older", now=now - timedelta(days=31)
    ).message
    old_there = actions.do_send_message(
        conversation_id=there.pk, author=a, client_id="2", text="ancient", now=now - timedelta(days=366)
    ).message
    assert moderation.do_purge_old_messages(now=now) == 2
    assert set(Message.objects.values_list("pk", flat=True)) == {kept_here.pk, kept_there.pk}
    assert not Message.objects.filter(pk__in=[old_here.pk, old_there.pk]).exists()
    # Orders keep counting after a purge.
    later = actions.do_send_message(conversation_id=here.pk, author=peer, client_id="3", text="new")
    assert later.message.order == 3


def test_the_purge_is_scheduled():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["purge-old-messages"]["task"] == "messaging.tasks.purge_old_messages"


# --- offline fallbacks ----------------------------------------------------------------------


def test_an_unseen_message_gets_a_content_free_push_then_sms(member, peer, api):
    from django.conf import settings

    from foundation.transports import push, sms
    from messaging import tasks
    from messaging.actions.push import do_subscribe_push

    do_subscribe_push(person=peer, endpoint="https://push.example/1", p256dh="k", auth="a")
    conversation_id = direct(api(member), peer.pk).json()["id"]
    send(api(member), conversation_id, "call me about the pills", "k-1")
    send(api(member), conversation_id, "please", "k-2")
    sent_at = Message.objects.get(client_id="k-1").created_at
    push_at = sent_at + timedelta(seconds=settings.MESSAGE_PUSH_AFTER_SECONDS)
    assert tasks.sweep_messages(now=push_at - timedelta(seconds=1)) == {"message_fallbacks": 0}
    assert tasks.sweep_messages(now=push_at) == {"message_fallbacks": 1}
    assert tasks.sweep_messages(now=push_at) == {"message_fallbacks": 0}  # once
    sms_at = push_at + timedelta(seconds=settings.MESSAGE_SMS_AFTER_PUSH_SECONDS)
    assert tasks.sweep_messages(now=sms_at) == {"message_fallbacks": 1}
    assert len(push.outbox) == 1
    assert len(sms.outbox) == 1
    texts = [push.outbox[0].body, push.outbox[0].title, sms.outbox[0].body]
    for text in texts:
        assert "pills" not in text
        assert "please" not in text
        assert member.display_name not in text
    assert sms.outbox[0].body == "You have a new message in Croydon SUN. Open the app."
    # The author is never notified of their own message.
    assert Participant.objects.get(person=member).pending_since is None


def test_reading_or_muting_stops_the_fallback(member, peer, api):
    from django.conf import settings

    from foundation.transports import sms
    from messaging import tasks

    conversation_id = direct(api(member), peer.pk).json()["id"]
    send(api(member), conversation_id, "hello", "k-1")
    api(peer).post(f"/api/v1/conversations/{conversation_id}/receipts/", {"read_through": 1}, format="json")
    later = timezone.now() + timedelta(seconds=settings.MESSAGE_PUSH_AFTER_SECONDS + 1)
    assert tasks.sweep_messages(now=later) == {"message_fallbacks": 0}
    send(api(member), conversation_id, "hello again", "k-2")
    api(peer).put(f"/api/v1/conversations/{conversation_id}/mute/", {"muted": True}, format="json")
    much_later = later + timedelta(seconds=settings.MESSAGE_SMS_AFTER_PUSH_SECONDS * 3)
    tasks.sweep_messages(now=much_later)
    tasks.sweep_messages(now=much_later + timedelta(hours=1))
    assert sms.outbox == []


def test_a_device_ack_counts_as_delivered_for_the_fallback(member, peer, api):
    from django.conf import settings

    from messaging import tasks
    from messaging.actions import events

    conversation_id = direct(api(member), peer.pk).json()["id"]
    send(api(member), conversation_id, "hello", "k-1")
    seq = Event.objects.filter(person=peer, type="message.new").get().seq
    events.do_ack_events(person_id=peer.pk, seq=seq)
    later = timezone.now() + timedelta(seconds=settings.MESSAGE_PUSH_AFTER_SECONDS + 1)
    assert tasks.sweep_messages(now=later) == {"message_fallbacks": 0}
    assert Participant.objects.get(person=peer).pending_since is None


def test_group_messages_push_but_never_text(network, member, peer, api):
    from django.conf import settings

    from foundation.transports import sms
    from messaging import tasks

    group_id = api(member).get(f"/api/v1/networks/{network.pk}/conversation/").json()["id"]
    send(api(member), group_id, "see you thursday", "k-1")
    far = timezone.now() + timedelta(days=1)
    assert tasks.sweep_messages(now=far)["message_fallbacks"] == 1  # the peer's push
    assert tasks.sweep_messages(now=far + timedelta(seconds=settings.MESSAGE_SMS_AFTER_PUSH_SECONDS + 1)) == {
        "message_fallbacks": 0
    }
    assert sms.outbox == []


def test_a_group_message_costs_two_fallback_tasks_whatever_the_group_size(
    network, member, peer, api, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Two tasks per message (push time, SMS time), not two per recipient: each
    is a Redis round trip inside the sender's request. The task then pushes to
    every participant still waiting, once."""
    from foundation.transports import push
    from messaging import scheduling, tasks
    from messaging.actions.push import do_subscribe_push

    others = [peer] + [PersonFactory(display_name=f"Member {i}") for i in range(4)]
    for person in others[1:]:
        MembershipFactory(person=person, network=network)
    for i, person in enumerate(others):
        do_subscribe_push(person=person, endpoint=f"https://push.example/{i}", p256dh="k", auth="a")
    settings.MESSAGE_PUSH_AFTER_SECONDS = 0
    enqueued = []
    monkeypatch.setattr(scheduling, "_enqueue", lambda name, args, eta: enqueued.append((name, args)))
    group_id = api(member).get(f"/api/v1/networks/{network.pk}/conversation/").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        send(api(member), group_id, "see you thursday", "k-1")
    assert enqueued == [("send_conversation_fallbacks", (group_id,))] * 2
    waiting = set(Participant.objects.filter(pending_since__isnull=False).values_list("person_id", flat=True))
    assert waiting == {person.pk for person in others}
    assert tasks.send_conversation_fallbacks(group_id) == len(others)
    assert tasks.send_conversation_fallbacks(group_id) == 0  # a doubled task sends nothing twice
    assert len(push.outbox) == len(others)


def test_a_member_who_left_the_network_loses_the_group(network, member, peer, api):
    group_id = api(member).get(f"/api/v1/networks/{network.pk}/conversation/").json()["id"]
    Membership.objects.filter(person=peer, network=network).update(left_at=timezone.now())
    assert api(peer).get(f"/api/v1/conversations/{group_id}/").status_code == 404


def test_the_alert_sweep_leaves_message_fallbacks_to_their_own_sweep(member, peer, api):
    from unittest import mock

    from messaging import tasks

    conversation_id = direct(api(member), peer.pk).json()["id"]
    send(api(member), conversation_id, "hello", "k-1")
    with mock.patch.object(timezone, "now", return_value=timezone.now() + timedelta(days=1)):
        assert "message_fallbacks" not in tasks.sweep_due_alert_work()
        assert tasks.sweep_message_fallbacks() == {"message_fallbacks": 1}
