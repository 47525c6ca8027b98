"""A co-author's reading ends with the last network they share with the
plan's owner (the owner is told), and comes back only by a new invitation."""

from __future__ import annotations

import pytest

from crisisplans import actions
from crisisplans.models import OwnerNotice
from crisisplans.selectors import may_read_section
from messaging.models import Event
from network.actions.membership import do_leave_network, do_remove_member
from network.models import Membership
from tests.crisisplans.factories import share, signed_off_plan
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(member, peer):
    plan = signed_off_plan(owner=member)
    actions.do_invite_co_author(owner=member, plan=plan, person=peer)
    share(plan, "co_authors", "when_well", "on_call_steps")
    actions.do_add_comment(author=member, revision=plan.active_revision, section="", text="Ben, have a look")
    return plan


def read_endpoints(plan) -> list[str]:
    base = f"/api/v1/plans/{plan.pk}"
    return [
        f"{base}/",
        f"{base}/revisions/",
        f"{base}/revisions/1/",
        f"{base}/revisions/compare/?older=1&newer=1",
        f"{base}/comments/",
        f"{base}/co-authors/",
        f"{base}/print/",
        f"{base}/fhir/",
    ]


def statuses(client, plan) -> dict[str, int]:
    return {url: client.get(url).status_code for url in read_endpoints(plan)}


def membership_of(person, network) -> Membership:
    return Membership.objects.get(person=person, network=network, left_at__isnull=True)


def test_a_co_author_removed_from_the_last_shared_network_reads_nothing_more(
    api, plan, member, peer, navigator, network
):
    client = api(peer)
    before = statuses(client, plan)
    assert before[f"/api/v1/plans/{plan.pk}/"] == 200
    assert before[f"/api/v1/plans/{plan.pk}/revisions/"] == 200
    assert before[f"/api/v1/plans/{plan.pk}/comments/"] == 200
    assert before[f"/api/v1/plans/{plan.pk}/print/"] == 200

    do_remove_member(membership=membership_of(peer, network), actor=navigator, reason="moved away")

    assert set(statuses(client, plan).values()) == {404}
    assert client.get("/api/v1/plans/").json() == []
    assert not may_read_section(person=peer, plan=plan, section="when_well").allowed


def test_a_co_author_who_leaves_the_last_shared_network_reads_nothing_more_and_the_owner_is_told(
    api, plan, member, peer, network
):
    do_leave_network(membership=membership_of(peer, network))

    assert set(statuses(api(peer), plan).values()) == {404}
    notice = OwnerNotice.objects.get(owner=member, kind="co_author_ended")
    assert Event.objects.filter(person=member, type="plan.notice", data__kind="co_author_ended").exists()
    shown = api(member).get("/api/v1/plan-notices/").json()["results"]
    assert [(n["id"], n["co_author"]) for n in shown if n["kind"] == "co_author_ended"] == [
        (notice.pk, {"id": peer.pk, "display_name": "Ben"})
    ]
    co_authors = api(member).get(f"/api/v1/plans/{plan.pk}/co-authors/").json()
    assert co_authors == []


def test_the_owner_leaving_the_last_shared_network_ends_it_too(api, plan, member, peer, network):
    do_leave_network(membership=membership_of(member, network))
    assert set(statuses(api(peer), plan).values()) == {404}


def test_a_co_author_who_still_shares_another_network_keeps_reading(
    api, plan, member, peer, network, other_network
):
    MembershipFactory(person=member, network=other_network)
    MembershipFactory(person=peer, network=other_network)
    do_leave_network(membership=membership_of(peer, network))

    assert api(peer).get(f"/api/v1/plans/{plan.pk}/").status_code == 200
    assert not OwnerNotice.objects.filter(kind="co_author_ended").exists()


def test_rejoining_does_not_bring_access_back_a_new_invitation_does(api, plan, member, peer, network):
    do_leave_network(membership=membership_of(peer, network))
    MembershipFactory(person=peer, network=network)

    client = api(peer)
    assert client.get(f"/api/v1/plans/{plan.pk}/").status_code == 404

    actions.do_invite_co_author(owner=member, plan=plan, person=peer)
    body = client.get(f"/api/v1/plans/{plan.pk}/").json()
    assert set(body["sections"]) == {"when_well", "on_call_steps"}
