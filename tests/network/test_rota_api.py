"""The rota through the API, as a navigator runs it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from network import actions
from network.models import Shift
from tests.factories import make_ready

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def test_a_navigator_builds_a_rota_and_sees_who_is_on_call(api, network, navigator, member, peer):
    make_ready(member, network)
    make_ready(peer, network)
    client = api(navigator)
    for person, start in ((member, "20:00"), (peer, "20:00")):
        response = client.post(
            f"/api/v1/networks/{network.pk}/shifts/",
            {
                "person": person.pk,
                "start_date": "2026-03-21",
                "start_time": start,
                "duration_minutes": 720,
                "rrule": "FREQ=WEEKLY;BYDAY=SA",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    actions.do_record_alert_offer(
        person=member, network=network, at=datetime(2026, 3, 28, 20, 5, tzinfo=LONDON)
    )
    on_call = client.get(
        f"/api/v1/networks/{network.pk}/on-call/", {"at": "2026-03-29T07:30:00+01:00"}
    ).json()
    # Ben was never offered an alert, so he comes before Amara.
    assert [c["display_name"] for c in on_call["candidates"]] == ["Ben", "Amara"]
    rota = client.get(
        f"/api/v1/networks/{network.pk}/rota/",
        {"start": "2026-03-28T12:00:00Z", "end": "2026-03-29T12:00:00Z"},
    ).json()
    spans = {(datetime.fromisoformat(e["start"]), datetime.fromisoformat(e["end"])) for e in rota}
    # Saturday 20:00 GMT to Sunday 08:00 BST: eleven hours, the night the clocks go forward.
    assert spans == {
        (datetime(2026, 3, 28, 20, 0, tzinfo=LONDON), datetime(2026, 3, 29, 8, 0, tzinfo=LONDON))
    }
    [(start, end)] = spans
    assert end - start == timedelta(hours=11)


def test_a_shift_for_someone_outside_the_network_is_refused_and_nothing_is_made(
    api, network, navigator, outsider
):
    response = api(navigator).post(
        f"/api/v1/networks/{network.pk}/shifts/",
        {"person": outsider.pk, "start_date": "2026-03-21", "start_time": "20:00", "duration_minutes": 720},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "person"
    assert not Shift.objects.exists()


def test_a_bad_rrule_is_one_clear_error(api, network, navigator, member):
    make_ready(member, network)
    response = api(navigator).post(
        f"/api/v1/networks/{network.pk}/shifts/",
        {
            "person": member.pk,
            "start_date": "2026-03-21",
            "start_time": "20:00",
            "duration_minutes": 720,
            "rrule": "FREQ=FORTNIGHTLY",
        },
        format="json",
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["rrule"]
    assert not Shift.objects.exists()


def test_the_peer_whose_shift_it_is_can_hand_it_to_another_who_agrees(api, network, navigator, member, peer):
    make_ready(member, network)
    make_ready(peer, network)
    shift = actions.do_create_shift(
        network=network,
        person=member,
        start_date=datetime(2026, 3, 21).date(),
        start_time=datetime(2026, 1, 1, 20).time(),
        duration=timedelta(hours=12),
        rrule="FREQ=WEEKLY",
        actor=navigator,
    )
    response = api(member).post(
        f"/api/v1/shifts/{shift.pk}/swaps/",
        {"occurrence_start": "2026-03-28T20:00:00Z", "taken_by": peer.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["state"] == "pending"
    window = {"start": "2026-03-28T00:00:00Z", "end": "2026-03-30T00:00:00Z", "mine": "true"}
    assert api(peer).get(f"/api/v1/networks/{network.pk}/rota/", window).json() == []
    accepted = api(peer).post(f"/api/v1/swap-requests/{response.json()['id']}/accept/")
    assert accepted.status_code == 200, accepted.content
    mine = (
        api(peer)
        .get(
            f"/api/v1/networks/{network.pk}/rota/",
            {"start": "2026-03-28T00:00:00Z", "end": "2026-03-30T00:00:00Z", "mine": "true"},
        )
        .json()
    )
    assert [(e["display_name"], e["original_display_name"], e["swapped"]) for e in mine] == [
        ("Ben", "Amara", True)
    ]


def test_the_report_endpoint_lists_gaps_and_every_ready_peer(api, network, navigator, member):
    make_ready(member, network)
    report = api(navigator).get(f"/api/v1/networks/{network.pk}/rota-report/").json()
    assert report["gap_hours"] == 28 * 24
    assert [p["display_name"] for p in report["peers"]] == ["Amara"]
