"""The desk's alert board (issue 15): GET /networks/{id}/alerts/ per role,
what it never shows (the member's words and location, decline reasons,
debrief words not yours), the alert.board event, and its queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisisplans.models import Plan
from messaging.actions import alerts
from messaging.actions.moderation import do_block_person
from messaging.models import Event, Offer

pytestmark = pytest.mark.django_db


def board(api, person, network, state="open"):
    return api(person).get(f"/api/v1/networks/{network.pk}/alerts/?state={state}")


def resolved_with_debriefs(crisis, key="k1", *, ago=50):
    """Raised ``ago`` seconds before the test's now; a peer takes it and hands it
    to Fiona (the facilitator), who resolves it with her debrief; the member
    adds theirs. The peer is the first one offered it."""
    alert = crisis.raise_alert(key, message="on the bridge", now=crisis.now - timedelta(seconds=ago))
    peer = alert.offers.filter(state=Offer.State.PENDING).order_by("pk").first().person
    alerts.do_accept_alert(alert_id=alert.pk, person=peer)
    alerts.check_hand_over_alert(alert_id=alert.pk, person=peer, to_person_id=crisis.staff.pk)
    alerts.do_accept_alert(alert_id=alert.pk, person=crisis.staff)
    alerts.do_resolve_alert(
        alert_id=alert.pk,
        person=crisis.staff,
        debrief=alerts.DebriefIn(
            how_it_went="Fiona's words", emergency_services="avoided", follow_up_wanted=True
        ),
    )
    alerts.do_add_debrief(
        alert_id=alert.pk,
        person=crisis.member,
        debrief=alerts.DebriefIn(
            how_it_went="Amara's words", emergency_services="not_applicable", follow_up_wanted=False
        ),
    )
    return alert


def test_a_facilitator_sees_whom_it_was_offered_to_and_who_holds_it_but_no_crisis_content(api, crisis):
    alert = crisis.raise_alert(message="on the bridge", location={"latitude": 51.37, "longitude": -0.1})
    bea, cleo = crisis.peers[0], crisis.peers[1]
    alerts.do_decline_alert(alert_id=alert.pk, person=cleo, reason="at work, sorry")
    alerts.do_accept_alert(alert_id=alert.pk, person=bea)

    response = board(api, crisis.staff, crisis.network)
    assert response.status_code == 200
    (shown,) = response.json()["results"]
    assert shown["id"] == str(alert.pk)
    assert shown["state"] == "taken"
    assert shown["stage"] == "taken"
    assert shown["taken_by"] == {"id": bea.pk, "display_name": "Bea"}
    answers = {offer["person"]["display_name"]: offer["state"] for offer in shown["offers"]}
    assert answers["Bea"] == "accepted"
    assert answers["Cleo"] == "declined"
    assert shown["offered_count"] == len(shown["offers"]) >= 3
    assert shown["details"] is None
    assert shown["my_offer"] is None
    assert shown["plan_id"] == Plan.objects.get(owner=crisis.member).pk
    text = response.content.decode()
    for secret in ("on the bridge", "51.37", "at work"):
        assert secret not in text


def test_a_navigator_sees_the_board_without_the_plan_id(api, crisis):
    crisis.raise_alert()
    (shown,) = board(api, crisis.navigator, crisis.network).json()["results"]
    assert shown["stage"] == "offered"
    assert all(offer["state"] == "pending" and offer["kind"] == "peer" for offer in shown["offers"])
    assert shown["plan_id"] is None


def test_members_peers_offered_it_and_other_networks_navigators_get_404(api, crisis, outside_navigator):
    alert = crisis.raise_alert()
    bea = crisis.peers[0]
    for person in (crisis.member, bea, outside_navigator):
        assert board(api, person, crisis.network).status_code == 404
    # What they do see of it is AlertOut, which names nobody offered it.
    assert "offers" not in api(bea).get(f"/api/v1/alerts/{alert.pk}/").json()
    assert "offers" not in api(crisis.member).get(f"/api/v1/alerts/{alert.pk}/").json()
    # The member still lists their own alert; the outsider sees none.
    assert [a["id"] for a in api(crisis.member).get("/api/v1/alerts/").json()["results"]] == [str(alert.pk)]
    assert api(outside_navigator).get("/api/v1/alerts/").json()["results"] == []
    assert board(api, crisis.staff, crisis.network).status_code == 200


def test_an_unknown_network_is_404_and_a_bad_state_a_validation_problem(api, crisis):
    assert api(crisis.staff).get("/api/v1/networks/999999/alerts/").status_code == 404
    response = board(api, crisis.staff, crisis.network, state="everything")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"


def test_open_and_closed_are_apart_and_a_closed_one_carries_its_debriefs_words_only_to_their_author(
    api, crisis
):
    alert = resolved_with_debriefs(crisis)
    assert board(api, crisis.staff, crisis.network).json()["results"] == []

    (seen_by_fiona,) = board(api, crisis.staff, crisis.network, "closed").json()["results"]
    assert seen_by_fiona["id"] == str(alert.pk)
    assert seen_by_fiona["state"] == "resolved"
    debriefs = {d["side"]: d for d in seen_by_fiona["debriefs"]}
    assert debriefs["supporter"]["author"]["display_name"] == "Fiona"
    assert debriefs["supporter"]["emergency_services"] == "avoided"
    assert debriefs["supporter"]["follow_up_wanted"] is True
    assert debriefs["member"]["author"]["display_name"] == "Amara"
    assert "how_it_went" not in debriefs["member"]
    assert debriefs["member"]["emergency_services"] == "not_applicable"

    # Not even to their author: the words are the member's crisis.
    for person in (crisis.staff, crisis.navigator):
        response = board(api, person, crisis.network, "closed")
        assert len(response.json()["results"][0]["debriefs"]) == 2
        assert "words" not in response.content.decode()
        assert "on the bridge" not in response.content.decode()


def test_an_alert_from_a_member_who_blocked_the_navigator_is_not_on_their_board(api, crisis):
    crisis.raise_alert()
    do_block_person(person=crisis.member, blocked=crisis.navigator)
    assert board(api, crisis.navigator, crisis.network).json()["results"] == []
    assert len(board(api, crisis.staff, crisis.network).json()["results"]) == 1


def test_the_board_is_cursor_paginated_newest_first(api, crisis):
    first = resolved_with_debriefs(crisis, key="a", ago=50)
    second = resolved_with_debriefs(crisis, key="b", ago=40)
    page = (
        api(crisis.staff).get(f"/api/v1/networks/{crisis.network.pk}/alerts/?state=closed&page_size=1").json()
    )
    assert [a["id"] for a in page["results"]] == [str(second.pk)]
    rest = api(crisis.staff).get(page["next"]).json()
    assert [a["id"] for a in rest["results"]] == [str(first.pk)]


def test_the_boards_queries_do_not_grow_with_its_alerts_offers_or_debriefs(api, crisis):
    client = api(crisis.staff)
    url = f"/api/v1/networks/{crisis.network.pk}/alerts/?state=closed"
    resolved_with_debriefs(crisis, key="a", ago=50)
    client.get(url)  # warm (session, caches)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()["results"]) == 1
    for key, ago in (("b", 40), ("c", 30), ("d", 20)):
        resolved_with_debriefs(crisis, key=key, ago=ago)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(url).json()["results"]) == 4
    assert len(four) == len(one)


def test_the_networks_overseers_hear_alert_board_with_no_content_unless_excluded(
    crisis, django_capture_on_commit_callbacks
):
    do_block_person(person=crisis.member, blocked=crisis.navigator)
    with django_capture_on_commit_callbacks(execute=True):
        alert = crisis.raise_alert(message="on the bridge")
    with django_capture_on_commit_callbacks(execute=True):
        alerts.do_accept_alert(alert_id=alert.pk, person=crisis.peers[0])
    told = list(
        Event.objects.filter(person=crisis.staff, type="alert.board")
        .order_by("seq")
        .values_list("data", flat=True)
    )
    network = {"id": crisis.network.pk, "name": crisis.network.name}
    assert told == [
        {"alert_id": str(alert.pk), "network": network, "state": "open", "stage": "offered"},
        {"alert_id": str(alert.pk), "network": network, "state": "taken", "stage": "taken"},
    ]
    assert not Event.objects.filter(person=crisis.navigator, data__alert_id=str(alert.pk)).exists()
    assert not Event.objects.filter(person=crisis.peers[3], type="alert.board").exists()


def test_the_members_access_log_says_why_the_service_read_their_contacts(api, crisis):
    """Choosing whom to offer reads the member's contacts 'routing a crisis
    alert'; the board showing the alert reads them only to check who may see
    it, and says so, rather than claiming to route it again."""
    from crisisplans.models import AccessRecord
    from messaging import recipients

    crisis.raise_alert()
    system = AccessRecord.objects.filter(plan__owner=crisis.member, reason=AccessRecord.Reason.SYSTEM)
    # Raising it: the offers (routing), and the event telling the board (showing).
    assert set(system.values_list("reason_ref", flat=True)) == {
        recipients.WHY_ROUTING,
        recipients.WHY_SHOWING,
    }
    before = system.count()

    assert board(api, crisis.navigator, crisis.network).status_code == 200
    added = [record.reason_ref for record in system.order_by("pk")[before:]]
    assert added
    assert set(added) == {recipients.WHY_SHOWING}
