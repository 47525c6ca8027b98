"""Headers that keep personal data out of caches and scripts out of pages
(issue 12, item 11): Cache-Control: no-store on the API's personal answers,
and a strict Content-Security-Policy on every HTML page, under which the API
docs and the admin still load everything they need."""

from __future__ import annotations

import re

import pytest

from crisisplans.models import Plan
from messaging.actions import alerts
from messaging.models import Conversation
from network.models import Person
from tests.conftest import sign_in_to_admin
from tests.messaging.conftest import make_crisis

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken():
    """A crisis whose alert Bea took, so every personal endpoint has content."""
    crisis = make_crisis()
    alert = crisis.raise_alert("k1", message="I need someone")
    alerts.do_accept_alert(alert_id=alert.pk, person=crisis.peers[0])
    return crisis, alert


PERSONAL = {
    "plans": lambda c, a, plan: "/api/v1/plans/",
    "plan": lambda c, a, plan: f"/api/v1/plans/{plan}/",
    "print": lambda c, a, plan: f"/api/v1/plans/{plan}/print/",
    "my data": lambda c, a, plan: "/api/v1/my-data/",
    "alerts": lambda c, a, plan: "/api/v1/alerts/",
    "alert": lambda c, a, plan: f"/api/v1/alerts/{a.pk}/",
    "conversations": lambda c, a, plan: "/api/v1/conversations/",
    "messages": lambda c, a, plan: f"/api/v1/conversations/{Conversation.objects.get(alert=a).pk}/messages/",
    "me": lambda c, a, plan: "/api/v1/me/",
}


@pytest.mark.parametrize("endpoint", PERSONAL.values(), ids=PERSONAL.keys())
def test_personal_answers_are_never_stored_by_a_cache(api, taken, endpoint):
    crisis, alert = taken
    plan_id = Plan.objects.get(owner=crisis.member).pk
    response = api(crisis.member).get(endpoint(crisis, alert, plan_id))
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]


def test_errors_from_the_api_are_not_stored_either(api, member):
    response = api(member).get("/api/v1/plans/999999/")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]


def test_the_schema_stays_cacheable(api):
    response = api(None).get("/api/v1/schema/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def policy_of(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def assert_strict(response) -> dict[str, list[str]]:
    policy = policy_of(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    return policy


def scripts_of(html: str) -> list[str]:
    """Every script tag; inline ones (which script-src 'self' blocks) as ''."""
    found = []
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if 'type="application/json"' in attributes:
            continue  # data, never run
        src = re.search(r'src="([^"]+)"', attributes)
        assert src or not body.strip(), f"inline script would be blocked: {body[:80]}"
        found.append(src.group(1) if src else "")
    return found


def assert_scripts_load(client, html: str) -> None:
    sources = scripts_of(html)
    assert sources
    for source in sources:
        assert source.startswith("/"), f"{source} is not from this origin"
        assert client.get(source.replace("&amp;", "&")).status_code == 200, source


def test_the_printable_plan_has_a_strict_policy(api, taken):
    crisis, _ = taken
    client = api(crisis.member)
    plan_id = Plan.objects.get(owner=crisis.member).pk
    response = client.get(f"/api/v1/plans/{plan_id}/print/")
    assert response["Content-Type"].startswith("text/html")
    assert_strict(response)
    assert "<script" not in response.content.decode()


def test_swagger_ui_has_a_strict_policy_and_still_loads(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert_strict(response)
    assert_scripts_load(client, response.content.decode())


def test_redoc_has_a_strict_policy_and_still_loads(client):
    response = client.get("/api/v1/redoc/")
    assert response.status_code == 200
    policy = assert_strict(response)
    assert policy["worker-src"] == ["blob:"]
    assert_scripts_load(client, response.content.decode())


def test_the_admin_has_a_strict_policy_and_still_loads(client, member):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert_strict(response)
    Person.objects.filter(pk=member.pk).update(is_staff=True, is_superuser=True)
    sign_in_to_admin(client, member)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert_strict(index)
    assert_scripts_load(client, index.content.decode())


def test_json_answers_forbid_everything(api, member):
    response = api(member).get("/api/v1/me/")
    assert policy_of(response)["default-src"] == ["'none'"]
