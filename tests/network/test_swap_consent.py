"""A swap takes effect only when the person taking the shift agrees (issue 15):
asking changes nothing on the rota, in who is on call, in the feeds or the
report; only the asked person's accept does."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from network import actions, selectors
from network.actions.rota import do_accept_swap_request, do_ask_for_cover
from network.models import Membership, ShiftException, SwapRequest
from tests.factories import add_member

pytestmark = pytest.mark.django_db


def _ask(api, person, shift, start, taken_by):
    body = {"occurrence_start": start.isoformat(), "taken_by": taken_by.pk}
    return api(person).post(f"/api/v1/shifts/{shift.pk}/swaps/", body, format="json")


def _answer(api, person, request_id, verb):
    return api(person).post(f"/api/v1/swap-requests/{request_id}/{verb}/")


def _feed_summaries(api, person, network) -> list[str]:
    created = api(person).post(
        "/api/v1/me/calendar-feeds/", {"network": network.pk, "scope": "my_shifts"}, format="json"
    )
    ics = api(None).get(created.json()["url"]).content
    return sorted(str(event["SUMMARY"]) for event in Calendar.from_ical(ics).walk("VEVENT"))


def _on_call_during(network, start) -> list[str]:
    return [
        p.display_name for p in selectors.on_call_candidates(network=network, at=start + timedelta(hours=1))
    ]


def _state(network, start):
    """Everything a swap could change: who is on call, the rota, each feed, the report."""
    rota = selectors.rota(network=network, start=start - timedelta(hours=1), end=start + timedelta(hours=1))
    report = selectors.rota_report(network=network, now=timezone.now())
    return {
        "on_call": _on_call_during(network, start),
        "rota": [(e.person.display_name, e.original_person.display_name, e.occurrence.swapped) for e in rota],
        "hours": {b.person.display_name: b.on_call_hours for b in report.peers},
        "exceptions": ShiftException.objects.count(),
    }


def test_asking_is_pending_and_changes_nothing_until_the_taker_says_yes(api, network, member, peer, night):
    shift, start = night
    before = _state(network, start)
    assert before["on_call"] == ["Amara"]
    feeds_before = (_feed_summaries(api, member, network), _feed_summaries(api, peer, network))

    response = _ask(api, member, shift, start, peer)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["asked_id"], body["asked_by_id"], body["shift_person_id"]) == (
        "pending",
        peer.pk,
        member.pk,
        member.pk,
    )
    assert _state(network, start) == before
    assert (_feed_summaries(api, member, network), _feed_summaries(api, peer, network)) == feeds_before
    assert not any("taken over" in s for s in feeds_before[0] + feeds_before[1])

    accepted = _answer(api, peer, body["id"], "accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted"
    assert _on_call_during(network, start) == ["Ben"]
    assert _on_call_during(network, start + timedelta(days=1)) == ["Amara"]
    after = _state(network, start)
    assert after["rota"] == [("Ben", "Amara", True)]
    assert after["hours"]["Ben"] == before["hours"]["Ben"] + 12
    assert after["hours"]["Amara"] == before["hours"]["Amara"] - 12
    assert "On call: Ben (taken over from Amara)" in _feed_summaries(api, peer, network)
    exception = ShiftException.objects.get()
    assert (exception.kind, exception.taken_by, exception.occurrence_start) == ("swap", peer, start)


def test_accepting_twice_is_a_conflict_and_swaps_once(api, network, member, peer, night):
    shift, start = night
    request_id = _ask(api, member, shift, start, peer).json()["id"]
    assert _answer(api, peer, request_id, "accept").status_code == 200
    again = _answer(api, peer, request_id, "accept")
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert ShiftException.objects.count() == 1


@pytest.mark.parametrize("verb", ["decline", "withdraw"])
def test_declining_or_withdrawing_changes_nothing_and_closes_the_request(
    api, network, member, peer, night, verb
):
    shift, start = night
    before = _state(network, start)
    request_id = _ask(api, member, shift, start, peer).json()["id"]
    answerer = peer if verb == "decline" else member
    response = _answer(api, answerer, request_id, verb)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == {"decline": "declined", "withdraw": "withdrawn"}[verb]
    assert response.json()["answered_at"] is not None
    assert _state(network, start) == before
    assert _answer(api, peer, request_id, "accept").status_code == 409
    assert _state(network, start) == before
    # The occurrence is free again: someone else may be asked.
    assert _ask(api, member, shift, start, peer).status_code == 201


def test_a_second_ask_for_the_same_night_waits_for_the_first(api, network, member, peer, night):
    shift, start = night
    dev = add_member(network, "Dev", ready=True)
    assert _ask(api, member, shift, start, peer).status_code == 201
    second = _ask(api, member, shift, start, dev)
    assert second.status_code == 409
    assert SwapRequest.objects.count() == 1


def test_accept_after_the_night_was_cancelled_meanwhile_is_a_conflict(
    api, network, member, peer, navigator, night
):
    shift, start = night
    request_id = _ask(api, member, shift, start, peer).json()["id"]
    actions.do_cancel_occurrence(shift=shift, occurrence_start=start, actor=navigator)
    response = _answer(api, peer, request_id, "accept")
    assert response.status_code == 409
    assert ShiftException.objects.get().kind == "cancel"
    assert SwapRequest.objects.get().state == "pending"  # the failed accept left no trace


def test_accept_rechecks_that_the_taker_is_still_ready(api, network, member, peer, staff, night):
    shift, start = night
    request_id = _ask(api, member, shift, start, peer).json()["id"]
    membership = Membership.objects.get(person=peer, network=network)
    actions.do_set_readiness(membership=membership, actor=staff, ready=False)
    assert _answer(api, peer, request_id, "accept").status_code == 409
    assert not ShiftException.objects.exists()
    assert _on_call_during(network, start) == ["Amara"]


def test_only_a_ready_member_can_be_asked(api, network, member, night):
    shift, start = night
    not_ready = add_member(network, "Cleo")
    response = _ask(api, member, shift, start, not_ready)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["taken_by"]
    assert not SwapRequest.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("member", 201),  # the shift's own peer
        ("navigator", 201),
        ("staff", 201),
        ("bystander", 403),  # another member of the network, not on this shift
        ("outsider", 404),
        ("outside_navigator", 404),
    ],
)
def test_who_may_ask_for_cover(api, request, network, peer, night, who, expected):
    shift, start = night
    person = add_member(network, "Eve") if who == "bystander" else request.getfixturevalue(who)
    assert _ask(api, person, shift, start, peer).status_code == expected
    assert SwapRequest.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    ("who", "accept", "decline", "withdraw"),
    [
        ("asked", 200, 200, 403),  # the asked person answers; declining is how they say no
        ("asker", 403, 403, 200),  # the navigator who asked on Amara's behalf
        ("shift_peer", 403, 403, 200),
        ("staff", 403, 403, 200),
        ("bystander", 404, 404, 404),
        ("outsider", 404, 404, 404),
        ("outside_navigator", 404, 404, 404),
    ],
)
def test_who_may_answer_a_request(
    api, request, network, member, peer, navigator, night, who, accept, decline, withdraw
):
    shift, start = night
    people = {
        "asked": peer,
        "asker": navigator,
        "shift_peer": member,
        "bystander": add_member(network, "Eve", ready=True),
    }
    person = people.get(who) or request.getfixturevalue(who)
    # Accept last: once it succeeds, the night is swapped and nobody can be asked again.
    for verb, expected in (("decline", decline), ("withdraw", withdraw), ("accept", accept)):
        swap_request = do_ask_for_cover(shift=shift, occurrence_start=start, asked=peer, actor=navigator)
        response = _answer(api, person, swap_request.pk, verb)
        assert response.status_code == expected, (verb, response.content)
        swap_request.refresh_from_db()
        assert (swap_request.state == "pending") == (expected != 200)
        if expected == 200 and verb == "accept":
            assert _on_call_during(network, start) == ["Ben"]
            return
        if swap_request.state == "pending":
            swap_request.state = "withdrawn"
            swap_request.save(update_fields=["state"])
    assert not ShiftException.objects.exists()


def test_my_swap_requests_lists_asks_to_me_and_by_me_only(api, network, member, peer, navigator, night):
    shift, start = night
    bystander = add_member(network, "Eve", ready=True)
    asked = do_ask_for_cover(shift=shift, occurrence_start=start, asked=peer, actor=navigator)

    def ids(person):
        response = api(person).get("/api/v1/me/swap-requests/")
        assert response.status_code == 200
        return [r["id"] for r in response.json()["results"]]

    assert ids(peer) == [asked.pk]  # asked to cover
    assert ids(navigator) == [asked.pk]  # asked on Amara's behalf
    assert ids(member) == [asked.pk]  # Amara's own shift
    assert ids(bystander) == []
    [shown] = api(peer).get("/api/v1/me/swap-requests/").json()["results"]
    assert (shown["shift_display_name"], shown["asked_display_name"], shown["asked_by_display_name"]) == (
        "Amara",
        "Ben",
        "Nadia",
    )
    assert datetime.fromisoformat(shown["occurrence_end"]) == start + timedelta(hours=12)
    do_accept_swap_request(request=asked)
    assert ids(peer) == []  # answered requests leave the list


def test_another_networks_outsider_sees_none_of_my_requests(api, network, member, peer, outsider, night):
    shift, start = night
    do_ask_for_cover(shift=shift, occurrence_start=start, asked=peer, actor=member)
    assert api(outsider).get("/api/v1/me/swap-requests/").json()["results"] == []
