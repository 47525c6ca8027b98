"""How the network is doing (issue 16): the report's figures against alerts
with known times, small-number suppression (and that a suppressed count
cannot be worked out from the others, nor from a quarter and its other
months), the fixed periods, its bounded queries, and who may read
GET /networks/{id}/report/ and report.csv.

The alerts are placed in the last full month before today, so the API's
default period is theirs whatever day the tests run."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging.models import Alert, AlertDebrief, FollowUp, Offer
from messaging.selectors.report import (
    _alert_counts,
    _average_reveals,
    _pulse_counts,
    _suppressed,
    choosable_periods,
    gini,
    month_of,
    network_report,
    parse_period,
    quarter_of,
)
from network.models import Membership
from tests.factories import add_member, nightly_shift

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = timezone.now().astimezone(LONDON).date()
LAST_MONTH = month_of(TODAY.replace(day=1) - timedelta(days=1))
MONTH = f"period={LAST_MONTH.key}"
# The 10th of last month, 08:00 in London: alerts i hours later stay that day.
BASE = datetime.combine(LAST_MONTH.start + timedelta(days=9), time(8), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _network_of_long_standing(network):
    """The network has existed for two years, so every period is choosable."""
    network.created_at = timezone.now() - timedelta(days=800)
    network.save(update_fields=["created_at"])


def _alert(network, member, i: int, **fields) -> Alert:
    return Alert.objects.create(
        member=member,
        network=network,
        client_key=f"k{i}-{network.pk}",
        request_fingerprint="x",
        policy={},
        raised_at=BASE + timedelta(hours=i),
        **fields,
    )


def _offer(alert, person, network, *, after: int, state=Offer.State.DECLINED, kind=Offer.Kind.PEER) -> Offer:
    at = alert.raised_at + timedelta(seconds=after)
    return Offer.objects.create(
        alert=alert,
        person=person,
        network=network,
        kind=kind,
        step=1,
        state=state,
        offered_at=at,
        notified_at=at,
    )


@pytest.fixture
def june(network, member, navigator, staff):
    """Twelve alerts raised on the 10th of last month, an hour apart (i = 1..12):
    first offered (to Bea) 10*i seconds after; 1-5 taken by Bea, 6-8 by Cleo
    (peers), 9-10 by Nadia (navigator), 11 by Fiona (facilitator), 60*i
    seconds after; 12 cancelled. First contact 100*i seconds after, for 1-10.
    Debriefs: 1-6 avoided, 7-8 needed (7 also "avoided" from the member).
    Follow-ups done for 1-3 (4's not yet). Bea is on call three 12-hour nights."""
    bea = add_member(network, "Bea", ready=True)
    cleo = add_member(network, "Cleo")
    takers = {
        **dict.fromkeys(range(1, 6), bea),
        6: cleo,
        7: cleo,
        8: cleo,
        9: navigator,
        10: navigator,
        11: staff,
    }
    for i in range(1, 13):
        taker = takers.get(i)
        raised = BASE + timedelta(hours=i)
        alert = _alert(
            network,
            member,
            i,
            state=Alert.State.RESOLVED if taker else Alert.State.CANCELLED,
            taken_by=taker,
            taken_at=raised + timedelta(seconds=60 * i) if taker else None,
            first_contact_at=raised + timedelta(seconds=100 * i) if i <= 10 else None,
            closed_at=raised + timedelta(hours=1),
        )
        _offer(
            alert,
            bea,
            network,
            after=10 * i,
            state=Offer.State.ACCEPTED if taker == bea else Offer.State.WITHDRAWN,
        )
        if i >= 6:
            _offer(
                alert,
                cleo,
                network,
                after=10 * i + 5,
                state=Offer.State.ACCEPTED if taker == cleo else Offer.State.DECLINED,
            )
        if taker in (navigator, staff):
            _offer(alert, taker, network, after=10 * i + 9, state=Offer.State.ACCEPTED, kind=Offer.Kind.STAFF)
        if i <= 8:
            outcome = AlertDebrief.Outcome.AVOIDED if i <= 6 else AlertDebrief.Outcome.NEEDED
            AlertDebrief.objects.create(alert=alert, author=taker, emergency_services=outcome)
        if i == 7:
            AlertDebrief.objects.create(
                alert=alert, author=member, emergency_services=AlertDebrief.Outcome.AVOIDED
            )
        if i <= 4:
            FollowUp.objects.create(
                alert=alert,
                member=member,
                check_in_by=taker,
                due_at=raised + timedelta(days=1),
                prompted_at=raised + timedelta(days=1) if i <= 3 else None,
            )
    nightly_shift(
        network, bea, actor=staff, start_date=LAST_MONTH.start + timedelta(days=4), rrule="FREQ=DAILY;COUNT=3"
    )
    return {"bea": bea, "cleo": cleo}


def report(api, person, network, query=MONTH, suffix="/"):
    return api(person).get(f"/api/v1/networks/{network.pk}/report{suffix}?{query}")


def test_the_figures_match_the_alerts_known_times(api, network, navigator, june, settings):
    settings.REPORT_SUPPRESS_BELOW = 1
    body = report(api, navigator, network).json()
    assert body["alerts_raised"] == {"value": 12, "suppressed": False, "text": "12"}
    assert body["cancelled"]["value"] == 1
    assert {k: v["value"] for k, v in body["taken_by"].items()} == {
        "peer": 8,
        "navigator": 2,
        "staff": 1,
        "not_taken": 1,
    }
    assert body["shares"] == {
        "peer": round(8 / 12, 3),
        "navigator": round(2 / 12, 3),
        "staff": round(1 / 12, 3),
    }
    # Linear interpolation between the closest ranks ("inclusive" quantiles).
    assert body["to_first_offer"] == {"p50_seconds": 65.0, "p90_seconds": 109.0}  # 10..120
    assert body["to_taken"] == {"p50_seconds": 360.0, "p90_seconds": 600.0}  # 60..660
    assert body["to_first_contact"] == {"p50_seconds": 550.0, "p90_seconds": 910.0}  # 100..1000
    assert {k: v["value"] for k, v in body["outcomes"].items()} == {
        "avoided": 6,
        "needed": 2,
        "none_recorded": 4,
    }
    assert body["follow_ups_done"]["value"] == 3
    # Bea is on call for 36 of the month's hours.
    month_hours = (
        datetime.combine(LAST_MONTH.end, time.min, tzinfo=LONDON)
        - datetime.combine(LAST_MONTH.start, time.min, tzinfo=LONDON)
    ).total_seconds() / 3600
    assert body["gap_hours"] == month_hours - 36
    assert body["period"] == {
        "key": LAST_MONTH.key,
        "label": LAST_MONTH.label,
        "start": LAST_MONTH.start.isoformat(),
        "end": (LAST_MONTH.end - timedelta(days=1)).isoformat(),
        "in_progress": False,
    }
    loads = {p["display_name"]: (p["offers"], p["takes"], p["on_call_hours"]) for p in body["peers"]}
    assert loads == {"Bea": (12, 5, 36.0), "Cleo": (7, 3, 0.0), "Nadia": (2, 2, 0.0), "Fiona": (1, 1, 0.0)}
    assert body["load_evenness_gini"] == gini([5, 3, 2, 1]) == 0.295
    # Outside the period: nothing.
    empty = report(api, navigator, network, f"period={month_of(TODAY).key}").json()
    assert empty["alerts_raised"]["value"] is None
    assert empty["to_taken"]["p50_seconds"] is None


def test_gini_is_zero_when_even_and_grows_with_unevenness():
    assert gini([3, 3, 3]) == 0.0
    assert gini([0, 0, 9]) == round(2 / 3, 3)
    assert gini([]) is None
    assert gini([0, 0]) is None


def test_with_the_default_threshold_small_counts_read_fewer_than_5(api, network, navigator, june):
    body = report(api, navigator, network).json()
    assert body["suppress_below"] == 5
    assert body["alerts_raised"]["value"] == 12
    assert body["cancelled"] == {"value": None, "suppressed": True, "text": "fewer than 5"}
    taken = body["taken_by"]
    assert taken["peer"]["value"] == 8
    assert all(taken[k]["suppressed"] for k in ("navigator", "staff", "not_taken"))
    assert body["shares"] == {"peer": round(8 / 12, 3), "navigator": None, "staff": None}
    assert body["outcomes"]["avoided"]["value"] == 6
    assert body["outcomes"]["needed"]["suppressed"]
    assert body["outcomes"]["none_recorded"]["suppressed"]
    assert body["follow_ups_done"]["suppressed"]
    assert body["to_first_offer"]["p50_seconds"] == 65.0


def test_a_network_with_three_alerts_shows_fewer_than_5_everywhere(api, network, member, navigator, staff):
    for i in range(1, 4):
        raised = BASE + timedelta(hours=i)
        alert = _alert(
            network,
            member,
            i,
            state=Alert.State.RESOLVED,
            taken_by=staff,
            taken_at=raised + timedelta(seconds=30),
            first_contact_at=raised + timedelta(seconds=60),
        )
        _offer(alert, staff, network, after=5, state=Offer.State.ACCEPTED, kind=Offer.Kind.STAFF)
        AlertDebrief.objects.create(alert=alert, author=staff, emergency_services="needed")
    for person in (member, navigator):
        body = report(api, person, network).json()
        counts = [body["alerts_raised"], body["cancelled"], body["follow_ups_done"]]
        counts += list(body["taken_by"].values()) + list(body["outcomes"].values())
        assert all(c == {"value": None, "suppressed": True, "text": "fewer than 5"} for c in counts)
        assert set(body["shares"].values()) == {None}
        for name in ("to_first_offer", "to_taken", "to_first_contact"):
            assert body[name] == {"p50_seconds": None, "p90_seconds": None}
        assert body["load_evenness_gini"] is None
    rows = dict(csv.reader(io.StringIO(report(api, navigator, network, suffix=".csv").content.decode())))
    assert rows["alerts_raised"] == rows["taken_by_staff"] == rows["outcome_needed"] == "fewer than 5"
    assert "3" not in {rows[k] for k in rows if k.startswith(("taken_by", "outcome", "alerts"))}


def test_a_suppressed_count_cannot_be_worked_out_from_the_total_and_the_rest(
    api, network, member, navigator, staff
):
    """18 alerts: 6 taken by peers, 5 by navigators, 2 by staff, 5 not taken.
    Only "staff" is under 5; total minus the shown parts would give it back,
    so the next smallest is suppressed with it."""
    peer = add_member(network, "Bea")
    takers = [peer] * 6 + [navigator] * 5 + [staff] * 2 + [None] * 5
    for i, taker in enumerate(takers, start=1):
        _alert(
            network,
            member,
            i,
            state=Alert.State.RESOLVED if taker else Alert.State.CANCELLED,
            taken_by=taker,
            taken_at=BASE + timedelta(hours=i, seconds=30) if taker else None,
        )
    body = report(api, navigator, network).json()
    total = body["alerts_raised"]["value"]
    assert total == 18
    taken = body["taken_by"]
    assert taken["staff"]["suppressed"]
    hidden = [name for name, cell in taken.items() if cell["suppressed"]]
    assert len(hidden) >= 2
    # The attempt: total minus every shown part is what the hidden cells share.
    left = total - sum(cell["value"] for cell in taken.values() if not cell["suppressed"])
    assert left != 2  # the staff count is not recovered...
    assert left == 7
    assert sorted(hidden) == ["navigator", "staff"]
    # Nor through the shares.
    assert body["shares"]["staff"] is None
    assert body["shares"]["navigator"] is None
    recovered = round(total * sum(s for s in body["shares"].values() if s is not None))
    assert total - recovered - (taken["not_taken"]["value"] or 0) != 2


def test_members_see_the_figures_but_nobodys_load(api, network, member, june):
    response = report(api, member, network)
    assert response.status_code == 200
    body = response.json()
    assert body["peers"] is None
    assert body["load_evenness_gini"] == 0.295
    assert body["alerts_raised"]["value"] == 12
    for name in ("Bea", "Cleo", "Nadia", "Fiona"):
        assert name not in response.content.decode()
    rows = report(api, member, network, suffix=".csv").content.decode()
    assert "Bea" not in rows
    assert "load_evenness_gini,0.295" in rows


def test_facilitators_get_the_per_person_rows_and_the_csv(api, network, staff, june):
    body = report(api, staff, network).json()
    assert {p["display_name"] for p in body["peers"]} == {"Bea", "Cleo", "Nadia", "Fiona"}
    response = report(api, staff, network, suffix=".csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = dict(csv.reader(io.StringIO(response.content.decode())))
    assert rows["alerts_raised"] == "12"
    assert rows["cancelled"] == "fewer than 5"
    assert rows["to_taken_p50_seconds"] == "360.0"
    assert rows[f"peer Bea (id {june['bea'].pk})"] == "offers 12; takes 5; on call 36.0 h"


def test_other_networks_people_get_404_and_the_anonymous_401(api, network, outsider, outside_navigator, june):
    for person in (outsider, outside_navigator):
        assert report(api, person, network).status_code == 404
        assert report(api, person, network, suffix=".csv").status_code == 404
    assert report(api, None, network).status_code == 401
    # Someone who left is no longer in it.
    cleo = june["cleo"]
    Membership.objects.filter(person=cleo, network=network).update(left_at=BASE)
    assert report(api, cleo, network).status_code == 404


def _months_back(n: int):
    day = TODAY
    for _ in range(n):
        day = day.replace(day=1) - timedelta(days=1)
    return month_of(day)


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("period=2026-13", "A period is a month"),
        ("period=2026-Q5", "A period is a month"),
        ("period=yesterday", "A period is a month"),
        ("period=", "A period is a month"),
        (f"period={month_of(TODAY.replace(day=28) + timedelta(days=7)).key}", "not started yet"),
        (f"period={_months_back(12).key}", "the last 12 months or 4 quarters"),
        (f"period={quarter_of(quarter_of(TODAY).start - timedelta(days=370)).key}", "4 quarters"),
        ("period=1999-01", "did not exist yet"),
    ],
)
def test_a_period_that_is_not_on_offer_is_a_400_problem(api, network, navigator, query, why):
    for suffix in ("/", ".csv"):
        response = report(api, navigator, network, query, suffix)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["type"] == "about:blank#validation_error"
        assert body["errors"][0]["field"] == "period"
        assert why in body["errors"][0]["detail"]


