"""How the network is doing (issue 16): the report's figures against alerts
with known times, small-number suppression (and that a suppressed count
cannot be worked out from the others), its bounded queries, and who may read
GET /networks/{id}/report/ and report.csv."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.models import Alert, AlertDebrief, FollowUp, Offer
from messaging.selectors.report import gini, network_report
from network.models import Membership
from tests.factories import add_member, nightly_shift

pytestmark = pytest.mark.django_db

JUNE = "start=2026-06-01&end=2026-06-30"
BASE = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


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
    """Twelve alerts raised on 10 June 2026, an hour apart (i = 1..12):
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
    nightly_shift(network, bea, actor=staff, start_date=date(2026, 6, 5), rrule="FREQ=DAILY;COUNT=3")
    return {"bea": bea, "cleo": cleo}


def report(api, person, network, query=JUNE, suffix="/"):
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
    # June has 720 hours; Bea is on call for 36 of them.
    assert body["gap_hours"] == 684.0
    loads = {p["display_name"]: (p["offers"], p["takes"], p["on_call_hours"]) for p in body["peers"]}
    assert loads == {"Bea": (12, 5, 36.0), "Cleo": (7, 3, 0.0), "Nadia": (2, 2, 0.0), "Fiona": (1, 1, 0.0)}
    assert body["load_evenness_gini"] == gini([5, 3, 2, 1]) == 0.295
    # Outside the dates: nothing.
    empty = report(api, navigator, network, "start=2026-07-01&end=2026-07-31").json()
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


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-13-01&end=2026-12-31",
        "start=yesterday",
        "start=2026-06-30&end=2026-06-01",
        "start=2025-01-01&end=2026-01-02",  # 367 days
    ],
)
def test_bad_dates_are_a_400_problem(api, network, navigator, query):
    for suffix in ("/", ".csv"):
        response = report(api, navigator, network, query, suffix)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == "about:blank#validation_error"


def test_the_default_is_the_last_90_days_and_a_year_is_allowed(api, network, navigator):
    body = report(api, navigator, network, "").json()
    start, end = date.fromisoformat(body["start"]), date.fromisoformat(body["end"])
    assert (end - start).days + 1 == 90  # both days included
    assert report(api, navigator, network, "start=2025-01-01&end=2026-01-01").status_code == 200


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
    nightly_shift(network, peer, actor=staff, start_date=date(2026, 6, 5), rrule="FREQ=DAILY;COUNT=3")
    start, end = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    counts = []
    for n in (10, 50):  # 10, then 60
        _many(network, member, peer, n)
        with CaptureQueriesContext(connection) as queries:
            figures = network_report(network=network, start=start, end=end, include_people=True)
        counts.append(len(queries))
        assert figures.alerts_raised.value == sum((10, 50)[: len(counts)])
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(9):
        network_report(network=network, start=start, end=end, include_people=True)


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
    figures = network_report(network=network, start=BASE - timedelta(days=1), end=BASE + timedelta(days=1))
    assert {name: cell.value for name, cell in figures.taken_by.items()} == {
        "peer": 1,
        "navigator": None,
        "staff": 2,
        "not_taken": None,
    }
