"""Who may read which section when: the one permission function, then the
API it guards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from crisisplans import actions
from crisisplans.models import AccessRecord, PlanPolicy
from crisisplans.selectors import may_read_section
from tests.crisisplans.factories import CRISIS_PART, share, signed_off_plan
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(member, peer, navigator, staff):
    plan = signed_off_plan(owner=member)
    actions.do_invite_co_author(owner=member, plan=plan, person=staff)
    share(plan, "co_authors", "when_well", "on_call_steps")
    share(plan, "navigator", "contacts")
    share(plan, "alert_peer", *CRISIS_PART)
    return plan


def readable(person, plan, at=None):
    return {
        s
        for s in ("when_well", "triggers", "contacts", "on_call_steps", "safe_places")
        if may_read_section(person=person, plan=plan, section=s, at=at).allowed
    }


def test_the_owner_reads_everything_as_owner(plan, member):
    assert readable(member, plan) == {"when_well", "triggers", "contacts", "on_call_steps", "safe_places"}
    assert may_read_section(person=member, plan=plan, section="triggers").why == "owner"


def test_a_co_author_reads_only_what_is_shared_with_co_authors(plan, staff):
    assert readable(staff, plan) == {"when_well", "on_call_steps"}
    assert may_read_section(person=staff, plan=plan, section="when_well").reason == "co_author"


def test_the_navigator_reads_only_what_is_shared_with_navigators(plan, navigator):
    assert readable(navigator, plan) == {"contacts"}


def test_a_peer_who_accepted_an_alert_reads_the_crisis_part_while_open_and_in_grace(
    plan, member, peer, network, alerts
):
    now = timezone.now()
    assert readable(peer, plan) == set()
    alerts.accept(
        reader=peer, owner=member, network_id=network.pk, alert_id="41", accepted_at=now - timedelta(hours=1)
    )
    assert readable(peer, plan) == {"contacts", "on_call_steps", "safe_places"}
    assert may_read_section(person=peer, plan=plan, section="contacts").why == "alert 41"

    alerts.close("41", closed_at=now)
    assert readable(peer, plan, at=now + timedelta(hours=23)) == {"contacts", "on_call_steps", "safe_places"}
    assert readable(peer, plan, at=now + timedelta(hours=24, seconds=1)) == set()

    PlanPolicy.objects.create(network=network, alert_grace_hours=2)
    assert readable(peer, plan, at=now + timedelta(hours=3)) == set()
    assert readable(peer, plan, at=now + timedelta(hours=1)) == {"contacts", "on_call_steps", "safe_places"}


def test_withdrawn_consent_takes_effect_at_once(plan, member, peer, network, alerts):
    alerts.accept(reader=peer, owner=member, network_id=network.pk, alert_id="42", accepted_at=timezone.now())
    assert "contacts" in readable(peer, plan)
    share(plan, "alert_peer")
    assert readable(peer, plan) == set()


def test_a_facilitator_reads_nothing_without_break_glass_and_everything_with_it(plan, member, network):
    facilitator = PersonFactory(display_name="Farah")
    MembershipFactory(person=facilitator, network=network, role="facilitator")
    assert readable(facilitator, plan) == set()
    break_glass = actions.do_open_break_glass(
        reader=facilitator, plan=plan, reason="Amara rang the office in distress"
    )
    assert readable(facilitator, plan) == {
        "when_well",
        "triggers",
        "contacts",
        "on_call_steps",
        "safe_places",
    }
    assert (
        may_read_section(person=facilitator, plan=plan, section="triggers").why
        == f"break_glass {break_glass.pk}"
    )
    assert readable(facilitator, plan, at=timezone.now() + timedelta(hours=1)) == set()


def test_nobody_else_reads_anything(plan, network, outsider, outside_navigator):
    bystander = PersonFactory(display_name="Bea")
    MembershipFactory(person=bystander, network=network, role="member")
    for person in (bystander, outsider, outside_navigator):
        assert readable(person, plan) == set()
    assert readable(AnonymousUser(), plan) == set()
    assert readable(None, plan) == set()


def test_an_alert_peer_from_another_owner_reads_nothing(plan, peer, network, alerts):
    someone = PersonFactory()
    alerts.accept(reader=peer, owner=someone, network_id=network.pk, alert_id="7", accepted_at=timezone.now())
    assert readable(peer, plan) == set()


# The API: per endpoint, per role. 404 for those who may not know the plan.
ENDPOINTS = [
    ("get", "/api/v1/plans/{id}/"),
    ("get", "/api/v1/plans/{id}/revisions/"),
    ("get", "/api/v1/plans/{id}/revisions/1/"),
    ("get", "/api/v1/plans/{id}/comments/"),
    ("get", "/api/v1/plans/{id}/co-authors/"),
    ("get", "/api/v1/plans/{id}/consent/"),
    ("get", "/api/v1/plans/{id}/access-log/"),
    ("get", "/api/v1/plans/{id}/print/"),
    ("get", "/api/v1/plans/{id}/fhir/"),
    ("post", "/api/v1/plans/{id}/break-glass/"),
]
# status per endpoint for: owner, co-author (staff), navigator, bystander member, outsider, anonymous
EXPECTED = {
    "/api/v1/plans/{id}/": (200, 200, 200, 404, 404, 401),
    "/api/v1/plans/{id}/revisions/": (200, 200, 403, 404, 404, 401),
    "/api/v1/plans/{id}/revisions/1/": (200, 200, 403, 404, 404, 401),
    "/api/v1/plans/{id}/comments/": (200, 200, 403, 404, 404, 401),
    "/api/v1/plans/{id}/co-authors/": (200, 200, 403, 404, 404, 401),
    "/api/v1/plans/{id}/consent/": (200, 403, 403, 404, 404, 401),
    "/api/v1/plans/{id}/access-log/": (200, 403, 403, 404, 404, 401),
    "/api/v1/plans/{id}/print/": (200, 200, 200, 404, 404, 401),
    "/api/v1/plans/{id}/fhir/": (409, 409, 403, 404, 404, 401),
    "/api/v1/plans/{id}/break-glass/": (403, 201, 403, 404, 404, 401),
}


def test_every_endpoint_answers_each_role_as_the_matrix_says(
    api, plan, member, staff, navigator, network, outsider
):
    bystander = PersonFactory(display_name="Bea")
    MembershipFactory(person=bystander, network=network, role="member")
    cast = (member, staff, navigator, bystander, outsider, None)
    for method, template in ENDPOINTS:
        url = template.format(id=plan.pk)
        for person, expected in zip(cast, EXPECTED[template], strict=True):
            response = (
                getattr(api(person), method)(
                    url, {"reason": "She did not turn up and is not answering"}, format="json"
                )
                if method == "post"
                else api(person).get(url)
            )
            assert response.status_code == expected, (template, person, response.content[:200])


def test_a_plan_read_through_the_api_is_logged_with_who_and_why(api, plan, navigator):
    api(navigator).get(f"/api/v1/plans/{plan.pk}/")
    record = AccessRecord.objects.get(reader=navigator)
    assert record.reason == "navigator"
    assert record.reader_role == "navigator"
    assert record.sections == ["contacts"]
    assert record.channel == "api"