def test_the_default_is_the_last_full_month_and_the_choice_is_12_months_and_4_quarters(
    api, network, navigator
):
    body = report(api, navigator, network, "").json()
    assert body["period"]["key"] == LAST_MONTH.key
    assert body["period"]["start"] == LAST_MONTH.start.isoformat()
    keys = [p["key"] for p in body["periods"]]
    months = [k for k in keys if "Q" not in k]
    quarters = [k for k in keys if "Q" in k]
    assert months == [_months_back(n).key for n in range(12)]
    this_quarter = quarter_of(TODAY)
    assert quarters[0] == this_quarter.key
    assert len(quarters) == 4
    # Newest first: by the day each ends, a month before the quarter it ends.
    ends = [parse_period(k).end for k in keys]
    assert ends == sorted(ends, reverse=True)
    for key in quarters:
        last_month = month_of(parse_period(key).end - timedelta(days=1)).key
        if last_month in keys:  # the current quarter's may be still to come
            assert keys.index(last_month) + 1 == keys.index(key)
    assert {"key": LAST_MONTH.key, "label": LAST_MONTH.label} in body["periods"]
    # Every period on offer answers.
    for key in keys:
        assert report(api, navigator, network, f"period={key}").status_code == 200


def test_a_network_from_this_month_offers_only_the_periods_it_existed_in(api, network, navigator):
    network.created_at = timezone.now()
    network.save(update_fields=["created_at"])
    body = report(api, navigator, network, "").json()
    assert body["period"]["key"] == month_of(TODAY).key
    assert body["period"]["in_progress"] is True
    assert [p["key"] for p in body["periods"]] == [month_of(TODAY).key, quarter_of(TODAY).key]
    assert report(api, navigator, network).status_code == 400  # last month: before it existed


