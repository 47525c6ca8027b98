from __future__ import annotations

import pytest
from fhir.resources.careplan import CarePlan
from fhir.resources.careteam import CareTeam

from crisisplans import crypto
from crisisplans.models import AccessRecord, CopingStrategy, DataKey, Revision
from network.models import Person
from tests.crisisplans.factories import full_sections, share, signed_off_plan

pytestmark = pytest.mark.django_db


def test_the_printable_plan_is_html_with_the_sections_and_escaped(api, member, peer):
    plan = signed_off_plan(owner=member, sections=full_sections(contacts=[peer], text="<script>x</script>"))
    response = api(member).get(f"/api/v1/plans/{plan.pk}/print/")
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "What on-call peers should do" in html
    assert "1. Ben" in html
    assert "<script>x" not in html
    assert AccessRecord.objects.get().channel == "export"


def test_fhir_export_needs_consent_and_holds_only_consented_sections(api, member, peer, staff):
    plan = signed_off_plan(owner=member, sections=full_sections(contacts=[peer]))
    assert api(member).get(f"/api/v1/plans/{plan.pk}/fhir/").status_code == 409
    share(plan, "care_export", "professional_contacts", "on_call_steps")
    body = api(staff).get(f"/api/v1/plans/{plan.pk}/fhir/").json()
    care_plan = CarePlan.model_validate(body)
    assert care_plan.status == "active"
    team = CareTeam.model_validate(next(r for r in body["contained"] if r["resourceType"] == "CareTeam"))
    assert team.participant[0].role.text == "GP"
    notes = " ".join(note.text for note in care_plan.note)
    assert "ring me" in notes
    assert "my cat Miso" not in notes
    assert AccessRecord.objects.get(reader=staff).reason == "care_export"


def test_my_data_holds_what_network_and_plans_hold_about_me(api, member, network):
    plan = signed_off_plan(owner=member, sections=full_sections(text="river walks"))
    data = api(member).get("/api/v1/my-data/").json()
    assert data["network"]["network.Person"][0]["display_name"] == "Amara"
    assert data["network"]["network.Membership"][0]["network_id"] == network.pk
    assert "password" not in data["network"]["network.Person"][0]
    assert "river walks" in data["crisis_plan"]["revisions"][0]["sections"]["when_well"]
    assert data["crisis_plan"]["id"] == plan.pk


def test_deleting_my_account_removes_me_and_shreds_my_plan_but_keeps_what_others_need(
    api, member, peer, network
):
    plan = signed_off_plan(owner=member)
    revision = Revision.objects.get(plan=plan)
    strategy = CopingStrategy.objects.create(
        network=network, author=member, show_author=True, text="box breathing"
    )
    peer_plan = signed_off_plan(owner=peer)
    share(peer_plan, "co_authors", "when_well")
    from crisisplans import actions

    actions.do_invite_co_author(owner=peer, plan=peer_plan, person=member)
    actions.do_propose_revision(author=member, plan=peer_plan, sections={"when_well": "suggested by Amara"})
    api(member).get(f"/api/v1/plans/{peer_plan.pk}/")

    wrong = api(member).post("/api/v1/my-account/delete/", {"confirm": "yes"}, format="json")
    assert wrong.status_code == 400
    assert Person.objects.filter(pk=member.pk).exists()

    assert (
        api(member)
        .post("/api/v1/my-account/delete/", {"confirm": "delete my account"}, format="json")
        .status_code
        == 204
    )
    assert not Person.objects.filter(pk=member.pk).exists()
    assert not DataKey.objects.filter(person_id=member.pk).exists()
    with pytest.raises(crypto.PlanDecryptionError):
        # A copy of the revision restored from a backup stays unreadable.
        crypto.decrypt(
            owner_id=member.pk,
            purpose="plan-revision",
            data_key_id=revision.data_key_id,
            ciphertext=revision.ciphertext,
        )
    strategy.refresh_from_db()
    assert strategy.author is None
    assert strategy.show_author is False
    their_edit = Revision.objects.get(plan=peer_plan, number=2)
    assert their_edit.author is None
    assert AccessRecord.objects.filter(plan=peer_plan, reader_id=member.pk).exists()
    log = api(peer).get(f"/api/v1/plans/{peer_plan.pk}/access-log/").json()["results"]
    assert "a deleted account" in [row["reader"] for row in log]
