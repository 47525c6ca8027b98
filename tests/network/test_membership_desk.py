"""What the desk's membership screens rely on: the history names an invited
number that has no account yet, pages newest first by cursor, and the person
who asked to join sees the reason they were declined (and nobody else does)."""

from __future__ import annotations

import pytest

from network import actions
from network.models import JoinRequest, Membership
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def history(api, person, network, query=""):
    return api(person).get(f"/api/v1/networks/{network.pk}/history/{query}")


def test_the_history_names_an_invited_number_that_has_no_account_yet(api, network, navigator):
    sent = api(navigator).post(
        f"/api/v1/networks/{network.pk}/invitations/",
        {"phone_number": "07700 820099", "note": "Hana's neighbour"},
        format="json",
    )
    assert sent.status_code == 201
    [entry] = history(api, navigator, network).json()["results"]
    assert (entry["kind"], entry["person_name"], entry["invited_phone_number"], entry["actor_name"]) == (
        "invited",
        None,
        "+447700820099",
        "Nadia",
    )
    assert entry["reason"] == "Hana's neighbour"


def test_a_change_about_a_person_has_no_invited_number(api, network, navigator, member):
    actions.do_remove_member(
        membership=Membership.objects.get(person=member, network=network), actor=navigator, reason="moved"
    )
    [entry] = history(api, navigator, network).json()["results"]
    assert (entry["person_name"], entry["invited_phone_number"]) == ("Amara", None)


def test_the_history_pages_newest_first_by_cursor(api, network, navigator):
    for name in ("Ada", "Bo", "Cy"):
        actions.do_request_to_join(person=PersonFactory(display_name=name), network=network)
    first = history(api, navigator, network, "?page_size=2").json()
    assert [e["person_name"] for e in first["results"]] == ["Cy", "Bo"]
    assert first["next"]
    older = api(navigator).get(first["next"]).json()
    assert [e["person_name"] for e in older["results"]] == ["Ada"]
    assert older["next"] is None


def test_the_history_is_for_navigators_and_facilitators_of_that_network_only(
    api, network, member, staff, outside_navigator
):
    assert history(api, staff, network).status_code == 200
    assert history(api, member, network).status_code == 403
    assert history(api, outside_navigator, network).status_code == 404


def test_a_declined_person_sees_the_reason_and_fellow_members_do_not(api, network, navigator, member):
    asker = PersonFactory(display_name="Nell")
    join_request = actions.do_request_to_join(person=asker, network=network, note="Brigstock Road")
    declined = api(navigator).post(
        f"/api/v1/join-requests/{join_request.pk}/decline/",
        {"reason": "outside our area; Croydon SUN meets near you"},
        format="json",
    )
    assert declined.status_code == 200
    [mine] = api(asker).get("/api/v1/join-requests/").json()["results"]
    assert (mine["status"], mine["decision_reason"]) == (
        "declined",
        "outside our area; Croydon SUN meets near you",
    )
    assert api(member).get("/api/v1/join-requests/").json()["results"] == []
    # Answered requests leave the navigators' queue.
    assert api(navigator).get(f"/api/v1/networks/{network.pk}/join-requests/").json()["results"] == []
    assert JoinRequest.objects.get(pk=join_request.pk).decided_by == navigator
