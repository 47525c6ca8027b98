"""Recurring shifts in local time across DST, swaps, the report and calendar feeds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from network import actions, selectors
from network.actions.rota import do_accept_swap_request, do_ask_for_cover
from network.models import CalendarFeed, Membership
from tests.factories import make_ready

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def weekly_night_shift(network, person, actor):
    # Saturdays 20:00 to Sunday 08:00: the clocks change in the small hours of those Sundays.
    return actions.do_create_shift(
        network=network,
        person=person,
        start_date=date(2026, 3, 7),
        start_time=time(20, 0),
        duration=timedelta(hours=12),
        rrule="FREQ=WEEKLY;BYDAY=SA",
        actor=actor,
    )


@pytest.mark.parametrize(
    ("saturday", "utc_start", "utc_end"),
    [
        # Last Sunday of March 2026 is the 29th: GMT at 20:00 Saturday, BST by 08:00 Sunday.
        (date(2026, 3, 28), datetime(2026, 3, 28, 20, 0), datetime(2026, 3, 29, 7, 0)),
        # Last Sunday of October 2026 is the 25th: BST at 20:00 Saturday, GMT by 08:00 Sunday.
        (date(2026, 10, 24), datetime(2026, 10, 24, 19, 0), datetime(2026, 10, 25, 8, 0)),
        # An ordinary summer weekend, for contrast.
        (date(2026, 6, 13), datetime(2026, 6, 13, 19, 0), datetime(2026, 6, 14, 7, 0)),
    ],
)
def test_a_weekly_night_shift_keeps_its_local_times_across_daylight_saving(
    network, member, navigator, saturday, utc_start, utc_end
):
    make_ready(member, network)
    weekly_night_shift(network, member, navigator)
    start = datetime.combine(saturday, time(12, 0), tzinfo=LONDON)
    entries = selectors.rota(network=network, start=start, end=start + timedelta(days=1))
    assert len(entries) == 1
    occurrence = entries[0].occurrence
    assert occurrence.start.astimezone(LONDON).time() == time(20, 0)
    assert occurrence.end.astimezone(LONDON).time() == time(8, 0)
    utc = ZoneInfo("UTC")
    assert occurrence.start.astimezone(utc).replace(tzinfo=None) == utc_start
    assert occurrence.end.astimezone(utc).replace(tzinfo=None) == utc_end
    # Someone on the shift at 07:30 local on the Sunday; nobody at 08:30.
    sunday = saturday + timedelta(days=1)
    assert selectors.on_call_candidates(
        network=network, at=datetime.combine(sunday, time(7, 30), tzinfo=LONDON)
    ) == [member]
    assert (
        selectors.on_call_candidates(network=network, at=datetime.combine(sunday, time(8, 30), tzinfo=LONDON))
        == []
    )


def test_shifts_are_only_for_ready_members_and_valid_rules(network, member, navigator):
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError):
        weekly_night_shift(network, member, navigator)
    make_ready(member, network)
    with pytest.raises(ValidationError):
        actions.do_create_shift(
            network=network,
            person=member,
            start_date=date(2026, 3, 7),
            start_time=time(20, 0),
            duration=timedelta(hours=12),
            rrule="FREQ=SOMETIMES",
            actor=navigator,
        )


def test_a_swap_shows_on_the_rota_for_both_peers(network, member, peer, navigator):
    make_ready(member, network)
    make_ready(peer, network)
    shift = weekly_night_shift(network, member, navigator)
    occurrence = datetime(2026, 6, 13, 20, 0, tzinfo=LONDON)
    asked = do_ask_for_cover(shift=shift, occurrence_start=occurrence, asked=peer, actor=member)
    do_accept_swap_request(request=asked)
    window = (occurrence - timedelta(hours=1), occurrence + timedelta(hours=1))
    for person in (member, peer):
        [entry] = selectors.rota(network=network, start=window[0], end=window[1], person=person)
        assert entry.person == peer
        assert entry.original_person == member
        assert entry.occurrence.swapped


def test_a_swap_needs_a_real_occurrence(network, member, peer, navigator):
    from rest_framework.exceptions import ValidationError

    make_ready(member, network)
    make_ready(peer, network)
    shift = weekly_night_shift(network, member, navigator)
    with pytest.raises(ValidationError):
        do_ask_for_cover(
            shift=shift,
            occurrence_start=datetime(2026, 6, 13, 21, 0, tzinfo=LONDON),
            asked=peer,
            actor=member,
        )


def test_the_report_finds_gaps_and_balances_hours_and_alerts(network, member, peer, navigator):
    make_ready(member, network)
    make_ready(peer, network)
    now = datetime(2026, 6, 1, 0, 0, tzinfo=LONDON)  # a Monday
    actions.do_create_shift(
        network=network,
        person=member,
        start_date=date(2026, 6, 1),
        start_time=time(0, 0),
        duration=timedelta(hours=12),
        rrule="FREQ=DAILY",
        actor=navigator,
    )
    actions.do_create_shift(
        network=network,
        person=peer,
        start_date=date(2026, 6, 1),
        start_time=time(12, 0),
        duration=timedelta(hours=6),
        rrule="FREQ=DAILY",
        actor=navigator,
    )
    actions.do_record_alert_offer(person=peer, network=network, at=now - timedelta(days=1))
    actions.do_record_alert_response(
        person=peer, network=network, at=now - timedelta(days=1), response="declined"
    )
    actions.do_record_alert_offer(person=peer, network=network, at=now - timedelta(hours=2))
    actions.do_record_alert_response(
        person=peer, network=network, at=now - timedelta(hours=1), response="no_answer"
    )
    report = selectors.rota_report(network=network, now=now)
    assert len(report.gaps) == 28
    assert report.gaps[0] == (
        datetime(2026, 6, 1, 18, 0, tzinfo=LONDON),
        datetime(2026, 6, 2, 0, 0, tzinfo=LONDON),
    )
    assert report.gap_hours == 28 * 6
    balances = {b.person: b for b in report.peers}
    assert balances[member].on_call_hours == 28 * 12
    assert balances[peer].on_call_hours == 28 * 6
    assert (balances[peer].offered, balances[peer].declined, balances[peer].no_answer) == (2, 1, 1)
    assert balances[member].offered == 0


def test_a_personal_feed_lists_my_shifts_in_local_time_until_revoked(api, network, member, peer, navigator):
    make_ready(member, network)
    make_ready(peer, network)
    actions.do_create_shift(
        network=network,
        person=member,
        start_date=date.today(),
        start_time=time(20, 0),
        duration=timedelta(hours=12),
        rrule="FREQ=WEEKLY",
        actor=navigator,
    )
    actions.do_create_shift(
        network=network,
        person=peer,
        start_date=date.today(),
        start_time=time(9, 0),
        duration=timedelta(hours=2),
        rrule="FREQ=WEEKLY",
        actor=navigator,
    )
    client = api(member)
    created = client.post(
        "/api/v1/me/calendar-feeds/", {"network": network.pk, "scope": "my_shifts"}, format="json"
    )
    assert created.status_code == 201
    url = created.json()["url"]
    anonymous = api(None)
    feed = anonymous.get(url)
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert events
    assert all("Amara" in str(e["SUMMARY"]) for e in events)
    assert all(e.decoded("DTSTART").astimezone(LONDON).time() == time(20, 0) for e in events)
    assert calendar.walk("VTIMEZONE")

    network_feed = client.post(
        "/api/v1/me/calendar-feeds/", {"network": network.pk, "scope": "network_rota"}, format="json"
    ).json()
    summaries = {
        str(e["SUMMARY"])
        for e in Calendar.from_ical(anonymous.get(network_feed["url"]).content).walk("VEVENT")
    }
    assert any("Ben" in s for s in summaries)
    assert any("Amara" in s for s in summaries)

    feed_id = created.json()["id"]
    assert client.delete(f"/api/v1/me/calendar-feeds/{feed_id}/").status_code == 204
    assert anonymous.get(url).status_code == 404
    assert CalendarFeed.objects.get(pk=feed_id).revoked_at is not None


def test_a_feed_stops_when_its_owner_leaves_the_network(api, network, member):
    _feed, token = actions.do_create_calendar_feed(person=member, network=network, scope="my_shifts")
    assert api(None).get(f"/api/v1/calendar/{token}.ics").status_code == 200
    actions.do_leave_network(membership=Membership.objects.get(person=member))
    assert api(None).get(f"/api/v1/calendar/{token}.ics").status_code == 404
    missing = api(None).get("/api/v1/calendar/not-a-token.ics")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
