"""The shared coping library, its check when a plan picks from it, and the
plan-policy endpoints, per role; another network's answer 404."""

from __future__ import annotations

import pytest

from crisisplans import actions
from crisisplans.models import CopingStrategy, PlanPolicy
from network.actions.membership import do_leave_network
from network.models import Membership
from tests.crisisplans.factories import full_sections, share, signed_off_plan
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LIBRARY = "/api/v1/coping-strategies/"


def policy_url(network) -> str:
    return f"/api/v1/networks/{network.pk}/plan-policy/"


def add(client, network, text: str, **extra):
    return client.post(LIBRARY, {"network": network.pk, "text": text, **extra}, format="json")


def with_library(*ids: int) -> dict:
    sections = full_sections()
    sections["coping_strategies"] = {"own": ["cold water"], "from_library": list(ids)}
    return sections


# --- the library --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "navigator", "staff"])
def test_everyone_in_a_network_adds_to_its_library(api, request, network, who):
    person = request.getfixturevalue(who)
    response = add(api(person), network, f"a walk, from the {who}")
    assert response.status_code == 201, response.json()
    assert response.json()["network"] == network.pk
    assert CopingStrategy.objects.get().author == person


def test_the_authors_name_shows_only_when_they_ask(api, network, member, peer):
    add(api(member), network, "a hot shower", show_author=True)
    add(api(member), network, "ringing my sister")
    listed = {s["text"]: s["author"] for s in api(peer).get(LIBRARY).json()["results"]}
    assert listed == {"a hot shower": "Amara", "ringing my sister": ""}


def test_a_library_lists_only_the_callers_networks(api, network, member, outsider, other_network):
    add(api(member), network, "ours")
    add(api(outsider), other_network, "theirs")
    assert [s["text"] for s in api(member).get(LIBRARY).json()["results"]] == ["ours"]
    assert [s["text"] for s in api(outsider).get(LIBRARY).json()["results"]] == ["theirs"]


def test_adding_to_another_networks_library_is_a_404(api, network, outsider):
    assert add(api(outsider), network, "sneaky").status_code == 404
    assert not CopingStrategy.objects.exists()


def test_a_member_who_left_no_longer_reads_or_adds(api, network, member):
    add(api(member), network, "before I left")
    do_leave_network(membership=Membership.objects.get(person=member, network=network))
    assert api(member).get(LIBRARY).json()["results"] == []
    assert add(api(member), network, "after").status_code == 404


def test_the_library_needs_a_sign_in(api, network):
    assert api(None).get(LIBRARY).status_code == 401
    assert add(api(None), network, "anon").status_code == 401


def test_blank_or_long_text_is_refused(api, network, member):
    assert add(api(member), network, "").status_code == 400
    assert add(api(member), network, "x" * 501).status_code == 400
    assert not CopingStrategy.objects.exists()


# --- a plan picking from the library --------------------------------------------------


def test_a_plan_picks_from_its_networks_library_and_prints_the_text(api, network, member):
    strategy_id = add(api(member), network, "the breathing card").json()["id"]
    client = api(member)
    created = client.post("/api/v1/plans/", {"sections": with_library(strategy_id)}, format="json")
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    assert client.post(f"/api/v1/plans/{plan_id}/revisions/1/sign-off/", {}, format="json").status_code == 201
    body = client.get(f"/api/v1/plans/{plan_id}/").json()
    assert body["sections"]["coping_strategies"]["from_library"] == [strategy_id]
    printed = client.get(f"/api/v1/plans/{plan_id}/print/").content.decode()
    assert "the breathing card (from the network library)" in printed


def test_a_plan_cannot_pick_from_another_networks_library(api, member, outsider, other_network):
    theirs = add(api(outsider), other_network, "theirs").json()["id"]
    response = api(member).post("/api/v1/plans/", {"sections": with_library(theirs)}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "sections.coping_strategies.from_library"
    assert response.json()["errors"][0]["code"] == "unknown_strategy"


def test_a_plan_cannot_pick_a_strategy_that_does_not_exist(api, member):
    response = api(member).post("/api/v1/plans/", {"sections": with_library(999999)}, format="json")
    assert response.status_code == 400


def test_a_co_authors_revision_is_checked_against_the_owners_networks(
    api, network, member, peer, other_network
):
    MembershipFactory(person=peer, network=other_network)
    only_peers = CopingStrategy.objects.create(network=other_network, author=peer, text="peer's other group")
    plan = signed_off_plan(owner=member)
    actions.do_invite_co_author(owner=member, plan=plan, person=peer)
    share(plan, "co_authors", "coping_strategies")
    response = api(peer).post(
        f"/api/v1/plans/{plan.pk}/revisions/",
        {"sections": {"coping_strategies": {"own": [], "from_library": [only_peers.pk]}}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_strategy"


# --- the plan policy ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "navigator", "staff"])
def test_everyone_in_the_network_reads_its_plan_policy(api, request, network, who, settings):
    person = request.getfixturevalue(who)
    response = api(person).get(policy_url(network))
    assert response.status_code == 200
    assert response.json() == {"alert_grace_hours": settings.PLAN_ALERT_GRACE_DEFAULT.total_seconds() // 3600}


@pytest.mark.parametrize("who", ["navigator", "staff"])
def test_navigators_and_facilitators_set_it(api, request, network, member, who):
    person = request.getfixturevalue(who)
    response = api(person).put(policy_url(network), {"alert_grace_hours": 6}, format="json")
    assert response.status_code == 200
    assert response.json() == {"alert_grace_hours": 6}
    assert api(member).get(policy_url(network)).json() == {"alert_grace_hours": 6}
    assert PlanPolicy.objects.get(network=network).alert_grace_hours == 6


def test_a_zero_hour_grace_is_kept_as_zero(api, network, navigator):
    api(navigator).put(policy_url(network), {"alert_grace_hours": 0}, format="json")
    assert api(navigator).get(policy_url(network)).json() == {"alert_grace_hours": 0}


def test_a_member_cannot_set_it(api, network, member):
    response = api(member).put(policy_url(network), {"alert_grace_hours": 100}, format="json")
    assert response.status_code == 403
    assert not PlanPolicy.objects.exists()


def test_another_networks_policy_is_a_404_to_read_and_to_set(api, network, outsider, outside_navigator):
    for person in (outsider, outside_navigator):
        assert api(person).get(policy_url(network)).status_code == 404
        assert (
            api(person).put(policy_url(network), {"alert_grace_hours": 1}, format="json").status_code == 404
        )
    assert not PlanPolicy.objects.exists()


@pytest.mark.parametrize("hours", [-1, 169, "soon", None])
def test_a_grace_outside_0_to_168_hours_is_refused(api, network, navigator, hours):
    response = api(navigator).put(policy_url(network), {"alert_grace_hours": hours}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not PlanPolicy.objects.exists()


def test_the_policy_needs_a_sign_in(api, network):
    assert api(None).get(policy_url(network)).status_code == 401
