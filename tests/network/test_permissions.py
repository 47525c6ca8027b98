"""Every network endpoint against the cast: member, navigator and facilitator of
the network, member and navigator of another network, and anonymous. Another
network's objects answer 404, never 403; anonymous is always 401.

(The iCal file itself, /calendar/<token>.ics, is authorised by its token alone:
see test_rota.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from network import actions
from network.actions.rota import do_ask_for_cover
from network.models import Membership, Network, Person
from tests.factories import PersonFactory, make_ready, nightly_shift, tomorrow_night

pytestmark = pytest.mark.django_db

ROLES = ["member", "navigator", "staff", "outsider", "outside_navigator"]


@dataclass
class World:
    network: Network
    other_network: Network
    member: Person
    peer: Person
    objects: dict[str, Any]


@pytest.fixture
def world(network, other_network, member, peer, navigator, staff, outsider, outside_navigator) -> World:
    make_ready(member, network)
    make_ready(peer, network)
    shift = nightly_shift(network, peer, actor=navigator)
    occurrence = tomorrow_night(network)
    asset = actions.do_create_asset(
        network=network, actor=navigator, organization_name="Mind", service_name="Cafe"
    )
    objects = {
        "join_request": actions.do_request_to_join(person=PersonFactory(), network=network),
        "invitation": actions.do_invite(network=network, phone_number="+447700820001", actor=navigator),
        "peer_membership": Membership.objects.get(person=peer, network=network),
        "member_membership": Membership.objects.get(person=member, network=network),
        "shift": shift,
        "occurrence": occurrence.isoformat(),
        "asset": asset,
        "report": actions.do_report_asset(asset=asset, person=peer, kind="wrong"),
        "peer_tie": actions.do_create_tie(owner=peer, kind="place", label="Park", visibility="my_network"),
        "member_feed": actions.do_create_calendar_feed(person=member, network=network, scope="my_shifts")[0],
        # The peer asks the member to cover a later night than the one the swap row asks for.
        "swap_request": do_ask_for_cover(
            shift=shift, occurrence_start=occurrence + timedelta(days=1), asked=member, actor=peer
        ),
        "open_proposal": _rule_proposal(network, peer),
        "passed_proposal": _rule_proposal(network, peer, passed=True),
    }
    return World(network, other_network, member, peer, objects)


def _rule_proposal(network: Network, proposer: Person, *, passed: bool = False) -> Any:
    from django.utils import timezone

    from network.actions.rules import do_propose_rule_change
    from network.models import RuleChangeProposal

    proposal = do_propose_rule_change(
        network=network, proposer=proposer, changes={"size_cap": 12}, house_rules=None, reason="x"
    )
    if passed:
        RuleChangeProposal.objects.filter(pk=proposal.pk).update(
            state="passed", voting_closes_at=timezone.now(), closed_at=timezone.now()
        )
    return proposal


def _(w: World, key: str) -> Any:
    return w.objects[key].pk


N = "/api/v1/networks/{n}"
# (method, url, body, expected statuses for member, navigator, facilitator, outsider, outside navigator)
ENDPOINTS: list[tuple[str, Any, Any, str]] = [
    ("get", lambda w: "/api/v1/networks/", None, "200 200 200 200 200"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/", None, "200 200 200 404 404"),
    ("patch", lambda w: f"/api/v1/networks/{w.network.pk}/", {"size_cap": 11}, "403 200 200 404 404"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/members/", None, "200 200 200 404 404"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/history/", None, "403 200 200 404 404"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/join-requests/", None, "403 200 200 404 404"),
    ("post", lambda w: f"/api/v1/join-requests/{_(w, 'join_request')}/accept/", {}, "403 200 200 404 404"),
    ("post", lambda w: f"/api/v1/join-requests/{_(w, 'join_request')}/decline/", {}, "403 200 200 404 404"),
    ("get", lambda w: "/api/v1/join-requests/", None, "200 200 200 200 200"),
    # Self-referral: anyone signed in may ask; people already in the network are told so.
    (
        "post",
        lambda w: "/api/v1/join-requests/",
        lambda w: {"network": w.network.slug},
        "409 409 409 201 201",
    ),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/invitations/", None, "403 200 200 404 404"),
    (
        "post",
        lambda w: f"/api/v1/networks/{w.network.pk}/invitations/",
        {"phone_number": "+447700820002"},
        "403 201 201 404 404",
    ),
    ("get", lambda w: "/api/v1/me/invitations/", None, "200 200 200 200 200"),
    ("post", lambda w: f"/api/v1/invitations/{_(w, 'invitation')}/accept/", None, "404 404 404 404 404"),
    ("post", lambda w: f"/api/v1/invitations/{_(w, 'invitation')}/decline/", None, "404 404 404 404 404"),
    ("post", lambda w: f"/api/v1/networks/{w.network.pk}/leave/", {}, "204 204 204 404 404"),
    (
        "post",
        lambda w: f"/api/v1/memberships/{_(w, 'peer_membership')}/remove/",
        {"reason": "asked to leave"},
        "403 204 204 404 404",
    ),
    (
        "post",
        lambda w: f"/api/v1/memberships/{_(w, 'peer_membership')}/transfer/",
        lambda w: {"to_network": w.other_network.pk, "reason": "moving"},
        "403 404 404 404 404",
    ),
    (
        "post",
        lambda w: f"/api/v1/memberships/{_(w, 'member_membership')}/readiness/",
        {"ready": False},
        "403 403 200 404 404",
    ),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/me/", None, "200 200 200 404 404"),
    (
        "patch",
        lambda w: f"/api/v1/networks/{w.network.pk}/me/",
        {"share_phone_number": True},
        "200 200 200 404 404",
    ),
    (
        "post",
        lambda w: f"/api/v1/networks/{w.network.pk}/me/availability/",
        {"state": "unavailable", "until": "2099-01-01T00:00:00Z"},
        "200 200 200 404 404",
    ),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/shifts/", None, "200 200 200 404 404"),
    (
        "post",
        lambda w: f"/api/v1/networks/{w.network.pk}/shifts/",
        lambda w: {
            "person": w.peer.pk,
            "start_date": str(date.today()),
            "start_time": "09:00",
            "duration_minutes": 120,
            "rrule": "FREQ=WEEKLY",
        },
        "403 201 201 404 404",
    ),
    ("delete", lambda w: f"/api/v1/shifts/{_(w, 'shift')}/", None, "403 204 204 404 404"),
    (
        "post",
        lambda w: f"/api/v1/shifts/{_(w, 'shift')}/swaps/",
        lambda w: {"occurrence_start": w.objects["occurrence"], "taken_by": w.member.pk},
        "403 201 201 404 404",
    ),
    ("get", lambda w: "/api/v1/me/swap-requests/", None, "200 200 200 200 200"),
    # Only the asked person (the member) answers; a manager sees it but may not say yes for them.
    ("post", lambda w: f"/api/v1/swap-requests/{_(w, 'swap_request')}/accept/", {}, "200 403 403 404 404"),
    ("post", lambda w: f"/api/v1/swap-requests/{_(w, 'swap_request')}/decline/", {}, "200 403 403 404 404"),
    ("post", lambda w: f"/api/v1/swap-requests/{_(w, 'swap_request')}/withdraw/", {}, "403 200 200 404 404"),
    (
        "post",
        lambda w: f"/api/v1/shifts/{_(w, 'shift')}/cancellations/",
        lambda w: {"occurrence_start": w.objects["occurrence"]},
        "403 201 201 404 404",
    ),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/rota/", None, "200 200 200 404 404"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/on-call/", None, "403 200 200 404 404"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/rota-report/", None, "403 200 200 404 404"),
    ("get", lambda w: "/api/v1/me/calendar-feeds/", None, "200 200 200 200 200"),
    (
        "post",
        lambda w: "/api/v1/me/calendar-feeds/",
        lambda w: {"network": w.network.pk, "scope": "network_rota"},
        "201 201 201 404 404",
    ),
    ("delete", lambda w: f"/api/v1/me/calendar-feeds/{_(w, 'member_feed')}/", None, "204 404 404 404 404"),
    ("get", lambda w: "/api/v1/me/ties/", None, "200 200 200 200 200"),
    ("post", lambda w: "/api/v1/me/ties/", {"kind": "place", "label": "Library"}, "201 201 201 201 201"),
    ("patch", lambda w: f"/api/v1/me/ties/{_(w, 'peer_tie')}/", {"label": "x"}, "404 404 404 404 404"),
    ("delete", lambda w: f"/api/v1/me/ties/{_(w, 'peer_tie')}/", None, "404 404 404 404 404"),
    ("get", lambda w: f"/api/v1/people/{w.peer.pk}/ties/", None, "200 200 200 404 404"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/assets/", None, "200 200 200 404 404"),
    (
        "post",
        lambda w: f"/api/v1/networks/{w.network.pk}/assets/",
        {"organization_name": "Library", "service_name": "Reading group"},
        "403 201 201 404 404",
    ),
    ("get", lambda w: f"/api/v1/assets/{_(w, 'asset')}/", None, "200 200 200 404 404"),
    ("patch", lambda w: f"/api/v1/assets/{_(w, 'asset')}/", {"description": "x"}, "403 200 200 404 404"),
    ("post", lambda w: f"/api/v1/assets/{_(w, 'asset')}/reports/", {"kind": "closed"}, "201 201 201 404 404"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/asset-reports/", None, "403 200 200 404 404"),
    (
        "post",
        lambda w: f"/api/v1/asset-reports/{_(w, 'report')}/resolve/",
        {"outcome": "fixed"},
        "403 200 200 404 404",
    ),
    ("post", lambda w: f"/api/v1/assets/{_(w, 'asset')}/checked/", None, "403 200 200 404 404"),
    # The directory as Open Referral HSDS: export, and import (an empty file changes nothing).
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/directory/hsds/", None, "403 200 200 404 404"),
    ("post", lambda w: f"/api/v1/networks/{w.network.pk}/directory/hsds/", [], "403 200 200 404 404"),
    ("get", lambda w: f"/api/v1/graph/?network={w.network.pk}", None, "403 200 200 404 404"),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/health/", None, "403 200 200 404 404"),
    # Members amend their network's rules; a facilitator ratifies or sends back.
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/rule-proposals/", None, "200 200 200 404 404"),
    (
        "post",
        lambda w: f"/api/v1/networks/{w.network.pk}/rule-proposals/",
        {"changes": {"size_cap": 9}, "reason": "smaller"},
        "201 201 201 404 404",
    ),
    ("get", lambda w: f"/api/v1/networks/{w.network.pk}/rules/", None, "200 200 200 404 404"),
    (
        "post",
        lambda w: f"/api/v1/rule-proposals/{_(w, 'open_proposal')}/votes/",
        {"choice": "yes"},
        "201 201 201 404 404",
    ),
    (
        "post",
        lambda w: f"/api/v1/rule-proposals/{_(w, 'passed_proposal')}/ratify/",
        None,
        "403 403 200 404 404",
    ),
    (
        "post",
        lambda w: f"/api/v1/rule-proposals/{_(w, 'passed_proposal')}/send-back/",
        {"reason": "talk first"},
        "403 403 200 404 404",
    ),
]


def _cases():
    for method, url, body, statuses in ENDPOINTS:
        expected = dict(zip(ROLES, (int(s) for s in statuses.split()), strict=True)) | {"anonymous": 401}
        for role, status in expected.items():
            yield pytest.param(
                method, url, body, role, status, id=f"{method}-{url.__code__.co_firstlineno}-{role}"
            )


@pytest.mark.parametrize(("method", "url", "body", "role", "expected"), list(_cases()))
def test_endpoint_permissions(api, request, world, method, url, body, role, expected):
    person = None if role == "anonymous" else request.getfixturevalue(role)
    data = body(world) if callable(body) else body
    response = getattr(api(person), method)(url(world), data, format="json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"


def test_every_network_endpoint_is_in_the_matrix():
    from network.urls import urlpatterns

    auth_and_devices = {
        "auth-code",
        "auth-sign-in",
        "auth-sign-out",
        "auth-ws-ticket",
        "me",
        "device-list",
        "device-revoke",
        "calendar-feed",
    }
    covered_prefixes = {
        url(World(Network(pk=1), Network(pk=2), Person(pk=3), Person(pk=4), _FakeObjects()))
        .split("?")[0]
        .replace("/api/v1/", "")
        for _m, url, _b, _s in ENDPOINTS
    }
    for pattern in urlpatterns:
        if pattern.name in auth_and_devices:
            continue
        route = str(pattern.pattern)
        shape = route.replace("<int:network_id>", "1").replace("<int:person_id>", "4")
        for name in (
            "join_request_id",
            "invitation_id",
            "membership_id",
            "shift_id",
            "feed_id",
            "tie_id",
            "asset_id",
            "report_id",
            "request_id",
            "proposal_id",
        ):
            shape = shape.replace(f"<int:{name}>", "9")
        assert shape in covered_prefixes, f"{route} is missing from the permission matrix"


class _FakeObjects(dict):
    def __getitem__(self, key: str) -> Any:
        return Person(pk=9) if key != "occurrence" else ""
