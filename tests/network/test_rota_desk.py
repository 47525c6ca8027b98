"""What the desk's rota screen needs from the API (issue 15): a month grid of six
weeks in one request, cancelled occurrences drawn as such, and pending asks to
cover shown on the occurrence they are about, to the people who may see them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from network import actions, selectors
from network.actions.rota import do_accept_swap_request, do_ask_for_cover
from tests.factories import add_member, tomorrow_night

pytestmark = pytest.mark.django_db


def _rota(api, person, network, start, end, **extra):
    query = {"start": start.isoformat(), "end": end.isoformat(), "asks": "true", **extra}
    return api(person).get(f"/api/v1/networks/{network.pk}/rota/", query)


def _in_a_gap(gaps, start, end) -> bool:
    return any(a <= start and end <= b for a, b in gaps)


def _at(entries, start):
    return [e for e in entries if datetime.fromisoformat(e["start"]) == start]


def test_six_weeks_fit_in_one_request_and_a_day_more_is_one_clear_error(api, network, navigator, night):
    start = tomorrow_night(network) - timedelta(hours=20)
    six_weeks = _rota(api, navigator, network, start, start + timedelta(days=42))
    assert six_weeks.status_code == 200, six_weeks.content
    # Tonight (running into the window) and 42 nights from tomorrow.
    assert len(six_weeks.json()) == 43
    too_long = _rota(api, navigator, network, start, start + timedelta(days=42, minutes=1))
    assert too_long.status_code == 400
    assert too_long["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["detail"]) for e in too_long.json()["errors"]] == [
        ("end", "After start, and at most 42 days later.")
    ]


def test_a_cancelled_night_is_listed_only_when_asked_and_never_counts_as_cover(
    api, network, navigator, member, night
):
    shift, start = night
    actions.do_cancel_occurrence(shift=shift, occurrence_start=start, actor=navigator)
    window = (start - timedelta(hours=1), start + timedelta(hours=1))
    plain = _rota(api, member, network, *window).json()
    assert plain == []
    drawn = _rota(api, member, network, *window, cancelled="true").json()
    [cancelled] = _at(drawn, start)
    assert (cancelled["cancelled"], cancelled["display_name"], cancelled["swapped"]) == (True, "Amara", False)
    # Drawing it changes nothing about who is on call or the gaps.
    assert selectors.on_call_candidates(network=network, at=start + timedelta(hours=1)) == []
    report = selectors.rota_report(network=network, now=start - timedelta(hours=1))
    assert _in_a_gap(report.gaps, start, start + timedelta(hours=12))


def test_a_pending_ask_shows_on_its_night_to_those_who_may_see_it_and_goes_once_answered(
    api, network, navigator, staff, member, peer, outside_navigator, night
):
    shift, start = night
    uninvolved = add_member(network, "Chioma")
    ask = do_ask_for_cover(shift=shift, occurrence_start=start, asked=peer, actor=navigator)
    window = (start - timedelta(hours=1), start + timedelta(hours=1))
    for viewer in (navigator, staff, member, peer):
        [entry] = _at(_rota(api, viewer, network, *window).json(), start)
        assert entry["pending_swap"]["id"] == ask.pk, viewer.display_name
        assert (entry["pending_swap"]["asked_display_name"], entry["display_name"], entry["swapped"]) == (
            "Ben",
            "Amara",
            False,
        )
    [seen_by_other] = _at(_rota(api, uninvolved, network, *window).json(), start)
    assert seen_by_other["pending_swap"] is None
    assert _rota(api, outside_navigator, network, *window).status_code == 404

    # Without asks=true the rota is as it was before anyone asked.
    [plain] = _at(_rota(api, navigator, network, *window, asks="false").json(), start)
    assert plain["pending_swap"] is None

    do_accept_swap_request(request=ask)
    [entry] = _at(_rota(api, navigator, network, *window).json(), start)
    assert (entry["pending_swap"], entry["display_name"], entry["swapped"]) == (None, "Ben", True)


def test_the_report_lists_the_gap_a_cancellation_makes_and_every_ready_peer(
    api, network, navigator, member, peer, night
):
    shift, start = night

    def gaps():
        body = api(navigator).get(f"/api/v1/networks/{network.pk}/rota-report/").json()
        return body, [
            (datetime.fromisoformat(g["start"]), datetime.fromisoformat(g["end"])) for g in body["gaps"]
        ]

    assert not _in_a_gap(gaps()[1], start, start + timedelta(minutes=1))
    actions.do_cancel_occurrence(shift=shift, occurrence_start=start, actor=navigator)
    body, after = gaps()
    assert _in_a_gap(after, start, start + timedelta(hours=12))
    assert sorted(p["display_name"] for p in body["peers"]) == ["Amara", "Ben"]
    assert api(member).get(f"/api/v1/networks/{network.pk}/rota-report/").status_code == 403
