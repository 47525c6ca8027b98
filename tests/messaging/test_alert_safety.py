"""Issue 12's alert safety items: one eligibility rule on every path that
offers or gives an alert, an honest status when nobody at the staff step can
be reached (and the on-duty fallback), what happens to alerts when a person
deletes their account, raising again while an alert is open, and the audit's
location, access-log and grace-period gaps."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from crisisplans import actions as plan_actions
from crisisplans.models import AccessRecord, Audience, Plan
from crisisplans.selectors import decide_sections, may_read_section
from messaging import tasks
from messaging.actions import alerts, escalation
from messaging.actions.moderation import do_block_person
from messaging.models import Alert, Event, Offer
from network.models import Membership
from tests.conftest import sign_in_to_admin
from tests.crisisplans.factories import full_sections
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory, add_member
from tests.messaging.conftest import put_on_call

pytestmark = pytest.mark.django_db

S = timedelta(seconds=1)


def events_of(person, type_: str) -> list[dict]:
    return list(
        Event.objects.filter(person_id=person.pk, type=type_).order_by("seq").values_list("data", flat=True)
    )


def exclude_in_plan(crisis, *, first, never) -> None:
    """The member's plan: ``first`` first, ``never`` must not be contacted."""
    plan = Plan.objects.get(owner=crisis.member)
    revision = plan_actions.do_propose_revision(
        author=crisis.member, plan=plan, sections=full_sections(contacts=[first, never])
    )
    plan_actions.do_sign_off_revision(owner=crisis.member, revision=revision)


def nothing_reached(person, alert, api) -> None:
    """``person`` was never offered, handed or shown ``alert``."""
    assert not Offer.objects.filter(alert=alert, person=person).exists()
    assert not Event.objects.filter(person_id=person.pk, data__alert_id=str(alert.pk)).exists()
    assert api(person).get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    plan = Plan.objects.get(owner=alert.member)
    reasons = {d.reason for d in decide_sections(person=person, plan=plan).values() if d.allowed}
    assert AccessRecord.Reason.ALERT not in reasons


# --- 1. one eligibility rule -------------------------------------------------------


def test_a_holder_cannot_hand_over_to_someone_the_plan_says_not_to_contact(api, crisis):
    bea, cleo, _, eve = crisis.peers
    exclude_in_plan(crisis, first=cleo, never=eve)
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    before = Event.objects.count()
    response = api(bea).post(f"/api/v1/alerts/{alert.pk}/hand-over/", {"person_id": eve.pk}, format="json")
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "about:blank#handover_not_allowed"
    assert problem["status"] == 422
    assert "the member has not allowed it" in problem["detail"]
    alert.refresh_from_db()
    assert alert.taken_by == bea
    assert Event.objects.count() == before
    nothing_reached(eve, alert, api)


def test_a_holder_cannot_hand_over_to_someone_the_member_blocked(api, crisis):
    bea, _, _, eve = crisis.peers
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    do_block_person(person=crisis.member, blocked=eve)
    with pytest.raises(alerts.NotEligible):
        alerts.do_hand_over_alert(alert_id=alert.pk, person=bea, to=eve, now=crisis.now + 60 * S)
    nothing_reached(eve, alert, api)


def test_an_alert_back_from_a_missed_contact_skips_someone_blocked_meanwhile(api, crisis):
    bea, cleo, dan, _ = crisis.peers
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    do_block_person(person=crisis.member, blocked=cleo)
    escalation.do_check_contact(alert_id=alert.pk, now=crisis.now + 185 * S)
    assert escalation.do_check_contact(alert_id=alert.pk, now=crisis.now + 305 * S) == "returned"
    assert Offer.objects.get(alert=alert, person=cleo).state != "pending"
    assert not any(e["reminder"] for e in events_of(cleo, "alert.offered"))
    assert events_of(dan, "alert.offered")[-1]["reminder"] is True


def test_professionals_the_member_excluded_are_never_paged(api, crisis):
    do_block_person(person=crisis.member, blocked=crisis.staff)
    alert = crisis.raise_alert()
    now = crisis.now
    for wait in (120, 180, 300, 120, 120):
        now += wait * S
        tasks.sweep(now=now)
    assert Offer.objects.filter(alert=alert, person=crisis.navigator, kind="staff").exists()
    nothing_reached(crisis.staff, alert, api)


def test_a_navigator_the_plan_excludes_does_not_see_the_alert(api, crisis):
    bea = crisis.peers[0]
    exclude_in_plan(crisis, first=bea, never=crisis.navigator)
    alert = crisis.raise_alert()
    listed = api(crisis.navigator).get("/api/v1/alerts/").json()["results"]
    assert str(alert.pk) not in [a["id"] for a in listed]
    assert api(crisis.navigator).get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    assert api(crisis.staff).get(f"/api/v1/alerts/{alert.pk}/").status_code == 200