def test_dates_of_the_readers_choosing_are_gone(api, network, navigator, june):
    """The first version took any start and end: two overlapping ranges,
    subtracted, gave one alert. Those parameters now change nothing."""
    plain = report(api, navigator, network, "").json()
    start = BASE.date().isoformat()
    for query in (f"start={start}&end={start}", f"start={start}", f"end={start}"):
        assert report(api, navigator, network, query).json() == plain


def test_a_running_period_counts_to_the_start_of_today(network, member, staff):
    """Alerts raised today are left for tomorrow, so a report moves at most once a day."""
    now = datetime(2026, 11, 18, 15, 0, tzinfo=LONDON)
    for i, raised in enumerate(
        [now - timedelta(days=d) for d in (1, 2, 3, 4, 5, 6)] + [now - timedelta(hours=1)], start=1
    ):
        alert = _alert(network, member, i, state=Alert.State.CANCELLED)
        alert.raised_at = raised
        alert.save(update_fields=["raised_at"])
    november = network_report(network=network, period=parse_period("2026-11"), now=now)
    assert november.in_progress
    assert november.alerts_raised.value == 6
    assert november.counted_to == datetime(2026, 11, 18, tzinfo=LONDON)
    october = network_report(network=network, period=parse_period("2026-10"), now=now)
    assert not october.in_progress
    assert october.alerts_raised.suppressed


