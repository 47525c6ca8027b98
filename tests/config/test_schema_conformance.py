"""The served OpenAPI schema tells the truth: schemathesis generates requests
for every GET operation (and the writes that leave the cast signed in) and
checks each response against the schema (issue 12 item 16: 9 operations were
wrong, paginated lists documented as arrays and "10:00" as a `time`).

In-process: schemathesis calls Django's WSGI app directly, on the test
database, as the cast's member and navigator, with real data behind the ids.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from messaging.actions import alerts, conversations
from messaging.models import Conversation
from network.models import Membership
from tests.conftest import client_for, sign_in
from tests.messaging.conftest import _crisis_in

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 6
# Writes that leave the cast signed in, in their networks, and the objects
# behind the ids in place (no sign-out, leave, remove, delete or account deletion).
SAFE_WRITES = {
    ("PATCH", "/api/v1/me/"),
    ("POST", "/api/v1/auth/ws-ticket/"),
    ("PUT", "/api/v1/messaging-preferences/"),
    ("PATCH", "/api/v1/networks/{network_id}/me/"),
    ("POST", "/api/v1/networks/{network_id}/me/availability/"),
    ("POST", "/api/v1/networks/{network_id}/shifts/"),
    ("POST", "/api/v1/networks/{network_id}/assets/"),
    ("POST", "/api/v1/me/ties/"),
    ("POST", "/api/v1/conversations/direct/"),
    ("POST", "/api/v1/conversations/{conversation_id}/messages/"),
    ("POST", "/api/v1/conversations/{conversation_id}/receipts/"),
    ("PUT", "/api/v1/conversations/{conversation_id}/mute/"),
    ("POST", "/api/v1/coping-strategies/"),
    ("POST", "/api/v1/plans/{plan_id}/comments/"),
}


# Operations the schema had wrong (issue 12 item 16), by the cast member who can read them.
ANSWERED_BY = {
    "member": {
        "GET /api/v1/conversations/{conversation_id}/messages/",
        "GET /api/v1/coping-strategies/",
        "GET /api/v1/message-reports/",
        "GET /api/v1/plan-notices/",
        "GET /api/v1/plans/{plan_id}/access-log/",
        "GET /api/v1/networks/{network_id}/me/",
        "GET /api/v1/networks/{network_id}/assets/",
        "GET /api/v1/assets/{asset_id}/",
    },
    "navigator": {
        "GET /api/v1/networks/{network_id}/on-call/",
        "GET /api/v1/networks/{network_id}/shifts/",
        "GET /api/v1/networks/{network_id}/assets/",
    },
}


@pytest.fixture
def schema_ids(network, member, navigator, staff) -> dict[str, Any]:
    """Real objects behind the path parameters, so lists and details answer
    200 with content rather than 404: an alert taken by a peer, its
    conversation with a message, the member's signed-off plan."""
    crisis = _crisis_in(network, member=member, navigator=navigator, staff=staff)
    alert = crisis.raise_alert()
    peer = crisis.peers[0]
    alerts.do_accept_alert(alert_id=alert.pk, person=peer)
    conversation = Conversation.objects.get(alert=alert)
    sent = conversations.do_send_message(
        conversation_id=conversation.pk, author=member, client_id="c-1", text="thank you"
    )
    plan = member.crisis_plan
    organiser = client_for(navigator)
    shift = organiser.post(
        f"/api/v1/networks/{network.pk}/shifts/",
        {"person": peer.pk, "start_date": "2026-01-05", "start_time": "20:00", "duration_minutes": 120},
        format="json",
    )
    assert shift.status_code == 201, shift.content
    asset = organiser.post(
        f"/api/v1/networks/{network.pk}/assets/",
        {
            "organization_name": "Croydon Mind",
            "service_name": "Drop-in",
            "opening_times": [{"weekday": "MO", "opens_at": "10:00", "closes_at": "16:00"}],
        },
        format="json",
    )
    assert asset.status_code == 201, asset.content
    quiet = client_for(member).patch(
        f"/api/v1/networks/{network.pk}/me/",
        {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
        format="json",
    )
    assert quiet.status_code == 200, quiet.content
    return {
        "network_id": network.pk,
        "alert_id": str(alert.pk),
        "conversation_id": str(conversation.pk),
        "message_id": str(sent.message.pk),
        "plan_id": str(plan.pk),
        "number": 1,
        "person_id": peer.pk,
        "membership_id": Membership.objects.get(person=member, network=network).pk,
        "device_id": sign_in(member, "laptop")[0].public_id,
        "shift_id": shift.json()["id"],
        "asset_id": asset.json()["id"],
    }


def _summary(exc: BaseException) -> str:
    """The first lines of each check failure (schemathesis groups them)."""
    parts = getattr(exc, "exceptions", None) or [exc]
    return " | ".join(" ".join(str(part).split())[:400] for part in parts)


@pytest.fixture
def wsgi_app(schema_ids: dict[str, Any]) -> Any:
    """Django's real WSGI app, minus what Django's own test client also
    switches off: closing the database connection at the end of each request
    would close the test's transaction (PostgreSQL: "the connection is closed").
    After schema_ids, whose test-client requests connect it again."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def operations(schema: Any) -> list[Any]:
    chosen = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "GET" or (operation.method.upper(), operation.path) in SAFE_WRITES:
            chosen.append(operation)
    return chosen


@pytest.mark.parametrize("who", ["member", "navigator"])
def test_every_response_matches_the_served_schema(who, request, schema_ids, wsgi_app):
    person = request.getfixturevalue(who)
    _, token = sign_in(person)
    ids = schema_ids
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    failures: list[str] = []
    answered: set[str] = set()
    for operation in operations(schema):

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            for name in list(case.path_parameters or {}):
                if name in ids:
                    case.path_parameters[name] = ids[name]
            response = case.call(headers={"Authorization": f"Token {token}"})
            if 200 <= response.status_code < 300:
                answered.add(f"{case.method.upper()} {case.operation.path}")
            case.validate_response(response, checks=[response_schema_conformance])

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups its failures
            failures.append(f"{operation.method.upper()} {operation.path}: {_summary(exc)}")
    assert not failures, "\n\n".join(failures)
    # Not a vacuous pass: the operations that were wrong answered with content.
    assert sorted(ANSWERED_BY[who] - answered) == []
