"""Personal maps and their visibility, the asset directory, the graph and network health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from network import actions, selectors
from network.models import Asset, AssetReport, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def amaras_map(member):
    return {
        visibility: actions.do_create_tie(
            owner=member, kind="person", label=f"tie {visibility}", visibility=visibility
        )
        for visibility in ("only_me", "my_navigator", "my_network")
    }


def labels(response):
    return sorted(t["label"] for t in response.json()["results"])


def test_a_member_creates_a_tie_private_by_default(api, member):
    response = api(member).post(
        "/api/v1/me/ties/",
        {"kind": "place", "label": "The library", "strength": 3, "direction": "to_me"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["visibility"] == "only_me"


@pytest.mark.parametrize(
    ("viewer", "seen"),
    [
        ("member", ["tie my_navigator", "tie my_network", "tie only_me"]),
        ("navigator", ["tie my_navigator", "tie my_network"]),
        ("peer", ["tie my_network"]),
        ("staff", ["tie my_network"]),
    ],
)
def test_each_viewer_sees_only_what_the_owner_chose(api, request, member, amaras_map, viewer, seen):
    response = api(request.getfixturevalue(viewer)).get(f"/api/v1/people/{member.pk}/ties/")
    assert labels(response) == seen


@pytest.mark.parametrize("viewer", ["outsider", "outside_navigator"])
def test_people_outside_the_network_do_not_see_the_map_at_all(api, request, member, amaras_map, viewer):
    assert api(request.getfixturevalue(viewer)).get(f"/api/v1/people/{member.pk}/ties/").status_code == 404


def test_only_the_owner_edits_a_tie(api, member, navigator, amaras_map):
    tie = amaras_map["my_network"]
    assert (
        api(navigator).patch(f"/api/v1/me/ties/{tie.pk}/", {"label": "x"}, format="json").status_code == 404
    )
    assert (
        api(member).patch(f"/api/v1/me/ties/{tie.pk}/", {"visibility": "only_me"}, format="json").status_code
        == 200
    )
    tie.refresh_from_db()
    assert tie.visibility == "only_me"


def test_a_tie_cannot_link_to_someone_outside_my_networks(api, member, outsider):
    response = api(member).post(
        "/api/v1/me/ties/", {"kind": "person", "label": "Olu", "linked_person": outsider.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "linked_person"


def test_the_graph_honours_visibility_and_shows_memberships_and_asset_use(
    api, network, member, peer, navigator, staff, amaras_map
):
    asset = actions.do_create_asset(
        network=network, actor=navigator, organization_name="Mind", service_name="Drop-in"
    )
    actions.do_create_tie(
        owner=peer, kind="formal_service", label="Drop-in", linked_asset=asset, visibility="my_network"
    )
    actions.do_create_tie(
        owner=peer, kind="person", label="Amara", linked_person=member, visibility="my_navigator"
    )

    def graph_of(person):
        return api(person).get("/api/v1/graph/", {"network": network.pk}).json()

    as_navigator = graph_of(navigator)
    tie_labels = {n["label"] for n in as_navigator["nodes"] if n["id"].startswith("tie:")}
    assert tie_labels == {"tie my_navigator", "tie my_network"}
    edges = {(e["source"], e["target"], e["kind"]) for e in as_navigator["edges"]}
    assert (f"person:{member.pk}", f"network:{network.pk}", "membership") in edges
    assert (f"person:{peer.pk}", f"asset:{asset.pk}", "uses") in edges
    assert (f"person:{peer.pk}", f"person:{member.pk}", "tie") in edges
    # A facilitator is not "my navigator": only what members share with the network.
    as_staff = graph_of(staff)
    assert {n["label"] for n in as_staff["nodes"] if n["id"].startswith("tie:")} == {"tie my_network"}
    assert (f"person:{peer.pk}", f"person:{member.pk}", "tie") not in {
        (e["source"], e["target"], e["kind"]) for e in as_staff["edges"]
    }


def test_the_graph_without_a_filter_covers_only_networks_i_navigate(
    api, network, other_network, navigator, outsider
):
    nodes = api(navigator).get("/api/v1/graph/").json()["nodes"]
    assert {n["id"] for n in nodes if n["kind"] == "network"} == {f"network:{network.pk}"}
    assert f"person:{outsider.pk}" not in {n["id"] for n in nodes}


def test_a_member_reports_a_closed_entry_and_a_navigator_resolves_it(api, network, member, navigator):
    asset = actions.do_create_asset(
        network=network, actor=navigator, organization_name="Council", service_name="Cafe"
    )
    reported = api(member).post(
        f"/api/v1/assets/{asset.pk}/reports/", {"kind": "closed", "note": "shut"}, format="json"
    )
    assert reported.status_code == 201
    [open_report] = api(navigator).get(f"/api/v1/networks/{network.pk}/asset-reports/").json()["results"]
    resolved = api(navigator).post(
        f"/api/v1/asset-reports/{open_report['id']}/resolve/", {"outcome": "marked_closed"}, format="json"
    )
    assert resolved.status_code == 200
    asset.refresh_from_db()
    assert asset.is_closed
    assert AssetReport.objects.get().resolved_by == navigator
    again = api(navigator).post(
        f"/api/v1/asset-reports/{open_report['id']}/resolve/", {"outcome": "fixed"}, format="json"
    )
    assert again.status_code == 409


def test_assets_are_hsds_shaped(api, network, navigator):
    body = {
        "organization_name": "Croydon Mind",
        "service_name": "Peer support cafe",
        "location_name": "Community hall",
        "address": "1 High Street, Croydon",
        "postal_code": "CR0 1AA",
        "phone": "020 8123 4567",
        "opening_times": [{"weekday": "TU", "opens_at": "18:00", "closes_at": "20:00"}],
        "categories": ["mental health", "peer support"],
    }
    response = api(navigator).post(f"/api/v1/networks/{network.pk}/assets/", body, format="json")
    assert response.status_code == 201
    created = response.json()
    assert created["phone"] == "+442081234567"
    assert created["opening_times"] == body["opening_times"]
    assert created["last_checked_at"] is not None


def test_health_flags_isolation_several_networks_cap_gaps_and_stale_assets(
    network, other_network, member, peer, navigator
):
    Membership.objects.create(person=peer, network=other_network)
    for label in ("sister", "GP"):
        actions.do_create_tie(owner=peer, kind="person", label=label, visibility="my_network")
    actions.do_create_tie(owner=member, kind="person", label="hidden 1", visibility="only_me")
    actions.do_create_tie(owner=member, kind="person", label="hidden 2", visibility="only_me")
    stale = actions.do_create_asset(
        network=network, actor=navigator, organization_name="Old", service_name="Old"
    )
    Asset.objects.filter(pk=stale.pk).update(last_checked_at=timezone.now() - timedelta(days=400))
    actions.do_create_asset(network=network, actor=navigator, organization_name="New", service_name="New")
    network.size_cap = 2
    network.save()

    health = selectors.network_health(viewer=navigator, network=network, now=timezone.now())
    # Amara's private ties are not counted: to the navigator she looks isolated.
    assert health.isolated_members == [member]
    assert health.in_several_networks == [peer]
    assert health.over_size_cap is True
    assert health.on_call_gap_hours_next_4_weeks == 28 * 24
    assert health.stale_assets == [stale]


def test_the_directory_search_finds_organisation_service_category_and_area(api, network, member, navigator):
    def add(org, service, **extra):
        return actions.do_create_asset(
            network=network, actor=navigator, organization_name=org, service_name=service, **extra
        )

    add("Croydon Mind", "Peer support cafe", categories=["Mental health"], postal_code="CR0 1AA")
    add("Thornton Heath Food Bank", "Food bank", categories=["food"], address="Parish hall, Thornton Heath")
    add("Croydon Libraries", "Quiet room", location_name="Central Library")

    def found(q):
        response = api(member).get(f"/api/v1/networks/{network.pk}/assets/", {"q": q})
        return sorted(a["service_name"] for a in response.json()["results"])

    assert found("croydon") == ["Peer support cafe", "Quiet room"]
    assert found("MENTAL") == ["Peer support cafe"]
    assert found("thornton food") == ["Food bank"]
    assert found("cr0") == ["Peer support cafe"]
    assert found("library") == ["Quiet room"]
    assert found("croydon food") == []
    assert found("") == ["Food bank", "Peer support cafe", "Quiet room"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("navigator", 200), ("staff", 200), ("member", 403), ("outsider", 404), ("outside_navigator", 404)],
)
def test_marking_an_entry_as_checked(api, request, network, navigator, who, status):
    asset = actions.do_create_asset(
        network=network, actor=navigator, organization_name="Old", service_name="Old"
    )
    long_ago = timezone.now() - timedelta(days=400)
    Asset.objects.filter(pk=asset.pk).update(last_checked_at=long_ago)
    response = api(request.getfixturevalue(who)).post(f"/api/v1/assets/{asset.pk}/checked/")
    assert response.status_code == status
    asset.refresh_from_db()
    if status == 200:
        assert response.json()["last_checked_at"] is not None
        assert asset.last_checked_at > timezone.now() - timedelta(minutes=1)
    else:
        assert asset.last_checked_at == long_ago