def _many(network, member, peer, n: int) -> None:
    for i in range(Alert.objects.count(), Alert.objects.count() + n):
        alert = _alert(
            network,
            member,
            1000 + i,
            state=Alert.State.RESOLVED,
            taken_by=peer,
            taken_at=BASE + timedelta(minutes=i, seconds=40),
            first_contact_at=BASE + timedelta(minutes=i, seconds=90),
        )
        alert.raised_at = BASE + timedelta(minutes=i)
        alert.save(update_fields=["raised_at"])
        _offer(alert, peer, network, after=5, state=Offer.State.ACCEPTED)
        AlertDebrief.objects.create(alert=alert, author=peer, emergency_services="avoided")
        FollowUp.objects.create(alert=alert, member=member, check_in_by=peer, due_at=BASE, prompted_at=BASE)


def test_the_queries_do_not_grow_with_the_alerts(network, member, staff, django_assert_max_num_queries):
    peer = add_member(network, "Bea", ready=True)
    nightly_shift(
        network,
        peer,
        actor=staff,
        start_date=LAST_MONTH.start + timedelta(days=4),
        rrule="FREQ=DAILY;COUNT=3",
    )
    counts = []
    for n in (10, 50):  # 10, then 60
        _many(network, member, peer, n)
        with CaptureQueriesContext(connection) as queries:
            figures = network_report(network=network, period=LAST_MONTH, include_people=True)
        counts.append(len(queries))
        assert figures.alerts_raised.value == sum((10, 50)[: len(counts)])
    assert counts[0] == counts[1]
    quarter = quarter_of(LAST_MONTH.start)
    with django_assert_max_num_queries(11):
        network_report(network=network, period=LAST_MONTH, include_people=True)
    with django_assert_max_num_queries(11):
        network_report(network=network, period=quarter, include_people=True)


