"""A non-participant gets 404 for everything about a conversation: every
endpoint, every role, including another network's people (DESIGN.md
invariant 7). And the participants get through, so the 404 is not an accident."""

from __future__ import annotations

import pytest

from messaging.actions import alerts
from messaging.actions import conversations as actions
from messaging.models import Conversation, Message, MessageReport, Offer, Participant
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/v1/conversations/{c}/", None),
    ("get", "/api/v1/conversations/{c}/messages/", None),
    ("get", "/api/v1/conversations/{c}/messages/?after=0", None),
    ("post", "/api/v1/conversations/{c}/messages/", {"text": "let me in"}),
    ("delete", "/api/v1/conversations/{c}/messages/{m}/", None),
    ("post", "/api/v1/conversations/{c}/messages/{m}/report/", {"reason": "unkind"}),
    ("post", "/api/v1/conversations/{c}/receipts/", {"read_through": 1}),
    ("put", "/api/v1/conversations/{c}/mute/", {"muted": True}),
]


def call(client, method: str, url: str, body):
    kwargs = {"format": "json", "HTTP_IDEMPOTENCY_KEY": "key-1"}
    if body is not None:
        kwargs["data"] = body
    return getattr(client, method)(url, **kwargs)


def setup_direct(network, member, peer):
    conversation = actions.do_start_direct_conversation(person=member, other=peer).conversation
    message = actions.do_send_message(
        conversation_id=conversation.pk, author=member, client_id="1", text="hi"
    )
    return conversation, message.message


def setup_alert(crisis):
    alert = crisis.raise_alert()
    holder = alert.offers.filter(state=Offer.State.PENDING).order_by("pk").first().person
    alerts.do_accept_alert(alert_id=alert.pk, person=holder)
    conversation = Conversation.objects.get(alert=alert)
    message = actions.do_send_message(
        conversation_id=conversation.pk, author=holder, client_id="1", text="hi"
    )
    return conversation, message.message


def other_member(network):
    person = PersonFactory(display_name="Cal")
    MembershipFactory(person=person, network=network)
    return person


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
@pytest.mark.parametrize("role", ["navigator", "staff", "other_member", "outsider", "outside_navigator"])
def test_a_direct_conversation_is_404_to_everyone_else(
    network, member, peer, navigator, staff, outsider, outside_navigator, api, method, url, body, role
):
    conversation, message = setup_direct(network, member, peer)
    cast = {
        "navigator": navigator,
        "staff": staff,
        "other_member": other_member(network),
        "outsider": outsider,
        "outside_navigator": outside_navigator,
    }
    answer = call(api(cast[role]), method, url.format(c=conversation.pk, m=message.pk), body)
    assert answer.status_code == 404
    assert answer.json()["type"] == "about:blank#not_found"
    assert Message.objects.count() == 1
    assert Message.objects.get().deleted_at is None
    assert not MessageReport.objects.exists()
    assert not Participant.objects.filter(person=cast[role]).exists()
    assert api(cast[role]).get("/api/v1/conversations/").json() == []


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
@pytest.mark.parametrize("role", ["navigator", "staff", "other_peer", "outsider"])
def test_an_alert_conversation_is_404_to_everyone_else(crisis, outsider, api, method, url, body, role):
    conversation, message = setup_alert(crisis)
    holder_id = message.author_id
    cast = {
        "navigator": crisis.navigator,
        "staff": crisis.staff,
        "other_peer": next(p for p in crisis.peers if p.pk != holder_id),
        "outsider": outsider,
    }
    answer = call(api(cast[role]), method, url.format(c=conversation.pk, m=message.pk), body)
    assert answer.status_code == 404
    assert Message.objects.count() == 1
    assert not MessageReport.objects.exists()


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
@pytest.mark.parametrize("role", ["outsider", "outside_navigator"])
def test_a_group_conversation_is_404_to_another_networks_people(
    network, member, peer, outsider, outside_navigator, api, method, url, body, role
):
    conversation = actions.do_ensure_group_conversation(network=network)
    message = actions.do_send_message(
        conversation_id=conversation.pk, author=peer, client_id="1", text="hi"
    ).message
    person = {"outsider": outsider, "outside_navigator": outside_navigator}[role]
    assert call(api(person), method, url.format(c=conversation.pk, m=message.pk), body).status_code == 404
    assert api(person).get(f"/api/v1/networks/{network.pk}/conversation/").status_code == 404
    assert api(person).get(f"/api/v1/networks/{network.pk}/message-retention/").status_code == 404
    assert (
        api(person)
        .put(f"/api/v1/networks/{network.pk}/message-retention/", {"days": 30}, format="json")
        .status_code
        == 404
    )
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [
        ("get", "/api/v1/conversations/{c}/", None, 200),
        ("get", "/api/v1/conversations/{c}/messages/", None, 200),
        ("post", "/api/v1/conversations/{c}/messages/", {"text": "hello"}, 201),
        ("post", "/api/v1/conversations/{c}/messages/{m}/report/", {"reason": "unkind"}, 201),
        ("post", "/api/v1/conversations/{c}/receipts/", {"read_through": 1}, 200),
        ("put", "/api/v1/conversations/{c}/mute/", {"muted": True}, 200),
    ],
)
def test_the_participants_get_through(network, member, peer, api, method, url, body, expected):
    conversation, message = setup_direct(network, member, peer)
    assert call(api(peer), method, url.format(c=conversation.pk, m=message.pk), body).status_code == expected


def test_someone_elses_follow_up_is_404(crisis, api):
    from datetime import timedelta

    from messaging import tasks
    from messaging.models import FollowUp

    conversation, message = setup_alert(crisis)
    holder = message.author
    alerts.do_resolve_alert(
        alert_id=conversation.alert_id,
        person=holder,
        debrief=alerts.DebriefIn(how_it_went="", emergency_services="avoided", follow_up_wanted=True),
    )
    follow_up = FollowUp.objects.get()
    tasks.sweep(now=follow_up.due_at + timedelta(seconds=1))
    for person in (crisis.member, crisis.staff, crisis.navigator):
        if person.pk == follow_up.check_in_by_id:
            continue
        answer = api(person).post(
            f"/api/v1/follow-ups/{follow_up.pk}/check-in/",
            {"text": "x"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k",
        )
        assert answer.status_code == 404
        assert api(person).get("/api/v1/follow-ups/").json() == []
