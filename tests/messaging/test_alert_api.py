"""Alerts over REST: raising with an Idempotency-Key, what each role sees,
and who may do what (another network's alerts answer 404)."""

from __future__ import annotations

import pytest

from crisisplans import actions as plan_actions
from crisisplans.models import Audience, Plan
from messaging.models import Alert, Offer

pytestmark = pytest.mark.django_db


def raise_via_api(api, person, key="key-1", **body):
    return api(person).post("/api/v1/alerts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_member_raises_an_alert_and_a_retry_returns_the_same_one(api, crisis):
    first = raise_via_api(api, crisis.member, message="scared", urgency="very_urgent")
    assert first.status_code == 201
    body = first.json()
    assert body["state"] == "open"
    assert body["details"]["message"] == "scared"
    assert body["offered_count"] == 3
    again = raise_via_api(api, crisis.member, message="scared", urgency="very_urgent")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Alert.objects.count() == 1


def test_a_replay_with_a_changed_body_is_refused_and_stores_nothing(api, crisis):
    raise_via_api(api, crisis.member, message="scared")
    changed = raise_via_api(api, crisis.member, message="different")
    assert changed.status_code == 422
    assert changed.json()["type"] == "about:blank#idempotency_key_reused"
    assert Alert.objects.count() == 1


def test_raising_needs_an_idempotency_key(api, crisis):
    response = api(crisis.member).post("/api/v1/alerts/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Alert.objects.exists()


def test_raising_in_a_network_you_are_not_in_is_a_404_and_stores_nothing(api, crisis, other_network):
    response = raise_via_api(api, crisis.member, network_id=other_network.pk)
    assert response.status_code == 404
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"urgency": "apocalyptic"}, "urgency"),
        ({"message": "x" * 501}, "message"),
        ({"location": {"latitude": 200, "longitude": 0}}, "location.latitude"),
    ],
)
def test_bad_input_is_a_validation_problem_and_stores_nothing(api, crisis, body, field):
    response = raise_via_api(api, crisis.member, **body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not Alert.objects.exists()


def test_an_offered_peer_sees_no_crisis_content_until_they_take_it(api, crisis):
    alert_id = raise_via_api(api, crisis.member, message="scared").json()["id"]
    bea = crisis.peers[0]
    seen = api(bea).get(f"/api/v1/alerts/{alert_id}/").json()
    assert seen["details"] is None
    assert seen["my_offer"]["state"] == "pending"
    taken = api(bea).post(f"/api/v1/alerts/{alert_id}/accept/")
    assert taken.status_code == 200
    assert taken.json()["details"]["message"] == "scared"
    assert taken.json()["details"]["plan_id"] == Plan.objects.get(owner=crisis.member).pk


def test_a_second_accept_is_a_409(api, crisis):
    alert_id = raise_via_api(api, crisis.member).json()["id"]
    assert api(crisis.peers[0]).post(f"/api/v1/alerts/{alert_id}/accept/").status_code == 200
    late = api(crisis.peers[1]).post(f"/api/v1/alerts/{alert_id}/accept/")
    assert late.status_code == 409
    assert late.json()["type"] == "about:blank#alert_not_open"


def test_the_taker_reads_the_consented_crisis_sections_of_the_plan(api, crisis):
    plan = Plan.objects.get(owner=crisis.member)
    plan_actions.do_set_consent(
        owner=crisis.member,
        plan=plan,
        audience=Audience.ALERT_PEER,
        sections=["on_call_steps", "safe_places"],
    )
    alert_id = raise_via_api(api, crisis.member).json()["id"]
    bea, cleo = crisis.peers[:2]
    assert api(bea).get(f"/api/v1/plans/{plan.pk}/").status_code == 404  # not before taking it
    api(bea).post(f"/api/v1/alerts/{alert_id}/accept/")
    reading = api(bea).get(f"/api/v1/plans/{plan.pk}/")
    assert reading.status_code == 200
    assert set(reading.json()["sections"]) == {"on_call_steps", "safe_places"}
    assert api(cleo).get(f"/api/v1/plans/{plan.pk}/").status_code == 404


def test_the_whole_life_over_rest(api, crisis):
    alert_id = raise_via_api(api, crisis.member).json()["id"]
    bea = crisis.peers[0]
    assert (
        api(crisis.peers[1])
        .post(f"/api/v1/alerts/{alert_id}/decline/", {"reason": "driving"}, format="json")
        .status_code
        == 200
    )
    assert api(bea).post(f"/api/v1/alerts/{alert_id}/accept/").status_code == 200
    assert api(bea).post(f"/api/v1/alerts/{alert_id}/contact/").status_code == 200
    resolved = api(bea).post(
        f"/api/v1/alerts/{alert_id}/resolve/",
        {"debrief": {"how_it_went": "ok", "emergency_services": "avoided", "follow_up_wanted": True}},
        format="json",
    )
    assert resolved.status_code == 200
    assert resolved.json()["state"] == "resolved"
    member_side = api(crisis.member).post(
        f"/api/v1/alerts/{alert_id}/debrief/", {"emergency_services": "avoided"}, format="json"
    )
    assert member_side.status_code == 201
    assert Alert.objects.get().debriefs.count() == 2


def test_the_member_cancels_over_rest(api, crisis):
    alert_id = raise_via_api(api, crisis.member).json()["id"]
    response = api(crisis.member).post(f"/api/v1/alerts/{alert_id}/cancel/")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert not Offer.objects.filter(state="pending").exists()


# --- the authorisation matrix ---------------------------------------------------

ROLES = [
    "member",
    "offered_peer",
    "not_offered_member",
    "navigator",
    "staff",
    "outsider",
    "outside_navigator",
    "anonymous",
]


@pytest.fixture
def cast(crisis, peer, outsider, outside_navigator):
    return {
        "member": crisis.member,
        "offered_peer": crisis.peers[0],
        "not_offered_member": peer,
        "navigator": crisis.navigator,
        "staff": crisis.staff,
        "outsider": outsider,
        "outside_navigator": outside_navigator,
        "anonymous": None,
    }


EXPECTED_READ = {
    "member": 200,
    "offered_peer": 200,
    "not_offered_member": 404,
    "navigator": 200,
    "staff": 200,
    "outsider": 404,
    "outside_navigator": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_an_alert(api, crisis, cast, role):
    alert = crisis.raise_alert()
    assert api(cast[role]).get(f"/api/v1/alerts/{alert.pk}/").status_code == EXPECTED_READ[role]
    listed = api(cast[role]).get("/api/v1/alerts/")
    if role == "anonymous":
        assert listed.status_code == 401
    else:
        ids = [a["id"] for a in listed.json()["results"]]
        assert (str(alert.pk) in ids) == (EXPECTED_READ[role] == 200)


EXPECTED_ACTIONS = {
    # action: {role: status}
    "accept": {
        "member": 409,
        "offered_peer": 200,
        "not_offered_member": 404,
        "navigator": 409,
        "staff": 409,
        "outsider": 404,
        "outside_navigator": 404,
        "anonymous": 401,
    },
    "decline": {
        "member": 409,
        "offered_peer": 200,
        "not_offered_member": 404,
        "navigator": 409,
        "staff": 409,
        "outsider": 404,
        "outside_navigator": 404,
        "anonymous": 401,
    },
    "cancel": {
        "member": 200,
        "offered_peer": 409,
        "not_offered_member": 404,
        "navigator": 409,
        "staff": 409,
        "outsider": 404,
        "outside_navigator": 404,
        "anonymous": 401,
    },
    "contact": {
        "member": 409,
        "offered_peer": 409,
        "not_offered_member": 404,
        "navigator": 409,
        "staff": 409,
        "outsider": 404,
        "outside_navigator": 404,
        "anonymous": 401,
    },
    "resolve": {
        "member": 409,
        "offered_peer": 409,
        "not_offered_member": 404,
        "navigator": 409,
        "staff": 409,
        "outsider": 404,
        "outside_navigator": 404,
        "anonymous": 401,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EXPECTED_ACTIONS))
def test_who_may_act_on_an_open_alert(api, crisis, cast, role, action):
    alert = crisis.raise_alert()
    response = api(cast[role]).post(f"/api/v1/alerts/{alert.pk}/{action}/", {}, format="json")
    assert response.status_code == EXPECTED_ACTIONS[action][role], response.content
    if response.status_code != 200:
        alert.refresh_from_db()
        assert alert.state == "open"
        assert alert.offers.filter(state="pending").count() == 3


def test_a_malformed_alert_id_is_a_404(api, crisis):
    assert api(crisis.member).get("/api/v1/alerts/not-a-uuid/").status_code == 404


def test_push_subscriptions_are_per_person(api, crisis, outsider):
    body = {"endpoint": "https://push.example.test/abc", "p256dh": "key", "auth": "secret"}
    created = api(crisis.peers[0]).post("/api/v1/push-subscriptions/", body, format="json")
    assert created.status_code == 201
    sub_id = created.json()["id"]
    assert api(outsider).delete(f"/api/v1/push-subscriptions/{sub_id}/").status_code == 404
    assert api(crisis.peers[0]).delete(f"/api/v1/push-subscriptions/{sub_id}/").status_code == 204


def test_rest_tells_where_an_alert_stands_and_the_holder_and_member_get_its_conversation(
    api, crisis, django_capture_on_commit_callbacks
):
    from messaging.models import Conversation, Event

    alert_id = raise_via_api(api, crisis.member, message="scared").json()["id"]
    bea = crisis.peers[0]
    seen = api(crisis.member).get(f"/api/v1/alerts/{alert_id}/").json()
    assert seen["stage"] == "offered"
    assert seen["taken_at"] is None
    assert seen["contact_due_at"] is None
    assert seen["details"]["conversation_id"] is None

    taken = api(bea).post(f"/api/v1/alerts/{alert_id}/accept/").json()
    conversation = str(Conversation.objects.get(alert_id=alert_id).pk)
    assert taken["stage"] == "taken"
    assert taken["taken_at"]
    assert taken["contact_due_at"]
    assert taken["first_contact_at"] is None
    assert taken["details"]["conversation_id"] == conversation
    assert (
        api(crisis.member).get(f"/api/v1/alerts/{alert_id}/").json()["details"]["conversation_id"]
        == conversation
    )
    # A peer who was offered it and did not take it sees neither the words nor the conversation.
    assert api(crisis.peers[1]).get(f"/api/v1/alerts/{alert_id}/").json()["details"] is None

    with django_capture_on_commit_callbacks(execute=True):
        contacted = api(bea).post(f"/api/v1/alerts/{alert_id}/contact/").json()
    assert contacted["first_contact_at"]
    assert contacted["contact_due_at"] is None
    status = Event.objects.filter(person=crisis.member, type="alert.status").order_by("-seq").first()
    from datetime import datetime

    said = datetime.fromisoformat(contacted["first_contact_at"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(status.data["first_contact_at"]) == said
    assert status.data["stage"] == "taken"