def test_a_taker_from_outside_the_network_is_a_peer_or_the_services_staff(
    network, member, outsider, settings
):
    """An alert routed to all the member's networks can be taken by a peer of
    another one; the service's on-duty staff belong to no network."""
    settings.REPORT_SUPPRESS_BELOW = 1
    on_duty = add_member(network, "Sam")
    Membership.objects.filter(person=on_duty).delete()
    on_duty.is_staff = True
    on_duty.save(update_fields=["is_staff"])
    for i, taker in enumerate((outsider, on_duty, on_duty), start=1):
        _alert(
            network,
            member,
            i,
            state=Alert.State.RESOLVED,
            taken_by=taker,
            taken_at=BASE + timedelta(hours=i, seconds=30),
        )
    figures = network_report(network=network, period=LAST_MONTH)
    assert {name: cell.value for name, cell in figures.taken_by.items()} == {
        "peer": 1,
        "navigator": None,
        "staff": 2,
        "not_taken": None,
    }


LAST_QUARTER = quarter_of(quarter_of(TODAY).start - timedelta(days=1))


def _raise_in(network, member, peer, month, *, taken: int, cancelled: int) -> None:
    """In ``month``: ``taken`` alerts taken by ``peer``, ``cancelled`` cancelled."""
    for i in range(taken + cancelled):
        raised = datetime.combine(month.start + timedelta(days=i // 4), time(9 + i % 4), tzinfo=LONDON)
        alert = _alert(
            network,
            member,
            i,
            state=Alert.State.RESOLVED if i < taken else Alert.State.CANCELLED,
            taken_by=peer if i < taken else None,
            taken_at=raised + timedelta(minutes=2) if i < taken else None,
        )
        alert.client_key = f"{month.key}-{i}"
        alert.raised_at = raised
        alert.save(update_fields=["client_key", "raised_at"])


def _answer_in(network, month, people, scales):
    from messaging.actions.pulse import do_answer_pulse

    at = datetime.combine(month.start + timedelta(days=3), time(12), tzinfo=LONDON)
    for person, scale in zip(people, scales, strict=False):
        do_answer_pulse(network=network, person=person, scale=scale, words=f"words of {person.pk}", now=at)


def test_a_quarter_minus_two_of_its_months_does_not_give_the_third_back(
    api, network, member, navigator, staff
):
    """The attack: ask for a quarter and two of its months, subtract. Every
    number a month hid must stay hidden; a quarter shows only sums of
    numbers its months already show."""
    from messaging.actions.pulse import do_set_pulse_question

    m1, m2, m3 = LAST_QUARTER.months
    bea = add_member(network, "Bea")
    _raise_in(network, member, bea, m1, taken=5, cancelled=2)  # 2 cancelled: hidden in m1
    _raise_in(network, member, bea, m2, taken=2, cancelled=6)
    _raise_in(network, member, bea, m3, taken=2, cancelled=7)
    do_set_pulse_question(
        network=network, actor=staff, text="How has it been?", low_label="Hard", high_label="Good"
    )
    people = [add_member(network, f"P{i}") for i in range(6)]
    _answer_in(network, m1, people, [4, 4, 5])  # 3 answered: hidden in m1
    _answer_in(network, m2, people, [3, 4, 4, 5, 5, 2])
    _answer_in(network, m3, people, [4, 4, 4, 5, 5, 1])

    quarter = report(api, navigator, network, f"period={LAST_QUARTER.key}").json()
    months = [report(api, navigator, network, f"period={m.key}").json() for m in (m1, m2, m3)]

    def figures(body):
        cells = {"alerts_raised": body["alerts_raised"], "cancelled": body["cancelled"]}
        cells |= {f"taken_by.{k}": v for k, v in body["taken_by"].items()}
        cells |= {f"outcomes.{k}": v for k, v in body["outcomes"].items()}
        cells["pulse.answered"] = body["pulse"]["answered"]
        cells["pulse.written"] = body["pulse"]["written"]
        cells |= {f"pulse.scale.{p['value']}": p["count"] for p in body["pulse"]["scale"]}
        return cells

    q, per_month = figures(quarter), [figures(body) for body in months]
    assert months[0]["cancelled"]["suppressed"]
    assert months[0]["pulse"]["answered"]["suppressed"]
    for name, cell in q.items():
        hidden_somewhere = any(month[name]["suppressed"] for month in per_month)
        if hidden_somewhere:
            # The subtraction has nothing to start from.
            assert cell == {"value": None, "suppressed": True, "text": "fewer than 5"}, name
        else:
            # Shown: exactly the sum of what the months show, nothing new.
            assert cell["value"] == sum(month[name]["value"] for month in per_month), name
    assert q["alerts_raised"]["value"] == 24
    assert q["cancelled"]["suppressed"]
    assert q["taken_by.peer"]["suppressed"]  # 2 in m2 and m3
    assert q["taken_by.not_taken"]["suppressed"]  # 2 in m1
    # Nor through a share, the pulse's average or its words.
    assert quarter["shares"]["peer"] is None
    assert quarter["pulse"]["average"] is None
    assert quarter["pulse"]["words"] is None
    assert months[1]["pulse"]["average"] == 3.8
    assert months[2]["pulse"]["average"] == 3.8
    assert len(months[1]["pulse"]["words"]) == 6


def test_a_quarter_shows_what_its_months_all_show_and_timings_over_them_all(api, network, member, navigator):
    """Months of 6, 7 and 8 taken alerts: every count shown everywhere, so the
    quarter shows the sums; the quarter also times alerts of months too
    small to time on their own."""
    m1, m2, m3 = LAST_QUARTER.months
    bea = add_member(network, "Bea")
    for month, n in ((m1, 6), (m2, 7), (m3, 8)):
        _raise_in(network, member, bea, month, taken=n, cancelled=0)
    quarter = report(api, navigator, network, f"period={LAST_QUARTER.key}").json()
    assert quarter["alerts_raised"]["value"] == 21
    assert quarter["taken_by"]["peer"]["value"] == 21
    assert quarter["shares"]["peer"] == 1.0
    assert quarter["to_taken"] == {"p50_seconds": 120.0, "p90_seconds": 120.0}
    assert quarter["period"]["label"] == LAST_QUARTER.label
    assert quarter["period"]["end"] == (LAST_QUARTER.end - timedelta(days=1)).isoformat()


def _scale_counts(points: dict[int, int]):
    answers = [(v, False) for v, n in points.items() for _ in range(n)]
    return _alert_counts([]) | _pulse_counts(answers)


def test_the_pulse_average_is_withheld_when_it_would_pin_a_hidden_point_of_the_scale():
    # Six 5s and four 1s: the average (3.4) says the four hidden answers sum to 4: all 1s.
    counts = _scale_counts({5: 6, 1: 4})
    assert _average_reveals(_suppressed(counts), counts)
    # Six 5s, two 1s and two 3s: the hidden four sum to 8, which 2+2+2+2,
    # 1+2+2+3, 1+1+3+3 and 1+1+2+4 all make: no point is pinned.
    counts = _scale_counts({5: 6, 1: 2, 3: 2})
    assert not _average_reveals(_suppressed(counts), counts)
    # Nothing hidden: nothing to reveal.
    counts = _scale_counts({5: 5, 4: 5, 3: 5, 2: 5, 1: 5})
    assert not _average_reveals(_suppressed(counts), counts)


def test_each_pulse_word_shown_costs_one_key_lookup_and_members_none(network, member, staff, navigator):
    from messaging.actions.pulse import do_set_pulse_question

    do_set_pulse_question(
        network=network, actor=staff, text="How is it?", low_label="Hard", high_label="Good"
    )
    people = [add_member(network, f"P{i}") for i in range(12)]
    _answer_in(network, LAST_MONTH, people[:6], [3, 4, 4, 5, 5, 2])
    with CaptureQueriesContext(connection) as six:
        figures = network_report(network=network, period=LAST_MONTH, include_people=True)
    assert len(figures.pulse.words) == 6
    _answer_in(network, LAST_MONTH, people[6:], [3, 4, 4, 5, 5, 2])
    with CaptureQueriesContext(connection) as twelve:
        figures = network_report(network=network, period=LAST_MONTH, include_people=True)
    assert len(figures.pulse.words) == 12
    assert len(twelve) - len(six) == 6  # one data key per word opened
    with CaptureQueriesContext(connection) as members_view:
        network_report(network=network, period=LAST_MONTH)
    # Members: neither the words' query nor their six key lookups (and, with
    # nobody's load to show here, no names query in either view).
    assert len(members_view) == len(six) - 6 - 1


def test_the_demo_has_a_year_of_history_worth_reading_and_none_of_it_is_the_live_casts():
    from messaging import demo as messaging_demo
    from messaging.models import PulseAnswer
    from network import demo as network_demo

    networks, people = network_demo.load()
    made = messaging_demo.load(networks=networks)
    assert made > 80
    assert messaging_demo.load(networks=networks) == 0  # loading again changes nothing
    sun = networks["croydon-sun"]
    sun.refresh_from_db()
    alerts = Alert.objects.filter(network=sun)
    assert not alerts.filter(raised_at__gte=timezone.now() - timedelta(days=2)).exists()
    assert not alerts.filter(member__in=people.values()).exists()
    assert not Offer.objects.filter(person__in=people.values()).exists()
    assert not FollowUp.objects.filter(check_in_by__in=people.values()).exists()
    assert not PulseAnswer.objects.filter(person__in=people.values()).exists()
    periods = [p for p in choosable_periods(network=sun) if not p.is_quarter]
    assert len(periods) == 12
    reports = [network_report(network=sun, period=p) for p in periods[1:]]
    raised = [r.alerts_raised for r in reports]
    assert any(c.suppressed for c in raised)
    assert sum(not c.suppressed for c in raised) >= 8
    assert any(r.pulse and not r.pulse.answered.suppressed for r in reports)
