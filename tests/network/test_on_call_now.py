"""A peer's own "am I on call now, and until when": ``on_call_state`` and the
fields it gives GET/PATCH networks/<id>/me/ and POST .../me/availability/."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from network import actions
from network.models import Membership
from network.selectors import on_call_candidates, on_call_state
from tests.factories import make_ready

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Wednesday in June, 21:00 local.
AT = datetime(2026, 6, 10, 21, 0, tzinfo=LONDON)


def shift(network, person, *, start=time(20, 0), hours=12, rrule="FREQ=DAILY", on=date(2026, 6, 1)):
    return actions.do_create_shift(
        network=network,
        person=person,
        start_date=on,
        start_time=start,
        duration=timedelta(hours=hours),
        rrule=rrule,
        actor=person,
    )


def membership_of(person, network):
    return Membership.objects.select_related("network", "person").get(
        person=person, network=network, left_at__isnull=True
    )


def state_of(person, network, at=AT):
    return on_call_state(membership=membership_of(person, network), at=at)


def test_on_a_shift_i_am_on_call_by_the_rota_until_it_ends(network, member):
    make_ready(member, network)
    shift(network, member)
    membership = membership_of(member, network)
    with CaptureQueriesContext(connection) as queries:
        state = on_call_state(membership=membership, at=AT)
    assert (state.on_call, state.because, state.off_because) == (True, "rota", None)
    assert state.until == datetime(2026, 6, 11, 8, 0, tzinfo=LONDON)
    assert len(queries) <= 3


def test_until_follows_back_to_back_shifts_and_available_until_to_the_first_break(network, member):
    make_ready(member, network)
    shift(network, member, rrule="")  # 1 June only: long gone by AT
    shift(network, member, start=time(20, 0), hours=4, rrule="", on=date(2026, 6, 10))
    shift(network, member, start=time(0, 0), hours=3, rrule="", on=date(2026, 6, 11))
    shift(network, member, start=time(9, 0), hours=3, rrule="", on=date(2026, 6, 11))  # after a break
    assert state_of(member, network).until == datetime(2026, 6, 11, 3, 0, tzinfo=LONDON)
    actions.do_set_availability(
        membership=membership_of(member, network),
        state="available",
        until=datetime(2026, 6, 11, 10, 0, tzinfo=LONDON),
        now=AT - timedelta(hours=2),
    )
    # Available from 19:00 to 10:00 bridges the break and joins the 09:00 shift.
    assert state_of(member, network).until == datetime(2026, 6, 11, 12, 0, tzinfo=LONDON)
    assert state_of(member, network).because == "rota"
    assert state_of(member, network, at=AT - timedelta(minutes=90)).because == "available"


def test_quiet_hours_cut_being_on_call_short(network, member):
    make_ready(member, network)
    shift(network, member)
    actions.do_update_my_membership(
        membership=membership_of(member, network), quiet_hours_start=time(23, 0), quiet_hours_end=time(6, 0)
    )
    assert state_of(member, network).until == datetime(2026, 6, 10, 23, 0, tzinfo=LONDON)
    quiet = state_of(member, network, at=AT.replace(hour=23, minute=30))
    assert (quiet.on_call, quiet.until, quiet.off_because) == (False, None, "quiet_hours")
    assert state_of(member, network, at=AT + timedelta(hours=9)).until == datetime(
        2026, 6, 11, 8, 0, tzinfo=LONDON
    )


def test_each_reason_for_not_being_on_call_is_told(network, member, peer):
    make_ready(peer, network)
    assert state_of(member, network).off_because == "not_ready"
    assert state_of(peer, network).off_because == "not_on_call"
    shift(network, peer)
    actions.do_update_my_membership(membership=membership_of(peer, network), max_alerts_per_shift=1)
    actions.do_record_alert_offer(person=peer, network=network, at=AT - timedelta(minutes=10))
    assert state_of(peer, network).off_because == "alert_cap"
    actions.do_set_availability(
        membership=membership_of(peer, network), state="unavailable", until=AT + timedelta(hours=1), now=AT
    )
    assert state_of(peer, network).off_because == "unavailable"


def test_my_state_agrees_with_who_would_be_offered_an_alert_hour_by_hour(network, member, peer):
    """One rule: on_call_state says "on call" exactly when on_call_candidates lists me."""
    for person in (member, peer):
        make_ready(person, network)
    shift(network, member)
    shift(network, peer, start=time(8, 0), rrule="FREQ=WEEKLY;BYDAY=WE,TH")
    actions.do_update_my_membership(
        membership=membership_of(member, network), quiet_hours_start=time(2, 0), quiet_hours_end=time(4, 0)
    )
    actions.do_update_my_membership(membership=membership_of(peer, network), max_alerts_per_shift=1)
    actions.do_record_alert_offer(person=peer, network=network, at=datetime(2026, 6, 11, 9, 0, tzinfo=LONDON))
    actions.do_set_availability(
        membership=membership_of(member, network),
        state="unavailable",
        until=datetime(2026, 6, 11, 22, 0, tzinfo=LONDON),
        now=datetime(2026, 6, 11, 21, 0, tzinfo=LONDON),
    )
    seen = set()
    for hour in range(48):
        at = AT + timedelta(hours=hour)
        offered = set(on_call_candidates(network=network, at=at))
        for person in (member, peer):
            state = state_of(person, network, at=at)
            assert state.on_call == (person in offered), (person, at, state)
            seen.add(state.off_because)
    assert seen == {None, "not_on_call", "quiet_hours", "alert_cap", "unavailable"}


def test_the_api_tells_a_ready_member_they_are_on_call_and_until_when(api, network, member):
    make_ready(member, network)
    client = api(member)
    url = f"/api/v1/networks/{network.pk}/me/"
    mine = client.get(url).json()
    assert (mine["on_call_now"], mine["on_call_because"], mine["on_call_until"]) == (False, None, None)
    assert mine["off_call_because"] == "not_on_call"

    until = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    available = client.post(
        url + "availability/", {"state": "available", "until": until.isoformat()}, format="json"
    ).json()
    assert (available["on_call_now"], available["on_call_because"]) == (True, "available")
    assert datetime.fromisoformat(available["on_call_until"]) == until
    assert client.get(url).json()["on_call_now"] is True

    cant = client.post(
        url + "availability/", {"state": "unavailable", "until": until.isoformat()}, format="json"
    ).json()
    assert (cant["on_call_now"], cant["on_call_until"], cant["off_call_because"]) == (
        False,
        None,
        "unavailable",
    )


def test_quiet_hours_saved_now_take_me_off_call_at_once(api, network, member):
    make_ready(member, network)
    client = api(member)
    url = f"/api/v1/networks/{network.pk}/me/"
    until = timezone.now() + timedelta(hours=3)
    client.post(url + "availability/", {"state": "available", "until": until.isoformat()}, format="json")
    local = timezone.now().astimezone(network.tzinfo)
    quiet = {
        "quiet_hours_start": (local - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_hours_end": (local + timedelta(hours=1)).strftime("%H:%M"),
    }
    saved = client.patch(url, quiet, format="json").json()
    assert (saved["on_call_now"], saved["off_call_because"]) == (False, "quiet_hours")
    assert saved["quiet_hours_start"].startswith(quiet["quiet_hours_start"])


@pytest.mark.parametrize("who", ["navigator", "staff"])
def test_navigators_and_facilitators_not_marked_ready_are_told_so(api, network, who, request):
    person = request.getfixturevalue(who)
    mine = api(person).get(f"/api/v1/networks/{network.pk}/me/").json()
    assert (mine["on_call_now"], mine["off_call_because"]) == (False, "not_ready")


def test_another_networks_id_is_404_and_anonymous_is_401(api, network, member, outsider):
    make_ready(member, network)
    url = f"/api/v1/networks/{network.pk}/me/"
    assert api(outsider).get(url).status_code == 404
    assert (
        api(outsider)
        .post(url + "availability/", {"state": "unavailable", "until": "2099-01-01T00:00:00Z"}, format="json")
        .status_code
        == 404
    )
    assert api(None).get(url).status_code == 401


def test_the_openapi_schema_describes_the_on_call_fields():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["MyMembershipOut"]["properties"]
    assert fields["on_call_now"]["type"] == "boolean"
    assert fields["on_call_until"]["format"] == "date-time"
    assert fields["on_call_until"]["nullable"]
    enums = {
        name: schema["components"]["schemas"][fields[name]["oneOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"]
        for name in ("on_call_because", "off_call_because")
    }
    assert enums == {
        "on_call_because": ["rota", "available"],
        "off_call_because": ["not_ready", "not_on_call", "unavailable", "quiet_hours", "alert_cap"],
    }
    assert all(fields[name]["nullable"] and fields[name]["description"] for name in enums)
