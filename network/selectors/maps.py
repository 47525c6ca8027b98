"""Reads of personal maps, the asset directory, the navigators' graph and network health."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from rest_framework.exceptions import NotFound

from network.models import Asset, AssetReport, Membership, Network, Person, Tie
from network.selectors.core import MANAGERS, _require_role, network_size
from network.selectors.rota import rota_report

V = Tie.Visibility
STALE_AFTER = timedelta(days=365)


def ties_of(*, person: Person) -> QuerySet[Tie]:
    return Tie.objects.filter(owner=person).select_related("linked_person", "linked_asset")


def access_tie_by_id(*, person: Person, tie_id: int) -> Tie:
    """Only the owner edits a tie; anyone else's tie answers 404."""
    tie = ties_of(person=person).filter(pk=tie_id).first()
    if tie is None:
        raise NotFound
    return tie


def _visibilities_for(*, viewer: Person, owner: Person) -> tuple[str, ...] | None:
    """What of ``owner``'s map ``viewer`` may see: None if they share no network."""
    if viewer.pk == owner.pk:
        return tuple(V.values)
    mine = dict(
        Membership.objects.filter(person=viewer, left_at__isnull=True).values_list("network_id", "role")
    )
    theirs = set(
        Membership.objects.filter(person=owner, left_at__isnull=True, network_id__in=mine).values_list(
            "network_id", flat=True
        )
    )
    if not theirs:
        return None
    if any(mine[n] == Membership.Role.NAVIGATOR for n in theirs):
        return (V.MY_NAVIGATOR, V.MY_NETWORK)
    return (V.MY_NETWORK,)


def visible_ties(*, viewer: Person, owner_id: int) -> QuerySet[Tie]:
    """Another person's map as far as they chose to show it to ``viewer``; 404
    for someone who shares no network with them."""
    owner = Person.objects.filter(pk=owner_id).first()
    if owner is None:
        raise NotFound
    visibilities = _visibilities_for(viewer=viewer, owner=owner)
    if visibilities is None:
        raise NotFound
    return ties_of(person=owner).filter(visibility__in=visibilities)


def assets_of(*, network: Network, q: str = "") -> QuerySet[Asset]:
    """The network's directory; with ``q``, the entries matching every word of
    it in their organisation, service, categories, location or area."""
    assets = Asset.objects.filter(network=network)
    for word in q.split()[:10]:
        assets = assets.filter(
            Q(organization_name__icontains=word)
            | Q(service_name__icontains=word)
            | Q(categories__icontains=word)
            | Q(location_name__icontains=word)
            | Q(address__icontains=word)
            | Q(postal_code__icontains=word)
            | Q(description__icontains=word)
        )
    return assets


def access_asset_by_id(*, person: Person, asset_id: int, roles: tuple[str, ...] | None = None) -> Asset:
    asset = Asset.objects.filter(pk=asset_id).select_related("network").first()
    if asset is None:
        raise NotFound
    _require_role(person=person, network_id=asset.network_id, roles=roles)
    return asset


def open_asset_reports_of(*, network: Network) -> QuerySet[AssetReport]:
    return AssetReport.objects.filter(asset__network=network, status=AssetReport.Status.OPEN).select_related(
        "asset", "reported_by"
    )


def access_asset_report_by_id(*, person: Person, report_id: int) -> AssetReport:
    report = AssetReport.objects.filter(pk=report_id).select_related("asset").first()
    if report is None:
        raise NotFound
    _require_role(person=person, network_id=report.asset.network_id, roles=MANAGERS)
    return report


@dataclass
class Graph:
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)


def _ties_visible_in(*, viewer: Person, networks: list[Network]) -> list[Tie]:
    """Ties of the current members of ``networks``, as far as each owner lets ``viewer`` see."""
    network_ids = [n.pk for n in networks]
    navigating = Membership.objects.filter(
        person=viewer, network_id__in=network_ids, role=Membership.Role.NAVIGATOR, left_at__isnull=True
    ).values("network_id")
    owners = Membership.objects.filter(network_id__in=network_ids, left_at__isnull=True)
    nav_owners = owners.filter(network_id__in=navigating).values("person_id")
    return list(
        Tie.objects.filter(owner_id__in=owners.values("person_id"))
        .filter(Q(visibility=V.MY_NETWORK) | Q(visibility=V.MY_NAVIGATOR, owner_id__in=nav_owners))
        .exclude(owner=viewer)
        .select_related("linked_asset")
    ) + list(Tie.objects.filter(owner=viewer).select_related("linked_asset"))