# --- 2. nobody at the staff step ---------------------------------------------------


def lone_network_crisis():
    """A network of members only: no facilitator, no navigator."""
    from tests.messaging.conftest import Crisis

    network = NetworkFactory(name="Lonely SUN", slug="lonely-sun")
    member = add_member(network, "Amara")
    now = timezone.now().replace(microsecond=0)
    crisis = Crisis(network=network, member=member, peers=[], navigator=None, staff=None, now=now)
    bea = add_member(network, "Bea")
    put_on_call(bea, network, actor=PersonFactory(), now=crisis.now - timedelta(minutes=1))
    crisis.peers = [bea]
    return crisis


def run_to_the_end(crisis, alert, rounds: int = 0):
    now = crisis.now
    for wait in (120, 180, 300):
        now += wait * S
        tasks.sweep(now=now)
    for _ in range(rounds):
        now += 120 * S
        tasks.sweep(now=now)
    alert.refresh_from_db()
    return now


def test_with_nobody_at_the_staff_step_the_member_is_not_told_staff_were_told(api, settings):
    settings.SERVICE_ON_DUTY_STAFF_GROUP = "On-duty staff"
    crisis = lone_network_crisis()
    alert = crisis.raise_alert()
    alerts.do_decline_alert(alert_id=alert.pk, person=crisis.peers[0], now=crisis.now + S)
    now = run_to_the_end(crisis, alert, rounds=3)
    assert not Offer.objects.filter(alert=alert, kind="staff").exists()
    status = events_of(crisis.member, "alert.status")[-1]
    assert status["stage"] == "staff_unreachable"
    assert status["staff_told"] is False
    assert status["staff_unreachable"] is True
    assert [r["number"] for r in status["emergency_routes"]] == ["999", "111", "116 123", "85258"]
    seen = api(crisis.member).get(f"/api/v1/alerts/{alert.pk}/").json()
    assert (seen["staff_told"], seen["staff_unreachable"]) == (False, True)
    assert seen["emergency_routes"]
    # Never silent: the rounds go on, and the on-call peer is asked again.
    assert alert.state == "open"
    assert alert.next_step_due_at > now
    assert events_of(crisis.peers[0], "alert.offered")[-1]["reminder"] is True


def test_the_on_duty_staff_group_is_the_fallback_and_is_told(settings):
    settings.SERVICE_ON_DUTY_STAFF_GROUP = "On-duty staff"
    crisis = lone_network_crisis()
    on_duty, blocked = PersonFactory(display_name="Olga"), PersonFactory(display_name="Omar")
    group = Group.objects.create(name="On-duty staff")
    group.user_set.add(on_duty, blocked)
    do_block_person(person=crisis.member, blocked=blocked)
    alert = crisis.raise_alert()
    run_to_the_end(crisis, alert)
    offer = Offer.objects.get(alert=alert, person=on_duty)
    assert offer.kind == "staff"
    assert not Offer.objects.filter(alert=alert, person=blocked).exists()
    status = events_of(crisis.member, "alert.status")[-1]
    assert (status["stage"], status["staff_told"], status["staff_unreachable"]) == ("staff_told", True, False)
    alerts.do_accept_alert(alert_id=alert.pk, person=on_duty, now=crisis.now + 700 * S)
    assert Alert.objects.get(pk=alert.pk).taken_by == on_duty


def test_professionals_once_handed_the_alert_are_asked_as_staff_when_it_reaches_the_staff_step(crisis):
    """Never silent (invariant 5): Bea hands it to Nadia, Nadia hands it to
    Fiona, who says no, and Nadia never reaches the member. It comes back
    and escalates with every professional already offered it by hand-over;
    the staff step must still ask Fiona, as staff, and "staff told" be true."""
    bea = crisis.peers[0]
    nadia, fiona = crisis.navigator, crisis.staff
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + S)
    alerts.do_hand_over_alert(alert_id=alert.pk, person=bea, to=nadia, now=crisis.now + 2 * S)
    alerts.do_accept_alert(alert_id=alert.pk, person=nadia, now=crisis.now + 3 * S)
    alerts.do_hand_over_alert(alert_id=alert.pk, person=nadia, to=fiona, now=crisis.now + 4 * S)
    alerts.do_decline_alert(alert_id=alert.pk, person=fiona, now=crisis.now + 5 * S)
    now = crisis.now
    for _ in range(10):
        now += 120 * S
        tasks.sweep(now=now)
    alert.refresh_from_db()
    assert alert.state == "open"
    assert alert.step > 3  # past the staff step, in its re-notification rounds
    offer = Offer.objects.get(alert=alert, person=fiona)
    assert (offer.kind, offer.state) == ("staff", "pending")
    assert alert.staff_notified_at is not None
    assert events_of(fiona, "alert.offered")[-1]["kind"] == "staff"
    status = events_of(crisis.member, "alert.status")[-1]
    assert (status["stage"], status["staff_told"], status["staff_unreachable"]) == ("staff_told", True, False)
    alerts.do_accept_alert(alert_id=alert.pk, person=fiona, now=now + S)
    assert Alert.objects.get(pk=alert.pk).taken_by == fiona


