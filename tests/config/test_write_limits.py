"""Ordinary writes are rate-limited per person, and nothing in the alert flow
of a person in crisis ever is (issue 12, item 9, the REST part).

Found from outside: no limit at all outside sign-in (15 alerts in 1.8 s, all
accepted and each paging people)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config.edge import WriteRateThrottle
from messaging.models import Alert
from tests.factories import NetworkFactory, PersonFactory
from tests.messaging.conftest import make_crisis

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture
def low_limits(monkeypatch):
    """Every write scope at LIMIT an hour, so a test reaches it quickly."""
    for scope in WriteRateThrottle.THROTTLE_RATES:
        monkeypatch.setitem(WriteRateThrottle.THROTTLE_RATES, scope, f"{LIMIT}/hour")


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank#throttled"
    assert body["status"] == 429
    assert int(response["Retry-After"]) > 0
    assert body["retry_after"] == int(response["Retry-After"])


def message(client, conversation_id: str, n: int):
    return client.post(
        f"/api/v1/conversations/{conversation_id}/messages/",
        {"text": f"hello {n}"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"m-{n}",
    )


def write_until_refused(write: Callable[[int], object]) -> list[int]:
    return [write(n).status_code for n in range(LIMIT + 2)]


def test_messages_are_limited_per_person(api, low_limits, member, peer):
    client = api(member)
    conversation = client.post("/api/v1/conversations/direct/", {"person_id": peer.pk}, format="json").json()
    answers = write_until_refused(lambda n: message(client, conversation["id"], n))
    # Opening the conversation was the first write of the budget.
    assert answers[: LIMIT - 1] == [201] * (LIMIT - 1)
    assert_throttled(message(client, conversation["id"], 99))
    # Another person's budget is their own.
    assert message(api(peer), conversation["id"], 100).status_code == 201


def test_plan_edits_are_limited(api, low_limits, member):
    client = api(member)
    plan_id = client.post("/api/v1/plans/", {"sections": {"when_well": "v0"}}, format="json").json()["id"]
    revisions = f"/api/v1/plans/{plan_id}/revisions/"
    answers = write_until_refused(
        lambda n: client.post(revisions, {"sections": {"when_well": f"v{n + 1}"}}, format="json")
    )
    assert answers[: LIMIT - 1] == [201] * (LIMIT - 1)
    assert_throttled(client.post(revisions, {"sections": {"when_well": "late"}}, format="json"))
    # Reading is never limited.
    assert client.get(f"/api/v1/plans/{plan_id}/").status_code == 200


def test_membership_requests_are_limited(api, low_limits):
    newcomer = PersonFactory()
    client = api(newcomer)
    networks = [NetworkFactory() for _ in range(LIMIT + 1)]
    answers = [
        client.post("/api/v1/join-requests/", {"network": n.slug, "note": "hi"}, format="json").status_code
        for n in networks[:LIMIT]
    ]
    assert answers == [201] * LIMIT
    assert_throttled(
        client.post("/api/v1/join-requests/", {"network": networks[-1].slug, "note": "hi"}, format="json")
    )


def test_map_edits_are_limited(api, low_limits, member):
    client = api(member)

    def tie(n: int):
        body = {"kind": "place", "label": f"Place {n}", "strength": 3, "direction": "to_me"}
        return client.post("/api/v1/me/ties/", body, format="json")

    assert write_until_refused(tie)[:LIMIT] == [201] * LIMIT
    assert_throttled(tie(99))


def test_push_subscriptions_are_limited(api, low_limits, member):
    client = api(member)

    def subscribe(n: int):
        body = {"endpoint": f"https://fcm.googleapis.com/fcm/send/{n}", "p256dh": "k", "auth": "a"}
        return client.post("/api/v1/push-subscriptions/", body, format="json")

    assert write_until_refused(subscribe)[:LIMIT] == [201] * LIMIT
    assert_throttled(subscribe(99))


def test_raising_and_the_whole_alert_flow_are_never_refused(api, low_limits):
    crisis = make_crisis()
    member = api(crisis.member)
    for n in range(LIMIT * 4):
        raised = member.post(
            "/api/v1/alerts/",
            {"message": "I need someone", "urgency": "urgent"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"raise-{n}",
        )
        assert raised.status_code in (200, 201), raised.content
    alert_id = raised.json()["id"]
    bea = api(crisis.peers[0])
    assert bea.post(f"/api/v1/alerts/{alert_id}/accept/", {}, format="json").status_code == 200
    conversation_id = str(Alert.objects.get(pk=alert_id).conversation.pk)
    # The member and the peer holding the alert talk as much as they need.
    for n in range(LIMIT * 3):
        assert message(member, conversation_id, n).status_code == 201
        assert message(bea, conversation_id, 1000 + n).status_code == 201
    contacts = [bea.post(f"/api/v1/alerts/{alert_id}/contact/", {}, format="json") for _ in range(LIMIT * 2)]
    assert [c.status_code for c in contacts] == [200] * (LIMIT * 2)
    cancelled = member.post(f"/api/v1/alerts/{alert_id}/cancel/", {}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"


def test_a_member_with_an_open_alert_is_never_refused_any_write(api, low_limits):
    crisis = make_crisis()
    member = api(crisis.member)
    member.post(
        "/api/v1/alerts/",
        {"message": "help", "urgency": "urgent"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="raise",
    )
    friend = crisis.peers[3]
    conversation = member.post("/api/v1/conversations/direct/", {"person_id": friend.pk}, format="json")
    for n in range(LIMIT * 3):
        assert message(member, conversation.json()["id"], n).status_code == 201
