"""``on_call_candidates``: the one answer to "who can be offered an alert in N at T"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network import actions
from network.actions.rota import do_accept_swap_request, do_ask_for_cover
from network.models import AlertOffer, Membership
from network.selectors import on_call_candidates
from tests import factories
from tests.factories import NetworkFactory, PersonFactory, add_member, make_ready

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Wednesday in June, 21:00 local.
AT = datetime(2026, 6, 10, 21, 0, tzinfo=LONDON)


def nightly_shift(network, person, actor=None, rrule="FREQ=DAILY"):
    return factories.nightly_shift(
        network, person, actor=actor or person, start_date=date(2026, 6, 1), rrule=rrule
    )


def test_people_on_a_shift_now_are_candidates_and_others_are_not(network, member, peer):
    make_ready(member, network)
    make_ready(peer, network)
    nightly_shift(network, member)
    assert on_call_candidates(network=network, at=AT) == [member]
    assert on_call_candidates(network=network, at=AT.replace(hour=12)) == []


def test_a_member_not_marked_ready_is_never_a_candidate(network, member):
    make_ready(member, network)
    nightly_shift(network, member)
    actions.do_set_readiness(
        membership=Membership.objects.get(person=member), actor=PersonFactory(), ready=False
    )
    assert on_call_candidates(network=network, at=AT) == []


def test_available_now_until_makes_someone_a_candidate_until_then(network, member):
    make_ready(member, network)
    membership = Membership.objects.get(person=member)
    actions.do_set_availability(
        membership=membership, state="available", until=AT + timedelta(hours=1), now=AT
    )
    assert on_call_candidates(network=network, at=AT + timedelta(minutes=30)) == [member]
    assert on_call_candidates(network=network, at=AT + timedelta(hours=2)) == []


def test_i_cant_right_now_takes_someone_off_their_shift(network, member, peer):
    for person in (member, peer):
        make_ready(person, network)
        nightly_shift(network, person)
    actions.do_set_availability(
        membership=Membership.objects.get(person=member),
        state="unavailable",
        until=AT + timedelta(hours=1),
        now=AT,
    )
    assert on_call_candidates(network=network, at=AT) == [peer]
    assert set(on_call_candidates(network=network, at=AT + timedelta(hours=2))) == {member, peer}


def test_quiet_hours_wrapping_midnight_exclude_a_peer(network, member):
    make_ready(member, network)
    nightly_shift(network, member)
    actions.do_update_my_membership(
        membership=Membership.objects.get(person=member),
        quiet_hours_start=time(23, 0),
        quiet_hours_end=time(6, 0),
    )
    assert on_call_candidates(network=network, at=AT) == [member]
    assert on_call_candidates(network=network, at=AT.replace(hour=23, minute=30)) == []
    assert on_call_candidates(network=network, at=AT + timedelta(hours=8)) == []  # 05:00
    assert on_call_candidates(network=network, at=AT + timedelta(hours=10)) == [member]  # 07:00


def test_least_recently_offered_comes_first(network):
    amara, ben, chioma = (add_member(network, name, ready=True) for name in ("Amara", "Ben", "Chioma"))
    for person in (amara, ben, chioma):
        nightly_shift(network, person)
    actions.do_record_alert_offer(person=amara, network=network, at=AT - timedelta(minutes=30))
    actions.do_record_alert_offer(person=ben, network=network, at=AT - timedelta(minutes=50))
    # Chioma was never offered one: she comes first; then Ben (offered longer ago), then Amara.
    assert on_call_candidates(network=network, at=AT) == [chioma, ben, amara]


def test_the_cap_of_alerts_per_shift_excludes_a_peer_until_their_next_shift(network, member, peer):
    for person in (member, peer):
        make_ready(person, network)
        nightly_shift(network, person)
    actions.do_update_my_membership(membership=Membership.objects.get(person=member), max_alerts_per_shift=2)
    for minutes in (10, 20):
        actions.do_record_alert_offer(person=member, network=network, at=AT - timedelta(minutes=minutes))
    assert on_call_candidates(network=network, at=AT) == [peer]
    # Offers from the previous night do not count against tonight's shift.
    assert member in on_call_candidates(network=network, at=AT + timedelta(days=1))


def test_alert_responses_are_recorded_on_the_latest_unanswered_offer(network, member):
    actions.do_record_alert_offer(person=member, network=network, at=AT - timedelta(minutes=5))
    offer = actions.do_record_alert_response(person=member, network=network, at=AT, response="declined")
    assert offer.response == "declined"
    with pytest.raises(LookupError):
        actions.do_record_alert_response(person=member, network=network, at=AT, response="accepted")
    with pytest.raises(ValueError, match="response must be"):
        actions.do_record_alert_response(person=member, network=network, at=AT, response="maybe")
    assert AlertOffer.objects.get().responded_at == AT


def test_a_swap_puts_the_other_peer_on_call_for_that_occurrence_only(network, member, peer, navigator):
    make_ready(member, network)
    make_ready(peer, network)
    shift = nightly_shift(network, member, actor=navigator)
    occurrence = AT.replace(hour=20)
    asked = do_ask_for_cover(shift=shift, occurrence_start=occurrence, asked=peer, actor=member)
    assert on_call_candidates(network=network, at=AT) == [member]
    do_accept_swap_request(request=asked)
    assert on_call_candidates(network=network, at=AT) == [peer]
    assert on_call_candidates(network=network, at=AT + timedelta(days=1)) == [member]


def test_a_cancelled_occurrence_leaves_nobody_on_call_then(network, member, navigator):
    make_ready(member, network)
    shift = nightly_shift(network, member, actor=navigator)
    actions.do_cancel_occurrence(shift=shift, occurrence_start=AT.replace(hour=20), actor=navigator)
    assert on_call_candidates(network=network, at=AT) == []
    assert on_call_candidates(network=network, at=AT + timedelta(days=1)) == [member]


def test_a_one_off_override_shift_covers_only_its_own_time(network, member):
    make_ready(member, network)
    actions.do_create_shift(
        network=network,
        person=member,
        start_date=date(2026, 6, 10),
        start_time=time(20, 30),
        duration=timedelta(hours=2),
        actor=member,
    )
    assert on_call_candidates(network=network, at=AT) == [member]
    assert on_call_candidates(network=network, at=AT + timedelta(days=7)) == []


def test_people_who_left_are_not_candidates(network, member):
    make_ready(member, network)
    nightly_shift(network, member)
    actions.do_leave_network(membership=Membership.objects.get(person=member))
    assert on_call_candidates(network=network, at=AT) == []


def test_other_networks_shifts_do_not_count(network, other_network, member):
    make_ready(member, network)
    nightly_shift(network, member)
    assert on_call_candidates(network=other_network, at=AT) == []


def _network_of(size: int, slug: str):
    network = NetworkFactory(slug=slug)
    for index in range(size):
        person = add_member(network, f"Peer {index}", ready=True)
        nightly_shift(network, person)
        actions.do_record_alert_offer(person=person, network=network, at=AT - timedelta(minutes=index + 1))
        if index % 3 == 0:
            actions.do_set_availability(
                membership=Membership.objects.get(person=person, network=network),
                state="unavailable",
                until=AT + timedelta(hours=1),
                now=AT - timedelta(hours=1),
            )
    return network


def test_the_answer_takes_the_same_few_queries_whatever_the_network_size():
    small, large = _network_of(2, "small"), _network_of(25, "large")
    counts = []
    for network, expected in ((small, 1), (large, 16)):
        with CaptureQueriesContext(connection) as queries:
            found = on_call_candidates(network=network, at=AT)
        assert len(found) == expected
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4


def test_available_members_widen_to_ready_people_off_shift_but_respect_their_choices(network, member, peer):
    amara_off_shift, ben_on_shift = member, peer
    make_ready(amara_off_shift, network)
    make_ready(ben_on_shift, network)
    nightly_shift(network, ben_on_shift)
    not_ready = add_member(network, "Not ready")
    resting = add_member(network, "Resting", ready=True)
    actions.do_set_availability(
        membership=Membership.objects.get(person=resting),
        state="unavailable",
        until=AT + timedelta(hours=1),
        now=AT,
    )
    found = selectors_available(network)
    assert set(found) == {amara_off_shift, ben_on_shift}
    assert not_ready not in found


def selectors_available(network):
    from network.selectors import available_members

    with CaptureQueriesContext(connection) as queries:
        found = available_members(network=network, at=AT)
    assert len(queries) <= 4
    return found
