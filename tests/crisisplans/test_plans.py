from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crisisplans.models import Plan, Revision, SignOff
from tests.crisisplans.factories import full_sections

pytestmark = pytest.mark.django_db


def test_a_member_writes_signs_off_and_reads_their_plan(api, member, peer):
    client = api(member)
    created = client.post("/api/v1/plans/", {"sections": full_sections(contacts=[peer])}, format="json")
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    assert created.json()["active_revision"] is None

    signed = client.post(f"/api/v1/plans/{plan_id}/revisions/1/sign-off/", {}, format="json")
    assert signed.status_code == 201
    due = timezone.now() + timedelta(days=90)
    assert abs(Plan.objects.get().review_due_at - due) < timedelta(minutes=1)
    assert SignOff.objects.get().signed_by == member

    body = client.get(f"/api/v1/plans/{plan_id}/").json()
    assert body["revision"] == 1
    assert body["sections"]["contacts"]["contact_in_order"] == [peer.pk]
    assert body["withheld"] == []
    assert body["why"]["when_well"] == "owner"


def test_a_second_plan_is_refused_and_the_first_is_untouched(api, member):
    client = api(member)
    client.post("/api/v1/plans/", {"sections": {"when_well": "first"}}, format="json")
    again = client.post("/api/v1/plans/", {"sections": {"when_well": "second"}}, format="json")
    assert again.status_code == 409
    assert again.json()["type"] == "about:blank#plan_exists"
    assert Plan.objects.count() == 1
    assert Revision.objects.count() == 1


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ({"favourite_colour": "blue"}, "sections.favourite_colour"),
        ({"triggers": "not a list"}, "sections.triggers"),
        (
            {"afterwards": {"check_in_after_hours": 0, "check_in_from": []}},
            "sections.afterwards.check_in_after_hours",
        ),
        ({"professional_contacts": [{"kind": "gp", "name": "Dr X", "phone_number": "nope"}]}, None),
    ],
)
def test_bad_sections_are_one_problem_and_nothing_is_written(api, member, sections, field):
    response = api(member).post("/api/v1/plans/", {"sections": sections}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    if field:
        assert field in [error["field"] for error in response.json()["errors"]]
    assert not Plan.objects.exists()


def test_contacts_must_be_peers_in_the_owners_networks(api, member, outsider):
    response = api(member).post(
        "/api/v1/plans/",
        {"sections": {"contacts": {"contact_in_order": [outsider.pk], "do_not_contact": []}}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_person"
    assert not Plan.objects.exists()


def test_every_change_is_a_new_immutable_revision_compared_section_by_section(api, member):
    client = api(member)
    plan_id = client.post("/api/v1/plans/", {"sections": full_sections()}, format="json").json()["id"]
    second = client.post(
        f"/api/v1/plans/{plan_id}/revisions/",
        {"sections": {"safe_places": ["my sister's flat"]}},
        format="json",
    )
    assert second.status_code == 201
    assert second.json()["number"] == 2
    assert second.json()["changed_sections"] == ["safe_places"]

    comparison = client.get(f"/api/v1/plans/{plan_id}/revisions/compare/?older=1&newer=2").json()
    changed = {row["section"]: row for row in comparison["sections"]}
    assert changed["safe_places"]["changed"] is True
    assert changed["safe_places"]["before"] == ["the library on Katharine Street"]
    assert changed["safe_places"]["after"] == ["my sister's flat"]
    assert changed["triggers"]["changed"] is False

    revision = Revision.objects.get(number=1)
    revision.changed_sections = ["tampered"]
    with pytest.raises(Exception, match="never changes"):
        revision.save()


def test_a_revision_that_changes_nothing_is_refused(api, member):
    client = api(member)
    plan_id = client.post("/api/v1/plans/", {"sections": {"when_well": "x"}}, format="json").json()["id"]
    same = client.post(f"/api/v1/plans/{plan_id}/revisions/", {"sections": {"when_well": "x"}}, format="json")
    assert same.status_code == 400
    assert Revision.objects.count() == 1


def test_only_the_owner_signs_off_even_a_co_author_gets_403(api, member, staff):
    client = api(member)
    plan_id = client.post("/api/v1/plans/", {"sections": {"when_well": "x"}}, format="json").json()["id"]
    client.post(f"/api/v1/plans/{plan_id}/co-authors/", {"person": staff.pk}, format="json")
    response = api(staff).post(f"/api/v1/plans/{plan_id}/revisions/1/sign-off/", {}, format="json")
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_a_co_author_proposes_edits_and_comments_only_on_shared_sections(api, member, staff):
    owner = api(member)
    plan_id = owner.post("/api/v1/plans/", {"sections": full_sections()}, format="json").json()["id"]
    owner.post(f"/api/v1/plans/{plan_id}/co-authors/", {"person": staff.pk}, format="json")
    owner.put(
        f"/api/v1/plans/{plan_id}/consent/",
        {"co_authors": ["on_call_steps"], "navigator": [], "alert_peer": [], "care_export": []},
        format="json",
    )
    co = api(staff)
    hidden = co.post(f"/api/v1/plans/{plan_id}/revisions/", {"sections": {"triggers": ["x"]}}, format="json")
    assert hidden.status_code == 403
    ok = co.post(
        f"/api/v1/plans/{plan_id}/revisions/", {"sections": {"on_call_steps": ["ring 111"]}}, format="json"
    )
    assert ok.status_code == 201
    assert ok.json()["author"]["id"] == staff.pk
    revision = co.get(f"/api/v1/plans/{plan_id}/revisions/2/").json()
    assert set(revision["sections"]) == {"on_call_steps"}
    assert "triggers" in revision["withheld"]

    comment = co.post(
        f"/api/v1/plans/{plan_id}/comments/",
        {"revision": 2, "section": "on_call_steps", "text": "Add the crisis line?"},
        format="json",
    )
    assert comment.status_code == 201
    listed = owner.get(f"/api/v1/plans/{plan_id}/comments/").json()
    assert listed[0]["text"] == "Add the crisis line?"
    assert listed[0]["author"]["id"] == staff.pk
    # The owner's other sections survived the co-author's edit.
    latest = owner.get(f"/api/v1/plans/{plan_id}/revisions/2/").json()["sections"]
    assert latest["triggers"] == full_sections()["triggers"]


def test_review_after_crisis_prompts_the_owner(member):
    from crisisplans import actions
    from tests.crisisplans.factories import signed_off_plan

    plan = signed_off_plan(owner=member)
    notice = actions.do_prompt_review_after_crisis(owner=member, alert_id=17)
    plan.refresh_from_db()
    assert plan.review_prompted_at is not None
    assert notice.kind == "review_after_crisis"
    assert notice.alert_id == "17"


def test_the_demo_gives_every_demo_member_a_signed_off_plan_and_twice_changes_nothing():
    from crisisplans import demo
    from network import demo as network_demo

    _, people = network_demo.load()
    demo.load(people=people)
    demo.load(people=people)
    assert Plan.objects.count() == 6
    assert Revision.objects.count() == 6
    assert not Plan.objects.filter(active_revision__isnull=True).exists()
