"""The admin is for operators: every messaging page opens, none shows what a
member or peer wrote (alert details, messages, debriefs, decline reasons), and
nothing is written there (the actions send the events and run the escalation)."""

from __future__ import annotations

import pytest
from django.db import models

from messaging.models import Alert, Conversation
from tests.conftest import (
    admin_allows_writes,
    admin_pages_of,
    admin_params,
    admin_shows,
    assert_admin_pages_hide,
    registered_admin_models,
)
from tests.messaging.conftest import send_message

pytestmark = pytest.mark.django_db

CANARY = "canary-5e1b-what-they-wrote"
MESSAGING_ADMINS = admin_params("messaging")


@pytest.fixture
def lived_alert(api, crisis):
    """An alert's whole life, and a conversation around it, through the API:
    every messaging model has rows, and each text a person wrote holds the canary."""
    member, bea, cleo = crisis.member, crisis.peers[0], crisis.peers[1]
    raised = api(member).post(
        "/api/v1/alerts/", {"message": f"scared {CANARY}"}, format="json", HTTP_IDEMPOTENCY_KEY="a-1"
    )
    alert_id = raised.json()["id"]
    declined = api(cleo).post(f"/api/v1/alerts/{alert_id}/decline/", {"reason": CANARY}, format="json")
    assert declined.status_code == 200
    assert api(bea).post(f"/api/v1/alerts/{alert_id}/accept/").status_code == 200
    conversation_id = Conversation.objects.get(alert_id=alert_id).pk
    sent = send_message(api(bea), conversation_id, f"on my way {CANARY}", "m-1")
    reported = api(member).post(
        f"/api/v1/conversations/{conversation_id}/messages/{sent['id']}/report/",
        {"reason": "other"},
        format="json",
    )
    assert reported.status_code == 201, reported.json()
    resolved = api(bea).post(
        f"/api/v1/alerts/{alert_id}/resolve/",
        {"debrief": {"how_it_went": CANARY, "emergency_services": "avoided", "follow_up_wanted": True}},
        format="json",
    )
    assert resolved.status_code == 200
    debrief = {"how_it_went": CANARY, "emergency_services": "avoided"}
    assert api(member).post(f"/api/v1/alerts/{alert_id}/debrief/", debrief, format="json").status_code == 201
    subscription = {"endpoint": "https://push.example.test/abc", "p256dh": "key", "auth": "secret"}
    assert api(bea).post("/api/v1/push-subscriptions/", subscription, format="json").status_code == 201
    assert api(cleo).post("/api/v1/blocks/", {"person_id": member.pk}, format="json").status_code == 201
    preference = api(cleo).put("/api/v1/messaging-preferences/", {"direct_messages": False}, format="json")
    assert preference.status_code == 200
    retention = api(crisis.staff).put(
        f"/api/v1/networks/{crisis.network.pk}/message-retention/", {"days": 30}, format="json"
    )
    assert retention.status_code == 200
    return Alert.objects.get(pk=alert_id)


@pytest.mark.parametrize(("model", "model_admin"), MESSAGING_ADMINS)
def test_every_messaging_admin_page_opens_and_shows_nobodys_words(operator, lived_alert, model, model_admin):
    assert_admin_pages_hide(operator, model, CANARY)


def test_alerts_conversations_and_events_are_all_in_the_admin():
    assert registered_admin_models() >= {
        "Alert",
        "Offer",
        "EscalationStepRun",
        "AlertDebrief",
        "FollowUp",
        "PushSubscription",
        "Conversation",
        "Participant",
        "Message",
        "MessageReport",
        "MessagingPreference",
        "Block",
        "MessageRetention",
        "Event",
        "EventSequence",
    }


def _unshowable(model) -> set[str]:
    """Sealed text, ciphertext and the push secrets: never on an admin page."""
    return {
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "sealed", False)
        or isinstance(field, models.BinaryField)
        or field.name in {"endpoint", "p256dh", "auth", "data"}
    }


@pytest.mark.parametrize(("model", "model_admin"), MESSAGING_ADMINS)
def test_no_messaging_admin_lists_a_sealed_or_secret_field(operator_request, model, model_admin):
    shown = admin_shows(model_admin, operator_request)
    assert not shown & _unshowable(model)


@pytest.mark.parametrize(("model", "model_admin"), MESSAGING_ADMINS)
def test_nothing_in_messaging_is_written_through_the_admin(operator_request, model, model_admin):
    assert not admin_allows_writes(model_admin, operator_request)


def test_an_operator_posting_to_an_alerts_change_form_changes_nothing(operator, lived_alert):
    before = (lived_alert.state, lived_alert.step, lived_alert.taken_by_id)
    assert before[0] == "resolved"
    url = f"/admin/messaging/alert/{lived_alert.pk}/change/"
    response = operator.post(url, {"state": "open", "step": "0", "network": lived_alert.network_id})
    assert response.status_code == 403
    lived_alert.refresh_from_db()
    assert (lived_alert.state, lived_alert.step, lived_alert.taken_by_id) == before


def test_the_admin_never_decrypts_what_anyone_wrote(operator, lived_alert, api, data_key_unwraps):
    """Alert details, messages, debriefs and decline reasons are opened with
    the writer's data key: opening every messaging page unwraps none."""
    unwrapped = data_key_unwraps
    seen = api(lived_alert.member).get(f"/api/v1/alerts/{lived_alert.pk}/").json()
    assert CANARY in seen["details"]["message"]  # the spy sees a real read
    assert unwrapped
    unwrapped.clear()
    for param in MESSAGING_ADMINS:
        for url in admin_pages_of(param.values[0]):
            assert operator.get(url).status_code == 200, url
    assert unwrapped == []
