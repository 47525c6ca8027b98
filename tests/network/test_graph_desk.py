"""What the desk's map (app/public/js/screens/desk_map.js) relies on: health
names nodes of the graph the same viewer gets, and says "isolated" of exactly
the members the graph draws with one shared tie or none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from network import actions
from network.models import Asset, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(network, other_network, member, peer, navigator, staff):
    """Amara keeps her ties to herself; Ben shares one with the network and one
    with its navigator only, and is in a second network; one entry is stale."""
    actions.do_create_tie(owner=member, kind="person", label="My sister", visibility="only_me")
    actions.do_create_tie(owner=member, kind="place", label="The park", visibility="only_me")
    actions.do_create_tie(
        owner=peer, kind="person", label="Amara", linked_person=member, visibility="my_network"
    )
    actions.do_create_tie(owner=peer, kind="place", label="The allotment", visibility="my_navigator")
    Membership.objects.create(person=peer, network=other_network)
    stale = actions.do_create_asset(
        network=network, actor=navigator, organization_name="Old", service_name="Old"
    )
    Asset.objects.filter(pk=stale.pk).update(last_checked_at=timezone.now() - timedelta(days=400))
    actions.do_create_asset(network=network, actor=navigator, organization_name="New", service_name="New")
    return stale


def _graph_and_health(api, viewer, network):
    client = api(viewer)
    graph = client.get("/api/v1/graph/", {"network": network.pk})
    health = client.get(f"/api/v1/networks/{network.pk}/health/")
    assert graph.status_code == health.status_code == 200
    return graph.json(), health.json()


@pytest.mark.parametrize("viewer", ["navigator", "staff"])
def test_health_names_only_nodes_of_the_viewers_graph(api, request, network, mapped, viewer):
    graph, health = _graph_and_health(api, request.getfixturevalue(viewer), network)
    nodes = {n["id"] for n in graph["nodes"]}
    named = {f"person:{p['person_id']}" for p in health["isolated_members"] + health["in_several_networks"]}
    named |= {f"asset:{a['id']}" for a in health["stale_assets"]}
    assert named
    assert named <= nodes
    assert [a["id"] for a in health["stale_assets"]] == [mapped.pk]


@pytest.mark.parametrize(
    ("viewer", "isolated"),
    [
        # Nadia navigates: Ben's two ties are drawn for her, so only Amara looks isolated.
        ("navigator", {"Amara"}),
        # A facilitator is not "my navigator": Ben's second tie is not drawn, so he looks isolated too.
        ("staff", {"Amara", "Ben"}),
    ],
)
def test_isolated_means_one_drawn_tie_or_none_for_that_viewer(
    api, request, network, member, peer, mapped, viewer, isolated
):
    graph, health = _graph_and_health(api, request.getfixturevalue(viewer), network)
    labels = {n["id"]: n["label"] for n in graph["nodes"]}
    members = {e["source"] for e in graph["edges"] if e["kind"] == "membership" and e["role"] == "member"}
    drawn_ties = {
        person: sum(1 for e in graph["edges"] if e["source"] == person and e["kind"] in ("tie", "uses"))
        for person in members
    }
    assert {labels[p] for p, n in drawn_ties.items() if n <= 1} == isolated
    assert {p["display_name"] for p in health["isolated_members"]} == isolated
    # Nothing Amara kept to herself is drawn for anyone but her.
    assert not {"My sister", "The park"} & set(labels.values())


def test_a_network_that_is_not_a_number_is_a_clear_error(api, navigator):
    response = api(navigator).get("/api/v1/graph/", {"network": "thornton"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "network"