def test_a_network_without_a_staff_step_is_warned_about_at_the_step(caplog, settings):
    settings.SERVICE_ON_DUTY_STAFF_GROUP = "On-duty staff"
    crisis = lone_network_crisis()
    alert = crisis.raise_alert()
    with caplog.at_level(logging.WARNING, logger="messaging.actions.escalation"):
        run_to_the_end(crisis, alert)
    assert any("nobody at the staff step" in r.getMessage() for r in caplog.records)


def test_navigators_read_their_networks_health(api, network, navigator, member):
    health = api(navigator).get(f"/api/v1/networks/{network.pk}/alert-health/")
    assert health.status_code == 200
    assert health.json()["problems"] == ["no_facilitator"]
    assert health.json()["staff_step"]["navigators"] == 1
    assert api(member).get(f"/api/v1/networks/{network.pk}/alert-health/").status_code == 404
    MembershipFactory(person=PersonFactory(), network=network, role=Membership.Role.FACILITATOR)
    assert api(navigator).get(f"/api/v1/networks/{network.pk}/alert-health/").json()["problems"] == []


def test_a_network_with_nobody_at_its_staff_step_is_named_in_its_health_and_the_admin(api, client):
    crisis = lone_network_crisis()
    operator = PersonFactory(display_name="Operator")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    health = api(operator).get(f"/api/v1/networks/{crisis.network.pk}/alert-health/").json()
    assert "no_staff_step" in health["problems"]
    sign_in_to_admin(client, operator)
    page = client.get("/admin/network/network/")
    assert page.status_code == 200
    assert "Lonely SUN" in page.content.decode()
    assert "nobody at the staff step" in page.content.decode()


# --- 3. deleting an account --------------------------------------------------------


def delete_account(api, person):
    return api(person).post("/api/v1/my-account/delete/", {"confirm": "delete my account"}, format="json")


def test_a_peer_who_deletes_their_account_while_holding_an_alert_sends_it_back(api, crisis):
    bea, cleo, dan, _ = crisis.peers
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    assert delete_account(api, bea).status_code == 204
    alert.refresh_from_db()
    assert (alert.state, alert.taken_by) == ("open", None)
    assert alert.next_step_due_at is not None
    assert events_of(crisis.member, "alert.status")[-1]["stage"] == "returned"
    for peer in (cleo, dan):
        assert events_of(peer, "alert.offered")[-1]["reminder"] is True
    for viewer in (crisis.member, crisis.navigator, crisis.staff, cleo):
        assert api(viewer).get("/api/v1/alerts/").status_code == 200
        assert api(viewer).get(f"/api/v1/alerts/{alert.pk}/").status_code == 200
    assert alerts.do_accept_alert(alert_id=alert.pk, person=cleo).taken_by == cleo


def test_a_peer_who_deletes_their_account_with_a_pending_offer_makes_room_for_the_next(api, crisis):
    bea, _, _, eve = crisis.peers
    alert = crisis.raise_alert()
    assert delete_account(api, bea).status_code == 204
    assert Offer.objects.get(alert=alert, person=eve).state == "pending"
    assert alert.offers.filter(state="pending").count() == 3


def test_a_member_who_deletes_their_account_has_their_open_alert_cancelled(api, crisis):
    bea = crisis.peers[0]
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    assert delete_account(api, crisis.member).status_code == 204
    alert.refresh_from_db()
    assert (alert.state, alert.member) == ("cancelled", None)
    assert events_of(bea, "alert.withdrawn")[-1]["reason"] == "cancelled"
    assert tasks.sweep(now=crisis.now + 3600 * S)["steps"] == 0
    for viewer in (bea, crisis.navigator):
        assert api(viewer).get(f"/api/v1/alerts/{alert.pk}/").status_code == 200
        assert api(viewer).get("/api/v1/alerts/").status_code == 200


# --- 4. raising again --------------------------------------------------------------