def networks_managed_by(*, person: Person) -> list[Network]:
    return [
        m.network
        for m in Membership.objects.filter(
            person=person, left_at__isnull=True, role__in=MANAGERS
        ).select_related("network")
    ]


def graph(*, viewer: Person, networks: list[Network]) -> Graph:
    """Nodes (networks, people, assets and services, tie targets) and edges
    (membership, ties, uses of assets) for networks the viewer navigates or
    facilitates. Each tie appears only as far as its owner chose."""
    out = Graph()
    network_ids = [n.pk for n in networks]
    for n in networks:
        out.nodes.append({"id": f"network:{n.pk}", "kind": "network", "label": n.name})
    people = _add_members(out, network_ids=network_ids)
    asset_ids = _add_assets(out, network_ids=network_ids)
    _add_ties(out, viewer=viewer, networks=networks, people=people, asset_ids=asset_ids)
    return out


def _add_members(out: Graph, *, network_ids: list[int]) -> set[int]:
    """A node per current member and an edge per membership; returns their ids."""
    memberships = list(
        Membership.objects.filter(network_id__in=network_ids, left_at__isnull=True).select_related("person")
    )
    seen_people: set[int] = set()
    for m in memberships:
        if m.person_id not in seen_people:
            seen_people.add(m.person_id)
            out.nodes.append(
                {"id": f"person:{m.person_id}", "kind": "person", "label": m.person.display_name}
            )
        out.edges.append(
            {
                "source": f"person:{m.person_id}",
                "target": f"network:{m.network_id}",
                "kind": "membership",
                "role": m.role,
            }
        )
    return seen_people


def _add_assets(out: Graph, *, network_ids: list[int]) -> set[int]:
    """A node per listed asset or service and its listing edge; returns their ids."""
    asset_ids = set()
    for a in Asset.objects.filter(network_id__in=network_ids):
        asset_ids.add(a.pk)
        out.nodes.append(
            {
                "id": f"asset:{a.pk}",
                "kind": "service" if a.is_formal_service else "asset",
                "label": a.service_name,
            }
        )
        out.edges.append(
            {"source": f"asset:{a.pk}", "target": f"network:{a.network_id}", "kind": "listed_in"}
        )
    return asset_ids


def _add_ties(
    out: Graph, *, viewer: Person, networks: list[Network], people: set[int], asset_ids: set[int]
) -> None:
    """An edge per tie the viewer may see from a member: to an asset, to a
    member, or to a node of its own for anyone or anything else."""
    for tie in _ties_visible_in(viewer=viewer, networks=networks):
        if tie.owner_id not in people:
            continue
        if tie.linked_asset_id in asset_ids:
            target, kind = f"asset:{tie.linked_asset_id}", "uses"
        elif tie.linked_person_id in people:
            target, kind = f"person:{tie.linked_person_id}", "tie"
        else:
            target, kind = f"tie:{tie.pk}", "tie"
            out.nodes.append({"id": target, "kind": tie.kind, "label": tie.label})
        out.edges.append(
            {
                "source": f"person:{tie.owner_id}",
                "target": target,
                "kind": kind,
                "strength": tie.strength,
                "direction": tie.direction,
            }
        )


@dataclass
class Health:
    network: Network
    size: int
    over_size_cap: bool
    isolated_members: list[Person]
    in_several_networks: list[Person]
    on_call_gap_hours_next_4_weeks: float
    stale_assets: list[Asset]


def network_health(*, viewer: Person, network: Network, now: datetime) -> Health:
    """Indicators for a navigator. Ties are counted only as far as the viewer
    may see them, so the indicator never reveals a private map."""
    members = list(Membership.objects.filter(network=network, left_at__isnull=True).select_related("person"))
    visible = _ties_visible_in(viewer=viewer, networks=[network])
    tie_counts = Counter(t.owner_id for t in visible)
    several = dict(
        Membership.objects.filter(person_id__in=[m.person_id for m in members], left_at__isnull=True)
        .values("person_id")
        .annotate(n=Count("network_id"))
        .values_list("person_id", "n")
    )
    size = network_size(network=network)
    return Health(
        network=network,
        size=size,
        over_size_cap=size > network.size_cap,
        isolated_members=[
            m.person for m in members if m.role == Membership.Role.MEMBER and tie_counts[m.person_id] <= 1
        ],
        in_several_networks=[m.person for m in members if several.get(m.person_id, 0) > 1],
        on_call_gap_hours_next_4_weeks=round(rota_report(network=network, now=now).gap_hours, 2),
        stale_assets=list(
            Asset.objects.filter(network=network, is_closed=False).filter(
                Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=now - STALE_AFTER)
            )
        ),
    )
