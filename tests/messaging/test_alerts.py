"""An alert's life with a controlled clock: offers, first accept wins, declines,
escalation that never fires early or twice, cancel, contact checks, handover,
resolution with debriefs and follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crisisplans import actions as plan_actions
from crisisplans.models import OwnerNotice, Plan
from messaging import tasks
from messaging.actions import alerts, escalation
from messaging.models import Alert, EscalationStepRun, Event, FollowUp, Offer
from network.models import AlertOffer
from tests.crisisplans.factories import full_sections

pytestmark = pytest.mark.django_db

S = timedelta(seconds=1)


def offered_names(alert: Alert, state: str | None = None) -> list[str]:
    offers = alert.offers.order_by("offered_at", "pk").select_related("person")
    if state:
        offers = offers.filter(state=state)
    return [o.person.display_name for o in offers]


def events_of(person, type_: str) -> list[dict]:
    return list(
        Event.objects.filter(person=person, type=type_).order_by("seq").values_list("data", flat=True)
    )


def test_raising_offers_it_to_three_on_call_peers_fairly_and_never_the_member(crisis):
    alert = crisis.raise_alert()
    assert offered_names(alert) == ["Bea", "Cleo", "Dan"]
    assert crisis.member.display_name not in offered_names(alert)
    assert alert.next_step_due_at == crisis.now + 120 * S
    assert AlertOffer.objects.filter(network=crisis.network).count() == 3
    status = events_of(crisis.member, "alert.status")[-1]
    assert status["stage"] == "offered"
    assert status["offered_count"] == 3


def test_the_plans_chosen_peers_come_first_and_excluded_ones_never(crisis):
    bea, _, _, eve = crisis.peers
    plan = Plan.objects.get(owner=crisis.member)
    sections = full_sections(contacts=[eve, bea])  # Eve first; Bea must not be contacted
    revision = plan_actions.do_propose_revision(author=crisis.member, plan=plan, sections=sections)
    plan_actions.do_sign_off_revision(owner=crisis.member, revision=revision)
    alert = crisis.raise_alert()
    assert offered_names(alert) == ["Eve", "Cleo", "Dan"]


def test_the_offer_event_carries_no_crisis_content(crisis):
    crisis.raise_alert(message="I have the pills in front of me")
    data = events_of(crisis.peers[0], "alert.offered")[0]
    assert "pills" not in str(data)
    assert data["member"]["display_name"] == "Amara"
    assert data["network"]["name"] == crisis.network.name


def test_a_retry_with_the_same_key_creates_nothing_new(crisis):
    first = crisis.raise_alert("same", message="help")
    again = alerts.do_raise_alert(
        member=crisis.member,
        network=crisis.network,
        route_all_networks=False,
        client_key="same",
        message="help",
        now=crisis.now + 5 * S,
    )
    assert again.created is False
    assert again.alert.pk == first.pk
    assert Alert.objects.count() == 1
    assert Offer.objects.count() == 3


def test_the_same_key_with_a_different_body_is_refused(crisis):
    crisis.raise_alert("same", message="help")
    with pytest.raises(alerts.AlertKeyReused):
        crisis.raise_alert("same", message="something else")
    assert Alert.objects.count() == 1


def test_the_first_accept_wins_and_everyone_else_is_told(crisis):
    bea, cleo, dan, _ = crisis.peers
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=cleo, now=crisis.now + 10 * S)
    with pytest.raises(alerts.AlertNotOpen):
        alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 11 * S)
    alert.refresh_from_db()
    assert (alert.state, alert.taken_by) == ("taken", cleo)
    assert alert.next_step_due_at is None
    assert offered_names(alert, Offer.State.WITHDRAWN) == ["Bea", "Dan"]
    for other in (bea, dan):
        assert events_of(other, "alert.withdrawn") == [{"alert_id": str(alert.pk), "reason": "taken"}]
    status = events_of(crisis.member, "alert.status")[-1]
    assert status["taken_by"] == {"id": cleo.pk, "display_name": "Cleo"}
    assert status["stage"] == "taken"


def test_someone_never_offered_it_cannot_take_it(crisis, outsider):
    alert = crisis.raise_alert()
    with pytest.raises(alerts.AlertNotOpen):
        alerts.do_accept_alert(alert_id=alert.pk, person=crisis.peers[3], now=crisis.now)
    assert Alert.objects.get().state == "open"


def test_a_decline_offers_the_next_peer_at_once_and_is_counted_apart(crisis):
    bea = crisis.peers[0]
    alert = crisis.raise_alert()
    alerts.do_decline_alert(alert_id=alert.pk, person=bea, reason="at work", now=crisis.now + 5 * S)
    assert offered_names(alert, Offer.State.PENDING) == ["Cleo", "Dan", "Eve"]
    assert AlertOffer.objects.get(person=bea).response == "declined"
    assert Offer.objects.get(person=bea).decline_reason == "at work"
    assert "at work" not in str(events_of(crisis.member, "alert.status"))


def test_when_everyone_declines_the_next_step_runs_at_once(crisis):
    alert = crisis.raise_alert()
    for peer in crisis.peers:
        alerts.do_decline_alert(alert_id=alert.pk, person=peer, now=crisis.now + 5 * S)
    alert.refresh_from_db()
    # Step 1 (all available members) has nobody new, so it moves on to step 2:
    # navigators and staff, at once rather than after the waits.
    assert alert.step == 2
    assert set(offered_names(alert, Offer.State.PENDING)) == {"Nadia", "Fiona"}
    assert alert.next_step_due_at == crisis.now + 5 * S + 300 * S


def test_steps_fire_in_order_never_early_never_twice(crisis):
    alert = crisis.raise_alert()
    due = alert.next_step_due_at
    assert escalation.do_run_due_step(alert_id=alert.pk, step=1, now=due - S) is False
    assert escalation.do_run_due_step(alert_id=alert.pk, step=2, now=due) is False  # out of order
    assert escalation.do_run_due_step(alert_id=alert.pk, step=1, now=due) is True
    assert escalation.do_run_due_step(alert_id=alert.pk, step=1, now=due + S) is False
    assert tasks.sweep(now=due + S)["steps"] == 0
    alert.refresh_from_db()
    assert alert.step == 1
    assert list(EscalationStepRun.objects.filter(alert=alert).values_list("step", flat=True)) == [0, 1]


def test_escalation_ends_with_staff_told_and_the_emergency_routes_shown(crisis):
    alert = crisis.raise_alert()
    now = crisis.now
    for step, wait in ((1, 120), (2, 180), (3, 300)):
        now += wait * S
        assert tasks.sweep(now=now)["steps"] == 1, f"step {step}"
    alert.refresh_from_db()
    assert alert.staff_notified_at == now
    status = events_of(crisis.member, "alert.status")[-1]
    assert status["stage"] == "staff_told"
    assert status["staff_told"] is True
    assert [r["number"] for r in status["emergency_routes"]] == ["999", "111", "116 123", "85258"]
    assert Offer.objects.get(alert=alert, person=crisis.staff).kind == "staff"


def test_staff_are_paged_again_until_someone_takes_it(crisis):
    alert = crisis.raise_alert()
    now = crisis.now
    for wait in (120, 180, 300):
        now += wait * S
        tasks.sweep(now=now)
    before = len(events_of(crisis.staff, "alert.offered"))
    for _ in range(3):
        now += 120 * S
        assert tasks.sweep(now=now)["steps"] == 1
    assert len(events_of(crisis.staff, "alert.offered")) == before + 3
    assert events_of(crisis.staff, "alert.offered")[-1]["reminder"] is True
    alerts.do_accept_alert(alert_id=alert.pk, person=crisis.staff, now=now + S)
    assert tasks.sweep(now=now + 1000 * S)["steps"] == 0


def test_cancel_stops_everything(crisis):
    alert = crisis.raise_alert()
    alerts.do_cancel_alert(alert_id=alert.pk, person=crisis.member, now=crisis.now + 3 * S)
    alert.refresh_from_db()
    assert alert.state == "cancelled"
    assert alert.next_step_due_at is None
    assert not alert.offers.filter(state="pending").exists()
    for peer in crisis.peers[:3]:
        assert events_of(peer, "alert.withdrawn")[-1]["reason"] == "cancelled"
    later = crisis.now + 3600 * S
    assert tasks.sweep(now=later) == {
        "steps": 0,
        "contact_checks": 0,
        "fallbacks": 0,
        "follow_ups": 0,
        "notices": 0,
        "test_pages": 0,
    }
    assert escalation.do_run_due_step(alert_id=alert.pk, step=1, now=later) is False


def test_only_the_member_can_cancel(crisis):
    alert = crisis.raise_alert()
    with pytest.raises(alerts.NotYours):
        alerts.do_cancel_alert(alert_id=alert.pk, person=crisis.peers[0], now=crisis.now)
    assert Alert.objects.get().state == "open"


def test_taken_without_contact_gets_a_reminder_then_goes_back_to_escalation(crisis):
    bea = crisis.peers[0]
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    assert tasks.sweep(now=crisis.now + 5 * S + 179 * S)["contact_checks"] == 0
    assert escalation.do_check_contact(alert_id=alert.pk, now=crisis.now + 185 * S) == "reminded"
    assert events_of(bea, "alert.reminder")[0]["alert_id"] == str(alert.pk)
    assert escalation.do_check_contact(alert_id=alert.pk, now=crisis.now + 186 * S) == ""
    assert escalation.do_check_contact(alert_id=alert.pk, now=crisis.now + 305 * S) == "returned"
    alert.refresh_from_db()
    assert alert.state == "open"
    assert alert.taken_by is None
    assert alert.step == 1
    assert events_of(bea, "alert.withdrawn")[-1]["reason"] == "returned"


def test_making_contact_stops_the_reminder(crisis):
    bea = crisis.peers[0]
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    alerts.do_confirm_contact(alert_id=alert.pk, person=bea, now=crisis.now + 60 * S)
    assert tasks.sweep(now=crisis.now + 3600 * S)["contact_checks"] == 0
    assert not events_of(bea, "alert.reminder")


def test_a_peer_hands_over_and_the_new_peer_takes_it(crisis):
    bea, _, _, eve = crisis.peers
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    alerts.do_hand_over_alert(alert_id=alert.pk, person=bea, to=eve, now=crisis.now + 60 * S)
    assert events_of(eve, "alert.offered")[-1]["kind"] == "handover"
    alert.refresh_from_db()
    assert alert.taken_by == bea  # until Eve accepts
    alerts.do_accept_alert(alert_id=alert.pk, person=eve, now=crisis.now + 70 * S)
    alert.refresh_from_db()
    assert alert.taken_by == eve
    assert events_of(bea, "alert.withdrawn")[-1]["reason"] == "handed_over"
    assert Offer.objects.get(alert=alert, person=bea).released_at == crisis.now + 70 * S


def test_resolving_with_a_debrief_schedules_the_follow_up_the_plan_asks_for(crisis):
    bea = crisis.peers[0]
    plan = Plan.objects.get(owner=crisis.member)
    revision = plan_actions.do_propose_revision(
        author=crisis.member, plan=plan, sections=full_sections(contacts=[crisis.peers[2]])
    )
    plan_actions.do_sign_off_revision(owner=crisis.member, revision=revision)
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    alerts.do_confirm_contact(alert_id=alert.pk, person=bea, now=crisis.now + 30 * S)
    done_at = crisis.now + 3600 * S
    alerts.do_resolve_alert(
        alert_id=alert.pk,
        person=bea,
        debrief=alerts.DebriefIn(
            how_it_went="we talked", emergency_services="avoided", follow_up_wanted=True
        ),
        now=done_at,
    )
    alert.refresh_from_db()
    assert (alert.state, alert.closed_at) == ("resolved", done_at)
    follow_up = FollowUp.objects.get()
    assert follow_up.check_in_by == crisis.peers[2]  # the plan names Dan
    assert follow_up.due_at == done_at + timedelta(hours=24)
    assert OwnerNotice.objects.filter(owner=crisis.member).exists()
    alerts.do_add_debrief(
        alert_id=alert.pk,
        person=crisis.member,
        debrief=alerts.DebriefIn(
            how_it_went="it helped", emergency_services="avoided", follow_up_wanted=True
        ),
        now=done_at + S,
    )
    assert alert.debriefs.count() == 2
    assert tasks.sweep(now=done_at + timedelta(hours=24))["follow_ups"] == 1
    assert events_of(crisis.peers[2], "alert.follow_up_due")[0]["member"]["display_name"] == "Amara"


def test_an_open_alert_cannot_be_resolved_only_cancelled(crisis):
    alert = crisis.raise_alert()
    with pytest.raises(alerts.AlertNotOpen):
        alerts.do_resolve_alert(alert_id=alert.pk, person=crisis.member, now=crisis.now)


def test_the_policy_is_copied_so_editing_it_never_changes_a_running_alert(crisis):
    alert = crisis.raise_alert()
    crisis.network.escalation_steps = [{"audience": "navigators_and_staff", "wait_seconds": 5}]
    crisis.network.save()
    assert tasks.sweep(now=crisis.now + 10 * S)["steps"] == 0
    assert tasks.sweep(now=crisis.now + 120 * S)["steps"] == 1
    alert.refresh_from_db()
    assert alert.policy["steps"][0] == {"audience": "on_call", "wait_seconds": 120}


def test_several_alerts_at_once_in_one_network(crisis, peer):
    first = crisis.raise_alert("a")
    second = crisis.raise_alert("b", member=peer)
    assert offered_names(first) == ["Bea", "Cleo", "Dan"]
    # Eve was never offered one, so she comes first; then the fair order.
    assert offered_names(second) == ["Eve", "Bea", "Cleo"]
    alerts.do_accept_alert(alert_id=first.pk, person=crisis.peers[0], now=crisis.now + S)
    alerts.do_accept_alert(alert_id=second.pk, person=crisis.peers[1], now=crisis.now + S)
    assert {a.taken_by_id for a in Alert.objects.all()} == {crisis.peers[0].pk, crisis.peers[1].pk}


def test_staff_who_declined_are_paged_again_at_the_next_round(crisis):
    alert = crisis.raise_alert()
    now = crisis.now
    for wait in (120, 180, 300):
        now += wait * S
        tasks.sweep(now=now)
    for professional in (crisis.staff, crisis.navigator):
        alerts.do_decline_alert(alert_id=alert.pk, person=professional, now=now + S)
    now += 120 * S
    tasks.sweep(now=now)
    offer = Offer.objects.get(alert=alert, person=crisis.staff)
    assert offer.state == "pending"
    assert events_of(crisis.staff, "alert.offered")[-1]["reminder"] is True
    alert.refresh_from_db()
    assert alert.state == "open"
    assert alert.next_step_due_at == now + 120 * S


def test_an_alert_that_comes_back_is_offered_again_to_those_told_it_was_taken(crisis):
    bea, cleo, dan, _ = crisis.peers
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    escalation.do_check_contact(alert_id=alert.pk, now=crisis.now + 185 * S)
    assert escalation.do_check_contact(alert_id=alert.pk, now=crisis.now + 305 * S) == "returned"
    pending = set(alert.offers.filter(state="pending").values_list("person__display_name", flat=True))
    assert {"Cleo", "Dan"} <= pending
    assert "Bea" not in pending
    for peer in (cleo, dan):
        assert events_of(peer, "alert.offered")[-1]["reminder"] is True


def test_a_member_who_deletes_their_account_mid_alert_has_it_cancelled(crisis):
    # Issue 12: their open alerts are cancelled as the service would (nobody is
    # paged for an account that no longer exists); everyone asked is told.
    from crisisplans.actions import do_delete_account

    alert = crisis.raise_alert()
    do_delete_account(person=crisis.member)
    assert tasks.sweep(now=crisis.now + 120 * S)["steps"] == 0
    alert.refresh_from_db()
    assert (alert.member, alert.state) == (None, "cancelled")
    for peer in crisis.peers[:3]:
        assert events_of(peer, "alert.withdrawn")[-1]["reason"] == "cancelled"


def test_a_peer_the_member_blocked_is_never_offered_their_alert(crisis):
    from messaging.actions.moderation import do_block_person

    do_block_person(person=crisis.member, blocked=crisis.peers[0])
    alert = crisis.raise_alert()
    assert offered_names(alert) == ["Cleo", "Dan", "Eve"]


def test_one_broken_alert_does_not_stop_the_sweep_for_the_others(crisis, peer):
    first = crisis.raise_alert("a")
    second = crisis.raise_alert("b", member=peer)
    Alert.objects.filter(pk=first.pk).update(policy={"steps": "corrupted"})  # a row no step can run
    assert tasks.sweep(now=crisis.now + 120 * S)["steps"] == 1
    second.refresh_from_db()
    assert second.step == 1


def test_a_raise_costs_the_same_statements_for_one_peer_or_three(settings):
    """The offers of a step go out in one batch: raising to three peers must not
    cost more round trips to the database than raising to one (the raise is on
    the path a member in crisis waits on; see docs/performance.md)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.messaging.conftest import make_crisis

    counts = {}
    for parallel in (1, 3):
        settings.ALERT_PARALLEL_OFFERS = parallel
        crisis = make_crisis()
        with CaptureQueriesContext(connection) as queries:
            alert = crisis.raise_alert(key=f"k{parallel}")
        assert alert.offers.count() == parallel
        for offer in alert.offers.all():
            event = Event.objects.get(person_id=offer.person_id, type="alert.offered")
            assert offer.event_seq == event.seq
        counts[parallel] = len(queries)
    assert counts[3] == counts[1]