def raise_via_api(api, person, key, **body):
    return api(person).post("/api/v1/alerts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_raising_again_with_any_key_returns_the_open_alert_and_pages_nobody(api, crisis, other_network):
    MembershipFactory(person=crisis.member, network=other_network)
    first = raise_via_api(api, crisis.member, "k-1", message="help")
    assert first.status_code == 201
    offered_before = Event.objects.filter(type="alert.offered").count()
    for n, body in enumerate(
        [
            {"message": "help"},
            {"message": "please", "urgency": "very_urgent"},
            {"network_id": other_network.pk, "all_networks": False},
            {"network_id": crisis.network.pk, "all_networks": True},
        ]
    ):
        again = raise_via_api(api, crisis.member, f"k-{n + 2}", **body)
        assert again.status_code == 200, again.content
        assert again.json()["id"] == first.json()["id"]
    assert Alert.objects.count() == 1
    assert Event.objects.filter(type="alert.offered").count() == offered_before


def test_raising_again_while_the_alert_is_taken_returns_it(api, crisis):
    first = raise_via_api(api, crisis.member, "k-1").json()
    alerts.do_accept_alert(alert_id=first["id"], person=crisis.peers[0])
    again = raise_via_api(api, crisis.member, "k-2")
    assert (again.status_code, again.json()["id"]) == (200, first["id"])
    alerts.do_resolve_alert(alert_id=first["id"], person=crisis.peers[0])
    fresh = raise_via_api(api, crisis.member, "k-3")
    assert fresh.status_code == 201
    assert fresh.json()["id"] != first["id"]


# --- 5. the resolved status frame ---------------------------------------------------


def test_the_resolved_status_frame_names_the_taker_as_rest_does(api, crisis):
    bea = crisis.peers[0]
    alert = crisis.raise_alert()
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=crisis.now + 5 * S)
    alerts.do_resolve_alert(alert_id=alert.pk, person=bea, now=crisis.now + 60 * S)
    frame = events_of(crisis.member, "alert.status")[-1]
    rest = api(crisis.member).get(f"/api/v1/alerts/{alert.pk}/").json()
    assert frame["stage"] == "resolved"
    assert frame["taken_by"] == rest["taken_by"] == {"id": bea.pk, "display_name": "Bea"}


# --- 7. the audit: location, access log, grace ---------------------------------------


def test_a_location_is_stored_encrypted_shown_to_the_taker_and_logged_when_read(api, crisis):
    bea, cleo = crisis.peers[:2]
    where = {"latitude": 51.3727, "longitude": -0.1099, "accuracy_m": 25.0}
    alert_id = raise_via_api(api, crisis.member, "k-1", message="on the bridge", location=where).json()["id"]
    sealed = bytes(Alert.objects.get(pk=alert_id).sealed_details)
    assert b"51.3727" not in sealed
    assert b"bridge" not in sealed
    assert api(cleo).get(f"/api/v1/alerts/{alert_id}/").json()["details"] is None
    api(bea).post(f"/api/v1/alerts/{alert_id}/accept/")
    plan = Plan.objects.get(owner=crisis.member)
    before = AccessRecord.objects.filter(plan_id=plan.pk, reader_id=bea.pk).count()
    details = api(bea).get(f"/api/v1/alerts/{alert_id}/").json()["details"]
    assert details["location"] == where
    assert details["message"] == "on the bridge"
    records = AccessRecord.objects.filter(plan_id=plan.pk, reader_id=bea.pk).order_by("pk")
    assert records.count() == before + 1
    record = records.last()
    assert (record.reason, record.reason_ref) == ("alert", alert_id)
    assert set(record.sections) == {"alert_message", "alert_location"}
    log = api(crisis.member).get(f"/api/v1/plans/{plan.pk}/access-log/").json()
    entries = log["results"] if isinstance(log, dict) else log
    assert any("alert_location" in entry["sections"] for entry in entries)


def test_a_takers_plan_access_ends_after_close_plus_the_grace_period(crisis):
    bea = crisis.peers[0]
    plan = Plan.objects.get(owner=crisis.member)
    plan_actions.do_set_consent(
        owner=crisis.member, plan=plan, audience=Audience.ALERT_PEER, sections=["on_call_steps"]
    )
    plan_actions.do_set_plan_policy(person=crisis.staff, network=crisis.network, alert_grace_hours=2)
    alert = crisis.raise_alert()

    def may_read(at) -> bool:
        return may_read_section(person=bea, plan=plan, section="on_call_steps", at=at).allowed

    taken_at, closed_at = crisis.now + 5 * S, crisis.now + 600 * S
    assert not may_read(taken_at)
    alerts.do_accept_alert(alert_id=alert.pk, person=bea, now=taken_at)
    assert may_read(taken_at + S)
    alerts.do_resolve_alert(alert_id=alert.pk, person=bea, now=closed_at)
    assert may_read(closed_at + timedelta(hours=2) - S)
    assert not may_read(closed_at + timedelta(hours=2) + S)
    assert not may_read_section(person=crisis.peers[1], plan=plan, section="on_call_steps").allowed
