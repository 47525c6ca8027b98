"""Joining by self-referral and invitation, leaving, removal, transfer, history,
the soft size cap, readiness and what members share."""

from __future__ import annotations

import pytest

from foundation.transports import sms
from network import actions
from network.models import Membership, MembershipChange, Network, Tie
from tests.factories import PersonFactory, add_member

pytestmark = pytest.mark.django_db


def kinds(network):
    return list(
        MembershipChange.objects.filter(network=network).order_by("at", "pk").values_list("kind", flat=True)
    )


def test_a_person_asks_to_join_and_a_navigator_accepts(api, network, navigator):
    newcomer = PersonFactory(display_name="Newcomer")
    asked = api(newcomer).post(
        "/api/v1/join-requests/",
        {"network": network.slug, "note": "A friend told me about it"},
        format="json",
    )
    assert asked.status_code == 201
    pending = api(navigator).get(f"/api/v1/networks/{network.pk}/join-requests/").json()["results"]
    assert [r["display_name"] for r in pending] == ["Newcomer"]
    accepted = api(navigator).post(
        f"/api/v1/join-requests/{asked.json()['id']}/accept/",
        {"reason": "met at Tuesday's group"},
        format="json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["over_size_cap"] is False
    assert Membership.objects.filter(person=newcomer, network=network, left_at__isnull=True).exists()
    assert kinds(network) == ["join_requested", "join_accepted"]
    change = MembershipChange.objects.get(kind="join_accepted")
    assert (change.actor, change.reason) == (navigator, "met at Tuesday's group")


def test_a_declined_request_adds_nobody_and_cannot_be_accepted_later(api, network, navigator):
    newcomer = PersonFactory()
    join_request = actions.do_request_to_join(person=newcomer, network=network)
    assert (
        api(navigator)
        .post(f"/api/v1/join-requests/{join_request.pk}/decline/", {}, format="json")
        .status_code
        == 200
    )
    again = api(navigator).post(f"/api/v1/join-requests/{join_request.pk}/accept/", {}, format="json")
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert not Membership.objects.filter(person=newcomer).exists()


def test_asking_twice_or_as_a_member_is_a_conflict(api, network, member):
    newcomer = PersonFactory()
    actions.do_request_to_join(person=newcomer, network=network)
    body = {"network": network.slug}
    assert api(newcomer).post("/api/v1/join-requests/", body, format="json").status_code == 409
    assert api(member).post("/api/v1/join-requests/", body, format="json").status_code == 409
    assert (
        api(newcomer).post("/api/v1/join-requests/", {"network": "no-such"}, format="json").status_code == 404
    )


def test_an_invitation_by_phone_number_is_texted_and_accepted_by_the_invitee(
    api, network, navigator, django_capture_on_commit_callbacks
):
    invitee = PersonFactory(phone_number="+447700810123", display_name="Ivy")
    with django_capture_on_commit_callbacks(execute=True):
        sent = api(navigator).post(
            f"/api/v1/networks/{network.pk}/invitations/", {"phone_number": "07700 810123"}, format="json"
        )
    assert sent.status_code == 201
    assert [m.to for m in sms.outbox] == ["+447700810123"]
    assert network.name in sms.outbox[0].body
    waiting = api(invitee).get("/api/v1/me/invitations/").json()["results"]
    assert [w["network_name"] for w in waiting] == [network.name]
    # Someone else cannot accept it: it is not theirs, so it does not exist for them.
    assert api(navigator).post(f"/api/v1/invitations/{sent.json()['id']}/accept/").status_code == 404
    assert api(invitee).post(f"/api/v1/invitations/{sent.json()['id']}/accept/").status_code == 200
    assert Membership.objects.filter(person=invitee, network=network, role="member").exists()
    assert kinds(network) == ["invited", "invitation_accepted"]


def test_an_invitation_to_a_bad_number_is_one_clear_error_and_sends_nothing(api, network, navigator):
    response = api(navigator).post(
        f"/api/v1/networks/{network.pk}/invitations/", {"phone_number": "not a number"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "phone_number"
    assert sms.outbox == []


def test_going_over_the_soft_cap_warns_but_still_admits(api, network, navigator):
    network.size_cap = 2
    network.save()
    add_member(network, "Already here")
    newcomer = PersonFactory()
    join_request = actions.do_request_to_join(person=newcomer, network=network)
    response = api(navigator).post(f"/api/v1/join-requests/{join_request.pk}/accept/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["over_size_cap"] is True
    assert "size cap" in response.json()["warning"]
    assert Membership.objects.filter(person=newcomer, left_at__isnull=True).exists()
    assert "over_size_cap" in kinds(network)


def test_leaving_keeps_the_persons_own_data_and_the_history(api, network, member):
    Tie.objects.create(owner=member, kind="person", label="My sister")
    response = api(member).post(
        f"/api/v1/networks/{network.pk}/leave/", {"reason": "moving away"}, format="json"
    )
    assert response.status_code == 204
    assert Membership.objects.get(person=member).left_at is not None
    assert Tie.objects.filter(owner=member).count() == 1
    change = MembershipChange.objects.get(kind="left")
    assert (change.person, change.actor, change.reason) == (member, member, "moving away")
    assert api(member).get(f"/api/v1/networks/{network.pk}/").status_code == 404


def test_removal_needs_a_reason_and_is_recorded(api, network, navigator, member):
    membership = Membership.objects.get(person=member)
    url = f"/api/v1/memberships/{membership.pk}/remove/"
    assert api(navigator).post(url, {}, format="json").status_code == 400
    assert Membership.objects.get(pk=membership.pk).left_at is None
    assert api(navigator).post(url, {"reason": "asked to be removed"}, format="json").status_code == 204
    change = MembershipChange.objects.get(kind="removed")
    assert (change.person, change.actor) == (member, navigator)


def test_a_navigator_of_both_networks_transfers_a_member(api, network, other_network, navigator, member):
    Membership.objects.create(person=navigator, network=other_network, role="navigator")
    membership = Membership.objects.get(person=member)
    response = api(navigator).post(
        f"/api/v1/memberships/{membership.pk}/transfer/",
        {"to_network": other_network.pk, "reason": "moved to Leeds"},
        format="json",
    )
    assert response.status_code == 200
    assert list(Network.objects.filter(memberships__person=member, memberships__left_at__isnull=True)) == [
        other_network
    ]
    assert kinds(network)[-1] == "transferred_out"
    assert kinds(other_network)[-1] == "transferred_in"


def test_transfer_to_a_network_the_navigator_is_not_in_is_not_found(
    api, network, other_network, navigator, member
):
    membership = Membership.objects.get(person=member)
    response = api(navigator).post(
        f"/api/v1/memberships/{membership.pk}/transfer/",
        {"to_network": other_network.pk, "reason": "x"},
        format="json",
    )
    assert response.status_code == 404
    assert Membership.objects.get(pk=membership.pk).left_at is None


def test_the_phone_number_is_shown_to_fellow_members_only_when_shared(api, network, member, peer):
    def peers_number():
        members = api(member).get(f"/api/v1/networks/{network.pk}/members/").json()["results"]
        return next(m["phone_number"] for m in members if m["person_id"] == peer.pk)

    assert peers_number() is None
    shared = api(peer).patch(
        f"/api/v1/networks/{network.pk}/me/", {"share_phone_number": True}, format="json"
    )
    assert shared.status_code == 200
    assert peers_number() == peer.phone_number.as_e164


def test_only_a_facilitator_marks_readiness(api, network, member, navigator, staff):
    membership = Membership.objects.get(person=member)
    url = f"/api/v1/memberships/{membership.pk}/readiness/"
    assert api(navigator).post(url, {"ready": True}, format="json").status_code == 403
    assert api(staff).post(url, {"ready": True, "reason": "training done"}, format="json").status_code == 200
    membership.refresh_from_db()
    assert membership.is_ready
    assert membership.ready_marked_by == staff


def test_a_member_cannot_go_available_before_being_ready(api, network, member):
    response = api(member).post(
        f"/api/v1/networks/{network.pk}/me/availability/",
        {"state": "available", "until": "2099-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert Membership.objects.get(person=member).available_until is None


def test_networks_have_uk_emergency_routes_and_default_escalation_steps(network):
    assert [r["number"] for r in network.emergency_routes] == ["999", "111", "116 123", "85258"]
    assert [s["wait_seconds"] for s in network.escalation_steps] == [120, 180, 300]
    assert network.size_cap == 10


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [{"audience": "everyone", "wait_seconds": 60}],
        [{"audience": "on_call", "wait_seconds": 0}],
        [{"audience": "on_call", "wait_seconds": "60"}],
        [{"audience": "on_call", "wait_seconds": 60, "extra": 1}],
    ],
)
def test_bad_escalation_steps_are_refused_and_nothing_changes(api, network, navigator, steps):
    response = api(navigator).patch(
        f"/api/v1/networks/{network.pk}/", {"escalation_steps": steps}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "escalation_steps"
    network.refresh_from_db()
    assert len(network.escalation_steps) == 3


def test_a_navigator_changes_the_cap_routes_and_steps(api, network, navigator):
    body = {
        "size_cap": 12,
        "emergency_routes": [{"label": "Crisis line", "number": "0800 123 4567", "how": "call"}],
        "escalation_steps": [
            {"audience": "on_call", "wait_seconds": 60},
            {"audience": "navigators_and_staff", "wait_seconds": 300},
        ],
    }
    response = api(navigator).patch(f"/api/v1/networks/{network.pk}/", body, format="json")
    assert response.status_code == 200
    network.refresh_from_db()
    assert (network.size_cap, network.escalation_steps) == (12, body["escalation_steps"])


def test_history_lists_who_did_what(api, network, navigator, member):
    actions.do_remove_member(
        membership=Membership.objects.get(person=member), actor=navigator, reason="asked to leave"
    )
    [entry] = api(navigator).get(f"/api/v1/networks/{network.pk}/history/").json()["results"]
    assert (entry["kind"], entry["person_name"], entry["actor_name"], entry["reason"]) == (
        "removed",
        "Amara",
        "Nadia",
        "asked to leave",
    )


def test_only_a_facilitator_invites_a_facilitator(api, network, navigator, staff):
    url = f"/api/v1/networks/{network.pk}/invitations/"
    refused = api(navigator).post(
        url, {"phone_number": "+447700830001", "role": "facilitator"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "role"
    allowed = api(staff).post(url, {"phone_number": "+447700830001", "role": "facilitator"}, format="json")
    assert allowed.status_code == 201
